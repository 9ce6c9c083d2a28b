// Filters the findings table of the HTML report. Without JavaScript the form stays hidden and
// every row is shown.
(function () {
  var form = document.getElementById("filters");
  if (!form) return;
  form.hidden = false;
  var rows = Array.prototype.slice.call(document.querySelectorAll("#finding-table tbody tr"));
  var count = document.getElementById("filter-count");
  var keys = ["family", "severity", "state", "asset", "control"];
  function apply() {
    var query = form.elements.q.value.trim().toLowerCase();
    var shown = 0;
    rows.forEach(function (row) {
      var match = keys.every(function (key) {
        var wanted = form.elements[key].value;
        return !wanted || row.getAttribute("data-" + key) === wanted;
      }) && (!query || row.textContent.toLowerCase().indexOf(query) >= 0);
      row.hidden = !match;
      if (match) shown += 1;
    });
    count.textContent = String(shown);
  }
  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("reset", function () { setTimeout(apply, 0); });
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  apply();
})();

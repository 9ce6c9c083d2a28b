// Opens an HTML report in headless Chromium (Debian's, driven over the DevTools protocol by
// playwright-core) and reports what a reader would see, as JSON on stdout:
//   node browser.cjs REPORT.html CASES.json
// CASES.json is a list of filter settings ({"family": "mfa", "state": "fail", "q": "..."});
// for each, the script sets the form, then counts the table rows left visible and reads the
// count the page shows. It also records console errors, page errors and every request
// other than the report itself, and renders the page once more with JavaScript off.
const { chromium } = require("playwright-core");
const { readFileSync } = require("node:fs");
const { pathToFileURL } = require("node:url");

(async () => {
  const [file, casesFile] = process.argv.slice(2);
  const url = pathToFileURL(file).href;
  const cases = JSON.parse(readFileSync(casesFile, "utf8"));
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox"],
  });
  const out = { console_errors: [], requests: [], cases: [] };
  try {
    const page = await browser.newPage();
    page.on("console", (m) => { if (m.type() === "error") out.console_errors.push(m.text()); });
    page.on("pageerror", (e) => out.console_errors.push(String(e)));
    page.on("request", (r) => { if (r.url() !== url && !r.url().startsWith("data:")) out.requests.push(r.url()); });
    await page.goto(url, { waitUntil: "load" });
    out.filters_visible = await page.isVisible("#filters");
    for (const c of cases) {
      await page.evaluate((settings) => {
        const form = document.getElementById("filters");
        form.reset();
        for (const [key, value] of Object.entries(settings)) form.elements[key].value = value;
        form.elements.q.dispatchEvent(new Event("input", { bubbles: true }));
      }, c);
      const shown = await page.$$eval("#finding-table tbody tr", (rows) => rows.filter((r) => r.offsetParent !== null).length);
      const counted = await page.textContent("#filter-count");
      out.cases.push({ settings: c, shown, counted: Number(counted) });
    }
    const noScript = await browser.newContext({ javaScriptEnabled: false });
    const plain = await noScript.newPage();
    plain.on("request", (r) => { if (r.url() !== url && !r.url().startsWith("data:")) out.requests.push(r.url()); });
    await plain.goto(url, { waitUntil: "load" });
    out.no_js = {
      filters_visible: await plain.isVisible("#filters"),
      rows: await plain.$$eval("#finding-table tbody tr", (rows) => rows.filter((r) => r.offsetParent !== null).length),
      text: (await plain.innerText("main")).length,
      summary_visible: await plain.isVisible("#summary svg"),
    };
  } finally {
    await browser.close();
  }
  console.log(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(2); });

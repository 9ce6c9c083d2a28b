//! The reports people read: the PDF checked with poppler (`pdfinfo`, `pdffonts`,
//! `pdftotext`, `pdftoppm`), and hostile text from evidence inert in the PDF and the HTML.

use std::path::Path;
use std::process::Command;

use crate::support::{copy_dir, postura, repo};

/// Text an evidence file could carry: typst and HTML syntax, and names in several scripts.
const HOSTILE_NAME: &str = "#text(red)[pwned] $x^2$ \\ <script>alert(1)</script> @ref *b* _i_";
const NAMES: [&str; 5] = [
    "Łukasz Żółć",
    "Şükrü Öztürk",
    "Nguyễn Văn Đức",
    "李伟",
    "François Grünewald",
];

/// A character no embedded font has (supplementary private use): the PDF prints its code
/// point.
const NO_FONT: &str = "\u{F0000}";

/// The MFA sample folder with one Entra administrator renamed to hostile text and names in
/// Polish, Turkish, Vietnamese, Chinese and French.
fn evidence_with_names(dir: &Path) {
    copy_dir(&repo().join("fixtures/evidence/mfa"), dir);
    let page = dir.join("entra/userRegistrationDetails-page1.json");
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&page).unwrap()).unwrap();
    // The administrator without MFA: the failing finding lists its name.
    let admin = &mut json["value"][1];
    assert_eq!(admin["userPrincipalName"], "global.admin@contoso.de");
    admin["userPrincipalName"] =
        format!("{HOSTILE_NAME} {} {NO_FONT}@contoso.de", NAMES.join(" ")).into();
    std::fs::write(&page, serde_json::to_string_pretty(&json).unwrap()).unwrap();
}

fn poppler(program: &str, args: &[&str]) -> String {
    let output = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program} (poppler-utils) must be installed: {e}"));
    assert!(
        output.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// pdftotext joins nothing across lines reliably; compare without whitespace.
fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The document information, PDF/A-2b identification and fonts of a report; returns its
/// page count.
fn assert_a4_pdfa_fonts_embedded(pdf_arg: &str) -> usize {
    let info = poppler("pdfinfo", &[pdf_arg]);
    assert!(info.contains("(A4)"), "{info}");
    assert!(
        info.contains("Title:           Sicherheitsbewertung – Müller & Söhne GmbH"),
        "{info}"
    );
    assert!(info.contains("Author:          Jürgen Prüfer"), "{info}");
    let pages: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap();
    assert!(
        pages >= 8,
        "cover, contents, summary, scores, roadmap, appendix: {pages}"
    );
    // PDF/A-2b: the XMP metadata declares the part and conformance.
    let xmp = poppler("pdfinfo", &["-meta", pdf_arg]);
    assert!(
        xmp.contains("<pdfaid:part>2</pdfaid:part>")
            && xmp.contains("<pdfaid:conformance>B</pdfaid:conformance>"),
        "no PDF/A-2b identification in the XMP metadata:\n{xmp}"
    );
    // Every font embedded (PDF/A requires it), the CJK fallback among them for 李伟.
    let fonts = poppler("pdffonts", &[pdf_arg]);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(rows.len() >= 3, "{fonts}");
    for row in &rows {
        let columns: Vec<&str> = row.split_whitespace().collect();
        let emb = columns[columns.len() - 5];
        assert_eq!(emb, "yes", "font not embedded: {row}");
    }
    assert!(fonts.contains("DroidSansFallback"), "{fonts}");
    pages
}

#[test]
fn the_pdf_is_a4_pdfa_with_embedded_fonts_and_german_text_intact() {
    let work = tempfile::tempdir().unwrap();
    let evidence = work.path().join("evidence");
    evidence_with_names(&evidence);
    let out = work.path().join("out");
    postura()
        .args(["scan", "--evidence"])
        .arg(&evidence)
        .args([
            "--lang",
            "de",
            "--format",
            "json,html,pdf,typst",
            "--customer",
            "Müller & Söhne GmbH",
            "--assessor",
            "Jürgen Prüfer",
            "--as-of",
            "2026-11-20T09:00:00Z",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let pdf = out.join("postura-report.pdf");
    let pdf_arg = pdf.to_str().unwrap();

    let pages = assert_a4_pdfa_fonts_embedded(pdf_arg);

    let text = poppler("pdftotext", &["-layout", pdf_arg, "-"]);
    for heading in [
        "Zusammenfassung für die Geschäftsleitung",
        "Die drei größten Risiken",
        "Was zuerst zu tun ist",
        "Maßnahmenplan",
        "Anhang: Befunde im Einzelnen",
    ] {
        assert!(text.contains(heading), "missing heading {heading}");
    }
    let result = crate::support::read_json(&out.join("postura-result.json"));
    let score = result["scores"]["overall"]["score"].as_f64().unwrap();
    assert!(
        text.contains(&format!("erreicht {score:.0} von 100 Punkten")),
        "the summary states the score {score:.0}"
    );
    // A finding's remediation, in German with its umlauts.
    let remediation = result["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "mfa-admin-without-mfa")
        .unwrap()["remediation"]["de"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        squeeze(&text).contains(&squeeze(&remediation)),
        "remediation text missing: {remediation}"
    );
    // Typst and HTML syntax from evidence are text, and every script survives.
    let flat = squeeze(&text);
    assert!(
        flat.contains(&squeeze(HOSTILE_NAME)),
        "hostile name not shown literally"
    );
    for name in NAMES {
        assert!(flat.contains(&squeeze(name)), "{name} not in the PDF text");
    }
    assert!(
        flat.contains("[U+F0000]"),
        "a character without a glyph prints as its code point"
    );

    // Every page renders.
    let pngs = work.path().join("pages");
    std::fs::create_dir_all(&pngs).unwrap();
    poppler(
        "pdftoppm",
        &[
            "-r",
            "40",
            "-png",
            pdf_arg,
            pngs.join("p").to_str().unwrap(),
        ],
    );
    let rendered = std::fs::read_dir(&pngs).unwrap().count();
    assert_eq!(rendered, pages, "pdftoppm rendered every page");

    // The typst source binds the evidence as a string, never as markup.
    let typ = std::fs::read_to_string(out.join("postura-report.typ")).unwrap();
    let first = typ.lines().next().unwrap();
    assert!(first.starts_with("#let data = json(bytes(\""));
    assert!(first.contains("#text(red)[pwned] $x^2$ \\\\\\\\ <script>"));
    // And in the HTML it is escaped.
    let html = std::fs::read_to_string(out.join("postura-report.html")).unwrap();
    assert!(!html.contains("<script>alert(1)"));
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;&#x2F;script&gt;")
            || html.contains("&lt;script&gt;alert(1)&lt;/script&gt;")
    );
}

#[test]
fn a_saved_result_renders_as_pdf_in_english_with_a_consultancy_template() {
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("out");
    postura()
        .args(["scan", "--evidence"])
        .arg(repo().join("fixtures/evidence/mfa"))
        .args(["--format", "json", "--out"])
        .arg(&out)
        .assert()
        .success();
    let templates = work.path().join("templates");
    std::fs::create_dir_all(&templates).unwrap();
    std::fs::write(
        templates.join("report.yaml"),
        "customer: Stadtwerke Beispielstadt\nassessor: Muster Consulting GmbH\naccent: '#0f766e'\nlegal_notice: Weitergabe nur mit Zustimmung der Muster Consulting GmbH.\n",
    )
    .unwrap();
    std::fs::write(
        templates.join("logo.svg"),
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20" fill="#0a0"/></svg>"##,
    )
    .unwrap();
    let again = work.path().join("again");
    postura()
        .arg("report")
        .arg(out.join("postura-result.json"))
        .args([
            "--format",
            "pdf,html",
            "--lang",
            "en",
            "--title",
            "Annual review",
        ])
        .arg("--templates")
        .arg(&templates)
        .arg("--out")
        .arg(&again)
        .assert()
        .success();
    let pdf = again.join("postura-report.pdf");
    let info = poppler("pdfinfo", &[pdf.to_str().unwrap()]);
    assert!(
        info.contains("Title:           Annual review – Stadtwerke Beispielstadt"),
        "{info}"
    );
    assert!(
        info.contains("Author:          Muster Consulting GmbH"),
        "{info}"
    );
    let text = poppler("pdftotext", &[pdf.to_str().unwrap(), "-"]);
    for heading in [
        "Executive summary",
        "Remediation roadmap",
        "Appendix: findings in detail",
    ] {
        assert!(text.contains(heading), "missing {heading}");
    }
    assert!(
        squeeze(&text).contains("WeitergabenurmitZustimmungderMusterConsultingGmbH."),
        "the consultancy's legal notice"
    );
    let html = std::fs::read_to_string(again.join("postura-report.html")).unwrap();
    assert!(
        html.contains("data:image/svg+xml;base64,"),
        "the logo is inlined"
    );
    assert!(
        html.contains("--accent:#0f766e;"),
        "the consultancy's colour"
    );
    // No report is left half-written: only the two reports are in the folder.
    let mut names: Vec<String> = std::fs::read_dir(&again)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["postura-report.html", "postura-report.pdf"]);
}

#[test]
fn a_colour_that_is_none_is_named_with_its_file() {
    let work = tempfile::tempdir().unwrap();
    let info = work.path().join("report.yaml");
    std::fs::write(&info, "accent: \"red; background: url(x)\"\n").unwrap();
    postura()
        .args(["scan", "--evidence"])
        .arg(repo().join("fixtures/evidence/mfa"))
        .arg("--report-info")
        .arg(&info)
        .arg("--out")
        .arg(work.path().join("out"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "report.yaml: accent `red; background: url(x)` is not a colour: expected #rrggbb",
        ));
}

#[test]
fn a_broken_consultancy_template_is_named_and_writes_nothing() {
    let work = tempfile::tempdir().unwrap();
    let templates = work.path().join("templates");
    std::fs::create_dir_all(&templates).unwrap();
    std::fs::write(templates.join("report.typ"), "#let x = (\n= Heading\n").unwrap();
    let out = work.path().join("out");
    postura()
        .args(["scan", "--evidence"])
        .arg(repo().join("fixtures/evidence/mfa"))
        .args(["--format", "html,pdf", "--out"])
        .arg(&out)
        .arg("--templates")
        .arg(&templates)
        .assert()
        .code(predicates::ord::ge(2))
        .stderr(predicates::str::contains("report.typ line 1"));
    assert!(
        !out.join("postura-report.html").exists(),
        "a failed render leaves no partial set of reports"
    );
}

/// Runs `tests/tools/browser.cjs` on a report with the filter `cases`.
fn in_browser(html: &Path, cases: &serde_json::Value) -> serde_json::Value {
    let modules = std::env::var("POSTURA_NODE_MODULES")
        .unwrap_or_else(|_| "/opt/postura-test-tools/node_modules".into());
    assert!(
        Path::new(&modules).join("playwright-core").exists(),
        "playwright-core is not installed: run the tests with scripts/test, which installs it"
    );
    assert!(crate::support::require("node") && crate::support::require("chromium"));
    let cases_file = html.with_file_name("cases.json");
    std::fs::write(&cases_file, cases.to_string()).unwrap();
    let run = Command::new("node")
        .arg(repo().join("tests/tools/browser.cjs"))
        .arg(html)
        .arg(&cases_file)
        .env("NODE_PATH", &modules)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    serde_json::from_slice(&run.stdout).unwrap()
}

/// The findings the HTML table holds: all but a network check's "not assessed" on a host
/// known only from evidence (display only).
fn listed_findings(result: &serde_json::Value) -> Vec<&serde_json::Value> {
    let family_of = |id: &str| {
        result["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .map(|c| c["family"].as_str().unwrap().to_owned())
            .unwrap()
    };
    let scanned: Vec<String> = result["facts"]["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["address"].is_string())
        .map(|h| h["address"].as_str().unwrap().to_owned())
        .collect();
    result["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            let family = family_of(f["check_id"].as_str().unwrap());
            let network = family == "exposed-services" || family == "transport-encryption";
            !(network
                && f["state"] == "not_assessed"
                && !scanned
                    .iter()
                    .any(|a| f["asset"].as_str().unwrap().contains(a.as_str())))
        })
        .collect()
}

#[test]
fn the_html_filters_show_exactly_the_findings_the_json_holds_in_a_real_browser() {
    let work = tempfile::tempdir().unwrap();
    let evidence = work.path().join("evidence");
    evidence_with_names(&evidence);
    let out = work.path().join("out");
    postura()
        .args(["scan", "-q", "--evidence"])
        .arg(&evidence)
        .arg("--evidence")
        .arg(repo().join("fixtures/evidence/backup"))
        .args(["--lang", "en", "--format", "json,html", "--out"])
        .arg(&out)
        .assert()
        .code(predicates::ord::le(1));
    let result = crate::support::read_json(&out.join("postura-result.json"));
    let listed = listed_findings(&result);
    let family_of = |id: &str| {
        result["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .map(|c| {
                (
                    c["family"].as_str().unwrap().to_owned(),
                    c["control"].as_str().unwrap().to_owned(),
                )
            })
            .unwrap()
    };
    let some_asset = listed
        .iter()
        .find(|f| f["state"] == "fail")
        .map(|f| f["asset"].as_str().unwrap().to_owned())
        .unwrap();
    let cases = serde_json::json!([
        {},
        { "state": "fail" },
        { "family": "mfa", "severity": "high" },
        { "family": "backup" },
        { "state": "not_assessed" },
        { "asset": some_asset },
        { "control": "MFA-01" },
        { "state": "fail", "q": "contoso" },
    ]);
    let seen = in_browser(&out.join("postura-report.html"), &cases);
    assert_eq!(seen["console_errors"], serde_json::json!([]), "{seen}");
    assert_eq!(
        seen["requests"],
        serde_json::json!([]),
        "the report fetches nothing"
    );
    assert_eq!(seen["filters_visible"], true);
    for (case, observed) in cases
        .as_array()
        .unwrap()
        .iter()
        .zip(seen["cases"].as_array().unwrap())
    {
        let expected = listed
            .iter()
            .filter(|f| {
                let (family, control) = family_of(f["check_id"].as_str().unwrap());
                let matches = |key: &str, value: &str| case.get(key).is_none_or(|v| v == value);
                matches("state", f["state"].as_str().unwrap())
                    && matches("family", &family)
                    && matches("severity", f["severity"].as_str().unwrap())
                    && matches("asset", f["asset"].as_str().unwrap())
                    && matches("control", &control)
            })
            // The search matches the row's text; the one case with a search filters on the
            // asset's domain, which the row shows.
            .filter(|f| {
                case.get("q").is_none_or(|q| {
                    f["asset"].as_str().unwrap().contains(q.as_str().unwrap())
                        || f["evidence"].to_string().contains(q.as_str().unwrap())
                })
            })
            .count();
        assert_eq!(observed["shown"], expected, "{case}: rows shown");
        assert_eq!(
            observed["counted"], expected,
            "{case}: the count the page states"
        );
    }
    assert!(seen["cases"][1]["shown"].as_u64().unwrap() > 0);
    // With JavaScript off: no filter form, every row, the summary and its charts.
    assert_eq!(seen["no_js"]["filters_visible"], false);
    assert_eq!(seen["no_js"]["rows"], listed.len());
    assert_eq!(seen["no_js"]["summary_visible"], true);
}

/// The HTML and the typst source of one judged facts file, with the time of the run replaced.
#[test]
fn snapshots_of_the_html_and_the_typst_source() {
    let out = tempfile::tempdir().unwrap();
    postura()
        .arg("evaluate")
        .arg(repo().join("fixtures/facts/tls/legacy.json"))
        .args([
            "--as-of",
            "2026-06-01T00:00:00Z",
            "--lang",
            "en",
            "--customer",
            "Example AG",
            "-f",
            "json,html,typst",
            "--out",
        ])
        .arg(out.path())
        .assert()
        .success();
    let result = crate::support::read_json(&out.path().join("postura-result.json"));
    let generated: jiff::Timestamp = result["generated_at"].as_str().unwrap().parse().unwrap();
    let run_time = generated.strftime("%Y-%m-%d %H:%M UTC").to_string();
    let redact = |text: String| text.replace(&run_time, "[run time]");
    let html = redact(std::fs::read_to_string(out.path().join("postura-report.html")).unwrap());
    let typst = redact(std::fs::read_to_string(out.path().join("postura-report.typ")).unwrap());
    // The data line as readable JSON; the rest is the template.
    let (data_line, template) = typst.split_once('\n').unwrap();
    let literal = data_line
        .strip_prefix("#let data = json(bytes(")
        .and_then(|rest| rest.strip_suffix("))"))
        .unwrap();
    // A typst string literal escapes as JSON does for what postura writes into it.
    let json: String = serde_json::from_str(literal).unwrap();
    let data: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        template,
        std::fs::read_to_string(repo().join("report-templates/report.typ")).unwrap()
    );
    let settings = crate::support::snapshot_settings();
    settings.bind(|| {
        insta::assert_snapshot!("report-html-en", html);
        insta::assert_json_snapshot!("report-typst-data-en", data);
    });
}

/// `--redact` before judging: no report format names the real accounts.
#[test]
fn redacted_runs_name_no_account_in_any_format() {
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("out");
    postura()
        .args(["scan", "-q", "--redact", "--evidence"])
        .arg(repo().join("fixtures/evidence/mfa"))
        .args([
            "--format",
            "json,html,pdf,typst,csv,md,sarif,junit",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let pdf_text = poppler(
        "pdftotext",
        &[out.join("postura-report.pdf").to_str().unwrap(), "-"],
    );
    for entry in std::fs::read_dir(&out).unwrap() {
        let path = entry.unwrap().path();
        let text = if path.extension().is_some_and(|e| e == "pdf") {
            pdf_text.clone()
        } else {
            std::fs::read_to_string(&path).unwrap()
        };
        for account in ["admin.schulz", "global.admin", "chef@praxis-beispiel.de"] {
            assert!(!text.contains(account), "{account} in {}", path.display());
        }
    }
}

/// A scan given the previous result carries the trend: the history in the result and the
/// trend chart in both reports.
#[test]
fn the_trend_follows_previous_results() {
    let work = tempfile::tempdir().unwrap();
    let mut previous: Option<std::path::PathBuf> = None;
    for run in 0..3 {
        let out = work.path().join(format!("run{run}"));
        let mut command = postura();
        command
            .args(["scan", "-q", "--evidence"])
            .arg(repo().join("fixtures/evidence/mfa"))
            .args(["--lang", "en", "--format", "json,html,typst", "--out"])
            .arg(&out)
            .args(["--as-of", &format!("2026-11-{:02}T09:00:00Z", 10 + run)]);
        if let Some(previous) = &previous {
            command.arg("--previous").arg(previous);
        }
        command.assert().success();
        previous = Some(out.join("postura-result.json"));
    }
    let last = work.path().join("run2");
    let result = crate::support::read_json(&last.join("postura-result.json"));
    let history = result["history"].as_array().unwrap();
    assert_eq!(history.len(), 2, "the two runs before");
    assert_eq!(history[0]["as_of"], "2026-11-10T09:00:00Z");
    let html = std::fs::read_to_string(last.join("postura-report.html")).unwrap();
    assert!(html.contains("<title>Overall score over time</title>"));
    assert_eq!(html.matches("<circle").count(), 3, "one point per run");
    let typst = std::fs::read_to_string(last.join("postura-report.typ")).unwrap();
    assert!(typst.contains("Overall score over time"));
}

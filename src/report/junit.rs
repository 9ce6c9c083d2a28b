//! JUnit XML (`--format junit`), as Jenkins and GitLab show test reports: one test suite per
//! family, one test case per check × asset. A failure carries the title and the evidence; a
//! check not assessed is skipped with the reason; a waived failure is skipped with its waiver;
//! an evaluation error is an error.

use std::fmt::Write as _;

use super::ScanResult;
use super::html::evidence_text;
use crate::checks::Family;
use crate::checks::eval::{Finding, ResultState};

/// Text safe in XML 1.0 attributes and content: markup escaped, characters XML forbids left
/// out. The SVG charts use it too.
pub(super) fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

fn testcase(result: &ScanResult, f: &Finding, out: &mut String) {
    let title = result
        .check(&f.check_id)
        .map(|d| d.title.get(result.lang).to_owned())
        .unwrap_or_default();
    let _ = write!(
        out,
        "    <testcase name=\"{} on {}\" classname=\"postura.{}.{}\"",
        xml(&f.check_id),
        xml(&f.asset),
        f.family.as_str(),
        xml(&f.check_id)
    );
    let body = match f.state {
        ResultState::Fail => format!(
            "<failure type=\"{}\" message=\"{}\">{}</failure>",
            f.severity.as_str(),
            xml(&title),
            xml(&evidence_text(&f.evidence))
        ),
        ResultState::Error => format!(
            "<error message=\"{}\"/>",
            xml(f.reason.as_deref().unwrap_or_default())
        ),
        ResultState::NotAssessed => format!(
            "<skipped message=\"not assessed: {}\"/>",
            xml(f.reason.as_deref().unwrap_or_default())
        ),
        ResultState::RiskAccepted | ResultState::Compensated => {
            let waiver = f
                .waiver
                .as_ref()
                .map(|w| {
                    format!(
                        "{}, approved by {} until {}",
                        w.reason, w.approver, w.expires
                    )
                })
                .unwrap_or_default();
            format!(
                "<skipped message=\"waived ({}): {}\"/>",
                f.state.as_str(),
                xml(&waiver)
            )
        }
        ResultState::Pass | ResultState::NotApplicable => String::new(),
    };
    if body.is_empty() {
        out.push_str("/>\n");
    } else {
        let _ = writeln!(out, ">{body}</testcase>");
    }
}

/// Renders `result` as JUnit XML.
pub(crate) fn render(result: &ScanResult) -> String {
    let judged: Vec<&Finding> = result
        .findings
        .iter()
        .filter(|f| f.state != ResultState::NotApplicable)
        .collect();
    let count = |list: &[&Finding], state: &[ResultState]| {
        list.iter().filter(|f| state.contains(&f.state)).count()
    };
    let skipped = [
        ResultState::NotAssessed,
        ResultState::RiskAccepted,
        ResultState::Compensated,
    ];
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"postura\" tests=\"{}\" failures=\"{}\" errors=\"{}\">",
        judged.len(),
        count(&judged, &[ResultState::Fail]),
        count(&judged, &[ResultState::Error])
    );
    for family in Family::ALL {
        let cases: Vec<&Finding> = judged
            .iter()
            .copied()
            .filter(|f| f.family == family)
            .collect();
        if cases.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" timestamp=\"{}\">",
            family.as_str(),
            cases.len(),
            count(&cases, &[ResultState::Fail]),
            count(&cases, &[ResultState::Error]),
            count(&cases, &skipped),
            result.generated_at
        );
        for f in cases {
            testcase(result, f, &mut out);
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn xml_escapes_markup_and_drops_what_xml_forbids() {
        assert_eq!(
            super::xml("<a href=\"x\">&'\u{1b}[31m\u{0}"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;[31m"
        );
    }
}

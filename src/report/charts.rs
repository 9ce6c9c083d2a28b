//! Charts drawn from the result as SVG. The same drawing serves both reports: the HTML report
//! inlines it, the PDF embeds it as an image. Every label passes through the XML escaping of
//! the JUnit report, so nothing a host sent can become markup.

use std::fmt::Write as _;

use super::junit::xml;

/// The fonts a chart asks for: the PDF's embedded sans first, a browser's sans-serif after.
const FONT: &str = "DejaVu Sans, Arial, sans-serif";

/// Colours of the severities, shared with the report stylesheets.
pub(crate) const SEVERITY_COLOURS: [(&str, &str); 5] = [
    ("critical", "#7f1d1d"),
    ("high", "#c2410c"),
    ("medium", "#b45309"),
    ("low", "#4d7c0f"),
    ("info", "#475569"),
];

fn severity_colour(severity: &str) -> &'static str {
    SEVERITY_COLOURS
        .iter()
        .find(|(name, _)| *name == severity)
        .map_or("#475569", |(_, colour)| colour)
}

/// A score's colour: red below 50, amber below 80, green above.
fn score_colour(score: f64) -> &'static str {
    match score {
        s if s >= 80.0 => "#15803d",
        s if s >= 50.0 => "#b45309",
        _ => "#b91c1c",
    }
}

fn open(width: u32, height: u32, title: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" font-family=\"{FONT}\"><title>{}</title>",
        xml(title)
    )
}

/// A point on the gauge's half circle for a value 0–100.
fn gauge_point(value: f64, radius: f64) -> (f64, f64) {
    let angle = std::f64::consts::PI * (1.0 - value.clamp(0.0, 100.0) / 100.0);
    (110.0 + radius * angle.cos(), 110.0 - radius * angle.sin())
}

fn arc(from: f64, to: f64, radius: f64, colour: &str, width: f64) -> String {
    let (x1, y1) = gauge_point(from, radius);
    let (x2, y2) = gauge_point(to, radius);
    format!(
        "<path d=\"M {x1:.2} {y1:.2} A {radius} {radius} 0 0 1 {x2:.2} {y2:.2}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"{width}\"/>"
    )
}

/// What the gauge shows.
pub(crate) struct Gauge<'a> {
    /// The score over what was assessed, if anything was.
    pub score: Option<f64>,
    /// The score if everything unassessed failed, and if it passed.
    pub floor: f64,
    pub ceiling: f64,
    /// The score as the report writes it, and the grade letter.
    pub score_text: &'a str,
    pub grade: &'a str,
    /// The caption under the number (`coverage 82 % · range 61–79`).
    pub caption: &'a str,
    pub title: &'a str,
}

/// A half-circle gauge: the score as a needle arc, the coverage range as a band under it.
pub(crate) fn gauge(g: &Gauge<'_>) -> String {
    let mut svg = open(220, 150, g.title);
    svg.push_str(&arc(0.0, 100.0, 90.0, "#e2e8f0", 18.0));
    if g.ceiling > g.floor {
        svg.push_str(&arc(g.floor, g.ceiling, 72.0, "#94a3b8", 6.0));
    }
    if let Some(score) = g.score.filter(|s| *s > 0.0) {
        svg.push_str(&arc(0.0, score, 90.0, score_colour(score), 18.0));
    }
    let _ = write!(
        svg,
        "<text x=\"110\" y=\"96\" text-anchor=\"middle\" font-size=\"30\" font-weight=\"bold\" fill=\"#0f172a\">{}</text>\
         <text x=\"110\" y=\"118\" text-anchor=\"middle\" font-size=\"13\" fill=\"#334155\">{}</text>\
         <text x=\"110\" y=\"142\" text-anchor=\"middle\" font-size=\"10\" fill=\"#475569\">{}</text></svg>",
        xml(g.score_text),
        xml(g.grade),
        xml(g.caption)
    );
    svg
}

/// One bar of [`bars`].
pub(crate) struct Bar {
    pub label: String,
    /// The value 0–100, or `None` when nothing was assessed.
    pub value: Option<f64>,
    /// A range drawn as a whisker (floor–ceiling), if any.
    pub range: Option<(f64, f64)>,
    /// The number written after the bar.
    pub text: String,
}

/// Horizontal bars 0–100 (scores per family or baseline) with their coverage ranges.
pub(crate) fn bars(items: &[Bar], title: &str) -> String {
    let row = 24u32;
    let height = row * u32::try_from(items.len()).unwrap_or(0) + 24;
    let (left, width) = (250.0, 240.0);
    let mut svg = open(600, height, title);
    for (index, item) in items.iter().enumerate() {
        let y = f64::from(row) * index as f64 + 6.0;
        let _ = write!(
            svg,
            "<text x=\"{:.0}\" y=\"{:.1}\" text-anchor=\"end\" font-size=\"11\" fill=\"#0f172a\">{}</text>\
             <rect x=\"{left}\" y=\"{y:.1}\" width=\"{width}\" height=\"14\" fill=\"#f1f5f9\"/>",
            left - 8.0,
            y + 11.0,
            xml(&item.label)
        );
        if let Some(value) = item.value {
            let _ = write!(
                svg,
                "<rect x=\"{left}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"14\" fill=\"{}\"/>",
                width * value.clamp(0.0, 100.0) / 100.0,
                score_colour(value)
            );
        }
        if let Some((low, high)) = item.range.filter(|(low, high)| high > low) {
            let (x1, x2) = (
                left + width * low.clamp(0.0, 100.0) / 100.0,
                left + width * high.clamp(0.0, 100.0) / 100.0,
            );
            let mid = y + 7.0;
            let _ = write!(
                svg,
                "<path d=\"M {x1:.1} {mid:.1} H {x2:.1} M {x1:.1} {:.1} V {:.1} M {x2:.1} {:.1} V {:.1}\" stroke=\"#0f172a\" stroke-width=\"1\" fill=\"none\"/>",
                mid - 4.0,
                mid + 4.0,
                mid - 4.0,
                mid + 4.0
            );
        }
        let _ = write!(
            svg,
            "<text x=\"{:.0}\" y=\"{:.1}\" font-size=\"11\" fill=\"#0f172a\">{}</text>",
            left + width + 8.0,
            y + 11.0,
            xml(&item.text)
        );
    }
    axis(&mut svg, left, width, height);
    svg.push_str("</svg>");
    svg
}

fn axis(svg: &mut String, left: f64, width: f64, height: u32) {
    let y = f64::from(height) - 6.0;
    for tick in [0.0, 50.0, 100.0] {
        let x = left + width * tick / 100.0;
        let _ = write!(
            svg,
            "<text x=\"{x:.1}\" y=\"{y:.1}\" text-anchor=\"middle\" font-size=\"9\" fill=\"#64748b\">{tick:.0}</text>"
        );
    }
}

/// One count of [`severities`].
pub(crate) struct SeverityCount {
    /// `critical`, `high`, … (picks the colour).
    pub severity: String,
    pub label: String,
    pub count: u64,
}

/// Failing findings per severity as bars scaled to the largest count.
pub(crate) fn severities(counts: &[SeverityCount], title: &str) -> String {
    let row = 22u32;
    let height = row * u32::try_from(counts.len()).unwrap_or(0) + 8;
    let (left, width) = (90.0, 300.0);
    let max = counts.iter().map(|c| c.count).max().unwrap_or(0).max(1) as f64;
    let mut svg = open(460, height, title);
    for (index, item) in counts.iter().enumerate() {
        let y = f64::from(row) * index as f64 + 4.0;
        let bar = if item.count == 0 {
            0.0
        } else {
            (width * item.count as f64 / max).max(2.0)
        };
        let _ = write!(
            svg,
            "<text x=\"{:.0}\" y=\"{:.1}\" text-anchor=\"end\" font-size=\"11\" fill=\"#0f172a\">{}</text>\
             <rect x=\"{left}\" y=\"{y:.1}\" width=\"{bar:.1}\" height=\"14\" fill=\"{}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" fill=\"#0f172a\">{}</text>",
            left - 8.0,
            y + 11.0,
            xml(&item.label),
            severity_colour(&item.severity),
            left + bar + 6.0,
            y + 11.0,
            item.count
        );
    }
    svg.push_str("</svg>");
    svg
}

/// One pillar row of [`stage_heatmap`].
pub(crate) struct PillarRow {
    pub label: String,
    /// Index of the stage reached (0 = traditional … 3 = optimal), if assessed.
    pub reached: Option<usize>,
    /// The next stage could not be verified (drawn hatched-light).
    pub next_unverified: bool,
}

/// Zero Trust pillars × maturity stages: reached stages filled, the next unverifiable one
/// outlined, unassessed pillars grey.
pub(crate) fn stage_heatmap(rows: &[PillarRow], stages: &[String], title: &str) -> String {
    const FILLS: [&str; 4] = ["#fecaca", "#fde68a", "#bbf7d0", "#4ade80"];
    let (left, cell, row) = (250.0, 80.0, 24u32);
    let height = row * u32::try_from(rows.len()).unwrap_or(0) + 26;
    let mut svg = open(580, height, title);
    for (index, stage) in stages.iter().enumerate() {
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"14\" text-anchor=\"middle\" font-size=\"10\" fill=\"#334155\">{}</text>",
            left + cell * index as f64 + cell / 2.0,
            xml(stage)
        );
    }
    for (index, pillar) in rows.iter().enumerate() {
        let y = f64::from(row) * index as f64 + 22.0;
        let _ = write!(
            svg,
            "<text x=\"{:.0}\" y=\"{:.1}\" text-anchor=\"end\" font-size=\"11\" fill=\"#0f172a\">{}</text>",
            left - 8.0,
            y + 14.0,
            xml(&pillar.label)
        );
        for stage in 0..stages.len() {
            let x = left + cell * stage as f64;
            let (fill, stroke) = match pillar.reached {
                None => ("#f1f5f9", "#cbd5e1"),
                Some(reached) if stage <= reached => (FILLS[stage.min(3)], "#ffffff"),
                Some(reached) if stage == reached + 1 && pillar.next_unverified => {
                    ("#ffffff", "#64748b")
                }
                Some(_) => ("#ffffff", "#e2e8f0"),
            };
            let _ = write!(
                svg,
                "<rect x=\"{:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"20\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"1\"/>",
                x + 1.0,
                cell - 2.0
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// One run of [`trend`].
pub(crate) struct TrendPoint {
    pub label: String,
    pub score: f64,
}

/// The overall score over runs, oldest first.
pub(crate) fn trend(points: &[TrendPoint], title: &str) -> String {
    let (left, top, width, height) = (40.0, 12.0, 380.0, 110.0);
    let mut svg = open(460, 150, title);
    for tick in [0.0, 50.0, 100.0] {
        let y = top + height * (1.0 - tick / 100.0);
        let _ = write!(
            svg,
            "<path d=\"M {left} {y:.1} H {:.1}\" stroke=\"#e2e8f0\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" font-size=\"9\" fill=\"#64748b\">{tick:.0}</text>",
            left + width,
            left - 6.0,
            y + 3.0
        );
    }
    let step = if points.len() > 1 {
        width / (points.len() - 1) as f64
    } else {
        0.0
    };
    let position = |index: usize, score: f64| {
        (
            left + step * index as f64 + if points.len() == 1 { width / 2.0 } else { 0.0 },
            top + height * (1.0 - score.clamp(0.0, 100.0) / 100.0),
        )
    };
    let path: Vec<String> = points
        .iter()
        .enumerate()
        .map(|(index, p)| {
            let (x, y) = position(index, p.score);
            format!("{x:.1} {y:.1}")
        })
        .collect();
    if path.len() > 1 {
        let _ = write!(
            svg,
            "<path d=\"M {}\" fill=\"none\" stroke=\"#1e3a8a\" stroke-width=\"2\"/>",
            path.join(" L ")
        );
    }
    for (index, point) in points.iter().enumerate() {
        let (x, y) = position(index, point.score);
        let anchor = match index {
            0 if points.len() > 1 => "start",
            i if i + 1 == points.len() && points.len() > 1 => "end",
            _ => "middle",
        };
        let _ = write!(
            svg,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"4\" fill=\"{}\"/>\
             <text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\" font-size=\"10\" fill=\"#0f172a\">{:.0}</text>\
             <text x=\"{x:.1}\" y=\"145\" text-anchor=\"{anchor}\" font-size=\"9\" fill=\"#475569\">{}</text>",
            score_colour(point.score),
            y - 8.0,
            point.score,
            xml(&point.label)
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_cannot_become_markup() {
        let svg = bars(
            &[Bar {
                label: "<script>alert(1)</script>&\"".into(),
                value: Some(40.0),
                range: Some((30.0, 70.0)),
                text: "40".into(),
            }],
            "t",
        );
        assert!(!svg.contains("<script>"), "{svg}");
        assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;"));
    }

    #[test]
    fn the_gauge_arc_ends_where_the_score_is() {
        // 50 points is the top of the half circle.
        let (x, y) = gauge_point(50.0, 90.0);
        assert!((x - 110.0).abs() < 1e-9 && (y - 20.0).abs() < 1e-9);
        let svg = gauge(&Gauge {
            score: Some(50.0),
            floor: 40.0,
            ceiling: 60.0,
            score_text: "50",
            grade: "D",
            caption: "c",
            title: "t",
        });
        assert!(svg.contains("A 90 90 0 0 1 110.00 20.00"), "{svg}");
        // The coverage band runs from floor to ceiling on the inner radius.
        assert_eq!(svg.matches("stroke-width=\"6\"").count(), 1);
    }

    #[test]
    fn severity_bars_scale_to_the_largest_count() {
        let svg = severities(
            &[
                SeverityCount {
                    severity: "high".into(),
                    label: "high".into(),
                    count: 10,
                },
                SeverityCount {
                    severity: "low".into(),
                    label: "low".into(),
                    count: 5,
                },
            ],
            "t",
        );
        assert!(svg.contains("width=\"300.0\"") && svg.contains("width=\"150.0\""));
    }
}

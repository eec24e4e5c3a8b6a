//! Charts as SVG text, drawn here from engine results: grouped bars with
//! their values written on them, a title, a legend and a text
//! alternative. Pure functions, tested natively; components only place the
//! SVG, and downloads and the HTML report use the same text.

use seglens_charts::{Chart, Kind, Series, Unit};
use seglens_engine::SegmentSummary;
use seglens_engine::models::clv::HoldoutRow;

/// The two series' colours: blue and orange stay apart for every kind of
/// colour blindness, and both hold black or white text at AA contrast.
const SERIES: [&str; 2] = ["#2166ac", "#e08214"];
const INK: &str = "#1b2430";
const MUTED: &str = "#5b6675";

/// What a chart says, in the reader's language.
pub struct ChartText<'a> {
    /// The title above the bars.
    pub title: &'a str,
    /// The two series' names, in the legend.
    pub series: [&'a str; 2],
    /// The chart's text alternative for screen readers.
    pub description: &'a str,
}

/// Escapes text for SVG content and attributes.
fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A width for text in the 12 px sans-serif the chart uses (an average
/// advance of 0.58 em, generous for capitals).
fn text_width(text: &str) -> f64 {
    text.chars().count() as f64 * 7.0
}

/// Opens the SVG: size once, title, description and the legend.
fn open(width: f64, height: f64, text: &ChartText) -> String {
    let mut out = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" role="img" font-family="system-ui, sans-serif"><title>{}</title><desc>{}</desc><rect width="100%" height="100%" fill="#ffffff"/><text x="12" y="24" font-size="16" font-weight="600" fill="{INK}">{}</text>"##,
        esc(text.title),
        esc(text.description),
        esc(text.title)
    );
    let mut x = width - 12.0;
    for (i, name) in text.series.iter().enumerate().rev() {
        x -= text_width(name) + 22.0;
        out.push_str(&format!(
            r#"<rect x="{x:.1}" y="38" width="12" height="12" rx="2" fill="{}"/><text x="{:.1}" y="48" font-size="12" fill="{INK}">{}</text>"#,
            SERIES[i],
            x + 16.0,
            esc(name)
        ));
        x -= 8.0;
    }
    out
}

/// The largest finite value of both series (0 when there is none).
fn largest(values: [&[f64]; 2]) -> f64 {
    values
        .iter()
        .flat_map(|v| v.iter())
        .copied()
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max)
}

/// Rows of two horizontal bars each, longest value at full width, with
/// each bar's value written after it.
fn horizontal_bars(
    labels: &[String],
    values: [&[f64]; 2],
    value_text: &dyn Fn(f64) -> String,
    text: &ChartText,
) -> String {
    let width = 720.0;
    let (top, row, bar) = (64.0, 38.0, 14.0);
    let left = 16.0 + labels.iter().map(|l| text_width(l)).fold(40.0, f64::max);
    let room = width - left - 70.0;
    let height = top + row * labels.len().max(1) as f64 + 12.0;
    let max = largest(values);
    let scale = if max > 0.0 { room / max } else { 0.0 };
    let mut out = open(width, height, text);
    for (r, label) in labels.iter().enumerate() {
        let y = top + row * r as f64;
        out.push_str(&format!(
            r#"<text x="{:.1}" y="{:.1}" font-size="12" text-anchor="end" fill="{INK}">{}</text>"#,
            left - 8.0,
            y + bar + 4.0,
            esc(label)
        ));
        for (s, series) in values.iter().enumerate() {
            let v = series.get(r).copied().unwrap_or(0.0);
            let w = (v.max(0.0) * scale).max(1.0);
            let by = y + bar * s as f64 + 2.0 * s as f64;
            out.push_str(&format!(
                r#"<rect x="{left:.1}" y="{by:.1}" width="{w:.1}" height="{bar}" fill="{}"><title>{}: {}</title></rect><text x="{:.1}" y="{:.1}" font-size="11" fill="{MUTED}">{}</text>"#,
                SERIES[s],
                esc(text.series[s]),
                esc(&value_text(v)),
                left + w + 4.0,
                by + bar - 3.0,
                esc(&value_text(v))
            ));
        }
    }
    out.push_str("</svg>");
    out
}

/// Groups of two vertical bars, one group per label, on a baseline with
/// the labels under it and each bar's value above it.
fn vertical_bars(
    labels: &[String],
    values: [&[f64]; 2],
    value_text: &dyn Fn(f64) -> String,
    text: &ChartText,
) -> String {
    let (width, height) = (720.0, 360.0);
    let (left, top, bottom) = (16.0, 80.0, 36.0);
    let base = height - bottom;
    let group = (width - 2.0 * left) / labels.len().max(1) as f64;
    let bar = (group * 0.36).min(40.0);
    let max = largest(values);
    let scale = if max > 0.0 { (base - top) / max } else { 0.0 };
    let mut out = open(width, height, text);
    out.push_str(&format!(
        r#"<line x1="{left}" y1="{base}" x2="{:.1}" y2="{base}" stroke="{MUTED}"/>"#,
        width - left
    ));
    for (g, label) in labels.iter().enumerate() {
        let centre = left + group * (g as f64 + 0.5);
        out.push_str(&format!(
            r#"<text x="{centre:.1}" y="{:.1}" font-size="12" text-anchor="middle" fill="{INK}">{}</text>"#,
            base + 18.0,
            esc(label)
        ));
        for (s, series) in values.iter().enumerate() {
            let v = series.get(g).copied().unwrap_or(0.0);
            let h = v.max(0.0) * scale;
            let x = centre - bar - 1.0 + (bar + 2.0) * s as f64;
            out.push_str(&format!(
                r#"<rect x="{x:.1}" y="{:.1}" width="{bar:.1}" height="{h:.1}" fill="{}"><title>{}: {}</title></rect><text x="{:.1}" y="{:.1}" font-size="11" text-anchor="middle" fill="{MUTED}">{}</text>"#,
                base - h,
                SERIES[s],
                esc(text.series[s]),
                esc(&value_text(v)),
                x + bar / 2.0,
                base - h - 4.0,
                esc(&value_text(v))
            ));
        }
    }
    out.push_str("</svg>");
    out
}

/// A bar chart of the page, drawn by hand from the same [`Chart`] the
/// charts worker draws for downloads: its first two series as horizontal
/// rows (the segments' shares, the first segment on top) or as groups of
/// vertical bars (the holdout check), each bar's value written by
/// `value_text` as the page writes it.
pub fn bars_svg(chart: &Chart, value_text: &dyn Fn(f64) -> String) -> String {
    let values: Vec<Vec<f64>> = (0..2)
        .map(|i| {
            chart.series.get(i).map_or_else(Vec::new, |s| {
                s.values.iter().map(|v| v.unwrap_or(0.0)).collect()
            })
        })
        .collect();
    let name = |i: usize| chart.series.get(i).map_or("", |s| s.name.as_str());
    let text = ChartText {
        title: &chart.title,
        series: [name(0), name(1)],
        description: &chart.description,
    };
    let values = [values[0].as_slice(), values[1].as_slice()];
    match chart.kind {
        Kind::HorizontalBars => horizontal_bars(&chart.categories, values, value_text, &text),
        _ => vertical_bars(&chart.categories, values, value_text, &text),
    }
}

/// Customers' and revenue's share of each non-empty segment (the picture
/// of R's `rfm_plot_revenue_dist`), first segment on top as in the table;
/// `name` gives each segment's shown name.
pub fn shares_model(
    summary: &[SegmentSummary],
    name: &dyn Fn(&str) -> String,
    text: &ChartText,
) -> Chart {
    let rows: Vec<&SegmentSummary> = summary.iter().filter(|s| s.customers > 0).collect();
    let mut chart = Chart::new(Kind::HorizontalBars, text.title, Unit::Percent);
    chart.description = text.description.to_string();
    chart.categories = rows.iter().map(|s| name(&s.segment)).collect();
    chart.series = vec![
        Series::new(text.series[0], rows.iter().map(|s| s.customer_share)),
        Series::new(text.series[1], rows.iter().map(|s| s.revenue_share)),
    ];
    chart
}

/// Actual against predicted mean holdout purchases, by number of repeat
/// purchases before the calibration end; `label` names each group.
pub fn holdout_model(
    rows: &[HoldoutRow],
    label: &dyn Fn(&str) -> String,
    text: &ChartText,
) -> Chart {
    let mut chart = Chart::new(Kind::Bars, text.title, Unit::Number);
    chart.description = text.description.to_string();
    chart.categories = rows.iter().map(|r| label(&r.label)).collect();
    chart.series = vec![
        Series::new(text.series[0], rows.iter().map(|r| r.actual)),
        Series::new(text.series[1], rows.iter().map(|r| r.predicted)),
    ];
    chart
}

/// A colour on a sequential blue scale (readable by colour-blind users:
/// it varies in lightness) for `t` in 0..=1, and whether text on it should
/// be white.
pub fn sequential_color(t: f64) -> (String, bool) {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (from, to) = ([239.0, 243.0, 255.0], [8.0, 48.0, 107.0]);
    let c: Vec<u8> = (0..3)
        .map(|i| (from[i] + (to[i] - from[i]) * t).round() as u8)
        .collect();
    (
        format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2]),
        white_reads_better(&c),
    )
}

/// True when white text contrasts more than black with the colour: one
/// of the two always reaches 4.58:1, above WCAG AA's 4.5:1.
pub fn white_reads_better(rgb: &[u8]) -> bool {
    let channel = |v: u8| {
        let s = f64::from(v) / 255.0;
        if s <= 0.039_28 {
            s / 12.92
        } else {
            ((s + 0.055) / 1.055).powf(2.4)
        }
    };
    let l = 0.2126 * channel(rgb[0]) + 0.7152 * channel(rgb[1]) + 0.0722 * channel(rgb[2]);
    1.05 / (l + 0.05) >= (l + 0.05) / 0.05
}

/// A colour on a diverging orange–blue scale (readable by colour-blind
/// users) for a difference from the base: blue when better, orange when
/// worse, white-grey when level, full at ±100%. Returns the colour and
/// whether text on it should be white.
pub fn diverging_color(relative: f64, higher_is_better: bool) -> (String, bool) {
    let t = if relative.is_finite() {
        relative.clamp(-1.0, 1.0)
    } else {
        0.0
    };
    let t = if higher_is_better { t } else { -t };
    let mid = [247.0, 247.0, 247.0];
    let end = if t >= 0.0 {
        [33.0, 102.0, 172.0]
    } else {
        [179.0, 88.0, 6.0]
    };
    let a = t.abs();
    let c: Vec<u8> = (0..3)
        .map(|i| (mid[i] + (end[i] - mid[i]) * a).round() as u8)
        .collect();
    (
        format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2]),
        white_reads_better(&c),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(name: &str, customers: u64, share: f64) -> SegmentSummary {
        SegmentSummary {
            segment: name.into(),
            customers,
            customer_share: share,
            revenue: 10.0,
            revenue_share: share,
            orders: 1,
            aov: 10.0,
        }
    }

    #[test]
    fn colour_scale_ends_and_text_contrast() {
        assert_eq!(sequential_color(0.0), ("#eff3ff".to_string(), false));
        assert_eq!(sequential_color(1.0), ("#08306b".to_string(), true));
        assert_eq!(sequential_color(f64::NAN).0, "#eff3ff");
    }

    #[test]
    fn diverging_scale_follows_polarity() {
        assert_eq!(diverging_color(0.0, true).0, "#f7f7f7");
        assert_eq!(diverging_color(1.0, true), ("#2166ac".to_string(), true));
        assert_eq!(
            diverging_color(1.0, false).0,
            "#b35806",
            "more churn is worse"
        );
        assert_eq!(diverging_color(-5.0, true).0, "#b35806");
    }

    #[test]
    fn holdout_chart_has_both_series() {
        let rows = vec![
            HoldoutRow {
                label: "0".into(),
                customers: 10,
                actual: 0.2,
                predicted: 0.25,
            },
            HoldoutRow {
                label: "7+".into(),
                customers: 2,
                actual: 3.0,
                predicted: 2.5,
            },
        ];
        let text = ChartText {
            title: "T",
            series: ["Actual", "Predicted"],
            description: "D",
        };
        let svg = bars_svg(
            &holdout_model(&rows, &|l| format!("{l} before"), &text),
            &|v| format!("{v:.2}"),
        );
        assert!(svg.contains("Actual") && svg.contains("Predicted") && svg.contains("7+ before"));
        // The tallest bar (3.0) reaches the top of the plot; 2.5 stands at
        // five sixths of it: 80 + (324 - 80) / 6 = 120.67.
        assert!(svg.contains(r#"y="80.0" width="#), "{svg}");
        assert!(svg.contains(r#"y="120.7" width="#), "{svg}");
    }

    #[test]
    fn draws_non_empty_segments_only() {
        let text = ChartText {
            title: "Shares & <more>",
            series: ["Customers", "Revenue"],
            description: "D",
        };
        let model = shares_model(
            &[
                line("Champions", 3, 0.75),
                line("Lost", 1, 0.25),
                line("Others", 0, 0.0),
            ],
            &|n| n.to_uppercase(),
            &text,
        );
        let svg = bars_svg(&model, &|v| format!("{:.1}%", v * 100.0));
        assert!(svg.starts_with(r#"<svg xmlns="http://www.w3.org/2000/svg" width="720""#));
        assert_eq!(svg.matches(" width=\"720\"").count(), 1);
        assert!(svg.contains("CHAMPIONS") && svg.contains("LOST"));
        assert!(!svg.contains("OTHERS"));
        assert!(svg.contains(">75.0%<") && svg.contains(">25.0%<"));
        assert!(svg.contains("Shares &amp; &lt;more&gt;"));
        assert!(
            svg.find("CHAMPIONS") < svg.find("LOST"),
            "first segment on top"
        );
    }

    #[test]
    fn cell_text_meets_aa_contrast_on_every_shade() {
        let contrast = |rgb: &[u8], white: bool| {
            let ch = |v: u8| {
                let s = f64::from(v) / 255.0;
                if s <= 0.039_28 {
                    s / 12.92
                } else {
                    ((s + 0.055) / 1.055).powf(2.4)
                }
            };
            let l = 0.2126 * ch(rgb[0]) + 0.7152 * ch(rgb[1]) + 0.0722 * ch(rgb[2]);
            if white {
                1.05 / (l + 0.05)
            } else {
                (l + 0.05) / 0.05
            }
        };
        let rgb = |hex: &str| {
            (0..3)
                .map(|i| u8::from_str_radix(&hex[1 + 2 * i..3 + 2 * i], 16).unwrap())
                .collect::<Vec<u8>>()
        };
        for t in 0..=100 {
            let t = f64::from(t) / 100.0;
            for (color, white) in [
                sequential_color(t),
                diverging_color(2.0 * t - 1.0, true),
                diverging_color(2.0 * t - 1.0, false),
            ] {
                assert!(contrast(&rgb(&color), white) >= 4.5, "{color} {white}");
            }
        }
    }
}

//! Charts as SVG text, drawn with charts-rs from engine results. Pure
//! functions, tested natively; components only place the SVG.

use charts_rs::{BarChart, HorizontalBarChart};
use seglens_engine::SegmentSummary;
use seglens_engine::clv::HoldoutRow;

/// Customers' and revenue's share of each non-empty segment, as a
/// horizontal bar chart (the picture of R's `rfm_plot_revenue_dist`).
pub fn segment_shares_svg(summary: &[SegmentSummary]) -> Result<String, String> {
    // Horizontal bars are drawn bottom-up: reverse so the first segment
    // (Champions) stands on top, as in the table.
    let rows: Vec<&SegmentSummary> = summary.iter().filter(|s| s.customers > 0).rev().collect();
    let round = |x: f64| (x * 1000.0).round() / 10.0;
    let spec = serde_json::json!({
        "width": 720,
        "height": 120 + 38 * rows.len().max(1),
        "title_text": "Share of customers and of revenue by segment (%)",
        "title_font_size": 16,
        "legend_align": "right",
        "margin": { "left": 40, "top": 10, "right": 30, "bottom": 10 },
        "series_list": [
            {
                "name": "Customers",
                "label_show": true,
                "data": rows.iter().map(|s| round(s.customer_share)).collect::<Vec<f64>>()
            },
            {
                "name": "Revenue",
                "label_show": true,
                "data": rows.iter().map(|s| round(s.revenue_share)).collect::<Vec<f64>>()
            }
        ],
        "x_axis_data": rows.iter().map(|s| s.segment.clone()).collect::<Vec<String>>(),
    });
    let chart = HorizontalBarChart::from_json(&spec.to_string()).map_err(|e| e.to_string())?;
    let svg = chart.svg().map_err(|e| e.to_string())?;
    // Text is measured with the Roboto metrics charts-rs ships, and shown
    // in the page's own sans-serif font (no font is fetched).
    Ok(svg.replace(
        r#"font-family="Roboto""#,
        r#"font-family="system-ui, sans-serif""#,
    ))
}

/// Shows SVG text in the page's own font (charts-rs measures text with the
/// Roboto metrics it ships; no font is fetched).
fn page_font(svg: String) -> String {
    svg.replace(
        r#"font-family="Roboto""#,
        r#"font-family="system-ui, sans-serif""#,
    )
}

/// Actual against predicted mean holdout purchases, by number of repeat
/// purchases before the calibration end.
pub fn holdout_svg(rows: &[HoldoutRow]) -> Result<String, String> {
    let round = |x: f64| (x * 100.0).round() / 100.0;
    let spec = serde_json::json!({
        "width": 720,
        "height": 360,
        "title_text": "Purchases per customer after the date: actual and predicted",
        "title_font_size": 16,
        "legend_align": "right",
        "margin": { "left": 10, "top": 10, "right": 20, "bottom": 10 },
        "series_list": [
            { "name": "Actual", "label_show": true, "data": rows.iter().map(|r| round(r.actual)).collect::<Vec<f64>>() },
            { "name": "Predicted", "label_show": true, "data": rows.iter().map(|r| round(r.predicted)).collect::<Vec<f64>>() }
        ],
        "x_axis_data": rows.iter().map(|r| format!("{} before", r.label)).collect::<Vec<String>>(),
    });
    let chart = BarChart::from_json(&spec.to_string()).map_err(|e| e.to_string())?;
    chart.svg().map(page_font).map_err(|e| e.to_string())
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
        let svg = holdout_svg(&rows).unwrap();
        assert!(svg.contains("Actual") && svg.contains("Predicted") && svg.contains("7+ before"));
    }

    #[test]
    fn draws_non_empty_segments_only() {
        let svg = segment_shares_svg(&[
            line("Champions", 3, 0.75),
            line("Lost", 1, 0.25),
            line("Others", 0, 0.0),
        ])
        .unwrap();
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("Champions") && svg.contains("Lost"));
        assert!(!svg.contains("Others"));
        assert!(svg.contains("75"));
        assert!(!svg.contains("Roboto"));
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

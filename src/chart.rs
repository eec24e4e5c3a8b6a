//! Charts as SVG text, drawn with charts-rs from engine results. Pure
//! functions, tested natively; components only place the SVG.

use charts_rs::HorizontalBarChart;
use seglens_engine::SegmentSummary;

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
        "margin": { "left": 10, "top": 10, "right": 30, "bottom": 10 },
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
}

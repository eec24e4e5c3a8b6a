//! A [`Chart`] drawn as SVG by charts-rs: the pictures a marketer
//! downloads and the report's charts. charts-rs measures text with the
//! Roboto it carries; the SVG names Roboto first and the usual sans-serif
//! fonts after it, so a reader without Roboto sees the same layout in a
//! close font. charts-rs writes numbers the English way; the numbers it
//! writes (labels, ticks) are rewritten as the reader's language writes
//! them.

use charts_rs::{
    BarChart, Color, HeatmapChart, HorizontalBarChart, LineChart, PieChart, Position, RadarChart,
    RadarIndicator, Series as CSeries,
};

use crate::model::{Chart, Kind, Unit};

/// The series' colours: SegLens's blue and orange first (the page's two
/// series), then the Okabe–Ito colours, which stay apart for every kind
/// of colour blindness, then three more so that the eleven segments of
/// R's RFM table each have their own.
const PALETTE: [&str; 11] = [
    "#2166ac", "#e08214", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#1b2430",
    "#8c510a", "#999999", "#762a83",
];
const INK: &str = "#1b2430";
const MUTED: &str = "#5b6675";
/// The fonts the SVG names: charts-rs's Roboto, then fonts of the same
/// width on every system.
const FONTS: &str = "Roboto, Helvetica, Arial, sans-serif";
const WIDTH: f32 = 760.0;

/// Escapes text for SVG content.
fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The chart's series in charts-rs's terms, values scaled as written.
fn series(chart: &Chart) -> Vec<CSeries> {
    chart
        .series
        .iter()
        .map(|s| {
            let values: Vec<Option<f32>> = s
                .values
                .iter()
                .map(|v| v.filter(|v| v.is_finite()).map(|v| chart.scaled(v) as f32))
                .collect();
            CSeries::new_nullable(s.name.clone(), values)
        })
        .collect()
}

/// The label template of the chart's unit (`{c}%`): charts-rs puts the
/// number in `{c}`.
fn template(chart: &Chart) -> String {
    let n = &chart.numbers;
    match chart.unit {
        Unit::Percent => format!("{{c}}{}", n.percent),
        Unit::Money => format!("{}{{c}}{}", n.money_before, n.money_after),
        _ => "{c}".into(),
    }
}

/// What every chart shares: size, title, colours, font, labels.
macro_rules! dress {
    ($c:expr, $chart:expr, $height:expr) => {{
        $c.width = WIDTH;
        $c.height = $height;
        $c.font_family = FONTS.into();
        $c.background_color = Color::from("#ffffff");
        $c.title.text = $chart.title.clone();
        $c.title.font.size = 16.0;
        $c.title.font.color = Color::from(INK);
        $c.title.font.weight = Some("600".into());
        $c.sub_title.text = $chart.note.clone();
        $c.sub_title.font.color = Color::from(MUTED);
        $c.series.colors = PALETTE.iter().map(|c| Color::from(*c)).collect();
        $c.series.label.formatter = template($chart);
        $c.series.label.font.color = Color::from(MUTED);
        $c.series.label.hide_overlap = true;
        $c.legend.font.color = Color::from(INK);
        $c.x_axis.font.color = Color::from(INK);
    }};
}

/// The chart as SVG, or why it cannot be drawn.
pub fn svg(chart: &Chart) -> Result<String, String> {
    if let Some(fault) = chart.fault() {
        return Err(fault);
    }
    let n = chart.categories.len();
    let drawn = match chart.kind {
        Kind::Bars => {
            let mut c = BarChart::new(series(chart), chart.categories.clone());
            dress!(c, chart, 400.0);
            for s in c.series_list.iter_mut() {
                s.label_show = n * chart.series.len() <= 24;
            }
            c.y_axis_configs[0].formatter = Some(template(chart));
            c.svg()
        }
        Kind::HorizontalBars => {
            // charts-rs puts the first category at the bottom: the list
            // goes in reversed so the first is on top, as in the tables.
            let mut reversed = chart.clone();
            reversed.categories.reverse();
            for s in reversed.series.iter_mut() {
                s.values.reverse();
            }
            let rows = (n * chart.series.len().max(1)) as f32;
            let mut c = HorizontalBarChart::new(series(&reversed), reversed.categories.clone());
            dress!(c, chart, (120.0 + rows * 16.0 + n as f32 * 8.0).max(260.0));
            for s in c.series_list.iter_mut() {
                s.label_show = true;
            }
            c.x_axis.formatter = Some(template(chart));
            c.y_axis_configs[0].formatter = Some(template(chart));
            c.svg()
        }
        Kind::Lines => {
            let mut c = LineChart::new(series(chart), chart.categories.clone());
            dress!(c, chart, 400.0);
            c.legend.position = Some(Position::Bottom);
            for s in c.series_list.iter_mut() {
                s.label_show = n <= 12 && chart.series.len() <= 3;
            }
            c.y_axis_configs[0].formatter = Some(template(chart));
            c.svg()
        }
        Kind::Donut => {
            let first = &chart.series[0];
            let slices: Vec<CSeries> = chart
                .categories
                .iter()
                .zip(&first.values)
                .filter_map(|(name, v)| {
                    v.filter(|v| v.is_finite() && *v > 0.0)
                        .map(|v| CSeries::new(name.clone(), vec![chart.scaled(v) as f32]))
                })
                .collect();
            let mut c = PieChart::new(slices);
            dress!(c, chart, 420.0);
            c.rose_type = Some(false);
            c.border_radius = Some(0.0);
            c.inner_radius = 70.0;
            c.radius = 130.0;
            // A slice's name and its share of the whole.
            c.series.label.formatter = format!("{{a}}{}{{d}}", chart.numbers.colon);
            for s in c.series_list.iter_mut() {
                s.label_show = true;
            }
            c.svg()
        }
        Kind::Radar => {
            let indicators = chart
                .categories
                .iter()
                .enumerate()
                .map(|(i, name)| {
                    let top = chart
                        .series
                        .iter()
                        .filter_map(|s| s.values[i])
                        .filter(|v| v.is_finite())
                        .map(|v| chart.scaled(v))
                        .fold(0.0, f64::max);
                    RadarIndicator {
                        name: name.clone(),
                        min: 0.0,
                        max: (top * 1.1).max(1.0) as f32,
                    }
                })
                .collect();
            let mut c = RadarChart::new(series(chart), indicators);
            dress!(c, chart, 480.0);
            // Room for long axis names on both sides.
            c.width = 900.0;
            c.svg()
        }
        Kind::Heatmap => {
            // One row per series, the first on top (charts-rs puts the
            // first row at the bottom); cells run across the categories.
            let rows: Vec<&crate::model::Series> = chart.series.iter().rev().collect();
            let mut cells = Vec::new();
            let (mut low, mut high) = (f64::INFINITY, f64::NEG_INFINITY);
            for (r, s) in rows.iter().enumerate() {
                for (i, v) in s.values.iter().enumerate() {
                    if let Some(v) = v.filter(|v| v.is_finite()) {
                        let v = chart.scaled(v);
                        low = low.min(v);
                        high = high.max(v);
                        cells.push((r * n + i, v as f32));
                    }
                }
            }
            let names = rows.iter().map(|s| s.name.clone()).collect();
            let mut c = HeatmapChart::new(cells, chart.categories.clone(), names);
            let height = 120.0 + 34.0 * chart.series.len() as f32;
            dress!(c, chart, height.max(260.0));
            // Room for each column's name, so charts-rs writes them all.
            c.width = WIDTH.max(240.0 + 120.0 * n as f32);
            let h = &mut c.heatmap_series;
            if chart.unit == Unit::Index {
                // Below, at and above the reference (100): orange, white,
                // blue; full orange at 0, full blue at twice the reference
                // and beyond, as the page's heatmap (so one segment far
                // above the others, an ROI of 800, does not wash every
                // other cell out).
                h.min = 0.0;
                h.max = 200.0;
                h.colors = ["#b35806", "#f7f7f7", "#2166ac"]
                    .iter()
                    .map(|c| Color::from(*c))
                    .collect();
            } else {
                h.min = low as f32;
                h.max = high.max(low + 1.0) as f32;
                h.colors = ["#f7fbff", "#6baed6", "#08306b"]
                    .iter()
                    .map(|c| Color::from(*c))
                    .collect();
            }
            h.min_font_color = Color::from(INK);
            h.max_font_color = Color::from("#ffffff");
            c.svg()
        }
    };
    let drawn =
        drawn.map_err(|e| format!("the chart \"{}\" could not be drawn: {e}", chart.title))?;
    Ok(finish(&drawn, chart))
}

/// Gives the SVG a role, a title and a description for screen readers,
/// and writes its numbers as the reader's language does.
fn finish(svg: &str, chart: &Chart) -> String {
    let Some(open_end) = svg.find('>') else {
        return svg.to_string();
    };
    let mut out = String::with_capacity(svg.len() + 256);
    let open = &svg[..open_end];
    out.push_str(open);
    if !open.contains("role=") {
        out.push_str(" role=\"img\"");
    }
    out.push('>');
    out.push_str(&format!(
        "<title>{}</title><desc>{}</desc>",
        esc(&chart.title),
        esc(&chart.description)
    ));
    let rest = &svg[open_end + 1..];
    if chart.numbers.decimal == '.' && chart.numbers.group == ',' {
        out.push_str(rest);
    } else {
        out.push_str(&localize(rest, chart));
    }
    out
}

/// Rewrites the numbers charts-rs wrote in English (`1,234.5`) as the
/// chart's language writes them (`1 234,5`): only in texts that are a
/// number with at most a short sign or unit around it, never in a
/// category's or a series' name.
fn localize(svg: &str, chart: &Chart) -> String {
    let names: Vec<String> = chart
        .categories
        .iter()
        .chain(chart.series.iter().map(|s| &s.name))
        .map(|t| esc(t))
        .collect();
    let mut out = String::with_capacity(svg.len());
    let mut rest = svg;
    while let Some(start) = rest.find("<text") {
        let Some(tag_end) = rest[start..].find('>').map(|e| start + e + 1) else {
            break;
        };
        let Some(close) = rest[tag_end..].find("</text>").map(|e| tag_end + e) else {
            break;
        };
        out.push_str(&rest[..tag_end]);
        let content = &rest[tag_end..close];
        if names.iter().any(|n| n == content.trim()) {
            out.push_str(content);
        } else {
            out.push_str(&relabel(content, chart));
        }
        rest = &rest[close..];
    }
    out.push_str(rest);
    out
}

/// `text` with its English number rewritten when it is a number with at
/// most a short sign or unit (four characters, no digit) before and after
/// it; a donut's label, "name: share" (French puts a space before the
/// colon), has its share rewritten.
fn relabel(text: &str, chart: &Chart) -> String {
    if let Some((name, share)) = text.rsplit_once(": ") {
        return format!("{name}: {}", relabel(share, chart));
    }
    let Some(first) = text.find(|c: char| c.is_ascii_digit()) else {
        return text.to_string();
    };
    let end = text[first..]
        .find(|c: char| !(c.is_ascii_digit() || c == ',' || c == '.'))
        .map_or(text.len(), |e| first + e);
    let core = text[first..end].trim_end_matches(['.', ',']);
    let end = first + core.len();
    let (before, after) = (&text[..first], &text[end..]);
    let short = |t: &str| t.chars().count() <= 4 && !t.contains(|c: char| c.is_ascii_digit());
    if !short(before) || !short(after) {
        return text.to_string();
    }
    let (int, frac) = core.split_once('.').unwrap_or((core, ""));
    let digits: String = int.chars().filter(char::is_ascii_digit).collect();
    let mut out = before.to_string();
    chart.numbers.grouped(&digits, &mut out);
    if !frac.is_empty() {
        out.push(chart.numbers.decimal);
        out.push_str(frac);
    }
    if after.trim_ascii() == "%" {
        out.push_str(&chart.numbers.percent);
        out.push_str(after.trim_ascii_start().trim_start_matches('%'));
    } else {
        out.push_str(after);
    }
    out
}

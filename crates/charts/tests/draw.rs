//! Every kind of chart drawn by charts-rs: its words, its numbers in each
//! language, its order, its faults. Set `SEGLENS_CHARTS_OUT` to a folder
//! to keep the pictures and look at them.

use seglens_charts::model::Numbers;
use seglens_charts::{Chart, Kind, Series, Unit, draw};

fn french() -> Numbers {
    Numbers {
        money_after: "\u{a0}€".into(),
        ..Numbers::french()
    }
}

/// Customers' and revenue's shares of four segments (a hand-made
/// example: the shares add up to one).
fn shares(kind: Kind) -> Chart {
    let mut chart = Chart::new(kind, "Customers and revenue by segment", Unit::Percent);
    chart.description = "Champions hold most of the revenue.".into();
    chart.categories = ["Champions", "Loyal & steady", "At risk", "Lost <1 year"]
        .map(String::from)
        .to_vec();
    chart.series = vec![
        Series::new("Customers", [0.125, 0.25, 0.3, 0.325]),
        Series::new("Revenue", [0.5, 0.3, 0.15, 0.05]),
    ];
    chart
}

fn keep(name: &str, svg: &str) {
    if let Ok(dir) = std::env::var("SEGLENS_CHARTS_OUT") {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(format!("{dir}/{name}.svg"), svg).unwrap();
    }
}

/// The texts of the SVG's `<text>` elements, in order, with their `y`.
fn placed(svg: &str) -> Vec<(String, f64)> {
    let mut out = Vec::new();
    let mut rest = svg;
    while let Some(start) = rest.find("<text") {
        let tag_end = start + rest[start..].find('>').unwrap() + 1;
        let close = tag_end + rest[tag_end..].find("</text>").unwrap();
        let tag = &rest[start..tag_end];
        let y = tag
            .split(" y=\"")
            .nth(1)
            .and_then(|t| t.split('"').next())
            .and_then(|t| t.parse().ok())
            .unwrap_or(f64::NAN);
        out.push((rest[tag_end..close].trim().to_string(), y));
        rest = &rest[close..];
    }
    out
}

/// The texts of the SVG's `<text>` elements, in order.
fn texts(svg: &str) -> Vec<String> {
    placed(svg).into_iter().map(|(t, _)| t).collect()
}

/// The `y` of the first `<text>` whose text is `text`.
fn y_of(svg: &str, text: &str) -> f64 {
    placed(svg)
        .into_iter()
        .find(|(t, _)| t == text)
        .unwrap_or_else(|| panic!("no text {text}"))
        .1
}

#[test]
fn bars_write_each_value_with_its_unit_and_escape_names() {
    let chart = shares(Kind::Bars);
    let svg = draw::svg(&chart).unwrap();
    keep("bars", &svg);
    assert!(svg.starts_with("<svg"));
    assert!(svg.contains("role=\"img\""));
    assert!(svg.contains("<title>Customers and revenue by segment</title>"));
    assert!(svg.contains("<desc>Champions hold most of the revenue.</desc>"));
    assert!(svg.contains("Loyal &amp; steady"));
    assert!(svg.contains("Lost &lt;1 year"));
    assert!(!svg.contains("Lost <1"));
    let t = texts(&svg);
    // 0.125 is written 12.5% (one decimal), 0.325 as 32.5%, 0.3 as 30%.
    for label in ["12.5%", "25%", "30%", "32.5%", "50%", "15%", "5%"] {
        assert!(t.iter().any(|x| x == label), "no label {label} in {t:?}");
    }
    assert!(svg.contains("font-family=\"Roboto, Helvetica, Arial, sans-serif\""));
}

#[test]
fn french_numbers_are_written_the_french_way() {
    let mut chart = shares(Kind::Bars);
    chart.numbers = french();
    let svg = draw::svg(&chart).unwrap();
    keep("bars-fr", &svg);
    let t = texts(&svg);
    assert!(t.iter().any(|x| x == "12,5\u{a0}%"), "{t:?}");
    assert!(t.iter().any(|x| x == "32,5\u{a0}%"), "{t:?}");
    assert!(!t.iter().any(|x| x.contains("12.5")), "{t:?}");

    let mut money = Chart::new(Kind::Lines, "Revenue per month", Unit::Money);
    money.numbers = french();
    money.categories = ["2024-01", "2024-02", "2024-03"].map(String::from).to_vec();
    money.series = vec![Series::new("Champions", [12345.4, 23456.6, 8000.0])];
    let svg = draw::svg(&money).unwrap();
    keep("lines-fr", &svg);
    let t = texts(&svg);
    assert!(t.iter().any(|x| x == "12\u{202f}345\u{a0}€"), "{t:?}");
    assert!(t.iter().any(|x| x == "23\u{202f}457\u{a0}€"), "{t:?}");
    // Dates, categories of the chart, are left as they are.
    assert!(t.iter().any(|x| x == "2024-02"), "{t:?}");
}

#[test]
fn horizontal_bars_put_the_first_category_on_top() {
    let svg = draw::svg(&shares(Kind::HorizontalBars)).unwrap();
    keep("horizontal-bars", &svg);
    assert!(y_of(&svg, "Champions") < y_of(&svg, "At risk"));
    assert!(y_of(&svg, "At risk") < y_of(&svg, "Lost &lt;1 year"));
}

#[test]
fn a_donut_gives_each_slice_its_share_of_the_whole() {
    let mut chart = shares(Kind::Donut);
    chart.unit = Unit::Count;
    chart.series = vec![Series::new("Customers", [100.0, 300.0, 0.0, 600.0])];
    let svg = draw::svg(&chart).unwrap();
    keep("donut", &svg);
    let t = texts(&svg);
    // 100 of 1,000 customers is 10%; the empty segment has no slice.
    assert!(t.iter().any(|x| x == "Champions: 10%"), "{t:?}");
    assert!(t.iter().any(|x| x == "Loyal &amp; steady: 30%"), "{t:?}");
    assert!(t.iter().any(|x| x == "Lost &lt;1 year: 60%"), "{t:?}");
    assert!(!t.iter().any(|x| x.starts_with("At risk")), "{t:?}");
    chart.numbers = french();
    chart.series = vec![Series::new("Customers", [125.0, 300.0, 0.0, 575.0])];
    let t = texts(&draw::svg(&chart).unwrap());
    assert!(
        t.iter().any(|x| x == "Champions\u{a0}: 12,5\u{a0}%"),
        "{t:?}"
    );
}

#[test]
fn a_radar_draws_each_segment_over_its_kpis() {
    let mut chart = Chart::new(Kind::Radar, "Segment profiles", Unit::Index);
    chart.categories = ["Revenue per customer", "Orders per customer", "Repeat rate"]
        .map(String::from)
        .to_vec();
    chart.series = vec![
        Series::new("Champions", [4.6, 3.2, 1.8]),
        Series::new("At risk", [0.7, 0.9, 0.4]),
    ];
    let svg = draw::svg(&chart).unwrap();
    keep("radar", &svg);
    let t = texts(&svg);
    for name in [
        "Revenue per customer",
        "Repeat rate",
        "Champions",
        "At risk",
    ] {
        assert!(t.iter().any(|x| x == name), "no {name} in {t:?}");
    }
    // Two filled polygons, one per segment, in the palette's first colours.
    assert!(svg.contains("#2166AC") || svg.contains("#2166ac"), "{svg}");
}

#[test]
fn a_heatmap_writes_each_cell_with_the_first_row_on_top() {
    let mut chart = Chart::new(Kind::Heatmap, "KPIs by segment", Unit::Index);
    chart.note = "100 = all customers".into();
    chart.categories = ["Revenue", "Orders"].map(String::from).to_vec();
    chart.series = vec![
        Series::new("Champions", [4.6, 2.345]),
        Series {
            name: "Lost".into(),
            values: vec![Some(0.2), None],
        },
    ];
    let svg = draw::svg(&chart).unwrap();
    keep("heatmap", &svg);
    let t = texts(&svg);
    assert!(t.iter().any(|x| x == "100 = all customers"), "{t:?}");
    // Indices: 4.6 times the base is 460, 2.345 is 235 (rounded), 0.2 is 20.
    for label in ["460", "235", "20"] {
        assert!(t.iter().any(|x| x == label), "no {label} in {t:?}");
    }
    assert!(y_of(&svg, "Champions") < y_of(&svg, "Lost"));
    assert!(y_of(&svg, "460") < y_of(&svg, "20"));
}

#[test]
fn a_chart_that_cannot_be_drawn_says_why() {
    let mut chart = shares(Kind::Bars);
    chart.series[1].values.pop();
    assert_eq!(
        draw::svg(&chart).unwrap_err(),
        "the series \"Revenue\" has 3 values for 4 categories"
    );
}

#[test]
fn one_far_cell_does_not_wash_the_others_out() {
    // As on the page: full blue at twice the reference (200) and beyond,
    // so a segment at 150 is plainly blue beside one at 803 (an ROI).
    let mut chart = Chart::new(Kind::Heatmap, "KPIs by segment", Unit::Index);
    chart.categories = ["ROI", "Orders"].map(String::from).to_vec();
    chart.series = vec![
        Series::new("Champions", [8.03, 1.5]),
        Series::new("Lost", [1.0, 0.5]),
    ];
    let svg = draw::svg(&chart).unwrap();
    // The fill of the cell of value `label`.
    let fill = |label: &str| {
        let at = svg
            .find(&format!("data-value=\"{label}\""))
            .unwrap_or_else(|| panic!("{label}"));
        let from = svg[..at].rfind("fill=\"#").unwrap() + 7;
        let hex = &svg[from..from + 6];
        let channel = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap();
        (channel(0), channel(2), channel(4))
    };
    // 150 is halfway from white (247) to the blue (33, 102, 172): its red
    // near 140; before, scaled to 803, it was near white (red over 220).
    let (r, _, b) = fill("150");
    assert!((120..=160).contains(&r) && b > r, "150: {:?}", fill("150"));
    assert_eq!(fill("803").0, 33);
    // 100 is the reference: white-grey. 50 is halfway to the orange.
    assert!(fill("100").0 >= 240, "{:?}", fill("100"));
    let (r, g, b) = fill("50");
    assert!(r > g && g > b, "50: {r} {g} {b}");
}

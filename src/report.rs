//! The shareable report: one self-contained HTML file (inline CSS and SVG,
//! no script, nothing fetched) that a colleague opens offline and prints
//! to PDF, and a Markdown summary to paste into an e-mail or a chat. Pure
//! functions of the analysis, tested natively.

use std::fmt::Write;

use seglens_engine::analysis::Analysis;
use seglens_engine::metrics::kpi::{self, KpiTable};

use crate::chart;
use crate::format;
use crate::i18n::{self, t, tf};
use crate::storage::WorkspaceRecord;
use seglens_engine::metrics::kpi::KpiId;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const STYLE: &str = "
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif; color: #1b2430; margin: 32px auto; max-width: 1100px; padding: 0 24px; line-height: 1.45; }
h1 { margin-bottom: 4px; } h2 { margin-top: 32px; border-bottom: 1px solid #d9dee5; padding-bottom: 4px; }
.muted { color: #5a6472; }
table { border-collapse: collapse; width: 100%; font-size: 13px; margin: 8px 0; }
th, td { padding: 4px 8px; border-bottom: 1px solid #e4e8ee; text-align: left; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.light { color: #fff; }
td.ns { opacity: 0.55; }
svg { max-width: 100%; height: auto; }
figure.chart { margin: 16px 0; }
section { break-inside: avoid; page-break-inside: avoid; }
@media print { body { margin: 0; max-width: none; } h2 { page-break-after: avoid; } section.page { page-break-before: always; } }
";

/// The differences that stand out, as sentences: "Champions: revenue per
/// customer 2,046.03, 4.6× all customers (447.88)" (NPS in points); the
/// groups named as the workspace's rows are (see [`i18n::row_name`]).
pub fn standout_lines(
    table: &KpiTable,
    most: usize,
    options: &seglens_engine::analysis::AnalysisOptions,
) -> Vec<String> {
    let n = table.groups.len();
    kpi::standouts(table, most)
        .into_iter()
        .map(|(g, k)| {
            let def = &table.kpis[k];
            let value = table.values[g][k].value.unwrap_or(0.0);
            let base = table.values[n - 1][k].value.unwrap_or(0.0);
            let show = |v| format::kpi_value(def.format, v);
            let group = i18n::row_name(&table.groups[g], options);
            if def.format == kpi::KpiFormat::Points {
                tf(
                    "report_file.standout_points",
                    &[
                        ("group", &group),
                        ("kpi", &i18n::kpi_name(def)),
                        ("value", &show(value)),
                        ("base", &show(base)),
                    ],
                )
            } else {
                tf(
                    "report_file.standout_times",
                    &[
                        ("group", &group),
                        ("kpi", &i18n::kpi_name(def).to_lowercase()),
                        ("value", &show(value)),
                        ("times", &format::decimal(value / base, 1)),
                        ("base", &show(base)),
                    ],
                )
            }
        })
        .collect()
}

/// The segments' shares of customers and revenue as a chart, in the
/// reader's language: the page's picture, the download's and the
/// report's.
pub fn shares_model(summary: &[seglens_engine::SegmentSummary]) -> seglens_charts::Chart {
    let mut model = chart::shares_model(
        summary,
        &|name| i18n::name("segment", name),
        &chart::ChartText {
            title: &t("chart.shares.title"),
            series: [&t("col.customers"), &t("col.revenue")],
            description: &t("chart.shares.alt"),
        },
    );
    model.numbers = format::numbers();
    model
}

/// The page's hand-drawn picture of [`shares_model`].
pub fn shares_chart(summary: &[seglens_engine::SegmentSummary]) -> String {
    chart::bars_svg(&shares_model(summary), &format::percent)
}

/// The segments' KPIs against all customers' (an index, 100 = all
/// customers), as a heatmap (every segment with customers, every KPI) or
/// a radar (the first `most` segments over the KPIs with a value for all
/// customers). Sums (customers, revenue) and NPS points have no index and
/// are left out. `None` when no KPI has an index.
pub fn profile_model(
    table: &KpiTable,
    options: &seglens_engine::analysis::AnalysisOptions,
    kind: seglens_charts::Kind,
    most: usize,
) -> Option<seglens_charts::Chart> {
    use seglens_charts::{Chart, Kind, Series, Unit};
    let n = table.groups.len();
    let base = n.checked_sub(1)?;
    let customers = table.column(KpiId::Customers);
    let kpis: Vec<usize> = (0..table.kpis.len())
        .filter(|k| {
            let def = &table.kpis[*k];
            !matches!(def.id.as_str(), "customers" | "revenue")
                && def.format != kpi::KpiFormat::Points
                && table.values[base][*k]
                    .value
                    .is_some_and(|v| v.is_finite() && v != 0.0)
        })
        .take(if kind == Kind::Radar { 8 } else { usize::MAX })
        .collect();
    let groups: Vec<usize> = (0..base)
        .filter(|g| customers.is_none_or(|c| table.values[*g][c].value.unwrap_or(0.0) > 0.0))
        .take(most)
        .collect();
    if kpis.len() < if kind == Kind::Radar { 3 } else { 1 } || groups.is_empty() {
        return None;
    }
    let (title, alt) = if kind == Kind::Radar {
        ("chart.profiles.title", "chart.profiles.alt")
    } else {
        ("chart.heatmap.title", "chart.heatmap.alt")
    };
    let mut chart = Chart::new(kind, t(title), Unit::Index);
    chart.numbers = format::numbers();
    chart.note = t("chart.profiles.note");
    chart.description = t(alt);
    let index = |g: usize, k: usize| Some(table.values[g][k].value? / table.values[base][k].value?);
    if kind == Kind::Radar {
        // The KPIs round the web, one polygon per segment.
        chart.categories = kpis
            .iter()
            .map(|k| i18n::kpi_name(&table.kpis[*k]))
            .collect();
        chart.series = groups
            .iter()
            .map(|g| Series {
                name: i18n::row_name(&table.groups[*g], options),
                values: kpis.iter().map(|k| index(*g, *k)).collect(),
            })
            .collect();
    } else {
        // The segments across, one row per KPI: the KPIs' long names read
        // in full down the side.
        chart.categories = groups
            .iter()
            .map(|g| i18n::row_name(&table.groups[*g], options))
            .collect();
        chart.series = kpis
            .iter()
            .map(|k| Series {
                name: i18n::kpi_name(&table.kpis[*k]),
                values: groups.iter().map(|g| index(*g, *k)).collect(),
            })
            .collect();
    }
    Some(chart)
}

/// The report's charts: the same for a model to draw and for its SVG.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportCharts<T> {
    /// Customers' and revenue's shares by segment, as bars.
    pub shares: T,
    /// The customers' split between segments, as a donut.
    pub donut: T,
    /// The segments' KPIs against all customers, as a heatmap.
    pub heatmap: Option<T>,
    /// The largest segments' profiles, as a radar.
    pub profiles: Option<T>,
    /// Customers per group over the snapshots, when there are two or more.
    pub history: Option<T>,
}

impl<T> ReportCharts<T> {
    /// The charts in a fixed order (for the charts worker).
    pub fn into_list(self) -> Vec<T> {
        let mut out = vec![self.shares, self.donut];
        out.extend(self.heatmap);
        out.extend(self.profiles);
        out.extend(self.history);
        out
    }

    /// `list`, drawn from [`ReportCharts::into_list`]'s order, back in
    /// this shape.
    pub fn with<U>(&self, list: Vec<U>) -> Option<ReportCharts<U>> {
        let mut list = list.into_iter();
        let shares = list.next()?;
        let donut = list.next()?;
        let mut next = |present: bool| {
            if present {
                list.next().map(Some)
            } else {
                Some(None)
            }
        };
        Some(ReportCharts {
            shares,
            donut,
            heatmap: next(self.heatmap.is_some())?,
            profiles: next(self.profiles.is_some())?,
            history: next(self.history.is_some())?,
        })
    }
}

/// The report's charts as models, in the reader's language.
pub fn chart_models(record: &WorkspaceRecord, a: &Analysis) -> ReportCharts<seglens_charts::Chart> {
    use seglens_charts::{Chart, Kind, Series, Unit};
    let shares = shares_model(&a.summary);
    let mut donut = Chart::new(Kind::Donut, t("chart.donut.title"), Unit::Count);
    donut.numbers = format::numbers();
    donut.description = t("chart.donut.alt");
    let rows: Vec<_> = a.summary.iter().filter(|s| s.customers > 0).collect();
    donut.categories = rows
        .iter()
        .map(|s| i18n::name("segment", &s.segment))
        .collect();
    donut.series = vec![Series::new(
        t("col.customers"),
        rows.iter().map(|s| s.customers as f64),
    )];
    let history = (record.snapshots.len() >= 2).then(|| {
        let snapshots = &record.snapshots;
        let all = kpi::ALL_CUSTOMERS;
        let mut groups: Vec<&String> = Vec::new();
        for s in snapshots {
            for g in s.groups.iter().filter(|g| g.as_str() != all) {
                if !groups.contains(&g) {
                    groups.push(g);
                }
            }
        }
        let mut chart = Chart::new(Kind::Lines, t("chart.history.title"), Unit::Count);
        chart.numbers = format::numbers();
        chart.description = t("history.the_kpi_of_each_group");
        chart.categories = snapshots
            .iter()
            .map(|s| {
                seglens_engine::model::date::parse_iso(&s.taken)
                    .map_or_else(|| s.taken.clone(), format::date)
            })
            .collect();
        chart.series = groups
            .iter()
            .take(8)
            .map(|g| Series {
                name: i18n::name("segment", g),
                values: snapshots
                    .iter()
                    .map(|s| s.value(g, KpiId::Customers))
                    .collect(),
            })
            .collect();
        chart
    });
    ReportCharts {
        shares,
        donut,
        heatmap: profile_model(&a.kpis, &record.options, Kind::Heatmap, usize::MAX),
        profiles: profile_model(&a.kpis, &record.options, Kind::Radar, 5),
        history,
    }
}

/// A catalogue text, escaped for HTML.
fn h(key: &str) -> String {
    escape(&t(key))
}

/// The report as one HTML document, with its charts as the charts worker
/// drew them (SVG, inline).
pub fn html(record: &WorkspaceRecord, a: &Analysis, charts: &ReportCharts<String>) -> String {
    let mut out = String::new();
    let title = tf(
        "report_file.title",
        &[("source", &i18n::name("source", &record.source))],
    );
    let _ = write!(
        out,
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title>\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\
<style>{STYLE}</style></head><body>",
        i18n::locale().tag(),
        escape(&title)
    );
    let _ = write!(
        out,
        "<h1>{}</h1><p class=\"muted\">{}</p>",
        escape(&title),
        escape(&tf(
            "report_file.subtitle",
            &[
                ("rows", &format::int(a.rows)),
                ("scored", &format::int(a.scored)),
                ("date", &format::date(a.as_of)),
            ]
        ))
    );

    let _ = write!(
        out,
        "<section><h2>{}</h2><table><thead><tr><th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th></tr></thead><tbody>",
        h("nav.segments"),
        h("col.segment"),
        h("col.customers"),
        h("col.share"),
        h("col.revenue"),
        h("col.revenue_share"),
        h("col.orders"),
        h("col.aov")
    );
    for s in a.summary.iter().filter(|s| s.customers > 0) {
        let _ = write!(
            out,
            "<tr><th>{}</th><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            escape(&i18n::name("segment", &s.segment)),
            format::int(s.customers),
            format::percent(s.customer_share),
            format::money(s.revenue),
            format::percent(s.revenue_share),
            format::int(s.orders),
            format::money(s.aov)
        );
    }
    out.push_str("</tbody></table>");
    let _ = write!(
        out,
        "<figure class=\"chart\">{}</figure><figure class=\"chart\">{}</figure>",
        charts.shares, charts.donut
    );
    out.push_str("</section>");

    let table = &a.kpis;
    let n = table.groups.len();
    let _ = write!(
        out,
        "<section class=\"page\"><h2>{}</h2><p class=\"muted\">{}</p>",
        h("report_file.kpis_title"),
        h("report_file.kpis_key")
    );
    let standouts = standout_lines(table, 5, &record.options);
    if !standouts.is_empty() {
        let _ = write!(
            out,
            "<p><strong>{}</strong></p><ul>",
            h("report_file.stands_out")
        );
        for line in standouts {
            let _ = write!(out, "<li>{}</li>", escape(&line));
        }
        out.push_str("</ul>");
    }
    let _ = write!(out, "<table><thead><tr><th>{}</th>", h("col.segment"));
    for def in &table.kpis {
        let _ = write!(
            out,
            "<th class=\"num\" title=\"{}\">{}</th>",
            escape(&i18n::kpi_formula(def)),
            escape(&i18n::kpi_name(def))
        );
    }
    out.push_str("</tr></thead><tbody>");
    let customers = table.column(KpiId::Customers).unwrap_or(0);
    for g in
        (0..n).filter(|g| table.values[*g][customers].value.unwrap_or(0.0) > 0.0 || *g + 1 == n)
    {
        let _ = write!(
            out,
            "<tr><th>{}</th>",
            escape(&i18n::row_name(&table.groups[g], &record.options))
        );
        for (k, def) in table.kpis.iter().enumerate() {
            let v = &table.values[g][k];
            match v.value {
                None => out.push_str("<td class=\"num\">–</td>"),
                Some(x) => {
                    let coloured = g + 1 < n && !matches!(def.id.as_str(), "customers" | "revenue");
                    let (bg, light) = match (coloured, v.relative) {
                        (true, Some(rel)) => chart::diverging_color(rel, def.higher_is_better),
                        _ => ("transparent".to_string(), false),
                    };
                    let ns = g + 1 < n && v.p_value.is_some_and(|p| p >= 0.05);
                    let _ = write!(
                        out,
                        "<td class=\"num{}{}\" style=\"background:{bg}\">{}</td>",
                        if light { " light" } else { "" },
                        if ns { " ns" } else { "" },
                        format::kpi_value(def.format, x)
                    );
                }
            }
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    for chart in charts.heatmap.iter().chain(&charts.profiles) {
        let _ = write!(out, "<figure class=\"chart\">{chart}</figure>");
    }
    out.push_str("</section>");
    if let Some(chart) = &charts.history {
        let _ = write!(
            out,
            "<section><h2>{}</h2><figure class=\"chart\">{chart}</figure></section>",
            h("chart.history.title")
        );
    }

    if !record.goals.is_empty() {
        let _ = write!(out, "<section><h2>{}</h2><ul>", h("nav.goals"));
        for goal in &record.goals {
            let s = kpi::goal_status(table, &a.period_counts, goal, a.as_of);
            let def = kpi::goal_definition(table, goal.kpi);
            let def = def.as_ref();
            let f = def.map(|d| d.format).unwrap_or(kpi::KpiFormat::Number);
            let line = tf(
                "report_file.goal",
                &[
                    ("kpi", &def.map(i18n::kpi_name).unwrap_or_default()),
                    (
                        "segment",
                        &i18n::segment_name(&goal.segment, &record.options.segments),
                    ),
                    (
                        "how",
                        &t(if goal.at_least {
                            "kpis.at_least"
                        } else {
                            "kpis.at_most"
                        }),
                    ),
                    ("target", &format::kpi_value(f, goal.target)),
                    (
                        "since",
                        &goal
                            .since
                            .map(|d| tf("report_file.since", &[("date", &format::date(d))]))
                            .unwrap_or_default(),
                    ),
                    (
                        "deadline",
                        &goal
                            .deadline
                            .map(|d| tf("report_file.deadline", &[("date", &format::date(d))]))
                            .unwrap_or_default(),
                    ),
                    (
                        "now",
                        &s.current
                            .map(|v| format::kpi_value(f, v))
                            .unwrap_or_else(|| "–".into()),
                    ),
                    (
                        "reached",
                        &if s.met {
                            t("kpis.reached")
                        } else {
                            String::new()
                        },
                    ),
                    (
                        "to_go",
                        &s.remaining
                            .filter(|r| *r > 0.0)
                            .map(|r| tf("report_file.to_go", &[("n", &format::int(r as u64))]))
                            .unwrap_or_default(),
                    ),
                ],
            );
            let _ = write!(out, "<li>{}</li>", escape(&line));
        }
        out.push_str("</ul></section>");
    }

    let o = &a.segments;
    if o.stages.iter().any(|s| s.customers > 0) {
        let _ = write!(
            out,
            "<section><h2>{}</h2><table><thead><tr><th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th></tr></thead><tbody>",
            h("report_file.lifecycle_title"),
            h("segments.stage"),
            h("col.customers"),
            h("col.share"),
            h("report_file.spend_to_date")
        );
        let total = o.stages.iter().map(|s| s.customers).sum::<u64>().max(1);
        for s in &o.stages {
            let _ = write!(
                out,
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                escape(&i18n::name("segment", s.stage.label())),
                format::int(s.customers),
                format::percent(s.customers as f64 / total as f64),
                format::money(s.revenue)
            );
        }
        let l = &o.lifecycle;
        let _ = write!(
            out,
            "</tbody></table><p class=\"muted\">{}</p></section>",
            escape(&tf(
                "report_file.lifecycle_thresholds",
                &[
                    ("new", &l.new_days.to_string()),
                    ("risk", &l.at_risk_after.to_string()),
                    ("lapsed", &l.lapsed_after.to_string()),
                    ("loyal", &l.loyal_orders.to_string()),
                ]
            ))
        );
    }
    if !o.saved.is_empty() {
        let _ = write!(
            out,
            "<section><h2>{}</h2><table><thead><tr><th>{}</th><th>{}</th><th class=\"num\">{}</th><th>{}</th></tr></thead><tbody>",
            h("report_file.saved_title"),
            h("col.segment"),
            h("segments.what_it_selects"),
            h("col.customers"),
            h("nav.notes")
        );
        for s in &o.saved {
            let notes: Vec<String> = record
                .notes
                .iter()
                .filter(|n| n.about == s.name)
                .map(|n| format!("{}: {}", n.written, escape(&n.text)))
                .collect();
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
                escape(&s.name),
                escape(
                    &record
                        .options
                        .segments
                        .iter()
                        .find(|d| d.name == s.name)
                        .map_or_else(
                            || s.description.clone(),
                            |d| crate::i18n::definition_words(&d.definition, &o.lifecycle)
                        )
                ),
                s.customers
                    .as_ref()
                    .map(|n| format::int(*n))
                    .unwrap_or_else(|e| escape(&crate::i18n::message(e))),
                notes.join("<br>")
            );
        }
        out.push_str("</tbody></table></section>");
    }
    if let [.., before, after] = record.snapshots.as_slice() {
        let changes = seglens_engine::metrics::snapshot::notable_changes(before, after);
        let _ = write!(
            out,
            "<section><h2>{}</h2>",
            escape(&tf(
                "report_file.changes_title",
                &[("before", &before.taken), ("after", &after.taken)]
            ))
        );
        if changes.is_empty() {
            let _ = write!(out, "<p>{}</p>", h("report_file.nothing_notable"));
        } else {
            out.push_str("<ul>");
            for c in changes.iter().take(12) {
                let _ = write!(out, "<li>{}</li>", escape(&crate::i18n::change_in_full(c)));
            }
            out.push_str("</ul>");
        }
        out.push_str("</section>");
    }
    if !record.notes.is_empty() {
        let _ = write!(out, "<section><h2>{}</h2><ul>", h("nav.notes"));
        for n in &record.notes {
            let _ = write!(
                out,
                "<li><strong>{}</strong> <span class=\"muted\">{}</span><br>{}</li>",
                escape(&if n.about.is_empty() {
                    t("notes.the_whole_analysis")
                } else {
                    i18n::segment_name(&n.about, &record.options.segments)
                }),
                escape(&n.written),
                escape(&n.text)
            );
        }
        out.push_str("</ul></section>");
    }

    if let Some(f) = &a.funnel {
        let _ = write!(
            out,
            "<section><h2>{}</h2><table><thead><tr><th>{}</th>",
            escape(&tf(
                "report_file.funnel_title",
                &[("days", &f.window_days.to_string())]
            )),
            h("journeys.step")
        );
        let shown: Vec<usize> = (0..f.groups.len())
            .filter(|g| f.counts[*g].first().is_some_and(|s| s.customers > 0))
            .collect();
        for g in &shown {
            let _ = write!(
                out,
                "<th class=\"num\">{}</th>",
                escape(&i18n::row_name(&f.groups[*g], &record.options))
            );
        }
        out.push_str("</tr></thead><tbody>");
        for (k, step) in f.steps.iter().enumerate() {
            let _ = write!(out, "<tr><th>{}. {}</th>", k + 1, escape(step));
            for g in &shown {
                let c = &f.counts[*g];
                let _ = write!(
                    out,
                    "<td class=\"num\">{} · {}</td>",
                    format::int(c[k].customers),
                    format::percent(c[k].customers as f64 / c[0].customers.max(1) as f64)
                );
            }
            out.push_str("</tr>");
        }
        out.push_str("</tbody></table></section>");
    }

    if let Ok(p) = &a.prediction {
        let _ = write!(
            out,
            "<section><h2>{}</h2><p>{}</p>",
            h("predict.predictions"),
            escape(&tf(
                "report_file.predictions",
                &[
                    (
                        "months",
                        &format!("{:.0}", (p.horizon_weeks / 4.345).round())
                    ),
                    ("customers", &format::int(p.customers)),
                    ("orders", &format::int(p.expected_purchases.round() as u64)),
                    ("value", &format::money(p.clv)),
                    ("discount", &format::decimal(p.monthly_discount * 100.0, 0)),
                    ("date", &format::date(p.calibration_end)),
                ]
            ))
        );
        let _ = write!(
            out,
            "<table><thead><tr><th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th></tr></thead><tbody>",
            h("predict.churn_risk"),
            h("col.customers"),
            h("predict.revenue_to_date"),
            h("predict.predicted_value")
        );
        for (band, key) in p.bands.iter().zip([
            "predict.high_risk",
            "predict.medium_risk",
            "predict.low_risk",
            "predict.one_time_buyers",
        ]) {
            let _ = write!(
                out,
                "<tr><th>{}</th><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                h(key),
                format::int(band.prediction.customers),
                format::money(band.revenue),
                format::money(band.prediction.clv)
            );
        }
        out.push_str("</tbody></table></section>");
    }
    out.push_str("</body></html>");
    out
}

/// A short Markdown summary: the segments and what stands out.
pub fn markdown(record: &WorkspaceRecord, a: &Analysis) -> String {
    let mut out = format!(
        "**{}** — {}\n\n| {} | {} | {} | {} |\n|---|---:|---:|---:|\n",
        i18n::name("source", &record.source),
        tf(
            "report_file.summary_line",
            &[
                ("scored", &format::int(a.scored)),
                ("date", &format::date(a.as_of)),
            ]
        ),
        t("col.segment"),
        t("col.customers"),
        t("col.revenue_share"),
        t("col.aov")
    );
    for s in a.summary.iter().filter(|s| s.customers > 0) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            i18n::name("segment", &s.segment),
            format::int(s.customers),
            format::percent(s.revenue_share),
            format::money(s.aov)
        );
    }
    let standouts = standout_lines(&a.kpis, 5, &record.options);
    if !standouts.is_empty() {
        let _ = writeln!(out, "\n{}", t("report_file.stands_out"));
        for line in standouts {
            let _ = writeln!(out, "- {line}");
        }
    }
    if !record.notes.is_empty() {
        let _ = writeln!(out, "\n{}:", t("nav.notes"));
        for n in &record.notes {
            let about = if n.about.is_empty() {
                t("notes.the_whole_analysis")
            } else {
                i18n::segment_name(&n.about, &record.options.segments)
            };
            let _ = writeln!(
                out,
                "- {} ({}): {}",
                about,
                n.written,
                n.text.replace('\n', " ")
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use seglens_engine::analysis::{self, AnalysisOptions};
    use seglens_engine::import::dataset::Dataset;
    use seglens_engine::import::demo;

    fn demo_analysis() -> (WorkspaceRecord, Analysis) {
        let files = demo::generate(demo::DEMO_SEED);
        let (orders, _) = seglens_engine::import_orders(
            "orders.csv",
            files.orders.as_bytes(),
            Default::default(),
        )
        .unwrap();
        let mut data = Dataset::from_orders(orders);
        data.add_source("surveys.csv", files.surveys.as_bytes())
            .unwrap();
        let a = analysis::analyse(&data, &AnalysisOptions::default()).unwrap();
        let record = WorkspaceRecord {
            version: crate::storage::RECORD_VERSION,
            source: "Demo <business> & co".into(),
            is_demo: true,
            report: None,
            sources: Vec::new(),
            options: AnalysisOptions::default(),
            goals: Vec::new(),
            notes: vec![crate::storage::Note {
                about: "Champions".into(),
                written: "2026-11-22".into(),
                text: "Ask them <b>for</b> referrals".into(),
            }],
            snapshots: Vec::new(),
            currency: None,
            last_update: None,
            campaigns: Vec::new(),
        };
        (record, a)
    }

    #[test]
    fn the_report_is_self_contained_and_escaped() {
        let (record, a) = demo_analysis();
        let models = chart_models(&record, &a);
        // Stand-ins for the charts worker's SVG, to see where each goes.
        let list: Vec<String> = models
            .clone()
            .into_list()
            .iter()
            .enumerate()
            .map(|(i, _)| format!("<svg id=\"c{i}\"></svg>"))
            .collect();
        assert_eq!(
            list.len(),
            4,
            "shares, donut, heatmap, radar; no history yet"
        );
        let drawn = models.with(list).unwrap();
        assert_eq!(drawn.history, None);
        let page = html(&record, &a, &drawn);
        let at = |id: &str| page.find(&format!("<svg id=\"{id}\">")).unwrap();
        let kpis_title = page.find(&h("report_file.kpis_title")).unwrap();
        assert!(
            at("c0") < at("c1") && at("c1") < kpis_title,
            "shares with the segments"
        );
        assert!(
            kpis_title < at("c2") && at("c2") < at("c3"),
            "heatmap, radar with the KPIs"
        );
        assert!(page.starts_with("<!DOCTYPE html>"));
        assert!(!page.contains("<script"), "no script");
        // Nothing to fetch (the SVG's xmlns is a name, not a request).
        for link in ["src=\"", "href=\"", "url(", "@import"] {
            assert!(!page.contains(link), "{link}");
        }
        assert!(page.contains("Demo &lt;business&gt; &amp; co"));
        assert!(page.contains("<svg"));
        assert!(page.contains("Champions"));
        assert!(page.contains("<strong>Champions</strong> <span class=\"muted\">2026-11-22</span><br>Ask them &lt;b&gt;for&lt;/b&gt; referrals"));
        assert!(page.contains("Where customers are in their lifecycle"));
        assert!(
            models.with(vec![String::new(); 3]).is_none(),
            "a chart missing"
        );
        let md = markdown(&record, &a);
        assert!(md.contains("| Champions | 440 |"), "{md}");
        assert!(
            md.contains("- Champions (2026-11-22): Ask them <b>for</b> referrals"),
            "{md}"
        );
    }

    #[test]
    fn profiles_are_each_segment_against_all_customers() {
        use seglens_charts::{Kind, Unit};
        let (record, a) = demo_analysis();
        let models = chart_models(&record, &a);
        let radar = models.profiles.unwrap();
        assert_eq!(radar.kind, Kind::Radar);
        assert_eq!(radar.unit, Unit::Index);
        assert!(radar.series.len() <= 5 && radar.categories.len() >= 3);
        assert_eq!(radar.fault(), None);
        // Average order value, from the segments' summary (not the KPI
        // table the chart reads): Champions' against all buyers'.
        let k = a.kpis.column(KpiId::Aov).unwrap();
        let heatmap = models.heatmap.unwrap();
        let column = heatmap
            .categories
            .iter()
            .position(|c| c == "Champions")
            .unwrap();
        let champions = a.summary.iter().find(|s| s.segment == "Champions").unwrap();
        let (revenue, orders) = a
            .summary
            .iter()
            .fold((0.0, 0u64), |(r, o), s| (r + s.revenue, o + s.orders));
        let row = heatmap
            .series
            .iter()
            .find(|s| s.name == i18n::kpi_name(&a.kpis.kpis[k]))
            .unwrap();
        let index = row.values[column].unwrap();
        assert!(
            (index - champions.aov / (revenue / orders as f64)).abs() < 1e-9,
            "{index}"
        );
        // No sums, no NPS points: they have no index.
        for id in [KpiId::Customers, KpiId::Revenue] {
            let def = a.kpis.kpis.iter().find(|d| d.id == id).unwrap();
            assert!(
                !heatmap.series.iter().any(|s| s.name == i18n::kpi_name(def)),
                "{id}"
            );
        }
        // Every segment with customers is a row of the heatmap.
        let with_customers = a.summary.iter().filter(|s| s.customers > 0).count();
        assert_eq!(heatmap.categories.len(), with_customers);
        // The donut's slices are the segments' customers.
        let donut = &models.donut;
        assert_eq!(
            donut.series[0].values.iter().flatten().sum::<f64>(),
            a.summary.iter().map(|s| s.customers as f64).sum::<f64>()
        );
    }
}

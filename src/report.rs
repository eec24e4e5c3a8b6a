//! The shareable report: one self-contained HTML file (inline CSS and SVG,
//! no script, nothing fetched) that a colleague opens offline and prints
//! to PDF, and a Markdown summary to paste into an e-mail or a chat. Pure
//! functions of the analysis, tested natively.

use std::fmt::Write;

use seglens_engine::analysis::Analysis;
use seglens_engine::date::format_iso;
use seglens_engine::kpi::{self, KpiTable};

use crate::chart;
use crate::format;
use crate::storage::WorkspaceRecord;

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
section { break-inside: avoid; page-break-inside: avoid; }
@media print { body { margin: 0; max-width: none; } h2 { page-break-after: avoid; } section.page { page-break-before: always; } }
";

/// The differences that stand out, as sentences: "Champions: revenue per
/// customer 2,046.03, 4.6× all customers (447.88)" (NPS in points).
pub fn standout_lines(t: &KpiTable, most: usize) -> Vec<String> {
    let n = t.groups.len();
    kpi::standouts(t, most)
        .into_iter()
        .map(|(g, k)| {
            let def = &t.kpis[k];
            let value = t.values[g][k].value.unwrap_or(0.0);
            let base = t.values[n - 1][k].value.unwrap_or(0.0);
            let show = |v| format::kpi_value(def.format, v);
            if def.format == kpi::KpiFormat::Points {
                format!(
                    "{}: {} {} (all customers {})",
                    t.groups[g],
                    def.name,
                    show(value),
                    show(base)
                )
            } else {
                format!(
                    "{}: {} {}, {:.1}× all customers ({})",
                    t.groups[g],
                    def.name.to_lowercase(),
                    show(value),
                    value / base,
                    show(base)
                )
            }
        })
        .collect()
}

/// The report as one HTML document.
pub fn html(record: &WorkspaceRecord, a: &Analysis) -> String {
    let mut out = String::new();
    let title = format!("SegLens report — {}", record.source);
    let _ = write!(
        out,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title>\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\
<style>{STYLE}</style></head><body>",
        escape(&title)
    );
    let _ = write!(
        out,
        "<h1>{}</h1><p class=\"muted\">{} order rows · {} customers scored · analysis date {}. Made with SegLens, on the author's computer; this file contains no script and loads nothing.</p>",
        escape(&title),
        format::int(a.rows),
        format::int(a.scored),
        format_iso(a.as_of)
    );

    out.push_str("<section><h2>Segments</h2><table><thead><tr><th>Segment</th><th class=\"num\">Customers</th><th class=\"num\">Share</th><th class=\"num\">Revenue</th><th class=\"num\">Revenue share</th><th class=\"num\">Orders</th><th class=\"num\">Avg order value</th></tr></thead><tbody>");
    for s in a.summary.iter().filter(|s| s.customers > 0) {
        let _ = write!(
            out,
            "<tr><th>{}</th><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            escape(&s.segment),
            format::int(s.customers),
            format::percent(s.customer_share),
            format::money(s.revenue),
            format::percent(s.revenue_share),
            format::int(s.orders),
            format::money(s.aov)
        );
    }
    out.push_str("</tbody></table>");
    if let Ok(svg) = chart::segment_shares_svg(&a.summary) {
        out.push_str(&svg);
    }
    out.push_str("</section>");

    let t = &a.kpis;
    let n = t.groups.len();
    out.push_str("<section class=\"page\"><h2>Segments compared on every KPI</h2><p class=\"muted\">Blue: better than all customers; orange: worse; faded: not significantly different from the other customers.</p>");
    let standouts = standout_lines(t, 5);
    if !standouts.is_empty() {
        out.push_str("<p><strong>What stands out:</strong></p><ul>");
        for line in standouts {
            let _ = write!(out, "<li>{}</li>", escape(&line));
        }
        out.push_str("</ul>");
    }
    out.push_str("<table><thead><tr><th>Segment</th>");
    for def in &t.kpis {
        let _ = write!(
            out,
            "<th class=\"num\" title=\"{}\">{}</th>",
            escape(&def.formula),
            escape(&def.name)
        );
    }
    out.push_str("</tr></thead><tbody>");
    let customers = t.kpis.iter().position(|d| d.id == "customers").unwrap_or(0);
    for g in (0..n).filter(|g| t.values[*g][customers].value.unwrap_or(0.0) > 0.0 || *g + 1 == n) {
        let _ = write!(out, "<tr><th>{}</th>", escape(&t.groups[g]));
        for (k, def) in t.kpis.iter().enumerate() {
            let v = &t.values[g][k];
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
    out.push_str("</tbody></table></section>");

    if !record.goals.is_empty() {
        out.push_str("<section><h2>Goals</h2><ul>");
        for goal in &record.goals {
            let s = kpi::goal_status(t, &a.period_counts, goal, a.as_of);
            let def = kpi::goal_definition(t, &goal.kpi);
            let def = def.as_ref();
            let f = def.map(|d| d.format).unwrap_or(kpi::KpiFormat::Number);
            let _ = write!(
                out,
                "<li>{} of {} {} {}{}{}: now {}{}{}</li>",
                escape(&def.map(|d| d.name.clone()).unwrap_or_default()),
                escape(&goal.segment),
                if goal.at_least { "at least" } else { "at most" },
                format::kpi_value(f, goal.target),
                goal.since
                    .map(|d| format!(" from {}", format_iso(d)))
                    .unwrap_or_default(),
                goal.deadline
                    .map(|d| format!(" by {}", format_iso(d)))
                    .unwrap_or_default(),
                s.current
                    .map(|v| format::kpi_value(f, v))
                    .unwrap_or_else(|| "–".into()),
                if s.met { " (reached)" } else { "" },
                s.remaining
                    .filter(|r| *r > 0.0)
                    .map(|r| format!(", {} to go", format::int(r as u64)))
                    .unwrap_or_default()
            );
        }
        out.push_str("</ul></section>");
    }

    let o = &a.segments;
    if o.stages.iter().any(|s| s.customers > 0) {
        out.push_str("<section><h2>Where customers are in their lifecycle</h2><table><thead><tr><th>Stage</th><th class=\"num\">Customers</th><th class=\"num\">Share</th><th class=\"num\">Spend to date</th></tr></thead><tbody>");
        let total = o.stages.iter().map(|s| s.customers).sum::<u64>().max(1);
        for s in &o.stages {
            let _ = write!(
                out,
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                escape(s.stage.label()),
                format::int(s.customers),
                format::percent(s.customers as f64 / total as f64),
                format::money(s.revenue)
            );
        }
        let l = &o.lifecycle;
        let _ = write!(
            out,
            "</tbody></table><p class=\"muted\">New: first order within {} days; at risk after {} days without an order; lapsed after {}; loyal from {} orders.</p></section>",
            l.new_days, l.at_risk_after, l.lapsed_after, l.loyal_orders
        );
    }
    if !o.saved.is_empty() {
        out.push_str("<section><h2>Saved segments</h2><table><thead><tr><th>Segment</th><th>What it selects</th><th class=\"num\">Customers</th><th>Notes</th></tr></thead><tbody>");
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
                escape(&s.description),
                s.customers
                    .as_ref()
                    .map(|n| format::int(*n))
                    .unwrap_or_else(|e| escape(e)),
                notes.join("<br>")
            );
        }
        out.push_str("</tbody></table></section>");
    }
    if let [.., before, after] = record.snapshots.as_slice() {
        let changes = seglens_engine::snapshot::notable_changes(before, after);
        let _ = write!(
            out,
            "<section><h2>What changed between the snapshots of {} and {}</h2>",
            escape(&before.taken),
            escape(&after.taken)
        );
        if changes.is_empty() {
            out.push_str("<p>Nothing notable.</p>");
        } else {
            out.push_str("<ul>");
            for c in changes.iter().take(12) {
                let _ = write!(out, "<li>{}</li>", escape(&c.text));
            }
            out.push_str("</ul>");
        }
        out.push_str("</section>");
    }
    if !record.notes.is_empty() {
        out.push_str("<section><h2>Notes</h2><ul>");
        for n in &record.notes {
            let _ = write!(
                out,
                "<li><strong>{}</strong> <span class=\"muted\">{}</span><br>{}</li>",
                escape(if n.about.is_empty() {
                    "The whole analysis"
                } else {
                    &n.about
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
            "<section><h2>Funnel (within {} days)</h2><table><thead><tr><th>Step</th>",
            f.window_days
        );
        let shown: Vec<usize> = (0..f.groups.len())
            .filter(|g| f.counts[*g].first().is_some_and(|s| s.customers > 0))
            .collect();
        for g in &shown {
            let _ = write!(out, "<th class=\"num\">{}</th>", escape(&f.groups[*g]));
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
            "<section><h2>Predictions</h2><p>In the next {:.0} months, these {} customers are expected to place {} orders worth {} (discounted {}% a month), learnt from the orders up to {} (BG/NBD and Gamma-Gamma models).</p>",
            (p.horizon_weeks / 4.345).round(),
            format::int(p.customers),
            format::int(p.expected_purchases.round() as u64),
            format::money(p.clv),
            p.monthly_discount * 100.0,
            format_iso(p.calibration_end)
        );
        out.push_str("<table><thead><tr><th>Churn risk</th><th class=\"num\">Customers</th><th class=\"num\">Revenue to date</th><th class=\"num\">Predicted value</th></tr></thead><tbody>");
        for (band, name) in
            p.bands
                .iter()
                .zip(["High risk", "Medium risk", "Low risk", "One-time buyers"])
        {
            let _ = write!(
                out,
                "<tr><th>{name}</th><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
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
        "**{}** — {} customers scored, analysis date {}\n\n| Segment | Customers | Revenue share | Avg order value |\n|---|---:|---:|---:|\n",
        record.source,
        format::int(a.scored),
        format_iso(a.as_of)
    );
    for s in a.summary.iter().filter(|s| s.customers > 0) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            s.segment,
            format::int(s.customers),
            format::percent(s.revenue_share),
            format::money(s.aov)
        );
    }
    let standouts = standout_lines(&a.kpis, 5);
    if !standouts.is_empty() {
        out.push_str("\nWhat stands out:\n");
        for line in standouts {
            let _ = writeln!(out, "- {line}");
        }
    }
    if !record.notes.is_empty() {
        out.push_str("\nNotes:\n");
        for n in &record.notes {
            let about = if n.about.is_empty() {
                "The whole analysis"
            } else {
                &n.about
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
    use seglens_engine::dataset::Dataset;
    use seglens_engine::demo;

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
        };
        (record, a)
    }

    #[test]
    fn the_report_is_self_contained_and_escaped() {
        let (record, a) = demo_analysis();
        let page = html(&record, &a);
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
        let md = markdown(&record, &a);
        assert!(md.contains("| Champions | 440 |"), "{md}");
        assert!(
            md.contains("- Champions (2026-11-22): Ask them <b>for</b> referrals"),
            "{md}"
        );
    }
}

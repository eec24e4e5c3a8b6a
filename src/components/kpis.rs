//! The KPI heatmap: segments × KPIs, coloured by the difference from the
//! whole base, with the value, confidence interval, formula and counts on
//! hover, sortable by any KPI.

use leptos::prelude::*;
use seglens_engine::groups::Rows;
use seglens_engine::kpi::{KpiDef, KpiFormat, KpiTable, KpiValue};

use crate::actions;
use crate::chart;
use crate::format;
use crate::state::AppState;

fn hover(def: &KpiDef, v: &KpiValue, group: &str) -> String {
    if let Some(m) = &v.missing {
        return format!("{} — {group}\n{m}", def.name);
    }
    let mut lines = vec![format!(
        "{} — {group}: {}",
        def.name,
        v.value
            .map(|x| format::kpi_value(def.format, x))
            .unwrap_or_else(|| "no data".into())
    )];
    if let Some((lo, hi)) = v.ci {
        lines.push(format!(
            "95% interval: {} to {}",
            format::kpi_value(def.format, lo),
            format::kpi_value(def.format, hi)
        ));
    }
    lines.push(format!("= {}", def.formula));
    if !matches!(def.id.as_str(), "customers" | "revenue") {
        lines.push(format!(
            "Based on {} ({} on top)",
            format::int(v.denominator.round() as u64),
            if def.format == KpiFormat::Money {
                format::money(v.numerator)
            } else {
                format::int(v.numerator.round().max(0.0) as u64)
            }
        ));
    }
    if let Some(p) = v.p_value {
        lines.push(if p < 0.05 {
            format!("Different from the rest of the customers (p = {p:.3})")
        } else {
            format!("Not significantly different from the rest of the customers (p = {p:.2})")
        });
    }
    lines.join("\n")
}

/// The heatmap card.
#[component]
pub fn KpiHeatmap() -> impl IntoView {
    let state = expect_context::<AppState>();
    let sort = RwSignal::new(None::<(usize, bool)>);
    move || {
        state.workspace.get().map(|ws| {
            let t: KpiTable = ws.analysis.kpis.clone();
            let rows_choice = ws.record.options.rows;
            let no_saved = ws.record.options.segments.is_empty();
            let n = t.groups.len();
            let customers = t.kpis.iter().position(|k| k.id == "customers").unwrap_or(0);
            let mut rows: Vec<usize> = (0..n - 1)
                .filter(|g| t.values[*g][customers].value.unwrap_or(0.0) > 0.0)
                .collect();
            if let Some((k, descending)) = sort.get() {
                rows.sort_by(|a, b| {
                    let va = t.values[*a][k].value.unwrap_or(f64::NEG_INFINITY);
                    let vb = t.values[*b][k].value.unwrap_or(f64::NEG_INFINITY);
                    if descending { vb.total_cmp(&va) } else { va.total_cmp(&vb) }
                });
            }
            rows.push(n - 1);
            let mut needs: Vec<String> = t.values[n - 1].iter().filter_map(|v| v.missing.clone()).collect();
            needs.dedup();
            let standouts = crate::report::standout_lines(&t, 4);
            let kpis = t.kpis.clone();
            let header = kpis.iter().enumerate().map(|(k, def)| {
                let title = format!("{} = {}. Click to sort.", def.name, def.formula);
                let arrow = move || match sort.get() {
                    Some((s, true)) if s == k => " ▼",
                    Some((s, false)) if s == k => " ▲",
                    _ => "",
                };
                view! {
                    <th scope="col" class="num">
                        <button class="sort" title=title data-testid=format!("sort-{}", def.id)
                            on:click=move |_| sort.update(|s| *s = match *s {
                                Some((c, true)) if c == k => Some((k, false)),
                                _ => Some((k, true)),
                            })>
                            {def.name.clone()}{arrow}
                        </button>
                    </th>
                }
            }).collect_view();
            let body = rows.into_iter().map(|g| {
                let name = t.groups[g].clone();
                let base_row = g == n - 1;
                let cells = kpis.iter().enumerate().map(|(k, def)| {
                    let v = t.values[g][k].clone();
                    let title = hover(def, &v, &name);
                    match v.value {
                        None => view! { <td class="num cell missing" title=title>"–"</td> }.into_any(),
                        Some(x) => {
                            let coloured = !base_row && !matches!(def.id.as_str(), "customers" | "revenue");
                            let (bg, light) = match (coloured, v.relative) {
                                (true, Some(rel)) => chart::diverging_color(rel, def.higher_is_better),
                                _ => ("transparent".to_string(), false),
                            };
                            let not_significant = !base_row && v.p_value.is_some_and(|p| p >= 0.05);
                            view! {
                                <td class="num cell" class:light=light class:ns=not_significant
                                    style=format!("background:{bg}") title=title>
                                    {format::kpi_value(def.format, x)}
                                </td>
                            }.into_any()
                        }
                    }
                }).collect_view();
                view! {
                    <tr class:base=base_row>
                        <th scope="row">{name}</th>
                        {cells}
                    </tr>
                }
            }).collect_view();
            view! {
                <section class="card" id="compare" data-testid="kpis">
                    <h2>"Compare segments on every KPI"</h2>
                    <div class="thresholds">
                        <label>"Compare "
                            <select data-testid="kpi-rows" on:change=move |ev| {
                                let rows = match event_target_value(&ev).as_str() {
                                    "lifecycle" => Rows::Lifecycle,
                                    "saved" => Rows::Saved,
                                    _ => Rows::Rfm,
                                };
                                actions::set_rows(state, rows)
                            }>
                                <option value="rfm" selected=rows_choice == Rows::Rfm>"RFM segments"</option>
                                <option value="lifecycle" selected=rows_choice == Rows::Lifecycle>"lifecycle stages"</option>
                                <option value="saved" selected=rows_choice == Rows::Saved disabled=no_saved>"my segments"</option>
                            </select>
                        </label>
                        {(rows_choice == Rows::Saved).then(|| view! { <span class="muted small">"Segments may overlap: each is measured against all the customers outside it."</span> })}
                    </div>
                    <p class="muted">
                        "Each cell is the segment's value; its colour says how far it is from all customers: blue better, orange worse, white level. Hover a cell for its formula, its 95% interval and the counts behind it. Faded cells are not significantly different from the other customers."
                    </p>
                    {(!standouts.is_empty()).then(|| view! {
                        <div class="standouts" data-testid="standouts">
                            <strong>"What stands out"</strong>
                            <ul>{standouts.into_iter().map(|s| view! { <li>{s}</li> }).collect_view()}</ul>
                        </div>
                    })}
                    <div class="legend" aria-hidden="true">
                        <span>"worse than all customers"</span>
                        <span class="swatch" style=format!("background:{}", chart::diverging_color(-1.0, true).0)></span>
                        <span class="swatch" style=format!("background:{}", chart::diverging_color(-0.5, true).0)></span>
                        <span class="swatch" style=format!("background:{}", chart::diverging_color(0.0, true).0)></span>
                        <span class="swatch" style=format!("background:{}", chart::diverging_color(0.5, true).0)></span>
                        <span class="swatch" style=format!("background:{}", chart::diverging_color(1.0, true).0)></span>
                        <span>"better"</span>
                    </div>
                    <div class="table-wrap">
                        <table class="heatmap kpi-heatmap" data-testid="kpi-heatmap">
                            <thead><tr><th scope="col">"Segment"</th>{header}</tr></thead>
                            <tbody>{body}</tbody>
                        </table>
                    </div>
                    {(!needs.is_empty()).then(|| view! {
                        <ul class="muted small" data-testid="kpi-needs">
                            {needs.into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}
                        </ul>
                    })}
                </section>
            }
        })
    }
}

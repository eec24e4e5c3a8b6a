//! The KPI heatmap: segments × KPIs, coloured by the difference from the
//! whole base, with the value, confidence interval, formula and counts on
//! hover, sortable by any KPI.

use leptos::prelude::*;
use seglens_engine::import::orders::ColumnType;
use seglens_engine::metrics::kpi::{KpiDef, KpiFormat, KpiTable, KpiValue};
use seglens_engine::segments::groups::ColumnSummary;
use seglens_engine::segments::groups::Rows;
use seglens_engine::segments::splits::{Split, TIERS, Tier, journey_stage};
use seglens_engine::segments::{Definition, SavedSegment};

use crate::chart;
use crate::format;
use crate::i18n::{self, t, tf};
use crate::state::AppState;
use seglens_engine::metrics::kpi::KpiId;

pub(crate) fn hover(def: &KpiDef, v: &KpiValue, group: &str) -> String {
    if let Some(m) = &v.missing {
        return format!("{} — {group}\n{}", i18n::kpi_name(def), i18n::message(m));
    }
    let mut lines = vec![format!(
        "{} — {group}: {}",
        i18n::kpi_name(def),
        v.value
            .map(|x| format::kpi_value(def.format, x))
            .unwrap_or_else(|| t("kpis.no_data"))
    )];
    if let Some((lo, hi)) = v.ci {
        lines.push(tf(
            "kpis.interval",
            &[
                ("lo", &format::kpi_value(def.format, lo)),
                ("hi", &format::kpi_value(def.format, hi)),
            ],
        ));
    }
    lines.push(format!("= {}", i18n::kpi_formula(def)));
    if let Some(text) = i18n::kpi_use(def) {
        lines.push(tf("kpi.use", &[("text", &text)]));
    }
    if !matches!(def.id.as_str(), "customers" | "revenue") {
        lines.push(tf(
            "kpis.based_on_on_top",
            &[
                ("0", &format::int(v.denominator.round() as u64)),
                (
                    "1",
                    &(if def.format == KpiFormat::Money {
                        format::money(v.numerator)
                    } else {
                        format::int(v.numerator.round().max(0.0) as u64)
                    })
                    .to_string(),
                ),
            ],
        ));
    }
    if let Some(p) = v.p_value {
        lines.push(if p < 0.05 {
            tf(
                "kpis.different_from_the_rest_of",
                &[("p", &format::decimal(p, 3))],
            )
        } else {
            tf(
                "kpis.not_significantly_different_from_the",
                &[("p", &format::decimal(p, 2))],
            )
        });
    }
    lines.join("\n")
}

/// What the heatmap can compare: option value, label, rows, available.
fn compare_choices(ws: &crate::state::Workspace) -> Vec<(String, String, Rows, bool)> {
    let a = &ws.analysis;
    let has = |id: KpiId| {
        a.kpis.values.last().is_some_and(|b| {
            a.kpis
                .kpis
                .iter()
                .zip(b)
                .any(|(k, v)| k.id == id && v.missing.is_none())
        })
    };
    let mut out = vec![
        ("rfm".to_string(), t("kpis.rfm_segments"), Rows::Rfm, true),
        (
            "lifecycle".into(),
            t("kpis.lifecycle_stages"),
            Rows::Lifecycle,
            true,
        ),
        (
            "saved".into(),
            t("kpis.my_segments"),
            Rows::Saved,
            !ws.record.options.segments.is_empty(),
        ),
    ];
    for (i, (tier, label)) in TIERS.iter().enumerate() {
        let available = match tier {
            Tier::Usage | Tier::Journey => !a.event_names.is_empty(),
            Tier::Engagement => has(KpiId::OpenRate),
            Tier::Loyalty => has(KpiId::Nps),
            Tier::Frequency | Tier::Value => true,
        };
        if available {
            out.push((
                format!("tier:{i}"),
                tf(
                    "kpis.tiers_of",
                    &[("tier", &i18n::name("tier", label).to_lowercase())],
                ),
                Rows::Split(Split::Tier(*tier)),
                true,
            ));
        }
    }
    if a.prediction.is_ok() {
        let o = &ws.record.options;
        out.push((
            "churn".into(),
            t("kpis.tiers_churn_risk_predicted"),
            Rows::Split(Split::ChurnRisk {
                medium_from: o.medium_risk_from,
                low_from: o.low_risk_from,
            }),
            true,
        ));
        out.push((
            "value".into(),
            t("kpis.tiers_predicted_value"),
            Rows::Split(Split::PredictedValue),
            true,
        ));
    }
    for c in &a.segments.columns {
        let lower = c.name.to_lowercase();
        let id_like = ["id", "postcode", "zip", "phone", "email", "name"]
            .iter()
            .any(|w| lower.contains(w));
        let useful = match c.kind {
            ColumnType::Integer | ColumnType::Number => !id_like,
            ColumnType::Text | ColumnType::Boolean => {
                !id_like
                    && c.top_values
                        .first()
                        .is_some_and(|v| v.1 * 50 >= c.filled.max(1))
            }
            _ => false,
        };
        if useful {
            out.push((
                format!("col:{}", c.name),
                tf("kpis.by_column", &[("column", &c.name)]),
                Rows::Split(Split::Attribute {
                    column: c.name.clone(),
                    edges: None,
                }),
                true,
            ));
        }
    }
    out
}

/// When the heatmap compares journey stages: which stage each event
/// stands for, editable.
fn journey_editor(state: AppState, rows: &Rows, events: &[String]) -> Option<AnyView> {
    let current: Vec<(String, Option<u8>)> = match rows {
        Rows::Split(Split::Tier(Tier::Journey)) => events
            .iter()
            .map(|e| (e.clone(), journey_stage(e)))
            .collect(),
        Rows::Split(Split::Journey { stages }) => events
            .iter()
            .map(|e| {
                let s = stages.iter().find(|(x, _)| x == e).map(|(_, s)| *s);
                (e.clone(), s)
            })
            .collect(),
        _ => return None,
    };
    let mapping = RwSignal::new(current.clone());
    let pickers = current
        .into_iter()
        .enumerate()
        .map(|(i, (event, stage))| {
            let options = [
                (None, t("kpis.no_stage")),
                (Some(0u8), t("kpis.awareness")),
                (Some(1), t("kpis.consideration")),
                (Some(2), t("kpis.decision")),
            ]
            .into_iter()
            .map(|(s, label)| {
                let value = s.map(|x| x.to_string()).unwrap_or_default();
                view! { <option value=value selected=s == stage>{label}</option> }
            })
            .collect_view();
            view! {
                <label>{event.clone()} " "
                    <select data-testid=format!("stage-{event}") on:change=move |ev| {
                        let v = event_target_value(&ev).parse::<u8>().ok();
                        mapping.update(|m| m[i].1 = v);
                    }>{options}</select>
                </label>
            }
        })
        .collect_view();
    Some(
        view! {
            <details class="journey-mapping" open>
                <summary>{t("kpis.which_stage_each_event_stands")}</summary>
                <div class="mapping">{pickers}</div>
                <button class="secondary" data-testid="apply-mapping" on:click=move |_| {
                    let stages = mapping
                        .get_untracked()
                        .into_iter()
                        .filter_map(|(e, s)| s.map(|s| (e, s)))
                        .collect();
                    crate::compare::actions::set_rows(state, Rows::Split(Split::Journey { stages }))
                }>{t("kpis.apply")}</button>
            </details>
        }
        .into_any(),
    )
}

/// The Lorenz curve of spend with its sentence.
fn lorenz_view(points: &[(f64, f64)], gini: f64, top20: Option<f64>) -> AnyView {
    let mut lorenz_csv = String::from("share_of_customers_smallest_first,share_of_revenue\n");
    for (a, b) in points {
        lorenz_csv.push_str(&format!("{a:.4},{b:.4}\n"));
    }
    let (w, h, pad) = (220.0, 220.0, 20.0);
    let x = |s: f64| pad + s * (w - 2.0 * pad);
    let y = |s: f64| h - pad - s * (h - 2.0 * pad);
    let path: String = points
        .iter()
        .enumerate()
        .map(|(i, (a, b))| {
            format!(
                "{}{:.1},{:.1}",
                if i == 0 { "M" } else { " L" },
                x(*a),
                y(*b)
            )
        })
        .collect();
    let table = points
        .iter()
        .map(|(a, b)| view! { <tr><td class="num">{format::percent(*a)}</td><td class="num">{format::percent(*b)}</td></tr> })
        .collect_view();
    // The same curve for the downloaded picture, drawn by charts-rs, with
    // the line an equal split would draw.
    let mut model = seglens_charts::Chart::new(
        seglens_charts::Kind::Lines,
        t("kpis.how_concentrated_is_revenue"),
        seglens_charts::Unit::Percent,
    );
    model.numbers = format::numbers();
    model.description = t("kpis.lorenz_curve_of_spend_share");
    model.note = t("kpis.customers_smallest_first");
    model.categories = points.iter().map(|(a, _)| format::percent(*a)).collect();
    model.series = vec![
        seglens_charts::Series::new(
            t("kpis.their_share_of_revenue"),
            points.iter().map(|(_, b)| *b),
        ),
        seglens_charts::Series::new(
            t("kpis.if_every_customer_spent_the_same"),
            points.iter().map(|(a, _)| *a),
        ),
    ];
    view! {
        <div class="lorenz" data-testid="concentration">
            <svg viewBox=format!("0 0 {w} {h}") role="img" aria-label=t("kpis.lorenz_curve_of_spend_share")>
                // Presentation attributes for the downloaded picture; the
                // page's styles (and its dark theme) take precedence here.
                <line class="axis" x1=x(0.0) y1=y(0.0) x2=x(1.0) y2=y(1.0) stroke-dasharray="4 3" stroke="#6b7280"/>
                <path d=path class="curve" fill="none" stroke="#1f5fa8" stroke-width="2.5"/>
                <text x=x(0.5) y=h - 4.0 text-anchor="middle" class="tick" font-size="11" fill="#6b7280">{t("kpis.customers_axis")}</text>
            </svg>
            <div>
                <h3>{t("kpis.how_concentrated_is_revenue")}</h3>
                <p data-testid="concentration-sentence">{tf("kpis.gini_index_0_every_customer", &[("0", &(top20.map(|s| tf("kpis.the_20_of_customers_who", &[("0", &format::percent(s))])).unwrap_or_default()).to_string()), ("1", &format::decimal(gini, 2))])}</p>
                <details><summary>{t("kpis.the_figures")}</summary>
                    <table><thead><tr><th scope="col" class="num">{t("kpis.customers_smallest_first")}</th><th scope="col" class="num">{t("kpis.their_share_of_revenue")}</th></tr></thead><tbody>{table}</tbody></table>
                </details>
                <crate::shell::ChartDownloads chart=model name="revenue-concentration" csv=lorenz_csv/>
            </div>
        </div>
    }
    .into_any()
}

/// True when an option of the "Compare" picker stands for the current
/// rows: the same rows, or their edited form (own bands, own journey
/// mapping).
fn same_choice(option: &Rows, current: &Rows) -> bool {
    match (option, current) {
        (
            Rows::Split(Split::Attribute { column: a, .. }),
            Rows::Split(Split::Attribute { column: b, .. }),
        ) => a == b,
        (Rows::Split(Split::Tier(Tier::Journey)), Rows::Split(Split::Journey { .. })) => true,
        (Rows::Split(Split::ChurnRisk { .. }), Rows::Split(Split::ChurnRisk { .. })) => true,
        _ => option == current,
    }
}

/// When the heatmap compares bands of a numeric column: the band edges,
/// editable (quartiles until set).
fn band_editor(state: AppState, rows: &Rows, columns: &[ColumnSummary]) -> Option<AnyView> {
    let Rows::Split(Split::Attribute { column, edges }) = rows else {
        return None;
    };
    let numeric = columns
        .iter()
        .any(|c| &c.name == column && matches!(c.kind, ColumnType::Integer | ColumnType::Number));
    if !numeric {
        return None;
    }
    let text = RwSignal::new(
        edges
            .as_ref()
            .map(|e| {
                e.iter()
                    .map(|x| x.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default(),
    );
    let column = column.clone();
    let apply = move |_| {
        let raw = text.get_untracked();
        let parsed: Result<Vec<f64>, _> = raw
            .split([',', ';', ' '])
            .filter(|s| !s.trim().is_empty())
            .map(|s| s.trim().parse::<f64>())
            .collect();
        match parsed {
            Ok(e) if !e.is_empty() => crate::compare::actions::set_rows(
                state,
                Rows::Split(Split::Attribute {
                    column: column.clone(),
                    edges: Some(e),
                }),
            ),
            Ok(_) => crate::compare::actions::set_rows(
                state,
                Rows::Split(Split::Attribute {
                    column: column.clone(),
                    edges: None,
                }),
            ),
            Err(_) => state.error.set(Some(tf(
                "kpis.is_not_a_list_of",
                &[("raw", &raw.to_string())],
            ))),
        }
    };
    Some(
        view! {
            <div class="thresholds">
                <label>{t("kpis.bands_start_at")}
                    <input type="text" data-testid="band-edges" placeholder=t("kpis.quartiles_or_e_g_25")
                        prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))/>
                </label>
                <button class="secondary" data-testid="apply-bands" on:click=apply>{t("kpis.apply")}</button>
            </div>
        }
        .into_any(),
    )
}

/// The segment a row of the KPI table stands for, as a definition.
fn row_definition(ws: &crate::state::Workspace, row: &str) -> Option<Definition> {
    match &ws.record.options.rows {
        Rows::Rfm => Some(Definition::Rfm(row.to_string())),
        Rows::Lifecycle => seglens_engine::segments::lifecycle::STAGES
            .iter()
            .find(|s| s.label() == row)
            .map(|s| Definition::Lifecycle(*s)),
        Rows::Saved => ws
            .record
            .options
            .segments
            .iter()
            .find(|s| s.name == row)
            .map(|s| s.definition.clone()),
        Rows::Split(split) => Some(Definition::Group {
            split: split.clone(),
            group: row.to_string(),
        }),
    }
}

/// The compared segments that fall into two camps, each with a button
/// that saves its two halves as segments.
fn split_suggestions(
    state: AppState,
    ws: &crate::state::Workspace,
) -> Option<impl IntoView + use<>> {
    let found: Vec<_> = ws
        .analysis
        .split_suggestions
        .iter()
        .filter_map(|s| row_definition(ws, &s.segment).map(|parent| (s.clone(), parent)))
        .collect();
    if found.is_empty() {
        return None;
    }
    let saved: Vec<String> = ws
        .record
        .options
        .segments
        .iter()
        .map(|s| s.name.clone())
        .collect();
    let items = found
        .into_iter()
        .map(|(s, parent)| {
            let names = s.halves.clone().map(|h| i18n::half_name(&s.segment, h.side));
            // Saved under the engine's name or, in French, under the page's.
            let done = s.halves.iter().zip(&names).all(|(h, name)| saved.contains(&h.name) || saved.contains(name));
            let halves: Vec<SavedSegment> = s
                .halves
                .iter()
                .zip(&names)
                .map(|(h, name)| SavedSegment {
                    name: name.clone(),
                    version: 1,
                    definition: Definition::Within {
                        parent: Box::new(parent.clone()),
                        rule: h.rule.clone(),
                    },
                    note: String::new(),
                })
                .collect();
            let label = tf("kpis.split_into_and", &[("0", &names[0]), ("1", &format::int(s.halves[0].customers)), ("2", &names[1]), ("3", &format::int(s.halves[1].customers))]);
            view! {
                <li data-testid="split-suggestion" data-segment=s.segment.clone() data-measure=s.measure.clone()>
                    <span>{i18n::split_sentence(&s)}</span>" "
                    {if done {
                        view! { <span class="muted">{t("kpis.both_halves_are_saved_segments")}</span> }.into_any()
                    } else {
                        view! {
                            <button class="secondary" data-testid="split-create"
                                on:click=move |_| crate::segments::actions::save_segments(state, halves.clone())>{label}</button>
                        }
                        .into_any()
                    }}
                </li>
            }
        })
        .collect_view();
    Some(view! {
        <div class="standouts" data-testid="split-suggestions">
            <strong>{t("kpis.segments_that_fall_into_two")}</strong>
            <p class="muted">{t("kpis.their_average_hides_two_different")}</p>
            <ul>{items}</ul>
        </div>
    })
}

/// The heatmap card.
#[component]
pub fn KpiHeatmap() -> impl IntoView {
    let state = expect_context::<AppState>();
    let sort = RwSignal::new(None::<(usize, bool)>);
    move || {
        state.workspace.get().map(|ws| {
            let table: KpiTable = ws.analysis.kpis.clone();
            let rows_choice = ws.record.options.rows.clone();
            let churn_days = ws.record.options.churn_period_days;
            let choices = compare_choices(&ws);
            let choices_for_change = choices.clone();
            let overlapping = matches!(rows_choice, Rows::Saved | Rows::Split(_));
            let by_column = matches!(rows_choice, Rows::Split(Split::Attribute { .. }));
            let has_page = matches!(rows_choice, Rows::Rfm | Rows::Saved);
            let saved_rows = matches!(rows_choice, Rows::Saved);
            // The groups of a split, ready to save as segments.
            let split_groups: Option<Vec<SavedSegment>> = match (&rows_choice, &ws.analysis.comparison) {
                (Rows::Split(split), Some(_)) if table.groups.len() > 1 && !table.groups.iter().any(|g| g == "Others") => Some(
                    table.groups[..table.groups.len() - 1]
                        .iter()
                        .map(|g| SavedSegment {
                            // Named as the table shows it; the group itself by the engine's name.
                            name: if matches!(split, Split::Attribute { .. }) { i18n::group_name(g) } else { g.clone() },
                            version: 1,
                            definition: Definition::Group { split: split.clone(), group: g.clone() },
                            note: String::new(),
                        })
                        .collect(),
                ),
                _ => None,
            };
            let n = table.groups.len();
            let customers = table.column(KpiId::Customers).unwrap_or(0);
            let mut rows: Vec<usize> = (0..n - 1)
                .filter(|g| table.values[*g][customers].value.unwrap_or(0.0) > 0.0)
                .collect();
            if let Some((k, descending)) = sort.get() {
                rows.sort_by(|a, b| {
                    let va = table.values[*a][k].value.unwrap_or(f64::NEG_INFINITY);
                    let vb = table.values[*b][k].value.unwrap_or(f64::NEG_INFINITY);
                    if descending { vb.total_cmp(&va) } else { va.total_cmp(&vb) }
                });
            }
            rows.push(n - 1);
            let mut needs: Vec<String> = table.values[n - 1].iter().filter_map(|v| v.missing.as_ref().map(i18n::message)).collect();
            needs.dedup();
            let standouts = crate::report::standout_lines(&table, 4, &ws.record.options);
            let suggestions = split_suggestions(state, &ws);
            let kpis = table.kpis.clone();
            let header = kpis.iter().enumerate().map(|(k, def)| {
                let title = format!(
                    "{}{}",
                    tf("kpis.click_to_sort", &[("0", &i18n::kpi_name(def)), ("1", &i18n::kpi_formula(def))]),
                    i18n::kpi_use(def).map(|text| format!("\n{}", tf("kpi.use", &[("text", &text)]))).unwrap_or_default()
                );
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
                            {i18n::kpi_name(def)}{arrow}
                        </button>
                    </th>
                }
            }).collect_view();
            let goals = ws.record.goals.clone();
            let saved = ws.record.options.segments.clone();
            let any_goal_shown = rows.iter().any(|g| goals.iter().any(|x| x.segment == table.groups[*g] && kpis.iter().any(|d| d.id == x.kpi)));
            let body = rows.into_iter().map(|g| {
                let name = table.groups[g].clone();
                let base_row = g == n - 1;
                let cells = kpis.iter().enumerate().map(|(k, def)| {
                    let v = table.values[g][k].clone();
                    let title = hover(def, &v, &i18n::group_name(&name));
                    let goal = goals.iter().find(|x| x.kpi == def.id && x.segment == name);
                    match v.value {
                        None => view! { <td class="num cell missing" title=title>"–"</td> }.into_any(),
                        Some(x) if goal.is_some() => {
                            // A goal is set on this cell: coloured against its target.
                            let goal = goal.expect("checked");
                            let index = seglens_engine::metrics::kpi::index_against_goal(x, goal, def.format);
                            let (bg, light) = chart::diverging_color(index, true);
                            let title = tf("kpis.ncoloured_against_the_goal", &[("title", &title.to_string()), ("0", &(if goal.at_least { t("kpis.at_least") } else { t("kpis.at_most") }).to_string()), ("1", &format::kpi_value(def.format, goal.target)), ("2", &t(if index >= 0.0 { "kpis.reached" } else { "kpis.not_yet" }))]);
                            view! {
                                <td class="num cell vs-goal" class:light=light data-testid="goal-cell"
                                    style=format!("background:{bg}") title=title>
                                    <span aria-hidden="true">"◎ "</span><span class="visually-hidden">{t("kpis.against_its_goal")}</span>{format::kpi_value(def.format, x)}
                                </td>
                            }.into_any()
                        }
                        Some(x) => {
                            let coloured = !base_row && !matches!(def.id.as_str(), "customers" | "revenue");
                            let not_significant = !base_row && v.p_value.is_some_and(|p| p >= 0.05);
                            // Not significant: a third of the colour (faded), in italics.
                            let (bg, light) = match (coloured, v.relative) {
                                (true, Some(rel)) => chart::diverging_color(
                                    if not_significant { rel / 3.0 } else { rel },
                                    def.higher_is_better,
                                ),
                                _ => ("transparent".to_string(), false),
                            };
                            view! {
                                <td class="num cell" class:light=light class:ns=not_significant
                                    class:plain=bg == "transparent"
                                    style=format!("background:{bg}") title=title>
                                    {format::kpi_value(def.format, x)}
                                </td>
                            }.into_any()
                        }
                    }
                }).collect_view();
                view! {
                    <tr class:base=base_row>
                        <th scope="row">
                            {
                                let shown = if by_column { i18n::group_name(&name) } else if saved_rows { i18n::segment_name(&name, &saved) } else { i18n::name("segment", &name) };
                                // An RFM or saved segment opens its own page.
                                if has_page && !base_row {
                                    view! { <a href=crate::route::Route::Segment(name.clone()).href()>{shown}</a> }.into_any()
                                } else {
                                    shown.into_any()
                                }
                            }
                        </th>
                        {cells}
                    </tr>
                }
            }).collect_view();
            view! {
                <section class="card" id="compare" data-testid="kpis">
                    <h2>{t("kpis.compare_segments_on_every_kpi")}</h2>
                    <div class="thresholds">
                        <label>{t("kpis.compare")}
                            <select data-testid="kpi-rows" on:change=move |ev| {
                                let v = event_target_value(&ev);
                                if let Some(rows) = choices_for_change.iter().find(|c| c.0 == v).map(|c| c.2.clone()) {
                                    crate::compare::actions::set_rows(state, rows)
                                }
                            }>
                                {choices.into_iter().map(|(value, label, rows, enabled)| {
                                    let selected = same_choice(&rows, &rows_choice);
                                    view! { <option value=value selected=selected disabled=!enabled>{label}</option> }
                                }).collect_view()}
                            </select>
                        </label>
                        <label title=t("kpis.churn_customers_who_ordered_in")>{t("kpis.churn_and_retention_over")}
                            <select data-testid="churn-period" on:change=move |ev| {
                                if let Ok(days) = event_target_value(&ev).parse::<i32>() {
                                    crate::compare::actions::set_churn_period(state, days)
                                }
                            }>
                                {[30, 60, 90, 180, 365].into_iter().map(|d| view! {
                                    <option value=d.to_string() selected=d == churn_days>{tf("kpis.days", &[("d", &d.to_string())])}</option>
                                }).collect_view()}
                            </select>
                        </label>
                        {overlapping.then(|| view! { <span class="muted small">{t("kpis.groups_may_overlap_each_is")}</span> })}
                    </div>
                    {ws.analysis.comparison.clone().map(|note| view! { <p class="muted small" data-testid="comparison-note">{i18n::message(&note)}</p> })}
                    {journey_editor(state, &rows_choice, &ws.analysis.event_names)}
                    {band_editor(state, &rows_choice, &ws.analysis.segments.columns)}
                    {split_groups.map(|groups| {
                        let groups = groups.clone();
                        view! {
                            <p>
                                <button class="secondary" data-testid="save-groups"
                                    on:click=move |_| crate::segments::actions::save_segments(state, groups.clone())>
                                    {t("kpis.save_these_groups_as_segments")}
                                </button>
                            </p>
                        }
                    })}
                    <p class="muted">
                        {t("kpis.each_cell_is_the_segment")}
                    </p>
                    {(!standouts.is_empty()).then(|| view! {
                        <div class="standouts" data-testid="standouts">
                            <strong>{t("kpis.what_stands_out")}</strong>
                            <ul>{standouts.into_iter().map(|s| view! { <li>{s}</li> }).collect_view()}</ul>
                        </div>
                    })}
                    {suggestions}
                    <div class="legend" aria-hidden="true">
                        <span>{t("kpis.worse_than_all_customers")}</span>
                        <span class="swatch" style=format!("background:{}", chart::diverging_color(-1.0, true).0)></span>
                        <span class="swatch" style=format!("background:{}", chart::diverging_color(-0.5, true).0)></span>
                        <span class="swatch" style=format!("background:{}", chart::diverging_color(0.0, true).0)></span>
                        <span class="swatch" style=format!("background:{}", chart::diverging_color(0.5, true).0)></span>
                        <span class="swatch" style=format!("background:{}", chart::diverging_color(1.0, true).0)></span>
                        <span>{t("kpis.better")}</span>
                        {any_goal_shown.then(|| view! { <span class="small">{t("kpis.a_cell_with_a_goal")}</span> })}
                    </div>
                    <div class="table-wrap" tabindex="0">
                        <table class="heatmap kpi-heatmap" data-testid="kpi-heatmap">
                            <thead><tr><th scope="col">{t("kpis.segment")}</th>{header}</tr></thead>
                            <tbody>{body}</tbody>
                        </table>
                    </div>
                    <crate::shell::CsvDownload name="kpis" csv=seglens_engine::metrics::kpi::table_csv(&table)/>
                    {crate::report::profile_model(&table, &ws.record.options, seglens_charts::Kind::Heatmap, usize::MAX).map(|model| {
                        let csv = model.csv("segment");
                        view! { <crate::shell::ChartDownloads chart=model name="kpi-heatmap" csv=csv label=t("downloads.heatmap_picture")/> }
                    })}
                    {crate::report::profile_model(&table, &ws.record.options, seglens_charts::Kind::Radar, 5).map(|model| {
                        let csv = model.csv("kpi");
                        view! { <crate::shell::ChartDownloads chart=model name="segment-profiles" csv=csv label=t("downloads.radar_picture")/> }
                    })}
                    {ws.analysis.concentration.clone().map(|(points, gini)| {
                        let top = table.column(KpiId::Top20Share)
                            .and_then(|k| table.values.last().and_then(|b| b[k].value));
                        lorenz_view(&points, gini, top)
                    })}
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

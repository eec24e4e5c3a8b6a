//! Export: the members of chosen segments, in the columns an e-mail tool
//! imports.

use leptos::prelude::*;
use seglens_engine::export::Layout;
use seglens_engine::export::sql::Dialect;
use seglens_engine::import::sources::SourceKind;

use crate::actions;
use crate::format;
use crate::i18n::{self, t, tf};
use crate::state::AppState;

/// How member lists are written: the layout, CSV or Excel, the
/// delimiter and, for the plain layout, the columns. Shared by every
/// download of members.
#[component]
pub fn ExportChoices(
    /// The test id of the controls, prefixing their own.
    #[prop(into)]
    testid: String,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let columns = move || {
        state.workspace.with(|ws| {
            let predictions = ws.as_ref().is_some_and(|w| w.analysis.prediction.is_ok());
            let categories = ws
                .as_ref()
                .is_some_and(|w| !w.analysis.segments.categories.is_empty());
            let mut all: Vec<String> = seglens_engine::export::own_columns(categories, predictions)
                .into_iter()
                .map(str::to_string)
                .collect();
            if let Some(ws) = ws {
                for c in &ws.analysis.segments.columns {
                    if !all.iter().any(|a| a.eq_ignore_ascii_case(&c.name)) {
                        all.push(c.name.clone());
                    }
                }
            }
            all
        })
    };
    let is_plain = move || state.export.with(|e| e.layout == Layout::Plain);
    let columns_id = format!("{testid}-columns");
    let hashed_id = format!("{testid}-hashed");
    let consent_id = format!("{testid}-consent");
    let (layout_id, format_id) = (format!("{testid}-layout"), format!("{testid}-format"));
    view! {
        <div class="thresholds" data-testid=format!("{testid}-choices")>
            <label>{t("export.columns_for")}
                <select data-testid=layout_id on:change=move |ev| {
                    if let Ok(i) = event_target_value(&ev).parse::<usize>() {
                        state.export.update(|e| e.layout = Layout::ALL[i]);
                    }
                }>
                    {Layout::ALL.iter().enumerate().map(|(i, l)| view! {
                        <option value=i.to_string() selected=move || state.export.with(|e| e.layout == *l)>{i18n::name("layout", l.label())}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>{t("export.file")}
                <select data-testid=format_id on:change=move |ev| {
                    let v = event_target_value(&ev);
                    state.export.update(|e| {
                        e.xlsx = v == "xlsx";
                        e.delimiter = if v == ";" { ';' } else { ',' };
                    });
                }>
                    <option value="," selected=move || state.export.with(|e| !e.xlsx && e.delimiter == ',')>{t("export.csv_commas")}</option>
                    <option value=";" selected=move || state.export.with(|e| !e.xlsx && e.delimiter == ';')>{t("export.csv_semicolons_excel_in_french")}</option>
                    <option value="xlsx" selected=move || state.export.with(|e| e.xlsx)>{t("export.excel_workbook_xlsx")}</option>
                </select>
            </label>
            <label class="pick" title=t("export.consent_help")>
                <input type="checkbox" data-testid=consent_id
                    prop:checked=move || state.export.with(|e| e.include_without_consent)
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        state.export.update(|e| e.include_without_consent = on);
                    }/>
                {t("export.include_without_consent")}
            </label>
            {move || state.export.with(|e| e.layout.is_audience()).then(|| view! {
                <p class="muted small" data-testid=hashed_id.clone()>{t("export.hashed_here")}</p>
            })}
            {move || is_plain().then(|| view! {
                <details class="columns-pick" data-testid=columns_id.clone()>
                    <summary>{move || state.export.with(|e| if e.columns.is_empty() {
                        t("export.columns_seglens_s_usual_ones")
                    } else {
                        tf("export.columns_chosen", &[("0", &(e.columns.len()).to_string())])
                    })}</summary>
                    <p class="muted small">{t("export.tick_the_columns_to_write")}</p>
                    {columns().into_iter().map(|c| {
                        let (c1, c2) = (c.clone(), c.clone());
                        view! {
                            <label class="pick">
                                <input type="checkbox" data-column=c.clone()
                                    prop:checked=move || state.export.with(|e| e.columns.contains(&c1))
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        let c = c2.clone();
                                        state.export.update(|e| {
                                            e.columns.retain(|x| *x != c);
                                            if on { e.columns.push(c); }
                                        });
                                    }/>
                                {c}
                            </label>
                        }
                    }).collect_view()}
                </details>
            })}
        </div>
    }
}

/// The SQL dialect and the names of the user's tables.
#[component]
pub fn SqlChoices(
    /// The test id prefix of the controls.
    #[prop(into)]
    testid: String,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let dialect_id = format!("{testid}-dialect");
    // Each imported table's kind and the columns the import mapped, by
    // role.
    let kinds = move || {
        state.workspace.with(|ws| {
            let Some(ws) = ws else { return Vec::new() };
            let mut kinds: Vec<(String, Vec<(String, String)>)> = vec![(
                "orders".to_string(),
                seglens_engine::export::segment_sql::orders_columns(ws.record.report.as_ref()),
            )];
            for s in &ws.record.sources {
                let k = match s.kind {
                    SourceKind::Customers => "customers",
                    SourceKind::Email => "email",
                    SourceKind::Surveys => "surveys",
                    SourceKind::Events => "events",
                    SourceKind::Tickets => "tickets",
                    SourceKind::Orders | SourceKind::Costs => continue,
                };
                let columns = s
                    .columns_used
                    .iter()
                    .filter_map(|c| c.split_once(": "))
                    .map(|(r, c)| (r.to_string(), c.to_string()))
                    .collect();
                kinds.retain(|(x, _)| x != k);
                kinds.push((k.to_string(), columns));
            }
            kinds
        })
    };
    view! {
        <div class="thresholds">
            <label>{t("export.sql_for")}
                <select data-testid=dialect_id on:change=move |ev| {
                    if let Ok(i) = event_target_value(&ev).parse::<usize>() {
                        state.sql_dialect.set(Dialect::ALL[i]);
                    }
                }>
                    {Dialect::ALL.iter().enumerate().map(|(i, d)| view! {
                        <option value=i.to_string() selected=move || state.sql_dialect.get() == *d>{d.label()}</option>
                    }).collect_view()}
                </select>
            </label>
            <details class="columns-pick">
                <summary>{t("export.your_table_and_column_names")}</summary>
                <p class="muted small">{t("export.the_query_reads_your_tables")}</p>
                {move || kinds().into_iter().map(|(k, columns)| {
                    let testid = testid.clone();
                    let (k1, k2) = (k.clone(), k.clone());
                    let roles = seglens_engine::export::segment_sql::Schema::roles(&k).iter().map(|role| {
                        let mapped = columns.iter().find(|(r, _)| r == role).map(|(_, c)| c.clone());
                        let (k3, k4, r1, r2) = (k.clone(), k.clone(), role.to_string(), role.to_string());
                        let id = format!("{}-column-{k}-{role}", testid);
                        view! {
                            <label class="pick small">{format!("{role} ")}
                                <input type="text" size="12" data-testid=id placeholder=if mapped.is_none() { t("export.not_imported") } else { String::new() }
                                    prop:value=move || state.sql_columns.with(|c| c.iter()
                                        .find(|(x, r, _)| *x == k3 && *r == r1)
                                        .map(|(_, _, n)| n.clone()))
                                        .or_else(|| mapped.clone())
                                        .unwrap_or_default()
                                    on:change=move |ev| {
                                        let v = event_target_value(&ev);
                                        let (k, r) = (k4.clone(), r2.clone());
                                        state.sql_columns.update(|c| {
                                            c.retain(|(x, y, _)| !(*x == k && *y == r));
                                            c.push((k, r, v));
                                        });
                                    }/>
                            </label>
                        }
                    }).collect_view();
                    view! {
                        <div class="sql-table">
                            <label class="pick">{tf("export.table", &[("k", &k.to_string())])}
                                <input type="text" data-testid=format!("{}-table-{k}", testid)
                                    prop:value=move || state.sql_tables.with(|t| t.iter().find(|(x, _)| *x == k1).map_or_else(|| k1.clone(), |(_, n)| n.clone()))
                                    on:change=move |ev| {
                                        let v = event_target_value(&ev);
                                        let k = k2.clone();
                                        state.sql_tables.update(|t| {
                                            t.retain(|(x, _)| *x != k);
                                            t.push((k, v));
                                        });
                                    }/>
                            </label>
                            <span class="muted small">" " {t("export.columns_colon")} " "</span>
                            {roles}
                        </div>
                    }
                }).collect_view()}
            </details>
        </div>
    }
}

/// The export card.
#[component]
pub fn ExportCard() -> impl IntoView {
    let state = expect_context::<AppState>();
    let chosen = RwSignal::new(Vec::<usize>::new());
    // Kept in the state: a record saved by the export draws the card again.
    let draft = state.control_group;
    let held = state.held_out;
    let today = seglens_engine::model::date::parse_iso(&actions::today());
    let day = move || draft.with(|d| d.day).or(today);
    let plan = move || {
        let d = draft.get_untracked();
        d.on.then(|| crate::act::actions::CampaignPlan {
            name: d.name,
            day: d.day.or(today).unwrap_or_default(),
            share: f64::from(d.share) / 100.0,
        })
    };
    move || {
        state.workspace.get().map(|ws| {
            let segments = ws.analysis.non_empty_segments();
            let sizes: Vec<(usize, u64)> = segments.iter().map(|(i, _, n)| (*i, *n)).collect();
            // Without a campaign, the ticked segments' customers expected
            // to order within 30 days (the results' window), in per cent:
            // the models' probabilities summed, over the customers.
            let by_segment = ws.analysis.prediction.as_ref().ok().map(|p| p.by_segment.clone());
            let expected = move || -> Option<f64> {
                let by_segment = by_segment.as_ref()?;
                let (orderers, customers) = chosen.with(|c| {
                    c.iter().filter_map(|i| by_segment.get(*i)).fold((0.0, 0u64), |(o, n), g| (o + g.orderers_30_days, n + g.customers))
                });
                (customers > 0).then(|| (100.0 * orderers / customers as f64 * 10.0).round() / 10.0)
            };
            let base_of =
                move || draft.with(|d| d.base).or_else(&expected).unwrap_or(5.0).clamp(0.1, 90.0);
            // The smallest uplift the test can detect, for the ticked
            // segments' customers split as chosen.
            let power = {
                let base_of = base_of.clone();
                move || {
                let listed: u64 = chosen.with(|c| sizes.iter().filter(|(i, _)| c.contains(i)).map(|(_, n)| n).sum());
                let share = draft.with(|d| f64::from(d.share) / 100.0);
                let base = base_of() / 100.0;
                let control = (listed as f64 * share).round() as u64;
                let treated = listed.saturating_sub(control);
                match seglens_engine::analysis::campaign::minimum_detectable_uplift(base, treated, control) {
                    None => t("export.holdout.power_none"),
                    Some(mde) => tf("export.holdout.power", &[
                        ("treated", &format::int(treated)),
                        ("control", &format::int(control)),
                        ("mde", &format::grouped(mde * 100.0, 1)),
                        ("base", &format::percent(base)),
                    ]),
                }
                }
            };
            view! {
                <section class="card" id="act" data-testid="export">
                    <h2>{t("export.act_on_a_segment_export")}</h2>
                    <p class="muted">
                        {t("export.download_the_customers_of_the")}
                    </p>
                    <fieldset class="segment-picks">
                        <legend>{t("export.segments")}</legend>
                        {segments.into_iter().map(|(i, name, n)| view! {
                            <label class="pick">
                                <input type="checkbox" data-testid=format!("export-{i}")
                                    prop:checked=move || chosen.get().contains(&i)
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        chosen.update(|c| { c.retain(|x| *x != i); if on { c.push(i); } });
                                    }/>
                                {format!("{} ({})", i18n::name("segment", &name), format::int(n))}
                            </label>
                        }).collect_view()}
                    </fieldset>
                    <ExportChoices testid="export"/>
                    <fieldset class="holdout" data-testid="holdout">
                        <legend>{t("export.holdout.title")}</legend>
                        <label class="pick">
                            <input type="checkbox" data-testid="holdout-on"
                                prop:checked=move || draft.with(|d| d.on)
                                on:change=move |ev| draft.update(|d| d.on = event_target_checked(&ev))/>
                            {t("export.holdout.on")}
                        </label>
                        {move || draft.with(|d| d.on).then(|| view! {
                            <div class="thresholds">
                                <label>{t("export.holdout.name")}
                                    <input type="text" data-testid="holdout-name"
                                        placeholder=t("export.holdout.name_example")
                                        prop:value=move || draft.with(|d| d.name.clone())
                                        on:input=move |ev| draft.update(|d| d.name = event_target_value(&ev))/>
                                </label>
                                <label>{t("export.holdout.share")}
                                    <input type="number" min="5" max="50" data-testid="holdout-share"
                                        prop:value=move || draft.with(|d| d.share.to_string())
                                        on:change=move |ev| {
                                            if let Ok(p) = event_target_value(&ev).parse::<u32>() {
                                                draft.update(|d| d.share = p.clamp(5, 50));
                                            }
                                        }/>
                                </label>
                                <label>{t("export.holdout.day")}
                                    <input type="date" data-testid="holdout-day"
                                        prop:value=move || day().map(seglens_engine::model::date::format_iso).unwrap_or_default()
                                        on:change=move |ev| {
                                            let chosen = seglens_engine::model::date::parse_iso(&event_target_value(&ev));
                                            draft.update(|d| d.day = chosen);
                                        }/>
                                </label>
                                <label title=t("export.holdout.base_help")>{t("export.holdout.base")}
                                    <input type="number" min="0.1" max="90" step="0.1" data-testid="holdout-base"
                                        prop:value={
                                            let base_of = base_of.clone();
                                            move || base_of().to_string()
                                        }
                                        on:change=move |ev| {
                                            if let Ok(b) = event_target_value(&ev).replace(',', ".").parse::<f64>() {
                                                draft.update(|d| d.base = Some(b.clamp(0.1, 90.0)));
                                            }
                                        }/>
                                </label>
                            </div>
                            <p data-testid="holdout-power">{power.clone()}</p>
                            <p class="muted small">{t("export.holdout.how")}</p>
                        })}
                    </fieldset>
                    <p>
                        <button class="primary" data-testid="export-download"
                            on:click=move |_| {
                                let mut picked = chosen.get_untracked();
                                picked.sort_unstable();
                                crate::act::actions::export_members(state, picked, plan(), held)
                            }>
                            {t("export.download")}
                        </button>
                        " "
                        <crate::shell::ExportProgress/>
                    </p>
                    <h3>{t("export.run_the_same_segments_in")}</h3>
                    <p class="muted">
                        {t("export.a_sql_query_over_your")}
                    </p>
                    <SqlChoices testid="sql"/>
                    <p>
                        <button class="secondary" data-testid="sql-download"
                            on:click=move |_| {
                                let mut picked = chosen.get_untracked();
                                picked.sort_unstable();
                                crate::act::actions::export_sql(state, picked)
                            }>
                            {t("export.download_sql")}
                        </button>
                    </p>
                    {move || state.last_sql.get().map(|q| view! {
                        <details class="sql"><summary>{t("export.the_query")}</summary><pre data-testid="sql-text">{q}</pre></details>
                    })}
                    {move || state.last_export.get().map(|(name, rows, skipped, refused)| view! {
                        <p class="muted" data-testid="export-result">
                            {tf("export.written", &[("name", &name.to_string()), ("0", &i18n::tn("count.customers", rows, &[]))])}
                            {(skipped > 0).then(|| tf("export.left_out_no_e_mail", &[("0", &format::int(skipped))]))}
                            {(refused > 0).then(|| view! { " " <span data-testid="export-without-consent">{i18n::tn("export.without_consent", refused, &[])}</span> })}
                        </p>
                    })}
                    {move || held.get().map(|(campaign, n)| view! {
                        <p class="hint" data-testid="holdout-result">
                            {i18n::tn("export.holdout.kept", n, &[("name", &campaign)])}
                            " "
                            <a href=crate::route::Route::Page(crate::route::Page::Act, "results").href()>{t("export.holdout.see")}</a>
                        </p>
                    })}
                </section>
            }
        })
    }
}

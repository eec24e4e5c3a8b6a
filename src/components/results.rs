//! The RFM results: segment table, chart and what the importer understood.

use leptos::prelude::*;
use seglens_engine::date::format_iso;
use seglens_engine::rfm;

use crate::actions;
use crate::chart;
use crate::components::{
    ActivityCard, ClustersCard, CompareTwoCard, CrossSellCard, ExportCard, FilePicker, FunnelCard,
    GoalsCard, HistoryCard, KpiHeatmap, LifecycleCard, NotesCard, OverTimeCard, PathsCard,
    Predictions, ProjectPicker, RfmEditor, RuleBuilder, SavedSegments, StageMixCard, Suggestions,
    UsageCard,
};
use crate::format;
use crate::state::AppState;

/// The analysed workspace.
#[component]
pub fn Results() -> impl IntoView {
    let state = expect_context::<AppState>();
    let confirm_delete = RwSignal::new(false);
    let ws = move || state.workspace.get();
    view! {
        {move || ws().map(|ws| {
            let a = ws.analysis.clone();
            view! {
                <section class="toolbar">
                    <div>
                        <h1 data-testid="source">{ws.record.source.clone()}</h1>
                        <p class="muted">
                            {format!(
                                "{} order rows · {} customers scored · analysis date {}",
                                format::int(a.rows),
                                format::int(a.scored),
                                format_iso(a.as_of)
                            )}
                        </p>
                    </div>
                    <div class="actions">
                        <FilePicker label="Import another file"/>
                        <button class="secondary" data-testid="download-report"
                            title="One HTML file with the tables and charts, to share; it opens offline and prints to PDF"
                            on:click=move |_| actions::download_report(state)>
                            "Download report"
                        </button>
                        <button class="ghost" data-testid="copy-summary"
                            title="A short summary in Markdown, to paste into an e-mail or a chat"
                            on:click=move |_| actions::copy_summary(state)>
                            "Copy summary"
                        </button>
                        <button class="secondary" data-testid="save-project"
                            title="One file with your data and settings, to open in another browser or on another computer"
                            on:click=move |_| actions::save_project(state)>
                            "Save project file"
                        </button>
                        <ProjectPicker/>
                        <button class="secondary" on:click=move |_| actions::explore_demo(state)>
                            "Load demo data"
                        </button>
                        {move || if confirm_delete.get() {
                            view! {
                                <span class="confirm">
                                    "Delete every project and everything stored?"
                                    <button class="danger" data-testid="confirm-delete"
                                        on:click=move |_| {
                                            confirm_delete.set(false);
                                            actions::delete_all(state);
                                        }>"Delete"</button>
                                    <button class="ghost" on:click=move |_| confirm_delete.set(false)>
                                        "Keep"
                                    </button>
                                </span>
                            }.into_any()
                        } else {
                            view! {
                                <button class="ghost" data-testid="delete-all"
                                    on:click=move |_| confirm_delete.set(true)>
                                    "Delete all my data"
                                </button>
                            }.into_any()
                        }}
                    </div>
                </section>
                <nav class="sections" aria-label="Sections">
                    <a href="#segments">"Segments"</a>
                    <a href="#rules">"Rules"</a>
                    <a href="#lifecycle">"Lifecycle"</a>
                    <a href="#my-segments">"My segments"</a>
                    <a href="#compare">"Compare"</a>
                    <a href="#goals">"Goals"</a>
                    <a href="#notes">"Notes"</a>
                    <a href="#history">"History"</a>
                    {ws.analysis.funnel.is_some().then(|| view! { <a href="#journeys">"Journeys"</a> })}
                    <a href="#over-time">"Over time"</a>
                    <a href="#suggestions">"Act"</a>
                    <a href="#predict">"Predict"</a>
                    <a href="#data">"Data"</a>
                </nav>
                <SegmentTable/>
                <SegmentChart/>
                <RfmEditor/>
                <LifecycleCard/>
                <SavedSegments/>
                <RuleBuilder/>
                <ClustersCard/>
                <KpiHeatmap/>
                <CompareTwoCard/>
                <GoalsCard/>
                <NotesCard/>
                <HistoryCard/>
                <FunnelCard/>
                <UsageCard/>
                <PathsCard/>
                <StageMixCard/>
                <OverTimeCard/>
                <ActivityCard/>
                <Suggestions/>
                <CrossSellCard/>
                <ExportCard/>
                <Predictions/>
                <ImportSummary/>
            }
        })}
    }
}

fn rule_text(rules: &[rfm::SegmentRule], name: &str) -> String {
    rules
        .iter()
        .find(|r| r.name == name)
        .map(|r| {
            format!(
                "Recency score {}–{}, frequency {}–{}, monetary {}–{} (the first matching rule wins)",
                r.r.0, r.r.1, r.f.0, r.f.1, r.m.0, r.m.1
            )
        })
        .unwrap_or_else(|| "Customers that no rule matches".to_string())
}

/// Customers, revenue, orders and average order value per segment.
#[component]
fn SegmentTable() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        state.workspace.get().map(|ws| {
            let summary = ws.analysis.summary.clone();
            let rules = ws.record.options.rfm.rules.clone();
            let predicted: Vec<Option<seglens_engine::clv::GroupPrediction>> = match &ws.analysis.prediction {
                Ok(p) => p.by_segment.iter().cloned().map(Some).collect(),
                Err(_) => vec![None; summary.len()],
            };
            let total_clv = ws.analysis.prediction.as_ref().ok().map(|p| p.clv);
            let mean_alive = ws.analysis.prediction.as_ref().ok().map(|p| {
                let n: u64 = p.by_segment.iter().map(|g| g.repeat_customers).sum();
                p.by_segment.iter().map(|g| g.mean_p_alive * g.repeat_customers as f64).sum::<f64>() / n.max(1) as f64
            });
            let total_customers: u64 = summary.iter().map(|s| s.customers).sum();
            let total_orders: u64 = summary.iter().map(|s| s.orders).sum();
            let total_revenue: f64 = summary.iter().map(|s| s.revenue).sum();
            view! {
                <section class="card" id="segments">
                    <h2>"RFM segments"</h2>
                    <p class="muted">
                        "Each customer gets a score from 1 to 5 for recency (days since the last order), "
                        "frequency (number of orders) and monetary value (total spend), by quintiles as in R's "
                        "rfm package; the segment is the first rule that matches the three scores."
                    </p>
                    <div class="table-wrap" tabindex="0">
                    <table data-testid="rfm-table">
                        <thead>
                            <tr>
                                <th scope="col">"Segment"</th>
                                <th scope="col" class="num" title="Customers in the segment">"Customers"</th>
                                <th scope="col" class="num" title="Customers in the segment ÷ all scored customers">"Share"</th>
                                <th scope="col" class="num" title="Sum of order amounts, refunds deducted">"Revenue"</th>
                                <th scope="col" class="num" title="Segment revenue ÷ total revenue">"Revenue share"</th>
                                <th scope="col" class="num" title="Orders placed (refunds are not orders)">"Orders"</th>
                                <th scope="col" class="num" title="Average order value = revenue ÷ orders">"Avg order value"</th>
                                <th scope="col" class="num" title="Mean probability of still being active among the segment's repeat buyers (BG/NBD model, which cannot judge one-time buyers)">"Chance still active"</th>
                                <th scope="col" class="num" title="Sum of the customers' predicted value over the next 12 months (BG/NBD × Gamma-Gamma, discounted 1% a month)">"Predicted value, 12 months"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {summary.into_iter().zip(predicted).map(|(s, g)| view! {
                                <tr class:empty=s.customers == 0>
                                    <th scope="row" title=rule_text(&rules, &s.segment)>{s.segment.clone()}</th>
                                    <td class="num">{format::int(s.customers)}</td>
                                    <td class="num">{format::percent(s.customer_share)}</td>
                                    <td class="num">{format::money(s.revenue)}</td>
                                    <td class="num">{format::percent(s.revenue_share)}</td>
                                    <td class="num">{format::int(s.orders)}</td>
                                    <td class="num">{format::money(s.aov)}</td>
                                    <td class="num">{g.as_ref().filter(|g| g.repeat_customers > 0).map(|g| format::percent(g.mean_p_alive)).unwrap_or_else(|| "–".into())}</td>
                                    <td class="num">{g.as_ref().filter(|g| g.customers > 0).map(|g| format::money(g.clv)).unwrap_or_else(|| "–".into())}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                        <tfoot>
                            <tr>
                                <th scope="row">"All customers"</th>
                                <td class="num">{format::int(total_customers)}</td>
                                <td class="num">"100%"</td>
                                <td class="num">{format::money(total_revenue)}</td>
                                <td class="num">"100%"</td>
                                <td class="num">{format::int(total_orders)}</td>
                                <td class="num">{format::money(if total_orders > 0 { total_revenue / total_orders as f64 } else { 0.0 })}</td>
                                <td class="num">{mean_alive.map(format::percent).unwrap_or_else(|| "–".into())}</td>
                                <td class="num">{total_clv.map(format::money).unwrap_or_else(|| "–".into())}</td>
                            </tr>
                        </tfoot>
                    </table>
                    </div>
                </section>
            }
        })
    }
}

/// The segment shares as a bar chart.
#[component]
fn SegmentChart() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        state.workspace.get().map(|ws| {
            match chart::segment_shares_svg(&ws.analysis.summary) {
                Ok(svg) => {
                    let mut csv = String::from("segment,customers,customer_share,revenue,revenue_share\n");
                    for r in &ws.analysis.summary {
                        csv.push_str(&format!(
                            "{},{},{:.4},{:.2},{:.4}\n",
                            crate::components::csv_field(&r.segment),
                            r.customers,
                            r.customer_share,
                            r.revenue,
                            r.revenue_share
                        ));
                    }
                    view! {
                        <section class="card">
                            <h2>"Where the customers are, and where the revenue is"</h2>
                            <div class="chart" data-testid="rfm-chart" role="img"
                                aria-label="Bar chart of the share of customers and of revenue in each segment; the table above has the same figures."
                                inner_html=svg></div>
                            <crate::components::ChartDownloads selector="[data-testid=rfm-chart] svg" name="rfm-segments" csv=csv/>
                        </section>
                    }.into_any()
                }
                Err(e) => view! { <p class="muted">{format!("The chart could not be drawn: {e}")}</p> }.into_any(),
            }
        })
    }
}

/// What the importer understood of the file, and the rows it rejected.
#[component]
fn ImportSummary() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        state.workspace.get().and_then(|ws| ws.record.report.clone().map(|r| (ws, r))).map(|(ws, r)| {
            let columns = r
                .columns
                .iter()
                .filter_map(|c| c.role.map(|role| format!("{} → {}", c.name, role.key())))
                .collect::<Vec<_>>()
                .join(", ");
            let rejected = r.rejected.iter().take(50).cloned().collect::<Vec<_>>();
            // Every listed rejected row, as a CSV to fix and import again:
            // where and why, then the row's fields under the file's names.
            let names: Vec<String> = r.columns.iter().map(|c| c.name.clone()).collect();
            let orders_csv = rejected_csv(&r.rejected, &names);
            let orders_name = format!("{}-rejected", file_stem(&r.file_name));
            let listed = r.rejected.len();
            let total = r.rejected_total;
            let sources_with_rejects: Vec<(String, String, usize)> = ws
                .record
                .sources
                .iter()
                .filter(|s| !s.rejected.is_empty())
                .map(|s| {
                    let width = s.rejected.iter().map(|e| e.values.len()).max().unwrap_or(0);
                    let names: Vec<String> = (1..=width).map(|k| format!("field {k}")).collect();
                    (format!("{}-rejected", file_stem(&s.file_name)), rejected_csv(&s.rejected, &names), s.rejected.len())
                })
                .collect();
            view! {
                <section class="card" id="data" data-testid="import-report">
                    <h2>"What was read"</h2>
                    <p>
                        {format!(
                            "{}: {} accepted, {} rejected, {}, {}.",
                            r.file_name,
                            format::count(r.rows, "row", "rows"),
                            format::int(r.rejected_total),
                            format::count(r.refunds, "refund", "refunds"),
                            format::count(r.customers, "customer", "customers")
                        )}
                    </p>
                    <p class="muted">
                        {format!(
                            "{} · {} · {} · dates {} · decimal separator “{}” · columns used: {}",
                            if r.encoding_chosen { format!("{} (as chosen)", r.encoding.label()) } else { r.encoding.label().to_string() },
                            if r.delimiter == "JSON lines" || r.delimiter.contains("sheet") { r.delimiter.clone() } else { format!("delimiter {}", r.delimiter) },
                            if r.delimiter == "JSON lines" { "the objects' keys as columns" } else if r.has_header { "header line" } else { "no header line" },
                            r.date_format,
                            r.decimal_separator,
                            columns
                        )}
                    </p>
                    {r.date_format_note.clone().map(|note| view! { <p class="muted" data-testid="date-note">{note}</p> })}
                    {state.services.with_value(|s| s.order_file.borrow().as_ref().is_some_and(|f| f.name() == r.file_name)).then(|| view! {
                        <p>
                            <button class="secondary" data-testid="change-columns"
                                on:click=move |_| crate::actions::open_column_choice(state, None)>
                                {if r.delimiter.contains("sheet") {
                                    "Change the sheet, or which columns are the customer, the date and the amount"
                                } else {
                                    "Change which columns are the customer, the date and the amount"
                                }}
                            </button>
                        </p>
                    })}
                    {move || state.last_import.get().map(|(t, save_ms)| view! {
                        <p
                            class="muted"
                            data-testid="import-timing"
                            data-read-ms=format!("{:.0}", t.read_ms)
                            data-analyse-ms=format!("{:.0}", t.analyse_ms)
                            data-save-ms=format!("{save_ms:.0}")
                            data-memory-bytes=t.memory_bytes.to_string()
                        >
                            {format!(
                                "Read in {}, analysed in {}, saved on this device in {}, all in this browser (the engine's memory: {}, the most it has needed since the page opened).",
                                format::seconds(t.read_ms / 1000.0),
                                format::seconds(t.analyse_ms / 1000.0),
                                format::seconds(save_ms / 1000.0),
                                format::bytes(t.memory_bytes)
                            )}
                        </p>
                    })}
                    {(r.duplicate_rows > 0).then(|| {
                        let listed: Vec<String> = r.duplicates.iter().take(5).map(|(l, f)| format!("line {l} = line {f}")).collect();
                        view! {
                            <p class="warn" data-testid="duplicate-rows">
                                {format!(
                                    "{} ({}{}). Kept, as two identical orders can be real; if a copy is the same order exported twice, remove it and import again.",
                                    if r.duplicate_rows == 1 { "1 row repeats an earlier row exactly".to_string() } else { format!("{} rows repeat earlier rows exactly", format::int(r.duplicate_rows)) },
                                    listed.join(", "),
                                    if r.duplicate_rows > 5 { ", …" } else { "" }
                                )}
                            </p>
                        }
                    })}
                    {(r.future_rows > 0).then(|| {
                        let listed: Vec<String> = r.future.iter().take(5).map(|(l, d)| format!("line {l}: {}", seglens_engine::date::format_iso(*d))).collect();
                        view! {
                            <p class="warn" data-testid="future-rows">
                                {format!(
                                    "{} dated after today ({}{}). Kept; check that the dates were read the right way round (day and month) and that the file is the right one.",
                                    format::count(r.future_rows, "order is", "orders are"),
                                    listed.join(", "),
                                    if r.future_rows > 5 { ", …" } else { "" }
                                )}
                            </p>
                        }
                    })}
                    {(r.extreme_amount_count > 0).then(|| {
                        let listed: Vec<String> = r.extreme_amounts.iter().take(5).map(|a| format::money(*a)).collect();
                        view! {
                            <p class="warn" data-testid="extreme-amounts">
                                {format!(
                                    "{} far beyond the others ({}). Kept; look for a typing slip or a total row, as one such amount moves a whole segment's revenue.",
                                    format::count(r.extreme_amount_count, "amount is", "amounts are"),
                                    listed.join(", ")
                                )}
                            </p>
                        }
                    })}
                    {ws.record.sources.iter().map(|s| {
                        let name = s.file_name.clone();
                        let here = state.services.with_value(|sv| sv.source_files.borrow().iter().any(|f| f.name() == name));
                        view! {
                        <p data-testid="source-report">
                            {format!(
                                "{}: {} {}, {} rejected, {} customers without orders{}; columns used: {}.",
                                s.file_name,
                                format::int(s.rows),
                                match s.kind {
                                    seglens_engine::sources::SourceKind::Email => "e-mails",
                                    seglens_engine::sources::SourceKind::Surveys => "survey answers",
                                    seglens_engine::sources::SourceKind::Customers => "customers",
                                    seglens_engine::sources::SourceKind::Events => "events",
                                    seglens_engine::sources::SourceKind::Tickets => "support tickets",
                                    seglens_engine::sources::SourceKind::Costs => "marketing cost rows",
                                    seglens_engine::sources::SourceKind::Orders => "rows",
                                },
                                format::int(s.rejected_total),
                                format::int(s.customers_without_orders),
                                match (s.kind, s.not_in_customers_file) {
                                    (_, None | Some(0)) => String::new(),
                                    (seglens_engine::sources::SourceKind::Customers, Some(n)) => {
                                        format!(", {} who ordered not listed in it", format::count(n, "customer", "customers"))
                                    }
                                    (_, Some(n)) => format!(", {} not in the customers file", format::count(n, "customer", "customers")),
                                },
                                s.columns_used.join(", ")
                            )}
                            {here.then(|| view! {
                                " "
                                <button class="secondary small" data-testid="change-source-columns"
                                    on:click=move |_| crate::actions::open_source_choice(state, name.clone())>
                                    "Change how this file is read"
                                </button>
                            })}
                        </p>
                        {(s.suspicious_total > 0).then(|| {
                            let listed: Vec<String> = s.suspicious.iter().take(5).map(|e| {
                                format!("line {}{}: {}", e.line, e.column.as_ref().map(|c| format!(" ({c})")).unwrap_or_default(), e.reason)
                            }).collect();
                            view! {
                                <p class="warn" data-testid="source-suspicious">
                                    {format!(
                                        "{}: {} with a value to check ({}{}). Kept as they are; fix them in the file and import it again if they are typing slips.",
                                        s.file_name,
                                        format::count(s.suspicious_total, "row", "rows"),
                                        listed.join("; "),
                                        if s.suspicious_total > 5 { "; …" } else { "" }
                                    )}
                                </p>
                            }
                        })}
                    }}).collect_view()}
                    {(!rejected.is_empty()).then(|| view! {
                        <table class="rejected" data-testid="rejected-rows">
                            <thead><tr>
                                <th scope="col">"Line"</th>
                                <th scope="col">"Column"</th>
                                <th scope="col">"Why it was rejected"</th>
                            </tr></thead>
                            <tbody>
                                {rejected.into_iter().map(|e| view! {
                                    <tr>
                                        <td class="num">{e.line}</td>
                                        <td>{e.column.unwrap_or_default()}</td>
                                        <td>{e.reason}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    })}
                    {(listed > 0).then(|| {
                        let (name, csv) = (orders_name.clone(), orders_csv.clone());
                        view! {
                            <button class="secondary" data-testid="download-rejected" on:click=move |_| crate::components::save_csv(state, &name, &csv)>
                                {if total > listed as u64 {
                                    format!("Download the first {} of the {} rejected rows (CSV)", format::int(listed as u64), format::int(total))
                                } else {
                                    format!("Download the {} rejected rows (CSV)", format::int(total))
                                }}
                            </button>
                        }
                    })}
                    {sources_with_rejects.into_iter().map(|(name, csv, n)| {
                        let label = format!("Download the {} rejected rows of {} (CSV)", format::int(n as u64), name.trim_end_matches("-rejected"));
                        view! {
                            <button class="secondary" data-testid="download-rejected-source" on:click=move |_| crate::components::save_csv(state, &name, &csv)>
                                {label}
                            </button>
                        }
                    }).collect_view()}
                </section>
            }
        })
    }
}

/// Rejected rows as CSV: line, column and reason, then the row's fields.
fn rejected_csv(rows: &[seglens_engine::orders::RowError], names: &[String]) -> String {
    use crate::components::csv_field;
    let mut out = String::from("line,column,reason");
    for n in names {
        out.push(',');
        out.push_str(&csv_field(n));
    }
    out.push('\n');
    for e in rows {
        out.push_str(&format!(
            "{},{},{}",
            e.line,
            csv_field(e.column.as_deref().unwrap_or("")),
            csv_field(&e.reason)
        ));
        for v in &e.values {
            out.push(',');
            out.push_str(&csv_field(v));
        }
        out.push('\n');
    }
    out
}

/// A file's name without its extension.
fn file_stem(name: &str) -> String {
    match name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem.to_string(),
        _ => name.to_string(),
    }
}

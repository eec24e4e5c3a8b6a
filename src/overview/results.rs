//! The RFM results (segment table and chart) and what the importer
//! understood.

use leptos::prelude::*;
use seglens_engine::segments::rfm;

use crate::format;
use crate::i18n::{self, t, tf, tn};
use crate::state::AppState;

/// The currency amounts are written in: the one the order file named,
/// or the user's choice, kept with the project.
#[component]
pub(crate) fn CurrencyChoice(
    /// The currency in use (an ISO 4217 code), if any.
    chosen: Option<String>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let chosen = chosen.unwrap_or_default();
    view! {
        <label class="currency-choice">
            {t("results.currency")}
            <select data-testid="currency" title=t("results.currency_help")
                on:change=move |ev| {
                    let code = event_target_value(&ev);
                    crate::data::actions::choose_currency(state, (!code.is_empty()).then_some(code));
                }>
                <option value="" selected=chosen.is_empty()>{t("results.currency_none")}</option>
                {format::CURRENCIES.iter().map(|c| {
                    // The sign as the interface's language writes it.
                    let sign = match i18n::locale() {
                        i18n::Locale::En => c.en,
                        i18n::Locale::Fr => c.fr,
                    };
                    let label = if sign == c.code { c.code.to_string() } else { format!("{} ({sign})", c.code) };
                    view! { <option value=c.code selected=chosen == c.code>{label}</option> }
                }).collect_view()}
            </select>
        </label>
    }
}

/// The analysed workspace.
pub(crate) fn rule_text(rules: &[rfm::SegmentRule], name: &str) -> String {
    rules
        .iter()
        .find(|r| r.name == name)
        .map(|r| {
            let n = |x: u8| x.to_string();
            tf(
                "results.rule_text",
                &[
                    ("r0", &n(r.r.0)),
                    ("r1", &n(r.r.1)),
                    ("f0", &n(r.f.0)),
                    ("f1", &n(r.f.1)),
                    ("m0", &n(r.m.0)),
                    ("m1", &n(r.m.1)),
                ],
            )
        })
        .unwrap_or_else(|| t("results.no_rule"))
}

/// Customers, revenue, orders and average order value per segment.
#[component]
pub(crate) fn SegmentTable() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        state.workspace.get().map(|ws| {
            let summary = ws.analysis.summary.clone();
            let rules = ws.record.options.rfm.rules.clone();
            let predicted: Vec<Option<seglens_engine::models::clv::GroupPrediction>> = match &ws.analysis.prediction {
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
                    <h2>{t("results.rfm_title")}</h2>
                    <p class="muted">{t("results.rfm_intro")}</p>
                    <crate::shell::HowToUse kind="rfm"/>
                    <div class="table-wrap" tabindex="0">
                    <table data-testid="rfm-table">
                        <thead>
                            <tr>
                                <th scope="col">{t("col.segment")}</th>
                                <th scope="col" class="num" title=t("col.customers.help")>{t("col.customers")}</th>
                                <th scope="col" class="num" title=t("col.share.help")>{t("col.share")}</th>
                                <th scope="col" class="num" title=t("col.revenue.help")>{t("col.revenue")}</th>
                                <th scope="col" class="num" title=t("col.revenue_share.help")>{t("col.revenue_share")}</th>
                                <th scope="col" class="num" title=t("col.orders.help")>{t("col.orders")}</th>
                                <th scope="col" class="num" title=t("col.aov.help")>{t("col.aov")}</th>
                                <th scope="col" class="num" title=t("col.alive.help")>{t("col.alive")}</th>
                                <th scope="col" class="num" title=t("col.clv.help")>{t("col.clv")}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {summary.into_iter().zip(predicted).map(|(s, g)| view! {
                                <tr class:empty=s.customers == 0>
                                    <th scope="row" title=rule_text(&rules, &s.segment)>
                                        <a href=crate::route::Route::Segment(s.segment.clone()).href()>{i18n::name("segment", &s.segment)}</a>
                                    </th>
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
                                <th scope="row">{t("results.all_customers")}</th>
                                <td class="num">{format::int(total_customers)}</td>
                                <td class="num">{format::percent(1.0)}</td>
                                <td class="num">{format::money(total_revenue)}</td>
                                <td class="num">{format::percent(1.0)}</td>
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
pub(crate) fn SegmentChart() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        state.workspace.get().map(|ws| {
            let svg = crate::report::shares_chart(&ws.analysis.summary);
            let mut csv = String::from("segment,customers,customer_share,revenue,revenue_share\n");
            for r in &ws.analysis.summary {
                csv.push_str(&format!(
                    "{},{},{:.4},{:.2},{:.4}\n",
                    crate::shell::csv_field(&r.segment),
                    r.customers,
                    r.customer_share,
                    r.revenue,
                    r.revenue_share
                ));
            }
            let standout = chart_summary(&ws.analysis.summary);
            view! {
                <section class="card">
                    <h2>{t("chart.shares.heading")}</h2>
                    {standout.map(|text| view! { <p class="lead" data-testid="rfm-chart-summary">{text}</p> })}
                    <div class="chart" data-testid="rfm-chart" role="img"
                        aria-label=t("chart.shares.alt")
                        inner_html=svg></div>
                    <crate::shell::ChartDownloads chart=crate::report::shares_model(&ws.analysis.summary) name="rfm-segments" csv=csv/>
                </section>
            }
        })
    }
}

/// One sentence on what stands out in the chart: the segment whose share
/// of revenue is furthest above its share of customers.
fn chart_summary(summary: &[seglens_engine::SegmentSummary]) -> Option<String> {
    let top = summary.iter().filter(|s| s.customers > 0).max_by(|a, b| {
        (a.revenue_share - a.customer_share).total_cmp(&(b.revenue_share - b.customer_share))
    })?;
    Some(tf(
        "chart.shares.summary",
        &[
            ("segment", &i18n::name("segment", &top.segment)),
            ("customers", &format::percent(top.customer_share)),
            ("revenue", &format::percent(top.revenue_share)),
        ],
    ))
}

/// How a platform's export was read: the platform, order lines grouped
/// into orders, orders left out for their status (with a switch to keep
/// them), refunds taken off and cancellation invoices.
#[component]
fn OrderLinesAndStatuses(report: seglens_engine::ImportReport) -> impl IntoView {
    let state = expect_context::<AppState>();
    let r = report;
    let file_here = state.services.with_value(|s| {
        s.order_file
            .borrow()
            .as_ref()
            .is_some_and(|f| f.name() == r.file_name)
    });
    let platform = r.platform.clone().map(|id| {
        view! {
            <p class="muted" data-testid="platform">
                {tf("report.platform", &[("platform", &t(&format!("platform.{id}")))])}
            </p>
        }
    });
    // Said only when lines were grouped: a file of one row per payment
    // (Stripe, Square) made as many orders as rows.
    let lines = r.lines.clone().filter(|l| l.rows > l.orders).map(|l| {
        use seglens_engine::import::orders::AmountFrom;
        let from = match &l.amount_from {
            AmountFrom::OrderTotal { column } => {
                tf("report.from.order_total", &[("column", column)])
            }
            AmountFrom::LineTotals { column } => {
                tf("report.from.line_totals", &[("column", column)])
            }
            AmountFrom::QuantityTimesPrice { quantity, price } => tf(
                "report.from.quantity_times_price",
                &[("quantity", quantity), ("price", price)],
            ),
            AmountFrom::UnitPrices { column } => {
                tf("report.from.unit_prices", &[("column", column)])
            }
        };
        view! {
            <p data-testid="order-lines">
                {tf("report.lines", &[
                    ("rows", &tn("count.rows", l.rows, &[])),
                    ("orders", &tn("count.orders", l.orders, &[])),
                    ("column", &l.order_id),
                    ("from", &from),
                ])}
            </p>
        }
    });
    let columns = r.status_columns.join(", ");
    let excluded = (!r.excluded.is_empty()).then(|| {
        let statuses: Vec<String> = r
            .excluded
            .iter()
            .map(|(status, n)| format!("{} {status}", format::int(*n)))
            .collect();
        view! {
            <p class="warn" data-testid="excluded-statuses">
                {tn("report.excluded", r.excluded_orders(), &[
                    ("statuses", &statuses.join(", ")),
                    ("columns", &columns),
                ])}
                " "
                {file_here.then(|| view! {
                    <button class="secondary" data-testid="keep-all-statuses"
                        on:click=move |_| crate::data::actions::keep_all_statuses(state, true)>
                        {t("report.keep_all_statuses")}
                    </button>
                })}
            </p>
        }
    });
    let all_kept = r.all_statuses.then(|| {
        view! {
            <p class="muted" data-testid="all-statuses">
                {tf("report.all_statuses", &[("columns", &columns)])}
                " "
                {file_here.then(|| view! {
                    <button class="secondary" data-testid="leave-out-statuses"
                        on:click=move |_| crate::data::actions::keep_all_statuses(state, false)>
                        {t("report.leave_out_statuses")}
                    </button>
                })}
            </p>
        }
    });
    let refunded = (r.refunded_orders > 0).then(|| {
        view! {
            <p class="muted" data-testid="refunded">
                {tn("report.refunded", r.refunded_orders, &[
                    ("amount", &format::money(r.refunded_amount)),
                    ("column", r.refunded_column.as_deref().unwrap_or_default()),
                ])}
            </p>
        }
    });
    let by_phone = (r.by_phone > 0).then(|| {
        view! {
            <p class="muted" data-testid="by-phone">
                {tn("report.by_phone", r.by_phone, &[
                    ("column", r.phone_column.as_deref().unwrap_or_default()),
                ])}
            </p>
        }
    });
    let not_sales = (!r.not_sales.is_empty()).then(|| {
        let what: Vec<String> = r
            .not_sales
            .iter()
            .map(|(what, n)| format!("{} {what}", format::int(*n)))
            .collect();
        let rows: u64 = r.not_sales.iter().map(|(_, n)| n).sum();
        view! {
            <p class="muted" data-testid="not-sales">
                {tn("report.not_sales", rows, &[
                    ("what", &what.join(", ")),
                    ("columns", r.sales_column.as_deref().unwrap_or_default()),
                ])}
            </p>
        }
    });
    let cancellations = (r.cancellation_invoices > 0).then(|| {
        view! {
            <p class="muted" data-testid="cancellations">
                {tn("report.cancellations", r.cancellation_invoices, &[])}
            </p>
        }
    });
    view! { {platform} {lines} {by_phone} {not_sales} {excluded} {all_kept} {refunded} {cancellations} }
}

/// What the importer understood of the file, and the rows it rejected.
#[component]
pub(crate) fn ImportSummary() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        state.workspace.get().and_then(|ws| ws.record.report.clone().map(|r| (ws, r))).map(|(ws, r)| {
            let columns = r
                .columns
                .iter()
                .filter_map(|c| c.role.map(|role| format!("{} → {}", c.name, t(&format!("report.role.{}", role.key())))))
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
                    let names: Vec<String> = (1..=width).map(|k| tf("results.field_n", &[("n", &k.to_string())])).collect();
                    (format!("{}-rejected", file_stem(&s.file_name)), rejected_csv(&s.rejected, &names), s.rejected.len())
                })
                .collect();
            view! {
                <section class="card" id="data" data-testid="import-report">
                    <h2>{t("report.title")}</h2>
                    <p>
                        {tf("report.orders_line", &[
                            ("file", &r.file_name),
                            // Orders, when rows were lines grouped into them.
                            ("rows", &tn(if r.lines.is_some() { "count.orders" } else { "count.rows" }, r.rows, &[])),
                            ("rejected", &format::int(r.rejected_total)),
                            ("refunds", &tn("count.refunds", r.refunds, &[])),
                            ("customers", &tn("count.customers", r.customers, &[])),
                        ])}
                    </p>
                    <p class="muted">
                        {tf("report.how_read", &[
                            ("encoding", &if r.encoding_chosen { tf("report.as_chosen", &[("encoding", r.encoding.label())]) } else { r.encoding.label().to_string() }),
                            ("layout", &layout_words(&r)),
                            ("header", &t(if r.delimiter == "JSON lines" { "report.json_keys" } else if r.has_header { "report.header" } else { "report.no_header" })),
                            ("dates", &r.date_format),
                            ("decimal", &r.decimal_separator.to_string()),
                            ("columns", &columns),
                        ])}
                    </p>
                    <OrderLinesAndStatuses report=r.clone() />
                    {r.currency.clone().map(|code| view! {
                        <p class="muted" data-testid="currency-read">{tf("report.currency_read", &[("currency", &code)])}</p>
                    })}
                    {r.date_reading.map(i18n::date_reading).or_else(|| r.date_format_note.clone()).map(|note| view! { <p class="muted" data-testid="date-note">{note}</p> })}
                    {state.services.with_value(|s| s.order_file.borrow().as_ref().is_some_and(|f| f.name() == r.file_name)).then(|| view! {
                        <p>
                            <button class="secondary" data-testid="change-columns"
                                on:click=move |_| crate::data::actions::open_column_choice(state, None)>
                                {t(if r.delimiter.contains("sheet") {
                                    "report.change_sheet_columns"
                                } else {
                                    "report.change_columns"
                                })}
                            </button>
                        </p>
                    })}
                    {move || state.last_import.get().map(|(timing, save_ms)| view! {
                        <p
                            class="muted"
                            data-testid="import-timing"
                            data-read-ms=format!("{:.0}", timing.read_ms)
                            data-analyse-ms=format!("{:.0}", timing.analyse_ms)
                            data-save-ms=format!("{save_ms:.0}")
                            data-memory-bytes=timing.memory_bytes.to_string()
                        >
                            {tf("report.timing", &[
                                ("read", &format::seconds(timing.read_ms / 1000.0)),
                                ("analyse", &format::seconds(timing.analyse_ms / 1000.0)),
                                ("save", &format::seconds(save_ms / 1000.0)),
                                ("memory", &format::bytes(timing.memory_bytes)),
                            ])}
                        </p>
                    })}
                    {(r.duplicate_rows > 0).then(|| {
                        let listed: Vec<String> = r.duplicates.iter().take(5).map(|(l, f)| tf("report.line_same", &[("l", &l.to_string()), ("f", &f.to_string())])).collect();
                        view! {
                            <p class="warn" data-testid="duplicate-rows">
                                {tf("report.duplicates", &[
                                    ("what", &tn("report.rows_repeat", r.duplicate_rows, &[])),
                                    ("lines", &format!("{}{}", listed.join(", "), if r.duplicate_rows > 5 { ", …" } else { "" })),
                                ])}
                            </p>
                        }
                    })}
                    {(r.future_rows > 0).then(|| {
                        let listed: Vec<String> = r.future.iter().take(5).map(|(l, d)| tf("report.line_value", &[("l", &l.to_string()), ("value", &format::date(*d))])).collect();
                        view! {
                            <p class="warn" data-testid="future-rows">
                                {tn("report.future", r.future_rows, &[
                                    ("lines", &format!("{}{}", listed.join(", "), if r.future_rows > 5 { ", …" } else { "" })),
                                ])}
                            </p>
                        }
                    })}
                    {(r.extreme_amount_count > 0).then(|| {
                        let listed: Vec<String> = r.extreme_amounts.iter().take(5).map(|a| format::money(*a)).collect();
                        view! {
                            <p class="warn" data-testid="extreme-amounts">
                                {tn("report.extreme", r.extreme_amount_count, &[("amounts", &listed.join(", "))])}
                            </p>
                        }
                    })}
                    {ws.record.sources.iter().map(|s| {
                        let name = s.file_name.clone();
                        let here = state.services.with_value(|sv| sv.source_files.borrow().iter().any(|f| f.name() == name));
                        view! {
                        <p data-testid="source-report">
                            {tf("report.source_line", &[
                                ("file", &s.file_name),
                                ("rows", &tn(match s.kind {
                                    seglens_engine::import::sources::SourceKind::Email => "count.emails",
                                    seglens_engine::import::sources::SourceKind::Surveys => "count.answers",
                                    seglens_engine::import::sources::SourceKind::Customers => "count.customers",
                                    seglens_engine::import::sources::SourceKind::Events => "count.events",
                                    seglens_engine::import::sources::SourceKind::Tickets => "count.tickets",
                                    seglens_engine::import::sources::SourceKind::Costs => "count.cost_rows",
                                    seglens_engine::import::sources::SourceKind::Orders => "count.rows",
                                }, s.rows, &[])),
                                ("rejected", &format::int(s.rejected_total)),
                                ("without", &tn("report.without_orders", s.customers_without_orders, &[])),
                                ("join", &match (s.kind, s.not_in_customers_file) {
                                    (_, None | Some(0)) => String::new(),
                                    (seglens_engine::import::sources::SourceKind::Customers, Some(n)) => tn("report.ordered_not_listed", n, &[]),
                                    (_, Some(n)) => tn("report.not_in_customers", n, &[]),
                                }),
                                ("columns", &s.columns_used.iter().map(|c| crate::i18n::column_used(c)).collect::<Vec<_>>().join(", ")),
                            ])}
                            {here.then(|| view! {
                                " "
                                <button class="secondary small" data-testid="change-source-columns"
                                    on:click=move |_| crate::data::actions::open_source_choice(state, name.clone())>
                                    {t("report.change_source")}
                                </button>
                            })}
                        </p>
                        {s.email.clone().map(email_summary)}
                        {(s.suspicious_total > 0).then(|| {
                            let listed: Vec<String> = s.suspicious.iter().take(5).map(|e| {
                                tf("report.line_value", &[("l", &format!("{}{}", e.line, e.column.as_ref().map(|c| format!(" ({c})")).unwrap_or_default())), ("value", &i18n::row_reason(e))])
                            }).collect();
                            view! {
                                <p class="warn" data-testid="source-suspicious">
                                    {tn("report.suspicious", s.suspicious_total, &[
                                        ("file", &s.file_name),
                                        ("lines", &format!("{}{}", listed.join("; "), if s.suspicious_total > 5 { "; …" } else { "" })),
                                    ])}
                                </p>
                            }
                        })}
                    }}).collect_view()}
                    {(!rejected.is_empty()).then(|| view! {
                        <table class="rejected" data-testid="rejected-rows">
                            <thead><tr>
                                <th scope="col">{t("report.line")}</th>
                                <th scope="col">{t("report.column")}</th>
                                <th scope="col">{t("report.why")}</th>
                            </tr></thead>
                            <tbody>
                                {rejected.into_iter().map(|e| view! {
                                    <tr>
                                        <td class="num">{e.line}</td>
                                        <td>{e.column.clone().unwrap_or_default()}</td>
                                        <td>{i18n::row_reason(&e)}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    })}
                    {(listed > 0).then(|| {
                        let (name, csv) = (orders_name.clone(), orders_csv.clone());
                        view! {
                            <button class="secondary" data-testid="download-rejected" on:click=move |_| crate::shell::save_csv(state, &name, &csv)>
                                {if total > listed as u64 {
                                    tf("report.download_first", &[("listed", &format::int(listed as u64)), ("total", &format::int(total))])
                                } else {
                                    tn("report.download_rejected", total, &[])
                                }}
                            </button>
                        }
                    })}
                    {sources_with_rejects.into_iter().map(|(name, csv, n)| {
                        let label = tn("report.download_rejected_of", n as u64, &[("file", name.trim_end_matches("-rejected"))]);
                        view! {
                            <button class="secondary" data-testid="download-rejected-source" on:click=move |_| crate::shell::save_csv(state, &name, &csv)>
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
fn rejected_csv(rows: &[seglens_engine::import::orders::RowError], names: &[String]) -> String {
    use crate::shell::csv_field;
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
            csv_field(&i18n::row_reason(e))
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

/// How the file was laid out, in the interface's language: JSON lines or
/// the sheet read, as the engine's message; a delimiter by its sign. A
/// report stored before layouts were kept as messages says it in the
/// English it was stored in.
fn layout_words(r: &seglens_engine::ImportReport) -> String {
    match &r.layout {
        Some(layout) => i18n::message(layout),
        None if r.delimiter == "JSON lines" || r.delimiter.contains("sheet") => r.delimiter.clone(),
        None => tf("report.delimiter", &[("d", &r.delimiter)]),
    }
}

/// The e-mail results read so far: each campaign's delivered, opened and
/// clicked e-mails, and the campaigns known only from lists of who opened
/// or clicked, with what would give them rates.
fn email_summary(e: seglens_engine::import::sources::EmailSummary) -> impl IntoView {
    let rate = |n: u64| format::percent(n as f64 / e.delivered.max(1) as f64);
    let counts = (e.delivered > 0).then(|| {
        view! {
            <p data-testid="email-summary">
                {tf("report.email_summary", &[
                    ("campaigns", &tn("count.campaigns", e.campaigns, &[])),
                    ("delivered", &format::int(e.delivered)),
                    ("opened", &format::int(e.opened)),
                    ("open_rate", &rate(e.opened)),
                    ("clicked", &format::int(e.clicked)),
                    ("click_rate", &rate(e.clicked)),
                ])}
            </p>
        }
    });
    let lists = e
        .lists_only
        .iter()
        .map(|(name, people)| {
            let people = tn("count.customers", *people, &[]);
            let text = if name.is_empty() {
                tf("report.lists_only_unnamed", &[("people", &people)])
            } else {
                tf(
                    "report.lists_only",
                    &[("campaign", name), ("people", &people)],
                )
            };
            view! { <p class="warn" data-testid="email-lists-only">{text}</p> }
        })
        .collect_view();
    view! { {counts} {lists} }
}

//! Over time: monthly cohort retention as a heatmap, and how customers
//! moved between RFM segments since an earlier date.

use leptos::prelude::*;
use leptos::task::spawn_local;
use seglens_engine::analysis::cohorts::{Cohorts, Migration};
use seglens_engine::model::date::{Day, format_iso, parse_iso};

use crate::chart;
use crate::format;
use crate::i18n::{self, t, tf};
use crate::protocol::{Audience, ask};
use crate::state::AppState;

/// The audiences a card can look at: all customers, each non-empty RFM
/// segment, each saved segment.
pub fn audiences(ws: &crate::state::Workspace) -> Vec<(String, String, Audience)> {
    let mut out = vec![(
        "all".to_string(),
        t("over_time.all_customers"),
        Audience::All,
    )];
    for (_, name, _) in ws.analysis.non_empty_segments() {
        out.push((
            format!("rfm:{name}"),
            i18n::name("segment", &name),
            Audience::Rfm(name),
        ));
    }
    for s in &ws.record.options.segments {
        out.push((
            format!("saved:{}", s.name),
            tf("over_time.my_segment", &[("0", &s.name.to_string())]),
            Audience::Saved(s.definition.clone()),
        ));
    }
    out
}

/// A picker of the audiences of [`audiences`], bound to `audience`.
pub fn audience_select(
    ws: &crate::state::Workspace,
    audience: RwSignal<Audience>,
    testid: &'static str,
) -> impl IntoView + use<> {
    let choices = audiences(ws);
    let for_change = choices.clone();
    let options = choices
        .into_iter()
        .map(|(value, label, a)| {
            view! { <option value=value selected=move || audience.get() == a>{label}</option> }
        })
        .collect_view();
    view! {
        <select data-testid=testid on:change=move |ev| {
            let v = event_target_value(&ev);
            if let Some(c) = for_change.iter().find(|c| c.0 == v) {
                audience.set(c.2.clone());
            }
        }>{options}</select>
    }
}

fn cohort_table(x: &Cohorts, revenue: bool) -> AnyView {
    let width = x.active.first().map_or(0, Vec::len).min(13);
    let header = (0..width)
        .map(|k| view! { <th scope="col" class="num">{if k == 0 { t("over_time.first_month") } else { format!("+{k}") }}</th> })
        .collect_view();
    let per_customer: Vec<Vec<f64>> = x
        .revenue
        .iter()
        .zip(&x.sizes)
        .map(|(row, n)| row.iter().map(|r| r / (*n).max(1) as f64).collect())
        .collect();
    let top_revenue = per_customer
        .iter()
        .flat_map(|r| r.iter().skip(1))
        .fold(0.0f64, |a, b| a.max(*b))
        .max(1e-9);
    let rows = x
        .months
        .iter()
        .enumerate()
        .filter(|(c, _)| x.sizes[*c] > 0)
        .map(|(c, month)| {
            let size = x.sizes[c];
            let cells = (0..width)
                .map(|k| {
                    let Some(active) = x.active[c].get(k) else {
                        return view! { <td></td> }.into_any();
                    };
                    let share = *active as f64 / size as f64;
                    let partial = x.last_month_partial && k + 1 == x.active[c].len();
                    let (value, shade) = if revenue {
                        let v = per_customer[c][k];
                        (format::money(v), if k == 0 { 1.0 } else { v / top_revenue })
                    } else {
                        (format::percent(share), share)
                    };
                    let (bg, light) = chart::sequential_color(shade);
                    let title = tf("over_time.customers_who_first_ordered_in", &[("0", &format::int(size)), ("month", &month.to_string()), ("1", &format::int(*active)), ("2", &(if k == 0 { t("over_time.that_month") } else { i18n::tn("over_time.months_later", k as u64, &[]) }).to_string()), ("3", &format::percent(share)), ("4", &format::money(x.revenue[c][k])), ("5", &(if partial { t("over_time.this_month_is_not_over") } else { String::new() }).to_string())]);
                    view! {
                        <td class="num cell" class:light=light class:ns=partial style=format!("background:{bg}") title=title>{value}</td>
                    }
                    .into_any()
                })
                .collect_view();
            view! { <tr><th scope="row">{month.clone()}</th><td class="num">{format::int(size)}</td>{cells}</tr> }
        })
        .collect_view();
    let mut csv =
        String::from("first_order_month,customers,months_later,customers_ordering,revenue\n");
    for (c, month) in x.months.iter().enumerate().filter(|(c, _)| x.sizes[*c] > 0) {
        for (k, active) in x.active[c].iter().enumerate() {
            csv.push_str(&format!(
                "{month},{},{k},{active},{:.2}\n",
                x.sizes[c], x.revenue[c][k]
            ));
        }
    }
    view! {
        <div class="table-wrap" tabindex="0">
            <table class="heatmap" data-testid="cohort-table">
                <thead><tr><th scope="col">{t("over_time.first_order")}</th><th scope="col" class="num">{t("over_time.customers")}</th>{header}</tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <crate::shell::CsvDownload name="cohorts" csv=csv/>
    }
    .into_any()
}

fn migration_table(m: &Migration) -> AnyView {
    let k = m.segments.len() - 1;
    let to_names = m.segments[..k].to_vec();
    let header = to_names
        .iter()
        .map(|s| view! { <th scope="col" class="num">{crate::i18n::group_name(s)}</th> })
        .collect_view();
    let rows = m
        .counts
        .iter()
        .enumerate()
        .filter(|(_, row)| row.iter().sum::<u64>() > 0)
        .map(|(a, row)| {
            let total: u64 = row.iter().sum();
            let cells = row
                .iter()
                .enumerate()
                .map(|(b, n)| {
                    let share = *n as f64 / total.max(1) as f64;
                    let (bg, light) = chart::sequential_color(share);
                    let title = tf("over_time.of_the_customers_who_were", &[("0", &format::int(*n)), ("1", &format::int(total)), ("2", &crate::i18n::group_name(&m.segments[a])), ("3", &format::date(m.from)), ("4", &crate::i18n::group_name(&to_names[b])), ("5", &format::date(m.to)), ("6", &format::percent(share))]);
                    view! { <td class="num cell" class:light=light style=format!("background:{bg}") title=title>{format::int(*n)}</td> }
                })
                .collect_view();
            view! { <tr><th scope="row">{crate::i18n::group_name(&m.segments[a])}</th>{cells}<td class="num">{format::int(total)}</td></tr> }
        })
        .collect_view();
    let mut csv = String::from("from_segment,to_segment,customers\n");
    for (a, row) in m.counts.iter().enumerate() {
        for (b, n) in row.iter().enumerate().filter(|(_, n)| **n > 0) {
            csv.push_str(&format!(
                "{},{},{n}\n",
                crate::shell::csv_field(&m.segments[a]),
                crate::shell::csv_field(&to_names[b])
            ));
        }
    }
    let stayed: u64 = (0..k).map(|s| m.counts[s][s]).sum();
    let known: u64 = m.counts[..k].iter().flatten().sum();
    view! {
        <p data-testid="migration-summary">{tf("over_time.of_the_customers_already_scored", &[("0", &format::int(known)), ("1", &format::date(m.from)), ("2", &format::int(stayed)), ("3", &format::percent(stayed as f64 / known.max(1) as f64)), ("4", &format::date(m.to))])}</p>
        <div class="table-wrap" tabindex="0">
            <table class="heatmap" data-testid="migration-table">
                <thead><tr><th scope="col">{tf("over_time.on_on", &[("0", &format::date(m.from)), ("1", &format::date(m.to))])}</th>{header}<th scope="col" class="num">{t("over_time.customers")}</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <crate::shell::CsvDownload name="migration" csv=csv/>
    }
    .into_any()
}

/// Cohort retention: customers grouped by the month of their first
/// order, the share ordering (or their spend) in each month after.
#[component]
pub fn CohortsCard() -> impl IntoView {
    let state = expect_context::<AppState>();
    let audience = RwSignal::new(Audience::All);
    let revenue = RwSignal::new(false);
    let cohorts = RwSignal::new(None::<Result<Cohorts, String>>);
    Effect::new(move |_| {
        let who = audience.get();
        let Some(ws) = state.workspace.get() else {
            return;
        };
        spawn_local(async move {
            let engine = state.services.with_value(|s| s.engine.clone());
            let request = ask::Cohorts {
                options: ws.record.options.clone(),
                audience: who,
                lifecycle: ws.analysis.segments.lifecycle,
            };
            let answer = engine.ask(request).await;
            cohorts.try_set(Some(answer));
        });
    });
    move || {
        state.workspace.get().map(|ws| {
            let picker = audience_select(&ws, audience, "cohort-audience");
            view! {
                <section class="card" id="over-time" data-testid="over-time">
                    <h2>{t("over_time.do_customers_come_back")}</h2>
                    <p class="muted">
                        {t("over_time.customers_grouped_by_the_month")}
                    </p>
                    <div class="thresholds">
                        <label>{t("over_time.customers_2")}
                            {picker}
                        </label>
                        <button class="secondary" aria-pressed=move || (!revenue.get()).to_string() on:click=move |_| revenue.set(false)>{t("over_time.share_ordering")}</button>
                        <button class="secondary" data-testid="cohort-revenue" aria-pressed=move || revenue.get().to_string() on:click=move |_| revenue.set(true)>{t("over_time.spend_per_customer")}</button>
                    </div>
                    {move || match cohorts.get() {
                        None => view! { <p class="muted">{t("over_time.counting")}</p> }.into_any(),
                        Some(Err(e)) => view! { <p class="error-text">{e}</p> }.into_any(),
                        Some(Ok(x)) if x.months.is_empty() => view! { <p class="hint">{t("over_time.these_customers_have_no_order")}</p> }.into_any(),
                        Some(Ok(x)) => cohort_table(&x, revenue.get()),
                    }}
                </section>
            }
        })
    }
}

/// Segment migration: each customer's RFM segment at an earlier date
/// beside today's.
#[component]
pub fn MigrationCard() -> impl IntoView {
    let state = expect_context::<AppState>();
    let from = RwSignal::new(None::<Day>);
    let migration = RwSignal::new(None::<Result<Migration, String>>);
    Effect::new(move |_| {
        let Some(ws) = state.workspace.get() else {
            return;
        };
        let day = from.get().unwrap_or(ws.analysis.as_of - 90);
        spawn_local(async move {
            let engine = state.services.with_value(|s| s.engine.clone());
            let request = ask::Migration {
                options: ws.record.options.clone(),
                from: day,
            };
            let answer = engine.ask(request).await;
            migration.try_set(Some(answer));
        });
    });
    move || {
        state.workspace.get().map(|ws| {
            let as_of = ws.analysis.as_of;
            view! {
                <section class="card" id="migration" data-testid="migration">
                    <h2>{t("over_time.how_customers_moved_between_segments")}</h2>
                    <p class="muted">{t("over_time.each_customer_s_rfm_segment")}</p>
                    <div class="thresholds">
                        <label>{t("over_time.earlier_date")}
                            <input type="date" data-testid="migration-from" max=format_iso(as_of - 1)
                                prop:value=move || format_iso(from.get().unwrap_or(as_of - 90))
                                on:change=move |ev| { if let Some(d) = parse_iso(&event_target_value(&ev)) { from.set(Some(d)) } }/>
                        </label>
                    </div>
                    {move || match migration.get() {
                        None => view! { <p class="muted">{t("over_time.counting")}</p> }.into_any(),
                        Some(Err(e)) => view! { <p class="error-text">{e}</p> }.into_any(),
                        Some(Ok(m)) => migration_table(&m),
                    }}
                </section>
            }
        })
    }
}

/// A weekday's short name, Monday first.
fn weekday(d: usize) -> String {
    t(&format!("weekday.{}", d + 1))
}

fn activity_table(name: &str, grid: &[Vec<u64>], top: f64) -> AnyView {
    let total: u64 = grid.iter().flatten().sum();
    let header = (0..24)
        .map(|h| view! { <th scope="col" class="num hour">{if h % 3 == 0 { format!("{h}h") } else { String::new() }}</th> })
        .collect_view();
    let rows = grid
        .iter()
        .enumerate()
        .map(|(d, row)| {
            let cells = row
                .iter()
                .enumerate()
                .map(|(h, n)| {
                    let share = *n as f64 / total.max(1) as f64;
                    let (bg, _) = chart::sequential_color(share / top.max(1e-12));
                    let title = tf("over_time.00_59_utc_events_of", &[("name", name), ("0", &weekday(d)), ("h", &h.to_string()), ("1", &format::int(*n)), ("2", &format::percent(share))]);
                    view! { <td class="dot" style=format!("background:{bg}") title=title><span class="visually-hidden">{n.to_string()}</span></td> }
                })
                .collect_view();
            view! { <tr><th scope="row">{weekday(d)}</th>{cells}</tr> }
        })
        .collect_view();
    view! {
        <figure class="activity">
            <figcaption>{tf("over_time.events", &[("name", name), ("0", &format::int(total))])}</figcaption>
            <table class="heatmap activity-grid" data-testid="activity-table">
                <thead><tr><th scope="col"></th>{header}</tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </figure>
    }
    .into_any()
}

/// The RFM segment shown on the right by default: the first non-empty one.
fn default_right(ws: &crate::state::Workspace) -> Audience {
    ws.analysis
        .non_empty_segments()
        .first()
        .map_or(Audience::All, |s| Audience::Rfm(s.1.clone()))
}

/// When two groups of customers are active, side by side on one scale.
#[component]
pub fn ActivityCard() -> impl IntoView {
    let state = expect_context::<AppState>();
    let left = RwSignal::new(Audience::All);
    // None: the default (the first RFM segment).
    let right = RwSignal::new(None::<Audience>);
    let grids = RwSignal::new(None::<Result<(Vec<Vec<u64>>, Vec<Vec<u64>>), String>>);
    Effect::new(move |_| {
        let a = left.get();
        let Some(ws) = state.workspace.get() else {
            return;
        };
        if ws.analysis.event_names.is_empty() {
            return;
        }
        let b = right.get().unwrap_or_else(|| default_right(&ws));
        spawn_local(async move {
            let engine = state.services.with_value(|s| s.engine.clone());
            let activity = |who: Audience| ask::Activity {
                options: ws.record.options.clone(),
                audience: who,
                lifecycle: ws.analysis.segments.lifecycle,
            };
            let one = engine.ask(activity(a)).await;
            let two = engine.ask(activity(b)).await;
            grids.try_set(Some(one.and_then(|x| two.map(|y| (x, y)))));
        });
    });
    move || {
        state.workspace.get().and_then(|ws| {
            if ws.analysis.event_names.is_empty() {
                return None;
            }
            let choices = audiences(&ws);
            let fallback = default_right(&ws);
            let right_now = move || right.get().unwrap_or_else(|| fallback.clone());
            let picker = |current: Box<dyn Fn() -> Audience + Send + Sync>, set: Box<dyn Fn(Audience) + Send + Sync>, id: &'static str| {
                let for_change = choices.clone();
                let current = std::sync::Arc::new(current);
                let options = choices
                    .iter()
                    .map(|(value, label, a)| {
                        let (a, current) = (a.clone(), current.clone());
                        view! { <option value=value.clone() selected=move || current() == a>{label.clone()}</option> }
                    })
                    .collect_view();
                view! {
                    <select data-testid=id on:change=move |ev| {
                        let v = event_target_value(&ev);
                        if let Some(c) = for_change.iter().find(|c| c.0 == v) { set(c.2.clone()) }
                    }>{options}</select>
                }
            };
            let left_picker = picker(Box::new(move || left.get()), Box::new(move |a| left.set(a)), "activity-left");
            let right_picker = picker(Box::new(right_now.clone()), Box::new(move |a| right.set(Some(a))), "activity-right");
            let name_of = move |a: &Audience| choices.iter().find(|c| &c.2 == a).map(|c| c.1.clone()).unwrap_or_default();
            Some(view! {
                <section class="card" id="activity" data-testid="activity">
                    <h2>{t("over_time.when_are_they_active")}</h2>
                    <p class="muted">{t("over_time.web_and_app_events_by")}</p>
                    <div class="thresholds">
                        <label>{t("over_time.left")} {left_picker}</label>
                        <label>{t("over_time.right")} {right_picker}</label>
                    </div>
                    {move || match grids.get() {
                        None => view! { <p class="muted">{t("over_time.counting")}</p> }.into_any(),
                        Some(Err(e)) => view! { <p class="error-text">{e}</p> }.into_any(),
                        Some(Ok((a, b))) => {
                            let share_max = |g: &[Vec<u64>]| {
                                let total: u64 = g.iter().flatten().sum();
                                g.iter().flatten().map(|n| *n as f64 / total.max(1) as f64).fold(0.0, f64::max)
                            };
                            let top = share_max(&a).max(share_max(&b));
                            let (left_name, right_name) = (name_of(&left.get_untracked()), name_of(&right_now()));
                            let mut csv = String::from("group,weekday,hour,events\n");
                            for (name, grid) in [(&left_name, &a), (&right_name, &b)] {
                                for (d, row) in grid.iter().enumerate() {
                                    for (h, n) in row.iter().enumerate() {
                                        csv.push_str(&format!("{},{},{h},{n}\n", crate::shell::csv_field(name), d + 1));
                                    }
                                }
                            }
                            view! {
                                <div class="activity-pair">
                                    {activity_table(&left_name, &a, top)}
                                    {activity_table(&right_name, &b, top)}
                                </div>
                                <crate::shell::CsvDownload name="activity" csv=csv/>
                            }.into_any()
                        }
                    }}
                </section>
            })
        })
    }
}

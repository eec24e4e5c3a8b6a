//! Act & share › Campaign results: what each campaign of the e-mail
//! results or sends file did, per RFM segment at the send day and per
//! group, with the uplift against the control group (or the first A/B
//! variant) and whether it is more than chance.

use leptos::prelude::*;
use leptos::task::spawn_local;
use seglens_engine::analysis::campaign::{
    Arm, ArmResult, Audience, AudienceResult, CampaignResult, DEFAULT_WINDOW_DAYS, Difference,
};

use crate::format;
use crate::i18n::{self, t, tf, tn};
use crate::shell::{csv_field, save_csv};
use crate::state::AppState;

/// A group's name as the page shows it.
fn arm_label(arm: &Arm) -> String {
    match arm {
        Arm::Sent => t("campaign.arm.sent"),
        Arm::Control => t("campaign.arm.control"),
        Arm::Variant(name) if name.is_empty() => t("campaign.arm.no_variant"),
        Arm::Variant(name) => tf("campaign.arm.variant", &[("name", name)]),
    }
}

/// An audience's name as the page shows it.
fn audience_label(audience: &Audience) -> String {
    match audience {
        Audience::All => t("campaign.all"),
        Audience::Rfm(name) => i18n::group_name(name),
        Audience::NoOrderBefore => t("campaign.no_order_before"),
    }
}

/// The sign of a difference, as written before its size: `+`, `−` (a
/// minus sign, not a hyphen) or nothing for zero.
fn sign(x: f64) -> &'static str {
    if x > 0.0 {
        "+"
    } else if x < 0.0 {
        "−"
    } else {
        ""
    }
}

/// A difference of shares in points: `+8.9 pts` (`+8,9 pts`).
fn points(x: f64) -> String {
    let n = format!("{}{}", sign(x), format::grouped((x * 100.0).abs(), 1));
    tf("campaign.points", &[("n", &n)])
}

/// A difference of money: `+€3.20`.
fn money_change(x: f64) -> String {
    format!("{}{}", sign(x), format::money(x.abs()))
}

/// The verdict on a difference in plain words.
fn verdict(d: &Difference) -> (&'static str, String) {
    if !d.significant() {
        ("", t("campaign.chance"))
    } else if d.value > 0.0 {
        ("better", t("campaign.better"))
    } else {
        ("worse", t("campaign.worse"))
    }
}

/// The campaigns' results, fetched from the worker each time the data,
/// the RFM setup or the window changes.
fn fetched(
    state: AppState,
    window: RwSignal<i32>,
) -> RwSignal<Option<Result<Vec<CampaignResult>, String>>> {
    let result = RwSignal::new(None);
    Effect::new(move |_| {
        let days = window.get();
        let Some((rfm, lists)) = state.workspace.with(|ws| {
            ws.as_ref()
                .map(|w| (w.record.options.rfm.clone(), w.record.campaigns.clone()))
        }) else {
            return;
        };
        result.set(None);
        spawn_local(async move {
            let engine = state.services.with_value(|s| s.engine.clone());
            let answer = engine
                .ask(crate::protocol::ask::Campaigns {
                    rfm,
                    window_days: days,
                    lists,
                })
                .await;
            result.try_set(Some(answer));
        });
    });
    result
}

/// The CSV of one campaign: a row per audience and group.
fn campaign_csv(c: &CampaignResult) -> String {
    let mut text = String::from(
        "campaign,segment,group,customers,converted,conversion_rate,revenue,revenue_per_customer,uplift,uplift_low,uplift_high,p_value_adjusted\n",
    );
    for a in &c.audiences {
        for arm in &a.arms {
            let up = a
                .uplifts
                .iter()
                .find(|u| u.arm == arm.arm)
                .and_then(|u| u.conversion);
            text.push_str(&format!(
                "{},{},{},{},{},{},{},{},{}\n",
                csv_field(&c.name),
                csv_field(&audience_label(&a.audience)),
                csv_field(&arm_label(&arm.arm)),
                arm.customers,
                arm.converted,
                arm.conversion
                    .map(|r| r.value.to_string())
                    .unwrap_or_default(),
                arm.revenue,
                arm.revenue_per_customer
                    .map(|r| r.to_string())
                    .unwrap_or_default(),
                up.map(|d| format!("{},{},{},{}", d.value, d.low, d.high, d.p_adjusted))
                    .unwrap_or_else(|| ",,,".to_string()),
            ));
        }
    }
    text
}

/// A kept list as a sends file: `customer_id,campaign,sent_at,group`,
/// which SegLens (and `seglens campaign --sends`) reads back.
fn sends_csv(list: &seglens_engine::analysis::campaign::SentList) -> String {
    let mut text = String::from("customer_id,campaign,sent_at,group\n");
    let day = seglens_engine::model::date::format_iso(list.day);
    for (customer, control) in list.customers.iter().zip(&list.control) {
        text.push_str(&format!(
            "{},{},{day},{}\n",
            csv_field(customer),
            csv_field(&list.name),
            if *control { "control" } else { "treatment" }
        ));
    }
    text
}

/// The sentence at the top: who was sent, who was held out, and what the
/// campaign did over all its customers.
fn summary(c: &CampaignResult) -> AnyView {
    let Some(all) = c.audiences.iter().find(|a| a.audience == Audience::All) else {
        return ().into_any();
    };
    let sent: u64 = all
        .arms
        .iter()
        .filter(|a| a.arm != Arm::Control)
        .map(|a| a.customers)
        .sum();
    let control = all.arms.iter().find(|a| a.arm == Arm::Control);
    let when = match (c.first_day, c.last_day) {
        (Some(a), Some(b)) if a == b => tf("campaign.on_day", &[("day", &format::date(a))]),
        (Some(a), Some(b)) => tf(
            "campaign.from_to",
            &[("from", &format::date(a)), ("to", &format::date(b))],
        ),
        _ => String::new(),
    };
    let who = match control {
        Some(ctl) => tf(
            "campaign.sent_held_out",
            &[
                ("sent", &format::int(sent)),
                ("control", &format::int(ctl.customers)),
                ("when", &when),
            ],
        ),
        None => tf(
            "campaign.sent_only",
            &[("sent", &format::int(sent)), ("when", &when)],
        ),
    };
    let days = c.window_days.to_string();
    let outcome = all
        .uplifts
        .iter()
        .filter_map(|u| {
            let d = u.conversion?;
            let arm = all.arms.iter().find(|a| a.arm == u.arm)?;
            let base = all.arms.iter().find(|a| a.arm == u.against)?;
            let (class, word) = verdict(&d);
            let line = tf(
                "campaign.outcome",
                &[
                    ("group", &arm_label(&u.arm)),
                    ("rate", &format::percent(arm.conversion?.value)),
                    ("days", &days),
                    ("against", &arm_label(&u.against).to_lowercase()),
                    ("base", &format::percent(base.conversion?.value)),
                    ("uplift", &points(d.value)),
                    ("low", &points(d.low)),
                    ("high", &points(d.high)),
                ],
            );
            Some(view! { <li class=class>{line}" "<strong>{word}</strong></li> })
        })
        .collect_view();
    let no_comparison = all.uplifts.is_empty().then(|| {
        view! {
            <p class="muted" data-testid="campaign-no-control">{t("campaign.no_control")}</p>
        }
    });
    let winner = c.winner.as_ref().map(|w| view! {
        <p data-testid="campaign-winner"><strong>{tf("campaign.winner", &[("name", w)])}</strong></p>
    });
    view! {
        <div data-testid="campaign-summary">
            <p>{who}</p>
            <ul class="changes">{outcome}</ul>
            {no_comparison}
            {winner}
            {(c.window_open).then(|| view! {
                <p class="banner warning" data-testid="campaign-window-open">{tn("campaign.window_open", c.window_days as u64, &[])}</p>
            })}
            {(c.in_both_groups > 0).then(|| view! {
                <p class="muted small">{tn("campaign.in_both", c.in_both_groups, &[])}</p>
            })}
            {(c.without_day > 0).then(|| view! {
                <p class="muted small">{tn("campaign.without_day", c.without_day, &[])}</p>
            })}
        </div>
    }
    .into_any()
}

/// A difference with its interval and verdict, in one cell.
/// A difference with its interval, coloured by its verdict: one line of
/// an uplift cell.
fn difference_line(d: Option<Difference>, show: fn(f64) -> String, testid: String) -> AnyView {
    match d {
        None => view! { <div class="muted" data-testid=testid>"–"</div> }.into_any(),
        Some(d) => {
            let (class, word) = verdict(&d);
            let title = tf(
                "campaign.interval",
                &[
                    ("low", &show(d.low)),
                    ("high", &show(d.high)),
                    ("p", &format::decimal(d.p_adjusted, 3)),
                    ("word", &word),
                ],
            );
            view! {
                <div class=class title=title data-testid=testid>
                    {show(d.value)}
                    <span class="small muted">{format!(" [{} ; {}]", show(d.low), show(d.high))}</span>
                </div>
            }
            .into_any()
        }
    }
}

/// The table of one campaign: a row per audience; per group a cell with
/// who ordered, its customers and revenue per customer; per comparison a
/// cell with the uplift in conversion and in revenue per customer. One
/// column per group or comparison, so that it fits without scrolling.
fn results_table(c: &CampaignResult) -> AnyView {
    let Some(all) = c.audiences.first() else {
        return ().into_any();
    };
    let arms: Vec<Arm> = all.arms.iter().map(|a| a.arm.clone()).collect();
    let compared: Vec<(Arm, Arm)> = all
        .uplifts
        .iter()
        .map(|u| (u.arm.clone(), u.against.clone()))
        .collect();
    let days = c.window_days.to_string();
    let head_arms = arms
        .iter()
        .map(|a| {
            let title = format!(
                "{}\n{}",
                tf("campaign.formula.conversion", &[("days", &days)]),
                tf("campaign.formula.revenue_per_customer", &[("days", &days)])
            );
            view! { <th scope="col" class="num" title=title>{arm_label(a)}</th> }
        })
        .collect_view();
    let head_uplifts = compared
        .iter()
        .map(|(a, b)| {
            let pair = [("group", arm_label(a)), ("against", arm_label(b).to_lowercase())];
            let args: Vec<(&str, &str)> = pair.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let title = format!("{}\n{}", t("campaign.formula.uplift"), t("campaign.formula.revenue"));
            view! { <th scope="col" class="num" title=title>{tf("campaign.col.uplift", &args)}</th> }
        })
        .collect_view();
    let rows = c.audiences.iter().map(|a: &AudienceResult| {
        let slug = match &a.audience {
            Audience::All => "all".to_string(),
            Audience::Rfm(name) => i18n::slug(name),
            Audience::NoOrderBefore => "no-order-before".to_string(),
        };
        let cells = arms.iter().enumerate().map(|(i, arm)| {
            let r: Option<&ArmResult> = a.arms.iter().find(|x| x.arm == *arm);
            let customers = r.map(|r| format::int(r.customers)).unwrap_or_default();
            let rate = r.and_then(|r| r.conversion).map(|c| format::percent(c.value)).unwrap_or_else(|| "–".into());
            let title = r.and_then(|r| r.conversion).map(|c| tf("campaign.rate_interval", &[
                ("converted", &format::int(r.map_or(0, |r| r.converted))),
                ("low", &format::percent(c.low)), ("high", &format::percent(c.high)),
            ])).unwrap_or_default();
            let revenue = r.and_then(|r| r.revenue_per_customer).map(format::money).unwrap_or_else(|| "–".into());
            let id = |what: &str| format!("campaign-{slug}-{i}-{what}");
            view! {
                <td class="num stacked">
                    <div title=title>
                        <span data-testid=id("conversion")>{rate}</span>" "{t("campaign.cell.ordered")}
                    </div>
                    <div class="small muted">
                        <span data-testid=id("customers")>{customers}</span>" "{t("campaign.cell.customers")}" · "
                        <span data-testid=id("revenue")>{revenue}</span>" "{t("campaign.cell.per_customer")}
                    </div>
                </td>
            }
        }).collect_view();
        let ups = compared.iter().map(|(arm, _)| {
            let u = a.uplifts.iter().find(|u| u.arm == *arm);
            view! {
                <td class="num stacked">
                    {difference_line(u.and_then(|u| u.conversion), points, format!("campaign-uplift-{slug}"))}
                    {difference_line(u.and_then(|u| u.revenue_per_customer), money_change, format!("campaign-revenue-{slug}"))}
                </td>
            }
        }).collect_view();
        let class = if a.audience == Audience::All { "total" } else { "" };
        view! {
            <tr class=class data-testid=format!("campaign-row-{slug}")>
                <th scope="row">{audience_label(&a.audience)}</th>{cells}{ups}
            </tr>
        }
    }).collect_view();
    view! {
        <div class="table-wrap" tabindex="0">
            <table data-testid="campaign-table">
                <thead><tr><th scope="col">{t("campaign.segment")}</th>{head_arms}{head_uplifts}</tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        {(!compared.is_empty()).then(|| view! { <p class="muted small">{t("campaign.how_to_read")}</p> })}
    }
    .into_any()
}

/// Opens, clicks and unsubscribes per segment of the groups that were
/// sent, when the file says who opened and clicked.
fn engagement_table(c: &CampaignResult) -> Option<AnyView> {
    let sent = |a: &&ArmResult| a.arm != Arm::Control;
    let any = c
        .audiences
        .iter()
        .flat_map(|a| a.arms.iter().filter(sent))
        .any(|a| a.opened + a.clicked + a.unsubscribed > 0);
    if !any {
        return None;
    }
    let rate = |r: Option<seglens_engine::analysis::campaign::Rate>| {
        r.map(|r| format::percent(r.value))
            .unwrap_or_else(|| "–".into())
    };
    let rows = c
        .audiences
        .iter()
        .map(|a| {
            let (mut delivered, mut opened, mut clicked, mut unsub) = (0, 0, 0, 0);
            for r in a.arms.iter().filter(sent) {
                delivered += r.delivered;
                opened += r.opened;
                clicked += r.clicked;
                unsub += r.unsubscribed;
            }
            let share = |k: u64| seglens_engine::analysis::campaign::Rate::of(k, delivered);
            view! {
                <tr>
                    <th scope="row">{audience_label(&a.audience)}</th>
                    <td class="num">{format::int(delivered)}</td>
                    <td class="num">{rate(share(opened))}</td>
                    <td class="num">{rate(share(clicked))}</td>
                    <td class="num">{rate(share(unsub))}</td>
                </tr>
            }
        })
        .collect_view();
    Some(view! {
        <details class="parameters" data-testid="campaign-engagement">
            <summary>{t("campaign.engagement")}</summary>
            <div class="table-wrap" tabindex="0">
                <table>
                    <thead><tr>
                        <th scope="col">{t("campaign.segment")}</th>
                        <th scope="col" class="num">{t("campaign.col.delivered")}</th>
                        <th scope="col" class="num" title=t("campaign.formula.open")>{t("campaign.col.open")}</th>
                        <th scope="col" class="num" title=t("campaign.formula.click")>{t("campaign.col.click")}</th>
                        <th scope="col" class="num" title=t("campaign.formula.unsubscribe")>{t("campaign.col.unsubscribe")}</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </details>
    }.into_any())
}

/// Act & share › Campaign results.
#[component]
pub fn CampaignsCard() -> impl IntoView {
    let state = expect_context::<AppState>();
    let window = RwSignal::new(DEFAULT_WINDOW_DAYS);
    let result = fetched(state, window);
    let chosen = RwSignal::new(0usize);
    view! {
        <section class="card" id="campaigns" data-testid="campaigns">
            <h2>{t("campaign.title")}</h2>
            <p class="muted">{t("campaign.intro")}</p>
            {move || match result.get() {
                None => view! { <p class="muted" data-testid="campaign-working">{t("campaign.working")}</p> }.into_any(),
                Some(Err(e)) => view! { <p class="error-text">{e}</p> }.into_any(),
                Some(Ok(list)) => {
                    let list: Vec<CampaignResult> = list.into_iter().filter(|c| !c.audiences.is_empty()).collect();
                    if list.is_empty() {
                        return view! {
                            <div class="empty-state" data-testid="campaign-empty">
                                <p>{t("campaign.empty")}</p>
                                <p class="muted small"><code>{t("campaign.sends_columns")}</code></p>
                            </div>
                        }.into_any();
                    }
                    let i = chosen.get().min(list.len() - 1);
                    let c = list[i].clone();
                    let csv = campaign_csv(&c);
                    let file = format!("campaign-{}", i18n::slug(&c.name));
                    let kept = state.workspace.with(|ws| {
                        ws.as_ref().and_then(|w| w.record.campaigns.iter().find(|k| k.name == c.name).cloned())
                    });
                    let sends = kept.map(|k| {
                        let csv = sends_csv(&k);
                        let file = format!("sends-{}", i18n::slug(&k.name));
                        view! {
                            <button class="secondary" data-testid="campaign-sends-download"
                                title=t("campaign.sends_help")
                                on:click=move |_| save_csv(state, &file, &csv)>
                                {t("campaign.sends_download")}
                            </button>
                        }
                    });
                    let options = list.iter().enumerate().map(|(k, c)| view! {
                        <option value=k.to_string() selected=k == i>{c.name.clone()}</option>
                    }).collect_view();
                    view! {
                        <div class="thresholds">
                            <label>{t("campaign.pick")}" "
                                <select data-testid="campaign-pick"
                                    on:change=move |ev| chosen.set(event_target_value(&ev).parse().unwrap_or(0))>
                                    {options}
                                </select>
                            </label>
                            <label title=t("campaign.window_help")>{t("campaign.window")}" "
                                <input type="number" min="1" max="365" data-testid="campaign-window"
                                    prop:value=move || window.get().to_string()
                                    on:change=move |ev| {
                                        if let Ok(d) = event_target_value(&ev).parse::<i32>() {
                                            window.set(d.clamp(1, 365));
                                        }
                                    }/>
                            </label>
                        </div>
                        {summary(&c)}
                        {results_table(&c)}
                        {engagement_table(&c)}
                        <p class="actions">
                            <button class="secondary" data-testid="campaign-download"
                                on:click=move |_| save_csv(state, &file, &csv)>
                                {t("campaign.download")}
                            </button>
                            {sends}
                        </p>
                    }.into_any()
                }
            }}
        </section>
    }
}

//! Behavioural tiers: purchase frequency, value, usage intensity, e-mail
//! engagement, NPS loyalty and journey stage, with the thresholds read
//! from the data.

use crate::model::message::{Message, Value};

use super::*;

/// The value at a share of the sorted values (R's type 7).
pub(super) fn cut(values: &mut [f64], p: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    if values.is_empty() {
        0.0
    } else {
        quantile7(values, p)
    }
}

/// The orders of the 12 months before the analysis date from which a buyer
/// is frequent: the top quarter of active buyers, at least 2.
pub(super) fn frequent_from(recent: &[u32]) -> u32 {
    let mut active: Vec<f64> = recent
        .iter()
        .filter(|x| **x > 0)
        .map(|x| f64::from(*x))
        .collect();
    cut(&mut active, 0.75).round().max(2.0) as u32
}

/// The spend from which a buyer is of high value (the top 20%) and of
/// medium value (the next 30%).
pub(super) fn value_cuts(facts: &Facts) -> Result<(f64, f64), Message> {
    let mut spend: Vec<f64> = (0..facts.n)
        .filter(|c| facts.order_count(*c) > 0)
        .map(|c| facts.spend(c))
        .collect();
    if spend.is_empty() {
        return Err(Message::new(
            "engine.no_customer_has_an_order_before_the_analysis_date",
        ));
    }
    Ok((cut(&mut spend, 0.8), cut(&mut spend, 0.5)))
}

/// The events of the last 90 days from which a user is heavy (the top 20%
/// of active users) and moderate (the next 30%).
pub(super) fn usage_cuts(count: &[u32]) -> (f64, f64) {
    let mut active: Vec<f64> = count
        .iter()
        .filter(|x| **x > 0)
        .map(|x| f64::from(*x))
        .collect();
    (
        cut(&mut active, 0.8).max(1.0),
        cut(&mut active, 0.5).max(1.0),
    )
}

/// Per customer, the rows of a table dated in the `days` days before the
/// analysis date that `keep` accepts.
pub(super) fn window_count(
    facts: &Facts,
    customer: &[u32],
    day: &dyn Fn(usize) -> Option<Day>,
    keep: &dyn Fn(usize) -> bool,
    days: Day,
) -> Vec<u32> {
    let mut v = vec![0u32; facts.n];
    for (i, c) in customer.iter().enumerate() {
        if let Some(d) = day(i)
            && d < facts.as_of
            && d >= facts.as_of - days
            && keep(i)
            && let Some(slot) = v.get_mut(*c as usize)
        {
            *slot += 1;
        }
    }
    v
}

/// The thresholds a tier scheme read from the data: frequency `[frequent
/// from]` (orders in 12 months), value `[high, medium]` (spend), usage
/// `[heavy, moderate]` (events in 90 days); none for the others.
pub(crate) fn tier_cuts(data: &Dataset, facts: &Facts, tier: Tier) -> Result<Vec<f64>, Message> {
    Ok(match tier {
        Tier::Frequency => {
            let o = &data.orders;
            let recent = window_count(
                facts,
                &o.customer,
                &|i| Some(o.day[i]),
                &|i| o.amount[i] >= 0.0,
                365,
            );
            vec![f64::from(frequent_from(&recent))]
        }
        Tier::Value => {
            let (high, medium) = value_cuts(facts)?;
            vec![high, medium]
        }
        Tier::Usage => {
            let ev = data
                .events
                .as_ref()
                .ok_or_else(|| Message::new("engine.add_an_events_file_to_see_usage_intensity"))?;
            let c = window_count(
                facts,
                &ev.customer,
                &|i| Some(ev.time[i].div_euclid(86_400) as Day),
                &|_| true,
                90,
            );
            let (heavy, moderate) = usage_cuts(&c);
            vec![heavy, moderate]
        }
        _ => Vec::new(),
    })
}

pub(super) fn tier(data: &Dataset, facts: &Facts, tier: Tier) -> Result<Groups, Message> {
    let n = facts.n;
    let named = |v: Vec<(&str, Bitmap)>| -> Vec<(String, Bitmap)> {
        v.into_iter().map(|(a, b)| (a.to_string(), b)).collect()
    };
    match tier {
        Tier::Frequency => {
            let o = &data.orders;
            let recent = window_count(
                facts,
                &o.customer,
                &|i| Some(o.day[i]),
                &|i| o.amount[i] >= 0.0,
                365,
            );
            let frequent_from = frequent_from(&recent);
            Ok(Groups {
                labels: Vec::new(),
                groups: named(vec![
                    (
                        "Frequent buyers",
                        Bitmap::from_fn(n, |c| recent[c] >= frequent_from),
                    ),
                    (
                        "Occasional buyers",
                        Bitmap::from_fn(n, |c| recent[c] > 0 && recent[c] < frequent_from),
                    ),
                    (
                        "Inactive buyers",
                        Bitmap::from_fn(n, |c| recent[c] == 0 && facts.order_count(c) > 0),
                    ),
                ]),
                explanation: Message::new("engine.with.frequency_tiers")
                    .with("frequent", frequent_from),
            })
        }
        Tier::Value => {
            let (high, medium) = value_cuts(facts)?;
            Ok(Groups {
                labels: Vec::new(),
                groups: named(vec![
                    (
                        "High value",
                        Bitmap::from_fn(n, |c| facts.order_count(c) > 0 && facts.spend(c) >= high),
                    ),
                    (
                        "Medium value",
                        Bitmap::from_fn(n, |c| {
                            facts.order_count(c) > 0
                                && facts.spend(c) >= medium
                                && facts.spend(c) < high
                        }),
                    ),
                    (
                        "Low value",
                        Bitmap::from_fn(n, |c| facts.order_count(c) > 0 && facts.spend(c) < medium),
                    ),
                ]),
                explanation: Message::new("engine.with.value_tiers")
                    .with("high", Value::Number(high, 2))
                    .with("medium", Value::Number(medium, 2)),
            })
        }
        Tier::Usage => {
            let ev = data
                .events
                .as_ref()
                .ok_or_else(|| Message::new("engine.add_an_events_file_to_see_usage_intensity"))?;
            let day = |i: usize| Some(ev.time[i].div_euclid(86_400) as Day);
            let count = window_count(facts, &ev.customer, &day, &|_| true, 90);
            let (heavy, moderate) = usage_cuts(&count);
            let c_of = |c: usize| f64::from(count[c]);
            Ok(Groups {
                labels: Vec::new(),
                groups: named(vec![
                    (
                        "Heavy users",
                        Bitmap::from_fn(n, |c| count[c] > 0 && c_of(c) >= heavy),
                    ),
                    (
                        "Moderate users",
                        Bitmap::from_fn(n, |c| {
                            count[c] > 0 && c_of(c) >= moderate && c_of(c) < heavy
                        }),
                    ),
                    (
                        "Light users",
                        Bitmap::from_fn(n, |c| count[c] > 0 && c_of(c) < moderate),
                    ),
                    ("No recent activity", Bitmap::from_fn(n, |c| count[c] == 0)),
                ]),
                explanation: Message::new("engine.with.usage_tiers")
                    .with("heavy", Value::Number(heavy, 0))
                    .with("moderate", Value::Number(moderate, 0)),
            })
        }
        Tier::Engagement => {
            let e = data.email.as_ref().ok_or_else(|| {
                Message::new("engine.add_an_e_mail_results_file_to_see_e_mail_engagement")
            })?;
            let opens90 = window_count(facts, &e.customer, &|i| e.day[i], &|i| e.opened[i], 90);
            let opens180 = window_count(facts, &e.customer, &|i| e.day[i], &|i| e.opened[i], 180);
            let received =
                window_count(facts, &e.customer, &|i| e.day[i], &|i| e.delivered[i], 180);
            Ok(Groups {
                labels: Vec::new(),
                groups: named(vec![
                    ("Engaged readers", Bitmap::from_fn(n, |c| opens90[c] > 0)),
                    (
                        "Passive readers",
                        Bitmap::from_fn(n, |c| opens90[c] == 0 && opens180[c] > 0),
                    ),
                    (
                        "Dormant readers",
                        Bitmap::from_fn(n, |c| opens180[c] == 0 && received[c] > 0),
                    ),
                ]),
                explanation: Message::new(
                    "engine.engaged_opened_an_e_mail_in_the_last_90_days_passive_none_in_90_days_but_one_in_the_90_before_dormant_received_e_mails_in_the_last_180_days_and_opened_none",
                ),
            })
        }
        Tier::Loyalty => {
            if data.surveys.is_none() {
                return Err(Message::new("engine.add_survey_answers_nps_to_see_loyalty"));
            }
            let nps = |c: usize| facts.nps(c);
            Ok(Groups {
                labels: Vec::new(),
                groups: named(vec![
                    (
                        "Promoters",
                        Bitmap::from_fn(n, |c| nps(c).is_some_and(|x| x >= 9)),
                    ),
                    (
                        "Passives",
                        Bitmap::from_fn(n, |c| nps(c).is_some_and(|x| (7..=8).contains(&x))),
                    ),
                    (
                        "Detractors",
                        Bitmap::from_fn(n, |c| nps(c).is_some_and(|x| x <= 6)),
                    ),
                ]),
                explanation: Message::new(
                    "engine.the_latest_nps_answer_of_each_customer_promoters_9_10_passives_7_8_detractors_0_6",
                ),
            })
        }
        Tier::Journey => journey(data, facts, &journey_stage),
    }
}

/// Journey stages from the events of the last 30 days, with a mapping of
/// event names to stages.
pub(super) fn journey(
    data: &Dataset,
    facts: &Facts,
    stage: &dyn Fn(&str) -> Option<u8>,
) -> Result<Groups, Message> {
    let n = facts.n;
    let as_of = facts.as_of;
    let ev = data
        .events
        .as_ref()
        .ok_or_else(|| Message::new("engine.add_an_events_file_to_see_journey_stages"))?;
    let stage_of: Vec<Option<u8>> = ev.names.iter().map(|name| stage(name)).collect();
    let mut best = vec![None::<u8>; n];
    let (lo, hi) = (i64::from(as_of - 30) * 86_400, i64::from(as_of) * 86_400);
    for i in 0..ev.customer.len() {
        let c = ev.customer[i] as usize;
        if ev.time[i] >= lo
            && ev.time[i] < hi
            && c < n
            && let Some(s) = stage_of[ev.event[i] as usize]
        {
            best[c] = Some(best[c].map_or(s, |b| b.max(s)));
        }
    }
    let mapped: Vec<String> = ev
        .names
        .iter()
        .zip(&stage_of)
        .filter_map(|(name, s)| s.map(|s| format!("{name} → {}", JOURNEY[s as usize])))
        .collect();
    Ok(Groups {
        labels: Vec::new(),
        groups: (0..3)
            .map(|s| {
                (
                    JOURNEY[s as usize].to_string(),
                    Bitmap::from_fn(n, |c| best[c] == Some(s)),
                )
            })
            .collect(),
        explanation: Message::new("engine.with.journey_stages").with("stages", mapped.join(", ")),
    })
}

/// The journey stages.
pub(super) const JOURNEY: [&str; 3] = ["Awareness", "Consideration", "Decision"];

/// An event's stage in the user's own mapping (event names compared
/// ignoring case; events not listed stand for none).
pub fn mapped_stage(stages: &[(String, u8)], event: &str) -> Option<u8> {
    stages
        .iter()
        .find(|(e, _)| e.eq_ignore_ascii_case(event))
        .map(|(_, s)| *s)
        .filter(|s| *s < 3)
}

/// The journey stage of an event, from its name: visits and page views
/// build awareness, product views, searches, wish lists and carts are
/// consideration, checkouts and purchases decision.
pub fn journey_stage(event: &str) -> Option<u8> {
    let e = event.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| e.contains(w));
    if has(&["checkout", "purchase", "order", "payment", "pay"]) {
        Some(2)
    } else if has(&["product", "search", "cart", "basket", "wish", "compare"]) {
        Some(1)
    } else if has(&[
        "page", "view", "visit", "session", "open", "click", "landing",
    ]) {
        Some(0)
    } else {
        None
    }
}

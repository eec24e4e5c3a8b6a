//! Suggested actions per segment: which campaigns fit it and the figures
//! behind the choice, chosen from what the segment is (what its customers
//! did, its KPIs against all customers), never from its name: a lapsed
//! segment gets a win-back whether it is called "At Risk", "Perdus" or
//! "Lyon VIP". The page words them (what to do, why, subject lines and
//! messages with placeholders such as `{first_name}`) in the reader's
//! language, from its catalogue under `play.ID`. Rules only: nothing is
//! asked of any online service.

use serde::{Deserialize, Serialize};

use crate::metrics::kpi::{KpiId, KpiTable};
use crate::segments::profile::Profile;

/// One suggested action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    /// The campaign, by id: one of [`PLAYS`].
    pub play: &'static str,
    /// The segment's customers.
    pub customers: u64,
    /// The figures behind the choice, the segment's against all
    /// customers'.
    pub figures: Vec<Figure>,
}

/// A figure behind a suggestion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Figure {
    /// A KPI of the table, by id: the segment's value, all customers'.
    Kpi(KpiId, f64, f64),
    /// A measure of what the customers did: the segment's, all
    /// customers'.
    Measure(Measure, f64, f64),
    /// Where most of the segment lives: the column, the value, its share
    /// of the segment's customers with a value, and its share among all
    /// customers.
    Place(String, String, f64, f64),
}

/// What a [`Figure::Measure`] measures (see `segments::profile::Profile`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Measure {
    /// The median of the days since the last order.
    DaysSinceLast,
    /// The share of buyers with one order.
    OneOrder,
    /// The share of buyers whose first order is recent.
    New,
    /// The share of buyers whose last order is recent.
    Recent,
    /// The share of customers without an order.
    Prospects,
    /// The share of promoters among those who answered.
    Promoters,
    /// The share of detractors among those who answered.
    Detractors,
    /// The mean probability of being still active.
    PAlive,
    /// The mean probability of ordering within 30 days.
    OrderSoon,
}

impl Measure {
    /// Every measure.
    pub const ALL: [Measure; 9] = [
        Measure::DaysSinceLast,
        Measure::OneOrder,
        Measure::New,
        Measure::Recent,
        Measure::Prospects,
        Measure::Promoters,
        Measure::Detractors,
        Measure::PAlive,
        Measure::OrderSoon,
    ];

    /// Its name in the catalogue (`play.measure.KEY`).
    pub fn key(self) -> &'static str {
        match self {
            Measure::DaysSinceLast => "days_since_last",
            Measure::OneOrder => "one_order",
            Measure::New => "new",
            Measure::Recent => "recent",
            Measure::Prospects => "prospects",
            Measure::Promoters => "promoters",
            Measure::Detractors => "detractors",
            Measure::PAlive => "p_alive",
            Measure::OrderSoon => "order_soon",
        }
    }

    /// The value of the measure in a profile.
    fn of(self, p: &Profile) -> Option<f64> {
        match self {
            Measure::DaysSinceLast => p.median_days_since_last,
            Measure::OneOrder => p.one_order_share,
            Measure::New => p.new_share,
            Measure::Recent => p.recent_share,
            Measure::Prospects => p.prospect_share(),
            Measure::Promoters => p.promoter_share,
            Measure::Detractors => p.detractor_share,
            Measure::PAlive => p.p_alive,
            Measure::OrderSoon => p.order_within_30_days,
        }
    }
}

/// Every play [`suggest`] can return.
pub const PLAYS: [&str; 15] = [
    "first_order",
    "welcome",
    "post_purchase",
    "second_order",
    "win_back",
    "reactivation",
    "loyalty",
    "ask_best",
    "detractor_recovery",
    "next_order",
    "local",
    "re_engagement",
    "cross_sell",
    "newsletter",
    "vip_preview",
];

/// A segment is mostly prospects from this share of customers without an
/// order.
const PROSPECTS: f64 = 0.5;
/// Mostly new, or mostly recent buyers, from this share.
const MOSTLY: f64 = 0.5;
/// Mostly one-time buyers from this share.
const ONE_TIMERS: f64 = 0.6;
/// Lapsed: the median days since the last order at least this many times
/// all customers', and at least [`LAPSED_DAYS`]; or at least all
/// customers' with a mean probability of being active under
/// [`LAPSING_P_ALIVE`].
const LAPSED_TIMES: f64 = 1.5;
/// See [`LAPSED_TIMES`].
const LAPSED_DAYS: f64 = 60.0;
/// See [`LAPSED_TIMES`].
const LAPSING_P_ALIVE: f64 = 0.5;
/// Best customers: revenue per customer at least this many times all
/// customers'.
const BEST_TIMES: f64 = 2.0;
/// Enough answers to read the segment's NPS mix.
const ANSWERS: u64 = 5;
/// Mostly promoters from this share of answers; many detractors from the
/// second.
const PROMOTERS: f64 = 0.5;
/// See [`PROMOTERS`].
const DETRACTORS: f64 = 0.3;
/// Likely to order soon: a mean probability of ordering within 30 days
/// from this.
const SOON: f64 = 0.5;
/// Local: one place holds this share of the segment, and it is
/// [`LOCAL_LIFT`] points more than among all customers.
const LOCAL: f64 = 0.6;
/// See [`LOCAL`].
const LOCAL_LIFT: f64 = 0.2;

fn value(table: &KpiTable, group: usize, id: KpiId) -> Option<f64> {
    let k = table.column(id)?;
    table.values.get(group)?.get(k)?.value
}

/// Suggestions for the segment `group` of a KPI table, most fitting
/// first, from its profile among `profiles` (by the group's name, all
/// customers' last) and its KPIs against all customers.
pub fn suggest(table: &KpiTable, group: usize, profiles: &[(String, Profile)]) -> Vec<Suggestion> {
    let Some(name) = table.groups.get(group) else {
        return Vec::new();
    };
    let base = table.groups.len() - 1;
    let get = |id: KpiId| value(table, group, id);
    let all = |id: KpiId| value(table, base, id);
    let none = Profile::default();
    let p = profiles
        .iter()
        .find(|(n, _)| n == name)
        .map_or(&none, |x| &x.1);
    let b = profiles.last().map_or(&none, |x| &x.1);
    let customers = get(KpiId::Customers).map_or(p.customers, |c| c.max(0.0) as u64);
    let kpi = |id: KpiId| Some(Figure::Kpi(id, get(id)?, all(id)?));
    let measure = |m: Measure| Some(Figure::Measure(m, m.of(p)?, m.of(b)?));
    let mut out: Vec<Suggestion> = Vec::new();
    let mut push = |play: &'static str, figures: Vec<Option<Figure>>| {
        if !out.iter().any(|s| s.play == play) {
            out.push(Suggestion {
                play,
                customers,
                figures: figures.into_iter().flatten().collect(),
            });
        }
    };
    let at_least = |x: Option<f64>, limit: f64| x.is_some_and(|x| x >= limit - 1e-12);

    if at_least(p.prospect_share(), PROSPECTS) {
        push("first_order", vec![measure(Measure::Prospects)]);
    }
    let days = p.median_days_since_last;
    let lapsed = match (days, b.median_days_since_last) {
        (Some(d), Some(base)) => {
            d >= (LAPSED_TIMES * base).max(LAPSED_DAYS)
                || (d >= base && p.p_alive.is_some_and(|a| a < LAPSING_P_ALIVE))
        }
        _ => false,
    };
    let above = |id: KpiId| matches!((get(id), all(id)), (Some(v), Some(base)) if v >= base);
    if lapsed {
        // Worth a real offer when they used to buy more than most; a last
        // call before resting them otherwise.
        if above(KpiId::OrdersPerCustomer) || above(KpiId::RevenuePerCustomer) {
            push(
                "win_back",
                vec![
                    measure(Measure::DaysSinceLast),
                    kpi(KpiId::OrdersPerCustomer),
                    kpi(KpiId::RevenuePerCustomer),
                    measure(Measure::PAlive),
                ],
            );
        } else {
            push(
                "reactivation",
                vec![measure(Measure::DaysSinceLast), measure(Measure::PAlive)],
            );
        }
    }
    let best = !lapsed
        && matches!((get(KpiId::RevenuePerCustomer), all(KpiId::RevenuePerCustomer)), (Some(v), Some(base)) if base > 0.0 && v >= BEST_TIMES * base);
    if best {
        push(
            "loyalty",
            vec![
                kpi(KpiId::RevenuePerCustomer),
                kpi(KpiId::OrdersPerCustomer),
            ],
        );
    }
    // A place most of the segment shares, more than all customers do.
    let local = p.places.iter().find(|place| {
        place.known >= ANSWERS
            && place.share >= LOCAL - 1e-12
            && place.share - place.share_of_all >= LOCAL_LIFT - 1e-12
    });
    if let Some(place) = local {
        push(
            "local",
            vec![Some(Figure::Place(
                place.column.clone(),
                place.value.clone(),
                place.share,
                place.share_of_all,
            ))],
        );
    }
    let new = at_least(p.new_share, MOSTLY);
    if new {
        push(
            "welcome",
            vec![measure(Measure::New), kpi(KpiId::RepeatRate)],
        );
    }
    if new || at_least(p.recent_share, MOSTLY) {
        push("post_purchase", vec![measure(Measure::Recent)]);
    }
    if !new
        && !lapsed
        && at_least(p.one_order_share, ONE_TIMERS)
        && days.is_some_and(|d| d >= f64::from(crate::segments::profile::RECENT_DAYS))
    {
        push(
            "second_order",
            vec![measure(Measure::OneOrder), measure(Measure::DaysSinceLast)],
        );
    }
    if best {
        push("vip_preview", vec![kpi(KpiId::RevenuePerCustomer)]);
    }
    let answered = p.answered >= ANSWERS;
    if best || (answered && at_least(p.promoter_share, PROMOTERS)) {
        push(
            "ask_best",
            vec![
                measure(Measure::Promoters),
                kpi(KpiId::Nps),
                kpi(KpiId::OrdersPerCustomer),
            ],
        );
    }
    if answered && at_least(p.detractor_share, DETRACTORS) {
        push(
            "detractor_recovery",
            vec![measure(Measure::Detractors), kpi(KpiId::Nps)],
        );
    }
    if !lapsed && at_least(p.order_within_30_days, SOON) {
        push("next_order", vec![measure(Measure::OrderSoon)]);
    }
    if let (Some(open), Some(base_open)) = (get(KpiId::OpenRate), all(KpiId::OpenRate))
        && open < base_open * 0.8
    {
        push("re_engagement", vec![kpi(KpiId::OpenRate)]);
    }
    if !lapsed && get(KpiId::RepeatRate).is_some_and(|r| r >= 0.5) {
        push("cross_sell", vec![kpi(KpiId::RepeatRate)]);
    }
    // Nothing else fits: a newsletter.
    push(
        "newsletter",
        vec![kpi(KpiId::RevenuePerCustomer), kpi(KpiId::RepeatRate)],
    );
    if out.len() > 1 {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::kpi::{KpiValue, definitions};
    use crate::segments::profile::Place;

    fn table(name: &str, values: &[(&str, f64, f64)]) -> KpiTable {
        let defs = definitions();
        let row = |which: usize| {
            defs.iter()
                .map(|d| KpiValue {
                    value: values
                        .iter()
                        .find(|v| v.0 == d.id.as_str())
                        .map(|v| if which == 0 { v.1 } else { v.2 }),
                    ..KpiValue::default()
                })
                .collect()
        };
        KpiTable {
            kpis: defs.clone(),
            groups: vec![name.into(), "All customers".into()],
            values: vec![row(0), row(1)],
            churn_period_days: 90,
        }
    }

    /// All customers: bought 40 days ago (median), a third once.
    fn everyone() -> Profile {
        Profile {
            customers: 1000,
            buyers: 1000,
            median_days_since_last: Some(40.0),
            one_order_share: Some(0.35),
            new_share: Some(0.05),
            recent_share: Some(0.3),
            p_alive: Some(0.6),
            order_within_30_days: Some(0.2),
            ..Profile::default()
        }
    }

    fn plays(name: &str, kpis: &[(&str, f64, f64)], profile: Profile) -> Vec<&'static str> {
        let profiles = vec![
            (name.to_string(), profile),
            ("All customers".into(), everyone()),
        ];
        suggest(&table(name, kpis), 0, &profiles)
            .into_iter()
            .map(|s| s.play)
            .collect()
    }

    #[test]
    fn a_lapsed_segment_gets_a_win_back_whatever_its_name() {
        // Median 150 days since the last order: over 1.5 times all
        // customers' 40 and over 60. They used to buy more than most:
        // a win-back, whatever the segment is called.
        let lapsed = Profile {
            customers: 42,
            buyers: 42,
            median_days_since_last: Some(150.0),
            one_order_share: Some(0.1),
            p_alive: Some(0.4),
            ..Profile::default()
        };
        let valuable = [
            ("customers", 42.0, 1000.0),
            ("orders_per_customer", 7.0, 3.0),
            ("revenue_per_customer", 80.0, 60.0),
        ];
        for name in ["At Risk", "Champions", "Lyon VIP", "Perdus"] {
            assert_eq!(
                plays(name, &valuable, lapsed.clone())[0],
                "win_back",
                "{name}"
            );
        }
        let s = suggest(
            &table("Perdus", &valuable),
            0,
            &[
                ("Perdus".into(), lapsed.clone()),
                ("All customers".into(), everyone()),
            ],
        );
        assert_eq!(s[0].customers, 42);
        assert_eq!(
            s[0].figures,
            vec![
                Figure::Measure(Measure::DaysSinceLast, 150.0, 40.0),
                Figure::Kpi(KpiId::OrdersPerCustomer, 7.0, 3.0),
                Figure::Kpi(KpiId::RevenuePerCustomer, 80.0, 60.0),
                Figure::Measure(Measure::PAlive, 0.4, 0.6),
            ]
        );
        // Lapsed customers who bought less than most: a last call.
        let modest = [
            ("orders_per_customer", 1.2, 3.0),
            ("revenue_per_customer", 30.0, 60.0),
        ];
        assert_eq!(
            plays("Champions", &modest, lapsed.clone()),
            ["reactivation"]
        );
        // 50 days is under 60 days and 1.5 × 40: not lapsed by its recency
        // alone, but at all customers' recency or more with a mean chance
        // of being active under one half, it is.
        let fading = Profile {
            median_days_since_last: Some(50.0),
            p_alive: Some(0.3),
            ..lapsed.clone()
        };
        assert_eq!(plays("x", &valuable, fading.clone())[0], "win_back");
        let active = Profile {
            p_alive: Some(0.7),
            ..fading
        };
        assert!(!plays("x", &valuable, active).contains(&"win_back"));
    }

    #[test]
    fn new_one_time_and_prospect_segments_get_their_sequences() {
        let new = Profile {
            customers: 100,
            buyers: 100,
            median_days_since_last: Some(12.0),
            one_order_share: Some(0.9),
            new_share: Some(0.8),
            recent_share: Some(0.8),
            ..Profile::default()
        };
        assert_eq!(plays("x", &[], new), ["welcome", "post_purchase"]);
        let one_timers = Profile {
            customers: 100,
            buyers: 100,
            median_days_since_last: Some(50.0),
            one_order_share: Some(0.7),
            new_share: Some(0.0),
            recent_share: Some(0.1),
            ..Profile::default()
        };
        assert_eq!(plays("x", &[], one_timers), ["second_order"]);
        let prospects = Profile {
            customers: 100,
            buyers: 30,
            median_days_since_last: Some(20.0),
            ..Profile::default()
        };
        assert_eq!(plays("x", &[], prospects)[0], "first_order");
    }

    #[test]
    fn best_customers_promoters_detractors_and_places() {
        let active = Profile {
            customers: 50,
            buyers: 50,
            median_days_since_last: Some(20.0),
            one_order_share: Some(0.0),
            recent_share: Some(0.4),
            ..Profile::default()
        };
        // Revenue per customer 2.5 times all customers', repeat rate 1.
        let kpis = [
            ("revenue_per_customer", 500.0, 200.0),
            ("repeat_rate", 1.0, 0.6),
        ];
        assert_eq!(
            plays("x", &kpis, active.clone()),
            ["loyalty", "vip_preview", "ask_best", "cross_sell"]
        );
        // Best and recent: the thanks first, then the post-purchase
        // sequence, then early access; best and local: the local message
        // right after the thanks.
        let recent = Profile {
            recent_share: Some(0.8),
            ..active.clone()
        };
        assert_eq!(
            plays("x", &kpis, recent)[..3],
            ["loyalty", "post_purchase", "vip_preview"]
        );
        let best_in_lyon = Profile {
            places: vec![Place {
                column: "city".into(),
                value: "Lyon".into(),
                share: 1.0,
                known: 50,
                share_of_all: 0.1,
            }],
            ..active.clone()
        };
        assert_eq!(plays("x", &kpis, best_in_lyon)[..2], ["loyalty", "local"]);
        let detractors = Profile {
            answered: 20,
            promoter_share: Some(0.2),
            detractor_share: Some(0.45),
            ..active.clone()
        };
        assert_eq!(plays("x", &[], detractors), ["detractor_recovery"]);
        // Four answers are too few to read.
        let few = Profile {
            answered: 4,
            promoter_share: Some(1.0),
            ..active.clone()
        };
        assert_eq!(plays("x", &[], few), ["newsletter"]);
        let lyon = Profile {
            places: vec![Place {
                column: "ville".into(),
                value: "Lyon".into(),
                share: 0.9,
                known: 40,
                share_of_all: 0.2,
            }],
            ..active.clone()
        };
        let s = suggest(
            &table("x", &[]),
            0,
            &[("x".into(), lyon), ("All customers".into(), everyone())],
        );
        assert_eq!(s[0].play, "local");
        assert_eq!(
            s[0].figures,
            vec![Figure::Place("ville".into(), "Lyon".into(), 0.9, 0.2)]
        );
        // A place all customers share as much is nothing to say.
        let everywhere = Profile {
            places: vec![Place {
                column: "country".into(),
                value: "FR".into(),
                share: 0.9,
                known: 40,
                share_of_all: 0.85,
            }],
            ..active.clone()
        };
        assert_eq!(plays("x", &[], everywhere), ["newsletter"]);
        // Likely to order within 30 days: a reminder timed to it.
        let soon = Profile {
            order_within_30_days: Some(0.6),
            ..active
        };
        assert_eq!(plays("x", &[], soon), ["next_order"]);
    }

    #[test]
    fn every_play_is_listed_and_the_low_open_rate_still_counts() {
        let quiet = Profile {
            customers: 10,
            buyers: 10,
            median_days_since_last: Some(30.0),
            ..Profile::default()
        };
        let s = plays("x", &[("open_rate", 0.1, 0.3)], quiet);
        assert_eq!(s, ["re_engagement"]);
        for play in PLAYS {
            assert!(PLAYS.iter().filter(|p| **p == play).count() == 1);
        }
    }
}

//! Lifecycle stages (prospect, new, one-time, repeat, loyal, at risk,
//! lapsed) with thresholds suggested by the data, and the growth of the
//! customer base per period: new, returning, resurrecting and dormant
//! customers.

use serde::{Deserialize, Serialize};

use crate::import::orders::Orders;
use crate::model::date::{Day, civil_from_days, days_from_civil, format_iso};
use crate::segments::Facts;
use crate::segments::rfm::quantile7;

/// A lifecycle stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Stage {
    /// Known (customers file, e-mails, events) but has never ordered.
    Prospect,
    /// First order within the last "new" days.
    New,
    /// One order, no longer new, not yet at risk.
    OneTime,
    /// Two orders or more, recent.
    Repeat,
    /// At least the "loyal" number of orders, recent.
    Loyal,
    /// Last order longer ago than most gaps between orders.
    AtRisk,
    /// Last order longer ago than almost every gap between orders.
    Lapsed,
}

/// Every stage in display order.
pub const STAGES: [Stage; 7] = [
    Stage::Prospect,
    Stage::New,
    Stage::OneTime,
    Stage::Repeat,
    Stage::Loyal,
    Stage::AtRisk,
    Stage::Lapsed,
];

impl Stage {
    /// The stage's name.
    pub fn label(self) -> &'static str {
        match self {
            Stage::Prospect => "Prospects",
            Stage::New => "New customers",
            Stage::OneTime => "One-time buyers",
            Stage::Repeat => "Repeat customers",
            Stage::Loyal => "Loyal customers",
            Stage::AtRisk => "At risk",
            Stage::Lapsed => "Lapsed",
        }
    }
}

/// The thresholds of the stages, in days and orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LifecycleSetup {
    /// A first order within this many days makes a new customer.
    pub new_days: u32,
    /// With no order for more than this many days, a customer is at risk.
    pub at_risk_after: u32,
    /// With no order for more than this many days, a customer has lapsed.
    pub lapsed_after: u32,
    /// From this many orders, a recent customer is loyal.
    pub loyal_orders: u32,
}

impl Default for LifecycleSetup {
    fn default() -> Self {
        LifecycleSetup {
            new_days: 30,
            at_risk_after: 90,
            lapsed_after: 180,
            loyal_orders: 4,
        }
    }
}

/// Thresholds read from the data, and how they were found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    /// The thresholds.
    pub setup: LifecycleSetup,
    /// The median gap between two orders of the same customer, in days.
    pub median_gap: Option<f64>,
    /// How each threshold was chosen, in words.
    pub explanation: String,
}

/// The gaps, in days, between consecutive order days of each customer
/// before the analysis date (several orders on one day count once).
pub(crate) fn order_gaps(orders: &Orders, as_of: Day) -> Vec<f64> {
    let mut rows: Vec<(u32, Day)> = (0..orders.len())
        .filter(|i| orders.amount[*i] >= 0.0 && orders.day[*i] < as_of)
        .map(|i| (orders.customer[i], orders.day[i]))
        .collect();
    rows.sort_unstable();
    rows.dedup();
    rows.windows(2)
        .filter(|w| w[0].0 == w[1].0)
        .map(|w| f64::from(w[1].1 - w[0].1))
        .collect()
}

/// Suggests thresholds: new = the median gap between orders, at risk
/// after the 80th percentile of gaps, lapsed after the 95th, loyal from the
/// 75th percentile of repeat customers' order counts (at least 3).
pub fn suggest(orders: &Orders, facts: &Facts) -> Suggestion {
    let mut gaps = order_gaps(orders, facts.as_of);
    if gaps.len() < 10 {
        return Suggestion {
            setup: LifecycleSetup::default(),
            median_gap: None,
            explanation: format!(
                "Too few repeat orders ({}) to read the thresholds from the data: the usual 30 / 90 / 180 days and 4 orders are used.",
                gaps.len()
            ),
        };
    }
    gaps.sort_by(f64::total_cmp);
    let q = |p: f64| quantile7(&gaps, p).round().max(1.0) as u32;
    let median = quantile7(&gaps, 0.5);
    let new_days = q(0.5);
    let at_risk_after = q(0.8).max(new_days);
    let lapsed_after = q(0.95).max(at_risk_after + 1);
    let mut counts: Vec<f64> = (0..facts.n)
        .map(|c| f64::from(facts.order_count(c)))
        .filter(|x| *x >= 2.0)
        .collect();
    counts.sort_by(f64::total_cmp);
    let loyal_orders = if counts.is_empty() {
        3
    } else {
        (quantile7(&counts, 0.75).round() as u32).max(3)
    };
    Suggestion {
        setup: LifecycleSetup {
            new_days,
            at_risk_after,
            lapsed_after,
            loyal_orders,
        },
        median_gap: Some(median),
        explanation: format!(
            "Half of the repeat orders come within {new_days} days of the previous one, 80% within {at_risk_after} days and 95% within {lapsed_after} days; a quarter of repeat customers have {loyal_orders} orders or more."
        ),
    }
}

/// The stage of every customer (by dense index).
pub fn stages(facts: &Facts, setup: &LifecycleSetup) -> Vec<Stage> {
    (0..facts.n)
        .map(|c| {
            let orders = facts.order_count(c);
            let (first, last) = facts.first_last(c);
            let (Some(first), Some(last)) = (first, last) else {
                return Stage::Prospect;
            };
            let since_last = facts.as_of - last;
            if since_last > setup.lapsed_after as Day {
                Stage::Lapsed
            } else if since_last > setup.at_risk_after as Day {
                Stage::AtRisk
            } else if facts.as_of - first <= setup.new_days as Day {
                Stage::New
            } else if orders >= setup.loyal_orders.max(2) {
                Stage::Loyal
            } else if orders >= 2 {
                Stage::Repeat
            } else {
                Stage::OneTime
            }
        })
        .collect()
}

/// The length of the periods of [`flows`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Period {
    /// Calendar weeks, Monday to Sunday.
    Week,
    /// Calendar months.
    Month,
}

/// The movement of the customer base in one period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Flow {
    /// The period's first day.
    pub start: Day,
    /// The period's name: `2024-03` or the week's Monday.
    pub label: String,
    /// First order in this period.
    pub new: u64,
    /// Ordered in this period and the previous one.
    pub returning: u64,
    /// Ordered in this period, not in the previous one, and before.
    pub resurrecting: u64,
    /// Ordered in the previous period, not in this one.
    pub dormant: u64,
    /// False for the period the analysis date cuts short.
    pub complete: bool,
}

fn period_index(day: Day, period: Period) -> i64 {
    match period {
        // Day 0 (1970-01-01) was a Thursday: Monday-based weeks start 3
        // days earlier.
        Period::Week => (i64::from(day) + 3).div_euclid(7),
        Period::Month => {
            let (y, m, _) = civil_from_days(day);
            i64::from(y) * 12 + i64::from(m) - 1
        }
    }
}

fn period_start(index: i64, period: Period) -> Day {
    match period {
        Period::Week => (index * 7 - 3) as Day,
        Period::Month => days_from_civil(
            index.div_euclid(12) as i32,
            (index.rem_euclid(12) + 1) as u32,
            1,
        ),
    }
}

/// New, returning, resurrecting and dormant customers per period, from the
/// first order's period to the analysis date's (orders before it only).
pub fn flows(orders: &Orders, as_of: Day, period: Period) -> Vec<Flow> {
    let mut rows: Vec<(u32, i64)> = (0..orders.len())
        .filter(|i| orders.amount[*i] >= 0.0 && orders.day[*i] < as_of)
        .map(|i| (orders.customer[i], period_index(orders.day[i], period)))
        .collect();
    if rows.is_empty() {
        return Vec::new();
    }
    rows.sort_unstable();
    rows.dedup();
    let first = rows.iter().map(|r| r.1).min().unwrap_or(0);
    let last = period_index(as_of - 1, period);
    let len = (last - first + 1).max(0) as usize;
    let (mut new, mut returning, mut resurrecting, mut dormant) = (
        vec![0u64; len],
        vec![0u64; len],
        vec![0u64; len],
        vec![0u64; len],
    );
    let slot = |p: i64| (p - first) as usize;
    let mut i = 0;
    while i < rows.len() {
        let c = rows[i].0;
        let mut prev: Option<i64> = None;
        while i < rows.len() && rows[i].0 == c {
            let p = rows[i].1;
            match prev {
                None => new[slot(p)] += 1,
                Some(q) if q == p - 1 => returning[slot(p)] += 1,
                Some(q) => {
                    resurrecting[slot(p)] += 1;
                    dormant[slot(q + 1)] += 1;
                }
            }
            prev = Some(p);
            i += 1;
        }
        if let Some(q) = prev
            && q < last
        {
            dormant[slot(q + 1)] += 1;
        }
    }
    (0..len)
        .map(|s| {
            let index = first + s as i64;
            let start = period_start(index, period);
            let label = match period {
                Period::Month => format_iso(start)[..7].to_string(),
                Period::Week => format_iso(start),
            };
            let next = period_start(index + 1, period);
            Flow {
                start,
                label,
                new: new[s],
                returning: returning[s],
                resurrecting: resurrecting[s],
                dormant: dormant[s],
                complete: next <= as_of,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::dataset::Dataset;

    fn d(y: i32, m: u32, day: u32) -> Day {
        days_from_civil(y, m, day)
    }

    #[test]
    fn stages_follow_the_thresholds() {
        let as_of = d(2024, 7, 1);
        let mut data = Dataset::from_orders(Orders::from_rows(&[
            // new: first order 10 days ago
            ("new".into(), as_of - 10, 20.0),
            // one-time: one order 40 days ago
            ("once".into(), as_of - 40, 20.0),
            // repeat: two orders, last 5 days ago
            ("rep".into(), as_of - 50, 20.0),
            ("rep".into(), as_of - 5, 20.0),
            // loyal: four orders, last 1 day ago
            ("loyal".into(), as_of - 200, 20.0),
            ("loyal".into(), as_of - 100, 20.0),
            ("loyal".into(), as_of - 50, 20.0),
            ("loyal".into(), as_of - 1, 20.0),
            // at risk: last order 91 days ago (threshold 90 is "more than")
            ("risk".into(), as_of - 91, 20.0),
            ("edge".into(), as_of - 90, 20.0),
            // lapsed: 181 days
            ("gone".into(), as_of - 181, 20.0),
            // an order after the analysis date is not seen
            ("late".into(), as_of + 3, 20.0),
        ]));
        data.add_source("c.csv", b"customer_id,city\nprospect,Lyon\n")
            .unwrap();
        let facts = Facts::new(&data, as_of);
        let s = stages(&facts, &LifecycleSetup::default());
        let of = |k: &str| {
            s[data
                .orders
                .customer_keys
                .iter()
                .position(|x| x == k)
                .unwrap()]
        };
        assert_eq!(of("new"), Stage::New);
        assert_eq!(of("once"), Stage::OneTime);
        assert_eq!(of("rep"), Stage::Repeat);
        assert_eq!(of("loyal"), Stage::Loyal);
        assert_eq!(of("risk"), Stage::AtRisk);
        assert_eq!(of("edge"), Stage::OneTime);
        assert_eq!(of("gone"), Stage::Lapsed);
        assert_eq!(of("late"), Stage::Prospect);
        assert_eq!(of("prospect"), Stage::Prospect);
    }

    #[test]
    fn suggestions_come_from_the_gaps() {
        // 20 customers, each with gaps 1, 2, ..., 20 days (one gap each
        // customer): the median gap is 10.5, rounded to 11 (R's type 7:
        // 1 + 19 * 0.5 = 10.5); p80 = 1 + 19 * 0.8 = 16.2; p95 = 19.05.
        let mut rows = Vec::new();
        for g in 1..=20 {
            rows.push((format!("c{g}"), 1000, 10.0));
            rows.push((format!("c{g}"), 1000 + g, 10.0));
        }
        let data = Dataset::from_orders(Orders::from_rows(&rows));
        let facts = Facts::new(&data, 1100);
        let s = suggest(&data.orders, &facts);
        assert_eq!(s.median_gap, Some(10.5));
        assert_eq!(
            s.setup,
            LifecycleSetup {
                new_days: 11,
                at_risk_after: 16,
                lapsed_after: 19,
                loyal_orders: 3
            }
        );
        // Too few gaps: the defaults, said.
        let small = Dataset::from_orders(Orders::from_rows(&rows[..4]));
        let s = suggest(&small.orders, &Facts::new(&small, 1100));
        assert_eq!(s.setup, LifecycleSetup::default());
        assert!(s.explanation.contains("Too few"));
    }

    #[test]
    fn monthly_flows_by_hand() {
        // a: Jan, Feb, Apr   b: Feb, Mar   c: Mar (twice)   as of 15 Apr.
        let rows = [
            ("a", d(2024, 1, 5)),
            ("a", d(2024, 2, 5)),
            ("a", d(2024, 4, 2)),
            ("b", d(2024, 2, 9)),
            ("b", d(2024, 3, 9)),
            ("c", d(2024, 3, 1)),
            ("c", d(2024, 3, 30)),
        ];
        let rows: Vec<(String, Day, f64)> = rows
            .iter()
            .map(|(c, d)| (c.to_string(), *d, 10.0))
            .collect();
        let o = Orders::from_rows(&rows);
        let f = flows(&o, d(2024, 4, 15), Period::Month);
        let got: Vec<(&str, u64, u64, u64, u64, bool)> = f
            .iter()
            .map(|x| {
                (
                    x.label.as_str(),
                    x.new,
                    x.returning,
                    x.resurrecting,
                    x.dormant,
                    x.complete,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("2024-01", 1, 0, 0, 0, true),
                ("2024-02", 1, 1, 0, 0, true),
                // a skipped March: dormant; c new.
                ("2024-03", 1, 1, 0, 1, true),
                // a came back; b and c did not order in April (yet).
                ("2024-04", 0, 0, 1, 2, false),
            ]
        );
    }

    #[test]
    fn weeks_start_on_monday() {
        // 2024-07-01 was a Monday.
        let monday = d(2024, 7, 1);
        assert_eq!(
            period_start(period_index(monday + 6, Period::Week), Period::Week),
            monday
        );
        assert_eq!(
            period_start(period_index(monday, Period::Week), Period::Week),
            monday
        );
        assert_eq!(
            period_start(period_index(monday - 1, Period::Week), Period::Week),
            monday - 7
        );
        let o = Orders::from_rows(&[("a".into(), monday, 1.0), ("a".into(), monday + 8, 1.0)]);
        let f = flows(&o, monday + 9, Period::Week);
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].label, "2024-07-01");
        assert_eq!((f[1].returning, f[1].complete), (1, false));
    }
}

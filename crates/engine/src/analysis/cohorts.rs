//! Over time: cohort retention (customers by the month of their first
//! order, and the share still ordering each month after) and the migration
//! of customers between the RFM segments of two analysis dates.

use serde::{Deserialize, Serialize};

use crate::import::orders::Orders;
use crate::model::bitmap::Bitmap;
use crate::model::date::{Day, civil_from_days, days_from_civil, format_iso};
use crate::segments::rfm::{self, RfmSetup};

/// The retention of each monthly cohort.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cohorts {
    /// Each cohort's month, `yyyy-mm`.
    pub months: Vec<String>,
    /// Customers whose first order fell in that month.
    pub sizes: Vec<u64>,
    /// `active[c][k]`: customers of cohort `c` with an order in its
    /// `k`-th month (0 = the first), up to the analysis date's month.
    pub active: Vec<Vec<u64>>,
    /// `revenue[c][k]`: their net spend that month.
    pub revenue: Vec<Vec<f64>>,
    /// True when the analysis date's month is not over (the last cell of
    /// each row is partial).
    pub last_month_partial: bool,
}

fn month_index(day: Day) -> i64 {
    let (y, m, _) = civil_from_days(day);
    i64::from(y) * 12 + i64::from(m) - 1
}

/// Monthly cohorts of the customers in `within` (every buyer when `None`),
/// from their orders before the analysis date.
pub fn retention(orders: &Orders, as_of: Day, within: Option<&Bitmap>) -> Cohorts {
    let n = orders.customer_keys.len();
    let keep = |i: usize| {
        orders.day[i] < as_of && within.is_none_or(|w| w.contains(orders.customer[i] as usize))
    };
    let mut first = vec![i64::MAX; n];
    for i in (0..orders.len()).filter(|i| keep(*i) && orders.amount[*i] >= 0.0) {
        let c = orders.customer[i] as usize;
        first[c] = first[c].min(month_index(orders.day[i]));
    }
    let start = first.iter().copied().filter(|m| *m != i64::MAX).min();
    let Some(start) = start else {
        return Cohorts {
            months: Vec::new(),
            sizes: Vec::new(),
            active: Vec::new(),
            revenue: Vec::new(),
            last_month_partial: false,
        };
    };
    let last = month_index(as_of - 1);
    let len = (last - start + 1) as usize;
    let mut sizes = vec![0u64; len];
    for m in first.iter().filter(|m| **m != i64::MAX) {
        sizes[(m - start) as usize] += 1;
    }
    let mut active: Vec<Vec<u64>> = (0..len).map(|c| vec![0; len - c]).collect();
    let mut revenue: Vec<Vec<f64>> = (0..len).map(|c| vec![0.0; len - c]).collect();
    // Each customer counts once per month they ordered in.
    let mut rows: Vec<(u32, i64, f64, bool)> = (0..orders.len())
        .filter(|i| keep(*i))
        .map(|i| {
            (
                orders.customer[i],
                month_index(orders.day[i]),
                orders.amount[i],
                orders.amount[i] >= 0.0,
            )
        })
        .collect();
    rows.sort_by_key(|r| (r.0, r.1));
    let mut i = 0;
    while i < rows.len() {
        let (c, m) = (rows[i].0, rows[i].1);
        let mut spend = 0.0;
        let mut ordered = false;
        while i < rows.len() && rows[i].0 == c && rows[i].1 == m {
            spend += rows[i].2;
            ordered |= rows[i].3;
            i += 1;
        }
        let f = first[c as usize];
        if f == i64::MAX || m < f {
            continue;
        }
        let (cohort, k) = ((f - start) as usize, (m - f) as usize);
        if ordered {
            active[cohort][k] += 1;
        }
        revenue[cohort][k] += spend;
    }
    let months = (0..len)
        .map(|c| {
            let m = start + c as i64;
            format_iso(days_from_civil(
                m.div_euclid(12) as i32,
                (m.rem_euclid(12) + 1) as u32,
                1,
            ))[..7]
                .to_string()
        })
        .collect();
    let (y, mo, _) = civil_from_days(as_of);
    Cohorts {
        months,
        sizes,
        active,
        revenue,
        last_month_partial: days_from_civil(y, mo, 1) != as_of,
    }
}

/// Customers moving between the RFM segments of two dates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Migration {
    /// The earlier date.
    pub from: Day,
    /// The later date.
    pub to: Day,
    /// The segments, in rule order, then "Others", then "Not yet a
    /// customer" (no order before the earlier date; rows only).
    pub segments: Vec<String>,
    /// `counts[a][b]`: customers in segment `a` at the earlier date and
    /// `b` at the later one.
    pub counts: Vec<Vec<u64>>,
}

/// The name of the row of customers with no order at the earlier date.
pub const NOT_YET: &str = "Not yet a customer";

/// Scores the customers at both dates with the same setup and counts the
/// moves between segments.
pub fn migration(orders: &Orders, setup: &RfmSetup, from: Day, to: Day) -> Migration {
    let before = rfm::compute(orders, from, &setup.config, &setup.rules);
    let after = rfm::compute(orders, to, &setup.config, &setup.rules);
    let mut segments = after.segment_names.clone();
    let k = segments.len();
    segments.push(NOT_YET.to_string());
    let n = orders.customer_keys.len();
    let mut was = vec![k; n];
    for r in &before.rows {
        was[r.values.customer as usize] = r.segment as usize;
    }
    let mut counts = vec![vec![0u64; k]; k + 1];
    for r in &after.rows {
        counts[was[r.values.customer as usize]][r.segment as usize] += 1;
    }
    Migration {
        from,
        to,
        segments,
        counts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::date::days_from_civil as d;

    #[test]
    fn cohorts_by_hand() {
        // a: Jan, Feb, Apr (and a refund in Mar); b: Jan; c: Feb, Feb, Mar.
        let o = Orders::from_rows(&[
            ("a".into(), d(2024, 1, 5), 10.0),
            ("a".into(), d(2024, 2, 5), 20.0),
            ("a".into(), d(2024, 3, 5), -5.0),
            ("a".into(), d(2024, 4, 5), 30.0),
            ("b".into(), d(2024, 1, 20), 15.0),
            ("c".into(), d(2024, 2, 1), 8.0),
            ("c".into(), d(2024, 2, 9), 2.0),
            ("c".into(), d(2024, 3, 9), 4.0),
        ]);
        let x = retention(&o, d(2024, 4, 10), None);
        assert_eq!(x.months, vec!["2024-01", "2024-02", "2024-03", "2024-04"]);
        assert_eq!(x.sizes, vec![2, 1, 0, 0]);
        assert_eq!(
            x.active[0],
            vec![2, 1, 0, 1],
            "a's refund month is not an order month"
        );
        assert_eq!(x.active[1], vec![1, 1, 0]);
        assert_eq!(x.revenue[0], vec![25.0, 20.0, -5.0, 30.0]);
        assert_eq!(x.revenue[1], vec![10.0, 4.0, 0.0]);
        assert!(x.last_month_partial);
        // One segment only: b.
        let only_b = Bitmap::from_fn(o.customer_keys.len(), |c| o.customer_keys[c] == "b");
        let y = retention(&o, d(2024, 5, 1), Some(&only_b));
        assert_eq!(y.sizes[0], 1);
        assert_eq!(y.active[0], vec![1, 0, 0, 0]);
        assert!(!y.last_month_partial);
    }

    #[test]
    fn migration_counts_every_later_customer_once() {
        let mut rows = Vec::new();
        for i in 0..40 {
            rows.push((format!("c{i}"), d(2024, 1, 1) + i, 10.0 + f64::from(i)));
            if i % 2 == 0 {
                rows.push((format!("c{i}"), d(2024, 5, 1) + i, 50.0));
            }
        }
        rows.push(("late".into(), d(2024, 6, 20), 99.0));
        let o = Orders::from_rows(&rows);
        let setup = RfmSetup::default();
        let m = migration(&o, &setup, d(2024, 3, 1), d(2024, 7, 1));
        let total: u64 = m.counts.iter().flatten().sum();
        assert_eq!(total, 41);
        let not_yet = m.counts.last().unwrap().iter().sum::<u64>();
        assert_eq!(not_yet, 1, "late had no order on 1 March");
        // The counts match the segments of each date.
        let after = rfm::compute(&o, d(2024, 7, 1), &setup.config, &setup.rules);
        for (s, _) in m.segments.iter().enumerate().take(m.segments.len() - 1) {
            let column: u64 = m.counts.iter().map(|r| r[s]).sum();
            assert_eq!(
                column,
                after
                    .rows
                    .iter()
                    .filter(|r| r.segment as usize == s)
                    .count() as u64
            );
        }
    }
}

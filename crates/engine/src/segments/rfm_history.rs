//! RFM segment sizes over time, recomputed from the orders: at each month
//! end, the segments as they stood that day, counting only the orders dated
//! up to it, with the next day as the analysis date (as Klaviyo's segment
//! growth report shows a segment's members over time, but from the data,
//! not from snapshots taken in the app).

use serde::{Deserialize, Serialize};

use crate::import::orders::Orders;
use crate::model::date::{Day, civil_from_days, days_from_civil, days_in_month};
use crate::segments::rfm::{self, RfmSetup};

/// A month, as `(year, month)`.
pub type Month = (i32, u32);

/// The customers of each segment at one month end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonthEnd {
    /// The month's last day.
    pub day: Day,
    /// The customers of each segment, aligned with
    /// [`SegmentHistory::segment_names`].
    pub customers: Vec<u64>,
}

/// The RFM segments' sizes at each month end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentHistory {
    /// The segments in the setup's order, then "Others".
    pub segment_names: Vec<String>,
    /// Month by month, oldest first.
    pub months: Vec<MonthEnd>,
}

/// The last day of `month`.
pub fn month_end((year, month): Month) -> Day {
    days_from_civil(year, month, days_in_month(year, month))
}

/// The month ends from `from` (default: the month of the first order) to
/// `to` (default: the month of the last order), keeping only those on or
/// before the last order's day (a month the data has not finished has no
/// end yet) and on or after the first order's.
pub fn month_ends(orders: &Orders, from: Option<Month>, to: Option<Month>) -> Vec<Day> {
    let (Some(first), Some(last)) = (orders.day.iter().min(), orders.last_order_day()) else {
        return Vec::new();
    };
    let month_of = |day: Day| {
        let (y, m, _) = civil_from_days(day);
        (y, m)
    };
    let mut month = from.unwrap_or_else(|| month_of(*first));
    let to = to.unwrap_or_else(|| month_of(last));
    let mut ends = Vec::new();
    while month <= to {
        let end = month_end(month);
        if end >= *first && end <= last {
            ends.push(end);
        }
        month = if month.1 == 12 {
            (month.0 + 1, 1)
        } else {
            (month.0, month.1 + 1)
        };
    }
    ends
}

/// The segments of `setup` at each of the month ends `ends`: the customers
/// with an order on or before that day, scored with the orders up to it
/// (the bins recomputed each time, as a new analysis that day would) and
/// the next day as the analysis date.
pub fn segment_history(orders: &Orders, setup: &RfmSetup, ends: &[Day]) -> SegmentHistory {
    let segment_names = rfm::segment_names(&setup.rules);
    let months = ends
        .iter()
        .map(|&day| {
            let mut upto = orders.clone();
            let keep: Vec<bool> = orders.day.iter().map(|d| *d <= day).collect();
            upto.retain_rows(&keep);
            let result = rfm::compute(&upto, day + 1, &setup.config, &setup.rules);
            let mut customers = vec![0u64; segment_names.len()];
            for row in &result.rows {
                customers[usize::from(row.segment)] += 1;
            }
            MonthEnd { day, customers }
        })
        .collect();
    SegmentHistory {
        segment_names,
        months,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segments::rfm::{Bins, RfmConfig, SegmentRule};

    #[test]
    fn month_ends_stop_where_the_data_does() {
        let d = |y, m, day| days_from_civil(y, m, day);
        let orders = Orders::from_rows(&[
            ("a".into(), d(2024, 1, 15), 10.0),
            ("b".into(), d(2024, 3, 31), 10.0),
            ("a".into(), d(2024, 5, 20), 10.0),
        ]);
        let ends = month_ends(&orders, None, None);
        assert_eq!(
            ends,
            vec![
                d(2024, 1, 31),
                d(2024, 2, 29),
                d(2024, 3, 31),
                d(2024, 4, 30)
            ]
        );
        assert_eq!(
            month_ends(&orders, Some((2024, 3)), Some((2024, 12))),
            vec![d(2024, 3, 31), d(2024, 4, 30)]
        );
        assert_eq!(
            month_ends(&Orders::from_rows(&[]), None, None),
            Vec::<Day>::new()
        );
    }

    #[test]
    fn a_month_end_counts_only_the_orders_up_to_it() {
        // Two bins and one segment, worked by hand: on 31 January only a
        // (one order) and b (three) have bought; c's order of 1 February
        // waits for the next month end. Frequency bins split at R's type-7
        // median + 1: {1, 3} gives 2 + 1, so b alone is frequent.
        let d = |y, m, day| days_from_civil(y, m, day);
        let orders = Orders::from_rows(&[
            ("a".into(), d(2024, 1, 10), 10.0),
            ("b".into(), d(2024, 1, 5), 10.0),
            ("b".into(), d(2024, 1, 12), 10.0),
            ("b".into(), d(2024, 1, 20), 10.0),
            ("c".into(), d(2024, 2, 1), 10.0),
            ("c".into(), d(2024, 2, 28), 10.0),
            ("a".into(), d(2024, 2, 29), 10.0),
        ]);
        let setup = RfmSetup {
            config: RfmConfig {
                recency: Bins::Quantiles(2),
                frequency: Bins::Quantiles(2),
                monetary: Bins::Quantiles(2),
            },
            rules: vec![SegmentRule {
                name: "Frequent".into(),
                r: (1, 2),
                f: (2, 2),
                m: (1, 2),
            }],
        };
        let history = segment_history(&orders, &setup, &month_ends(&orders, None, None));
        assert_eq!(history.segment_names, ["Frequent", rfm::OTHERS]);
        let days: Vec<Day> = history.months.iter().map(|m| m.day).collect();
        assert_eq!(days, vec![d(2024, 1, 31), d(2024, 2, 29)]);
        // January: b frequent, a not. February: {2, 2, 3} splits at its
        // median 2 + 1, so b (3) is still the only frequent one, beside a
        // and c (2 each).
        assert_eq!(history.months[0].customers, vec![1, 1]);
        assert_eq!(history.months[1].customers, vec![1, 2]);
    }
}

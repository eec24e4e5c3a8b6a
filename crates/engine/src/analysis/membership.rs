//! Who is in which group at a date, for every group of a project at once
//! (the RFM segments, the lifecycle stages, the saved segments), and the
//! groups' sizes month end by month end recomputed from the data, with who
//! entered and left each month (as Klaviyo's segment growth report shows a
//! segment over time, but from the orders, not from snapshots).

use crate::model::message::Message;
use serde::{Deserialize, Serialize};

use crate::analysis::AnalysisOptions;
use crate::import::dataset::Dataset;
use crate::import::orders::Orders;
use crate::model::bitmap::Bitmap;
use crate::model::date::Day;
use crate::segments::Facts;
use crate::segments::groups;
use crate::segments::lifecycle::{self, LifecycleSetup, STAGES, Stage};
use crate::segments::rfm;

/// A group of customers, by what it is: never by a translated name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum GroupId {
    /// An RFM segment, by its name in the project's RFM setup.
    Rfm(String),
    /// A lifecycle stage.
    Lifecycle(Stage),
    /// A saved segment, by its name.
    Saved(String),
}

/// The members of every group at one date, by customer index, and the
/// saved segments that could not be evaluated, with why.
pub(crate) struct Memberships {
    /// Each group and its members.
    pub groups: Vec<(GroupId, Bitmap)>,
    /// Saved segments that could not be evaluated: name, why.
    pub not_measured: Vec<(String, Message)>,
}

/// The orders dated on or before `day`, over the same customers (indices
/// kept).
pub(crate) fn up_to(orders: &Orders, day: Day) -> Orders {
    let mut out = Orders {
        customer_keys: orders.customer_keys.clone(),
        categories: orders.categories.clone(),
        ..Orders::default()
    };
    for i in (0..orders.len()).filter(|&i| orders.day[i] <= day) {
        out.customer.push(orders.customer[i]);
        out.day.push(orders.day[i]);
        out.amount.push(orders.amount[i]);
        if let Some(c) = orders.category.get(i) {
            out.category.push(*c);
        }
    }
    out
}

/// The lifecycle thresholds of a project: its own, or those read from its
/// data at `as_of`.
pub(crate) fn lifecycle_setup(
    data: &Dataset,
    options: &AnalysisOptions,
    as_of: Day,
) -> LifecycleSetup {
    options
        .lifecycle
        .unwrap_or_else(|| lifecycle::suggest(&data.orders, &Facts::new(data, as_of)).setup)
}

/// Every group's members as the project stood at `as_of` (only what is
/// dated before it counts): the RFM segments of the orders up to the day
/// before, scored with `options`' setup; the lifecycle stages with `setup`
/// (without prospects when `prospects` is false); the saved segments.
pub(crate) fn memberships_at(
    data: &Dataset,
    options: &AnalysisOptions,
    setup: &LifecycleSetup,
    as_of: Day,
    prospects: bool,
) -> Memberships {
    let orders = up_to(&data.orders, as_of - 1);
    let result = rfm::compute(&orders, as_of, &options.rfm.config, &options.rfm.rules);
    let n = data.orders.customer_keys.len();
    let mut out = Vec::new();
    for (s, name) in result.segment_names.iter().enumerate() {
        let mut set = Bitmap::empty(n);
        for row in result.rows.iter().filter(|r| r.segment as usize == s) {
            set.insert(row.values.customer as usize);
        }
        out.push((GroupId::Rfm(name.clone()), set));
    }
    let facts = Facts::new(data, as_of).with_rfm(&result);
    let stages = lifecycle::stages(&facts, setup);
    for stage in STAGES
        .into_iter()
        .filter(|s| prospects || *s != Stage::Prospect)
    {
        out.push((
            GroupId::Lifecycle(stage),
            Bitmap::from_fn(n, |c| stages[c] == stage),
        ));
    }
    let mut not_measured = Vec::new();
    for saved in &options.segments {
        match groups::members(data, &facts, &saved.definition, setup) {
            Ok(set) => out.push((GroupId::Saved(saved.name.clone()), set)),
            Err(why) => not_measured.push((saved.name.clone(), why)),
        }
    }
    Memberships {
        groups: out,
        not_measured,
    }
}

/// One group month by month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupMonths {
    /// The group.
    pub group: GroupId,
    /// Its customers at each month end.
    pub customers: Vec<u64>,
    /// The customers who entered it since the month end before (all of
    /// them at the first).
    pub entered: Vec<u64>,
    /// The customers who left it since the month end before.
    pub left: Vec<u64>,
}

/// Every group's size at each month end, from the data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupHistory {
    /// The month ends, oldest first.
    pub days: Vec<Day>,
    /// The groups: RFM segments, lifecycle stages (prospects left out:
    /// customers known only from other files have no date), saved
    /// segments.
    pub groups: Vec<GroupMonths>,
    /// Saved segments that could not be measured at some month end, with
    /// why.
    pub not_measured: Vec<(String, Message)>,
}

/// The groups of the project at each of `ends` (month ends): at each, what
/// was dated up to it counts and the next day is the analysis date, the
/// RFM bins recomputed as an analysis that day would; the lifecycle
/// thresholds are the project's throughout (read from its data when it has
/// none).
pub fn group_history(data: &Dataset, options: &AnalysisOptions, ends: &[Day]) -> GroupHistory {
    let Some(today) = options.as_of.or_else(|| crate::default_as_of(&data.orders)) else {
        return GroupHistory {
            days: Vec::new(),
            groups: Vec::new(),
            not_measured: Vec::new(),
        };
    };
    let setup = lifecycle_setup(data, options, today);
    let mut groups: Vec<GroupMonths> = Vec::new();
    let mut before: Vec<(GroupId, Bitmap)> = Vec::new();
    let mut not_measured: Vec<(String, Message)> = Vec::new();
    for (month, &end) in ends.iter().enumerate() {
        let now = memberships_at(data, options, &setup, end + 1, false);
        for (name, why) in now.not_measured {
            if !not_measured.iter().any(|(n, _)| *n == name) {
                not_measured.push((name, why));
            }
        }
        for (group, set) in &now.groups {
            let at = match groups.iter().position(|g| g.group == *group) {
                Some(at) => at,
                None => {
                    groups.push(GroupMonths {
                        group: group.clone(),
                        customers: vec![0; ends.len()],
                        entered: vec![0; ends.len()],
                        left: vec![0; ends.len()],
                    });
                    groups.len() - 1
                }
            };
            let was = before.iter().find(|(g, _)| g == group).map(|(_, s)| s);
            let g = &mut groups[at];
            g.customers[month] = set.count();
            let n = set.universe();
            g.entered[month] = match was {
                Some(was) => (0..n)
                    .filter(|&c| set.contains(c) && !was.contains(c))
                    .count() as u64,
                None => set.count(),
            };
            g.left[month] = was.map_or(0, |was| {
                (0..n)
                    .filter(|&c| was.contains(c) && !set.contains(c))
                    .count() as u64
            });
        }
        before = now.groups;
    }
    GroupHistory {
        days: ends.to_vec(),
        groups,
        not_measured,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::date::days_from_civil;
    use crate::segments::rfm_history::{month_ends, segment_history};

    #[test]
    fn the_rfm_segments_month_by_month_are_those_of_the_rfm_history() {
        let files = crate::import::demo::generate_sized(7, 300);
        let (orders, _) =
            crate::import_orders("orders.csv", files.orders.as_bytes(), Default::default())
                .expect("the demo's orders");
        let data = Dataset::from_orders(orders);
        let options = AnalysisOptions::default();
        let ends = month_ends(&data.orders, None, None);
        let history = group_history(&data, &options, &ends);
        let rfm = segment_history(&data.orders, &options.rfm, &ends);
        for (s, name) in rfm.segment_names.iter().enumerate() {
            let g = history
                .groups
                .iter()
                .find(|g| g.group == GroupId::Rfm(name.clone()))
                .expect("every segment");
            let want: Vec<u64> = rfm.months.iter().map(|m| m.customers[s]).collect();
            assert_eq!(g.customers, want, "{name}");
            // Sizes follow from the moves: each month's size is the last
            // one's plus who entered less who left.
            for m in 1..ends.len() {
                assert_eq!(
                    g.customers[m] as i64,
                    g.customers[m - 1] as i64 + g.entered[m] as i64 - g.left[m] as i64,
                    "{name}, month {m}"
                );
            }
        }
    }

    #[test]
    fn lifecycle_stages_month_by_month_worked_by_hand() {
        // The usual thresholds (new for 30 days, at risk after 90, lapsed
        // after 180, loyal from 4 orders). a buys on 10 January, then on 5
        // and 20 February; b once on 25 January.
        let d = |m, day| days_from_civil(2024, m, day);
        let data = Dataset::from_orders(Orders::from_rows(&[
            ("a".into(), d(1, 10), 10.0),
            ("b".into(), d(1, 25), 10.0),
            ("a".into(), d(2, 5), 10.0),
            ("a".into(), d(2, 20), 10.0),
            ("b".into(), d(5, 31), 1.0),
        ]));
        let options = AnalysisOptions {
            lifecycle: Some(LifecycleSetup::default()),
            ..AnalysisOptions::default()
        };
        let ends = [d(1, 31), d(2, 29), d(3, 31)];
        let history = group_history(&data, &options, &ends);
        let stage = |s| {
            history
                .groups
                .iter()
                .find(|g| g.group == GroupId::Lifecycle(s))
                .expect("a stage")
                .clone()
        };
        // 31 January: both first bought within 30 days: new.
        // 29 February: a has three orders, recent: repeat; b's first order
        // is 35 days old, one order: one-time buyer.
        // 31 March: a's last order is 41 days old, still repeat; b one-time.
        assert_eq!(stage(Stage::New).customers, [2, 0, 0]);
        assert_eq!(stage(Stage::Repeat).customers, [0, 1, 1]);
        assert_eq!(stage(Stage::OneTime).customers, [0, 1, 1]);
        assert_eq!(stage(Stage::New).left, [0, 2, 0]);
        assert_eq!(stage(Stage::Repeat).entered, [0, 1, 0]);
        assert!(
            history
                .groups
                .iter()
                .all(|g| g.group != GroupId::Lifecycle(Stage::Prospect))
        );
    }
}

//! Updating a project with a newer export of its orders: what is kept,
//! what the new file brings, and who moved between segments.
//!
//! The project's customers keep their indices (the other sources point at
//! them); customers new in the export are added after them. An export that
//! starts on or before the project's first order replaces the orders; one
//! that starts later is appended, and from its first day on the newer
//! export is the truth: the project's orders dated from that day are
//! replaced by the export's, so an order seen in both files is counted once
//! and one cancelled since is gone. Order ids are not kept in a project, so
//! an order is recognised in both files by its customer, day and amount.

use crate::model::message::Message;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::analysis::AnalysisOptions;
use crate::analysis::membership;
use crate::import::dataset::Dataset;
use crate::import::orders::{NO_CATEGORY, Orders};
use crate::model::bitmap::Bitmap;
use crate::model::date::Day;

/// How the export was taken in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Mode {
    /// The export covers the project's whole period: its orders replace the
    /// project's.
    Replaced,
    /// The export starts after the project's first order: its orders are
    /// added, and from its first day on they replace the project's.
    Appended,
}

/// Why an export needs the user's word before it updates a project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Question {
    /// No customer of the export has an order in the project: another
    /// shop, or another customer key (e-mail against customer number).
    NoCustomerInCommon {
        /// The export's customers.
        customers: u64,
    },
    /// The export's last order is older than the project's.
    Older {
        /// The export's last order day.
        file_last: Day,
        /// The project's last order day.
        project_last: Day,
    },
    /// Every order of the export is already in the project.
    NothingNew,
}

/// What an update did, in numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UpdateReport {
    /// Replaced or appended.
    pub mode: Mode,
    /// The project's order rows before.
    pub rows_before: u64,
    /// The order rows after.
    pub rows_after: u64,
    /// The export's rows.
    pub rows_in_file: u64,
    /// The export's rows the project already had (same customer, day and
    /// amount, in the days both cover).
    pub already_there: u64,
    /// The project's rows, in the days both cover, that the export no
    /// longer has (cancelled or changed since) and were dropped.
    pub dropped: u64,
    /// The project's rows kept from before the export's first day.
    pub kept: u64,
    /// Customers with a first order in the project after the update who
    /// had none before.
    pub new_customers: u64,
    /// The first and last order days before.
    pub before: (Day, Day),
    /// The first and last order days after.
    pub after: (Day, Day),
    /// The analysis date before and after.
    pub as_of_before: Day,
    /// The analysis date after (the day after the last order).
    pub as_of_after: Day,
}

pub use crate::analysis::membership::GroupId;

/// Who entered and who left one group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupMoves {
    /// The group.
    pub group: GroupId,
    /// Its customers before and after.
    pub before: u64,
    /// Its customers after.
    pub after: u64,
    /// The customer keys of those who entered it.
    pub entered: Vec<String>,
    /// The customer keys of those who left it.
    pub left: Vec<String>,
}

/// What changed with an update: the report and the moves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Since {
    /// The export's file name.
    pub file_name: String,
    /// The day the update was made, `yyyy-mm-dd`.
    pub made: String,
    /// What the update did.
    pub report: UpdateReport,
    /// The customer keys of the customers whose first order came with the
    /// update.
    pub new_customers: Vec<String>,
    /// Every RFM segment, lifecycle stage and saved segment, with who
    /// entered and left it.
    pub groups: Vec<GroupMoves>,
    /// Saved segments that could not be measured (they need what the
    /// project does not have), with why.
    #[serde(default)]
    pub not_measured: Vec<(String, Message)>,
}

/// The first and last order days of some orders (refunds counted for the
/// first day, as the data's span).
fn span(orders: &Orders) -> Option<(Day, Day)> {
    let first = orders.day.iter().copied().min()?;
    let last = orders.last_order_day()?;
    Some((first, last))
}

/// The key of a row for recognising it in both files.
fn row_key(orders: &Orders, i: usize) -> (&str, Day, u64) {
    (
        orders.customer_keys[orders.customer[i] as usize].as_str(),
        orders.day[i],
        orders.amount[i].to_bits(),
    )
}

/// Updates `old` with the orders of a newer export. Refused with a
/// [`Question`] when the export does not look like the next export of the
/// same data, unless `confirmed`.
pub fn merge(
    old: &Dataset,
    new: &Orders,
    confirmed: bool,
) -> Result<(Dataset, UpdateReport), Question> {
    let new_span = span(new).ok_or(Question::NothingNew)?;
    let Some(old_span) = span(&old.orders) else {
        // A project without orders takes the export as it is.
        return Ok(replace_all(old, new, new_span, new_span));
    };
    let had_orders: Vec<bool> = {
        let mut had = vec![false; old.orders.customer_keys.len()];
        for &c in &old.orders.customer {
            had[c as usize] = true;
        }
        had
    };
    let index: HashMap<&str, u32> = old
        .orders
        .customer_keys
        .iter()
        .enumerate()
        .map(|(i, k)| (k.as_str(), i as u32))
        .collect();
    if !confirmed {
        let in_common = new.customer_keys.iter().any(|k| {
            index
                .get(k.as_str())
                .is_some_and(|&i| had_orders[i as usize])
        });
        if !in_common {
            return Err(Question::NoCustomerInCommon {
                customers: new.customer_keys.len() as u64,
            });
        }
        if new_span.1 < old_span.1 {
            return Err(Question::Older {
                file_last: new_span.1,
                project_last: old_span.1,
            });
        }
    }
    if new_span.0 <= old_span.0 || new_span.1 < old_span.1 {
        let (data, report) = replace_all(old, new, old_span, new_span);
        if !confirmed && report.already_there == report.rows_in_file && report.dropped == 0 {
            return Err(Question::NothingNew);
        }
        return Ok((data, report));
    }
    // Appended: the project's rows before the export's first day, then the
    // export's.
    let from = new_span.0;
    let keep: Vec<bool> = old.orders.day.iter().map(|&d| d < from).collect();
    let (already_there, dropped) = overlap(&old.orders, new, |i| !keep[i]);
    if !confirmed && already_there == new.len() as u64 && dropped == 0 {
        return Err(Question::NothingNew);
    }
    let orders = combine(&old.orders, &keep, new);
    let report = UpdateReport {
        mode: Mode::Appended,
        rows_before: old.orders.len() as u64,
        rows_after: orders.len() as u64,
        rows_in_file: new.len() as u64,
        already_there,
        dropped,
        kept: keep.iter().filter(|k| **k).count() as u64,
        new_customers: new_customers(&old.orders, &orders).len() as u64,
        before: old_span,
        after: span(&orders).unwrap_or(new_span),
        as_of_before: old_span.1 + 1,
        as_of_after: span(&orders).map_or(new_span.1, |s| s.1) + 1,
    };
    let data = Dataset {
        orders,
        ..old.clone()
    };
    Ok((data, report))
}

/// The export's orders in place of all the project's.
fn replace_all(
    old: &Dataset,
    new: &Orders,
    old_span: (Day, Day),
    new_span: (Day, Day),
) -> (Dataset, UpdateReport) {
    let keep = vec![false; old.orders.len()];
    let (already_there, dropped) = overlap(&old.orders, new, |_| true);
    let orders = combine(&old.orders, &keep, new);
    let report = UpdateReport {
        mode: Mode::Replaced,
        rows_before: old.orders.len() as u64,
        rows_after: orders.len() as u64,
        rows_in_file: new.len() as u64,
        already_there,
        dropped,
        kept: 0,
        new_customers: new_customers(&old.orders, &orders).len() as u64,
        before: old_span,
        after: new_span,
        as_of_before: old_span.1 + 1,
        as_of_after: new_span.1 + 1,
    };
    (
        Dataset {
            orders,
            ..old.clone()
        },
        report,
    )
}

/// Among the project's rows `replaced` selects: how many the export also
/// has (each export row matching one project row at most), and how many it
/// has not.
fn overlap(old: &Orders, new: &Orders, replaced: impl Fn(usize) -> bool) -> (u64, u64) {
    let mut counts: HashMap<(&str, Day, u64), u64> = HashMap::new();
    let mut replaced_rows = 0u64;
    for i in (0..old.len()).filter(|&i| replaced(i)) {
        *counts.entry(row_key(old, i)).or_default() += 1;
        replaced_rows += 1;
    }
    let mut matched = 0u64;
    for i in 0..new.len() {
        if let Some(n) = counts.get_mut(&row_key(new, i))
            && *n > 0
        {
            *n -= 1;
            matched += 1;
        }
    }
    (matched, replaced_rows - matched)
}

/// The project's rows `keep` selects, then every row of the export, over
/// the project's customers followed by the export's new ones.
fn combine(old: &Orders, keep: &[bool], new: &Orders) -> Orders {
    let mut keys = old.customer_keys.clone();
    let mut index: HashMap<String, u32> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| (k.clone(), i as u32))
        .collect();
    let customer_of: Vec<u32> = new
        .customer_keys
        .iter()
        .map(|k| {
            *index.entry(k.clone()).or_insert_with(|| {
                keys.push(k.clone());
                (keys.len() - 1) as u32
            })
        })
        .collect();
    let mut categories = old.categories.clone();
    let category_of: Vec<u32> = new
        .categories
        .iter()
        .map(|name| match categories.iter().position(|c| c == name) {
            Some(at) => at as u32,
            None => {
                categories.push(name.clone());
                (categories.len() - 1) as u32
            }
        })
        .collect();
    let with_categories = !old.category.is_empty() || !new.category.is_empty();
    let mut out = Orders {
        customer_keys: keys,
        categories,
        ..Orders::default()
    };
    for i in (0..old.len()).filter(|&i| keep[i]) {
        out.customer.push(old.customer[i]);
        out.day.push(old.day[i]);
        out.amount.push(old.amount[i]);
        if with_categories {
            out.category
                .push(old.category.get(i).copied().unwrap_or(NO_CATEGORY));
        }
    }
    for i in 0..new.len() {
        out.customer.push(customer_of[new.customer[i] as usize]);
        out.day.push(new.day[i]);
        out.amount.push(new.amount[i]);
        if with_categories {
            let category = match new.category.get(i) {
                Some(&c) if c != NO_CATEGORY => category_of[c as usize],
                _ => NO_CATEGORY,
            };
            out.category.push(category);
        }
    }
    out
}

/// The customers with an order (not a refund) among `orders`, by index.
fn ordering(orders: &Orders) -> Vec<bool> {
    let mut has = vec![false; orders.customer_keys.len()];
    for (c, a) in orders.customer.iter().zip(&orders.amount) {
        if *a >= 0.0 {
            has[*c as usize] = true;
        }
    }
    has
}

/// The keys of the customers who have an order after and had none
/// before (customers keep their indices from `before` to `after`).
fn new_customers(before: &Orders, after: &Orders) -> Vec<String> {
    let had = ordering(before);
    ordering(after)
        .iter()
        .enumerate()
        .filter(|(c, has)| **has && !had.get(*c).copied().unwrap_or(false))
        .map(|(c, _)| after.customer_keys[c].clone())
        .collect()
}

/// Who entered and left each RFM segment, lifecycle stage and saved
/// segment between `old` and `new` (the project before and after
/// [`merge`], whose customers keep their indices), each at its own
/// analysis date: `old_options`' for the project before, the day after the
/// last order for the project after. Each side is what the app shows of
/// it: the lifecycle thresholds are the project's own when it has them,
/// else read from each side's data (as the lifecycle card reads them), so
/// "before" is what the project showed before the update and "after" what
/// it shows now.
pub fn moves(
    old: &Dataset,
    new: &Dataset,
    old_options: &AnalysisOptions,
    file_name: &str,
    made: &str,
    report: UpdateReport,
) -> Result<Since, Message> {
    let as_of_of = |data: &Dataset, options: &AnalysisOptions| {
        options
            .as_of
            .or_else(|| crate::default_as_of(&data.orders))
            .ok_or_else(|| Message::new("engine.the_table_has_no_order_to_analyse_only_refunds"))
    };
    let old_as_of = as_of_of(old, old_options)?;
    let new_as_of = as_of_of(new, &AnalysisOptions::default())?;
    let before_setup = membership::lifecycle_setup(old, old_options, old_as_of);
    let after_setup = membership::lifecycle_setup(new, old_options, new_as_of);
    let before =
        membership::memberships_at(old, old_options, &before_setup, old_as_of, true).groups;
    let after = membership::memberships_at(new, old_options, &after_setup, new_as_of, true);
    let not_measured = after.not_measured;
    let after = after.groups;
    let keys = &new.orders.customer_keys;
    let mut groups = Vec::new();
    for (group, now) in after {
        let was = before
            .iter()
            .find(|(g, _)| *g == group)
            .map(|(_, set)| set.clone())
            .unwrap_or_else(|| Bitmap::empty(old.orders.customer_keys.len()));
        let entered = (0..keys.len())
            .filter(|&c| now.contains(c) && !was.contains(c))
            .map(|c| keys[c].clone())
            .collect();
        let left = (0..keys.len())
            .filter(|&c| was.contains(c) && !now.contains(c))
            .map(|c| keys[c].clone())
            .collect();
        groups.push(GroupMoves {
            group,
            before: was.count(),
            after: now.count(),
            entered,
            left,
        });
    }
    let new_customers = new_customers(&old.orders, &new.orders);
    Ok(Since {
        file_name: file_name.to_string(),
        made: made.to_string(),
        report,
        new_customers,
        groups,
        not_measured,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::date::parse_iso;
    use crate::segments::lifecycle::Stage;

    fn day(text: &str) -> Day {
        parse_iso(text).expect("a date")
    }

    fn orders(rows: &[(&str, &str, f64)]) -> Orders {
        Orders::from_rows(
            &rows
                .iter()
                .map(|(k, d, a)| (k.to_string(), day(d), *a))
                .collect::<Vec<_>>(),
        )
    }

    /// The rows of a table as (key, day, amount), sorted.
    fn rows(o: &Orders) -> Vec<(String, Day, f64)> {
        let mut r: Vec<_> = (0..o.len())
            .map(|i| {
                (
                    o.customer_keys[o.customer[i] as usize].clone(),
                    o.day[i],
                    o.amount[i],
                )
            })
            .collect();
        r.sort_by(|a, b| a.partial_cmp(b).expect("no NaN"));
        r
    }

    fn project() -> Dataset {
        Dataset::from_orders(orders(&[
            ("a", "2024-01-05", 10.0),
            ("b", "2024-01-20", 20.0),
            ("a", "2024-02-10", 30.0),
            ("c", "2024-03-01", 40.0),
            ("c", "2024-03-31", 50.0),
        ]))
    }

    #[test]
    fn a_later_export_overlapping_by_a_month_is_appended_and_counts_each_order_once() {
        // March again (c's two orders, one of them cancelled since: 50 is
        // gone), then April: a's new order, and d, a new customer.
        let new = orders(&[
            ("c", "2024-03-01", 40.0),
            ("a", "2024-04-02", 15.0),
            ("d", "2024-04-30", 5.0),
        ]);
        let (data, report) = merge(&project(), &new, false).expect("appended");
        assert_eq!(report.mode, Mode::Appended);
        assert_eq!(
            rows(&data.orders),
            rows(&orders(&[
                ("a", "2024-01-05", 10.0),
                ("b", "2024-01-20", 20.0),
                ("a", "2024-02-10", 30.0),
                ("c", "2024-03-01", 40.0),
                ("a", "2024-04-02", 15.0),
                ("d", "2024-04-30", 5.0),
            ]))
        );
        assert_eq!(
            (
                report.rows_before,
                report.rows_in_file,
                report.kept,
                report.already_there,
                report.dropped,
                report.rows_after,
                report.new_customers
            ),
            (5, 3, 3, 1, 1, 6, 1)
        );
        assert_eq!(report.before, (day("2024-01-05"), day("2024-03-31")));
        assert_eq!(report.after, (day("2024-01-05"), day("2024-04-30")));
        assert_eq!(report.as_of_after, day("2024-05-01"));
        // The project's customers keep their indices; d comes after them.
        assert_eq!(data.orders.customer_keys, ["a", "b", "c", "d"]);
    }

    #[test]
    fn an_export_of_the_whole_period_replaces_the_orders() {
        let new = orders(&[
            ("a", "2024-01-05", 10.0),
            ("b", "2024-01-20", 20.0),
            ("a", "2024-02-10", 30.0),
            ("c", "2024-03-01", 40.0),
            ("c", "2024-03-31", 50.0),
            ("b", "2024-04-15", 25.0),
        ]);
        let (data, report) = merge(&project(), &new, false).expect("replaced");
        assert_eq!(report.mode, Mode::Replaced);
        assert_eq!(rows(&data.orders), rows(&new));
        assert_eq!(
            (report.already_there, report.dropped, report.kept),
            (5, 0, 0)
        );
        assert_eq!(report.new_customers, 0);
    }

    #[test]
    fn exports_that_do_not_fit_ask_first() {
        let other_shop = orders(&[("x@y.fr", "2024-04-01", 10.0)]);
        assert_eq!(
            merge(&project(), &other_shop, false).err(),
            Some(Question::NoCustomerInCommon { customers: 1 })
        );
        let older = orders(&[("a", "2023-12-01", 10.0), ("b", "2024-02-01", 5.0)]);
        assert_eq!(
            merge(&project(), &older, false).err(),
            Some(Question::Older {
                file_last: day("2024-02-01"),
                project_last: day("2024-03-31"),
            })
        );
        let same_again = orders(&[("c", "2024-03-01", 40.0), ("c", "2024-03-31", 50.0)]);
        assert_eq!(
            merge(&project(), &same_again, false).err(),
            Some(Question::NothingNew)
        );
        // Confirmed, each is taken in: the other shop is appended, the
        // older export replaces.
        let (data, report) = merge(&project(), &other_shop, true).expect("confirmed");
        assert_eq!((report.mode, data.orders.len()), (Mode::Appended, 6));
        let (data, report) = merge(&project(), &older, true).expect("confirmed");
        assert_eq!((report.mode, data.orders.len()), (Mode::Replaced, 2));
        assert_eq!(data.orders.customer_keys, ["a", "b", "c"]);
    }

    #[test]
    fn two_identical_orders_in_the_export_match_two_in_the_project_not_one() {
        let old = Dataset::from_orders(orders(&[
            ("a", "2024-01-05", 10.0),
            ("a", "2024-03-01", 9.0),
        ]));
        let new = orders(&[
            ("a", "2024-03-01", 9.0),
            ("a", "2024-03-01", 9.0),
            ("a", "2024-03-02", 1.0),
        ]);
        let (data, report) = merge(&old, &new, false).expect("appended");
        assert_eq!((report.already_there, report.dropped), (1, 0));
        assert_eq!(data.orders.len(), 4);
    }

    #[test]
    fn categories_and_other_sources_survive_an_update() {
        let mut old = project();
        old.orders.categories = vec!["Shoes".into()];
        old.orders.category = vec![0, NO_CATEGORY, 0, 0, 0];
        old.add_source(
            "customers.csv",
            b"customer_id,city\na,Lyon\nb,Paris\nz,Nice\n",
        )
        .expect("a customers file");
        let mut new = orders(&[("a", "2024-04-02", 15.0), ("z", "2024-04-03", 8.0)]);
        new.categories = vec!["Bags".into(), "Shoes".into()];
        new.category = vec![0, 1];
        let (data, _) = merge(&old, &new, false).expect("appended");
        assert_eq!(data.orders.categories, ["Shoes", "Bags"]);
        assert_eq!(data.orders.category, [0, NO_CATEGORY, 0, 0, 0, 1, 0]);
        // z was known from the customers file: same index, now with an
        // order; the customers file still points at the right people.
        let z = data.orders.customer_keys.iter().position(|k| k == "z");
        assert_eq!(z, old.orders.customer_keys.iter().position(|k| k == "z"));
        assert_eq!(data.customers, old.customers);
        assert_eq!(data.source_reports, old.source_reports);
    }

    #[test]
    fn moves_name_who_entered_and_left_each_group() {
        let old = project();
        let new = orders(&[("a", "2024-04-02", 15.0), ("d", "2024-04-30", 5.0)]);
        let (data, report) = merge(&old, &new, false).expect("appended");
        let since = moves(
            &old,
            &data,
            &AnalysisOptions::default(),
            "april.csv",
            "2024-05-01",
            report,
        )
        .expect("measured");
        assert_eq!(since.new_customers, ["d"]);
        // Every group's sizes add up with its moves.
        for g in &since.groups {
            assert_eq!(
                g.after as i64 - g.before as i64,
                g.entered.len() as i64 - g.left.len() as i64,
                "{:?}",
                g.group
            );
        }
        // The lifecycle stages partition the customers on both sides: 3
        // before, 4 after.
        let stages: Vec<_> = since
            .groups
            .iter()
            .filter(|g| matches!(g.group, GroupId::Lifecycle(_)))
            .collect();
        assert_eq!(stages.iter().map(|g| g.before).sum::<u64>(), 3);
        assert_eq!(stages.iter().map(|g| g.after).sum::<u64>(), 4);
        // d entered the New stage (first order within 30 days of the
        // analysis date, 2024-05-01).
        let new_stage = stages
            .iter()
            .find(|g| g.group == GroupId::Lifecycle(Stage::New))
            .expect("the New stage");
        assert!(new_stage.entered.contains(&"d".to_string()));
    }
}

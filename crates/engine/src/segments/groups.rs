//! The segments of a workspace side by side: saved segments evaluated to
//! their members, the lifecycle overview, the customers file's columns for
//! the rule builder, and member lists.

use crate::model::message::Message;

use serde::{Deserialize, Serialize};

use crate::import::dataset::Dataset;
use crate::import::orders::{ColumnType, column_type};
use crate::model::bitmap::Bitmap;
use crate::model::date::{Day, format_iso};
use crate::segments::cluster;
use crate::segments::lifecycle::{self, Flow, LifecycleSetup, Period, STAGES, Stage, Suggestion};
use crate::segments::splits::{self, Split};
use crate::segments::{Definition, Evaluator, Facts, Rule, SavedSegment};

/// Which segments the KPI heatmap and the funnel compare.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub enum Rows {
    /// The RFM segments.
    #[default]
    Rfm,
    /// The lifecycle stages.
    Lifecycle,
    /// The saved segments (they may overlap).
    Saved,
    /// The groups of a split: a column's values or bands, or tiers.
    Split(Split),
}

/// The customers a saved segment's definition selects.
pub fn members(
    data: &Dataset,
    facts: &Facts,
    definition: &Definition,
    lifecycle: &LifecycleSetup,
) -> Result<Bitmap, Message> {
    match definition {
        Definition::Rule(text) => {
            let rule = Rule::from_json(text)?;
            Evaluator::new(data, facts)
                .with_segments(&|d| members(data, facts, d, lifecycle))
                .eval(&rule)
                .map_err(Message::from)
        }
        Definition::Lifecycle(stage) => {
            let stages = lifecycle::stages(facts, lifecycle);
            Ok(Bitmap::from_fn(facts.n, |c| stages[c] == *stage))
        }
        Definition::Group { split, group } => splits::split(data, facts, split)?
            .groups
            .into_iter()
            .find(|(name, _)| name == group)
            .map(|(_, set)| set)
            .ok_or_else(|| {
                Message::new("engine.with.no_longer_a_group")
                    .with("group", group)
                    .with("split", split.label())
            }),
        Definition::FunnelDrop { setup, reached } => {
            let events = data.events.as_ref().ok_or_else(|| {
                Message::new("engine.this_segment_needs_the_events_file_which_is_not_imported")
            })?;
            let depth = crate::journeys::depths(events, setup, facts.n);
            Ok(Bitmap::from_fn(facts.n, |c| {
                usize::from(depth[c]) == *reached
            }))
        }
        Definition::Cluster { setup, cluster } => {
            let run = cluster::cluster(data, facts, setup)?;
            let mut set = Bitmap::empty(facts.n);
            for (c, l) in run.members {
                if l as usize == *cluster {
                    set.insert(c as usize);
                }
            }
            Ok(set)
        }
        Definition::Rfm(name) => facts
            .rfm_members(name)
            .ok_or_else(|| Message::new("engine.with.rfm_not_computed").with("segment", name)),
        Definition::Within { parent, rule } => {
            let mut set = members(data, facts, parent, lifecycle)?;
            let rule = Rule::from_json(rule)?;
            let part = Evaluator::new(data, facts)
                .with_segments(&|d| members(data, facts, d, lifecycle))
                .eval(&rule)?;
            set.and(&part);
            Ok(set)
        }
    }
}

/// What a definition is, in words.
pub fn describe(definition: &Definition, lifecycle: &LifecycleSetup) -> String {
    match definition {
        Definition::Rule(text) => Rule::from_json(text)
            .map(|r| r.describe())
            .unwrap_or_else(|e| format!("unreadable rule: {e}")),
        Definition::Lifecycle(stage) => format!(
            "lifecycle stage “{}” (new within {} days, at risk after {}, lapsed after {}, loyal from {} orders)",
            stage.label(),
            lifecycle.new_days,
            lifecycle.at_risk_after,
            lifecycle.lapsed_after,
            lifecycle.loyal_orders
        ),
        Definition::Group { split, group } => match split {
            Split::Attribute { .. } => format!("customers with {group}"),
            Split::Tier(_)
            | Split::Journey { .. }
            | Split::ChurnRisk { .. }
            | Split::PredictedValue => format!("{} tier: {group}", split.label()),
        },
        Definition::FunnelDrop { setup, reached } => format!(
            "did “{}” but not “{}” within {} days of “{}”",
            setup
                .steps
                .get(reached.saturating_sub(1))
                .map_or("?", String::as_str),
            setup.steps.get(*reached).map_or("?", String::as_str),
            setup.window_days,
            setup.steps.first().map_or("?", String::as_str),
        ),
        Definition::Cluster { setup, cluster } => format!(
            "cluster {} of k-means (k = {}, seed {}) on {}",
            cluster + 1,
            setup.k,
            setup.seed,
            setup
                .features
                .iter()
                .map(cluster::Feature::name)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Definition::Rfm(name) => format!("RFM segment “{name}”"),
        Definition::Within { parent, rule } => format!(
            "{}, and {}",
            describe(parent, lifecycle),
            Rule::from_json(rule)
                .map(|r| r.describe())
                .unwrap_or_else(|e| format!("unreadable rule: {e}"))
        ),
    }
}

/// A saved segment with its size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedCount {
    /// The segment's name.
    pub name: String,
    /// What it selects, in words.
    pub description: String,
    /// Its customers, or why it cannot be evaluated.
    pub customers: Result<u64, Message>,
}

/// One lifecycle stage's size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageCount {
    /// The stage.
    pub stage: Stage,
    /// Its customers.
    pub customers: u64,
    /// Their net spend before the analysis date.
    pub revenue: f64,
}

/// A column of the customers file, for the rule builder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnSummary {
    /// Its name.
    pub name: String,
    /// What its values look like.
    pub kind: ColumnType,
    /// Its most frequent values (parts of `;`-separated lists counted
    /// one by one), at most 30.
    pub top_values: Vec<(String, u64)>,
    /// Rows with a value.
    pub filled: u64,
}

/// The segments page's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    /// Customers known (with or without orders).
    pub customers: u64,
    /// The thresholds read from the data.
    pub suggestion: Suggestion,
    /// The thresholds in use.
    pub lifecycle: LifecycleSetup,
    /// Customers per stage, in [`STAGES`] order.
    pub stages: Vec<StageCount>,
    /// New, returning, resurrecting and dormant customers per month.
    pub flows: Vec<Flow>,
    /// The same per week (Monday to Sunday).
    pub weekly_flows: Vec<Flow>,
    /// The saved segments' sizes, in their order.
    pub saved: Vec<SavedCount>,
    /// The customers file's columns.
    pub columns: Vec<ColumnSummary>,
    /// The orders' product categories, when the order file has them.
    pub categories: Vec<String>,
    /// Customers in both of two saved segments: `overlap[i][j]` (the
    /// diagonal is each segment's size); empty when fewer than two can be
    /// evaluated.
    pub overlap: Vec<Vec<u64>>,
    /// Per saved segment, how alike its buyers are and how far they are
    /// from the average buyer, on standardised recency, frequency and
    /// spend.
    pub quality: Vec<Option<Quality>>,
    /// The spread of all buyers on the same scale (√3 unless a feature is
    /// constant), to compare with.
    pub base_spread: Option<f64>,
}

/// How homogeneous a segment is and how distinct from the average.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Quality {
    /// Root mean squared distance of its buyers to their own centre.
    pub spread: f64,
    /// Distance from its centre to the centre of all buyers.
    pub distance: f64,
    /// Its buyers (members with an order).
    pub buyers: u64,
}

/// The customers in both of each pair of sets.
pub fn overlap(sets: &[Bitmap]) -> Vec<Vec<u64>> {
    sets.iter()
        .map(|a| sets.iter().map(|b| a.intersection_count(b)).collect())
        .collect()
}

/// The Jaccard index of two sets from their overlap matrix.
pub fn jaccard(overlap: &[Vec<u64>], i: usize, j: usize) -> f64 {
    let both = overlap[i][j] as f64;
    let either = (overlap[i][i] + overlap[j][j]) as f64 - both;
    if either > 0.0 { both / either } else { 0.0 }
}

/// The spread and distance of each set on standardised recency,
/// frequency and spend, and the spread of all buyers.
pub fn quality(
    data: &Dataset,
    facts: &Facts,
    sets: &[Option<Bitmap>],
) -> (Vec<Option<Quality>>, Option<f64>) {
    use crate::segments::cluster::{Feature, matrix};
    let Ok(m) = matrix(
        data,
        facts,
        &[Feature::Recency, Feature::Frequency, Feature::Monetary],
    ) else {
        return (vec![None; sets.len()], None);
    };
    let d = m.dims;
    let rows = m.customers.len();
    let base = (m.values.iter().map(|x| x * x).sum::<f64>() / rows as f64).sqrt();
    let out = sets
        .iter()
        .map(|set| {
            let set = set.as_ref()?;
            let members: Vec<usize> = (0..rows)
                .filter(|i| set.contains(m.customers[*i] as usize))
                .collect();
            if members.is_empty() {
                return None;
            }
            let k = members.len() as f64;
            let centre: Vec<f64> = (0..d)
                .map(|j| members.iter().map(|i| m.values[i * d + j]).sum::<f64>() / k)
                .collect();
            let spread = (members
                .iter()
                .map(|i| {
                    (0..d)
                        .map(|j| (m.values[i * d + j] - centre[j]).powi(2))
                        .sum::<f64>()
                })
                .sum::<f64>()
                / k)
                .sqrt();
            // The standardised columns have mean 0: the base centre is 0.
            let distance = centre.iter().map(|x| x * x).sum::<f64>().sqrt();
            Some(Quality {
                spread,
                distance,
                buyers: members.len() as u64,
            })
        })
        .collect();
    (out, Some(base))
}

/// Computes the overview of the workspace's segments.
pub fn overview(
    data: &Dataset,
    facts: &Facts,
    setup: Option<&LifecycleSetup>,
    saved: &[SavedSegment],
) -> Overview {
    let suggestion = lifecycle::suggest(&data.orders, facts);
    let setup = setup.copied().unwrap_or(suggestion.setup);
    let stages_of = lifecycle::stages(facts, &setup);
    let mut stages: Vec<StageCount> = STAGES
        .iter()
        .map(|s| StageCount {
            stage: *s,
            customers: 0,
            revenue: 0.0,
        })
        .collect();
    for (c, s) in stages_of.iter().enumerate() {
        let at = STAGES.iter().position(|x| x == s).unwrap_or(0);
        stages[at].customers += 1;
        stages[at].revenue += facts.spend(c);
    }
    let sets: Vec<Result<Bitmap, Message>> = saved
        .iter()
        .map(|s| members(data, facts, &s.definition, &setup))
        .collect();
    let evaluated: Vec<Option<Bitmap>> = sets.iter().map(|s| s.as_ref().ok().cloned()).collect();
    let ok: Vec<Bitmap> = evaluated.iter().flatten().cloned().collect();
    let overlap = if ok.len() >= 2 && ok.len() == sets.len() {
        overlap(&ok)
    } else {
        Vec::new()
    };
    let (quality, base_spread) = quality(data, facts, &evaluated);
    let saved = saved
        .iter()
        .zip(&sets)
        .map(|(s, set)| SavedCount {
            name: s.name.clone(),
            description: describe(&s.definition, &setup),
            customers: set.as_ref().map(Bitmap::count).map_err(Clone::clone),
        })
        .collect();
    Overview {
        customers: facts.n as u64,
        suggestion,
        lifecycle: setup,
        stages,
        flows: lifecycle::flows(&data.orders, facts.as_of, Period::Month),
        weekly_flows: lifecycle::flows(&data.orders, facts.as_of, Period::Week),
        saved,
        columns: columns(data),
        categories: data.orders.categories.clone(),
        overlap,
        quality,
        base_spread,
    }
}

fn columns(data: &Dataset) -> Vec<ColumnSummary> {
    let Some(t) = &data.customers else {
        return Vec::new();
    };
    t.attribute_names
        .iter()
        .enumerate()
        .map(|(col, name)| {
            let values: Vec<&str> = t.attributes.iter().map(|r| r[col].as_str()).collect();
            let sample: Vec<&str> = values.iter().take(2_000).copied().collect();
            let kind = column_type(&sample);
            let mut counts: rustc_hash::FxHashMap<&str, u64> = Default::default();
            let mut filled = 0;
            for v in &values {
                let v = v.trim();
                if v.is_empty() {
                    continue;
                }
                filled += 1;
                if matches!(kind, ColumnType::Text | ColumnType::Boolean) {
                    for part in v.split(';').map(str::trim).filter(|p| !p.is_empty()) {
                        *counts.entry(part).or_default() += 1;
                    }
                }
            }
            let mut top: Vec<(String, u64)> = counts
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect();
            top.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            top.truncate(30);
            ColumnSummary {
                name: name.clone(),
                kind,
                top_values: top,
                filled,
            }
        })
        .collect()
}

/// How a member list is sorted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SortBy {
    /// By customer id.
    #[default]
    Customer,
    /// Most orders first.
    Orders,
    /// Highest spend first.
    Spend,
    /// Most recent last order first.
    LastOrder,
    /// Highest predicted value first.
    PredictedValue,
    /// Least likely to be active first (churn risk).
    ChurnRisk,
    /// Most likely to order in the next 30 days first.
    OrderSoon,
}

/// One member in a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberRow {
    /// The customer id.
    pub customer: String,
    /// First and last name, when known.
    pub name: String,
    /// E-mail address, when known.
    pub email: String,
    /// Orders before the analysis date.
    pub orders: u32,
    /// Net spend.
    pub spend: f64,
    /// The last order's day, `yyyy-mm-dd`.
    pub last_order: Option<String>,
    /// The probability of being active (BG/NBD), when predicted.
    pub p_alive: Option<f64>,
    /// The predicted value over the next year, when predicted.
    pub predicted_value: Option<f64>,
    /// The probability of an order in the next 30 days, when predicted.
    #[serde(default)]
    pub order_within_30_days: Option<f64>,
}

/// A page of a member list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberPage {
    /// The segment's customers.
    pub total: u64,
    /// Those matching the search.
    pub matching: u64,
    /// The page shown (from 0).
    pub page: usize,
    /// Rows per page.
    pub page_size: usize,
    /// The rows.
    pub rows: Vec<MemberRow>,
}

/// A page of the members of `set`, filtered by `search` (in the id, name
/// or e-mail, ignoring case) and sorted; with each member's predictions
/// when the facts carry them.
pub fn member_page(
    data: &Dataset,
    facts: &Facts,
    set: &Bitmap,
    search: &str,
    sort: SortBy,
    page: usize,
    page_size: usize,
) -> MemberPage {
    let predicted = |c: usize| {
        facts
            .prediction(c)
            .flatten()
            .map(|p| (p.p_alive, p.clv, p.order_within_30_days))
    };
    let n = facts.n;
    let contact = data.customers.as_ref().map(|t| (t, t.row_of(n)));
    let name_of = |c: usize| -> (String, String) {
        match &contact {
            Some((t, rows)) => match rows[c] {
                Some(r) => (
                    format!("{} {}", t.first_name[r], t.last_name[r])
                        .trim()
                        .to_string(),
                    t.email[r].clone(),
                ),
                None => (String::new(), String::new()),
            },
            None => (String::new(), String::new()),
        }
    };
    let needle = search.trim().to_lowercase();
    let mut hits: Vec<usize> = set
        .iter()
        .filter(|c| {
            if needle.is_empty() {
                return true;
            }
            if data.orders.customer_keys[*c]
                .to_lowercase()
                .contains(&needle)
            {
                return true;
            }
            let (name, email) = name_of(*c);
            name.to_lowercase().contains(&needle) || email.contains(&needle)
        })
        .collect();
    let last = |c: usize| facts.first_last(c).1.unwrap_or(Day::MIN);
    match sort {
        SortBy::Customer => {
            hits.sort_by(|a, b| data.orders.customer_keys[*a].cmp(&data.orders.customer_keys[*b]))
        }
        SortBy::Orders => hits.sort_by_key(|c| std::cmp::Reverse(facts.order_count(*c))),
        SortBy::Spend => hits.sort_by(|a, b| facts.spend(*b).total_cmp(&facts.spend(*a))),
        SortBy::LastOrder => hits.sort_by_key(|c| std::cmp::Reverse(last(*c))),
        // Customers without a prediction last.
        SortBy::PredictedValue => hits.sort_by(|a, b| {
            let v = |c: usize| predicted(c).map_or(f64::NEG_INFINITY, |p| p.1);
            v(*b).total_cmp(&v(*a))
        }),
        SortBy::OrderSoon => hits.sort_by(|a, b| {
            let v = |c: usize| predicted(c).map_or(f64::NEG_INFINITY, |p| p.2);
            v(*b).total_cmp(&v(*a))
        }),
        SortBy::ChurnRisk => hits.sort_by(|a, b| {
            let v = |c: usize| predicted(c).map_or(f64::INFINITY, |p| p.0);
            v(*a).total_cmp(&v(*b))
        }),
    }
    let page_size = page_size.clamp(1, 1_000);
    let pages = hits.len().div_ceil(page_size).max(1);
    let page = page.min(pages - 1);
    let rows = hits
        .iter()
        .skip(page * page_size)
        .take(page_size)
        .map(|c| {
            let (name, email) = name_of(*c);
            MemberRow {
                customer: data.orders.customer_keys[*c].clone(),
                name,
                email,
                orders: facts.order_count(*c),
                spend: facts.spend(*c),
                last_order: facts.first_last(*c).1.map(format_iso),
                p_alive: predicted(*c).map(|p| p.0),
                predicted_value: predicted(*c).map(|p| p.1),
                order_within_30_days: predicted(*c).map(|p| p.2),
            }
        })
        .collect();
    MemberPage {
        total: set.count(),
        matching: hits.len() as u64,
        page,
        page_size,
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Orders;

    fn data() -> Dataset {
        let mut rows = Vec::new();
        for i in 0..25u32 {
            for o in 0..=(i % 4) {
                rows.push((
                    format!("c{i:02}"),
                    100 + (o as i32) * 7 + i as i32,
                    10.0 + f64::from(i),
                ));
            }
        }
        let mut d = Dataset::from_orders(Orders::from_rows(&rows));
        let mut csv = String::from("customer_id,first_name,last_name,email,city,interests,age\n");
        for i in 0..25 {
            let city = ["Lyon", "Paris", "Nice"][i % 3];
            csv.push_str(&format!(
                "c{i:02},Ann{i},Lee,ann{i}@x.org,{city},\"DIY;Garden\",{}\n",
                20 + i
            ));
        }
        csv.push_str("p1,Paul,Roe,paul@x.org,Lyon,Books,50\n");
        d.add_source("c.csv", csv.as_bytes()).unwrap();
        d
    }

    #[test]
    fn overview_counts_every_customer_once() {
        let d = data();
        let facts = Facts::new(&d, 200);
        let saved = vec![
            SavedSegment {
                name: "Lyon".into(),
                version: 1,
                definition: Definition::Rule(r#"{"attribute":"city","equals":"Lyon"}"#.into()),
                note: String::new(),
            },
            SavedSegment {
                name: "Broken".into(),
                version: 1,
                definition: Definition::Rule(r#"{"attribute":"town","equals":"Lyon"}"#.into()),
                note: String::new(),
            },
        ];
        let o = overview(&d, &facts, None, &saved);
        assert_eq!(o.customers, 26);
        assert_eq!(o.stages.iter().map(|s| s.customers).sum::<u64>(), 26);
        assert_eq!(o.stages[0].customers, 1, "p1 is a prospect");
        // c00, c03, ..., c24 (9) and p1.
        assert_eq!(o.saved[0].customers, Ok(10));
        assert!(
            o.saved[1]
                .customers
                .as_ref()
                .unwrap_err()
                .to_string()
                .contains("no column \"town\"")
        );
        // One of the two does not evaluate: no overlap matrix.
        assert!(o.overlap.is_empty());
        let mut two = saved.clone();
        two[1].definition =
            Definition::Rule(r#"{"attribute":"city","one_of":["Lyon","Nice"]}"#.into());
        let o2 = overview(&d, &facts, None, &two);
        // Lyon (10 with p1) ⊂ Lyon or Nice (18).
        assert_eq!(o2.overlap, vec![vec![10, 10], vec![10, 18]]);
        assert!((jaccard(&o2.overlap, 0, 1) - 10.0 / 18.0).abs() < 1e-12);
        let q = o2.quality[0].unwrap();
        assert_eq!(q.buyers, 9, "p1 has no order");
        assert!(o2.base_spread.unwrap() > 0.0);
        let interests = o.columns.iter().find(|c| c.name == "interests").unwrap();
        assert_eq!(interests.top_values[0], ("DIY".to_string(), 25));
        assert_eq!(
            o.columns.iter().find(|c| c.name == "age").unwrap().kind,
            ColumnType::Integer
        );
    }

    #[test]
    fn quality_of_the_whole_base_and_of_identical_buyers() {
        let d = data();
        let facts = Facts::new(&d, 200);
        let everyone = Bitmap::full(facts.n);
        // One buyer alone has no spread.
        let one = Bitmap::from_fn(facts.n, |c| c == 0);
        let (q, base) = quality(&d, &facts, &[Some(everyone), Some(one), None]);
        let base = base.unwrap();
        // All buyers: their centre is the base centre, their spread the base's.
        let all = q[0].unwrap();
        assert!(all.distance < 1e-9 && (all.spread - base).abs() < 1e-12);
        assert_eq!(all.buyers, 25);
        // Three standardised features of variance 1: base spread √3.
        assert!((base - 3f64.sqrt()).abs() < 1e-12);
        assert_eq!(q[1].unwrap().spread, 0.0);
        assert!(q[1].unwrap().distance > 0.0);
        assert_eq!(q[2], None);
    }

    #[test]
    fn member_pages_search_and_sort() {
        let d = data();
        let facts = Facts::new(&d, 200);
        let all = Bitmap::full(facts.n);
        let p = member_page(&d, &facts, &all, "", SortBy::Spend, 0, 10);
        assert_eq!((p.total, p.matching, p.rows.len()), (26, 26, 10));
        // c23 has 4 orders of 33: the highest spend.
        assert_eq!(p.rows[0].customer, "c23");
        assert_eq!(p.rows[0].spend, 132.0);
        let last = member_page(&d, &facts, &all, "", SortBy::Customer, 99, 10);
        assert_eq!((last.page, last.rows.len()), (2, 6));
        // With predictions: sorted by value, or by churn risk (least
        // likely to be active first); customers without one come last.
        let preds: Vec<crate::models::clv::CustomerPrediction> =
            [(3u32, 0.9, 50.0), (7, 0.2, 80.0), (1, 0.5, 10.0)]
                .iter()
                .map(|(c, p, v)| crate::models::clv::CustomerPrediction {
                    customer: *c,
                    frequency: 1.0,
                    p_alive: *p,
                    expected_purchases: 1.0,
                    expected_spend: 1.0,
                    clv: *v,
                    // Soonest for the least valuable: 10 → 0.9, 50 → 0.5, 80 → 0.2.
                    order_within_30_days: (100.0 - v) / 100.0,
                    ..Default::default()
                })
                .collect();
        let with = Facts::new(&d, 200).with_predictions(&preds);
        let by_value = member_page(&d, &with, &all, "", SortBy::PredictedValue, 0, 4);
        let ids: Vec<&str> = by_value.rows.iter().map(|r| r.customer.as_str()).collect();
        assert_eq!(ids[..3], ["c07", "c03", "c01"]);
        assert_eq!(
            (by_value.rows[0].p_alive, by_value.rows[0].predicted_value),
            (Some(0.2), Some(80.0))
        );
        assert_eq!(by_value.rows[3].predicted_value, None);
        let by_risk = member_page(&d, &with, &all, "", SortBy::ChurnRisk, 0, 3);
        let ids: Vec<&str> = by_risk.rows.iter().map(|r| r.customer.as_str()).collect();
        assert_eq!(ids, ["c07", "c01", "c03"]);
        let soon = member_page(&d, &with, &all, "", SortBy::OrderSoon, 0, 4);
        let ids: Vec<&str> = soon.rows.iter().map(|r| r.customer.as_str()).collect();
        assert_eq!(ids[..3], ["c01", "c03", "c07"]);
        assert_eq!(soon.rows[3].order_within_30_days, None);
        let found = member_page(&d, &facts, &all, "PAUL@", SortBy::Customer, 0, 10);
        assert_eq!(found.matching, 1);
        assert_eq!(found.rows[0].name, "Paul Roe");
        assert_eq!(found.rows[0].last_order, None);
    }
}

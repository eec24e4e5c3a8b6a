//! Two segments side by side: every KPI for each, which of their
//! differences are clear rather than chance, and the attributes in which
//! they differ most (a column of the customers file, a category bought, an
//! event done), written as sentences.
//!
//! A difference in an attribute is kept when the two-proportion z-test
//! gives p < 0.05, the shares differ by at least 5 points and at least 5
//! customers have it; the largest gaps come first.

use serde::{Deserialize, Serialize};

use crate::import::dataset::Dataset;
use crate::metrics::kpi::{self, KpiDef, KpiFormat, KpiInputs, KpiTable, KpiValue};
use crate::model::bitmap::Bitmap;
use crate::model::date::Day;
use crate::models::clv::CustomerPrediction;

/// Values of one column with more distinct values than this are not
/// categories (names, ids, amounts) and are not compared.
const MAX_VALUES: usize = 50;

/// The most differences listed.
const MAX_DIFFERENCES: usize = 8;

/// Where a compared value comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Source {
    /// A column of the customers file (tags split on `;`).
    Attribute(String),
    /// A product category bought at least once (refunds aside).
    Category,
    /// An event done at least once up to the analysis date.
    Event,
}

/// A value held by more of one segment than of the other.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Difference {
    /// Where the value comes from.
    pub source: Source,
    /// The value.
    pub value: String,
    /// The customers of each segment who have it.
    pub counts: [u64; 2],
    /// Their share of each segment.
    pub shares: [f64; 2],
    /// The two-proportion z-test's p-value.
    pub p_value: f64,
    /// The difference in words.
    pub sentence: String,
}

/// Two segments side by side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TwoSegments {
    /// Their names.
    pub names: [String; 2],
    /// Their customers.
    pub sizes: [u64; 2],
    /// Customers in both.
    pub overlap: u64,
    /// Every KPI: the first segment's row, the second's, then all
    /// customers.
    pub kpis: KpiTable,
    /// For each KPI, whether the two segments differ clearly (rates: the
    /// two-proportion z-test at 5%; means and scores: 95% intervals that do
    /// not overlap); `None` for counts, sums and the top 20%'s share of
    /// revenue, and when a value is missing.
    pub clear: Vec<Option<bool>>,
    /// The attributes in which they differ most, largest gap first.
    pub differences: Vec<Difference>,
}

/// What the comparison reads besides the two sets.
pub struct CompareInputs<'a> {
    /// The data.
    pub data: &'a Dataset,
    /// The analysis date.
    pub as_of: Day,
    /// Each customer's predictions, for predicted CLV.
    pub predictions: Option<&'a [CustomerPrediction]>,
    /// The churn and retention period, in days.
    pub churn_period_days: i32,
}

/// Compares two sets of customers.
pub fn compare_two(
    inputs: &CompareInputs<'_>,
    a: (&str, &Bitmap),
    b: (&str, &Bitmap),
) -> TwoSegments {
    let data = inputs.data;
    let n = data.orders.customer_keys.len();
    let customer_facts =
        kpi::customer_facts(data.customers.as_ref(), data.costs.as_ref(), &data.orders);
    let table_of = |name: &str, set: &Bitmap| {
        let group_of: Vec<Option<usize>> = (0..n).map(|c| set.contains(c).then_some(0)).collect();
        kpi::compute(&KpiInputs {
            orders: &data.orders,
            email: data.email.as_ref(),
            surveys: data.surveys.as_ref(),
            tickets: data.tickets.as_ref(),
            costs: data.costs.as_ref(),
            customer_facts: Some(&customer_facts),
            predictions: inputs.predictions,
            as_of: inputs.as_of,
            churn_period_days: inputs.churn_period_days,
            group_of: &group_of,
            group_names: &[name.to_string()],
        })
    };
    let KpiTable {
        kpis: defs,
        values: first,
        churn_period_days,
        ..
    } = table_of(a.0, a.1);
    let row = |values: Vec<Vec<KpiValue>>| values.into_iter().next().unwrap_or_default();
    let row_a = row(first);
    let row_b = row(table_of(b.0, b.1).values);
    let all = row(table_of(kpi::ALL_CUSTOMERS, &buyers(data, inputs.as_of)).values);
    let clear = defs
        .iter()
        .zip(row_a.iter().zip(&row_b))
        .map(|(def, (x, y))| clearly_different(def, x, y))
        .collect();
    let kpis = KpiTable {
        kpis: defs,
        groups: vec![
            a.0.to_string(),
            b.0.to_string(),
            kpi::ALL_CUSTOMERS.to_string(),
        ],
        values: vec![row_a, row_b, all],
        churn_period_days,
    };
    let sizes = [a.1.count(), b.1.count()];
    let names = [a.0.to_string(), b.0.to_string()];
    let mut differences: Vec<Difference> = value_sets(data, inputs.as_of)
        .into_iter()
        .filter_map(|(source, value, set)| {
            let counts = [set.intersection_count(a.1), set.intersection_count(b.1)];
            difference(&names, sizes, source, value, counts)
        })
        .collect();
    differences.sort_by(|x, y| {
        let gap = |d: &Difference| (d.shares[0] - d.shares[1]).abs();
        gap(y)
            .total_cmp(&gap(x))
            .then_with(|| x.value.cmp(&y.value))
    });
    differences.truncate(MAX_DIFFERENCES);
    TwoSegments {
        overlap: a.1.intersection_count(b.1),
        names,
        sizes,
        kpis,
        clear,
        differences,
    }
}

/// The customers with an order (not a refund) up to `as_of`: the base the
/// KPI table's "All customers" row measures.
pub fn buyers(data: &Dataset, as_of: Day) -> Bitmap {
    let o = &data.orders;
    let mut set = Bitmap::empty(o.customer_keys.len());
    for i in 0..o.len() {
        if o.day[i] <= as_of && o.amount[i] >= 0.0 {
            set.insert(o.customer[i] as usize);
        }
    }
    set
}

fn clearly_different(def: &KpiDef, x: &KpiValue, y: &KpiValue) -> Option<bool> {
    let (Some(_), Some(_)) = (x.value, y.value) else {
        return None;
    };
    match def.format {
        // A share of revenue, not of customers: no proportion test.
        KpiFormat::Rate if def.id == kpi::KpiId::Top20Share => None,
        KpiFormat::Rate => crate::stats::inference::two_proportion_p(
            x.numerator,
            x.denominator,
            y.numerator,
            y.denominator,
        )
        .map(|p| p < 0.05),
        KpiFormat::Count => None,
        _ => match (x.ci, y.ci) {
            (Some((lo_x, hi_x)), Some((lo_y, hi_y))) => Some(hi_x < lo_y || hi_y < lo_x),
            _ => None,
        },
    }
}

/// The difference in one value, when it is clear and large enough.
fn difference(
    names: &[String; 2],
    sizes: [u64; 2],
    source: Source,
    value: String,
    counts: [u64; 2],
) -> Option<Difference> {
    if sizes[0] == 0 || sizes[1] == 0 || counts[0].max(counts[1]) < 5 {
        return None;
    }
    let shares = [
        counts[0] as f64 / sizes[0] as f64,
        counts[1] as f64 / sizes[1] as f64,
    ];
    let p_value = crate::stats::inference::two_proportion_p(
        counts[0] as f64,
        sizes[0] as f64,
        counts[1] as f64,
        sizes[1] as f64,
    )?;
    if p_value >= 0.05 || (shares[0] - shares[1]).abs() < 0.05 {
        return None;
    }
    let (hi, lo) = if shares[0] >= shares[1] {
        (0, 1)
    } else {
        (1, 0)
    };
    let what = match &source {
        Source::Attribute(column) => format!("have {column} “{value}”"),
        Source::Category => format!("bought in “{value}”"),
        Source::Event => format!("did “{value}”"),
    };
    let pct = |s: f64| format!("{}%", (s * 100.0).round());
    let sentence = format!(
        "{} more often {what}: {} of them against {} of {}.",
        names[hi],
        pct(shares[hi]),
        pct(shares[lo]),
        names[lo]
    );
    Some(Difference {
        source,
        value,
        counts,
        shares,
        p_value,
        sentence,
    })
}

/// Every compared value and the customers who have it: the customers
/// file's category-like columns, the categories bought, the events done.
fn value_sets(data: &Dataset, as_of: Day) -> Vec<(Source, String, Bitmap)> {
    let n = data.orders.customer_keys.len();
    let mut out = Vec::new();
    if let Some(table) = &data.customers {
        for (col, name) in table.attribute_names.iter().enumerate() {
            let mut values: Vec<(String, Bitmap)> = Vec::new();
            let mut index: rustc_hash::FxHashMap<&str, usize> = Default::default();
            let mut category_like = true;
            'rows: for (row, &c) in table.customer.iter().enumerate() {
                for part in table.attributes[row][col].split(';') {
                    let v = part.trim();
                    if v.is_empty() {
                        continue;
                    }
                    let id = match index.get(v) {
                        Some(id) => *id,
                        None if values.len() == MAX_VALUES => {
                            category_like = false;
                            break 'rows;
                        }
                        None => {
                            index.insert(v, values.len());
                            values.push((v.to_string(), Bitmap::empty(n)));
                            values.len() - 1
                        }
                    };
                    values[id].1.insert(c as usize);
                }
            }
            if category_like && values.len() >= 2 {
                out.extend(
                    values
                        .into_iter()
                        .map(|(v, set)| (Source::Attribute(name.clone()), v, set)),
                );
            }
        }
    }
    let orders = &data.orders;
    if !orders.categories.is_empty() {
        let mut sets = vec![Bitmap::empty(n); orders.categories.len()];
        for (row, &cat) in orders.category.iter().enumerate() {
            if cat != crate::import::orders::NO_CATEGORY
                && orders.day[row] <= as_of
                && orders.amount[row] >= 0.0
            {
                sets[cat as usize].insert(orders.customer[row] as usize);
            }
        }
        out.extend(
            orders
                .categories
                .iter()
                .zip(sets)
                .map(|(name, set)| (Source::Category, name.clone(), set)),
        );
    }
    if let Some(events) = &data.events {
        let end = (i64::from(as_of) + 1) * 86_400;
        let mut sets = vec![Bitmap::empty(n); events.names.len()];
        for i in 0..events.customer.len() {
            if events.time[i] < end {
                sets[events.event[i] as usize].insert(events.customer[i] as usize);
            }
        }
        out.extend(
            events
                .names
                .iter()
                .zip(sets)
                .map(|(name, set)| (Source::Event, name.clone(), set)),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::orders::Orders;

    /// Ten customers: 0–4 in A, 5–9 in B. A buys in "Books", B in
    /// "Garden", one of each buys both; everyone in A lives in Lyon, one of
    /// B does.
    fn ten() -> (Dataset, Bitmap, Bitmap) {
        let mut rows = Vec::new();
        for c in 0..10 {
            rows.push((format!("c{c}"), 19_000 + c, 10.0 + c as f64));
        }
        let mut orders = Orders::from_rows(&rows);
        orders.categories = vec!["Books".into(), "Garden".into()];
        orders.category = (0..10).map(|c| if c < 5 { 0 } else { 1 }).collect();
        // Customer 9 also buys a book; customer 0 buys nothing more.
        orders.customer.push(9);
        orders.day.push(19_020);
        orders.amount.push(5.0);
        orders.category.push(0);
        let mut data = Dataset::from_orders(orders);
        let mut text = String::from("customer_id,city\n");
        for c in 0..10 {
            text.push_str(&format!(
                "c{c},{}\n",
                if c < 5 || c == 9 { "Lyon" } else { "Nantes" }
            ));
        }
        data.add_source("customers.csv", text.as_bytes()).unwrap();
        let a = Bitmap::from_fn(10, |c| c < 5);
        let b = Bitmap::from_fn(10, |c| c >= 5);
        (data, a, b)
    }

    #[test]
    fn differences_by_hand() {
        let (data, a, b) = ten();
        let inputs = CompareInputs {
            data: &data,
            as_of: 19_100,
            predictions: None,
            churn_period_days: crate::metrics::kpi::CHURN_PERIOD_DAYS,
        };
        let t = compare_two(&inputs, ("A", &a), ("B", &b));
        assert_eq!(t.sizes, [5, 5]);
        assert_eq!(t.overlap, 0);
        // Books: 5 of 5 in A, 1 of 5 in B (p = 0.0098 by the pooled
        // z-test: p̂ = 0.6, z = 0.8 / sqrt(0.24 × 0.4) = 2.58).
        let books = t.differences.iter().find(|d| d.value == "Books").unwrap();
        assert_eq!(books.counts, [5, 1]);
        assert!((books.p_value - 0.0098).abs() < 0.0005, "{}", books.p_value);
        assert_eq!(
            books.sentence,
            "A more often bought in “Books”: 100% of them against 20% of B."
        );
        // Garden: 0 of A, 5 of B; Lyon 5 of A, 1 of B; Nantes 0 and 4.
        let garden = t.differences.iter().find(|d| d.value == "Garden").unwrap();
        assert_eq!(garden.counts, [0, 5]);
        assert!(
            garden
                .sentence
                .starts_with("B more often bought in “Garden”: 100%")
        );
        let lyon = t.differences.iter().find(|d| d.value == "Lyon").unwrap();
        assert_eq!(lyon.source, Source::Attribute("city".into()));
        assert_eq!(lyon.counts, [5, 1]);
        // The largest gap first: Garden (100 points) before Books (80).
        assert_eq!(t.differences[0].value, "Garden");
        // KPI rows: A, B, then everyone.
        assert_eq!(t.kpis.groups, ["A", "B", "All customers"]);
        let column = |id: &str| {
            t.kpis
                .kpis
                .iter()
                .position(|k| k.id.as_str() == id)
                .unwrap()
        };
        let customers = column("customers");
        assert_eq!(t.kpis.values[0][customers].value, Some(5.0));
        assert_eq!(t.kpis.values[2][customers].value, Some(10.0));
        assert_eq!(t.clear[customers], None);
        let top20 = column("top20_share");
        assert!(t.kpis.values[0][top20].value.is_some());
        assert_eq!(t.clear[top20], None);
        // Repeat rate: A 0 of 5, B 1 of 5 (customer 9): p = 0.29, could
        // be chance.
        let repeat = column("repeat_rate");
        assert_eq!(t.kpis.values[1][repeat].value, Some(0.2));
        assert_eq!(t.clear[repeat], Some(false));
    }

    #[test]
    fn small_or_unclear_gaps_are_left_out() {
        let names = ["A".to_string(), "B".to_string()];
        // 4 customers at most: too few to say.
        assert!(difference(&names, [10, 10], Source::Category, "x".into(), [4, 0]).is_none());
        let of_1000 =
            |counts| difference(&names, [1000, 1000], Source::Category, "x".into(), counts);
        // 52% against 48% of 1,000: not clear; 30% against 20%: clear.
        assert!(of_1000([520, 480]).is_none());
        assert!(of_1000([300, 200]).is_some());
    }
}

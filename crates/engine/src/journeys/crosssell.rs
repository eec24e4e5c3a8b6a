//! Cross-sell: the product categories bought by the same customers, as
//! association rules between categories (support, confidence, lift),
//! within a segment or over every buyer.
//!
//! A customer's basket is the set of categories of their orders before the
//! analysis date (refunds left out). For two categories A and B, among the
//! buyers considered:
//! - support = buyers of both ÷ buyers,
//! - confidence = buyers of both ÷ buyers of A,
//! - lift = confidence ÷ (buyers of B ÷ buyers).

use crate::model::message::Message;

use serde::{Deserialize, Serialize};

use crate::import::orders::{NO_CATEGORY, Orders};
use crate::model::bitmap::Bitmap;
use crate::model::date::Day;

/// One rule: buyers of `from` also buy `to`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pair {
    /// The category bought.
    pub from: String,
    /// The category also bought.
    pub to: String,
    /// Buyers of both.
    pub both: u64,
    /// Buyers of `from`.
    pub from_buyers: u64,
    /// Buyers of both ÷ buyers.
    pub support: f64,
    /// Buyers of both ÷ buyers of `from`.
    pub confidence: f64,
    /// Confidence ÷ share of buyers who bought `to`.
    pub lift: f64,
}

/// The rules of a group of buyers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrossSell {
    /// Buyers considered (customers with at least one order in a
    /// category).
    pub buyers: u64,
    /// Each category with its buyers, most bought first.
    pub categories: Vec<(String, u64)>,
    /// The rules with at least the minimum number of buyers of both, by
    /// lift then confidence.
    pub pairs: Vec<Pair>,
}

/// Association rules between categories among the buyers in `within` (all
/// when `None`), keeping the pairs bought together by at least
/// `min_both` customers.
pub fn cross_sell(
    orders: &Orders,
    as_of: Day,
    within: Option<&Bitmap>,
    min_both: u64,
) -> Result<CrossSell, Message> {
    if orders.categories.is_empty() || orders.category.len() != orders.len() {
        return Err(Message::new(
            "engine.the_orders_have_no_category_column_import_an_order_file_with_one_category_cat_gorie_rayon_to_see_what_sells_together",
        ));
    }
    // Each customer's categories as a bit set: the first 128 categories
    // (more are rare in a category column; the others are left out).
    let n = orders.customer_keys.len();
    let mut basket: Vec<u128> = vec![0; n];
    for i in 0..orders.len() {
        let (c, cat) = (orders.customer[i] as usize, orders.category[i]);
        if cat == NO_CATEGORY
            || orders.amount[i] < 0.0
            || orders.day[i] >= as_of
            || within.is_some_and(|w| !w.contains(c))
        {
            continue;
        }
        if (cat as usize) < 128 {
            basket[c] |= 1u128 << cat;
        }
    }
    let k = orders.categories.len().min(128);
    let mut single = vec![0u64; k];
    let mut pair = vec![0u64; k * k];
    let mut buyers = 0u64;
    for b in basket.iter().filter(|b| **b != 0) {
        buyers += 1;
        let cats: Vec<usize> = (0..k).filter(|j| b & (1u128 << j) != 0).collect();
        for &a in &cats {
            single[a] += 1;
            for &c in &cats {
                if a != c {
                    pair[a * k + c] += 1;
                }
            }
        }
    }
    let total = buyers.max(1) as f64;
    let mut pairs = Vec::new();
    for a in 0..k {
        for b in 0..k {
            let both = pair[a * k + b];
            if a == b || both < min_both.max(1) {
                continue;
            }
            let confidence = both as f64 / single[a] as f64;
            let lift = confidence / (single[b] as f64 / total);
            pairs.push(Pair {
                from: orders.categories[a].clone(),
                to: orders.categories[b].clone(),
                both,
                from_buyers: single[a],
                support: both as f64 / total,
                confidence,
                lift,
            });
        }
    }
    pairs.sort_by(|x, y| {
        y.lift
            .total_cmp(&x.lift)
            .then(y.confidence.total_cmp(&x.confidence))
            .then_with(|| x.from.cmp(&y.from))
            .then_with(|| x.to.cmp(&y.to))
    });
    let mut categories: Vec<(String, u64)> = (0..k)
        .map(|j| (orders.categories[j].clone(), single[j]))
        .filter(|x| x.1 > 0)
        .collect();
    categories.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(CrossSell {
        buyers,
        categories,
        pairs,
    })
}

/// The pair the headline speaks of: of the pairs from the most bought
/// category that go together (lift 1.1 or more), the one with the highest
/// confidence.
pub fn headline_pair(x: &CrossSell) -> Option<&Pair> {
    let (top, _) = x.categories.first()?;
    x.pairs
        .iter()
        .filter(|p| &p.from == top && p.lift >= 1.1)
        .max_by(|a, b| a.confidence.total_cmp(&b.confidence))
}

/// "Customers like these also buy …": for the segment's most bought
/// category, the category its buyers also buy most often among those with
/// a lift of 1.1 or more, in words.
pub fn headline(x: &CrossSell) -> Option<String> {
    let p = headline_pair(x)?;
    Some(format!(
        "Customers like these who buy {} also buy {}: {:.0}% of them, {:.1}× the rate of all these buyers.",
        p.from,
        p.to,
        p.confidence * 100.0,
        p.lift
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ImportOptions, import_orders};

    fn orders() -> Orders {
        // Baskets: a {Tools, Garden}, b {Tools, Garden}, c {Tools},
        // d {Books}, e {Books, Garden}; f only refunds Tools.
        let text = "customer_id,date,amount,category\n\
                    a,2024-01-01,10,Tools\na,2024-01-02,10,Garden\na,2024-01-03,5,Tools\n\
                    b,2024-01-01,10,Tools\nb,2024-01-05,10,Garden\n\
                    c,2024-01-01,10,Tools\n\
                    d,2024-01-01,10,Books\n\
                    e,2024-01-01,10,Books\ne,2024-01-01,10,Garden\n\
                    f,2024-01-01,-10,Tools\n";
        import_orders("o.csv", text.as_bytes(), ImportOptions::default())
            .unwrap()
            .0
    }

    #[test]
    fn support_confidence_and_lift_by_hand() {
        let o = orders();
        let x = cross_sell(&o, 20_000, None, 1).unwrap();
        assert_eq!(x.buyers, 5);
        assert_eq!(
            x.categories,
            vec![
                ("Garden".into(), 3),
                ("Tools".into(), 3),
                ("Books".into(), 2)
            ]
        );
        let find = |a: &str, b: &str| x.pairs.iter().find(|p| p.from == a && p.to == b).unwrap();
        // Tools → Garden: both 2 (a, b), Tools buyers 3, Garden share 3/5.
        let tg = find("Tools", "Garden");
        assert_eq!((tg.both, tg.from_buyers), (2, 3));
        assert!((tg.support - 0.4).abs() < 1e-12);
        assert!((tg.confidence - 2.0 / 3.0).abs() < 1e-12);
        assert!((tg.lift - (2.0 / 3.0) / 0.6).abs() < 1e-12);
        // Books → Garden: 1 of 2, Garden 3/5: lift 0.5 / 0.6.
        assert!((find("Books", "Garden").lift - 0.5 / 0.6).abs() < 1e-12);
        // Tools and Books are never bought together: no rule.
        assert!(!x.pairs.iter().any(|p| p.from == "Tools" && p.to == "Books"));
        // Highest lift first: Garden → Tools and Tools → Garden (1.11).
        assert!(x.pairs[0].lift >= x.pairs[1].lift);
        assert_eq!(
            headline(&x).as_deref(),
            Some(
                "Customers like these who buy Garden also buy Tools: 67% of them, 1.1× the rate of all these buyers."
            )
        );
        // Within a segment, and with a minimum count.
        let ab = Bitmap::from_fn(o.customer_keys.len(), |c| c < 2);
        let y = cross_sell(&o, 20_000, Some(&ab), 1).unwrap();
        assert_eq!(y.buyers, 2);
        assert!((y.pairs[0].confidence - 1.0).abs() < 1e-12);
        assert!(cross_sell(&o, 20_000, None, 3).unwrap().pairs.is_empty());
        // Before the analysis date only: on 2 January, a has only Tools
        // (the Garden order is that day).
        let z = cross_sell(&o, crate::model::date::days_from_civil(2024, 1, 2), None, 1).unwrap();
        assert!(
            !z.pairs
                .iter()
                .any(|p| p.from == "Tools" && p.to == "Garden")
        );
        assert_eq!(
            z.pairs
                .iter()
                .find(|p| p.from == "Books" && p.to == "Garden")
                .unwrap()
                .both,
            1
        );
    }
}

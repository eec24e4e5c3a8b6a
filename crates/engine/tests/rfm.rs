//! RFM scores and segments against hand-worked expectations of R's `rfm`
//! rules (type-7 quantile breaks plus one, lower <= x < upper, recency
//! reversed, first matching segment wins).

use seglens_engine::Orders;
use seglens_engine::segments::rfm::{self, Bins, RfmConfig};

/// Builds a table from `(customer, day, amount)` rows.
fn orders(rows: &[(&str, i32, f64)]) -> Orders {
    let mut o = Orders::default();
    for (key, day, amount) in rows {
        let idx = match o.customer_keys.iter().position(|k| k == key) {
            Some(i) => i as u32,
            None => {
                o.customer_keys.push(key.to_string());
                (o.customer_keys.len() - 1) as u32
            }
        };
        o.customer.push(idx);
        o.day.push(*day);
        o.amount.push(*amount);
    }
    o
}

fn bins(n: u8) -> RfmConfig {
    RfmConfig {
        recency: Bins::Quantiles(n),
        frequency: Bins::Quantiles(n),
        monetary: Bins::Quantiles(n),
    }
}

/// `(key, recency, frequency, monetary, r, f, m, segment)` of one customer.
type Scored = (String, i32, u32, f64, u8, u8, u8, String);

/// The scores of every scored customer.
fn scores(o: &Orders, as_of: i32, config: &RfmConfig) -> Vec<Scored> {
    let res = rfm::compute(o, as_of, config, &rfm::default_rules());
    res.rows
        .iter()
        .map(|r| {
            (
                o.customer_keys[r.values.customer as usize].clone(),
                r.values.recency_days,
                r.values.frequency,
                r.values.monetary,
                r.r,
                r.f,
                r.m,
                res.segment_names[r.segment as usize].clone(),
            )
        })
        .collect()
}

#[test]
fn three_bins_worked_by_hand_with_refunds() {
    // Recency values 5, 50, 70, 1, 2: sorted 1 2 5 50 70; type-7 quantiles
    // at 1/3 and 2/3 are 3 and 35, so breaks 4 and 36: [1,4) [4,36) [36,71).
    // Frequencies 2 1 3 1 1: quantiles 1 and 1.667, breaks 2 and 2.667.
    // Monetary 30 100 15 30 0: quantiles 20 and 30, breaks 21 and 31.
    let o = orders(&[
        ("A", 90, 10.0),
        ("A", 95, 20.0),
        ("B", 50, 100.0),
        ("C", 10, 5.0),
        ("C", 20, 5.0),
        ("C", 30, 5.0),
        ("D", 99, 40.0),
        ("D", 99, -10.0),
        ("E", 80, -5.0),
        ("F", 98, 50.0),
        ("F", 99, -50.0),
    ]);
    let got = scores(&o, 100, &bins(3));
    let want = vec![
        ("A", 5, 2, 30.0, 2, 2, 2),
        ("B", 50, 1, 100.0, 1, 1, 3),
        ("C", 70, 3, 15.0, 1, 3, 1),
        ("D", 1, 1, 30.0, 3, 1, 2),
        ("F", 2, 1, 0.0, 3, 1, 1),
    ];
    assert_eq!(got.len(), want.len(), "E has only a refund: not scored");
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(
            (g.0.as_str(), g.1, g.2, g.3, g.4, g.5, g.6),
            *w,
            "customer {}",
            w.0
        );
    }
}

#[test]
fn edges_follow_r() {
    let e = rfm::bin_edges(&[1.0, 2.0, 5.0, 50.0, 70.0], &Bins::Quantiles(3));
    let near = |a: &[f64], b: &[f64]| a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-9);
    assert!(near(&e.lower, &[1.0, 4.0, 36.0]), "{:?}", e.lower);
    assert!(near(&e.upper, &[4.0, 36.0, 71.0]), "{:?}", e.upper);
    assert_eq!(rfm::quantile7(&[1.0, 2.0, 3.0, 4.0], 0.5), 2.5);
    assert_eq!(rfm::quantile7(&[10.0], 0.3), 10.0);
}

#[test]
fn all_equal_values_and_a_single_customer() {
    // Every break is 11: only [10, 11) holds values, so every customer gets
    // bin 1, i.e. recency 5 (reversed), frequency 1, monetary 1: the first
    // matching rule is New Customers (R 4-5, F 1-3, M 1-5).
    let o = orders(&[("A", 90, 10.0), ("B", 90, 10.0), ("C", 90, 10.0)]);
    for s in scores(&o, 100, &bins(5)) {
        assert_eq!((s.4, s.5, s.6, s.7.as_str()), (5, 1, 1, "New Customers"));
    }
    let one = orders(&[("solo", 40, 12.5), ("solo", 60, 7.5)]);
    let s = scores(&one, 100, &bins(5));
    assert_eq!(s.len(), 1);
    assert_eq!((s[0].1, s[0].2, s[0].3), (40, 2, 20.0));
    assert_eq!((s[0].4, s[0].5, s[0].6), (5, 1, 1));
}

#[test]
fn ties_collapse_bins_without_losing_customers() {
    // Frequencies 1 1 1 1 2: quantiles at .2 .4 .6 .8 are 1 1 1 1.2, breaks
    // 2 2 2 2.2: intervals [1,2) [2,2) [2,2) [2,2.2) [2.2,3). The 2 falls in
    // the fourth.
    let o = orders(&[
        ("A", 1, 1.0),
        ("B", 2, 1.0),
        ("C", 3, 1.0),
        ("D", 4, 1.0),
        ("E", 5, 1.0),
        ("E", 6, 1.0),
    ]);
    let f: Vec<u8> = scores(&o, 10, &bins(5)).iter().map(|s| s.5).collect();
    assert_eq!(f, vec![1, 1, 1, 1, 4]);
}

#[test]
fn custom_thresholds() {
    let config = RfmConfig {
        recency: Bins::Thresholds(vec![30.0, 90.0]),
        frequency: Bins::Thresholds(vec![2.0, 4.0]),
        monetary: Bins::Thresholds(vec![100.0]),
    };
    let o = orders(&[
        ("A", 99, 10.0),
        ("B", 40, 10.0),
        ("B", 41, 10.0),
        ("C", 1, 200.0),
        ("C", 2, 1.0),
        ("C", 3, 1.0),
        ("C", 4, 1.0),
    ]);
    let s = scores(&o, 100, &config);
    // A: recency 1 < 30 -> bin 1 of 3 -> r 3; f 1 < 2 -> 1; m 10 < 100 -> 1.
    assert_eq!((s[0].4, s[0].5, s[0].6), (3, 1, 1));
    // B: recency 59 in [30, 90) -> bin 2 -> r 2; f 2 in [2, 4) -> 2.
    assert_eq!((s[1].4, s[1].5, s[1].6), (2, 2, 1));
    // C: recency 96 >= 90 -> r 1; f 4 -> 3; m 203 -> 2.
    assert_eq!((s[2].4, s[2].5, s[2].6), (1, 3, 2));
}

#[test]
fn first_matching_segment_wins_and_others_collects_the_rest() {
    let rules = rfm::default_rules();
    let first = |r, f, m| {
        rules
            .iter()
            .find(|x| x.matches(r, f, m))
            .map(|x| x.name.as_str())
            .unwrap_or(rfm::OTHERS)
    };
    assert_eq!(first(5, 5, 5), "Champions");
    assert_eq!(first(5, 5, 4), "Potential Loyalist");
    assert_eq!(first(2, 2, 2), "Loyal Customers");
    assert_eq!(first(3, 1, 3), "Promising");
    assert_eq!(first(5, 1, 1), "New Customers");
    assert_eq!(first(1, 3, 5), "Can't Lose Them");
    assert_eq!(first(1, 5, 5), "At Risk");
    assert_eq!(first(1, 5, 3), "Need Attention");
    assert_eq!(first(3, 1, 1), "About To Sleep");
    assert_eq!(first(1, 1, 1), "Lost");
    assert_eq!(first(2, 1, 5), "Others");
}

#[test]
fn summary_counts_orders_revenue_and_aov() {
    let o = orders(&[
        ("A", 90, 10.0),
        ("A", 95, 20.0),
        ("B", 50, 100.0),
        ("B", 51, -40.0),
    ]);
    let res = rfm::compute(&o, 100, &bins(5), &rfm::default_rules());
    let summary = rfm::summarise(&res);
    assert_eq!(summary.len(), 11);
    let total_customers: u64 = summary.iter().map(|s| s.customers).sum();
    let total_orders: u64 = summary.iter().map(|s| s.orders).sum();
    let total_revenue: f64 = summary.iter().map(|s| s.revenue).sum();
    assert_eq!((total_customers, total_orders, total_revenue), (2, 3, 90.0));
    for s in summary.iter().filter(|s| s.orders > 0) {
        assert!((s.aov - s.revenue / s.orders as f64).abs() < 1e-9);
    }
}

#[test]
fn the_default_table_overlaps_and_leaves_cells_to_others() {
    let check = rfm::check_rules(&rfm::default_rules(), 5, 5, 5);
    assert_eq!(check.cells, 125);
    assert!(check.invalid.is_empty());
    // Champions (5,5,5) is also inside Potential Loyalist: rule 1 loses it.
    assert!(
        check
            .overlaps
            .iter()
            .any(|o| o.winner == 0 && o.loser == 1 && o.cells == 1)
    );
    // (2,1,5) matches no rule.
    assert!(check.uncovered.contains(&(2, 1, 5)));
    // Every cell either has a winner or is uncovered.
    let winners: u32 = 125 - check.uncovered.len() as u32;
    assert!(winners > 0);
    // Count uncovered cells by brute force.
    let rules = rfm::default_rules();
    let mut none = 0;
    for r in 1..=5 {
        for f in 1..=5 {
            for m in 1..=5 {
                if !rules.iter().any(|x| x.matches(r, f, m)) {
                    none += 1;
                }
            }
        }
    }
    assert_eq!(check.uncovered.len(), none);
}

#[test]
fn hidden_and_invalid_rules_are_reported() {
    let rule = |name: &str, r, f, m| rfm::SegmentRule {
        name: name.into(),
        r,
        f,
        m,
    };
    let rules = vec![
        rule("Everyone", (1, 3), (1, 3), (1, 3)),
        rule("Hidden", (3, 3), (3, 3), (3, 3)),
        rule("Backwards", (3, 1), (1, 3), (1, 3)),
        rule("Too high", (1, 4), (1, 3), (1, 3)),
    ];
    let check = rfm::check_rules(&rules, 3, 3, 3);
    assert!(check.uncovered.is_empty());
    assert_eq!(check.never_win, vec![1, 2, 3]);
    assert_eq!(check.matched, vec![27, 1, 0, 27]);
    assert_eq!(check.won, vec![27, 0, 0, 0]);
    assert_eq!(check.invalid, vec![2, 3]);
    assert_eq!(
        check.overlaps,
        vec![
            rfm::Overlap {
                winner: 0,
                loser: 1,
                cells: 1
            },
            rfm::Overlap {
                winner: 0,
                loser: 3,
                cells: 27
            }
        ]
    );
}

#[test]
fn the_three_level_preset_covers_every_cell() {
    let check = rfm::check_rules(&rfm::three_level_rules(), 3, 3, 3);
    assert!(check.uncovered.is_empty(), "{:?}", check.uncovered);
    assert!(check.never_win.is_empty());
}

#[test]
fn rf_grid_counts_customers() {
    let o = orders(&[("A", 90, 10.0), ("B", 50, 100.0), ("B", 60, 5.0)]);
    let res = rfm::compute(&o, 100, &bins(2), &rfm::default_rules());
    let grid = rfm::rf_grid(&res);
    let total: u64 = grid.iter().flatten().map(|c| c.0).sum();
    assert_eq!(total, 2);
    assert_eq!(grid.len(), 2);
}

use super::*;

#[test]
fn hypergeometric_closed_forms() {
    // 2F1(1, 1; 2; z) = -ln(1 - z) / z.
    let z: f64 = 0.6;
    assert!((hyp2f1(1.0, 1.0, 2.0, z) - (-(1.0 - z).ln() / z)).abs() < 1e-12);
    // 2F1(a, b; b; z) = (1 - z)^-a.
    assert!((hyp2f1(2.5, 3.0, 3.0, 0.3) - 0.7f64.powf(-2.5)).abs() < 1e-12);
}

#[test]
fn analytic_gradients_match_finite_differences() {
    let data: Vec<CustomerSummary> = [
        (0.0, 0.0, 10.0, 0.0),
        (2.0, 7.5, 12.0, 20.0),
        (5.0, 9.0, 9.5, 35.0),
    ]
    .iter()
    .enumerate()
    .map(|(i, (x, tx, t, m))| CustomerSummary {
        customer: i as u32,
        frequency: *x,
        recency: *tx,
        age: *t,
        monetary: *m,
        holdout_frequency: 0.0,
    })
    .collect();
    let p = [0.7, 3.0, 0.8, 2.5];
    let bg = |p: &[f64]| BgNbd {
        r: p[0],
        alpha: p[1],
        a: p[2],
        b: p[3],
    };
    let (ll, g) = bg(&p).log_likelihood_and_gradient(&data);
    assert!((ll - bg(&p).log_likelihood(&data)).abs() < 1e-10);
    for i in 0..4 {
        let h = 1e-6;
        let (mut up, mut down) = (p, p);
        up[i] += h;
        down[i] -= h;
        let numeric = (bg(&up).log_likelihood(&data) - bg(&down).log_likelihood(&data)) / (2.0 * h);
        assert!(
            (g[i] - numeric).abs() < 1e-5,
            "BG/NBD d{i}: {} vs {numeric}",
            g[i]
        );
    }
    let repeat: Vec<CustomerSummary> = data.iter().filter(|c| c.frequency > 0.0).copied().collect();
    let q = [3.0, 2.5, 12.0];
    let gg = |p: &[f64]| GammaGamma {
        p: p[0],
        q: p[1],
        gamma: p[2],
    };
    let (ll, g) = gg(&q).log_likelihood_and_gradient(&repeat);
    assert!((ll - gg(&q).log_likelihood(&repeat)).abs() < 1e-10);
    for i in 0..3 {
        let h = 1e-6;
        let (mut up, mut down) = (q, q);
        up[i] += h;
        down[i] -= h;
        let numeric =
            (gg(&up).log_likelihood(&repeat) - gg(&down).log_likelihood(&repeat)) / (2.0 * h);
        assert!(
            (g[i] - numeric).abs() < 1e-5,
            "Gamma-Gamma d{i}: {} vs {numeric}",
            g[i]
        );
    }
}

#[test]
fn compact_likelihoods_equal_the_per_customer_forms() {
    // Shared ages and recencies, repeated triples, one-time buyers
    // and buyers whose drop-out branch dominates either way.
    let mut data = Vec::new();
    for i in 0..400u32 {
        let x = f64::from(i % 7);
        let age = f64::from(5 + i % 23) / 7.0 * 3.0;
        let recency = if x > 0.0 {
            age * f64::from(i % 5) / 4.0
        } else {
            0.0
        };
        data.push(CustomerSummary {
            customer: i,
            frequency: x,
            recency,
            age,
            monetary: if x > 0.0 {
                5.0 + f64::from(i % 13) * 3.7
            } else {
                0.0
            },
            holdout_frequency: 0.0,
        });
    }
    let rows = BgNbdRows::new(&data);
    assert!(rows.rows.len() < data.len());
    for params in [
        BgNbd {
            r: 0.24,
            alpha: 4.4,
            a: 0.79,
            b: 2.4,
        },
        BgNbd {
            r: 3.0,
            alpha: 0.2,
            a: 9.0,
            b: 0.1,
        },
    ] {
        let (ll, g) = params.log_likelihood_and_gradient(&data);
        let (cl, cg) = params.compact_log_likelihood_and_gradient(&rows);
        assert!((ll - cl).abs() < 1e-9 * ll.abs(), "{ll} vs {cl}");
        for i in 0..4 {
            assert!(
                (g[i] - cg[i]).abs() < 1e-9 * (1.0 + g[i].abs()),
                "d{i}: {} vs {}",
                g[i],
                cg[i]
            );
        }
    }
    let repeat: Vec<CustomerSummary> = data.iter().filter(|c| c.frequency > 0.0).copied().collect();
    let spend = SpendRows::new(&repeat);
    for params in [
        GammaGamma {
            p: 6.25,
            q: 3.74,
            gamma: 15.44,
        },
        GammaGamma {
            p: 0.5,
            q: 12.0,
            gamma: 0.3,
        },
    ] {
        let (ll, g) = params.log_likelihood_and_gradient(&repeat);
        let (cl, cg) = params.compact_log_likelihood_and_gradient(&spend);
        assert!((ll - cl).abs() < 1e-9 * ll.abs(), "{ll} vs {cl}");
        for i in 0..3 {
            assert!(
                (g[i] - cg[i]).abs() < 1e-9 * (1.0 + g[i].abs()),
                "d{i}: {} vs {}",
                g[i],
                cg[i]
            );
        }
    }
}

#[test]
fn data_where_nobody_stops_buying_get_a_warning() {
    // Every customer buys ten times, spread evenly over the year, up to
    // its last weeks: the model has no drop-out to learn from.
    let rows: Vec<(String, Day, f64)> = (0..30_000u32)
        .map(|i| {
            let day = 20_000 + (i / 3_000 * 36 + (i * 7) % 30) as Day;
            (format!("C{}", i % 3_000), day, 10.0 + f64::from(i % 90))
        })
        .collect();
    let orders = Orders::from_rows(&rows);
    let data = summarise(&orders, 20_000 + 365, None, TimeUnit::Weeks);
    let fit = fit_bgnbd(&data).unwrap();
    assert!(
        fit.warnings
            .iter()
            .any(|w| w.to_string().contains("cannot tell who is leaving")),
        "{:?} {:?}",
        fit.params,
        fit.warnings
    );
    // The spread over the year is regular, so the usual data get no
    // such warning: the demo business has customers who leave.
    let demo = crate::import::demo::generate(crate::import::demo::DEMO_SEED);
    let (orders, _) = crate::import_orders(
        "orders.csv",
        demo.orders.as_bytes(),
        crate::ImportOptions::default(),
    )
    .unwrap();
    let end = orders.day.iter().copied().max().unwrap();
    let fit = fit_bgnbd(&summarise(&orders, end, None, TimeUnit::Weeks)).unwrap();
    assert!(fit.warnings.is_empty(), "{:?}", fit.warnings);
}

/// The chance of an order within `t` is one minus the chance of none,
/// which is the likelihood of the history stretched by `t` with no
/// purchase over the likelihood of the history (FHL 2005's customer
/// likelihood, written independently above); the median wait leaves an
/// active customer half a chance of ordering.
#[test]
fn timing_of_the_next_order() {
    // The parameters FHL 2005 fit on CDNOW, in weeks.
    let m = BgNbd {
        r: 0.243,
        alpha: 4.414,
        a: 0.793,
        b: 2.426,
    };
    let one = |x: f64, recency: f64, age: f64| CustomerSummary {
        customer: 0,
        frequency: x,
        recency,
        age,
        monetary: 0.0,
        holdout_frequency: 0.0,
    };
    for (x, recency, age) in [
        (0.0, 0.0, 38.86),
        (2.0, 30.43, 38.86),
        (7.0, 35.0, 36.0),
        (1.0, 2.0, 70.0),
    ] {
        for t in [1.0, 30.0 / 7.0, 52.0] {
            let now = m.log_likelihood(&[one(x, recency, age)]);
            let later = m.log_likelihood(&[one(x, recency, age + t)]);
            let ratio = 1.0 - (later - now).exp();
            let ours = m.probability_of_purchase_within(t, x, recency, age);
            assert!(
                (ours - ratio).abs() < 1e-12,
                "x={x} t={t}: {ours} against {ratio}"
            );
            assert!(ours <= m.p_alive(x, recency, age));
        }
        let wait = m.median_wait_if_active(x, age);
        let p = m.p_alive(x, recency, age);
        let half = m.probability_of_purchase_within(wait, x, recency, age) / p;
        assert!((half - 0.5).abs() < 1e-12, "x={x}: {half}");
    }
    // More purchases, a shorter wait; a longer silence, a longer one.
    assert!(m.median_wait_if_active(7.0, 36.0) < m.median_wait_if_active(2.0, 36.0));
    assert!(m.median_wait_if_active(2.0, 80.0) > m.median_wait_if_active(2.0, 36.0));
    assert_eq!(m.probability_of_purchase_within(0.0, 2.0, 30.0, 38.0), 0.0);
}

#[test]
fn groups_and_bands() {
    let p = |customer, frequency, p_alive| CustomerPrediction {
        customer,
        frequency,
        p_alive,
        expected_purchases: 1.0,
        expected_spend: 10.0,
        clv: 10.0,
        order_within_30_days: p_alive / 10.0,
        ..CustomerPrediction::default()
    };
    let preds = [
        p(0, 1.0, 0.1),
        p(1, 2.0, 0.5),
        p(2, 3.0, 0.9),
        p(3, 1.0, 0.8),
        p(4, 0.0, 1.0),
    ];
    let band = |c: u32| Some(risk_band(&preds[c as usize], 0.3, 0.7));
    let g = by_group(&preds, 4, &band);
    assert_eq!(
        g.iter().map(|x| x.customers).collect::<Vec<_>>(),
        vec![1, 1, 2, 1]
    );
    assert!((g[2].mean_p_alive - 0.85).abs() < 1e-12);
    assert_eq!(g[2].clv, 20.0);
    // Expected to order within 30 days, customers 2 and 3 (p_alive 0.9
    // and 0.8, a tenth of it each here): 0.09 + 0.08.
    assert!((g[2].orderers_30_days - 0.17).abs() < 1e-12);
    // One-time buyers count, but not in the mean probability.
    assert_eq!((g[3].repeat_customers, g[3].mean_p_alive), (0, 0.0));
    let all = by_group(&preds, 1, &|_| Some(0));
    assert_eq!((all[0].customers, all[0].repeat_customers), (5, 4));
    assert!((all[0].mean_p_alive - 2.3 / 4.0).abs() < 1e-12);
    assert_eq!(risk_band(&p(9, 1.0, 0.3), 0.3, 0.7), 1);
    assert_eq!(risk_band(&p(9, 1.0, 0.7), 0.3, 0.7), 2);
}

#[test]
fn same_day_purchases_merge_and_refunds_are_left_out() {
    let o = Orders::from_rows(&[
        ("a".into(), 0, 10.0),
        ("a".into(), 0, 5.0),
        ("a".into(), 7, 20.0),
        ("a".into(), 14, -20.0),
        ("a".into(), 21, 40.0),
        ("a".into(), 35, 1.0),
        ("b".into(), 30, 9.0),
    ]);
    let s = summarise(&o, 28, Some(40), TimeUnit::Weeks);
    assert_eq!(s.len(), 1, "b starts after the calibration end");
    let a = s[0];
    assert_eq!((a.frequency, a.recency, a.age), (2.0, 3.0, 4.0));
    assert_eq!(a.monetary, 30.0);
    assert_eq!(a.holdout_frequency, 1.0);
}

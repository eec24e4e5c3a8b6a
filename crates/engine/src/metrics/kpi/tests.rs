use super::*;

fn moments(xs: &[f64]) -> Moments {
    let mut m = Moments::default();
    for &x in xs {
        m.add(x);
    }
    m
}

#[test]
fn the_mean_interval_is_scipys_t_interval() {
    // scipy.stats.t.interval(0.95, n - 1, loc=mean, scale=sem(x)).
    let moments = |xs: &[f64]| {
        let mut m = Moments::default();
        for x in xs {
            m.add(*x);
        }
        m
    };
    let (lo, hi) = moments(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0])
        .ci()
        .expect("an interval");
    assert!((lo - 3.212_512_082_204_107_3).abs() < 1e-9, "{lo}");
    assert!((hi - 6.787_487_917_795_893).abs() < 1e-9, "{hi}");
    let (lo, hi) = moments(&[10.0, 12.0]).ci().expect("an interval");
    assert!((lo + 1.706_204_736_432_095_4).abs() < 1e-9, "{lo}");
    assert!((hi - 23.706_204_736_432_095).abs() < 1e-9, "{hi}");
    assert_eq!(moments(&[3.0]).ci(), None);
}

#[test]
fn welch_reads_student_t_as_scipy_does() {
    // scipy.stats.ttest_ind(a, b, equal_var=False).pvalue
    let p = welch_p(
        moments(&[10.0, 12.0, 9.0, 15.0]),
        moments(&[20.0, 25.0, 18.0, 30.0, 22.0]),
    );
    assert!(
        (p.unwrap() - 0.002_939_895_662_989_356).abs() < 1e-9,
        "{p:?}"
    );
    let p = welch_p(
        moments(&[3.5, 4.0, 2.5]),
        moments(&[5.0, 6.5, 4.5, 7.0, 6.0, 5.5]),
    );
    assert!(
        (p.unwrap() - 0.008_972_091_725_305_09).abs() < 1e-9,
        "{p:?}"
    );
    // The normal approximation calls the first far more significant.
    let normal = two_sided((11.5 - 23.0) / (7.0f64 / 4.0 + 22.0 / 5.0).sqrt());
    assert!(normal < 0.002_939_895_662_989_356 / 100.0, "{normal}");
    assert_eq!(
        welch_p(moments(&[1.0, 1.0]), moments(&[1.0, 1.0])),
        Some(1.0)
    );
    assert_eq!(welch_p(moments(&[1.0]), moments(&[2.0, 3.0])), None);
}

#[test]
fn a_hand_worked_table() {
    // Two segments: A = {a, b}, B = {c}; d has no segment.
    let orders = Orders::from_rows(&[
        ("a".into(), 10, 100.0),
        ("a".into(), 150, 50.0),
        ("b".into(), 50, 30.0),
        ("b".into(), 60, -10.0),
        ("c".into(), 195, 40.0),
        ("d".into(), 1, 5.0),
    ]);
    let email = EmailTable {
        customer: vec![0, 0, 1, 2],
        campaign: vec![0; 4],
        campaigns: vec!["x".into()],
        day: vec![None; 4],
        delivered: vec![true, true, false, true],
        opened: vec![true, false, true, true],
        clicked: vec![true, false, false, false],
        unsubscribed: vec![false; 4],
        ..Default::default()
    };
    let surveys = SurveyTable {
        customer: vec![0, 0, 1, 2],
        day: vec![Some(1), Some(2), Some(3), Some(4)],
        nps: vec![Some(3), Some(10), Some(6), Some(8)],
        csat: vec![Some(5), None, Some(2), Some(4)],
    };
    let names = vec!["A".to_string(), "B".to_string()];
    let group_of = vec![Some(0), Some(0), Some(1), None];
    let t = compute(&KpiInputs {
        orders: &orders,
        email: Some(&email),
        surveys: Some(&surveys),
        tickets: None,
        costs: None,
        customer_facts: None,
        predictions: None,
        as_of: 200,
        churn_period_days: CHURN_PERIOD_DAYS,
        group_of: &group_of,
        group_names: &names,
    });
    let col = |id: &str| t.kpis.iter().position(|k| k.id.as_str() == id).unwrap();
    let v = |g: usize, id: &str| t.values[g][col(id)].value;
    assert_eq!(t.groups, vec!["A", "B", "All customers"]);
    assert_eq!(v(0, "customers"), Some(2.0));
    assert_eq!(v(2, "customers"), Some(3.0));
    assert_eq!(v(0, "revenue"), Some(170.0));
    assert_eq!(v(0, "revenue_per_customer"), Some(85.0));
    assert_eq!(v(0, "orders_per_customer"), Some(1.5));
    assert_eq!(v(0, "aov"), Some(170.0 / 3.0));
    assert_eq!(v(0, "repeat_rate"), Some(0.5));
    // Churn: periods (110, 200] recent and (20, 110] before. a ordered
    // at 150 (recent) and b at 50 and 60 (before, not recent): 1 of 1.
    assert_eq!(v(0, "churn_rate"), Some(1.0));
    assert_eq!(v(1, "churn_rate"), None, "c ordered only recently");
    // NPS: a's last answer is 10 (promoter), b's 6 (detractor): 0.
    assert_eq!(v(0, "nps"), Some(0.0));
    assert_eq!(v(1, "nps"), Some(0.0), "8 is a passive");
    // CSAT: a's last CSAT answer is 5 (day 1), b's 2: 1 of 2.
    assert_eq!(v(0, "csat"), Some(0.5));
    // E-mails: A has 2 delivered (a's), 1 opened, 1 clicked.
    assert_eq!(v(0, "open_rate"), Some(0.5));
    assert_eq!(v(0, "click_rate"), Some(0.5));
    assert_eq!(v(0, "click_to_open"), Some(1.0));
    assert_eq!(v(2, "open_rate"), Some(2.0 / 3.0));
    assert!(t.values[0][col("predicted_clv")].missing.is_some());
    // Relative to the base: revenue per customer 85 against 70.
    let rel = t.values[0][col("revenue_per_customer")].relative.unwrap();
    assert!((rel - (85.0 - 70.0) / 70.0).abs() < 1e-12);
    let no_email = compute(&KpiInputs {
        orders: &orders,
        email: None,
        surveys: None,
        tickets: None,
        costs: None,
        customer_facts: None,
        predictions: None,
        as_of: 200,
        churn_period_days: CHURN_PERIOD_DAYS,
        group_of: &group_of,
        group_names: &names,
    });
    assert!(
        no_email.values[0][col("open_rate")]
            .missing
            .as_ref()
            .unwrap()
            .to_string()
            .contains("e-mail results file")
    );
}

#[test]
fn conversion_counts_prospects_and_says_when_there_are_none() {
    // a bought; b only got a refund; c ordered after the analysis
    // date; p is a prospect from the customers file (no order). A = {a,
    // b}, B = {c, p}.
    let mut orders = Orders::from_rows(&[
        ("a".into(), 10, 100.0),
        ("b".into(), 20, -10.0),
        ("c".into(), 300, 40.0),
    ]);
    orders.customer_keys.push("p".into());
    let names = vec!["A".to_string(), "B".to_string()];
    let inputs = |group_of: &'static [Option<usize>]| KpiInputs {
        orders: &orders,
        email: None,
        surveys: None,
        tickets: None,
        costs: None,
        customer_facts: None,
        predictions: None,
        as_of: 200,
        churn_period_days: CHURN_PERIOD_DAYS,
        group_of,
        group_names: &names,
    };
    let t = compute(&inputs(&[Some(0), Some(0), Some(1), Some(1)]));
    let k = t
        .kpis
        .iter()
        .position(|d| d.id == KpiId::ConversionRate)
        .unwrap();
    let at = |g: usize| &t.values[g][k];
    assert_eq!((at(0).numerator, at(0).denominator), (1.0, 2.0));
    assert_eq!(at(0).value, Some(0.5));
    assert_eq!(
        at(1).value,
        Some(0.0),
        "c's order comes after the analysis date"
    );
    assert_eq!(at(2).value, Some(0.25));
    // Only a compared, but b, c and p exist: still a rate.
    let only_a = compute(&inputs(&[Some(0), None, None, None]));
    assert_eq!(only_a.values[0][k].value, Some(1.0));
    // Everyone bought: no rate, and what would give one.
    let everyone = Orders::from_rows(&[("a".into(), 10, 100.0), ("b".into(), 20, 5.0)]);
    let t = compute(&KpiInputs {
        orders: &everyone,
        ..inputs(&[Some(0), Some(1)])
    });
    assert!(t.values[0][k].value.is_none());
    assert!(
        t.values[0][k]
            .missing
            .as_ref()
            .unwrap()
            .to_string()
            .contains("customers file")
    );
}

/// The KPI table of every source of `data`, the customers named in
/// `groups` in segments "A" (0) and "B" (1).
fn table_of(
    data: &crate::import::dataset::Dataset,
    as_of: Day,
    groups: &[(&str, usize)],
) -> KpiTable {
    let mut group_of = vec![None; data.orders.customer_keys.len()];
    for (k, g) in groups {
        let c = data
            .orders
            .customer_keys
            .iter()
            .position(|x| x == k)
            .unwrap();
        group_of[c] = Some(*g);
    }
    let facts = customer_facts(data.customers.as_ref(), data.costs.as_ref(), &data.orders);
    compute(&KpiInputs {
        orders: &data.orders,
        email: data.email.as_ref(),
        surveys: data.surveys.as_ref(),
        tickets: data.tickets.as_ref(),
        costs: data.costs.as_ref(),
        customer_facts: Some(&facts),
        predictions: None,
        as_of,
        churn_period_days: CHURN_PERIOD_DAYS,
        group_of: &group_of,
        group_names: &["A".to_string(), "B".to_string()],
    })
}

/// A KPI of a table: its value in each row.
fn column(t: &KpiTable, id: &str) -> Vec<KpiValue> {
    let k = t.kpis.iter().position(|d| d.id.as_str() == id).unwrap();
    t.values.iter().map(|row| row[k].clone()).collect()
}

#[test]
fn acquisition_cost_and_return_by_hand() {
    use crate::import::dataset::Dataset;
    // a began before the costs; f after their period (days 100 to 159:
    // monthly rows, 30 days apart). b, c, d, e are new.
    let orders = Orders::from_rows(&[
        ("a".into(), 90, 10.0),
        ("b".into(), 105, 100.0),
        ("c".into(), 140, 50.0),
        ("c".into(), 180, 30.0),
        ("d".into(), 150, 200.0),
        ("e".into(), 120, 20.0),
        ("f".into(), 170, 5.0),
    ]);
    let mut data = Dataset::from_orders(orders);
    data.add_source(
        "customers.csv",
        b"customer_id,Acquisition channel\na,Ads\nb,ads\nc,Ads \nd,Social\ne,organic\nf,Ads\n",
    )
    .unwrap();
    // Day 100 is 1970-04-11, day 130 is 1970-05-11.
    data.add_source(
        "costs.csv",
        b"date,channel,spend\n1970-04-11,Ads,100\n1970-04-11,Social,60\n1970-05-11,Ads,50\n1970-05-11,TV,40\n",
    )
    .unwrap();
    assert_eq!(
        cost_period(data.costs.as_ref().unwrap(), 200),
        Some((100, 159))
    );
    let groups = [("a", 0), ("b", 0), ("c", 0), ("d", 1), ("e", 1), ("f", 1)];
    let t = table_of(&data, 200, &groups);
    let (cac, roi) = (column(&t, "cac"), column(&t, "roi"));
    // TV's 40 acquired nobody: 10 each for the 4 new customers. b and
    // c share Ads' 150, d has Social's 60, e (organic) only the 10.
    let values = |c: &[KpiValue]| c.iter().map(|v| v.value.unwrap()).collect::<Vec<f64>>();
    assert_eq!(values(&cac), vec![85.0, 40.0, 62.5]);
    assert_eq!(cac[2].numerator, 250.0, "all the spend, once");
    // Revenue of the new: A 100 + 80, B 200 + 20.
    assert!((values(&roi)[0] - (180.0 - 170.0) / 170.0).abs() < 1e-12);
    assert_eq!(values(&roi)[1..], [1.75, 0.6]);
    // Without a costs file, both say which file would give them.
    data.costs = None;
    let none = table_of(&data, 200, &groups);
    assert!(
        column(&none, "roi")[0]
            .missing
            .as_ref()
            .unwrap()
            .to_string()
            .contains("marketing costs")
    );
}

#[test]
fn referrals_by_id_or_e_mail() {
    use crate::import::dataset::Dataset;
    let orders = Orders::from_rows(&[
        ("a".into(), 1, 10.0),
        ("b".into(), 2, 10.0),
        ("c".into(), 3, 10.0),
        ("d".into(), 4, 10.0),
        ("e".into(), 5, 10.0),
    ]);
    let mut data = Dataset::from_orders(orders);
    // b names a by id, c by a's e-mail; d names itself and e a
    // stranger: neither counts.
    data.add_source(
        "customers.csv",
        b"customer_id,email,Parrain\na,a@x.com,\nb,b@x.com,a\nc,c@x.com, A@X.com\nd,d@x.com,d\ne,e@x.com,zzz\n",
    )
    .unwrap();
    let groups = [("a", 0), ("b", 0), ("c", 1), ("d", 1), ("e", 1)];
    let referrals = column(&table_of(&data, 10, &groups), "referrals_per_customer");
    let values: Vec<Option<f64>> = referrals.iter().map(|v| v.value).collect();
    assert_eq!(values, vec![Some(1.0), Some(0.0), Some(0.4)]);
    data.customers = None;
    let none = column(&table_of(&data, 10, &groups), "referrals_per_customer");
    assert!(
        none[0]
            .missing
            .as_ref()
            .unwrap()
            .to_string()
            .contains("referred_by")
    );
}

#[test]
fn the_index_against_a_goal() {
    let goal = |at_least, target| Goal {
        kpi: KpiId::Revenue,
        segment: "A".into(),
        at_least,
        target,
        deadline: None,
        since: None,
    };
    // 40 customers against at least 50: 20% short.
    assert!((index_against_goal(40.0, &goal(true, 50.0), KpiFormat::Count) + 0.2).abs() < 1e-12);
    // A churn rate of 0.2 against at most 0.25: 20% on the good side.
    assert!((index_against_goal(0.2, &goal(false, 0.25), KpiFormat::Rate) - 0.2).abs() < 1e-12);
    // NPS +20 against at least +50: 30 points short.
    assert!((index_against_goal(20.0, &goal(true, 50.0), KpiFormat::Points) + 0.3).abs() < 1e-12);
    assert_eq!(
        index_against_goal(3.0, &goal(true, 0.0), KpiFormat::Number),
        1.0
    );
}

#[test]
fn the_table_as_csv() {
    let mut t = KpiTable {
        kpis: definitions()[..1].to_vec(),
        groups: vec!["Big, loyal".into(), ALL_CUSTOMERS.into()],
        values: vec![
            vec![KpiValue {
                value: Some(2.0),
                numerator: 2.0,
                denominator: 5.0,
                ..KpiValue::default()
            }],
            vec![KpiValue::default()],
        ],
        churn_period_days: 90,
    };
    t.values[1][0].ci = Some((0.25, 0.5));
    assert_eq!(
        table_csv(&t),
        "segment,customers,customers_numerator,customers_denominator,customers_ci_low,customers_ci_high,customers_p_value\n\
         \"Big, loyal\",2,2,5,,,\n\
         All customers,,0,0,0.25,0.5,\n"
    );
}

#[test]
fn goals() {
    let table = KpiTable {
        kpis: definitions(),
        groups: vec!["A".into(), "All customers".into()],
        values: vec![
            definitions()
                .iter()
                .map(|d| KpiValue {
                    value: Some(match d.id.as_str() {
                        "customers" => 30.0,
                        "nps" => 20.0,
                        "churn_rate" => 0.25,
                        _ => 1.0,
                    }),
                    ..KpiValue::default()
                })
                .collect(),
            vec![KpiValue::default(); definitions().len()],
        ],
        churn_period_days: 90,
    };
    let goal = |kpi: &str, at_least, target| Goal {
        kpi: kpi.parse().unwrap(),
        segment: "A".into(),
        at_least,
        target,
        deadline: Some(110),
        since: None,
    };
    let s = goal_status(&table, &[], &goal("customers", true, 40.0), 100);
    assert_eq!(
        (s.met, s.progress, s.remaining, s.days_left),
        (false, Some(0.75), Some(10.0), Some(10))
    );
    // NPS 20 against 50: (20 + 100) / (50 + 100).
    let s = goal_status(&table, &[], &goal("nps", true, 50.0), 100);
    assert_eq!((s.met, s.progress), (false, Some(0.8)));
    let s = goal_status(&table, &[], &goal("churn_rate", false, 0.3), 100);
    assert!(s.met);
    let mut none = goal("nps", true, 50.0);
    none.segment = "All customers".into();
    assert_eq!(goal_status(&table, &[], &none, 100).current, None);
}

#[test]
fn counts_within_a_period_by_hand() {
    // a: orders on days 990, 1000 (second), 1010. b: a refund on 995,
    // then orders on 1005 (first) and 1020 (second, after the analysis
    // date 1015: not counted). c: first order long ago (100), second
    // on 1012. Rows: A = {a, c}, B = {b}, then the whole base.
    let orders = Orders::from_rows(&[
        ("a".into(), 1010, 5.0),
        ("a".into(), 990, 5.0),
        ("a".into(), 1000, 5.0),
        ("b".into(), 995, -3.0),
        ("b".into(), 1005, 8.0),
        ("b".into(), 1020, 8.0),
        ("c".into(), 100, 1.0),
        ("c".into(), 1012, 1.0),
    ]);
    let rows = period_counts(&orders, 1015, 3, |c, out| {
        out.push(if c == 1 { 1 } else { 0 });
        out.push(2);
    });
    let between = |r: usize, kpi: &str, from: Day, to: Day| {
        rows[r].between(kpi.parse().unwrap(), from, to).unwrap()
    };
    assert_eq!(
        between(0, "second_orders_in_period", 1000, 1015),
        2.0,
        "a on 1000, c on 1012"
    );
    assert_eq!(between(0, "second_orders_in_period", 1001, 1015), 1.0);
    assert_eq!(between(1, "second_orders_in_period", 0, 1015), 0.0);
    assert_eq!(
        between(2, "new_customers_in_period", 991, 1015),
        1.0,
        "only b; a began on 990, c outside the window"
    );
    assert_eq!(
        between(2, "orders_in_period", 990, 1015),
        5.0,
        "refund and day 1020 left out"
    );
    assert_eq!(between(2, "orders_in_period", 1011, 1011), 0.0);
    assert!(rows[0].between(KpiId::Nps, 0, 1).is_none());

    // A goal: 3 customers of A placing a second order from day 1000,
    // deadline 1040; the analysis date is 1015.
    let table = KpiTable {
        kpis: definitions(),
        groups: vec!["A".into(), "B".into(), "All customers".into()],
        values: vec![vec![KpiValue::default(); definitions().len()]; 3],
        churn_period_days: 90,
    };
    let goal = Goal {
        kpi: KpiId::SecondOrdersInPeriod,
        segment: "A".into(),
        at_least: true,
        target: 3.0,
        deadline: Some(1040),
        since: Some(1000),
    };
    let s = goal_status(&table, &rows, &goal, 1015);
    assert_eq!(s.current, Some(2.0));
    assert_eq!(s.remaining, Some(1.0));
    assert_eq!(s.days_left, Some(25));
    assert!((s.progress.unwrap() - 2.0 / 3.0).abs() < 1e-12);
    // A deadline already passed caps the period.
    let past = Goal {
        deadline: Some(1005),
        ..goal.clone()
    };
    assert_eq!(goal_status(&table, &rows, &past, 1015).current, Some(1.0));
    // Without its start, the period begins at the analysis date.
    let now = Goal {
        since: None,
        ..goal
    };
    assert_eq!(goal_status(&table, &rows, &now, 1015).current, Some(0.0));
}

#[test]
fn revenue_concentration_by_hand() {
    let mut spend = [10.0, 0.0, 30.0, 60.0];
    // The top 20% of 4 customers, rounded up: 1, who spent 60 of 100.
    let v = top_share(&mut spend, 0.2);
    assert_eq!(
        (v.value, v.numerator, v.denominator),
        (Some(0.6), 60.0, 100.0)
    );
    let (points, gini) = lorenz(&[10.0, 0.0, 30.0, 60.0]).unwrap();
    // Mean absolute difference over all pairs: 400 / 16 = 25; Gini =
    // 25 / (2 × mean 25) = 0.5.
    assert!((gini - 0.5).abs() < 1e-12);
    assert_eq!(points.first(), Some(&(0.0, 0.0)));
    assert_eq!(points.last(), Some(&(1.0, 1.0)));
    // Half the customers (0 and 10) hold a tenth of the revenue.
    assert!(points.contains(&(0.5, 0.1)));
    assert!(lorenz(&[]).is_none());
    let equal = lorenz(&[5.0; 10]).unwrap();
    assert!(equal.1.abs() < 1e-12);
}

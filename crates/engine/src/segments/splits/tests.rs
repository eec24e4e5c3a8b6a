use super::*;
use crate::Orders;

fn data() -> Dataset {
    let mut rows = Vec::new();
    // c0..c9: c orders each in the last year, spend 10 per order.
    for c in 0..10 {
        for k in 0..c {
            rows.push((format!("c{c}"), 900 + k * 5, 10.0));
        }
    }
    rows.push(("old".into(), 100, 500.0));
    let mut d = Dataset::from_orders(Orders::from_rows(&rows));
    let mut csv = String::from("customer_id,city,age,interests\n");
    for c in 0..10 {
        let city = ["Lyon", "Paris", "Lyon", "Nice", "lyon"][c % 5];
        csv.push_str(&format!(
            "c{c},{city},{},\"DIY;{}\"\n",
            20 + 5 * c,
            if c % 2 == 0 { "Garden" } else { "Books" }
        ));
    }
    csv.push_str("p,,,\n");
    d.add_source("c.csv", csv.as_bytes()).unwrap();
    d.add_source("s.csv", b"customer_id,nps\nc1,10\nc2,8\nc3,3\n")
        .unwrap();
    d
}

fn names_counts(g: &Groups) -> Vec<(String, u64)> {
    g.groups
        .iter()
        .map(|(n, b)| (n.clone(), b.count()))
        .collect()
}

#[test]
fn text_values_ignore_case_and_lists_overlap() {
    let d = data();
    let f = Facts::new(&d, 1000);
    let g = split(
        &d,
        &f,
        &Split::Attribute {
            column: "city".into(),
            edges: None,
        },
    )
    .unwrap();
    assert_eq!(
        names_counts(&g),
        vec![
            ("city = Lyon".into(), 6),
            ("city = Nice".into(), 2),
            ("city = Paris".into(), 2),
            ("city unknown".into(), 2)
        ]
    );
    let g = split(
        &d,
        &f,
        &Split::Attribute {
            column: "interests".into(),
            edges: None,
        },
    )
    .unwrap();
    assert_eq!(
        names_counts(&g),
        vec![
            ("interests = DIY".into(), 10),
            ("interests = Books".into(), 5),
            ("interests = Garden".into(), 5),
            ("interests unknown".into(), 2)
        ]
    );
    assert!(g.explanation.to_string().contains("overlap"));
}

#[test]
fn numbers_in_quartiles_or_given_bands() {
    let d = data();
    let f = Facts::new(&d, 1000);
    // Ages 20, 25, ..., 65: quartiles (type 7) 31.25, 42.5, 53.75,
    // rounded 31, 43 (42.5 rounds away from zero), 54.
    let g = split(
        &d,
        &f,
        &Split::Attribute {
            column: "age".into(),
            edges: None,
        },
    )
    .unwrap();
    assert_eq!(
        names_counts(&g),
        vec![
            ("age under 31".into(), 3),
            ("age 31 to under 43".into(), 2),
            ("age 43 to under 54".into(), 2),
            ("age 54 and over".into(), 3),
            ("age unknown".into(), 2)
        ]
    );
    let g = split(
        &d,
        &f,
        &Split::Attribute {
            column: "age".into(),
            edges: Some(vec![35.0, 50.0]),
        },
    )
    .unwrap();
    assert_eq!(
        names_counts(&g)[..3].to_vec(),
        vec![
            ("age under 35".into(), 3),
            ("age 35 to under 50".into(), 3),
            ("age 50 and over".into(), 4)
        ]
    );
}

#[test]
fn tiers_by_hand() {
    let d = data();
    let f = Facts::new(&d, 1000);
    // Active buyers c1..c9 with 1..9 orders in the year: p75 of 1..9
    // is 7, so frequent from 7 (c7, c8, c9); "old" is inactive.
    let g = split(&d, &f, &Split::Tier(Tier::Frequency)).unwrap();
    assert_eq!(
        names_counts(&g),
        vec![
            ("Frequent buyers".into(), 3),
            ("Occasional buyers".into(), 6),
            ("Inactive buyers".into(), 1)
        ]
    );
    // Spend 10..90 and 500: p80 of [10..90, 500] = 82 → c9 and old;
    // p50 = 55 → c6, c7, c8 medium.
    let g = split(&d, &f, &Split::Tier(Tier::Value)).unwrap();
    assert_eq!(
        names_counts(&g),
        vec![
            ("High value".into(), 2),
            ("Medium value".into(), 3),
            ("Low value".into(), 5)
        ]
    );
    let g = split(&d, &f, &Split::Tier(Tier::Loyalty)).unwrap();
    assert_eq!(
        names_counts(&g),
        vec![
            ("Promoters".into(), 1),
            ("Passives".into(), 1),
            ("Detractors".into(), 1)
        ]
    );
    assert!(
        split(&d, &f, &Split::Tier(Tier::Usage))
            .unwrap_err()
            .to_string()
            .contains("events file")
    );
    assert_eq!(journey_stage("begin_checkout"), Some(2));
    assert_eq!(journey_stage("add_to_cart"), Some(1));
    assert_eq!(journey_stage("page_view"), Some(0));
    assert_eq!(journey_stage("unsubscribe"), None);
}

#[test]
fn journey_stages_by_default_or_with_the_users_mapping() {
    let mut d = Dataset::from_orders(Orders::from_rows(&[("a".into(), 100, 5.0)]));
    d.add_source(
        "e.csv",
        b"customer_id,timestamp,event\n\
          a,1970-04-01T10:00:00Z,page_view\n\
          a,1970-04-02T10:00:00Z,add_to_cart\n\
          b,1970-04-03T10:00:00Z,page_view\n\
          c,1970-04-04T10:00:00Z,signup\n\
          c,1970-01-01T10:00:00Z,purchase\n",
    )
    .unwrap();
    // 1970-04-10 is day 99: the last 30 days start on 1970-03-11, so
    // c's purchase of 1 January is too old.
    let f = Facts::new(&d, 99);
    let key = |g: &Groups| {
        g.groups
            .iter()
            .map(|(n, b)| {
                (
                    n.clone(),
                    b.iter()
                        .map(|c| d.orders.customer_keys[c].clone())
                        .collect::<Vec<_>>(),
                )
            })
            .collect::<Vec<_>>()
    };
    let by_default = split(&d, &f, &Split::Tier(Tier::Journey)).unwrap();
    assert_eq!(
        key(&by_default),
        vec![
            ("Awareness".to_string(), vec!["b".to_string()]),
            ("Consideration".to_string(), vec!["a".to_string()]),
            ("Decision".to_string(), vec![]),
        ]
    );
    let mine = split(
        &d,
        &f,
        &Split::Journey {
            stages: vec![("SIGNUP".into(), 2), ("page_view".into(), 1)],
        },
    )
    .unwrap();
    assert_eq!(
        key(&mine),
        vec![
            ("Awareness".to_string(), vec![]),
            (
                "Consideration".to_string(),
                vec!["a".to_string(), "b".to_string()]
            ),
            ("Decision".to_string(), vec!["c".to_string()]),
        ]
    );
    assert!(mine.explanation.to_string().contains("signup → Decision"));
}

#[test]
fn churn_risk_and_predicted_value_from_the_predictions() {
    let d = data();
    let without = Facts::new(&d, 1000);
    let risk = Split::ChurnRisk {
        medium_from: 0.3,
        low_from: 0.7,
    };
    assert!(
        split(&d, &without, &risk)
            .unwrap_err()
            .to_string()
            .contains("could not be fitted")
    );
    let p = |customer: u32, frequency: f64, p_alive: f64, clv: f64| {
        crate::models::clv::CustomerPrediction {
            customer,
            frequency,
            p_alive,
            expected_purchases: 0.0,
            expected_spend: 0.0,
            clv,
            ..Default::default()
        }
    };
    // Customer indices follow the orders: c1..c9 are 0..8, "old" 9.
    let preds = vec![
        p(0, 0.0, 1.0, 5.0),
        p(1, 2.0, 0.1, 10.0),
        p(2, 3.0, 0.5, 20.0),
        p(3, 4.0, 0.69, 30.0),
        p(4, 5.0, 0.7, 40.0),
    ];
    let facts = Facts::new(&d, 1000).with_predictions(&preds);
    let g = split(&d, &facts, &risk).unwrap();
    assert_eq!(
        names_counts(&g),
        vec![
            ("High churn risk".into(), 1),
            ("Medium churn risk".into(), 2),
            ("Low churn risk".into(), 1),
            ("One-time buyers (not judged)".into(), 1)
        ]
    );
    // Values 5..40: p80 = 1 + 4 × 0.8 → 30 + 0.2 × 10 = 32; p50 = 20.
    let g = split(&d, &facts, &Split::PredictedValue).unwrap();
    assert_eq!(
        names_counts(&g),
        vec![
            ("High predicted value".into(), 1),
            ("Medium predicted value".into(), 2),
            ("Low predicted value".into(), 2)
        ]
    );
}

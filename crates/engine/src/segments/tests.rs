use super::*;
use crate::Orders;
use crate::model::date::days_from_civil;

fn day(y: i32, m: u32, d: u32) -> Day {
    days_from_civil(y, m, d)
}

/// Four customers: a, b, c with orders; d, e known only from the
/// customers file.
fn data() -> Dataset {
    let mut data = Dataset::from_orders(Orders::from_rows(&[
        ("a".into(), day(2024, 1, 10), 50.0),
        ("a".into(), day(2024, 5, 20), 30.0),
        ("b".into(), day(2024, 3, 1), 100.0),
        ("b".into(), day(2024, 3, 5), -20.0),
        ("c".into(), day(2024, 6, 25), 10.0),
        // After the analysis date: ignored.
        ("c".into(), day(2024, 7, 2), 999.0),
    ]));
    data.add_source(
        "customers.csv",
        "customer_id,gender,age,interests,city,signup\n\
         a,M,35,\"DIY;Garden\",Lyon,2023-01-01\n\
         b,F,40,Books,Paris,2024-06-01\n\
         c,M,41,diy,lyon,\n\
         d,M,38,DIY,Nice,2024-06-15\n\
         e,,,,,\n"
            .as_bytes(),
    )
    .unwrap();
    data.add_source(
        "email.csv",
        b"customer_id,campaign,sent_at,opened,clicked\n\
          a,C1,2024-06-20,1,1\n\
          a,C0,2024-01-02,1,0\n\
          b,C1,2024-06-20,0,0\n\
          d,C1,2024-06-20,1,0\n",
    )
    .unwrap();
    data.add_source(
        "events.csv",
        b"customer_id,timestamp,event\n\
          a,2024-06-28T10:00:00Z,add_to_cart\n\
          a,2024-06-29T10:00:00Z,add_to_cart\n\
          b,2024-05-01T10:00:00Z,add_to_cart\n\
          d,2024-06-30T23:59:59Z,add_to_cart\n\
          d,2024-07-01T00:00:00Z,add_to_cart\n",
    )
    .unwrap();
    data.add_source(
        "nps.csv",
        b"customer_id,date,nps\na,2024-01-01,3\na,2024-06-01,9\nb,2024-02-01,6\n",
    )
    .unwrap();
    data
}

fn select(data: &Dataset, json: &str) -> Vec<String> {
    let facts = Facts::new(data, day(2024, 7, 1));
    let rule = Rule::from_json(json).unwrap();
    let set = Evaluator::new(data, &facts).eval(&rule).unwrap();
    set.iter()
        .map(|c| data.orders.customer_keys[c].clone())
        .collect()
}

#[test]
fn bitmap_operations() {
    let mut a = Bitmap::from_fn(130, |i| i % 3 == 0);
    assert_eq!(a.count(), 44);
    let b = Bitmap::from_fn(130, |i| i % 2 == 0);
    assert_eq!(a.intersection_count(&b), 22);
    let mut c = a.clone();
    c.or(&b);
    assert_eq!(c.count(), 44 + 65 - 22);
    a.not();
    assert_eq!(a.count(), 130 - 44);
    assert!(!a.contains(129) && a.contains(128) && !a.contains(500));
    assert_eq!(Bitmap::full(130).count(), 130);
    assert_eq!(Bitmap::full(128).count(), 128);
    assert_eq!(Bitmap::empty(0).iter().count(), 0);
    let ones: Vec<usize> = Bitmap::from_fn(70, |i| i == 0 || i == 63 || i == 69)
        .iter()
        .collect();
    assert_eq!(ones, vec![0, 63, 69]);
}

/// Rules on the models' predictions: probabilities in percent, days to
/// the next order, predicted value; a customer without a prediction
/// (no order before the analysis date) matches no test; without the
/// models the rule says why.
#[test]
fn rules_on_predictions() {
    let d = data();
    let key = |k: &str| d.orders.customer_keys.iter().position(|c| c == k).unwrap() as u32;
    let p = |c: &str, alive: f64, in7: f64, in30: f64, days: u32, clv: f64| {
        crate::models::clv::CustomerPrediction {
            customer: key(c),
            p_alive: alive,
            order_within_7_days: in7,
            order_within_30_days: in30,
            days_to_next_order: days,
            clv,
            ..Default::default()
        }
    };
    let preds = [
        p("a", 0.9, 0.12, 0.41, 40, 180.0),
        p("b", 0.35, 0.02, 0.08, 400, 20.0),
        p("c", 1.0, 0.05, 0.19, 90, 60.0),
    ];
    let facts = Facts::new(&d, day(2024, 7, 1)).with_predictions(&preds);
    let select = |json: &str| -> Vec<String> {
        let rule = Rule::from_json(json).unwrap();
        assert!(rule.uses_predictions());
        let set = Evaluator::new(&d, &facts).eval(&rule).unwrap();
        set.iter()
            .map(|c| d.orders.customer_keys[c].clone())
            .collect()
    };
    assert_eq!(
        select(r#"{"measure": "order_within_30_days", "at_least": 19}"#),
        ["a", "c"]
    );
    assert_eq!(
        select(r#"{"measure": "order_within_7_days", "between": [2, 5]}"#),
        ["b", "c"]
    );
    assert_eq!(
        select(r#"{"measure": "chance_active", "at_most": 50}"#),
        ["b"]
    );
    assert_eq!(
        select(r#"{"measure": "days_to_next_order", "at_most": 90}"#),
        ["a", "c"]
    );
    assert_eq!(
        select(r#"{"measure": "predicted_value", "at_least": 60}"#),
        ["a", "c"]
    );
    // d and e have no order, so no prediction: "not" takes them in.
    assert_eq!(
        select(r#"{"not": {"measure": "chance_active", "at_least": 50}}"#),
        ["b", "d", "e"]
    );
    let plain = Facts::new(&d, day(2024, 7, 1));
    let rule = Rule::from_json(r#"{"measure": "chance_active", "at_least": 50}"#).unwrap();
    let e = Evaluator::new(&d, &plain).eval(&rule).unwrap_err();
    assert!(
        e.message.to_string().contains("needs the predictions"),
        "{e:?}"
    );
    let within = Definition::Within {
        parent: Box::new(Definition::Rfm("Champions".into())),
        rule: r#"{"measure": "order_within_7_days", "at_least": 10}"#.into(),
    };
    assert!(within.needs_predictions() && within.needs_rfm());
    assert!(
        !Definition::Rule(r#"{"measure": "orders", "at_least": 2}"#.into()).needs_predictions()
    );
}

/// Rules that use other segments: a rule inside a rule, an RFM segment
/// from the facts, a lifecycle stage through the groups' resolver;
/// written and read back as JSON, in SQL, and refused in words where
/// nothing can find the members.
#[test]
fn rules_on_other_segments() {
    let d = data();
    let at = day(2024, 7, 1);
    let facts = Facts::new(&d, at);
    // Spend before 1 July: a 80, b 80, c 10; Lyon: a and c.
    let big = r#"{"measure":"spend","at_least":50}"#;
    let json = serde_json::json!({"all": [
        {"in_segment": "Big spenders", "definition": {"Rule": big}},
        {"attribute": "city", "equals": "lyon"}
    ]})
    .to_string();
    let rule = Rule::from_json(&json).unwrap();
    assert_eq!(Rule::from_json(&rule.to_json()).unwrap(), rule);
    let lapsed = crate::segments::lifecycle::LifecycleSetup::default();
    // Other segments are found by the groups' resolver.
    let select = |json: &str| -> Vec<String> {
        crate::segments::groups::members(&d, &facts, &Definition::Rule(json.into()), &lapsed)
            .unwrap()
            .iter()
            .map(|c| d.orders.customer_keys[c].clone())
            .collect()
    };
    assert_eq!(select(&json), ["a"]);
    assert_eq!(
        rule.describe(),
        "in the segment \"Big spenders\" and city is \"lyon\""
    );
    let not =
        serde_json::json!({"not": {"in_segment": "Big spenders", "definition": {"Rule": big}}})
            .to_string();
    assert_eq!(select(&not), ["c", "d", "e"]);

    // A lifecycle stage through the resolver; without one the rule says
    // it cannot test it, at its place.
    let stages = crate::segments::lifecycle::stages(&facts, &lapsed);
    let stage_rule =
        serde_json::json!({"in_segment": "Prospect", "definition": {"Lifecycle": "Prospect"}})
            .to_string();
    let e = Evaluator::new(&d, &facts)
        .eval(&Rule::from_json(&stage_rule).unwrap())
        .unwrap_err();
    assert_eq!(e.path, "rule.in_segment");
    let members = crate::segments::groups::members(
        &d,
        &facts,
        &Definition::Rule(stage_rule.clone()),
        &lapsed,
    )
    .unwrap();
    let want: Vec<usize> = (0..facts.n)
        .filter(|c| stages[*c] == crate::segments::lifecycle::Stage::Prospect)
        .collect();
    assert_eq!(members.iter().collect::<Vec<_>>(), want);
    assert!(!want.is_empty());

    // An RFM segment is found in the facts' scores, and makes the
    // definition ask for them.
    let within_rfm = Definition::Rule(
        serde_json::json!({"in_segment": "Champions", "definition": {"Rfm": "Champions"}})
            .to_string(),
    );
    assert!(within_rfm.needs_rfm());
    assert!(!Definition::Rule(big.into()).needs_rfm());
    let e = crate::segments::groups::members(&d, &facts, &within_rfm, &lapsed).unwrap_err();
    assert!(e.to_string().contains("RFM"), "{e}");
    let bad = r#"{"in_segment": "X", "definition": {"Nope": 1}}"#;
    assert!(
        Rule::from_json(bad)
            .unwrap_err()
            .to_string()
            .starts_with("at rule.definition: not a segment's definition")
    );
}

#[test]
fn the_example_rule_of_the_issue() {
    // Men aged 35 to 40 interested in DIY who have not ordered in the
    // last 6 weeks (42 days: 20 May to 30 June when the analysis date
    // is 1 July): a's last order is on 20 May, so only d (no order at
    // all) matches; with 41 days, a matches too.
    let d = data();
    let rule = r#"{"all": [
        {"attribute": "gender", "equals": "m"},
        {"attribute": "age", "between": [35, 40]},
        {"attribute": "interests", "contains": "diy"},
        {"measure": "orders", "days": 42, "at_most": 0}
    ]}"#;
    assert_eq!(select(&d, rule), vec!["d"]);
    let rule41 = rule.replace("\"days\": 42", "\"days\": 41");
    assert_eq!(select(&d, &rule41), vec!["a", "d"]);
}

#[test]
fn text_operators_and_missing_values() {
    let d = data();
    assert_eq!(
        select(&d, r#"{"attribute":"city","equals":"LYON"}"#),
        vec!["a", "c"]
    );
    assert_eq!(
        select(&d, r#"{"attribute":"city","one_of":["paris"," nice "]}"#),
        vec!["b", "d"]
    );
    assert_eq!(
        select(&d, r#"{"attribute":"city","is_empty":true}"#),
        vec!["e"]
    );
    // NOT of a test on a missing value selects the customer.
    assert_eq!(
        select(&d, r#"{"not":{"attribute":"city","contains":"y"}}"#),
        vec!["b", "d", "e"]
    );
    assert_eq!(select(&d, r#"{"any":[]}"#), Vec::<String>::new());
    assert_eq!(select(&d, r#"{"all":[]}"#).len(), 5);
}

#[test]
fn number_and_date_operators() {
    let d = data();
    assert_eq!(
        select(&d, r#"{"attribute":"age","at_least":40}"#),
        vec!["b", "c"]
    );
    assert_eq!(select(&d, r#"{"attribute":"age","at_most":35}"#), vec!["a"]);
    // Ties at both ends are inside.
    assert_eq!(
        select(&d, r#"{"attribute":"age","between":[35,40]}"#),
        vec!["a", "b", "d"]
    );
    assert_eq!(
        select(&d, r#"{"attribute":"signup","within_last_days":30}"#),
        vec!["b", "d"]
    );
    assert_eq!(
        select(&d, r#"{"attribute":"signup","more_than_days_ago":365}"#),
        vec!["a"]
    );
    assert_eq!(
        select(&d, r#"{"attribute":"signup","on_or_after":"2024-06-15"}"#),
        vec!["d"]
    );
    assert_eq!(
        select(&d, r#"{"attribute":"signup","before":"2024-06-15"}"#),
        vec!["a", "b"]
    );
}

#[test]
fn measures() {
    let d = data();
    assert_eq!(
        select(&d, r#"{"measure":"orders","at_least":2}"#),
        vec!["a"]
    );
    // b spent 100 and was refunded 20: net 80, average order 100.
    assert_eq!(
        select(&d, r#"{"measure":"spend","between":[80,80]}"#),
        vec!["a", "b"]
    );
    assert_eq!(
        select(&d, r#"{"measure":"average_order_value","at_least":50}"#),
        vec!["b"]
    );
    assert_eq!(
        select(&d, r#"{"measure":"days_since_last_order","at_most":6}"#),
        vec!["c"]
    );
    // The order after the analysis date does not count.
    assert_eq!(
        select(&d, r#"{"measure":"spend","at_least":100}"#),
        Vec::<String>::new()
    );
    assert_eq!(
        select(&d, r#"{"measure":"email_opens","days":30,"at_least":1}"#),
        vec!["a", "d"]
    );
    assert_eq!(
        select(&d, r#"{"measure":"email_opens","at_least":2}"#),
        vec!["a"]
    );
    assert_eq!(
        select(&d, r#"{"measure":"email_clicks","days":90,"at_most":0}"#),
        vec!["b", "c", "d", "e"]
    );
    // The latest NPS answer counts; no answer is missing, not zero.
    assert_eq!(select(&d, r#"{"measure":"nps","at_least":9}"#), vec!["a"]);
    assert_eq!(select(&d, r#"{"measure":"nps","at_most":6}"#), vec!["b"]);
    assert_eq!(
        select(&d, r#"{"measure":"nps","is_empty":true}"#),
        vec!["c", "d", "e"]
    );
    // Tickets opened before the analysis date, in a window or ever.
    let mut t = d.clone();
    t.add_source(
        "tickets.csv",
        b"ticket_id,customer_id,created_at,resolved_at\n\
          1,a,2024-06-30T23:00:00Z,2024-07-01T09:00:00Z\n\
          2,a,2024-01-10T10:00:00Z,\n\
          3,b,2024-07-01T08:00:00Z,\n",
    )
    .unwrap();
    assert_eq!(
        select(&t, r#"{"measure":"tickets","at_least":2}"#),
        vec!["a"]
    );
    assert_eq!(
        select(&t, r#"{"measure":"tickets","days":7,"at_least":1}"#),
        vec!["a"]
    );
    assert_eq!(
        select(&t, r#"{"measure":"tickets","at_most":0}"#),
        vec!["b", "c", "d", "e"]
    );
}

#[test]
fn orders_and_spend_in_a_category() {
    let text = "customer_id,order_date,amount,category\n\
                a,2024-06-01,30,DIY\n\
                a,2024-06-20,-10,DIY\n\
                a,2024-01-05,50,Books\n\
                b,2024-06-10,25,diy\n\
                b,2024-06-11,5,\n\
                c,2024-06-15,99,Garden\n";
    let (orders, _) =
        crate::import_orders("o.csv", text.as_bytes(), crate::ImportOptions::default()).unwrap();
    let d = Dataset::from_orders(orders);
    // "DIY" and "diy" are one category; a's DIY spend is 30 − 10.
    assert_eq!(
        select(&d, r#"{"measure":"spend","category":"diy","at_least":20}"#),
        vec!["a", "b"]
    );
    assert_eq!(
        select(&d, r#"{"measure":"spend","category":"diy","at_least":21}"#),
        vec!["b"]
    );
    assert_eq!(
        select(
            &d,
            r#"{"measure":"orders","category":"Books","days":90,"at_least":1}"#
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        select(
            &d,
            r#"{"measure":"orders","category":"Books","at_least":1}"#
        ),
        vec!["a"]
    );
    let facts = Facts::new(&d, day(2024, 7, 1));
    let ev = Evaluator::new(&d, &facts);
    let e = ev
        .eval(&Rule::from_json(r#"{"measure":"spend","category":"Toys","at_least":1}"#).unwrap())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("no order is in the category \"Toys\" (there are: DIY, Books, Garden)"),
        "{e}"
    );
    assert!(
        Rule::from_json(r#"{"measure":"nps","category":"DIY","at_least":1}"#)
            .unwrap_err()
            .to_string()
            .contains("only orders and spend")
    );
    let plain = data();
    let facts = Facts::new(&plain, day(2024, 7, 1));
    let e = Evaluator::new(&plain, &facts)
        .eval(&Rule::from_json(r#"{"measure":"spend","category":"DIY","at_least":1}"#).unwrap())
        .unwrap_err()
        .to_string();
    assert!(e.contains("no category column"), "{e}");
}

#[test]
fn events_did_and_did_not() {
    let d = data();
    // d's second event is on the analysis date itself: not counted.
    assert_eq!(
        select(&d, r#"{"event":"add_to_cart","at_least":2}"#),
        vec!["a"]
    );
    assert_eq!(
        select(&d, r#"{"event":"Add_To_Cart","within_days":7}"#),
        vec!["a", "d"]
    );
    assert_eq!(
        select(&d, r#"{"event":"add_to_cart","did":false,"within_days":7}"#),
        vec!["b", "c", "e"]
    );
    // An event nobody did: no one did it, everyone did not.
    assert_eq!(
        select(&d, r#"{"event":"refund_request"}"#),
        Vec::<String>::new()
    );
    assert_eq!(
        select(&d, r#"{"event":"refund_request","did":false}"#).len(),
        5
    );
}

#[test]
fn json_round_trip_and_clear_errors() {
    let text = r#"{"any":[{"not":{"attribute":"gender","one_of":["M","F"]}},
        {"measure":"spend","days":30,"between":[1,2]},
        {"event":"x","did":false,"at_least":3,"within_days":9},
        {"attribute":"signup","before":"2024-01-31"}]}"#;
    let rule = Rule::from_json(text).unwrap();
    assert_eq!(Rule::from_json(&rule.to_json()).unwrap(), rule);
    let e = |t: &str| Rule::from_json(t).unwrap_err().to_string();
    assert_eq!(
        e(r#"{"all":[{"measure":"spent","at_least":1}]}"#),
        "at rule.all[0].measure: unknown measure \"spent\"; expected one of: orders, spend, average_order_value, days_since_last_order, days_since_first_order, emails_received, email_opens, email_clicks, events, nps, csat, tickets, chance_active, order_within_7_days, order_within_30_days, days_to_next_order, predicted_value"
    );
    assert_eq!(
        e(r#"{"all":[{"attribute":"age","between":[40,35]}]}"#),
        "at rule.all[0].between: 40 is above 35"
    );
    assert!(e(r#"{"attribute":"age"}"#).starts_with("at rule: a condition needs a test"));
    assert!(
        e(r#"{"attribute":"age","at_least":1,"at_most":2}"#).contains("not at_least and at_most")
    );
    assert!(e(r#"{"measure":"nps","days":3,"at_least":1}"#).contains("cannot be limited"));
    assert!(e(r#"{"measure":"nps","equals":"9"}"#).contains("number test"));
    assert!(e("{\"all\": [\n  1,]}").contains("line 2"));
    assert!(e(r#"{"attribute":"x","before":"31/01/2024"}"#).contains("yyyy-mm-dd"));
    assert!(e(r#"{"rule":1}"#).contains("expected one of the keys"));
}

#[test]
fn evaluation_errors_name_the_missing_data() {
    let d = Dataset::from_orders(Orders::from_rows(&[("a".into(), 1, 5.0)]));
    let facts = Facts::new(&d, 10);
    let ev = Evaluator::new(&d, &facts);
    let e = |t: &str| {
        ev.eval(&Rule::from_json(t).unwrap())
            .unwrap_err()
            .to_string()
    };
    assert!(e(r#"{"all":[{"attribute":"age","at_least":1}]}"#).contains("no customers file"));
    assert!(e(r#"{"measure":"email_opens","at_least":1}"#).contains("e-mail results"));
    assert!(e(r#"{"event":"x"}"#).contains("no events file"));
    let full = data();
    let facts = Facts::new(&full, 10);
    let ev = Evaluator::new(&full, &facts);
    let msg = ev
        .eval(&Rule::from_json(r#"{"attribute":"sex","equals":"M"}"#).unwrap())
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("no column \"sex\" (it has: gender, age"),
        "{msg}"
    );
}

#[test]
fn descriptions_read_as_sentences() {
    let rule = Rule::from_json(
        r#"{"all":[{"attribute":"gender","equals":"M"},{"any":[{"measure":"orders","days":42,"at_most":0},{"event":"visit","did":false}]}]}"#,
    )
    .unwrap();
    assert_eq!(
        rule.describe(),
        "gender is \"M\" and (orders in the last 42 days at most 0 or did not do visit)"
    );
}

#[test]
fn a_profile_says_what_the_customers_did_worked_by_hand() {
    use crate::segments::profile::{Place, Profile, profile};
    let data = data();
    let facts = Facts::new(&data, day(2024, 7, 1));
    let key = |k: &str| {
        data.orders
            .customer_keys
            .iter()
            .position(|x| x == k)
            .unwrap()
    };
    let everyone = Bitmap::from_fn(facts.n, |_| true);
    // a: two orders, the last on 20 May (42 days before 1 July); b: one
    // order on 1 March (122 days; its -20 is a refund); c: one order on
    // 25 June (6 days, first and last: new and recent); d and e: none.
    // NPS: a's latest answer 9, b's 6. Cities: Lyon, Paris, lyon, Nice.
    assert_eq!(
        profile(&data, &facts, &everyone),
        Profile {
            customers: 5,
            buyers: 3,
            median_days_since_last: Some(42.0),
            one_order_share: Some(2.0 / 3.0),
            new_share: Some(1.0 / 3.0),
            recent_share: Some(1.0 / 3.0),
            answered: 2,
            promoter_share: Some(0.5),
            detractor_share: Some(0.5),
            p_alive: None,
            order_within_30_days: None,
            places: vec![Place {
                column: "city".into(),
                value: "Lyon".into(),
                share: 0.25,
                known: 4,
                share_of_all: 0.25,
            }],
        }
    );
    let mut ac = Bitmap::empty(facts.n);
    ac.insert(key("a"));
    ac.insert(key("c"));
    let p = profile(&data, &facts, &ac);
    // Two buyers: 6 and 42 days, median 24.
    assert_eq!(p.median_days_since_last, Some(24.0));
    assert_eq!(p.one_order_share, Some(0.5));
    assert_eq!(p.places[0].share, 0.5);
    assert_eq!(p.prospect_share(), Some(0.0));
}

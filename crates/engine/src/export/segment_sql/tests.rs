use super::*;
use crate::model::message::Message;
use crate::segments::lifecycle::LifecycleSetup;

fn demo() -> (Dataset, Facts) {
    let files = crate::import::demo::generate_sized(crate::import::demo::DEMO_SEED, 400);
    let (orders, _) = crate::import_orders(
        "orders.csv",
        files.orders.as_bytes(),
        crate::ImportOptions::default(),
    )
    .expect("orders");
    let mut data = Dataset::from_orders(orders);
    for (name, text) in files.files() {
        if name != "orders.csv" {
            data.add_source(name, text.as_bytes()).expect(name);
        }
    }
    let as_of = crate::default_as_of(&data.orders).expect("orders");
    let facts = Facts::new(&data, as_of);
    (data, facts)
}

/// A rule's query over the demo, or why it cannot be written.
fn rule_sql(
    (data, facts): &(Dataset, Facts),
    schema: &Schema,
    rule: &str,
    dialect: Dialect,
) -> Result<String, Message> {
    segment_sql(
        data,
        facts,
        schema,
        &Definition::Rule(rule.into()),
        &LifecycleSetup::default(),
        dialect,
        "x",
    )
}

#[test]
fn bigquery_gets_its_own_functions_and_quoting() {
    let demo = demo();
    let schema = Schema::of(&demo.0, orders_columns(None));
    let rule = r#"{"all":[{"attribute":"age","between":[20,30]},{"attribute":"signup_date","within_last_days":90},{"event":"purchase","did":false}]}"#;
    let q = rule_sql(&demo, &schema, rule, Dialect::BigQuery).expect("compiles");
    for wanted in [
        "`age`",
        "REGEXP_CONTAINS(",
        "SAFE_CAST(",
        "STRING",
        "FLOAT64",
    ] {
        assert!(q.contains(wanted), "{wanted} missing from {q}");
    }
    for other in [
        "regexp_full_match",
        "TRY_CAST",
        "\"age\"",
        "DOUBLE PRECISION",
    ] {
        assert!(!q.contains(other), "{other} in {q}");
    }
}

#[test]
fn a_city_with_an_apostrophe_is_one_literal_in_every_dialect() {
    // BigQuery ends a literal at `'` and reads `''` as an empty string
    // next to another: its quote is escaped with a backslash there.
    let demo = demo();
    let schema = Schema::of(&demo.0, orders_columns(None));
    let rule = r#"{"all":[{"attribute":"city","equals":"L'Isle-Adam"}]}"#;
    let bq = rule_sql(&demo, &schema, rule, Dialect::BigQuery).expect("compiles");
    assert!(bq.contains(r"'l\'isle-adam'"), "{bq}");
    assert!(!bq.contains("''isle"), "{bq}");
    for dialect in [Dialect::DuckDb, Dialect::Postgres] {
        let q = rule_sql(&demo, &schema, rule, dialect).expect("compiles");
        assert!(q.contains("'l''isle-adam'"), "{q}");
    }
}

#[test]
fn tables_and_columns_take_the_users_names() {
    let demo = demo();
    let mut schema = Schema::of(&demo.0, orders_columns(None));
    schema.rename_table("Customers", " crm.people ");
    schema.rename_table("orders", "  ");
    schema.rename_column("customers", "customer", "person_id");
    schema.rename_column("orders", "category", "rayon");
    let rule = r#"{"all":[{"attribute":"city","equals":"Lyon"},{"measure":"orders","category":"Books","at_least":1}]}"#;
    let q = rule_sql(&demo, &schema, rule, Dialect::Postgres).expect("compiles");
    assert!(
        q.contains("FROM crm.people") && q.contains("CAST(\"person_id\" AS VARCHAR)"),
        "{q}"
    );
    assert!(
        q.contains("FROM orders") && q.contains("CAST(\"rayon\" AS VARCHAR)"),
        "{q}"
    );
}

#[test]
fn what_needs_the_models_or_sequences_is_refused_in_words() {
    let (data, facts) = demo();
    let schema = Schema::of(&data, orders_columns(None));
    let refused = [
        Definition::Group {
            split: Split::PredictedValue,
            group: "Top 20%".into(),
        },
        Definition::FunnelDrop {
            setup: crate::journeys::FunnelSetup {
                strict: false,
                steps: vec!["page_view".into(), "purchase".into()],
                window_days: 7,
            },
            reached: 1,
        },
    ];
    for d in refused {
        let e = segment_sql(
            &data,
            &facts,
            &schema,
            &d,
            &LifecycleSetup::default(),
            Dialect::DuckDb,
            "x",
        )
        .expect_err("refused");
        assert!(e.to_string().contains("export the members instead"), "{e}");
    }
    let both = (data, facts);
    let e = rule_sql(
        &both,
        &schema,
        r#"{"attribute":"shoe size","equals":"42"}"#,
        Dialect::DuckDb,
    )
    .expect_err("no such column");
    assert!(e.to_string().contains("shoe size"), "{e}");
    let e = rule_sql(
        &both,
        &schema,
        r#"{"all":[{"measure":"orders","at_least":2},{"measure":"order_within_30_days","at_least":20}]}"#,
        Dialect::DuckDb,
    )
    .expect_err("a prediction");
    assert!(
        e.to_string()
            .contains("chance of ordering within 30 days (%) is a prediction"),
        "{e}"
    );
    assert!(e.to_string().contains("export the members instead"), "{e}");
    // Another segment inside a rule: a stage is written as the stage's
    // query, an RFM segment is refused as it is on its own.
    let q = rule_sql(
        &both,
        &schema,
        r#"{"all":[{"in_segment":"At risk","definition":{"Lifecycle":"AtRisk"}},{"measure":"orders","at_least":2}]}"#,
        Dialect::DuckDb,
    )
    .expect("a stage compiles");
    assert!(q.contains("CASE WHEN o.last_day IS NULL"), "{q}");
    let e = rule_sql(
        &both,
        &schema,
        r#"{"in_segment":"Champions","definition":{"Rfm":"Champions"}}"#,
        Dialect::DuckDb,
    )
    .expect_err("RFM");
    assert!(
        e.to_string()
            .contains("RFM segments have a query of their own"),
        "{e}"
    );
}

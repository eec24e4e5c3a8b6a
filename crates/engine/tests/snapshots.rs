//! Tests as data: what the importer understood of each real order export,
//! the members of saved-segment rules, the SQL those rules compile to, and
//! the KPI table of a small demo business, each written out in full and
//! compared with a file under `tests/snapshots/`.
//!
//! The figures are not taken on trust from these files: the importer's
//! orders and net spend per customer are checked against pandas on the raw
//! rows (`tests/reference/real_exports_reference.py`), the rules' members
//! against DuckDB (`segment_reference.py`), the SQL by running it in DuckDB
//! and PostgreSQL (`segment_sql_reference.py`), the KPIs against DuckDB SQL
//! (`kpi_reference.py`). These files pin the whole text, so that any
//! change to it shows in review. After a deliberate change, rewrite them
//! with `UPDATE_EXPECT=1 cargo test -p seglens-engine --test snapshots`
//! and read the diff.

use std::fmt::Write;
use std::path::Path;

use expect_test::expect_file;
use seglens_engine::analysis::{self, AnalysisOptions};
use seglens_engine::export::segment_sql::{Schema, orders_columns, segment_sql};
use seglens_engine::export::sql::Dialect;
use seglens_engine::import::dataset::Dataset;
use seglens_engine::metrics::kpi::table_csv;
use seglens_engine::segments::groups::members;
use seglens_engine::segments::lifecycle::LifecycleSetup;
use seglens_engine::segments::{Definition, Facts};
use seglens_engine::{ImportOptions, default_as_of, import_orders};

/// The real order exports of `tests/fixtures/real`.
const ORDER_FILES: [&str; 9] = [
    "etsy_sold_order_items_stickers_2021.csv",
    "etsy_sold_orders_stationery_2022.csv",
    "paypal_activity_download_crafts_usd.csv",
    "shopify_orders_activewear_usd.csv",
    "shopify_orders_babystore_zar.csv",
    "stripe_payments_legacy_columns.csv",
    "stripe_payments_subscriptions_usd.csv",
    "uci_online_retail_head.xlsx",
    "woocommerce_orders_bookshop_dzd_fr.xlsx",
];

#[test]
fn the_importer_on_each_real_export() {
    let real = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/real");
    let mut out = String::new();
    for name in ORDER_FILES {
        let bytes = std::fs::read(real.join(name)).expect(name);
        let (orders, report) =
            import_orders(name, &bytes, ImportOptions::default()).unwrap_or_else(|e| panic!("{e}"));
        let net: f64 = orders.amount.iter().sum();
        let day = |d: Option<i32>| d.map_or("-".into(), seglens_engine::model::date::format_iso);
        writeln!(out, "{name}").unwrap();
        writeln!(
            out,
            "  platform {}, encoding {:?}, delimiter {:?}, dates {}, currency {}",
            report.platform.as_deref().unwrap_or("-"),
            report.encoding,
            report.delimiter,
            report.date_format,
            report.currency.as_deref().unwrap_or("-"),
        )
        .unwrap();
        if let Some(lines) = &report.lines {
            writeln!(
                out,
                "  {} lines, {} orders by {:?}, amounts from {:?}",
                lines.rows, lines.orders, lines.order_id, lines.amount_from
            )
            .unwrap();
        }
        writeln!(
            out,
            "  {} orders kept for {} customers, {} to {}, net {net:.2}",
            report.rows,
            report.customers,
            day(report.first_day),
            day(report.last_day),
        )
        .unwrap();
        writeln!(
            out,
            "  rejected {}, refunds {}, repeated {}, left out {:?}, refunded {} orders for {:.2}, not sales {:?}",
            report.rejected_total,
            report.refunds,
            report.duplicate_rows,
            report.excluded,
            report.refunded_orders,
            report.refunded_amount,
            report.not_sales,
        )
        .unwrap();
        for e in report.rejected.iter().take(3) {
            writeln!(
                out,
                "  line {} ({}): {}",
                e.line,
                e.column.as_deref().unwrap_or("-"),
                e.reason
            )
            .unwrap();
        }
    }
    expect_file!["snapshots/importer.txt"].assert_eq(&out);
}

#[path = "../benches/support/demo.rs"]
mod support;

/// The demo business at 400 customers, with every source.
fn demo() -> (Dataset, Facts) {
    let data = support::demo_data(400);
    let as_of = default_as_of(&data.orders).expect("orders");
    let facts = Facts::new(&data, as_of);
    (data, facts)
}

/// Rules a marketer writes: on attributes, purchases, e-mail, surveys and
/// another segment, and a name with a quote in it.
const RULES: [(&str, &str); 7] = [
    (
        "Lyon, two orders or more",
        r#"{"all":[{"attribute":"city","equals":"Lyon"},{"measure":"orders","at_least":2}]}"#,
    ),
    (
        "spent 500 or more, or ordered in the last 30 days",
        r#"{"any":[{"measure":"spend","at_least":500},{"measure":"days_since_last_order","at_most":30}]}"#,
    ),
    ("detractors", r#"{"all":[{"measure":"nps","at_most":6}]}"#),
    (
        "opened an e-mail in the last 90 days, not in Lyon",
        r#"{"all":[{"measure":"email_opens","days":90,"at_least":1},{"not":{"attribute":"city","equals":"Lyon"}}]}"#,
    ),
    (
        "into DIY, aged 35 to 40",
        r#"{"all":[{"attribute":"interests","contains":"DIY"},{"attribute":"age","between":[35,40]}]}"#,
    ),
    (
        "detractors among the Lyon repeat buyers (a rule on another segment)",
        r#"{"all":[{"in_segment":"Lyon repeat buyers","definition":{"Rule":"{\"all\":[{\"attribute\":\"city\",\"equals\":\"Lyon\"},{\"measure\":\"orders\",\"at_least\":2}]}"}},{"measure":"nps","at_most":6}]}"#,
    ),
    (
        "in L'Isle-Adam",
        r#"{"all":[{"attribute":"city","equals":"L'Isle-Adam"}]}"#,
    ),
];

#[test]
fn rules_their_members_and_their_sql() {
    let demo = demo();
    let (data, facts) = &demo;
    let schema = Schema::of(data, orders_columns(None));
    let lifecycle = LifecycleSetup::default();
    let mut out = String::new();
    for (name, rule) in RULES {
        let definition = Definition::Rule(rule.into());
        writeln!(out, "## {name}\n{rule}").unwrap();
        match members(data, facts, &definition, &lifecycle) {
            Ok(set) => {
                let mut ids: Vec<&str> = set
                    .iter()
                    .map(|c| data.orders.customer_keys[c].as_str())
                    .collect();
                ids.sort_unstable();
                ids.truncate(8);
                writeln!(
                    out,
                    "{} members, the first: {}",
                    set.count(),
                    ids.join(", ")
                )
                .unwrap();
            }
            Err(e) => writeln!(out, "refused: {e}").unwrap(),
        }
        for dialect in Dialect::ALL {
            writeln!(out, "### {}", dialect.label()).unwrap();
            match segment_sql(
                data,
                facts,
                &schema,
                &definition,
                &lifecycle,
                dialect,
                "members",
            ) {
                Ok(sql) => writeln!(out, "{sql}").unwrap(),
                Err(e) => writeln!(out, "refused: {e}").unwrap(),
            }
        }
        out.push('\n');
    }
    expect_file!["snapshots/rules.txt"].assert_eq(&out);
}

#[test]
fn the_kpi_table_of_the_demo() {
    let (data, _) = demo();
    let analysis = analysis::analyse(&data, &AnalysisOptions::default()).expect("analysis");
    expect_file!["snapshots/kpis.csv"].assert_eq(&table_csv(&analysis.kpis));
}

//! Files of order lines, statuses and refunds, as platforms export them:
//! each expectation worked out by hand from the rows written here.

mod support;
use seglens_engine::import::orders::{AmountFrom, excluded_status};
use seglens_engine::import::roles::Role;
use seglens_engine::model::date::days_from_civil;
use seglens_engine::{ImportOptions, ImportReport, Orders, import_orders};

fn import(name: &str, text: &str, options: ImportOptions) -> (Orders, ImportReport) {
    import_orders(name, text.as_bytes(), options).unwrap_or_else(|e| panic!("{e}"))
}

/// Each customer's `(orders, refund rows, net amount)` in key order.
fn per_customer(o: &Orders) -> Vec<(String, u32, u32, f64)> {
    let mut out: Vec<(String, u32, u32, f64)> = o
        .customer_keys
        .iter()
        .map(|k| (k.clone(), 0, 0, 0.0))
        .collect();
    for i in 0..o.len() {
        let row = &mut out[o.customer[i] as usize];
        if o.amount[i] >= 0.0 {
            row.1 += 1;
        } else {
            row.2 += 1;
        }
        row.3 += o.amount[i];
    }
    for row in &mut out {
        row.3 = (row.3 * 100.0).round() / 100.0;
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// A Shopify orders export as Shopify writes it (the columns up to
/// `Lineitem price`, then `Cancelled at`, `Refunded Amount`): order-level
/// fields on each order's first line only, `Created at` with its offset.
const SHOPIFY: &str = "\
Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,Created at,Lineitem quantity,Lineitem name,Lineitem price,Cancelled at,Refunded Amount
#1001,ann@example.com,paid,2022-01-11 04:35:02 -0500,fulfilled,2022-01-12 10:00:00 -0500,yes,USD,30.00,5.50,0.00,35.50,,0.00,Standard,2022-01-11 04:32:30 -0500,1,Mug,10.00,,0.00
#1001,ann@example.com,,,,,,,,,,,,,,2022-01-11 04:32:30 -0500,2,Tea,10.00,,
#1002,bob@example.com,pending,,unfulfilled,,no,USD,12.00,0.00,0.00,12.00,,0.00,Standard,2022-01-13 09:00:00 -0500,1,Mug,12.00,,0.00
#1003,ann@example.com,partially_refunded,2022-02-01 23:50:00 -0500,fulfilled,,yes,USD,50.00,0.00,0.00,50.00,,0.00,Standard,2022-02-01 23:48:00 -0500,5,Tea,10.00,,20.00
#1004,cy@example.com,voided,,unfulfilled,,no,USD,8.00,0.00,0.00,8.00,,0.00,Standard,2022-02-02 08:00:00 -0500,1,Mug,8.00,2022-02-02 09:00:00 -0500,0.00
#1005,Bob@Example.com,paid,2022-03-01 12:00:00 -0500,fulfilled,,no,USD,20.00,0.00,0.00,20.00,,0.00,Standard,2022-03-01 11:59:00 -0500,1,Mug,12.00,,0.00
#1005,bob@example.com,,,,,,,,,,,,,,2022-03-01 11:59:00 -0500,1,Spoon,8.00,,
";

#[test]
fn shopify_lines_are_grouped_into_orders() {
    let (orders, report) = import("orders_export.csv", SHOPIFY, ImportOptions::default());
    assert_eq!(report.platform.as_deref(), Some("shopify_orders"));
    let lines = report.lines.as_ref().expect("order lines");
    assert_eq!((lines.rows, lines.orders), (7, 5));
    assert_eq!(lines.order_id, "Name");
    assert_eq!(
        lines.amount_from,
        AmountFrom::OrderTotal {
            column: "Total".into()
        }
    );
    // No continuation line is an error.
    assert_eq!(report.rejected_total, 0, "{:?}", report.rejected);
    // #1002 pending and #1004 voided (and cancelled) left out.
    assert_eq!(
        report.excluded,
        vec![("pending".to_string(), 1), ("voided".to_string(), 1)]
    );
    assert_eq!(
        report.status_columns,
        vec!["Financial Status", "Cancelled at"]
    );
    // #1003: 50.00 less 20.00 refunded.
    assert_eq!((report.refunded_orders, report.refunded_amount), (1, 20.0));
    assert_eq!(report.refunded_column.as_deref(), Some("Refunded Amount"));
    assert_eq!(report.currency.as_deref(), Some("USD"));
    assert_eq!(report.rows, 3);
    // The day as written, not moved to UTC: 23:48 at -05:00 is still
    // 1 February.
    assert_eq!(
        orders.day,
        vec![
            days_from_civil(2022, 1, 11),
            days_from_civil(2022, 2, 1),
            days_from_civil(2022, 3, 1)
        ]
    );
    assert_eq!(
        per_customer(&orders),
        vec![
            ("ann@example.com".into(), 2, 0, 65.5),
            ("bob@example.com".into(), 1, 0, 20.0),
        ]
    );
    let role = |name: &str| {
        report
            .columns
            .iter()
            .find(|c| c.name == name)
            .and_then(|c| c.role)
    };
    assert_eq!(role("Name"), Some(Role::OrderId));
    assert_eq!(role("Total"), Some(Role::Amount));
    assert_eq!(role("Subtotal"), None);
    assert_eq!(role("Created at"), Some(Role::OrderDate));
    assert_eq!(role("Paid at"), None);
    assert_eq!(role("Lineitem quantity"), Some(Role::Quantity));
    assert_eq!(role("Financial Status"), Some(Role::Status));
}

#[test]
fn every_status_kept_when_asked() {
    let options = ImportOptions {
        all_statuses: true,
        ..ImportOptions::default()
    };
    let (orders, report) = import("orders_export.csv", SHOPIFY, options);
    assert!(report.all_statuses);
    assert!(report.excluded.is_empty());
    assert_eq!(report.rows, 5);
    assert_eq!(
        per_customer(&orders),
        vec![
            ("ann@example.com".into(), 2, 0, 65.5),
            ("bob@example.com".into(), 2, 0, 32.0),
            ("cy@example.com".into(), 1, 0, 8.0),
        ]
    );
}

/// Invoice lines as the UCI Online Retail data set has them: no order
/// total, a cancellation invoice `C…` with negative quantities, lines
/// without a customer, dates with a time.
const INVOICES: &str = "\
InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,12/1/2010 8:26,2.55,17850,United Kingdom
536365,71053,WHITE METAL LANTERN,6,12/1/2010 8:26,3.39,17850,United Kingdom
536366,22633,HAND WARMER UNION JACK,6,12/1/2010 8:28,1.85,17850,United Kingdom
536367,84879,ASSORTED COLOUR BIRD ORNAMENT,32,12/1/2010 8:34,1.69,13047,United Kingdom
C536379,D,Discount,-1,12/1/2010 9:41,27.5,17850,United Kingdom
536414,22139,,56,12/1/2010 11:52,0,,United Kingdom
536544,21773,DECORATIVE ROSE BATHROOM BOTTLE,1,12/1/2010 14:32,2.51,,United Kingdom
536544,21774,DECORATIVE CATS BATHROOM BOTTLE,2,12/1/2010 14:32,2.51,,United Kingdom
536370,22728,ALARM CLOCK BAKELIKE PINK,24,12/13/2010 8:45,3.75,12583,France
";

#[test]
fn invoice_lines_sum_quantity_times_price_and_cancellations_refund() {
    let (orders, report) = import("online_retail.csv", INVOICES, ImportOptions::default());
    assert_eq!(report.platform.as_deref(), Some("uci_online_retail"));
    let lines = report.lines.as_ref().expect("order lines");
    assert_eq!((lines.rows, lines.orders), (9, 7));
    assert_eq!(
        lines.amount_from,
        AmountFrom::QuantityTimesPrice {
            quantity: "Quantity".into(),
            price: "UnitPrice".into()
        }
    );
    // 536414 and 536544 have no customer: each rejected once, at its
    // first line.
    let rejected: Vec<(u64, Option<&str>)> = report
        .rejected
        .iter()
        .map(|e| (e.line, e.column.as_deref()))
        .collect();
    assert_eq!(
        rejected,
        vec![(7, Some("CustomerID")), (8, Some("CustomerID"))]
    );
    assert_eq!(report.cancellation_invoices, 1);
    assert_eq!(report.refunds, 1);
    assert_eq!(report.date_format, "mm/dd/yyyy");
    // 17850: 6 × 2.55 + 6 × 3.39 = 35.64, 6 × 1.85 = 11.10, less 27.50;
    // 13047: 32 × 1.69 = 54.08; 12583: 24 × 3.75 = 90.
    assert_eq!(
        per_customer(&orders),
        vec![
            ("12583".into(), 1, 0, 90.0),
            ("13047".into(), 1, 0, 54.08),
            ("17850".into(), 2, 1, 19.24),
        ]
    );
    assert_eq!(
        orders.day.iter().max(),
        Some(&days_from_civil(2010, 12, 13))
    );
}

#[test]
fn line_totals_summed_when_no_order_total() {
    let text = "\
N° commande;Client;Date;Produit;Total ligne
A-1;dupont;03/02/2024;Livre;12,50
A-1;dupont;03/02/2024;Stylo;2,00
A-2;martin;14/02/2024;Livre;12,50
";
    let (orders, report) = import("lignes.csv", text, ImportOptions::default());
    let lines = report.lines.expect("order lines");
    assert_eq!(lines.order_id, "N° commande");
    assert_eq!(
        lines.amount_from,
        AmountFrom::LineTotals {
            column: "Total ligne".into()
        }
    );
    assert_eq!(report.platform, None);
    assert_eq!(orders.amount, vec![14.5, 12.5]);
    assert_eq!(orders.day[0], days_from_civil(2024, 2, 3));
}

#[test]
fn unique_order_ids_stay_one_row_per_order() {
    // As the demo's orders: an id per row, a status column.
    let text = "order_id,customer_id,order_date,amount,status\n\
                O1,c1,2024-01-02,10.00,paid\n\
                O2,c2,2024-01-03,20.00,cancelled\n\
                R1,c1,2024-01-09,-10.00,refunded\n";
    let (orders, report) = import("orders.csv", text, ImportOptions::default());
    assert_eq!(report.lines, None);
    assert_eq!(report.excluded, vec![("cancelled".to_string(), 1)]);
    assert_eq!(orders.amount, vec![10.0, -10.0]);
}

#[test]
fn carriage_returns_alone_end_lines() {
    // Excel's "CSV (Macintosh)".
    let text = "customer,date,amount\r\
                a,2024-01-02,10\r\
                b,2024-01-03,20\r";
    let (orders, report) = import("mac.csv", text, ImportOptions::default());
    assert_eq!(report.rows, 2);
    assert_eq!(orders.amount, vec![10.0, 20.0]);
    assert_eq!(
        seglens_engine::import::sources::read_text_table("mac.csv", text.as_bytes())
            .map(|t| t.rows.len())
            .ok(),
        Some(2)
    );
}

#[test]
fn statuses_in_english_and_french() {
    for left_out in [
        "cancelled",
        "Canceled",
        "voided",
        "failed",
        "pending",
        "Draft",
        "test",
        "wc-cancelled",
        "Annulée",
        "Erreur de paiement",
        "En attente du paiement par chèque",
        "Paiement refusé",
        "requires_payment_method",
        "Unpaid",
    ] {
        assert!(excluded_status(left_out), "{left_out}");
    }
    for kept in [
        "paid",
        "partially_refunded",
        "refunded",
        "completed",
        "Paiement accepté",
        "Livré",
        "Remboursé",
        "authorized",
    ] {
        assert!(!excluded_status(kept), "{kept}");
    }
}

/// A real export's path.
fn real(name: &str) -> std::path::PathBuf {
    support::fixture_path(&format!("real/{name}"))
}

#[test]
fn every_real_exports_report_crosses_to_the_page() {
    // The page and its worker speak bincode, which reads no self-describing
    // shape: a report with lines, statuses and refunds must come back whole.
    for name in [
        "shopify_orders_activewear_usd.csv",
        "shopify_orders_babystore_zar.csv",
        "stripe_payments_subscriptions_usd.csv",
        "etsy_sold_order_items_stickers_2021.csv",
        "uci_online_retail_head.xlsx",
    ] {
        let bytes = std::fs::read(real(name)).unwrap();
        let (_, report) = import_orders(name, &bytes, ImportOptions::default()).unwrap();
        assert!(
            report.lines.is_some() || !report.status_columns.is_empty(),
            "{name}"
        );
        let sent = bincode::serialize(&report).unwrap();
        let back: ImportReport =
            bincode::deserialize(&sent).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(back, report, "{name}");
    }
}

/// Orders without an e-mail, as cash-on-delivery shops take them, belong to
/// the buyer their phone names: the e-mail another order with the same
/// phone gives (in the file's order), else the phone's digits; an order
/// with neither, or a phone too short to be one, is still rejected.
#[test]
fn orders_without_an_email_are_known_by_their_phone() {
    // Lines: order 1 (ann, phone 06 12 34 56 78) on two lines, the e-mail
    // on the second; order 2 has only that phone, written another way (so
    // it is ann's); order 3 another phone only; order 4 a phone of 3
    // digits; order 5 nothing.
    let lines = "\
Order ID,Email,Phone,Date,Total,Quantity,Unit price
1,,06 12 34 56 78,2024-03-01,30,1,10
1,Ann@x.com,,2024-03-01,,2,10
2,,06.12.34.56.78,2024-03-05,15,1,15
3,, 07-00-00-00-01 ,2024-03-06,20,1,20
4,,123,2024-03-07,5,1,5
5,,,2024-03-08,5,1,5
";
    let (o, report) = import("lines.csv", lines, ImportOptions::default());
    assert_eq!(report.phone_column.as_deref(), Some("Phone"));
    // Orders 2 and 3.
    assert_eq!(report.by_phone, 2);
    assert_eq!(
        per_customer(&o),
        vec![
            ("0700000001".into(), 1, 0, 20.0),
            ("ann@x.com".into(), 2, 0, 45.0),
        ]
    );
    assert_eq!(report.rejected_total, 2);
    assert!(
        report
            .columns
            .iter()
            .any(|c| c.name == "Phone" && c.role == Some(Role::Phone))
    );

    // One row per order: the phone's digits, no linking across rows.
    let rows = "\
customer,date,amount,telephone
bo@x.com,2024-01-01,10,0611111111
,2024-01-02,20,06 11 11 11 11
,2024-01-03,30,
";
    let (o, report) = import("rows.csv", rows, ImportOptions::default());
    assert_eq!(report.by_phone, 1);
    assert_eq!(
        per_customer(&o),
        vec![
            ("0611111111".into(), 1, 0, 20.0),
            ("bo@x.com".into(), 1, 0, 10.0),
        ]
    );
    assert_eq!(report.rejected_total, 1);
}

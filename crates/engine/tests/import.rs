//! The order importer on real-world files: French exports, CDNOW, bad input.

mod support;
use seglens_engine::import::delimited::Encoding;
use seglens_engine::import::orders::{ColumnRef, ImportError, OrdersImporter};
use seglens_engine::import::roles::Role;
use seglens_engine::import::sources::{ReadOptions, SourceKind};
use seglens_engine::model::date::days_from_civil;
use seglens_engine::{ImportOptions, Orders, import_orders};
use support::fixture;

fn import(name: &str, bytes: &[u8]) -> (Orders, seglens_engine::ImportReport) {
    import_orders(name, bytes, ImportOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn french_excel_export_in_windows_1252() {
    let text = "Client;Date de commande;Montant TTC;Ville\r\n\
                DUPONT;01/02/2024;1 234,50 \u{20ac};Orl\u{e9}ans\r\n\
                martin@Example.com ;13/02/2024;12,00 \u{20ac};Paris\r\n\
                DUPONT;31/02/2024;5,00;Paris\r\n\
                MARTIN@example.com;14/02/2024;(3,50);Paris\r\n\
                ;14/02/2024;3,50;Paris\r\n";
    // Encode as Windows-1252: the euro sign is 0x80, é is 0xE9.
    let bytes: Vec<u8> = text
        .chars()
        .map(|c| match c {
            '\u{20ac}' => 0x80,
            c => c as u32 as u8,
        })
        .collect();
    let (orders, report) = import("commandes.csv", &bytes);
    assert_eq!(report.encoding, Encoding::Windows1252);
    assert_eq!(report.delimiter, ";");
    assert!(report.has_header);
    assert_eq!(report.decimal_separator, ',');
    assert_eq!(report.currency.as_deref(), Some("EUR"));
    assert_eq!(report.date_format, "dd/mm/yyyy");
    assert_eq!(report.rows, 3);
    assert_eq!(report.refunds, 1);
    assert_eq!(orders.customer_keys, vec!["DUPONT", "martin@example.com"]);
    assert_eq!(orders.customer, vec![0, 1, 1]);
    assert_eq!(orders.amount, vec![1234.5, 12.0, -3.5]);
    assert_eq!(orders.day[0], days_from_civil(2024, 2, 1));
    assert_eq!(report.rejected_total, 2);
    assert_eq!(report.rejected[0].line, 4);
    assert_eq!(
        report.rejected[0].column.as_deref(),
        Some("Date de commande")
    );
    assert!(report.rejected[0].reason.contains("not a real day"));
    assert_eq!(report.rejected[1].line, 6);
    assert_eq!(report.rejected[1].column.as_deref(), Some("Client"));
    let roles: Vec<Option<Role>> = report.columns.iter().map(|c| c.role).collect();
    assert_eq!(
        roles,
        vec![
            Some(Role::CustomerId),
            Some(Role::OrderDate),
            Some(Role::Amount),
            None
        ]
    );
}

#[test]
fn line_numbers_count_line_breaks_inside_quotes() {
    let text = b"customer_id,note,date,amount\n\
                 a,\"two\nlines\",2024-01-01,1\n\
                 b,x,2024-01-02,oops\n";
    let (_, report) = import("o.csv", text);
    assert_eq!(report.rows, 1);
    assert_eq!(report.rejected[0].line, 4);
    assert_eq!(report.rejected[0].column.as_deref(), Some("amount"));
}

fn cdnow(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../../../shared/datasets/cdnow/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn cdnow_master_with_header_and_sample_without() {
    let (orders, report) = import("CDNOW_master.txt", &cdnow("CDNOW_master.txt"));
    assert_eq!(report.delimiter, "spaces");
    assert!(report.has_header);
    assert_eq!(report.date_format, "yyyymmdd");
    assert_eq!((report.rows, report.rejected_total), (69_659, 0));
    assert_eq!(report.customers, 23_570);
    assert_eq!(report.first_day, Some(days_from_civil(1997, 1, 1)));
    assert_eq!(report.last_day, Some(days_from_civil(1998, 6, 30)));
    assert_eq!(orders.customer_keys[0], "00001");

    let (_, report) = import("CDNOW_sample.txt", &cdnow("CDNOW_sample.txt"));
    assert!(!report.has_header);
    assert_eq!((report.rows, report.customers), (6_919, 2_357));
    let mapped = ImportOptions {
        map: vec![
            (Role::CustomerId, ColumnRef::Position(2)),
            (Role::OrderDate, ColumnRef::Position(3)),
            (Role::Amount, ColumnRef::Position(5)),
        ],
        ..ImportOptions::default()
    };
    let (o, r) = import_orders("CDNOW_sample.txt", &cdnow("CDNOW_sample.txt"), mapped).unwrap();
    assert_eq!((r.rows, r.customers), (6_919, 2_357));
    assert_eq!(o.customer_keys[0], "0001");
    let total: f64 = o.amount.iter().sum();
    let by_detection: f64 = import("s", &cdnow("CDNOW_sample.txt"))
        .0
        .amount
        .iter()
        .sum();
    assert_eq!(total, by_detection);
}

#[test]
fn chunked_reading_matches_whole_reading() {
    let bytes = cdnow("CDNOW_master.txt");
    let (whole, _) = import("m", &bytes);
    for chunk in [1000, 65_536, 1 << 20] {
        let mut imp = OrdersImporter::new("m", ImportOptions::default());
        for c in bytes.chunks(chunk) {
            imp.push(c).unwrap();
        }
        let (o, _) = imp.finish().unwrap();
        assert_eq!(o, whole, "chunk {chunk}");
    }
}

#[test]
fn bad_files_are_refused_with_a_clear_message() {
    let err = |bytes: &[u8]| import_orders("bad.csv", bytes, ImportOptions::default()).unwrap_err();
    assert!(matches!(err(b""), ImportError::Empty { .. }));
    assert!(matches!(err(b"  \n\n"), ImportError::Empty { .. }));
    let e = err(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0");
    assert!(matches!(e, ImportError::Binary { .. }), "{e:?}");
    assert!(e.to_string().contains("bad.csv is not a text file"));
    let e = err(b"name,city\nAnne,Paris\nLuc,Lyon\n");
    assert!(matches!(e, ImportError::MissingColumns { .. }), "{e:?}");
    assert!(e.to_string().contains("Columns found: name, city"), "{e}");
    assert!(matches!(
        err(b"customer_id,date,amount\n"),
        ImportError::NoRows { .. }
    ));
    let e = err(b"customer_id,date,amount\na,2024-01-01,x\nb,2024-01-02,y\n");
    match &e {
        ImportError::NoValidRows {
            rejected, first, ..
        } => {
            assert_eq!(*rejected, 2);
            assert_eq!(first.line, 2);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn binary_table_round_trip_and_corruption() {
    let (orders, _) = import("m", &cdnow("CDNOW_sample.txt"));
    let bytes = orders.encode();
    assert_eq!(Orders::decode(&bytes).unwrap(), orders);
    assert!(Orders::decode(&bytes[..bytes.len() - 1]).is_err());
    assert!(Orders::decode(b"nope").is_err());
    let mut extra = bytes.clone();
    extra.push(0);
    assert!(Orders::decode(&extra).is_err());
}

/// A file whose first 5,000 rows fit both readings and whose last row
/// decides.
fn slash_file(last: &str) -> Vec<u8> {
    let mut text = String::from("customer_id;order_date;amount\n");
    for i in 0..5_000 {
        text.push_str(&format!(
            "c{};{:02}/{:02}/2024;1\n",
            i % 50,
            1 + i % 12,
            1 + (i / 12) % 12
        ));
    }
    text.push_str(&format!("z;{last};1\n"));
    text.into_bytes()
}

#[test]
fn day_or_month_first_is_decided_by_the_whole_column() {
    // 13/01 at the very end (beyond the 64 KiB sample): day first.
    let (orders, report) = import("d.csv", &slash_file("13/01/2024"));
    assert_eq!(report.date_format, "dd/mm/yyyy");
    assert!(
        report
            .date_format_note
            .as_deref()
            .unwrap()
            .contains("1 date has a first number above 12")
    );
    assert_eq!(
        report.date_reading,
        Some(seglens_engine::import::orders::DateReading::DayFirst { dates: 1 })
    );
    assert_eq!(orders.day[0], days_from_civil(2024, 1, 1));
    assert_eq!(
        orders.day[1],
        days_from_civil(2024, 1, 2),
        "02/01 is 2 January"
    );
    assert_eq!(*orders.day.last().unwrap(), days_from_civil(2024, 1, 13));

    let (orders, report) = import("m.csv", &slash_file("01/13/2024"));
    assert_eq!(report.date_format, "mm/dd/yyyy");
    assert_eq!(
        orders.day[1],
        days_from_civil(2024, 2, 1),
        "02/01 is 1 February"
    );

    let (_, report) = import("a.csv", &slash_file("12/12/2024"));
    assert_eq!(report.date_format, "dd/mm/yyyy");
    assert_eq!(
        report.date_reading,
        Some(seglens_engine::import::orders::DateReading::Either)
    );
    assert!(
        report
            .date_format_note
            .as_deref()
            .unwrap()
            .contains("fits both")
    );
}

#[test]
fn a_mixed_column_keeps_the_majority_reading_and_rejects_the_rest() {
    let text = "customer_id,order_date,amount\na,13/01/2024,1\nb,14/01/2024,2\nc,01/15/2024,3\nd,05/06/2024,4\n";
    let (orders, report) = import("x.csv", text.as_bytes());
    assert_eq!(report.date_format, "dd/mm/yyyy");
    assert_eq!(report.rows, 3);
    assert_eq!(report.customers, 3, "c has no row left");
    assert_eq!(report.rejected_total, 1);
    assert_eq!(report.rejected[0].line, 4);
    assert!(
        report.rejected[0].reason.contains("not a real day"),
        "{}",
        report.rejected[0].reason
    );
    assert_eq!(orders.customer_keys, vec!["a", "b", "d"]);
    assert_eq!(orders.day[2], days_from_civil(2024, 6, 5));
}

#[test]
fn rejected_rows_keep_their_fields_to_be_fixed() {
    let text = "customer_id,order_date,amount,city\n\
                a,2024-01-02,10,Lyon\n\
                b,not a date,5,\"Paris, 15e\"\n\
                ,2024-01-03,5,Nice\n\
                c,2024-01-04,ten,Lille\n";
    let (_, report) = import("orders.csv", text.as_bytes());
    let got: Vec<(u64, Vec<String>)> = report
        .rejected
        .iter()
        .map(|e| (e.line, e.values.clone()))
        .collect();
    let row = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        got,
        vec![
            (3, row(&["b", "not a date", "5", "Paris, 15e"])),
            (4, row(&["", "2024-01-03", "5", "Nice"])),
            (5, row(&["c", "2024-01-04", "ten", "Lille"])),
        ]
    );
    // A day that is not real in either reading, decided once the whole
    // column is read, keeps its fields too.
    let (_, report) = import(
        "slash.csv",
        b"customer_id;order_date;amount\na;13/02/2024;5\nb;31/02/2024;6\n",
    );
    assert_eq!(report.rejected.len(), 1);
    assert_eq!(report.rejected[0].line, 3);
    assert_eq!(report.rejected[0].values, row(&["b", "31/02/2024", "6"]));
    // The other sources too, found by their line.
    let mut data = seglens_engine::import::dataset::Dataset::from_orders(Orders::from_rows(&[(
        "a".into(),
        1,
        5.0,
    )]));
    let r = data
        .add_source("nps.csv", b"customer_id,nps\na,9\n,7\nb,eleven\n")
        .unwrap();
    let got: Vec<(u64, Vec<String>)> = r
        .rejected
        .iter()
        .map(|e| (e.line, e.values.clone()))
        .collect();
    assert_eq!(got, vec![(3, row(&["", "7"])), (4, row(&["b", "eleven"]))]);
}

#[test]
fn a_chosen_encoding_overrides_detection() {
    // Valid UTF-8, so detected as UTF-8; read as Windows-1252 when asked.
    let text = "client;date;montant\nÉlodie;2024-01-02;10\n";
    let (orders, report) = import("a.csv", text.as_bytes());
    assert_eq!(orders.customer_keys, vec!["Élodie"]);
    assert!(!report.encoding_chosen);
    let chosen = ImportOptions {
        encoding: Some(Encoding::Windows1252),
        ..ImportOptions::default()
    };
    let (orders, report) = import_orders("a.csv", text.as_bytes(), chosen).unwrap();
    assert_eq!(orders.customer_keys, vec!["Ã‰lodie"]);
    assert_eq!(report.encoding, Encoding::Windows1252);
    assert!(report.encoding_chosen);
    // The other sources follow the choice too.
    let mut data = seglens_engine::import::dataset::Dataset::from_orders(orders);
    data.add_source_as(
        "nps.csv",
        "customer_id,nps\nÉlodie,9\n".as_bytes(),
        &ReadOptions {
            encoding: Some(Encoding::Windows1252),
            ..ReadOptions::default()
        },
    )
    .unwrap();
    assert_eq!(data.surveys.as_ref().unwrap().customer, vec![0]);
}

#[test]
fn excel_serial_dates_in_a_column_named_as_dates() {
    // What a spreadsheet saved without date formatting gives: 45292 is
    // 2024-01-01, 45322.5 is noon on 2024-01-31.
    let (orders, report) = import(
        "export.csv",
        b"customer_id,order_date,amount\na,45292,10\nb,45322.5,20\nc,not a date,5\n",
    );
    assert_eq!(report.date_format, "Excel serial numbers");
    assert_eq!(
        orders.day,
        vec![days_from_civil(2024, 1, 1), days_from_civil(2024, 1, 31)]
    );
    assert_eq!(report.rejected_total, 1);
    // Without a name saying so, a column of such numbers is not read as
    // dates: here no column is, and the file is refused.
    let err = import_orders(
        "x.csv",
        b"45292;10;a\n45300;20;b\n",
        ImportOptions::default(),
    );
    assert!(err.is_err(), "{err:?}");
    // Unless the user says which column holds them.
    let mapped = ImportOptions {
        map: vec![
            (Role::OrderDate, ColumnRef::Position(1)),
            (Role::Amount, ColumnRef::Position(2)),
            (Role::CustomerId, ColumnRef::Position(3)),
        ],
        ..ImportOptions::default()
    };
    let (orders, _) = import_orders("x.csv", b"45292;10;a\n45300;20;b\n", mapped).unwrap();
    assert_eq!(orders.day[0], days_from_civil(2024, 1, 1));
}

#[test]
fn repeated_rows_and_extreme_amounts_are_reported() {
    let mut text = String::from("order_id,customer_id,order_date,amount\n");
    for i in 0..30 {
        text.push_str(&format!(
            "O{i},c{},2024-01-{:02},{}\n",
            i % 7,
            i % 28 + 1,
            10 + i
        ));
    }
    // Line 32 repeats line 2 exactly; line 33 is the same order with
    // another id (not a copy); line 34 is an amount far beyond the rest.
    text.push_str("O0,c0,2024-01-01,10\n");
    text.push_str("O99,c0,2024-01-01,10\n");
    text.push_str("O100,c1,2024-01-02,250000\n");
    let (orders, report) = import("orders.csv", text.as_bytes());
    assert_eq!(orders.len(), 33, "copies are kept");
    assert_eq!(report.duplicate_rows, 1);
    assert_eq!(report.duplicates, vec![(32, 2)]);
    assert_eq!(report.extreme_amounts, vec![250_000.0]);
    assert_eq!(report.extreme_amount_count, 1);
}

/// JSON lines as an e-commerce tool exports them: keys in any order, a
/// line with a missing amount, two lines that are not objects, a blank
/// line. Rows keep the file's own line numbers.
const ORDERS_JSONL: &str = concat!(
    "{\"order_id\": \"O1\", \"customer_id\": \"C1\", \"order_date\": \"2024-01-02\", \"amount\": 40.35}\n",
    "{\"customer_id\": \"c2\", \"amount\": \"12.50\", \"order_date\": \"2024-01-05\", \"order_id\": \"O2\"}\n",
    "\n",
    "{\"order_id\": \"O3\", \"customer_id\": \"C1\", \"order_date\": \"2024-02-01\", \"amount\": null}\n",
    "this is not json\n",
    "[\"O4\", \"C3\"]\n",
    "{\"order_id\": \"O5\", \"customer_id\": \"C3\", \"order_date\": \"2024-03-01\", \"amount\": -5}\n",
);

#[test]
fn json_lines_orders() {
    let (orders, report) = import("orders.jsonl", ORDERS_JSONL.as_bytes());
    assert_eq!(report.delimiter, "JSON lines");
    assert_eq!(orders.len(), 3);
    assert_eq!(orders.customer_keys, ["C1", "c2", "C3"]);
    assert_eq!(orders.amount, [40.35, 12.5, -5.0]);
    assert_eq!(orders.day[2], days_from_civil(2024, 3, 1));
    assert_eq!(report.refunds, 1);
    let rejected: Vec<(u64, &str)> = report
        .rejected
        .iter()
        .map(|e| (e.line, e.reason.as_str()))
        .collect();
    assert_eq!(rejected.len(), 3, "{rejected:?}");
    assert_eq!(rejected[0], (4, "the amount is empty"));
    assert_eq!(rejected[1].0, 5);
    assert!(rejected[1].1.starts_with("the line is not JSON"));
    assert_eq!(rejected[2], (6, "the line is JSON but not an object"));
    assert_eq!(report.rejected_total, 3);
    // The same rows whatever the chunks the file arrives in.
    for size in [1, 5, 64] {
        let mut imp = OrdersImporter::new("orders.jsonl", ImportOptions::default());
        for chunk in ORDERS_JSONL.as_bytes().chunks(size) {
            imp.push(chunk).unwrap();
        }
        let (o, r) = imp.finish().unwrap();
        assert_eq!(
            (o, r.rejected),
            (orders.clone(), report.rejected.clone()),
            "chunks of {size}"
        );
    }
}

#[test]
fn json_lines_sources_join_by_customer() {
    use seglens_engine::import::dataset::{self, Dataset};
    use seglens_engine::import::sources::SourceKind;
    let (orders, _) = import("orders.jsonl", ORDERS_JSONL.as_bytes());
    let mut data = Dataset::from_orders(orders);
    let events = concat!(
        "{\"customer_id\": \"C1\", \"timestamp\": \"2024-01-02T10:00:00Z\", \"event\": \"page_view\", \"channel\": \"email\"}\n",
        "{\"customer_id\": \"c2\", \"timestamp\": \"2024-01-03T10:00:00Z\", \"event\": \"add_to_cart\"}\n",
    );
    assert_eq!(
        dataset::kind_of(events.as_bytes()),
        Some(SourceKind::Events)
    );
    data.add_source("events.jsonl", events.as_bytes()).unwrap();
    let e = data.events.as_ref().unwrap();
    assert_eq!(e.customer, [0, 1]);
    assert_eq!(e.names, ["page_view", "add_to_cart"]);
    // A source whose line is not an object is refused, naming the line.
    let bad = format!("{events}{{\"customer_id\": \"C1\", oops}}\n");
    let err = data
        .add_source("events.jsonl", bad.as_bytes())
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("events.jsonl, line 3: the line is not JSON"),
        "{err}"
    );
}

#[test]
fn the_demo_orders_as_json_lines_give_the_same_table() {
    let files = seglens_engine::import::demo::generate(seglens_engine::import::demo::DEMO_SEED);
    let (csv, _) = import("orders.csv", files.orders.as_bytes());
    let mut lines = files.orders.lines();
    let names: Vec<&str> = lines.next().unwrap().split(',').collect();
    let mut jsonl = String::new();
    for line in lines {
        let object: serde_json::Map<String, serde_json::Value> = names
            .iter()
            .zip(line.split(','))
            .map(|(k, v)| {
                let value = match v.parse::<f64>() {
                    Ok(x) if *k == "amount" => serde_json::json!(x),
                    _ => serde_json::json!(v),
                };
                (k.to_string(), value)
            })
            .collect();
        jsonl.push_str(&serde_json::to_string(&object).unwrap());
        jsonl.push('\n');
    }
    let (from_json, report) = import("orders.jsonl", jsonl.as_bytes());
    assert_eq!(report.rejected_total, 0);
    assert_eq!(from_json, csv);
}

/// The demo's orders and customers as Excel workbooks (written by the
/// app's own XLSX export, read back through the importers).
#[test]
fn excel_workbooks_of_orders_and_customers() {
    use seglens_engine::import::dataset::{self, Dataset};
    use seglens_engine::import::sources::SourceKind;
    let files = seglens_engine::import::demo::generate(seglens_engine::import::demo::DEMO_SEED);
    let table = |text: &str| {
        let mut lines = text.lines();
        let header: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
        // The demo quotes some text fields; none holds a comma.
        let rows: Vec<Vec<String>> = lines
            .map(|l| {
                l.split(',')
                    .map(|f| f.trim_matches('"').to_string())
                    .collect()
            })
            .collect();
        seglens_engine::export::xlsx::workbook("Sheet", &header, &rows)
    };
    let (csv, _) = import("orders.csv", files.orders.as_bytes());
    let book = table(&files.orders);
    let (from_excel, report) = import("orders.xlsx", &book);
    assert_eq!(report.delimiter, "Excel workbook (first sheet)");
    assert_eq!(report.rejected_total, 0);
    assert_eq!(from_excel, csv);
    // In chunks, as the app streams it.
    let mut imp = OrdersImporter::new("orders.xlsx", ImportOptions::default());
    for chunk in book.chunks(4096) {
        imp.push(chunk).unwrap();
    }
    assert_eq!(imp.finish().unwrap().0, csv);

    let customers = table(&files.customers);
    assert_eq!(dataset::kind_of(&customers), Some(SourceKind::Customers));
    let mut data = Dataset::from_orders(csv.clone());
    data.add_source("customers.xlsx", &customers).unwrap();
    let mut plain = Dataset::from_orders(csv);
    plain
        .add_source("customers.csv", files.customers.as_bytes())
        .unwrap();
    assert_eq!(data.customers, plain.customers);

    // An old .xls workbook that is only a header is refused as damaged.
    let mut xls = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    xls.extend_from_slice(&[0u8; 600]);
    assert_eq!(
        import_orders("ventes.xls", &xls, ImportOptions::default())
            .unwrap_err()
            .to_string(),
        "ventes.xls could not be read as an Excel workbook: it is an old Excel workbook (.xls) whose structure is damaged."
    );
    // A workbook cut short says so, naming the file.
    let err = import_orders(
        "orders.xlsx",
        &book[..book.len() - 100],
        ImportOptions::default(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "orders.xlsx could not be read as an Excel workbook: it is not a complete zip archive (its end is missing)."
    );
}

#[test]
fn orders_dated_after_today_are_pointed_at_and_kept() {
    let text = "customer_id,order_date,amount\na,2024-01-02,10\nb,2031-05-06,20\nc,2024-01-03,30\nd,2030-01-01,5\n";
    let today = days_from_civil(2026, 11, 23);
    let options = ImportOptions {
        today: Some(today),
        ..ImportOptions::default()
    };
    let (orders, report) = import_orders("f.csv", text.as_bytes(), options).unwrap();
    assert_eq!(orders.len(), 4);
    assert_eq!(report.future_rows, 2);
    assert_eq!(
        report.future,
        [
            (3, days_from_civil(2031, 5, 6)),
            (5, days_from_civil(2030, 1, 1))
        ]
    );
    // Not checked without a today.
    assert_eq!(import("f.csv", text.as_bytes()).1.future_rows, 0);
}

/// The orders of customers `a` and `b`, to join sources to.
fn two_customers() -> seglens_engine::import::dataset::Dataset {
    let (orders, _) = import(
        "o.csv",
        b"customer_id,order_date,amount\na,2025-01-02,10\nb,2025-01-03,20\n",
    );
    seglens_engine::import::dataset::Dataset::from_orders(orders)
}

#[test]
fn columns_chosen_for_a_source_win_over_its_names() {
    // "Identifiant" is not a name SegLens knows for the customer, and the
    // e-mail column would be taken for it; the user says which is which.
    let file = b"email,Identifiant,Note sur 10\nx@y.z,a,9\nw@y.z,b,3\n";
    let mut data = two_customers();
    // Without a choice, "Note sur 10" is no NPS name: the file is taken
    // for a list of customers.
    let guessed = data.add_source("avis.csv", file).unwrap();
    assert_eq!(guessed.kind, SourceKind::Customers);
    let mut data = two_customers();
    let chosen = ReadOptions {
        map: vec![
            ("customer_id".into(), ColumnRef::Name("Identifiant".into())),
            ("nps".into(), ColumnRef::Position(3)),
        ],
        ..ReadOptions::default()
    };
    let report = data.add_source_as("avis.csv", file, &chosen).unwrap();
    assert_eq!(report.customers_without_orders, 0);
    assert_eq!(data.surveys.as_ref().unwrap().customer, vec![0, 1]);
    assert!(
        report
            .columns_used
            .contains(&"customer: Identifiant".to_string())
    );
    // A column that is not there is refused, naming it.
    let wrong = ReadOptions {
        map: vec![("customer_id".into(), ColumnRef::Name("Client".into()))],
        ..ReadOptions::default()
    };
    let err = two_customers()
        .add_source_as("avis.csv", file, &wrong)
        .unwrap_err();
    assert!(err.to_string().contains("Client"), "{err}");
}

#[test]
fn what_a_file_holds_can_be_said_instead_of_guessed() {
    // No header name says "events"; told so, with its columns, it reads.
    let file = b"qui,quoi,quand\na,page vue,2025-01-05T10:00:00Z\nb,panier,2025-01-06T11:00:00Z\n";
    assert_ne!(
        seglens_engine::import::dataset::kind_of(file),
        Some(SourceKind::Events)
    );
    let read = ReadOptions {
        kind: Some(SourceKind::Events),
        map: vec![
            ("customer_id".into(), ColumnRef::Position(1)),
            ("event".into(), ColumnRef::Position(2)),
            ("timestamp".into(), ColumnRef::Position(3)),
        ],
        ..ReadOptions::default()
    };
    let mut data = two_customers();
    let report = data.add_source_as("journal.csv", file, &read).unwrap();
    assert_eq!((report.kind, report.rows), (SourceKind::Events, 2));
    // The preview shows the same reading, field by field.
    let p = seglens_engine::import::sources::preview("journal.csv", file, true, &read);
    assert_eq!(p.error, None);
    assert_eq!(p.kind, Some(SourceKind::Events));
    let customer = p.fields.iter().position(|f| f.0 == "customer_id").unwrap();
    let event = p.fields.iter().position(|f| f.0 == "event").unwrap();
    assert_eq!(p.rows.len(), 2);
    assert_eq!(
        (p.rows[1][customer].as_str(), p.rows[1][event].as_str()),
        ("b", "panier")
    );
    assert_eq!(p.lines, vec![2, 3]);
}

#[test]
fn suspicious_values_in_sources_are_kept_and_listed() {
    let today = days_from_civil(2025, 6, 30);
    let read = ReadOptions {
        today: Some(today),
        ..ReadOptions::default()
    };
    // Line 2 is fine; line 3 has a negative age; line 4 an age of 230;
    // line 5 signed up after today; line 6 was born after today; line 7
    // was born in 1890.
    let customers = b"customer_id,age,signup_date,birth_date\n\
        a,34,2024-01-01,1991-03-02\n\
        b,-3,2024-01-01,\n\
        c,230,2024-01-01,\n\
        d,40,2025-07-14,\n\
        e,,2024-01-01,2030-01-01\n\
        f,,2024-01-01,1890-05-05\n";
    let mut data = two_customers();
    let r = data.add_source_as("clients.csv", customers, &read).unwrap();
    assert_eq!(r.rows, 6, "nothing is dropped");
    let listed: Vec<(u64, &str)> = r
        .suspicious
        .iter()
        .map(|e| (e.line, e.column.as_deref().unwrap_or("")))
        .collect();
    assert_eq!(
        listed,
        [
            (3, "age"),
            (4, "age"),
            (5, "signup_date"),
            (6, "birth_date"),
            (7, "birth_date")
        ]
    );
    assert_eq!(r.suspicious_total, 5);
    assert!(r.suspicious[0].reason.contains("negative age"));
    assert!(r.suspicious[2].reason.contains("after today (2025-07-14)"));
    // A ticket opened after today (one resolved before it was opened is
    // rejected, not kept).
    let tickets = b"ticket_id,customer_id,created_at,resolved_at\n\
        1,a,2025-03-01,2025-03-02\n\
        2,b,2025-03-05,2025-03-01\n\
        3,a,2025-08-01,\n";
    let r = data.add_source_as("tickets.csv", tickets, &read).unwrap();
    assert_eq!(r.rejected_total, 1);
    let listed: Vec<(u64, &str)> = r
        .suspicious
        .iter()
        .map(|e| (e.line, e.reason.as_str()))
        .collect();
    assert_eq!(listed, [(4, "dated after today (2025-08-01)")]);
    // Without today, dates are not checked (ages still are).
    let r = two_customers()
        .add_source("clients.csv", customers)
        .unwrap();
    assert_eq!(r.suspicious_total, 2);
}

#[test]
fn an_old_excel_workbook_reads_as_its_csv() {
    // Written by xlwt (tests/reference/xls_reference.py makes larger ones
    // from the demo): a notes sheet first, then the orders with dates as
    // date cells, amounts as numbers, a French name, a long text.
    let book = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/ventes.xls"
    ))
    .unwrap();
    let csv = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/ventes.csv"
    ))
    .unwrap();
    assert_eq!(
        seglens_engine::import::spreadsheet::sheet_names(&book).unwrap(),
        ["Lisez-moi", "Commandes"]
    );
    let rows = seglens_engine::import::spreadsheet::sheet_rows(&book, Some("Commandes")).unwrap();
    assert_eq!(
        String::from_utf8(rows).unwrap(),
        String::from_utf8(csv).unwrap()
    );
    let options = ImportOptions {
        sheet: Some("Commandes".into()),
        ..ImportOptions::default()
    };
    let (orders, report) = import_orders("ventes.xls", &book, options).unwrap();
    assert_eq!(report.rows, 4);
    assert!(
        report.delimiter.contains("Excel 97"),
        "{}",
        report.delimiter
    );
    assert_eq!(
        orders.customer_keys,
        vec!["Éloïse Müller", "bob@example.com"]
    );
    assert_eq!(orders.day[0], days_from_civil(2024, 1, 31));
}

#[test]
fn the_join_says_who_the_customers_file_does_not_list() {
    // Orders from a and b; the customers file lists a and c (c never
    // ordered); e-mails went to a, b (twice) and d.
    let mut data = two_customers();
    let emails = b"customer_id,opened\na,1\nb,0\nb,1\nd,1\n";
    let r = data.add_source("email.csv", emails).unwrap();
    assert_eq!(r.not_in_customers_file, None, "no customers file yet");
    let r = data
        .add_source("clients.csv", b"customer_id,city\na,Lyon\nc,Nantes\n")
        .unwrap();
    assert_eq!(r.customers_without_orders, 1, "c");
    assert_eq!(
        r.not_in_customers_file,
        Some(1),
        "b ordered but is not listed"
    );
    // The e-mails' report, counted again now that the customers file is
    // there: b and d are not listed (b once, however many e-mails).
    let email = data
        .source_reports
        .iter()
        .find(|r| r.kind == SourceKind::Email)
        .unwrap();
    assert_eq!(email.not_in_customers_file, Some(2));
    // Stored and read back as they are.
    let back = seglens_engine::import::dataset::Dataset::decode(&data.encode()).unwrap();
    assert_eq!(back.source_reports, data.source_reports);
}

#[test]
fn a_crm_customers_file_with_an_nps_column_is_customers_and_answers() {
    // A French CRM export: every customer with their attributes, an NPS
    // for some; an empty NPS cell is no answer, not a rejected row.
    let file = "id_client;e-mail;sexe;âge;ville;centres d'intérêt;NPS\n\
                a;a@x.fr;F;34;Lyon;jardin;9\n\
                b;b@x.fr;M;41;Paris;bricolage;\n\
                c;c@x.fr;F;29;Lyon;lecture;3\n";
    let mut data = two_customers();
    let report = data.add_source("crm.csv", file.as_bytes()).unwrap();
    assert_eq!(report.kind, SourceKind::Customers);
    assert_eq!((report.rows, report.rejected_total), (3, 0));
    let kinds: Vec<(SourceKind, u64, u64)> = data
        .source_reports
        .iter()
        .map(|r| (r.kind, r.rows, r.rejected_total))
        .collect();
    assert_eq!(
        kinds,
        vec![(SourceKind::Customers, 3, 0), (SourceKind::Surveys, 2, 0)]
    );
    let customers = data.customers.as_ref().unwrap();
    assert_eq!(
        customers.attribute_names,
        vec!["sexe", "âge", "ville", "centres d'intérêt", "NPS"]
    );
    let surveys = data.surveys.as_ref().unwrap();
    assert_eq!(surveys.nps, vec![Some(9), Some(3)]);
    let key = |i: u32| data.orders.customer_keys[i as usize].as_str();
    assert_eq!(
        surveys.customer.iter().map(|c| key(*c)).collect::<Vec<_>>(),
        vec!["a", "c"]
    );
    // A survey file (answers, a date, no attributes) stays survey answers.
    let mut data = two_customers();
    let answers = data
        .add_source(
            "nps.csv",
            b"customer_id,answered_at,nps\na,2025-02-01,9\nb,2025-02-02,\n",
        )
        .unwrap();
    assert_eq!(answers.kind, SourceKind::Surveys);
    assert_eq!(data.source_reports.len(), 1);
}

/// An order file saved by Excel on Windows whose only accent comes after
/// `ascii` bytes of plain rows: `Électroménager` in Windows-1252.
fn late_accent(ascii: usize) -> Vec<u8> {
    let mut text = b"client;date;montant;rayon\n".to_vec();
    let mut i = 0;
    while text.len() < ascii {
        text.extend_from_slice(
            format!("c{};2024-01-{:02};12,50;Livres\n", i % 97, 1 + i % 28).as_bytes(),
        );
        i += 1;
    }
    text.extend_from_slice(b"dupont;2024-02-01;99,00;\xC9lectrom\xE9nager\n");
    text
}

#[test]
fn the_encoding_is_decided_on_the_whole_file() {
    // Past the first megabyte, which the first chunk alone would decide on.
    let bytes = late_accent(1_500_000);
    let at = bytes.iter().position(|b| *b == 0xC9).unwrap() as u64;
    // Held in memory: decided over all of it.
    let (orders, report) = import("ventes.csv", &bytes);
    assert_eq!(report.encoding, Encoding::Windows1252);
    assert!(!report.encoding_chosen);
    assert_eq!(orders.categories, vec!["Livres", "Électroménager"]);
    // Streamed: the first bytes say UTF-8, the late accent says otherwise,
    // and the import says where rather than read "�".
    let mut streamed = OrdersImporter::new("ventes.csv", ImportOptions::default());
    for chunk in bytes.chunks(65_536) {
        streamed.push(chunk).unwrap();
    }
    assert_eq!(
        streamed.finish().unwrap_err(),
        ImportError::NotUtf8After {
            file: "ventes.csv".into(),
            offset: at
        }
    );
    // Read again in the encoding found: as the whole file gives it.
    let again = ImportOptions {
        encoding_guess: Some(Encoding::Windows1252),
        ..ImportOptions::default()
    };
    let mut streamed = OrdersImporter::new("ventes.csv", again);
    for chunk in bytes.chunks(65_536) {
        streamed.push(chunk).unwrap();
    }
    let (again, report) = streamed.finish().unwrap();
    assert_eq!((again, report.encoding_chosen), (orders, false));
    // A UTF-8 file cut mid-character between chunks is no such case.
    let utf8 = String::from_utf8_lossy(&late_accent(200_000))
        .replace('\u{fffd}', "é")
        .into_bytes();
    let mut streamed = OrdersImporter::new("ventes.csv", ImportOptions::default());
    for chunk in utf8.chunks(65_537) {
        streamed.push(chunk).unwrap();
    }
    assert_eq!(streamed.finish().unwrap().1.encoding, Encoding::Utf8);
}

#[test]
fn a_source_decides_its_encoding_on_the_whole_file() {
    let mut text = b"customer_id,city\n".to_vec();
    for i in 0..10_000 {
        text.extend_from_slice(format!("a{i},Paris\n").as_bytes());
    }
    text.extend_from_slice(b"a,Orl\xE9ans\n");
    let mut data = two_customers();
    data.add_source("clients.csv", &text).unwrap();
    let customers = data.customers.as_ref().unwrap();
    assert_eq!(
        customers.attributes.last().unwrap(),
        &vec!["Orléans".to_string()]
    );
}

#[test]
fn a_byte_order_mark_declares_utf8_for_the_whole_stream() {
    // UTF-8 with its mark, then a Windows-1252 "é" far past the first
    // megabyte: read whole, the mark decides and the stray byte is
    // replaced; streamed, the same (no second reading in another encoding,
    // which would read the mark itself as "ï»¿" and miss the header).
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend_from_slice(b"customer_id,order_date,amount\n");
    let mut i = 0;
    while bytes.len() < 1_200_000 {
        bytes.extend_from_slice(
            format!("c{},2024-01-{:02},12.50\n", i % 997, 1 + i % 28).as_bytes(),
        );
        i += 1;
    }
    bytes.extend_from_slice(b"caf\xE9,2024-02-01,99.00\n");
    let (whole, whole_report) = import("bom.csv", &bytes);
    let mut streamed = OrdersImporter::new("bom.csv", ImportOptions::default());
    for chunk in bytes.chunks(53_001) {
        streamed.push(chunk).unwrap();
    }
    let (parts, parts_report) = streamed.finish().unwrap();
    assert_eq!(whole_report.encoding, Encoding::Utf8);
    assert_eq!(parts_report.encoding, Encoding::Utf8);
    assert_eq!(whole.len(), i + 1);
    assert_eq!(parts.len(), whole.len());
    assert_eq!(parts.customer_keys, whole.customer_keys);
}

#[test]
fn google_analytics_events_join_on_the_sites_user_id_at_their_microsecond() {
    use seglens_engine::import::dataset::{self, Dataset};
    use seglens_engine::import::sources::SourceKind;
    use seglens_engine::model::date::days_from_civil;
    let bytes = fixture("documented/ga4_bigquery_events.csv");
    assert_eq!(dataset::kind_of(&bytes), Some(SourceKind::Events));
    let mut data = Dataset::default();
    let report = data.add_source("ga4.csv", &bytes).unwrap();
    // The first row: 1767252531009625 µs is 2026-01-01 07:28:51 UTC, by
    // hand (1767225600 is that day's midnight; 26,931 s is 7 h 28 min 51 s).
    let e = data.events.as_ref().unwrap();
    let midnight = i64::from(days_from_civil(2026, 1, 1)) * 86_400;
    assert_eq!(midnight, 1_767_225_600);
    assert_eq!(e.time[0], midnight + 7 * 3600 + 28 * 60 + 51);
    assert_eq!(e.names[e.event[0] as usize], "session_start");
    assert_eq!(data.orders.customer_keys[e.customer[0] as usize], "C00007");
    // A visit with no user id (not signed in) names no customer.
    assert!(
        report
            .rejected
            .iter()
            .all(|r| r.column.as_deref() == Some("user_id"))
    );
}

#[test]
fn reports_of_counts_are_refused_saying_what_to_export_instead() {
    use seglens_engine::ImportError;
    use seglens_engine::import::dataset::{self, Dataset};
    use seglens_engine::import::sources::SourceKind;
    for (file, platform, kind, first_column) in [
        (
            "real/ga4_report_events.csv",
            "ga4_report",
            SourceKind::Events,
            "Event name",
        ),
        (
            "real/mailchimp_campaigns_newsletter.csv",
            "mailchimp_campaigns",
            SourceKind::Email,
            "Title",
        ),
    ] {
        let bytes = fixture(file);
        // Routed to the sources (where the refusal is said), not to orders.
        assert_eq!(dataset::kind_of(&bytes), Some(kind), "{file}");
        let mut data = Dataset::default();
        match data.add_source(file, &bytes) {
            Err(ImportError::Aggregated {
                platform: p,
                columns,
                ..
            }) => {
                assert_eq!(p, platform);
                // The GA4 report's nine preamble lines are skipped.
                assert_eq!(columns[0], first_column, "{file}");
            }
            other => panic!("{file}: {other:?}"),
        }
        // Nothing was added.
        assert!(data.source_reports.is_empty());
    }
}

#[test]
fn surveymonkeys_second_header_row_names_the_contact_email_and_is_no_answer() {
    use seglens_engine::ImportError;
    use seglens_engine::import::dataset::Dataset;
    // Written from SurveyMonkey's layout: the collector's `Email Address`
    // empty, the e-mail in the contact block, named by the second row.
    let bytes = fixture("documented/surveymonkey_answers_nps.csv");
    let mut data = Dataset::default();
    let report = data.add_source("answers.csv", &bytes).unwrap();
    assert!(
        report.columns_used.contains(&"customer: Email".to_string()),
        "{:?}",
        report.columns_used
    );
    // 40 answers under the two header rows, 5 without an e-mail; the first
    // of those is the eighth answer, on the file's line 10.
    assert_eq!((report.rows, report.rejected_total), (35, 5));
    assert_eq!(report.rejected[0].line, 10);
    // The real export has no score question: refused for that, its contact
    // block's e-mail column named.
    let real = fixture("real/surveymonkey_answers_candidate_questionnaire.csv");
    match Dataset::default().add_source("real.csv", &real) {
        Err(ImportError::MissingColumn { what, columns, .. }) => {
            assert_eq!(what.key, "engine.an_nps_or_csat_column");
            assert_eq!(columns[9..11], ["Contact information", "Email"]);
        }
        other => panic!("{other:?}"),
    }
}

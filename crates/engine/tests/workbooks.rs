//! Workbooks read by calamine, and the same workbooks handed over already
//! read ([`ReadWorkbook`], what the page's workbook worker gives its
//! import worker): both must give the same orders, report and messages.

use seglens_engine::import::dataset::Dataset;
use seglens_engine::import::spreadsheet::{self, ReadWorkbook};
use seglens_engine::{ImportOptions, import_orders};

mod support;
use support::fixture;

#[test]
fn a_workbook_read_before_imports_as_the_workbook_itself() {
    for (name, sheet) in [
        ("real/uci_online_retail_head.xlsx", None),
        ("real/woocommerce_orders_bookshop_dzd_fr.xlsx", None),
        ("ventes.xls", Some("Commandes")),
    ] {
        let book = fixture(name);
        let read = ReadWorkbook::read(&book);
        assert!(read.sheets.is_ok(), "{name}: {:?}", read.sheets);
        let bytes = read.to_bytes();
        assert!(spreadsheet::is_workbook(&bytes), "{name}");
        assert_eq!(
            spreadsheet::sheet_names(&bytes).unwrap(),
            spreadsheet::sheet_names(&book).unwrap(),
            "{name}"
        );
        let options = || ImportOptions {
            sheet: sheet.map(String::from),
            ..ImportOptions::default()
        };
        let direct = import_orders(name, &book, options()).unwrap();
        let handed = import_orders(name, &bytes, options()).unwrap();
        assert_eq!(direct.0, handed.0, "{name}");
        assert_eq!(direct.1, handed.1, "{name}");
        assert!(direct.0.len() > 1, "{name}");
        assert_eq!(
            spreadsheet::label(&bytes, sheet),
            spreadsheet::label(&book, sheet),
            "{name}"
        );
    }
}

#[test]
fn every_sheet_is_handed_over_and_chosen_by_name() {
    let book = fixture("ventes.xls");
    let bytes = ReadWorkbook::read(&book).to_bytes();
    for sheet in ["Lisez-moi", "Commandes", " commandes "] {
        assert_eq!(
            spreadsheet::sheet_rows(&bytes, Some(sheet)).unwrap(),
            spreadsheet::sheet_rows(&book, Some(sheet)).unwrap(),
            "{sheet}"
        );
    }
    assert_eq!(
        spreadsheet::sheet_rows(&bytes, Some("2025")).unwrap_err(),
        spreadsheet::sheet_rows(&book, Some("2025")).unwrap_err()
    );
    // A customers sheet added as a source reads the same too.
    let orders = import_orders(
        "ventes.xls",
        &book,
        ImportOptions {
            sheet: Some("Commandes".into()),
            ..ImportOptions::default()
        },
    )
    .unwrap()
    .0;
    let mut direct = Dataset::from_orders(orders.clone());
    let mut handed = Dataset::from_orders(orders);
    let a = direct.add_source("ventes.xls", &book);
    let b = handed.add_source("ventes.xls", &bytes);
    assert_eq!(a.is_ok(), b.is_ok());
    if let (Err(a), Err(b)) = (a, b) {
        assert_eq!(a.to_string(), b.to_string());
    }
}

#[test]
fn a_damaged_workbook_says_the_same_handed_over() {
    // An old .xls that is only a header, and an .xlsx cut short.
    let mut xls = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    xls.extend_from_slice(&[0u8; 600]);
    let xlsx = fixture("real/uci_online_retail_head.xlsx");
    for (name, book) in [
        ("ventes.xls", xls),
        ("orders.xlsx", xlsx[..xlsx.len() - 100].to_vec()),
    ] {
        let read = ReadWorkbook::read(&book);
        assert!(read.sheets.is_err(), "{name}");
        let direct = import_orders(name, &book, ImportOptions::default()).unwrap_err();
        let handed = import_orders(name, &read.to_bytes(), ImportOptions::default()).unwrap_err();
        assert_eq!(direct.to_string(), handed.to_string(), "{name}");
        assert!(direct.to_string().starts_with(name), "{direct}");
    }
    // Bytes that start like a read workbook but are not one.
    let mut fake = spreadsheet::READ_MAGIC.to_vec();
    fake.extend_from_slice(b"\xff\xff\xff");
    let err = import_orders("orders.xlsx", &fake, ImportOptions::default()).unwrap_err();
    assert!(err.to_string().contains("damaged"), "{err}");
}

//! The importer on hostile input: random bytes, CSV-like noise and damaged
//! real files never make it panic; it answers with a table or a clear
//! error, the same whatever the chunk size.

use proptest::prelude::*;
use seglens_engine::import::orders::OrdersImporter;
use seglens_engine::{ImportOptions, ImportReport, Orders, import_orders};

fn chunked(bytes: &[u8], chunk: usize) -> Result<(Orders, ImportReport), String> {
    let mut imp = OrdersImporter::new("f.csv", ImportOptions::default());
    for c in bytes.chunks(chunk.max(1)) {
        imp.push(c).map_err(|e| e.to_string())?;
    }
    imp.finish().map_err(|e| e.to_string())
}

fn csv_noise() -> impl Strategy<Value = Vec<u8>> {
    let pieces = prop::sample::select(vec![
        "customer_id",
        "date",
        "amount",
        ",",
        ";",
        "\t",
        "|",
        " ",
        "\"",
        "\"\"",
        "\n",
        "\r\n",
        "\r",
        "2024-01-31",
        "31/12/2024",
        "12/31/2024",
        "20240101",
        "1 234,50",
        "-3",
        "(4)",
        "€",
        "é",
        "\u{0}",
        "\u{feff}",
        "abc",
        "0",
        "9999999999999999999999",
        "NaN",
        "inf",
        "1e308",
    ]);
    prop::collection::vec(pieces, 0..200).prop_map(|v| v.concat().into_bytes())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2000), chunk in 1usize..300) {
        let whole = import_orders("f.csv", &bytes, ImportOptions::default()).map_err(|e| e.to_string());
        let parts = chunked(&bytes, chunk);
        prop_assert_eq!(whole.is_ok(), parts.is_ok());
    }

    #[test]
    fn csv_like_noise_is_read_the_same_at_any_chunk_size(bytes in csv_noise(), chunk in 1usize..300) {
        let whole = import_orders("f.csv", &bytes, ImportOptions::default());
        let parts = chunked(&bytes, chunk);
        match (whole, parts) {
            (Ok((a, ra)), Ok((b, rb))) => {
                prop_assert!(a.amount.iter().all(|v| v.is_finite()));
                prop_assert_eq!(a, b);
                prop_assert_eq!(ra.rejected_total, rb.rejected_total);
                prop_assert!(ra.rows >= 1);
            }
            (Err(a), Err(b)) => prop_assert_eq!(a.to_string(), b),
            (a, b) => prop_assert!(false, "whole {:?} but chunked {:?}", a.map(|x| x.1.rows), b.map(|x| x.1.rows)),
        }
    }
}

#[test]
fn a_truncated_real_file_loses_only_its_last_row() {
    let path = format!(
        "{}/../../../shared/datasets/cdnow/CDNOW_master.txt",
        env!("CARGO_MANIFEST_DIR")
    );
    let bytes = std::fs::read(path).unwrap();
    let whole = import_orders("m", &bytes, ImportOptions::default())
        .unwrap()
        .0;
    // Cut in the middle of the last line's amount.
    let cut = &bytes[..bytes.len() - 4];
    let (orders, report) = import_orders("m", cut, ImportOptions::default()).unwrap();
    assert_eq!(orders.len(), whole.len());
    assert_eq!(report.rejected_total, 0);
    assert!((orders.amount.last().unwrap() - whole.amount.last().unwrap()).abs() > 0.0);
    // Cut inside the date of the last line: that row is rejected, with its line.
    let cut = &bytes[..bytes.len() - 14];
    let (orders, report) = import_orders("m", cut, ImportOptions::default()).unwrap();
    assert_eq!(orders.len(), whole.len() - 1);
    assert_eq!(report.rejected_total, 1);
    assert_eq!(report.rejected[0].line, 69_660);
}

#[test]
fn a_header_with_duplicate_or_empty_names_still_reads() {
    let text = "customer_id,,amount,amount,date\na,x,1,2,2024-01-01\n";
    let (orders, report) =
        import_orders("d.csv", text.as_bytes(), ImportOptions::default()).unwrap();
    assert_eq!(orders.amount, vec![1.0]);
    assert_eq!(report.columns[1].name, "column 2");
}

//! Every way a file enters SegLens, on arbitrary bytes: an order file read
//! whole and in chunks (the same verdict and the same rows), a source
//! joined to orders and previewed, a workbook (XLSX, ODS or the older
//! .xls) sheet by sheet, JSON lines. The first byte picks the way (and the
//! chunk size); none may panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use seglens_engine::import::dataset::Dataset;
use seglens_engine::import::{jsonl, sources, spreadsheet};
use seglens_engine::{ImportOptions, Orders, OrdersImporter, import_orders};

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    match pick % 4 {
        0 => {
            let whole = import_orders("f.csv", bytes, ImportOptions::default());
            let chunk = 1 + usize::from(pick / 4) * 13;
            let in_chunks = |options: ImportOptions| {
                let mut importer = OrdersImporter::new("f.csv", options);
                let mut pushed = Ok(());
                for part in bytes.chunks(chunk) {
                    pushed = importer.push(part);
                    if pushed.is_err() {
                        break;
                    }
                }
                pushed.and_then(|()| importer.finish())
            };
            let mut parts = in_chunks(ImportOptions::default());
            // A stream whose later bytes are not the UTF-8 its first ones
            // were is read again as the whole file reads.
            if let Err(seglens_engine::ImportError::NotUtf8After { .. }) = parts {
                parts = in_chunks(ImportOptions {
                    encoding_guess: Some(seglens_engine::import::delimited::Encoding::Windows1252),
                    ..ImportOptions::default()
                });
            }
            match (&whole, &parts) {
                (Ok((a, ra)), Ok((b, rb))) => {
                    assert_eq!(a.len(), b.len(), "rows whole and in chunks of {chunk}");
                    assert_eq!(ra.rejected_total, rb.rejected_total);
                    // The report counts the rows kept; it lists no more
                    // rejected rows than it counts.
                    assert_eq!(a.len() as u64, ra.rows);
                    assert!(ra.rejected.len() as u64 <= ra.rejected_total);
                }
                (Err(_), Err(_)) => {}
                _ => panic!(
                    "whole {:?} but in chunks of {chunk} {:?}",
                    whole.is_ok(),
                    parts.is_ok()
                ),
            }
        }
        1 => {
            let mut data = Dataset::from_orders(Orders::from_rows(&[("a@x.com".into(), 0, 10.0)]));
            let before = data.orders.len();
            let _ = data.add_source("source.csv", bytes);
            assert_eq!(data.orders.len(), before, "a source never adds orders");
            let _ = sources::preview("source.csv", bytes, pick & 4 != 0, &Default::default());
        }
        2 => {
            if let Ok(csv) = spreadsheet::first_sheet_rows(bytes) {
                let _ = import_orders("sheet.csv", &csv, ImportOptions::default());
            }
            if let Ok(names) = spreadsheet::sheet_names(bytes) {
                for name in names.iter().take(4) {
                    let _ = spreadsheet::sheet_rows(bytes, Some(name));
                }
            }
        }
        _ => {
            let (rows, _) = jsonl::to_rows(bytes);
            let _ = import_orders("f.csv", &rows, ImportOptions::default());
            let _ = import_orders("f.jsonl", bytes, ImportOptions::default());
        }
    }
});

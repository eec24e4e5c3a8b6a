use super::*;

#[test]
fn rows_whose_hashes_are_equal_but_whose_orders_differ_are_not_repeats() {
    // Four rows of one customer, all with the same fingerprint (as if
    // the hash collided): only the row equal to the first in date and
    // amount is a repeat; a group of more than 32 rows goes through the
    // sort by fingerprint and says the same.
    let (count, listed) = repeated_rows(
        &[0, 0, 0, 0],
        1,
        &[7, 7, 7, 7],
        &[2, 3, 4, 5],
        (&[10, 11, 10, 10], &[5.0, 5.0, 6.0, 5.0]),
    );
    assert_eq!((count, listed), (1, vec![(5, 2)]));
    let n = 40;
    let days: Vec<Day> = (0..n)
        .map(|i| if i == n - 1 { 0 } else { i as Day })
        .collect();
    let (count, listed) = repeated_rows(
        &vec![0; n],
        1,
        &vec![7; n],
        &(2..2 + n as u64).collect::<Vec<_>>(),
        (&days, &vec![1.0; n]),
    );
    assert_eq!((count, listed), (1, vec![(n as u64 + 1, 2)]));
}

#[test]
fn repeated_rows_are_those_a_row_by_row_comparison_finds() {
    // Customers with 1 to 120 rows each, fingerprints, days and amounts
    // drawn from small ranges so that rows repeat, and hashes collide with
    // different dates or amounts, among rows whose fingerprint no other
    // row has; checked against comparing each row with every row before
    // it.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut draw = |n: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % n
    };
    let mut customer = Vec::new();
    for c in 0..60u32 {
        let rows = 1 + draw(120);
        customer.extend(std::iter::repeat_n(c, rows as usize));
    }
    // Shuffled, so that each customer's rows are apart in the file.
    for i in (1..customer.len()).rev() {
        customer.swap(i, draw(i as u64 + 1) as usize);
    }
    let n = customer.len();
    // A third of the rows with a fingerprint of their own (spread over
    // all 64 bits, as a hash is), the others with one of six.
    let prints: Vec<u64> = (0..n)
        .map(|_| {
            if draw(3) == 0 {
                draw(u64::MAX)
            } else {
                draw(6).wrapping_mul(0x9E37_79B9_7F4A_7C15)
            }
        })
        .collect();
    let days: Vec<Day> = (0..n).map(|_| draw(3) as Day).collect();
    let amounts: Vec<f64> = (0..n).map(|_| draw(2) as f64 + 0.5).collect();
    let lines: Vec<u64> = (0..n as u64).map(|i| 2 + 2 * i).collect();
    let mut expected = Vec::new();
    for row in 0..n {
        let same = |r: usize| {
            customer[r] == customer[row]
                && prints[r] == prints[row]
                && days[r] == days[row]
                && amounts[r] == amounts[row]
        };
        if let Some(first) = (0..row).find(|&r| same(r)) {
            expected.push((lines[row], lines[first]));
        }
    }
    assert!(
        expected.len() > MAX_LISTED_DUPLICATES,
        "too few repeats to test"
    );
    let (count, listed) = repeated_rows(&customer, 60, &prints, &lines, (&days, &amounts));
    assert_eq!(count, expected.len() as u64);
    expected.truncate(MAX_LISTED_DUPLICATES);
    assert_eq!(listed, expected);
}

#[test]
fn column_types() {
    assert_eq!(column_type(&["", " "]), ColumnType::Empty);
    assert_eq!(column_type(&["1", "22", "-3"]), ColumnType::Integer);
    assert_eq!(column_type(&["1,5", "2"]), ColumnType::Number);
    assert_eq!(column_type(&["2024-01-02", "2024-02-03"]), ColumnType::Date);
    assert_eq!(column_type(&["19970101", "19970112"]), ColumnType::Date);
    assert_eq!(column_type(&["yes", "No"]), ColumnType::Boolean);
    assert_eq!(column_type(&["Paris", "Lyon"]), ColumnType::Text);
    assert_eq!(column_type(&["00004", "00012"]), ColumnType::Integer);
}

#[test]
fn a_category_column_is_kept_and_stored() {
    let text = "N° client;Date;Montant;Catégorie;Canal\n\
                a;01/02/2024;10,5;Bricolage;web\n\
                b;02/02/2024;20;;web\n\
                a;03/02/2024;-5; Jardin ;shop\n\
                c;04/02/2024;7;Bricolage\n";
    let (o, report) = import_orders("f.csv", text.as_bytes(), ImportOptions::default()).unwrap();
    assert_eq!(report.category_column.as_deref(), Some("Catégorie"));
    assert_eq!(o.categories, vec!["Bricolage", "Jardin"]);
    assert_eq!(o.category, vec![0, NO_CATEGORY, 1, 0]);
    let bytes = o.encode();
    assert_eq!(Orders::decode(&bytes).unwrap(), o);
    assert!(Orders::decode(&bytes[..bytes.len() - 1]).is_err());
    // Without a category column: none kept.
    let (plain, report) = import_orders(
        "g.csv",
        b"customer_id,date,amount\na,2024-01-01,1\n",
        ImportOptions::default(),
    )
    .unwrap();
    assert_eq!(report.category_column, None);
    assert!(plain.category.is_empty() && plain.categories.is_empty());
    assert_eq!(Orders::decode(&plain.encode()).unwrap(), plain);
}

#[test]
fn tables_of_format_1_still_read() {
    // Written by hand as format 1 stored them: one key, one row.
    let mut v1 = Vec::new();
    v1.extend_from_slice(b"SGLO");
    v1.extend_from_slice(&1u16.to_le_bytes());
    v1.extend_from_slice(&1u32.to_le_bytes());
    v1.extend_from_slice(&1u32.to_le_bytes());
    v1.extend_from_slice(b"a");
    v1.extend_from_slice(&1u32.to_le_bytes());
    v1.extend_from_slice(&0u32.to_le_bytes());
    v1.extend_from_slice(&19_000i32.to_le_bytes());
    v1.extend_from_slice(&12.5f64.to_le_bytes());
    let o = Orders::decode(&v1).unwrap();
    assert_eq!(o, Orders::from_rows(&[("a".into(), 19_000, 12.5)]));
    let mut future = v1.clone();
    future[4] = 9;
    assert!(
        Orders::decode(&future)
            .unwrap_err()
            .to_string()
            .contains("version 9")
    );
}
/// A file of about `bytes` bytes with what the parts must agree on:
/// bad rows, slash dates read late (some impossible in the chosen
/// reading), keys differing in case and spaces, categories differing in
/// case, repeated rows, refunds, blank lines and, if `crlf`, CRLF.
fn messy_file(seed: u64, bytes: usize, crlf: bool, slash: bool) -> Vec<u8> {
    let mut rng = crate::model::rng::Rng(seed);
    let eol = if crlf { "\r\n" } else { "\n" };
    let mut out = format!("order_id,customer_id,order_date,amount,category{eol}");
    let mut previous = String::new();
    let mut i = 0;
    while out.len() < bytes {
        i += 1;
        let c = rng.below(3_000);
        let key = match c % 7 {
            0 => format!("Client{c}@Example.com"),
            1 => format!(" client{c}@example.com"),
            _ => format!("C{c}"),
        };
        let (day, month) = (1 + rng.below(28), 1 + rng.below(12));
        let date = if slash {
            // Mostly day first; a few only month first, rejected.
            if rng.chance(0.002) {
                format!("{month:02}/{:02}/2024", 13 + rng.below(16))
            } else {
                format!("{day:02}/{month:02}/2024")
            }
        } else {
            format!("2024-{month:02}-{day:02}")
        };
        let amount = match rng.below(200) {
            0 => "abc".to_string(),
            1 => String::new(),
            2 => format!("-{}", rng.below(50)),
            _ => format!("{}.{:02}", rng.below(500), rng.below(100)),
        };
        let category = ["Books", "books", "BOOKS", "Music", "", "Garden"][rng.below(6)];
        let row = format!("O{i},{key},{date},{amount},{category}{eol}");
        if rng.chance(0.01) && !previous.is_empty() {
            out.push_str(&previous.clone());
        }
        if rng.chance(0.003) {
            out.push_str(eol);
        }
        if rng.chance(0.001) {
            out.push_str(&format!("O{i},,2024-01-01,3{eol}"));
        }
        out.push_str(&row);
        previous = row;
    }
    out.into_bytes()
}

#[test]
fn reading_in_parts_gives_what_reading_in_one_pass_gives() {
    for (seed, crlf, slash) in [
        (1, false, false),
        (2, true, false),
        (3, false, true),
        (4, true, true),
    ] {
        let file = messy_file(seed, 2_500_000, crlf, slash);
        let one = import_orders("f.csv", &file, ImportOptions::default()).unwrap();
        assert!(one.1.rejected_total > 10 && one.1.duplicate_rows > 10 && one.1.refunds > 10);
        if slash {
            assert!(
                one.1
                    .rejected
                    .iter()
                    .any(|e| e.reason.contains("not a real day"))
            );
        }
        parts_give_one_pass("f.csv", &file, &one, &format!("seed {seed}"));
    }
}

/// Reads `file` in 2, 3 and 8 parts and checks that each reading gives
/// `one`, what one pass gave: the orders and the whole report.
fn parts_give_one_pass(name: &str, file: &[u8], one: &(Orders, ImportReport), what: &str) {
    for threads in [2, 3, 8] {
        let parts = import_orders_parallel(name, file, ImportOptions::default(), threads).unwrap();
        assert_eq!(parts.0, one.0, "{what}, {threads} threads");
        assert_eq!(parts.1, one.1, "{what}, {threads} threads");
    }
}

#[test]
fn files_that_cannot_be_cut_safely_are_read_in_one_pass() {
    // A quoted line break after the sample, and a lone carriage return.
    let mut quoted = messy_file(5, 1_500_000, false, false);
    quoted.extend_from_slice(b"O9,\"C1\n\",2024-01-01,3,Books\n");
    let mut lone_cr = messy_file(6, 1_500_000, false, false);
    lone_cr.extend_from_slice(b"O9,C1,2024-01-01,3,Books\rO10,C2,2024-01-01,4,Books\n");
    for file in [quoted, lone_cr] {
        let one = import_orders("f.csv", &file, ImportOptions::default()).unwrap();
        let parts = import_orders_parallel("f.csv", &file, ImportOptions::default(), 4).unwrap();
        assert_eq!(parts.0, one.0);
        assert_eq!(parts.1, one.1);
    }
}

#[test]
fn a_windows_1252_byte_after_the_sample_sets_the_encoding_of_the_whole_file() {
    // Plain ASCII up to a customer written in Windows-1252 near the end:
    // the whole file is Windows-1252, read in parts as in one pass.
    let mut file = messy_file(9, 1_500_000, false, false);
    file.extend_from_slice(b"O9,C\xe9line,2024-01-01,3,Books\n");
    let one = import_orders("f.csv", &file, ImportOptions::default()).unwrap();
    assert!(one.0.customer_keys.iter().any(|k| k == "Céline"));
    let parts = import_orders_parallel("f.csv", &file, ImportOptions::default(), 4).unwrap();
    assert_eq!(parts.0, one.0);
    assert_eq!(parts.1, one.1);
}

#[test]
fn quoted_fields_read_in_parts_give_what_one_pass_gives() {
    // Quoted fields on every row: with commas and doubled quotes only, the
    // parts are read side by side; with line breaks too, a cut falls inside
    // one and the file is read again in one pass. Either way, the same.
    for (seed, breaks) in [(7, false), (8, true)] {
        let mut rng = crate::model::rng::Rng(seed);
        let mut file = String::from("order_id,customer_id,order_date,amount,comment\n");
        let mut i = 0;
        while file.len() < 2_000_000 {
            i += 1;
            let comment = match rng.below(4) {
                0 => "plain".to_string(),
                1 => "\"late, but \"\"fine\"\"\"".to_string(),
                2 if breaks => "\"line one\nline two, and three\"".to_string(),
                _ => "\"size 42, blue\"".to_string(),
            };
            let amount = if rng.below(300) == 0 {
                "n/a".to_string()
            } else {
                format!("{}.5", rng.below(90))
            };
            file.push_str(&format!(
                "O{i},C{},2024-{:02}-{:02},{amount},{comment}\n",
                rng.below(2_000),
                1 + rng.below(12),
                1 + rng.below(28)
            ));
        }
        let one = import_orders("f.csv", file.as_bytes(), ImportOptions::default()).unwrap();
        assert!(one.1.rejected_total > 5, "{}", one.1.rejected_total);
        parts_give_one_pass("f.csv", file.as_bytes(), &one, &format!("seed {seed}"));
    }
}

/// A file of order lines of about `bytes` bytes: the order's fields on its
/// first line only (as Shopify writes them), its lines together unless
/// `apart`, some orders cancelled, some lines with no order id, some
/// orders with no customer.
fn order_lines_file(seed: u64, bytes: usize, apart: bool) -> String {
    let mut rng = crate::model::rng::Rng(seed);
    let mut file =
        String::from("Order ID,Email,Financial Status,Created at,Quantity,Unit Price,Total\n");
    let mut held: Vec<String> = Vec::new();
    let mut i = 0;
    while file.len() < bytes {
        i += 1;
        let status = if rng.below(40) == 0 { "voided" } else { "paid" };
        let email = if rng.below(200) == 0 {
            String::new()
        } else {
            format!("c{}@example.com", rng.below(3_000))
        };
        let lines = 1 + rng.below(6);
        for k in 0..lines {
            let name = if rng.below(500) == 0 {
                String::new()
            } else {
                format!("#{i}")
            };
            let row = if k == 0 {
                format!(
                    "{name},{email},{status},2024-{:02}-{:02} 10:00:00 +0100,{},{}.25,{}.50\n",
                    1 + rng.below(12),
                    1 + rng.below(28),
                    1 + rng.below(3),
                    rng.below(80),
                    rng.below(400)
                )
            } else {
                format!("{name},,,,{},{}.10,\n", 1 + rng.below(3), rng.below(80))
            };
            if apart && k > 0 && rng.below(3) == 0 {
                held.push(row);
            } else {
                file.push_str(&row);
            }
        }
        if held.len() > 50 {
            for row in held.drain(..) {
                file.push_str(&row);
            }
        }
    }
    for row in held {
        file.push_str(&row);
    }
    file
}

#[test]
fn order_lines_read_in_parts_give_what_one_pass_gives() {
    // Lines together: each cut is moved past the order before it. Lines of
    // one order apart: the parts share orders, and the file is read again
    // in one pass. Either way, the same.
    for (seed, apart) in [(9, false), (10, true)] {
        let file = order_lines_file(seed, 2_500_000, apart);
        let one = import_orders(
            "orders_export.csv",
            file.as_bytes(),
            ImportOptions::default(),
        )
        .unwrap();
        let lines = one.1.lines.as_ref().expect("order lines");
        assert!(
            lines.orders > 10_000 && lines.rows > lines.orders,
            "{lines:?}"
        );
        assert!(one.1.rejected_total > 5 && one.1.excluded_orders() > 100);
        parts_give_one_pass(
            "orders_export.csv",
            file.as_bytes(),
            &one,
            &format!("seed {seed}"),
        );
    }
}

#[test]
fn invoice_lines_read_in_parts_give_what_one_pass_gives_cancellations_and_rejections_too() {
    // Invoices numbered as the UCI workbook numbers them, cancellations
    // prefixed with C; more orders rejected when they are made rows (no
    // date on any of their lines) than the report lists, so that the
    // parts' rejections are listed in the order one pass lists them.
    let mut rng = crate::model::rng::Rng(11);
    let mut file = String::from("InvoiceNo,CustomerID,InvoiceDate,Quantity,UnitPrice\n");
    let mut i = 500_000;
    while file.len() < 2_500_000 {
        i += 1;
        let cancels = rng.below(30) == 0;
        let id = if cancels {
            format!("C{i}")
        } else {
            i.to_string()
        };
        let customer = 10_000 + rng.below(3_000);
        let date = if rng.below(2) == 0 {
            String::new()
        } else {
            format!(
                "2011-{:02}-{:02} 10:00",
                1 + rng.below(12),
                1 + rng.below(28)
            )
        };
        for _ in 0..1 + rng.below(5) {
            // Now and then a line with no invoice number, rejected as it
            // is read.
            let id = if rng.below(300) == 0 { "" } else { id.as_str() };
            file.push_str(&format!(
                "{id},{customer},{date},{}{},{}.{:02}\n",
                if cancels { "-" } else { "" },
                1 + rng.below(6),
                rng.below(20),
                rng.below(100)
            ));
        }
    }
    let one = import_orders("invoices.csv", file.as_bytes(), ImportOptions::default()).unwrap();
    assert!(
        one.1.cancellation_invoices > 100,
        "{}",
        one.1.cancellation_invoices
    );
    assert!(
        one.1.rejected_total > MAX_LISTED_ERRORS as u64,
        "{}",
        one.1.rejected_total
    );
    // Lines with no invoice number, rejected as they are read, are listed
    // before orders with no date, rejected when they are made rows; the
    // list is full.
    let listed = &one.1.rejected;
    assert_eq!(listed.len(), MAX_LISTED_ERRORS);
    let first_date = listed
        .iter()
        .position(|e| e.fault == Fault::Empty(Field::Date))
        .unwrap();
    assert!(first_date > 10, "{first_date}");
    assert!(
        listed[..first_date]
            .iter()
            .all(|e| e.fault == Fault::Empty(Field::OrderId))
    );
    assert!(
        listed[first_date..]
            .iter()
            .all(|e| e.fault == Fault::Empty(Field::Date))
    );
    parts_give_one_pass("invoices.csv", file.as_bytes(), &one, "invoices");
}

#[test]
fn a_preview_before_and_after_the_columns_are_chosen() {
    let file = "Kunde;Datum;Betrag\nk1;2024-01-02;12,50\nk2;2024-01-03;abc\nk3;2024-01-0";
    let p = preview("f.csv", file.as_bytes(), false, ImportOptions::default());
    // Half the amounts are not numbers: no column looks like amounts.
    assert!(
        matches!(&p.error, Some(ImportError::MissingColumns { missing, .. }) if missing == &[Role::Amount]),
        "{:?}",
        p.error
    );
    assert_eq!(p.columns, ["Kunde", "Datum", "Betrag"]);
    let options = ImportOptions {
        map: vec![(Role::Amount, ColumnRef::Name("betrag".into()))],
        ..ImportOptions::default()
    };
    let p = preview("f.csv", file.as_bytes(), false, options);
    assert_eq!(p.error, None);
    assert_eq!(
        p.chosen,
        [
            (Role::CustomerId, Some(0)),
            (Role::OrderDate, Some(1)),
            (Role::Amount, Some(2))
        ]
    );
    // The cut last line is left out of the preview.
    assert_eq!(p.rows, [("k1".to_string(), "2024-01-02".to_string(), 12.5)]);
    assert_eq!(p.rejected.len(), 1);
    assert_eq!(
        (p.rejected[0].line, p.rejected[0].reason.as_str()),
        (3, "\"abc\" is not an amount")
    );
}

#[test]
fn short_keys_packed_and_long_keys_find_their_own_index() {
    let mut index = KeyIndex::default();
    let mut keys = Vec::new();
    let got: Vec<u32> = [
        "abc",
        "abcdefgh",
        "abcdefghi",
        "",
        "abcdefgh",
        "a\0",
        "a",
        "abc",
        "",
        "abcdefghi",
    ]
    .iter()
    .map(|k| index.index(&mut keys, k.as_bytes()))
    .collect();
    assert_eq!(got, [0, 1, 2, 3, 1, 4, 5, 0, 3, 2]);
    assert_eq!(keys, ["abc", "abcdefgh", "abcdefghi", "", "a\0", "a"]);
    // Growing the table keeps every key where it was.
    for i in 0..10_000 {
        index.index(&mut keys, format!("k{i}").as_bytes());
    }
    assert_eq!(index.index_owned(&mut keys, "abcdefgh".into()), 1);
    assert_eq!(index.index(&mut keys, b"k9999"), 10_005);
}

/// Statuses that say no sale happened, as the platforms write them
/// (PrestaShop's default statuses in English and French among them), and
/// statuses of sales, which stay.
#[test]
fn statuses_that_say_no_sale_happened() {
    use super::lines::excluded_status;
    for s in [
        "Canceled",
        "Annulé",
        "Payment error",
        "Erreur de paiement",
        "Awaiting bank wire payment",
        "Awaiting check payment",
        "Awaiting Cash On Delivery validation",
        "En attente de virement bancaire",
        "voided",
        "requires_payment_method",
    ] {
        assert!(excluded_status(s), "{s}");
    }
    for s in [
        "Payment accepted",
        "Paiement accepté",
        "Delivered",
        "Livré",
        "Shipped",
        "Awaiting shipment",
        "paid",
        "refunded",
        "partially_refunded",
        "Terminée",
        "Complete",
    ] {
        assert!(!excluded_status(s), "{s}");
    }
}

#[test]
fn extreme_amounts_are_those_the_sorted_amounts_give() {
    // Amounts with ties and a few far out, 20 to 5,000 of them: the
    // quantiles read from the sorted amounts, the bounds ten spreads
    // beyond, the amounts outside them largest first.
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let mut draw = |n: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % n
    };
    for n in [20usize, 21, 150, 199, 200, 201, 1_000, 5_000] {
        let amounts: Vec<f64> = (0..n)
            .map(|_| match draw(100) {
                0 => 1e6 + draw(1000) as f64,
                1 => -(draw(5_000) as f64) * 100.0,
                _ => (draw(40) as f64) * 2.5,
            })
            .collect();
        let mut sorted = amounts.clone();
        sorted.sort_by(f64::total_cmp);
        let at = |q: f64| sorted[((n - 1) as f64 * q).round() as usize];
        let spread = (at(0.75) - at(0.25)).max(1e-9);
        let (lo, hi) = if n >= 200 { (0.01, 0.99) } else { (0.25, 0.75) };
        let (low, high) = (at(lo) - 10.0 * spread, at(hi) + 10.0 * spread);
        let mut want: Vec<f64> = amounts
            .iter()
            .copied()
            .filter(|a| *a > high || *a < low)
            .collect();
        want.sort_by(|a, b| b.abs().total_cmp(&a.abs()));
        let total = want.len() as u64;
        want.truncate(20);
        assert_eq!(extreme_amounts(&amounts), (total, want), "{n} amounts");
    }
}

proptest::proptest! {
    /// A key read from its bytes is the key its text normalises to.
    #[test]
    fn plain_keys_are_their_normalised_text(key in "[ a-zA-Z0-9@.é\t]{0,12}") {
        if let Some(plain) = plain_key(key.as_bytes()) {
            let text = normalised_key(&key);
            proptest::prop_assert_eq!(plain, text.as_bytes());
        }
    }
}

#[test]
fn keys_read_from_their_bytes() {
    assert_eq!(plain_key(b"C000123"), Some(&b"C000123"[..]));
    assert_eq!(plain_key(b"ann@example.com"), Some(&b"ann@example.com"[..]));
    for other in ["", " C1", "C1 ", "Ann@Example.com", "Zoé"] {
        assert_eq!(plain_key(other.as_bytes()), None, "{other}");
    }
}

/// A part scanned a block at a time tells what the whole part tells:
/// characters, carriage returns and line breaks cut by a block's end.
#[test]
fn a_part_scanned_a_block_at_a_time_as_a_whole() {
    let whole = |rest: &[u8], last: bool| Scan {
        newlines: memchr::memchr_iter(b'\n', rest).count() as u64,
        lone_cr: memchr::memchr_iter(b'\r', rest).any(|i| rest.get(i + 1) != Some(&b'\n')),
        utf8: match std::str::from_utf8(rest) {
            Ok(_) => true,
            Err(e) => last && e.error_len().is_none(),
        },
    };
    for cut in [65_534, 65_535, 65_536, 131_071] {
        for tail in ["é\r\nx,1\n", "\r\n", "\ra\n", "€\n"] {
            let mut text = "a".repeat(cut).into_bytes();
            text.extend_from_slice(tail.as_bytes());
            text.extend_from_slice("b,ü\n".repeat(30_000).as_bytes());
            for last in [true, false] {
                assert_eq!(
                    scan(&text, 0, text.len(), last),
                    whole(&text, last),
                    "{cut} {tail:?}"
                );
                // The part cut inside its last character, and a byte
                // that is no UTF-8 just past a block.
                let short = &text[..cut + 1];
                assert_eq!(
                    scan(short, 0, short.len(), last),
                    whole(short, last),
                    "{cut} {tail:?}"
                );
                let mut broken = text.clone();
                broken[cut + 2] = 0xFF;
                assert_eq!(scan(&broken, 0, broken.len(), last), whole(&broken, last));
            }
        }
    }
}

#[test]
fn order_ids_kept_end_to_end() {
    let mut ids = IdIndex::default();
    for (k, id) in ["O1", "O10", "", "O1 ", "Zoé"].iter().enumerate() {
        assert_eq!(ids.get(id.as_bytes()), None);
        ids.insert(id.as_bytes(), 10 * k as u32);
    }
    assert_eq!(ids.get(b"O10"), Some(10));
    assert_eq!(ids.get(b""), Some(20));
    assert_eq!(ids.get("Zoé".as_bytes()), Some(40));
    assert_eq!(ids.get(b"O"), None);
    // Found with the last one tried first: the same answers.
    for (id, want) in [
        ("O10", Some(10)),
        ("O10", Some(10)),
        ("O1", Some(0)),
        ("O", None),
        ("O1", Some(0)),
    ] {
        assert_eq!(ids.find(id.as_bytes()), want, "{id}");
    }
    assert_eq!(ids.len(), 5);
    let all: Vec<(&[u8], u32)> = ids.iter().collect();
    assert_eq!(all[3], (&b"O1 "[..], 30));
    assert_eq!(plain_text(b"O1"), Some(&b"O1"[..]));
    for other in ["", "O1 ", " O1", "Zoé", "\tO1"] {
        assert_eq!(plain_text(other.as_bytes()), None, "{other}");
    }
}

proptest::proptest! {
    /// The values at some ranks, found without sorting, are those of the
    /// values sorted; many equal values, signs, zeros and infinities too.
    #[test]
    fn order_statistics_as_a_sort_gives_them(
        values in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::num::f64::ANY,
                proptest::strategy::Strategy::prop_map(0u32..5, f64::from),
                (-1000.0..1000.0f64),
                proptest::strategy::Just(-0.0),
            ],
            1..400,
        ),
        picks in proptest::array::uniform4(0.0..1.0f64),
    ) {
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        let mut ranks = picks.map(|p| (p * (values.len() - 1) as f64) as usize);
        ranks.sort_unstable();
        let got = order_statistics(&values, ranks);
        for (r, v) in ranks.iter().zip(got) {
            proptest::prop_assert_eq!(v.to_bits(), sorted[*r].to_bits());
        }
        // Two ranks, and one.
        let [a, b] = order_statistics(&values, [ranks[0], ranks[3]]);
        proptest::prop_assert_eq!((a.to_bits(), b.to_bits()), (sorted[ranks[0]].to_bits(), sorted[ranks[3]].to_bits()));
        let [c] = order_statistics(&values, [ranks[1]]);
        proptest::prop_assert_eq!(c.to_bits(), sorted[ranks[1]].to_bits());
    }
}

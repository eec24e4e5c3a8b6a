use super::*;
use crate::import::orders::Orders;
use crate::segments::rfm;

/// The RFM scores of the data at `as_of`, with R's default rules.
fn scored(data: &Dataset, as_of: Day) -> RfmResult {
    rfm::compute(
        &data.orders,
        as_of,
        &rfm::RfmConfig::default(),
        &rfm::default_rules(),
    )
}

#[test]
fn formulas_are_neutralised() {
    for bad in [
        "=1+1",
        "@SUM(A1)",
        "\tx",
        "\rx",
        "+A1",
        "-SUM(1)",
        "+1+cmd|' /C calc'!A0",
        "-2+A1",
        "+",
        "-(1)",
    ] {
        assert!(neutralise(bad).starts_with('\''), "{bad:?}");
    }
    // Numbers and phone numbers stay as written: no apostrophe before
    // a French mobile or a refund.
    for number in [
        "+33 6 12 34 56 78",
        "-2",
        "-12.50",
        "-1 234,56",
        "-1\u{202f}234,56",
        "+1 (555) 010-9999",
    ] {
        assert_eq!(neutralise(number), number);
    }
    assert_eq!(neutralise("Anne"), "Anne");
    assert_eq!(quote("a,b", ','), "\"a,b\"");
    assert_eq!(
        quote("=HYPERLINK(\"x\")", ';'),
        "\"'=HYPERLINK(\"\"x\"\")\""
    );
}

#[test]
fn layouts_put_the_email_first_and_skip_customers_without_one() {
    let mut data = Dataset::from_orders(Orders::from_rows(&[
        ("c1".into(), 1, 10.0),
        ("=cmd|' /C calc'!A0".into(), 2, 20.0),
        ("Z@x.com".into(), 3, 30.0),
    ]));
    data.add_source(
        "c.csv",
        b"customer_id,email,first_name,last_name\nc1,a@x.com,Anne,Roy\n",
    )
    .unwrap();
    let result = scored(&data, 10);
    let all: Vec<usize> = (0..result.segment_names.len()).collect();
    let e = members(
        &data,
        &result,
        &all,
        &ExportOptions::csv(Layout::Mailchimp, ','),
    );
    let text = String::from_utf8(e.bytes).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "\u{feff}Email Address,First Name,Last Name,Tags");
    assert!(lines[1].starts_with("a@x.com,Anne,Roy,"), "{}", lines[1]);
    assert!(lines[2].starts_with("z@x.com,,,"), "{}", lines[2]);
    assert_eq!((e.rows, e.without_email), (2, 1));
    let plain = members(
        &data,
        &result,
        &all,
        &ExportOptions::csv(Layout::Plain, ';'),
    );
    let text = String::from_utf8(plain.bytes).unwrap();
    assert!(text.contains("\r\n'=cmd|' /C calc'!A0;"), "{text}");
    assert_eq!(plain.rows, 3);
    // A saved segment: its name in the segment column; a customer
    // without orders has empty RFM cells.
    data.add_source(
        "c.csv",
        b"customer_id,email,first_name,last_name\nc1,a@x.com,Anne,Roy\np9,p@x.com,Pia,Lu\n",
    )
    .unwrap();
    let set = Bitmap::from_fn(data.orders.customer_keys.len(), |c| c == 0 || c == 3);
    let e = set_members(
        &data,
        &result,
        &[("VIP".to_string(), set)],
        &ExportOptions::csv(Layout::Plain, ','),
    );
    let text = String::from_utf8(e.bytes).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[1].starts_with("c1,a@x.com,Anne,Roy,VIP,"),
        "{}",
        lines[1]
    );
    assert_eq!(lines[2], "p9,p@x.com,Pia,Lu,VIP,,,,,,");
}

#[test]
fn writing_tells_its_steps_and_changes_nothing() {
    let rows: Vec<(String, i32, f64)> = (0..120)
        .map(|i| (format!("c{i}"), i % 30, 10.0 + f64::from(i)))
        .collect();
    let data = Dataset::from_orders(Orders::from_rows(&rows));
    let result = scored(&data, 40);
    let all: Vec<usize> = (0..result.segment_names.len()).collect();
    let options = ExportOptions::csv(Layout::Plain, ',');
    let mut steps = Vec::new();
    let e = members_steps(&data, &result, &all, &options, None, &mut |done, total| {
        steps.push((done, total))
    });
    assert_eq!(e, members(&data, &result, &all, &options));
    assert_eq!(e.rows, 120);
    // From none to all of the 120, in order, one step per 3 customers
    // (120 / 50, rounded up), then the end.
    assert_eq!(steps.first(), Some(&(0, 120)));
    assert_eq!(steps.last(), Some(&(120, 120)));
    assert!(steps.windows(2).all(|w| w[0].0 < w[1].0), "{steps:?}");
    assert_eq!(steps.len(), 41);
    // A set's export counts the customers of the union.
    let n = data.orders.customer_keys.len();
    let sets = [("A".to_string(), Bitmap::from_fn(n, |c| c < 7))];
    let mut last = None;
    set_members_steps(&data, &result, &sets, &options, None, &mut |d, t| {
        last = Some((d, t))
    });
    assert_eq!(last, Some((7, 7)));
}

/// The RFM scores of `data` and one set of every customer.
fn everyone(data: &Dataset) -> (RfmResult, [(String, Bitmap); 1]) {
    let n = data.orders.customer_keys.len();
    let result = scored(data, 10);
    (result, [("All".to_string(), Bitmap::from_fn(n, |_| true))])
}

#[test]
fn customers_who_did_not_agree_or_unsubscribed_are_left_out_unless_asked() {
    let rows: Vec<(String, i32, f64)> = ["a", "b", "c", "d", "e"]
        .iter()
        .map(|c| (c.to_string(), 1, 10.0))
        .collect();
    let mut data = Dataset::from_orders(Orders::from_rows(&rows));
    data.add_source(
        "c.csv",
        b"customer_id,email,Accepts Email Marketing,Do not email\na,a@x.com,yes,\nb,b@x.com,no,\nc,c@x.com,,yes\nd,d@x.com,,\ne,e@x.com,yes,no\n",
    )
    .unwrap();
    data.add_source(
        "e.csv",
        b"customer_id,campaign,opened,unsubscribed\nd,Spring,1,1\ne,Spring,1,0\n",
    )
    .unwrap();
    assert_eq!(without_consent(&data), vec![false, true, true, true, false]);
    let (result, sets) = everyone(&data);
    let mut options = ExportOptions::csv(Layout::Klaviyo, ',');
    let out = set_members(&data, &result, &sets, &options);
    assert_eq!((out.rows, out.without_consent), (2, 3));
    let text = String::from_utf8(out.bytes).unwrap();
    assert!(text.contains("a@x.com") && text.contains("e@x.com") && !text.contains("b@x.com"));
    options.include_without_consent = true;
    let all = set_members(&data, &result, &sets, &options);
    assert_eq!((all.rows, all.without_consent), (5, 0));
}

/// Advertising audiences: one SHA-256 of each normalised address, no
/// readable address, no other column; a shared address once. The
/// digests are FIPS 180-2's "abc" example and Python's hashlib on the
/// normalised addresses.
#[test]
fn audiences_hold_hashed_normalised_addresses() {
    assert_eq!(
        sha256_hex("abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(
        normalised_email("  Jean.Dupont@GMail.com ", Layout::MetaAudience),
        "jean.dupont@gmail.com"
    );
    assert_eq!(
        normalised_email("  Jean.Dupont@GMail.com ", Layout::GoogleAdsAudience),
        "jeandupont@gmail.com"
    );
    assert_eq!(
        normalised_email("anne.roy@example.fr", Layout::GoogleAdsAudience),
        "anne.roy@example.fr"
    );
    let mut data = Dataset::from_orders(Orders::from_rows(&[
        ("c1".into(), 1, 10.0),
        ("c2".into(), 2, 20.0),
        ("c3".into(), 3, 30.0),
        ("c4".into(), 4, 40.0),
    ]));
    data.add_source(
        "c.csv",
        b"customer_id,email,first_name\nc1,  Jean.Dupont@GMail.com ,Jean\nc2,anne.roy@example.fr,Anne\nc3,jean.dupont@gmail.com,J\nc4,,Nobody\n",
    )
    .unwrap();
    let result = scored(&data, 10);
    let all: Vec<usize> = (0..result.segment_names.len()).collect();
    let meta = members(
        &data,
        &result,
        &all,
        &ExportOptions::csv(Layout::MetaAudience, ','),
    );
    let mut lines: Vec<String> = String::from_utf8(meta.bytes)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(lines.remove(0), "\u{feff}email");
    lines.sort();
    assert_eq!(
        lines,
        [
            "2b79ad2133a56f795c3d9157c88db8bd684b981f292ae17ada5c8d585273d7b7",
            "fc68cadbd6210d3a36541634d2cd90e784cc757c2770330639d29b11ba5e294c",
        ]
    );
    assert_eq!((meta.rows, meta.without_email), (2, 1));
    let google = members(
        &data,
        &result,
        &all,
        &ExportOptions::csv(Layout::GoogleAdsAudience, ','),
    );
    let text = String::from_utf8(google.bytes).unwrap();
    assert!(text.starts_with("\u{feff}Email\r\n"));
    assert!(text.contains("a58df53d782ec0e3ed0e64226ae34b2519457e405954edc29c8cfa515de1eb02"));
    assert!(!text.contains('@'));
}

/// Each tool's merge tags, as its documentation writes them, and the
/// last ordered category in the column those tags read: the latest day
/// before the analysis date, refunds and empty categories aside.
#[test]
fn merge_tags_and_the_last_category_they_read() {
    let draft = "Hi {first_name}, new {last_category} for you. {first_name}!";
    assert_eq!(
        Layout::Mailchimp.with_merge_tags(draft),
        "Hi *|FNAME|*, new *|LASTCAT|* for you. *|FNAME|*!"
    );
    assert_eq!(
        Layout::Klaviyo.with_merge_tags(draft),
        "Hi {{ first_name|default:'' }}, new {{ person|lookup:'Last Category'|default:'' }} for you. {{ first_name|default:'' }}!"
    );
    assert_eq!(
        Layout::HubSpot.with_merge_tags(draft),
        "Hi {{ contact.firstname }}, new {{ contact.last_category }} for you. {{ contact.firstname }}!"
    );
    assert_eq!(
        Layout::Brevo.with_merge_tags(draft),
        "Hi {{ contact.FIRSTNAME }}, new {{ contact.LAST_CATEGORY }} for you. {{ contact.FIRSTNAME }}!"
    );
    assert_eq!(Layout::Plain.with_merge_tags(draft), draft);

    // a: Books on day 5, Garden on day 9 (the last), a refund in Toys on
    // day 10 and Music on day 20, after the analysis date (15). b: one
    // order with no category. c: Books twice on the same day, then
    // Garden on that day too (the later row).
    let mut orders = Orders::from_rows(&[
        ("a@x.com".into(), 5, 10.0),
        ("a@x.com".into(), 9, 10.0),
        ("a@x.com".into(), 10, -4.0),
        ("a@x.com".into(), 20, 10.0),
        ("b@x.com".into(), 3, 10.0),
        ("c@x.com".into(), 7, 10.0),
        ("c@x.com".into(), 7, 10.0),
    ]);
    orders.categories = ["Books", "Garden", "Toys", "Music"]
        .map(String::from)
        .to_vec();
    orders.category = vec![0, 1, 2, 3, NO_CATEGORY, 0, 1];
    let mut data = Dataset::from_orders(orders);
    data.add_source(
        "c.csv",
        b"customer_id,email,first_name,last_name\na@x.com,a@x.com,Anne,Roy\nb@x.com,b@x.com,Bo,Li\nc@x.com,c@x.com,Cy,Ma\n",
    )
    .unwrap();
    let result = scored(&data, 15);
    let n = data.orders.customer_keys.len();
    let sets = [("Fans".to_string(), Bitmap::full(n))];
    let file = |layout| {
        String::from_utf8(
            set_members(&data, &result, &sets, &ExportOptions::csv(layout, ',')).bytes,
        )
        .unwrap()
    };
    assert_eq!(
        file(Layout::Mailchimp),
        "\u{feff}Email Address,First Name,Last Name,Last Category,Tags\r\n\
         a@x.com,Anne,Roy,Garden,Fans\r\nb@x.com,Bo,Li,,Fans\r\nc@x.com,Cy,Ma,Garden,Fans\r\n"
    );
    assert!(
        file(Layout::Brevo)
            .starts_with("\u{feff}EMAIL,FIRSTNAME,LASTNAME,LAST_CATEGORY,SEGMENT\r\n")
    );
    assert!(
        file(Layout::HubSpot)
            .starts_with("\u{feff}Email,First Name,Last Name,Last Category,Segment\r\n")
    );
    let plain = ExportOptions {
        columns: vec!["email".into(), "last_category".into()],
        ..ExportOptions::csv(Layout::Plain, ',')
    };
    assert_eq!(
        String::from_utf8(set_members(&data, &result, &sets, &plain).bytes).unwrap(),
        "\u{feff}email,last_category\r\na@x.com,Garden\r\nb@x.com,\r\nc@x.com,Garden\r\n"
    );
}

/// The predictions' columns: percentages with one decimal, the next
/// order's date from the analysis date, the value with two decimals; a
/// customer without a prediction has empty cells, and a next order
/// more than ten years away is left empty.
#[test]
fn the_predictions_columns() {
    let data = Dataset::from_orders(Orders::from_rows(&[
        ("a@x.com".into(), 1, 10.0),
        ("b@x.com".into(), 2, 20.0),
        ("c@x.com".into(), 3, 30.0),
    ]));
    let result = scored(&data, 10);
    let preds = [
        CustomerPrediction {
            customer: 0,
            p_alive: 0.8766,
            order_within_7_days: 0.0449,
            order_within_30_days: 0.25,
            days_to_next_order: 31,
            clv: 123.456,
            ..Default::default()
        },
        CustomerPrediction {
            customer: 2,
            p_alive: 0.1,
            days_to_next_order: 5000,
            ..Default::default()
        },
    ];
    let as_of = crate::model::date::days_from_civil(2025, 1, 1);
    let n = data.orders.customer_keys.len();
    let options = ExportOptions {
        columns: [
            "customer_id",
            "chance_active",
            "order_within_7_days",
            "order_within_30_days",
            "next_order_date",
            "predicted_value",
        ]
        .map(String::from)
        .to_vec(),
        ..ExportOptions::csv(Layout::Plain, ',')
    };
    let e = set_members_steps(
        &data,
        &result,
        &[("All".to_string(), Bitmap::full(n))],
        &options,
        Some(Predicted {
            customers: &preds,
            as_of,
        }),
        &mut |_, _| {},
    );
    assert_eq!(
        String::from_utf8(e.bytes).unwrap(),
        "\u{feff}customer_id,chance_active,order_within_7_days,order_within_30_days,next_order_date,predicted_value\r\n\
         a@x.com,87.7,4.5,25.0,2025-02-01,123.46\r\n\
         b@x.com,,,,,\r\n\
         c@x.com,10.0,0.0,0.0,,0.00\r\n"
    );
    let columns = columns_available(&data, true);
    assert_eq!(&columns[11..16], &PREDICTION_COLUMNS[..]);
    // Without the models, the columns are not offered and not written.
    assert!(
        !columns_available(&data, false)
            .iter()
            .any(|c| c == "chance_active")
    );
    let plain = set_members(
        &data,
        &result,
        &[("All".to_string(), Bitmap::full(n))],
        &options,
    );
    assert!(
        String::from_utf8(plain.bytes)
            .unwrap()
            .starts_with("\u{feff}customer_id\r\n")
    );
}

#[test]
fn a_holdout_keeps_an_exact_seeded_share_out_of_the_file() {
    let rows: Vec<(String, i32, f64)> = (0..50).map(|c| (format!("c{c}@x.com"), 1, 10.0)).collect();
    let mut data = Dataset::from_orders(Orders::from_rows(&rows));
    // c0 has no e-mail address to write: not sendable, not drawn.
    data.orders.customer_keys[0] = "c0".into();
    let (result, sets) = everyone(&data);
    let mut options = ExportOptions::csv(Layout::Mailchimp, ',');
    options.holdout = Some(Holdout {
        share: 0.2,
        seed: 7,
    });
    let a = set_members(&data, &result, &sets, &options);
    // 49 sendable: 0.2 × 49 = 9.8, rounded to 10 held out.
    assert_eq!((a.without_email, a.held_out, a.rows), (1, 10, 39));
    assert_eq!(a.audience.len(), 49);
    assert_eq!(a.audience.iter().filter(|(_, h)| *h).count(), 10);
    let text = String::from_utf8(a.bytes.clone()).unwrap();
    for (key, held) in &a.audience {
        assert_eq!(text.contains(&format!("{key},")), !held, "{key}");
    }
    // The same seed draws the same group; another seed another one.
    assert_eq!(
        set_members(&data, &result, &sets, &options).audience,
        a.audience
    );
    options.holdout = Some(Holdout {
        share: 0.2,
        seed: 8,
    });
    assert_ne!(
        set_members(&data, &result, &sets, &options).audience,
        a.audience
    );
    // Without a holdout, no audience is kept.
    options.holdout = None;
    let plain = set_members(&data, &result, &sets, &options);
    assert_eq!((plain.held_out, plain.rows), (0, 49));
    assert!(plain.audience.is_empty());
}

#[test]
fn chosen_columns_and_several_segments_at_once() {
    let mut data = Dataset::from_orders(Orders::from_rows(&[
        ("c1".into(), 1, 10.0),
        ("c2".into(), 2, 20.0),
    ]));
    data.add_source(
        "c.csv",
        b"customer_id,email,first_name,last_name,city\nc1,a@x.com,Anne,Roy,Lyon\nc2,b@x.com,Bo,Li,=Paris\n",
    )
    .unwrap();
    let result = scored(&data, 10);
    assert_eq!(
        columns_available(&data, false).last().map(String::as_str),
        Some("city")
    );
    let n = data.orders.customer_keys.len();
    let sets = [
        ("A".to_string(), Bitmap::from_fn(n, |c| c == 0 || c == 1)),
        ("B".to_string(), Bitmap::from_fn(n, |c| c == 1)),
    ];
    let options = ExportOptions {
        columns: vec![
            "email".into(),
            "CITY".into(),
            "segment".into(),
            "nope".into(),
        ],
        ..ExportOptions::csv(Layout::Plain, ',')
    };
    let e = set_members(&data, &result, &sets, &options);
    let text = String::from_utf8(e.bytes).unwrap();
    assert_eq!(
        text,
        "\u{feff}email,city,segment\r\na@x.com,Lyon,A\r\nb@x.com,'=Paris,\"A, B\"\r\n"
    );
    assert_eq!(e.rows, 2);
    let book = set_members(
        &data,
        &result,
        &sets,
        &ExportOptions {
            xlsx: true,
            ..options
        },
    );
    assert_eq!(&book.bytes[..2], b"PK");
}

#[test]
fn every_field_is_found_by_its_own_key() {
    // A field's key is the first of its names, compared after
    // normalisation: a key not in normal form would never match.
    let kinds = [
        SourceKind::Email,
        SourceKind::Surveys,
        SourceKind::Customers,
        SourceKind::Events,
        SourceKind::Tickets,
        SourceKind::Costs,
    ];
    for kind in kinds {
        for f in fields(kind) {
            assert_eq!(normalise(f.key), f.key, "{kind:?}");
            let names = vec![f.key.to_string()];
            assert_eq!(find(&Header::plain(&names), f.names), Some(0), "{}", f.key);
        }
    }
    let names: Vec<String> = "campaign,customer_id,sent_at,opened,clicked"
        .split(',')
        .map(String::from)
        .collect();
    assert_eq!(classify(&names), Some(SourceKind::Email));
}

use super::*;

fn orders() -> Orders {
    Orders::from_rows(&[("a@x.com".into(), 0, 10.0), ("b".into(), 1, 20.0)])
}

#[test]
fn marketing_costs_in_french_with_their_bad_rows() {
    let t = read_text_table(
        "couts.csv",
        "Mois;Canal;Dépense\n01/03/2025;Google Ads;1 234,50\n01/03/2025;Meta;300\n31/02/2025;Meta;10\n01/04/2025;google ads;-5\n01/04/2025;;12,5\n01/04/2025;Meta;beaucoup\n"
            .as_bytes(),
    )
    .unwrap();
    assert_eq!(classify(&t.names), Some(SourceKind::Costs));
    let (c, r) = build_costs(&t).unwrap();
    assert_eq!(c.spend, vec![1234.5, 300.0, 12.5]);
    assert_eq!(c.channels, vec!["Google Ads", "Meta", "(all)"]);
    assert_eq!(c.channel, vec![0, 1, 2]);
    assert_eq!(
        c.day[0],
        crate::model::date::parse_iso("2025-03-01").unwrap()
    );
    // Lines 4 (31 February), 5 (negative) and 7 (not a number).
    let lines: Vec<(u64, &str)> = r
        .rejected
        .iter()
        .map(|e| (e.line, e.column.as_deref().unwrap()))
        .collect();
    assert_eq!(lines, vec![(4, "Mois"), (5, "Dépense"), (7, "Dépense")]);
    assert!(r.rejected[1].reason.contains("negative"));
    // A file of orders (a customer column) is not costs.
    let orders = read_text_table("o.csv", b"customer,date,cost\na,2025-01-01,3\n").unwrap();
    assert_ne!(classify(&orders.names), Some(SourceKind::Costs));
}

#[test]
fn a_customer_an_earlier_source_named_still_has_no_order() {
    let mut o = orders();
    let surveys = read_text_table("nps.csv", b"customer_id,nps\nc@y.com,9\n").unwrap();
    let (_, r) = build_surveys(&surveys, &mut o).unwrap();
    assert_eq!(r.customers_without_orders, 1);
    // The same customer in the next file: still without an order.
    let email = read_text_table("e.csv", b"customer_id,opened\nc@y.com,1\n").unwrap();
    let (_, r) = build_email(&email, &mut o).unwrap();
    assert_eq!(r.customers_without_orders, 1);
}

#[test]
fn email_results_join_on_normalised_keys() {
    let t = read_text_table(
        "mailchimp.csv",
        b"Email Address;Campaign;Opened;Clicked\nA@X.com ;Spring;yes;no\nc@y.com;Spring;1;1\n;Spring;0;0\nb;Spring;maybe;0\n",
    )
    .unwrap();
    assert_eq!(classify(&t.names), Some(SourceKind::Email));
    let mut o = orders();
    let (e, r) = build_email(&t, &mut o).unwrap();
    assert_eq!(e.customer, vec![0, 2]);
    assert_eq!(o.customer_keys[2], "c@y.com");
    assert_eq!(
        (e.opened.clone(), e.clicked.clone()),
        (vec![true, true], vec![false, true])
    );
    assert_eq!(r.customers_without_orders, 1);
    assert_eq!(r.rejected_total, 2);
    assert_eq!(r.rejected[0].line, 4);
    assert_eq!(r.rejected[1].line, 5);
    assert!(
        r.rejected[1].reason.contains("not yes or no"),
        "{}",
        r.rejected[1].reason
    );
}

#[test]
fn a_sends_file_is_read_with_its_control_group_and_variants() {
    let t = read_text_table(
        "sends.csv",
        "customer_id;campaign;sent_at;group;variant\na@x.com;Win-back;2025-03-01;Treatment;A\nb;Win-back;2025-03-01;Témoin;A\nc@y.com;Win-back;2025-03-02;;B\nb;Win-back;2025-03-01;maybe;B\n"
            .as_bytes(),
    )
    .unwrap();
    assert_eq!(classify(&t.names), Some(SourceKind::Email));
    let mut o = orders();
    let (e, r) = build_email(&t, &mut o).unwrap();
    assert_eq!(e.control, vec![false, true, false]);
    assert_eq!(e.variants, vec!["A".to_string(), "B".to_string()]);
    assert_eq!(e.variant, vec![0, 0, 1]);
    assert_eq!(e.campaigns, vec!["Win-back".to_string()]);
    assert_eq!(r.rejected_total, 1);
    assert_eq!(r.rejected[0].line, 5);
    assert!(
        r.rejected[0].reason.contains("control group"),
        "{}",
        r.rejected[0].reason
    );
    // A holdout column says yes or no.
    let t = read_text_table(
        "sends.csv",
        b"email,campaign,date,holdout\na@x.com,Spring,2025-03-01,yes\nb,Spring,2025-03-01,0\n",
    )
    .unwrap();
    assert_eq!(classify(&t.names), Some(SourceKind::Email));
    let (e, _) = build_email(&t, &mut orders()).unwrap();
    assert_eq!(e.control, vec![true, false]);
    assert!(e.variant.is_empty());
    // An order file with a campaign and a variant column stays orders.
    let names: Vec<String> = ["customer_id", "campaign", "variant", "amount"]
        .map(String::from)
        .to_vec();
    assert_eq!(classify(&names), Some(SourceKind::Orders));
}

#[test]
fn survey_answers_are_checked() {
    let t = read_text_table(
        "s.csv",
        b"customer_id,date,NPS,CSAT\nb,2024-01-02,9,5\nb,2024-02-02,11,4\na@x.com,2024-01-05,,3\nz,2024-01-05,,\n",
    )
    .unwrap();
    assert_eq!(classify(&t.names), Some(SourceKind::Surveys));
    let mut o = orders();
    let (s, r) = build_surveys(&t, &mut o).unwrap();
    assert_eq!(s.customer, vec![1, 0]);
    assert_eq!(s.nps, vec![Some(9), None]);
    assert_eq!(s.csat, vec![Some(5), Some(3)]);
    assert_eq!(r.rejected_total, 2);
    assert!(
        r.rejected[0]
            .reason
            .contains("\"11\" is not a whole number from 0 to 10")
    );
    assert_eq!(
        s.day[0],
        Some(crate::model::date::days_from_civil(2024, 1, 2))
    );
}

#[test]
fn customers_with_contact_details_and_attributes() {
    let t = read_text_table(
        "clients.csv",
        "id_client;Courriel;Prénom;Nom;Ville\nb;B@X.FR;Anne;Roy;Lyon\nz;z@x.fr;Luc;Ba;Paris\nb;b2@x.fr;Anne;Roy;Nice\n".as_bytes(),
    )
    .unwrap();
    assert_eq!(classify(&t.names), Some(SourceKind::Customers));
    let mut o = orders();
    let (c, r) = build_customers(&t, &mut o).unwrap();
    assert_eq!(c.customer, vec![1, 2]);
    assert_eq!(c.email, vec!["b2@x.fr", "z@x.fr"]);
    assert_eq!(c.first_name[0], "Anne");
    assert_eq!(c.attribute_names, vec!["Ville"]);
    assert_eq!(c.attributes[0], vec!["Nice"]);
    assert_eq!((r.rejected_total, r.customers_without_orders), (1, 1));
    assert_eq!(c.row_of(3), vec![None, Some(0), Some(1)]);
}

#[test]
fn flags() {
    for t in ["1", "yes", "Oui", "2", "2024-01-03T10:00:00Z"] {
        assert_eq!(parse_flag(t), Some(true), "{t}");
    }
    for t in ["", "0", "no", "FALSE", "non"] {
        assert_eq!(parse_flag(t), Some(false), "{t}");
    }
    assert_eq!(parse_flag("maybe"), None);
}

#[test]
fn support_tickets_are_recognised_read_and_checked() {
    let names = |h: &str| h.split(',').map(str::to_string).collect::<Vec<_>>();
    assert_eq!(
        classify(&names("Ticket ID,Requester,Created at,Solved at")),
        Some(SourceKind::Tickets)
    );
    assert_eq!(
        classify(&names("id,client,date de création,date de résolution")),
        Some(SourceKind::Tickets)
    );
    let mut orders = Orders::from_rows(&[("a@x.org".into(), 1, 5.0)]);
    let table = read_text_table(
        "t.csv",
        "Ticket ID,Requester,Created at,Solved at\n\
         1,A@x.org,2024-01-01T10:00:00Z,2024-01-01T16:30:00Z\n\
         2,new@x.org,2024-01-02,\n\
         3,,2024-01-03,\n\
         4,a@x.org,yesterday,\n\
         5,a@x.org,2024-01-05T10:00:00Z,2024-01-04T10:00:00Z\n"
            .as_bytes(),
    )
    .unwrap();
    let (t, rep) = build_tickets(&table, &mut orders).unwrap();
    assert_eq!(t.customer, vec![0, 1]);
    // 6.5 hours; the second one opened on 2 January (a date alone:
    // midnight), still open.
    assert_eq!(
        t.resolved[0].map(|r| r - t.created[0]),
        Some(6 * 3600 + 1800)
    );
    assert_eq!(
        t.created[1],
        i64::from(crate::model::date::days_from_civil(2024, 1, 2)) * 86_400
    );
    assert_eq!(t.resolved[1], None);
    assert_eq!(
        (rep.rows, rep.rejected_total, rep.customers_without_orders),
        (2, 3, 1)
    );
    let reasons: Vec<&str> = rep.rejected.iter().map(|r| r.reason.as_str()).collect();
    assert_eq!(
        reasons,
        vec![
            "the customer is empty",
            "\"yesterday\" is not a date or time",
            "resolved before it was opened"
        ]
    );
    assert_eq!(rep.rejected[2].line, 6);
}

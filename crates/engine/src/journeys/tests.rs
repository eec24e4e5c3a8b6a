use super::*;

/// Events as `(customer, hour, event)`.
fn table(rows: &[(u32, i64, &str)]) -> EventTable {
    let mut t = EventTable::default();
    for (c, h, e) in rows {
        let idx = match t.names.iter().position(|n| n == e) {
            Some(i) => i,
            None => {
                t.names.push(e.to_string());
                t.names.len() - 1
            }
        } as u32;
        t.customer.push(*c);
        t.time.push(h * 3600);
        t.event.push(idx);
        t.session.push(None);
    }
    t
}

fn setup(steps: &[&str], days: u32) -> FunnelSetup {
    FunnelSetup {
        strict: false,
        steps: steps.iter().map(|s| s.to_string()).collect(),
        window_days: days,
    }
}

#[test]
fn order_window_repeats_and_groups() {
    let t = table(&[
        // 0: view, cart, buy within an hour each: full funnel.
        (0, 0, "view"),
        (0, 1, "cart"),
        (0, 2, "buy"),
        // 1: buys before viewing: only step 1 (order matters).
        (1, 0, "buy"),
        (1, 1, "view"),
        // 2: view, then cart 3 days later: outside a 2-day window.
        (2, 0, "view"),
        (2, 72, "cart"),
        // 3: an early view that goes nowhere, then a later full run.
        (3, 0, "view"),
        (3, 100, "view"),
        (3, 101, "other"),
        (3, 102, "cart"),
        (3, 104, "buy"),
        // 4: no view at all.
        (4, 0, "cart"),
    ]);
    let groups = vec!["A".to_string(), "B".to_string()];
    let group_of = vec![Some(0), Some(0), Some(1), Some(1), None];
    let f = funnel(&t, &setup(&["view", "cart", "buy"], 2), &group_of, &groups);
    let counts = |g: usize| f.counts[g].iter().map(|s| s.customers).collect::<Vec<_>>();
    assert_eq!(counts(0), vec![2, 1, 1]);
    assert_eq!(counts(1), vec![2, 1, 1]);
    assert_eq!(counts(2), vec![4, 2, 2], "customer 4 never views");
    // Median gaps over customers 0 and 3: view→cart 1 h and 2 h, cart→buy 1 h and 2 h.
    assert_eq!(f.counts[2][1].median_seconds, Some(5400.0));
    // The depth each customer reached, for drop-off segments: 0 and 3
    // the whole way, 1 and 2 only the first step, 4 none, 5 no events.
    assert_eq!(
        depths(&t, &setup(&["view", "cart", "buy"], 2), 6),
        vec![3, 1, 1, 3, 0, 0]
    );
    // Hour 0 of 1970-01-01 is Thursday 00:00; hour 100 is Monday
    // 04:00 (4 days and 4 hours later).
    let a = activity(&t, 30, None);
    assert_eq!(a[3][0], 5, "customers 0 to 4 at Thursday 00:00");
    assert_eq!(a[0][4], 1);
    assert_eq!(a.iter().flatten().sum::<u64>(), 13);
    let only_3 = crate::model::bitmap::Bitmap::from_fn(6, |c| c == 3);
    assert_eq!(
        activity(&t, 30, Some(&only_3))
            .iter()
            .flatten()
            .sum::<u64>(),
        5
    );
    assert_eq!(
        activity(&t, 4, None).iter().flatten().sum::<u64>(),
        9,
        "before hour 96 only"
    );
    // Sessions cut at 30 minutes of inactivity (no session ids here),
    // and every event here is an hour or more from the next: 13
    // sessions of one event each (c0 3, c1 2, c2 2, c3 5, c4 1).
    let u = usage(
        &t,
        30,
        &[(
            "B".into(),
            crate::model::bitmap::Bitmap::from_fn(6, |c| c == 2 || c == 3),
        )],
    );
    assert_eq!(u.groups, vec!["B", "All customers"]);
    assert_eq!(u.sessions, vec![7, 13]);
    // "view": c0 at 0, c1 at 1, c2 at 0, c3 at 0 and 100.
    let view = u.events.iter().position(|e| e == "view").unwrap();
    assert_eq!(u.hits[1][view], 5);
    assert_eq!(u.hits[0][view], 3);
    assert_eq!(u.events[0], "view", "the most frequent first");
    // With session ids, two sessions of one customer that overlap in
    // time stay two sessions.
    let mut overlapping = table(&[
        (0, 0, "view"),
        (0, 0, "cart"),
        (0, 0, "view"),
        (0, 0, "buy"),
    ]);
    overlapping.session = vec![Some(1), Some(2), Some(1), Some(2)];
    let u = usage(&overlapping, 30, &[]);
    assert_eq!(u.sessions, vec![2]);
    let hits = |e: &str| u.hits[0][u.events.iter().position(|x| x == e).unwrap()];
    assert_eq!((hits("view"), hits("cart"), hits("buy")), (1, 1, 1));
    assert_eq!(f.counts[2][2].median_seconds, Some(5400.0));
    // With a 5-day window customer 2 reaches the cart too.
    let wide = funnel(&t, &setup(&["view", "cart", "buy"], 5), &group_of, &groups);
    assert_eq!(wide.counts[2][1].customers, 3);
    let (lo, hi) = f.conversion_ci[2].unwrap();
    assert!(lo < 0.5 && hi > 0.5);
    // An unknown step reaches nobody after it.
    let odd = funnel(&t, &setup(&["view", "nothing"], 2), &group_of, &groups);
    assert_eq!(odd.counts[2][1].customers, 0);
}

#[test]
fn default_steps_follow_the_usual_order() {
    let t = table(&[
        (0, 0, "view"),
        (0, 1, "cart"),
        (0, 2, "buy"),
        (1, 0, "view"),
        (1, 1, "cart"),
        (2, 0, "view"),
    ]);
    assert_eq!(default_steps(&t), vec!["view", "cart", "buy"]);
}

#[test]
fn paths_by_hand() {
    // Sessions are cut after 30 minutes without an event (no ids here).
    // Paths of three steps: [view, cart, buy], [view, (end)],
    // [search, view, cart], [cart, view, (end)].
    let t = table(&[
        // Customer 0, session 1: view, view (a repeat), cart, buy.
        (0, 0, "view"),
        (0, 0, "view"),
        (0, 0, "cart"),
        (0, 0, "buy"),
        // Customer 0, session 2 (two hours later): view only.
        (0, 2, "view"),
        // Customer 1: search, view, cart.
        (1, 0, "search"),
        (1, 0, "view"),
        (1, 0, "cart"),
        // Customer 2: cart, view.
        (2, 0, "cart"),
        (2, 0, "view"),
    ]);
    let name = |p: &Paths, step: usize, i: usize| p.nodes[step][i].0.clone();
    let moves = |p: &Paths| -> Vec<(usize, String, String, u64)> {
        p.links
            .iter()
            .map(|&(k, a, b, n)| (k + 1, name(p, k, a), name(p, k + 1, b), n))
            .collect()
    };
    let setup = |from: Option<&str>, to: Option<&str>, depth: usize, top: usize| PathSetup {
        from: from.map(str::to_string),
        to: to.map(str::to_string),
        depth,
        top,
        ..PathSetup::default()
    };
    let p = paths(&t, 1, None, &setup(None, None, 3, 0));
    assert_eq!(p.sessions, 4);
    let mut got = moves(&p);
    got.sort();
    let want = [
        (1, "cart", "view", 1),
        (1, "search", "view", 1),
        (1, "view", "(end)", 1),
        (1, "view", "cart", 1),
        (2, "cart", "buy", 1),
        (2, "view", "(end)", 1),
        (2, "view", "cart", 1),
    ];
    let want: Vec<(usize, String, String, u64)> = want
        .iter()
        .map(|(k, a, b, n)| (*k, a.to_string(), b.to_string(), *n))
        .collect();
    assert_eq!(got, want);
    // From the first cart of each session, two steps.
    let p = paths(&t, 1, None, &setup(Some("cart"), None, 2, 0));
    assert_eq!(p.sessions, 3);
    let mut got = moves(&p);
    got.sort();
    assert_eq!(
        got,
        vec![
            (1, "cart".to_string(), "(end)".to_string(), 1),
            (1, "cart".to_string(), "buy".to_string(), 1),
            (1, "cart".to_string(), "view".to_string(), 1),
        ]
    );
    // One event kept per step: the rest is "(other)"; one customer only.
    let p = paths(&t, 1, None, &setup(None, None, 2, 1));
    assert_eq!(
        p.nodes[0],
        vec![("view".to_string(), 2), ("(other)".to_string(), 2)]
    );
    let only = crate::model::bitmap::Bitmap::from_fn(3, |c| c == 1);
    assert_eq!(
        paths(&t, 1, Some(&only), &setup(None, None, 3, 0)).sessions,
        1
    );
    // Events on or after the analysis date are left out.
    assert_eq!(paths(&t, 0, None, &setup(None, None, 3, 0)).sessions, 0);
    // Leading to the first "view" of each session, three steps: the
    // steps line up on the right. Sessions: [view] (first event),
    // [view] (session 2), [search, view], [cart, view].
    let p = paths(&t, 1, None, &setup(None, Some("view"), 3, 0));
    assert_eq!(p.sessions, 4);
    let mut got = moves(&p);
    got.sort();
    let want = [
        (1, "(start)", "cart", 1),
        (1, "(start)", "search", 1),
        (2, "(start)", "view", 2),
        (2, "cart", "view", 1),
        (2, "search", "view", 1),
    ];
    let want: Vec<(usize, String, String, u64)> = want
        .iter()
        .map(|(k, a, b, n)| (*k, a.to_string(), b.to_string(), *n))
        .collect();
    assert_eq!(got, want);
    assert_eq!(p.nodes[2], vec![("view".to_string(), 4)]);
    // Leading to "buy", two steps: only customer 0's first session.
    let p = paths(&t, 1, None, &setup(None, Some("buy"), 2, 0));
    assert_eq!(
        moves(&p),
        vec![(1, "cart".to_string(), "buy".to_string(), 1)]
    );
    // A gap of three hours keeps customer 0's two sessions together:
    // view, cart, buy, view; customer 1's session ends after three
    // events, customer 2's after two.
    let long = PathSetup {
        session_gap_minutes: 180,
        ..setup(None, None, 5, 0)
    };
    let p = paths(&t, 1, None, &long);
    assert_eq!(p.sessions, 3);
    assert_eq!(
        p.nodes[3],
        vec![("(end)".to_string(), 1), ("view".to_string(), 1)]
    );
    assert_eq!(p.nodes[4], vec![("(end)".to_string(), 1)]);
}

#[test]
fn steps_narrowed_by_another_column() {
    let mut data = crate::import::dataset::Dataset::from_orders(crate::Orders::from_rows(&[(
        "a".into(),
        1,
        5.0,
    )]));
    data.add_source(
        "events.csv",
        b"customer_id,timestamp,event,page\n\
          a,2024-01-01T10:00:00Z,view,/c/books\n\
          a,2024-01-01T10:01:00Z,cart,/c/books\n\
          b,2024-01-01T10:00:00Z,view,/c/music\n\
          b,2024-01-01T10:01:00Z,cart,/c/music\n\
          c,2024-01-01T10:00:00Z,view,/c/Books-Sale\n\
          c,2024-01-01T10:05:00Z,view,/c/music\n\
          c,2024-01-01T10:06:00Z,cart,/c/music\n",
    )
    .unwrap();
    let events = data.events.as_ref().unwrap();
    let count = |steps: &[&str]| {
        let s = setup(steps, 1);
        funnel(events, &s, &[], &[]).counts[0]
            .iter()
            .map(|c| c.customers)
            .collect::<Vec<_>>()
    };
    assert_eq!(count(&["view", "cart"]), vec![3, 3]);
    // Equal, ignoring case: only a.
    assert_eq!(count(&["view[page=/C/BOOKS]", "cart"]), vec![1, 1]);
    // Contains, ignoring case: a and c; c's cart is on another page.
    assert_eq!(count(&["view[page~books]", "cart"]), vec![2, 2]);
    assert_eq!(count(&["view[page~books]", "cart[page~books]"]), vec![2, 1]);
    // Strictly: c's view of books is followed by another view.
    let mut strict = setup(&["view[page~books]", "cart"], 1);
    strict.strict = true;
    let f = funnel(events, &strict, &[], &[]);
    assert_eq!(f.counts[0][1].customers, 1);
    // In words, and back.
    let step = Step::parse(" view_product [ page ~ /c/books ] ");
    assert_eq!(step.event, "view_product");
    assert_eq!(step.write(), "view_product[page~/c/books]");
    assert_eq!(Step::parse(&step.write()), step);
    assert_eq!(
        step.describe(),
        "view_product where page contains “/c/books”"
    );
    assert_eq!(Step::parse("cart").filter, None);
    // Unknown events and columns are refused in words.
    assert!(check_steps(events, &["view[page=/c/books]".into()]).is_ok());
    let e = check_steps(events, &["view[channel=email]".into()]).unwrap_err();
    assert!(
        e.to_string().contains("no column \"channel\"") && e.to_string().contains("page"),
        "{e}"
    );
    let e = check_steps(events, &["buy".into()]).unwrap_err();
    assert!(e.to_string().contains("no event is called \"buy\""), "{e}");
    assert_eq!(
        property_values(events, 2),
        vec![(
            "page".to_string(),
            vec!["/c/music".to_string(), "/c/books".to_string()]
        )]
    );
}

#[test]
fn stage_mix_by_month() {
    // Day 0 is 1970-01-01; hours in `table` count from it.
    let t = table(&[
        // January: 0 views then buys (decision); 1 views (awareness).
        (0, 1, "view"),
        (0, 2, "buy"),
        (1, 3, "view"),
        // February (day 31 on): 0 puts in the cart (consideration);
        // 2 does an unmapped event only.
        (0, 24 * 40, "cart"),
        (2, 24 * 41, "signup"),
        // March 1st (day 59): after the analysis date below.
        (1, 24 * 59, "buy"),
    ]);
    let stage = |e: &str| match e {
        "view" => Some(0),
        "cart" => Some(1),
        "buy" => Some(2),
        _ => None,
    };
    let mix = stage_mix(&t, 59, None, &stage, 3);
    assert_eq!(mix.months, vec!["1969-12", "1970-01", "1970-02"]);
    assert_eq!(mix.counts, vec![[0, 0, 0], [1, 0, 1], [0, 1, 0]]);
    let only = crate::model::bitmap::Bitmap::from_fn(3, |c| c == 1);
    let mix = stage_mix(&t, 60, Some(&only), &stage, 2);
    assert_eq!(mix.months, vec!["1970-02", "1970-03"]);
    assert_eq!(mix.counts, vec![[0, 0, 0], [0, 0, 1]]);
}

#[test]
fn strict_order_allows_nothing_in_between() {
    let t = table(&[
        // 0: view, cart, buy in a row.
        (0, 0, "view"),
        (0, 1, "cart"),
        (0, 2, "buy"),
        // 1: view, search, cart, buy: the search breaks the strict run
        // after the view, but not the loose one.
        (1, 0, "view"),
        (1, 1, "search"),
        (1, 2, "cart"),
        (1, 3, "buy"),
        // 2: view, search, then view, cart in a row: the second start
        // reaches the cart.
        (2, 0, "view"),
        (2, 1, "search"),
        (2, 2, "view"),
        (2, 3, "cart"),
    ]);
    let mut s = setup(&["view", "cart", "buy"], 2);
    let loose = funnel(&t, &s, &[], &[]);
    s.strict = true;
    let strict = funnel(&t, &s, &[], &[]);
    let counts = |f: &Funnel| f.counts[0].iter().map(|c| c.customers).collect::<Vec<_>>();
    assert_eq!(counts(&loose), vec![3, 3, 2]);
    assert_eq!(counts(&strict), vec![3, 2, 1]);
    assert!(strict.strict && !loose.strict);
}

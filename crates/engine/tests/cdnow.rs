//! BG/NBD and Gamma-Gamma on the CDNOW sample against the published
//! estimates (Fader, Hardie & Lee 2005), with the conventions of
//! the data set as its authors document it (amounts in dollars, weeks as
//! the time unit).

use seglens_engine::import::orders::ColumnRef;
use seglens_engine::import::roles::Role;
use seglens_engine::model::date::days_from_civil;
use seglens_engine::models::clv::{self, TimeUnit};
use seglens_engine::{ImportOptions, Orders, import_orders};

fn sample() -> Orders {
    let path = format!(
        "{}/../../../shared/datasets/cdnow/CDNOW_sample.txt",
        env!("CARGO_MANIFEST_DIR")
    );
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let options = ImportOptions {
        map: vec![
            (Role::CustomerId, ColumnRef::Position(2)),
            (Role::OrderDate, ColumnRef::Position(3)),
            (Role::Amount, ColumnRef::Position(5)),
        ],
        ..ImportOptions::default()
    };
    import_orders("CDNOW_sample.txt", &bytes, options)
        .unwrap()
        .0
}

fn within(got: f64, want: f64, relative: f64) -> bool {
    ((got - want) / want).abs() <= relative
}

#[test]
fn summary_of_sample_customer_1() {
    let orders = sample();
    let s = clv::summarise(&orders, days_from_civil(1997, 9, 30), None, TimeUnit::Weeks);
    assert_eq!(s.len(), 2_357);
    assert_eq!(s.iter().filter(|c| c.frequency > 0.0).count(), 946);
    let one = orders
        .customer_keys
        .iter()
        .position(|k| k == "0001")
        .unwrap() as u32;
    let c = s.iter().find(|c| c.customer == one).unwrap();
    assert_eq!(c.frequency, 2.0);
    assert!((c.recency - 30.43).abs() <= 0.0051, "{}", c.recency);
    assert!((c.age - 38.86).abs() <= 0.0051, "{}", c.age);
    // Published rounded to two decimals.
    assert!((c.monetary - 22.35).abs() <= 0.0051, "{}", c.monetary);
}

#[test]
fn bgnbd_and_gamma_gamma_match_the_published_estimates() {
    let orders = sample();
    let s = clv::summarise(&orders, days_from_civil(1997, 9, 30), None, TimeUnit::Weeks);
    let fit = clv::fit_bgnbd(&s).unwrap();
    let p = fit.params;
    for (got, want, name) in [
        (p.r, 0.2426, "r"),
        (p.alpha, 4.4135, "alpha"),
        (p.a, 0.7929, "a"),
        (p.b, 2.4258, "b"),
    ] {
        assert!(within(got, want, 0.001), "{name} = {got}, published {want}");
    }
    assert!(
        (fit.log_likelihood - -9582.43).abs() < 0.01,
        "{}",
        fit.log_likelihood
    );
    let se = fit.std_errors.expect("standard errors");
    assert!(se.iter().all(|v| *v > 0.0 && *v < 1.0), "{se:?}");

    let gg = clv::fit_gamma_gamma(&s).unwrap();
    assert_eq!(gg.customers, 946);
    for (got, want, name) in [
        (gg.params.p, 6.25, "p"),
        (gg.params.q, 3.74, "q"),
        (gg.params.gamma, 15.44, "gamma"),
    ] {
        assert!(within(got, want, 0.005), "{name} = {got}, published {want}");
    }

    let one = orders
        .customer_keys
        .iter()
        .position(|k| k == "0001")
        .unwrap() as u32;
    let c = s.iter().find(|c| c.customer == one).unwrap();
    let e = p.expected_purchases(39.0, c.frequency, c.recency, c.age);
    assert!((e - 1.226).abs() < 0.0005, "expected purchases {e}");
    let alive = p.p_alive(c.frequency, c.recency, c.age);
    assert!((alive - 0.727).abs() < 0.0005, "p alive {alive}");
}

#[test]
fn the_full_master_file_fits_too() {
    let path = format!(
        "{}/../../../shared/datasets/cdnow/CDNOW_master.txt",
        env!("CARGO_MANIFEST_DIR")
    );
    let bytes = std::fs::read(&path).unwrap();
    let (orders, _) = import_orders("CDNOW_master.txt", &bytes, ImportOptions::default()).unwrap();
    let s = clv::summarise(&orders, days_from_civil(1997, 9, 30), None, TimeUnit::Weeks);
    assert_eq!(s.len(), 23_570);
    let fit = clv::fit_bgnbd(&s).unwrap();
    assert!(fit.warnings.is_empty(), "{:?}", fit.warnings);
    // The master file is ten times the sample: the estimates are close to
    // the sample's.
    assert!(within(fit.params.r, 0.2426, 0.15), "{:?}", fit.params);
    assert!(within(fit.params.b, 2.4258, 0.25), "{:?}", fit.params);
}

#[test]
fn holdout_check_compares_predictions_with_what_happened() {
    let orders = sample();
    let check = clv::holdout_check(
        &orders,
        days_from_civil(1997, 9, 30),
        days_from_civil(1998, 6, 30),
        TimeUnit::Weeks,
    )
    .unwrap();
    assert!((check.length - 39.0).abs() < 1e-9);
    assert_eq!(check.rows.iter().map(|r| r.customers).sum::<u64>(), 2_357);
    // Customers with no repeat purchase in calibration (1,411 of them) are
    // the first line; the fit is the published one.
    assert_eq!(check.rows[0].customers, 1_411);
    assert!(within(check.fit.params.r, 0.2426, 0.001));
    // The predicted mean rises with the calibration purchases.
    assert!(
        check
            .rows
            .windows(2)
            .all(|w| w[1].predicted > w[0].predicted)
    );
    let sum: f64 = check
        .rows
        .iter()
        .map(|r| r.predicted * r.customers as f64)
        .sum();
    assert!((sum - check.predicted_total).abs() < 1e-6);
}

#[test]
fn the_holdout_check_reports_its_three_parts_in_order() {
    use seglens_engine::model::stage::Stage;
    let orders = sample();
    let (cut, end) = (days_from_civil(1997, 9, 30), days_from_civil(1998, 6, 30));
    let mut seen = Vec::new();
    let check = clv::holdout_check_reporting(&orders, cut, end, TimeUnit::Weeks, &mut |s, d, t| {
        seen.push((s, d, t))
    })
    .unwrap();
    assert_eq!(
        seen,
        [
            (Stage::Calibration, 0, 3),
            (Stage::CalibrationFit, 1, 3),
            (Stage::Comparison, 2, 3)
        ]
    );
    assert_eq!(
        check,
        clv::holdout_check(&orders, cut, end, TimeUnit::Weeks).unwrap()
    );
}

//! The catalogues: both languages have every key, agree on each text's
//! placeholders, and hold every key the code looks up.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use seglens_app::i18n::{EN, FR, Locale, parse, slug, texts};
use seglens_engine::metrics::kpi::KpiId;

/// A language's whole catalogue (the page's words and the engine's).
fn table(locale: Locale) -> BTreeMap<&'static str, &'static str> {
    texts(locale).into_iter().collect()
}

/// The `{name}` placeholders of a text.
fn placeholders(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        out.insert(rest[open + 1..open + close].to_string());
        rest = &rest[open + close + 1..];
    }
    out
}

#[test]
fn no_key_is_written_twice() {
    for (name, locale, text) in [("en", Locale::En, EN), ("fr", Locale::Fr, FR)] {
        let mut seen = BTreeSet::new();
        for (key, _) in parse(text) {
            assert!(seen.insert(key), "{key} twice in locales/{name}.txt");
        }
        // Nor in both the page's catalogue and the engine's.
        let mut all = BTreeSet::new();
        for (key, _) in texts(locale) {
            assert!(
                all.insert(key),
                "{key} in locales/{name}.txt and locales/engine.{name}.txt"
            );
        }
    }
}

#[test]
fn both_languages_have_every_key() {
    let (en, fr) = (table(Locale::En), table(Locale::Fr));
    let only_en: Vec<_> = en.keys().filter(|k| !fr.contains_key(*k)).collect();
    let only_fr: Vec<_> = fr.keys().filter(|k| !en.contains_key(*k)).collect();
    assert!(only_en.is_empty(), "missing in French: {only_en:?}");
    assert!(only_fr.is_empty(), "missing in English: {only_fr:?}");
    for (key, text) in &en {
        assert!(!text.trim().is_empty(), "{key} is empty in English");
        assert!(!fr[key].trim().is_empty(), "{key} is empty in French");
    }
}

#[test]
fn both_languages_fill_the_same_placeholders() {
    let (en, fr) = (table(Locale::En), table(Locale::Fr));
    for (key, text) in &en {
        let (mut a, mut b) = (placeholders(text), placeholders(fr[key]));
        // A singular may say "the row" instead of "1 row".
        if key.ends_with(".one") {
            a.remove("n");
            b.remove("n");
        }
        assert_eq!(a, b, "{key}: «{text}» against «{}»", fr[key]);
    }
}

/// The keys the code looks up with a literal: `t("…")`, `tf("…"`,
/// `tn("…"` (its two forms) and the file picker's `label="…"`.
fn keys_in(source: &str) -> Vec<String> {
    let mut keys = Vec::new();
    for (call, plural) in [
        ("t(\"", false),
        ("tf(\"", false),
        ("tn(\"", true),
        ("label=\"", false),
    ] {
        let mut rest = source;
        while let Some(at) = rest.find(call) {
            let before = rest[..at].chars().last();
            rest = &rest[at + call.len()..];
            // `format!("…` or `a.t("`-like names are not lookups.
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let Some(end) = rest.find('"') else { break };
            let key = &rest[..end];
            if key.contains('.') && !key.contains(' ') {
                if plural {
                    keys.push(format!("{key}.one"));
                    keys.push(format!("{key}.other"));
                } else {
                    keys.push(key.to_string());
                }
            }
        }
    }
    keys
}

fn sources(dir: &Path, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push((
                path.display().to_string(),
                std::fs::read_to_string(&path).unwrap(),
            ));
        }
    }
}

#[test]
fn every_key_the_code_looks_up_is_in_the_catalogue() {
    let en = table(Locale::En);
    let mut files = Vec::new();
    sources(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    let mut missing = Vec::new();
    let mut used = 0;
    for (path, text) in &files {
        for key in keys_in(text) {
            used += 1;
            if !en.contains_key(key.as_str()) {
                missing.push(format!("{path}: {key}"));
            }
        }
    }
    assert!(used > 100, "the scan found only {used} lookups");
    assert!(missing.is_empty(), "not in locales/en.txt: {missing:#?}");
    // Keys made at run time.
    let mut made: Vec<String> = Vec::new();
    for (key, ..) in seglens_app::shell::TOUR_STEPS {
        made.push(format!("{key}.title"));
        made.push(format!("{key}.text"));
    }
    made.extend((1..=12).map(|m| format!("month.{m}")));
    made.extend((1..=7).map(|d| format!("weekday.{d}")));
    made.extend(["segments.progress_runs", "segments.progress_k"].map(String::from));
    for role in [
        seglens_engine::import::roles::Role::CustomerId,
        seglens_engine::import::roles::Role::OrderDate,
        seglens_engine::import::roles::Role::Amount,
    ] {
        made.push(format!("report.role.{}", role.key()));
    }
    for page in seglens_app::route::Page::ALL {
        made.push(format!("nav.page.{}", page.slug()));
        made.extend(page.sections().iter().map(|s| format!("nav.section.{s}")));
    }
    for theme in seglens_app::theme::Theme::ALL {
        made.push(format!("app.theme.{}", theme.tag()));
    }
    for play in seglens_engine::analysis::playbook::PLAYS {
        for part in ["action", "why", "subject.1", "message.1"] {
            made.push(format!("play.{play}.{part}"));
        }
    }
    for measure in seglens_engine::analysis::playbook::Measure::ALL {
        made.push(format!("play.measure.{}", measure.key()));
    }
    for id in [
        "revenue_per_customer",
        "orders_per_customer",
        "nps",
        "churn_rate",
        "predicted_clv",
        "repeat_rate",
        "open_rate",
    ] {
        made.push(format!("play.figure.{id}"));
    }
    for key in made {
        assert!(en.contains_key(key.as_str()), "{key}");
    }
}

#[test]
fn every_engine_name_the_page_shows_is_in_french() {
    use seglens_engine::import::sources;
    use seglens_engine::metrics::kpi;
    use seglens_engine::segments::{lifecycle, splits};
    let fr = table(Locale::Fr);
    let mut missing = Vec::new();
    let mut need = |key: String| {
        if !fr.contains_key(key.as_str()) {
            missing.push(key);
        }
    };
    for def in kpi::definitions().iter().chain(&kpi::period_definitions()) {
        need(format!("kpi.{}", def.id));
        need(format!("kpi.{}.formula", def.id));
        need(format!("kpi.{}.use", def.id));
    }
    for kind in ["rfm", "lifecycle", "rules", "clusters", "predict"] {
        need(format!("help.{kind}.use"));
    }
    for stage in lifecycle::STAGES {
        need(format!("segment.{}", slug(stage.label())));
    }
    for (_, name) in splits::TIERS {
        need(format!("tier.{}", slug(name)));
    }
    // The groups the funnel, the KPI table and the migration add.
    use seglens_engine::analysis::{self, cohorts};
    for name in [
        analysis::NO_ORDER,
        analysis::NOT_IN_SEGMENT,
        cohorts::NOT_YET,
        kpi::ALL_CUSTOMERS,
    ] {
        need(format!("segment.{}", slug(name)));
    }
    use sources::SourceKind::*;
    for kind in [Orders, Email, Surveys, Customers, Events, Tickets, Costs] {
        for field in sources::fields(kind) {
            need(format!("field.{}", slug(field.label)));
        }
    }
    assert!(missing.is_empty(), "not in locales/fr.txt: {missing:?}");
}

#[test]
fn a_kpi_name_fills_its_period() {
    use seglens_app::i18n::{Locale, kpi_name, set_locale};
    let defs = seglens_engine::metrics::kpi::definitions_for(60);
    let churn = defs.iter().find(|d| d.id == KpiId::ChurnRate).unwrap();
    set_locale(Locale::Fr);
    let name = kpi_name(churn);
    set_locale(Locale::En);
    assert_eq!(name, "Taux de départ (60 jours)");
    assert_eq!(kpi_name(churn), "Churn rate (60 days)");
}

/// A text the page words from the catalogue for something the engine also
/// says: in English it reads as the engine's sentence (`engine`); in
/// French it is there (no key starting `prefix` shows) and differs.
fn worded_as_the_engine(
    word: impl Fn() -> String,
    engine: &str,
    prefix: &str,
    what: impl std::fmt::Debug,
) {
    use seglens_app::i18n::{Locale, set_locale};
    let english = word();
    set_locale(Locale::Fr);
    let french = word();
    set_locale(Locale::En);
    assert_eq!(english, engine, "{what:?}");
    assert!(!french.contains(prefix), "{what:?}: {french}");
    assert_ne!(french, english, "{what:?}");
}

#[test]
fn every_fault_is_worded_in_english_as_the_engine_says_it_and_in_french() {
    use seglens_app::i18n::row_reason;
    use seglens_engine::import::orders::RowError;
    use seglens_engine::model::fault::{Fault, Field};
    let text = || "31/02/2025".to_string();
    let mut faults = vec![
        Fault::TooFewFields {
            found: 1,
            expected: 3,
        },
        Fault::TooFewFields {
            found: 2,
            expected: 3,
        },
        Fault::UnclosedQuote,
        Fault::NotJson { at: 7 },
        Fault::JsonNotObject,
        Fault::NotARealDay { text: text() },
        Fault::NotARealDayReadAs {
            text: text(),
            format: "dd/mm/yyyy".into(),
        },
        Fault::NotInFormat {
            text: text(),
            format: Some("yyyy-mm-dd".into()),
        },
        Fault::NotInFormat {
            text: text(),
            format: None,
        },
        Fault::NotAnAmount { text: text() },
        Fault::NotADate { text: text() },
        Fault::NotADateOrTime { text: text() },
        Fault::NotADateAndTime { text: text() },
        Fault::NotYesOrNo { text: text() },
        Fault::NotInScale {
            text: text(),
            lo: 0,
            hi: 10,
        },
        Fault::NoScore,
        Fault::NegativeSpend,
        Fault::ListedAgain,
        Fault::ResolvedBeforeOpened,
        Fault::Anonymous,
        Fault::AfterToday {
            day: seglens_engine::model::date::days_from_civil(2031, 5, 2),
            birth: true,
        },
        Fault::AfterToday {
            day: seglens_engine::model::date::days_from_civil(2031, 5, 2),
            birth: false,
        },
        Fault::BornTooLongAgo {
            day: seglens_engine::model::date::days_from_civil(1890, 1, 31),
            years: 120,
        },
        Fault::NegativeAge { text: "-4".into() },
        Fault::AgeBeyondAnyCustomer { text: "150".into() },
    ];
    for field in [
        Field::Customer,
        Field::Date,
        Field::Amount,
        Field::Event,
        Field::OpeningTime,
        Field::Spend,
        Field::OrderId,
    ] {
        faults.push(Fault::Empty(field));
    }
    for fault in faults {
        let e = RowError::new(2, None, fault.clone());
        worded_as_the_engine(|| row_reason(&e), &fault.to_string(), "fault.", &fault);
    }
    // A cause with no fault (and a stored report's rows) keeps the
    // engine's sentence.
    let other = RowError::new(2, None, "a cause of its own".to_string());
    assert_eq!(row_reason(&other), "a cause of its own");
}

#[test]
fn every_refusal_is_worded_in_english_as_the_engine_says_it_and_in_french() {
    use seglens_app::i18n::import_error;
    use seglens_engine::ImportError as E;
    use seglens_engine::import::orders::RowError;
    use seglens_engine::import::roles::Role;
    use seglens_engine::model::fault::Fault;
    let file = || "ventes.csv".to_string();
    let columns = || vec!["nom".to_string(), "ville".to_string()];
    let errors = vec![
        E::Empty { file: file() },
        E::Binary {
            file: file(),
            offset: 12,
        },
        E::MissingColumns {
            file: file(),
            missing: vec![Role::Amount],
            columns: columns(),
        },
        E::MissingColumns {
            file: file(),
            missing: vec![Role::OrderDate, Role::Amount],
            columns: columns(),
        },
        E::MissingColumns {
            file: file(),
            missing: vec![Role::CustomerId, Role::OrderDate, Role::Amount],
            columns: Vec::new(),
        },
        E::UnknownColumn {
            file: file(),
            column: "montant".into(),
        },
        E::MissingColumn {
            file: file(),
            what: seglens_engine::model::message::Message::new("engine.an_nps_or_csat_column"),
            columns: columns(),
        },
        E::Aggregated {
            file: file(),
            platform: "ga4_report".into(),
            columns: columns(),
        },
        E::Aggregated {
            file: file(),
            platform: "mailchimp_campaigns".into(),
            columns: columns(),
        },
        E::NoRows { file: file() },
        E::NoValidRows {
            file: file(),
            rejected: 3,
            first: Box::new(RowError::new(
                2,
                Some("montant".into()),
                Fault::NotAnAmount { text: "abc".into() },
            )),
        },
        E::NoValidRows {
            file: file(),
            rejected: 1,
            first: Box::new(RowError::new(2, None, Fault::UnclosedQuote)),
        },
        E::Spreadsheet {
            file: file(),
            reason: seglens_engine::model::message::Message::new(
                "engine.it_is_not_a_complete_zip_archive_its_end_is_missing",
            ),
        },
        E::BadLine {
            file: file(),
            line: 4,
            fault: Fault::JsonNotObject,
        },
        E::NeedsOrders { file: file() },
    ];
    for error in errors {
        worded_as_the_engine(
            || import_error(&error),
            &error.to_string(),
            "import.",
            &error,
        );
    }
}

#[test]
fn every_date_reading_is_worded_in_english_as_the_engine_says_it_and_in_french() {
    use seglens_app::i18n::date_reading;
    use seglens_engine::import::orders::DateReading as R;
    for reading in [
        R::DayFirst { dates: 1 },
        R::DayFirst { dates: 40 },
        R::MonthFirst { dates: 1 },
        R::MonthFirst { dates: 7 },
        R::Either,
        R::Mixed {
            day_first: 3,
            month_first: 5,
        },
    ] {
        worded_as_the_engine(
            || date_reading(reading),
            &reading.to_string(),
            "import.",
            reading,
        );
    }
}

#[test]
fn every_part_of_an_analysis_is_worded_in_english_as_the_engine_says_it_and_in_french() {
    use seglens_engine::model::stage::Stage as S;
    for part in [
        S::Models,
        S::Scores,
        S::Segments,
        S::Kpis,
        S::Calibration,
        S::CalibrationFit,
        S::Comparison,
    ] {
        worded_as_the_engine(
            || seglens_app::i18n::stage(part),
            &part.to_string(),
            "stage.",
            part,
        );
    }
}

#[test]
fn every_cluster_standout_is_worded_in_english_as_the_engine_says_it_and_in_french() {
    use seglens_app::i18n::standout;
    use seglens_engine::segments::cluster::{Feature, Standout};
    let mut all = vec![Standout::Value {
        column: "city".into(),
        value: "Lyon".into(),
        share: 0.62,
        base: 0.2,
    }];
    for feature in [
        Feature::Recency,
        Feature::Frequency,
        Feature::Monetary,
        Feature::Tenure,
        Feature::AverageOrderValue,
        Feature::Engagement,
        Feature::Attribute("age".into()),
    ] {
        // Above the average, below it, and against an average of zero
        // (no ratio).
        for (mean, overall) in [(2707.4, 1180.0), (1.5, 2.25), (3.0, 0.0)] {
            all.push(Standout::Feature {
                feature: feature.clone(),
                mean,
                overall,
            });
        }
    }
    for s in all {
        worded_as_the_engine(|| standout(&s), &s.to_string(), "cluster.", &s);
    }
}

#[test]
fn rules_measures_and_presets_are_worded_in_english_as_the_engine_says_them_and_in_french() {
    use seglens_app::i18n::{measure_name, name, rule_words};
    use seglens_engine::segments::{MEASURES, Rule, Test};
    for (measure, _, label) in MEASURES {
        worded_as_the_engine(|| measure_name(measure), label, "measure.", label);
    }
    for preset in seglens_engine::segments::rfm::presets() {
        worded_as_the_engine(
            || name("preset", &preset.name),
            &preset.name,
            "preset.",
            &preset.name,
        );
    }
    let day = seglens_engine::model::date::days_from_civil(2026, 3, 1);
    let attribute = |test: Test| Rule::Attribute {
        column: "city".into(),
        test,
    };
    let rules = vec![
        Rule::All(Vec::new()),
        Rule::Any(Vec::new()),
        Rule::All(vec![
            attribute(Test::Equals("Lyon".into())),
            Rule::Any(vec![
                attribute(Test::OneOf(vec!["DIY".into(), "Garden".into()])),
                attribute(Test::Contains("yon".into())),
            ]),
            Rule::Not(Box::new(attribute(Test::IsEmpty))),
        ]),
        attribute(Test::IsNotEmpty),
        attribute(Test::Between(35.0, 40.5)),
        attribute(Test::OnOrAfter(day)),
        attribute(Test::Before(day)),
        Rule::Measure {
            measure: seglens_engine::segments::Measure::Orders,
            days: Some(365),
            category: Some("Classical".into()),
            test: Test::AtLeast(2.0),
        },
        Rule::Measure {
            measure: seglens_engine::segments::Measure::DaysSinceLastOrder,
            days: None,
            category: None,
            test: Test::AtMost(42.0),
        },
        Rule::Measure {
            measure: seglens_engine::segments::Measure::Spend,
            days: None,
            category: None,
            test: Test::WithinLastDays(30),
        },
        Rule::Measure {
            measure: seglens_engine::segments::Measure::Spend,
            days: None,
            category: None,
            test: Test::MoreThanDaysAgo(90),
        },
        Rule::Event {
            name: "cart".into(),
            did: true,
            at_least: 3,
            within_days: Some(30),
        },
        Rule::Event {
            name: "checkout".into(),
            did: false,
            at_least: 1,
            within_days: None,
        },
    ];
    for rule in rules {
        worded_as_the_engine(|| rule_words(&rule), &rule.describe(), "rule.", &rule);
    }
}

#[test]
fn every_kind_of_saved_segment_is_worded_in_english_as_the_engine_says_it_and_in_french() {
    use seglens_app::i18n::{definition_words, feature_name};
    use seglens_engine::segments::Definition as D;
    use seglens_engine::segments::cluster::{ClusterSetup, Feature};
    use seglens_engine::segments::lifecycle::{LifecycleSetup, Stage};
    use seglens_engine::segments::splits::{Split, Tier};
    let lifecycle = LifecycleSetup::default();
    let features = vec![
        Feature::Recency,
        Feature::Frequency,
        Feature::Monetary,
        Feature::Tenure,
        Feature::AverageOrderValue,
        Feature::Engagement,
        Feature::Attribute("age".into()),
    ];
    for f in &features {
        assert_eq!(feature_name(f), f.name());
    }
    let rule = r#"{"attribute":"interests","contains":"DIY"}"#.to_string();
    let definitions = vec![
        D::Rule(rule.clone()),
        D::Rule("not a rule".into()),
        D::Lifecycle(Stage::New),
        D::Group {
            split: Split::Attribute {
                column: "city".into(),
                edges: None,
            },
            group: "city = Lyon".into(),
        },
        D::Group {
            split: Split::Tier(Tier::Value),
            group: "High value".into(),
        },
        D::Group {
            split: Split::PredictedValue,
            group: "Top 20%".into(),
        },
        D::FunnelDrop {
            setup: seglens_engine::journeys::FunnelSetup {
                steps: vec!["view".into(), "cart".into(), "checkout".into()],
                window_days: 7,
                strict: false,
            },
            reached: 2,
        },
        D::Cluster {
            setup: ClusterSetup {
                features,
                k: 4,
                seed: 42,
                runs: 4,
            },
            cluster: 0,
        },
        D::Rfm("Champions".into()),
        D::Within {
            parent: Box::new(D::Rfm("Champions".into())),
            rule,
        },
    ];
    for d in definitions {
        let engine = seglens_engine::segments::groups::describe(&d, &lifecycle);
        worded_as_the_engine(
            || definition_words(&d, &lifecycle),
            &engine,
            "definition.",
            &d,
        );
    }
}

#[test]
fn the_scan_sees_a_missing_key() {
    let keys =
        keys_in(r#"view! { {t("nav.segments")} {tn("count.rows", 2, &[])} {format!("a.b")} }"#);
    assert_eq!(keys, ["nav.segments", "count.rows.one", "count.rows.other"]);
}

#[test]
fn every_built_in_segment_has_its_name_in_both_languages() {
    use seglens_engine::segments::rfm;
    let (en, fr) = (table(Locale::En), table(Locale::Fr));
    let names = rfm::default_rules()
        .into_iter()
        .chain(rfm::three_level_rules())
        .map(|r| r.name)
        .chain([rfm::OTHERS.to_string()]);
    for name in names {
        let key = format!("segment.{}", slug(&name));
        assert_eq!(en.get(key.as_str()), Some(&name.as_str()), "{key}");
        assert!(fr.contains_key(key.as_str()), "{key}");
    }
}

#[test]
fn the_engine_sentences_a_bare_order_file_shows_are_in_french() {
    use seglens_engine::analysis::{AnalysisOptions, analyse};
    use seglens_engine::import::dataset::Dataset;
    let files = seglens_engine::import::demo::generate(seglens_engine::import::demo::DEMO_SEED);
    let (orders, _) =
        seglens_engine::import_orders("orders.csv", files.orders.as_bytes(), Default::default())
            .unwrap();
    let a = analyse(&Dataset::from_orders(orders), &AnalysisOptions::default()).unwrap();
    let fr = table(Locale::Fr);
    let mut seen = BTreeSet::new();
    for row in &a.kpis.values {
        for v in row {
            if let Some(m) = &v.missing {
                seen.insert(m.key.to_string());
            }
        }
    }
    // Orders alone: no e-mails, surveys, tickets, costs, referrals or
    // prospects.
    assert!(seen.len() >= 6, "{seen:?}");
    for key in seen {
        assert!(fr.contains_key(key.as_str()), "{key}");
    }
}

/// Words written in a view as a literal child (`<b>"Delete"</b>`) rather
/// than looked up; the brand and format names are not words to translate.
fn literal_words(source: &str) -> Vec<String> {
    const NAMES: [&str; 5] = ["SegLens", "SVG", "PNG", "SQL", "CSV"];
    let is_word = |text: &str| {
        // Two letters in a row ("F \\ R" names two axes); a catalogue
        // key or a CSS selector is not a word to show.
        let chars: Vec<char> = text.chars().collect();
        let key = !text.contains(' ') && text.contains('.');
        chars
            .windows(2)
            .any(|w| w[0].is_alphabetic() && w[1].is_alphabetic())
            && !key
            && !text.starts_with('[')
            && !NAMES.contains(&text.trim())
    };
    let mut found = Vec::new();
    for (n, line) in source.lines().enumerate() {
        // A literal alone on its line, as a view's child.
        let whole = line.trim();
        if whole.len() > 1
            && whole.starts_with('"')
            && whole.ends_with('"')
            && !whole[1..whole.len() - 1].contains('"')
            && is_word(&whole[1..whole.len() - 1])
        {
            found.push(format!("line {}: {}", n + 1, &whole[1..whole.len() - 1]));
        }
        let mut rest = line;
        while let Some(at) = rest.find(">\"") {
            rest = &rest[at + 2..];
            let Some(end) = rest.find('"') else { break };
            let text = &rest[..end];
            if is_word(text) {
                found.push(format!("line {}: {text}", n + 1));
            }
            rest = &rest[end..];
        }
    }
    found
}

#[test]
fn no_component_writes_a_word_of_its_own() {
    let mut files = Vec::new();
    // Every page's folder and the frame around them.
    for folder in [
        "act", "compare", "data", "journeys", "overview", "predict", "projects", "segments",
        "settings", "shell",
    ] {
        sources(
            &Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("src")
                .join(folder),
            &mut files,
        );
    }
    // Their actions render nothing.
    files.retain(|(path, _)| !path.ends_with("actions.rs"));
    assert!(files.len() > 30, "the pages' files were not found");
    let found: Vec<String> = files
        .iter()
        .flat_map(|(path, text)| {
            literal_words(text)
                .into_iter()
                .map(move |w| format!("{path} {w}"))
        })
        .collect();
    assert!(found.is_empty(), "{found:#?}");
    assert_eq!(
        literal_words(
            "<h2>\"Goals\"</h2><b>\"SVG\"</b><i>\"–\"</i><th>\"F \\ R\"</th>\n  \"of\"\n  \"nav.goals\""
        ),
        ["line 1: Goals", "line 2: of"]
    );
}

/// The message keys a source names: every `"engine.…"` literal outside
/// its tests.
fn message_keys(dir: &Path) -> Vec<(String, String)> {
    let mut files = Vec::new();
    sources(dir, &mut files);
    let mut found = Vec::new();
    for (path, source) in files {
        if path.ends_with("tests.rs") {
            continue;
        }
        let code = source
            .split("#[cfg(test)]\nmod tests")
            .next()
            .unwrap_or_default();
        for (at, _) in code.match_indices("\"engine.") {
            let key: String = code[at + 1..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '.')
                .collect();
            found.push((path.clone(), key.trim_end_matches('.').to_string()));
        }
    }
    found
}

#[test]
fn every_message_the_engine_and_its_worker_name_is_in_both_languages_and_none_is_unused() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (en, fr) = (table(Locale::En), table(Locale::Fr));
    let mut used = message_keys(&root.join("crates/engine/src"));
    used.extend(message_keys(&root.join("src")));
    assert!(used.len() > 150, "the scan found only {} keys", used.len());
    let missing: Vec<String> = used
        .iter()
        .filter(|(_, key)| {
            let plural = |form: &str| en.contains_key(format!("{key}.{form}").as_str());
            let whole = en.contains_key(key.as_str()) && fr.contains_key(key.as_str());
            !(whole || plural("one") && plural("other"))
        })
        .map(|(path, key)| format!("{path}: {key}"))
        .collect();
    assert!(missing.is_empty(), "not in both catalogues: {missing:#?}");
    // Every sentence of the engine's catalogue is one some code says.
    let said: BTreeSet<&str> = used.iter().map(|(_, k)| k.as_str()).collect();
    let unused: Vec<&str> = parse(seglens_engine::model::message::ENGLISH)
        .into_iter()
        .map(|(key, _)| key)
        .filter(|key| {
            let base = key.trim_end_matches(".one").trim_end_matches(".other");
            !said.contains(key) && !said.contains(base)
        })
        .collect();
    assert!(unused.is_empty(), "never said: {unused:#?}");
}

#[test]
fn a_sentence_with_values_is_worded_around_them() {
    use seglens_app::i18n::{Locale, message, set_locale};
    use seglens_engine::model::message::Message;
    let no_numbers = Message::new("engine.with.no_numbers").with("column", "âge");
    let in_rule = Message::new("engine.with.rule_at")
        .with("path", "rule.all[1]")
        .with(
            "message",
            Message::new("engine.with.rule_no_column")
                .with("column", "ville")
                .with("columns", "id, city"),
        );
    assert_eq!(
        in_rule.to_string(),
        "at rule.all[1]: the customers file has no column \"ville\" (it has: id, city)"
    );
    set_locale(Locale::Fr);
    let got = [message(&no_numbers), message(&in_rule)];
    set_locale(Locale::En);
    assert_eq!(got[0], "La colonne « âge » ne contient aucun nombre.");
    assert_eq!(
        got[1],
        "en rule.all[1] : le fichier clients n'a pas de colonne « ville » (il a : id, city)"
    );
    let sheet = |kind: &'static str, sheet: Option<&str>| match sheet {
        Some(name) => Message::new("engine.with.sheet_named")
            .with("kind", Message::new(kind))
            .with("sheet", name),
        None => Message::new("engine.with.first_sheet").with("kind", Message::new(kind)),
    };
    let sheets = [
        sheet("engine.excel_97_2003_workbook_xls", Some("Ventes 2024")),
        sheet("engine.opendocument_spreadsheet", None),
        sheet("engine.html_table_saved_as_a_workbook", None),
    ];
    assert_eq!(
        sheets[0].to_string(),
        "Excel 97–2003 workbook (.xls), sheet “Ventes 2024”"
    );
    set_locale(Locale::Fr);
    let sheets = sheets.map(|m| message(&m));
    set_locale(Locale::En);
    assert_eq!(
        sheets,
        [
            "classeur Excel 97–2003 (.xls), feuille « Ventes 2024 »",
            "tableur OpenDocument (première feuille)",
            "tableau HTML enregistré comme classeur (première feuille)"
        ]
    );
}

#[test]
fn split_suggestions_and_differences_are_worded_in_english_as_the_engine_says_them_and_in_french() {
    use seglens_app::i18n::{difference, half_name, split_sentence};
    use seglens_engine::metrics::compare::{Difference, Source};
    use seglens_engine::segments::suggest::{Finding, Half, Side, SplitSuggestion};
    let half = |side: Side| Half {
        side,
        name: format!("Champions — {}", side.label()),
        rule: String::new(),
        customers: 12,
    };
    let findings = [
        Finding::Polarised {
            answers: 1234,
            promoters: 0.405,
            detractors: 0.31,
        },
        Finding::Polarised {
            answers: 40,
            promoters: 0.25,
            detractors: 0.5,
        },
        Finding::Bimodal {
            coefficient: 0.6712,
            low: (1250, 84.4),
            high: (310, 2707.5),
        },
    ];
    for finding in findings {
        let s = SplitSuggestion {
            segment: "Champions".into(),
            measure: String::new(),
            sentence: format!("Champions: {finding}"),
            finding,
            halves: [half(Side::Promoters), half(Side::Detractors)],
        };
        worded_as_the_engine(|| split_sentence(&s), &s.sentence, "suggest.", &s);
    }
    for side in [
        Side::Promoters,
        Side::Detractors,
        Side::HigherSpend,
        Side::LowerSpend,
    ] {
        let h = half(side);
        worded_as_the_engine(|| half_name("Champions", side), &h.name, "suggest.", side);
    }
    // The sentences as the engine writes them (its own tests check it).
    let names = ["Champions".to_string(), "Lost".to_string()];
    for (source, sentence) in [
        (
            Source::Attribute("city".into()),
            "Lost more often have city “Lyon”: 63% of them against 20% of Champions.",
        ),
        (
            Source::Category,
            "Lost more often bought in “Lyon”: 63% of them against 20% of Champions.",
        ),
        (
            Source::Event,
            "Lost more often did “Lyon”: 63% of them against 20% of Champions.",
        ),
    ] {
        let d = Difference {
            source,
            value: "Lyon".into(),
            counts: [2, 5],
            shares: [0.2, 0.625],
            p_value: 0.01,
            sentence: sentence.into(),
        };
        worded_as_the_engine(|| difference(&d, &names), &d.sentence, "compare.", &d);
    }
}

#[test]
fn notable_changes_are_worded_in_english_as_the_engine_says_them_and_in_french() {
    use seglens_app::i18n::change;
    use seglens_engine::metrics::kpi::KpiFormat;
    use seglens_engine::metrics::snapshot::{Snapshot, notable_changes};
    // One KPI of each format, as the engine defines them.
    let defs = seglens_engine::metrics::kpi::definitions();
    let mut kpis: Vec<(KpiId, String, KpiFormat, bool)> = Vec::new();
    for format in [
        KpiFormat::Count,
        KpiFormat::Money,
        KpiFormat::Rate,
        KpiFormat::Points,
        KpiFormat::Number,
    ] {
        let def = defs.iter().find(|d| d.format == format).unwrap();
        kpis.push((def.id, def.name.clone(), format, def.higher_is_better));
    }
    assert_eq!(kpis[0].0, KpiId::Customers);
    let snapshot = |values: Vec<Vec<Option<f64>>>| Snapshot {
        taken: String::new(),
        reason: String::new(),
        as_of: 0,
        groups: vec!["Champions".into(), "At Risk".into()],
        kpis: kpis.clone(),
        values,
        spread: Vec::new(),
    };
    let before = snapshot(vec![
        [1200.0, 98_000.5, 0.125, 12.0, 2.0].map(Some).to_vec(),
        [300.0, 5000.0, 0.4, -20.0, 1.5].map(Some).to_vec(),
    ]);
    let after = snapshot(vec![
        [1500.0, 70_000.25, 0.2, 35.0, 2.6].map(Some).to_vec(),
        [240.0, 9000.0, 0.31, -45.0, 1.0].map(Some).to_vec(),
    ]);
    let changes = notable_changes(&before, &after);
    // Every KPI of both groups moved enough to be notable.
    assert_eq!(changes.len(), 10, "{changes:?}");
    for c in changes {
        worded_as_the_engine(|| change(&c), &c.text, "history.", &c);
    }
}

#[test]
fn the_groups_of_a_column_are_named_in_french() {
    use seglens_app::i18n::{Locale, group_name, set_locale};
    use seglens_engine::import::dataset::Dataset;
    use seglens_engine::segments::Facts;
    use seglens_engine::segments::splits::column_split;
    let files = seglens_engine::import::demo::generate(seglens_engine::import::demo::DEMO_SEED);
    let (orders, _) =
        seglens_engine::import_orders("orders.csv", files.orders.as_bytes(), Default::default())
            .unwrap();
    let mut data = Dataset::from_orders(orders);
    data.add_source("customers.csv", files.customers.as_bytes())
        .unwrap();
    let as_of = data.orders.day.iter().max().unwrap() + 1;
    let facts = Facts::new(&data, as_of);
    // Ages in quartiles and in bands with a decimal edge; cities, the most
    // frequent and the others.
    let mut names = Vec::new();
    let explained = column_split(&data, &facts, "age", None)
        .unwrap()
        .explanation;
    use seglens_engine::model::message::{Message, Value};
    let tiers = Message::new("engine.with.value_tiers")
        .with("high", Value::Number(1234.5, 1))
        .with("medium", Value::Number(80.25, 2));
    set_locale(Locale::Fr);
    let french = seglens_app::i18n::message(&explained);
    let value = seglens_app::i18n::message(&tiers);
    set_locale(Locale::En);
    assert_eq!(
        french,
        "Les clients par age, en quartiles : environ un quart des clients ayant une valeur dans chaque tranche."
    );
    assert!(
        value.contains("à partir de 1\u{202f}234,5 (") && value.contains("80,25"),
        "{value}"
    );
    for (column, edges) in [
        ("age", None),
        ("age", Some(&[30.0, 47.5][..])),
        ("city", None),
    ] {
        let split = column_split(&data, &facts, column, edges).unwrap();
        // What the page learns from each analysis: the groups' labels.
        let labels: Vec<_> = split
            .groups
            .iter()
            .map(|(name, _)| name.clone())
            .zip(split.labels)
            .collect();
        seglens_app::i18n::learn_group_labels(&labels);
        names.extend(split.groups.into_iter().map(|(name, _)| name));
    }
    set_locale(Locale::Fr);
    let french: Vec<String> = names.iter().map(|n| group_name(n)).collect();
    set_locale(Locale::En);
    let english: Vec<String> = names.iter().map(|n| group_name(n)).collect();
    assert_eq!(english, names);
    let pairs: Vec<(&String, &String)> = names.iter().zip(&french).collect();
    for (name, french) in &pairs {
        if name.contains(" = ") {
            assert_eq!(name, french, "a value stays as written");
        } else {
            assert_ne!(name, french);
            for english in [" under ", " to ", " and over", "unknown", "other values"] {
                assert!(!french.contains(english), "{french}");
            }
        }
    }
    let said = |english: &str| {
        pairs
            .iter()
            .find(|(n, _)| n.as_str() == english)
            .map(|(_, f)| f.as_str())
    };
    assert_eq!(said("age under 30"), Some("age moins de 30"));
    assert_eq!(
        said("age 30 to under 47.5"),
        Some("age de 30 à moins de 47,5")
    );
    assert_eq!(said("age 47.5 and over"), Some("age 47,5 et plus"));
    assert_eq!(said("city: other values"), Some("city : autres valeurs"));
}

#[test]
fn the_models_warnings_are_worded_in_french_around_their_counts() {
    use seglens_app::i18n::{Locale, message, set_locale};
    use seglens_engine::import::{dataset::Dataset, demo};
    use seglens_engine::{ImportOptions, analysis, import_orders};
    // A small business: too few repeat buyers for confident estimates.
    let files = demo::generate_sized(demo::DEMO_SEED, 40);
    let (orders, _) =
        import_orders("o.csv", files.orders.as_bytes(), ImportOptions::default()).unwrap();
    let analysis = analysis::analyse(&Dataset::from_orders(orders), &Default::default()).unwrap();
    let warnings = analysis.prediction.expect("the models fit").warnings;
    let few = warnings
        .iter()
        .find(|w| {
            w.to_string()
                .ends_with("customers bought more than once: the estimates are very uncertain.")
        })
        .expect("a warning on the few repeat buyers");
    let english = few.to_string();
    let count = english
        .strip_prefix("Only ")
        .and_then(|r| r.split(' ').next())
        .unwrap();
    set_locale(Locale::Fr);
    let french: Vec<String> = warnings.iter().map(message).collect();
    let few_fr = message(few);
    set_locale(Locale::En);
    assert_eq!(
        few_fr,
        format!(
            "Seuls {count} clients ont acheté plus d'une fois : les estimations sont très incertaines."
        )
    );
    for (english, french) in warnings.iter().zip(&french) {
        assert_ne!(&english.to_string(), french);
    }
}

#[test]
fn the_cross_sell_headline_is_worded_in_english_as_the_engine_says_it_and_in_french() {
    use seglens_engine::journeys::crosssell::{cross_sell, headline};
    let files = seglens_engine::import::demo::generate(seglens_engine::import::demo::DEMO_SEED);
    let (orders, _) =
        seglens_engine::import_orders("orders.csv", files.orders.as_bytes(), Default::default())
            .unwrap();
    let as_of = orders.day.iter().max().unwrap() + 1;
    let x = cross_sell(&orders, as_of, None, 10).unwrap();
    let engine = headline(&x).expect("the demo's categories go together");
    worded_as_the_engine(
        || seglens_app::i18n::cross_sell_headline(&x).unwrap(),
        &engine,
        "crosssell.",
        "headline",
    );
}

#[test]
fn the_fields_another_file_was_read_with_are_named_in_french() {
    use seglens_app::i18n::{Locale, column_used, set_locale};
    use seglens_engine::import::dataset::Dataset;
    let files =
        seglens_engine::import::demo::generate_sized(seglens_engine::import::demo::DEMO_SEED, 200);
    let (orders, _) =
        seglens_engine::import_orders("orders.csv", files.orders.as_bytes(), Default::default())
            .unwrap();
    let mut data = Dataset::from_orders(orders);
    for (name, text) in files
        .files()
        .into_iter()
        .filter(|(n, _)| *n != "orders.csv")
    {
        data.add_source(name, text.as_bytes()).unwrap();
    }
    let used: Vec<String> = data
        .source_reports
        .iter()
        .flat_map(|r| r.columns_used.clone())
        .collect();
    assert!(used.len() >= 15, "{used:?}");
    let fr = table(Locale::Fr);
    for u in &used {
        let (field, column) = u.split_once(": ").unwrap();
        assert!(
            fr.contains_key(format!("used.{}", slug(field)).as_str()),
            "{u}"
        );
        assert_eq!(column_used(u), *u, "English as the engine says it");
        set_locale(Locale::Fr);
        let french = column_used(u);
        set_locale(Locale::En);
        assert!(french.ends_with(&format!(" : {column}")), "{french}");
    }
    set_locale(Locale::Fr);
    assert_eq!(column_used("first name: prenom"), "prénom : prenom");
    set_locale(Locale::En);
}

#[test]
fn every_platform_is_named_in_both_languages() {
    // The import report names the platform an order file came from by its
    // id: `platform.shopify_orders`.
    let (en, fr) = (table(Locale::En), table(Locale::Fr));
    for p in seglens_engine::import::platform::PLATFORMS {
        let key = format!("platform.{}", p.id);
        assert!(en.contains_key(key.as_str()), "{key} missing in English");
        assert!(fr.contains_key(key.as_str()), "{key} missing in French");
    }
    // A report of counts is named, and what to export instead said.
    for r in seglens_engine::import::platform::REPORTS {
        for key in [
            format!("platform.{}", r.id),
            format!("platform.instead.{}", r.id),
        ] {
            assert!(en.contains_key(key.as_str()), "{key} missing in English");
            assert!(fr.contains_key(key.as_str()), "{key} missing in French");
        }
        assert_eq!(en[format!("platform.instead.{}", r.id).as_str()], r.instead);
    }
}

#[test]
fn a_users_segment_keeps_its_own_name_and_the_apps_groups_are_translated() {
    use seglens_app::i18n::{Locale, rule_words, saved_name, segment_name, set_locale};
    use seglens_engine::segments::splits::{Split, Tier};
    use seglens_engine::segments::{Definition, Rule, SavedSegment};
    let saved = |name: &str, definition: Definition| SavedSegment {
        name: name.into(),
        version: 1,
        definition,
        note: String::new(),
    };
    let rule = Definition::Rule(r#"{"attribute":"city","equals":"Lyon"}"#.into());
    // Named by a user with words that are also the app's names.
    let mine = saved("High value", rule.clone());
    let lost = saved("Lost", rule.clone());
    // Saved in one click from the value tier, under the tier's own name.
    let tier = saved(
        "High value",
        Definition::Group {
            split: Split::Tier(Tier::Value),
            group: "High value".into(),
        },
    );
    let in_segment = |s: &SavedSegment| Rule::InSegment {
        name: s.name.clone(),
        definition: Box::new(s.definition.clone()),
    };
    set_locale(Locale::Fr);
    let shown = (
        saved_name(&mine),
        saved_name(&lost),
        saved_name(&tier),
        segment_name("Lost", std::slice::from_ref(&lost)),
        segment_name("Lost", &[]),
        rule_words(&in_segment(&lost)),
        rule_words(&Rule::InSegment {
            name: "Lost".into(),
            definition: Box::new(Definition::Rfm("Lost".into())),
        }),
    );
    // Rows of the KPI table: the same name is the user's segment among the
    // saved segments, the value tier's group among the tiers.
    let mut options = seglens_engine::analysis::AnalysisOptions {
        segments: vec![mine.clone()],
        rows: seglens_engine::segments::groups::Rows::Saved,
        ..Default::default()
    };
    let as_saved = seglens_app::i18n::row_name("High value", &options);
    options.rows = seglens_engine::segments::groups::Rows::Split(Split::Tier(Tier::Value));
    let as_tier = seglens_app::i18n::row_name("High value", &options);
    set_locale(Locale::En);
    assert_eq!(
        (as_saved.as_str(), as_tier.as_str()),
        ("High value", "Valeur élevée")
    );
    assert_eq!(shown.0, "High value");
    assert_eq!(shown.1, "Lost");
    assert_eq!(shown.2, "Valeur élevée");
    assert_eq!(shown.3, "Lost", "a saved segment named Lost");
    assert_eq!(shown.4, "Perdus", "the RFM segment Lost");
    assert!(shown.5.contains("« Lost »"), "{}", shown.5);
    assert!(shown.6.contains("« Perdus »"), "{}", shown.6);
}

//! The interface's words in English and French. Every text a component
//! shows comes from a catalogue in `locales/` (`key = text`, one per line),
//! looked up by key for the chosen language; numbers and dates are written
//! for it by [`crate::format`]. `tests/i18n.rs` fails when a key is missing
//! in one language, is used without being in the catalogues, or when the
//! two languages disagree on a text's `{placeholders}`.

use seglens_engine::metrics::kpi::KpiId;
use std::cell::Cell;
use std::sync::OnceLock;

/// A language of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Locale {
    /// English (the default).
    #[default]
    En,
    /// French.
    Fr,
}

impl Locale {
    /// Both, in the order the switch shows them.
    pub const ALL: [Locale; 2] = [Locale::En, Locale::Fr];

    /// The BCP 47 tag, for `<html lang>` and the stored choice.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Fr => "fr",
        }
    }

    /// The language a browser's preferred tag (`fr-CA`, `en-GB`) asks for,
    /// if the interface has it.
    pub fn from_tag(tag: &str) -> Option<Locale> {
        let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Locale::En),
            "fr" => Some(Locale::Fr),
            _ => None,
        }
    }

    /// The language's name in itself, for the switch.
    pub fn name(self) -> &'static str {
        match self {
            Locale::En => "English",
            Locale::Fr => "Français",
        }
    }
}

/// The English catalogue's text (the page's words; the engine's are
/// [`seglens_engine::model::message::ENGLISH`]).
pub const EN: &str = include_str!("../locales/en.txt");
/// The French catalogue's text (the page's words; the engine's are
/// [`seglens_engine::model::message::FRENCH`]).
pub const FR: &str = include_str!("../locales/fr.txt");

/// A catalogue's `key = text` lines, sorted by key. Blank lines and lines
/// starting with `#` are skipped; `\n` in a text stands for a line break.
pub use seglens_engine::model::message::catalogue as parse;

/// A language's whole catalogue: the page's words and the engine's, as one
/// table sorted by key.
pub fn texts(locale: Locale) -> Vec<(&'static str, &'static str)> {
    use seglens_engine::model::message::{ENGLISH, FRENCH};
    let (page, engine) = match locale {
        Locale::En => (EN, ENGLISH),
        Locale::Fr => (FR, FRENCH),
    };
    let mut all = parse(page);
    all.extend(parse(engine));
    all.sort_by(|a, b| a.0.cmp(b.0));
    all
}

fn catalogue(locale: Locale) -> &'static [(&'static str, &'static str)] {
    static TABLES: OnceLock<[Vec<(&'static str, &'static str)>; 2]> = OnceLock::new();
    let tables = TABLES.get_or_init(|| [texts(Locale::En), texts(Locale::Fr)]);
    &tables[locale as usize]
}

thread_local! {
    static CURRENT: Cell<Locale> = const { Cell::new(Locale::En) };
}

/// The language texts are looked up in.
pub fn locale() -> Locale {
    CURRENT.with(Cell::get)
}

/// Sets the language texts are looked up in.
pub fn set_locale(locale: Locale) {
    CURRENT.with(|c| c.set(locale));
}

/// The text for `key` in `locale`, if the catalogue has it.
pub fn lookup(locale: Locale, key: &str) -> Option<&'static str> {
    let table = catalogue(locale);
    table
        .binary_search_by(|(k, _)| (*k).cmp(key))
        .ok()
        .map(|i| table[i].1)
}

/// The text for `key` in the current language; English when French lacks
/// it, and the key itself when neither has it (the catalogue test stops
/// both before they ship).
pub fn t(key: &str) -> String {
    lookup(locale(), key)
        .or_else(|| lookup(Locale::En, key))
        .map_or_else(|| key.to_string(), |s| s.replace("\\n", "\n"))
}

/// The text for `key` with its `{name}` placeholders filled.
pub fn tf(key: &str, args: &[(&str, &str)]) -> String {
    fill(&t(key), args)
}

/// Fills `{name}` placeholders in `text`.
pub fn fill(text: &str, args: &[(&str, &str)]) -> String {
    let mut out = text.to_string();
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// Whether the count `n` takes the singular in the interface's language
/// (French takes it for 0 and 1, English for 1 only).
fn singular(n: u64) -> bool {
    match locale() {
        Locale::En => n == 1,
        Locale::Fr => n <= 1,
    }
}

/// The `.one` or `.other` form of `key` for the count `n` (French takes
/// the singular for 0 and 1, English for 1 only), with `{n}` written as a
/// number of the language and the other placeholders filled.
pub fn tn(key: &str, n: u64, args: &[(&str, &str)]) -> String {
    let form = format!("{key}.{}", if singular(n) { "one" } else { "other" });
    let count = crate::format::int(n);
    let mut all = vec![("n", count.as_str())];
    all.extend_from_slice(args);
    tf(&form, &all)
}

/// The shown name of a segment, group, field or other engine name: in
/// French the catalogue's `prefix.slug` entry when it has one (the
/// built-in names), else the name as the user or the engine wrote it.
pub fn name(prefix: &str, name: &str) -> String {
    // The engine names things in English: shown as written there, so that
    // two spellings of one slug ("New Customers", "New customers") stay
    // apart.
    if locale() == Locale::En {
        return name.to_string();
    }
    let key = format!("{prefix}.{}", slug(name));
    lookup(locale(), &key).map_or_else(|| name.to_string(), str::to_string)
}

/// How the interface's language writes the engine's messages: its
/// catalogue, its plural rule and its numbers.
struct Current;

impl seglens_engine::model::message::Words for Current {
    fn text(&self, key: &str) -> Option<&str> {
        lookup(locale(), key).or_else(|| lookup(Locale::En, key))
    }
    fn one(&self, n: u64) -> bool {
        singular(n)
    }
    fn count(&self, n: u64) -> String {
        crate::format::int(n)
    }
    fn number(&self, x: f64, places: u8) -> String {
        crate::format::grouped(x, usize::from(places))
    }
}

/// A message of the engine (why a KPI has no value, why a workbook or a
/// segment cannot be read, how a split made its groups) in the
/// interface's language.
pub fn message(message: &seglens_engine::model::message::Message) -> String {
    seglens_engine::model::message::write(message, &Current)
}

thread_local! {
    /// The names the engine gave groups as messages (a column's bands and
    /// values), by the group's name: a name always stands for the same
    /// group, so what was learnt stays true.
    static GROUP_LABELS: std::cell::RefCell<std::collections::HashMap<String, seglens_engine::model::message::Message>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

/// Learns how the engine names groups it made from a column (`age 30 to
/// under 40` with its edges as numbers), from an analysis's
/// [`group_labels`](seglens_engine::analysis::Analysis::group_labels).
pub fn learn_group_labels(labels: &[(String, seglens_engine::model::message::Message)]) {
    GROUP_LABELS.with(|known| {
        let mut known = known.borrow_mut();
        for (name, label) in labels {
            known.insert(name.clone(), label.clone());
        }
    });
}

/// A group named in the interface's language: a group of a column's split
/// (`age de 30 à moins de 40`, `city : autres valeurs`) from the message
/// the engine gave with it, its edges written as numbers of the language;
/// a built-in group (an RFM segment, a stage, a tier) by its catalogue
/// key; any other (a saved segment, a column's value) as it is written.
pub fn group_name(group: &str) -> String {
    match GROUP_LABELS.with(|known| known.borrow().get(group).cloned()) {
        Some(label) => message(&label),
        None => name("segment", group),
    }
}

/// Whether `name` is the app's own name for the built-in group `definition`
/// stands for (an RFM segment, a lifecycle stage, a tier or churn band by
/// its group's name), rather than words a user chose.
fn built_in_name(name: &str, definition: &seglens_engine::segments::Definition) -> bool {
    use seglens_engine::segments::Definition;
    use seglens_engine::segments::splits::Split;
    match definition {
        Definition::Rfm(segment) => segment == name,
        Definition::Lifecycle(stage) => stage.label() == name,
        Definition::Group { split, group } => {
            !matches!(split, Split::Attribute { .. }) && group == name
        }
        _ => false,
    }
}

/// A saved segment's name as shown: the user's own words as typed, in every
/// language (a segment named "Lost" stays "Lost" in French); a name the app
/// gave it from a built-in group (a tier, a churn band, an RFM segment) in
/// the current language.
pub fn saved_name(segment: &seglens_engine::segments::SavedSegment) -> String {
    if built_in_name(&segment.name, &segment.definition) {
        group_name(&segment.name)
    } else {
        segment.name.clone()
    }
}

/// The name of a group that may be one of the `saved` segments: a saved
/// segment's as [`saved_name`] shows it, any other (an RFM segment, a
/// stage, a tier, a column's value or band) as [`group_name`] does.
pub fn segment_name(name: &str, saved: &[seglens_engine::segments::SavedSegment]) -> String {
    match saved.iter().find(|s| s.name == name) {
        Some(segment) => saved_name(segment),
        None => group_name(name),
    }
}

/// The name of a group among the rows the KPI table, the funnel and the
/// segmentation compare (`options.rows`): a saved segment's as
/// [`saved_name`] shows it when the rows are the saved segments, any other
/// (an RFM segment, a stage, a tier, a column's value) as [`group_name`]
/// does, even where a saved segment has the same name.
pub fn row_name(name: &str, options: &seglens_engine::analysis::AnalysisOptions) -> String {
    match options.rows {
        seglens_engine::segments::groups::Rows::Saved => segment_name(name, &options.segments),
        _ => group_name(name),
    }
}

/// A KPI's shown name: the catalogue's `kpi.ID`, its `{period}` the days
/// the engine wrote in its own name; the engine's name for a KPI the
/// catalogue lacks.
pub fn kpi_name(def: &seglens_engine::metrics::kpi::KpiDef) -> String {
    kpi_text(def, &format!("kpi.{}", def.id), &def.name)
}

/// A KPI's formula in words, as [`kpi_name`] finds its name.
pub fn kpi_formula(def: &seglens_engine::metrics::kpi::KpiDef) -> String {
    kpi_text(def, &format!("kpi.{}.formula", def.id), &def.formula)
}

/// How a marketer uses a KPI, when the catalogue says.
pub fn kpi_use(def: &seglens_engine::metrics::kpi::KpiDef) -> Option<String> {
    let key = format!("kpi.{}.use", def.id);
    lookup(locale(), &key)
        .or_else(|| lookup(Locale::En, &key))
        .map(str::to_string)
}

fn kpi_text(def: &seglens_engine::metrics::kpi::KpiDef, key: &str, engine: &str) -> String {
    let period: String = def.name.chars().filter(char::is_ascii_digit).collect();
    lookup(locale(), key).map_or_else(
        || engine.to_string(),
        |text| fill(text, &[("period", &period)]),
    )
}

/// A catalogue key for a name: lower case, runs of other characters as `_`.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_string()
}

/// Why a row was rejected, in the interface's language: the engine's
/// [`Fault`](seglens_engine::model::fault::Fault) worded from the catalogue's
/// `fault.*` texts, or the engine's English sentence for a cause it gives
/// no fault for (and for reports stored before faults were kept).
pub fn row_reason(e: &seglens_engine::import::orders::RowError) -> String {
    fault_text(&e.fault, &e.reason)
}

/// A fault worded from the catalogue; `english`, the engine's sentence,
/// for [`Fault::Other`](seglens_engine::model::fault::Fault::Other).
pub fn fault_text(fault: &seglens_engine::model::fault::Fault, english: &str) -> String {
    use seglens_engine::model::fault::{Fault, Field};
    let text = |key: &str, text: &str| tf(key, &[("text", text)]);
    match fault {
        Fault::Other => english.to_string(),
        Fault::TooFewFields { found, expected } => tn(
            "fault.too_few_fields",
            *found as u64,
            &[("expected", &crate::format::int(*expected as u64))],
        ),
        Fault::UnclosedQuote => t("fault.unclosed_quote"),
        Fault::NotJson { at } => tf("fault.not_json", &[("at", &at.to_string())]),
        Fault::JsonNotObject => t("fault.json_not_object"),
        Fault::Empty(field) => t(match field {
            Field::Customer => "fault.empty.customer",
            Field::Date => "fault.empty.date",
            Field::Amount => "fault.empty.amount",
            Field::Event => "fault.empty.event",
            Field::OpeningTime => "fault.empty.opening_time",
            Field::Spend => "fault.empty.spend",
            Field::OrderId => "fault.empty.order_id",
        }),
        Fault::NotARealDay { text: x } => text("fault.not_a_real_day", x),
        Fault::NotARealDayReadAs { text: x, format } => tf(
            "fault.not_a_real_day_read_as",
            &[("text", x), ("format", format)],
        ),
        Fault::NotInFormat {
            text: x,
            format: Some(format),
        } => tf("fault.not_in_format", &[("text", x), ("format", format)]),
        Fault::NotInFormat {
            text: x,
            format: None,
        } => text("fault.not_in_either_format", x),
        Fault::NotAnAmount { text: x } => text("fault.not_an_amount", x),
        Fault::NotADate { text: x } => text("fault.not_a_date", x),
        Fault::NotADateOrTime { text: x } => text("fault.not_a_date_or_time", x),
        Fault::NotADateAndTime { text: x } => text("fault.not_a_date_and_time", x),
        Fault::NotYesOrNo { text: x } => text("fault.not_yes_or_no", x),
        Fault::NotAGroup { text: x } => text("fault.not_a_group", x),
        Fault::NotInScale { text: x, lo, hi } => tf(
            "fault.not_in_scale",
            &[
                ("text", x),
                ("lo", &lo.to_string()),
                ("hi", &hi.to_string()),
            ],
        ),
        Fault::NoScore => t("fault.no_score"),
        Fault::NegativeSpend => t("fault.negative_spend"),
        Fault::ListedAgain => t("fault.listed_again"),
        Fault::ResolvedBeforeOpened => t("fault.resolved_before_opened"),
        Fault::Anonymous => t("fault.anonymous"),
        Fault::AfterToday { day, birth } => tf(
            if *birth {
                "fault.born_after_today"
            } else {
                "fault.dated_after_today"
            },
            &[("day", &crate::format::date(*day))],
        ),
        Fault::BornTooLongAgo { day, years } => tf(
            "fault.born_too_long_ago",
            &[
                ("day", &crate::format::date(*day)),
                ("years", &years.to_string()),
            ],
        ),
        Fault::NegativeAge { text: x } => text("fault.negative_age", x),
        Fault::AgeBeyondAnyCustomer { text: x } => text("fault.age_beyond_any_customer", x),
    }
}

/// Why a whole file was refused, in the interface's language, from the
/// catalogue's `import.*` texts (the engine's own words, such as a
/// workbook's fault, through [`engine_text`]).
pub fn import_error(error: &seglens_engine::ImportError) -> String {
    use seglens_engine::ImportError as E;
    use seglens_engine::import::roles::Role;
    let columns = |columns: &[String]| {
        if columns.is_empty() {
            t("import.columns_none")
        } else {
            columns.join(", ")
        }
    };
    match error {
        E::Empty { file } => tf("import.empty", &[("file", file)]),
        E::Binary { file, offset } => tf(
            "import.binary",
            &[("file", file), ("offset", &offset.to_string())],
        ),
        E::NotUtf8After { file, offset } => tf(
            "import.not_utf8_after",
            &[("file", file), ("offset", &offset.to_string())],
        ),
        E::MissingColumns {
            file,
            missing,
            columns: found,
        } => {
            let roles: Vec<String> = missing
                .iter()
                .map(|r| {
                    t(match r {
                        Role::CustomerId => "import.role.customer_id",
                        Role::OrderDate => "import.role.order_date",
                        Role::Amount => "import.role.amount",
                        Role::OrderId => "import.role.order_id",
                        Role::Quantity => "import.role.quantity",
                        Role::UnitPrice => "import.role.unit_price",
                        Role::LineTotal => "import.role.line_total",
                        Role::Status => "import.role.status",
                        Role::Refunded => "import.role.refunded",
                        Role::Phone => "import.role.phone",
                    })
                })
                .collect();
            let key = format!("import.missing_columns.{}", roles.len().clamp(1, 3));
            let names = ["a", "b", "c"];
            let mut args: Vec<(&str, &str)> = vec![("file", file)];
            let found = columns(found);
            args.push(("columns", &found));
            args.extend(names.iter().zip(&roles).map(|(n, r)| (*n, r.as_str())));
            tf(&key, &args)
        }
        E::UnknownColumn { file, column } => tf(
            "import.unknown_column",
            &[("file", file), ("column", column)],
        ),
        E::MissingColumn {
            file,
            what,
            columns: found,
        } => tf(
            "import.missing_column",
            &[
                ("file", file),
                ("what", &message(what)),
                ("columns", &columns(found)),
            ],
        ),
        E::NoRespondent {
            file,
            platform,
            columns: found,
        } => tf(
            "import.no_respondent",
            &[
                ("file", file),
                ("platform", &t(&format!("platform.{platform}"))),
                ("columns", &columns(found)),
            ],
        ),
        E::Aggregated {
            file,
            platform,
            columns: found,
        } => tf(
            "import.aggregated",
            &[
                ("file", file),
                ("platform", &t(&format!("platform.{platform}"))),
                ("instead", &t(&format!("platform.instead.{platform}"))),
                ("columns", &columns(found)),
            ],
        ),
        E::NoRows { file } => tf("import.no_rows", &[("file", file)]),
        E::NoValidRows {
            file,
            rejected,
            first,
        } => tf(
            "import.no_valid_rows",
            &[
                ("file", file),
                ("rejected", &crate::format::int(*rejected)),
                ("line", &first.line.to_string()),
                (
                    "column",
                    &first
                        .column
                        .as_ref()
                        .map(|c| tf("import.at_column", &[("c", c)]))
                        .unwrap_or_default(),
                ),
                ("reason", &row_reason(first)),
            ],
        ),
        E::Spreadsheet { file, reason } => tf(
            "import.spreadsheet",
            &[("file", file), ("reason", &message(reason))],
        ),
        E::BadLine { file, line, fault } => tf(
            "import.bad_line",
            &[
                ("file", file),
                ("line", &line.to_string()),
                ("reason", &fault_text(fault, &fault.to_string())),
            ],
        ),
        E::NeedsOrders { file } => tf("import.needs_orders", &[("file", file)]),
    }
}

/// "Customers like these also buy …" in the interface's language, from
/// the pair the engine's headline speaks of; in English, the engine's own
/// sentence.
pub fn cross_sell_headline(x: &seglens_engine::journeys::crosssell::CrossSell) -> Option<String> {
    let p = seglens_engine::journeys::crosssell::headline_pair(x)?;
    Some(tf(
        "crosssell.headline",
        &[
            ("from", &p.from),
            ("to", &p.to),
            (
                "share",
                &crate::format::percent_sign(&crate::format::decimal(p.confidence * 100.0, 0)),
            ),
            ("lift", &crate::format::decimal(p.lift, 1)),
        ],
    ))
}

/// A column another file was read with, as the engine reports it
/// (`first name: prenom`), its field in the interface's language.
pub fn column_used(used: &str) -> String {
    match used.split_once(": ") {
        Some((field, column)) => tf(
            "used.pair",
            &[("field", &name("used", field)), ("column", column)],
        ),
        None => used.to_string(),
    }
}

/// A part of an analysis or of the model check, in the interface's
/// language.
pub fn stage(stage: seglens_engine::model::stage::Stage) -> String {
    use seglens_engine::model::stage::Stage as S;
    t(match stage {
        S::Models => "stage.models",
        S::Scores => "stage.scores",
        S::Segments => "stage.segments",
        S::Kpis => "stage.kpis",
        S::Calibration => "stage.calibration",
        S::CalibrationFit => "stage.calibration_fit",
        S::Comparison => "stage.comparison",
    })
}

/// How a day-first or month-first date column was read, in the
/// interface's language.
pub fn date_reading(reading: seglens_engine::import::orders::DateReading) -> String {
    use seglens_engine::import::orders::DateReading as R;
    match reading {
        R::DayFirst { dates } => tn("import.read_day_first", dates, &[]),
        R::MonthFirst { dates } => tn("import.read_month_first", dates, &[]),
        R::Either => t("import.read_either"),
        R::Mixed {
            day_first,
            month_first,
        } => tf(
            "import.read_mixed",
            &[
                ("day_first", &crate::format::int(day_first)),
                ("month_first", &crate::format::int(month_first)),
                ("format", reading.format().label()),
            ],
        ),
    }
}

/// What sets a cluster apart, in the interface's language, from the
/// catalogue's `cluster.*` texts.
pub fn standout(standout: &seglens_engine::segments::cluster::Standout) -> String {
    use crate::format::{decimal, grouped};
    use seglens_engine::segments::cluster::{Feature, Standout};
    let (feature, mean, overall) = match standout {
        Standout::Value {
            column,
            value,
            share,
            base,
        } => {
            return tf(
                "cluster.value",
                &[
                    ("share", &decimal(share * 100.0, 0)),
                    ("column", column),
                    ("value", value),
                    ("base", &decimal(base * 100.0, 0)),
                ],
            );
        }
        Standout::Feature {
            feature,
            mean,
            overall,
        } => (feature, *mean, *overall),
    };
    let digits = Standout::decimals(feature);
    let (name, column) = match feature {
        Feature::Recency => ("recency", ""),
        Feature::Frequency => ("frequency", ""),
        Feature::Monetary => ("monetary", ""),
        Feature::Tenure => ("tenure", ""),
        Feature::AverageOrderValue => ("aov", ""),
        Feature::Engagement => ("engagement", ""),
        Feature::Attribute(c) => ("attribute", c.as_str()),
    };
    let ratio = standout.ratio();
    // Only recency, frequency and spend say how many times the average.
    let times = ratio.is_some() && matches!(name, "recency" | "frequency" | "monetary");
    let key = match (standout.is_more(), times) {
        (true, true) => format!("cluster.{name}.more_times"),
        (true, false) => format!("cluster.{name}.more"),
        (false, _) => format!("cluster.{name}.less"),
    };
    tf(
        &key,
        &[
            ("ratio", &ratio.map(|r| decimal(r, 1)).unwrap_or_default()),
            ("mean", &grouped(mean, digits)),
            ("overall", &grouped(overall, digits)),
            ("column", column),
        ],
    )
}

/// A split suggestion's sentence in the interface's language: the
/// segment's name and what makes it fall into two camps, as the engine's
/// `sentence` says it in English.
pub fn split_sentence(s: &seglens_engine::segments::suggest::SplitSuggestion) -> String {
    use crate::format::{decimal, grouped, int};
    use seglens_engine::segments::suggest::Finding;
    let segment = name("segment", &s.segment);
    let whole = crate::format::whole_percent;
    match &s.finding {
        Finding::Polarised {
            answers,
            promoters,
            detractors,
        } => tf(
            "suggest.polarised",
            &[
                ("segment", &segment),
                ("promoters", &whole(*promoters)),
                ("detractors", &whole(*detractors)),
                ("answers", &int(*answers)),
                (
                    "nps",
                    &format!("{:+.0}", s.finding.nps().unwrap_or_default()),
                ),
            ],
        ),
        Finding::Bimodal {
            coefficient,
            low,
            high,
        } => tf(
            "suggest.bimodal",
            &[
                ("segment", &segment),
                ("coefficient", &decimal(*coefficient, 2)),
                ("low", &int(low.0)),
                ("low_median", &grouped(low.1, 0)),
                ("high", &int(high.0)),
                ("high_median", &grouped(high.1, 0)),
            ],
        ),
    }
}

/// A half of a split suggestion named in the interface's language, as
/// the engine names it in English (`Champions — promoters`).
pub fn half_name(segment: &str, side: seglens_engine::segments::suggest::Side) -> String {
    use seglens_engine::segments::suggest::Side;
    let key = match side {
        Side::Promoters => "suggest.half.promoters",
        Side::Detractors => "suggest.half.detractors",
        Side::HigherSpend => "suggest.half.higher_spend",
        Side::LowerSpend => "suggest.half.lower_spend",
    };
    tf(key, &[("segment", &name("segment", segment))])
}

/// A clear difference between two segments in the interface's language,
/// as the engine's `sentence` says it in English.
pub fn difference(d: &seglens_engine::metrics::compare::Difference, names: &[String; 2]) -> String {
    use seglens_engine::metrics::compare::Source;
    let (hi, lo) = if d.shares[0] >= d.shares[1] {
        (0, 1)
    } else {
        (1, 0)
    };
    let whole = |share: f64| crate::format::whole_percent(share);
    let (key, column) = match &d.source {
        Source::Attribute(column) => ("compare.more_often.attribute", column.as_str()),
        Source::Category => ("compare.more_often.category", ""),
        Source::Event => ("compare.more_often.event", ""),
    };
    tf(
        key,
        &[
            ("more", &names[hi]),
            ("column", column),
            ("value", &d.value),
            ("more_share", &whole(d.shares[hi])),
            ("less_share", &whole(d.shares[lo])),
            ("less", &names[lo]),
        ],
    )
}

/// A notable change between two snapshots in the interface's language,
/// as the engine's `text` says it in English.
pub fn change(c: &seglens_engine::metrics::snapshot::Change) -> String {
    use crate::format::{decimal, grouped, percent};
    use seglens_engine::metrics::kpi::KpiFormat;
    let up = c.to > c.from;
    let direction = |key: &str| format!("history.change.{key}_{}", if up { "up" } else { "down" });
    let how = match c.format {
        KpiFormat::Rate => tf(
            &direction("points"),
            &[
                ("points", &grouped(((c.to - c.from) * 100.0).abs(), 1)),
                ("from", &percent(c.from)),
                ("to", &percent(c.to)),
            ],
        ),
        KpiFormat::Points => tf(
            &direction("points"),
            &[
                ("points", &decimal((c.to - c.from).abs(), 0)),
                ("from", &decimal(c.from, 0)),
                ("to", &decimal(c.to, 0)),
            ],
        ),
        format => {
            let places = if format == KpiFormat::Count { 0 } else { 2 };
            let share = ((c.to - c.from) / c.from.abs()).abs();
            tf(
                &direction(if c.kpi == KpiId::Customers {
                    "size"
                } else {
                    "value"
                }),
                &[
                    ("share", &crate::format::whole_percent(share)),
                    ("from", &grouped(c.from, places)),
                    ("to", &grouped(c.to, places)),
                ],
            )
        }
    };
    let group = name("segment", &c.group);
    if c.kpi == KpiId::Customers {
        return tf("history.change.size", &[("group", &group), ("how", &how)]);
    }
    let period: String = c.name.chars().filter(char::is_ascii_digit).collect();
    let kpi = lookup(locale(), &format!("kpi.{}", c.kpi))
        .map_or_else(|| c.name.clone(), |text| fill(text, &[("period", &period)]));
    tf(
        "history.change.kpi",
        &[("kpi", &kpi), ("group", &group), ("how", &how)],
    )
}

/// Whether chance could have moved a KPI so far, when it can be said
/// (rates, means and NPS of snapshots that keep their spread).
pub fn change_chance(c: &seglens_engine::metrics::snapshot::Change) -> Option<String> {
    let p = c.p_value?;
    Some(if c.significant() {
        let p = if p < 0.001 {
            format!("< {}", crate::format::decimal(0.001, 3))
        } else {
            format!("= {}", crate::format::decimal(p, 3))
        };
        tf("history.change.significant", &[("p", &p)])
    } else {
        tf(
            "history.change.chance",
            &[("p", &crate::format::decimal(p, 2))],
        )
    })
}

/// A notable change in words, with whether chance could explain it.
pub fn change_in_full(c: &seglens_engine::metrics::snapshot::Change) -> String {
    match change_chance(c) {
        Some(chance) => tf(
            "history.change.with_chance",
            &[("change", &change(c)), ("chance", &chance)],
        ),
        None => change(c),
    }
}

/// A per-customer measure's name (`Orders`, `Days since last order`).
pub fn measure_name(measure: seglens_engine::segments::Measure) -> String {
    t(&format!("measure.{}", measure.key()))
}

/// A segment rule in words, in the interface's language: the engine's
/// `Rule::describe`, worded from the catalogue's `rule.*` texts.
pub fn rule_words(rule: &seglens_engine::segments::Rule) -> String {
    use seglens_engine::segments::Rule;
    let group = |rules: &[Rule], joiner: &str, empty: &str| {
        if rules.is_empty() {
            return t(empty);
        }
        let parts: Vec<String> = rules
            .iter()
            .map(|r| match r {
                Rule::All(x) | Rule::Any(x) if x.len() > 1 => format!("({})", rule_words(r)),
                _ => rule_words(r),
            })
            .collect();
        parts.join(&format!(" {} ", t(joiner)))
    };
    let last_days = |d: u32| tf("rule.in_last_days", &[("d", &d.to_string())]);
    match rule {
        Rule::All(rules) => group(rules, "rule.and", "rule.everyone"),
        Rule::Any(rules) => group(rules, "rule.or", "rule.no_one"),
        Rule::Not(r) => tf("rule.not", &[("rule", &rule_words(r))]),
        Rule::InSegment { name, definition } => {
            let shown = if built_in_name(name, definition) {
                group_name(name)
            } else {
                name.clone()
            };
            tf("rule.in_segment", &[("name", &shown)])
        }
        Rule::Attribute { column, test } => format!("{column} {}", test_words(test)),
        Rule::Measure {
            measure,
            days,
            category,
            test,
        } => {
            let mut parts = vec![measure_name(*measure).to_lowercase()];
            parts.extend(category.iter().map(|c| tf("rule.in_category", &[("c", c)])));
            parts.extend(days.map(last_days));
            parts.push(test_words(test));
            parts.join(" ")
        }
        Rule::Event {
            name,
            did,
            at_least,
            within_days,
        } => {
            let verb = t(if *did { "rule.did" } else { "rule.did_not_do" });
            let mut parts = vec![verb, name.clone()];
            if *at_least != 1 {
                parts.push(tf("rule.at_least_times", &[("n", &at_least.to_string())]));
            }
            parts.extend(within_days.map(last_days));
            parts.join(" ")
        }
    }
}

/// A condition's test in words (`at least 2`, `is "Lyon"`).
fn test_words(test: &seglens_engine::segments::Test) -> String {
    use crate::format::{date, shortest};
    use seglens_engine::segments::Test;
    match test {
        Test::Equals(s) => tf("rule.test.equals", &[("s", s)]),
        Test::OneOf(v) => tf("rule.test.one_of", &[("list", &v.join(", "))]),
        Test::Contains(s) => tf("rule.test.contains", &[("s", s)]),
        Test::Between(a, b) => tf(
            "rule.test.between",
            &[("a", &shortest(*a)), ("b", &shortest(*b))],
        ),
        Test::AtLeast(a) => tf("rule.test.at_least", &[("a", &shortest(*a))]),
        Test::AtMost(a) => tf("rule.test.at_most", &[("a", &shortest(*a))]),
        Test::OnOrAfter(d) => tf("rule.test.on_or_after", &[("d", &date(*d))]),
        Test::Before(d) => tf("rule.test.before", &[("d", &date(*d))]),
        Test::WithinLastDays(n) => tf("rule.test.within_last_days", &[("n", &n.to_string())]),
        Test::MoreThanDaysAgo(n) => tf("rule.test.more_than_days_ago", &[("n", &n.to_string())]),
        Test::IsEmpty => t("rule.test.is_empty"),
        Test::IsNotEmpty => t("rule.test.is_not_empty"),
    }
}

/// A clustering feature's short name: `recency`, `spend`, or a column of
/// the customers file.
pub fn feature_name(feature: &seglens_engine::segments::cluster::Feature) -> String {
    use seglens_engine::segments::cluster::Feature;
    match feature {
        Feature::Recency => t("feature.recency"),
        Feature::Frequency => t("feature.frequency"),
        Feature::Monetary => t("feature.monetary"),
        Feature::Tenure => t("feature.tenure"),
        Feature::AverageOrderValue => t("feature.aov"),
        Feature::Engagement => t("feature.engagement"),
        Feature::Attribute(column) => column.clone(),
    }
}

/// A saved segment's definition in words, in the interface's language:
/// the engine's `groups::describe`, worded from the catalogue's
/// `definition.*` texts (`lifecycle` is the analysis's thresholds).
pub fn definition_words(
    definition: &seglens_engine::segments::Definition,
    lifecycle: &seglens_engine::segments::lifecycle::LifecycleSetup,
) -> String {
    use seglens_engine::segments::splits::Split;
    use seglens_engine::segments::{Definition as D, Rule};
    let rule = |text: &str| {
        Rule::from_json(text).map_or_else(
            |e| tf("definition.unreadable", &[("e", &e.to_string())]),
            |r| rule_words(&r),
        )
    };
    let quoted = |steps: &[String], i: usize| steps.get(i).cloned().unwrap_or_else(|| "?".into());
    match definition {
        D::Rule(text) => rule(text),
        D::Lifecycle(stage) => tf(
            "definition.lifecycle",
            &[
                ("stage", &name("segment", stage.label())),
                ("new", &lifecycle.new_days.to_string()),
                ("at_risk", &lifecycle.at_risk_after.to_string()),
                ("lapsed", &lifecycle.lapsed_after.to_string()),
                ("loyal", &lifecycle.loyal_orders.to_string()),
            ],
        ),
        D::Group { split, group } => match split {
            Split::Attribute { .. } => tf("definition.with", &[("group", &group_name(group))]),
            Split::Tier(_) => tf(
                "definition.tier",
                &[
                    ("split", &name("tier", &split.label())),
                    ("group", &name("tier", group)),
                ],
            ),
            Split::Journey { .. } | Split::ChurnRisk { .. } | Split::PredictedValue => tf(
                "definition.tier",
                &[
                    ("split", &name("split", &split.label())),
                    ("group", &name("tier", group)),
                ],
            ),
        },
        D::FunnelDrop { setup, reached } => tf(
            "definition.funnel_drop",
            &[
                ("reached", &quoted(&setup.steps, reached.saturating_sub(1))),
                ("next", &quoted(&setup.steps, *reached)),
                ("days", &setup.window_days.to_string()),
                ("first", &quoted(&setup.steps, 0)),
            ],
        ),
        D::Cluster { setup, cluster } => tf(
            "definition.cluster",
            &[
                ("n", &(cluster + 1).to_string()),
                ("k", &setup.k.to_string()),
                ("seed", &setup.seed.to_string()),
                (
                    "features",
                    &setup
                        .features
                        .iter()
                        .map(feature_name)
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
            ],
        ),
        D::Rfm(segment) => tf("definition.rfm", &[("name", &name("segment", segment))]),
        D::Within { parent, rule: text } => tf(
            "definition.within",
            &[
                ("parent", &definition_words(parent, lifecycle)),
                ("rule", &rule(text)),
            ],
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_and_plurals() {
        assert_eq!(Locale::from_tag("fr-CA"), Some(Locale::Fr));
        assert_eq!(Locale::from_tag("EN_gb"), Some(Locale::En));
        assert_eq!(Locale::from_tag("de-DE"), None);
        assert_eq!(slug("Can't Lose Them"), "can_t_lose_them");
        assert_eq!(fill("{a} and {b}", &[("a", "1"), ("b", "2")]), "1 and 2");
    }

    #[test]
    fn counts_take_each_language_s_singular() {
        let forms = |n| tn("count.refunds", n, &[]);
        assert_eq!(
            [forms(0), forms(1), forms(1200)],
            ["0 refunds", "1 refund", "1,200 refunds"]
        );
        set_locale(Locale::Fr);
        let fr = [forms(0), forms(1), forms(2)];
        set_locale(Locale::En);
        assert_eq!(
            fr,
            ["0 remboursement", "1 remboursement", "2 remboursements"]
        );
    }
}

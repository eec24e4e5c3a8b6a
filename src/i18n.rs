//! The interface's words in English and French. Every text a component
//! shows comes from a catalogue in `locales/` (`key = text`, one per line),
//! looked up by key for the chosen language; numbers and dates are written
//! for it by [`crate::format`]. `tests/i18n.rs` fails when a key is missing
//! in one language, is used without being in the catalogues, or when the
//! two languages disagree on a text's `{placeholders}`.

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

/// The English catalogue's text.
pub const EN: &str = include_str!("../locales/en.txt");
/// The French catalogue's text.
pub const FR: &str = include_str!("../locales/fr.txt");

/// A catalogue's `key = text` lines, sorted by key. Blank lines and lines
/// starting with `#` are skipped; `\n` in a text stands for a line break.
pub fn parse(text: &'static str) -> Vec<(&'static str, &'static str)> {
    let mut entries: Vec<(&str, &str)> = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .filter_map(|l| l.split_once(" = "))
        .map(|(k, v)| (k.trim(), v))
        .collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    entries
}

fn catalogue(locale: Locale) -> &'static [(&'static str, &'static str)] {
    static TABLES: OnceLock<[Vec<(&'static str, &'static str)>; 2]> = OnceLock::new();
    let tables = TABLES.get_or_init(|| [parse(EN), parse(FR)]);
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

/// The `.one` or `.other` form of `key` for the count `n` (French takes
/// the singular for 0 and 1, English for 1 only), with `{n}` written as a
/// number of the language and the other placeholders filled.
pub fn tn(key: &str, n: u64, args: &[(&str, &str)]) -> String {
    let one = match locale() {
        Locale::En => n == 1,
        Locale::Fr => n <= 1,
    };
    let form = format!("{key}.{}", if one { "one" } else { "other" });
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

/// A fixed sentence of the engine (why a KPI has no value, …), shown in
/// French from the catalogue's `engine.slug` entry when it has one: the
/// English text is the key, as gettext does.
pub fn engine_text(text: &str) -> String {
    name("engine", text)
}

/// A KPI's shown name: the catalogue's `kpi.ID`, its `{period}` the days
/// the engine wrote in its own name; the engine's name for a KPI the
/// catalogue lacks.
pub fn kpi_name(def: &seglens_engine::kpi::KpiDef) -> String {
    kpi_text(def, &format!("kpi.{}", def.id), &def.name)
}

/// A KPI's formula in words, as [`kpi_name`] finds its name.
pub fn kpi_formula(def: &seglens_engine::kpi::KpiDef) -> String {
    kpi_text(def, &format!("kpi.{}.formula", def.id), &def.formula)
}

/// How a marketer uses a KPI, when the catalogue says.
pub fn kpi_use(def: &seglens_engine::kpi::KpiDef) -> Option<String> {
    let key = format!("kpi.{}.use", def.id);
    lookup(locale(), &key)
        .or_else(|| lookup(Locale::En, &key))
        .map(str::to_string)
}

fn kpi_text(def: &seglens_engine::kpi::KpiDef, key: &str, engine: &str) -> String {
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

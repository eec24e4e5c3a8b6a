//! Numbers, sizes and dates formatted for people, in the interface's
//! language ([`crate::i18n::locale`]): `12,345.68` and `2026-11-22` in
//! English, `12 345,68` and `22/11/2026` in French (with the narrow
//! no-break spaces browsers' `Intl` uses: U+202F between thousands, U+00A0
//! before `%`).

use std::cell::RefCell;

use crate::i18n::{Locale, locale};

/// The French thousands separator: U+202F.
const NARROW_SPACE: char = '\u{202f}';
/// The French space before `%`: U+00A0.
const NO_BREAK_SPACE: char = '\u{a0}';

/// `12345` as `12,345` (`12 345` in French).
pub fn int(n: u64) -> String {
    let sep = match locale() {
        Locale::En => ',',
        Locale::Fr => NARROW_SPACE,
    };
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// The decimal mark of the language.
fn point() -> char {
    match locale() {
        Locale::En => '.',
        Locale::Fr => ',',
    }
}

/// `x` with `places` decimals and the language's decimal mark.
pub fn decimal(x: f64, places: usize) -> String {
    let text = format!("{x:.places$}");
    match locale() {
        Locale::En => text,
        Locale::Fr => text.replace('.', ","),
    }
}

/// `x` with `places` decimals, thousands grouped as the language writes
/// them (`2,707.5`, `2 707,5`).
pub fn grouped(x: f64, places: usize) -> String {
    let thousands = match locale() {
        Locale::En => ',',
        Locale::Fr => NARROW_SPACE,
    };
    seglens_engine::model::number::grouped(x, places, thousands, point())
}

/// A currency amounts can be written in: its ISO 4217 code, its sign in
/// English and in French, and its decimals, as browsers' `Intl` writes
/// them (`€1,234.56`, `CHF 1,234.56`, `1 234,56 $US`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Currency {
    /// The ISO 4217 code.
    pub code: &'static str,
    /// The sign English writes before the amount.
    pub en: &'static str,
    /// The sign French writes after the amount.
    pub fr: &'static str,
    /// Decimals written.
    pub decimals: usize,
}

const fn cur(code: &'static str, en: &'static str, fr: &'static str, decimals: usize) -> Currency {
    Currency {
        code,
        en,
        fr,
        decimals,
    }
}

/// The currencies the page offers, most used first: every code the
/// importer recognises in amounts.
pub const CURRENCIES: &[Currency] = &[
    cur("EUR", "€", "€", 2),
    cur("USD", "$", "$US", 2),
    cur("GBP", "£", "£GB", 2),
    cur("CHF", "CHF", "CHF", 2),
    cur("CAD", "CA$", "$CA", 2),
    cur("AUD", "A$", "$AU", 2),
    cur("JPY", "¥", "JPY", 0),
    cur("CNY", "CN¥", "CNY", 2),
    cur("SEK", "SEK", "SEK", 2),
    cur("NOK", "NOK", "NOK", 2),
    cur("DKK", "DKK", "DKK", 2),
    cur("PLN", "PLN", "PLN", 2),
    cur("MAD", "MAD", "MAD", 2),
    cur("XOF", "F\u{202f}CFA", "F\u{202f}CFA", 0),
    cur("BRL", "R$", "R$", 2),
    cur("INR", "₹", "₹", 2),
    cur("CZK", "CZK", "CZK", 2),
    cur("HUF", "HUF", "HUF", 0),
    cur("RON", "RON", "RON", 2),
    cur("TND", "TND", "TND", 3),
    cur("DZD", "DZD", "DZD", 2),
    cur("XAF", "FCFA", "FCFA", 0),
    cur("MXN", "MX$", "$MX", 2),
    cur("NZD", "NZ$", "$NZ", 2),
    cur("SGD", "SGD", "$SG", 2),
    cur("HKD", "HK$", "HKD", 2),
    cur("ZAR", "ZAR", "ZAR", 2),
    cur("TRY", "TRY", "TRY", 2),
];

thread_local! {
    static CURRENT_CURRENCY: RefCell<Option<Currency>> = const { RefCell::new(None) };
}

/// The currency of an ISO 4217 code, if the page knows it.
pub fn currency(code: &str) -> Option<Currency> {
    CURRENCIES
        .iter()
        .find(|c| c.code.eq_ignore_ascii_case(code))
        .copied()
}

/// Sets the currency amounts are written in (none, or a code the page does
/// not know: plain numbers).
pub fn set_currency(code: Option<&str>) {
    let chosen = code.and_then(currency);
    CURRENT_CURRENCY.with(|c| *c.borrow_mut() = chosen);
}

/// The currency amounts are written in, if one is set.
pub fn current_currency() -> Option<Currency> {
    CURRENT_CURRENCY.with(|c| *c.borrow())
}

/// `12345.678` as `12,345.68` (`12 345,68`), negatives with a minus sign,
/// with the currency's sign when one is set: `€12,345.68`,
/// `12 345,68 €`.
pub fn money(x: f64) -> String {
    let Some(cur) = current_currency() else {
        return plain_money(x, 2);
    };
    let number = plain_money(x.abs(), cur.decimals);
    let sign = if x < 0.0 && number.bytes().any(|b| (b'1'..=b'9').contains(&b)) {
        "-"
    } else {
        ""
    };
    match locale() {
        Locale::En => {
            // A sign ending in a letter (CHF, F CFA) stands apart.
            let gap = if cur.en.ends_with(|c: char| c.is_alphabetic()) {
                "\u{a0}"
            } else {
                ""
            };
            format!("{sign}{}{gap}{number}", cur.en)
        }
        Locale::Fr => format!("{sign}{number}{NO_BREAK_SPACE}{}", cur.fr),
    }
}

/// `x` with `places` decimals and the language's separators.
fn plain_money(x: f64, places: usize) -> String {
    let scale = 10u64.pow(places as u32);
    let units = (x.abs() * scale as f64).round() as u64;
    let sign = if x < 0.0 && units > 0 { "-" } else { "" };
    if places == 0 {
        format!("{sign}{}", int(units))
    } else {
        format!(
            "{sign}{}{}{:0places$}",
            int(units / scale),
            point(),
            units % scale
        )
    }
}

/// A number in its shortest form (`30`, `2.5`), with the language's
/// decimal mark (`2,5`).
pub fn shortest(x: f64) -> String {
    let text = x.to_string();
    match locale() {
        Locale::En => text,
        Locale::Fr => text.replace('.', ","),
    }
}

/// `0.1234` as `12.3%` (`12,3 %`).
pub fn percent(share: f64) -> String {
    percent_sign(&grouped(share * 100.0, 1))
}

/// `0.5` as `50%` (`50 %`), for an axis's ticks.
pub fn whole_percent(share: f64) -> String {
    percent_sign(&int((share * 100.0).round().max(0.0) as u64))
}

/// Ten to twenty per cent as `10–20%` (`10–20 %`).
pub fn percent_range(from: u32, to: u32) -> String {
    percent_sign(&format!("{from}–{to}"))
}

/// A number written as a percentage: `35%` (`35 %`).
pub fn percent_sign(number: &str) -> String {
    match locale() {
        Locale::En => format!("{number}%"),
        Locale::Fr => format!("{number}{NO_BREAK_SPACE}%"),
    }
}

/// How the interface's language writes numbers, for the charts drawn in
/// the charts worker: separators, the percent sign, the currency's sign.
pub fn numbers() -> seglens_charts::model::Numbers {
    let cur = current_currency();
    match locale() {
        Locale::En => seglens_charts::model::Numbers {
            money_before: cur
                .map(|c| {
                    let gap = if c.en.ends_with(|c: char| c.is_alphabetic()) {
                        "\u{a0}"
                    } else {
                        ""
                    };
                    format!("{}{gap}", c.en)
                })
                .unwrap_or_default(),
            ..seglens_charts::model::Numbers::english()
        },
        Locale::Fr => seglens_charts::model::Numbers {
            money_after: cur
                .map(|c| format!("{NO_BREAK_SPACE}{}", c.fr))
                .unwrap_or_default(),
            ..seglens_charts::model::Numbers::french()
        },
    }
}

/// The charts' unit of a KPI's values (NPS points are plain numbers).
pub fn chart_unit(format: seglens_engine::metrics::kpi::KpiFormat) -> seglens_charts::Unit {
    use seglens_charts::Unit;
    use seglens_engine::metrics::kpi::KpiFormat;
    match format {
        KpiFormat::Count => Unit::Count,
        KpiFormat::Money => Unit::Money,
        KpiFormat::Rate => Unit::Percent,
        KpiFormat::Number | KpiFormat::Points => Unit::Number,
    }
}

/// A day as `2026-11-22` (`22/11/2026` in French).
pub fn date(day: seglens_engine::model::date::Day) -> String {
    match locale() {
        Locale::En => seglens_engine::model::date::format_iso(day),
        Locale::Fr => {
            let (y, m, d) = seglens_engine::model::date::civil_from_days(day);
            format!("{d:02}/{m:02}/{y:04}")
        }
    }
}

/// The month of a day as `2026-11` (`11/2026` in French).
pub fn month(day: seglens_engine::model::date::Day) -> String {
    let (y, m, _) = seglens_engine::model::date::civil_from_days(day);
    match locale() {
        Locale::En => format!("{y:04}-{m:02}"),
        Locale::Fr => format!("{m:02}/{y:04}"),
    }
}

/// A KPI value in its unit: counts, money, percentages, plain numbers or
/// signed points (NPS).
pub fn kpi_value(format: seglens_engine::metrics::kpi::KpiFormat, v: f64) -> String {
    use seglens_engine::metrics::kpi::KpiFormat;
    match format {
        KpiFormat::Count => int(v.round().max(0.0) as u64),
        KpiFormat::Money => money(v),
        KpiFormat::Rate => percent(v),
        KpiFormat::Number => decimal(v, 2),
        KpiFormat::Points => format!("{v:+.0}"),
    }
}

/// A size in bytes as `3.2 MB`.
pub fn bytes(n: u64) -> String {
    let units = match locale() {
        Locale::En => ["B", "kB", "MB", "GB"],
        Locale::Fr => ["o", "ko", "Mo", "Go"],
    };
    match n {
        n if n < 1_000 => format!("{n} {}", units[0]),
        n if n < 1_000_000 => format!("{} {}", decimal(n as f64 / 1e3, 1), units[1]),
        n if n < 1_000_000_000 => format!("{} {}", decimal(n as f64 / 1e6, 1), units[2]),
        n => format!("{} {}", decimal(n as f64 / 1e9, 2), units[3]),
    }
}

/// A duration as `0.42 s`, `3.1 s` or `85 ms`.
pub fn seconds(s: f64) -> String {
    match s {
        s if s < 0.1 => format!("{:.0} ms", s * 1000.0),
        s if s < 10.0 => format!("{} s", decimal(s, 2)),
        s => format!("{} s", decimal(s, 1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(seconds(0.0424), "42 ms");
        assert_eq!(seconds(1.4), "1.40 s");
        assert_eq!(seconds(12.34), "12.3 s");
    }

    #[test]
    fn formats() {
        assert_eq!(int(0), "0");
        assert_eq!(int(1234567), "1,234,567");
        assert_eq!(money(1234.5), "1,234.50");
        assert_eq!(money(-0.004), "0.00");
        assert_eq!(money(-12.345), "-12.35");
        assert_eq!(percent(0.1234), "12.3%");
        assert_eq!(whole_percent(0.5), "50%");
        assert_eq!(percent_range(10, 20), "10–20%");
        assert_eq!(bytes(48_600_000), "48.6 MB");
    }

    #[test]
    fn currencies_as_browsers_write_them() {
        // The expected texts are what Intl.NumberFormat('en' and 'fr-FR',
        // {style: 'currency', currency}) writes for 1234.56 and -0.5.
        let cases: &[(&str, &str, &str, &str, &str)] = &[
            (
                "EUR",
                "€1,234.56",
                "-€0.50",
                "1\u{202f}234,56\u{a0}€",
                "-0,50\u{a0}€",
            ),
            (
                "USD",
                "$1,234.56",
                "-$0.50",
                "1\u{202f}234,56\u{a0}$US",
                "-0,50\u{a0}$US",
            ),
            (
                "GBP",
                "£1,234.56",
                "-£0.50",
                "1\u{202f}234,56\u{a0}£GB",
                "-0,50\u{a0}£GB",
            ),
            (
                "CHF",
                "CHF\u{a0}1,234.56",
                "-CHF\u{a0}0.50",
                "1\u{202f}234,56\u{a0}CHF",
                "-0,50\u{a0}CHF",
            ),
            (
                "CAD",
                "CA$1,234.56",
                "-CA$0.50",
                "1\u{202f}234,56\u{a0}$CA",
                "-0,50\u{a0}$CA",
            ),
            (
                "JPY",
                "¥1,235",
                "-¥1",
                "1\u{202f}235\u{a0}JPY",
                "-1\u{a0}JPY",
            ),
            (
                "XOF",
                "F\u{202f}CFA\u{a0}1,235",
                "-F\u{202f}CFA\u{a0}1",
                "1\u{202f}235\u{a0}F\u{202f}CFA",
                "-1\u{a0}F\u{202f}CFA",
            ),
            (
                "HUF",
                "HUF\u{a0}1,235",
                "-HUF\u{a0}1",
                "1\u{202f}235\u{a0}HUF",
                "-1\u{a0}HUF",
            ),
            (
                "TND",
                "TND\u{a0}1,234.560",
                "-TND\u{a0}0.500",
                "1\u{202f}234,560\u{a0}TND",
                "-0,500\u{a0}TND",
            ),
            (
                "MXN",
                "MX$1,234.56",
                "-MX$0.50",
                "1\u{202f}234,56\u{a0}$MX",
                "-0,50\u{a0}$MX",
            ),
        ];
        for (code, en, en_neg, fr, fr_neg) in cases {
            set_currency(Some(code));
            let english = (money(1234.56), money(-0.5));
            crate::i18n::set_locale(Locale::Fr);
            let french = (money(1234.56), money(-0.5));
            crate::i18n::set_locale(Locale::En);
            set_currency(None);
            assert_eq!(english, (en.to_string(), en_neg.to_string()), "{code}");
            assert_eq!(french, (fr.to_string(), fr_neg.to_string()), "{code}");
        }
        // A value that rounds to zero has no minus sign; a code the page
        // does not know writes plain numbers.
        set_currency(Some("EUR"));
        let zero = money(-0.004);
        set_currency(Some("ABC"));
        let unknown = money(-12.5);
        set_currency(None);
        assert_eq!(zero, "€0.00");
        assert_eq!(unknown, "-12.50");
        assert_eq!(money(1234.56), "1,234.56");
    }

    #[test]
    fn every_currency_the_importer_reads_is_written() {
        for code in seglens_engine::model::number::CURRENCY_CODES {
            assert!(currency(code).is_some(), "{code}");
        }
    }

    #[test]
    fn french_as_browsers_write_it() {
        // The expected texts are what Chromium's Intl.NumberFormat('fr-FR')
        // and toLocaleDateString('fr-FR') write (U+202F in thousands,
        // U+00A0 before %).
        crate::i18n::set_locale(Locale::Fr);
        let day = seglens_engine::model::date::days_from_civil(2026, 11, 22);
        let got = (
            int(1234567),
            money(1234.56),
            money(-0.5),
            percent(0.1234),
            date(day),
            bytes(3_200_000),
            whole_percent(0.5),
            grouped(2707.46, 1),
        );
        crate::i18n::set_locale(Locale::En);
        assert_eq!(got.0, "1\u{202f}234\u{202f}567");
        assert_eq!(got.1, "1\u{202f}234,56");
        assert_eq!(got.2, "-0,50");
        assert_eq!(got.3, "12,3\u{a0}%");
        assert_eq!(got.6, "50\u{a0}%");
        assert_eq!(got.7, "2\u{202f}707,5");
        assert_eq!(got.4, "22/11/2026");
        assert_eq!(got.5, "3,2 Mo");
        assert_eq!(date(day), "2026-11-22");
    }
}

//! Numbers, sizes and dates formatted for people, in the interface's
//! language ([`crate::i18n::locale`]): `12,345.68` and `2026-11-22` in
//! English, `12 345,68` and `22/11/2026` in French (with the narrow
//! no-break spaces browsers' `Intl` uses: U+202F between thousands, U+00A0
//! before `%`).

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

/// `12345.678` as `12,345.68` (`12 345,68`), negatives with a minus sign.
pub fn money(x: f64) -> String {
    let cents = (x.abs() * 100.0).round() as u64;
    let sign = if x < 0.0 && cents > 0 { "-" } else { "" };
    format!("{sign}{}{}{:02}", int(cents / 100), point(), cents % 100)
}

/// `0.1234` as `12.3%` (`12,3 %`).
pub fn percent(share: f64) -> String {
    let number = decimal(share * 100.0, 1);
    match locale() {
        Locale::En => format!("{number}%"),
        Locale::Fr => format!("{number}{NO_BREAK_SPACE}%"),
    }
}

/// A day as `2026-11-22` (`22/11/2026` in French).
pub fn date(day: seglens_engine::date::Day) -> String {
    match locale() {
        Locale::En => seglens_engine::date::format_iso(day),
        Locale::Fr => {
            let (y, m, d) = seglens_engine::date::civil_from_days(day);
            format!("{d:02}/{m:02}/{y:04}")
        }
    }
}

/// A KPI value in its unit: counts, money, percentages, plain numbers or
/// signed points (NPS).
pub fn kpi_value(format: seglens_engine::kpi::KpiFormat, v: f64) -> String {
    use seglens_engine::kpi::KpiFormat;
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
        assert_eq!(bytes(48_600_000), "48.6 MB");
    }

    #[test]
    fn french_as_browsers_write_it() {
        // The expected texts are what Chromium's Intl.NumberFormat('fr-FR')
        // and toLocaleDateString('fr-FR') write (U+202F in thousands,
        // U+00A0 before %).
        crate::i18n::set_locale(Locale::Fr);
        let day = seglens_engine::date::days_from_civil(2026, 11, 22);
        let got = (
            int(1234567),
            money(1234.56),
            money(-0.5),
            percent(0.1234),
            date(day),
            bytes(3_200_000),
        );
        crate::i18n::set_locale(Locale::En);
        assert_eq!(got.0, "1\u{202f}234\u{202f}567");
        assert_eq!(got.1, "1\u{202f}234,56");
        assert_eq!(got.2, "-0,50");
        assert_eq!(got.3, "12,3\u{a0}%");
        assert_eq!(got.4, "22/11/2026");
        assert_eq!(got.5, "3,2 Mo");
        assert_eq!(date(day), "2026-11-22");
    }
}

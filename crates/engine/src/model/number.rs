//! Numbers as exports write them: decimal point or comma, thousands
//! separators, currency signs, negatives in parentheses.

use serde::{Deserialize, Serialize};

/// Which character separates the decimals in a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DecimalSeparator {
    /// `1234.50`
    Point,
    /// `1234,50`
    Comma,
}

impl DecimalSeparator {
    /// The separator as a character.
    pub fn as_char(self) -> char {
        match self {
            DecimalSeparator::Point => '.',
            DecimalSeparator::Comma => ',',
        }
    }
}

/// Guesses the decimal separator of a column from sample values: a comma
/// followed by one or two digits at the end of a value means decimal comma.
pub(crate) fn detect_decimal(values: &[&str]) -> DecimalSeparator {
    let (mut comma, mut point) = (0, 0);
    for v in values {
        let v = v.trim().trim_end_matches(|c: char| !c.is_ascii_digit());
        let b = v.as_bytes();
        let last_sep = b.iter().rposition(|c| *c == b',' || *c == b'.');
        if let Some(i) = last_sep {
            let tail = b.len() - i - 1;
            if tail == 1 || tail == 2 {
                if b[i] == b',' {
                    comma += 1;
                } else {
                    point += 1;
                }
            }
        }
    }
    if comma > point {
        DecimalSeparator::Comma
    } else {
        DecimalSeparator::Point
    }
}

/// Currency codes accepted before or after an amount.
pub const CURRENCY_CODES: &[&str] = &[
    "EUR", "USD", "GBP", "CHF", "CAD", "AUD", "JPY", "CNY", "SEK", "NOK", "DKK", "PLN", "CZK",
    "HUF", "RON", "MAD", "TND", "DZD", "XOF", "XAF", "BRL", "MXN", "INR", "NZD", "SGD", "HKD",
    "ZAR", "TRY",
];

/// The currency an amount's text names, as an ISO 4217 code: a code
/// before or after the number (`EUR 12`, `12 CHF`) or a sign (`€`, `£`,
/// `¥` read as JPY, `$` as USD). `None` for a plain number.
pub(crate) fn currency_of(text: &str) -> Option<&'static str> {
    let t = text.trim();
    if let Some(sign) = t.chars().find(|c| matches!(c, '€' | '£' | '¥' | '$')) {
        return Some(match sign {
            '€' => "EUR",
            '£' => "GBP",
            '¥' => "JPY",
            _ => "USD",
        });
    }
    let body = t.trim_start_matches('(').trim_end_matches(')');
    let lead = body
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(body.len());
    // Past the last character that is not a letter, however many bytes it
    // takes (`é`, `½`).
    let trail = body
        .char_indices()
        .rfind(|(_, c)| !c.is_ascii_alphabetic())
        .map_or(0, |(i, c)| i + c.len_utf8());
    [&body[..lead], &body[trail..]]
        .into_iter()
        .find_map(|word| {
            CURRENCY_CODES
                .iter()
                .find(|code| code.eq_ignore_ascii_case(word))
                .copied()
        })
}

/// `x` with `places` decimals, its whole part in groups of three digits:
/// `grouped(2707.4, 0, ',', '.')` is `2,707`, with `' '` and `','` the
/// French `2 707`.
pub fn grouped(x: f64, places: usize, thousands: char, point: char) -> String {
    let text = format!("{:.places$}", x.abs());
    let (whole, decimals) = text.split_at(text.find('.').unwrap_or(text.len()));
    let mut out = String::with_capacity(text.len() + whole.len() / 3 + 1);
    // A minus only when something other than zero is written.
    if x < 0.0 && text.bytes().any(|b| (b'1'..=b'9').contains(&b)) {
        out.push('-');
    }
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            out.push(thousands);
        }
        out.push(c);
    }
    if let Some(rest) = decimals.strip_prefix('.') {
        out.push(point);
        out.push_str(rest);
    }
    out
}

/// The currency most of a column's amounts name ([`currency_of`]), when
/// any names one.
pub(crate) fn detect_currency(values: &[&str]) -> Option<&'static str> {
    let mut counts: Vec<(&'static str, usize)> = Vec::new();
    for code in values.iter().filter_map(|v| currency_of(v)) {
        match counts.iter_mut().find(|(c, _)| *c == code) {
            Some((_, n)) => *n += 1,
            None => counts.push((code, 1)),
        }
    }
    // The first named wins a tie, so the answer does not depend on a map's
    // order.
    counts
        .iter()
        .rev()
        .max_by_key(|(_, n)| *n)
        .map(|(code, _)| *code)
}

/// `-1234.56`-like text of at most 15 digits, read as the float parser
/// reads it: the digits make an integer below 2^53 and the power of ten is
/// exact, so one correctly rounded division gives the nearest double.
/// Nothing may stand around the number: where it gives one, so does
/// [`parse_amount`] with the point as decimal separator, which the
/// importer calls only when this gives none.
pub(crate) fn short_decimal(b: &[u8]) -> Option<f64> {
    const POW10: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    let (negative, digits) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        _ => (false, b),
    };
    if digits.is_empty() || digits.len() > 16 {
        return None;
    }
    let (mut m, mut count, mut frac, mut point) = (0u64, 0usize, 0usize, false);
    for &c in digits {
        match c {
            b'0'..=b'9' => {
                m = m * 10 + u64::from(c - b'0');
                count += 1;
                frac += usize::from(point);
            }
            b'.' if !point => point = true,
            _ => return None,
        }
    }
    if count == 0 || count > 15 {
        return None;
    }
    let v = m as f64 / POW10[frac];
    Some(if negative { -v } else { v })
}

/// Parses an amount such as `1 234,50 €`, `$1,234.50`, `(12)` or `-3`.
///
/// Returns `None` when the text is not a number.
pub(crate) fn parse_amount(text: &str, decimal: DecimalSeparator) -> Option<f64> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    if decimal == DecimalSeparator::Point
        && let Some(v) = short_decimal(t.as_bytes())
    {
        return Some(v);
    }
    // The common case, a plain number, goes straight to the float parser.
    if t.bytes()
        .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-' || b == b'+')
        && decimal == DecimalSeparator::Point
    {
        return t.parse::<f64>().ok().filter(|v| v.is_finite());
    }
    let mut negative = false;
    let mut body = t;
    if body.starts_with('(') && body.ends_with(')') {
        negative = true;
        body = &body[1..body.len() - 1];
    }
    // A currency code (EUR, USD, CHF) may stand before or after the number.
    let code = |s: &str| CURRENCY_CODES.contains(&s.to_ascii_uppercase().as_str());
    let lead = body.len()
        - body
            .trim_start_matches(|c: char| c.is_ascii_alphabetic())
            .len();
    if lead > 0 && code(&body[..lead]) {
        body = &body[lead..];
    }
    let trail = body
        .trim_end_matches(|c: char| c.is_ascii_alphabetic())
        .len();
    if trail < body.len() && code(&body[trail..]) {
        body = &body[..trail];
    }
    let mut clean = String::with_capacity(body.len());
    for c in body.chars() {
        match c {
            '0'..='9' => clean.push(c),
            '-' if clean.is_empty() || body.trim_end().ends_with('-') => negative = !negative,
            '+' if clean.is_empty() => {}
            '.' | ',' => {
                // The separator that is not the decimal one groups thousands.
                if c == decimal.as_char() {
                    clean.push('.');
                }
            }
            ' ' | '\u{a0}' | '\u{202f}' | '\'' | '\u{2019}' => {}
            '€' | '$' | '£' | '¥' => {}
            _ => return None,
        }
    }
    if !clean.bytes().any(|b| b.is_ascii_digit()) || clean.matches('.').count() > 1 {
        return None;
    }
    let v: f64 = clean.parse().ok()?;
    Some(if negative { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn short_decimals_read_as_the_float_parser_reads_them(
            negative in proptest::bool::ANY,
            int in 0u64..10_000_000_000,
            frac in 0u64..100_000,
            width in 0usize..6,
        ) {
            let text = match width {
                0 => format!("{}{int}", if negative { "-" } else { "" }),
                w => format!("{}{int}.{:0w$}", if negative { "-" } else { "" }, frac % 10u64.pow(w as u32)),
            };
            let expected: f64 = text.parse().unwrap();
            let got = short_decimal(text.as_bytes()).unwrap();
            proptest::prop_assert_eq!(got.to_bits(), expected.to_bits(), "{}", text);
        }
    }

    proptest::proptest! {
        /// Where the bytes give an amount, the text gives the same one.
        #[test]
        fn plain_amounts_from_bytes_as_from_text(text in "[-+ (]?[0-9]{0,17}[.,]?[0-9]{0,4}[ )€]?") {
            if let Some(v) = short_decimal(text.as_bytes()) {
                proptest::prop_assert_eq!(parse_amount(&text, DecimalSeparator::Point).map(f64::to_bits), Some(v.to_bits()));
            }
        }
    }

    #[test]
    fn short_decimal_leaves_the_rest_to_the_float_parser() {
        for text in [
            "",
            "-",
            ".",
            "1.2.3",
            "1e5",
            "+3",
            "1234567890123456",
            "12a",
            "--1",
        ] {
            assert_eq!(short_decimal(text.as_bytes()), None, "{text}");
        }
        assert_eq!(short_decimal(b".5"), Some(0.5));
        assert_eq!(short_decimal(b"7."), Some(7.0));
        assert_eq!(short_decimal(b"0.1"), Some(0.1));
    }
    use DecimalSeparator::*;

    #[test]
    fn real_world_numbers() {
        let cases: &[(&str, DecimalSeparator, f64)] = &[
            ("1234.5", Point, 1234.5),
            ("1 234,50", Comma, 1234.5),
            ("1\u{a0}234,50", Comma, 1234.5),
            ("1.234,50", Comma, 1234.5),
            ("1,234.50", Point, 1234.5),
            ("1'234.50", Point, 1234.5),
            ("12,00 €", Comma, 12.0),
            ("$12.00", Point, 12.0),
            ("EUR 12.5", Point, 12.5),
            ("12.5 EUR", Point, 12.5),
            ("-12", Point, -12.0),
            ("(12)", Point, -12.0),
            ("-12,5", Comma, -12.5),
        ];
        for (text, dec, want) in cases {
            assert_eq!(parse_amount(text, *dec), Some(*want), "{text}");
        }
        for bad in [
            "", "abc", "12abc34", "1.2.3", "n/a", "CLI-001", "CMD00001", "C12",
        ] {
            assert_eq!(parse_amount(bad, Point), None, "{bad}");
        }
    }

    #[test]
    fn currencies_named_by_amounts() {
        let cases: &[(&str, Option<&str>)] = &[
            ("12,00 €", Some("EUR")),
            ("€12", Some("EUR")),
            ("$1,234.50", Some("USD")),
            ("(£12)", Some("GBP")),
            ("EUR 12.5", Some("EUR")),
            ("12.5 chf", Some("CHF")),
            ("-3 SEK", Some("SEK")),
            ("1234.5", None),
            ("12 apples", None),
            ("", None),
            // Text ending or starting on a character of several bytes.
            ("12 ½", None),
            ("Besançon", None),
            ("½ CHF", Some("CHF")),
            ("€", Some("EUR")),
        ];
        for (text, want) in cases {
            assert_eq!(currency_of(text), *want, "{text}");
        }
        assert_eq!(detect_currency(&["12 €", "3,50 €", "$4"]), Some("EUR"));
        assert_eq!(detect_currency(&["12", "3.50"]), None);
        // A tie goes to the currency named first.
        assert_eq!(detect_currency(&["£1", "$2"]), Some("GBP"));
    }

    #[test]
    fn digits_in_groups_of_three() {
        let en = |x, places| grouped(x, places, ',', '.');
        assert_eq!(en(2707.4, 0), "2,707");
        assert_eq!(en(1234567.891, 2), "1,234,567.89");
        assert_eq!(en(999.5, 0), "1,000");
        assert_eq!(en(12.0, 1), "12.0");
        assert_eq!(en(-1500.0, 0), "-1,500");
        assert_eq!(en(-0.004, 2), "0.00");
        assert_eq!(en(f64::NAN, 0), "NaN");
        assert_eq!(grouped(98765.25, 1, ' ', ','), "98 765,2");
    }

    #[test]
    fn decimal_detection() {
        assert_eq!(detect_decimal(&["12,50", "3,2", "1 000"]), Comma);
        assert_eq!(detect_decimal(&["12.50", "3"]), Point);
        assert_eq!(detect_decimal(&["1,234.50"]), Point);
    }
}

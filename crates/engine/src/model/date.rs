//! Calendar dates as integers: days since 1970-01-01, and the date formats
//! found in real exports.
//!
//! The engine never reads a clock: every "today" is an input.

use serde::{Deserialize, Serialize};

/// A calendar day, counted from 1970-01-01 (day 0).
pub type Day = i32;

/// Converts a proleptic Gregorian date to a day number.
pub fn days_from_civil(year: i32, month: u32, day: u32) -> Day {
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = month as i32;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + day as i32 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Converts a day number back to `(year, month, day)`.
pub fn civil_from_days(z: Day) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// The number of days in a month of a year.
pub(crate) fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

/// Checks a date and converts it, or returns `None` for an impossible date
/// such as 31/02.
pub(crate) fn checked_day(year: i32, month: u32, day: u32) -> Option<Day> {
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    Some(days_from_civil(year, month, day))
}

/// Formats a day as `YYYY-MM-DD`.
pub fn format_iso(day: Day) -> String {
    let (y, m, d) = civil_from_days(day);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Parses a strict `YYYY-MM-DD` date (as typed on a command line).
pub fn parse_iso(text: &str) -> Option<Day> {
    parse_with(DateFormat::Iso, text).ok()
}

/// Seconds since 1970-01-01T00:00:00Z.
pub(crate) type Timestamp = i64;

/// Parses `YYYY-MM-DD[T or space]HH:MM[:SS[.fff]][Z or ±HH:MM]`, or a date
/// alone (midnight), into seconds since the epoch in UTC. A time without a
/// zone is read as UTC.
pub(crate) fn parse_timestamp(text: &str) -> Option<Timestamp> {
    let t = text.trim();
    let day = parse_with(DateFormat::Iso, t).ok()?;
    let mut secs = i64::from(day) * 86_400;
    let rest = t.get(10..).unwrap_or("");
    if rest.is_empty() {
        return Some(secs);
    }
    let rest = rest.strip_prefix(['T', ' '])?;
    let b = rest.as_bytes();
    if b.len() < 5 || b[2] != b':' {
        return None;
    }
    let (h, m) = (digits(&b[0..2])?, digits(&b[3..5])?);
    let mut i = 5;
    let mut s = 0;
    if b.len() >= 8 && b[5] == b':' {
        s = digits(&b[6..8])?;
        i = 8;
        if i < b.len() && b[i] == b'.' {
            i += 1;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
        }
    }
    if h > 23 || m > 59 || s > 60 {
        return None;
    }
    secs += i64::from(h * 3600 + m * 60 + s);
    let zone = &rest[i..];
    let offset = match zone {
        "" | "Z" | "z" => 0,
        _ => {
            let zb = zone.as_bytes();
            let sign = match zb.first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let hm: Vec<u8> = zb[1..].iter().copied().filter(|c| *c != b':').collect();
            if hm.len() != 4 {
                return None;
            }
            sign * i64::from(digits(&hm[0..2])? * 3600 + digits(&hm[2..4])? * 60)
        }
    };
    Some(secs - offset)
}

/// Parses a time written as a count since the epoch, as analytics exports
/// write it: seconds (10 digits), milliseconds (13), microseconds (16,
/// Google Analytics' BigQuery export) or nanoseconds (19), into seconds.
pub(crate) fn parse_epoch(text: &str) -> Option<Timestamp> {
    let t = text.trim();
    if !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let per_second: i64 = match t.len() {
        10 => 1,
        13 => 1_000,
        16 => 1_000_000,
        19 => 1_000_000_000,
        _ => return None,
    };
    Some(t.parse::<i64>().ok()?.div_euclid(per_second))
}

/// How the dates of a column are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DateFormat {
    /// `2024-03-01`, optionally followed by a time (`T10:00:00Z`).
    Iso,
    /// `20240301`.
    Compact,
    /// `01/03/2024`, `01.03.2024` or `01-03-2024`: day first.
    DayFirst,
    /// `03/01/2024`: month first.
    MonthFirst,
    /// `2024/03/01`.
    YearFirstSlash,
    /// Excel's serial numbers: days since 1899-12-30 (`45292` is
    /// 2024-01-01), a fraction being the time of day. Only read in a
    /// column whose name (or `--map`) says it holds dates.
    ExcelSerial,
}

impl DateFormat {
    /// A short description for reports, e.g. `dd/mm/yyyy`.
    pub fn label(self) -> &'static str {
        match self {
            DateFormat::Iso => "yyyy-mm-dd",
            DateFormat::Compact => "yyyymmdd",
            DateFormat::DayFirst => "dd/mm/yyyy",
            DateFormat::MonthFirst => "mm/dd/yyyy",
            DateFormat::YearFirstSlash => "yyyy/mm/dd",
            DateFormat::ExcelSerial => "Excel serial numbers",
        }
    }
}

/// Why a date could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DateError {
    /// The text is not a date in the column's format.
    NotADate,
    /// The text has the right shape but names a day that does not exist.
    Impossible,
}

fn digits(bytes: &[u8]) -> Option<u32> {
    if bytes.is_empty() || bytes.len() > 9 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(
        bytes
            .iter()
            .fold(0u32, |acc, b| acc * 10 + u32::from(b - b'0')),
    )
}

/// Splits `a?b?c` on one separator among `/ . -`, keeping what follows a
/// space or `T` (a time) out of the third part.
fn three_parts(text: &str) -> Option<(&[u8], &[u8], &[u8])> {
    let date_part = text.split([' ', 'T']).next()?;
    let bytes = date_part.as_bytes();
    let sep = *bytes.iter().find(|b| matches!(b, b'/' | b'.' | b'-'))?;
    let mut it = bytes.split(|b| *b == sep);
    let a = it.next()?;
    let b = it.next()?;
    let c = it.next()?;
    if it.next().is_some() {
        return None;
    }
    Some((a, b, c))
}

/// The three numbers of a `a/b/yyyy` date (also `.` or `-` separated, two-
/// digit years read as 1970–2069), before deciding which of `a` and `b`
/// is the day.
pub(crate) fn slash_parts(text: &str) -> Option<(u32, u32, i32)> {
    let (a, b, c) = three_parts(text.trim())?;
    if a.len() > 2 || b.len() > 2 || (c.len() != 4 && c.len() != 2) {
        return None;
    }
    let mut year = digits(c)? as i32;
    if c.len() == 2 {
        year += if year < 70 { 2000 } else { 1900 };
    }
    Some((digits(a)?, digits(b)?, year))
}

/// The day of `YYYY-MM-DD`, possibly followed by a space or `T` and a
/// time, read from its bytes: `None` for any other text (space before it
/// included) and for a day that does not exist, which [`parse_with`]
/// tells apart.
pub(crate) fn iso_day(b: &[u8]) -> Option<Day> {
    if b.len() < 10
        || b[4] != b'-'
        || b[7] != b'-'
        || (b.len() > 10 && b[10] != b'T' && b[10] != b' ')
    {
        return None;
    }
    let two = |i: usize| {
        let (x, y) = (b[i].wrapping_sub(b'0'), b[i + 1].wrapping_sub(b'0'));
        (x < 10 && y < 10).then(|| u32::from(x) * 10 + u32::from(y))
    };
    let (century, year, month, day) = (two(0)?, two(2)?, two(5)?, two(8)?);
    checked_day((century * 100 + year) as i32, month, day)
}

/// Parses one value in a known format.
pub(crate) fn parse_with(format: DateFormat, text: &str) -> Result<Day, DateError> {
    let text = text.trim();
    // The common case: `YYYY-MM-DD`, possibly followed by a time (a day
    // that does not exist is told below).
    if format == DateFormat::Iso
        && let Some(day) = iso_day(text.as_bytes())
    {
        return Ok(day);
    }
    let (y, m, d) = match format {
        DateFormat::ExcelSerial => return excel_serial(text),
        DateFormat::Compact => {
            let b = text.as_bytes();
            if b.len() != 8 {
                return Err(DateError::NotADate);
            }
            (
                digits(&b[0..4]).ok_or(DateError::NotADate)? as i32,
                digits(&b[4..6]).ok_or(DateError::NotADate)?,
                digits(&b[6..8]).ok_or(DateError::NotADate)?,
            )
        }
        DateFormat::Iso | DateFormat::YearFirstSlash => {
            let (a, b, c) = three_parts(text).ok_or(DateError::NotADate)?;
            if a.len() != 4 {
                return Err(DateError::NotADate);
            }
            (
                digits(a).ok_or(DateError::NotADate)? as i32,
                digits(b).ok_or(DateError::NotADate)?,
                digits(c).ok_or(DateError::NotADate)?,
            )
        }
        DateFormat::DayFirst | DateFormat::MonthFirst => {
            let (p, q, year) = slash_parts(text).ok_or(DateError::NotADate)?;
            if format == DateFormat::DayFirst {
                (year, q, p)
            } else {
                (year, p, q)
            }
        }
    };
    checked_day(y, m, d).ok_or(DateError::Impossible)
}

/// The day of an Excel serial number (days since 1899-12-30, as Excel
/// counts from 1900-03-01 on; a fraction is the time of day).
fn excel_serial(text: &str) -> Result<Day, DateError> {
    let (whole, fraction) = match text.split_once(['.', ',']) {
        Some((w, f)) => (w, f),
        None => (text, "0"),
    };
    let n = digits(whole.as_bytes()).ok_or(DateError::NotADate)?;
    if digits(fraction.as_bytes()).is_none() || !(1..=2_958_465).contains(&n) {
        return Err(DateError::NotADate);
    }
    Ok(days_from_civil(1899, 12, 30) + n as Day)
}

/// The format of a column known to hold dates (by its name, or because
/// the user said so): [`detect`], or Excel serial numbers when most values
/// are whole days between 1950 and 2099 (and nothing else fits).
pub(crate) fn detect_named(values: &[&str]) -> Option<DateFormat> {
    detect(values).or_else(|| {
        let values: Vec<&str> = values
            .iter()
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
            .collect();
        let (lo, hi) = (
            days_from_civil(1950, 1, 1) - days_from_civil(1899, 12, 30),
            days_from_civil(2100, 1, 1) - days_from_civil(1899, 12, 30),
        );
        let fits = values
            .iter()
            .filter(|v| {
                excel_serial(v).is_ok_and(|d| {
                    let n = d - days_from_civil(1899, 12, 30);
                    (lo..hi).contains(&n)
                })
            })
            .count();
        (!values.is_empty() && fits * 2 > values.len()).then_some(DateFormat::ExcelSerial)
    })
}

/// Guesses the format of a column from sample values.
///
/// Slash dates that fit both readings are decided by the values that fit
/// only one (a first part above 12 means day first); when none decides,
/// day first is chosen, as most users of the app write dates that way, and
/// the report says so.
pub fn detect(values: &[&str]) -> Option<DateFormat> {
    let values: Vec<&str> = values
        .iter()
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .collect();
    if values.is_empty() {
        return None;
    }
    let fits = |f: DateFormat| values.iter().filter(|v| parse_with(f, v).is_ok()).count();
    let need = values.len().div_ceil(2).max(1);
    for f in [
        DateFormat::Iso,
        DateFormat::Compact,
        DateFormat::YearFirstSlash,
    ] {
        if fits(f) >= need {
            return Some(f);
        }
    }
    let day_first = fits(DateFormat::DayFirst);
    let month_first = fits(DateFormat::MonthFirst);
    if day_first.max(month_first) < need {
        return None;
    }
    if month_first > day_first {
        Some(DateFormat::MonthFirst)
    } else {
        Some(DateFormat::DayFirst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Where the bytes give a day, the text gives the same one.
        #[test]
        fn iso_days_from_bytes_as_from_text(
            text in "[ 0-9]{0,5}[-/]?[0-9]{0,3}[-/]?[0-9]{0,3}[T :0-9]{0,4}",
            year in 1u32..10_000, month in 0u32..14, day in 0u32..33, tail in "( |T)?[0-9:]{0,3} ?",
        ) {
            if let Some(d) = iso_day(text.as_bytes()) {
                proptest::prop_assert_eq!(parse_with(DateFormat::Iso, &text), Ok(d), "{}", text);
            }
            // Against the day counted from the numbers themselves.
            let t = format!("{year:04}-{month:02}-{day:02}{tail}");
            let timed = tail.is_empty() || tail.starts_with([' ', 'T']);
            let want = if timed { checked_day(year as i32, month, day) } else { None };
            proptest::prop_assert_eq!(iso_day(t.as_bytes()), want, "{}", t);
        }
    }

    #[test]
    fn iso_days_from_bytes() {
        assert_eq!(iso_day(b"2024-02-29"), Some(days_from_civil(2024, 2, 29)));
        assert_eq!(
            iso_day(b"2024-02-29T10:00:00Z"),
            Some(days_from_civil(2024, 2, 29))
        );
        assert_eq!(
            iso_day(b"2024-02-29 10:00"),
            Some(days_from_civil(2024, 2, 29))
        );
        for other in [
            "2023-02-29",
            " 2024-01-01",
            "2024-1-01",
            "2024/01/01",
            "2024-01-01x",
            "20240101",
            "2024-01-0a",
        ] {
            assert_eq!(iso_day(other.as_bytes()), None, "{other}");
        }
    }

    #[test]
    fn times_counted_since_the_epoch_in_their_unit() {
        // 2021-01-31T23:59:59Z, as GA4's BigQuery export writes it (µs),
        // and in seconds, milliseconds and nanoseconds.
        let want = i64::from(days_from_civil(2021, 1, 31)) * 86_400 + 86_399;
        for text in [
            "1612137599",
            "1612137599123",
            "1612137599123456",
            "1612137599123456789",
        ] {
            assert_eq!(parse_epoch(text), Some(want), "{text}");
        }
        for text in ["161213759", "2021-01-31", "16121375991", "-1612137599", ""] {
            assert_eq!(parse_epoch(text), None, "{text}");
        }
    }

    #[test]
    fn excel_serial_numbers_in_a_date_column() {
        // 45292 is 2024-01-01 in Excel; 61 is 1900-03-01 (Excel counts a
        // 29 February 1900 that never was, so earlier serials are off).
        let f = DateFormat::ExcelSerial;
        assert_eq!(parse_with(f, "45292"), Ok(days_from_civil(2024, 1, 1)));
        assert_eq!(parse_with(f, "45292.75"), Ok(days_from_civil(2024, 1, 1)));
        assert_eq!(parse_with(f, "45292,5"), Ok(days_from_civil(2024, 1, 1)));
        assert_eq!(parse_with(f, "61"), Ok(days_from_civil(1900, 3, 1)));
        assert_eq!(parse_with(f, "0"), Err(DateError::NotADate));
        assert_eq!(parse_with(f, "2024-01-01"), Err(DateError::NotADate));
        // Only for a column known to hold dates, and only when the values
        // fall between 1950 and 2099.
        assert_eq!(detect(&["45292", "45300"]), None);
        assert_eq!(
            detect_named(&["45292", "45300", ""]),
            Some(DateFormat::ExcelSerial)
        );
        assert_eq!(detect_named(&["12", "45"]), None);
        assert_eq!(detect_named(&["2024-01-01"]), Some(DateFormat::Iso));
        assert_eq!(DateFormat::ExcelSerial.label(), "Excel serial numbers");
    }

    #[test]
    fn civil_round_trip() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
        for z in -800_000..800_000 {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
    }

    #[test]
    fn formats() {
        let d = days_from_civil(2024, 3, 1);
        assert_eq!(parse_with(DateFormat::Iso, "2024-03-01"), Ok(d));
        assert_eq!(parse_with(DateFormat::Iso, "2024-03-01T23:10:00Z"), Ok(d));
        assert_eq!(parse_with(DateFormat::Iso, "2024-03-01 23:10"), Ok(d));
        assert_eq!(parse_with(DateFormat::Compact, "20240301"), Ok(d));
        assert_eq!(parse_with(DateFormat::DayFirst, "01/03/2024"), Ok(d));
        assert_eq!(parse_with(DateFormat::DayFirst, "1.3.2024"), Ok(d));
        assert_eq!(parse_with(DateFormat::MonthFirst, "03/01/2024"), Ok(d));
        assert_eq!(
            parse_with(DateFormat::DayFirst, "31/02/2024"),
            Err(DateError::Impossible)
        );
        assert_eq!(
            parse_with(DateFormat::Iso, "yesterday"),
            Err(DateError::NotADate)
        );
        assert_eq!(format_iso(d), "2024-03-01");
    }

    #[test]
    fn timestamps_with_zones() {
        let base = i64::from(days_from_civil(2025, 10, 12)) * 86_400;
        assert_eq!(parse_timestamp("2025-10-12"), Some(base));
        assert_eq!(parse_timestamp("2025-10-12T12:48:12Z"), Some(base + 46_092));
        assert_eq!(parse_timestamp("2025-10-12 12:48"), Some(base + 46_080));
        assert_eq!(
            parse_timestamp("2025-10-12T14:48:12.250+02:00"),
            Some(base + 46_092)
        );
        assert_eq!(
            parse_timestamp("2025-10-12T07:48:12-0500"),
            Some(base + 46_092)
        );
        assert_eq!(parse_timestamp("2025-10-12T25:00"), None);
        assert_eq!(parse_timestamp("12/10/2025 10:00"), None);
    }

    #[test]
    fn detection_scans_for_deciding_values() {
        assert_eq!(
            detect(&["01/02/2024", "03/04/2024", "13/04/2024"]),
            Some(DateFormat::DayFirst)
        );
        assert_eq!(
            detect(&["01/02/2024", "03/04/2024", "04/13/2024"]),
            Some(DateFormat::MonthFirst)
        );
        assert_eq!(detect(&["19970101", "19970112"]), Some(DateFormat::Compact));
        assert_eq!(detect(&["12.5", "3"]), None);
    }
}

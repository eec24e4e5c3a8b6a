//! Numbers and sizes formatted for people.

/// `12345` as `12,345`.
pub fn int(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `12345.678` as `12,345.68`, negatives with a minus sign.
pub fn money(x: f64) -> String {
    let cents = (x.abs() * 100.0).round() as u64;
    let sign = if x < 0.0 && cents > 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", int(cents / 100), cents % 100)
}

/// `0.1234` as `12.3%`.
pub fn percent(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

/// A KPI value in its unit: counts, money, percentages, plain numbers or
/// signed points (NPS).
pub fn kpi_value(format: seglens_engine::kpi::KpiFormat, v: f64) -> String {
    use seglens_engine::kpi::KpiFormat;
    match format {
        KpiFormat::Count => int(v.round().max(0.0) as u64),
        KpiFormat::Money => money(v),
        KpiFormat::Rate => percent(v),
        KpiFormat::Number => format!("{v:.2}"),
        KpiFormat::Points => format!("{v:+.0}"),
    }
}

/// `1 refund`, `2 refunds`: a count with its noun.
pub fn count(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", int(n), if n == 1 { one } else { many })
}

/// A size in bytes as `3.2 MB`.
pub fn bytes(n: u64) -> String {
    match n {
        n if n < 1_000 => format!("{n} B"),
        n if n < 1_000_000 => format!("{:.1} kB", n as f64 / 1e3),
        n if n < 1_000_000_000 => format!("{:.1} MB", n as f64 / 1e6),
        n => format!("{:.2} GB", n as f64 / 1e9),
    }
}

/// A duration as `0.42 s`, `3.1 s` or `85 ms`.
pub fn seconds(s: f64) -> String {
    match s {
        s if s < 0.1 => format!("{:.0} ms", s * 1000.0),
        s if s < 10.0 => format!("{s:.2} s"),
        s => format!("{s:.1} s"),
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
        assert_eq!(count(1, "refund", "refunds"), "1 refund");
        assert_eq!(count(1200, "refund", "refunds"), "1,200 refunds");
    }
}

//! What commands print: lines to standard output (a closed pipe is not an
//! error), and the tables of RFM scores, predictions and KPIs.

use std::io;
use std::io::BufWriter;
use std::io::Write;

use seglens_engine::Orders;
use seglens_engine::import::delimited::push_csv_field;
use seglens_engine::metrics::kpi;
use seglens_engine::metrics::kpi::KpiTable;
use seglens_engine::model::date;
use seglens_engine::model::date::Day;
use seglens_engine::models::clv;
use seglens_engine::models::clv::TimeUnit;
use seglens_engine::segments::rfm;

use crate::args::Format;
use crate::error::Error;

/// Writes lines to stdout.
pub(crate) fn print_lines(lines: impl Iterator<Item = String>) -> Result<(), Error> {
    let mut out = BufWriter::new(io::stdout().lock());
    for line in lines {
        writeln!(out, "{line}")?;
    }
    Ok(out.flush()?)
}

pub(crate) fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// Appends `n` in decimal.
fn push_int(out: &mut Vec<u8>, n: i64) {
    if n < 0 {
        out.push(b'-');
    }
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut m = n.unsigned_abs();
    loop {
        at -= 1;
        digits[at] = b'0' + (m % 10) as u8;
        m /= 10;
        if m == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

/// Appends `v` with two decimals, as `{:.2}` writes it: from its
/// hundredths rounded when `v` is not close to half a hundredth from
/// one (nor too large for the product to be that exact), by the
/// formatter otherwise.
fn push_hundredths(out: &mut Vec<u8>, v: f64) {
    let x = v * 100.0;
    let fraction = x.abs().fract();
    if x.abs() < 1e9 && (fraction - 0.5).abs() > 1e-6 {
        let cents = x.abs().round() as i64;
        if v.is_sign_negative() {
            out.push(b'-');
        }
        push_int(out, cents / 100);
        out.push(b'.');
        out.push(b'0' + (cents % 100 / 10) as u8);
        out.push(b'0' + (cents % 10) as u8);
    } else {
        let _ = write!(out, "{v:.2}");
    }
}

pub(crate) fn write_rfm(
    orders: &Orders,
    result: &rfm::RfmResult,
    format: Format,
) -> io::Result<()> {
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    match format {
        Format::Csv => {
            writeln!(
                out,
                "customer_id,recency_days,frequency,monetary,r,f,m,rfm_score,segment"
            )?;
            // Each line made in one buffer, its numbers written without
            // the formatting machinery (a line per customer, often 100,000
            // of them).
            let mut line = Vec::with_capacity(128);
            for row in &result.rows {
                let v = &row.values;
                line.clear();
                push_csv_field(&mut line, &orders.customer_keys[v.customer as usize]);
                for n in [i64::from(v.recency_days), i64::from(v.frequency)] {
                    line.push(b',');
                    push_int(&mut line, n);
                }
                line.push(b',');
                push_hundredths(&mut line, v.monetary);
                for n in [row.r.into(), row.f.into(), row.m.into(), row.score().into()] {
                    line.push(b',');
                    push_int(&mut line, n);
                }
                line.push(b',');
                push_csv_field(&mut line, &result.segment_names[row.segment as usize]);
                line.push(b'\n');
                out.write_all(&line)?;
            }
        }
        Format::Json => {
            #[derive(serde::Serialize)]
            struct Row<'a> {
                customer_id: &'a str,
                recency_days: i32,
                frequency: u32,
                monetary: f64,
                r: u8,
                f: u8,
                m: u8,
                rfm_score: u32,
                segment: &'a str,
            }
            let rows: Vec<Row<'_>> = result
                .rows
                .iter()
                .map(|row| Row {
                    customer_id: &orders.customer_keys[row.values.customer as usize],
                    recency_days: row.values.recency_days,
                    frequency: row.values.frequency,
                    monetary: (row.values.monetary * 100.0).round() / 100.0,
                    r: row.r,
                    f: row.f,
                    m: row.m,
                    rfm_score: row.score(),
                    segment: &result.segment_names[row.segment as usize],
                })
                .collect();
            serde_json::to_writer(&mut out, &rows)?;
            writeln!(out)?;
        }
    }
    out.flush()
}

pub(crate) struct ClvRequest {
    pub(crate) calibration_end: Day,
    pub(crate) holdout_end: Option<Day>,
    pub(crate) unit: TimeUnit,
    pub(crate) horizon: f64,
    pub(crate) discount_rate: f64,
}

pub(crate) fn write_clv(orders: &Orders, req: &ClvRequest, format: Format) -> Result<(), Error> {
    let data = clv::summarise(orders, req.calibration_end, req.holdout_end, req.unit);
    let bg = clv::fit_bgnbd(&data).map_err(|e| Error::Fit(e.to_string()))?;
    let gg = clv::fit_gamma_gamma(&data).map_err(|e| Error::Fit(e.to_string()))?;
    for w in bg.warnings.iter().chain(&gg.warnings) {
        eprintln!("seglens: warning: {w}");
    }
    let holdout_length = req
        .holdout_end
        .map(|h| f64::from(h - req.calibration_end) / req.unit.days());
    #[derive(serde::Serialize)]
    struct CustomerOut<'a> {
        customer_id: &'a str,
        frequency: f64,
        recency: f64,
        #[serde(rename = "T")]
        age: f64,
        monetary: f64,
        p_alive: f64,
        expected_purchases: f64,
        expected_spend: f64,
        clv: f64,
        order_within_7_days: f64,
        order_within_30_days: f64,
        days_to_next_order: f64,
        #[serde(skip_serializing_if = "Option::is_none")]
        holdout_purchases: Option<f64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        holdout_predicted: Option<f64>,
    }
    let round = |x: f64, d: i32| {
        let f = 10f64.powi(d);
        (x * f).round() / f
    };
    let customers: Vec<CustomerOut<'_>> = data
        .iter()
        .map(|c| {
            let spend = gg.params.expected_spend(c.frequency, c.monetary);
            let chances = bg
                .params
                .order_chances(c.frequency, c.recency, c.age, req.unit);
            CustomerOut {
                customer_id: &orders.customer_keys[c.customer as usize],
                frequency: c.frequency,
                recency: round(c.recency, 4),
                age: round(c.age, 4),
                monetary: round(c.monetary, 4),
                p_alive: round(bg.params.p_alive(c.frequency, c.recency, c.age), 6),
                expected_purchases: round(
                    bg.params
                        .expected_purchases(req.horizon, c.frequency, c.recency, c.age),
                    6,
                ),
                expected_spend: round(spend, 4),
                clv: round(
                    clv::clv(
                        &bg.params,
                        spend,
                        c,
                        req.horizon,
                        req.discount_rate,
                        req.unit,
                    ),
                    4,
                ),
                order_within_7_days: round(chances[0], 6),
                order_within_30_days: round(chances[1], 6),
                days_to_next_order: round(
                    bg.params.median_wait_if_active(c.frequency, c.age) * req.unit.days(),
                    6,
                ),
                holdout_purchases: holdout_length.map(|_| c.holdout_frequency),
                holdout_predicted: holdout_length.map(|t| {
                    round(
                        bg.params
                            .expected_purchases(t, c.frequency, c.recency, c.age),
                        6,
                    )
                }),
            }
        })
        .collect();
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    match format {
        Format::Json => {
            let holdout = holdout_length.map(|t| {
                let actual: f64 = data.iter().map(|c| c.holdout_frequency).sum();
                let predicted: f64 = data
                    .iter()
                    .map(|c| {
                        bg.params
                            .expected_purchases(t, c.frequency, c.recency, c.age)
                    })
                    .sum();
                let cumulative: Vec<serde_json::Value> = clv::cumulative_purchases(
                    orders,
                    &bg.params,
                    req.holdout_end.unwrap_or(req.calibration_end),
                    req.unit,
                    7,
                )
                .iter()
                .map(|p| {
                    serde_json::json!({
                        "before": date::format_iso(p.day),
                        "actual": p.actual,
                        "predicted": p.predicted,
                    })
                })
                .collect();
                serde_json::json!({
                    "length": t,
                    "actual_purchases": actual,
                    "predicted_purchases": round(predicted, 3),
                    "error_percent": round(100.0 * (predicted - actual) / actual.max(1.0), 2),
                    "cumulative": cumulative,
                })
            });
            let doc = serde_json::json!({
                "calibration_end": date::format_iso(req.calibration_end),
                "holdout_end": req.holdout_end.map(date::format_iso),
                "unit": match req.unit { TimeUnit::Days => "days", TimeUnit::Weeks => "weeks" },
                "horizon": req.horizon,
                "discount_rate": req.discount_rate,
                "bgnbd": {
                    "r": bg.params.r, "alpha": bg.params.alpha, "a": bg.params.a, "b": bg.params.b,
                    "log_likelihood": bg.log_likelihood,
                    "std_errors": bg.std_errors,
                    "customers": bg.customers,
                },
                "gamma_gamma": {
                    "p": gg.params.p, "q": gg.params.q, "gamma": gg.params.gamma,
                    "log_likelihood": gg.log_likelihood,
                    "std_errors": gg.std_errors,
                    "customers": gg.customers,
                },
                "warnings": bg.warnings.iter().chain(&gg.warnings).map(ToString::to_string).collect::<Vec<_>>(),
                "holdout": holdout,
                "customers": customers,
            });
            serde_json::to_writer(&mut out, &doc).map_err(io::Error::from)?;
            writeln!(out)?;
        }
        Format::Csv => {
            write!(
                out,
                "customer_id,frequency,recency,T,monetary,p_alive,expected_purchases,expected_spend,clv,order_within_7_days,order_within_30_days,days_to_next_order"
            )?;
            if holdout_length.is_some() {
                write!(out, ",holdout_purchases,holdout_predicted")?;
            }
            writeln!(out)?;
            for c in &customers {
                write!(
                    out,
                    "{},{},{},{},{},{},{},{},{},{},{},{}",
                    csv_field(c.customer_id),
                    c.frequency,
                    c.recency,
                    c.age,
                    c.monetary,
                    c.p_alive,
                    c.expected_purchases,
                    c.expected_spend,
                    c.clv,
                    c.order_within_7_days,
                    c.order_within_30_days,
                    c.days_to_next_order
                )?;
                if let (Some(a), Some(p)) = (c.holdout_purchases, c.holdout_predicted) {
                    write!(out, ",{a},{p}")?;
                }
                writeln!(out)?;
            }
        }
    }
    out.flush()?;
    Ok(())
}

/// One row per segment, one column per KPI with its counts, interval and
/// p-value.
pub(crate) fn write_kpis(table: &KpiTable, format: Format) -> io::Result<()> {
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    match format {
        Format::Json => {
            let rows: Vec<serde_json::Value> = table
                .groups
                .iter()
                .enumerate()
                .map(|(g, name)| {
                    let mut row = serde_json::Map::new();
                    row.insert("segment".into(), name.clone().into());
                    for (k, def) in table.kpis.iter().enumerate() {
                        let v = &table.values[g][k];
                        row.insert(
                            def.id.to_string(),
                            serde_json::json!({
                                "value": v.value,
                                "numerator": v.numerator,
                                "denominator": v.denominator,
                                "ci_low": v.ci.map(|c| c.0),
                                "ci_high": v.ci.map(|c| c.1),
                                "p_value": v.p_value,
                                "missing": v.missing.as_ref().map(ToString::to_string),
                            }),
                        );
                    }
                    serde_json::Value::Object(row)
                })
                .collect();
            serde_json::to_writer(&mut out, &rows).map_err(io::Error::from)?;
            writeln!(out)?;
        }
        Format::Csv => out.write_all(kpi::table_csv(table).as_bytes())?,
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The numbers are written as the formatter writes them: integers at
    /// both ends of their range, and amounts drawn at random, near half a
    /// hundredth, negative, tiny and huge.
    #[test]
    fn numbers_written_as_the_formatter_writes_them() {
        for n in [0, 7, -7, 10, 99, 100, -1000, i64::MAX, i64::MIN] {
            let mut out = Vec::new();
            push_int(&mut out, n);
            assert_eq!(String::from_utf8(out).unwrap(), n.to_string());
        }
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut values = vec![
            0.0,
            -0.0,
            0.005,
            0.015,
            0.125,
            -0.125,
            2.675,
            1.005,
            -0.004,
            0.004,
            1e9,
            1e15,
            -3.5e7,
            f64::NAN,
            f64::INFINITY,
        ];
        for _ in 0..200_000 {
            let r = next();
            let scale = [1.0, 100.0, 10_000.0, 1e7][(r % 4) as usize];
            let v = (r >> 11) as f64 / (1u64 << 53) as f64 * scale;
            let v = if r & 1 << 10 != 0 { -v } else { v };
            values.push(v);
            // On half a hundredth, as amounts of two decimals and a half
            // are written.
            values.push(((r >> 20) % 1_000_000) as f64 / 100.0 + 0.005);
        }
        for v in values {
            let mut out = Vec::new();
            push_hundredths(&mut out, v);
            assert_eq!(String::from_utf8(out).unwrap(), format!("{v:.2}"), "{v:e}");
        }
    }
}

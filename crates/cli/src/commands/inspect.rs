//! `seglens inspect`: reports what the importer understands of an order file: encoding,
//! delimiter, header, decimal separator, date format, every column with
//! its type and role, the rows read and every rejected row (line as a
//! text editor counts it, column, reason).

use std::io;
use std::io::Write;
use std::path::{Path, PathBuf};

use seglens_engine::ImportReport;
use seglens_engine::import::dataset::Dataset;
use seglens_engine::import::platform;
use seglens_engine::model::date;

use crate::args::InspectFormat;
use crate::error::Error;
use crate::load::{Reading, import_file, parse_map, workbook_sheets};

/// The flags of `seglens inspect`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The order file.
    file: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = InspectFormat::Text)]
    format: InspectFormat,
    /// Forces a column for a role, as for `rfm`. Repeatable.
    #[arg(long = "map", value_name = "ROLE=COLUMN")]
    map: Vec<String>,
}

/// Runs the command.
pub(crate) fn run(args: Args, reading: &Reading) -> Result<(), Error> {
    let Args { file, format, map } = args;
    if map.is_empty()
        && let Some(out) = inspect_source(reading, &file, format)?
    {
        writeln!(io::stdout(), "{out}")?;
        return Ok(());
    }
    let (_, report) = import_file(&file, parse_map(reading, &map)?)?;
    let sheets = workbook_sheets(&file);
    let out = match format {
        InspectFormat::Json => {
            let mut json = inspect_json(&report);
            json["sheets"] = serde_json::json!(sheets);
            serde_json::to_string_pretty(&json).map_err(|e| e.to_string())?
        }
        InspectFormat::Text => match &sheets {
            Some(names) => format!(
                "{}\nsheets: {}",
                inspect_text(&report).trim_end(),
                names.join(", ")
            ),
            None => inspect_text(&report),
        },
    };
    Ok(writeln!(io::stdout(), "{out}")?)
}

/// What `inspect` says of a file that holds no orders (customers, survey
/// answers, e-mail results, events, tickets, costs): none for an order file.
pub(crate) fn inspect_source(
    reading: &Reading,
    path: &Path,
    format: InspectFormat,
) -> Result<Option<String>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let sheet = reading.sheet.clone();
    match seglens_engine::import::dataset::kind_of_sheet(&bytes, sheet.as_deref()) {
        None | Some(seglens_engine::import::sources::SourceKind::Orders) => return Ok(None),
        Some(_) => {}
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut data = Dataset::default();
    let report = data
        .add_source_as(&name, &bytes, &reading.source_options())
        .map_err(|e| e.to_string())?;
    let names = seglens_engine::import::sources::read_text_table_as(
        &name,
        &bytes,
        &reading.source_options(),
    )
    .map(|t| t.names)
    .unwrap_or_default();
    let platform = platform::detect_source(&names);
    let kinds: Vec<&str> = data.source_reports.iter().map(|r| r.kind.key()).collect();
    Ok(Some(match format {
        InspectFormat::Json => serde_json::to_string_pretty(&serde_json::json!({
            "file": name,
            "bytes": bytes.len(),
            "kinds": kinds,
            "platform": platform.map(|p| p.id),
            "rows": report.rows,
            "rejected_total": report.rejected_total,
            "rejected": report.rejected,
            "customers": data.orders.customer_keys.len(),
            "columns": names,
            "columns_used": report.columns_used,
            "reports": data.source_reports.iter().map(|r| serde_json::json!({
                "kind": r.kind.key(),
                "rows": r.rows,
                "rejected_total": r.rejected_total,
            })).collect::<Vec<_>>(),
        }))
        .map_err(|e| e.to_string())?,
        InspectFormat::Text => {
            let mut out = format!("{name}: {} bytes\n", bytes.len());
            if let Some(p) = platform {
                out.push_str(&format!("platform: {}\n", p.label));
            }
            for r in &data.source_reports {
                out.push_str(&format!(
                    "{}: {} rows accepted, {} rejected; columns used: {}\n",
                    r.kind.key(),
                    r.rows,
                    r.rejected_total,
                    r.columns_used.join(", ")
                ));
            }
            out.push_str(&format!("customers: {}", data.orders.customer_keys.len()));
            for e in &report.rejected {
                out.push_str(&format!("\n  line {}: {}", e.line, e.reason));
            }
            out
        }
    }))
}

/// The inspect report as JSON: the import report with dates written out.
pub(crate) fn inspect_json(r: &ImportReport) -> serde_json::Value {
    serde_json::json!({
        "file": r.file_name,
        "bytes": r.bytes,
        "encoding": r.encoding.label(),
        "encoding_chosen": r.encoding_chosen,
        "delimiter": r.delimiter,
        "has_header": r.has_header,
        "decimal_separator": r.decimal_separator.to_string(),
        "currency": r.currency,
        "date_format": r.date_format,
        "date_format_note": r.date_format_note,
        "kinds": ["orders"],
        "platform": r.platform,
        "rows": r.lines.as_ref().map_or(r.rows, |l| l.rows),
        "orders": r.orders(),
        "lines": r.lines,
        "excluded": r.excluded.iter().map(|(status, orders)| serde_json::json!({"status": status, "orders": orders})).collect::<Vec<_>>(),
        "excluded_orders": r.excluded_orders(),
        "status_columns": r.status_columns,
        "all_statuses": r.all_statuses,
        "refunded_column": r.refunded_column,
        "refunded_orders": r.refunded_orders,
        "refunded_amount": r.refunded_amount,
        "cancellation_invoices": r.cancellation_invoices,
        "phone_column": r.phone_column,
        "by_phone": r.by_phone,
        "sales_column": r.sales_column,
        "not_sales": r.not_sales.iter().map(|(what, rows)| serde_json::json!({"what": what, "rows": rows})).collect::<Vec<_>>(),
        "rejected_total": r.rejected_total,
        "rejected": r.rejected,
        "refunds": r.refunds,
        "customers": r.customers,
        "first_date": r.first_day.map(date::format_iso),
        "last_date": r.last_day.map(date::format_iso),
        "columns": r.columns,
        "duplicate_rows": r.duplicate_rows,
        "duplicates": r.duplicates.iter().map(|(line, first)| serde_json::json!({"line": line, "same_as_line": first})).collect::<Vec<_>>(),
        "future_rows": r.future_rows,
        "future": r.future.iter().map(|(line, day)| serde_json::json!({"line": line, "date": date::format_iso(*day)})).collect::<Vec<_>>(),
        "extreme_amount_count": r.extreme_amount_count,
        "extreme_amounts": r.extreme_amounts,
    })
}

/// What was applied for statuses and refunds, a sentence a line.
pub(crate) fn status_lines(r: &ImportReport) -> Vec<String> {
    let mut out = Vec::new();
    if !r.status_columns.is_empty() {
        let statuses: Vec<String> = r
            .excluded
            .iter()
            .map(|(status, n)| format!("{n} {status}"))
            .collect();
        out.push(match (r.all_statuses, statuses.is_empty()) {
            (true, _) => format!(
                "statuses ({}): every order kept, as asked",
                r.status_columns.join(", ")
            ),
            (false, true) => format!(
                "statuses ({}): no order left out",
                r.status_columns.join(", ")
            ),
            (false, false) => format!(
                "statuses ({}): {} orders left out ({}); --all-statuses keeps them",
                r.status_columns.join(", "),
                r.excluded_orders(),
                statuses.join(", ")
            ),
        });
    }
    if let Some(column) = &r.phone_column {
        out.push(format!(
            "phone ({column}): {} orders without a customer identified by it",
            r.by_phone
        ));
    }
    if let Some(column) = &r.refunded_column {
        out.push(match r.refunded_orders {
            0 => format!("refunds ({column}): none"),
            n => format!(
                "refunds ({column}): {:.2} taken off {n} orders",
                r.refunded_amount
            ),
        });
    }
    if let Some(column) = &r.sales_column {
        let listed: Vec<String> = r
            .not_sales
            .iter()
            .map(|(what, n)| format!("{n} {what}"))
            .collect();
        out.push(format!(
            "rows that are no sales ({column}), left out: {}",
            if listed.is_empty() {
                "none".to_string()
            } else {
                listed.join(", ")
            }
        ));
    }
    if r.cancellation_invoices > 0 {
        out.push(format!(
            "cancellation invoices read as refunds: {}",
            r.cancellation_invoices
        ));
    }
    out
}

pub(crate) fn inspect_text(r: &ImportReport) -> String {
    let mut out = format!(
        "{}: {} bytes, {}, delimiter {}, {}, decimal separator {}{}, dates {}\n",
        r.file_name,
        r.bytes,
        if r.encoding_chosen {
            format!("{} (as chosen)", r.encoding.label())
        } else {
            r.encoding.label().to_string()
        },
        r.delimiter,
        if r.has_header {
            "header line"
        } else {
            "no header line"
        },
        r.decimal_separator,
        r.currency
            .as_ref()
            .map(|c| format!(", amounts in {c}"))
            .unwrap_or_default(),
        r.date_format
    );
    if let Some(note) = &r.date_format_note {
        out.push_str(&format!("  {note}\n"));
    }
    if let Some(p) = r.platform.as_deref().and_then(platform::by_id) {
        out.push_str(&format!("platform: {}\n", p.label));
    }
    if let Some(l) = &r.lines {
        out.push_str(&format!(
            "order lines: {} rows, {} orders (line items grouped by {}); an order's value is {}\n",
            l.rows, l.orders, l.order_id, l.amount_from
        ));
    }
    for line in status_lines(r) {
        out.push_str(&line);
        out.push('\n');
    }
    out.push_str("columns:\n");
    for (i, c) in r.columns.iter().enumerate() {
        let kind = serde_json::to_value(c.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        out.push_str(&format!(
            "  {:>2}. {} ({kind}){}\n",
            i + 1,
            c.name,
            c.role
                .map(|r| format!(" -> {}", r.key()))
                .unwrap_or_default()
        ));
    }
    out.push_str(&format!(
        "rows: {} accepted, {} rejected; refunds: {}; customers: {}",
        r.rows, r.rejected_total, r.refunds, r.customers
    ));
    if let (Some(a), Some(b)) = (r.first_day, r.last_day) {
        out.push_str(&format!(
            ", {} to {}",
            date::format_iso(a),
            date::format_iso(b)
        ));
    }
    for e in &r.rejected {
        out.push_str(&format!(
            "\n  line {}{}: {}",
            e.line,
            e.column
                .as_ref()
                .map(|c| format!(", column {c}"))
                .unwrap_or_default(),
            e.reason
        ));
    }
    if r.future_rows > 0 {
        let listed: Vec<String> = r
            .future
            .iter()
            .take(10)
            .map(|(line, day)| format!("line {line}: {}", date::format_iso(*day)))
            .collect();
        out.push_str(&format!(
            "\n{} dated after today (kept): {}",
            if r.future_rows == 1 {
                "1 row".to_string()
            } else {
                format!("{} rows", r.future_rows)
            },
            listed.join(", ")
        ));
    }
    if r.duplicate_rows > 0 {
        let listed: Vec<String> = r
            .duplicates
            .iter()
            .take(10)
            .map(|(line, first)| format!("line {line} = line {first}"))
            .collect();
        out.push_str(&format!(
            "
{} rows repeat an earlier row exactly (kept): {}",
            r.duplicate_rows,
            listed.join(", ")
        ));
    }
    if !r.extreme_amounts.is_empty() {
        let listed: Vec<String> = r.extreme_amounts.iter().map(|a| format!("{a}")).collect();
        out.push_str(&format!(
            "
amounts far beyond the others (kept): {}",
            listed.join(", ")
        ));
    }
    out
}

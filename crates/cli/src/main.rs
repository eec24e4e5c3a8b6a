//! `seglens`: the SegLens engine on the command line, for big files and
//! pipelines. It prints the same figures as the browser app.

use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use seglens_engine::date::{self, Day};
use seglens_engine::orders::ColumnRef;
use seglens_engine::rfm::{self, Bins, RfmConfig};
use seglens_engine::roles::Role;
use seglens_engine::{ImportOptions, Orders, OrdersImporter, demo};

/// Customer segmentation from order exports: RFM scores and segments,
/// computed exactly as the SegLens app computes them.
#[derive(Parser)]
#[command(name = "seglens", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Scores every customer of an order file (recency, frequency,
    /// monetary) and names their segment.
    ///
    /// Bins follow R's `rfm` package (`rfm_table_order`): type-7 quantiles
    /// of the customer values, interior breaks plus one, a value gets bin i
    /// when lower <= x < upper, recency reversed. Segments are the ten
    /// default segments of R's `rfm`, first match wins; unmatched customers
    /// are "Others". Negative amounts are refunds: they lower the monetary
    /// value but count for neither frequency nor recency.
    ///
    /// Output columns: customer_id, recency_days, frequency, monetary, r, f,
    /// m, rfm_score, segment.
    Rfm {
        /// The order file (CSV, TSV, semicolon, pipe or space separated).
        /// Customer, date and amount columns are recognised from common
        /// English and French names, or from their values.
        #[arg(long, value_name = "FILE")]
        orders: PathBuf,
        /// The analysis date, YYYY-MM-DD. Defaults to the day after the
        /// last order.
        #[arg(long, value_name = "YYYY-MM-DD")]
        as_of: Option<String>,
        /// Number of quantile bins for each of R, F and M.
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u8).range(2..=9))]
        bins: u8,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Csv)]
        format: Format,
        /// Forces a column for a role: ROLE=COLUMN, with ROLE one of
        /// customer_id, date, amount and COLUMN a header name or a 1-based
        /// position. Repeatable.
        #[arg(long = "map", value_name = "ROLE=COLUMN")]
        map: Vec<String>,
    },
    /// Writes the demo business (customers, orders, e-mail results, NPS
    /// answers, web events) as CSV files into a folder.
    Demo {
        /// The folder to write into (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// The generator's seed; the app's demo uses the default.
        #[arg(long, default_value_t = demo::DEMO_SEED)]
        seed: u64,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// Comma-separated values with a header line.
    Csv,
    /// A JSON array of objects.
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("seglens: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Rfm {
            orders,
            as_of,
            bins,
            format,
            map,
        } => {
            let options = parse_map(&map)?;
            let table = read_orders(&orders, options)?;
            let as_of = match as_of {
                Some(text) => date::parse_iso(&text)
                    .ok_or_else(|| format!("--as-of {text:?} is not a date (YYYY-MM-DD)"))?,
                None => seglens_engine::default_as_of(&table)
                    .ok_or_else(|| format!("{}: no order to score", orders.display()))?,
            };
            let config = RfmConfig {
                recency: Bins::Quantiles(bins),
                frequency: Bins::Quantiles(bins),
                monetary: Bins::Quantiles(bins),
            };
            match write_rfm(&table, as_of, &config, format) {
                // A closed pipe (`seglens rfm ... | head`) is not an error.
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
                other => other.map_err(|e| e.to_string()),
            }
        }
        Command::Demo { out, seed } => {
            std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
            let data = demo::generate(seed);
            for (name, text) in data.files() {
                let path = out.join(name);
                std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
            }
            Ok(())
        }
    }
}

fn parse_map(map: &[String]) -> Result<ImportOptions, String> {
    let mut options = ImportOptions::default();
    for m in map {
        let (role, col) = m
            .split_once('=')
            .ok_or_else(|| format!("--map {m:?}: expected ROLE=COLUMN"))?;
        let role = Role::from_key(role).ok_or_else(|| {
            format!("--map {m:?}: unknown role {role:?} (customer_id, date or amount)")
        })?;
        options.map.push((role, ColumnRef::parse(col)));
    }
    Ok(options)
}

/// Streams a file through the importer in 1 MiB chunks and reports
/// rejected rows on stderr.
fn read_orders(path: &Path, options: ImportOptions) -> Result<Orders, String> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let mut file = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut importer = OrdersImporter::new(&name, options);
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file
            .read(&mut buf)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        if n == 0 {
            break;
        }
        importer.push(&buf[..n]).map_err(|e| e.to_string())?;
    }
    let (orders, report) = importer.finish().map_err(|e| e.to_string())?;
    if report.rejected_total > 0 {
        eprintln!(
            "seglens: {name}: {} row{} rejected",
            report.rejected_total,
            if report.rejected_total == 1 { "" } else { "s" }
        );
        for e in report.rejected.iter().take(10) {
            let col = e
                .column
                .as_ref()
                .map(|c| format!(", column {c}"))
                .unwrap_or_default();
            eprintln!("  line {}{col}: {}", e.line, e.reason);
        }
    }
    Ok(orders)
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

fn write_rfm(orders: &Orders, as_of: Day, config: &RfmConfig, format: Format) -> io::Result<()> {
    let result = rfm::compute(orders, as_of, config, &rfm::default_rules());
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    match format {
        Format::Csv => {
            writeln!(
                out,
                "customer_id,recency_days,frequency,monetary,r,f,m,rfm_score,segment"
            )?;
            for row in &result.rows {
                let v = &row.values;
                writeln!(
                    out,
                    "{},{},{},{:.2},{},{},{},{},{}",
                    csv_field(&orders.customer_keys[v.customer as usize]),
                    v.recency_days,
                    v.frequency,
                    v.monetary,
                    row.r,
                    row.f,
                    row.m,
                    row.score(),
                    csv_field(&result.segment_names[row.segment as usize])
                )?;
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

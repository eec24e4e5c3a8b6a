//! Reading what a command is given: order files, project files and the
//! files beside them, with the choices that hold for every file.

use std::fs::File;
use std::io::{Read, Seek};
use std::path::{Path, PathBuf};

use seglens_engine::analysis::AnalysisOptions;
use seglens_engine::import::dataset::Dataset;
use seglens_engine::import::delimited::Encoding;
use seglens_engine::import::orders::ColumnRef;
use seglens_engine::import::roles::Role;
use seglens_engine::import::sources::SourceKind;
use seglens_engine::model::date;
use seglens_engine::model::date::Day;
use seglens_engine::segments::rfm::{Bins, RfmConfig, RfmSetup};
use seglens_engine::segments::{Facts, Rule, lifecycle, rfm};
use seglens_engine::store::project::Project;
use seglens_engine::{ImportOptions, ImportReport, Orders, OrdersImporter};

use crate::args::Input;
use crate::args::Sources;

/// The choices that hold for every file a command reads: `--encoding`,
/// `--sheet`, `--all-statuses`, and today on this machine's clock (to point
/// at dates after it).
pub(crate) struct Reading {
    /// The encoding chosen with `--encoding`.
    pub(crate) encoding: Option<Encoding>,
    /// The sheet chosen with `--sheet`, for every workbook read.
    pub(crate) sheet: Option<String>,
    /// `--all-statuses`, for every order file read.
    pub(crate) all_statuses: bool,
    /// Today, as a day number.
    pub(crate) today: Option<Day>,
}

impl Reading {
    /// The choices of the command line `cli`, and today.
    pub(crate) fn of(cli: &crate::args::Cli) -> Reading {
        Reading {
            encoding: cli.encoding,
            sheet: cli.sheet.clone(),
            all_statuses: cli.all_statuses,
            today: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| (d.as_secs() / 86_400) as Day)
                .ok(),
        }
    }

    /// How to read a source file: the chosen encoding and sheet.
    pub(crate) fn source_options(&self) -> seglens_engine::import::sources::ReadOptions {
        seglens_engine::import::sources::ReadOptions {
            encoding: self.encoding,
            sheet: self.sheet.clone(),
            today: self.today,
            ..Default::default()
        }
    }
}

impl Input {
    /// The data and, from a project file, its saved analysis choices.
    pub(crate) fn load(
        &self,
        reading: &Reading,
    ) -> Result<(Dataset, Option<AnalysisOptions>), String> {
        load(
            reading,
            self.orders.as_deref(),
            self.workspace.as_deref(),
            &self.map,
        )
    }
}

impl Sources {
    /// Reads the files into a dataset, with the analysis date.
    pub(crate) fn load(&self, reading: &Reading) -> Result<(Dataset, Day), String> {
        self.load_full(reading)
            .map(|(data, as_of, _, _)| (data, as_of))
    }

    /// [`Sources::load`], with the project's saved settings (with
    /// `--workspace`) and the orders' import report.
    pub(crate) fn load_full(
        &self,
        reading: &Reading,
    ) -> Result<(Dataset, Day, Option<AnalysisOptions>, Option<ImportReport>), String> {
        let (mut data, saved, report) = load_full(
            reading,
            self.orders.as_deref(),
            self.workspace.as_deref(),
            &[],
        )?;
        add_sources(reading, &mut data, self.files.paths())?;
        let as_of = match date_arg("as-of", self.as_of.clone())? {
            Some(d) => d,
            None => saved
                .as_ref()
                .and_then(|o| o.as_of)
                .or_else(|| seglens_engine::default_as_of(&data.orders))
                .ok_or("the orders hold no order")?,
        };
        Ok((data, as_of, saved, report))
    }
}

/// The events of a dataset, or what to give.
pub(crate) fn events_of(
    data: &Dataset,
) -> Result<&seglens_engine::import::sources::EventTable, String> {
    data.events
        .as_ref()
        .ok_or_else(|| "give the events file (--events FILE)".to_string())
}

/// Joins each given file to the dataset, saying how many rows it rejected.
pub(crate) fn add_sources<'a>(
    reading: &Reading,
    data: &mut Dataset,
    paths: impl IntoIterator<Item = (Option<SourceKind>, &'a PathBuf)>,
) -> Result<(), String> {
    for (kind, path) in paths {
        let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let report = data
            .add_source_as(
                &name,
                &bytes,
                &seglens_engine::import::sources::ReadOptions {
                    kind,
                    ..reading.source_options()
                },
            )
            .map_err(|e| e.to_string())?;
        if report.rejected_total > 0 {
            eprintln!("seglens: {name}: {} rows rejected", report.rejected_total);
        }
        if report.suspicious_total > 0 {
            let listed: Vec<String> = report
                .suspicious
                .iter()
                .take(5)
                .map(|e| format!("line {}: {}", e.line, e.reason))
                .collect();
            eprintln!(
                "seglens: {name}: {} rows kept with a value to check ({})",
                report.suspicious_total,
                listed.join("; ")
            );
        }
    }
    Ok(())
}

/// Reads a segments file: a JSON array of `{"name": ..., "rule": RULE}`,
/// or of saved segments as the app keeps them, `{"name": ...,
/// "definition": DEFINITION}` (lifecycle stages, groups, clusters...).
pub(crate) fn read_segments(
    path: &Path,
) -> Result<Vec<seglens_engine::segments::SavedSegment>, String> {
    use seglens_engine::segments::{Definition, SavedSegment};
    let at = |e: String| format!("{}: {e}", path.display());
    let text = std::fs::read_to_string(path).map_err(|e| at(e.to_string()))?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        at(format!(
            "not valid JSON (line {}, column {}): {e}",
            e.line(),
            e.column()
        ))
    })?;
    let list = value
        .as_array()
        .ok_or_else(|| at("expected a list of {\"name\": ..., \"rule\": ...}".into()))?;
    list.iter()
        .enumerate()
        .map(|(i, item)| {
            let name = item
                .get("name")
                .and_then(|n| n.as_str())
                .filter(|n| !n.trim().is_empty())
                .ok_or_else(|| at(format!("segment {}: expected a \"name\"", i + 1)))?;
            let definition = match (item.get("rule"), item.get("definition")) {
                (Some(rule), _) => Definition::Rule(
                    Rule::from_value(rule, "rule")
                        .map_err(|e| at(format!("segment {name}: {e}")))?
                        .to_json(),
                ),
                (None, Some(definition)) => serde_json::from_value(definition.clone())
                    .map_err(|e| at(format!("segment {name}: {e}")))?,
                (None, None) => {
                    return Err(at(format!(
                        "segment {name}: expected a \"rule\" (or a saved segment's \"definition\")"
                    )));
                }
            };
            Ok(SavedSegment {
                name: name.to_string(),
                version: 1,
                definition,
                note: String::new(),
            })
        })
        .collect()
}

/// The customers a rule file selects, when one is given.
pub(crate) fn rule_members(
    data: &Dataset,
    as_of: Day,
    rule: Option<&Path>,
) -> Result<Option<seglens_engine::model::bitmap::Bitmap>, String> {
    let Some(path) = rule else { return Ok(None) };
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let facts = Facts::new(data, as_of);
    let lifecycle = lifecycle::suggest(&data.orders, &facts).setup;
    seglens_engine::segments::groups::members(
        data,
        &facts,
        &seglens_engine::segments::Definition::Rule(text),
        &lifecycle,
    )
    .map(Some)
    .map_err(|e| format!("{}: {e}", path.display()))
}

/// The RFM setup of the command line without a project: quintiles of R,
/// F and M (R `rfm`'s) and the default segments.
pub(crate) fn r_rfm_setup() -> RfmSetup {
    RfmSetup {
        config: RfmConfig {
            recency: Bins::Quantiles(5),
            frequency: Bins::Quantiles(5),
            monetary: Bins::Quantiles(5),
        },
        rules: rfm::default_rules(),
    }
}

/// The data and, from a project file, its saved analysis choices.
pub(crate) fn load(
    reading: &Reading,
    orders: Option<&Path>,
    workspace: Option<&Path>,
    map: &[String],
) -> Result<(Dataset, Option<AnalysisOptions>), String> {
    load_full(reading, orders, workspace, map).map(|(data, options, _)| (data, options))
}

/// The orders (and sources) of an order file or a project file, with the
/// project's saved settings and the orders' import report.
pub(crate) fn load_full(
    reading: &Reading,
    orders: Option<&Path>,
    workspace: Option<&Path>,
    map: &[String],
) -> Result<(Dataset, Option<AnalysisOptions>, Option<ImportReport>), String> {
    match (orders, workspace) {
        (_, Some(path)) => {
            let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
            let project =
                Project::decode(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
            let data =
                Dataset::decode(&project.data).map_err(|e| format!("{}: {e}", path.display()))?;
            let record = serde_json::from_str::<serde_json::Value>(&project.record_json).ok();
            let field = |name: &str| record.as_ref().and_then(|v| v.get(name).cloned());
            let options = field("options").and_then(|o| serde_json::from_value(o).ok());
            let report = field("report").and_then(|r| serde_json::from_value(r).ok());
            Ok((data, options, report))
        }
        (Some(path), None) => {
            let (orders, report) = read_orders(path, parse_map(reading, map)?)?;
            Ok((Dataset::from_orders(orders), None, Some(report)))
        }
        (None, None) => Err("give --orders FILE or --workspace FILE".into()),
    }
}

/// Reads a `--NAME YYYY-MM-DD` argument.
pub(crate) fn date_arg(name: &str, text: Option<String>) -> Result<Option<Day>, String> {
    text.map(|t| {
        date::parse_iso(&t).ok_or_else(|| format!("--{name} {t:?} is not a date (YYYY-MM-DD)"))
    })
    .transpose()
}

/// The import options of the `--map ROLE=COLUMN` flags, with the choices
/// that hold for every file.
pub(crate) fn parse_map(reading: &Reading, map: &[String]) -> Result<ImportOptions, String> {
    let mut options = ImportOptions {
        encoding: reading.encoding,
        sheet: reading.sheet.clone(),
        today: reading.today,
        all_statuses: reading.all_statuses,
        ..ImportOptions::default()
    };
    for m in map {
        let (role, col) = m
            .split_once('=')
            .ok_or_else(|| format!("--map {m:?}: expected ROLE=COLUMN"))?;
        let role = Role::from_key(role).ok_or_else(|| {
            format!(
                "--map {m:?}: unknown role {role:?} (customer_id, date, amount, order_id, quantity, unit_price, line_total, status or refunded)"
            )
        })?;
        options.map.push((role, ColumnRef::parse(col)));
    }
    Ok(options)
}

/// The names of a workbook's sheets (none when the file is not a
/// workbook).
pub(crate) fn workbook_sheets(path: &Path) -> Option<Vec<String>> {
    let bytes = std::fs::read(path).ok()?;
    if !seglens_engine::import::spreadsheet::is_workbook(&bytes) {
        return None;
    }
    seglens_engine::import::spreadsheet::sheet_names(&bytes).ok()
}

/// Streams a file through the importer in 1 MiB chunks and reports
/// rejected rows on stderr.
pub(crate) fn read_orders(
    path: &Path,
    options: ImportOptions,
) -> Result<(Orders, ImportReport), String> {
    let (orders, report) = import_file(path, options)?;
    if report.rejected_total > 0 {
        eprintln!(
            "seglens: {}: {} row{} rejected",
            report.file_name,
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
    Ok((orders, report))
}

/// A file of `size` bytes read whole, its parts on `threads` threads
/// side by side (the copy from the system's cache is the slow part);
/// read in one go if its size changed meanwhile.
fn read_whole(file: &mut File, size: u64, threads: usize) -> std::io::Result<Vec<u8>> {
    #[cfg(unix)]
    if threads > 1 && size >= 1 << 24 {
        use std::os::unix::fs::FileExt;
        let mut bytes = vec![0u8; size as usize];
        let part = (bytes.len() / threads).max(1);
        let file: &File = file;
        let read: std::io::Result<()> = std::thread::scope(|scope| {
            let handles: Vec<_> = bytes
                .chunks_mut(part)
                .enumerate()
                .map(|(k, chunk)| scope.spawn(move || file.read_exact_at(chunk, (k * part) as u64)))
                .collect();
            handles
                .into_iter()
                .try_for_each(|h| h.join().expect("a reading thread failed"))
        });
        let mut more = [0u8; 1];
        if read.is_ok() && file.read_at(&mut more, size)? == 0 {
            return Ok(bytes);
        }
    }
    let mut bytes = Vec::with_capacity(size as usize);
    file.seek(std::io::SeekFrom::Start(0))?;
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Streams a file through the importer in 1 MiB chunks.
pub(crate) fn import_file(
    path: &Path,
    options: ImportOptions,
) -> Result<(Orders, ImportReport), String> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let mut file = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    // Files that fit in memory are read on every core; larger ones stream.
    let size = file.metadata().map(|m| m.len()).unwrap_or(u64::MAX);
    if size <= 1 << 30 {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
        let bytes =
            read_whole(&mut file, size, threads).map_err(|e| format!("{}: {e}", path.display()))?;
        return seglens_engine::import::orders::import_orders_parallel(
            &name, &bytes, options, threads,
        )
        .map_err(|e| e.to_string());
    }
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
    importer.finish().map_err(|e| e.to_string())
}

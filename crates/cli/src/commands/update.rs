//! `seglens project` writes a project file the app opens; `seglens update`
//! updates one with a newer export, as the app's "Update with new exports"
//! does, and says who moved.

use std::io::{self, Write};
use std::path::Path;
use std::path::PathBuf;

use seglens_engine::analysis::update::{self, GroupId, Mode, Question, Since};
use seglens_engine::analysis::{self, AnalysisOptions};
use seglens_engine::import::dataset::Dataset;
use seglens_engine::metrics::snapshot::Snapshot;
use seglens_engine::model::date;
use seglens_engine::model::date::format_iso;
use seglens_engine::store::project::Project;
use seglens_engine::{ImportReport, Orders};

use crate::args::InspectFormat;
use crate::args::OtherFiles;
use crate::error::Error;
use crate::load::{Reading, add_sources, parse_map, read_orders};

/// The flags of `seglens update`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The project file to update (`.seglens`).
    #[arg(long, value_name = "FILE")]
    workspace: PathBuf,
    /// The newer export of the orders.
    #[arg(long, value_name = "FILE")]
    orders: PathBuf,
    /// Newer files of other kinds, each replacing the project's.
    #[command(flatten)]
    files: OtherFiles,
    /// The updated project file to write (may be the same file).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Takes in an export that does not look like the next one.
    #[arg(long)]
    yes: bool,
    /// Output: a summary, or everything with the customers who moved
    /// as JSON.
    #[arg(long, value_enum, default_value_t = InspectFormat::Text)]
    format: InspectFormat,
    /// Forces a column for a role: ROLE=COLUMN. Repeatable.
    #[arg(long = "map", value_name = "ROLE=COLUMN")]
    map: Vec<String>,
}

/// Runs the command.
pub(crate) fn run(args: Args, reading: &Reading) -> Result<(), Error> {
    let Args {
        workspace,
        orders,
        files,
        out,
        yes,
        format,
        map,
    } = args;
    let (new, report) = read_orders(&orders, parse_map(reading, &map)?)?;
    let name = orders
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let made = reading.today.map(date::format_iso).unwrap_or_default();
    Ok(apply(
        &workspace,
        &name,
        new,
        report,
        |data| add_sources(reading, data, files.paths()),
        &out,
        yes,
        &made,
        format,
    )?)
}

/// The version of the app's project record this writes (the app reads
/// records from version 1 on).
const RECORD_VERSION: u32 = 2;

/// The app's record of a new project of `data`: its file, report, sources
/// and choices, with no goal, note or snapshot yet.
pub fn new_record(
    source: &str,
    report: Option<&ImportReport>,
    data: &Dataset,
    options: &AnalysisOptions,
) -> serde_json::Value {
    serde_json::json!({
        "version": RECORD_VERSION,
        "source": source,
        "is_demo": false,
        "report": report,
        "sources": data.source_reports,
        "options": options,
        "goals": [],
        "notes": [],
        "snapshots": [],
        "currency": report.and_then(|r| r.currency.clone()),
    })
}

/// Writes a project file.
pub fn write(out: &Path, record: &serde_json::Value, data: &Dataset) -> Result<(), String> {
    let project = Project {
        record_json: record.to_string(),
        data: data.encode(),
    };
    std::fs::write(out, project.encode()).map_err(|e| format!("{}: {e}", out.display()))
}

/// Why an export does not look like the next one of the project, and how
/// to take it in anyway.
fn question_text(file: &str, q: &Question) -> String {
    let why = match q {
        Question::NoCustomerInCommon { customers } => format!(
            "none of its {customers} customers has an order in the project (another shop, or customers named by another column?)"
        ),
        Question::Older {
            file_last,
            project_last,
        } => format!(
            "its last order ({}) is older than the project's ({})",
            format_iso(*file_last),
            format_iso(*project_last)
        ),
        Question::NothingNew => "every order in it is already in the project".into(),
    };
    format!("{file}: {why}; nothing was written. Give --yes to update the project with it anyway")
}

/// The name of a group as the command line prints it.
fn group_name(group: &GroupId) -> String {
    match group {
        GroupId::Rfm(name) => format!("RFM: {name}"),
        GroupId::Lifecycle(stage) => format!("Lifecycle: {}", stage.label()),
        GroupId::Saved(name) => format!("Saved: {name}"),
    }
}

/// Updates the project read from `workspace` with `orders` (read with
/// `report`) and the other sources already added to nothing yet (`sources`
/// adds them to the updated data), writes it to `out` and prints what
/// changed.
#[allow(clippy::too_many_arguments)]
pub(crate) fn apply(
    workspace: &Path,
    file_name: &str,
    orders: Orders,
    report: ImportReport,
    add_sources: impl FnOnce(&mut Dataset) -> Result<(), String>,
    out: &Path,
    yes: bool,
    today: &str,
    format: InspectFormat,
) -> Result<(), String> {
    let bytes = std::fs::read(workspace).map_err(|e| format!("{}: {e}", workspace.display()))?;
    let project = Project::decode(&bytes).map_err(|e| format!("{}: {e}", workspace.display()))?;
    let old =
        Dataset::decode(&project.data).map_err(|e| format!("{}: {e}", workspace.display()))?;
    let mut record: serde_json::Value = serde_json::from_str(&project.record_json)
        .map_err(|e| format!("{}: {e}", workspace.display()))?;
    let options: AnalysisOptions = record
        .get("options")
        .cloned()
        .and_then(|o| serde_json::from_value(o).ok())
        .unwrap_or_default();
    let (mut data, outcome) =
        update::merge(&old, &orders, yes).map_err(|q| question_text(file_name, &q))?;
    add_sources(&mut data)?;
    let since = update::moves(&old, &data, &options, file_name, today, outcome)
        .map_err(|e| e.to_string())?;
    // The analysis date moves to the day after the last order; everything
    // else the user made stays.
    let options = AnalysisOptions {
        as_of: None,
        ..options
    };
    let analysis = analysis::analyse(&data, &options).map_err(|e| e.to_string())?;
    let mut snapshots: Vec<Snapshot> = record
        .get("snapshots")
        .cloned()
        .and_then(|s| serde_json::from_value(s).ok())
        .unwrap_or_default();
    snapshots.push(Snapshot::of(
        &analysis.kpis,
        today,
        "update",
        analysis.as_of,
    ));
    let fields = record.as_object_mut().ok_or_else(|| {
        format!(
            "{}: the project's record is not an object",
            workspace.display()
        )
    })?;
    fields.insert("options".into(), json(&options));
    fields.insert("report".into(), json(&report));
    fields.insert("sources".into(), json(&data.source_reports));
    fields.insert("snapshots".into(), json(&snapshots));
    fields.insert("last_update".into(), json(&since));
    write(out, &record, &data)?;
    print(&since, out, format).map_err(|e| e.to_string())
}

fn json(value: &impl serde::Serialize) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

fn print(since: &Since, out: &Path, format: InspectFormat) -> io::Result<()> {
    let mut w = io::BufWriter::new(io::stdout().lock());
    let r = &since.report;
    match format {
        InspectFormat::Json => {
            let mut value = serde_json::to_value(since).map_err(io::Error::other)?;
            value["out"] = serde_json::Value::String(out.display().to_string());
            writeln!(
                w,
                "{}",
                serde_json::to_string_pretty(&value).map_err(io::Error::other)?
            )?;
        }
        InspectFormat::Text => {
            let how = match r.mode {
                Mode::Replaced => "its orders replace the project's (it covers the whole period)",
                Mode::Appended => "its orders are added from its first day on",
            };
            writeln!(w, "{}: {how}", since.file_name)?;
            writeln!(
                w,
                "  orders: {} rows before; {} in the export, {} already in the project; {} dropped (no longer in the export); {} kept from before; {} rows after",
                r.rows_before, r.rows_in_file, r.already_there, r.dropped, r.kept, r.rows_after
            )?;
            writeln!(
                w,
                "  data: {} to {} before, {} to {} after; analysis date {} -> {}",
                format_iso(r.before.0),
                format_iso(r.before.1),
                format_iso(r.after.0),
                format_iso(r.after.1),
                format_iso(r.as_of_before),
                format_iso(r.as_of_after)
            )?;
            writeln!(w, "  new customers: {}", since.new_customers.len())?;
            writeln!(w, "group,before,after,entered,left")?;
            for g in &since.groups {
                let mut name = Vec::new();
                seglens_engine::import::delimited::push_csv_field(&mut name, &group_name(&g.group));
                writeln!(
                    w,
                    "{},{},{},{},{}",
                    String::from_utf8_lossy(&name),
                    g.before,
                    g.after,
                    g.entered.len(),
                    g.left.len()
                )?;
            }
            for (name, why) in &since.not_measured {
                writeln!(w, "  {name}: not measured ({why})")?;
            }
            writeln!(w, "written to {}", out.display())?;
        }
    }
    w.flush()
}

//! `seglens segment`: prints the ids of the customers a segment rule selects, one per
//! line. The rule file is the JSON the app stores (schema in
//! docs/cli.md); relative dates count back from --as-of.

use std::io;
use std::io::Write;
use std::path::PathBuf;

use seglens_engine::analysis;
use seglens_engine::export::segment_sql::{Schema, orders_columns, segment_sql};
use seglens_engine::models::clv;
use seglens_engine::segments::{Facts, Rule, lifecycle};

use crate::args::{Sources, SqlDialect};
use crate::error::Error;
use crate::load::Reading;
use crate::output::print_lines;

/// The flags of `seglens segment`.
#[derive(clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    sources: Sources,
    /// The rule file (JSON).
    #[arg(long, value_name = "RULE.json", required_unless_present_any = ["definition", "saved"])]
    rule: Option<PathBuf>,
    /// Any saved segment's definition as the app stores it (JSON), e.g.
    /// `{"Lifecycle":"AtRisk"}` or `{"Group":{"split":{"Tier":"Value"},"group":"High value"}}`.
    #[arg(long, value_name = "JSON", conflicts_with = "rule")]
    definition: Option<String>,
    /// A segment saved in the `--workspace` project, by name.
    #[arg(long, value_name = "NAME", conflicts_with_all = ["rule", "definition"])]
    saved: Option<String>,
    /// Prints the number of customers only.
    #[arg(long)]
    count: bool,
    /// Prints the segment as a SQL query over your own tables instead
    /// of its members.
    #[arg(long, value_enum, value_name = "DIALECT")]
    sql: Option<SqlDialect>,
    /// A table's name in the query, as KIND=NAME (orders, customers,
    /// email, surveys, events, tickets); each defaults to its kind.
    #[arg(long = "table", value_name = "KIND=NAME")]
    tables: Vec<String>,
}

/// Runs the command.
pub(crate) fn run(args: Args, reading: &Reading) -> Result<(), Error> {
    let Args {
        sources,
        rule,
        definition,
        saved,
        count,
        sql: dialect,
        tables,
    } = args;
    use seglens_engine::segments::Definition;
    let (data, as_of, options, report) = sources.load_full(reading)?;
    let (definition, title) = match (rule, definition, saved) {
        (Some(path), _, _) => {
            let text =
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            Rule::from_json(&text).map_err(|e| format!("{}: {e}", path.display()))?;
            (Definition::Rule(text), path.display().to_string())
        }
        (_, Some(json), _) => (
            serde_json::from_str::<Definition>(&json).map_err(|e| format!("--definition: {e}"))?,
            "Segment".to_string(),
        ),
        (_, _, Some(name)) => {
            let found = options
                .as_ref()
                .and_then(|o| o.segments.iter().find(|s| s.name == name))
                .ok_or_else(|| {
                    format!("--saved {name:?}: no segment of that name in the project")
                })?;
            (found.definition.clone(), name)
        }
        _ => return Err("give --rule FILE, --definition JSON or --saved NAME".into()),
    };
    let mut facts = Facts::new(&data, as_of);
    if definition.needs_rfm() {
        let mut o = options.clone().unwrap_or_default();
        o.as_of = Some(as_of);
        facts = facts.with_rfm(&analysis::rfm_result(&data, &o)?.1);
    }
    if definition.needs_predictions()
        && let Ok(p) = clv::predict(&data.orders, &analysis::prediction_options(as_of))
    {
        facts = facts.with_predictions(&p.customers);
    }
    let lifecycle = options
        .and_then(|o| o.lifecycle)
        .unwrap_or_else(|| lifecycle::suggest(&data.orders, &facts).setup);
    if let Some(dialect) = dialect {
        let mut schema = Schema::of(&data, orders_columns(report.as_ref()));
        for t in &tables {
            let (kind, name) = t
                .split_once('=')
                .ok_or_else(|| format!("--table {t:?}: expected KIND=NAME"))?;
            if !schema
                .tables_mut()
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case(kind.trim()))
            {
                return Err(format!("--table {t:?}: no {kind} table is imported").into());
            }
            schema.rename_table(kind, name);
        }
        let query = segment_sql(
            &data,
            &facts,
            &schema,
            &definition,
            &lifecycle,
            dialect.into(),
            &title,
        )
        .map_err(|e| format!("{title}: {e}"))?;
        write!(io::stdout(), "{query}")?;
        return Ok(());
    }
    let set = seglens_engine::segments::groups::members(&data, &facts, &definition, &lifecycle)
        .map_err(|e| format!("{title}: {e}"))?;
    if count {
        return print_lines(std::iter::once(set.count().to_string()));
    }
    print_lines(set.iter().map(|c| data.orders.customer_keys[c].clone()))
}

//! `seglens funnel`: prints a funnel over the events: for each step, the customers who
//! reached it (steps in order, other events allowed in between, within
//! the window from the first step; each customer's deepest run counts),
//! `step,event,customers,share_of_first,median_minutes_from_previous`.

use std::path::PathBuf;

use seglens_engine::segments::{Facts, lifecycle};

use crate::args::{Format, Sources, parse_days};
use crate::error::Error;
use crate::load::{Reading, events_of, read_segments, rule_members};
use crate::output::{csv_field, print_lines};

/// The flags of `seglens funnel`.
#[derive(clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    sources: Sources,
    /// The steps, comma separated event names (default: the five most
    /// frequent events in their usual order). A step can be narrowed by
    /// another column of the events: `view_product[page=/c/books]`
    /// (equal, ignoring case) or `view_product[page~books]` (contains).
    #[arg(long, value_name = "EVENT,EVENT,...")]
    steps: Option<String>,
    /// The conversion window from the first step, in days (`7` or
    /// `7d`).
    #[arg(long = "window-days", alias = "window", default_value = "30", value_parser = parse_days)]
    window_days: u32,
    /// Strict order: each step right after the previous one, no other
    /// event in between.
    #[arg(long)]
    strict: bool,
    /// Only the customers this rule selects.
    #[arg(long, value_name = "RULE.json", conflicts_with = "segments")]
    rule: Option<PathBuf>,
    /// Side by side for these segments (the same file as `seglens kpis
    /// --segments`: `[{"name": ..., "rule": RULE}, ...]`, or saved
    /// segments' `{"name": ..., "definition": DEFINITION}`), then for
    /// all customers: one block of steps per group, with a `group`
    /// column first.
    #[arg(long, value_name = "SEGMENTS.json")]
    segments: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    format: Format,
}

/// Runs the command.
pub(crate) fn run(args: Args, reading: &Reading) -> Result<(), Error> {
    let Args {
        sources,
        steps,
        window_days,
        strict,
        rule,
        segments,
        format,
    } = args;
    use seglens_engine::journeys::{self, FunnelSetup};
    let (data, as_of, options, _) = sources.load_full(reading)?;
    let events = events_of(&data)?;
    let steps = match steps {
        Some(list) => list
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
        None => journeys::default_steps(events),
    };
    journeys::check_steps(events, &steps).map_err(|e| format!("--steps: {e}"))?;
    let n = data.orders.customer_keys.len();
    let setup = FunnelSetup {
        steps,
        window_days,
        strict,
    };
    // The groups side by side: each segment of --segments (its
    // own funnel, so overlapping segments each count their
    // members), or the rule's customers (everyone without a rule);
    // then all customers.
    let f = match &segments {
        Some(path) => {
            let list = read_segments(path)?;
            let facts = Facts::new(&data, as_of);
            let lifecycle = options
                .and_then(|o| o.lifecycle)
                .unwrap_or_else(|| lifecycle::suggest(&data.orders, &facts).setup);
            let sets = list
                .iter()
                .map(|seg| {
                    seglens_engine::segments::groups::members(
                        &data,
                        &facts,
                        &seg.definition,
                        &lifecycle,
                    )
                    .map(|set| (seg.name.clone(), set))
                    .map_err(|e| format!("{}: {}: {e}", path.display(), seg.name))
                })
                .collect::<Result<Vec<_>, String>>()?;
            journeys::funnel_of_sets(events, &setup, n, &sets)
        }
        None => {
            let set = rule_members(&data, as_of, rule.as_deref())?;
            let group_of: Vec<Option<usize>> = (0..n)
                .map(|c| set.as_ref().is_none_or(|s| s.contains(c)).then_some(0))
                .collect();
            journeys::funnel(events, &setup, &group_of, &["selected".to_string()])
        }
    };
    // Without --segments, group 0 alone: the rule's customers.
    let shown: Vec<usize> = if segments.is_some() {
        (0..f.groups.len()).collect()
    } else {
        vec![0]
    };
    let block = |g: usize| {
        let counts = &f.counts[g];
        let first = counts.first().map_or(0, |c| c.customers).max(1);
        counts
            .iter()
            .zip(&f.steps)
            .enumerate()
            .map(move |(k, (c, step))| {
                (
                    k,
                    step,
                    c.customers,
                    c.customers as f64 / first as f64,
                    c.median_seconds.map(|s| s / 60.0),
                )
            })
    };
    if matches!(format, Format::Json) {
        let steps_of = |g: usize| -> Vec<serde_json::Value> {
            block(g)
                .map(|(_, step, customers, share, minutes)| {
                    serde_json::json!({
                        "event": step,
                        "customers": customers,
                        "share_of_first": share,
                        "median_minutes_from_previous": minutes,
                    })
                })
                .collect()
        };
        let mut doc = serde_json::json!({
            "window_days": f.window_days,
            "strict": f.strict,
            "steps": steps_of(0),
            "conversion_ci95": f.conversion_ci[0],
        });
        if segments.is_some() {
            doc = serde_json::json!({
                "window_days": f.window_days,
                "strict": f.strict,
                "groups": shown.iter().map(|g| serde_json::json!({
                    "group": f.groups[*g],
                    "steps": steps_of(*g),
                    "conversion_ci95": f.conversion_ci[*g],
                })).collect::<Vec<_>>(),
            });
        }
        return print_lines(std::iter::once(doc.to_string()));
    }
    let header = "step,event,customers,share_of_first,median_minutes_from_previous";
    let mut lines = vec![if segments.is_some() {
        format!("group,{header}")
    } else {
        header.to_string()
    }];
    for g in shown {
        let prefix = if segments.is_some() {
            format!("{},", csv_field(&f.groups[g]))
        } else {
            String::new()
        };
        for (k, step, customers, share, minutes) in block(g) {
            lines.push(format!(
                "{prefix}{},{},{customers},{share:.4},{}",
                k + 1,
                csv_field(step),
                minutes.map(|m| format!("{m:.1}")).unwrap_or_default()
            ));
        }
    }
    print_lines(lines.into_iter())
}

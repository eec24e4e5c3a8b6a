//! `seglens paths`: prints the paths through sessions (by session id, or cut after 30
//! minutes without an event): step by step, the moves from one event
//! to the next, `step,from,to,sessions` ("(end)" when the session
//! stops, "(other)" for the less frequent events).

use std::path::PathBuf;

use crate::args::{Sources, parse_minutes};
use crate::error::Error;
use crate::load::{Reading, events_of, rule_members};
use crate::output::print_lines;

/// The flags of `seglens paths`.
#[derive(clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    sources: Sources,
    /// Start each path at the session's first occurrence of this event
    /// (default: at the session's first event).
    #[arg(long, value_name = "EVENT", conflicts_with = "to")]
    from: Option<String>,
    /// Instead, the steps leading to the session's first occurrence of
    /// this event ("(start)" where the session begins).
    #[arg(long, value_name = "EVENT")]
    to: Option<String>,
    /// Steps to follow.
    #[arg(long, default_value_t = 4)]
    depth: usize,
    /// Time without an event that ends a session when the file has no
    /// session ids (`30m`, `2h`; minutes when no unit is given).
    #[arg(long, default_value = "30m", value_parser = parse_minutes)]
    session_gap: u32,
    /// Events kept at each step, the others lumped as "(other)" (0:
    /// all).
    #[arg(long, default_value_t = 6)]
    top: usize,
    /// Only the customers this rule selects.
    #[arg(long, value_name = "RULE.json")]
    rule: Option<PathBuf>,
}

/// Runs the command.
pub(crate) fn run(args: Args, reading: &Reading) -> Result<(), Error> {
    let Args {
        sources,
        from,
        to,
        depth,
        session_gap,
        top,
        rule,
    } = args;
    let (data, as_of) = sources.load(reading)?;
    let events = events_of(&data)?;
    for (flag, name) in [("from", &from), ("to", &to)] {
        if let Some(f) = name.as_ref().filter(|f| !events.names.contains(f)) {
            return Err(format!(
                "--{flag}: no event is called {f:?} (there are: {})",
                events.names.join(", ")
            )
            .into());
        }
    }
    let set = rule_members(&data, as_of, rule.as_deref())?;
    let setup = seglens_engine::journeys::PathSetup {
        from,
        to,
        depth,
        top,
        session_gap_minutes: session_gap,
    };
    let p = seglens_engine::journeys::paths(events, as_of, set.as_ref(), &setup);
    let mut lines = vec!["step,from,to,sessions".to_string()];
    for (step, a, b, n) in &p.links {
        lines.push(format!(
            "{},{},{},{n}",
            step + 1,
            p.nodes[*step][*a].0,
            p.nodes[step + 1][*b].0
        ));
    }
    print_lines(lines.into_iter())
}

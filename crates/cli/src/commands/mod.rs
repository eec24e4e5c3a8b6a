//! One module per command: its flags (`Args`) and what it does (`run`).

pub(crate) mod activity;
pub(crate) mod campaign;
pub(crate) mod cluster;
pub(crate) mod clv;
pub(crate) mod cohorts;
pub(crate) mod cross_sell;
pub(crate) mod demo;
pub(crate) mod funnel;
pub(crate) mod history;
pub(crate) mod inspect;
pub(crate) mod kpis;
pub(crate) mod lifecycle;
pub(crate) mod migration;
pub(crate) mod paths;
pub(crate) mod project;
pub(crate) mod rfm;
pub(crate) mod segment;
pub(crate) mod separation;
pub(crate) mod sql;
pub(crate) mod update;

use crate::args::Command;
use crate::error::Error;
use crate::load::Reading;

/// Runs a command with the choices that hold for every file.
pub(crate) fn run(command: Command, reading: &Reading) -> Result<(), Error> {
    match command {
        Command::Inspect(args) => inspect::run(args, reading),
        Command::Rfm(args) => rfm::run(args, reading),
        Command::Separation(args) => separation::run(args, reading),
        Command::History(args) => history::run(args, reading),
        Command::Campaign(args) => campaign::run(args, reading),
        Command::Clv(args) => clv::run(args, reading),
        Command::Kpis(args) => kpis::run(args, reading),
        Command::Sql(args) => sql::run(args, reading),
        Command::Segment(args) => segment::run(args, reading),
        Command::Cluster(args) => cluster::run(args, reading),
        Command::Lifecycle(args) => lifecycle::run(args, reading),
        Command::CrossSell(args) => cross_sell::run(args, reading),
        Command::Cohorts(args) => cohorts::run(args, reading),
        Command::Activity(args) => activity::run(args, reading),
        Command::Funnel(args) => funnel::run(args, reading),
        Command::Paths(args) => paths::run(args, reading),
        Command::Migration(args) => migration::run(args, reading),
        Command::Project(args) => project::run(args, reading),
        Command::Update(args) => update::run(args, reading),
        Command::Demo(args) => demo::run(args, reading),
    }
}

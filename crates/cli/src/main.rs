//! `seglens`: the SegLens engine on the command line, for big files and
//! pipelines. It prints the same figures as the browser app.

mod args;
mod commands;
mod error;
mod load;
mod output;

use std::process::ExitCode;

use clap::Parser;

use crate::args::Cli;
use crate::load::Reading;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let reading = Reading::of(&cli);
    match commands::run(cli.command, &reading) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.is_closed_pipe() => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("seglens: {message}");
            ExitCode::FAILURE
        }
    }
}

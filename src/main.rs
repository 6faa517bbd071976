#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = podlint::cli::Cli::parse();
    ExitCode::from(podlint::run(cli))
}

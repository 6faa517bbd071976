//! `podlint explain <RULE-ID>`: a rule's documentation.

use std::io::IsTerminal;

use super::{unknown_rule, use_color, write_stdout, EXIT_CLEAN, EXIT_USAGE};
use crate::cli::ColorChoice;

pub fn run(id: &str) -> u8 {
    match crate::rules::find(id) {
        Some(rule) => {
            let color = use_color(ColorChoice::Auto, std::io::stdout().is_terminal());
            write_stdout(&crate::explain::render(rule, color));
            EXIT_CLEAN
        }
        None => {
            eprintln!("podlint: error: {}", unknown_rule(id));
            EXIT_USAGE
        }
    }
}

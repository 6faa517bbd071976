//! `podlint explain <RULE-ID>`: a rule's documentation.

use std::io::IsTerminal;

use super::{no_color_unset, say, unknown_rule, write_stdout, EXIT_USAGE};

pub fn run(id: &str) -> u8 {
    match crate::rules::find(id) {
        Some(rule) => {
            let color = std::io::stdout().is_terminal() && no_color_unset();
            write_stdout(&crate::explain::render(rule, color))
        }
        None => {
            say!("podlint: error: {}", unknown_rule(id));
            EXIT_USAGE
        }
    }
}

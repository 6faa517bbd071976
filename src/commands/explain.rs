//! `podlint explain <RULE-ID>`: a rule's documentation.

use std::io::IsTerminal;
use std::path::Path;

use super::{
    load_config, print_diagnostic, say, unknown_rule, use_color, write_stdout, EXIT_USAGE,
};
use crate::cli::ColorChoice;

/// A built-in rule's doc, or one of the config's custom checks.
pub fn run(id: &str, config: Option<&Path>) -> u8 {
    let config = match load_config(config) {
        Ok(config) => config,
        Err(error) => {
            print_diagnostic(&error);
            return EXIT_USAGE;
        }
    };
    let custom = config.checks.iter().copied().find(|rule| rule.id == id);
    let builtin = crate::rules::RULES
        .iter()
        .copied()
        .find(|rule| rule.id == id);
    match builtin.or(custom) {
        Some(rule) => {
            let color = use_color(ColorChoice::Auto, std::io::stdout().is_terminal());
            write_stdout(&crate::explain::render(rule, color))
        }
        None => {
            say!("podlint: error: {}", unknown_rule(id));
            EXIT_USAGE
        }
    }
}

//! `podlint rules`: every rule with its default severity, category and summary.

use std::path::Path;

use crate::cli::ListFormat;
use crate::rules::RULES;

use super::{load_config, print_diagnostic, write_stdout, EXIT_USAGE};

/// The built-in rules, then the config's custom checks.
pub fn run(format: ListFormat, config: Option<&Path>) -> u8 {
    let config = match load_config(config) {
        Ok(config) => config,
        Err(error) => {
            print_diagnostic(&error);
            return EXIT_USAGE;
        }
    };
    let rules: Vec<_> = RULES.iter().chain(&config.checks).copied().collect();
    let out = match format {
        ListFormat::Human => {
            let mut out = String::new();
            for rule in &rules {
                let meta = rule.meta();
                out.push_str(&format!(
                    "{:<28} {:<8} {:<12} {}\n",
                    rule.id,
                    meta.level.as_str(),
                    meta.category,
                    meta.summary
                ));
            }
            out
        }
        ListFormat::Json => {
            let rules: Vec<serde_json::Value> = rules
                .iter()
                .map(|rule| {
                    let meta = rule.meta();
                    serde_json::json!({
                        "id": rule.id,
                        "severity": meta.level.as_str(),
                        "category": meta.category,
                        "summary": meta.summary,
                    })
                })
                .collect();
            let document = serde_json::json!({"version": 1, "rules": rules});
            format!("{document:#}\n")
        }
    };
    write_stdout(&out)
}

//! `podlint rules`: every rule with its default severity, category and summary.

use crate::cli::ListFormat;
use crate::rules::RULES;

use super::write_stdout;

pub fn run(format: ListFormat) -> u8 {
    let out = match format {
        ListFormat::Human => {
            let mut out = String::new();
            for rule in RULES {
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
            let rules: Vec<serde_json::Value> = RULES
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

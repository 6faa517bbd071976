//! Helpers shared by the integration tests.

use std::path::Path;
use std::sync::Arc;

use podlint::engine::{lint, Settings};
use podlint::finding::{Finding, Severity};
use podlint::rules::{Level, Rule};

/// Lints `text` as `name` with only `rule` on (at its default severity, or
/// warning for rules that are off by default), and the custom checks of
/// `fixtures/<rule>/.podlint.yaml` when the rule is about custom checks.
pub fn lint_with(rule: &'static Rule, name: &str, text: &str) -> Vec<Finding> {
    let level = |rule: &Rule| match rule.meta().level {
        Level::On(severity) => severity,
        Level::Off => Severity::Warning,
    };
    let mut active = vec![(rule, level(rule))];
    let config = Path::new("fixtures").join(rule.id).join(".podlint.yaml");
    if config.is_file() {
        let config =
            podlint::config::load(&config).unwrap_or_else(|e| panic!("{}: {e}", config.display()));
        active.extend(config.checks.iter().map(|&check| (check, level(check))));
    }
    let settings = Settings {
        active,
        suppress: true,
    };
    let source = podlint::source::decode(text.as_bytes().to_vec());
    let name: Arc<str> = name.into();
    lint(&name, &source, &settings).findings
}

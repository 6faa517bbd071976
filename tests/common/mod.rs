//! Helpers shared by the integration tests.

use std::sync::Arc;

use podlint::engine::{lint, Settings};
use podlint::finding::{Finding, Severity};
use podlint::rules::{Level, Rule};

/// Lints `text` as `name` with only `rule` on (at its default severity, or
/// warning for rules that are off by default).
pub fn lint_with(rule: &'static Rule, name: &str, text: &str) -> Vec<Finding> {
    let severity = match rule.meta().level {
        Level::On(severity) => severity,
        Level::Off => Severity::Warning,
    };
    let settings = Settings {
        active: vec![(rule, severity)],
        suppress: true,
        context: Default::default(),
    };
    let source = podlint::source::decode(text.as_bytes().to_vec());
    let name: Arc<str> = name.into();
    lint(&name, &source, &settings).findings
}

//! Helpers shared by the integration tests.

use std::path::Path;
use std::sync::Arc;

use podlint::engine::Settings;
use podlint::finding::{Finding, Severity};
use podlint::relations::Collector;
use podlint::rules::{Level, Rule};

/// Lints `text` as `name` with only `rule` on (at its default severity, or
/// warning for rules that are off by default), and the custom checks of
/// `fixtures/<rule>/.podlint.yaml` when the rule is about custom checks.
#[allow(dead_code)] // every test crate includes this module; not all use each helper
pub fn lint_with(rule: &'static Rule, name: &str, text: &str) -> Vec<Finding> {
    lint_files_with(rule, &[(name.to_string(), text.to_string())])
}

/// Lints `files` (name and text) as one run with only `rule` on (and the
/// custom checks of the rule's fixture config): the per-file findings of
/// each file in order, then the run-level stage's.
pub fn lint_files_with(rule: &'static Rule, files: &[(String, String)]) -> Vec<Finding> {
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
        context: Default::default(),
    };
    // Files play the roles a run gives them (a Chainsaw test's assertion
    // files are not linted, a kustomize patch is read as a patch).
    let inputs: Vec<podlint::discover::Input> = files
        .iter()
        .map(|(name, _)| podlint::discover::Input::file(Path::new(name)))
        .collect();
    let roles = podlint::roles::FileRoles::classify(&inputs);
    let mut findings = Vec::new();
    let mut facts = Collector::default();
    for (order, (name, text)) in files.iter().enumerate() {
        let role = roles.of(Path::new(name));
        if role == podlint::roles::FileRole::TestAssertion {
            continue;
        }
        let source = podlint::source::decode(text.as_bytes().to_vec());
        let name: Arc<str> = name.as_str().into();
        let linted = podlint::engine::lint_as(&name, &source, &settings, role);
        findings.extend(linted.findings);
        facts.add(order, linted.facts);
    }
    for (_, related) in facts.run(&|order| files[order].0.as_str(), &|_| &settings) {
        findings.extend(related);
    }
    findings
}

//! Custom resources with Pods (`fixtures/custom-resources/`): each
//! file is linted with every rule at its default level, and its findings
//! must be exactly its `# expect: rule-a, rule-b` markers. A `*-clean.yaml`
//! file has none: a well-written manifest of that kind draws no finding.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use predicates::prelude::*;

use podlint::engine::{lint, Settings};
use podlint::model::{ConfiguredKind, Context};
use podlint::rules::{Level, RULES};

const FOLDER: &str = "fixtures/custom-resources";

fn default_settings(context: Context) -> Settings {
    Settings {
        active: RULES
            .iter()
            .filter_map(|&rule| match rule.level {
                Level::On(severity) => Some((rule, severity)),
                Level::Off => None,
            })
            .collect(),
        suppress: true,
        context,
    }
}

/// (line, rule) of every marker in `text`.
fn markers(text: &str) -> BTreeSet<(u32, String)> {
    let mut expected = BTreeSet::new();
    for (i, line) in text.lines().enumerate() {
        let Some((_, list)) = line.rsplit_once("# expect:") else {
            continue;
        };
        for rule in list.split(',') {
            expected.insert((i as u32 + 1, rule.trim().to_string()));
        }
    }
    expected
}

/// Mismatches between a file's findings and its markers.
fn mismatches(path: &Path, settings: &Settings) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let name: Arc<str> = path.display().to_string().into();
    let source = podlint::source::decode(text.clone().into_bytes());
    let findings = lint(&name, &source, settings).findings;
    let found: BTreeSet<(u32, String)> = findings
        .iter()
        .map(|f| (f.start.line, f.rule.to_string()))
        .collect();
    let expected = markers(&text);
    let mut out = Vec::new();
    for (line, rule) in expected.difference(&found) {
        out.push(format!("{name}:{line}: expected {rule}, got nothing"));
    }
    for f in &findings {
        if !expected.contains(&(f.start.line, f.rule.to_string())) {
            out.push(format!(
                "{name}:{}:{}: unexpected {}: {}",
                f.start.line, f.start.column, f.rule, f.message
            ));
        }
    }
    out
}

#[test]
fn every_custom_resource_fixture_matches_its_markers() {
    let settings = default_settings(Context::default());
    let mut paths: Vec<_> = std::fs::read_dir(FOLDER)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    paths.sort();
    let failing = paths
        .iter()
        .filter(|p| !p.to_string_lossy().ends_with("-clean.yaml"))
        .count();
    let failures: Vec<String> = paths
        .iter()
        .flat_map(|p| mismatches(p, &settings))
        .collect();
    assert!(failures.is_empty(), "mismatches:\n{}", failures.join("\n"));
    assert!(failing >= 24, "{failing} failing fixtures");
    assert_eq!(
        paths.len(),
        2 * failing,
        "a clean fixture for each failing one"
    );
}

fn podlint() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("podlint").expect("the podlint binary is built");
    cmd.env("NO_COLOR", "1");
    cmd
}

const CONFIGURED: &str = "fixtures/custom-resources/configured";

#[test]
fn a_configured_kind_is_linted_where_its_paths_say() {
    // spec.template is a Pod template, spec.helpers a container list, and
    // spec.notThere.template is nothing; a BatchRun runs to completion.
    podlint()
        .current_dir(CONFIGURED)
        .args(["--format", "compact", "worker.yaml"])
        .assert()
        .code(1)
        .stdout(concat!(
            "worker.yaml:20:5: warning[image-latest-tag] image `statsd/statsd:latest` uses the `latest` tag\n",
            "worker.yaml:37:9: warning[job-sidecar-never-exits] container `reindex` runs `tail -f` and never exits: the BatchRun never completes\n",
        ));
}

#[test]
fn without_its_config_a_custom_kind_is_silent() {
    podlint()
        .args(["--format", "compact", "--config"])
        .arg("fixtures/examples/config/override/.podlint.yaml")
        .arg(format!("{CONFIGURED}/worker.yaml"))
        .assert()
        .code(0)
        .stdout("");
}

#[test]
fn a_malformed_pod_templates_entry_is_a_config_error_at_its_line() {
    let cases = [
        (
            "pod-templates",
            "pod-templates.yaml:4:5]",
            "did you mean `paths`?",
        ),
        (
            "pod-templates-path",
            "pod-templates-path.yaml:4:13]",
            "a path is keys joined by",
        ),
    ];
    for (name, position, message) in cases {
        podlint()
            .args(["check", CONFIGURED, "--config"])
            .arg(format!(
                "fixtures/custom-resources/config-errors/{name}.yaml"
            ))
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicates::str::contains(position).and(predicates::str::contains(message)));
    }
}

/// The same configured kind, typed through the library: a path that holds
/// a single container is linted as one.
#[test]
fn a_configured_path_may_hold_one_container() {
    let context = Context {
        pod_templates: vec![ConfiguredKind {
            api_version: "platform.acme.io/v1".into(),
            kind: "Gateway".into(),
            paths: vec!["spec.proxy".into()],
            runs_to_completion: false,
        }],
        ..Context::default()
    };
    let text = "apiVersion: platform.acme.io/v1\nkind: Gateway\nmetadata: {name: edge}\nspec:\n  proxy:\n    name: envoy\n    image: envoyproxy/envoy:v1.32.1\n    securityContext: {privileged: true}\n";
    let settings = Settings {
        active: vec![(
            podlint::rules::find("privileged-container").expect("a rule"),
            podlint::finding::Severity::Error,
        )],
        suppress: true,
        context,
    };
    let source = podlint::source::decode(text.as_bytes().to_vec());
    let findings = lint(&"gateway.yaml".into(), &source, &settings).findings;
    let found: Vec<(u32, u32, &str)> = findings
        .iter()
        .map(|f| (f.start.line, f.start.column, f.rule))
        .collect();
    assert_eq!(found, [(8, 23, "privileged-container")]);
}

/// The README's table of custom resources names every built-in kind.
#[test]
fn the_readme_documents_every_built_in_kind() {
    let readme = std::fs::read_to_string("README.md").unwrap_or_default();
    let section = readme
        .split("## Custom resources")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .unwrap_or_default();
    for known in podlint::model::custom::BUILT_IN {
        let row = section.lines().find(|line| {
            line.starts_with(&format!("| `{}` |", known.group))
                && line.contains(&format!("`{}`", known.kind))
        });
        assert!(row.is_some(), "README lacks {} {}", known.group, known.kind);
    }
}

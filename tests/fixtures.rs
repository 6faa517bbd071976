//! Runs every `fixtures/<rule-id>/*.yaml` with that rule alone and compares
//! its findings with the `# expect: <rule-id>` markers: a marked line without
//! a finding and a finding on an unmarked line both fail.
//!
//! A folder `fixtures/<rule-id>/<case>/` is one run of all its files: the
//! cross-file cases of relation rules. For relation rules, a comment
//! `# label: <rule-id>` marks each line that a finding's second label must
//! point at, so that both ends of a relation are asserted.

mod bin;
mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use podlint::rules::{self, Check, Rule, RULES};

/// Whether one of the line's comments is `marker` (`expect: rule-id`).
fn marked(line: &str, marker: &str) -> bool {
    format!(" {line}")
        .split(" #")
        .skip(1)
        .any(|comment| comment.trim() == marker)
}

/// The (file, line) pairs marked with `marker` in `files`.
fn markers(files: &[(String, String)], marker: &str) -> BTreeSet<(String, u32)> {
    files
        .iter()
        .flat_map(|(name, text)| {
            text.lines()
                .enumerate()
                .filter(|(_, line)| marked(line, marker))
                .map(|(i, _)| (name.clone(), i as u32 + 1))
        })
        .collect()
}

/// Lints `files` as one run and compares with their markers.
fn check_run(rule: &'static Rule, files: &[(String, String)], failures: &mut Vec<String>) {
    let findings = common::lint_files_with(rule, files);
    let expected = markers(files, &format!("expect: {}", rule.id));
    let found: BTreeSet<(String, u32)> = findings
        .iter()
        .map(|f| (f.file.to_string(), f.start.line))
        .collect();
    for (name, line) in expected.difference(&found) {
        failures.push(format!(
            "{name}:{line}: expected {} here, got nothing",
            rule.id
        ));
    }
    for f in findings
        .iter()
        .filter(|f| !expected.contains(&(f.file.to_string(), f.start.line)))
    {
        failures.push(format!(
            "{}:{}:{}: unexpected {}: {}",
            f.file, f.start.line, f.start.column, f.rule, f.message
        ));
    }
    if !matches!(rule.check, Check::Relation(_)) {
        return;
    }
    let expected_labels = markers(files, &format!("label: {}", rule.id));
    let labels: BTreeSet<(String, u32)> = findings
        .iter()
        .flat_map(|f| {
            f.labels.iter().map(|l| {
                let file = l.file.as_deref().unwrap_or(&f.file);
                (file.to_string(), l.start.line)
            })
        })
        .collect();
    for (name, line) in expected_labels.symmetric_difference(&labels) {
        let what = if labels.contains(&(name.clone(), *line)) {
            "unexpected label"
        } else {
            "expected a label here, got none"
        };
        failures.push(format!("{name}:{line}: {what} of {}", rule.id));
    }
}

fn read(path: &Path) -> (String, String) {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    (path.display().to_string(), text)
}

/// A folder's entries in name order, without hidden ones: a folder's
/// `.podlint.yaml` is the config its fixtures run with.
fn sorted_entries(folder: &Path) -> Vec<PathBuf> {
    let hidden = |p: &Path| {
        p.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
    };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(folder)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| !hidden(p))
        .collect();
    paths.sort();
    paths
}

/// The files of a folder and of its subfolders, in name order.
fn files_below(folder: &Path) -> Vec<PathBuf> {
    sorted_entries(folder)
        .into_iter()
        .flat_map(|path| {
            if path.is_dir() {
                files_below(&path)
            } else {
                vec![path]
            }
        })
        .collect()
}

#[test]
fn every_fixture_matches_its_expect_markers() {
    let mut failures = Vec::new();
    let mut runs = 0;
    for rule in RULES {
        let folder = Path::new("fixtures").join(rule.id);
        if !folder.is_dir() {
            failures.push(format!("{}: no fixtures folder", rule.id));
            continue;
        }
        for path in sorted_entries(&folder) {
            let files: Vec<(String, String)> = if path.is_dir() {
                files_below(&path).iter().map(|p| read(p)).collect()
            } else {
                vec![read(&path)]
            };
            runs += 1;
            check_run(rule, &files, &mut failures);
        }
    }
    assert!(runs > 0, "no fixture files found");
    assert!(
        failures.is_empty(),
        "fixture mismatches:\n{}",
        failures.join("\n")
    );
}

#[test]
fn every_fixture_folder_names_a_rule() {
    for entry in std::fs::read_dir("fixtures")
        .into_iter()
        .flatten()
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        // examples/: whole-run examples; custom-resources/: every rule at once
        // on each custom resource kind (tests/custom_resources.rs); charts/:
        // fixture charts, which tests/helm.rs renders; kustomize/: fixture
        // kustomizations, which tests/kustomize.rs builds; fix/: each fixable
        // rule's file before and after --fix (tests/fix.rs); cluster-versions/:
        // tests/api_versions.rs; crds/ and crd-scoping/: tests/crds.rs.
        let whole_runs = [
            "examples",
            "custom-resources",
            "charts",
            "kustomize",
            "fix",
            "cluster-versions",
            "crds",
            "crd-scoping",
        ];
        if entry.path().is_dir() && !whole_runs.contains(&name.as_str()) {
            assert!(
                rules::find(&name).is_some(),
                "fixtures/{name} names no rule"
            );
        }
    }
}

/// Each folder under `fixtures/<rule-id>/` is also linted whole by the
/// binary, subfolders included, as a user runs it on a repository: layouts
/// where the files around a file say what it is (an overlay's kustomization
/// that lists a patch, a Chainsaw test that names its assertions). That
/// rule's findings must match the `# expect:` markers of all its files.
#[test]
fn every_fixture_folder_matches_its_expect_markers() {
    let mut failures = Vec::new();
    let mut folders = 0;
    for rule in RULES {
        let Ok(entries) = std::fs::read_dir(Path::new("fixtures").join(rule.id)) else {
            continue;
        };
        let mut dirs: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        dirs.retain(|p| p.is_dir());
        dirs.sort();
        for dir in dirs {
            folders += 1;
            let marker = format!("# expect: {}", rule.id);
            let mut expected = BTreeSet::new();
            for file in walkdir::WalkDir::new(&dir).into_iter().flatten() {
                let text = std::fs::read_to_string(file.path()).unwrap_or_default();
                for (i, line) in text.lines().enumerate() {
                    if line.trim_end().ends_with(&marker) {
                        expected.insert((file.path().display().to_string(), i as u64 + 1));
                    }
                }
            }
            let output = assert_cmd::Command::cargo_bin("podlint")
                .expect("the podlint binary")
                .env("PATH", bin::path_with_tools())
                .args(["check", "--format", "json", "--fail-level", "never"])
                .arg(&dir)
                .output()
                .expect("podlint runs");
            let report: serde_json::Value =
                serde_json::from_slice(&output.stdout).expect("JSON output");
            let found: BTreeSet<(String, u64)> = report["findings"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|f| f["rule"] == rule.id)
                .map(|f| {
                    let file = f["file"].as_str().unwrap_or_default().to_string();
                    (file, f["line"].as_u64().unwrap_or_default())
                })
                .collect();
            for (file, line) in expected.difference(&found) {
                failures.push(format!(
                    "{file}:{line}: expected {} here, got nothing",
                    rule.id
                ));
            }
            for (file, line) in found.difference(&expected) {
                failures.push(format!("{file}:{line}: unexpected {}", rule.id));
            }
        }
    }
    assert!(folders > 0, "no fixture folders found");
    assert!(
        failures.is_empty(),
        "fixture folder mismatches:\n{}",
        failures.join("\n")
    );
}

//! Runs every `fixtures/<rule-id>/*.yaml` with that rule alone and compares
//! its findings with the `# expect: <rule-id>` markers: a marked line without
//! a finding and a finding on an unmarked line both fail.

mod bin;
mod common;

use std::collections::BTreeSet;
use std::path::Path;

use podlint::rules::{self, RULES};

#[test]
fn every_fixture_matches_its_expect_markers() {
    let mut failures = Vec::new();
    let mut files = 0;
    for rule in RULES {
        let folder = Path::new("fixtures").join(rule.id);
        let Ok(entries) = std::fs::read_dir(&folder) else {
            failures.push(format!("{}: no fixtures folder", rule.id));
            continue;
        };
        let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        // A folder's `.podlint.yaml` is the config its fixtures run with.
        let hidden = |p: &Path| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        };
        for path in paths.iter().filter(|p| p.is_file() && !hidden(p)) {
            files += 1;
            let text = std::fs::read_to_string(path).unwrap_or_default();
            let marker = format!("# expect: {}", rule.id);
            let expected: BTreeSet<u32> = text
                .lines()
                .enumerate()
                .filter(|(_, line)| line.trim_end().ends_with(&marker))
                .map(|(i, _)| i as u32 + 1)
                .collect();
            let name = path.display().to_string();
            let findings = common::lint_with(rule, &name, &text);
            let found: BTreeSet<u32> = findings.iter().map(|f| f.start.line).collect();
            for line in expected.difference(&found) {
                failures.push(format!(
                    "{name}:{line}: expected {} here, got nothing",
                    rule.id
                ));
            }
            for f in findings
                .iter()
                .filter(|f| !expected.contains(&f.start.line))
            {
                failures.push(format!(
                    "{name}:{}:{}: unexpected {}: {}",
                    f.start.line, f.start.column, f.rule, f.message
                ));
            }
        }
    }
    assert!(files > 0, "no fixture files found");
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
        // `charts`: fixture charts, which tests/helm.rs renders.
        if entry.path().is_dir() && name != "examples" && name != "charts" {
            assert!(
                rules::find(&name).is_some(),
                "fixtures/{name} names no rule"
            );
        }
    }
}

/// Each folder under `fixtures/<rule-id>/` is linted whole by the binary,
/// so that the files around a file count (a kustomization that lists it as a
/// patch, a Chainsaw test that names it as an assertion): that rule's
/// findings must match the `# expect:` markers of all the folder's files.
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

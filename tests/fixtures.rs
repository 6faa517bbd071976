//! Runs every `fixtures/<rule-id>/*.yaml` with that rule alone and compares
//! its findings with the `# expect: <rule-id>` markers: a marked line without
//! a finding and a finding on an unmarked line both fail.

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
        if entry.path().is_dir() && name != "examples" {
            assert!(
                rules::find(&name).is_some(),
                "fixtures/{name} names no rule"
            );
        }
    }
}

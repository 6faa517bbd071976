//! Custom checks in CEL (`checks:` of `.podlint.yaml`), end to end through
//! the binary: findings at the marked lines, compile errors at their place
//! in the config, evaluation errors as findings, and the checks in `rules`,
//! `explain`, SARIF, suppressions and `--disable` like built-in rules.

use std::collections::BTreeSet;
use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

const FOLDER: &str = "docs/examples/custom-checks";
const CONFIG: &str = "docs/examples/custom-checks/.podlint.yaml";

fn podlint() -> Command {
    let mut cmd = Command::cargo_bin("podlint").expect("the podlint binary is built");
    cmd.env("NO_COLOR", "1")
        .env_remove("PODLINT_FORMAT")
        .env_remove("GITHUB_ACTIONS");
    cmd
}

fn json(cmd: &mut Command) -> serde_json::Value {
    let output = cmd.output().expect("podlint runs");
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// The ids of the checks a config defines.
fn check_ids(config: &str) -> BTreeSet<String> {
    config
        .lines()
        .filter_map(|line| line.trim().strip_prefix("- id: "))
        .map(str::to_string)
        .collect()
}

/// `(file, line, rule)` of every `# expect: <rule>` marker of the folder's manifests.
fn markers(folder: &str) -> BTreeSet<(String, u64, String)> {
    let mut expected = BTreeSet::new();
    for entry in std::fs::read_dir(folder)
        .expect("the folder exists")
        .flatten()
    {
        let path = entry.path();
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if name.starts_with('.') || path.extension().is_none_or(|e| e != "yaml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("fixture is text");
        for (i, line) in text.lines().enumerate() {
            if let Some((_, rule)) = line.split_once("# expect: ") {
                expected.insert((
                    path.display().to_string(),
                    i as u64 + 1,
                    rule.trim().to_string(),
                ));
            }
        }
    }
    expected
}

/// `(file, line, rule)` of the findings whose rule is in `ids`.
fn found(report: &serde_json::Value, ids: &BTreeSet<String>) -> BTreeSet<(String, u64, String)> {
    report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| ids.contains(f["rule"].as_str().unwrap_or_default()))
        .map(|f| {
            (
                f["file"].as_str().unwrap_or_default().to_string(),
                f["line"].as_u64().unwrap_or_default(),
                f["rule"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn ten_checks_report_exactly_at_the_marked_lines() {
    let config = std::fs::read_to_string(CONFIG).expect("config");
    let ids = check_ids(&config);
    assert_eq!(ids.len(), 10, "{ids:?}");
    let report = json(podlint().args(["check", "--format", "json", "--config", CONFIG, FOLDER]));
    let expected = markers(FOLDER);
    assert_eq!(found(&report, &ids), expected);
    // Every check is shown failing at least once.
    let fired: BTreeSet<&str> = expected.iter().map(|(_, _, rule)| rule.as_str()).collect();
    assert_eq!(fired.len(), ids.len(), "checks never shown failing");
}

#[test]
fn findings_carry_the_checks_message_severity_and_help() {
    let report = json(podlint().args([
        "check",
        "--format",
        "json",
        "--config",
        CONFIG,
        &format!("{FOLDER}/web.yaml"),
    ]));
    let image = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["rule"] == "image-from-internal-registry")
        .expect("the registry check fires");
    assert_eq!(image["severity"], "error");
    assert_eq!(
        image["message"],
        "image `nginx:1.27` does not come from registry.corp.example"
    );
    assert_eq!(
        image["help"],
        "push the image to registry.corp.example first"
    );
    assert_eq!(image["container"], "web");
    assert_eq!(
        (image["line"].as_u64(), image["column"].as_u64()),
        (Some(26), Some(9))
    );
    assert_eq!(
        (image["end_line"].as_u64(), image["end_column"].as_u64()),
        (Some(26), Some(26))
    );
}

/// Writes `config` and `manifest` to a temporary folder.
fn project(config: &str, manifest: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join(".podlint.yaml"), config).expect("write config");
    std::fs::write(dir.path().join("app.yaml"), manifest).expect("write manifest");
    dir
}

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
";

#[test]
fn a_check_that_does_not_compile_is_a_config_error_at_its_place() {
    let config = "checks:
  - id: broken
    summary: Broken
    expression: container.image.startsWith('a'))
";
    let dir = project(config, DEPLOYMENT);
    podlint()
        .current_dir(dir.path())
        .args(["check", "app.yaml"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains(".podlint.yaml:4:48]")
                .and(predicate::str::contains("the expression does not compile"))
                .and(predicate::str::contains(
                    "at line 1 column 32 of the expression",
                )),
        );
}

#[test]
fn a_compile_error_in_a_block_expression_points_into_the_block() {
    let config = "checks:
  - id: broken
    summary: Broken
    expression: >-
      has(object.metadata.labels) &&
      object.metadata.labels.team == = 'x'
";
    let dir = project(config, DEPLOYMENT);
    podlint()
        .current_dir(dir.path())
        .args(["check", "app.yaml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(".podlint.yaml:6:38]"));
}

#[test]
fn config_mistakes_in_checks_are_named_at_their_line() {
    let cases = [
        (
            "checks:\n  - id: memory-limit-missing\n    summary: x\n    expression: 'true'\n",
            ":2:9]",
            "is a built-in rule id",
        ),
        (
            "checks:\n  - id: Bad_Id\n    summary: x\n    expression: 'true'\n",
            ":2:9]",
            "must be kebab-case",
        ),
        (
            "checks:\n  - id: a\n    summary: x\n    expresion: 'true'\n",
            ":4:5]",
            "did you mean `expression`?",
        ),
        (
            "checks:\n  - id: a\n    summary: x\n    expression: url('x') != null\n",
            ":4:17]",
            "`url()` is not supported",
        ),
        (
            "checks:\n  - id: a\n    summary: x\n    expression: 'true'\n    match: {on: node}\n",
            ":5:17]",
            "`on` must be object, pod or container",
        ),
    ];
    for (config, position, message) in cases {
        let dir = project(config, DEPLOYMENT);
        podlint()
            .current_dir(dir.path())
            .args(["check", "app.yaml"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(position).and(predicate::str::contains(message)));
    }
}

#[test]
fn an_expression_that_fails_on_an_object_is_a_custom_check_error_finding() {
    let config = "checks:
  - id: no-host-port
    summary: No host ports
    match: {on: container}
    expression: container.ports.all(p, !has(p.hostPort))
";
    let dir = project(config, DEPLOYMENT);
    let assert = podlint()
        .current_dir(dir.path())
        .args(["check", "--format", "compact", "app.yaml"])
        .assert()
        .code(1);
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    assert!(
        stdout.contains(
            "app.yaml:13:9: error[custom-check-error] custom check `no-host-port` could not be evaluated: No such key: ports"
        ),
        "{stdout}"
    );
    assert!(!stdout.contains("[no-host-port]"), "{stdout}");
}

#[test]
fn custom_checks_are_listed_explained_and_in_sarif() {
    podlint()
        .args(["rules", "--config", CONFIG])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "image-from-internal-registry error    custom       Images come from registry.corp.example",
        ));
    podlint()
        .args(["explain", "memory-limit-ceiling", "--config", CONFIG])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("memory-limit-ceiling  error  custom").and(
                predicate::str::contains("quantity(container.resources.limits.memory)"),
            ),
        );
    let sarif = json(podlint().args([
        "check",
        "--format",
        "sarif",
        "--config",
        CONFIG,
        &format!("{FOLDER}/worker.yaml"),
    ]));
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    let index = rules
        .iter()
        .position(|r| r["id"] == "team-label-required")
        .expect("the custom check is in the driver's rules");
    assert_eq!(rules[index]["properties"]["tags"][0], "custom");
    let result = run["results"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["ruleId"] == "team-label-required")
        .expect("a result of the check");
    assert_eq!(result["ruleIndex"].as_u64(), Some(index as u64));
    let registry = rules
        .iter()
        .find(|r| r["id"] == "image-from-internal-registry")
        .expect("registry check");
    assert_eq!(
        registry["helpUri"],
        "https://wiki.corp.example/platform/registry"
    );
}

#[test]
fn custom_checks_are_suppressed_disabled_and_leveled_like_built_in_rules() {
    let config = "rules:
  team-label: error
checks:
  - id: team-label
    summary: Workloads carry a team label
    expression: has(object.metadata.labels) && 'team' in object.metadata.labels
    path: metadata
";
    let suppressed = DEPLOYMENT.replace(
        "metadata:\n  name: web",
        "metadata: # podlint-ignore: team-label\n  name: web",
    );
    let dir = project(config, &suppressed);
    std::fs::write(dir.path().join("other.yaml"), DEPLOYMENT).expect("write");
    let run = |args: &[&str]| {
        let output = podlint()
            .current_dir(dir.path())
            .args(["check", "--format", "compact", "--fail-level", "never"])
            .args(args)
            .output()
            .expect("runs");
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter(|line| line.contains("team-label"))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        run(&["app.yaml", "other.yaml"]),
        ["other.yaml:3:1: error[team-label] Workloads carry a team label"]
    );
    assert!(run(&["--disable", "team-label", "other.yaml"]).is_empty());
    assert!(run(&["--no-ignore", "app.yaml"]).len() == 1);
}

#[test]
fn the_fixture_config_lints_the_corpus_style_folder_without_errors() {
    // Every check evaluates on every object of the folder: none errors.
    let report = json(podlint().args(["check", "--format", "json", "--config", CONFIG, FOLDER]));
    let errors = found(&report, &BTreeSet::from(["custom-check-error".to_string()]));
    assert!(errors.is_empty(), "{errors:?}");
    assert!(Path::new(CONFIG).is_file());
}

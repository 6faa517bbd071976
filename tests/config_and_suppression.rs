//! The binary's contract for configuration, suppression, `rules` and `explain`.

use assert_cmd::Command;
use predicates::prelude::*;

fn podlint() -> Command {
    let mut cmd = Command::cargo_bin("podlint").expect("the podlint binary is built");
    cmd.env("NO_COLOR", "1");
    cmd
}

const OVERRIDE: &str = "fixtures/examples/config/override";

#[test]
fn config_errors_exit_2_and_point_at_the_line() {
    let cases = [
        (
            "unknown-key",
            "unknown-key.yaml:3:1]",
            "unknown key `fail_level`",
        ),
        (
            "unknown-rule",
            "unknown-rule.yaml:3:3]",
            "did you mean `privileged-container`?",
        ),
        (
            "bad-severity",
            "bad-severity.yaml:3:21]",
            "bad severity for `host-path-volume`",
        ),
    ];
    for (name, position, message) in cases {
        podlint()
            .args(["check", OVERRIDE, "--config"])
            .arg(format!("fixtures/examples/config/errors/{name}.yaml"))
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains(position).and(predicate::str::contains(message)));
    }
}

#[test]
fn a_missing_config_file_is_exit_2() {
    podlint()
        .args(["check", OVERRIDE, "--config", "no/such/.podlint.yaml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read config file"));
}

#[test]
fn the_nearest_config_applies_severities_excludes_and_fail_level() {
    // cpu-limit-missing raised to error, run-as-root off, skipped/ excluded.
    podlint()
        .current_dir(OVERRIDE)
        .args(["--format", "compact"])
        .assert()
        .code(1)
        .stdout(
            predicate::str::contains("error[cpu-limit-missing]")
                .and(predicate::str::contains("run-as-root").not())
                .and(predicate::str::contains("skipped/").not()),
        );
}

#[test]
fn command_line_flags_win_over_the_config() {
    // The config's fail-level is error and its only error is disabled here:
    // without --fail-level the run passes; with it, the warnings fail it.
    podlint()
        .current_dir(OVERRIDE)
        .args(["--format", "compact", "--disable", "cpu-limit-missing"])
        .assert()
        .code(0);
    podlint()
        .current_dir(OVERRIDE)
        .args(["--format", "compact", "--fail-level", "warning"])
        .args(["--disable", "cpu-limit-missing", "--enable", "run-as-root"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("warning[run-as-root]"));
}

#[test]
fn suppressions_silence_and_no_ignore_shows_them() {
    let silenced = [
        "host-namespace",
        "host-path-volume",
        "privileged-container",
        "secret-in-env",
    ];
    let file = "fixtures/examples/suppression/forms.yaml";
    let output = podlint()
        .args(["check", file, "--format", "compact"])
        .output()
        .expect("podlint runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    for rule in silenced {
        assert!(
            !stdout.contains(&format!("[{rule}]")),
            "{rule} not silenced:\n{stdout}"
        );
    }
    let output = podlint()
        .args(["check", file, "--format", "compact", "--no-ignore"])
        .output()
        .expect("podlint runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    for rule in silenced {
        assert!(
            stdout.contains(&format!("[{rule}]")),
            "{rule} missing with --no-ignore:\n{stdout}"
        );
    }
}

#[test]
fn rules_lists_every_rule_as_json() {
    let output = podlint()
        .args(["rules", "--format", "json"])
        .output()
        .expect("podlint runs");
    assert!(output.status.success());
    let json: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("rules --format json is JSON");
    let rules = json["rules"].as_array().expect("a rules array");
    assert_eq!(rules.len(), podlint::rules::RULES.len());
    let cpu = rules
        .iter()
        .find(|r| r["id"] == "cpu-limit-missing")
        .expect("cpu-limit-missing is listed");
    assert_eq!(cpu["severity"], "off");
    assert_eq!(cpu["category"], "resources");
}

#[test]
fn explain_prints_the_doc_and_suggests_the_nearest_id() {
    podlint()
        .args(["explain", "run-as-root"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("WHY IT MATTERS")
                .and(predicate::str::contains("    kind: Deployment"))
                .and(predicate::str::contains("```").not()),
        );
    podlint()
        .args(["explain", "privileged-containers"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "did you mean `privileged-container`?",
        ));
}

/// The config examples of the README and docs/configuration.md are valid
/// configs, with every key the file takes.
#[test]
fn documented_configs_are_valid() {
    for doc in ["README.md", "docs/configuration.md"] {
        let text = std::fs::read_to_string(doc).expect("read the doc");
        let example = text
            .split("```yaml\n")
            .map(|block| block.split("```").next().unwrap_or_default())
            .find(|block| block.starts_with("rules:"))
            .unwrap_or_else(|| panic!("{doc} has no config example"));
        for key in ["rules:", "exclude:", "fail-level:", "max-file-size:"] {
            assert!(example.contains(key), "{doc}'s example lacks {key}");
        }
        let config = podlint::config::parse(doc, example.to_string())
            .unwrap_or_else(|e| panic!("{doc}'s example: {e}"));
        assert_eq!(
            config.max_file_size,
            Some(podlint::size::ByteSize(64 * 1024 * 1024))
        );
    }
}

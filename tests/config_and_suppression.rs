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

/// The findings of a compact run, with `prefix` taken off the paths.
fn findings_in(dir: &str, args: &[&str], prefix: &str) -> (Option<i32>, String) {
    let output = podlint()
        .current_dir(dir)
        .args(["check", "--format", "compact"])
        .args(args)
        .output()
        .expect("podlint runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = stdout
        .lines()
        .map(|line| line.strip_prefix(prefix).unwrap_or(line))
        .collect();
    (output.status.code(), lines.join("\n"))
}

#[test]
fn a_folders_config_applies_wherever_podlint_runs() {
    let from_root = findings_in(".", &[OVERRIDE], &format!("{OVERRIDE}/"));
    let from_inside = findings_in(OVERRIDE, &["."], "");
    assert_eq!(from_root, from_inside);
    let (code, findings) = from_root;
    // fail-level: error, and cpu-limit-missing raised to error.
    assert_eq!(code, Some(1));
    assert!(
        findings.contains("deploy.yaml:16:11: error[cpu-limit-missing]"),
        "{findings}"
    );
    assert!(!findings.contains("run-as-root"), "{findings}");
    assert!(!findings.contains("skipped/"), "{findings}");
}

const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: nginx:1.27\n";

/// A repository: `.git`, a root config that turns bare-pod into an error,
/// and a team folder whose own config turns it off and excludes `gen/`.
fn repository() -> tempfile::TempDir {
    let repo = tempfile::tempdir().expect("temp dir");
    let root = repo.path();
    for dir in [".git", "team/gen", "other"] {
        std::fs::create_dir_all(root.join(dir)).expect("mkdir");
    }
    let files = [
        (
            ".podlint.yaml",
            "rules:\n  bare-pod: error\nfail-level: error\n",
        ),
        (
            "team/.podlint.yaml",
            "rules:\n  bare-pod: off\nexclude: [\"gen/**\"]\nfail-level: never\n",
        ),
        ("team/pod.yaml", POD),
        ("team/gen/pod.yaml", POD),
        ("other/pod.yaml", POD),
    ];
    for (path, text) in files {
        std::fs::write(root.join(path), text).expect("write");
    }
    repo
}

fn bare_pods(dir: &std::path::Path, args: &[&str]) -> (Option<i32>, Vec<String>) {
    let output = podlint()
        .current_dir(dir)
        .args(["check", "--format", "compact"])
        .args(args)
        .output()
        .expect("podlint runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lines = stdout
        .lines()
        .filter(|line| line.contains("[bare-pod]"))
        .map(|line| line.split(" Pod ").next().unwrap_or(line).to_string())
        .collect();
    (output.status.code(), lines)
}

#[test]
fn each_file_gets_the_nearest_config_and_its_fail_level() {
    let repo = repository();
    // other/ has the root's config; team/ its own, whole (bare-pod off,
    // gen/ excluded, and its findings never fail the run).
    assert_eq!(
        bare_pods(repo.path(), &["."]),
        (
            Some(1),
            vec!["other/pod.yaml:2:1: error[bare-pod]".to_string()]
        )
    );
    assert_eq!(
        bare_pods(&repo.path().join("team"), &["."]),
        (Some(0), vec![])
    );
    // Named one by one (as pre-commit does), from the root: the same.
    assert_eq!(
        bare_pods(repo.path(), &["team/pod.yaml", "other/pod.yaml"]),
        (
            Some(1),
            vec!["other/pod.yaml:2:1: error[bare-pod]".to_string()]
        )
    );
    // --config applies to every file.
    assert_eq!(
        bare_pods(repo.path(), &["--config", "team/.podlint.yaml", "other"]),
        (Some(0), vec![])
    );
}

#[test]
fn the_search_for_a_config_stops_at_the_repository_root() {
    let outside = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        outside.path().join(".podlint.yaml"),
        "rules:\n  bare-pod: off\n",
    )
    .expect("write");
    let repo = outside.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).expect("mkdir");
    std::fs::write(repo.join("pod.yaml"), POD).expect("write");
    assert_eq!(
        bare_pods(&repo, &["."]),
        (Some(1), vec!["pod.yaml:2:1: warning[bare-pod]".to_string()])
    );
    podlint()
        .current_dir(&repo)
        .args(["config", "pod.yaml"])
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with(
            "# settings for pod.yaml\n# from no config file: the defaults\nfail-level: warning\n",
        ));
}

#[test]
fn verbose_says_which_config_applies_to_which_files() {
    let repo = repository();
    std::fs::write(repo.path().join("other/second.yaml"), POD).expect("write");
    podlint()
        .current_dir(repo.path())
        .args(["check", "--verbose", "--format", "compact", "."])
        .assert()
        .code(1)
        .stderr(
            "podlint: config .podlint.yaml applies to other/pod.yaml and 1 other file\n\
             podlint: config team/.podlint.yaml applies to team/pod.yaml\n",
        );
}

#[test]
fn podlint_config_names_the_config_that_applies() {
    let repo = repository();
    podlint()
        .current_dir(repo.path())
        .args(["config", "team/pod.yaml"])
        .assert()
        .code(0)
        .stdout(
            predicate::str::starts_with(
                "# settings for team/pod.yaml\n# from team/.podlint.yaml\nfail-level: never\nmax-file-size: 64MiB\nexclude: [\"gen/**\"]",
            )
            .and(predicate::str::contains("\n  bare-pod: off\n"))
            .and(predicate::str::contains("\n  memory-limit-missing: warning\n")),
        );
    podlint()
        .current_dir(repo.path())
        .args(["config", "other"])
        .assert()
        .code(0)
        .stdout(
            predicate::str::contains("# from .podlint.yaml\nfail-level: error\n")
                .and(predicate::str::contains("\n  bare-pod: error\n")),
        );
}

#[test]
fn a_mistake_in_a_folders_config_stops_the_run() {
    let repo = repository();
    std::fs::write(
        repo.path().join("team/.podlint.yaml"),
        "rules:\n  bare-pods: off\n",
    )
    .expect("write");
    podlint()
        .current_dir(repo.path())
        .args(["check", "."])
        .assert()
        .code(2)
        .stdout("")
        .stderr(
            predicate::str::contains("team/.podlint.yaml: unknown rule `bare-pods`")
                .and(predicate::str::contains("did you mean `bare-pod`?")),
        );
}

//! Runs the `podlint` commands of the snippets in docs/integrations.md (those
//! after a `<!-- tested: NAME -->` marker) on a small project, so that the
//! documentation shows what podlint really does. Steps that install podlint
//! (`cargo install`) or belong to the CI service are not run: the binary under
//! test is put first on PATH instead. The pre-commit snippet is run by
//! tests/pre-commit.sh with the real pre-commit.

mod bin;

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

const DOC: &str = include_str!("../docs/integrations.md");

fn manifest(name: &str, limits: bool) -> String {
    let limits = if limits {
        "          limits: {memory: 128Mi}\n"
    } else {
        ""
    };
    format!(
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
spec:
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}}}
    spec:
      containers:
      - name: {name}
        image: nginx:1.27
        resources:
          requests: {{cpu: 100m, memory: 64Mi}}
{limits}        readinessProbe:
          httpGet: {{path: /, port: 80}}
        livenessProbe:
          httpGet: {{path: /, port: 80}}
"
    )
}

/// The finding of the bad manifest, in the `compact` format.
const WORKER: &str =
    "deploy/worker.yaml:15:9: warning[memory-limit-missing] container `worker` has no memory limit\n";

/// A project with a good manifest, a bad one (no memory limit at line 15) and
/// a GitHub workflow, which podlint skips (hidden folder, and not a
/// Kubernetes object).
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    bin::without_security_rules(dir.path());
    let root = dir.path();
    std::fs::create_dir_all(root.join("deploy")).expect("mkdir");
    std::fs::create_dir_all(root.join(".github/workflows")).expect("mkdir");
    std::fs::write(root.join("deploy/web.yaml"), manifest("web", true)).expect("write");
    std::fs::write(root.join("deploy/worker.yaml"), manifest("worker", false)).expect("write");
    std::fs::write(
        root.join(".github/workflows/ci.yaml"),
        "name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make test\n",
    )
    .expect("write");
    dir
}

/// The fenced block after `<!-- tested: NAME -->` in docs/integrations.md.
fn snippet(name: &str) -> String {
    bin::snippet(DOC, name)
}

/// The `podlint` commands of a YAML snippet: `- run: ...` steps of a GitHub
/// workflow and `- ...` lines of a GitLab `script:`.
fn podlint_commands(yaml: &str) -> Vec<String> {
    yaml.lines()
        .filter_map(|line| {
            let item = line.trim_start().strip_prefix("- ")?;
            let command = item.strip_prefix("run: ").unwrap_or(item);
            command.starts_with("podlint ").then(|| command.to_string())
        })
        .collect()
}

/// `sh -c script` in `dir`, with the podlint under test first on PATH.
fn sh(dir: &Path, script: &str) -> Command {
    let bin = Path::new(env!("CARGO_BIN_EXE_podlint"))
        .parent()
        .expect("the binary is in a folder");
    let path = std::env::join_paths(
        std::iter::once(bin.to_path_buf()).chain(
            std::env::var_os("PATH")
                .iter()
                .flat_map(std::env::split_paths),
        ),
    )
    .expect("PATH");
    let mut command = Command::new("sh");
    command
        .args(["-c", script])
        .current_dir(dir)
        .env("PATH", path)
        .env_remove("GITHUB_ACTIONS")
        .env_remove("PODLINT_FORMAT")
        .env("NO_COLOR", "1");
    command
}

#[test]
fn github_sarif_workflow_writes_sarif_for_code_scanning() {
    let dir = project();
    let commands = podlint_commands(&snippet("github-sarif"));
    assert_eq!(commands, ["podlint check --format sarif . > podlint.sarif"]);
    sh(dir.path(), &commands[0])
        .env("GITHUB_ACTIONS", "true")
        .assert()
        .code(1)
        .stdout("");
    let text = std::fs::read_to_string(dir.path().join("podlint.sarif")).expect("written");
    let log: Value = serde_json::from_str(&text).expect("JSON");
    let results = log["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["ruleId"], "memory-limit-missing");
    let location = &results[0]["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "deploy/worker.yaml");
    assert_eq!(location["region"]["startLine"], 15);
}

#[test]
fn github_annotations_workflow_annotates_by_default() {
    let dir = project();
    let commands = podlint_commands(&snippet("github-annotations"));
    assert_eq!(commands, ["podlint check ."]);
    sh(dir.path(), &commands[0])
        .env("GITHUB_ACTIONS", "true")
        .assert()
        .code(1)
        .stdout(
            "::warning file=deploy/worker.yaml,line=15,col=9,endLine=15,endColumn=18,\
             title=podlint memory-limit-missing::container `worker` has no memory limit%0A\
             help: set resources.limits.memory: without it one leak can exhaust the node and get other Pods OOMKilled\n\
             podlint: 2 files, 2 Pod specs: 0 errors, 1 warning, 0 infos\n",
        );
}

#[test]
fn gitlab_job_keeps_json_and_fails_on_findings() {
    let dir = project();
    let commands = podlint_commands(&snippet("gitlab"));
    assert_eq!(
        commands,
        [
            "podlint check --format json . > podlint.json || true",
            "podlint check --format compact ."
        ]
    );
    sh(dir.path(), &commands[0]).assert().code(0).stdout("");
    let text = std::fs::read_to_string(dir.path().join("podlint.json")).expect("written");
    let json: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(json["summary"]["findings"], 1);
    sh(dir.path(), &commands[1]).assert().code(1).stdout(WORKER);
}

#[test]
fn shell_gate_fails_on_findings_and_passes_when_fixed() {
    let dir = project();
    let gate = snippet("shell-gate");
    sh(dir.path(), &gate)
        .assert()
        .code(1)
        .stdout(format!("{WORKER}podlint: fix the findings above\n"));
    std::fs::write(
        dir.path().join("deploy/worker.yaml"),
        manifest("worker", true),
    )
    .expect("write");
    sh(dir.path(), &gate)
        .assert()
        .code(0)
        .stdout("podlint: clean\n");
    // A path that cannot be read is exit code 2, not a clean run.
    std::fs::remove_dir_all(dir.path().join("deploy")).expect("rm");
    sh(dir.path(), &gate)
        .assert()
        .code(2)
        .stdout("podlint: could not lint (usage, config or unreadable path)\n");
}

#[test]
fn baseline_snippet_reports_only_new_findings() {
    let dir = project();
    let script = snippet("baseline");
    let (write, check) = script.trim_end().split_once('\n').expect("two commands");
    sh(dir.path(), write)
        .assert()
        .code(0)
        .stdout("")
        .stderr("podlint: wrote 1 finding to baseline .podlint-baseline.json\n");
    sh(dir.path(), check)
        .assert()
        .code(0)
        .stdout("podlint: 2 files, 2 documents, 2 Pod specs: 0 errors, 0 warnings, 0 infos\n")
        .stderr("podlint: 1 finding recorded in .podlint-baseline.json is not reported\n");
    let new = manifest("worker", false).replace("worker", "queue");
    std::fs::write(dir.path().join("deploy/queue.yaml"), new).expect("write");
    sh(dir.path(), &format!("{check} --format compact"))
        .assert()
        .code(1)
        .stdout(WORKER.replace("worker", "queue"));
}

/// `.ci/run` on a bare machine: a failing `rustup component add` is shown,
/// and a missing clippy stops CI with a message that says how to get it.
#[cfg(unix)]
#[test]
fn ci_says_when_rustfmt_or_clippy_cannot_be_had() {
    use std::os::unix::fs::PermissionsExt;
    let tools = tempfile::tempdir().expect("temp dir");
    let fake = |name: &str, script: &str| {
        let path = tools.path().join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{script}\n")).expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    };
    // cargo has rustfmt but not clippy.
    fake(
        "cargo",
        r#"[ "$1" = fmt ] && exit 0; echo "error: no such command: clippy" >&2; exit 101"#,
    );
    let run = || {
        Command::new("bash")
            .arg(".ci/rust-components")
            .env("PATH", format!("{}:/usr/bin:/bin", tools.path().display()))
            .output()
            .expect("bash runs")
    };
    let output = run();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        ".ci/run: no rustup on PATH; looking for an installed rustfmt and clippy\n\
         .ci/run: error: clippy cannot be had: install with `rustup component add clippy` (or your distribution's package, e.g. apt-get install rust-clippy rustfmt)\n"
    );
    fake(
        "rustup",
        r#"echo "error: could not download component 'clippy'" >&2; exit 1"#,
    );
    let output = run();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("error: could not download component 'clippy'\n.ci/run: rustup could not add rustfmt and clippy (see above); looking for installed ones\n"),
        "{stderr}"
    );
    fake("cargo", "exit 0");
    assert_eq!(run().status.code(), Some(0));
}

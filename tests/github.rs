//! `--format github` and how the format is chosen in CI.

mod bin;

use bin::podlint;

/// A Deployment whose one container has no memory limit (line 15).
const WEB: &str = "\
apiVersion: apps/v1
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
        resources:
          requests: {cpu: 100m, memory: 64Mi}
        readinessProbe:
          httpGet: {path: /, port: 80}
        livenessProbe:
          httpGet: {path: /, port: 80}
";

const ANNOTATION: &str = "::warning file=deploy/web.yaml,line=15,col=9,endLine=15,endColumn=18,\
title=podlint memory-limit-missing::container `web` has no memory limit%0A\
help: set resources.limits.memory: without it one leak can exhaust the node and get other Pods OOMKilled\n";
const SUMMARY: &str = "podlint: 1 file, 1 Pod spec: 0 errors, 1 warning, 0 infos\n";

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    bin::without_security_rules(dir.path());
    std::fs::create_dir(dir.path().join("deploy")).expect("mkdir");
    std::fs::write(dir.path().join("deploy/web.yaml"), WEB).expect("write");
    dir
}

#[test]
fn annotations_point_at_the_finding_and_end_with_a_summary() {
    let dir = repo();
    podlint(dir.path())
        .args(["check", "--format", "github", "./deploy"])
        .assert()
        .code(1)
        .stdout(format!("{ANNOTATION}{SUMMARY}"))
        .stderr("");
}

#[test]
fn properties_and_data_are_escaped() {
    let dir = tempfile::tempdir().expect("temp dir");
    bin::without_security_rules(dir.path());
    std::fs::write(dir.path().join("a,b:c%.yaml"), WEB).expect("write");
    podlint(dir.path())
        .args(["check", "--format", "github", "a,b:c%.yaml"])
        .assert()
        .code(1)
        .stdout(format!(
            "{}{SUMMARY}",
            ANNOTATION.replace("deploy/web.yaml", "a%2Cb%3Ac%25.yaml")
        ));
}

#[test]
fn clean_files_print_only_the_summary() {
    let dir = repo();
    podlint(dir.path())
        .args([
            "check",
            "--format",
            "github",
            "--disable",
            "memory-limit-missing",
            "deploy",
        ])
        .assert()
        .code(0)
        .stdout("podlint: 1 file, 1 Pod spec: 0 errors, 0 warnings, 0 infos\n");
}

#[test]
fn github_actions_gets_annotations_by_default() {
    let dir = repo();
    podlint(dir.path())
        .env("GITHUB_ACTIONS", "true")
        .args(["check", "deploy"])
        .assert()
        .code(1)
        .stdout(format!("{ANNOTATION}{SUMMARY}"));
}

#[test]
fn podlint_format_overrides_github_actions_and_the_flag_overrides_both() {
    let dir = repo();
    let compact =
        "deploy/web.yaml:15:9: warning[memory-limit-missing] container `web` has no memory limit\n";
    podlint(dir.path())
        .env("GITHUB_ACTIONS", "true")
        .env("PODLINT_FORMAT", "compact")
        .args(["check", "deploy"])
        .assert()
        .code(1)
        .stdout(compact);
    podlint(dir.path())
        .env("GITHUB_ACTIONS", "true")
        .env("PODLINT_FORMAT", "json")
        .args(["check", "--format", "compact", "deploy"])
        .assert()
        .code(1)
        .stdout(compact);
}

#[test]
fn an_empty_podlint_format_is_unset() {
    let dir = repo();
    podlint(dir.path())
        .env("GITHUB_ACTIONS", "true")
        .env("PODLINT_FORMAT", "")
        .args(["check", "deploy"])
        .assert()
        .code(1)
        .stdout(format!("{ANNOTATION}{SUMMARY}"));
}

#[test]
fn an_unknown_podlint_format_is_a_usage_error() {
    let dir = repo();
    podlint(dir.path())
        .env("PODLINT_FORMAT", "xml")
        .args(["check", "deploy"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(
            "podlint: error: PODLINT_FORMAT=xml is not a format; \
             use one of human, json, sarif, github, compact\n",
        );
}

//! The binary as users run it: exit codes, formats, stdin, positions.

mod bin;

use assert_cmd::Command;
use predicates::prelude::*;

fn podlint() -> Command {
    let mut cmd = Command::cargo_bin("podlint").unwrap_or_else(|e| panic!("binary: {e}"));
    cmd.env("NO_COLOR", "1")
        .env("PATH", bin::path_with_tools())
        .env_remove("GITHUB_ACTIONS")
        .env_remove("PODLINT_FORMAT");
    cmd
}

fn stdout(cmd: &mut Command) -> String {
    String::from_utf8_lossy(&cmd.output().unwrap_or_else(|e| panic!("run: {e}")).stdout)
        .into_owned()
}

/// The human report without its timing, which changes run to run.
fn without_timing(text: &str) -> String {
    text.lines()
        .map(|line| match line.rfind(" in ") {
            Some(at) if line.starts_with("podlint: ") && line.ends_with(" ms") => &line[..at],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn human_output_of_the_founding_examples() {
    for name in ["banana-shipment", "app-with-sidecar"] {
        let path = format!("fixtures/examples/{name}.yaml");
        let output = stdout(podlint().args(["check", &path]));
        insta::assert_snapshot!(name, without_timing(&output));
    }
}

#[test]
fn founding_sidecar_pod_is_not_a_job_and_keeps_no_durable_data() {
    let output = stdout(podlint().args([
        "--format",
        "compact",
        "fixtures/examples/app-with-sidecar.yaml",
    ]));
    assert!(!output.contains("job-sidecar-never-exits"), "{output}");
    assert!(!output.contains("emptydir-durable-data"), "{output}");
    assert!(
        output.contains(":11:5: warning[image-latest-tag]"),
        "{output}"
    );
}

#[test]
fn json_output_of_the_flattened_example() {
    let output = stdout(podlint().args([
        "check",
        "--format",
        "json",
        "fixtures/unknown-field/flattened.yaml",
    ]));
    insta::assert_snapshot!("flattened-json", output);
}

#[test]
fn exit_codes() {
    podlint()
        .args(["check", "fixtures/examples/banana-shipment.yaml"])
        .assert()
        .code(1);
    podlint()
        .args([
            "check",
            "--fail-level",
            "error",
            "fixtures/examples/banana-shipment.yaml",
        ])
        .assert()
        .code(0);
    podlint()
        .args(["check", "--fail-level", "never", "fixtures/invalid-yaml"])
        .assert()
        .code(0);
    podlint()
        .args(["check", "fixtures/invalid-yaml"])
        .assert()
        .code(1);
    podlint()
        .args([
            "check",
            "no/such/path.yaml",
            "fixtures/examples/banana-shipment.yaml",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no/such/path.yaml"))
        .stdout(predicate::str::contains("bare-pod"));
    podlint()
        .args(["check", "--enable", "no-such-rule"])
        .assert()
        .code(2);
    podlint().args(["check", "--bogus-flag"]).assert().code(2);
}

#[test]
fn clean_and_non_kubernetes_files_pass_silently() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let ci = dir.path().join("ci.yml");
    std::fs::write(
        &ci,
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let output = podlint()
        .args(["check", "--format", "compact"])
        .arg(dir.path())
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&output.stdout), "");
}

#[test]
fn stdin_with_a_name_and_multi_document_lines() {
    let manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: web\n        image: nginx\n";
    let output = stdout(
        podlint()
            .args(["check", "--format", "compact", "--stdin-filename", "deploy/web.yaml", "-"])
            .args(["--disable", "memory-limit-missing,resource-requests-missing,liveness-probe-missing,readiness-probe-missing"])
            .write_stdin(manifest),
    );
    let latest: Vec<&str> = output
        .lines()
        .filter(|l| l.contains("image-latest-tag"))
        .collect();
    assert_eq!(
        latest,
        ["deploy/web.yaml:19:9: warning[image-latest-tag] image `nginx` has no tag, so it means `:latest`"]
    );
    assert!(
        output.lines().all(|l| l.starts_with("deploy/web.yaml:")),
        "{output}"
    );
}

#[test]
fn compact_and_json_agree_on_positions() {
    let compact = stdout(podlint().args([
        "--format",
        "compact",
        "fixtures/examples/banana-shipment.yaml",
    ]));
    assert!(compact.contains(
        "fixtures/examples/banana-shipment.yaml:10:5: warning[image-latest-tag] image `nginx:latest` uses the `latest` tag\n"
    ));
    let json =
        stdout(podlint().args(["--format", "json", "fixtures/examples/banana-shipment.yaml"]));
    let value: serde_json::Value = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
    let finding = value["findings"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["rule"] == "image-latest-tag"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        (
            finding["line"].as_u64(),
            finding["column"].as_u64(),
            finding["end_column"].as_u64()
        ),
        (Some(10), Some(5), Some(24))
    );
    assert_eq!(value["summary"]["pod_specs"], 1);
}

#[test]
fn output_is_identical_at_any_thread_count() {
    for format in ["json", "sarif", "github", "compact", "human"] {
        let run = |jobs: &str| {
            without_timing(&stdout(
                podlint().args(["--format", format, "-j", jobs, "fixtures"]),
            ))
        };
        let one = run("1");
        assert!(one.len() > 1000, "{format}");
        assert_eq!(one, run("3"), "{format}");
        assert_eq!(one, run("8"), "{format}");
    }
}

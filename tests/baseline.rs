//! `--write-baseline` and `--baseline`: adopt podlint on a repository with
//! existing findings and gate only new ones.

mod bin;

use bin::podlint;
use serde_json::{json, Value};

/// Two containers without memory limits (lines 14 and 16).
const SHOP: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
  namespace: prod
spec:
  selector:
    matchLabels: {app: shop}
  template:
    metadata:
      labels: {app: shop}
    spec:
      containers:
      - name: web
        image: shop/web:2.1
      - name: worker
        image: shop/worker:2.1
";

/// Only one rule, so that the expected output stays short.
const ONLY: [&str; 2] = [
    "--disable",
    "resource-requests-missing,readiness-probe-missing,liveness-probe-missing",
];

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    bin::without_security_rules(dir.path());
    std::fs::write(dir.path().join("shop.yaml"), SHOP).expect("write");
    dir
}

#[test]
fn a_baseline_records_each_finding_by_rule_file_object_and_fingerprint() {
    let dir = repo();
    podlint(dir.path())
        .args([
            "check",
            "--write-baseline",
            "podlint-baseline.json",
            "./shop.yaml",
        ])
        .args(ONLY)
        .assert()
        .code(0)
        .stdout("")
        .stderr("podlint: wrote 2 findings to baseline podlint-baseline.json\n");
    let text = std::fs::read_to_string(dir.path().join("podlint-baseline.json")).expect("written");
    let mut baseline: Value = serde_json::from_str(&text).expect("JSON");
    let findings = baseline["findings"].as_array_mut().expect("findings");
    for finding in findings.iter_mut() {
        let fingerprint = finding["fingerprint"].take();
        assert!(
            fingerprint.as_str().is_some_and(|f| f.len() == 18),
            "{fingerprint}"
        );
    }
    let object = json!({"kind": "Deployment", "name": "shop", "namespace": "prod"});
    assert_eq!(
        baseline,
        json!({"version": 1, "findings": [
            {"rule": "memory-limit-missing", "file": "shop.yaml", "object": object,
             "container": "web", "message": "container `web` has no memory limit", "fingerprint": null},
            {"rule": "memory-limit-missing", "file": "shop.yaml", "object": object,
             "container": "worker", "message": "container `worker` has no memory limit", "fingerprint": null},
        ]})
    );
}

#[test]
fn baselined_findings_stay_suppressed_after_unrelated_edits_and_new_ones_are_reported() {
    let dir = repo();
    podlint(dir.path())
        .args(["check", "--write-baseline", "baseline.json", "shop.yaml"])
        .args(ONLY)
        .assert()
        .code(0);

    // An unrelated line at the top moves every finding down one line.
    let moved = format!("# owned by the shop team\n{SHOP}");
    std::fs::write(dir.path().join("shop.yaml"), &moved).expect("write");
    podlint(dir.path())
        .args([
            "check",
            "--format",
            "compact",
            "--baseline",
            "baseline.json",
            "shop.yaml",
        ])
        .args(ONLY)
        .assert()
        .code(0)
        .stdout("")
        .stderr("podlint: 2 findings recorded in baseline.json are not reported\n");

    // A new container without a limit is new: only it is reported, and it
    // alone sets the exit code.
    let grown = format!("{moved}      - name: cron\n        image: shop/cron:2.1\n");
    std::fs::write(dir.path().join("shop.yaml"), grown).expect("write");
    podlint(dir.path())
        .args([
            "check",
            "--format",
            "compact",
            "--baseline",
            "baseline.json",
            "shop.yaml",
        ])
        .args(ONLY)
        .assert()
        .code(1)
        .stdout(
            "shop.yaml:19:9: warning[memory-limit-missing] container `cron` has no memory limit\n",
        )
        .stderr("podlint: 2 findings recorded in baseline.json are not reported\n");
}

#[test]
fn a_missing_or_malformed_baseline_is_a_usage_error() {
    let dir = repo();
    podlint(dir.path())
        .args(["check", "--baseline", "none.json", "shop.yaml"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicates::str::starts_with(
            "podlint: error: cannot read baseline none.json: ",
        ));
    std::fs::write(
        dir.path().join("old.json"),
        r#"{"version": 7, "findings": []}"#,
    )
    .expect("write");
    podlint(dir.path())
        .args(["check", "--baseline", "old.json", "shop.yaml"])
        .assert()
        .code(2)
        .stderr("podlint: error: baseline old.json has version 7; this podlint reads version 1\n");
}

#[test]
fn baseline_and_write_baseline_exclude_each_other() {
    let dir = repo();
    podlint(dir.path())
        .args([
            "check",
            "--baseline",
            "a.json",
            "--write-baseline",
            "b.json",
            "shop.yaml",
        ])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "the argument '--baseline <FILE>' cannot be used with '--write-baseline <FILE>'",
        ));
}

/// A baseline kept in the folder it records is read (and skipped: it is no
/// Kubernetes object) before it is replaced: writing it again gives the same
/// file. (Named to be read last, after many files' findings were recorded.)
#[test]
fn a_baseline_inside_the_linted_folder_is_rewritten_the_same() {
    let dir = repo();
    for i in 0..600 {
        std::fs::write(dir.path().join(format!("copy-{i:03}.yaml")), SHOP).expect("write");
    }
    let write = || {
        podlint(dir.path())
            .args([
                "check",
                "--write-baseline",
                "zz-baseline.json",
                "-j",
                "2",
                ".",
            ])
            .args(ONLY)
            .assert()
            .code(0)
            .stderr("podlint: wrote 1202 findings to baseline zz-baseline.json\n");
        std::fs::read_to_string(dir.path().join("zz-baseline.json")).expect("written")
    };
    let first = write();
    assert_eq!(write(), first);
}

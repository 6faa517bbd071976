//! ValidatingAdmissionPolicies run before merge, through the binary: five
//! policies (params from a ConfigMap and from a custom resource, variables,
//! messageExpression, selectors) over manifests they accept and reject.

use std::collections::BTreeSet;

use assert_cmd::Command;
use predicates::prelude::*;

const POLICIES: &str = "docs/examples/admission-policies/policies";
const MANIFESTS: &str = "docs/examples/admission-policies/manifests";

fn podlint() -> Command {
    let mut cmd = Command::cargo_bin("podlint").expect("the podlint binary is built");
    cmd.env("NO_COLOR", "1")
        .env_remove("PODLINT_FORMAT")
        .env_remove("GITHUB_ACTIONS");
    cmd
}

/// `(file:line:col, severity, message)` of the admission-policy findings.
fn admission(args: &[&str]) -> Vec<(String, String, String)> {
    let output = podlint()
        .args(["check", "--format", "json", "--fail-level", "never"])
        .args(args)
        .output()
        .expect("podlint runs");
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("the report is JSON");
    report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["rule"] == "admission-policy")
        .map(|f| {
            (
                format!(
                    "{}:{}:{}",
                    f["file"].as_str().unwrap_or_default(),
                    f["line"],
                    f["column"]
                ),
                f["severity"].as_str().unwrap_or_default().to_string(),
                f["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn five_policies_reject_exactly_the_marked_objects() {
    let found = admission(&["--policies", POLICIES, MANIFESTS]);
    let lines: BTreeSet<String> = found
        .iter()
        .map(|(at, _, _)| {
            at.rsplit_once(':')
                .map_or(at.clone(), |(l, _)| l.to_string())
        })
        .collect();
    let mut marked = BTreeSet::new();
    for entry in std::fs::read_dir(MANIFESTS).expect("folder").flatten() {
        let path = entry.path();
        let text = std::fs::read_to_string(&path).expect("text");
        for (i, line) in text.lines().enumerate() {
            if line.ends_with("# expect: admission-policy") {
                marked.insert(format!("{}:{}", path.display(), i + 1));
            }
        }
    }
    assert_eq!(lines, marked);
    let shop = format!("{MANIFESTS}/shop.yaml");
    let expected = [
        (
            format!("{MANIFESTS}/jobs.yaml:3:1"),
            "error",
            "image-registry: images from outside registry.corp.example: ghcr.io/corp/report:1.0",
        ),
        (
            format!("{MANIFESTS}/production.yaml:3:1"),
            "error",
            "forbidden-tags: tag dev is forbidden in production",
        ),
        (
            format!("{shop}:4:1"),
            "error",
            "image-registry: images from outside registry.corp.example: busybox:1.36",
        ),
        (
            format!("{shop}:4:1"),
            "info",
            "memory-ceiling: a container's memory limit is above 8Gi",
        ),
        (
            format!("{shop}:5:1"),
            "error",
            "require-team-label: workload cart has no team label",
        ),
        (
            format!("{shop}:9:3"),
            "warning",
            "replica-limit: replicas 12 exceed the limit of 10",
        ),
    ];
    let expected: Vec<(String, String, String)> = expected
        .into_iter()
        .map(|(at, severity, message)| (at, severity.to_string(), message.to_string()))
        .collect();
    assert_eq!(found, expected);
}

#[test]
fn policies_in_the_linted_files_and_in_the_config_apply_too() {
    // The policies folder linted with the manifests: same verdicts.
    let from_run = admission(&[POLICIES, MANIFESTS]);
    let from_flag = admission(&["--policies", POLICIES, MANIFESTS]);
    assert_eq!(from_run, from_flag);
    let dir = tempfile::tempdir().expect("temp dir");
    let root = std::env::current_dir().expect("cwd");
    std::fs::write(
        dir.path().join(".podlint.yaml"),
        format!("policies: [{}]\n", root.join(POLICIES).display()),
    )
    .expect("write config");
    // The config applies to the files of its folder.
    std::fs::copy(
        root.join(MANIFESTS).join("jobs.yaml"),
        dir.path().join("jobs.yaml"),
    )
    .expect("copy");
    let output = podlint()
        .current_dir(dir.path())
        .args([
            "check",
            "--format",
            "compact",
            "--fail-level",
            "never",
            "jobs.yaml",
        ])
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("error[admission-policy] image-registry: images from outside"),
        "{stdout}"
    );
}

#[test]
fn a_policy_without_a_binding_or_without_its_params_does_not_run() {
    let dir = tempfile::tempdir().expect("temp dir");
    let policy = std::fs::read_to_string(format!("{POLICIES}/replica-limit.yaml")).expect("policy");
    // Without its ConfigMap the params are in the cluster: not judged.
    let without_params = policy
        .split("---\napiVersion: v1\nkind: ConfigMap")
        .next()
        .unwrap_or_default();
    std::fs::write(dir.path().join("policy.yaml"), without_params).expect("write");
    let manifest = format!("{MANIFESTS}/shop.yaml");
    let found = admission(&["--policies", &dir.path().display().to_string(), &manifest]);
    assert!(found.is_empty(), "{found:?}");
    // Without a binding, nothing.
    let unbound =
        std::fs::read_to_string(format!("{POLICIES}/require-team-label.yaml")).expect("policy");
    let unbound = unbound.split("---").next().unwrap_or_default();
    std::fs::write(dir.path().join("policy.yaml"), unbound).expect("write");
    let found = admission(&["--policies", &dir.path().display().to_string(), &manifest]);
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn a_policy_that_does_not_compile_is_named_and_skipped() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("bad.yaml"),
        "apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: bad
spec:
  validations:
  - expression: object.metadata.name ==
",
    )
    .expect("write");
    podlint()
        .args(["check", "--fail-level", "never", "--policies"])
        .arg(dir.path())
        .arg(format!("{MANIFESTS}/jobs.yaml"))
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "bad.yaml:7: ValidatingAdmissionPolicy `bad`: a validation does not compile",
        ));
}

#[test]
fn a_finding_shows_the_validation_in_the_policy_file_as_a_second_place() {
    let manifest = format!("{MANIFESTS}/production.yaml");
    let policy = format!("{POLICIES}/forbidden-tags.yaml");
    let human = podlint()
        .args([
            "check",
            "--fail-level",
            "never",
            "--policies",
            POLICIES,
            &manifest,
        ])
        .output()
        .expect("podlint runs");
    let human = String::from_utf8_lossy(&human.stdout);
    let expected = format!(
        "{manifest}:3:1: error[admission-policy] forbidden-tags: tag dev is forbidden in production
  |
3 | kind: Deployment # expect: admission-policy
  | ^^^^^^^^^^^^^^^^
  --> {policy}:21:17
   |
21 |   - expression: \"!variables.tags.exists(t, t in params.spec.forbiddenTags)\"
   |                 ----------------------------------------------------------- the validation
   = help: ValidatingAdmissionPolicy `forbidden-tags` ({policy}:21)
"
    );
    assert!(
        human.starts_with(&expected),
        "human output:\n{human}\nexpected it to start with:\n{expected}"
    );
    let json = podlint()
        .args(["check", "--format", "json", "--fail-level", "never"])
        .args(["--policies", POLICIES, &manifest])
        .output()
        .expect("podlint runs");
    let report: serde_json::Value =
        serde_json::from_slice(&json.stdout).expect("the report is JSON");
    let related: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["rule"] == "admission-policy")
        .map(|f| &f["related"])
        .collect();
    assert_eq!(
        related,
        [&serde_json::json!([{
            "file": policy, "line": 21, "column": 17, "message": "the validation"
        }])]
    );
}

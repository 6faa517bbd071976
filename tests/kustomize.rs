//! Kustomize overlays: the roots built with kubectl, every finding at the
//! base, patch or kustomization line that set it, findings several roots
//! share reported once naming them, and failures as `render-failed`.

mod bin;

use std::path::{Path, PathBuf};

use serde_json::Value;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The kubectl the tests build with: the project's `.tools/bin` one (kustomize
/// v5.7.1) when installed, else the first on PATH; `None` skips the test,
/// except under `CI=true`.
fn kubectl(test: &str) -> Option<PathBuf> {
    let local = repo().join(".tools/bin/kubectl");
    let found = if local.is_file() {
        Some(local)
    } else {
        std::env::split_paths(&bin::path_with_tools())
            .map(|dir| dir.join("kubectl"))
            .find(|p| p.is_file())
    };
    if found.is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{test}: kubectl is needed (scripts/install-tools.sh installs it)"
        );
        eprintln!("{test}: skipped, kubectl is not on PATH nor in .tools/bin");
    }
    found
}

/// `podlint check --format FORMAT ARGS` in `dir` with the tests' kubectl:
/// stdout, stderr and the exit code.
fn check(dir: &Path, kubectl: &Path, format: &str, args: &[&str]) -> (String, String, i32) {
    let output = bin::podlint(dir)
        .arg("check")
        .arg("--kustomize")
        .arg(kubectl)
        .args(["--format", format])
        .args(args)
        .output()
        .expect("podlint runs");
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
        output.status.code().unwrap_or(-1),
    )
}

fn compact_lines(out: &str) -> Vec<&str> {
    out.lines().collect()
}

#[test]
fn each_finding_lands_on_the_base_patch_or_kustomization_line_that_set_it() {
    let Some(kubectl) = kubectl("each_finding_lands_on_the_line_that_set_it") else {
        return;
    };
    let cases: &[(&str, &[&str])] = &[
        (
            // A base field; a strategic merge patch of a middle overlay; a
            // JSON 6902 op inline in the top overlay (the roots: top only).
            "overlays",
            &[
                "fixtures/kustomize/overlays/base/web.yaml:12:7: warning[host-namespace] the Pod shares the node's process namespace (hostPID: true)",
                "fixtures/kustomize/overlays/mid/privileged.yaml:11:11: warning[privileged-container] container `web` runs privileged",
                "fixtures/kustomize/overlays/top/kustomization.yaml:11:7: warning[host-namespace] the Pod shares the node's network namespace (hostNetwork: true)",
            ],
        ),
        (
            // Removed by a JSON 6902 `remove`, a `null` and a `$patch: delete`.
            "removals",
            &[
                "fixtures/kustomize/removals/prod/kustomization.yaml:11:7: info[read-only-root-fs-missing] container `api` does not set readOnlyRootFilesystem: true",
                "fixtures/kustomize/removals/prod/no-memory-limit.yaml:12:13: warning[memory-limit-missing] container `api` has no memory limit",
                "fixtures/kustomize/removals/prod/no-probe.yaml:11:11: info[liveness-probe-missing] container `api` has no liveness probe",
            ],
        ),
        (
            // The images transformer's entry; a generated ConfigMap's generator.
            "images",
            &[
                "fixtures/kustomize/images/base/kustomization.yaml:4:3: warning[unknown-suppression] suppression names `no-such-rule`, which is not a podlint rule",
                "fixtures/kustomize/images/prod/kustomization.yaml:5:3: warning[image-latest-tag] image `registry.example/worker:latest` uses the `latest` tag",
            ],
        ),
        (
            // A patch whose target names its Deployments by a regular
            // expression (`web-.*`) is the line that set the field.
            "regex-target",
            &[
                "fixtures/kustomize/regex-target/prod/privileged.yaml:11:11: warning[privileged-container] container `web` runs privileged",
            ],
        ),
        (
            // prod's patch sets the memory limit; dev and staging share the
            // base's finding.
            "shared",
            &[
                "fixtures/kustomize/shared/base/cache.yaml:17:11: warning[memory-limit-missing] container `cache` has no memory limit",
            ],
        ),
    ];
    for (case, expected) in cases {
        let folder = format!("fixtures/kustomize/{case}");
        let (out, err, code) = check(repo(), &kubectl, "compact", &[&folder]);
        assert_eq!(compact_lines(&out), *expected, "{case}: {err}");
        assert_eq!(code, 1, "{case}: {err}");
    }
}

#[test]
fn a_finding_two_overlays_share_is_reported_once_naming_both() {
    let Some(kubectl) = kubectl("a_finding_two_overlays_share_is_reported_once") else {
        return;
    };
    let (out, err, _) = check(repo(), &kubectl, "json", &["fixtures/kustomize/shared"]);
    let json: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    let findings = json["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 1, "{out}");
    assert_eq!(
        findings[0]["file"],
        "fixtures/kustomize/shared/base/cache.yaml"
    );
    assert_eq!(findings[0]["line"], 17);
    assert_eq!(
        findings[0]["origin"]["renders"],
        serde_json::json!([
            "fixtures/kustomize/shared/dev",
            "fixtures/kustomize/shared/staging"
        ]),
        "prod's patch fixes it: prod is not named"
    );
}

fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary folder");
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("folder");
        std::fs::write(path, text).expect("file");
    }
    dir
}

const DEPLOYMENT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.25\n";

#[test]
fn a_build_that_fails_is_a_render_failed_finding_at_the_line_kustomize_names() {
    let Some(kubectl) = kubectl("a_build_that_fails_is_a_render_failed_finding") else {
        return;
    };
    let dir = tree(&[
        ("base/kustomization.yaml", "resources:\n- web.yaml\n"),
        ("base/web.yaml", DEPLOYMENT),
        (
            "missing/kustomization.yaml",
            "resources:\n- ../base\n- gone.yaml\n",
        ),
        (
            "unmatched/kustomization.yaml",
            "resources:\n- ../base\npatches:\n- path: patch.yaml\n",
        ),
        (
            "unmatched/patch.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: nothere\nspec: {}\n",
        ),
    ]);
    let (out, err, code) = check(
        dir.path(),
        &kubectl,
        "compact",
        &["--enable", "render-failed", "--disable", "memory-limit-missing,resource-requests-missing,liveness-probe-missing,readiness-probe-missing,run-as-root,privilege-escalation-allowed,read-only-root-fs-missing,dangerous-capabilities", "."],
    );
    let lines = compact_lines(&out);
    assert_eq!(lines.len(), 2, "{out}{err}");
    assert!(
        lines[0].starts_with(
            "missing/kustomization.yaml:3:3: error[render-failed] kustomize cannot build missing: "
        ),
        "{out}"
    );
    assert!(lines[0].contains("gone.yaml"), "{out}");
    assert!(
        lines[1].starts_with("unmatched/kustomization.yaml:4:3: error[render-failed] kustomize cannot build unmatched: "),
        "{out}"
    );
    assert!(
        lines[1].contains("no resource matches strategic merge patch"),
        "{out}"
    );
    assert!(
        !out.contains("podlint-kustomize-"),
        "no temporary path: {out}"
    );
    assert_eq!(code, 1);
}

/// A build that needs what podlint does not run (a plugin) is said to be
/// that, at warning: the files are not at fault.
#[test]
fn a_build_that_needs_a_plugin_is_a_warning_that_says_so() {
    let Some(kubectl) = kubectl("a_build_that_needs_a_plugin") else {
        return;
    };
    let dir = tree(&[
        ("kustomization.yaml", "generators:\n- nginx.yaml\n"),
        (
            "nginx.yaml",
            "apiVersion: examples.config.kubernetes.io/v1beta1\nkind: Nginx\nmetadata:\n  name: demo\n  annotations:\n    config.kubernetes.io/function: |\n      container:\n        image: example/nginx-fn:v0.3.0\nspec:\n  replicas: 4\n",
        ),
    ]);
    let (out, err, code) = check(dir.path(), &kubectl, "compact", &["."]);
    let lines = compact_lines(&out);
    assert_eq!(lines.len(), 1, "{out}{err}");
    assert!(
        lines[0].starts_with(
            "kustomization.yaml:1:1: warning[render-failed] kustomize cannot build .: it runs a kustomize plugin, which needs `--enable-alpha-plugins`; podlint does not run plugins (they run code) (not a fault of the files; not linted): "
        ),
        "{out}"
    );
    // A warning: the run fails at the default --fail-level (warning), not at error.
    assert_eq!(code, 1);
    let (_, _, code) = check(
        dir.path(),
        &kubectl,
        "compact",
        &["--fail-level", "error", "."],
    );
    assert_eq!(code, 0);
}

#[test]
fn components_are_not_built_alone_and_without_a_binary_the_rest_is_linted() {
    let Some(kubectl) = kubectl("components_are_not_built_alone") else {
        return;
    };
    let dir = tree(&[
        (
            "component/kustomization.yaml",
            "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\npatches:\n- path: patch.yaml\n",
        ),
        (
            "component/patch.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      hostIPC: true\n",
        ),
        ("plain.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  hostPID: true\n  containers:\n  - name: c\n    image: nginx:1.25\n"),
    ]);
    let args = ["--enable", "host-namespace", "--disable", "bare-pod,memory-limit-missing,resource-requests-missing,liveness-probe-missing,readiness-probe-missing,run-as-root,privilege-escalation-allowed,read-only-root-fs-missing,dangerous-capabilities,cpu-limit-missing", "."];
    let (out, err, _) = check(dir.path(), &kubectl, "compact", &args);
    assert!(!out.contains("render-failed"), "{out}{err}");
    assert!(
        out.contains("plain.yaml:6:3: warning[host-namespace]"),
        "{out}{err}"
    );

    // With a root and no binary: exit 2, a message, the other files linted.
    std::fs::write(
        dir.path().join("kustomization.yaml"),
        "resources: [plain.yaml]\n",
    )
    .expect("write");
    let output = bin::podlint(dir.path())
        .args([
            "check",
            "--kustomize",
            "/nonexistent/kustomize",
            "--format",
            "compact",
        ])
        .args(args)
        .output()
        .expect("podlint runs");
    let out = String::from_utf8_lossy(&output.stdout);
    let err = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{out}{err}");
    assert!(
        err.contains("kustomize binary `/nonexistent/kustomize` not found"),
        "{err}"
    );
    assert!(
        out.contains("plain.yaml:6:3: warning[host-namespace]"),
        "{out}"
    );
}

#[test]
fn a_base_file_named_alone_is_linted_through_the_roots_that_use_it() {
    let Some(kubectl) = kubectl("a_base_file_named_alone") else {
        return;
    };
    let shared = repo().join("fixtures/kustomize/shared");
    let (out, err, code) = check(&shared, &kubectl, "json", &["base/cache.yaml"]);
    let json: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    let findings = json["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 1, "{out}");
    assert_eq!(findings[0]["file"], "base/cache.yaml");
    assert_eq!(findings[0]["line"], 17);
    assert_eq!(
        findings[0]["origin"]["renders"],
        serde_json::json!(["dev", "staging"])
    );
    assert_eq!(code, 1);
}

#[test]
fn a_build_is_a_closed_set_whose_relation_findings_land_on_the_patch() {
    let Some(kubectl) = kubectl("a_build_is_a_closed_set") else {
        return;
    };
    // The base alone defines no Secret, and as raw files it would not be
    // judged; built, prod is everything it deploys.
    let (out, err, _) = check(
        repo(),
        &kubectl,
        "compact",
        &["fixtures/kustomize/relations", "--fail-level", "never"],
    );
    let relations: Vec<&str> = compact_lines(&out)
        .into_iter()
        .filter(|line| line.contains("[reference-missing]"))
        .collect();
    assert_eq!(
        relations,
        ["fixtures/kustomize/relations/prod/credentials.yaml:14:19: warning[reference-missing] Deployment `worker` references Secret `queue-credentials`, which is not defined in its chart or build"],
        "{out}{err}"
    );
}

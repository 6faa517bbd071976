//! Removed and deprecated API versions, judged for the cluster's version:
//! every row of the table at the releases around its deprecation and
//! removal, and the same manifest at two `--kubernetes-version`s.

use std::sync::Arc;

use assert_cmd::Command;
use predicates::prelude::*;

use podlint::engine::{lint, Settings};
use podlint::model::api_versions::API_VERSIONS;
use podlint::model::{Context, KubeVersion};
use podlint::rules::find;

fn rules_at(text: &str, version: KubeVersion) -> Vec<&'static str> {
    let rules = ["deprecated-api-version", "api-version-deprecated"];
    let settings = Settings {
        active: rules
            .iter()
            .filter_map(|id| find(id))
            .map(|rule| (rule, podlint::finding::Severity::Warning))
            .collect(),
        suppress: true,
        context: Context {
            kubernetes_version: version,
            ..Context::default()
        },
    };
    let source = podlint::source::decode(text.as_bytes().to_vec());
    let name: Arc<str> = "row.yaml".into();
    lint(&name, &source, &settings)
        .findings
        .iter()
        .map(|f| f.rule)
        .collect()
}

#[test]
fn every_row_is_deprecated_then_removed_at_its_releases() {
    let mut failures = Vec::new();
    for row in API_VERSIONS {
        for kind in row.kinds {
            let text = format!(
                "apiVersion: {}\nkind: {kind}\nmetadata:\n  name: x\n",
                row.api_version
            );
            let before = KubeVersion::new(1, row.deprecated_in.minor - 1);
            let mut expected = vec![
                (before, Vec::<&str>::new()),
                (row.deprecated_in, vec!["api-version-deprecated"]),
            ];
            match row.removed_in {
                Some(removed) => {
                    let last = KubeVersion::new(1, removed.minor - 1);
                    expected.push((last, vec!["api-version-deprecated"]));
                    expected.push((removed, vec!["deprecated-api-version"]));
                    expected.push((KubeVersion::NEWEST, vec!["deprecated-api-version"]));
                }
                None => expected.push((KubeVersion::NEWEST, vec!["api-version-deprecated"])),
            }
            for (version, rules) in expected {
                let found = rules_at(&text, version);
                if found != rules {
                    failures.push(format!(
                        "{} {kind} at {version}: {found:?}, expected {rules:?}",
                        row.api_version
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn podlint() -> Command {
    let mut cmd = Command::cargo_bin("podlint").expect("the podlint binary is built");
    cmd.env("NO_COLOR", "1");
    cmd
}

const PLATFORM: &str = "fixtures/cluster-versions/platform.yaml";

#[test]
fn the_same_manifest_at_two_cluster_versions() {
    let only = ["--enable", "api-version-deprecated", "--disable"];
    let others = "memory-limit-missing,resource-requests-missing,run-as-root,privilege-escalation-allowed,dangerous-capabilities,read-only-root-fs-missing,autoscaler-target-missing";
    podlint()
        .args(["--format", "compact", "--kubernetes-version", "1.24"])
        .args(only)
        .args([others, PLATFORM])
        .assert()
        .code(1)
        .stdout(concat!(
            "fixtures/cluster-versions/platform.yaml:2:13: warning[api-version-deprecated] batch/v1beta1 CronJob is deprecated since Kubernetes 1.21: Kubernetes 1.25 removes it\n",
            "fixtures/cluster-versions/platform.yaml:17:13: warning[api-version-deprecated] autoscaling/v2beta2 HorizontalPodAutoscaler is deprecated since Kubernetes 1.23: Kubernetes 1.26 removes it\n",
        ));
    podlint()
        .args(["--format", "compact", "--kubernetes-version", "1.25"])
        .args(only)
        .args([others, PLATFORM])
        .assert()
        .code(1)
        .stdout(concat!(
            "fixtures/cluster-versions/platform.yaml:2:13: error[deprecated-api-version] CronJob is no longer served as batch/v1beta1: removed in Kubernetes 1.25\n",
            "fixtures/cluster-versions/platform.yaml:17:13: warning[api-version-deprecated] autoscaling/v2beta2 HorizontalPodAutoscaler is deprecated since Kubernetes 1.23: Kubernetes 1.26 removes it\n",
        ));
}

#[test]
fn a_bad_cluster_version_is_a_usage_error() {
    podlint()
        .args(["--kubernetes-version", "1.x", PLATFORM])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "`1.x` is not a Kubernetes version such as 1.29",
        ));
    podlint()
        .args([
            "--config",
            "fixtures/cluster-versions/bad-version.yaml",
            PLATFORM,
        ])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("bad-version.yaml:1:21]")
                .and(predicate::str::contains("is not a Kubernetes version")),
        );
}

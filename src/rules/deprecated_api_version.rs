use crate::finding::Fix;
use crate::model::api_versions::lifecycle;
use crate::model::{Object, Served, Target};
use crate::rules::{Check, Report};

rule!("deprecated-api-version", Check::Object(check));

/// The table of removals is `model::api_versions`, shared with
/// `api-version-deprecated`; this rule reports those removed at or before
/// the run's Kubernetes version.
fn check(object: &Object<'_>, out: &mut Report<'_>) {
    if let Served::No { served } = &object.served {
        unserved(object, served, out);
        return;
    }
    let Some(row) = lifecycle(object.api_version, object.kind) else { return };
    let Some(removed_in) = row.removed_in.filter(|&removed| removed <= object.kubernetes_version) else {
        return;
    };
    let report = out.at(
        Target::Value(object.path().key("apiVersion")),
        format!("{} is no longer served as {}: removed in Kubernetes {removed_in}", object.kind, row.api_version),
    );
    report.help(format!("use {}", row.replacement));
    if let Some(same) = same_schema_replacement(row.api_version, object.kind) {
        report.fix(Fix::Replace(same.to_string()));
    }
}

/// A custom resource of a version that the CRDs of its kind in the run do
/// not serve: the API server answers "no matches for kind".
fn unserved(object: &Object<'_>, served: &[String], out: &mut Report<'_>) {
    let group = object.api_version.split_once('/').map_or("", |(group, _)| group);
    let versions: Vec<String> = served.iter().map(|v| format!("{group}/{v}")).collect();
    let report = out.at(
        Target::Value(object.path().key("apiVersion")),
        match versions.as_slice() {
            [] => format!("{} is not served as {}: its CRD serves no version", object.kind, object.api_version),
            _ => format!(
                "{} is not served as {}: its CRD serves {}",
                object.kind,
                object.api_version,
                versions.join(", ")
            ),
        },
    );
    if let [only] = versions.as_slice() {
        report.help(format!("use {only} (its fields may differ)"));
    } else if !versions.is_empty() {
        report.help("use a version the CRD serves (their fields may differ)");
    } else {
        report.help("the CRD marks every version `served: false`");
    }
}

/// The replacement apiVersion when the object's fields mean the same there,
/// so that renaming the version is the whole migration. Not for moves that
/// changed fields (extensions and apps betas to apps/v1 require `selector`;
/// Ingress, CertificateSigningRequest, CRDs and HPA v2beta1 changed shape).
fn same_schema_replacement(version: &str, kind: &str) -> Option<&'static str> {
    const SAME_SCHEMA: &[(&str, &str, &str)] = &[
        ("batch/v1beta1", "CronJob", "batch/v1"),
        ("batch/v2alpha1", "CronJob", "batch/v1"),
        ("policy/v1beta1", "PodDisruptionBudget", "policy/v1"),
        ("autoscaling/v2beta2", "HorizontalPodAutoscaler", "autoscaling/v2"),
        ("rbac.authorization.k8s.io/v1beta1", "Role", "rbac.authorization.k8s.io/v1"),
        ("rbac.authorization.k8s.io/v1beta1", "ClusterRole", "rbac.authorization.k8s.io/v1"),
        ("rbac.authorization.k8s.io/v1beta1", "RoleBinding", "rbac.authorization.k8s.io/v1"),
        ("rbac.authorization.k8s.io/v1beta1", "ClusterRoleBinding", "rbac.authorization.k8s.io/v1"),
        ("scheduling.k8s.io/v1beta1", "PriorityClass", "scheduling.k8s.io/v1"),
        ("coordination.k8s.io/v1beta1", "Lease", "coordination.k8s.io/v1"),
        ("storage.k8s.io/v1beta1", "StorageClass", "storage.k8s.io/v1"),
    ];
    SAME_SCHEMA
        .iter()
        .find(|(from, k, _)| *from == version && *k == kind)
        .map(|(_, _, to)| *to)
}

use crate::finding::Fix;
use crate::model::{Object, Target};
use crate::rules::{Check, Report};

rule!("deprecated-api-version", Check::Object(check));

/// apiVersions that Kubernetes no longer serves, per kind: (apiVersion,
/// kinds, removed in, replacement). Source: the Kubernetes deprecated API
/// migration guide, kubernetes.io/docs/reference/using-api/deprecation-guide.
const REMOVED: &[(&str, &[&str], &str, &str)] = &[
    ("extensions/v1beta1", &["Deployment", "DaemonSet", "ReplicaSet"], "1.16", "apps/v1"),
    ("extensions/v1beta1", &["NetworkPolicy"], "1.16", "networking.k8s.io/v1"),
    ("extensions/v1beta1", &["PodSecurityPolicy"], "1.16", "policy/v1beta1, itself removed in 1.25: use Pod Security Admission"),
    ("extensions/v1beta1", &["Ingress"], "1.22", "networking.k8s.io/v1"),
    ("apps/v1beta1", &["Deployment", "StatefulSet", "ReplicaSet"], "1.16", "apps/v1"),
    ("apps/v1beta2", &["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"], "1.16", "apps/v1"),
    ("networking.k8s.io/v1beta1", &["Ingress", "IngressClass"], "1.22", "networking.k8s.io/v1"),
    ("rbac.authorization.k8s.io/v1beta1", &["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"], "1.22", "rbac.authorization.k8s.io/v1"),
    ("rbac.authorization.k8s.io/v1alpha1", &["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"], "1.22", "rbac.authorization.k8s.io/v1"),
    ("apiextensions.k8s.io/v1beta1", &["CustomResourceDefinition"], "1.22", "apiextensions.k8s.io/v1"),
    ("admissionregistration.k8s.io/v1beta1", &["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"], "1.22", "admissionregistration.k8s.io/v1"),
    ("apiregistration.k8s.io/v1beta1", &["APIService"], "1.22", "apiregistration.k8s.io/v1"),
    ("certificates.k8s.io/v1beta1", &["CertificateSigningRequest"], "1.22", "certificates.k8s.io/v1"),
    ("coordination.k8s.io/v1beta1", &["Lease"], "1.22", "coordination.k8s.io/v1"),
    ("scheduling.k8s.io/v1beta1", &["PriorityClass"], "1.22", "scheduling.k8s.io/v1"),
    ("storage.k8s.io/v1beta1", &["CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"], "1.22", "storage.k8s.io/v1"),
    ("batch/v1beta1", &["CronJob"], "1.25", "batch/v1"),
    ("batch/v2alpha1", &["CronJob"], "1.21", "batch/v1"),
    ("policy/v1beta1", &["PodDisruptionBudget"], "1.25", "policy/v1"),
    ("policy/v1beta1", &["PodSecurityPolicy"], "1.25", "Pod Security Admission (no replacement object)"),
    ("discovery.k8s.io/v1beta1", &["EndpointSlice"], "1.25", "discovery.k8s.io/v1"),
    ("events.k8s.io/v1beta1", &["Event"], "1.25", "events.k8s.io/v1"),
    ("node.k8s.io/v1beta1", &["RuntimeClass"], "1.25", "node.k8s.io/v1"),
    ("autoscaling/v2beta1", &["HorizontalPodAutoscaler"], "1.25", "autoscaling/v2"),
    ("autoscaling/v2beta2", &["HorizontalPodAutoscaler"], "1.26", "autoscaling/v2"),
    ("flowcontrol.apiserver.k8s.io/v1beta1", &["FlowSchema", "PriorityLevelConfiguration"], "1.26", "flowcontrol.apiserver.k8s.io/v1"),
    ("storage.k8s.io/v1beta1", &["CSIStorageCapacity"], "1.27", "storage.k8s.io/v1"),
    ("flowcontrol.apiserver.k8s.io/v1beta2", &["FlowSchema", "PriorityLevelConfiguration"], "1.29", "flowcontrol.apiserver.k8s.io/v1"),
    ("flowcontrol.apiserver.k8s.io/v1beta3", &["FlowSchema", "PriorityLevelConfiguration"], "1.32", "flowcontrol.apiserver.k8s.io/v1"),
];

fn check(object: &Object<'_>, out: &mut Report<'_>) {
    let removal = REMOVED
        .iter()
        .find(|(version, kinds, _, _)| *version == object.api_version && kinds.contains(&object.kind));
    let Some((version, _, removed_in, replacement)) = removal else { return };
    let report = out.at(
        Target::Value(object.path().key("apiVersion")),
        format!("{} is no longer served as {version}: removed in Kubernetes {removed_in}", object.kind),
    );
    report.help(format!("use {replacement}"));
    if let Some(same) = same_schema_replacement(version, object.kind) {
        report.fix(Fix::Replace(same.to_string()));
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

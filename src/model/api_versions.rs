//! The lifecycle of built-in API versions: when Kubernetes deprecated each
//! one and when it stopped serving it, and the cluster version a run judges
//! them for. Source: the Kubernetes deprecated API migration guide
//! (kubernetes.io/docs/reference/using-api/deprecation-guide) and the
//! release notes it links, for every removal from 1.16 through 1.37 (the
//! last one the guide lists is 1.32's).

use std::fmt;
use std::str::FromStr;

/// A Kubernetes minor release, `1.29`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct KubeVersion {
    pub major: u16,
    pub minor: u16,
}

impl KubeVersion {
    pub const fn new(major: u16, minor: u16) -> Self {
        KubeVersion { major, minor }
    }

    /// The newest release podlint knows (its k8s-openapi schema's).
    pub const NEWEST: KubeVersion = KubeVersion::new(1, 37);
}

impl Default for KubeVersion {
    fn default() -> Self {
        KubeVersion::NEWEST
    }
}

impl fmt::Display for KubeVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

impl FromStr for KubeVersion {
    type Err = String;

    /// `1.29`, also written `v1.29` or `1.29.3` (the patch release is ignored).
    fn from_str(text: &str) -> Result<Self, String> {
        let bad = || format!("`{text}` is not a Kubernetes version such as 1.29");
        let trimmed = text.trim();
        let trimmed = trimmed.strip_prefix('v').unwrap_or(trimmed);
        let mut parts = trimmed.split('.');
        let major = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
        let minor = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
        let patch_ok = match parts.next() {
            None => true,
            Some(patch) => patch.parse::<u32>().is_ok() && parts.next().is_none(),
        };
        if major != 1 || !patch_ok {
            return Err(bad());
        }
        Ok(KubeVersion::new(major, minor))
    }
}

/// One API version of some kinds: deprecated in one release, removed in a
/// later one (or not yet scheduled for removal).
#[derive(Debug)]
pub struct Lifecycle {
    pub api_version: &'static str,
    pub kinds: &'static [&'static str],
    pub deprecated_in: KubeVersion,
    pub removed_in: Option<KubeVersion>,
    pub replacement: &'static str,
}

const fn v(minor: u16) -> KubeVersion {
    KubeVersion::new(1, minor)
}

const fn row(
    api_version: &'static str,
    kinds: &'static [&'static str],
    deprecated_in: u16,
    removed_in: u16,
    replacement: &'static str,
) -> Lifecycle {
    Lifecycle {
        api_version,
        kinds,
        deprecated_in: v(deprecated_in),
        removed_in: Some(v(removed_in)),
        replacement,
    }
}

const WORKLOADS: &[&str] = &["Deployment", "DaemonSet", "ReplicaSet", "StatefulSet"];
const RBAC: &[&str] = &["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"];
const FLOW_CONTROL: &[&str] = &["FlowSchema", "PriorityLevelConfiguration"];

/// Every deprecation and removal of a built-in API version, by removal.
pub static API_VERSIONS: &[Lifecycle] = &[
    // Removed in 1.16.
    row(
        "extensions/v1beta1",
        &["Deployment", "DaemonSet", "ReplicaSet"],
        9,
        16,
        "apps/v1",
    ),
    row(
        "extensions/v1beta1",
        &["NetworkPolicy"],
        9,
        16,
        "networking.k8s.io/v1",
    ),
    row(
        "extensions/v1beta1",
        &["PodSecurityPolicy"],
        11,
        16,
        "policy/v1beta1, itself removed in 1.25: use Pod Security Admission",
    ),
    row(
        "apps/v1beta1",
        &["Deployment", "StatefulSet", "ReplicaSet"],
        9,
        16,
        "apps/v1",
    ),
    row("apps/v1beta2", WORKLOADS, 9, 16, "apps/v1"),
    // Removed in 1.21 (an alpha version).
    row("batch/v2alpha1", &["CronJob"], 8, 21, "batch/v1"),
    // Removed in 1.22.
    row(
        "admissionregistration.k8s.io/v1beta1",
        &[
            "MutatingWebhookConfiguration",
            "ValidatingWebhookConfiguration",
        ],
        16,
        22,
        "admissionregistration.k8s.io/v1",
    ),
    row(
        "apiextensions.k8s.io/v1beta1",
        &["CustomResourceDefinition"],
        16,
        22,
        "apiextensions.k8s.io/v1",
    ),
    row(
        "apiregistration.k8s.io/v1beta1",
        &["APIService"],
        19,
        22,
        "apiregistration.k8s.io/v1",
    ),
    row(
        "authentication.k8s.io/v1beta1",
        &["TokenReview"],
        19,
        22,
        "authentication.k8s.io/v1",
    ),
    row(
        "authorization.k8s.io/v1beta1",
        &[
            "SubjectAccessReview",
            "LocalSubjectAccessReview",
            "SelfSubjectAccessReview",
        ],
        19,
        22,
        "authorization.k8s.io/v1",
    ),
    row(
        "certificates.k8s.io/v1beta1",
        &["CertificateSigningRequest"],
        19,
        22,
        "certificates.k8s.io/v1",
    ),
    row(
        "coordination.k8s.io/v1beta1",
        &["Lease"],
        19,
        22,
        "coordination.k8s.io/v1",
    ),
    row(
        "extensions/v1beta1",
        &["Ingress"],
        14,
        22,
        "networking.k8s.io/v1",
    ),
    row(
        "networking.k8s.io/v1beta1",
        &["Ingress", "IngressClass"],
        19,
        22,
        "networking.k8s.io/v1",
    ),
    row(
        "rbac.authorization.k8s.io/v1beta1",
        RBAC,
        17,
        22,
        "rbac.authorization.k8s.io/v1",
    ),
    row(
        "rbac.authorization.k8s.io/v1alpha1",
        RBAC,
        17,
        22,
        "rbac.authorization.k8s.io/v1",
    ),
    row(
        "scheduling.k8s.io/v1beta1",
        &["PriorityClass"],
        14,
        22,
        "scheduling.k8s.io/v1",
    ),
    row(
        "storage.k8s.io/v1beta1",
        &["CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"],
        19,
        22,
        "storage.k8s.io/v1",
    ),
    // Removed in 1.25.
    row("batch/v1beta1", &["CronJob"], 21, 25, "batch/v1"),
    row(
        "discovery.k8s.io/v1beta1",
        &["EndpointSlice"],
        21,
        25,
        "discovery.k8s.io/v1",
    ),
    row(
        "events.k8s.io/v1beta1",
        &["Event"],
        22,
        25,
        "events.k8s.io/v1",
    ),
    row(
        "autoscaling/v2beta1",
        &["HorizontalPodAutoscaler"],
        22,
        25,
        "autoscaling/v2",
    ),
    row(
        "policy/v1beta1",
        &["PodDisruptionBudget"],
        21,
        25,
        "policy/v1",
    ),
    row(
        "policy/v1beta1",
        &["PodSecurityPolicy"],
        21,
        25,
        "Pod Security Admission (no replacement object)",
    ),
    row(
        "node.k8s.io/v1beta1",
        &["RuntimeClass"],
        20,
        25,
        "node.k8s.io/v1",
    ),
    // Removed in 1.26.
    row(
        "flowcontrol.apiserver.k8s.io/v1beta1",
        FLOW_CONTROL,
        23,
        26,
        "flowcontrol.apiserver.k8s.io/v1",
    ),
    row(
        "autoscaling/v2beta2",
        &["HorizontalPodAutoscaler"],
        23,
        26,
        "autoscaling/v2",
    ),
    // Removed in 1.27.
    row(
        "storage.k8s.io/v1beta1",
        &["CSIStorageCapacity"],
        24,
        27,
        "storage.k8s.io/v1",
    ),
    // Removed in 1.29.
    row(
        "flowcontrol.apiserver.k8s.io/v1beta2",
        FLOW_CONTROL,
        26,
        29,
        "flowcontrol.apiserver.k8s.io/v1",
    ),
    // Removed in 1.32.
    row(
        "flowcontrol.apiserver.k8s.io/v1beta3",
        FLOW_CONTROL,
        29,
        32,
        "flowcontrol.apiserver.k8s.io/v1",
    ),
    // Deprecated, with no removal scheduled.
    Lifecycle {
        api_version: "v1",
        kinds: &["ComponentStatus"],
        deprecated_in: v(19),
        removed_in: None,
        replacement: "the API server's /livez and /readyz endpoints",
    },
    Lifecycle {
        api_version: "v1",
        kinds: &["Endpoints"],
        deprecated_in: v(33),
        removed_in: None,
        replacement: "discovery.k8s.io/v1 EndpointSlice",
    },
];

/// The lifecycle of `kind` under `api_version`, when it is deprecated.
pub fn lifecycle(api_version: &str, kind: &str) -> Option<&'static Lifecycle> {
    API_VERSIONS
        .iter()
        .find(|row| row.api_version == api_version && row.kinds.contains(&kind))
}

#[cfg(test)]
mod tests {
    use super::{lifecycle, KubeVersion, API_VERSIONS};

    #[test]
    fn every_row_is_deprecated_before_it_is_removed() {
        for row in API_VERSIONS {
            if let Some(removed) = row.removed_in {
                assert!(row.deprecated_in < removed, "{row:?}");
                assert!(removed <= KubeVersion::NEWEST, "{row:?}");
            }
        }
    }

    #[test]
    fn a_kind_has_one_row_per_api_version() {
        for (i, row) in API_VERSIONS.iter().enumerate() {
            for kind in row.kinds {
                let first = API_VERSIONS
                    .iter()
                    .position(|r| r.api_version == row.api_version && r.kinds.contains(kind));
                assert_eq!(first, Some(i), "{} {kind} twice", row.api_version);
            }
        }
        assert!(lifecycle("apps/v1", "Deployment").is_none());
    }

    #[test]
    fn versions_parse_as_people_write_them() {
        assert_eq!("1.29".parse(), Ok(KubeVersion::new(1, 29)));
        assert_eq!("v1.31".parse(), Ok(KubeVersion::new(1, 31)));
        assert_eq!("1.30.4".parse(), Ok(KubeVersion::new(1, 30)));
        for bad in ["1", "1.x", "2.0", "1.29.x", "", "1.29.1.2"] {
            assert!(bad.parse::<KubeVersion>().is_err(), "{bad}");
        }
        assert_eq!(KubeVersion::new(1, 9).to_string(), "1.9");
        assert!(KubeVersion::new(1, 9) < KubeVersion::new(1, 16));
    }
}

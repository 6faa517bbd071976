//! The kinds podlint types besides workloads, for field checks only: their
//! typed value is not kept, only what typing found wrong.

use k8s_openapi::api::{
    autoscaling::{v1 as autoscaling_v1, v2 as autoscaling_v2},
    core::v1::{ConfigMap, Namespace, PersistentVolumeClaim, Secret, Service, ServiceAccount},
    networking::v1::{Ingress, NetworkPolicy},
    policy::v1::PodDisruptionBudget,
    rbac::v1::{ClusterRole, ClusterRoleBinding, Role, RoleBinding},
};
use k8s_openapi::Resource;
use serde::de::DeserializeOwned;

use super::de::{from_node, TypingReport};
use crate::source::Node;

type Typer = fn(&Node) -> TypingReport;

fn typer<T: DeserializeOwned>(node: &Node) -> TypingReport {
    from_node::<T>(node, None).1
}

macro_rules! kinds {
    ($($ty:ty),* $(,)?) => {
        /// (apiVersion, kind, typing function) of every other kind podlint checks.
        const OTHER_KINDS: &[(&str, &str, Typer)] = &[
            $((<$ty as Resource>::API_VERSION, <$ty as Resource>::KIND, typer::<$ty>)),*
        ];
    };
}

kinds!(
    ConfigMap,
    Secret,
    Service,
    ServiceAccount,
    Namespace,
    PersistentVolumeClaim,
    Ingress,
    NetworkPolicy,
    PodDisruptionBudget,
    autoscaling_v1::HorizontalPodAutoscaler,
    autoscaling_v2::HorizontalPodAutoscaler,
    Role,
    ClusterRole,
    RoleBinding,
    ClusterRoleBinding,
);

/// Types an object of another known kind, when podlint knows its schema.
pub fn check_fields(api_version: &str, kind: &str, node: &Node) -> Option<TypingReport> {
    OTHER_KINDS
        .iter()
        .find(|(v, k, _)| *v == api_version && *k == kind)
        .map(|(_, _, typer)| typer(node))
}

//! The workload kinds that carry a Pod spec, typed with k8s-openapi.

use k8s_openapi::api::{
    apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet},
    batch::v1::{CronJob, Job},
    core::v1::{Pod, PodSpec, PodTemplate, PodTemplateSpec, ReplicationController},
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::Resource;

use super::de::{from_node_hollow, TypingReport};
use super::path::FieldPath;
use crate::source::{Node, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WorkloadKind {
    Pod,
    PodTemplate,
    Deployment,
    StatefulSet,
    DaemonSet,
    ReplicaSet,
    ReplicationController,
    Job,
    CronJob,
}

/// API versions that older Kubernetes served for a kind: objects written
/// with them are typed with today's schema so their Pod specs are linted.
const OLDER_API_VERSIONS: &[(&str, &[&str])] = &[
    (
        "Deployment",
        &["extensions/v1beta1", "apps/v1beta1", "apps/v1beta2"],
    ),
    ("DaemonSet", &["extensions/v1beta1", "apps/v1beta2"]),
    ("StatefulSet", &["apps/v1beta1", "apps/v1beta2"]),
    ("ReplicaSet", &["extensions/v1beta1", "apps/v1beta2"]),
    ("CronJob", &["batch/v1beta1", "batch/v2alpha1"]),
];

impl WorkloadKind {
    pub fn from_kind(kind: &str) -> Option<Self> {
        Some(match kind {
            "Pod" => Self::Pod,
            "PodTemplate" => Self::PodTemplate,
            "Deployment" => Self::Deployment,
            "StatefulSet" => Self::StatefulSet,
            "DaemonSet" => Self::DaemonSet,
            "ReplicaSet" => Self::ReplicaSet,
            "ReplicationController" => Self::ReplicationController,
            "Job" => Self::Job,
            "CronJob" => Self::CronJob,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Pod => "Pod",
            Self::PodTemplate => "PodTemplate",
            Self::Deployment => "Deployment",
            Self::StatefulSet => "StatefulSet",
            Self::DaemonSet => "DaemonSet",
            Self::ReplicaSet => "ReplicaSet",
            Self::ReplicationController => "ReplicationController",
            Self::Job => "Job",
            Self::CronJob => "CronJob",
        }
    }

    pub fn api_version(self) -> &'static str {
        match self {
            Self::Pod => Pod::API_VERSION,
            Self::PodTemplate => PodTemplate::API_VERSION,
            Self::Deployment => Deployment::API_VERSION,
            Self::StatefulSet => StatefulSet::API_VERSION,
            Self::DaemonSet => DaemonSet::API_VERSION,
            Self::ReplicaSet => ReplicaSet::API_VERSION,
            Self::ReplicationController => ReplicationController::API_VERSION,
            Self::Job => Job::API_VERSION,
            Self::CronJob => CronJob::API_VERSION,
        }
    }

    /// Whether podlint types an object of this kind written with `api_version`.
    pub fn accepts(self, api_version: &str) -> bool {
        api_version == self.api_version()
            || OLDER_API_VERSIONS
                .iter()
                .any(|(kind, versions)| *kind == self.name() && versions.contains(&api_version))
    }

    /// Where the Pod template (metadata + spec) sits in the object.
    pub fn template_path(self) -> FieldPath {
        let root = FieldPath::root();
        match self {
            Self::Pod => root,
            Self::PodTemplate => root.key("template"),
            Self::CronJob => root.keys("spec.jobTemplate.spec.template"),
            _ => root.keys("spec.template"),
        }
    }

    /// Job-like workloads run to completion; the others are long-running.
    pub fn runs_to_completion(self) -> bool {
        matches!(self, Self::Job | Self::CronJob)
    }

    pub fn is_controller(self) -> bool {
        !matches!(self, Self::Pod | Self::PodTemplate)
    }

    /// apps/v1 controllers must have a label selector.
    pub fn requires_selector(self) -> bool {
        matches!(
            self,
            Self::Deployment | Self::StatefulSet | Self::DaemonSet | Self::ReplicaSet
        )
    }
}

/// A typed workload object. Every variant is a few KB, so boxing one would
/// not make the enum smaller where it matters.
#[allow(clippy::large_enum_variant)]
pub enum Workload {
    Pod(Pod),
    PodTemplate(PodTemplate),
    Deployment(Deployment),
    StatefulSet(StatefulSet),
    DaemonSet(DaemonSet),
    ReplicaSet(ReplicaSet),
    ReplicationController(ReplicationController),
    Job(Job),
    CronJob(CronJob),
}

/// The Pod template of a workload: its metadata and spec.
pub struct Template<'a> {
    pub metadata: Option<&'a ObjectMeta>,
    pub spec: &'a PodSpec,
}

impl Workload {
    /// Types `node`, reading the lists at `hollow` as empty (a large Pod's
    /// container lists, typed one container at a time).
    pub fn type_node(
        kind: WorkloadKind,
        node: &Node,
        api_version: &str,
        hollow: &[Span],
    ) -> (Option<Self>, TypingReport) {
        let replace = (api_version != kind.api_version()).then(|| kind.api_version());
        fn typed<T: serde::de::DeserializeOwned>(
            (node, replace, hollow): (&Node, Option<&'static str>, &[Span]),
            wrap: fn(T) -> Workload,
        ) -> (Option<Workload>, TypingReport) {
            let (value, report) = from_node_hollow::<T>(node, replace, hollow);
            (value.map(wrap), report)
        }
        let input = (node, replace, hollow);
        match kind {
            WorkloadKind::Pod => typed(input, Workload::Pod),
            WorkloadKind::PodTemplate => typed(input, Workload::PodTemplate),
            WorkloadKind::Deployment => typed(input, Workload::Deployment),
            WorkloadKind::StatefulSet => typed(input, Workload::StatefulSet),
            WorkloadKind::DaemonSet => typed(input, Workload::DaemonSet),
            WorkloadKind::ReplicaSet => typed(input, Workload::ReplicaSet),
            WorkloadKind::ReplicationController => typed(input, Workload::ReplicationController),
            WorkloadKind::Job => typed(input, Workload::Job),
            WorkloadKind::CronJob => typed(input, Workload::CronJob),
        }
    }

    pub fn metadata(&self) -> &ObjectMeta {
        match self {
            Workload::Pod(o) => &o.metadata,
            Workload::PodTemplate(o) => &o.metadata,
            Workload::Deployment(o) => &o.metadata,
            Workload::StatefulSet(o) => &o.metadata,
            Workload::DaemonSet(o) => &o.metadata,
            Workload::ReplicaSet(o) => &o.metadata,
            Workload::ReplicationController(o) => &o.metadata,
            Workload::Job(o) => &o.metadata,
            Workload::CronJob(o) => &o.metadata,
        }
    }

    /// The Pod template, when the object has one with a spec.
    pub fn template(&self) -> Option<Template<'_>> {
        fn from(t: &PodTemplateSpec) -> Option<Template<'_>> {
            t.spec.as_ref().map(|spec| Template {
                metadata: t.metadata.as_ref(),
                spec,
            })
        }
        match self {
            Workload::Pod(o) => o.spec.as_ref().map(|spec| Template {
                metadata: Some(&o.metadata),
                spec,
            }),
            Workload::PodTemplate(o) => o.template.as_ref().and_then(from),
            Workload::Deployment(o) => from(&o.spec.template),
            Workload::StatefulSet(o) => from(&o.spec.template),
            Workload::DaemonSet(o) => from(&o.spec.template),
            Workload::ReplicaSet(o) => o.spec.template.as_ref().and_then(from),
            Workload::ReplicationController(o) => o
                .spec
                .as_ref()
                .and_then(|s| s.template.as_ref().and_then(from)),
            Workload::Job(o) => o.spec.as_ref().and_then(|s| from(&s.template)),
            Workload::CronJob(o) => o
                .spec
                .job_template
                .spec
                .as_ref()
                .and_then(|s| from(&s.template)),
        }
    }

    /// The label selector of a controller (ReplicationController's is a plain map).
    pub fn selector(&self) -> Option<Selector<'_>> {
        match self {
            Workload::Deployment(o) => Some(Selector::Labels(&o.spec.selector)),
            Workload::StatefulSet(o) => Some(Selector::Labels(&o.spec.selector)),
            Workload::DaemonSet(o) => Some(Selector::Labels(&o.spec.selector)),
            Workload::ReplicaSet(o) => Some(Selector::Labels(&o.spec.selector)),
            Workload::ReplicationController(o) => o
                .spec
                .as_ref()
                .and_then(|s| s.selector.as_ref())
                .map(Selector::Map),
            Workload::Job(o) => o
                .spec
                .as_ref()
                .and_then(|s| s.selector.as_ref())
                .map(Selector::Labels),
            Workload::Pod(_) | Workload::PodTemplate(_) | Workload::CronJob(_) => None,
        }
    }
}

pub enum Selector<'a> {
    Labels(&'a LabelSelector),
    Map(&'a std::collections::BTreeMap<String, String>),
}

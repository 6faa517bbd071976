//! Pod specs inside custom resources: the table of where well-known kinds
//! keep them (Argo, Knative, KubeRay, Kubeflow, JobSet, Tekton, Spark...),
//! the kinds a config adds, and the typing of what is found there.
//!
//! A custom resource either embeds a whole Pod template or Pod spec, typed as
//! it is written, or lists containers that its controller assembles into a
//! Pod (an Argo template, a Tekton task, a Spark driver): those are gathered
//! into a Pod spec of their own, every node keeping its span, so that the
//! Pod-spec rules report at the lines a person edits.

use k8s_openapi::api::core::v1::{Container, PodSpec, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use std::borrow::Cow;

use super::de::{from_node, from_node_hollow, TypingReport};
use super::path::FieldPath;
use super::{
    large_pod_lists, type_each_container, ContainerListNodes, ContainerRole,
    CONTAINERS_TYPED_AT_ONCE,
};
use crate::source::{Entry, Node, Scalar, ScalarStyle, Span, Value};

/// How a custom resource's Pods live, which decides the probe and Job rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lifecycle {
    /// Serves until replaced: probe rules apply.
    LongRunning,
    /// Runs its work and exits: `job-sidecar-never-exits` applies.
    RunsToCompletion,
    /// Runs until its owner stops it (an MPI worker, a RayJob's cluster):
    /// neither probes nor an exit are expected of it.
    StoppedByOwner,
}

/// Which probes the kind's controller adds when a container has none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OwnerProbes {
    None,
    /// Knative adds a TCP readiness probe.
    Readiness,
    /// KubeRay adds readiness and liveness probes to Ray containers.
    Both,
}

/// What sits at a Pod's path.
#[derive(Clone, Copy, Debug)]
pub enum Form {
    /// A PodTemplateSpec: `metadata` and `spec`.
    Template,
    /// A PodSpec.
    Spec,
    /// Containers that the controller assembles into one Pod.
    Assembled(&'static Assembly),
}

/// How the containers of one assembled Pod are found, relative to the node
/// the Pod pattern matched (an Argo template, a Tekton task spec...).
#[derive(Debug)]
pub struct Assembly {
    pub containers: &'static [Source],
    /// Pod-level fields: (PodSpec field, where it is written relative to the node).
    pub pod_fields: &'static [(&'static str, &'static str)],
    /// Where the object writes Pod-level fields that the node does not
    /// (Argo's workflow-level `securityContext`), from the object's root.
    pub shared_fields: Option<&'static str>,
    /// Volumes declared for every Pod of the object (their names are mountable).
    pub shared_volumes: &'static [&'static str],
}

/// Where some containers of an assembled Pod are.
#[derive(Debug)]
pub struct Source {
    /// Relative to the node the Pod pattern matched; `""` is the node itself.
    pub at: &'static str,
    pub role: ContainerRole,
    /// One container rather than a list.
    pub single: bool,
    /// The name the controller gives a container written without one.
    pub name: Option<&'static str>,
    /// Fields the containers inherit when they do not write them: (where,
    /// which keys, or all). Tekton's `stepTemplate`, Argo's `containerSet.volumeMounts`.
    pub defaults: Option<(Anchor, Option<&'static [&'static str]>)>,
}

const fn list(at: &'static str, role: ContainerRole) -> Source {
    Source {
        at,
        role,
        single: false,
        name: None,
        defaults: None,
    }
}

const fn single(at: &'static str, name: &'static str) -> Source {
    Source {
        at,
        role: ContainerRole::Regular,
        single: true,
        name: Some(name),
        defaults: None,
    }
}

/// Where a path starts.
#[derive(Clone, Copy, Debug)]
pub enum Anchor {
    /// The node the Pod pattern matched.
    Node(&'static str),
    /// The object's root.
    Root(&'static str),
}

/// How the kind writes containers, beyond the core Container schema.
#[derive(Debug)]
pub struct Dialect {
    /// Keys of the kind's own container type that are not Container fields.
    pub container_keys: &'static [&'static str],
    /// Keys of the kind's own Pod-spec type that are not PodSpec fields.
    pub spec_keys: &'static [&'static str],
    /// (written, Container field): Tekton's `computeResources` is `resources`.
    pub renamed: &'static [(&'static str, &'static str)],
    /// The name the controller gives a container written without one
    /// (Knative, Tekton): a missing name is then not an error.
    pub default_name: Option<&'static str>,
    /// Unknown keys are reported: the kind's schema is the core one.
    pub strict: bool,
    /// The controller sets requests and limits (Spark, from cores and memory).
    pub resources_by_owner: bool,
    /// Volumes the controller adds to every Pod, which containers may mount.
    pub owner_volumes: &'static [&'static str],
    pub probes: OwnerProbes,
}

const CORE: Dialect = Dialect {
    container_keys: &[],
    spec_keys: &[],
    renamed: &[],
    default_name: None,
    strict: true,
    resources_by_owner: false,
    owner_volumes: &[],
    probes: OwnerProbes::None,
};

const RAY: Dialect = Dialect {
    probes: OwnerProbes::Both,
    // The token volume of `authOptions.enableK8sTokenAuth`.
    owner_volumes: &["ray-token"],
    ..CORE
};

const KNATIVE: Dialect = Dialect {
    spec_keys: &[
        "containerConcurrency",
        "timeoutSeconds",
        "responseStartTimeoutSeconds",
        "idleTimeoutSeconds",
    ],
    default_name: Some("user-container"),
    probes: OwnerProbes::Readiness,
    ..CORE
};

const ARGO: Dialect = Dialect {
    // `source` of a script, `dependencies` in a container set,
    // `mirrorVolumeMounts` of init containers and sidecars.
    container_keys: &["source", "dependencies", "mirrorVolumeMounts"],
    ..CORE
};

const TEKTON: Dialect = Dialect {
    container_keys: &[
        "script",
        "timeout",
        "workspaces",
        "onError",
        "stdoutConfig",
        "stderrConfig",
        "ref",
        "params",
        "results",
        "when",
        "displayName",
    ],
    renamed: &[("computeResources", "resources")],
    default_name: Some("step"),
    ..CORE
};

const SPARK: Dialect = Dialect {
    // A driver or executor is Spark's own type: only its Container-like
    // fields are read, and its other keys are not podlint's to judge.
    strict: false,
    resources_by_owner: true,
    ..CORE
};

/// One place a kind keeps Pods.
#[derive(Debug)]
pub struct PodPlace {
    /// `spec.templates[]`: keys, `[]` for every item of a list.
    pub pattern: &'static str,
    pub form: Form,
    pub lifecycle: Lifecycle,
}

/// A kind whose objects embed Pods.
#[derive(Debug)]
pub struct CustomKind {
    /// The API group (`argoproj.io`); every version of it matches.
    pub group: &'static str,
    pub kind: &'static str,
    pub places: &'static [PodPlace],
    pub dialect: &'static Dialect,
}

use Lifecycle::{LongRunning, RunsToCompletion, StoppedByOwner};

const fn template(pattern: &'static str, lifecycle: Lifecycle) -> PodPlace {
    PodPlace {
        pattern,
        form: Form::Template,
        lifecycle,
    }
}

const fn assembled(
    pattern: &'static str,
    assembly: &'static Assembly,
    lifecycle: Lifecycle,
) -> PodPlace {
    PodPlace {
        pattern,
        form: Form::Assembled(assembly),
        lifecycle,
    }
}

const ARGO_TEMPLATE: Assembly = Assembly {
    containers: &[
        single("container", "main"),
        single("script", "main"),
        Source {
            defaults: Some((Anchor::Node("containerSet"), Some(&["volumeMounts"]))),
            ..list("containerSet.containers", ContainerRole::Regular)
        },
        list("initContainers", ContainerRole::Init),
        // Argo stops sidecars once the main container is done.
        list("sidecars", ContainerRole::Sidecar),
    ],
    pod_fields: &[
        ("volumes", "volumes"),
        ("securityContext", "securityContext"),
        ("nodeSelector", "nodeSelector"),
        ("tolerations", "tolerations"),
        ("affinity", "affinity"),
        ("serviceAccountName", "serviceAccountName"),
        (
            "automountServiceAccountToken",
            "automountServiceAccountToken",
        ),
        ("priorityClassName", "priorityClassName"),
        ("schedulerName", "schedulerName"),
        ("hostAliases", "hostAliases"),
    ],
    shared_fields: Some("spec"),
    shared_volumes: &["spec.volumes", "spec.volumeClaimTemplates"],
};

const CRON_WORKFLOW_TEMPLATE: Assembly = Assembly {
    shared_fields: Some("spec.workflowSpec"),
    shared_volumes: &[
        "spec.workflowSpec.volumes",
        "spec.workflowSpec.volumeClaimTemplates",
    ],
    ..ARGO_TEMPLATE
};

const TEKTON_TASK: Assembly = Assembly {
    containers: &[
        Source {
            defaults: Some((Anchor::Node("stepTemplate"), None)),
            ..list("steps", ContainerRole::Regular)
        },
        // Tekton stops sidecars once the steps are done.
        list("sidecars", ContainerRole::Sidecar),
    ],
    pod_fields: &[("volumes", "volumes")],
    shared_fields: None,
    shared_volumes: &[],
};

const SPARK_DRIVER: Assembly = Assembly {
    containers: &[
        Source {
            defaults: SPARK_IMAGE,
            ..single("", "spark-kubernetes-driver")
        },
        list("initContainers", ContainerRole::Init),
        // The operator stops a driver's sidecars with it.
        list("sidecars", ContainerRole::Sidecar),
    ],
    pod_fields: &[
        ("securityContext", "podSecurityContext"),
        ("nodeSelector", "nodeSelector"),
        ("tolerations", "tolerations"),
        ("affinity", "affinity"),
        ("hostNetwork", "hostNetwork"),
        ("schedulerName", "schedulerName"),
        ("hostAliases", "hostAliases"),
        ("serviceAccountName", "serviceAccount"),
    ],
    shared_fields: None,
    shared_volumes: &["spec.volumes"],
};

/// A driver or executor without an image of its own runs the application's.
const SPARK_IMAGE: Option<(Anchor, Option<&[&str]>)> =
    Some((Anchor::Root("spec"), Some(&["image", "imagePullPolicy"])));

const SPARK_EXECUTOR: Assembly = Assembly {
    containers: &[
        Source {
            defaults: SPARK_IMAGE,
            ..single("", "spark-kubernetes-executor")
        },
        list("initContainers", ContainerRole::Init),
        list("sidecars", ContainerRole::Sidecar),
    ],
    ..SPARK_DRIVER
};

const ARGO_WORKFLOW: &[PodPlace] = &[assembled(
    "spec.templates[]",
    &ARGO_TEMPLATE,
    RunsToCompletion,
)];

const TEKTON_TASKS: &[PodPlace] = &[assembled("spec", &TEKTON_TASK, RunsToCompletion)];

const RAY_CLUSTER: &[PodPlace] = &[
    template("spec.headGroupSpec.template", LongRunning),
    template("spec.workerGroupSpecs[].template", LongRunning),
];

/// The Pods of a Kubeflow training job: one template per replica type.
macro_rules! replicas {
    ($specs:literal: $($replica:literal $lifecycle:expr),* $(,)?) => {
        &[$(template(concat!("spec.", $specs, ".", $replica, ".template"), $lifecycle)),*]
    };
}

/// Where well-known kinds keep Pods. Documented in the README ("Custom
/// resources"); a change here is a change there.
pub static BUILT_IN: &[CustomKind] = &[
    CustomKind {
        group: "argoproj.io",
        kind: "Rollout",
        places: &[template("spec.template", LongRunning)],
        dialect: &CORE,
    },
    CustomKind {
        group: "argoproj.io",
        kind: "Workflow",
        places: ARGO_WORKFLOW,
        dialect: &ARGO,
    },
    CustomKind {
        group: "argoproj.io",
        kind: "WorkflowTemplate",
        places: ARGO_WORKFLOW,
        dialect: &ARGO,
    },
    CustomKind {
        group: "argoproj.io",
        kind: "ClusterWorkflowTemplate",
        places: ARGO_WORKFLOW,
        dialect: &ARGO,
    },
    CustomKind {
        group: "argoproj.io",
        kind: "CronWorkflow",
        places: &[assembled(
            "spec.workflowSpec.templates[]",
            &CRON_WORKFLOW_TEMPLATE,
            RunsToCompletion,
        )],
        dialect: &ARGO,
    },
    CustomKind {
        group: "serving.knative.dev",
        kind: "Service",
        places: &[template("spec.template", LongRunning)],
        dialect: &KNATIVE,
    },
    CustomKind {
        group: "serving.knative.dev",
        kind: "Configuration",
        places: &[template("spec.template", LongRunning)],
        dialect: &KNATIVE,
    },
    CustomKind {
        group: "ray.io",
        kind: "RayCluster",
        places: RAY_CLUSTER,
        dialect: &RAY,
    },
    CustomKind {
        group: "ray.io",
        kind: "RayJob",
        places: &[
            // The cluster serves the job and is shut down after it.
            template("spec.rayClusterSpec.headGroupSpec.template", StoppedByOwner),
            template(
                "spec.rayClusterSpec.workerGroupSpecs[].template",
                StoppedByOwner,
            ),
            template("spec.submitterPodTemplate", RunsToCompletion),
        ],
        dialect: &RAY,
    },
    CustomKind {
        group: "ray.io",
        kind: "RayService",
        places: &[
            template("spec.rayClusterConfig.headGroupSpec.template", LongRunning),
            template(
                "spec.rayClusterConfig.workerGroupSpecs[].template",
                LongRunning,
            ),
        ],
        dialect: &RAY,
    },
    CustomKind {
        group: "kubeflow.org",
        kind: "PyTorchJob",
        places: replicas!("pytorchReplicaSpecs": "Master" RunsToCompletion, "Worker" RunsToCompletion),
        dialect: &CORE,
    },
    CustomKind {
        group: "kubeflow.org",
        kind: "TFJob",
        places: replicas!("tfReplicaSpecs":
            "Chief" RunsToCompletion, "Master" RunsToCompletion, "Worker" RunsToCompletion,
            "Evaluator" RunsToCompletion,
            // Parameter servers serve until the job ends.
            "PS" StoppedByOwner),
        dialect: &CORE,
    },
    CustomKind {
        group: "kubeflow.org",
        kind: "MPIJob",
        // Workers run sshd for the launcher, and are stopped with it.
        places: replicas!("mpiReplicaSpecs": "Launcher" RunsToCompletion, "Worker" StoppedByOwner),
        dialect: &CORE,
    },
    CustomKind {
        group: "kubeflow.org",
        kind: "XGBoostJob",
        places: replicas!("xgbReplicaSpecs": "Master" RunsToCompletion, "Worker" RunsToCompletion),
        dialect: &CORE,
    },
    CustomKind {
        group: "kubeflow.org",
        kind: "JAXJob",
        places: replicas!("jaxReplicaSpecs": "Worker" RunsToCompletion),
        dialect: &CORE,
    },
    CustomKind {
        group: "kubeflow.org",
        kind: "PaddleJob",
        places: replicas!("paddleReplicaSpecs": "Master" RunsToCompletion, "Worker" RunsToCompletion),
        dialect: &CORE,
    },
    CustomKind {
        group: "jobset.x-k8s.io",
        kind: "JobSet",
        places: &[template(
            "spec.replicatedJobs[].template.spec.template",
            RunsToCompletion,
        )],
        dialect: &CORE,
    },
    CustomKind {
        group: "leaderworkerset.x-k8s.io",
        kind: "LeaderWorkerSet",
        places: &[
            template("spec.leaderWorkerTemplate.leaderTemplate", LongRunning),
            template("spec.leaderWorkerTemplate.workerTemplate", LongRunning),
        ],
        dialect: &CORE,
    },
    CustomKind {
        group: "tekton.dev",
        kind: "Task",
        places: TEKTON_TASKS,
        dialect: &TEKTON,
    },
    CustomKind {
        group: "tekton.dev",
        kind: "ClusterTask",
        places: TEKTON_TASKS,
        dialect: &TEKTON,
    },
    CustomKind {
        group: "tekton.dev",
        kind: "Pipeline",
        places: &[
            assembled("spec.tasks[].taskSpec", &TEKTON_TASK, RunsToCompletion),
            assembled("spec.finally[].taskSpec", &TEKTON_TASK, RunsToCompletion),
        ],
        dialect: &TEKTON,
    },
    CustomKind {
        group: "sparkoperator.k8s.io",
        kind: "SparkApplication",
        places: &[
            assembled("spec.driver", &SPARK_DRIVER, RunsToCompletion),
            // Executors are stopped by the driver when the application ends.
            assembled("spec.executor", &SPARK_EXECUTOR, StoppedByOwner),
        ],
        dialect: &SPARK,
    },
    CustomKind {
        group: "apps.kruise.io",
        kind: "CloneSet",
        places: &[template("spec.template", LongRunning)],
        dialect: &CORE,
    },
    CustomKind {
        group: "apps.kruise.io",
        kind: "StatefulSet",
        places: &[template("spec.template", LongRunning)],
        dialect: &CORE,
    },
];

/// A kind that `.podlint.yaml` `pod-templates:` adds.
#[derive(Clone, Debug)]
pub struct ConfiguredKind {
    pub api_version: String,
    pub kind: String,
    /// Where its Pod templates, Pod specs or container lists are (`[]` for
    /// every item of a list); each is recognised by its shape.
    pub paths: Vec<String>,
    pub runs_to_completion: bool,
}

/// Which list of the assembled Pod spec a container is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContainerList {
    Containers,
    InitContainers,
}

/// A container of a custom resource's Pod, where it is written.
#[derive(Debug)]
pub struct PlacedContainer {
    pub list: ContainerList,
    pub index: usize,
    pub role: ContainerRole,
    /// From the document's root.
    pub path: FieldPath,
    /// Written with a name (not given one by its controller).
    pub named: bool,
    /// (the key the kind writes, Container field).
    pub renamed: &'static [(&'static str, &'static str)],
    pub resources_by_owner: bool,
}

/// A Pod found in a custom resource, typed.
#[derive(Debug)]
pub struct CustomPod {
    pub lifecycle: Lifecycle,
    pub probes: OwnerProbes,
    pub metadata: Option<ObjectMeta>,
    pub spec: PodSpec,
    /// From the document's root: the template (or the node the Pod is
    /// assembled from) and its spec (the same node for assembled Pods).
    pub template_path: FieldPath,
    pub spec_path: FieldPath,
    pub containers: Vec<PlacedContainer>,
    /// PodSpec fields written elsewhere than under `spec_path`.
    pub fields: Vec<(&'static str, FieldPath)>,
    /// Volumes the object declares for all its Pods.
    pub shared_volumes: Vec<String>,
    /// A large Pod (see [`CONTAINERS_TYPED_AT_ONCE`]): typed without its
    /// containers, each typed as a rule reads it. `containers` is then empty.
    pub containers_on_demand: Option<OnDemand>,
}

/// Where a large Pod's containers are read from when rules read them.
#[derive(Clone, Copy, Debug)]
pub enum OnDemand {
    /// The container lists of its Pod template or spec, written in this dialect.
    Lists(&'static Dialect),
    /// The containers its controller assembles, written in this dialect.
    Assembled(&'static Assembly, &'static Dialect),
}

/// The containers one [`Source`] gives an assembled Pod, as written.
#[derive(Debug)]
pub struct SourceNodes<'a> {
    source: &'static Source,
    /// The list's path (the container's, for a single one), from the
    /// document's root.
    path: FieldPath,
    pub items: &'a [Node],
    defaults: Option<(&'a Node, Option<&'static [&'static str]>)>,
}

/// A written container of an assembled Pod, in the core schema.
pub struct WrittenContainer<'a> {
    pub node: &'a Node,
    /// Adapted from `node` (see [`adapt_container`]).
    pub adapted: Node,
    pub path: FieldPath,
    pub role: ContainerRole,
    /// Written with a name (not given one by its controller).
    pub named: bool,
}

impl<'a> SourceNodes<'a> {
    /// Each written container (a mapping), in the core schema of `dialect`.
    pub fn containers(
        &self,
        dialect: &'static Dialect,
    ) -> impl Iterator<Item = WrittenContainer<'a>> + '_ {
        let items = self.items.iter().enumerate();
        items
            .filter(|(_, item)| item.as_map().is_some())
            .map(move |(i, node)| {
                let (adapted, named) =
                    adapt_container(node, dialect, self.source.name, self.defaults);
                let path = match self.source.single {
                    true => self.path.clone(),
                    false => self.path.index(i),
                };
                WrittenContainer {
                    node,
                    adapted,
                    path,
                    role: self.source.role,
                    named,
                }
            })
    }
}

/// The container sources of the Pod that `assembly` assembles from `at`
/// (at `path` from the document's root) in `object`.
pub fn assembled_sources<'a>(
    object: &'a Node,
    at: &'a Node,
    path: &FieldPath,
    assembly: &'static Assembly,
) -> Vec<SourceNodes<'a>> {
    let sources = assembly.containers.iter().filter_map(|source| {
        let node = lookup(at, source.at)?;
        let defaults = source.defaults.and_then(|(anchor, keys)| {
            let node = match anchor {
                Anchor::Node(path) => lookup(at, path),
                Anchor::Root(path) => lookup(object, path),
            }?;
            Some((node, keys))
        });
        let path = match source.at {
            "" => path.clone(),
            written => path.join(&dotted(written)),
        };
        let items = match source.single {
            true => std::slice::from_ref(node),
            false => node.as_seq().unwrap_or_default(),
        };
        Some(SourceNodes {
            source,
            path,
            items,
            defaults,
        })
    });
    sources.collect()
}

/// The Pods of an object, and what typing them found wrong.
#[derive(Debug, Default)]
pub struct Found {
    pub pods: Vec<CustomPod>,
    pub typing: TypingReport,
    /// A container without an image: a patch, or a kustomize base.
    pub partial: bool,
}

/// The Pods of a custom resource: by the built-in table, else by a kind the
/// config adds. `None` when podlint does not know where the kind keeps Pods.
pub fn find(
    api_version: &str,
    kind: &str,
    node: &Node,
    base: &FieldPath,
    configured: &[ConfiguredKind],
) -> Option<Found> {
    let group = api_version.split_once('/').map_or("", |(group, _)| group);
    let mut found = Found::default();
    if let Some(known) = BUILT_IN.iter().find(|k| k.kind == kind && k.group == group) {
        for place in known.places {
            for (path, at) in expand(node, FieldPath::root(), place.pattern) {
                let pod = Placed {
                    object: node,
                    base,
                    path: base.join(&path),
                    at,
                    lifecycle: place.lifecycle,
                    dialect: known.dialect,
                };
                match place.form {
                    Form::Template => pod.template(&mut found),
                    Form::Spec => pod.spec(&mut found),
                    Form::Assembled(assembly) => pod.assembled(assembly, &mut found),
                }
            }
        }
        return Some(found);
    }
    let configured = configured
        .iter()
        .find(|k| k.kind == kind && k.api_version == api_version)?;
    let lifecycle = if configured.runs_to_completion {
        RunsToCompletion
    } else {
        LongRunning
    };
    for pattern in &configured.paths {
        for (path, at) in expand(node, FieldPath::root(), pattern) {
            let pod = Placed {
                object: node,
                base,
                path: base.join(&path),
                at,
                lifecycle,
                dialect: &CORE,
            };
            // A path names a Pod template, a Pod spec or containers: its shape says which.
            match &at.value {
                Value::Seq(_) => pod.assembled(&CONFIGURED_CONTAINERS, &mut found),
                Value::Map(_) if at.get("containers").is_some() => pod.spec(&mut found),
                Value::Map(_) if at.get("spec").is_some() => pod.template(&mut found),
                Value::Map(_) if at.get("image").is_some() => {
                    pod.assembled(&CONFIGURED_CONTAINER, &mut found)
                }
                _ => {}
            }
        }
    }
    Some(found)
}

/// A configured path that holds a list of containers.
const CONFIGURED_CONTAINERS: Assembly = Assembly {
    containers: &[list("", ContainerRole::Regular)],
    pod_fields: &[],
    shared_fields: None,
    shared_volumes: &[],
};

/// A configured path that holds one container.
const CONFIGURED_CONTAINER: Assembly = Assembly {
    containers: &[Source {
        name: None,
        ..single("", "")
    }],
    ..CONFIGURED_CONTAINERS
};

/// The nodes a pattern such as `spec.templates[].container` matches, with
/// their paths; a part that does not exist matches nothing.
fn expand<'a>(node: &'a Node, path: FieldPath, pattern: &str) -> Vec<(FieldPath, &'a Node)> {
    let mut matched = vec![(path, node)];
    for part in pattern.split('.').filter(|p| !p.is_empty()) {
        let (key, every_item) = match part.strip_suffix("[]") {
            Some(key) => (key, true),
            None => (part, false),
        };
        let mut next = Vec::new();
        for (path, node) in matched {
            let Some(child) = node.get(key) else { continue };
            let path = path.key(key.to_string());
            if every_item {
                for (i, item) in child.as_seq().into_iter().flatten().enumerate() {
                    next.push((path.index(i), item));
                }
            } else {
                next.push((path, child));
            }
        }
        matched = next;
    }
    matched
}

/// One place of an object where a Pod is.
struct Placed<'a> {
    object: &'a Node,
    /// Where the object sits in its document.
    base: &'a FieldPath,
    /// From the document's root.
    path: FieldPath,
    at: &'a Node,
    lifecycle: Lifecycle,
    dialect: &'static Dialect,
}

impl Placed<'_> {
    fn template(&self, found: &mut Found) {
        let Some(spec) = self.at.get("spec").filter(|s| s.as_map().is_some()) else {
            return;
        };
        let large = large_pod_lists(Some(spec));
        let hollow: Vec<Span> = large
            .iter()
            .flatten()
            .map(|(_, list, _)| list.span)
            .collect();
        // Only an adapted spec needs a template of its own.
        let template = self.adapted_spec(spec, large.is_some()).map(|adapted| {
            let mut adapted = Some(adapted);
            let entries = self.at.as_map().unwrap_or_default().iter();
            let entries = entries.map(|entry| match (entry.key.as_str(), adapted.take()) {
                (Some("spec"), Some(adapted)) => Entry {
                    key: entry.key.clone(),
                    value: adapted,
                },
                (_, not_yet) => {
                    adapted = not_yet;
                    entry.clone()
                }
            });
            Node {
                span: self.at.span,
                value: Value::Map(entries.collect()),
            }
        });
        let node = template.as_ref().unwrap_or(self.at);
        let (typed, report) = from_node_hollow::<PodTemplateSpec>(node, None, &hollow);
        let (typed, report) = self.with_containers(typed, report, large.as_deref());
        self.merge(report, found);
        let Some(PodTemplateSpec {
            metadata,
            spec: Some(spec),
        }) = typed
        else {
            return;
        };
        let spec_path = self.path.key("spec");
        self.push(
            found,
            metadata,
            spec,
            self.path.clone(),
            spec_path,
            spec_node_containers(self.at.get("spec")),
            large,
        );
    }

    fn spec(&self, found: &mut Found) {
        let large = large_pod_lists(Some(self.at));
        let hollow: Vec<Span> = large
            .iter()
            .flatten()
            .map(|(_, list, _)| list.span)
            .collect();
        let adapted = self.adapted_spec(self.at, large.is_some());
        let node = adapted.as_ref().unwrap_or(self.at);
        let (typed, report) = from_node_hollow::<PodSpec>(node, None, &hollow);
        let (typed, report) = self.with_containers(typed, report, large.as_deref());
        self.merge(report, found);
        if let Some(spec) = typed {
            self.push(
                found,
                None,
                spec,
                self.path.clone(),
                self.path.clone(),
                spec_node_containers(Some(self.at)),
                large,
            );
        }
    }

    /// A large Pod `typed` without its container `lists` and its `report`,
    /// with what typing each container finds wrong in it (see
    /// `super::type_each_container`): `None` when typing gives up on it.
    fn with_containers<T>(
        &self,
        typed: Option<T>,
        report: TypingReport,
        lists: Option<&[ContainerListNodes<'_>]>,
    ) -> (Option<T>, TypingReport) {
        let Some(lists) = lists else {
            return (typed, report);
        };
        let dialect = self.dialect;
        let (report, gave_up) =
            type_each_container(report, lists, |item| in_core_schema(item, dialect));
        (typed.filter(|_| !gave_up), report)
    }

    /// The written Pod spec in the core schema: the kind's own spec keys
    /// left out and default container names given; a large Pod's container
    /// lists left empty (`hollow`), not copied. `None` when it already is.
    fn adapted_spec(&self, spec: &Node, hollow: bool) -> Option<Node> {
        let dialect = self.dialect;
        if !adapts_spec(dialect) {
            return None;
        }
        let Value::Map(entries) = &spec.value else {
            return Some(spec.clone());
        };
        let kept = entries.iter().filter(|e| {
            !e.key
                .as_str()
                .is_some_and(|k| dialect.spec_keys.contains(&k))
        });
        let adapted = kept.map(|entry| {
            let containers = matches!(entry.key.as_str(), Some("containers" | "initContainers"));
            let Value::Seq(items) = &entry.value.value else {
                return entry.clone();
            };
            if !containers {
                return entry.clone();
            }
            let items = match hollow {
                true => Vec::new(),
                false => items
                    .iter()
                    .map(|item| adapt_container(item, dialect, None, None).0)
                    .collect(),
            };
            Entry {
                key: entry.key.clone(),
                value: Node {
                    span: entry.value.span,
                    value: Value::Seq(items),
                },
            }
        });
        Some(Node {
            span: spec.span,
            value: Value::Map(adapted.collect()),
        })
    }

    fn assembled(&self, assembly: &'static Assembly, found: &mut Found) {
        let dialect = self.dialect;
        let mut spec = PodSpec::default();
        let mut placed = Vec::new();
        let mut report = TypingReport::default();
        let sources = assembled_sources(self.object, self.at, &self.path, assembly);
        let count: usize = sources.iter().map(|source| source.items.len()).sum();
        // A large Pod's containers are typed here for what typing finds
        // wrong in them, and again one at a time as rules read them.
        let on_demand = count > CONTAINERS_TYPED_AT_ONCE;
        let mut any_typed = false;
        for source in &sources {
            for written in source.containers(dialect) {
                let (typed, typing) = from_node::<Container>(&written.adapted, None);
                absorb(&mut report, typing);
                let Some(container) = typed else { continue };
                found.partial |= written.adapted.get("image").is_none();
                any_typed = true;
                if on_demand {
                    continue;
                }
                let list = if written.role == ContainerRole::Init {
                    let init = spec.init_containers.get_or_insert_with(Vec::new);
                    init.push(container);
                    ContainerList::InitContainers
                } else {
                    spec.containers.push(container);
                    ContainerList::Containers
                };
                let index = match list {
                    ContainerList::Containers => spec.containers.len() - 1,
                    ContainerList::InitContainers => {
                        spec.init_containers.as_ref().map_or(0, |l| l.len() - 1)
                    }
                };
                placed.push(PlacedContainer {
                    list,
                    index,
                    role: written.role,
                    path: written.path,
                    named: written.named,
                    renamed: dialect.renamed,
                    resources_by_owner: dialect.resources_by_owner,
                });
            }
        }
        if !any_typed {
            // An Argo steps or DAG template, a suspend: no Pod.
            self.merge(report, found);
            return;
        }
        // Pod-level fields, where this Pod writes them or else where the object does.
        let shared = assembly
            .shared_fields
            .and_then(|path| lookup(self.object, path));
        let mut pod_entries = Vec::new();
        let mut fields = Vec::new();
        for &(field, written) in assembly.pod_fields {
            let (entry, path) = match self.at.entry(written) {
                Some(entry) => (entry, self.path.key(written)),
                None => match shared.and_then(|s| s.entry(written)) {
                    Some(entry) if field != "volumes" => {
                        let path = dotted(assembly.shared_fields.unwrap_or_default()).key(written);
                        (entry, self.base.join(&path))
                    }
                    _ => continue,
                },
            };
            pod_entries.push(Entry {
                key: synthetic(field, entry.key.span),
                value: entry.value.clone(),
            });
            if path != self.path.key(field) {
                fields.push((field, path));
            }
        }
        let pod_node = Node {
            span: self.at.span,
            value: Value::Map(pod_entries),
        };
        let (typed, typing) = from_node::<PodSpec>(&pod_node, None);
        absorb(&mut report, typing);
        self.merge(report, found);
        if let Some(pod_level) = typed {
            spec = PodSpec {
                containers: spec.containers,
                init_containers: spec.init_containers,
                ..pod_level
            };
        }
        let shared_volumes = assembly
            .shared_volumes
            .iter()
            .filter_map(|path| lookup(self.object, path))
            .flat_map(|list| list.as_seq().into_iter().flatten())
            .filter_map(|volume| {
                volume
                    .get("name")
                    .or_else(|| volume.get("metadata")?.get("name"))
            })
            .filter_map(|name| name.as_str().map(str::to_string))
            .collect();
        found.pods.push(CustomPod {
            lifecycle: self.lifecycle_of(),
            probes: dialect.probes,
            metadata: None,
            spec,
            template_path: self.path.clone(),
            spec_path: self.path.clone(),
            containers: placed,
            fields,
            shared_volumes,
            containers_on_demand: on_demand.then_some(OnDemand::Assembled(assembly, dialect)),
        });
    }

    /// An Argo daemon template serves until its workflow ends.
    fn lifecycle_of(&self) -> Lifecycle {
        let daemon = self.at.get("daemon").and_then(Node::as_str) == Some("true");
        if daemon {
            StoppedByOwner
        } else {
            self.lifecycle
        }
    }

    fn merge(&self, report: TypingReport, found: &mut Found) {
        let mut report = report;
        if !self.dialect.strict {
            report.unknown_fields.clear();
        }
        absorb(&mut found.typing, report);
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &self,
        found: &mut Found,
        metadata: Option<ObjectMeta>,
        spec: PodSpec,
        template_path: FieldPath,
        spec_path: FieldPath,
        written: WrittenContainers<'_>,
        large: Option<Vec<ContainerListNodes<'_>>>,
    ) {
        let dialect = self.dialect;
        if let Some(lists) = &large {
            let mut items = lists.iter().flat_map(|(_, _, items)| items.iter());
            found.partial |= items.any(|n| n.get("image").is_none());
        }
        let init = spec
            .init_containers
            .iter()
            .flatten()
            .enumerate()
            .map(|(i, c)| {
                let role = ContainerRole::of_init(c);
                (
                    ContainerList::InitContainers,
                    i,
                    role,
                    "initContainers",
                    written.init.get(i),
                )
            });
        let regular = (0..spec.containers.len()).map(|i| {
            (
                ContainerList::Containers,
                i,
                ContainerRole::Regular,
                "containers",
                written.regular.get(i),
            )
        });
        let containers = init
            .chain(regular)
            .map(|(list, index, role, key, node)| {
                found.partial |= node.is_some_and(|n| n.get("image").is_none());
                PlacedContainer {
                    list,
                    index,
                    role,
                    path: spec_path.key(key).index(index),
                    named: node.is_none_or(|n| n.get("name").is_some()),
                    renamed: dialect.renamed,
                    resources_by_owner: dialect.resources_by_owner,
                }
            })
            .collect();
        found.pods.push(CustomPod {
            lifecycle: self.lifecycle,
            probes: dialect.probes,
            metadata,
            spec,
            template_path,
            spec_path,
            containers,
            fields: Vec::new(),
            shared_volumes: dialect
                .owner_volumes
                .iter()
                .map(|v| v.to_string())
                .collect(),
            containers_on_demand: large.map(|_| OnDemand::Lists(dialect)),
        });
    }
}

/// A written container in the core schema, as a Pod template or spec of
/// the dialect types it (see [`Placed::adapted_spec`]).
pub(super) fn in_core_schema<'n>(item: &'n Node, dialect: &Dialect) -> Cow<'n, Node> {
    match adapts_spec(dialect) {
        true => Cow::Owned(adapt_container(item, dialect, None, None).0),
        false => Cow::Borrowed(item),
    }
}

/// Whether the dialect's Pod specs are typed adapted (its own spec keys
/// left out, default container names given).
fn adapts_spec(dialect: &Dialect) -> bool {
    !dialect.spec_keys.is_empty() || dialect.default_name.is_some()
}

/// The container nodes of a written Pod spec, by list.
struct WrittenContainers<'a> {
    init: &'a [Node],
    regular: &'a [Node],
}

fn spec_node_containers(spec: Option<&Node>) -> WrittenContainers<'_> {
    let list = |key: &str| {
        spec.and_then(|s| s.get(key))
            .and_then(Node::as_seq)
            .unwrap_or_default()
    };
    WrittenContainers {
        init: list("initContainers"),
        regular: list("containers"),
    }
}

/// A container written in a kind's dialect, in the core schema: the kind's
/// own keys left out, renamed keys renamed, the defaults it inherits filled
/// in, and a name given when it has none. Every node keeps its span. Also
/// says whether the container was written with a name.
fn adapt_container(
    node: &Node,
    dialect: &Dialect,
    name: Option<&'static str>,
    defaults: Option<(&Node, Option<&'static [&'static str]>)>,
) -> (Node, bool) {
    let mut node = node.clone();
    // Argo writes `name: ""` for the container it names `main`.
    let named = node
        .get("name")
        .and_then(Node::as_str)
        .is_some_and(|n| !n.is_empty());
    let span = node.span;
    let Value::Map(entries) = &mut node.value else {
        return (node, named);
    };
    entries.retain(|e| {
        !e.key
            .as_str()
            .is_some_and(|k| dialect.container_keys.contains(&k))
    });
    for entry in entries.iter_mut() {
        let renamed = entry
            .key
            .as_str()
            .and_then(|k| dialect.renamed.iter().find(|(written, _)| *written == k));
        if let Some((_, field)) = renamed {
            entry.key = synthetic(field, entry.key.span);
        }
    }
    if let Some((defaults, keys)) = defaults {
        for default in defaults.as_map().into_iter().flatten() {
            let Some(key) = default.key.as_str() else {
                continue;
            };
            let key = dialect
                .renamed
                .iter()
                .find(|(written, _)| *written == key)
                .map_or(key, |(_, field)| field);
            let taken = keys.is_none_or(|keys| keys.contains(&key));
            let written = entries.iter().any(|e| e.key.as_str() == Some(key));
            if taken && !written && !dialect.container_keys.contains(&key) {
                entries.push(Entry {
                    key: synthetic_owned(key, default.key.span),
                    value: default.value.clone(),
                });
            }
        }
    }
    if !named {
        if let Some(name) = name.or(dialect.default_name) {
            entries.retain(|e| e.key.as_str() != Some("name"));
            entries.push(Entry {
                key: synthetic("name", span),
                value: synthetic(name, span),
            });
        }
    }
    (node, named)
}

fn synthetic(text: &'static str, span: crate::source::Span) -> Node {
    synthetic_owned(text, span)
}

fn synthetic_owned(text: &str, span: crate::source::Span) -> Node {
    Node {
        span,
        value: Value::Scalar(Scalar {
            text: text.into(),
            style: ScalarStyle::Quoted,
            tag: None,
        }),
    }
}

fn lookup<'a>(node: &'a Node, dotted_path: &str) -> Option<&'a Node> {
    if dotted_path.is_empty() {
        return Some(node);
    }
    dotted_path
        .split('.')
        .try_fold(node, |node, key| node.get(key))
}

fn dotted(path: &str) -> FieldPath {
    path.split('.')
        .fold(FieldPath::root(), |p, key| p.key(key.to_string()))
}

fn absorb(into: &mut TypingReport, report: TypingReport) {
    into.unknown_fields.extend(report.unknown_fields);
    into.type_errors.extend(report.type_errors);
}

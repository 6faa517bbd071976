//! Typed objects and the Pod-spec view that rules see.

pub mod api_versions;
pub mod crd;
pub mod crd_scope;
pub mod custom;
pub mod de;
pub mod image;

mod kinds;
mod path;
pub mod placeholder;
pub mod quantity;
pub mod schema;
pub mod software;
mod workload;

use std::borrow::Cow;

use k8s_openapi::api::core::v1::{Container, PodSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

pub use api_versions::KubeVersion;
pub use crd::{Crds, Served};
pub use custom::{ConfiguredKind, CustomPod, Lifecycle, OwnerProbes};
pub use de::{Expected, TypeError, TypingReport, UnknownField};
pub use path::{entry_span, locate, FieldPath, Segment, Target};
pub use workload::{Selector, Workload, WorkloadKind};

use crate::roles::{self, FileRole};
use crate::source::{Node, Scalar, ScalarStyle, Span, Value};

/// The largest request body the API server reads (`Request entity too
/// large: limit is 3145728`, not configurable in kube-apiserver): an object
/// larger than this as JSON, as kubectl, Helm, Argo CD and Flux send it,
/// cannot be applied.
pub const API_REQUEST_LIMIT: usize = 3 * 1024 * 1024;

/// A workload's Pod with more containers than this (regular and init) is
/// typed without them, and each container is typed when a rule reads it:
/// k8s-openapi's `Container` takes 2,336 bytes however short its line, so
/// a Pod of 90,000 one-line containers would take 200 MB typed at once.
/// Up to this many take at most 2.3 MB; no Pod of `../shared` comes near.
pub const CONTAINERS_TYPED_AT_ONCE: usize = 1_000;

/// What a run knows besides the objects themselves: the kinds that
/// `.podlint.yaml` `pod-templates:` adds, and the cluster's version.
#[derive(Debug, Default)]
pub struct Context {
    pub pod_templates: Vec<ConfiguredKind>,
    /// Removed and deprecated API versions are judged for this release.
    pub kubernetes_version: KubeVersion,
}

/// One Kubernetes object: a document, or an item of a `kind: List`.
pub struct Object<'a> {
    pub node: &'a Node,
    /// Where the object sits in its document (`items[3]` in a List).
    pub base: FieldPath,
    pub api_version: &'a str,
    pub kind: &'a str,
    pub name: Option<&'a str>,
    pub namespace: Option<&'a str>,
    pub workload_kind: Option<WorkloadKind>,
    pub typed: Option<Workload>,
    /// The cluster version the run judges API versions for.
    pub kubernetes_version: KubeVersion,
    /// Whether the run's CRDs serve the object's apiVersion (custom resources).
    pub served: Served,
    /// The Pods of a custom resource whose kind podlint knows.
    pub custom_pods: Vec<CustomPod>,
    /// What typing found wrong, for every kind podlint knows the schema of.
    pub typing: TypingReport,
    /// A patch fragment or kustomize base: a file a kustomization lists (or
    /// names) as a patch, a controller without a `selector`, a `$patch`
    /// directive, or a container without an `image` where the object is
    /// not complete by its shape (see `is_partial`). A complete object has
    /// both fields; patches and bases leave them to the object they are
    /// merged into.
    pub partial: bool,
    /// At least this many bytes as JSON, over [`API_REQUEST_LIMIT`]: the
    /// object cannot be applied, so it is not typed (a Pod of 200,000
    /// containers would take 2 KB each) and only `invalid-field` reports it.
    pub too_large: Option<usize>,
    /// The Pod's containers are typed one at a time as rules read them
    /// (more than [`CONTAINERS_TYPED_AT_ONCE`]): `typed` has none.
    pub containers_on_demand: bool,
}

/// What a document holds: objects, or nothing podlint lints.
pub enum Contents<'a> {
    Objects(Vec<Object<'a>>),
    /// Not a Kubernetes object (no apiVersion and kind): CI configs, values
    /// files..., or a test framework's configuration (a kuttl `TestStep`).
    NotKubernetes,
}

pub fn objects<'a>(root: &'a Node, cx: &Context) -> Contents<'a> {
    objects_as(root, FileRole::Manifest, cx, &Crds::default(), false)
}

/// The objects of a document in a file read as `role`; `crds` type its
/// custom resources. With `bound_size`, an object too large to apply is
/// not typed (see [`Object::too_large`]).
pub fn objects_as<'a>(
    root: &'a Node,
    role: FileRole,
    cx: &Context,
    crds: &Crds,
    bound_size: bool,
) -> Contents<'a> {
    let object = |item, base| object(item, base, role, cx, crds, bound_size);
    // A top-level list of objects (a JSON array, jsonnet's output) is read
    // like the items of a `kind: List`.
    if let Some(items) = root.as_seq() {
        let objects: Vec<Object<'a>> = items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| object(item, FieldPath::root().index(i)))
            .collect();
        return if objects.is_empty() {
            Contents::NotKubernetes
        } else {
            Contents::Objects(objects)
        };
    }
    let Some(head) = header(root) else {
        return Contents::NotKubernetes;
    };
    if roles::is_test_config(head.0, head.1) {
        return Contents::NotKubernetes;
    }
    let items = root.get("items").and_then(Node::as_seq);
    match items {
        Some(items) if head.1.ends_with("List") => {
            let base = FieldPath::root().key("items");
            Contents::Objects(
                items
                    .iter()
                    .enumerate()
                    .filter_map(|(i, item)| object(item, base.index(i)))
                    .collect(),
            )
        }
        _ => Contents::Objects(object(root, FieldPath::root()).into_iter().collect()),
    }
}

fn header(node: &Node) -> Option<(&str, &str)> {
    Some((
        node.get("apiVersion")?.as_str()?,
        node.get("kind")?.as_str()?,
    ))
}

fn object<'a>(
    node: &'a Node,
    base: FieldPath,
    role: FileRole,
    cx: &Context,
    crds: &Crds,
    bound_size: bool,
) -> Option<Object<'a>> {
    let (api_version, kind) = header(node)?;
    let metadata = node.get("metadata");
    let workload_kind = WorkloadKind::from_kind(kind).filter(|k| k.accepts(api_version));
    let too_large = bound_size
        .then(|| json_size_at_least(node))
        .filter(|&size| size > API_REQUEST_LIMIT);
    // An object too large to apply is reported once and not typed.
    let typed = match too_large {
        Some(_) => Typed {
            workload: None,
            partial: false,
            served: Served::Yes,
            custom_pods: Vec::new(),
            typing: TypingReport::default(),
            containers_on_demand: false,
        },
        None => type_object(
            node,
            &base,
            api_version,
            kind,
            workload_kind,
            role,
            cx,
            crds,
        ),
    };
    Some(Object {
        node,
        base,
        partial: typed.partial,
        api_version,
        kind,
        name: metadata.and_then(|m| m.get("name")).and_then(Node::as_str),
        namespace: metadata
            .and_then(|m| m.get("namespace"))
            .and_then(Node::as_str),
        workload_kind,
        typed: typed.workload,
        kubernetes_version: cx.kubernetes_version,
        served: typed.served,
        custom_pods: typed.custom_pods,
        typing: typed.typing,
        too_large,
        containers_on_demand: typed.containers_on_demand,
    })
}

/// What typing an object gives it.
struct Typed {
    workload: Option<Workload>,
    partial: bool,
    served: Served,
    custom_pods: Vec<CustomPod>,
    typing: TypingReport,
    containers_on_demand: bool,
}

#[allow(clippy::too_many_arguments)]
fn type_object(
    node: &Node,
    base: &FieldPath,
    api_version: &str,
    kind: &str,
    workload_kind: Option<WorkloadKind>,
    role: FileRole,
    cx: &Context,
    crds: &Crds,
) -> Typed {
    let mut custom_pods = Vec::new();
    let mut partial = workload_kind.is_some_and(|kind| is_partial(node, kind, role));
    let many_containers = workload_kind.and_then(|kind| {
        let spec = kind.template_path().lookup(node);
        large_pod_lists(spec.and_then(|t| t.get("spec")))
    });
    let (typed, mut typing) = match (workload_kind, &many_containers) {
        (Some(k), Some(lists)) => type_without_containers(k, node, api_version, lists),
        (Some(k), None) => Workload::type_node(k, node, api_version, &[]),
        (None, _) => match custom::find(api_version, kind, node, base, &cx.pod_templates) {
            Some(found) => {
                custom_pods = found.pods;
                partial = found.partial || node.get("$patch").is_some();
                (None, found.typing)
            }
            None => (
                None,
                kinds::check_fields(api_version, kind, node).unwrap_or_default(),
            ),
        },
    };
    // The data of a ConfigMap or Secret that a kustomization lists may be
    // completed by its overlays (longhorn's backupstore Secrets are `data:
    // {}` shells that generated patches fill).
    let data_of_a_base =
        role == FileRole::KustomizeResource && matches!(kind, "ConfigMap" | "Secret");
    let partial = role == FileRole::KustomizePatch || data_of_a_base || partial;
    let mut served = Served::Yes;
    let judged = match workload_kind {
        None if !crds.is_empty() => crds.judge(api_version, kind, node, partial),
        _ => None,
    };
    if let Some(judged) = judged {
        served = judged.served;
        absorb_new(&mut typing, judged.typing);
    }
    Typed {
        workload: typed,
        partial,
        served,
        custom_pods,
        typing,
        containers_on_demand: many_containers.is_some(),
    }
}

/// A container list of a Pod spec: its key, its node (for its span) and items.
type ContainerListNodes<'a> = (&'static str, &'a Node, &'a [Node]);

/// The `initContainers` and `containers` lists of a Pod spec, in the order
/// typed Pods list them.
fn container_lists(spec: Option<&Node>) -> Vec<ContainerListNodes<'_>> {
    ["initContainers", "containers"]
        .into_iter()
        .filter_map(|name| {
            let list = spec?.get(name)?;
            Some((name, list, list.as_seq()?))
        })
        .collect()
}

/// The container lists of a Pod spec with more than
/// [`CONTAINERS_TYPED_AT_ONCE`] containers: typed one at a time.
fn large_pod_lists(spec: Option<&Node>) -> Option<Vec<ContainerListNodes<'_>>> {
    let lists = container_lists(spec);
    let count: usize = lists.iter().map(|(_, _, items)| items.len()).sum();
    (count > CONTAINERS_TYPED_AT_ONCE).then_some(lists)
}

/// Types a workload without its container `lists`, then each container
/// alone for what typing finds wrong in it (the typed container is dropped:
/// [`PodView::containers`] types it again when a rule reads it).
fn type_without_containers(
    kind: WorkloadKind,
    node: &Node,
    api_version: &str,
    lists: &[ContainerListNodes<'_>],
) -> (Option<Workload>, TypingReport) {
    let hollow: Vec<Span> = lists.iter().map(|(_, list, _)| list.span).collect();
    let (typed, typing) = Workload::type_node(kind, node, api_version, &hollow);
    let (typing, gave_up) = type_each_container(typing, lists, Cow::Borrowed);
    (typed.filter(|_| !gave_up), typing)
}

/// What typing a large Pod whole would report: `pod`, the report of the
/// Pod typed without its container `lists`, and each container typed
/// alone (as `written` gives it in the core schema), in the order typing
/// the whole Pod meets them. A container that does not type is left out,
/// with its errors and without its unknown fields. Also whether typing
/// gives up on the object, as it does at its 16th wrong value: then only
/// what typing met before that value is reported.
fn type_each_container<'n>(
    pod: TypingReport,
    lists: &[ContainerListNodes<'n>],
    written: impl Fn(&'n Node) -> Cow<'n, Node>,
) -> (TypingReport, bool) {
    let mut typing = TypingReport::default();
    let mut pod_errors = pod.type_errors.into_iter().peekable();
    let mut pod_unknown = pod.unknown_fields.into_iter().peekable();
    // Each list where it is written, then what the Pod has after the last.
    let mut in_order: Vec<(Option<u32>, &[Node])> = lists
        .iter()
        .map(|(_, list, items)| (Some(list.span.start), *items))
        .collect();
    in_order.sort_by_key(|(start, _)| *start);
    in_order.push((None, &[]));
    for (before, items) in in_order {
        // The Pod's own findings before the list.
        let ahead = |span: Span| before.is_none_or(|start| span.start < start);
        while let Some(error) = pod_errors.next_if(|e| ahead(e.span)) {
            let at = error.span.start;
            if typing.gives_up_with(error) {
                typing
                    .unknown_fields
                    .extend(pod_unknown.take_while(|u| u.span.start < at));
                return (typing, true);
            }
        }
        while let Some(unknown) = pod_unknown.next_if(|u| ahead(u.span)) {
            typing.unknown_fields.push(unknown);
        }
        for container in items {
            let (typed, report) = de::from_node::<Container>(&written(container), None);
            let mut unknown = report.unknown_fields;
            for error in report.type_errors {
                let at = error.span.start;
                if typing.gives_up_with(error) {
                    unknown.retain(|u| u.span.start < at);
                    typing.unknown_fields.extend(unknown);
                    return (typing, true);
                }
            }
            if typed.is_some() {
                typing.unknown_fields.extend(unknown);
            }
        }
    }
    (typing, false)
}

/// The size of `node` as compact JSON, never more than the JSON's: a
/// plain scalar that may be a number, a boolean or null counts one byte
/// (`1e3` is `1000`, `0x1F` is `31`); strings and keys count their text and
/// two quotes (escapes only add).
fn json_size_at_least(node: &Node) -> usize {
    match &node.value {
        Value::Scalar(scalar) => scalar_json_size_at_least(scalar),
        // `[`, `]` and a comma between items.
        Value::Seq(items) => {
            items.len().max(1) + 1 + items.iter().map(json_size_at_least).sum::<usize>()
        }
        // `{`, `}`, a colon an entry and a comma between entries.
        Value::Map(entries) => {
            let inner: usize = entries
                .iter()
                .map(|entry| {
                    let key = match entry.key.as_scalar() {
                        // JSON keys are strings (`1:` is `"1":`).
                        Some(key) => key.text.len() + 2,
                        None => json_size_at_least(&entry.key),
                    };
                    key + json_size_at_least(&entry.value)
                })
                .sum();
            (2 * entries.len()).max(1) + 1 + inner
        }
    }
}

fn scalar_json_size_at_least(scalar: &Scalar) -> usize {
    let text = &*scalar.text;
    let string = match scalar.style {
        ScalarStyle::Quoted | ScalarStyle::Block => scalar.tag.is_none(),
        // A plain scalar starting with a letter is a string, unless it is a
        // YAML 1.1 boolean or null (`yes`, `on`, `null`...).
        ScalarStyle::Plain => {
            scalar.tag.is_none()
                && text.starts_with(|c: char| c.is_alphabetic())
                && !(text.len() <= 5
                    && ["y", "yes", "n", "no", "on", "off", "true", "false", "null"]
                        .iter()
                        .any(|word| text.eq_ignore_ascii_case(word)))
        }
    };
    if string {
        text.len() + 2
    } else {
        1
    }
}

/// Adds what a CRD's schema found to what the Pod-template table's typing
/// found, without the problems both found at one place.
fn absorb_new(into: &mut TypingReport, from: TypingReport) {
    for field in from.unknown_fields {
        if !into.unknown_fields.iter().any(|f| f.span == field.span) {
            into.unknown_fields.push(field);
        }
    }
    for error in from.type_errors {
        if !into.type_errors.iter().any(|e| e.span == error.span) {
            into.type_errors.push(error);
        }
    }
}

fn is_partial(node: &Node, kind: WorkloadKind, role: FileRole) -> bool {
    // A strategic-merge patch directive (`$patch: delete`) marks a patch.
    if node.get("$patch").is_some() {
        return true;
    }
    // A complete apps/v1 controller has a selector; kustomize bases leave it
    // to `labels`/`commonLabels`, and patches to their base.
    if kind.requires_selector() && node.get("spec").and_then(|s| s.get("selector")).is_none() {
        return true;
    }
    let template = kind.template_path().lookup(node);
    let spec = template.and_then(|t| t.get("spec"));
    let mut containers = spec.into_iter().flat_map(|spec| {
        ["containers", "initContainers"]
            .into_iter()
            .filter_map(|list| spec.get(list).and_then(Node::as_seq))
            .flatten()
    });
    if !containers.any(|c| c.get("image").is_none()) {
        return false;
    }
    // Without an image, an object complete by its shape (a controller with
    // its selector and template labels, a bare Pod) and applied as written
    // is rejected by the API (invalid-field reports it); one that a
    // kustomization lists may get its images from the kustomization's
    // patches. A Job or CronJob has no such shape, nor a controller whose
    // template has no labels: without an image they read as patches.
    let labelled = template
        .and_then(|t| t.get("metadata"))
        .and_then(|m| m.get("labels"))
        .is_some();
    let complete_shape = (kind.requires_selector() && labelled) || kind == WorkloadKind::Pod;
    // An `image` beside `containers` is a container's field flattened into
    // the Pod spec: unknown-field says where it belongs, and the rest of the
    // container is not judged until it is back in place.
    let flattened = spec.is_some_and(|spec| spec.get("image").is_some());
    role == FileRole::KustomizeResource || !complete_shape || flattened
}

impl Object<'_> {
    /// A path inside this object, from its document's root.
    pub fn path(&self) -> FieldPath {
        self.base.clone()
    }

    /// The node at `path` (from the document's root), if it is inside this object.
    pub fn lookup(&self, path: &FieldPath) -> Option<&Node> {
        path.strip_prefix(&self.base)?.lookup(self.node)
    }

    /// Written with an apiVersion that Kubernetes no longer serves, and typed
    /// with today's schema.
    pub fn older_api_version(&self) -> bool {
        self.workload_kind
            .is_some_and(|kind| kind.api_version() != self.api_version)
    }

    pub fn metadata(&self) -> Option<&ObjectMeta> {
        self.typed.as_ref().map(Workload::metadata)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContainerRole {
    /// An init container that runs to completion before the others start.
    Init,
    /// An init container with `restartPolicy: Always`: runs beside the others.
    Sidecar,
    Regular,
}

impl ContainerRole {
    /// The role of an entry of `initContainers`.
    pub fn of_init(container: &Container) -> Self {
        if container.restart_policy.as_deref() == Some("Always") {
            ContainerRole::Sidecar
        } else {
            ContainerRole::Init
        }
    }
}

/// A container as a view holds it: borrowed from the typed Pod, or typed
/// for the view alone (a large Pod's, see [`CONTAINERS_TYPED_AT_ONCE`]);
/// boxed, as a `Container` is 2,336 bytes and views are moved.
#[derive(Clone)]
pub enum ContainerRef<'a> {
    Borrowed(&'a Container),
    Owned(Box<Container>),
}

impl std::ops::Deref for ContainerRef<'_> {
    type Target = Container;

    fn deref(&self) -> &Container {
        match self {
            ContainerRef::Borrowed(container) => container,
            ContainerRef::Owned(container) => container,
        }
    }
}

#[derive(Clone)]
pub struct ContainerView<'a> {
    pub container: ContainerRef<'a>,
    pub role: ContainerRole,
    /// The container's path, from the document's root.
    pub path: FieldPath,
    /// Written with a name; custom resources may leave it to their controller.
    pub named: bool,
    /// (the key the kind writes, Container field): Tekton's `computeResources`.
    renamed: &'static [(&'static str, &'static str)],
    /// The controller sets its requests and limits (a Spark driver).
    pub resources_by_owner: bool,
    /// The name as written, when the container is typed for this view alone.
    written_name: Option<&'a str>,
}

impl<'a> ContainerView<'a> {
    pub fn name(&self) -> &str {
        &self.container.name
    }

    /// The name, kept as long as the Pod without a copy: what a rule keeps
    /// to compare containers (a large Pod's are typed one at a time).
    pub fn lasting_name(&self) -> Cow<'a, str> {
        match (&self.container, self.written_name) {
            (ContainerRef::Borrowed(container), _) => Cow::Borrowed(&container.name),
            (ContainerRef::Owned(_), Some(written)) => Cow::Borrowed(written),
            (ContainerRef::Owned(container), None) => Cow::Owned(container.name.clone()),
        }
    }

    /// The path of one of the container's fields, as the kind writes it.
    pub fn field(&self, key: &'static str) -> FieldPath {
        match self.renamed.iter().find(|(_, field)| *field == key) {
            Some((written, _)) => self.path.key(*written),
            None => self.path.key(key),
        }
    }

    /// Whether `resources.limits` sets `resource` (`cpu`, `memory`...).
    pub fn has_limit(&self, resource: &str) -> bool {
        let resources = self.container.resources.as_ref();
        resources
            .and_then(|r| r.limits.as_ref())
            .is_some_and(|l| l.contains_key(resource))
    }

    /// Whether the container requests `resource`, by itself or through a
    /// limit (a limit without a request defaults the request to it).
    pub fn has_request(&self, resource: &str) -> bool {
        let resources = self.container.resources.as_ref();
        self.has_limit(resource)
            || resources
                .and_then(|r| r.requests.as_ref())
                .is_some_and(|r| r.contains_key(resource))
    }

    /// Runs for the Pod's whole life (a regular container or a native sidecar).
    pub fn long_lived(&self) -> bool {
        matches!(self.role, ContainerRole::Regular | ContainerRole::Sidecar)
    }
}

/// What owns a Pod spec: a built-in workload, or a custom resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PodKind<'a> {
    Workload(WorkloadKind),
    Custom { kind: &'a str, lifecycle: Lifecycle },
}

impl<'a> PodKind<'a> {
    pub fn name(self) -> &'a str {
        match self {
            PodKind::Workload(kind) => kind.name(),
            PodKind::Custom { kind, .. } => kind,
        }
    }

    /// Job-like owners run their Pods to completion.
    pub fn runs_to_completion(self) -> bool {
        match self {
            PodKind::Workload(kind) => kind.runs_to_completion(),
            PodKind::Custom { lifecycle, .. } => lifecycle == Lifecycle::RunsToCompletion,
        }
    }

    /// A built-in workload kind, whose rules (restart policies, selectors)
    /// Kubernetes itself enforces.
    pub fn workload(self) -> Option<WorkloadKind> {
        match self {
            PodKind::Workload(kind) => Some(kind),
            PodKind::Custom { .. } => None,
        }
    }
}

/// The views of a Pod's typed containers, init containers first.
fn typed_containers<'a>(spec: &'a PodSpec, spec_path: &FieldPath) -> Vec<ContainerView<'a>> {
    let view = |container, role, path| ContainerView {
        container: ContainerRef::Borrowed(container),
        role,
        path,
        named: true,
        renamed: &[],
        resources_by_owner: false,
        written_name: None,
    };
    let init = spec
        .init_containers
        .iter()
        .flatten()
        .enumerate()
        .map(|(i, c)| {
            let role = ContainerRole::of_init(c);
            view(c, role, spec_path.key("initContainers").index(i))
        });
    let regular = spec.containers.iter().enumerate().map(|(i, c)| {
        view(
            c,
            ContainerRole::Regular,
            spec_path.key("containers").index(i),
        )
    });
    init.chain(regular).collect()
}

/// A Pod spec as rules see it: the object it belongs to, its template, its containers.
pub struct PodView<'a> {
    pub object: &'a Object<'a>,
    pub kind: PodKind<'a>,
    pub spec: &'a PodSpec,
    pub metadata: Option<&'a ObjectMeta>,
    pub template_path: FieldPath,
    pub spec_path: FieldPath,
    containers: Containers<'a>,
    /// Set for the Pods of custom resources.
    custom: Option<&'a CustomPod>,
}

/// A Pod view's containers.
enum Containers<'a> {
    /// Typed with the Pod.
    Typed(Vec<ContainerView<'a>>),
    /// A large Pod's lists (`initContainers` first, as typed Pods list
    /// them), each container typed as it is read; a custom resource's as
    /// its dialect writes them.
    OnDemand {
        lists: Vec<(&'static str, &'a [Node])>,
        dialect: Option<&'static custom::Dialect>,
    },
    /// A large Pod that a custom resource's controller assembles from
    /// these sources, each container typed as it is read.
    Assembled {
        sources: Vec<custom::SourceNodes<'a>>,
        dialect: &'static custom::Dialect,
    },
}

impl<'a> Containers<'a> {
    /// The container lists of the large Pod spec at `spec_path`.
    fn on_demand(
        object: &'a Object<'a>,
        spec_path: &FieldPath,
        dialect: Option<&'static custom::Dialect>,
    ) -> Self {
        let lists = container_lists(object.lookup(spec_path))
            .into_iter()
            .map(|(name, _, items)| (name, items))
            .collect();
        Containers::OnDemand { lists, dialect }
    }
}

/// The containers of a large Pod, each typed as it is read (see
/// [`CONTAINERS_TYPED_AT_ONCE`]).
struct TypedOneByOne<'p, 'a> {
    spec_path: &'p FieldPath,
    lists: std::slice::Iter<'p, (&'static str, &'a [Node])>,
    list: Option<(&'static str, std::slice::Iter<'a, Node>)>,
    dialect: Option<&'static custom::Dialect>,
    /// The index of the next container in its typed list: one that does
    /// not type is left out of it, as typing the whole Pod does.
    typed_index: usize,
}

impl<'a> Iterator for TypedOneByOne<'_, 'a> {
    type Item = ContainerView<'a>;

    fn next(&mut self) -> Option<ContainerView<'a>> {
        loop {
            let (name, items) = match &mut self.list {
                Some(list) => list,
                None => {
                    let (name, items) = self.lists.next()?;
                    self.typed_index = 0;
                    self.list.insert((name, items.iter()))
                }
            };
            let Some(item) = items.next() else {
                self.list = None;
                continue;
            };
            let written = match self.dialect {
                Some(dialect) => custom::in_core_schema(item, dialect),
                None => Cow::Borrowed(item),
            };
            let (Some(container), _) = de::from_node::<Box<Container>>(&written, None) else {
                continue;
            };
            let role = match *name {
                "initContainers" => ContainerRole::of_init(&container),
                _ => ContainerRole::Regular,
            };
            let path = self.spec_path.key(*name).index(self.typed_index);
            self.typed_index += 1;
            let written_name = item
                .get("name")
                .and_then(Node::as_str)
                .filter(|written| *written == container.name);
            return Some(ContainerView {
                container: ContainerRef::Owned(container),
                role,
                path,
                // Custom resources' controllers may name containers.
                named: self.dialect.is_none() || item.get("name").is_some(),
                renamed: self.dialect.map_or(&[], |d| d.renamed),
                resources_by_owner: self.dialect.is_some_and(|d| d.resources_by_owner),
                written_name,
            });
        }
    }
}

/// The view of a large assembled Pod's container, typed for it alone;
/// `None` when it does not type (typing the whole Pod leaves it out).
fn assembled_view<'a>(
    written: custom::WrittenContainer<'a>,
    dialect: &'static custom::Dialect,
) -> Option<ContainerView<'a>> {
    let (container, _) = de::from_node::<Box<Container>>(&written.adapted, None);
    let container = container?;
    let written_name = written
        .node
        .get("name")
        .and_then(Node::as_str)
        .filter(|name| *name == container.name);
    Some(ContainerView {
        container: ContainerRef::Owned(container),
        role: written.role,
        path: written.path,
        named: written.named,
        renamed: dialect.renamed,
        resources_by_owner: dialect.resources_by_owner,
        written_name,
    })
}

impl<'a> PodView<'a> {
    /// The Pod spec of a built-in workload.
    pub fn of(object: &'a Object<'a>) -> Option<Self> {
        let kind = object.workload_kind?;
        let template = object.typed.as_ref()?.template()?;
        let template_path = object.base.join(&kind.template_path());
        let spec_path = template_path.key("spec");
        let containers = if object.containers_on_demand {
            Containers::on_demand(object, &spec_path, None)
        } else {
            Containers::Typed(typed_containers(template.spec, &spec_path))
        };
        Some(PodView {
            object,
            kind: PodKind::Workload(kind),
            spec: template.spec,
            metadata: template.metadata,
            template_path,
            spec_path,
            containers,
            custom: None,
        })
    }

    /// Every container, init containers first: typed one at a time for a
    /// large Pod, so keep what you compare, not the views.
    pub fn containers(&self) -> impl Iterator<Item = Cow<'_, ContainerView<'a>>> + '_ {
        let (mut typed, mut on_demand, mut assembled) = (None, None, None);
        match &self.containers {
            Containers::Typed(views) => typed = Some(views.iter().map(Cow::Borrowed)),
            Containers::OnDemand { lists, dialect } => {
                let one_by_one = TypedOneByOne {
                    spec_path: &self.spec_path,
                    lists: lists.iter(),
                    list: None,
                    dialect: *dialect,
                    typed_index: 0,
                };
                on_demand = Some(one_by_one.map(Cow::Owned));
            }
            Containers::Assembled { sources, dialect } => {
                let written = sources.iter().flat_map(|source| source.containers(dialect));
                assembled = Some(
                    written
                        .filter_map(|written| Some(Cow::Owned(assembled_view(written, dialect)?))),
                );
            }
        }
        let typed = typed.into_iter().flatten();
        typed
            .chain(on_demand.into_iter().flatten())
            .chain(assembled.into_iter().flatten())
    }

    /// At least the number of [`Self::containers`] (a large Pod's that do
    /// not type are left out of them).
    pub fn max_containers(&self) -> usize {
        match &self.containers {
            Containers::Typed(views) => views.len(),
            Containers::OnDemand { lists, .. } => lists.iter().map(|(_, items)| items.len()).sum(),
            Containers::Assembled { sources, .. } => sources.iter().map(|s| s.items.len()).sum(),
        }
    }

    /// Whether the spec's own `containers` list is empty (an init
    /// container alone does not run the Pod).
    pub fn lists_no_containers(&self) -> bool {
        match &self.containers {
            Containers::Typed(_) => self.spec.containers.is_empty(),
            // One that does not type is left out, as typing the whole Pod does.
            Containers::OnDemand { .. } | Containers::Assembled { .. } => {
                !self.containers().any(|c| c.role == ContainerRole::Regular)
            }
        }
    }

    /// Every Pod spec of an object: a workload's template, or the Pods of a
    /// custom resource (an Argo workflow has one per template).
    pub fn all(object: &'a Object<'a>) -> Vec<Self> {
        if object.workload_kind.is_some() {
            return PodView::of(object).into_iter().collect();
        }
        object
            .custom_pods
            .iter()
            .map(|pod| PodView::custom(object, pod))
            .collect()
    }

    fn custom(object: &'a Object<'a>, pod: &'a CustomPod) -> Self {
        match pod.containers_on_demand {
            Some(custom::OnDemand::Lists(dialect)) => {
                let containers = Containers::on_demand(object, &pod.spec_path, Some(dialect));
                return PodView::custom_with(object, pod, containers);
            }
            Some(custom::OnDemand::Assembled(assembly, dialect)) => {
                let at = object.lookup(&pod.template_path);
                let sources = at.map_or_else(Vec::new, |at| {
                    custom::assembled_sources(object.node, at, &pod.template_path, assembly)
                });
                let containers = Containers::Assembled { sources, dialect };
                return PodView::custom_with(object, pod, containers);
            }
            None => {}
        }
        let containers = pod
            .containers
            .iter()
            .filter_map(|placed| {
                let list = match placed.list {
                    custom::ContainerList::Containers => &pod.spec.containers[..],
                    custom::ContainerList::InitContainers => pod.spec.init_containers.as_deref()?,
                };
                Some(ContainerView {
                    container: ContainerRef::Borrowed(list.get(placed.index)?),
                    role: placed.role,
                    path: placed.path.clone(),
                    named: placed.named,
                    renamed: placed.renamed,
                    resources_by_owner: placed.resources_by_owner,
                    written_name: None,
                })
            })
            .collect();
        PodView::custom_with(object, pod, Containers::Typed(containers))
    }

    fn custom_with(object: &'a Object<'a>, pod: &'a CustomPod, containers: Containers<'a>) -> Self {
        PodView {
            object,
            kind: PodKind::Custom {
                kind: object.kind,
                lifecycle: pod.lifecycle,
            },
            spec: &pod.spec,
            metadata: pod.metadata.as_ref(),
            template_path: pod.template_path.clone(),
            spec_path: pod.spec_path.clone(),
            containers,
            custom: Some(pod),
        }
    }

    /// A long-running Pod: its containers are restarted, probed and served traffic.
    /// Jobs, CronJobs and Pods with restartPolicy Never/OnFailure run to completion.
    pub fn long_running(&self) -> bool {
        let lifecycle = match self.kind {
            PodKind::Workload(kind) => !kind.runs_to_completion(),
            PodKind::Custom { lifecycle, .. } => lifecycle == Lifecycle::LongRunning,
        };
        lifecycle && matches!(self.spec.restart_policy.as_deref(), None | Some("Always"))
    }

    /// The probes the owner's controller adds to containers that have none.
    pub fn owner_probes(&self) -> OwnerProbes {
        self.custom.map_or(OwnerProbes::None, |pod| pod.probes)
    }

    /// The path of a Pod-level field (`securityContext`, `volumes`...): a
    /// custom resource may write it apart from its containers (Argo's
    /// workflow-level `securityContext`, Spark's `podSecurityContext`).
    pub fn spec_field(&self, key: &'static str) -> FieldPath {
        let written = self
            .custom
            .and_then(|pod| pod.fields.iter().find(|(field, _)| *field == key));
        match written {
            Some((_, path)) => path.clone(),
            None => self.spec_path.key(key),
        }
    }

    /// The names of the volumes declared for the Pod: in its spec, and for
    /// every Pod of its object (Argo's workflow-level volumes).
    pub fn declared_volumes(&self) -> impl Iterator<Item = &'a str> {
        let shared = self.custom.map_or(&[][..], |pod| &pod.shared_volumes[..]);
        self.spec
            .volumes
            .iter()
            .flatten()
            .map(|v| v.name.as_str())
            .chain(shared.iter().map(String::as_str))
    }
}

#[cfg(test)]
mod tests {
    use super::json_size_at_least;

    fn size(yaml: &str) -> usize {
        let parsed = crate::source::parse(yaml);
        parsed
            .documents
            .first()
            .map_or(0, |document| json_size_at_least(&document.root))
    }

    /// Exact for strings, keys and structure: what decides whether an
    /// object is too large to apply.
    #[test]
    fn json_size_counts_strings_keys_and_structure_exactly() {
        assert_eq!(
            size("{a: b, q: \"x\", l: [c, d], e: {}, f: []}"),
            r#"{"a":"b","q":"x","l":["c","d"],"e":{},"f":[]}"#.len()
        );
    }

    /// A plain scalar that may be a number, a boolean or null counts one
    /// byte: never more than its JSON (`1e3` is `1000`, `yes` is `true`).
    #[test]
    fn json_size_counts_one_byte_for_what_may_not_be_a_string() {
        assert_eq!(
            size("{n: 1e3, t: yes, z: null}"),
            r#"{"n":1,"t":1,"z":1}"#.len()
        );
    }
}

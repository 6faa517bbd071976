//! What the run-level stage keeps of an object: the few values relation
//! rules compare (labels, selectors, ports, references...), each with the
//! place it was written. Trees are dropped with their file; facts are small.

use std::sync::Arc;

use crate::model::{entry_span, Object, PodView, WorkloadKind};
use crate::source::{Entry, Node, Position, Span};

/// Where a fact was written in its file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Place {
    pub span: Span,
    pub start: Position,
    pub end: Position,
}

/// Text of a fact: labels, names and keys are short, and the same ones
/// come back in every file (kinds, namespaces, label keys), so the run
/// keeps one copy of each (see [`super::store`]) and a fact holds a thin
/// pointer to it: half an `Arc<str>`, where a set's objects hold dozens.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Text(Arc<Box<str>>);

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for Text {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Self {
        Text(Arc::new(text.into()))
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self)
    }
}

impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&**self, f)
    }
}

/// One object of a set, as relation rules see it.
#[derive(Debug)]
pub struct ObjectFacts {
    pub kind: Text,
    pub name: Option<Text>,
    /// `None`: written without a namespace (see [`super::sets`]).
    pub namespace: Option<Text>,
    /// The `kind:` line.
    pub kind_place: Place,
    /// A patch fragment or kustomize base: it defines its name and labels
    /// for others, but most fields are left to what it is merged into, so
    /// nothing is reported on it.
    pub partial: bool,
    /// A custom resource (its API group is not Kubernetes'): its operator
    /// may make Pods that no manifest shows.
    pub custom: bool,
    /// The API group a custom resource belongs to, or that a
    /// CustomResourceDefinition defines: operators label their Pods with
    /// keys under it (`longhorn.io/component`).
    pub custom_group: Option<Text>,
    /// A resource of a kustomization: its ConfigMaps and Secrets may come
    /// from the kustomization's generators.
    pub kustomized: bool,
    /// Relation rules that the object's `podlint.io/ignore` annotation
    /// silences.
    pub silenced: RelationRules,
    pub detail: Detail,
}

/// Some of the relation rules, as bits by their place among them: a set
/// holds one for each of its objects, and most are empty.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RelationRules(u32);

impl RelationRules {
    /// The relation rules among `ids`.
    pub fn of(ids: &[&str]) -> Self {
        RelationRules(
            ids.iter()
                .filter_map(|id| relation_rule_place(id))
                .fold(0, |bits, place| bits | 1 << place),
        )
    }

    pub fn contains(self, id: &str) -> bool {
        relation_rule_place(id).is_some_and(|place| self.0 & 1 << place != 0)
    }

    pub fn bits(self) -> u32 {
        self.0
    }

    pub fn from_bits(bits: u32) -> Self {
        RelationRules(bits)
    }
}

/// The place of rule `id` among the relation rules, if it is one.
fn relation_rule_place(id: &str) -> Option<u32> {
    crate::rules::RULES
        .iter()
        .filter(|rule| matches!(rule.check, crate::rules::Check::Relation(_)))
        .position(|rule| rule.id == id)
        .map(|place| place as u32)
}

/// The facts of each kind that relation rules look at.
#[derive(Debug)]
pub enum Detail {
    Workload(Box<WorkloadFacts>),
    Service(Box<ServiceFacts>),
    DisruptionBudget(Box<BudgetFacts>),
    Autoscaler(Box<AutoscalerFacts>),
    /// A ConfigMap or Secret.
    Data(Box<DataFacts>),
    Claim(Box<ClaimFacts>),
    Ingress(Box<IngressFacts>),
    NetworkPolicy(Box<SelectorAt>),
    /// An object whose controller makes a Secret: a SealedSecret, an
    /// ExternalSecret, a cert-manager Certificate.
    MakesSecret {
        name: Text,
    },
    /// A Role or ClusterRole that lets its holder create objects of these
    /// kinds (`Secret`, `ConfigMap`, `PersistentVolumeClaim`): a Pod of the
    /// set makes them at run time (Argo CD's `secret-init` makes the
    /// `argocd-redis` Secret), so they are not missing from the manifests.
    Creates(Box<[&'static str]>),
    /// Any other kind: it only defines its kind and name.
    Other,
}

/// An object with a Pod template (or a bare Pod).
#[derive(Debug)]
pub struct WorkloadFacts {
    pub workload_kind: Option<WorkloadKind>,
    /// The labels of its Pods.
    pub labels: Vec<(Text, Text)>,
    /// `spec.replicas`, when written as a number.
    pub replicas: Option<(i64, Place)>,
    /// Whether its Pods are replicated by a count (a Deployment, a
    /// StatefulSet...): the default of one applies when `replicas` is absent.
    pub replicated: bool,
    pub ports: Vec<PortFact>,
    /// A long-running container declares no ports: it may listen on any.
    pub undeclared_ports: bool,
    pub references: Vec<Reference>,
}

/// A container port.
#[derive(Debug)]
pub struct PortFact {
    pub number: Option<i64>,
    pub name: Option<Text>,
    /// The container's `ports:` key.
    pub ports_place: Place,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReferenceKind {
    ConfigMap,
    Secret,
    ServiceAccount,
    PersistentVolumeClaim,
}

impl ReferenceKind {
    pub fn kind(self) -> &'static str {
        match self {
            ReferenceKind::ConfigMap => "ConfigMap",
            ReferenceKind::Secret => "Secret",
            ReferenceKind::ServiceAccount => "ServiceAccount",
            ReferenceKind::PersistentVolumeClaim => "PersistentVolumeClaim",
        }
    }
}

/// A Pod spec's reference to another object by name.
#[derive(Debug)]
pub struct Reference {
    pub kind: ReferenceKind,
    pub name: Text,
    /// The `name:` (`claimName:`, `secretName:`, `serviceAccountName:`) entry.
    pub place: Place,
    pub optional: bool,
    /// Keys it reads (`configMapKeyRef.key`, volume `items[].key`).
    pub keys: Vec<(Text, Place)>,
}

#[derive(Debug)]
pub struct ServiceFacts {
    /// `None` for a Service without selector (its endpoints are managed by hand).
    pub selector: Option<SelectorAt>,
    pub ports: Vec<ServicePort>,
    /// The `ports:` key.
    pub ports_place: Option<Place>,
}

#[derive(Debug)]
pub struct ServicePort {
    pub port: Option<i64>,
    pub name: Option<Text>,
    pub target: Option<PortRef>,
    /// The `targetPort:` entry, else the `port:` entry.
    pub place: Place,
}

/// A port named or numbered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PortRef {
    Number(i64),
    Name(Text),
}

/// A label selector with the place of its `selector:` key.
#[derive(Debug)]
pub struct SelectorAt {
    pub selector: Selector,
    pub place: Place,
}

#[derive(Debug, Default)]
pub struct Selector {
    pub labels: Vec<(Text, Text)>,
    pub expressions: Vec<Expression>,
}

#[derive(Debug)]
pub struct Expression {
    pub key: Text,
    pub operator: Operator,
    pub values: Vec<Text>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operator {
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

impl Selector {
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty() && self.expressions.is_empty()
    }

    pub fn matches(&self, labels: &[(Text, Text)]) -> bool {
        let value = |key: &str| labels.iter().find(|(k, _)| &**k == key).map(|(_, v)| v);
        self.labels
            .iter()
            .all(|(key, wanted)| value(key).is_some_and(|v| v == wanted))
            && self.expressions.iter().all(|e| {
                let found = value(&e.key);
                match e.operator {
                    Operator::In => found.is_some_and(|v| e.values.contains(v)),
                    Operator::NotIn => found.is_none_or(|v| !e.values.contains(v)),
                    Operator::Exists => found.is_some(),
                    Operator::DoesNotExist => found.is_none(),
                }
            })
    }
}

#[derive(Debug)]
pub struct BudgetFacts {
    /// `None` when the selector is absent or cannot be read.
    pub selector: Option<SelectorAt>,
    pub min_available: Option<(Budget, Place)>,
    pub max_unavailable: Option<(Budget, Place)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Budget {
    Count(i64),
    Percent(i64),
}

#[derive(Debug)]
pub struct AutoscalerFacts {
    pub target_kind: Text,
    pub target_name: Text,
    /// The `scaleTargetRef:` key.
    pub target_place: Place,
    pub max_replicas: Option<i64>,
}

#[derive(Debug)]
pub struct DataFacts {
    /// The keys of `data`, `stringData` and `binaryData`.
    pub keys: Vec<Text>,
    /// The `data:` key (else `stringData:`, `binaryData:`), else `kind:`.
    pub data_place: Place,
}

#[derive(Debug)]
pub struct ClaimFacts {
    pub access_modes: Vec<Text>,
    /// The `accessModes:` key, else `kind:`.
    pub modes_place: Place,
}

#[derive(Debug)]
pub struct IngressFacts {
    pub backends: Vec<Backend>,
}

#[derive(Debug)]
pub struct Backend {
    pub service: Text,
    /// The service `name:` entry.
    pub name_place: Place,
    pub port: Option<(PortRef, Place)>,
}

/// Turns spans of the file being read into places.
pub type Locate<'a> = dyn Fn(Span) -> Place + 'a;

/// The facts of one object, when relation rules can use them (not an RBAC
/// rule or a webhook configuration, say). `pod` is its Pod-spec view, when
/// it has one.
pub fn extract(
    object: &Object<'_>,
    pod: Option<&PodView<'_>>,
    silenced: &[&'static str],
    locate: &Locate<'_>,
) -> Option<ObjectFacts> {
    let node = object.node;
    let kind_place = node.entry("kind").map_or_else(
        || locate(node.span),
        |e| locate(entry_span(&e.key, &e.value)),
    );
    let reader = Reader { locate, kind_place };
    let spec = node.get("spec");
    let detail = match (pod, object.kind) {
        (Some(pod), _)
            if pod.kind != crate::model::PodKind::Workload(WorkloadKind::PodTemplate) =>
        {
            let labels = object.lookup(&pod.template_path.keys("metadata.labels"));
            let spec = object.lookup(&pod.spec_path);
            Detail::Workload(Box::new(reader.workload(object, labels, spec)))
        }
        // A custom resource with a Pod template where controllers have it
        // (an OpenKruise CloneSet), when no pod-templates entry names it.
        (None, _) if custom_pod_template(node).is_some() => {
            let template = custom_pod_template(node);
            let labels = template
                .and_then(|t| t.get("metadata"))
                .and_then(|m| m.get("labels"));
            let spec = template.and_then(|t| t.get("spec"));
            Detail::Workload(Box::new(reader.workload(object, labels, spec)))
        }
        (_, "Service") => Detail::Service(Box::new(reader.service(spec))),
        (_, "PodDisruptionBudget") => Detail::DisruptionBudget(Box::new(reader.budget(spec))),
        (_, "HorizontalPodAutoscaler") => match reader.autoscaler(spec) {
            Some(facts) => Detail::Autoscaler(Box::new(facts)),
            None => Detail::Other,
        },
        (_, "ConfigMap" | "Secret") => Detail::Data(Box::new(reader.data(node))),
        (_, "PersistentVolumeClaim") => Detail::Claim(Box::new(reader.claim(spec))),
        (_, "Ingress") => Detail::Ingress(Box::new(reader.ingress(spec))),
        (_, "NetworkPolicy") => match spec.and_then(|s| s.entry("podSelector")) {
            Some(entry) => match reader.selector(entry) {
                Some(selector) => Detail::NetworkPolicy(Box::new(selector)),
                None => Detail::Other,
            },
            None => Detail::Other,
        },
        (_, "SealedSecret" | "ExternalSecret" | "Certificate") => {
            let made = match object.kind {
                "SealedSecret" => spec.and_then(|s| s.get("template")),
                "ExternalSecret" => spec.and_then(|s| s.get("target")),
                _ => None,
            };
            let name = match object.kind {
                "Certificate" => spec.and_then(|s| s.get("secretName")),
                _ => made
                    .and_then(|m| m.get("metadata").or(Some(m)))
                    .and_then(|m| m.get("name")),
            };
            match name.and_then(Node::as_str).or(object.name) {
                Some(name) => Detail::MakesSecret { name: name.into() },
                None => Detail::Other,
            }
        }
        (_, "Role" | "ClusterRole") => match created_kinds(node) {
            kinds if kinds.is_empty() => Detail::Other,
            kinds => Detail::Creates(kinds.into_boxed_slice()),
        },
        _ => Detail::Other,
    };
    let custom_group = custom_group(object);
    // Other kinds matter only as names that Pods reference, or as custom
    // resources whose operators make Pods and Services.
    let kept = !matches!(detail, Detail::Other)
        || object.kind == "ServiceAccount"
        || custom_group.is_some();
    kept.then(|| ObjectFacts {
        kind: object.kind.into(),
        name: object.name.map(Into::into),
        namespace: object.namespace.map(Into::into),
        kind_place,
        partial: object.partial,
        custom: is_custom(object.api_version),
        custom_group,
        kustomized: false,
        silenced: RelationRules::of(silenced),
        detail,
    })
}

struct Reader<'l, 'a> {
    locate: &'l Locate<'a>,
    kind_place: Place,
}

impl Reader<'_, '_> {
    fn entry_place(&self, entry: &Entry) -> Place {
        (self.locate)(entry_span(&entry.key, &entry.value))
    }

    fn key_place(&self, entry: &Entry) -> Place {
        (self.locate)(entry.key.span)
    }

    /// `labels`: the Pods' labels; `spec`: their Pod spec.
    fn workload(
        &self,
        object: &Object<'_>,
        labels: Option<&Node>,
        spec: Option<&Node>,
    ) -> WorkloadFacts {
        let labels = labels.map(string_pairs).unwrap_or_default();
        let replicas_entry = object.node.get("spec").and_then(|s| s.entry("replicas"));
        let replicas = replicas_entry.and_then(|e| Some((integer(&e.value)?, self.entry_place(e))));
        let replicated = match object.workload_kind {
            Some(kind) => matches!(
                kind,
                WorkloadKind::Deployment
                    | WorkloadKind::StatefulSet
                    | WorkloadKind::ReplicaSet
                    | WorkloadKind::ReplicationController
            ),
            // A custom resource with a replica count (an Argo Rollout).
            None => replicas_entry.is_some(),
        };
        let mut labels = labels;
        // The Job controller labels its Pods with the Job's name.
        if let (Some(WorkloadKind::Job), Some(name)) = (object.workload_kind, object.name) {
            for key in ["job-name", "batch.kubernetes.io/job-name"] {
                labels.push((key.into(), name.into()));
            }
        }
        let mut facts = WorkloadFacts {
            workload_kind: object.workload_kind,
            labels,
            replicas,
            replicated,
            ports: Vec::new(),
            undeclared_ports: false,
            references: Vec::new(),
        };
        if let Some(spec) = spec {
            self.pod_spec(spec, &mut facts);
        }
        facts
    }

    fn pod_spec(&self, spec: &Node, facts: &mut WorkloadFacts) {
        for list in ["initContainers", "containers", "ephemeralContainers"] {
            for container in seq(spec.get(list)) {
                let long_running = list == "containers"
                    || container.get("restartPolicy").and_then(Node::as_str) == Some("Always");
                if long_running {
                    self.ports(container, &mut facts.ports);
                    facts.undeclared_ports |= container.get("ports").is_none();
                }
                self.container_references(container, &mut facts.references);
            }
        }
        for key in ["serviceAccountName", "serviceAccount"] {
            if let Some(entry) = spec.entry(key) {
                if let Some(name) = entry.value.as_str().filter(|n| *n != "default") {
                    facts.references.push(Reference {
                        kind: ReferenceKind::ServiceAccount,
                        name: name.into(),
                        place: self.entry_place(entry),
                        optional: false,
                        keys: Vec::new(),
                    });
                    break;
                }
            }
        }
        for volume in seq(spec.get("volumes")) {
            self.volume_references(volume, &mut facts.references);
        }
    }

    fn ports(&self, container: &Node, out: &mut Vec<PortFact>) {
        let Some(entry) = container.entry("ports") else {
            return;
        };
        let ports_place = self.key_place(entry);
        for port in seq(Some(&entry.value)) {
            out.push(PortFact {
                number: port.get("containerPort").and_then(integer),
                name: port.get("name").and_then(Node::as_str).map(Into::into),
                ports_place,
            });
        }
    }

    fn container_references(&self, container: &Node, out: &mut Vec<Reference>) {
        for env in seq(container.get("env")) {
            let Some(from) = env.get("valueFrom") else {
                continue;
            };
            for (key, kind) in [
                ("configMapKeyRef", ReferenceKind::ConfigMap),
                ("secretKeyRef", ReferenceKind::Secret),
            ] {
                if let Some(source) = from.get(key) {
                    out.extend(self.reference(source, "name", kind, None));
                }
            }
        }
        for from in seq(container.get("envFrom")) {
            for (key, kind) in [
                ("configMapRef", ReferenceKind::ConfigMap),
                ("secretRef", ReferenceKind::Secret),
            ] {
                if let Some(source) = from.get(key) {
                    out.extend(self.reference(source, "name", kind, None));
                }
            }
        }
    }

    fn volume_references(&self, volume: &Node, out: &mut Vec<Reference>) {
        if let Some(source) = volume.get("configMap") {
            out.extend(self.reference(source, "name", ReferenceKind::ConfigMap, Some("items")));
        }
        if let Some(source) = volume.get("secret") {
            out.extend(self.reference(source, "secretName", ReferenceKind::Secret, Some("items")));
        }
        if let Some(source) = volume.get("persistentVolumeClaim") {
            out.extend(self.reference(
                source,
                "claimName",
                ReferenceKind::PersistentVolumeClaim,
                None,
            ));
        }
        let sources = volume.get("projected").and_then(|p| p.get("sources"));
        for source in seq(sources) {
            for (key, kind) in [
                ("configMap", ReferenceKind::ConfigMap),
                ("secret", ReferenceKind::Secret),
            ] {
                if let Some(source) = source.get(key) {
                    out.extend(self.reference(source, "name", kind, Some("items")));
                }
            }
        }
    }

    /// A reference whose name is at `name_key` of `source`; its keys are
    /// `source.key` or, with `items`, the `key` of each item.
    fn reference(
        &self,
        source: &Node,
        name_key: &str,
        kind: ReferenceKind,
        items: Option<&str>,
    ) -> Option<Reference> {
        let entry = source.entry(name_key)?;
        let name = entry.value.as_str()?;
        let optional = source
            .get("optional")
            .and_then(Node::as_str)
            .is_some_and(|o| o == "true");
        let key_entries: Vec<&Entry> = match items {
            Some(items) => seq(source.get(items))
                .filter_map(|item| item.entry("key"))
                .collect(),
            None => source.entry("key").into_iter().collect(),
        };
        let keys = key_entries
            .into_iter()
            .filter_map(|e| Some((e.value.as_str()?.into(), self.entry_place(e))))
            .collect();
        Some(Reference {
            kind,
            name: name.into(),
            place: self.entry_place(entry),
            optional,
            keys,
        })
    }

    fn service(&self, spec: Option<&Node>) -> ServiceFacts {
        let external = spec
            .and_then(|s| s.get("type"))
            .and_then(Node::as_str)
            .is_some_and(|t| t == "ExternalName");
        let selector = spec
            .and_then(|s| s.entry("selector"))
            .filter(|_| !external)
            .and_then(|entry| {
                let labels = string_pairs(&entry.value);
                (!labels.is_empty()).then(|| SelectorAt {
                    selector: Selector {
                        labels,
                        expressions: Vec::new(),
                    },
                    place: self.key_place(entry),
                })
            });
        let ports_entry = spec.and_then(|s| s.entry("ports"));
        let ports = seq(ports_entry.map(|e| &e.value))
            .filter_map(|port| {
                let target = port.entry("targetPort");
                let place = target.or_else(|| port.entry("port"))?;
                Some(ServicePort {
                    port: port.get("port").and_then(integer),
                    name: port.get("name").and_then(Node::as_str).map(Into::into),
                    target: target.and_then(|t| port_ref(&t.value)),
                    place: self.entry_place(place),
                })
            })
            .collect();
        ServiceFacts {
            selector,
            ports,
            ports_place: ports_entry.map(|e| self.key_place(e)),
        }
    }

    fn selector(&self, entry: &Entry) -> Option<SelectorAt> {
        let node = &entry.value;
        let labels = node
            .get("matchLabels")
            .map(string_pairs)
            .unwrap_or_default();
        let mut expressions = Vec::new();
        for expression in seq(node.get("matchExpressions")) {
            let operator = match expression.get("operator").and_then(Node::as_str)? {
                "In" => Operator::In,
                "NotIn" => Operator::NotIn,
                "Exists" => Operator::Exists,
                "DoesNotExist" => Operator::DoesNotExist,
                _ => return None,
            };
            expressions.push(Expression {
                key: expression.get("key").and_then(Node::as_str)?.into(),
                operator,
                values: seq(expression.get("values"))
                    .filter_map(Node::as_str)
                    .map(Into::into)
                    .collect(),
            });
        }
        Some(SelectorAt {
            selector: Selector {
                labels,
                expressions,
            },
            place: self.key_place(entry),
        })
    }

    fn budget(&self, spec: Option<&Node>) -> BudgetFacts {
        let field = |key: &str| {
            let entry = spec?.entry(key)?;
            Some((budget(&entry.value)?, self.entry_place(entry)))
        };
        BudgetFacts {
            selector: spec
                .and_then(|s| s.entry("selector"))
                .and_then(|e| self.selector(e)),
            min_available: field("minAvailable"),
            max_unavailable: field("maxUnavailable"),
        }
    }

    fn autoscaler(&self, spec: Option<&Node>) -> Option<AutoscalerFacts> {
        let spec = spec?;
        let target = spec.entry("scaleTargetRef")?;
        Some(AutoscalerFacts {
            target_kind: target.value.get("kind").and_then(Node::as_str)?.into(),
            target_name: target.value.get("name").and_then(Node::as_str)?.into(),
            target_place: self.key_place(target),
            max_replicas: spec.get("maxReplicas").and_then(integer),
        })
    }

    fn data(&self, node: &Node) -> DataFacts {
        let mut keys = Vec::new();
        let mut data_place = None;
        for field in ["data", "stringData", "binaryData"] {
            if let Some(entry) = node.entry(field) {
                data_place = data_place.or_else(|| Some(self.key_place(entry)));
                for e in entry.value.as_map().unwrap_or_default() {
                    keys.extend(e.key.as_str().map(Text::from));
                }
            }
        }
        DataFacts {
            keys,
            data_place: data_place.unwrap_or(self.kind_place),
        }
    }

    fn claim(&self, spec: Option<&Node>) -> ClaimFacts {
        let entry = spec.and_then(|s| s.entry("accessModes"));
        ClaimFacts {
            access_modes: seq(entry.map(|e| &e.value))
                .filter_map(Node::as_str)
                .map(Into::into)
                .collect(),
            modes_place: entry.map_or(self.kind_place, |e| self.key_place(e)),
        }
    }

    fn ingress(&self, spec: Option<&Node>) -> IngressFacts {
        let mut backends = Vec::new();
        let Some(spec) = spec else {
            return IngressFacts { backends };
        };
        let mut nodes: Vec<&Node> = ["defaultBackend", "backend"]
            .into_iter()
            .filter_map(|key| spec.get(key))
            .collect();
        for rule in seq(spec.get("rules")) {
            let paths = rule.get("http").and_then(|h| h.get("paths"));
            nodes.extend(seq(paths).filter_map(|p| p.get("backend")));
        }
        for node in nodes {
            // networking.k8s.io/v1: `service: {name, port: {number|name}}`;
            // v1beta1: `serviceName`, `servicePort`.
            let (name, port) = match node.get("service") {
                Some(service) => {
                    let port = service.entry("port").and_then(|p| {
                        let value = p.value.get("number").or_else(|| p.value.get("name"))?;
                        Some((port_ref(value)?, self.entry_place(p)))
                    });
                    (service.entry("name"), port)
                }
                None => {
                    let port = node
                        .entry("servicePort")
                        .and_then(|p| Some((port_ref(&p.value)?, self.entry_place(p))));
                    (node.entry("serviceName"), port)
                }
            };
            if let Some((entry, service)) = name.and_then(|e| Some((e, e.value.as_str()?))) {
                backends.push(Backend {
                    service: service.into(),
                    name_place: self.entry_place(entry),
                    port,
                });
            }
        }
        IngressFacts { backends }
    }
}

/// `spec.template` of an object podlint does not know, when it is a Pod
/// template (it has containers).
fn custom_pod_template(node: &Node) -> Option<&Node> {
    let template = node.get("spec")?.get("template")?;
    template.get("spec")?.get("containers")?.as_seq()?;
    Some(template)
}

/// An API group that is not Kubernetes' own: `monitoring.coreos.com/v1`,
/// not `apps/v1` nor `networking.k8s.io/v1`.
fn is_custom(api_version: &str) -> bool {
    api_version
        .split_once('/')
        .is_some_and(|(group, _)| group.contains('.') && !group.ends_with(".k8s.io"))
}

fn custom_group(object: &Object<'_>) -> Option<Text> {
    if object.kind == "CustomResourceDefinition" {
        let group = object.node.get("spec")?.get("group")?.as_str()?;
        return Some(group.into());
    }
    let (group, _) = object.api_version.split_once('/')?;
    is_custom(object.api_version).then(|| group.into())
}

/// The resources, and their kinds, that Pods reference by name and that
/// a Role may let its holder create.
pub const CREATABLE_KINDS: [(&str, &str); 3] = [
    ("secrets", "Secret"),
    ("configmaps", "ConfigMap"),
    ("persistentvolumeclaims", "PersistentVolumeClaim"),
];

/// The kinds that a Role's or ClusterRole's rules let its holder create,
/// of those that Pods reference by name.
fn created_kinds(role: &Node) -> Vec<&'static str> {
    let mut kinds = Vec::new();
    for rule in seq(role.get("rules")) {
        let has = |key: &str, wanted: &str| {
            seq(rule.get(key)).any(|v| matches!(v.as_str(), Some(s) if s == wanted || s == "*"))
        };
        if !has("apiGroups", "") || !has("verbs", "create") {
            continue;
        }
        for (resource, kind) in CREATABLE_KINDS {
            if has("resources", resource) && !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
    }
    kinds
}

fn seq(node: Option<&Node>) -> impl Iterator<Item = &Node> {
    node.and_then(Node::as_seq).unwrap_or_default().iter()
}

/// A mapping of scalars (labels, a Service's selector), as strings.
fn string_pairs(node: &Node) -> Vec<(Text, Text)> {
    node.as_map()
        .unwrap_or_default()
        .iter()
        .filter_map(|e| Some((e.key.as_str()?.into(), e.value.as_str()?.into())))
        .collect()
}

fn integer(node: &Node) -> Option<i64> {
    node.as_str()?.parse().ok()
}

fn port_ref(node: &Node) -> Option<PortRef> {
    let text = node.as_str()?;
    Some(match text.parse() {
        Ok(number) => PortRef::Number(number),
        Err(_) => PortRef::Name(text.into()),
    })
}

/// `3` or `"50%"`.
fn budget(node: &Node) -> Option<Budget> {
    let text = node.as_str()?;
    match text.strip_suffix('%') {
        Some(percent) => percent.trim().parse().ok().map(Budget::Percent),
        None => text.parse().ok().map(Budget::Count),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bits of a `u32` hold every relation rule, and only those.
    #[test]
    fn relation_rules_are_bits_of_a_u32() {
        let relation_rules = crate::rules::RULES
            .iter()
            .filter(|rule| matches!(rule.check, crate::rules::Check::Relation(_)))
            .count();
        assert!((10..=32).contains(&relation_rules), "{relation_rules}");
        let silenced = RelationRules::of(&[
            "network-policy-selects-nothing",
            "memory-limit-missing",
            "reference-missing",
        ]);
        assert!(silenced.contains("network-policy-selects-nothing"));
        assert!(silenced.contains("reference-missing"));
        assert!(!silenced.contains("reference-key-missing"));
        assert!(!silenced.contains("memory-limit-missing"));
        assert_eq!(RelationRules::from_bits(silenced.bits()), silenced);
    }
}

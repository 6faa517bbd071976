//! Sets of objects that relation rules look across: one render of a chart,
//! one kustomize build (closed sets: they are all that is applied together),
//! or the raw files of the run.
//!
//! Namespaces: an object written without a namespace is applied to whatever
//! namespace the user deploys into, so it may meet an object of any
//! namespace; two objects whose namespaces are both written must have the
//! same one to meet. Two objects of one kind and name in a set (the same
//! Deployment in `dev/` and `prod/` folders) are alternatives, not two objects.

use std::collections::{HashMap, HashSet};
use std::hash::Hash;

use super::facts::{Detail, ObjectFacts, Selector, Text, WorkloadFacts};

/// Which set a file's objects belong to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SetId {
    /// The raw files of the run.
    Raw,
    /// A chart render or a kustomize build, numbered by its renderer.
    Closed(u32),
}

/// An object of a set and the file it was read from (an index into the run's files).
#[derive(Clone, Copy, Debug)]
pub struct Member<'a> {
    pub file: u32,
    /// The folder of the file (an index): see [`Set::expects`].
    pub folder: u32,
    pub facts: &'a ObjectFacts,
}

impl<'a> Member<'a> {
    pub fn namespace(&self) -> Option<&'a str> {
        self.facts.namespace.as_deref()
    }

    pub fn name(&self) -> &'a str {
        self.facts.name.as_deref().unwrap_or("(unnamed)")
    }

    pub fn workload(&self) -> Option<&'a WorkloadFacts> {
        match &self.facts.detail {
            Detail::Workload(workload) => Some(workload),
            _ => None,
        }
    }

    /// `Deployment `web``, as messages name objects.
    pub fn describe(&self) -> String {
        format!("{} `{}`", self.facts.kind, self.name())
    }
}

/// Whether objects of these namespaces can meet (see the module doc).
pub fn compatible(a: Option<&str>, b: Option<&str>) -> bool {
    a.is_none() || b.is_none() || a == b
}

pub struct Set<'a> {
    pub members: Vec<Member<'a>>,
    closed: bool,
    /// Members by kind and name, including names that other kinds make
    /// (a SealedSecret makes a Secret).
    by_name: HashMap<(&'a str, &'a str), Vec<u32>>,
    /// Workloads by each of their Pod labels.
    by_label: HashMap<(&'a str, &'a str), Vec<u32>>,
    workloads: Vec<u32>,
    /// Autoscalers by the kind and name of their target.
    by_target: HashMap<(&'a str, &'a str), Vec<u32>>,
    /// The names of custom resources (see [`Set::judges_selector`]).
    custom_names: HashSet<&'a str>,
    /// The API groups of custom resources and their definitions.
    custom_groups: HashSet<&'a str>,
    /// The kinds that Roles of the set let Pods create at run time, with
    /// the Role's namespace, in its folder and in the whole set.
    created: Presence<'a, &'static str>,
    /// The kinds defined, with their namespaces, in each folder and in the
    /// whole set.
    kinds: Presence<'a, &'a str>,
    /// The namespaces of the workloads, in each folder and in the whole set.
    workload_namespaces: Presence<'a, ()>,
}

/// Where something is (a kind, a workload...): in which namespaces of
/// which folders, and in which namespaces of the set, so that a question
/// ("is there one that an object of this namespace meets, in this
/// folder?") is a few lookups however large the set.
struct Presence<'a, T> {
    in_folder: HashSet<(T, Option<&'a str>, u32)>,
    /// Whether there is one in the folder, whatever its namespace.
    in_folder_any: HashSet<(T, u32)>,
    in_set: HashSet<(T, Option<&'a str>)>,
    in_set_any: HashSet<T>,
}

impl<'a, T: Copy + Eq + Hash> Presence<'a, T> {
    fn new() -> Self {
        Presence {
            in_folder: HashSet::new(),
            in_folder_any: HashSet::new(),
            in_set: HashSet::new(),
            in_set_any: HashSet::new(),
        }
    }

    fn insert(&mut self, item: T, namespace: Option<&'a str>, folder: u32) {
        self.in_folder.insert((item, namespace, folder));
        self.in_folder_any.insert((item, folder));
        self.in_set.insert((item, namespace));
        self.in_set_any.insert(item);
    }

    /// Whether there is one that an object of `namespace` meets (see
    /// [`compatible`]): in `folder`, or anywhere in the set.
    fn meets(&self, item: T, namespace: Option<&str>, folder: Option<u32>) -> bool {
        match (folder, namespace) {
            (Some(folder), None) => self.in_folder_any.contains(&(item, folder)),
            (Some(folder), Some(namespace)) => {
                self.in_folder.contains(&(item, None, folder))
                    || self.in_folder.contains(&(item, Some(namespace), folder))
            }
            (None, None) => self.in_set_any.contains(&item),
            (None, Some(namespace)) => {
                self.in_set.contains(&(item, None))
                    || self.in_set.contains(&(item, Some(namespace)))
            }
        }
    }
}

impl<'a> Set<'a> {
    pub fn new(members: Vec<Member<'a>>, closed: bool) -> Self {
        let mut set = Set {
            members,
            closed,
            by_name: HashMap::new(),
            by_label: HashMap::new(),
            workloads: Vec::new(),
            by_target: HashMap::new(),
            kinds: Presence::new(),
            created: Presence::new(),
            workload_namespaces: Presence::new(),
            custom_names: HashSet::new(),
            custom_groups: HashSet::new(),
        };
        for (index, member) in set.members.iter().enumerate() {
            let index = index as u32;
            let facts = member.facts;
            let namespace = facts.namespace.as_deref();
            let mut defined = vec![(&*facts.kind, facts.name.as_deref())];
            set.custom_groups.extend(facts.custom_group.as_deref());
            if facts.custom && !matches!(facts.detail, Detail::Workload(_)) {
                set.custom_names.extend(facts.name.as_deref());
            }
            match &facts.detail {
                Detail::Workload(workload) => {
                    set.workloads.push(index);
                    set.workload_namespaces.insert((), namespace, member.folder);
                    for (key, value) in &workload.labels {
                        set.by_label.entry((key, value)).or_default().push(index);
                    }
                }
                Detail::MakesSecret { name } => defined.push(("Secret", Some(&**name))),
                Detail::Creates(kinds) => {
                    for &kind in kinds.iter() {
                        set.created.insert(kind, namespace, member.folder);
                    }
                }
                Detail::Autoscaler(autoscaler) => set
                    .by_target
                    .entry((&autoscaler.target_kind, &autoscaler.target_name))
                    .or_default()
                    .push(index),
                _ => {}
            }
            for (kind, name) in defined {
                set.kinds.insert(kind, namespace, member.folder);
                if let Some(name) = name {
                    set.by_name.entry((kind, name)).or_default().push(index);
                }
            }
        }
        set.closed = set.closed && !set.workloads.is_empty();
        set
    }

    /// A chart render or a kustomize build that deploys workloads:
    /// everything applied together is in it. (One without workloads adds
    /// to an application deployed by another: an overlay of an Ingress or
    /// an autoscaler alone is judged as raw files are.)
    pub fn closed(&self) -> bool {
        self.closed
    }

    /// The objects of a kind and name that an object in `namespace` can meet.
    pub fn named(&self, kind: &str, name: &str, namespace: Option<&str>) -> Vec<Member<'a>> {
        let found = self
            .by_name
            .get(&(kind, name))
            .map_or(&[][..], Vec::as_slice);
        found
            .iter()
            .map(|&i| self.members[i as usize])
            .filter(|m| compatible(m.namespace(), namespace))
            .collect()
    }

    /// Whether a Role of the set lets Pods create objects of `kind` at run
    /// time where `referrer` runs (in the raw files: a Role of its folder,
    /// as for [`Set::expects`]).
    pub fn created_at_run_time(&self, kind: &str, referrer: &Member<'_>) -> bool {
        let folder = (!self.closed).then_some(referrer.folder);
        self.created.meets(kind, referrer.namespace(), folder)
    }

    /// Whether a missing object of `kind` that `referrer` names is worth
    /// reporting: always in a closed set; in the raw files, when the
    /// referrer's folder defines objects of that kind in its namespace (a
    /// folder that ships no Secrets has them made elsewhere; one that ships
    /// some likely forgot this one). Raw files of one run often hold many
    /// unrelated applications (a repository of samples): each folder is
    /// judged by what it ships.
    pub fn expects(&self, kind: &str, referrer: &Member<'_>) -> bool {
        self.closed
            || self
                .kinds
                .meets(kind, referrer.namespace(), Some(referrer.folder))
    }

    /// Whether `selector`, of `selecting`, can be judged to select nothing.
    /// Not when the set has no Pod templates that it can meet (in the raw
    /// files: in its folder, as for [`Set::expects`]); not in `kube-system`
    /// (whose control-plane Pods are static, in no manifest); not when it
    /// selects by a label that controllers put on Pods (`pod-template-hash`,
    /// `statefulset.kubernetes.io/pod-name`...) or by a key under the API
    /// group of a custom resource or definition of the set (its operator's
    /// label, `longhorn.io/component`); and not when a label value
    /// is the name of a custom resource, whose operator makes the Pods
    /// (a Prometheus `k8s` runs Pods labelled `prometheus: k8s`).
    pub fn judges_selector(&self, selecting: &Member<'_>, selector: &Selector) -> bool {
        const CONTROLLER_LABELS: [&str; 6] = [
            "pod-template-hash",
            "controller-uid",
            "batch.kubernetes.io/controller-uid",
            "statefulset.kubernetes.io/pod-name",
            "apps.kubernetes.io/pod-index",
            "controller-revision-hash",
        ];
        let keys = selector
            .labels
            .iter()
            .map(|(key, _)| key)
            .chain(selector.expressions.iter().map(|e| &e.key));
        let values = selector
            .labels
            .iter()
            .map(|(_, value)| value)
            .chain(selector.expressions.iter().flat_map(|e| &e.values));
        let folder = (!self.closed).then_some(selecting.folder);
        let near = self
            .workload_namespaces
            .meets((), selecting.namespace(), folder);
        let operator_key = |key: &str| {
            key.split_once('/')
                .is_some_and(|(prefix, _)| self.custom_groups.contains(prefix))
        };
        near && selecting.namespace() != Some("kube-system")
            && !keys
                .into_iter()
                .any(|k| CONTROLLER_LABELS.contains(&&**k) || operator_key(k))
            && !values.into_iter().any(|v| self.custom_names.contains(&**v))
    }

    /// Whether an object of this name may be made by the operator of a
    /// custom resource of the set: a RayCluster `ray` makes the Service
    /// `ray-head-svc`, a database cluster its Secrets.
    pub fn made_by_operator(&self, name: &str) -> bool {
        self.custom_names
            .iter()
            .any(|custom| custom.len() >= 3 && name.starts_with(custom))
    }

    /// The workloads whose Pods `selector` selects, in `namespace`.
    pub fn selected(&self, selector: &Selector, namespace: Option<&str>) -> Vec<Member<'a>> {
        let candidates: &[u32] = match selector.labels.first() {
            Some((key, value)) => self
                .by_label
                .get(&(&**key, &**value))
                .map_or(&[], Vec::as_slice),
            None => &self.workloads,
        };
        candidates
            .iter()
            .map(|&i| self.members[i as usize])
            .filter(|m| compatible(m.namespace(), namespace))
            .filter(|m| m.workload().is_some_and(|w| selector.matches(&w.labels)))
            .collect()
    }

    /// The autoscalers that scale `member`.
    pub fn autoscalers_of(&self, member: &Member<'_>) -> Vec<Member<'a>> {
        let Some(name) = member.facts.name.as_deref() else {
            return Vec::new();
        };
        let found = self
            .by_target
            .get(&(&*member.facts.kind, name))
            .map_or(&[][..], Vec::as_slice);
        found
            .iter()
            .map(|&i| self.members[i as usize])
            .filter(|m| compatible(m.namespace(), member.namespace()))
            .collect()
    }

    /// Workloads, one per kind and name (see the module doc).
    pub fn distinct(members: Vec<Member<'a>>) -> Vec<Member<'a>> {
        let mut seen: HashSet<(&Text, Option<&Text>)> = HashSet::new();
        members
            .into_iter()
            .filter(|m| seen.insert((&m.facts.kind, m.facts.name.as_ref())))
            .collect()
    }
}

//! Sets of objects that relation rules look across: one render of a chart,
//! one kustomize build (closed sets: they are all that is applied together),
//! or the raw files of the run.
//!
//! Namespaces: an object written without a namespace is applied to whatever
//! namespace the user deploys into, so it may meet an object of any
//! namespace; two objects whose namespaces are both written must have the
//! same one to meet. Two objects of one kind and name in a set (the same
//! Deployment in `dev/` and `prod/` folders) are alternatives, not two objects.

use std::collections::HashSet;

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
    /// (a SealedSecret makes a Secret). The indexes are sorted lists
    /// searched by halves, not hash maps: the raw files of a large run are
    /// one set, built when the run holds the most, and a map's buckets and
    /// a list per key cost several times the entries.
    by_name: Vec<Named>,
    /// Workloads by each of their Pod labels: (member, label) pairs.
    by_label: Vec<(u32, u32)>,
    workloads: Vec<u32>,
    /// Autoscalers by the kind and name of their target.
    by_target: Vec<u32>,
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

/// An entry of [`Set::by_name`]: a member's own kind and name, or the
/// Secret it makes.
#[derive(Clone, Copy)]
struct Named {
    member: u32,
    made_secret: bool,
}

/// Where something is (a kind, a workload...): in which namespaces of
/// which folders, and in which namespaces of the set, so that a question
/// ("is there one that an object of this namespace meets, in this
/// folder?") is a few searches however large the set. Both lists are
/// sorted and without repeats once [`Presence::seal`] has run.
struct Presence<'a, T> {
    in_folder: Vec<(T, u32, Option<&'a str>)>,
    in_set: Vec<(T, Option<&'a str>)>,
}

impl<'a, T: Copy + Ord> Presence<'a, T> {
    fn new() -> Self {
        Presence {
            in_folder: Vec::new(),
            in_set: Vec::new(),
        }
    }

    fn insert(&mut self, item: T, namespace: Option<&'a str>, folder: u32) {
        // Neighbouring members (one file's objects) often repeat an entry.
        let entry = (item, folder, namespace);
        if self.in_folder.last() != Some(&entry) {
            self.in_folder.push(entry);
        }
        if self.in_set.last() != Some(&(item, namespace)) {
            self.in_set.push((item, namespace));
        }
    }

    fn seal(&mut self) {
        self.in_folder.sort_unstable();
        self.in_folder.dedup();
        self.in_folder.shrink_to_fit();
        self.in_set.sort_unstable();
        self.in_set.dedup();
        self.in_set.shrink_to_fit();
    }

    /// Whether there is one that an object of `namespace` meets (see
    /// [`compatible`]): in `folder`, or anywhere in the set.
    fn meets(&self, item: T, namespace: Option<&str>, folder: Option<u32>) -> bool {
        let in_folder = |folder: u32, namespace: Option<&str>| {
            self.in_folder
                .binary_search_by(|&(i, f, n)| (i, f, n).cmp(&(item, folder, namespace)))
                .is_ok()
        };
        let in_set = |namespace: Option<&str>| {
            self.in_set
                .binary_search_by(|&(i, n)| (i, n).cmp(&(item, namespace)))
                .is_ok()
        };
        match (folder, namespace) {
            (Some(folder), None) => {
                let first = self
                    .in_folder
                    .partition_point(|&(i, f, _)| (i, f) < (item, folder));
                self.in_folder
                    .get(first)
                    .is_some_and(|&(i, f, _)| (i, f) == (item, folder))
            }
            (Some(folder), Some(namespace)) => {
                in_folder(folder, None) || in_folder(folder, Some(namespace))
            }
            (None, None) => {
                let first = self.in_set.partition_point(|&(i, _)| i < item);
                self.in_set.get(first).is_some_and(|&(i, _)| i == item)
            }
            (None, Some(namespace)) => in_set(None) || in_set(Some(namespace)),
        }
    }
}

/// The entries of a sorted index whose key is `key`, in the order they
/// were added.
fn matching<E: Copy, K: Copy + Ord>(sorted: &[E], key: K, key_of: impl Fn(E) -> Option<K>) -> &[E] {
    let first = sorted.partition_point(|&e| key_of(e) < Some(key));
    let rest = &sorted[first..];
    let count = rest.partition_point(|&e| key_of(e) == Some(key));
    &rest[..count]
}

impl<'a> Set<'a> {
    pub fn new(members: Vec<Member<'a>>, closed: bool) -> Self {
        let mut set = Set {
            members,
            closed,
            by_name: Vec::new(),
            by_label: Vec::new(),
            workloads: Vec::new(),
            by_target: Vec::new(),
            kinds: Presence::new(),
            created: Presence::new(),
            workload_namespaces: Presence::new(),
            custom_names: HashSet::new(),
            custom_groups: HashSet::new(),
        };
        set.by_name.reserve_exact(set.members.len());
        for (index, member) in set.members.iter().enumerate() {
            let index = index as u32;
            let facts = member.facts;
            let namespace = facts.namespace.as_deref();
            set.kinds.insert(&facts.kind, namespace, member.folder);
            if facts.name.is_some() {
                set.by_name.push(Named {
                    member: index,
                    made_secret: false,
                });
            }
            set.custom_groups.extend(facts.custom_group.as_deref());
            if facts.custom && !matches!(facts.detail, Detail::Workload(_)) {
                set.custom_names.extend(facts.name.as_deref());
            }
            match &facts.detail {
                Detail::Workload(workload) => {
                    set.workloads.push(index);
                    set.workload_namespaces.insert((), namespace, member.folder);
                    set.by_label
                        .extend((0..workload.labels.len() as u32).map(|label| (index, label)));
                }
                Detail::MakesSecret { .. } => {
                    set.kinds.insert("Secret", namespace, member.folder);
                    set.by_name.push(Named {
                        member: index,
                        made_secret: true,
                    });
                }
                Detail::Creates(kinds) => {
                    for &kind in kinds.iter() {
                        set.created.insert(kind, namespace, member.folder);
                    }
                }
                Detail::Autoscaler(_) => set.by_target.push(index),
                _ => {}
            }
        }
        // Stable sorts: the entries of a key stay in the members' order.
        let mut by_name = std::mem::take(&mut set.by_name);
        by_name.sort_by(|&a, &b| set.name_key(a).cmp(&set.name_key(b)));
        by_name.shrink_to_fit();
        set.by_name = by_name;
        let mut by_label = std::mem::take(&mut set.by_label);
        by_label.sort_by(|&a, &b| set.label_key(a).cmp(&set.label_key(b)));
        by_label.shrink_to_fit();
        set.by_label = by_label;
        let mut by_target = std::mem::take(&mut set.by_target);
        by_target.sort_by(|&a, &b| set.target_key(a).cmp(&set.target_key(b)));
        set.by_target = by_target;
        set.workloads.shrink_to_fit();
        set.kinds.seal();
        set.created.seal();
        set.workload_namespaces.seal();
        set.closed = set.closed && !set.workloads.is_empty();
        set
    }

    /// The kind and name an entry of [`Set::by_name`] defines.
    fn name_key(&self, named: Named) -> Option<(&'a str, &'a str)> {
        let facts = self.members[named.member as usize].facts;
        match (named.made_secret, &facts.detail) {
            (true, Detail::MakesSecret { name }) => Some(("Secret", name)),
            (true, _) => None,
            (false, _) => Some((&facts.kind, facts.name.as_deref()?)),
        }
    }

    /// The label (key, value) an entry of [`Set::by_label`] stands for.
    fn label_key(&self, (member, label): (u32, u32)) -> Option<(&'a str, &'a str)> {
        let workload = self.members[member as usize].workload()?;
        let (key, value) = workload.labels.get(label as usize)?;
        Some((key, value))
    }

    /// The kind and name of the target of an autoscaler of [`Set::by_target`].
    fn target_key(&self, member: u32) -> Option<(&'a str, &'a str)> {
        match &self.members[member as usize].facts.detail {
            Detail::Autoscaler(autoscaler) => {
                Some((&autoscaler.target_kind, &autoscaler.target_name))
            }
            _ => None,
        }
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
        matching(&self.by_name, (kind, name), |named| self.name_key(named))
            .iter()
            .map(|named| self.members[named.member as usize])
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
        let selects = |&member: &Member<'a>| {
            compatible(member.namespace(), namespace)
                && member
                    .workload()
                    .is_some_and(|w| selector.matches(&w.labels))
        };
        let member = |index: u32| self.members[index as usize];
        match selector.labels.first() {
            Some((key, value)) => {
                matching(&self.by_label, (&**key, &**value), |e| self.label_key(e))
                    .iter()
                    .map(|&(index, _)| member(index))
                    .filter(selects)
                    .collect()
            }
            None => self
                .workloads
                .iter()
                .map(|&index| member(index))
                .filter(selects)
                .collect(),
        }
    }

    /// The autoscalers that scale `member`.
    pub fn autoscalers_of(&self, member: &Member<'_>) -> Vec<Member<'a>> {
        let Some(name) = member.facts.name.as_deref() else {
            return Vec::new();
        };
        matching(&self.by_target, (&*member.facts.kind, name), |autoscaler| {
            self.target_key(autoscaler)
        })
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

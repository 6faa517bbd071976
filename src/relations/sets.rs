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
    /// The namespaces written on objects of each kind (`None`: some have none).
    kind_namespaces: HashSet<(&'a str, Option<&'a str>)>,
    kinds: HashSet<&'a str>,
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
            kind_namespaces: HashSet::new(),
            kinds: HashSet::new(),
        };
        for (index, member) in set.members.iter().enumerate() {
            let index = index as u32;
            let facts = member.facts;
            let namespace = facts.namespace.as_deref();
            let mut defined = vec![(&*facts.kind, facts.name.as_deref())];
            match &facts.detail {
                Detail::Workload(workload) => {
                    set.workloads.push(index);
                    for (key, value) in &workload.labels {
                        set.by_label.entry((key, value)).or_default().push(index);
                    }
                }
                Detail::Makes { kind, name } => defined.push((kind, Some(&**name))),
                Detail::Autoscaler(autoscaler) => set
                    .by_target
                    .entry((&autoscaler.target_kind, &autoscaler.target_name))
                    .or_default()
                    .push(index),
                _ => {}
            }
            for (kind, name) in defined {
                set.kind_namespaces.insert((kind, namespace));
                set.kinds.insert(kind);
                if let Some(name) = name {
                    set.by_name.entry((kind, name)).or_default().push(index);
                }
            }
        }
        set
    }

    /// A chart render or a kustomize build: everything applied together is in it.
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

    /// Whether a missing object of `kind` in `namespace` is worth reporting:
    /// always in a closed set; in the raw files, when they define objects
    /// of that kind in that namespace (the others were likely made elsewhere).
    pub fn expects(&self, kind: &str, namespace: Option<&str>) -> bool {
        self.closed
            || match namespace {
                None => self.kinds.contains(kind),
                Some(_) => {
                    self.kind_namespaces.contains(&(kind, namespace))
                        || self.kind_namespaces.contains(&(kind, None))
                }
            }
    }

    /// Whether the set has Pod templates that objects in `namespace` can meet.
    pub fn has_workloads_in(&self, namespace: Option<&str>) -> bool {
        self.workloads
            .iter()
            .any(|&i| compatible(self.members[i as usize].namespace(), namespace))
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

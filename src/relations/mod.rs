//! The run-level stage: rules that relate objects (a Service and the Pods it
//! selects, a claim and the replicas that mount it...). The per-file stage
//! hands over each file's [`FileFacts`]; once every file is read,
//! [`Collector::run`] groups them into [`Set`]s and runs the relation rules.
//!
//! Renderers (a chart render, a kustomize build) make closed sets: each
//! render is linted with [`crate::engine::lint`] and its facts judged at
//! once by [`run_closed`], whose findings the renderer places in its source
//! files like any other (see `render::lint_unit`).

pub mod facts;
pub mod sets;
mod store;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

pub use facts::{ObjectFacts, Place};
pub use sets::{Member, Set, SetId};

use crate::engine::Settings;
use crate::finding::{Finding, Label, ObjectRef, Severity};
use crate::rules::Check;
use crate::suppress::LineSuppressions;

/// What the per-file stage keeps of a file for the run-level stage.
#[derive(Default)]
pub struct FileFacts {
    pub set: Option<SetId>,
    pub objects: Vec<ObjectFacts>,
    /// The file's `# podlint-ignore:` comments, when it has objects.
    pub suppressions: Option<LineSuppressions>,
}

impl FileFacts {
    /// The same facts, as part of a closed set (a render or a build).
    pub fn in_set(self, set: SetId) -> Self {
        FileFacts {
            set: Some(set),
            ..self
        }
    }
}

/// The relation findings of one closed set read from one text (a chart
/// render, a kustomize build), in that text's places: the renderer places
/// them in their source files like the per-file findings.
pub fn run_closed(name: &Arc<str>, facts: FileFacts, settings: &Settings) -> Vec<Finding> {
    let mut collector = Collector::default();
    collector.add(0, facts.in_set(SetId::Closed(0)));
    collector
        .run(&|_| name, &|_| settings)
        .into_iter()
        .flat_map(|(_, findings)| findings)
        .collect()
}

/// The facts of every file of the run, in input order.
#[derive(Default)]
pub struct Collector {
    files: Vec<CollectedFile>,
    store: store::FactStore,
}

/// A file's [`FileFacts`] as kept until every file is read: one is kept
/// for every file with objects (32 bytes), its objects in the store.
struct CollectedFile {
    /// The position of the file in the run's input order: relation findings
    /// are sorted by it, as the per-file ones are.
    order: u32,
    /// How many objects it has, and where the store keeps them.
    objects: u32,
    stored_at: usize,
    set: Option<SetId>,
    suppressions: Option<Box<LineSuppressions>>,
}

impl Collector {
    /// Adds the facts of the file at `order` in the run's input order.
    pub fn add(&mut self, order: usize, facts: FileFacts) {
        let FileFacts {
            set,
            objects,
            suppressions,
        } = facts;
        if !objects.is_empty() {
            self.files.push(CollectedFile {
                order: order as u32,
                objects: objects.len() as u32,
                stored_at: self.store.keep(&objects),
                set,
                suppressions: suppressions.map(Box::new),
            });
        }
    }

    /// Runs the relation rules over every set. `name_of` gives the name of
    /// the file at an input position (the facts do not keep names: a run
    /// has them already), `settings_of` its settings: a finding is reported
    /// when its rule is on for the file it points into, at that file's
    /// severity. The findings come grouped by file, in input order, each
    /// file's sorted by line, column and rule.
    pub fn run<'n, 's>(
        self,
        name_of: &dyn Fn(usize) -> &'n str,
        settings_of: &dyn Fn(usize) -> &'s Settings,
    ) -> Vec<(usize, Vec<Finding>)> {
        let relation_rules: Vec<_> = crate::rules::RULES
            .iter()
            .filter_map(|rule| match rule.check {
                Check::Relation(check) => Some((rule.id, check)),
                _ => None,
            })
            .filter(|(id, _)| {
                self.files
                    .iter()
                    .any(|f| settings_of(f.order as usize).severity(id).is_some())
            })
            .collect();
        if relation_rules.is_empty() {
            return Vec::new();
        }
        let mut by_set: BTreeMap<SetId, Vec<u32>> = BTreeMap::new();
        let mut folders: HashMap<&Path, u32> = HashMap::new();
        let mut folder_of = Vec::with_capacity(self.files.len());
        for (file, collected) in self.files.iter().enumerate() {
            let parent = Path::new(name_of(collected.order as usize))
                .parent()
                .unwrap_or(Path::new(""));
            let next = folders.len() as u32;
            folder_of.push(*folders.entry(parent).or_insert(next));
            let set = collected.set.unwrap_or(SetId::Raw);
            by_set.entry(set).or_default().push(file as u32);
        }
        let mut raws = Vec::new();
        for (id, files) in by_set {
            // Typed again one set at a time, each once the last is dropped,
            // and a file's objects on their own: small blocks reuse the room
            // the trees left, where one list of them all would be new memory.
            let read: Vec<(u32, Box<[ObjectFacts]>)> = files
                .iter()
                .map(|&file| {
                    let collected = &self.files[file as usize];
                    let objects = self
                        .store
                        .read(collected.stored_at, collected.objects as usize);
                    (file, objects.collect())
                })
                .collect();
            let members = read
                .iter()
                .flat_map(|(file, objects)| {
                    objects.iter().map(|facts| Member {
                        file: *file,
                        folder: folder_of[*file as usize],
                        facts,
                    })
                })
                .collect();
            let set = Set::new(members, id != SetId::Raw);
            for &(rule, check) in &relation_rules {
                let mut report = Report {
                    rule,
                    out: &mut raws,
                };
                check(&set, &mut report);
            }
        }
        let mut findings: Vec<(usize, Finding)> = raws
            .into_iter()
            .filter(|raw| !raw.partial)
            .filter_map(|raw| {
                let settings = settings_of(self.files[raw.file as usize].order as usize);
                let severity = settings.severity(raw.rule)?;
                (!settings.suppress || !self.silenced(&raw))
                    .then(|| self.finding(raw, severity, name_of))
            })
            .collect();
        findings.sort_by(|(a_order, a), (b_order, b)| {
            (a_order, a.start, a.rule, &a.message).cmp(&(b_order, b.start, b.rule, &b.message))
        });
        findings.dedup_by(|(a_order, a), (b_order, b)| {
            a_order == b_order && a.span == b.span && a.rule == b.rule && a.message == b.message
        });
        let mut grouped: Vec<(usize, Vec<Finding>)> = Vec::new();
        for (order, finding) in findings {
            match grouped.last_mut() {
                Some((last, group)) if *last == order => group.push(finding),
                _ => grouped.push((order, vec![finding])),
            }
        }
        grouped
    }

    fn silenced(&self, raw: &Raw) -> bool {
        let file = &self.files[raw.file as usize];
        raw.annotated
            || file
                .suppressions
                .as_ref()
                .is_some_and(|s| s.silences(raw.rule, raw.place.start.line))
    }

    fn finding<'n>(
        &self,
        raw: Raw,
        severity: Severity,
        name_of: &dyn Fn(usize) -> &'n str,
    ) -> (usize, Finding) {
        let file = &self.files[raw.file as usize];
        let name = |file: &CollectedFile| Arc::from(name_of(file.order as usize));
        let labels = raw
            .labels
            .into_iter()
            .map(|(other, place, message)| Label {
                span: place.span,
                start: place.start,
                message,
                file: (other != raw.file).then(|| name(&self.files[other as usize])),
            })
            .collect();
        let finding = Finding {
            rule: raw.rule,
            severity,
            message: raw.message,
            help: raw.help,
            file: name(file),
            span: raw.place.span,
            start: raw.place.start,
            end: raw.place.end,
            labels,
            object: Some(std::sync::Arc::new(raw.object)),
            container: None,
            fix: None,
            target: crate::model::Target::Span(raw.place.span),
            origin: None,
        };
        (file.order as usize, finding)
    }
}

/// A relation finding as a rule reports it: at a place of the referring object.
pub struct Raw {
    rule: &'static str,
    /// The referring object's file (an index into the run's files).
    file: u32,
    place: Place,
    message: String,
    help: Option<std::borrow::Cow<'static, str>>,
    /// Other places, each in the file of a member.
    labels: Vec<(u32, Place, String)>,
    object: ObjectRef,
    /// The referring object is a patch fragment or a base: not reported.
    partial: bool,
    /// The referring object's annotation silences the rule.
    annotated: bool,
}

impl Raw {
    pub fn help(&mut self, help: impl Into<std::borrow::Cow<'static, str>>) -> &mut Self {
        self.help = Some(help.into());
        self
    }

    /// A second place, in `member`'s file.
    pub fn label(
        &mut self,
        member: &Member<'_>,
        place: Place,
        message: impl Into<String>,
    ) -> &mut Self {
        self.labels.push((member.file, place, message.into()));
        self
    }
}

/// Where a relation rule reports what it finds.
pub struct Report<'r> {
    rule: &'static str,
    out: &'r mut Vec<Raw>,
}

impl Report<'_> {
    /// A finding at `place`, a place of `referrer`.
    pub fn at(
        &mut self,
        referrer: &Member<'_>,
        place: Place,
        message: impl Into<String>,
    ) -> &mut Raw {
        let facts = referrer.facts;
        self.out.push(Raw {
            rule: self.rule,
            file: referrer.file,
            place,
            message: message.into(),
            help: None,
            labels: Vec::new(),
            object: ObjectRef {
                kind: facts.kind.to_string(),
                name: facts.name.as_deref().map(str::to_string),
                namespace: facts.namespace.as_deref().map(str::to_string),
            },
            partial: facts.partial,
            annotated: facts.silenced.contains(self.rule),
        });
        let last = self.out.len() - 1;
        &mut self.out[last]
    }
}

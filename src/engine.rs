//! Runs the rules on one file: parse, extract objects and Pod specs, check,
//! locate and sort the findings.

use std::sync::Arc;

use crate::finding::{Finding, Label, ObjectRef, Severity};
use crate::model::{self, locate, Contents, Object, PodView, Target};
use crate::rules::{Check, Raw, Report, Rule};
use crate::source::{self, LineIndex, Node, SourceText, Span, SyntaxProblem, Value};
use crate::suppress::{self, LineSuppressions};

/// The rules that run, each with the severity it reports at.
pub struct Settings {
    pub active: Vec<(&'static Rule, Severity)>,
    /// Whether suppressions in the manifests apply (`--no-ignore` clears it for audits).
    pub suppress: bool,
}

impl Settings {
    /// Every rule at its default severity, those off by default at warning.
    pub fn every_rule() -> Settings {
        let active = crate::rules::RULES
            .iter()
            .map(|&rule| match rule.level {
                crate::rules::Level::On(severity) => (rule, severity),
                crate::rules::Level::Off => (rule, Severity::Warning),
            })
            .collect();
        Settings {
            active,
            suppress: true,
        }
    }

    fn severity(&self, id: &str) -> Option<Severity> {
        self.active
            .iter()
            .find(|(r, _)| r.id == id)
            .map(|(_, s)| *s)
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub documents: usize,
    pub objects: usize,
    pub pod_specs: usize,
    pub skipped_documents: usize,
    /// Helm or other Go templates, skipped whole.
    pub templates: usize,
}

impl std::ops::AddAssign for Stats {
    fn add_assign(&mut self, other: Stats) {
        self.documents += other.documents;
        self.objects += other.objects;
        self.pod_specs += other.pod_specs;
        self.skipped_documents += other.skipped_documents;
        self.templates += other.templates;
    }
}

pub struct Linted {
    pub findings: Vec<Finding>,
    pub stats: Stats,
}

/// A raw finding, its span, its labels' spans, and the object it is about.
type Located = (Raw, Span, Vec<Span>, Option<ObjectRef>);

pub fn lint(file: &Arc<str>, source: &SourceText, settings: &Settings) -> Linted {
    let mut stats = Stats::default();
    let mut located: Vec<Located> = Vec::new();
    let text = source.text.as_str();
    let mut line_suppressions = None;

    if let Some((span, message)) = &source.decode_error {
        located.push(resolve(
            syntax_raw("invalid-yaml", message.clone(), *span),
            None,
            None,
        ));
    } else {
        // Each document is linted as soon as it is parsed and then dropped:
        // a large bundle never holds all its trees at once.
        let may_be_template = text.contains("{{");
        let mut template_action = false;
        let parsed = source::parse_each(text, |document| {
            template_action =
                template_action || (may_be_template && has_template_action(&document.root));
            lint_document(&document.root, settings, &mut stats, &mut located);
        });
        // A Go template (Helm chart) is not a manifest until rendered: skip
        // it when its `{{ }}` actions break the YAML or sit in unquoted
        // values. Templates in quoted or block strings (Argo parameters,
        // alert texts) are ordinary values.
        if may_be_template && (template_action || has_invalid_syntax(&parsed)) {
            return Linted {
                findings: Vec::new(),
                stats: Stats {
                    templates: 1,
                    ..Stats::default()
                },
            };
        }
        let mut unknown = Vec::new();
        line_suppressions = Some(LineSuppressions::read(text, &parsed.comments, &mut unknown));
        located.extend(unknown.into_iter().map(|raw| resolve(raw, None, None)));
        for problem in &parsed.problems {
            let raw = match problem {
                SyntaxProblem::Invalid { span, message } => {
                    syntax_raw("invalid-yaml", message.clone(), *span)
                }
                SyntaxProblem::DuplicateKey { key, span, first } => {
                    let mut raw = syntax_raw(
                        "duplicate-key",
                        format!("key `{key}` appears twice in this mapping"),
                        *span,
                    );
                    raw.help = Some(
                        "the API server rejects duplicate keys; YAML loaders silently keep the last one"
                            .into(),
                    );
                    raw.labels
                        .push((Target::Span(*first), "first written here".into()));
                    raw
                }
            };
            located.push(resolve(raw, None, None));
        }
    }

    let findings = if located.is_empty() {
        Vec::new()
    } else {
        let lines = LineIndex::new(text);
        let mut findings: Vec<Finding> = located
            .into_iter()
            .filter_map(|(raw, span, label_spans, object)| {
                let severity = settings.severity(raw.rule)?;
                let start = lines.position(span.start);
                let silenced = settings.suppress
                    && line_suppressions
                        .as_ref()
                        .is_some_and(|s| s.silences(raw.rule, start.line));
                if silenced {
                    return None;
                }
                Some(Finding {
                    rule: raw.rule,
                    severity,
                    start,
                    end: lines.position(span.end),
                    span,
                    labels: raw
                        .labels
                        .into_iter()
                        .zip(label_spans)
                        .map(|((_, message), span)| Label {
                            span,
                            start: lines.position(span.start),
                            message,
                        })
                        .collect(),
                    message: raw.message,
                    help: raw.help,
                    file: file.clone(),
                    object,
                    container: raw.container,
                    fix: raw.fix,
                    target: raw.target,
                })
            })
            .collect();
        findings.sort_by(|a, b| (a.start, a.rule).cmp(&(b.start, b.rule)));
        findings
    };
    Linted { findings, stats }
}

fn lint_document(root: &Node, settings: &Settings, stats: &mut Stats, located: &mut Vec<Located>) {
    stats.documents += 1;
    let objects = match model::objects(root) {
        Contents::NotKubernetes => {
            stats.skipped_documents += 1;
            return;
        }
        Contents::Objects(objects) => objects,
    };
    for object in &objects {
        stats.objects += 1;
        let pod = PodView::of(object);
        stats.pod_specs += usize::from(pod.is_some());
        let mut raws = Vec::new();
        check(object, pod.as_ref(), settings, &mut raws);
        let silenced = suppress::annotated(object, &mut raws);
        if settings.suppress {
            raws.retain(|raw| !silenced.contains(&raw.rule));
        }
        let object_ref = ObjectRef {
            kind: object.kind.to_string(),
            name: object.name.map(str::to_string),
            namespace: object.namespace.map(str::to_string),
        };
        located.extend(
            raws.into_iter()
                .map(|raw| resolve(raw, Some(root), Some(object_ref.clone()))),
        );
    }
}

/// Runs the active rules on one object (and its Pod spec, if it has one).
pub fn check(
    object: &Object<'_>,
    pod: Option<&PodView<'_>>,
    settings: &Settings,
    out: &mut Vec<Raw>,
) {
    for (rule, _) in &settings.active {
        let mut report = Report::new(rule.id, out);
        match (&rule.check, pod) {
            (Check::Object(check), _) => check(object, &mut report),
            (Check::CompleteObject(check), _) if !object.partial => check(object, &mut report),
            (Check::Pod(check), Some(pod)) => check(pod, &mut report),
            (Check::CompletePod(check), Some(pod)) if !object.partial => check(pod, &mut report),
            _ => {}
        }
    }
}

fn syntax_raw(rule: &'static str, message: String, span: Span) -> Raw {
    Raw {
        rule,
        message,
        help: None,
        target: Target::Span(span),
        labels: Vec::new(),
        container: None,
        fix: None,
    }
}

/// A finding with its span and its labels' spans, located in `root` (the
/// document it was found in; syntax problems carry their spans already).
fn resolve(raw: Raw, root: Option<&Node>, object: Option<ObjectRef>) -> Located {
    let at = |target: &Target| match (target, root) {
        (Target::Span(span), _) => *span,
        (_, Some(root)) => locate(root, target),
        (_, None) => Span::default(),
    };
    let span = at(&raw.target);
    let labels = raw.labels.iter().map(|(target, _)| at(target)).collect();
    (raw, span, labels, object)
}

fn has_invalid_syntax(parsed: &source::ParsedSource) -> bool {
    parsed
        .problems
        .iter()
        .any(|p| matches!(p, SyntaxProblem::Invalid { .. }))
}

fn has_template_action(node: &Node) -> bool {
    let mut stack = vec![node];
    while let Some(node) = stack.pop() {
        match &node.value {
            Value::Scalar(s) => {
                if s.style == source::ScalarStyle::Plain && s.text.contains("{{") {
                    return true;
                }
            }
            Value::Seq(items) => stack.extend(items),
            Value::Map(entries) => {
                for entry in entries {
                    // `{{ .Values.x }}` as a key parses as a flow mapping.
                    if !matches!(entry.key.value, Value::Scalar(_)) {
                        return true;
                    }
                    stack.push(&entry.key);
                    stack.push(&entry.value);
                }
            }
        }
    }
    false
}

//! Runs the rules on one file: parse, extract objects and Pod specs, check,
//! locate and sort the findings.

use std::borrow::Cow;
use std::cell::OnceCell;
use std::sync::Arc;

use crate::admission::Policies;
use crate::finding::{Finding, Fix, Label, ObjectRef, Severity};
use crate::model::{self, crd, locate, Contents, Crds, Object, PodView, Target};
use crate::relations::facts::Locate;
use crate::relations::{self, FileFacts, ObjectFacts, Place};
use crate::roles::FileRole;
use crate::rules::{Check, Overflow, Raw, Report, Rule};
use crate::source::{self, LineIndex, Node, SourceText, Span, SyntaxProblem, Value};
use crate::suppress::{self, LineSuppressions};

/// The rules that run, each with the severity it reports at.
pub struct Settings {
    pub active: Vec<(&'static Rule, Severity)>,
    /// Whether suppressions in the manifests apply (`--no-ignore` clears it for audits).
    pub suppress: bool,
    /// What the run knows besides the objects: kinds the config adds.
    pub context: model::Context,
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
            context: model::Context::default(),
        }
    }

    /// Whether a relation rule runs: only then does the per-file stage
    /// keep facts for the run-level stage.
    pub fn relates(&self) -> bool {
        self.active
            .iter()
            .any(|(rule, _)| matches!(rule.check, Check::Relation(_)))
    }

    /// The severity a rule reports at, `None` when it does not run.
    pub fn severity(&self, id: &str) -> Option<Severity> {
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
    /// Chainsaw and kuttl assertion files (expected states), skipped whole.
    pub test_assertions: usize,
}

impl std::ops::AddAssign for Stats {
    fn add_assign(&mut self, other: Stats) {
        self.documents += other.documents;
        self.objects += other.objects;
        self.pod_specs += other.pod_specs;
        self.skipped_documents += other.skipped_documents;
        self.templates += other.templates;
        self.test_assertions += other.test_assertions;
    }
}

pub struct Linted {
    pub findings: Vec<Finding>,
    /// Those past [`MAX_FINDINGS_PER_FILE`], counted only.
    pub uncollected: Uncollected,
    pub stats: Stats,
    /// What the run-level stage needs of the file (nothing when no relation rule runs).
    pub facts: FileFacts,
}

/// The most findings kept for one file: each costs about 800 bytes until
/// it is rendered (see [`Finding`]), so that a file made of findings would otherwise take
/// memory far beyond its size. Those past it are counted by severity (the
/// summary and the exit code include them) and not reported one by one;
/// `# podlint-ignore` comments do not apply to them.
pub const MAX_FINDINGS_PER_FILE: usize = 10_000;

/// Findings counted but not kept, by severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Uncollected {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Uncollected {
    pub fn total(&self) -> usize {
        self.errors + self.warnings + self.infos
    }
}

/// A file's findings as they are found: the first [`MAX_FINDINGS_PER_FILE`]
/// located at once (so a finding is kept in its compact form, never also
/// as the rule reported it), the others counted.
struct Collector<'a> {
    settings: &'a Settings,
    file: &'a Arc<str>,
    text: &'a str,
    lines: &'a OnceCell<LineIndex<'a>>,
    /// Whether findings keep the field they point at (renders), or only
    /// their span (a field path is most of a kept finding).
    keep_targets: bool,
    found: Vec<Finding>,
    uncollected: Uncollected,
}

impl Collector<'_> {
    /// Locates `raw` in `root` (the document it was found in; syntax
    /// problems carry their spans already) and keeps it, or counts it
    /// when the file has no room left.
    fn add(&mut self, raw: Raw, root: Option<&Node>, object: Option<&Arc<ObjectRef>>) {
        if self.found.len() >= MAX_FINDINGS_PER_FILE {
            self.count(raw.rule, raw.severity, 1);
            return;
        }
        let Some(severity) = raw.severity.or_else(|| self.settings.severity(raw.rule)) else {
            return;
        };
        let lines = self.lines.get_or_init(|| LineIndex::new(self.text));
        let at = |target: &Target| match (target, root) {
            (Target::Span(span), _) => *span,
            (_, Some(root)) => locate(root, target),
            (_, None) => Span::default(),
        };
        let span = at(&raw.target);
        let labels = raw
            .labels
            .into_iter()
            .map(|(target, message)| {
                let span = at(&target);
                Label {
                    span,
                    start: lines.position(span.start),
                    message,
                    file: None,
                }
            })
            .chain(raw.elsewhere)
            .collect();
        let target = if self.keep_targets {
            let mut target = raw.target;
            target.shrink_to_fit();
            target
        } else {
            Target::Span(span)
        };
        self.found.push(Finding {
            rule: raw.rule,
            severity,
            start: lines.position(span.start),
            end: lines.position(span.end),
            span,
            labels,
            message: shrunk(raw.message),
            help: raw.help.map(|help| match help {
                Cow::Owned(help) => Cow::Owned(shrunk(help)),
                borrowed => borrowed,
            }),
            file: self.file.clone(),
            object: object.cloned(),
            container: raw.container.map(shrunk),
            fix: raw.fix,
            target,
            origin: None,
        });
    }

    /// Room for `count` more findings: grown by doubling, but never past
    /// the file's cap (16,384 slots for the 10,000 a file keeps).
    fn make_room(&mut self, count: usize) {
        let found = &mut self.found;
        let needed = (found.len() + count).min(MAX_FINDINGS_PER_FILE);
        if needed > found.capacity() {
            let grown = (2 * found.capacity()).clamp(needed, MAX_FINDINGS_PER_FILE);
            found.reserve_exact(grown - found.len());
        }
    }

    /// How many more findings the file may keep.
    fn room(&self) -> usize {
        MAX_FINDINGS_PER_FILE.saturating_sub(self.found.len())
    }

    /// Counts `count` findings of `rule` that are not kept.
    fn count(&mut self, rule: &'static str, own: Option<Severity>, count: usize) {
        match own.or_else(|| self.settings.severity(rule)) {
            Some(Severity::Error) => self.uncollected.errors += count,
            Some(Severity::Warning) => self.uncollected.warnings += count,
            Some(Severity::Info) => self.uncollected.infos += count,
            None => {}
        }
    }
}

/// A text without the room it grew: kept findings hold their texts until
/// the file is rendered.
fn shrunk(mut text: String) -> String {
    text.shrink_to_fit();
    text
}

pub fn lint(file: &Arc<str>, source: &SourceText, settings: &Settings) -> Linted {
    lint_as(file, source, settings, FileRole::Manifest)
}

/// Lints a file read as `role` says (a kustomize patch is a fragment even
/// when it looks complete).
pub fn lint_as(
    file: &Arc<str>,
    source: &SourceText,
    settings: &Settings,
    role: FileRole,
) -> Linted {
    lint_with_policies(
        file,
        source,
        settings,
        role,
        &Policies::default(),
        &Crds::default(),
    )
}

/// [`lint_as`] with the run's ValidatingAdmissionPolicies and CRDs; those
/// of the file itself are read here when the run did not read them.
pub fn lint_with_policies(
    file: &Arc<str>,
    source: &SourceText,
    settings: &Settings,
    role: FileRole,
    policies: &Policies,
    crds: &Crds,
) -> Linted {
    lint_keeping(file, source, None, settings, role, (policies, crds), false)
}

/// Lints a render (a chart's, an overlay's) with the run's CRDs: its
/// findings keep the field each points at ([`Finding::target`]), by which
/// it is placed in the source that rendered it. Other files' findings keep
/// their spans only. `parsed`: the render parsed already, when it is
/// ([`source::parse`] of `source`: a kustomize build, whose trees also
/// place its findings, is parsed once).
pub fn lint_rendered(
    file: &Arc<str>,
    source: &SourceText,
    parsed: Option<&source::ParsedSource>,
    settings: &Settings,
    crds: &Crds,
) -> Linted {
    let policies = &Policies::default();
    lint_keeping(
        file,
        source,
        parsed,
        settings,
        FileRole::Manifest,
        (policies, crds),
        true,
    )
}

fn lint_keeping(
    file: &Arc<str>,
    source: &SourceText,
    parsed: Option<&source::ParsedSource>,
    settings: &Settings,
    role: FileRole,
    (policies, crds): (&Policies, &Crds),
    keep_targets: bool,
) -> Linted {
    let own_crds;
    let crds = if source.text.contains(crd::MARKER) && !crds.covers(file) {
        let mut own = crds.clone();
        // A file's own CRDs type its resources, whatever the scope.
        match parsed {
            Some(parsed) => own.add_documents(file, &parsed.documents, None),
            None => own.add_text(file, &source.text, None),
        }
        own_crds = own;
        &own_crds
    } else {
        crds
    };
    let local;
    let policies = if source.text.contains("ValidatingAdmissionPolicy") && !policies.covers(file) {
        let mut own = policies.clone();
        own.add_policies(file, &source.text);
        own.add_params(&source.text);
        local = own;
        &local
    } else {
        policies
    };
    let mut stats = Stats::default();
    let text = source.text.as_str();
    let lines = OnceCell::new();
    let mut collector = Collector {
        settings,
        file,
        text,
        lines: &lines,
        keep_targets,
        found: Vec::new(),
        uncollected: Uncollected::default(),
    };
    let mut line_suppressions = None;
    let line_index = || lines.get_or_init(|| LineIndex::new(text));
    let locate = |span: Span| {
        let lines = line_index();
        Place {
            span,
            start: lines.position(span.start),
            end: lines.position(span.end),
        }
    };
    let mut facts = FileFacts::default();
    let relates = settings.relates();

    if let Some((span, message)) = &source.decode_error {
        collector.add(
            syntax_raw("invalid-yaml", message.clone(), *span),
            None,
            None,
        );
    } else {
        // Each document is linted as soon as it is parsed and then dropped:
        // a large bundle never holds all its trees at once.
        let may_be_template = text.contains("{{");
        let mut template_action = false;
        let mut lint_one = |document: &source::Document| {
            template_action =
                template_action || (may_be_template && has_template_action(&document.root));
            let mut context = DocumentContext {
                role,
                settings,
                policies,
                crds,
                file,
                stats: &mut stats,
                found: &mut collector,
                facts: relates.then_some(&mut facts.objects),
                locate: &locate,
            };
            lint_document(&document.root, &mut context);
        };
        let parsed_here;
        let parsed = match parsed {
            Some(parsed) => {
                parsed.documents.iter().for_each(&mut lint_one);
                parsed
            }
            None => {
                parsed_here = source::parse_each(text, |document| lint_one(&document));
                &parsed_here
            }
        };
        // A Go template (Helm chart) is not a manifest until rendered: skip
        // it when its `{{ }}` actions break the YAML or sit in its values
        // (see `has_template_action` for which quoted ones count).
        if may_be_template && (template_action || has_invalid_syntax(parsed)) {
            return Linted {
                findings: Vec::new(),
                uncollected: Uncollected::default(),
                stats: Stats {
                    templates: 1,
                    ..Stats::default()
                },
                facts: FileFacts::default(),
            };
        }
        let mut unknown = Vec::new();
        line_suppressions = Some(LineSuppressions::read(text, &parsed.comments, &mut unknown));
        for raw in unknown {
            collector.add(raw, None, None);
        }
        for problem in &parsed.problems {
            let raw = match problem {
                SyntaxProblem::Invalid { span, message } => {
                    syntax_raw("invalid-yaml", message.clone(), *span)
                }
                SyntaxProblem::DuplicateKey {
                    key,
                    span,
                    first,
                    redundant,
                } => {
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
                    raw.fix = redundant.map(|entry| Box::new(Fix::RemoveEntry(entry)));
                    raw
                }
            };
            collector.add(raw, None, None);
        }
    }
    let Collector {
        found: mut findings,
        uncollected,
        ..
    } = collector;
    if settings.suppress {
        if let Some(suppressions) = &line_suppressions {
            findings.retain(|f| !suppressions.silences(f.rule, f.start.line));
        }
    }
    findings.sort_by(|a, b| (a.start, a.rule).cmp(&(b.start, b.rule)));
    if !facts.objects.is_empty() {
        facts.suppressions = line_suppressions;
    }
    Linted {
        findings,
        uncollected,
        stats,
        facts,
    }
}

/// What linting a document adds to.
struct DocumentContext<'a, 'l, 'c> {
    role: FileRole,
    settings: &'a Settings,
    policies: &'a Policies,
    crds: &'a Crds,
    /// The file's name, as the run's policies know it.
    file: &'a str,
    stats: &'a mut Stats,
    found: &'a mut Collector<'c>,
    /// Where objects' facts go, when relation rules run.
    facts: Option<&'a mut Vec<ObjectFacts>>,
    locate: &'a Locate<'l>,
}

/// The rule that reports an object too large to apply (see
/// [`Object::too_large`]).
const SIZE_RULE: &str = "invalid-field";

fn lint_document(root: &Node, context: &mut DocumentContext<'_, '_, '_>) {
    let settings = context.settings;
    context.stats.documents += 1;
    // An object too large to apply is left untyped only when invalid-field
    // says so: never silently.
    let bound_size = settings.severity(SIZE_RULE).is_some();
    let objects = match model::objects_as(
        root,
        context.role,
        &settings.context,
        context.crds,
        bound_size,
    ) {
        Contents::NotKubernetes => {
            context.stats.skipped_documents += 1;
            return;
        }
        Contents::Objects(objects) => objects,
    };
    for object in &objects {
        context.stats.objects += 1;
        let pods = PodView::all(object);
        context.stats.pod_specs += pods.len();
        let mut raws = Vec::new();
        let mut overflow = Overflow::new(context.found.room());
        check_with_policies(
            object,
            &pods,
            (settings, context.policies, context.file),
            &mut raws,
            Some(&mut overflow),
        );
        let silenced = suppress::annotated(object, &mut raws);
        if let Some(facts) = context.facts.as_deref_mut() {
            let extracted = relations::facts::extract(
                object,
                // A custom resource's first Pod stands for its Pods' labels.
                pods.first(),
                &silenced,
                context.locate,
            );
            if let Some(mut extracted) = extracted {
                extracted.kustomized = context.role == FileRole::KustomizeResource;
                facts.push(extracted);
            }
        }
        if settings.suppress {
            raws.retain(|raw| !silenced.contains(&raw.rule));
        }
        // One for all the object's findings.
        let object_ref = Arc::new(ObjectRef {
            kind: object.kind.to_string(),
            name: object.name.map(str::to_string),
            namespace: object.namespace.map(str::to_string),
        });
        context.found.make_room(raws.len());
        for raw in raws {
            context.found.add(raw, Some(root), Some(&object_ref));
        }
        for (rule, own, count) in overflow.into_counts() {
            if !(settings.suppress && silenced.contains(&rule)) {
                context.found.count(rule, own, count);
            }
        }
    }
}

/// Runs the active rules on one object (and its Pod specs, if it has any).
pub fn check(object: &Object<'_>, pods: &[PodView<'_>], settings: &Settings, out: &mut Vec<Raw>) {
    check_with_policies(
        object,
        pods,
        (settings, &Policies::default(), ""),
        out,
        None,
    );
}

/// [`check`] with the run's policies; `file` is the object's.
fn check_with_policies(
    object: &Object<'_>,
    pods: &[PodView<'_>],
    (settings, policies, file): (&Settings, &Policies, &str),
    out: &mut Vec<Raw>,
    mut overflow: Option<&mut Overflow>,
) {
    // One set of values per Pod (a custom resource may have several), or
    // one for the object alone.
    let values: Vec<crate::custom::ObjectValues<'_>> = if pods.is_empty() {
        vec![crate::custom::ObjectValues::new(object, None)]
    } else {
        pods.iter()
            .map(|pod| crate::custom::ObjectValues::new(object, Some(pod)))
            .collect()
    };
    for (rule, _) in &settings.active {
        // An object too large to apply is not typed: invalid-field says so,
        // and no other rule looks at it.
        if object.too_large.is_some() && rule.id != SIZE_RULE {
            continue;
        }
        let mut report = match overflow.as_deref_mut() {
            Some(overflow) => Report::bounded(rule.id, out, overflow),
            None => Report::new(rule.id, out),
        };
        match &rule.check {
            Check::Policies => policies.check(file, &values[0], &mut report),
            // A check on the object runs once, whatever its Pods.
            Check::Custom(check) if check.matcher.on == crate::custom::On::Object => {
                check.run(&values[0], &mut report)
            }
            Check::Custom(check) => values.iter().for_each(|v| check.run(v, &mut report)),
            Check::Object(check) => check(object, &mut report),
            Check::CompleteObject(check) if !object.partial => check(object, &mut report),
            Check::Pod(check) => pods.iter().for_each(|pod| check(pod, &mut report)),
            Check::CompletePod(check) if !object.partial => {
                pods.iter().for_each(|pod| check(pod, &mut report))
            }
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
        elsewhere: Vec::new(),
        container: None,
        fix: None,
        severity: None,
    }
}

fn has_invalid_syntax(parsed: &source::ParsedSource) -> bool {
    parsed
        .problems
        .iter()
        .any(|p| matches!(p, SyntaxProblem::Invalid { .. }))
}

/// Whether a document is a Go template (Helm and the like) rather than a
/// manifest: a `{{ }}` in an unquoted value (or key) anywhere, or a quoted
/// value holding a Go-template action in a built-in object outside its
/// annotations and data. Custom resources keep their quoted templates:
/// alert texts, notification and commit messages are their own data, as
/// are Argo's `{{inputs.parameters.x}}`, which are not Go-template actions.
fn has_template_action(root: &Node) -> bool {
    let built_in = built_in_api(root);
    let mut stack = vec![(root, false)];
    while let Some((node, in_data)) = stack.pop() {
        match &node.value {
            Value::Scalar(s) => {
                let templated = match s.style {
                    source::ScalarStyle::Plain => s.text.contains("{{"),
                    source::ScalarStyle::Quoted => {
                        built_in && !in_data && go_template_action(&s.text)
                    }
                    source::ScalarStyle::Block => false,
                };
                if templated {
                    return true;
                }
            }
            Value::Seq(items) => stack.extend(items.iter().map(|item| (item, in_data))),
            Value::Map(entries) => {
                for entry in entries {
                    // `{{ .Values.x }}` as a key parses as a flow mapping.
                    if !matches!(entry.key.value, Value::Scalar(_)) {
                        return true;
                    }
                    let data = in_data
                        || entry
                            .key
                            .as_str()
                            .is_some_and(|key| DATA_KEYS.contains(&key));
                    stack.push((&entry.key, in_data));
                    stack.push((&entry.value, data));
                }
            }
        }
    }
    false
}

/// Keys whose values are data that may well hold templates of their own.
const DATA_KEYS: &[&str] = &["annotations", "data", "stringData", "binaryData"];

/// Whether the document's apiVersion is Kubernetes' own (core, a group
/// without a dot, or one under `k8s.io`).
fn built_in_api(root: &Node) -> bool {
    let api_version = root.as_map().and_then(|entries| {
        entries
            .iter()
            .find(|entry| entry.key.as_str() == Some("apiVersion"))
            .and_then(|entry| entry.value.as_str())
    });
    match api_version {
        Some(version) => match version.rsplit_once('/') {
            Some((group, _)) => !group.contains('.') || group.ends_with(".k8s.io"),
            None => true,
        },
        None => false,
    }
}

/// Whether `text` holds a Go-template action: `{{` (and an optional `-`
/// trim marker) followed by a field or variable (`.Release.Name`,
/// `$name`), a parenthesis, a comment, a string, a keyword (`end`) or a
/// function with arguments (`include "x" .`). `{{item}}` and
/// `{{inputs.parameters.x}}` (Argo) and `{{=expr}}` are not.
fn go_template_action(text: &str) -> bool {
    text.match_indices("{{").any(|(at, _)| {
        let mut rest = &text[at + 2..];
        if let Some(trimmed) = rest.strip_prefix('-') {
            if trimmed.starts_with(char::is_whitespace) {
                rest = trimmed;
            }
        }
        let rest = rest.trim_start();
        if rest.starts_with(['.', '$', '(', '"', '`']) || rest.starts_with("/*") {
            return true;
        }
        let word_end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let (word, after) = rest.split_at(word_end);
        if word.is_empty() || after.starts_with('.') {
            return false;
        }
        let after = after.trim_start();
        let closes = after.starts_with("}}") || after.starts_with("-}}");
        if closes {
            matches!(word, "end" | "else" | "break" | "continue")
        } else {
            after.starts_with(|c: char| !c.is_whitespace())
                && word_end < rest.len()
                && rest[word_end..].starts_with(char::is_whitespace)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::go_template_action;

    #[test]
    fn go_template_actions_are_told_from_other_braces() {
        let actions = [
            "{{ .Release.Name }}-test",
            "{{- .Values.x -}}",
            "{{$name}}",
            "{{ include \"web.fullname\" . }}",
            "{{ end }}",
            "{{else}}",
            "{{ (index .Values 0) }}",
            "{{/* note */}}",
            "x: {{ toYaml .Values.resources | nindent 4 }}",
        ];
        for text in actions {
            assert!(go_template_action(text), "{text}");
        }
        let others = [
            "{{inputs.parameters.message}}",
            "{{ workflow.name }}",
            "{{item}}",
            "{{=sprig.trim(inputs.parameters.x)}}",
            "{{",
            "no braces",
        ];
        for text in others {
            assert!(!go_template_action(text), "{text}");
        }
    }
}

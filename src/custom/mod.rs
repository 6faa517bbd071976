//! Custom checks: the `checks:` of `.podlint.yaml`, CEL expressions that a
//! team writes for rules of its own. [`config`] reads and compiles them
//! (once per run); [`CustomCheck::run`] evaluates one on an object, its Pod
//! spec or each of its containers, and reports where `path` points.

pub mod config;

use std::cell::OnceCell;
use std::sync::OnceLock;

use cel::common::value::Val;

use crate::cel::{self as engine, Bindings, Expression};
use crate::model::{ContainerRole, FieldPath, Object, PodView, Target};
use crate::rules::{Level, Meta, Report};

/// The rule that reports a custom check whose expression cannot be evaluated.
pub const ERROR_RULE: &str = "custom-check-error";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum On {
    Object,
    Pod,
    Container,
}

impl On {
    fn as_str(self) -> &'static str {
        match self {
            On::Object => "object",
            On::Pod => "pod",
            On::Container => "container",
        }
    }
}

/// Which objects, and which parts of them, a check runs on.
#[derive(Debug)]
pub struct Match {
    /// Empty: any.
    pub api_versions: Vec<String>,
    /// Empty: any kind (with a Pod spec, for `on: pod` and `on: container`).
    pub kinds: Vec<String>,
    pub on: On,
    pub containers: Vec<ContainerRole>,
}

#[derive(Debug)]
pub enum Message {
    Text(String),
    Expression(Expression),
}

#[derive(Debug)]
pub struct CustomCheck {
    pub id: String,
    /// The check's entry in the config, as written: an unchanged definition
    /// is registered once (see `rules::custom`).
    pub definition: String,
    pub level: Level,
    pub summary: String,
    pub help: Option<String>,
    pub docs: Option<String>,
    pub matcher: Match,
    pub expression: Expression,
    pub message: Message,
    /// What to point at, relative to the object, Pod spec or container.
    pub path: Option<FieldPath>,
    /// The rule doc that `explain`, SARIF and the language server show:
    /// front matter and a body made from the definition.
    pub doc: String,
    meta: OnceLock<Meta>,
}

impl CustomCheck {
    pub fn meta(&'static self) -> &'static Meta {
        self.meta.get_or_init(|| {
            crate::rules::parse_meta(&self.doc).unwrap_or(Meta {
                id: &self.id,
                level: self.level,
                category: "custom",
                summary: &self.summary,
                fix: None,
                body: &self.doc,
            })
        })
    }

    fn applies_to(&self, object: &Object<'_>, pod: Option<&PodView<'_>>) -> bool {
        let m = &self.matcher;
        (m.api_versions.is_empty() || m.api_versions.iter().any(|v| v == object.api_version))
            && (m.kinds.is_empty() || m.kinds.iter().any(|k| k == object.kind))
            && (m.on == On::Object || pod.is_some())
    }

    /// Evaluates the check on what it matches of `values`' object.
    pub fn run(&'static self, values: &ObjectValues<'_>, report: &mut Report<'_>) {
        let object = values.object;
        // Patch fragments leave most fields to their base: a check on them
        // would report what the merged object has.
        if object.partial || !self.applies_to(object, values.pod) {
            return;
        }
        let object_value = values.object_value();
        let kind_line = Target::Field(object.path().key("kind"));
        match (self.matcher.on, values.pod) {
            (On::Object, _) => {
                let mut bindings = Bindings::default();
                bindings.bind("object", object_value);
                let target = self.target(&object.path(), kind_line.clone());
                self.evaluate(&bindings, target, kind_line, None, report);
            }
            (On::Pod, Some(pod)) => {
                let mut bindings = Bindings::default();
                bindings.bind("object", object_value);
                if let Some(spec) = values.pod_value() {
                    bindings.bind("pod", spec);
                }
                let target = self.target(&pod.spec_path, kind_line.clone());
                self.evaluate(&bindings, target, kind_line, None, report);
            }
            (On::Container, Some(pod)) => {
                for (index, container) in pod.containers().enumerate() {
                    if !self.matcher.containers.contains(&container.role) {
                        continue;
                    }
                    let Some(container_value) = values.container_value(index, &container.path)
                    else {
                        continue;
                    };
                    let mut bindings = Bindings::default();
                    bindings.bind("object", object_value);
                    if let Some(spec) = values.pod_value() {
                        bindings.bind("pod", spec);
                    }
                    bindings.bind("container", container_value);
                    let entry = Target::Field(container.path.clone());
                    let target = self.target(&container.path, entry.clone());
                    self.evaluate(&bindings, target, entry, Some(container.name()), report);
                }
            }
            (_, None) => {}
        }
    }

    fn target(&self, base: &FieldPath, default: Target) -> Target {
        match &self.path {
            Some(path) => Target::Field(base.join(path)),
            None => default,
        }
    }

    /// Reports a failure at `target`, or an evaluation error at `fallback`.
    fn evaluate(
        &'static self,
        bindings: &Bindings<'_>,
        target: Target,
        fallback: Target,
        container: Option<&str>,
        report: &mut Report<'_>,
    ) {
        let outcome = bindings.holds(&self.expression).and_then(|passes| {
            if passes {
                return Ok(None);
            }
            match &self.message {
                Message::Text(text) => Ok(Some(text.clone())),
                Message::Expression(expression) => bindings.text(expression).map(Some),
            }
        });
        match outcome {
            Ok(None) => {}
            Ok(Some(message)) => {
                let raw = report.at(target, message);
                if let Some(help) = &self.help {
                    raw.help(help.clone());
                }
                if let Some(name) = container {
                    raw.container(name);
                }
            }
            Err(error) => {
                let mut errors = report.of_rule(ERROR_RULE);
                let raw = errors.at(
                    fallback,
                    format!("custom check `{}` could not be evaluated: {error}", self.id),
                );
                raw.help(
                    "fix the check in .podlint.yaml; guard optional fields with has(), e.g. `!has(container.ports) || ...`",
                );
                if let Some(name) = container {
                    raw.container(name);
                }
            }
        }
    }
}

/// A CEL value made on first use, if its node exists.
type LazyValue<'a> = OnceCell<Option<Box<dyn Val + 'a>>>;

/// An object's CEL values, each made on first use and shared by every
/// custom check that runs on the object.
pub struct ObjectValues<'a> {
    object: &'a Object<'a>,
    pod: Option<&'a PodView<'a>>,
    object_value: OnceCell<Box<dyn Val + 'a>>,
    pod_value: LazyValue<'a>,
    /// Made when a check on containers first runs (a large Pod has many).
    containers: OnceCell<Vec<LazyValue<'a>>>,
}

impl<'a> ObjectValues<'a> {
    pub fn new(object: &'a Object<'a>, pod: Option<&'a PodView<'a>>) -> Self {
        ObjectValues {
            object,
            pod,
            object_value: OnceCell::new(),
            pod_value: OnceCell::new(),
            containers: OnceCell::new(),
        }
    }

    pub fn object(&self) -> &'a Object<'a> {
        self.object
    }

    pub(crate) fn object_value(&self) -> &(dyn Val + 'a) {
        self.object_value
            .get_or_init(|| engine::from_node(self.object.node))
            .as_ref()
    }

    fn pod_value(&self) -> Option<&(dyn Val + 'a)> {
        self.pod_value
            .get_or_init(|| {
                let pod = self.pod?;
                self.object.lookup(&pod.spec_path).map(engine::from_node)
            })
            .as_deref()
    }

    /// The value of the `index`th container, at `path`.
    fn container_value(&self, index: usize, path: &FieldPath) -> Option<&(dyn Val + 'a)> {
        let containers = self.containers.get_or_init(|| {
            let count = self.pod.map_or(0, PodView::max_containers);
            (0..count).map(|_| OnceCell::new()).collect()
        });
        let cell = containers.get(index)?;
        cell.get_or_init(|| self.object.lookup(path).map(engine::from_node))
            .as_deref()
    }
}

/// The rule doc of a check: what `explain` prints.
fn doc(check: &CustomCheck, line: usize) -> String {
    let one_line = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    let kinds = if check.matcher.kinds.is_empty() {
        match check.matcher.on {
            On::Object => "every kind".to_string(),
            _ => "every kind with a Pod spec".to_string(),
        }
    } else {
        check.matcher.kinds.join(", ")
    };
    let mut doc = format!(
        "---\nid: {id}\nseverity: {severity}\ncategory: custom\nsummary: {summary}\n---\n\n# {id}\n\n## What it checks\n\nA custom check of `.podlint.yaml` (line {line}), run on each {on} of {kinds}. It passes where this CEL expression is true:\n\n```cel\n{expression}\n```\n",
        id = check.id,
        severity = check.level.as_str(),
        summary = one_line(&check.summary),
        on = check.matcher.on.as_str(),
        expression = check.expression.source.trim_end(),
    );
    if let Some(help) = &check.help {
        doc.push_str(&format!("\n## How to fix\n\n{help}\n"));
    }
    if let Some(docs) = &check.docs {
        doc.push_str(&format!("\nMore: {docs}\n"));
    }
    doc
}

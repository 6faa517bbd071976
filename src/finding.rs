//! What the check stage hands to the reporters: findings with resolved positions.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use serde::Serialize;

use crate::model::{FieldPath, Target};
use crate::source::{Position, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ObjectRef {
    pub kind: String,
    pub name: Option<String>,
    pub namespace: Option<String>,
}

/// A second place a finding refers to (the earlier of two conflicting ports, say).
#[derive(Clone, Debug)]
pub struct Label {
    pub span: Span,
    pub start: Position,
    pub message: String,
    /// The file the label is in, when it is not the finding's own file
    /// (relation findings: the Pods a Service selects may be elsewhere).
    pub file: Option<Arc<str>>,
}

/// A finding as it is kept until its file is rendered: a file keeps up to
/// [`crate::engine::MAX_FINDINGS_PER_FILE`] of them, so what every finding
/// has is small and the rest is shared or boxed (a help text is most often
/// the rule's own static text; the object is shared by its findings; a
/// fix and a rendered origin are rare).
#[derive(Clone, Debug)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
    pub help: Option<Cow<'static, str>>,
    pub file: Arc<str>,
    pub span: Span,
    pub start: Position,
    pub end: Position,
    pub labels: Vec<Label>,
    pub object: Option<Arc<ObjectRef>>,
    pub container: Option<String>,
    pub fix: Option<Box<Fix>>,
    /// What the rule pointed at in its document (a missing field's whole
    /// path): how a rendered finding is mapped back to its source. Only
    /// renders keep the path (see [`crate::engine::lint_rendered`]); other
    /// findings have their span here.
    pub target: Target,
    /// Set for findings of rendered sources (charts, overlays): what was
    /// rendered and which renders share the finding.
    pub origin: Option<Box<Origin>>,
}

/// Where a finding of a rendered source was found in the rendered output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// The source whose rendering holds the node (a chart's template).
    pub rendered_from: Arc<str>,
    /// The line in the rendered output (`helm template`) of the first render.
    pub line: u32,
    /// The renders that share the finding (`values.yaml`, `ci/ha-values.yaml`).
    pub renders: Vec<String>,
    /// How many renders the unit has.
    pub of: usize,
}

/// A mechanical fix: an editor's quick fix, applied by `check --fix`.
#[derive(Clone, Debug)]
pub enum Fix {
    /// Replace the finding's span with this text.
    Replace(String),
    /// Set the field at this path (from the document's root) to this value,
    /// adding the keys that are missing.
    Set {
        path: FieldPath,
        value: &'static str,
    },
    /// Remove the mapping entry written at this span (a key repeated with
    /// the same value).
    RemoveEntry(Span),
}

#[cfg(test)]
pub mod tests {
    use super::*;

    /// Two findings of one file, with every optional part set in one of
    /// them and text that JSON must escape.
    pub fn examples() -> Vec<Finding> {
        let at = |line, column| Position { line, column };
        let file: Arc<str> = "deploy/web \"ä\".yaml".into();
        vec![
            Finding {
                rule: "container-port-conflict",
                severity: Severity::Error,
                message: "port 80/TCP is declared twice\nby `web`".into(),
                help: Some("use one port".into()),
                file: file.clone(),
                span: Span::new(40, 58),
                start: at(9, 11),
                end: at(9, 29),
                labels: vec![Label {
                    span: Span::new(20, 38),
                    start: at(7, 11),
                    message: "first declared here".into(),
                    file: None,
                }],
                object: Some(Arc::new(ObjectRef {
                    kind: "Pod".into(),
                    name: Some("web".into()),
                    namespace: None,
                })),
                container: Some("web".into()),
                fix: None,
                target: Target::Span(Span::new(40, 58)),
                origin: None,
            },
            Finding {
                rule: "invalid-yaml",
                severity: Severity::Info,
                message: "tab\there".into(),
                help: None,
                file,
                span: Span::new(70, 71),
                start: at(12, 1),
                end: at(12, 2),
                labels: Vec::new(),
                object: None,
                container: None,
                fix: None,
                target: Target::Span(Span::new(70, 71)),
                origin: None,
            },
        ]
    }
}

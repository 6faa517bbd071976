//! What the check stage hands to the reporters: findings with resolved positions.

use std::fmt;
use std::sync::Arc;

use serde::Serialize;

use crate::model::FieldPath;
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
}

#[derive(Clone, Debug)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
    pub help: Option<String>,
    pub file: Arc<str>,
    pub span: Span,
    pub start: Position,
    pub end: Position,
    pub labels: Vec<Label>,
    pub object: Option<ObjectRef>,
    pub container: Option<String>,
    pub fix: Option<Fix>,
}

/// A mechanical fix that an editor can offer as a quick fix.
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
}

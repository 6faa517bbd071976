//! Field paths such as `spec.template.spec.containers[1].image`, and the
//! locator that turns one into the span a user would edit.

use std::borrow::Cow;
use std::fmt;

use crate::source::{Node, Span, Value};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    Key(Cow<'static, str>),
    Index(usize),
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldPath(Vec<Segment>);

impl FieldPath {
    pub fn root() -> Self {
        FieldPath(Vec::new())
    }

    pub fn key(&self, key: impl Into<Cow<'static, str>>) -> Self {
        let mut path = self.clone();
        path.0.push(Segment::Key(key.into()));
        path
    }

    pub fn index(&self, index: usize) -> Self {
        let mut path = self.clone();
        path.0.push(Segment::Index(index));
        path
    }

    pub fn segments(&self) -> &[Segment] {
        &self.0
    }

    /// Gives back the room the path grew as it was built (a kept finding
    /// holds its path until its file is rendered).
    pub fn shrink_to_fit(&mut self) {
        self.0.shrink_to_fit();
    }

    /// The node at this path, when every segment exists.
    pub fn lookup<'a>(&self, root: &'a Node) -> Option<&'a Node> {
        self.0.iter().try_fold(root, |node, segment| match segment {
            Segment::Key(key) => node.get(key),
            Segment::Index(i) => node.as_seq()?.get(*i),
        })
    }

    pub fn strip_prefix(&self, prefix: &FieldPath) -> Option<FieldPath> {
        self.0
            .strip_prefix(prefix.0.as_slice())
            .map(|rest| FieldPath(rest.to_vec()))
    }

    pub fn join(&self, rest: &FieldPath) -> Self {
        let mut path = self.clone();
        path.0.extend(rest.0.iter().cloned());
        path
    }

    /// `self` followed by dotted keys: `path.keys("resources.limits")`.
    pub fn keys(&self, dotted: &'static str) -> Self {
        let mut path = self.clone();
        path.0
            .extend(dotted.split('.').map(|k| Segment::Key(Cow::Borrowed(k))));
        path
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Key(k) if i == 0 => write!(f, "{k}")?,
                Segment::Key(k) => write!(f, ".{k}")?,
                Segment::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// What a finding points at.
#[derive(Clone, Debug)]
pub enum Target {
    /// A field: the `key: value` entry when it exists; else the nearest
    /// existing ancestor (a list item is shown by its `name:` entry).
    Field(FieldPath),
    /// The value of a field only (the `apiVersion:` value, say).
    Value(FieldPath),
    /// A span known already (syntax problems).
    Span(Span),
}

impl Target {
    /// See [`FieldPath::shrink_to_fit`].
    pub fn shrink_to_fit(&mut self) {
        match self {
            Target::Field(path) | Target::Value(path) => path.shrink_to_fit(),
            Target::Span(_) => {}
        }
    }
}

/// Resolves a target against the tree it was built for.
pub fn locate(root: &Node, target: &Target) -> Span {
    let (path, value_only) = match target {
        Target::Span(span) => return *span,
        Target::Field(path) => (path, false),
        Target::Value(path) => (path, true),
    };
    let mut node = root;
    let mut best = root.span;
    for segment in &path.0 {
        let next = match (segment, &node.value) {
            (Segment::Key(key), Value::Map(_)) => node.entry(key).map(|entry| {
                let span = if value_only {
                    entry.value.span
                } else {
                    entry_span(&entry.key, &entry.value)
                };
                (&entry.value, span)
            }),
            (Segment::Index(i), Value::Seq(items)) => {
                items.get(*i).map(|item| (item, item_span(item)))
            }
            _ => None,
        };
        match next {
            Some((child, span)) => {
                node = child;
                best = span;
            }
            // A missing field is shown at the nearest ancestor that exists.
            None => break,
        }
    }
    best
}

/// `key: value` on one line for a scalar value; only the key otherwise, so
/// that a finding on `resources:` does not underline the whole block.
pub fn entry_span(key: &Node, value: &Node) -> Span {
    match value.value {
        Value::Scalar(_) if !value.span.range().is_empty() => key.span.to(value.span),
        _ => key.span,
    }
}

/// A list item is shown by its `name:` entry when it has one.
pub(crate) fn item_span(item: &Node) -> Span {
    match item.entry("name") {
        Some(entry) => entry_span(&entry.key, &entry.value),
        None => match item.as_map().and_then(|m| m.first()) {
            Some(first) => entry_span(&first.key, &first.value),
            None => item.span,
        },
    }
}

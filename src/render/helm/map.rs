//! Placing a node of `helm template`'s output at the template or values
//! line a person edits (docs/helm-mapping.md).

use std::sync::{Arc, OnceLock};

use super::template::{ActionKind, Template};
use crate::render::{Place, Placement, SourceMap};
use crate::source::{self, Document, LineIndex, Node, Span, Value};

/// A marker found in the output: the literal text of template `file`'s
/// 1-based `line` ends at `offset` of the rendered text.
#[derive(Clone, Copy, Debug)]
pub struct Marker {
    pub offset: usize,
    pub file: u32,
    pub line: u32,
}

pub struct TemplateFile {
    /// As findings name it.
    pub name: Arc<str>,
    /// Relative to the chart folder, as helm's `# Source:` names it after
    /// the chart's name.
    pub relative: String,
    pub text: Arc<str>,
    pub scan: Template,
}

/// A values file a render reads.
pub struct ValuesFile {
    pub name: Arc<str>,
    text: Arc<str>,
    /// Parsed when the first finding is placed in values (most renders
    /// have none, and a chart's values.yaml is often its largest file).
    root: OnceLock<Option<Node>>,
    /// The subchart folder whose values these are (`charts/db`), or empty
    /// for the chart's own values.
    pub folder: String,
}

impl ValuesFile {
    pub fn new(name: Arc<str>, text: Arc<str>, folder: String) -> Self {
        ValuesFile {
            name,
            text,
            root: OnceLock::new(),
            folder,
        }
    }

    fn root(&self) -> Option<&Node> {
        self.root
            .get_or_init(|| {
                source::parse(&self.text)
                    .documents
                    .into_iter()
                    .next()
                    .map(|d: Document| d.root)
            })
            .as_ref()
    }
}

pub struct HelmMap {
    chart: Arc<str>,
    chart_name: String,
    text: String,
    markers: Vec<Marker>,
    templates: Arc<Vec<TemplateFile>>,
    /// Highest priority first: `--values` files last to first, the chart's
    /// values.yaml, then the subcharts' own values.yaml.
    values: Vec<ValuesFile>,
    /// The rendered documents, parsed when the first finding is placed (a
    /// render without findings needs none).
    documents: OnceLock<Vec<Node>>,
}

/// A rendered node found by its span, with its path from the document root.
struct Found<'a> {
    path: Vec<Step>,
    /// The node (for a key, the value of its entry).
    node: &'a Node,
    /// Whether the span is the key of its entry.
    is_key: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
}

impl HelmMap {
    pub fn new(
        chart: &str,
        chart_name: &str,
        text: &str,
        markers: Vec<Marker>,
        templates: Arc<Vec<TemplateFile>>,
        values: Vec<ValuesFile>,
    ) -> Self {
        HelmMap {
            chart: chart.into(),
            chart_name: chart_name.to_string(),
            text: text.to_string(),
            markers,
            templates,
            values,
            documents: OnceLock::new(),
        }
    }

    /// The template that helm's `# Source:` header before `offset` names,
    /// relative to the chart folder.
    fn source_of(&self, offset: usize) -> Option<&str> {
        let before = &self.text[..offset.min(self.text.len())];
        let header = before.rfind("# Source: ")?;
        let line = self.text[header + "# Source: ".len()..].lines().next()?;
        line.trim()
            .strip_prefix(&self.chart_name)?
            .strip_prefix('/')
    }

    fn template(&self, relative: &str) -> Option<(usize, &TemplateFile)> {
        self.templates
            .iter()
            .enumerate()
            .find(|(_, t)| t.relative == relative)
    }

    fn chart_file(&self, relative: &str) -> Arc<str> {
        let chart = self.chart.trim_end_matches('/');
        if chart.is_empty() || chart == "." {
            relative.into()
        } else {
            format!("{chart}/{relative}").into()
        }
    }

    /// The document holding `offset`, and the offset where it starts.
    fn document_at(&self, offset: usize) -> Option<&Node> {
        let offset = u32::try_from(offset).ok()?;
        self.documents
            .get_or_init(|| {
                source::parse(&self.text)
                    .documents
                    .into_iter()
                    .map(|d| d.root)
                    .collect()
            })
            .iter()
            .find(|d| d.span.start <= offset && offset <= d.span.end)
    }

    /// Where the document at `offset` starts in the rendered text: after its
    /// `# Source:` header.
    fn document_start(&self, offset: usize) -> usize {
        self.text[..offset.min(self.text.len())]
            .rfind("# Source: ")
            .unwrap_or(0)
    }

    /// Markers of the document holding `offset`, before and after it, of
    /// the template that helm's `# Source:` names (a define's markers say
    /// nothing of where the template's actions print).
    fn markers_around(&self, offset: usize) -> (Option<&Marker>, Option<&Marker>) {
        let start = self.document_start(offset);
        let end = self.text[offset..]
            .find("\n---")
            .map_or(self.text.len(), |i| offset + i);
        let own = self
            .source_of(offset)
            .and_then(|relative| self.template(relative))
            .map(|(index, _)| index);
        let of_source = |m: &&Marker| own.is_none_or(|index| m.file as usize == index);
        let split = self.markers.partition_point(|m| m.offset <= offset);
        let before = self.markers[..split]
            .iter()
            .rev()
            .take_while(|m| m.offset >= start)
            .find(of_source);
        let after = self.markers[split..]
            .iter()
            .take_while(|m| m.offset <= end)
            .find(of_source);
        (before, after)
    }

    fn place_in_template(&self, span: Span) -> Option<Placement> {
        let offset = span.start as usize;
        let line_start = self.text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let line_end = self.text[offset..]
            .find('\n')
            .map_or(self.text.len(), |i| offset + i);
        // The last marker on the span's line whose literal text starts at or
        // before the span.
        let on_line = self
            .markers
            .iter()
            .rev()
            .filter(|m| m.offset >= line_start && m.offset <= line_end)
            .filter_map(|m| {
                let template = self.templates.get(m.file as usize)?;
                let literal = template
                    .scan
                    .lines
                    .get(m.line as usize - 1)?
                    .literal
                    .clone()?;
                let begins = m.offset.checked_sub(literal.len())?;
                // The marker's text must be the template's text.
                (self.text.get(begins..m.offset) == template.text.get(literal.clone()))
                    .then_some((m, template, literal, begins))
            })
            .find(|(_, _, _, begins)| *begins <= offset);
        if let Some((marker, template, literal, begins)) = on_line {
            let line = marker.line as usize - 1;
            if offset < marker.offset {
                // Written in the template: the same text at the same place.
                let start = literal.start + (offset - begins);
                let end = (span.end as usize).min(marker.offset) - begins + literal.start;
                let place = Place {
                    file: template.name.clone(),
                    span: Span::new(start, end.max(start)),
                };
                let mut placement = self.placement(place, template);
                if let Some(values) = self.inserted_under(span, marker, template) {
                    placement
                        .also
                        .push((placement.at.clone(), "inserted here".into()));
                    placement.at = values;
                } else if let Some(values) = self.entry_scalar_from_values(span, marker, template) {
                    placement
                        .also
                        .push((placement.at.clone(), "interpolated here".into()));
                    placement.at = values;
                }
                return Some(placement);
            }
            // Printed by the line's actions (`image: {{ .Values.image }}`).
            let actions = &template.scan.lines[line].actions;
            let first = actions.iter().find(|a| a.span.start >= literal.end)?;
            let last = actions.last()?;
            let at = Place {
                file: template.name.clone(),
                span: Span::new(first.span.start, last.span.end),
            };
            let read: Vec<&str> = actions
                .iter()
                .flat_map(|a| a.values.iter().map(String::as_str))
                .collect();
            let mut placement = self.placement(at, template);
            if let Some(values) = self.scalar_from_values(span, &read, template) {
                placement
                    .also
                    .push((placement.at.clone(), "interpolated here".into()));
                placement.at = values;
            }
            return Some(placement);
        }
        self.place_insert(span)
    }

    fn placement(&self, at: Place, template: &TemplateFile) -> Placement {
        Placement {
            at,
            also: Vec::new(),
            rendered_from: template.name.clone(),
        }
    }

    /// A node on no marked line was printed by an action: the one output
    /// action between the markers around it, placed in values when it
    /// inserts a value that holds the node.
    fn place_insert(&self, span: Span) -> Option<Placement> {
        let offset = span.start as usize;
        let (before, after) = self.markers_around(offset);
        let before = before?;
        let template = self.templates.get(before.file as usize)?;
        let from = before.line as usize - 1;
        let to = match after {
            Some(after) if after.file == before.file && after.line > before.line => {
                after.line as usize - 1
            }
            _ => template.scan.lines.len(),
        };
        let literal_end = template.scan.lines[from]
            .literal
            .as_ref()
            .map_or(0, |l| l.end);
        let candidates: Vec<_> = template.scan.lines[from..to]
            .iter()
            .flat_map(|line| &line.actions)
            .filter(|a| a.kind == ActionKind::Output && a.span.start >= literal_end)
            .collect();
        // Several inserts between two marked lines: the one whose indent is
        // that of the inserted block's first line.
        let indent = self.block_indent(before.offset, offset);
        let action = match candidates.as_slice() {
            [one] => *one,
            many => {
                let matching: Vec<_> = many
                    .iter()
                    .filter(|a| a.indent.is_some() && a.indent == indent)
                    .collect();
                match matching.as_slice() {
                    [one] => **one,
                    _ => return None,
                }
            }
        };
        let insert = Place {
            file: template.name.clone(),
            span: Span::new(action.span.start, action.span.end),
        };
        let mut placement = self.placement(insert, template);
        if let Some(found) = self.find(span) {
            let reads: Vec<&str> = action.values.iter().map(String::as_str).collect();
            if let Some(values) = self.node_in_values(&found, &reads, template) {
                placement
                    .also
                    .push((placement.at.clone(), "inserted here".into()));
                placement.at = values;
            }
        }
        Some(placement)
    }

    /// The indentation of the first non-blank rendered line after the line
    /// holding `marker`, up to `offset`: an insert's `nindent`.
    fn block_indent(&self, marker: usize, offset: usize) -> Option<usize> {
        let after = self.text[marker..].find('\n')? + marker + 1;
        self.text
            .get(after..offset.max(after))?
            .lines()
            .chain(self.text[offset..].lines().take(1))
            .find(|l| !l.trim().is_empty())
            .map(|l| l.len() - l.trim_start().len())
    }

    /// For a key written in the template whose value an action on its line
    /// (or the lines below it) inserts from values: the values key.
    fn inserted_under(
        &self,
        span: Span,
        marker: &Marker,
        template: &TemplateFile,
    ) -> Option<Place> {
        let found = self.find(span)?;
        if !found.is_key {
            return None;
        }
        let line = marker.line as usize - 1;
        let (_, after) = self.markers_around(marker.offset + 1);
        let to = match after {
            Some(after) if after.file == marker.file && after.line > marker.line => {
                after.line as usize - 1
            }
            _ => line + 1,
        };
        let reads: Vec<&str> = template.scan.lines[line..to]
            .iter()
            .flat_map(|l| &l.actions)
            .filter(|a| a.kind == ActionKind::Output)
            .flat_map(|a| a.values.iter().map(String::as_str))
            .collect();
        if reads.is_empty() {
            return None;
        }
        self.node_in_values(&found, &reads, template)
    }

    /// For an entry written in the template whose scalar value the line's
    /// actions print (`image: "{{ .Values.repo }}:{{ .Values.tag }}"`): the
    /// value in values.yaml that the scalar shows.
    fn entry_scalar_from_values(
        &self,
        span: Span,
        marker: &Marker,
        template: &TemplateFile,
    ) -> Option<Place> {
        let found = self.find(span)?;
        if !found.is_key || found.node.as_scalar().is_none() {
            return None;
        }
        // Printed (at least in part) after the literal text: by the line's actions.
        if (found.node.span.end as usize) <= marker.offset {
            return None;
        }
        let reads: Vec<&str> = template.scan.lines[marker.line as usize - 1]
            .actions
            .iter()
            .flat_map(|a| a.values.iter().map(String::as_str))
            .collect();
        self.scalar_from_values(found.node.span, &reads, template)
    }

    /// The values node that a rendered node was inserted from: for each path
    /// the insert reads, the node at the rendered path's tail under it,
    /// when it holds the same value.
    fn node_in_values(
        &self,
        found: &Found<'_>,
        reads: &[&str],
        template: &TemplateFile,
    ) -> Option<Place> {
        for file in self.values_for(template) {
            let Some(root) = file.1.root() else { continue };
            for read in reads {
                let mut path: Vec<Step> = file.0.iter().map(|k| Step::Key(k.clone())).collect();
                path.extend(read.split('.').map(|k| Step::Key(k.to_string())));
                let Some(base) = lookup(root, &path) else {
                    continue;
                };
                for depth in (0..=found.path.len()).rev() {
                    let tail = &found.path[depth..];
                    let Some((node, key)) = lookup_entry(base, tail) else {
                        continue;
                    };
                    if !same_value(found.node, node) {
                        continue;
                    }
                    let span = match (found.is_key, key) {
                        (true, Some(key)) => key.span,
                        (true, None) => key_of(root, &path).map_or(node.span, |k| k.span),
                        (false, _) => node.span,
                    };
                    return Some(Place {
                        file: file.1.name.clone(),
                        span,
                    });
                }
            }
        }
        None
    }

    /// A scalar printed by actions that read values: the value whose text
    /// is in the rendered scalar (the last one: `repo:tag` is the tag).
    fn scalar_from_values(
        &self,
        span: Span,
        reads: &[&str],
        template: &TemplateFile,
    ) -> Option<Place> {
        let rendered = self.text.get(span.range())?;
        let mut best = None;
        for read in reads {
            for (prefix, file) in self.values_for(template) {
                let Some(root) = file.root() else { continue };
                let path: Vec<Step> = prefix
                    .iter()
                    .cloned()
                    .chain(read.split('.').map(str::to_string))
                    .map(Step::Key)
                    .collect();
                let Some(node) = lookup(root, &path) else {
                    continue;
                };
                let Some(text) = node.as_scalar().map(|s| &*s.text) else {
                    break;
                };
                if !text.is_empty() && rendered.contains(text) {
                    best = Some(Place {
                        file: file.name.clone(),
                        span: node.span,
                    });
                }
                break;
            }
        }
        best
    }

    /// The values files that a template reads, highest priority first, each
    /// with the key path its `.Values` sits at in that file: a subchart's
    /// values are under its name in the parent's files.
    fn values_for(&self, template: &TemplateFile) -> Vec<(Vec<String>, &ValuesFile)> {
        // `charts/a/charts/b/templates/x.yaml` -> subchart folders a, a/charts/b.
        let mut chain: Vec<(String, String)> = Vec::new();
        let mut rest = template.relative.as_str();
        let mut folder = String::new();
        while let Some(after) = rest.strip_prefix("charts/") {
            let Some((name, tail)) = after.split_once('/') else {
                break;
            };
            folder = if folder.is_empty() {
                format!("charts/{name}")
            } else {
                format!("{folder}/charts/{name}")
            };
            chain.push((name.to_string(), folder.clone()));
            rest = tail;
        }
        let mut out = Vec::new();
        // The parent's files first (they override), then each subchart's own.
        for level in 0..=chain.len() {
            let owner = if level == 0 {
                String::new()
            } else {
                chain[level - 1].1.clone()
            };
            let prefix: Vec<String> = chain[level..].iter().map(|(n, _)| n.clone()).collect();
            for file in self.values.iter().filter(|f| f.folder == owner) {
                out.push((prefix.clone(), file));
            }
        }
        out
    }

    /// The rendered node whose key or value is exactly `span`.
    fn find(&self, span: Span) -> Option<Found<'_>> {
        let root = self.document_at(span.start as usize)?;
        let mut path = Vec::new();
        let mut node = root;
        loop {
            if node.span == span {
                return Some(Found {
                    path,
                    node,
                    is_key: false,
                });
            }
            let next = match &node.value {
                Value::Map(entries) => {
                    let mut next = None;
                    for entry in entries {
                        let key = entry.key.as_str().unwrap_or_default().to_string();
                        // A rule may point at the key or at the whole entry.
                        if entry.key.span == span
                            || (entry.key.span.start == span.start
                                && entry.value.span.end == span.end)
                        {
                            path.push(Step::Key(key));
                            return Some(Found {
                                path,
                                node: &entry.value,
                                is_key: true,
                            });
                        }
                        if contains(entry.value.span, span) {
                            next = Some((Step::Key(key), &entry.value));
                            break;
                        }
                    }
                    next
                }
                Value::Seq(items) => items
                    .iter()
                    .enumerate()
                    .find(|(_, item)| contains(item.span, span))
                    .map(|(i, item)| (Step::Index(i), item)),
                Value::Scalar(_) => None,
            };
            let (step, child) = next?;
            path.push(step);
            node = child;
        }
    }

    /// The `kind:` line of the object's template, when no better place is
    /// certain; the template's first line when its `kind:` is not written
    /// in it; Chart.yaml when the template is not a file of the chart.
    fn fallback(&self, span: Span) -> Placement {
        let offset = span.start as usize;
        let template = self.source_of(offset).and_then(|r| self.template(r));
        let Some((_, template)) = template else {
            let chart_yaml = self.chart_file("Chart.yaml");
            return Placement {
                at: Place {
                    file: chart_yaml.clone(),
                    span: Span::default(),
                },
                also: Vec::new(),
                rendered_from: chart_yaml,
            };
        };
        let kind_span = self
            .document_at(offset)
            .and_then(|doc| doc.entry("kind"))
            .map(|entry| entry.key.span);
        if let Some(placed) = kind_span.and_then(|s| self.place_in_template(s)) {
            if placed.at.file == template.name {
                return Placement {
                    at: placed.at,
                    also: Vec::new(),
                    rendered_from: template.name.clone(),
                };
            }
        }
        let lines = LineIndex::new(&template.text);
        let kind_line = (0..lines.line_count())
            .find(|&l| lines.line_text(l).starts_with("kind:"))
            .map_or(0, |l| lines.line_start(l));
        Placement {
            at: Place {
                file: template.name.clone(),
                span: Span::new(kind_line, kind_line + "kind".len().min(template.text.len())),
            },
            also: Vec::new(),
            rendered_from: template.name.clone(),
        }
    }
}

impl SourceMap for HelmMap {
    fn place(&self, span: Span) -> Placement {
        if (span.start as usize) <= self.text.len() {
            if let Some(placement) = self.place_in_template(span) {
                // A marker of another template on the same line cannot be the
                // object's: trust only the template helm names.
                let source = self.source_of(span.start as usize);
                let expected = source.and_then(|r| self.template(r)).map(|(_, t)| &t.name);
                let helper = placement.rendered_from.ends_with(".tpl");
                if expected.is_none_or(|name| *name == placement.rendered_from || helper) {
                    return placement;
                }
            }
        }
        self.fallback(span)
    }
}

fn contains(outer: Span, inner: Span) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

fn lookup<'a>(root: &'a Node, path: &[Step]) -> Option<&'a Node> {
    lookup_entry(root, path).map(|(node, _)| node)
}

/// The node at `path`, with the key node of its entry when it is the value
/// of a mapping entry.
fn lookup_entry<'a>(root: &'a Node, path: &[Step]) -> Option<(&'a Node, Option<&'a Node>)> {
    let mut node = root;
    let mut key = None;
    for step in path {
        match step {
            Step::Key(k) => {
                let entry = node.entry(k)?;
                key = Some(&entry.key);
                node = &entry.value;
            }
            Step::Index(i) => {
                node = node.as_seq()?.get(*i)?;
                key = None;
            }
        }
    }
    Some((node, key))
}

fn key_of<'a>(root: &'a Node, path: &[Step]) -> Option<&'a Node> {
    lookup_entry(root, path).and_then(|(_, key)| key)
}

/// Whether a rendered node holds what a values node holds: equal scalars
/// (as text), sequences item by item, and mappings whose rendered keys are
/// all in the values with the same values (a chart may leave out keys such
/// as `enabled`); an empty rendered mapping only matches an empty one.
fn same_value(rendered: &Node, values: &Node) -> bool {
    match (&rendered.value, &values.value) {
        (Value::Scalar(a), Value::Scalar(b)) => a.text == b.text || (a.is_null() && b.is_null()),
        (Value::Seq(a), Value::Seq(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_value(x, y))
        }
        (Value::Map(a), Value::Map(b)) => {
            if a.is_empty() || b.is_empty() {
                return a.is_empty() && b.is_empty();
            }
            a.iter().all(|entry| {
                let key = entry.key.as_str().unwrap_or_default();
                values
                    .get(key)
                    .is_some_and(|other| same_value(&entry.value, other))
            })
        }
        _ => false,
    }
}

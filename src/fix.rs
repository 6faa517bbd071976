//! Mechanical fixes as text edits that keep the user's comments, key order,
//! quoting, indentation and line endings: the rules' own fixes ([`Fix`]),
//! which the language server offers as quick fixes and `check --fix`
//! applies. A fix is safe when it only makes an invalid manifest say what it
//! meant, unsafe when it changes what runs (each rule's doc says which).

use crate::finding::{Finding, Fix};
use crate::model::{FieldPath, Segment};
use crate::source::{Entry, LineIndex, Node, ParsedSource, Span, Value};

/// Replace `span` (possibly empty: an insertion) with `text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub span: Span,
    pub text: String,
}

/// A rule's fix for one finding, as an edit of the file's text.
#[derive(Debug, PartialEq, Eq)]
pub struct RuleFix {
    pub title: String,
    pub edit: Edit,
}

/// Whether a fix may be applied without asking (`--fix`) or only when
/// asked for (`--unsafe-fixes`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applicability {
    /// Makes an invalid manifest say what it meant; what runs is unchanged.
    Safe,
    /// Hardening that changes what runs.
    Unsafe,
}

impl Applicability {
    pub fn parse(text: &str) -> Option<Applicability> {
        match text {
            "safe" => Some(Applicability::Safe),
            "unsafe" => Some(Applicability::Unsafe),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

/// The edit that fixes `finding` in `text` (which `parsed` parses), if its
/// rule has one that applies here.
pub fn rule_fix(text: &str, parsed: &ParsedSource, finding: &Finding) -> Option<RuleFix> {
    match finding.fix.as_deref()? {
        Fix::Replace(replacement) => {
            // Renaming a key to one its mapping has already would write it twice.
            let taken = document_at(parsed, finding.span.start)
                .and_then(|root| mapping_with_key(root, finding.span))
                .is_some_and(|entries| entries.iter().any(|e| e.key.as_str() == Some(replacement)));
            if taken {
                None
            } else {
                replace(text, finding.span, replacement)
            }
        }
        Fix::Set { path, value } => {
            let lines = LineIndex::new(text);
            let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
            document_at(parsed, finding.span.start)
                .and_then(|root| set(text, &lines, newline, root, path, value))
        }
        Fix::RemoveEntry(entry) => remove_entry(text, *entry),
    }
}

/// Removes a mapping entry written alone on its lines (a block mapping's
/// entry), with those lines; entries that share a line with other text
/// (flow style, JSON) are left alone.
fn remove_entry(text: &str, entry: Span) -> Option<RuleFix> {
    let lines = LineIndex::new(text);
    let first = lines.line_of(entry.start);
    let last = lines.line_of(entry.end.saturating_sub(1).max(entry.start));
    let start = lines.line_start(first);
    let end = lines.line_start(last + 1);
    let before = text.get(start..entry.start as usize)?;
    let after = text.get(entry.end as usize..end)?;
    let indent_only = before.chars().all(|c| c == ' ');
    let rest_blank = after.trim().is_empty() || after.trim_start().starts_with('#');
    if !indent_only || !rest_blank {
        return None;
    }
    let removed = text.get(entry.range())?;
    let key = removed.split(':').next().unwrap_or(removed).trim();
    Some(RuleFix {
        title: format!("Remove the repeated `{key}`"),
        edit: Edit {
            span: Span::new(start, end),
            text: String::new(),
        },
    })
}

/// `text` with `edits` applied; edits that overlap an earlier one (or insert
/// at the same place) are left out and counted in the second value.
pub fn apply(text: &str, mut edits: Vec<Edit>) -> (String, usize) {
    edits.sort_by_key(|e| (e.span.start, e.span.end));
    let mut out = String::with_capacity(text.len());
    let mut at = 0usize;
    let mut applied = 0;
    let mut last_insert: Option<usize> = None;
    for edit in edits {
        let (start, end) = (edit.span.start as usize, edit.span.end as usize);
        if start < at || last_insert == Some(start) || end > text.len() {
            continue;
        }
        let Some(kept) = text.get(at..start) else {
            continue;
        };
        out.push_str(kept);
        out.push_str(&edit.text);
        at = end;
        last_insert = (start == end).then_some(start);
        applied += 1;
    }
    out.push_str(text.get(at..).unwrap_or(""));
    (out, applied)
}

fn to_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

/// Renames a key or replaces a value, keeping its quotes.
fn replace(text: &str, span: Span, replacement: &str) -> Option<RuleFix> {
    let old = text.get(span.range())?;
    let quote = old.chars().next().filter(|c| matches!(c, '"' | '\''));
    let new = match quote {
        Some(q) => format!("{q}{replacement}{q}"),
        None => replacement.to_string(),
    };
    Some(RuleFix {
        title: format!("Replace `{old}` with `{new}`"),
        edit: Edit { span, text: new },
    })
}

/// Sets the field at `path` to `value`: replaces the value when the field
/// exists, else adds the missing keys after the last entry of the deepest
/// mapping that exists (inline for a flow mapping, such as JSON).
fn set(
    text: &str,
    lines: &LineIndex<'_>,
    newline: &str,
    root: &Node,
    path: &FieldPath,
    value: &str,
) -> Option<RuleFix> {
    let (keys, title_key) = match path.segments().last() {
        Some(Segment::Key(key)) => (path.segments(), key),
        _ => return None,
    };
    let title = format!("Set `{title_key}: {value}`");
    let mut node = root;
    for (i, segment) in keys.iter().enumerate() {
        let next = match (segment, &node.value) {
            (Segment::Key(key), Value::Map(_)) => node.get(key),
            (Segment::Index(index), Value::Seq(items)) => Some(items.get(*index)?),
            _ => return None,
        };
        match next {
            Some(next) => node = next,
            None => {
                let Value::Map(entries) = &node.value else {
                    return None;
                };
                let missing = missing_keys(&keys[i..])?;
                let edit = if is_flow(text, node) {
                    insert_flow(node, entries, &missing, value)
                } else {
                    insert_block(text, lines, newline, root, entries, &missing, value)?
                };
                return Some(RuleFix { title, edit });
            }
        }
    }
    // The field exists: its value is replaced when it is a scalar.
    if node.as_scalar().is_none() || text.get(node.span.range()) == Some(value) {
        return None;
    }
    Some(RuleFix {
        title,
        edit: Edit {
            span: node.span,
            text: value.to_string(),
        },
    })
}

fn missing_keys(segments: &[Segment]) -> Option<Vec<&str>> {
    segments
        .iter()
        .map(|segment| match segment {
            Segment::Key(key) => Some(key.as_ref()),
            Segment::Index(_) => None,
        })
        .collect()
}

fn is_flow(text: &str, node: &Node) -> bool {
    text.as_bytes().get(node.span.start as usize) == Some(&b'{')
}

/// `{"a": {"b": false}, ...}`: valid in YAML and JSON alike.
fn insert_flow(node: &Node, entries: &[Entry], missing: &[&str], value: &str) -> Edit {
    let mut inserted = String::new();
    for (depth, key) in missing.iter().enumerate() {
        inserted.push_str(&format!("\"{key}\": "));
        if depth + 1 < missing.len() {
            inserted.push('{');
        }
    }
    inserted.push_str(value);
    inserted.push_str(&"}".repeat(missing.len() - 1));
    if !entries.is_empty() {
        inserted.push_str(", ");
    }
    Edit {
        span: Span::new(node.span.start as usize + 1, node.span.start as usize + 1),
        text: inserted,
    }
}

/// New lines after the mapping's last entry, at its keys' indentation and
/// nested by the document's own indentation step.
fn insert_block(
    text: &str,
    lines: &LineIndex<'_>,
    newline: &str,
    root: &Node,
    entries: &[Entry],
    missing: &[&str],
    value: &str,
) -> Option<Edit> {
    let first = entries.first()?;
    let last = entries.last()?;
    let indent = column(lines, first.key.span.start);
    let step = indent_step(lines, root).unwrap_or(2);
    let mut added = String::new();
    for (depth, key) in missing.iter().enumerate() {
        let pad = " ".repeat(indent + depth * step);
        if depth + 1 == missing.len() {
            added.push_str(&format!("{pad}{key}: {value}{newline}"));
        } else {
            added.push_str(&format!("{pad}{key}:{newline}"));
        }
    }
    let end = last.value.span.end.max(last.key.span.end) as usize;
    let line = lines.line_of(to_u32(
        end.saturating_sub(1).max(first.key.span.start as usize),
    ));
    let at = lines.line_start(line + 1);
    if at >= text.len() && !text.ends_with('\n') {
        // The last line has no line break: add one before the new lines.
        let trimmed = added.strip_suffix(newline).unwrap_or(&added);
        return Some(Edit {
            span: Span::new(text.len(), text.len()),
            text: format!("{newline}{trimmed}"),
        });
    }
    Some(Edit {
        span: Span::new(at, at),
        text: added,
    })
}

/// The column (in bytes: YAML indents with spaces) of an offset.
fn column(lines: &LineIndex<'_>, offset: u32) -> usize {
    offset as usize - lines.line_start(lines.line_of(offset))
}

/// How far the document nests a block mapping under its key.
fn indent_step(lines: &LineIndex<'_>, root: &Node) -> Option<usize> {
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        match &node.value {
            Value::Map(entries) => {
                for entry in entries {
                    if let Some(child) = entry.value.as_map().and_then(<[Entry]>::first) {
                        let parent = column(lines, entry.key.span.start);
                        let nested = column(lines, child.key.span.start);
                        if nested > parent
                            && lines.line_of(child.key.span.start)
                                > lines.line_of(entry.key.span.start)
                        {
                            return Some(nested - parent);
                        }
                    }
                    stack.push(&entry.value);
                }
            }
            Value::Seq(items) => stack.extend(items),
            Value::Scalar(_) => {}
        }
    }
    None
}

/// The entries of the mapping that has a key written at `span`.
fn mapping_with_key(root: &Node, span: Span) -> Option<&[Entry]> {
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        match &node.value {
            Value::Map(entries) => {
                if entries.iter().any(|e| e.key.span == span) {
                    return Some(entries);
                }
                stack.extend(entries.iter().map(|e| &e.value));
            }
            Value::Seq(items) => stack.extend(items),
            Value::Scalar(_) => {}
        }
    }
    None
}

/// The root of the document that contains `offset`.
fn document_at(parsed: &ParsedSource, offset: u32) -> Option<&Node> {
    parsed
        .documents
        .iter()
        .map(|d| &d.root)
        .find(|root| root.span.start <= offset && offset <= root.span.end)
}

/// What `--fix` made of one file's text.
pub struct Fixed {
    pub text: String,
    /// Fixes applied.
    pub count: usize,
}

/// How many rounds of fixes a file gets: a fix can reveal another (a key
/// renamed now has its value typed), but never forever.
const MAX_ROUNDS: usize = 8;

/// Applies every fix of the active rules that `allow` admits, round after
/// round until none is left: each round lints the text as it is then, so
/// that fixes never act on stale spans. A round that would make the text
/// parse worse is not applied.
pub fn fix_text(
    name: &std::sync::Arc<str>,
    text: &str,
    settings: &crate::engine::Settings,
    role: crate::roles::FileRole,
    allow: Applicability,
) -> Fixed {
    let mut current = text.to_string();
    let mut count = 0;
    for _ in 0..MAX_ROUNDS {
        let source = crate::source::SourceText {
            text: current.clone(),
            decode_error: None,
        };
        let findings = crate::engine::lint_as(name, &source, settings, role).findings;
        let fixable: Vec<&Finding> = findings
            .iter()
            .filter(|finding| finding.fix.is_some() && admitted(finding.rule, allow))
            .collect();
        if fixable.is_empty() {
            break;
        }
        let parsed = crate::source::parse(&current);
        let edits: Vec<Edit> = fixable
            .into_iter()
            .filter_map(|finding| rule_fix(&current, &parsed, finding))
            .map(|fix| fix.edit)
            .collect();
        if edits.is_empty() {
            break;
        }
        let (next, applied) = apply(&current, edits);
        if applied == 0 || crate::source::parse(&next).problems.len() > parsed.problems.len() {
            break;
        }
        current = next;
        count += applied;
    }
    Fixed {
        text: current,
        count,
    }
}

/// Whether a rule's fixes may be applied: safe ones always, unsafe ones
/// only when `allow` is [`Applicability::Unsafe`].
fn admitted(rule: &str, allow: Applicability) -> bool {
    let kind = crate::rules::find(rule).and_then(|rule| rule.meta().fix);
    matches!(
        (kind, allow),
        (Some(Applicability::Safe), _) | (Some(Applicability::Unsafe), Applicability::Unsafe)
    )
}

/// A unified diff of a file's fixes that `git apply` (and `patch -p1`)
/// accept, `path` being the file's path relative to where they run.
pub fn unified_diff(path: &str, before: &str, after: &str) -> String {
    let diff = similar::TextDiff::from_lines(before, after);
    let mut out = format!("--- a/{path}\n+++ b/{path}\n");
    for hunk in diff.unified_diff().context_radius(3).iter_hunks() {
        out.push_str(&hunk.to_string());
    }
    out
}

/// Replaces `path`'s content with `bytes` atomically (a temporary file
/// beside it, renamed over it) with its permissions kept, unless the file no
/// longer holds `read`: what podlint fixed is then stale, and the file is
/// left alone.
pub fn write_in_place(path: &std::path::Path, read: &[u8], bytes: &[u8]) -> Result<(), String> {
    use std::io::Write;
    let shown = path.display();
    // A link is followed: the file it points at is fixed, the link kept.
    let target = std::fs::canonicalize(path).map_err(|e| format!("cannot fix {shown}: {e}"))?;
    let on_disk = std::fs::read(&target).map_err(|e| format!("cannot fix {shown}: {e}"))?;
    if on_disk != read {
        return Err(format!(
            "{shown} changed on disk while podlint read it; left alone (run --fix again)"
        ));
    }
    let permissions = std::fs::metadata(&target)
        .map_err(|e| format!("cannot fix {shown}: {e}"))?
        .permissions();
    let folder = target.parent().unwrap_or(std::path::Path::new("."));
    let file_name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = folder.join(format!(".{file_name}.podlint-fix-{}", std::process::id()));
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temporary)
        .and_then(|mut file| {
            file.write_all(bytes)?;
            file.set_permissions(permissions)?;
            file.sync_all()
        })
        .and_then(|()| std::fs::rename(&temporary, &target));
    written.map_err(|e| {
        let _ = std::fs::remove_file(&temporary);
        format!("cannot fix {shown}: {e}")
    })
}

//! Quick fixes as text edits that keep the user's comments and layout:
//! the rules' own fixes ([`Fix`]) and a `# podlint-ignore:` comment.

use crate::finding::{Finding, Fix};
use crate::model::{FieldPath, Segment};
use crate::source::{Entry, Node, ParsedSource, Span, Value};

use super::text::Positions;

/// Replace `span` (possibly empty: an insertion) with `text`.
#[derive(Debug, PartialEq, Eq)]
pub struct Edit {
    pub span: Span,
    pub text: String,
}

#[derive(Debug, PartialEq, Eq)]
pub struct QuickFix {
    pub title: String,
    pub edit: Edit,
    /// The fix itself rather than silencing the finding.
    pub preferred: bool,
}

/// Rules whose findings a comment cannot (or should not) silence: text
/// that does not parse, and the suppression comments themselves.
const NOT_SUPPRESSIBLE: &[&str] = &["invalid-yaml", "unknown-suppression"];

/// The quick fixes for one finding of `text`.
pub fn quick_fixes(text: &str, parsed: &ParsedSource, finding: &Finding) -> Vec<QuickFix> {
    let positions = Positions::new(text, super::text::Encoding::Utf8);
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let mut fixes = Vec::new();
    let fix = match &finding.fix {
        Some(Fix::Replace(replacement)) => {
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
        Some(Fix::Set { path, value }) => document_at(parsed, finding.span.start)
            .and_then(|root| set(text, &positions, newline, root, path, value)),
        None => None,
    };
    fixes.extend(fix);
    fixes.extend(ignore_comment(text, &positions, newline, parsed, finding));
    fixes
}

/// Renames a key or replaces a value, keeping its quotes.
fn replace(text: &str, span: Span, replacement: &str) -> Option<QuickFix> {
    let old = text.get(span.range())?;
    let quote = old.chars().next().filter(|c| matches!(c, '"' | '\''));
    let new = match quote {
        Some(q) => format!("{q}{replacement}{q}"),
        None => replacement.to_string(),
    };
    Some(QuickFix {
        title: format!("Replace `{old}` with `{new}`"),
        edit: Edit { span, text: new },
        preferred: true,
    })
}

/// Sets the field at `path` to `value`: replaces the value when the field
/// exists, else adds the missing keys after the last entry of the deepest
/// mapping that exists (inline for a flow mapping, such as JSON).
fn set(
    text: &str,
    positions: &Positions<'_>,
    newline: &str,
    root: &Node,
    path: &FieldPath,
    value: &str,
) -> Option<QuickFix> {
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
                    insert_block(text, positions, newline, root, entries, &missing, value)?
                };
                return Some(QuickFix {
                    title,
                    edit,
                    preferred: true,
                });
            }
        }
    }
    // The field exists: its value is replaced when it is a scalar.
    if node.as_scalar().is_none() || text.get(node.span.range()) == Some(value) {
        return None;
    }
    Some(QuickFix {
        title,
        edit: Edit {
            span: node.span,
            text: value.to_string(),
        },
        preferred: true,
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
    positions: &Positions<'_>,
    newline: &str,
    root: &Node,
    entries: &[Entry],
    missing: &[&str],
    value: &str,
) -> Option<Edit> {
    let first = entries.first()?;
    let last = entries.last()?;
    let indent = column(positions, first.key.span.start);
    let step = indent_step(positions, root).unwrap_or(2);
    let mut lines = String::new();
    for (depth, key) in missing.iter().enumerate() {
        let pad = " ".repeat(indent + depth * step);
        if depth + 1 == missing.len() {
            lines.push_str(&format!("{pad}{key}: {value}{newline}"));
        } else {
            lines.push_str(&format!("{pad}{key}:{newline}"));
        }
    }
    let end = last.value.span.end.max(last.key.span.end) as usize;
    let line = positions.line_of(end.saturating_sub(1).max(first.key.span.start as usize));
    let at = positions.line_start(line + 1);
    if at >= text.len() && !text.ends_with('\n') {
        // The last line has no line break: add one before the new lines.
        let trimmed = lines.strip_suffix(newline).unwrap_or(&lines);
        return Some(Edit {
            span: Span::new(text.len(), text.len()),
            text: format!("{newline}{trimmed}"),
        });
    }
    Some(Edit {
        span: Span::new(at, at),
        text: lines,
    })
}

/// The column (in bytes: YAML indents with spaces) of an offset.
fn column(positions: &Positions<'_>, offset: u32) -> usize {
    let offset = offset as usize;
    offset - positions.line_start(positions.line_of(offset))
}

/// How far the document nests a block mapping under its key.
fn indent_step(positions: &Positions<'_>, root: &Node) -> Option<usize> {
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        match &node.value {
            Value::Map(entries) => {
                for entry in entries {
                    if let Some(child) = entry.value.as_map().and_then(<[Entry]>::first) {
                        let parent = column(positions, entry.key.span.start);
                        let nested = column(positions, child.key.span.start);
                        if nested > parent
                            && positions.line_of(child.key.span.start as usize)
                                > positions.line_of(entry.key.span.start as usize)
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

/// `# podlint-ignore: <rule>` alone on the line above the finding, or the
/// rule added to such a comment that is there already. Not offered in JSON
/// (no comments) nor where the line starts inside a multi-line string.
fn ignore_comment(
    text: &str,
    positions: &Positions<'_>,
    newline: &str,
    parsed: &ParsedSource,
    finding: &Finding,
) -> Option<QuickFix> {
    if NOT_SUPPRESSIBLE.contains(&finding.rule) || text.trim_start().starts_with(['{', '[']) {
        return None;
    }
    let line = positions.line_of(finding.span.start as usize);
    let start = positions.line_start(line);
    if parsed
        .documents
        .iter()
        .any(|d| inside_scalar(&d.root, start))
    {
        return None;
    }
    let title = format!("Ignore `{}` on this line", finding.rule);
    if let Some(above) = line.checked_sub(1) {
        let above_text = positions.line_text(above);
        let trimmed = above_text.trim_end();
        if let Some(list) = trimmed
            .trim_start()
            .strip_prefix('#')
            .map(str::trim_start)
            .and_then(|c| c.strip_prefix("podlint-ignore"))
            .and_then(|c| c.trim_start().strip_prefix(':'))
        {
            if list.split([',', ' ']).any(|id| id == finding.rule) {
                return None;
            }
            let end = positions.line_start(above) + trimmed.len();
            let separator = if list.trim().is_empty() { " " } else { ", " };
            return Some(QuickFix {
                title,
                edit: Edit {
                    span: Span::new(end, end),
                    text: format!("{separator}{}", finding.rule),
                },
                preferred: false,
            });
        }
    }
    let line_text = positions.line_text(line);
    let indent = &line_text[..line_text.len() - line_text.trim_start_matches(' ').len()];
    Some(QuickFix {
        title,
        edit: Edit {
            span: Span::new(start, start),
            text: format!("{indent}# podlint-ignore: {}{newline}", finding.rule),
        },
        preferred: false,
    })
}

/// Whether `offset` falls strictly inside a scalar (a multi-line string).
fn inside_scalar(node: &Node, offset: usize) -> bool {
    let (start, end) = (node.span.start as usize, node.span.end as usize);
    match &node.value {
        Value::Scalar(_) => start < offset && offset < end,
        _ if offset < start || end < offset => false,
        Value::Seq(items) => items.iter().any(|item| inside_scalar(item, offset)),
        Value::Map(entries) => entries
            .iter()
            .any(|e| inside_scalar(&e.key, offset) || inside_scalar(&e.value, offset)),
    }
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

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use super::*;
    use crate::engine::{self, Settings};
    use crate::source::{self, SourceText};

    fn lint(text: &str) -> Vec<Finding> {
        let settings = Settings::every_rule();
        let source = SourceText {
            text: text.to_string(),
            decode_error: None,
        };
        let name: Arc<str> = "test.yaml".into();
        engine::lint(&name, &source, &settings).findings
    }

    fn apply(text: &str, edit: &Edit) -> String {
        let mut out = text.to_string();
        out.replace_range(edit.span.range(), &edit.text);
        out
    }

    fn same(a: &Finding, b: &Finding) -> bool {
        a.rule == b.rule && a.message == b.message && a.container == b.container
    }

    /// Every quick fix offered on every fixture: the fixed text parses as
    /// well as before, the finding it fixes (or silences) is gone, and no
    /// other finding appears (but for the value of a renamed field, which is
    /// typed now).
    #[test]
    fn every_quick_fix_on_the_fixtures_removes_its_finding_and_breaks_nothing() {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let mut checked = 0;
        for entry in walkdir::WalkDir::new(&fixtures).sort_by_file_name() {
            let entry = entry.expect("fixture walk");
            let path = entry.path();
            let manifest = path
                .extension()
                .is_some_and(|e| e == "yaml" || e == "yml" || e == "json");
            let Ok(text) = std::fs::read_to_string(path) else {
                continue;
            };
            if !manifest {
                continue;
            }
            let parsed = source::parse(&text);
            let problems = parsed.problems.len();
            let findings = lint(&text);
            for finding in &findings {
                for fix in quick_fixes(&text, &parsed, finding) {
                    let fixed = apply(&text, &fix.edit);
                    let where_ = format!("{}: {} `{}`", path.display(), finding.rule, fix.title);
                    assert!(
                        source::parse(&fixed).problems.len() <= problems,
                        "{where_} broke the YAML:\n{fixed}"
                    );
                    let after = lint(&fixed);
                    let count =
                        |list: &[Finding], f: &Finding| list.iter().filter(|g| same(g, f)).count();
                    assert!(
                        count(&after, finding) < count(&findings, finding),
                        "{where_} left the finding:\n{fixed}"
                    );
                    // A renamed field's value is typed now: a wrong one is reported.
                    let revealed = |f: &Finding| {
                        matches!(finding.fix, Some(Fix::Replace(_))) && f.rule == "invalid-field"
                    };
                    let new = after
                        .iter()
                        .find(|f| count(&after, f) > count(&findings, f) && !revealed(f));
                    assert!(new.is_none(), "{where_} added {new:?}:\n{fixed}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 100, "only {checked} fixes checked");
    }
}

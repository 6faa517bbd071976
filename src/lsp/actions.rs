//! Quick fixes as text edits that keep the user's comments and layout:
//! the rules' own fixes (shared with `check --fix`, see [`crate::fix`]) and
//! a `# podlint-ignore:` comment.

use crate::finding::Finding;
pub use crate::fix::Edit;
use crate::source::{Node, ParsedSource, Span, Value};

use super::text::Positions;

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
    fixes.extend(
        crate::fix::rule_fix(text, parsed, finding).map(|fix| QuickFix {
            title: fix.title,
            edit: fix.edit,
            preferred: true,
        }),
    );
    fixes.extend(ignore_comment(text, &positions, newline, parsed, finding));
    fixes
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

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use super::*;
    use crate::engine::{self, Settings};
    use crate::finding::Fix;
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
                        matches!(finding.fix.as_deref(), Some(Fix::Replace(_)))
                            && f.rule == "invalid-field"
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

//! A Go template (a chart's template or helper file) read as lines of
//! literal text and `{{ }}` actions: enough to mark where each template line's
//! literal text goes in the output, and to know which actions insert content
//! and which `.Values` paths they read.

use std::ops::Range;

/// One `{{ ... }}` action.
#[derive(Debug, Clone)]
pub struct Action {
    /// Byte range in the template text, braces included.
    pub span: Range<usize>,
    pub kind: ActionKind,
    /// The `.Values` paths the action reads (`toYaml .Values.resources` ->
    /// `resources`); a bare `.` inside `with .Values.x` reads `x`.
    pub values: Vec<String>,
    /// `nindent N` / `indent N` in its pipeline.
    pub indent: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionKind {
    /// `if`, `with`, `range`, `define`, `block`, `else`, `end`.
    Control,
    /// Comments and variable assignments: they print nothing.
    Quiet,
    /// Anything else prints its value.
    Output,
}

/// One template line.
#[derive(Debug, Default, Clone)]
pub struct Line {
    /// The literal text that starts the line, without the whitespace around
    /// it, when the line starts outside an action and outside a `define`:
    /// that text is copied to the output as is, and a marker after it says
    /// where it went.
    pub literal: Option<Range<usize>>,
    /// Actions that start on this line.
    pub actions: Vec<Action>,
}

/// A template's lines (0-based).
#[derive(Debug, Default)]
pub struct Template {
    pub lines: Vec<Line>,
}

/// A block opened by an action, for `with` contexts and `define` bodies.
enum Block {
    Define,
    /// `with .Values.x`: a bare `.` inside reads `x` (when known).
    With(Option<String>),
    Other,
}

impl Template {
    pub fn scan(text: &str) -> Template {
        let line_starts: Vec<usize> = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let mut lines: Vec<Line> = vec![Line::default(); line_starts.len()];
        let line_of = |offset: usize| line_starts.partition_point(|&s| s <= offset) - 1;
        let mut blocks: Vec<Block> = Vec::new();
        // Where each line starts: in literal text (and not in a define) or not.
        let mut literal_lines = vec![false; line_starts.len()];
        let mut at = 0;
        let bytes = text.as_bytes();
        let mut line = 0;
        while at <= text.len() {
            let next = text[at..].find("{{").map(|i| at + i);
            let text_end = next.unwrap_or(text.len());
            // Lines that start inside this stretch of literal text.
            while line < line_starts.len() && line_starts[line] <= text_end {
                if line_starts[line] >= at {
                    let in_define = blocks.iter().any(|b| matches!(b, Block::Define));
                    literal_lines[line] = !in_define;
                }
                line += 1;
            }
            let Some(open) = next else { break };
            let close = action_end(bytes, open + 2);
            let inner = &text[open + 2..close.saturating_sub(2).max(open + 2)];
            let action = classify(inner, open..close, &mut blocks);
            let action_line = line_of(open);
            lines[action_line].actions.push(action);
            // Lines that start inside the action are not literal.
            while line < line_starts.len() && line_starts[line] < close {
                line += 1;
            }
            at = close;
        }
        for (index, starts_literal) in literal_lines.iter().enumerate() {
            if !starts_literal {
                continue;
            }
            let start = line_starts[index];
            let end = line_starts
                .get(index + 1)
                .map_or(text.len(), |&next| next - 1);
            let stop = text[start..end].find("{{").map_or(end, |i| start + i);
            let segment = &text[start..stop];
            let trimmed = segment.trim();
            if trimmed.is_empty() || trimmed == "---" || trimmed == "..." {
                continue;
            }
            let lead = segment.len() - segment.trim_start().len();
            lines[index].literal = Some(start + lead..start + lead + trimmed.len());
        }
        Template { lines }
    }
}

/// The offset just after the `}}` closing the action whose body starts at
/// `from` (quoted strings and comments skipped); the end of the text when
/// it is not closed.
fn action_end(bytes: &[u8], from: usize) -> usize {
    let mut i = from;
    let comment = bytes[from..]
        .iter()
        .position(|b| !b.is_ascii_whitespace() && *b != b'-')
        .is_some_and(|p| bytes[from + p..].starts_with(b"/*"));
    if comment {
        let mut j = from;
        while j + 1 < bytes.len() {
            if bytes[j] == b'*' && bytes[j + 1] == b'/' {
                i = j + 2;
                break;
            }
            j += 1;
        }
    }
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'`' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'`' {
                    i += 1;
                }
                i += 1;
            }
            b'}' if bytes.get(i + 1) == Some(&b'}') => return i + 2,
            _ => i += 1,
        }
    }
    bytes.len()
}

fn classify(inner: &str, span: Range<usize>, blocks: &mut Vec<Block>) -> Action {
    let body = inner.trim_start_matches('-').trim_end_matches('-').trim();
    let keyword = body
        .split(|c: char| c.is_whitespace() || c == '(')
        .next()
        .unwrap_or("");
    let context = current_context(blocks);
    let values = values_read(body, context.as_deref());
    let indent = indent_of(body);
    let kind = match keyword {
        "if" | "range" | "block" => {
            blocks.push(Block::Other);
            ActionKind::Control
        }
        "define" => {
            blocks.push(Block::Define);
            ActionKind::Control
        }
        "with" => {
            let argument = body["with".len()..].trim();
            blocks.push(Block::With(values_path(argument, context.as_deref())));
            ActionKind::Control
        }
        "end" => {
            blocks.pop();
            ActionKind::Control
        }
        "else" | "break" | "continue" => ActionKind::Control,
        _ if body.starts_with("/*") || is_assignment(body) => ActionKind::Quiet,
        _ => ActionKind::Output,
    };
    Action {
        span,
        kind,
        values,
        indent,
    }
}

fn current_context(blocks: &[Block]) -> Option<String> {
    match blocks.iter().rev().find(|b| !matches!(b, Block::Other)) {
        Some(Block::With(path)) => path.clone(),
        _ => None,
    }
}

/// `$x := ...` or `$x = ...`.
fn is_assignment(body: &str) -> bool {
    let mut words = body.split_whitespace();
    matches!(
        (words.next(), words.next()),
        (Some(var), Some(":=" | "=")) if var.starts_with('$')
    )
}

/// The values path of one operand: `.Values.a.b` or `$.Values.a.b` -> `a.b`,
/// `.` or `.c` inside `with .Values.a` -> `a` or `a.c`.
fn values_path(operand: &str, context: Option<&str>) -> Option<String> {
    let operand = operand.split_whitespace().next()?;
    let operand = operand.trim_matches(|c| c == '(' || c == ')');
    for prefix in ["$.Values.", ".Values."] {
        if let Some(rest) = operand.strip_prefix(prefix) {
            return valid_path(rest).then(|| rest.to_string());
        }
    }
    let context = context?;
    if operand == "." {
        return Some(context.to_string());
    }
    let rest = operand.strip_prefix('.')?;
    valid_path(rest).then(|| format!("{context}.{rest}"))
}

fn valid_path(path: &str) -> bool {
    !path.is_empty()
        && path.split('.').all(|k| {
            !k.is_empty()
                && k.chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        })
}

/// Every `.Values` path an action reads, in order.
fn values_read(body: &str, context: Option<&str>) -> Vec<String> {
    let mut paths = Vec::new();
    for word in body.split(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == ',') {
        let read = if word.starts_with(".Values.") || word.starts_with("$.Values.") {
            values_path(word, None)
        } else if word == "." || (word.starts_with('.') && !word.starts_with(".Values")) {
            // `.Release.Name`, `.Chart` are not values; `.x` inside a with is.
            let top = word.trim_start_matches('.').split('.').next().unwrap_or("");
            if matches!(
                top,
                "Release" | "Chart" | "Capabilities" | "Template" | "Files" | "Values"
            ) {
                None
            } else {
                values_path(word, context)
            }
        } else {
            None
        };
        if let Some(path) = read {
            if !paths.contains(&path) {
                paths.push(path);
            }
        }
    }
    paths
}

/// The N of `nindent N` or `indent N`.
fn indent_of(body: &str) -> Option<usize> {
    let mut words = body.split_whitespace();
    while let Some(word) = words.next() {
        if word == "nindent" || word == "indent" {
            return words
                .next()
                .and_then(|n| n.trim_end_matches(')').parse().ok());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn literal<'a>(text: &'a str, template: &Template, line: usize) -> Option<&'a str> {
        template.lines[line].literal.clone().map(|r| &text[r])
    }

    #[test]
    fn literal_text_starts_lines_outside_actions_and_defines() {
        let text = "apiVersion: v1\n\
                    kind: {{ .Values.kind }}\n\
                    {{- /* a comment\n\
                    over: lines */}}\n\
                    {{- define \"x\" }}\n\
                    inside: define\n\
                    {{- end }}\n\
                    \x20 resources: {{- toYaml .Values.resources | nindent 4 }}\n\
                    ---\n";
        let template = Template::scan(text);
        assert_eq!(literal(text, &template, 0), Some("apiVersion: v1"));
        assert_eq!(literal(text, &template, 1), Some("kind:"));
        assert_eq!(literal(text, &template, 2), None);
        assert_eq!(literal(text, &template, 3), None);
        assert_eq!(literal(text, &template, 5), None);
        assert_eq!(literal(text, &template, 7), Some("resources:"));
        assert_eq!(literal(text, &template, 8), None);
        let insert = &template.lines[7].actions[0];
        assert_eq!(insert.kind, ActionKind::Output);
        assert_eq!(insert.values, vec!["resources".to_string()]);
        assert_eq!(insert.indent, Some(4));
    }

    #[test]
    fn a_bare_dot_inside_with_reads_the_with_value() {
        let text = "{{- with .Values.pod.resources }}\nresources: {{- toYaml . | nindent 2 }}\n{{- end }}\n";
        let template = Template::scan(text);
        assert_eq!(template.lines[1].actions[0].values, vec!["pod.resources"]);
        assert_eq!(template.lines[0].actions[0].kind, ActionKind::Control);
    }
}

//! A Go template (a chart's template or helper file) read as lines of
//! literal text and `{{ }}` actions: enough to mark where each template line's
//! literal text goes in the output, and to know which actions insert content
//! and which `.Values` paths they read.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::sync::{Arc, LazyLock};

use memchr::memmem::Finder;

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
    /// The `define`s it calls (`include "x"`, `template "x"`) by name;
    /// `None` for a name that is not a string literal.
    pub calls: Vec<Option<String>>,
    /// It prints one `define`'s output unchanged: `include "x" ARG`, with
    /// at most `nindent N` or `indent N` after it.
    pub prints_define: bool,
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
    /// it, when the line starts outside an action: that text is copied to
    /// the output as is, and a marker after it says where it went.
    pub literal: Option<Range<usize>>,
    /// Actions that start on this line.
    pub actions: Vec<Action>,
    /// The `define` the line starts in (the innermost).
    pub define: Option<Arc<str>>,
}

/// A template's lines (0-based).
#[derive(Debug, Default)]
pub struct Template {
    pub lines: Vec<Line>,
}

/// A block opened by an action, for `with` contexts and `define` bodies.
enum Block {
    Define(Arc<str>),
    /// `with .Values.x`: a bare `.` inside reads `x` (when known).
    With(Option<String>),
    Other,
}

impl Template {
    pub fn scan(text: &str) -> Template {
        let line_starts: Vec<usize> = std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
            .collect();
        let mut lines: Vec<Line> = vec![Line::default(); line_starts.len()];
        let line_of = |offset: usize| line_starts.partition_point(|&s| s <= offset) - 1;
        let mut blocks: Vec<Block> = Vec::new();
        // Whether each line starts in literal text.
        let mut literal_lines = vec![false; line_starts.len()];
        let mut at = 0;
        let bytes = text.as_bytes();
        let mut line = 0;
        while at <= text.len() {
            let next = find_open(text, at);
            let text_end = next.unwrap_or(text.len());
            // Lines that start inside this stretch of literal text.
            while line < line_starts.len() && line_starts[line] <= text_end {
                if line_starts[line] >= at {
                    literal_lines[line] = true;
                }
                lines[line].define = current_define(&blocks);
                line += 1;
            }
            let Some(open) = next else { break };
            let close = action_end(bytes, open + 2);
            let inner = &text[open + 2..close.saturating_sub(2).max(open + 2)];
            let mut action = classify(inner, open..close, &mut blocks);
            let action_line = line_of(open);
            // `indent` keeps the define's first line where the action is:
            // certain only at the start of a line (and not joined to the
            // line before by `{{-`).
            if action.prints_define {
                let starts_line = text[line_starts[action_line]..open].trim().is_empty()
                    && !inner.starts_with('-');
                action.prints_define = starts_line || inner.contains("nindent");
            }
            lines[action_line].actions.push(action);
            // Lines that start inside the action are not literal.
            while line < line_starts.len() && line_starts[line] < close {
                lines[line].define = current_define(&blocks);
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
            let stop = find_open(&text[..end], start).unwrap_or(end);
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

/// The offset of the first `{{` at or after `from`.
fn find_open(text: &str, from: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut at = from;
    while let Some(found) = text.get(at..)?.find('{') {
        let open = at + found;
        if bytes.get(open + 1) == Some(&b'{') {
            return Some(open);
        }
        at = open + 1;
    }
    None
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
    let comment = body.starts_with("/*");
    let context = current_context(blocks);
    let values = values_read(body, context.as_deref());
    let indent = indent_of(body);
    let kind = match keyword {
        "if" | "range" | "block" => {
            blocks.push(Block::Other);
            ActionKind::Control
        }
        "define" => {
            let name = body["define".len()..].trim().trim_matches('"');
            blocks.push(Block::Define(name.into()));
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
        _ if comment || is_assignment(body) => ActionKind::Quiet,
        _ => ActionKind::Output,
    };
    let calls = if comment { Vec::new() } else { calls(body) };
    let prints_define = kind == ActionKind::Output && prints_define(body);
    Action {
        span,
        kind,
        values,
        indent,
        calls,
        prints_define,
    }
}

fn current_define(blocks: &[Block]) -> Option<Arc<str>> {
    blocks.iter().rev().find_map(|b| match b {
        Block::Define(name) => Some(name.clone()),
        _ => None,
    })
}

/// The names of the `define`s an action calls, in order; `None` for one
/// named by an expression.
fn calls(body: &str) -> Vec<Option<String>> {
    let mut out = Vec::new();
    // Built once: `str::find` sets a searcher up on every call, and most
    // actions call nothing.
    static KEYWORDS: LazyLock<[(&str, Finder<'static>); 2]> =
        LazyLock::new(|| ["include", "template"].map(|keyword| (keyword, Finder::new(keyword))));
    for (keyword, finder) in KEYWORDS.iter() {
        let mut rest = body;
        while let Some(at) = finder.find(rest.as_bytes()) {
            let before = rest[..at].chars().next_back();
            let after = &rest[at + keyword.len()..];
            rest = after;
            let word_starts = before.is_none_or(|c| c.is_whitespace() || c == '(');
            if !word_starts || !after.starts_with(char::is_whitespace) {
                continue;
            }
            let operand = after.trim_start();
            // `include (print $.Template.BasePath "/configmap.yaml")` renders
            // a template file (for a checksum), not a define.
            if operand.starts_with('(') && operand.contains("Template.BasePath") {
                continue;
            }
            out.push(quoted_name(operand));
        }
    }
    out
}

impl Template {
    /// Forgets the literal text of lines in `define`s other than `printed`:
    /// their callers may change their output (`trunc`, `quote`,
    /// `fromYaml`...), which a marker would change too.
    pub fn keep_defines(&mut self, printed: &BTreeSet<String>) {
        for line in &mut self.lines {
            if line
                .define
                .as_ref()
                .is_some_and(|d| !printed.contains(&**d))
            {
                line.literal = None;
            }
        }
    }
}

/// The `define`s whose output reaches helm's output unchanged: each is
/// defined once among `templates`, and every call of it prints it at the
/// start of a line ([`Action::prints_define`]) from a template or from such
/// a define. None when a call names its define by an expression.
pub fn printed_defines(templates: &[&Template]) -> BTreeSet<String> {
    let mut defined: BTreeMap<String, usize> = BTreeMap::new();
    // (called, certain, the define the call is in)
    let mut sites: Vec<(String, bool, Option<Arc<str>>)> = Vec::new();
    for template in templates {
        let mut current: Option<&Arc<str>> = None;
        for line in &template.lines {
            for action in &line.actions {
                for call in &action.calls {
                    let Some(name) = call else {
                        return BTreeSet::new();
                    };
                    sites.push((name.clone(), action.prints_define, line.define.clone()));
                }
            }
            if line.define.as_ref() != current {
                if let Some(name) = &line.define {
                    *defined.entry(name.to_string()).or_default() += 1;
                }
                current = line.define.as_ref();
            }
        }
    }
    let mut printed: BTreeSet<String> = defined
        .into_iter()
        .filter(|(name, count)| *count == 1 && sites.iter().any(|(called, ..)| called == name))
        .map(|(name, _)| name)
        .collect();
    loop {
        let uncertain: Vec<String> = sites
            .iter()
            .filter(|(name, certain, within)| {
                printed.contains(name)
                    && (!certain || within.as_ref().is_some_and(|d| !printed.contains(&**d)))
            })
            .map(|(name, ..)| name.clone())
            .collect();
        if uncertain.is_empty() {
            return printed;
        }
        for name in uncertain {
            printed.remove(&name);
        }
    }
}

/// `"x" ...` -> `x`.
fn quoted_name(text: &str) -> Option<String> {
    let name = text.strip_prefix('"')?;
    let end = name.find('"')?;
    Some(name[..end].to_string())
}

/// `include "x" ARG` alone, or piped to `nindent N` / `indent N` only.
fn prints_define(body: &str) -> bool {
    let mut stages = split_pipeline(body).into_iter();
    let Some(first) = stages.next() else {
        return false;
    };
    let first = first.trim();
    let call = first
        .strip_prefix("include ")
        .or_else(|| first.strip_prefix("template "));
    let named = call
        .is_some_and(|rest| quoted_name(rest.trim_start()).is_some() && !rest.contains("include "));
    named
        && stages.all(|stage| {
            let mut words = stage.split_whitespace();
            matches!(
                (
                    words.next(),
                    words.next().map(str::parse::<usize>),
                    words.next()
                ),
                (Some("nindent" | "indent"), Some(Ok(_)), None)
            )
        })
}

/// The stages of a pipeline: split at `|` outside parentheses and quotes.
fn split_pipeline(body: &str) -> Vec<&str> {
    let mut stages = Vec::new();
    let mut depth = 0usize;
    let mut quoted = false;
    let mut start = 0;
    let mut previous = ' ';
    for (i, c) in body.char_indices() {
        match c {
            '"' if previous != '\\' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth = depth.saturating_sub(1),
            '|' if !quoted && depth == 0 => {
                stages.push(&body[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        previous = c;
    }
    stages.push(&body[start..]);
    stages
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
    if !starts_a_word_with_dot(body.as_bytes()) {
        return paths;
    }
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

/// Whether a `.` starts a word (after a separator of [`values_read`] or
/// `$`), as every path read does: most actions (and comments) have none,
/// and need not be split. A byte of a multi-byte character before the dot
/// counts as a separator (Unicode spaces).
fn starts_a_word_with_dot(body: &[u8]) -> bool {
    body.iter().enumerate().any(|(i, &b)| {
        b == b'.'
            && (i == 0 || {
                let before = body[i - 1];
                matches!(before, b'\t'..=b'\r' | b' ' | b'(' | b')' | b',' | b'$') || before >= 0x80
            })
    })
}

/// The N of `nindent N` or `indent N`.
fn indent_of(body: &str) -> Option<usize> {
    // Most actions indent nothing: find the word before splitting them.
    static INDENT: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("indent"));
    INDENT.find(body.as_bytes())?;
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
        // Kept for now: `keep_defines` forgets it unless the define is printed as is.
        assert_eq!(literal(text, &template, 5), Some("inside: define"));
        assert_eq!(template.lines[5].define.as_deref(), Some("x"));
        assert_eq!(literal(text, &template, 7), Some("resources:"));
        assert_eq!(literal(text, &template, 8), None);
        let insert = &template.lines[7].actions[0];
        assert_eq!(insert.kind, ActionKind::Output);
        assert_eq!(insert.values, vec!["resources".to_string()]);
        assert_eq!(insert.indent, Some(4));
    }

    #[test]
    fn defines_are_printed_as_is_when_every_call_prints_them_at_a_line_start() {
        let helpers = Template::scan(
            "{{- define \"block\" -}}\na: 1\n{{- include \"inner\" . | nindent 0 }}\n{{- end }}\n\
             {{- define \"inner\" -}}\nb: 2\n{{- end }}\n\
             {{- define \"trimmed\" -}}\nc: 3\n{{- end }}\n\
             {{- define \"name\" -}}\nweb\n{{- end }}\n\
             {{/* include \"trimmed\" in a comment is no call */}}\n",
        );
        let template = Template::scan(
            "spec: {{- include \"block\" . | nindent 2 }}\n\
             x: {{- include \"trimmed\" . | trim | nindent 2 }}\n\
             name: {{ include \"name\" . }}\n\
             {{ include \"block\" . | indent 2 }}\n",
        );
        let printed = printed_defines(&[&helpers, &template]);
        let names: Vec<&str> = printed.iter().map(String::as_str).collect();
        assert_eq!(names, ["block", "inner"]);
        // A call by an expression may call any define.
        let dynamic = Template::scan("{{ include (printf \"%s\" .x) . }}\n");
        assert!(printed_defines(&[&helpers, &template, &dynamic]).is_empty());
        // A template included for its checksum is no define.
        let checksum = Template::scan(
            "{{ include (print $.Template.BasePath \"/cm.yaml\") . | sha256sum }}\n",
        );
        assert_eq!(printed_defines(&[&helpers, &template, &checksum]).len(), 2);
    }

    #[test]
    fn a_bare_dot_inside_with_reads_the_with_value() {
        let text = "{{- with .Values.pod.resources }}\nresources: {{- toYaml . | nindent 2 }}\n{{- end }}\n";
        let template = Template::scan(text);
        assert_eq!(template.lines[1].actions[0].values, vec!["pod.resources"]);
        assert_eq!(template.lines[0].actions[0].kind, ActionKind::Control);
    }
}

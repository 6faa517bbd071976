//! Human output, made to be scanned in a log: each finding's first line is
//! `path:line:col: severity[rule] message` (the form of `--format compact`,
//! which editors and `grep` read), and the findings that point at one node
//! share one snippet of the source under their lines.

use std::fmt::Write as _;

use super::printable;
use crate::finding::{Finding, Severity};

/// Renders the findings of one file (called on the worker that linted it).
/// `findings` are sorted by position, as the engine hands them over.
pub fn render_file(text: &str, findings: &[Finding], color: bool) -> String {
    render_file_with(text, findings, color, &|_| None)
}

/// [`render_file`] for findings whose labels may be in other files (the
/// run-level stage's): `other_text` gives those files' text by name.
pub fn render_file_with<'t>(
    text: &str,
    findings: &[Finding],
    color: bool,
    other_text: &dyn Fn(&str) -> Option<&'t str>,
) -> String {
    let paint = Paint { color };
    let lines = Lines::new(text);
    let mut out = String::new();
    for group in groups(findings) {
        render_group(&mut out, &group, &lines, paint, other_text);
    }
    out
}

/// The findings that point at one node (the same span), in their order.
fn groups(findings: &[Finding]) -> Vec<Vec<&Finding>> {
    let mut groups: Vec<Vec<&Finding>> = Vec::new();
    // Findings are sorted by start and rule, so that findings on one node
    // but of different lengths may interleave: look back over the groups
    // that start at the same place.
    let mut same_start = 0;
    for finding in findings {
        let starts_here = groups
            .last()
            .is_some_and(|g| g[0].span.start == finding.span.start);
        if !starts_here {
            same_start = groups.len();
        }
        match groups[same_start..]
            .iter_mut()
            .find(|g| g[0].span == finding.span)
        {
            Some(group) => group.push(finding),
            None => groups.push(vec![finding]),
        }
    }
    groups
}

fn render_group<'t>(
    out: &mut String,
    group: &[&Finding],
    lines: &Lines<'_>,
    paint: Paint,
    other_text: &dyn Fn(&str) -> Option<&'t str>,
) {
    for finding in group {
        let _ = writeln!(
            out,
            "{}:{}:{}: {}[{}] {}",
            paint.bold(&printable(&finding.file)),
            finding.start.line,
            finding.start.column,
            paint.severity(finding.severity),
            paint.bold(finding.rule),
            printable(&finding.message)
        );
    }
    let mut gutter = render_snippet(out, group, lines, paint);
    for finding in group {
        for label in &finding.labels {
            if let Some(file) = &label.file {
                let other = Lines::new(other_text(file).unwrap_or_default());
                let _ = writeln!(
                    out,
                    "{:gutter$} {} {}:{}:{}",
                    "",
                    paint.gutter("-->"),
                    paint.bold(file),
                    label.start.line,
                    label.start.column
                );
                let text = Some(label.message.clone());
                let marks = vec![mark(&other, label.span.start, label.span.end, false, text)];
                gutter = gutter.max(print_marks(out, marks, &other, paint));
            }
        }
    }
    for finding in group {
        if let Some(help) = &finding.help {
            // With several findings, each help says whose it is.
            let whose = if group.len() > 1 {
                format!("[{}]", finding.rule)
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "{:gutter$} {} help{whose}: {help}",
                "",
                paint.gutter("="),
                help = printable(help),
            );
        }
    }
    // Where a chart's (or overlay's) render held the node.
    let mut notes: Vec<String> = Vec::new();
    for note in group
        .iter()
        .filter_map(|f| f.origin.as_deref())
        .map(super::rendered_note)
    {
        if !notes.contains(&note) {
            notes.push(note);
        }
    }
    for note in notes {
        let _ = writeln!(out, "{:gutter$} {} note: {note}", "", paint.gutter("="));
    }
    out.push('\n');
}

/// A mark under one line: where, how, and what it says.
struct Mark {
    line: usize,
    /// 0-based character columns, `end` past the last marked character.
    start: usize,
    end: usize,
    primary: bool,
    text: Option<String>,
}

/// The source lines that the group's span and labels point at, each with
/// its marks (`^` under the node, `-` under the labels). Returns the width
/// of the line numbers' column, which the help lines align with.
fn render_snippet(out: &mut String, group: &[&Finding], lines: &Lines<'_>, paint: Paint) -> usize {
    let first = group[0];
    let mut containers: Vec<&str> = group
        .iter()
        .filter_map(|f| f.container.as_deref())
        .collect();
    containers.dedup();
    let primary_text = (!containers.is_empty()).then(|| {
        let names: Vec<String> = containers
            .iter()
            .map(|c| format!("`{}`", printable(c)))
            .collect();
        format!("container {}", names.join(", "))
    });
    let mut marks = vec![mark(
        lines,
        first.span.start,
        first.span.end,
        true,
        primary_text,
    )];
    for finding in group {
        for label in finding.labels.iter().filter(|l| l.file.is_none()) {
            let text = Some(printable(&label.message).into_owned());
            let duplicate = marks
                .iter()
                .any(|m| m.text == text && m.line == lines.line_of(label.span.start as usize));
            if !duplicate {
                marks.push(mark(lines, label.span.start, label.span.end, false, text));
            }
        }
    }
    print_marks(out, marks, lines, paint)
}

/// The lines that `marks` are on, each followed by its marks; returns the
/// width of the line numbers' column.
fn print_marks(out: &mut String, mut marks: Vec<Mark>, lines: &Lines<'_>, paint: Paint) -> usize {
    // A snippet of a huge line (minified JSON) would be unreadable and slow
    // to print: such findings keep their first lines only.
    if marks
        .iter()
        .any(|m| lines.text(m.line).len() > MAX_SNIPPET_LINE_BYTES)
    {
        return 1;
    }
    marks.sort_by_key(|m| (m.line, m.start, !m.primary));
    let width = (marks.iter().map(|m| m.line).max().unwrap_or(0) + 1)
        .to_string()
        .len();
    let blank = " ".repeat(width);
    let _ = writeln!(out, "{blank} {}", paint.gutter("|"));
    let mut previous: Option<usize> = None;
    for mark in &marks {
        if previous != Some(mark.line) {
            if previous.is_some_and(|p| mark.line > p + 1) {
                let _ = writeln!(out, "{}", paint.gutter("..."));
            }
            let number = format!("{:>width$}", mark.line + 1);
            let _ = writeln!(
                out,
                "{} {} {}",
                paint.gutter(&number),
                paint.gutter("|"),
                shown(lines.text(mark.line))
            );
            previous = Some(mark.line);
        }
        let underline = if mark.primary { "^" } else { "-" }.repeat(mark.end - mark.start);
        let text = mark
            .text
            .as_deref()
            .map_or(String::new(), |t| format!(" {t}"));
        let marked = format!("{underline}{text}");
        let _ = writeln!(
            out,
            "{blank} {} {}{}",
            paint.gutter("|"),
            " ".repeat(mark.start),
            if mark.primary {
                paint.primary(&marked)
            } else {
                paint.gutter(&marked)
            }
        );
    }
    width
}

/// A mark from a span's byte offsets: on the span's first line, to the end
/// of that line when the span goes on, and one character wide at least.
fn mark(lines: &Lines<'_>, start: u32, end: u32, primary: bool, text: Option<String>) -> Mark {
    let (start, end) = (start as usize, end as usize);
    let line = lines.line_of(start);
    let line_start = lines.start(line);
    let line_text = lines.text(line);
    let columns = |offset: usize| {
        line_text
            .get(..offset.saturating_sub(line_start).min(line_text.len()))
            .map_or(0, |before| before.chars().count())
    };
    let from = columns(start);
    let to = columns(end).max(from + 1);
    Mark {
        line,
        start: from,
        end: to,
        primary,
        text,
    }
}

/// Longer lines are not shown in snippets.
const MAX_SNIPPET_LINE_BYTES: usize = 1000;

/// A line as shown: a tab is one column wide, as columns count it, and
/// so is any other character that must not reach a terminal (shown as �).
fn shown(line: &str) -> String {
    line.chars()
        .map(|c| match c {
            '\t' => ' ',
            c if super::is_unprintable(c) => '\u{fffd}',
            c => c,
        })
        .collect()
}

/// A file's lines, split where the engine's positions split them (`\n`).
struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Lines { text, starts }
    }

    /// The 0-based line of a byte offset.
    fn line_of(&self, offset: usize) -> usize {
        self.starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    }

    fn start(&self, line: usize) -> usize {
        self.starts.get(line).copied().unwrap_or(self.text.len())
    }

    /// A line's text without its line break.
    fn text(&self, line: usize) -> &'a str {
        let end = self
            .starts
            .get(line + 1)
            .copied()
            .unwrap_or(self.text.len());
        self.text
            .get(self.start(line)..end)
            .unwrap_or_default()
            .trim_end_matches(['\n', '\r'])
    }
}

/// ANSI colours, or none.
#[derive(Clone, Copy)]
struct Paint {
    color: bool,
}

impl Paint {
    fn wrap(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn bold(self, text: &str) -> String {
        self.wrap("1", text)
    }

    fn gutter(self, text: &str) -> String {
        self.wrap("1;34", text)
    }

    fn primary(self, text: &str) -> String {
        self.wrap("1;31", text)
    }

    fn severity(self, severity: Severity) -> String {
        let code = match severity {
            Severity::Error => "1;31",
            Severity::Warning => "1;33",
            Severity::Info => "1;36",
        };
        self.wrap(code, severity.as_str())
    }
}

pub struct Totals {
    pub files: usize,
    pub documents: usize,
    pub pod_specs: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// The run's time, shown on a terminal only: piped output stays the
    /// same from run to run.
    pub elapsed: Option<std::time::Duration>,
    /// Chainsaw and kuttl assertion files, skipped.
    pub test_assertions: usize,
}

/// `--statistics`: one line a rule and severity, most findings first, as
/// `ruff --statistics` prints them.
pub fn statistics(by_rule: &[super::RuleCount]) -> String {
    let width = by_rule.first().map_or(1, |r| r.count.to_string().len());
    let mut out = String::new();
    for row in by_rule {
        let _ = writeln!(
            out,
            "{:>width$}  {:<7}  {}",
            row.count,
            row.severity.as_str(),
            row.rule
        );
    }
    out
}

pub fn summary(t: &Totals) -> String {
    let mut line = format!(
        "podlint: {}, {}, {}: {}, {}, {}",
        super::plural(t.files, "file", "files"),
        super::plural(t.documents, "document", "documents"),
        super::plural(t.pod_specs, "Pod spec", "Pod specs"),
        super::plural(t.errors, "error", "errors"),
        super::plural(t.warnings, "warning", "warnings"),
        super::plural(t.infos, "info", "infos"),
    );
    if let Some(elapsed) = t.elapsed {
        let _ = write!(line, " in {} ms", elapsed.as_millis());
    }
    if t.test_assertions > 0 {
        line.push_str(&format!(
            "\npodlint: info: skipped {} (expected states of Chainsaw or kuttl tests, not manifests)",
            super::plural(t.test_assertions, "test assertion file", "test assertion files")
        ));
    }
    line.push('\n');
    line
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::finding::Label;
    use crate::source::{Position, Span};

    fn finding(rule: &'static str, span: Span, line: u32, column: u32) -> Finding {
        Finding {
            rule,
            severity: Severity::Warning,
            message: format!("{rule} message"),
            help: Some(format!("{rule} help").into()),
            file: Arc::from("p.yaml"),
            span,
            start: Position { line, column },
            end: Position { line, column },
            labels: Vec::new(),
            object: None,
            container: Some("web".into()),
            fix: None,
            target: crate::model::Target::Span(span),
            origin: None,
        }
    }

    #[test]
    fn findings_on_one_node_share_one_snippet() {
        let text = "kind: Pod\nspec:\n  containers:\n  - name: web\n    image: nginx\n";
        let node = Span::new(34, 43);
        let mut port = finding("c-rule", Span::new(48, 60), 5, 5);
        port.labels.push(Label {
            span: Span::new(34, 43),
            start: Position { line: 4, column: 5 },
            message: "first here".into(),
            file: None,
        });
        let findings = [
            finding("a-rule", node, 4, 5),
            finding("b-rule", node, 4, 5),
            port,
        ];
        let expected = "\
p.yaml:4:5: warning[a-rule] a-rule message
p.yaml:4:5: warning[b-rule] b-rule message
  |
4 |   - name: web
  |     ^^^^^^^^^ container `web`
  = help[a-rule]: a-rule help
  = help[b-rule]: b-rule help

p.yaml:5:5: warning[c-rule] c-rule message
  |
4 |   - name: web
  |     --------- first here
5 |     image: nginx
  |     ^^^^^^^^^^^^ container `web`
  = help: c-rule help

";
        assert_eq!(render_file(text, &findings, false), expected);
    }

    #[test]
    fn distant_lines_are_separated_and_colour_is_optional() {
        let text = "a: 1\nb: 2\nc: 3\nd: 4\n";
        let mut far = finding("x-rule", Span::new(15, 16), 4, 1);
        far.container = None;
        far.help = None;
        far.labels.push(Label {
            span: Span::new(0, 1),
            start: Position { line: 1, column: 1 },
            message: "here".into(),
            file: None,
        });
        let plain = render_file(text, std::slice::from_ref(&far), false);
        assert_eq!(
            plain,
            "p.yaml:4:1: warning[x-rule] x-rule message\n  |\n1 | a: 1\n  | - here\n...\n4 | d: 4\n  | ^\n\n"
        );
        let colored = render_file(text, &[far], true);
        assert!(colored.contains("\x1b[1;33mwarning\x1b[0m[\x1b[1mx-rule\x1b[0m]"));
    }

    #[test]
    fn a_label_in_another_file_gets_its_own_snippet() {
        let text = "kind: Service\nspec:\n  selector:\n    app: web\n";
        let other = "kind: Deployment\nspec:\n  replicas: 3\n";
        let mut service = finding("s-rule", Span::new(22, 31), 3, 3);
        service.container = None;
        service.labels.push(Label {
            span: Span::new(25, 36),
            start: Position { line: 3, column: 3 },
            message: "3 replicas here".into(),
            file: Some(Arc::from("deploy.yaml")),
        });
        let texts = |name: &str| (name == "deploy.yaml").then_some(other);
        let expected = "\
p.yaml:3:3: warning[s-rule] s-rule message
  |
3 |   selector:
  |   ^^^^^^^^^
  --> deploy.yaml:3:3
  |
3 |   replicas: 3
  |   ----------- 3 replicas here
  = help: s-rule help

";
        assert_eq!(render_file_with(text, &[service], false, &texts), expected);
    }
}

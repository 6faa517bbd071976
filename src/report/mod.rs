//! Output formats, one module each.

pub mod compact;
pub mod github;
pub mod human;
pub mod json;
pub mod sarif;
mod writer;

pub use writer::{Totals, Writer};

use std::borrow::Cow;
use std::path::{Component, Path, PathBuf};

use serde::Serialize;

use crate::finding::Finding;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    #[default]
    Human,
    Json,
    Sarif,
    Github,
    Compact,
}

/// What the run writes: a report on standard output, the counts of
/// `--statistics`, or a baseline file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    Report(Format),
    Statistics,
    Baseline,
}

/// How many findings one rule reported at one severity (`--statistics`).
pub struct RuleCount {
    pub rule: &'static str,
    pub severity: crate::finding::Severity,
    pub count: usize,
}

impl Output {
    /// SARIF results and baseline entries carry fingerprints; nothing else does.
    pub fn needs_fingerprints(self) -> bool {
        matches!(self, Output::Report(Format::Sarif) | Output::Baseline)
    }
}

/// What a worker needs to render the part of the output of a file it linted.
#[derive(Clone, Copy)]
pub struct PartStyle<'a> {
    pub output: Output,
    /// Human output only: colour for a terminal.
    pub color: bool,
    /// The working directory that CI formats name files relative to.
    pub cwd: Option<&'a Path>,
}

/// One file's part of the output, rendered on the worker that linted it so
/// that neither its findings nor its text outlive the worker's job.
/// `fingerprints` has one entry a finding when the output needs them.
pub fn render_part(
    style: &PartStyle<'_>,
    name: &str,
    text: &str,
    findings: &[Finding],
    fingerprints: &[String],
) -> String {
    render_part_with(style, name, text, findings, fingerprints, &|_| None)
}

/// [`render_part`] for findings whose labels may be in other files:
/// `other_text` gives their text by name (human output shows their snippets).
pub fn render_part_with<'t>(
    style: &PartStyle<'_>,
    name: &str,
    text: &str,
    findings: &[Finding],
    fingerprints: &[String],
    other_text: &dyn Fn(&str) -> Option<&'t str>,
) -> String {
    if findings.is_empty() {
        return String::new();
    }
    match style.output {
        Output::Report(Format::Human) => {
            human::render_file_with(text, findings, style.color, other_text)
        }
        Output::Report(Format::Json) => json::findings(findings),
        Output::Report(Format::Compact) => compact::render(findings),
        Output::Report(Format::Github) => github::annotations(findings, style.cwd),
        Output::Report(Format::Sarif) => sarif::results(findings, fingerprints, style.cwd),
        Output::Statistics => String::new(),
        Output::Baseline => {
            let file = artifact_path(name, style.cwd).path;
            crate::baseline::entries(findings, &file, fingerprints)
        }
    }
}

/// `value` pretty-printed as serde_json does it `depth` levels down in a
/// document: every line indented by two spaces a level.
pub fn pretty_at(value: &impl Serialize, depth: usize) -> String {
    pretty_items([value], depth)
}

/// Values pretty-printed as items of an array `depth` levels down in a
/// document, with the separators serde_json puts between them (and none
/// before the first).
pub fn pretty_items<T: Serialize>(items: impl IntoIterator<Item = T>, depth: usize) -> String {
    let mut out = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(b",\n");
        }
        out.extend(std::iter::repeat_n(b' ', 2 * depth));
        let formatter = PrettyAt {
            depth,
            has_value: false,
        };
        let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
        // Serializing plain structs of strings and numbers cannot fail.
        let _ = item.serialize(&mut serializer);
    }
    String::from_utf8(out).unwrap_or_default()
}

/// serde_json's `PrettyFormatter` (two spaces a level), starting `depth`
/// levels down: parts of one document are printed in place, with no
/// second pass to indent them.
struct PrettyAt {
    depth: usize,
    has_value: bool,
}

impl PrettyAt {
    fn open<W: ?Sized + std::io::Write>(
        &mut self,
        out: &mut W,
        bracket: &[u8],
    ) -> std::io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        out.write_all(bracket)
    }

    fn close<W: ?Sized + std::io::Write>(
        &mut self,
        out: &mut W,
        bracket: &[u8],
    ) -> std::io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            out.write_all(b"\n")?;
            self.indent(out)?;
        }
        out.write_all(bracket)
    }

    fn item<W: ?Sized + std::io::Write>(
        &mut self,
        out: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        out.write_all(if first { b"\n" } else { b",\n" })?;
        self.indent(out)
    }

    fn indent<W: ?Sized + std::io::Write>(&self, out: &mut W) -> std::io::Result<()> {
        for _ in 0..self.depth {
            out.write_all(b"  ")?;
        }
        Ok(())
    }
}

impl serde_json::ser::Formatter for PrettyAt {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, out: &mut W) -> std::io::Result<()> {
        self.open(out, b"[")
    }

    fn end_array<W: ?Sized + std::io::Write>(&mut self, out: &mut W) -> std::io::Result<()> {
        self.close(out, b"]")
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        out: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.item(out, first)
    }

    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + std::io::Write>(&mut self, out: &mut W) -> std::io::Result<()> {
        self.open(out, b"{")
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, out: &mut W) -> std::io::Result<()> {
        self.close(out, b"}")
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        out: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.item(out, first)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(
        &mut self,
        out: &mut W,
    ) -> std::io::Result<()> {
        out.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// A file named the way CI services expect it: GitHub resolves annotation
/// paths and SARIF locations against the checkout root, so a file below the
/// working directory is given relative to it, with `/` separators and no
/// `./`; any other file keeps an absolute path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArtifactPath {
    pub path: String,
    pub relative: bool,
}

pub fn artifact_path(file: &str, cwd: Option<&Path>) -> ArtifactPath {
    let given = Path::new(file);
    let full = match cwd {
        Some(cwd) if given.is_relative() => normalize(&cwd.join(given)),
        _ => normalize(given),
    };
    if let Some(below) = cwd.and_then(|cwd| full.strip_prefix(normalize(cwd)).ok()) {
        return ArtifactPath {
            path: slashes(below),
            relative: true,
        };
    }
    ArtifactPath {
        relative: full.is_relative(),
        path: slashes(&full),
    }
}

/// Resolves `.` and `..` without touching the file system: the files may be
/// symlinks whose targets lie elsewhere, and a CI path names the link.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

fn slashes(path: &Path) -> String {
    let text = path.to_string_lossy();
    if cfg!(windows) {
        text.replace('\\', "/")
    } else {
        text.into_owned()
    }
}

/// The message with its help on a second line, as annotations and SARIF
/// results show it.
pub fn message_with_help(f: &Finding) -> String {
    match &f.help {
        Some(help) => format!("{}\nhelp: {help}", f.message),
        None => f.message.clone(),
    }
}

/// The notice that template files were skipped, naming the first few, or
/// `None` when none was.
pub fn skipped_templates(templates: &[String]) -> Option<String> {
    const NAMED: usize = 3;
    if templates.is_empty() {
        return None;
    }
    let (first, rest) = templates.split_at(templates.len().min(NAMED));
    let mut names = first.join(", ");
    if !rest.is_empty() {
        names.push_str(&format!(" and {} more", rest.len()));
    }
    Some(format!(
        "skipped {} with Go-template actions outside a Helm chart ({names}); lint the rendered output, e.g. `helm template CHART | podlint -`",
        plural(templates.len(), "template file", "template files")
    ))
}

/// Text from a manifest or a file name as line-based formats and terminals
/// show it: control characters (line breaks, ESC, NUL...), Unicode's line
/// separators and its bidirectional controls are written as escapes (`\n`,
/// `\u{1b}`), so that one finding is always one line and nothing a manifest
/// says can colour or rewrite the terminal. Tabs stay.
pub fn printable(text: &str) -> Cow<'_, str> {
    escape_unprintable(text, |_| false)
}

/// [`printable`], but line breaks stay: for formats that escape them their
/// own way (GitHub's workflow commands).
pub fn printable_but_line_breaks(text: &str) -> Cow<'_, str> {
    escape_unprintable(text, |c| c == '\n' || c == '\r')
}

fn escape_unprintable(text: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    let escaped = |c: char| c != '\t' && !keep(c) && is_unprintable(c);
    if !text.chars().any(escaped) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            c if !escaped(c) => out.push(c),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
        }
    }
    Cow::Owned(out)
}

/// Characters that must not reach a terminal raw.
pub fn is_unprintable(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

/// Where a finding of a chart or overlay was in the rendered output, and
/// in which renders when not in all of them.
pub fn rendered_note(origin: &crate::finding::Origin) -> String {
    let mut note = format!(
        "rendered from {} at line {} of the output ({})",
        origin.rendered_from,
        origin.line,
        origin.renders.first().map_or("", String::as_str)
    );
    if origin.renders.len() < origin.of {
        note.push_str(&format!(
            "; in {} of {} renders: {}",
            origin.renders.len(),
            origin.of,
            origin.renders.join(", ")
        ));
    }
    note
}

/// `1 file`, `2 files`: the counts in summary lines.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_below_the_working_directory_are_relative() {
        let cwd = Path::new("/repo");
        let cases = [
            ("deploy/web.yaml", "deploy/web.yaml", true),
            ("./deploy/./web.yaml", "deploy/web.yaml", true),
            ("/repo/deploy/web.yaml", "deploy/web.yaml", true),
            ("../other/web.yaml", "/other/web.yaml", false),
            ("/elsewhere/web.yaml", "/elsewhere/web.yaml", false),
            ("-", "-", true),
        ];
        for (file, path, relative) in cases {
            let expected = ArtifactPath {
                path: path.to_string(),
                relative,
            };
            assert_eq!(artifact_path(file, Some(cwd)), expected, "{file}");
        }
    }

    #[test]
    fn without_a_working_directory_paths_stay_as_given() {
        let got = artifact_path("./a/../b.yaml", None);
        assert_eq!(got.path, "b.yaml");
        assert!(got.relative);
    }
}

//! Human output: rustc-style reports rendered by miette, then one summary line.

use std::fmt;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};

use crate::finding::{Finding, Severity};

/// Renders the findings of one file (called on the worker that linted it).
pub fn render_file(name: &str, text: &str, findings: &[Finding], color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_width(100);
    let source = Named::new(name, text);
    let mut out = String::new();
    for finding in findings {
        let report = Report {
            finding,
            source: &source,
        };
        // A snippet of a huge line (minified JSON) would be unreadable and
        // slow to cut: such findings get their one-line form.
        let readable = [finding.span]
            .iter()
            .chain(finding.labels.iter().map(|l| &l.span))
            .all(|span| source.window(span.range(), 0, 0).len() <= MAX_SNIPPET_BYTES);
        // Writing to a String cannot fail; a rendering error would only lose this report.
        if !readable || handler.render_report(&mut out, &report).is_err() {
            out.push_str(&super::compact::line(finding));
        }
        // Places in other files, and the rendered output of a chart.
        let notes: Vec<String> = finding
            .related
            .iter()
            .map(|r| {
                format!(
                    "{}: {}:{}:{}",
                    r.message, r.file, r.start.line, r.start.column
                )
            })
            .chain(finding.origin.iter().map(super::rendered_note))
            .collect();
        if !notes.is_empty() {
            while out.ends_with("\n\n") {
                out.pop();
            }
            for note in notes {
                out.push_str(&format!("  note: {note}\n"));
            }
            out.push('\n');
        }
    }
    out
}

/// The longest source lines that a report shows as a snippet.
const MAX_SNIPPET_BYTES: usize = 64 * 1024;

/// A file's text for miette. miette finds a span's lines by scanning the
/// text from its start, which is quadratic over the findings of a large
/// file; this hands it only the few lines around the span.
struct Named<'a> {
    name: &'a str,
    text: &'a str,
    /// Where each line starts, with miette's line breaks: `\n`, `\r\n`, `\r`.
    starts: Vec<usize>,
}

impl<'a> Named<'a> {
    fn new(name: &'a str, text: &'a str) -> Self {
        let bytes = text.as_bytes();
        let starts = std::iter::once(0)
            .chain(bytes.iter().enumerate().filter_map(|(i, &b)| {
                let ends_line = b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
                ends_line.then_some(i + 1)
            }))
            .collect();
        Named { name, text, starts }
    }

    /// The 0-based line of a byte offset.
    fn line_of(&self, offset: usize) -> usize {
        self.starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    }

    /// Whole lines from `before` lines above the span to `after` below it,
    /// with one more each side: miette then finds the same context in it as
    /// in the whole text.
    fn window(
        &self,
        span: std::ops::Range<usize>,
        before: usize,
        after: usize,
    ) -> std::ops::Range<usize> {
        let first = self.line_of(span.start).saturating_sub(before + 1);
        let last = self.line_of(span.end.saturating_sub(1).max(span.start)) + after + 2;
        let start = self.starts[first];
        let end = self.starts.get(last).copied().unwrap_or(self.text.len());
        start..end.max(start)
    }
}

impl SourceCode for Named<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let window = self.window(span.offset()..span.offset() + span.len(), before, after);
        let first_line = self.line_of(window.start);
        let local = SourceSpan::new((span.offset() - window.start).into(), span.len());
        let text = self
            .text
            .get(window.clone())
            .ok_or(MietteError::OutOfBounds)?;
        let inner = text.read_span(&local, before, after)?;
        let found = *inner.span();
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_string(),
            inner.data(),
            SourceSpan::new((found.offset() + window.start).into(), found.len()),
            inner.line() + first_line,
            inner.column(),
            inner.line_count() + first_line,
        )))
    }
}

struct Report<'a> {
    finding: &'a Finding,
    source: &'a Named<'a>,
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl std::error::Error for Report<'_> {}

impl Diagnostic for Report<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.finding.rule))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.finding
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let f = self.finding;
        let primary = LabeledSpan::new_primary_with_span(
            f.container
                .as_ref()
                .map(|name| format!("container `{name}`")),
            f.span.start as usize..f.span.end as usize,
        );
        let others = f.labels.iter().map(|l| {
            LabeledSpan::new_with_span(
                Some(l.message.clone()),
                l.span.start as usize..l.span.end as usize,
            )
        });
        Some(Box::new(std::iter::once(primary).chain(others)))
    }
}

pub struct Totals {
    pub files: usize,
    pub documents: usize,
    pub pod_specs: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub templates: usize,
    pub elapsed: std::time::Duration,
}

pub fn summary(t: &Totals) -> String {
    let mut line = format!(
        "podlint: {}, {}, {}: {}, {}, {} in {} ms",
        super::plural(t.files, "file", "files"),
        super::plural(t.documents, "document", "documents"),
        super::plural(t.pod_specs, "Pod spec", "Pod specs"),
        super::plural(t.errors, "error", "errors"),
        super::plural(t.warnings, "warning", "warnings"),
        super::plural(t.infos, "info", "infos"),
        t.elapsed.as_millis()
    );
    if t.templates > 0 {
        line.push_str(&format!(
            "\npodlint: info: skipped {} (Helm/Go templates: lint the rendered output, e.g. `helm template . | podlint -`)",
            super::plural(t.templates, "template file", "template files")
        ));
    }
    line.push('\n');
    line
}

#[cfg(test)]
mod tests {
    use miette::{SourceCode, SourceSpan};

    use super::Named;

    /// The windowed source gives miette exactly what the whole text gives.
    #[test]
    fn windowed_spans_read_as_the_whole_text_reads_them() {
        let texts = [
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  containers:\n  - name: x\n",
            "a: 1\r\nb: 2\r\n\r\nc: [\r\n  3]\r\n",
            "old\rmac\rlines\r\nmixed\n\nend",
            "é: ü\n\n\n  ü: é\nlast line without a break",
            "",
        ];
        for text in texts {
            let named = Named::new("x.yaml", text);
            for offset in 0..=text.len() {
                for len in [0, 1, 3, 12, 40] {
                    for context in 0..3 {
                        let span = SourceSpan::new(offset.into(), len);
                        let whole = text.read_span(&span, context, context);
                        let windowed = named.read_span(&span, context, context);
                        match (whole, windowed) {
                            (Ok(whole), Ok(windowed)) => {
                                let at = format!("{text:?} {offset}+{len} context {context}");
                                assert_eq!(whole.data(), windowed.data(), "{at}");
                                assert_eq!(whole.span(), windowed.span(), "{at}");
                                assert_eq!(whole.line(), windowed.line(), "{at}");
                                assert_eq!(whole.column(), windowed.column(), "{at}");
                                assert_eq!(whole.line_count(), windowed.line_count(), "{at}");
                            }
                            (Err(_), Err(_)) => {}
                            (whole, windowed) => panic!(
                                "{text:?} {offset}+{len}: whole {:?}, windowed {:?}",
                                whole.is_ok(),
                                windowed.is_ok()
                            ),
                        }
                    }
                }
            }
        }
    }
}

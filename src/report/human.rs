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
    let source = Named { name, text };
    let mut out = String::new();
    for finding in findings {
        let report = Report {
            finding,
            source: &source,
        };
        // Writing to a String cannot fail; a rendering error would only lose this report.
        if handler.render_report(&mut out, &report).is_err() {
            out.push_str(&super::compact::line(finding));
        }
    }
    out
}

struct Named<'a> {
    name: &'a str,
    text: &'a str,
}

impl SourceCode for Named<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let inner = self.text.read_span(span, before, after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_string(),
            inner.data(),
            *inner.span(),
            inner.line(),
            inner.column(),
            inner.line_count(),
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

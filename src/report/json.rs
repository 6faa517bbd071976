//! `--format json`: the versioned contract of DESIGN.md.
//!
//! The report is written as the run goes: the head, then each file's
//! findings as soon as that file and every file before it are done, then
//! the summary, which only the end of the run knows (the contract puts it
//! after the findings). The bytes are those of one pretty-printed document.

use serde::Serialize;

use super::{pretty_at, pretty_items};
use crate::finding::{Finding, ObjectRef};

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    severity: &'a str,
    message: &'a str,
    file: &'a str,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    object: Option<&'a ObjectRef>,
    container: Option<&'a str>,
    help: Option<&'a str>,
    /// The finding's second places (the Pods a Service selects...), which
    /// may be in other files.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<Related<'a>>,
    /// For findings of charts and overlays: where in the rendered output.
    #[serde(skip_serializing_if = "Option::is_none")]
    origin: Option<Origin<'a>>,
}

#[derive(Serialize)]
struct Origin<'a> {
    rendered_from: &'a str,
    line: u32,
    renders: &'a [String],
}

#[derive(Serialize)]
struct Related<'a> {
    file: &'a str,
    line: u32,
    column: u32,
    message: &'a str,
}

#[derive(Serialize)]
pub struct Summary {
    pub files: usize,
    pub documents: usize,
    pub objects: usize,
    pub pod_specs: usize,
    pub findings: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub skipped_documents: usize,
    /// Chainsaw and kuttl assertion files, not linted.
    pub skipped_test_assertions: usize,
}

/// Everything before the first finding.
pub const HEAD: &str = "{\n  \"version\": 1,\n  \"findings\": [";

/// One file's findings as items of the `findings` array, without the
/// separator before the first one (see [`super::FindingsArray`]).
pub fn findings(findings: &[Finding]) -> String {
    pretty_items(findings.iter().map(item), 2)
}

fn item(f: &Finding) -> JsonFinding<'_> {
    JsonFinding {
        rule: f.rule,
        severity: f.severity.as_str(),
        message: &f.message,
        file: &f.file,
        line: f.start.line,
        column: f.start.column,
        end_line: f.end.line,
        end_column: f.end.column,
        object: f.object.as_deref(),
        container: f.container.as_deref(),
        help: f.help.as_deref(),
        origin: f.origin.as_ref().map(|o| Origin {
            rendered_from: &o.rendered_from,
            line: o.line,
            renders: &o.renders,
        }),
        related: f
            .labels
            .iter()
            .map(|label| Related {
                file: label.file.as_deref().unwrap_or(&f.file),
                line: label.start.line,
                column: label.start.column,
                message: &label.message,
            })
            .collect(),
    }
}

/// A file that was not linted, and why: `template` (Go-template actions
/// outside a Helm chart).
#[derive(Serialize)]
struct Skipped<'a> {
    file: &'a str,
    reason: &'static str,
}

/// Everything after the `findings` array: the skipped files, then the summary.
pub fn tail(summary: &Summary, templates: &[String]) -> String {
    let skipped: Vec<Skipped<'_>> = templates
        .iter()
        .map(|file| Skipped {
            file,
            reason: "template",
        })
        .collect();
    format!(
        ",\n  \"skipped\": {},\n  \"summary\": {}\n}}\n",
        pretty_at(&skipped, 1).trim_start(),
        pretty_at(summary, 1).trim_start()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Stats;
    use crate::report::{Format, Output, Totals, Writer};

    /// The document as it was printed whole before the report was streamed.
    #[derive(Serialize)]
    struct Whole<'a> {
        version: u32,
        findings: Vec<JsonFinding<'a>>,
        skipped: Vec<Skipped<'a>>,
        summary: Summary,
    }

    fn summary(findings: usize) -> Summary {
        Summary {
            files: 3,
            documents: 4,
            objects: 4,
            pod_specs: 2,
            findings,
            errors: findings.min(1),
            warnings: 0,
            infos: findings.saturating_sub(1),
            skipped_documents: 1,
            skipped_test_assertions: 0,
        }
    }

    fn written(parts: Vec<String>, findings: usize) -> String {
        let mut out = Vec::new();
        let mut writer = Writer::new(Output::Report(Format::Json), &mut out, None);
        for part in parts {
            writer.part(part);
        }
        let summary = summary(findings);
        let totals = Totals {
            files: summary.files,
            stats: Stats {
                documents: summary.documents,
                objects: summary.objects,
                pod_specs: summary.pod_specs,
                skipped_documents: summary.skipped_documents,
                templates: 0,
                test_assertions: summary.skipped_test_assertions,
            },
            errors: summary.errors,
            warnings: summary.warnings,
            infos: summary.infos,
            elapsed: None,
            summary: true,
            unreadable: &[],
            templates: &[],
            by_rule: &[],
            cwd: None,
        };
        assert!(writer.finish(&totals).is_ok());
        String::from_utf8(out).unwrap_or_default()
    }

    fn whole(findings: &[Finding]) -> String {
        let whole = Whole {
            version: 1,
            findings: findings.iter().map(item).collect(),
            skipped: Vec::new(),
            summary: summary(findings.len()),
        };
        serde_json::to_string_pretty(&whole).unwrap_or_default() + "\n"
    }

    #[test]
    fn the_report_written_in_parts_is_the_document_printed_whole() {
        let findings = crate::finding::tests::examples();
        let parts = vec![
            String::new(),
            super::findings(&findings[..1]),
            String::new(),
            super::findings(&findings[1..]),
        ];
        assert_eq!(written(parts, 2), whole(&findings));
        assert_eq!(written(vec![String::new()], 0), whole(&[]));
    }
}

//! `--format github`: GitHub Actions workflow commands, which the runner
//! turns into annotations on the pull request's diff, then a summary line.

use std::path::Path;

use super::{artifact_path, printable_but_line_breaks};
use crate::finding::{Finding, Severity};

pub struct Summary {
    pub files: usize,
    pub pod_specs: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

/// One annotation a finding, all of one file.
pub fn annotations(findings: &[Finding], cwd: Option<&Path>) -> String {
    let mut out = String::new();
    let Some(first) = findings.first() else {
        return out;
    };
    let file = property(&printable_but_line_breaks(
        &artifact_path(&first.file, cwd).path,
    ));
    for f in findings {
        let command = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        out.push_str(&format!(
            "::{command} file={file},line={},col={},endLine={},endColumn={},title={}::{}\n",
            f.start.line,
            f.start.column,
            f.end.line,
            f.end.column,
            property(&format!("podlint {}", f.rule)),
            data(&printable_but_line_breaks(&super::message_with_help(f))),
        ));
    }
    out
}

/// The lines after the annotations: a notice naming the template files
/// skipped, if any, then the summary.
pub fn summary(summary: &Summary, templates: &[String]) -> String {
    let notice = super::skipped_templates(templates).map_or(String::new(), |text| {
        format!("::notice title=podlint::{}\n", data(&text))
    });
    format!(
        "{notice}podlint: {}, {}: {}, {}, {}\n",
        super::plural(summary.files, "file", "files"),
        super::plural(summary.pod_specs, "Pod spec", "Pod specs"),
        super::plural(summary.errors, "error", "errors"),
        super::plural(summary.warnings, "warning", "warnings"),
        super::plural(summary.infos, "info", "infos"),
    )
}

/// Escapes a command's message as the Actions runner unescapes it.
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value: `:` and `,` would end it early.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_the_actions_runner() {
        assert_eq!(data("50% a\r\nb: c, d"), "50%25 a%0D%0Ab: c, d");
        assert_eq!(property("dir,1/a:b%.yaml\n"), "dir%2C1/a%3Ab%25.yaml%0A");
    }
}

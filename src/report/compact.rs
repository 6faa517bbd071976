//! `--format compact`: `path:line:col: severity[rule] message`, one line a
//! finding, the form editors' error parsers already read.

use super::printable;
use crate::finding::Finding;

pub fn render(findings: &[Finding]) -> String {
    findings.iter().map(line).collect()
}

pub fn line(f: &Finding) -> String {
    format!(
        "{}:{}:{}: {}[{}] {}\n",
        printable(&f.file),
        f.start.line,
        f.start.column,
        f.severity,
        f.rule,
        printable(&f.message)
    )
}

//! Puts the files' parts of the output together in input order and writes
//! them as they come, so that memory does not grow with the number of files.

use std::io::{self, Write};
use std::path::Path;
use std::time::Duration;

use super::{github, human, json, sarif, Format, Output, RuleCount};
use crate::baseline;
use crate::engine::Stats;

/// What the end of the output reports about the whole run.
pub struct Totals<'a> {
    pub files: usize,
    pub stats: Stats,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// Shown by the human format; `None` when the output is not a
    /// terminal, so that piped output is the same from run to run.
    pub elapsed: Option<Duration>,
    /// Whether the human and github formats end with their summary (not
    /// with `--quiet`, nor when no file was linted: "0 errors" would
    /// contradict the error that says why).
    pub summary: bool,
    /// Why paths were not linted, one message each.
    pub unreadable: &'a [String],
    /// Template files skipped (Go-template actions outside a chart), in
    /// input order.
    pub templates: &'a [String],
    /// Findings by rule, most first (`--statistics`).
    pub by_rule: &'a [RuleCount],
    pub cwd: Option<&'a Path>,
}

pub struct Writer<W: Write> {
    output: Output,
    out: W,
    /// Items written to a JSON `findings` array: every one after the first
    /// needs a comma before it.
    items: usize,
    /// The first write error: nothing more is written after it.
    error: Option<io::Error>,
}

impl<W: Write> Writer<W> {
    /// Starts the output (writes what comes before the first file's part).
    /// `cwd`: the working directory SARIF names files relative to.
    pub fn new(output: Output, out: W, cwd: Option<&Path>) -> Self {
        let mut writer = Writer {
            output,
            out,
            items: 0,
            error: None,
        };
        match output {
            Output::Report(Format::Json) => writer.write(json::HEAD),
            Output::Report(Format::Sarif) => writer.write(&sarif::head(cwd)),
            Output::Baseline => writer.write(&baseline::head()),
            Output::Report(Format::Human | Format::Compact | Format::Github)
            | Output::Statistics => {}
        }
        writer
    }

    /// Adds the next file's part (see [`super::render_part`]).
    pub fn part(&mut self, part: String) {
        if part.is_empty() {
            return;
        }
        match self.output {
            Output::Report(Format::Json | Format::Sarif) | Output::Baseline => {
                let separator = if self.items == 0 { "\n" } else { ",\n" };
                self.items += 1;
                self.write(separator);
                self.write(&part);
            }
            Output::Report(Format::Human | Format::Compact | Format::Github) => self.write(&part),
            Output::Statistics => {}
        }
    }

    /// Writes what comes after the last part and flushes.
    pub fn finish(mut self, totals: &Totals<'_>) -> io::Result<()> {
        match self.output {
            Output::Report(Format::Json) => {
                self.close_array();
                self.write(&json::tail(
                    &json::Summary {
                        files: totals.files,
                        documents: totals.stats.documents,
                        objects: totals.stats.objects,
                        pod_specs: totals.stats.pod_specs,
                        findings: totals.errors + totals.warnings + totals.infos,
                        errors: totals.errors,
                        warnings: totals.warnings,
                        infos: totals.infos,
                        skipped_documents: totals.stats.skipped_documents,
                        skipped_test_assertions: totals.stats.test_assertions,
                    },
                    totals.templates,
                ));
            }
            Output::Baseline => {
                self.close_array();
                self.write(baseline::TAIL);
            }
            Output::Report(Format::Sarif) => {
                let tail = sarif::tail(
                    self.items > 0,
                    totals.unreadable,
                    totals.templates,
                    totals.cwd,
                );
                self.write(&tail);
            }
            Output::Report(Format::Github) if totals.summary => {
                self.write(&github::summary(
                    &github::Summary {
                        files: totals.files,
                        pod_specs: totals.stats.pod_specs,
                        errors: totals.errors,
                        warnings: totals.warnings,
                        infos: totals.infos,
                    },
                    totals.templates,
                ));
            }
            Output::Statistics => {
                self.write(&human::statistics(totals.by_rule));
                if totals.summary {
                    self.write(&human::summary(&human_totals(totals)));
                }
            }
            Output::Report(Format::Human) if totals.summary => {
                self.write(&human::summary(&human_totals(totals)));
            }
            Output::Report(Format::Human | Format::Github | Format::Compact) => {}
        }
        if self.error.is_none() {
            if let Err(error) = self.out.flush() {
                self.error = Some(error);
            }
        }
        self.error.map_or(Ok(()), Err)
    }

    fn close_array(&mut self) {
        self.write(if self.items == 0 { "]" } else { "\n  ]" });
    }

    fn write(&mut self, text: &str) {
        if self.error.is_none() {
            if let Err(error) = self.out.write_all(text.as_bytes()) {
                self.error = Some(error);
            }
        }
    }
}

fn human_totals(totals: &Totals<'_>) -> human::Totals {
    human::Totals {
        files: totals.files,
        documents: totals.stats.documents,
        pod_specs: totals.stats.pod_specs,
        errors: totals.errors,
        warnings: totals.warnings,
        infos: totals.infos,
        elapsed: totals.elapsed,
        test_assertions: totals.stats.test_assertions,
    }
}

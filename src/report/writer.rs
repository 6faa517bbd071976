//! Puts the files' parts of the output together in input order and writes
//! them as they come, so that memory does not grow with the number of files.

use std::io::{self, Write};
use std::path::Path;
use std::time::Duration;

use super::{github, human, json, sarif, Format, Output};
use crate::baseline;
use crate::engine::Stats;

/// What the end of the output reports about the whole run.
pub struct Totals<'a> {
    pub files: usize,
    pub stats: Stats,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub elapsed: Duration,
    /// Why paths were not linted, one message each.
    pub unreadable: &'a [String],
    pub cwd: Option<&'a Path>,
}

pub struct Writer<W: Write> {
    output: Output,
    out: W,
    /// Items written to a JSON `findings` array: every one after the first
    /// needs a comma before it.
    items: usize,
    /// SARIF's parts: its log names the unreadable paths before the results,
    /// so it is written when the run is over.
    held: Vec<String>,
    /// The first write error: nothing more is written after it.
    error: Option<io::Error>,
}

impl<W: Write> Writer<W> {
    /// Starts the output (writes what comes before the first file's part).
    pub fn new(output: Output, out: W) -> Self {
        let mut writer = Writer {
            output,
            out,
            items: 0,
            held: Vec::new(),
            error: None,
        };
        match output {
            Output::Report(Format::Json) => writer.write(json::HEAD),
            Output::Baseline => writer.write(&baseline::head()),
            Output::Report(Format::Human | Format::Compact | Format::Github | Format::Sarif) => {}
        }
        writer
    }

    /// Adds the next file's part (see [`super::render_part`]).
    pub fn part(&mut self, part: String) {
        if part.is_empty() {
            return;
        }
        match self.output {
            Output::Report(Format::Sarif) => self.held.push(part),
            Output::Report(Format::Json) | Output::Baseline => {
                let separator = if self.items == 0 { "\n" } else { ",\n" };
                self.items += 1;
                self.write(separator);
                self.write(&part);
            }
            Output::Report(Format::Human | Format::Compact | Format::Github) => self.write(&part),
        }
    }

    /// Writes what comes after the last part and flushes.
    pub fn finish(mut self, totals: &Totals<'_>) -> io::Result<()> {
        match self.output {
            Output::Report(Format::Json) => {
                self.close_array();
                self.write(&json::tail(&json::Summary {
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
                }));
            }
            Output::Baseline => {
                self.close_array();
                self.write(baseline::TAIL);
            }
            Output::Report(Format::Sarif) => {
                let log = sarif::render(&self.held, totals.unreadable, totals.cwd);
                self.write(&log);
            }
            Output::Report(Format::Github) => {
                self.write(&github::summary(&github::Summary {
                    files: totals.files,
                    pod_specs: totals.stats.pod_specs,
                    errors: totals.errors,
                    warnings: totals.warnings,
                    infos: totals.infos,
                }));
            }
            Output::Report(Format::Human) => {
                self.write(&human::summary(&human::Totals {
                    files: totals.files,
                    documents: totals.stats.documents,
                    pod_specs: totals.stats.pod_specs,
                    errors: totals.errors,
                    warnings: totals.warnings,
                    infos: totals.infos,
                    templates: totals.stats.templates,
                    test_assertions: totals.stats.test_assertions,
                    elapsed: totals.elapsed,
                }));
            }
            Output::Report(Format::Compact) => {}
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

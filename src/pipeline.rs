//! The per-file pipeline: read an input, decode and lint it, and render its
//! part of the output on the worker that linted it.

use std::collections::HashSet;
use std::sync::Arc;

use crate::discover::Input;
use crate::engine::{self, Settings, Stats, Uncollected};
use crate::finding::{Finding, Severity};
use crate::report::{self, Format, Output, PartStyle};
use crate::size::ByteSize;
use crate::{fingerprint, source};

/// Files larger than this are reported as skipped and not read, unless
/// `--max-file-size` or the config's `max-file-size` says otherwise.
pub const DEFAULT_MAX_FILE_SIZE: ByteSize = ByteSize(64 * 1024 * 1024);

/// What linting one input leaves once its part of the output is rendered:
/// no tree and no findings, so that memory does not grow with the run.
#[derive(Default)]
pub struct FileResult {
    pub part: String,
    /// Findings reported, by severity.
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// How many findings the baseline left out.
    pub baselined: usize,
    pub stats: Stats,
    pub error: Option<String>,
    /// What the user should know about this file besides its findings.
    pub notice: Option<String>,
    /// Each finding's rule and severity, for `--statistics` only.
    pub rules: Vec<(&'static str, Severity)>,
}

/// What every worker needs besides the input.
#[derive(Clone, Copy)]
pub struct Job<'a> {
    pub settings: &'a Settings,
    pub style: PartStyle<'a>,
    pub parse_only: bool,
    pub baseline: Option<&'a HashSet<String>>,
    pub max_file_size: ByteSize,
}

pub fn lint_input(input: &Input, job: &Job<'_>) -> FileResult {
    match source::read(input, job.max_file_size) {
        Ok(bytes) => lint_source(input.name(), bytes, job),
        Err(error) => FileResult {
            error: Some(error),
            ..FileResult::default()
        },
    }
}

fn lint_source(name: &str, bytes: Vec<u8>, job: &Job<'_>) -> FileResult {
    let mut result = FileResult::default();
    let source = source::decode(bytes);
    if job.parse_only {
        result.stats.documents = source::parse(&source.text).documents.len();
        return result;
    }
    let name: Arc<str> = name.into();
    let fingerprinted = job.style.output.needs_fingerprints() || job.baseline.is_some();
    let checked = check_source(&name, &source, job, fingerprinted);
    (result.errors, result.warnings, result.infos) = checked.counts();
    result.stats = checked.stats;
    let uncollected = checked.uncollected.total();
    if uncollected > 0 {
        result.notice = Some(format!(
            "{} more findings in {} are counted but not reported: podlint reports at most {} findings a file",
            uncollected,
            report::printable(&name),
            engine::MAX_FINDINGS_PER_FILE
        ));
    }
    result.baselined = checked.baselined;
    if job.style.output == Output::Statistics {
        result.rules = checked
            .findings
            .iter()
            .map(|f| (f.rule, f.severity))
            .collect();
    }
    result.part = report::render_part(
        &job.style,
        &name,
        &source.text,
        &checked.findings,
        &checked.fingerprints,
    );
    result
}

/// A file's findings to report, before they are rendered.
struct Checked {
    /// Those of the baseline left out.
    findings: Vec<Finding>,
    /// One a finding when asked for (see [`fingerprint`]), else none.
    fingerprints: Vec<String>,
    /// How many findings the baseline left out.
    baselined: usize,
    /// Findings past the cap, counted only.
    uncollected: Uncollected,
    stats: Stats,
}

impl Checked {
    /// Errors, warnings and infos, those past the cap included.
    fn counts(&self) -> (usize, usize, usize) {
        let count = |s: Severity| self.findings.iter().filter(|f| f.severity == s).count();
        (
            count(Severity::Error) + self.uncollected.errors,
            count(Severity::Warning) + self.uncollected.warnings,
            count(Severity::Info) + self.uncollected.infos,
        )
    }
}

/// `fingerprinted`: whether to make fingerprints (the baseline needs them).
fn check_source(
    name: &Arc<str>,
    source: &source::SourceText,
    job: &Job<'_>,
    fingerprinted: bool,
) -> Checked {
    let linted = engine::lint(name, source, job.settings);
    let mut findings = linted.findings;
    // Fingerprints cost a line index and a hash a finding: made only for
    // the outputs that show them and for baselines.
    let mut fingerprints = Vec::new();
    if fingerprinted {
        let path = report::artifact_path(name, job.style.cwd).path;
        fingerprints = fingerprint::fingerprints(&path, &source.text, &findings);
    }
    let before = findings.len();
    if let Some(baseline) = job.baseline {
        (findings, fingerprints) = findings
            .into_iter()
            .zip(fingerprints)
            .filter(|(_, fingerprint)| !baseline.contains(fingerprint))
            .unzip();
    }
    Checked {
        baselined: before - findings.len(),
        findings,
        fingerprints,
        uncollected: linted.uncollected,
        stats: linted.stats,
    }
}

/// The whole pipeline on one file's bytes, without the file system: decode,
/// parse, extract, every rule (those off by default too), and the findings
/// rendered in each of `formats`. The fuzz target feeds it arbitrary bytes.
pub fn lint_bytes(name: &str, bytes: Vec<u8>, formats: &[Format]) -> Vec<String> {
    let settings = Settings::every_rule();
    let job = Job {
        settings: &settings,
        style: PartStyle {
            output: Output::Report(Format::Sarif),
            color: false,
            cwd: None,
        },
        parse_only: false,
        baseline: None,
        max_file_size: DEFAULT_MAX_FILE_SIZE,
    };
    let source = source::decode(bytes);
    let name: Arc<str> = name.into();
    let checked = check_source(&name, &source, &job, true);
    let (errors, warnings, infos) = checked.counts();
    formats
        .iter()
        .map(|&format| {
            let style = PartStyle {
                output: Output::Report(format),
                ..job.style
            };
            let part = report::render_part(
                &style,
                &name,
                &source.text,
                &checked.findings,
                &checked.fingerprints,
            );
            let mut out = Vec::new();
            let mut writer = report::Writer::new(style.output, &mut out, None);
            writer.part(part);
            // Writing to memory cannot fail.
            let _ = writer.finish(&report::Totals {
                files: 1,
                stats: checked.stats,
                errors,
                warnings,
                infos,
                elapsed: None,
                summary: true,
                unreadable: &[],
                templates: &[],
                by_rule: &[],
                cwd: None,
            });
            String::from_utf8_lossy(&out).into_owned()
        })
        .collect()
}

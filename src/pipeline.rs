//! The per-file pipeline: read an input, decode and lint it, and render its
//! part of the output on the worker that linted it.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use crate::discover::Input;
use crate::engine::{self, Settings, Stats};
use crate::finding::{Finding, Severity};
use crate::relations::FileFacts;
use crate::report::{self, Format, Output, PartStyle};
use crate::roles::{FileRole, FileRoles};
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
    /// What the run-level stage needs of the file.
    pub facts: FileFacts,
    /// Each finding's rule and severity, for `--statistics` only.
    pub rules: Vec<(&'static str, Severity)>,
}

/// What every worker needs besides the input.
#[derive(Clone, Copy)]
pub struct Job<'a> {
    pub settings: &'a Settings,
    /// The run's ValidatingAdmissionPolicies (see `admission::prepass`).
    pub policies: &'a crate::admission::Policies,
    pub style: PartStyle<'a>,
    pub parse_only: bool,
    pub baseline: Option<&'a HashSet<String>>,
    pub max_file_size: ByteSize,
    /// What each file is for: patches are read as patches, test assertions
    /// are skipped.
    pub roles: &'a FileRoles,
}

pub fn lint_input(input: &Input, job: &Job<'_>) -> FileResult {
    let role = match input {
        Input::File { path, .. } => job.roles.of(path),
        Input::Stdin { name } => job.roles.of(Path::new(name)),
    };
    // An expected state of a test (a partial object, JMESPath keys) is
    // not a manifest: it is counted, not read.
    if role == FileRole::TestAssertion {
        return FileResult {
            stats: Stats {
                test_assertions: 1,
                ..Stats::default()
            },
            ..FileResult::default()
        };
    }
    match source::read(input, job.max_file_size) {
        Ok(bytes) => lint_source(input.name(), bytes, job, role),
        Err(error) => FileResult {
            error: Some(error),
            ..FileResult::default()
        },
    }
}

fn lint_source(name: &str, bytes: Vec<u8>, job: &Job<'_>, role: FileRole) -> FileResult {
    let mut result = FileResult::default();
    let source = source::decode(bytes);
    if job.parse_only {
        result.stats.documents = source::parse(&source.text).documents.len();
        return result;
    }
    let name: Arc<str> = name.into();
    let fingerprinted = job.style.output.needs_fingerprints() || job.baseline.is_some();
    let checked = check_source(&name, &source, job, role, fingerprinted);
    (result.errors, result.warnings, result.infos) = checked.counts();
    result.stats = checked.stats;
    result.baselined = checked.baselined;
    result.facts = checked.facts;
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
    stats: Stats,
    facts: FileFacts,
}

impl Checked {
    /// Errors, warnings and infos.
    fn counts(&self) -> (usize, usize, usize) {
        let count = |s: Severity| self.findings.iter().filter(|f| f.severity == s).count();
        (
            count(Severity::Error),
            count(Severity::Warning),
            count(Severity::Info),
        )
    }
}

/// `fingerprinted`: whether to make fingerprints (the baseline needs them).
fn check_source(
    name: &Arc<str>,
    source: &source::SourceText,
    job: &Job<'_>,
    role: FileRole,
    fingerprinted: bool,
) -> Checked {
    let linted = engine::lint_with_policies(name, source, job.settings, role, job.policies);
    let mut checked = without_baselined(name, &source.text, linted.findings, job, fingerprinted);
    checked.stats = linted.stats;
    checked.facts = linted.facts;
    checked
}

/// Fingerprints the findings when asked for, and leaves out those of the baseline.
fn without_baselined(
    name: &str,
    text: &str,
    mut findings: Vec<Finding>,
    job: &Job<'_>,
    fingerprinted: bool,
) -> Checked {
    // Fingerprints cost a line index and a hash a finding: made only for
    // the outputs that show them and for baselines.
    let mut fingerprints = Vec::new();
    if fingerprinted {
        let path = report::artifact_path(name, job.style.cwd).path;
        fingerprints = fingerprint::fingerprints(&path, text, &findings);
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
        stats: Stats::default(),
        facts: FileFacts::default(),
    }
}

/// The parts of the output of the run-level stage's findings (see
/// [`crate::relations`]), one a file with its input position. The files
/// they point into are read again: their trees are long gone.
pub fn relation_parts(
    findings: Vec<(usize, Vec<Finding>)>,
    inputs: &[Input],
    job: &Job<'_>,
) -> Vec<(usize, FileResult)> {
    if findings.is_empty() {
        return Vec::new();
    }
    let by_name: HashMap<&str, &Input> = inputs.iter().map(|i| (i.name(), i)).collect();
    let mut texts: HashMap<Arc<str>, String> = HashMap::new();
    let mut read = |name: &Arc<str>| {
        texts.entry(name.clone()).or_insert_with(|| {
            by_name
                .get(&**name)
                .and_then(|input| source::read(input, job.max_file_size).ok())
                .map(|bytes| source::decode(bytes).text)
                .unwrap_or_default()
        });
    };
    for finding in findings.iter().flat_map(|(_, group)| group) {
        read(&finding.file);
        for file in finding.labels.iter().filter_map(|l| l.file.as_ref()) {
            read(file);
        }
    }
    let fingerprinted = job.style.output.needs_fingerprints() || job.baseline.is_some();
    let mut parts = Vec::new();
    for (order, group) in findings {
        let Some(file) = group.first().map(|f| f.file.clone()) else {
            continue;
        };
        let text = texts.get(&file).map_or("", String::as_str);
        let checked = without_baselined(&file, text, group, job, fingerprinted);
        let (errors, warnings, infos) = checked.counts();
        let rules = if job.style.output == Output::Statistics {
            checked
                .findings
                .iter()
                .map(|f| (f.rule, f.severity))
                .collect()
        } else {
            Vec::new()
        };
        let result = FileResult {
            rules,
            part: report::render_part_with(
                &job.style,
                &file,
                text,
                &checked.findings,
                &checked.fingerprints,
                &|name| texts.get(name).map(String::as_str),
            ),
            errors,
            warnings,
            infos,
            baselined: checked.baselined,
            ..FileResult::default()
        };
        parts.push((order, result));
    }
    parts
}

/// The part of the output of a source file whose findings a render placed
/// there (a chart's template or values file): the baseline, statistics and
/// the report as for a file linted here; `sources` gives the text of the
/// files its labels point into.
pub fn report_placed(
    name: &str,
    text: &str,
    findings: Vec<Finding>,
    sources: &crate::render::Sources,
    job: &Job<'_>,
) -> FileResult {
    let fingerprinted = job.style.output.needs_fingerprints() || job.baseline.is_some();
    let checked = without_baselined(name, text, findings, job, fingerprinted);
    let (errors, warnings, infos) = checked.counts();
    let rules = if job.style.output == Output::Statistics {
        checked
            .findings
            .iter()
            .map(|f| (f.rule, f.severity))
            .collect()
    } else {
        Vec::new()
    };
    FileResult {
        rules,
        part: report::render_part_with(
            &job.style,
            name,
            text,
            &checked.findings,
            &checked.fingerprints,
            &|other| sources.get(other).map(|t| &**t),
        ),
        errors,
        warnings,
        infos,
        baselined: checked.baselined,
        ..FileResult::default()
    }
}

/// The whole pipeline on one file's bytes, without the file system: decode,
/// parse, extract, every rule (those off by default too), and the findings
/// rendered in each of `formats`. The fuzz target feeds it arbitrary bytes.
pub fn lint_bytes(name: &str, bytes: Vec<u8>, formats: &[Format]) -> Vec<String> {
    let settings = Settings::every_rule();
    let policies = crate::admission::Policies::default();
    let job = Job {
        settings: &settings,
        policies: &policies,
        style: PartStyle {
            output: Output::Report(Format::Sarif),
            color: false,
            cwd: None,
        },
        parse_only: false,
        baseline: None,
        max_file_size: DEFAULT_MAX_FILE_SIZE,
        roles: &FileRoles::default(),
    };
    let source = source::decode(bytes);
    let name: Arc<str> = name.into();
    let checked = check_source(&name, &source, &job, FileRole::Manifest, true);
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
            let mut writer = report::Writer::new(style.output, &mut out);
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

//! The per-file pipeline: read an input, decode and lint it, and render its
//! part of the output on the worker that linted it.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use crate::discover::Input;
use crate::engine::{self, Settings, Stats, Uncollected};
use crate::finding::{Finding, Severity};
use crate::fix::{self, Applicability};
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
    /// What the user should know about this file besides its findings.
    pub notice: Option<String>,
    /// What the run-level stage needs of the file.
    pub facts: FileFacts,
    /// Each finding's rule and severity, for `--statistics` only.
    pub rules: Vec<(&'static str, Severity)>,
    /// Fixes applied (`--fix`) or shown (`--diff`).
    pub fixed: usize,
    /// Why a file was not fixed (it changed on disk, say).
    pub fix_problem: Option<String>,
}

/// What every worker needs besides the input.
#[derive(Clone, Copy)]
pub struct Job<'a> {
    pub settings: &'a Settings,
    /// The run's ValidatingAdmissionPolicies (see `admission::prepass`).
    pub policies: &'a crate::admission::Policies,
    /// The run's CustomResourceDefinitions (see `prepass`).
    pub crds: &'a crate::model::Crds,
    pub style: PartStyle<'a>,
    pub parse_only: bool,
    pub baseline: Option<&'a HashSet<String>>,
    pub max_file_size: ByteSize,
    /// What each file is for: patches are read as patches, test assertions
    /// are skipped.
    pub roles: &'a FileRoles,
    pub fix: Option<FixMode>,
}

impl Job<'_> {
    /// Whether findings get fingerprints: the outputs that show them and
    /// baselines need them, and they cost a line index and a hash each.
    fn fingerprinted(&self) -> bool {
        self.style.output.needs_fingerprints() || self.baseline.is_some()
    }
}

/// `--fix` and `--diff`: what to do with the fixes of a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FixMode {
    pub write: FixWrite,
    /// Which fixes: safe ones, or unsafe ones too.
    pub allow: Applicability,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FixWrite {
    /// Rewrite the file (standard input: print the fixed document), then
    /// report what remains.
    InPlace,
    /// Print a unified diff and report nothing else.
    Diff,
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
        Ok(bytes) => match job.fix {
            Some(mode) => fix_source(input, bytes, mode, job, role),
            None => lint_source(input.name(), bytes, job, role),
        },
        Err(error) => FileResult {
            error: Some(error),
            ..FileResult::default()
        },
    }
}

fn lint_source(name: &str, bytes: Vec<u8>, job: &Job<'_>, role: FileRole) -> FileResult {
    let source = source::decode(bytes);
    if job.parse_only {
        let mut result = FileResult::default();
        result.stats.documents = source::parse(&source.text).documents.len();
        return result;
    }
    let name: Arc<str> = name.into();
    let checked = check_source(&name, &source, job, role, job.fingerprinted());
    // Admission findings may label a policy's validation in its own file.
    let mut result = reported(&name, &source.text, &checked, job, &|file| {
        job.policies.text(file)
    });
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
    result.facts = checked.facts;
    result
}

/// A file's part of the output and its counts, from its checked findings;
/// `other_text` gives the text of the files their labels point into.
fn reported<'t>(
    name: &str,
    text: &str,
    checked: &Checked,
    job: &Job<'_>,
    other_text: &dyn Fn(&str) -> Option<&'t str>,
) -> FileResult {
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
            other_text,
        ),
        errors,
        warnings,
        infos,
        baselined: checked.baselined,
        ..FileResult::default()
    }
}

/// `--fix` and `--diff` on one input: fixes applied round by round, then
/// the file rewritten (or the diff rendered), then what remains linted.
fn fix_source(
    input: &Input,
    bytes: Vec<u8>,
    mode: FixMode,
    job: &Job<'_>,
    role: FileRole,
) -> FileResult {
    let name = input.name();
    // UTF-16 would have to be encoded back; such files are rare enough to
    // leave to the editor.
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        let mut result = lint_source(name, bytes, job, role);
        result.fix_problem = Some(format!("{name} is UTF-16: not fixed"));
        return result;
    }
    let bom = bytes.starts_with(b"\xEF\xBB\xBF");
    let read = bytes.clone();
    let source = source::decode(bytes);
    if source.decode_error.is_some() {
        return lint_source(name, read, job, role);
    }
    let shared: Arc<str> = name.into();
    let fixed = fix::fix_text(&shared, &source.text, job.settings, role, mode.allow);
    let stdin = matches!(input, Input::Stdin { .. });
    match mode.write {
        FixWrite::Diff => {
            let path = report::artifact_path(name, job.style.cwd).path;
            FileResult {
                part: if fixed.count > 0 {
                    fix::unified_diff(&path, &source.text, &fixed.text)
                } else {
                    String::new()
                },
                fixed: fixed.count,
                ..FileResult::default()
            }
        }
        FixWrite::InPlace if stdin => {
            let mut result = lint_source(name, fixed.text.clone().into_bytes(), job, role);
            result.part = fixed.text;
            result.fixed = fixed.count;
            result
        }
        FixWrite::InPlace => {
            if fixed.count == 0 {
                return lint_source(name, read, job, role);
            }
            let mut out = Vec::with_capacity(fixed.text.len() + 3);
            if bom {
                out.extend_from_slice(b"\xEF\xBB\xBF");
            }
            out.extend_from_slice(fixed.text.as_bytes());
            let written = match input {
                Input::File { path, .. } => fix::write_in_place(path, &read, &out),
                Input::Stdin { .. } => Ok(()),
            };
            match written {
                Ok(()) => {
                    let mut result = lint_source(name, fixed.text.into_bytes(), job, role);
                    result.fixed = fixed.count;
                    result
                }
                Err(problem) => {
                    let mut result = lint_source(name, read, job, role);
                    result.fix_problem = Some(problem);
                    result
                }
            }
        }
    }
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
    facts: FileFacts,
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
    role: FileRole,
    fingerprinted: bool,
) -> Checked {
    let folder = Path::new(&**name).parent().unwrap_or(Path::new(""));
    let crds = job.crds.seen_from(folder);
    let linted = engine::lint_with_policies(name, source, job.settings, role, job.policies, &crds);
    let mut checked = without_baselined(name, &source.text, linted.findings, job, fingerprinted);
    checked.stats = linted.stats;
    checked.uncollected = linted.uncollected;
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
        uncollected: Uncollected::default(),
        stats: Stats::default(),
        facts: FileFacts::default(),
    }
}

/// The parts of the output of the run-level stage's findings (see
/// [`crate::relations`]), one a file with its input position, handed to
/// `emit` in order as each is rendered. The files they point into are read
/// again: their trees are long gone.
pub fn relation_parts(
    findings: Vec<(usize, Vec<Finding>)>,
    inputs: &[Input],
    job: &Job<'_>,
    emit: &mut dyn FnMut(usize, FileResult),
) {
    let read = |input: &Input| {
        source::read(input, job.max_file_size)
            .ok()
            .map(|bytes| source::decode(bytes).text)
            .unwrap_or_default()
    };
    // Only human output shows the snippets of labels in other files; the
    // index of every input's name is made only then (the stage runs when
    // the run holds the most).
    let human = job.style.output == Output::Report(Format::Human);
    let by_name: HashMap<&str, &Input> = if human {
        inputs.iter().map(|i| (i.name(), i)).collect()
    } else {
        HashMap::new()
    };
    for (order, group) in findings {
        let Some(file) = group.first().map(|f| f.file.clone()) else {
            continue;
        };
        // One file's texts at a time: the others' are read when their turn
        // comes, so that memory does not grow with the findings.
        let text = inputs.get(order).map(read).unwrap_or_default();
        let text = text.as_str();
        let mut texts: HashMap<Arc<str>, String> = HashMap::new();
        if human {
            for other in group
                .iter()
                .flat_map(|f| &f.labels)
                .filter_map(|l| l.file.as_ref())
            {
                texts.entry(other.clone()).or_insert_with(|| {
                    by_name
                        .get(&**other)
                        .map(|input| read(input))
                        .unwrap_or_default()
                });
            }
        }
        let checked = without_baselined(&file, text, group, job, job.fingerprinted());
        let result = reported(&file, text, &checked, job, &|name| {
            texts.get(name).map(String::as_str)
        });
        emit(order, result);
    }
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
    let checked = without_baselined(name, text, findings, job, job.fingerprinted());
    reported(name, text, &checked, job, &|other| {
        sources.get(other).map(|t| &**t)
    })
}

/// The whole pipeline on one file's bytes, without the file system: decode,
/// parse, extract, every rule (those off by default too), and the findings
/// rendered in each of `formats`. The fuzz target feeds it arbitrary bytes.
pub fn lint_bytes(name: &str, bytes: Vec<u8>, formats: &[Format]) -> Vec<String> {
    let settings = Settings::every_rule();
    let policies = crate::admission::Policies::default();
    let crds = crate::model::Crds::default();
    let job = Job {
        settings: &settings,
        policies: &policies,
        crds: &crds,
        style: PartStyle {
            output: Output::Report(Format::Sarif),
            color: false,
            cwd: None,
        },
        parse_only: false,
        baseline: None,
        max_file_size: DEFAULT_MAX_FILE_SIZE,
        roles: &FileRoles::default(),
        fix: None,
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

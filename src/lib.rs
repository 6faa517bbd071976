//! podlint: a linter for Kubernetes Pod specs.
//!
//! The pipeline: [`discover`] which files to read, [`source`] parses each into
//! span trees, [`model`] types the objects and finds their Pod specs,
//! [`engine`] runs the [`rules`], and [`report`] renders the findings.

#![forbid(unsafe_code)]

pub mod baseline;
pub mod cli;
pub mod config;
pub mod discover;
pub mod engine;
pub mod explain;
pub mod finding;
pub mod fingerprint;
mod lsp;
pub mod model;
pub mod ordered;
pub mod render;
pub mod report;
pub mod rules;
pub mod size;
pub mod source;
pub mod suppress;

use std::collections::HashSet;
use std::io::{BufWriter, IsTerminal, Read, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use clap::ValueEnum;
use globset::{Glob, GlobSet, GlobSetBuilder};

use cli::{CheckArgs, Cli, Command, FailLevel, ListFormat};
use config::Config;
use discover::Input;
use engine::{Settings, Stats};
use finding::{Finding, Severity};
use report::{Format, Output, PartStyle};
use rules::{Level, RULES};
use size::ByteSize;

/// Exit codes of DESIGN.md: 0 clean, 1 findings at or above the fail level,
/// 2 usage error or unreadable path.
pub const EXIT_CLEAN: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_USAGE: u8 = 2;

/// Files larger than this are reported as skipped and not read, unless
/// `--max-file-size` or the config's `max-file-size` says otherwise.
pub const DEFAULT_MAX_FILE_SIZE: ByteSize = ByteSize(64 * 1024 * 1024);

pub fn run(cli: Cli) -> u8 {
    match cli.command {
        Some(Command::Rules { format }) => print_rules(format),
        Some(Command::Explain { rule }) => explain(&rule),
        Some(Command::Lsp) => lsp::serve(),
        Some(Command::Check(args)) => check(*args),
        None => check(cli.check),
    }
}

fn print_rules(format: ListFormat) -> u8 {
    let out = match format {
        ListFormat::Human => {
            let mut out = String::new();
            for rule in RULES {
                let meta = rule.meta();
                out.push_str(&format!(
                    "{:<28} {:<8} {:<12} {}\n",
                    rule.id,
                    meta.level.as_str(),
                    meta.category,
                    meta.summary
                ));
            }
            out
        }
        ListFormat::Json => {
            let rules: Vec<serde_json::Value> = RULES
                .iter()
                .map(|rule| {
                    let meta = rule.meta();
                    serde_json::json!({
                        "id": rule.id,
                        "severity": meta.level.as_str(),
                        "category": meta.category,
                        "summary": meta.summary,
                    })
                })
                .collect();
            let document = serde_json::json!({"version": 1, "rules": rules});
            format!("{document:#}\n")
        }
    };
    write_stdout(&out);
    EXIT_CLEAN
}

fn explain(id: &str) -> u8 {
    match rules::find(id) {
        Some(rule) => {
            let color = std::io::stdout().is_terminal() && no_color_unset();
            write_stdout(&explain::render(rule, color));
            EXIT_CLEAN
        }
        None => {
            eprintln!("podlint: error: {}", unknown_rule(id));
            EXIT_USAGE
        }
    }
}

fn no_color_unset() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// "no rule `x`", with the nearest id when one is close.
fn unknown_rule(id: &str) -> String {
    match rules::suggest(id) {
        Some(near) => format!("no rule `{id}`; did you mean `{near}`?"),
        None => format!("no rule `{id}`; `podlint rules` lists them"),
    }
}

/// Rule ids given on the command line that name no rule.
fn check_rule_ids(args: &CheckArgs) -> Result<(), String> {
    match args
        .enable
        .iter()
        .chain(&args.disable)
        .find(|id| rules::find(id).is_none())
    {
        Some(id) => Err(unknown_rule(id)),
        None => Ok(()),
    }
}

/// The rules that run and their severities: the command line wins over the
/// config file, which wins over the rules' defaults.
fn settings(args: &CheckArgs, config: &Config) -> Settings {
    let active = RULES
        .iter()
        .filter_map(|&rule| {
            let default = rule.level;
            let level = match config.level(rule.id).unwrap_or(default) {
                Level::Off if args.enable.iter().any(|e| e == rule.id) => match default {
                    Level::On(severity) => Level::On(severity),
                    Level::Off => Level::On(Severity::Warning),
                },
                level => level,
            };
            let disabled = args.disable.iter().any(|d| d == rule.id);
            match level {
                Level::On(severity) if !disabled => Some((rule, severity)),
                _ => None,
            }
        })
        .collect();
    Settings {
        active,
        suppress: !args.no_ignore,
    }
}

/// The config named by `--config`, else the nearest `.podlint.yaml`, else none.
fn load_config(args: &CheckArgs) -> Result<Config, config::ConfigError> {
    let path = match &args.config {
        Some(path) => Some(path.clone()),
        None => std::env::current_dir()
            .ok()
            .and_then(|dir| config::discover(&dir)),
    };
    match path {
        Some(path) => config::load(&path),
        None => Ok(Config::default()),
    }
}

fn print_diagnostic(diagnostic: &dyn miette::Diagnostic) {
    let color = std::io::stderr().is_terminal() && no_color_unset();
    let theme = if color {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    let handler = miette::GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_width(100);
    let mut out = String::new();
    if handler.render_report(&mut out, diagnostic).is_err() {
        out = format!("podlint: error: {diagnostic}\n");
    }
    eprint!("{out}");
}

fn globs(patterns: &[String]) -> Result<GlobSet, String> {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        let glob =
            Glob::new(pattern).map_err(|e| format!("bad --exclude glob `{pattern}`: {e}"))?;
        builder.add(glob);
    }
    builder.build().map_err(|e| e.to_string())
}

/// What linting one input leaves once its part of the output is rendered:
/// no tree and no findings, so that memory does not grow with the run.
#[derive(Default)]
struct FileResult {
    part: String,
    /// Findings reported, by severity.
    errors: usize,
    warnings: usize,
    infos: usize,
    /// How many findings the baseline left out.
    baselined: usize,
    stats: Stats,
    error: Option<String>,
}

/// The format when `--format` is not given: `PODLINT_FORMAT` (set once for
/// a whole CI job), else `github` under GitHub Actions (which sets
/// `GITHUB_ACTIONS=true` on every step: annotations are what users want
/// there, as with other linters), else `human`. An empty variable counts as
/// unset, as CI templates often export empty ones.
fn resolve_format(flag: Option<Format>) -> Result<Format, String> {
    if let Some(format) = flag {
        return Ok(format);
    }
    if let Some(value) = std::env::var_os("PODLINT_FORMAT").filter(|v| !v.is_empty()) {
        let text = value.to_string_lossy();
        return Format::from_str(&text, true).map_err(|_| {
            let names: Vec<String> = Format::value_variants()
                .iter()
                .filter_map(|f| f.to_possible_value())
                .map(|v| v.get_name().to_string())
                .collect();
            format!(
                "PODLINT_FORMAT={text} is not a format; use one of {}",
                names.join(", ")
            )
        });
    }
    if std::env::var_os("GITHUB_ACTIONS").is_some_and(|v| v == "true") {
        Ok(Format::Github)
    } else {
        Ok(Format::Human)
    }
}

/// What every worker needs besides the input.
struct Job<'a> {
    settings: &'a Settings,
    style: PartStyle<'a>,
    parse_only: bool,
    baseline: Option<&'a HashSet<String>>,
    max_file_size: ByteSize,
}

fn check(args: CheckArgs) -> u8 {
    let started = Instant::now();
    let config = match load_config(&args) {
        Ok(config) => config,
        Err(error) => {
            print_diagnostic(&error);
            return EXIT_USAGE;
        }
    };
    let excludes: Vec<String> = config
        .exclude
        .iter()
        .chain(&args.exclude)
        .cloned()
        .collect();
    let prepared = check_rule_ids(&args).and_then(|()| {
        let s = settings(&args, &config);
        let format = resolve_format(args.format)?;
        let exclude = globs(&excludes)?;
        let baseline = args.baseline.as_deref().map(baseline::load).transpose()?;
        Ok((s, format, exclude, baseline))
    });
    let (settings, format, exclude, baseline) = match prepared {
        Ok(prepared) => prepared,
        Err(message) => {
            eprintln!("podlint: error: {message}");
            return EXIT_USAGE;
        }
    };
    let paths = if args.paths.is_empty() {
        vec![".".to_string()]
    } else {
        args.paths.clone()
    };
    let discovered = discover::discover(&paths, args.stdin_filename.as_deref(), &exclude);
    let color = format == Format::Human && std::io::stdout().is_terminal() && no_color_unset();
    // CI formats name files relative to the working directory; without one
    // (it was deleted) they keep the paths as given.
    let cwd = std::env::current_dir().ok();
    let output = if args.write_baseline.is_some() {
        Output::Baseline
    } else {
        Output::Report(format)
    };
    let job = Job {
        settings: &settings,
        style: PartStyle {
            output,
            color,
            cwd: cwd.as_deref(),
        },
        parse_only: args.parse_only,
        baseline: baseline.as_ref(),
        max_file_size: args
            .max_file_size
            .or(config.max_file_size)
            .unwrap_or(DEFAULT_MAX_FILE_SIZE),
    };
    // One input is linted on this thread (see `ordered`): no pool to start.
    let pool = match args.jobs {
        Some(jobs) if discovered.inputs.len() > 1 => {
            match rayon::ThreadPoolBuilder::new().num_threads(jobs).build() {
                Ok(pool) => Some(pool),
                Err(error) => {
                    eprintln!("podlint: error: cannot start {jobs} threads: {error}");
                    return EXIT_USAGE;
                }
            }
        }
        _ => None,
    };
    // A baseline is written to its file once the run is over: the file may
    // lie in a linted folder, and is read before it is replaced.
    let mut baseline_text = Vec::new();
    let destination: Box<dyn Write + Send + '_> = match output {
        Output::Baseline => Box::new(&mut baseline_text),
        Output::Report(_) => Box::new(std::io::stdout()),
    };
    let mut writer = report::Writer::new(output, BufWriter::with_capacity(1 << 16, destination));

    let mut errors: Vec<String> = discovered.errors;
    let mut stats = Stats::default();
    let (mut errors_found, mut warnings, mut infos, mut baselined) = (0, 0, 0, 0);
    ordered::map_in_order(
        &discovered.inputs,
        pool.as_ref(),
        |input| lint_input(input, &job),
        |_, result| {
            stats += result.stats;
            errors_found += result.errors;
            warnings += result.warnings;
            infos += result.infos;
            baselined += result.baselined;
            errors.extend(result.error);
            writer.part(result.part);
        },
    );
    let written = writer.finish(&report::Totals {
        files: discovered.inputs.len(),
        stats,
        errors: errors_found,
        warnings,
        infos,
        elapsed: started.elapsed(),
        unreadable: &errors,
        cwd: job.style.cwd,
    });

    if let Some(path) = &args.write_baseline {
        if let Err(error) = written.and_then(|()| std::fs::write(path, &baseline_text)) {
            eprintln!(
                "podlint: error: cannot write baseline {}: {error}",
                path.display()
            );
            return EXIT_USAGE;
        }
        for message in &errors {
            eprintln!("podlint: error: {message}");
        }
        let n = errors_found + warnings + infos;
        eprintln!(
            "podlint: wrote {n} {} to baseline {}",
            if n == 1 { "finding" } else { "findings" },
            path.display()
        );
        return if errors.is_empty() {
            EXIT_CLEAN
        } else {
            EXIT_USAGE
        };
    }
    // A closed pipe (`podlint | head`) is not an error worth reporting.
    drop(written);
    for message in &errors {
        eprintln!("podlint: error: {message}");
    }
    if let (Some(path), 1..) = (&args.baseline, baselined) {
        let (these, are) = if baselined == 1 {
            ("finding", "is")
        } else {
            ("findings", "are")
        };
        eprintln!(
            "podlint: {baselined} {these} recorded in {} {are} not reported",
            path.display()
        );
    }

    let fail_level = args
        .fail_level
        .or(config.fail_level)
        .unwrap_or(FailLevel::Warning);
    let threshold = match fail_level {
        FailLevel::Error => Some(Severity::Error),
        FailLevel::Warning => Some(Severity::Warning),
        FailLevel::Info => Some(Severity::Info),
        FailLevel::Never => None,
    };
    let at_or_above = |t: Severity| match t {
        Severity::Error => errors_found,
        Severity::Warning => errors_found + warnings,
        Severity::Info => errors_found + warnings + infos,
    };
    if !errors.is_empty() {
        EXIT_USAGE
    } else if threshold.is_some_and(|t| at_or_above(t) > 0) {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}

fn lint_input(input: &Input, job: &Job<'_>) -> FileResult {
    match read(input, job.max_file_size) {
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
    result.baselined = checked.baselined;
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
            let mut writer = report::Writer::new(style.output, &mut out);
            writer.part(part);
            // Writing to memory cannot fail.
            let _ = writer.finish(&report::Totals {
                files: 1,
                stats: checked.stats,
                errors,
                warnings,
                infos,
                elapsed: std::time::Duration::ZERO,
                unreadable: &[],
                cwd: None,
            });
            String::from_utf8_lossy(&out).into_owned()
        })
        .collect()
}

/// An input's bytes, or the message that says why it was not linted. Only
/// regular files are read: a FIFO would block, a device never end.
fn read(input: &Input, limit: ByteSize) -> Result<Vec<u8>, String> {
    let name = input.name();
    let cannot = |error: std::io::Error| format!("cannot read {name}: {error}");
    let (reader, known_size): (Box<dyn Read>, Option<u64>) = match input {
        Input::Stdin { .. } => (Box::new(std::io::stdin().lock()), None),
        Input::File { path, .. } => {
            let file = open_without_blocking(path).map_err(cannot)?;
            let meta = file.metadata().map_err(cannot)?;
            if let Some(kind) = discover::special_kind(&meta.file_type()) {
                return Err(format!(
                    "cannot read {name}: it is {kind}, not a regular file; skipped"
                ));
            }
            (Box::new(file), Some(meta.len()))
        }
    };
    if let Some(size) = known_size.filter(|&size| size > limit.0) {
        return Err(too_large(name, Some(ByteSize(size)), limit));
    }
    let mut bytes = Vec::with_capacity(known_size.unwrap_or(0) as usize);
    // A file that grows while it is read stops at the limit all the same.
    reader
        .take(limit.0.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > limit.0 {
        return Err(too_large(name, None, limit));
    }
    Ok(bytes)
}

fn too_large(name: &str, size: Option<ByteSize>, limit: ByteSize) -> String {
    let size = size.map_or(String::new(), |size| format!(" ({size})"));
    format!(
        "skipped {name}: it is larger{size} than the file-size limit of {limit}; raise the limit with --max-file-size or `max-file-size` in .podlint.yaml, or exclude the file"
    )
}

/// Opens for reading without waiting for a FIFO's writer (the caller then
/// refuses anything that is not a regular file).
#[cfg(unix)]
fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

fn write_stdout(text: &str) {
    let mut out = std::io::stdout().lock();
    // A closed pipe (`podlint | head`) is not an error worth reporting.
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

//! `podlint check`: options and config in, every input linted and reported
//! in order, the exit code out.

use std::collections::HashSet;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::Path;
use std::time::Instant;

use clap::ValueEnum;
use globset::{Glob, GlobSet, GlobSetBuilder};
use rayon::ThreadPool;

use crate::cli::{CheckArgs, FailLevel};
use crate::config::{self, Config};
use crate::discover::{self, Discovered};
use crate::engine::{Settings, Stats};
use crate::finding::Severity;
use crate::pipeline::{self, Job, DEFAULT_MAX_FILE_SIZE};
use crate::report::{self, Format, Output, PartStyle};
use crate::rules::{self, Level, RULES};
use crate::{baseline, ordered};

use super::{
    no_color_unset, print_diagnostic, say, unknown_rule, write_failed, EXIT_CLEAN, EXIT_FINDINGS,
    EXIT_USAGE,
};

pub fn run(args: CheckArgs) -> u8 {
    let started = Instant::now();
    let prepared = match Prepared::from_args(&args) {
        Ok(prepared) => prepared,
        Err(code) => return code,
    };
    let paths = if args.paths.is_empty() {
        vec![".".to_string()]
    } else {
        args.paths.clone()
    };
    let discovered = discover::discover(&paths, args.stdin_filename.as_deref(), &prepared.exclude);
    let pool = match worker_pool(args.jobs, discovered.inputs.len()) {
        Ok(pool) => pool,
        Err(message) => {
            say!("podlint: error: {message}");
            return EXIT_USAGE;
        }
    };
    // CI formats name files relative to the working directory; without one
    // (it was deleted) they keep the paths as given.
    let cwd = std::env::current_dir().ok();
    let output = if args.write_baseline.is_some() {
        Output::Baseline
    } else {
        Output::Report(prepared.format)
    };
    let job = Job {
        settings: &prepared.settings,
        style: PartStyle {
            output,
            color: prepared.format == Format::Human
                && std::io::stdout().is_terminal()
                && no_color_unset(),
            cwd: cwd.as_deref(),
        },
        parse_only: args.parse_only,
        baseline: prepared.baseline.as_ref(),
        max_file_size: args
            .max_file_size
            .or(prepared.config.max_file_size)
            .unwrap_or(DEFAULT_MAX_FILE_SIZE),
    };
    let linted = lint_all(discovered, pool.as_ref(), &job, started);

    if let Some(path) = &args.write_baseline {
        return write_baseline(path, &linted);
    }
    for message in &linted.unreadable {
        say!("podlint: error: {message}");
    }
    if let (Some(path), 1..) = (&args.baseline, linted.baselined) {
        let (these, are) = if linted.baselined == 1 {
            ("finding", "is")
        } else {
            ("findings", "are")
        };
        say!(
            "podlint: {} {these} recorded in {} {are} not reported",
            linted.baselined,
            path.display()
        );
    }
    if let Some(code) = linted.written.as_ref().err().and_then(write_failed) {
        return code;
    }
    let fail_level = args
        .fail_level
        .or(prepared.config.fail_level)
        .unwrap_or(FailLevel::Warning);
    exit_code(&linted, fail_level)
}

/// What the options and the config settle before any file is read.
struct Prepared {
    config: Config,
    settings: Settings,
    format: Format,
    exclude: GlobSet,
    baseline: Option<HashSet<String>>,
}

impl Prepared {
    /// Config, rules, format, excludes and baseline; on a mistake, the
    /// message is printed and the exit code returned.
    fn from_args(args: &CheckArgs) -> Result<Prepared, u8> {
        let config = load_config(args).map_err(|error| {
            print_diagnostic(&error);
            EXIT_USAGE
        })?;
        let excludes: Vec<String> = config
            .exclude
            .iter()
            .chain(&args.exclude)
            .cloned()
            .collect();
        let prepared = check_rule_ids(args).and_then(|()| {
            Ok(Prepared {
                settings: settings(args, &config),
                format: resolve_format(args.format)?,
                exclude: globs(&excludes)?,
                baseline: args.baseline.as_deref().map(baseline::load).transpose()?,
                config,
            })
        });
        prepared.map_err(|message| {
            say!("podlint: error: {message}");
            EXIT_USAGE
        })
    }
}

/// Worker threads when asked for and when there is more than one input (one
/// input is linted on this thread, see `ordered`), no more than the inputs;
/// else rayon's global pool.
fn worker_pool(jobs: Option<usize>, inputs: usize) -> Result<Option<ThreadPool>, String> {
    match jobs {
        Some(jobs) if inputs > 1 => rayon::ThreadPoolBuilder::new()
            .num_threads(jobs.min(inputs))
            .build()
            .map(Some)
            .map_err(|error| format!("cannot start {jobs} threads: {error}")),
        _ => Ok(None),
    }
}

/// What the whole run found, once every part of the report is written.
struct Linted {
    errors: usize,
    warnings: usize,
    infos: usize,
    /// Findings the baseline left out.
    baselined: usize,
    /// Paths that could not be read, one message each.
    unreadable: Vec<String>,
    /// The baseline's text, when the run writes one.
    baseline_text: Vec<u8>,
    /// Whether the report reached its destination (a closed pipe does not).
    written: std::io::Result<()>,
}

/// Lints every input on the pool and writes each file's part of the report
/// in input order as soon as it and every earlier one are ready.
fn lint_all(
    discovered: Discovered,
    pool: Option<&ThreadPool>,
    job: &Job<'_>,
    started: Instant,
) -> Linted {
    // A baseline is written to its file once the run is over: the file may
    // lie in a linted folder, and is read before it is replaced.
    let mut baseline_text = Vec::new();
    let destination: Box<dyn Write + Send + '_> = match job.style.output {
        Output::Baseline => Box::new(&mut baseline_text),
        Output::Report(_) => Box::new(std::io::stdout()),
    };
    let mut writer = report::Writer::new(
        job.style.output,
        BufWriter::with_capacity(1 << 16, destination),
    );
    let mut unreadable = discovered.errors;
    let mut stats = Stats::default();
    let (mut errors, mut warnings, mut infos, mut baselined) = (0, 0, 0, 0);
    ordered::map_in_order(
        &discovered.inputs,
        pool,
        |input| pipeline::lint_input(input, job),
        |_, result| {
            stats += result.stats;
            errors += result.errors;
            warnings += result.warnings;
            infos += result.infos;
            baselined += result.baselined;
            unreadable.extend(result.error);
            writer.part(result.part);
        },
    );
    let written = writer.finish(&report::Totals {
        files: discovered.inputs.len(),
        stats,
        errors,
        warnings,
        infos,
        elapsed: started.elapsed(),
        unreadable: &unreadable,
        cwd: job.style.cwd,
    });
    Linted {
        errors,
        warnings,
        infos,
        baselined,
        unreadable,
        baseline_text,
        written,
    }
}

fn write_baseline(path: &Path, linted: &Linted) -> u8 {
    let written = match &linted.written {
        Ok(()) => std::fs::write(path, &linted.baseline_text),
        Err(error) => Err(std::io::Error::new(error.kind(), error.to_string())),
    };
    if let Err(error) = written {
        say!(
            "podlint: error: cannot write baseline {}: {error}",
            path.display()
        );
        return EXIT_USAGE;
    }
    for message in &linted.unreadable {
        say!("podlint: error: {message}");
    }
    let n = linted.errors + linted.warnings + linted.infos;
    say!(
        "podlint: wrote {n} {} to baseline {}",
        if n == 1 { "finding" } else { "findings" },
        path.display()
    );
    if linted.unreadable.is_empty() {
        EXIT_CLEAN
    } else {
        EXIT_USAGE
    }
}

/// 2 when a path could not be read, else 1 when a finding is at or above
/// the fail level, else 0.
fn exit_code(linted: &Linted, fail_level: FailLevel) -> u8 {
    let at_or_above = match fail_level {
        FailLevel::Error => Some(linted.errors),
        FailLevel::Warning => Some(linted.errors + linted.warnings),
        FailLevel::Info => Some(linted.errors + linted.warnings + linted.infos),
        FailLevel::Never => None,
    };
    if !linted.unreadable.is_empty() {
        EXIT_USAGE
    } else if at_or_above.is_some_and(|n| n > 0) {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
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
pub(crate) fn settings(args: &CheckArgs, config: &Config) -> Settings {
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

pub(crate) fn globs(patterns: &[String]) -> Result<GlobSet, String> {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        let glob =
            Glob::new(pattern).map_err(|e| format!("bad --exclude glob `{pattern}`: {e}"))?;
        builder.add(glob);
    }
    builder.build().map_err(|e| e.to_string())
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

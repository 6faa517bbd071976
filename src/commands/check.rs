//! `podlint check`: options and config in, every input linted and reported
//! in order, the exit code out.

use std::collections::{BTreeMap, HashSet};
use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use clap::ValueEnum;
use globset::{Glob, GlobSet, GlobSetBuilder};
use rayon::ThreadPool;

use crate::admission::prepass::CrdFolders;
use crate::cli::{CheckArgs, FailLevel};
use crate::config::{Config, ConfigError};
use crate::config_lookup::{self, Applied, ConfigLookup};
use crate::discover::{self, ChartInput, Discovered, Input};
use crate::engine::Settings;
use crate::finding::Severity;
use crate::fix::Applicability;
use crate::model::crd_scope::Scopes;
use crate::model::Crds;
use crate::pipeline::{self, FileResult, FixMode, FixWrite, Job, DEFAULT_MAX_FILE_SIZE};
use crate::relations::Collector;
use crate::render::FileFindings;
use crate::report::{self, Format, Output, PartStyle, RuleCount};
use crate::roles::FileRoles;
use crate::rules::{self, Level, RULES};
use crate::size::ByteSize;
use crate::{baseline, ordered};

use super::{
    charts, kustomizations, print_diagnostic, say, unknown_rule, use_color, write_failed,
    EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE,
};

pub fn run(args: CheckArgs) -> u8 {
    let started = Instant::now();
    // CI formats name files relative to the working directory; without one
    // (it was deleted) they keep the paths as given.
    let cwd = std::env::current_dir().ok();
    let mut prepared = match Prepared::from_args(&args, cwd.clone().unwrap_or_default()) {
        Ok(prepared) => prepared,
        Err(code) => return code,
    };
    let paths = if args.paths.is_empty() {
        vec![".".to_string()]
    } else {
        args.paths.clone()
    };
    let (mut discovered, mut configs, chart_configs) =
        match discover_with_configs(&args, &paths, &mut prepared, cwd.as_deref()) {
            Ok(found) => found,
            Err(error) => {
                print_diagnostic(&error);
                return EXIT_USAGE;
            }
        };
    if args.verbose {
        for line in configs_applied(&discovered.inputs, &configs) {
            say!("podlint: {line}");
        }
    }
    let nothing = discovered.inputs.is_empty() && discovered.charts.is_empty();
    if nothing && discovered.errors.is_empty() && !args.allow_empty {
        say!("podlint: error: {}", nothing_to_lint(&paths));
        return EXIT_USAGE;
    }
    let pool = match worker_pool(args.jobs, discovered.inputs.len() + discovered.charts.len()) {
        Ok(pool) => pool,
        Err(message) => {
            say!("podlint: error: {message}");
            return EXIT_USAGE;
        }
    };
    // Found before the pre-pass: at one job kustomize builds meanwhile.
    let kustomize = kustomizations::plan(
        &discovered,
        &paths,
        &args,
        &mut |dir| prepared.lookup.for_folder(dir),
        pool.as_ref(),
    );
    let (policies, crds, problems) = crate::admission::prepass::read(
        &discovered.inputs,
        &config_folders(&args.policies, &configs, |c| &c.policies),
        &crd_folders(&args, &configs, &discovered.charts),
        &Scopes::new(&paths),
    );
    for problem in &problems {
        say!("podlint: warning: {problem}");
    }
    let crds = crds.resolving_folders_once();
    // The files that kustomize builds use leave the inputs here.
    let built = kustomize.lint(&mut discovered, &mut configs, pool.as_ref(), &crds);
    // The configs of folders are all looked up: what the lookup keeps of
    // every folder of the run is not needed any more.
    drop(prepared.lookup);
    let roles = FileRoles::classify(&discovered.inputs);
    let destination = match Destination::open(&args) {
        Ok(destination) => destination,
        Err(message) => {
            say!("podlint: error: {message}");
            return EXIT_USAGE;
        }
    };
    let fix = fix_mode(&args);
    let fixes_stdin = args.fix
        && discovered
            .inputs
            .iter()
            .any(|i| matches!(i, Input::Stdin { .. }));
    let output = if args.write_baseline.is_some() {
        Output::Baseline
    } else if args.diff || fixes_stdin {
        Output::Text
    } else if args.statistics {
        Output::Statistics
    } else {
        Output::Report(prepared.format)
    };
    let terminal = destination.is_terminal();
    // Each file runs with its own config's settings, and with the CRDs
    // that `lint_all` owns (see there).
    let per_file = Settings {
        active: Vec::new(),
        suppress: true,
        context: crate::model::Context::default(),
    };
    let typed_in_lint_all = Crds::default();
    let job = Job {
        settings: &per_file,
        policies: &policies,
        crds: &typed_in_lint_all,
        style: PartStyle {
            output,
            color: prepared.format == Format::Human && use_color(args.color, terminal),
            cwd: cwd.as_deref(),
        },
        parse_only: args.parse_only,
        baseline: prepared.baseline.as_ref(),
        max_file_size: DEFAULT_MAX_FILE_SIZE,
        roles: &roles,
        fix,
    };
    let shown = Shown {
        elapsed: terminal.then_some(started),
        summary: !args.quiet,
    };
    let mut placed = charts::lint_charts(&chart_configs, &args, pool.as_ref(), &crds);
    placed.add(built);
    let linted = lint_all(
        discovered,
        &configs,
        placed,
        pool.as_ref(),
        (&job, crds),
        destination,
        &shown,
    );

    if let Some(path) = &args.write_baseline {
        return write_baseline(path, &linted);
    }
    for message in &linted.unreadable {
        // They name files, whose names may hold anything.
        say!("podlint: error: {}", report::printable(message));
    }
    for notice in &linted.notices {
        say!("podlint: warning: {notice}");
    }
    print_notices(&args, &linted);
    if let Some(mode) = fix {
        report_fixes(mode, &linted);
        if mode.write == FixWrite::Diff {
            return match (linted.unreadable.is_empty(), linted.fixed) {
                (false, _) => EXIT_USAGE,
                (true, 0) => EXIT_CLEAN,
                (true, _) => EXIT_FINDINGS,
            };
        }
    }
    if let Err(error) = &linted.written {
        if let Some(path) = &args.output_file {
            say!(
                "podlint: error: cannot write {}: {}",
                path.display(),
                discover::io_reason(error)
            );
            return EXIT_USAGE;
        }
        if let Some(code) = write_failed(error) {
            return code;
        }
    }
    exit_code(&linted)
}

/// The inputs, walked with each folder's config excluding what it says,
/// and the config of each input; or the first config that could not be read.
/// The inputs with their configs, and the charts with theirs.
type WithConfigs = (
    Discovered,
    Vec<Arc<FileConfig>>,
    Vec<(ChartInput, Arc<FileConfig>)>,
);

fn discover_with_configs(
    args: &CheckArgs,
    paths: &[String],
    prepared: &mut Prepared,
    cwd: Option<&Path>,
) -> Result<WithConfigs, ConfigError> {
    let Prepared {
        lookup,
        cli_exclude,
        ..
    } = prepared;
    let mut excluded = |path: &Path| {
        cli_exclude.is_match(discover::display_name(path)) || {
            let folder = path.parent().unwrap_or(Path::new(""));
            let config = lookup.for_folder(folder);
            !config.exclude.is_empty() && config.excludes(&lookup_path(path, cwd))
        }
    };
    let discovered = discover::discover(paths, args.stdin_filename.as_deref(), &mut excluded);
    let configs = discovered
        .inputs
        .iter()
        .map(|input| match input {
            Input::File { path, .. } => lookup.for_file(path),
            Input::Stdin { name } => match &args.stdin_filename {
                Some(_) => lookup.for_file(Path::new(name)),
                None => lookup.for_folder(Path::new("")),
            },
        })
        .collect();
    // A chart runs with the config of its folder.
    let chart_configs = discovered
        .charts
        .iter()
        .map(|chart| (chart.clone(), lookup.for_folder(&chart.dir)))
        .collect();
    match lookup.take_error() {
        Some(error) => Err(error),
        None => Ok((discovered, configs, chart_configs)),
    }
}

/// What the run says on stderr besides its errors: the template files it
/// skipped and the findings the baseline left out (not with --quiet).
fn print_notices(args: &CheckArgs, linted: &Linted) {
    if args.quiet {
        return;
    }
    if let Some(notice) = report::skipped_templates(&linted.templates) {
        say!("podlint: info: {notice}");
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
}

/// The path a config's excludes are matched against: absolute, so that it
/// can be made relative to the config's folder.
fn lookup_path(path: &Path, cwd: Option<&Path>) -> PathBuf {
    config_lookup::absolute(cwd.unwrap_or(Path::new("")), path)
}

/// `--verbose`: each config and the files it applies to (the first one and
/// a count), in input order.
fn configs_applied(inputs: &[Input], configs: &[Arc<FileConfig>]) -> Vec<String> {
    let mut applied: Vec<(&Arc<FileConfig>, &str, usize)> = Vec::new();
    for (input, config) in inputs.iter().zip(configs) {
        match applied
            .iter_mut()
            .find(|(seen, _, _)| Arc::ptr_eq(seen, config))
        {
            Some((_, _, count)) => *count += 1,
            None => applied.push((config, input.name(), 1)),
        }
    }
    applied
        .into_iter()
        .map(|(config, first, count)| {
            let source = config.path.as_ref().map_or_else(
                || "no config file (the defaults)".to_string(),
                |path| format!("config {}", path.display()),
            );
            let others = match count {
                1 => String::new(),
                n => format!(
                    " and {}",
                    report::plural(n - 1, "other file", "other files")
                ),
            };
            format!("{source} applies to {first}{others}")
        })
        .collect()
}

/// The message for a run that found no file to lint.
fn nothing_to_lint(paths: &[String]) -> String {
    let quoted: Vec<String> = paths.iter().map(|p| format!("`{p}`")).collect();
    format!(
        "no file to lint in {}: podlint reads *.yaml, *.yml and *.json files, outside hidden folders, node_modules and vendor, that no exclude matches; pass --allow-empty if that is intended",
        quoted.join(", ")
    )
}

/// What applies to one file: its config, with the command line's options
/// over it.
pub(crate) struct FileConfig {
    /// The config file, `None` for the defaults.
    pub(crate) path: Option<PathBuf>,
    /// Where the config's excludes start from.
    pub(crate) folder: PathBuf,
    pub(crate) settings: Settings,
    pub(crate) exclude: GlobSet,
    pub(crate) fail_level: FailLevel,
    pub(crate) max_file_size: ByteSize,
    pub(crate) config: Config,
}

impl FileConfig {
    /// The command line wins over the config, which wins over the defaults.
    pub(crate) fn new(args: &CheckArgs, applied: Applied) -> FileConfig {
        let config = applied.config;
        FileConfig {
            path: applied.path,
            folder: applied.folder,
            settings: settings(args, &config),
            // The config's globs were checked when it was read.
            exclude: globs(&config.exclude).unwrap_or_default(),
            fail_level: args
                .fail_level
                .or(config.fail_level)
                .unwrap_or(FailLevel::Warning),
            max_file_size: args
                .max_file_size
                .or(config.max_file_size)
                .unwrap_or(DEFAULT_MAX_FILE_SIZE),
            config,
        }
    }

    /// Whether the config excludes `path` (absolute), matched relative to
    /// the config's folder (a path outside it, with `--config`, whole, so
    /// that `**/testdata/**` still matches).
    fn excludes(&self, path: &Path) -> bool {
        let relative = path.strip_prefix(&self.folder).unwrap_or(path);
        self.exclude.is_match(relative)
    }

    /// How many of a file's findings are at or above the fail level.
    fn failing(&self, result: &FileResult) -> usize {
        match self.fail_level {
            FailLevel::Error => result.errors,
            FailLevel::Warning => result.errors + result.warnings,
            FailLevel::Info => result.errors + result.warnings + result.infos,
            FailLevel::Never => 0,
        }
    }
}

/// What the options and the `--config` file settle before any file is read.
struct Prepared {
    lookup: ConfigLookup<FileConfig>,
    format: Format,
    /// `--exclude`, matched against paths as given or found.
    cli_exclude: GlobSet,
    baseline: Option<HashSet<String>>,
}

impl Prepared {
    /// Rules, format, excludes, baseline and `--config`; on a mistake, the
    /// message is printed and the exit code returned.
    fn from_args(args: &CheckArgs, cwd: PathBuf) -> Result<Prepared, u8> {
        if args.unsafe_fixes && !(args.fix || args.diff) {
            eprintln!("podlint: error: --unsafe-fixes goes with --fix or --diff");
            return Err(EXIT_USAGE);
        }
        let format_and_globs = check_rule_ids(args).and_then(|()| {
            let format = resolve_format(args.format)?;
            if args.statistics && !matches!(format, Format::Human) {
                return Err(
                    "--statistics prints a table of counts; use it without --format (or with --format human)"
                        .to_string(),
                );
            }
            Ok((format, globs(&args.exclude)?))
        });
        let (format, cli_exclude) = format_and_globs.map_err(|message| {
            say!("podlint: error: {message}");
            EXIT_USAGE
        })?;
        let overrides = args.clone();
        let lookup = ConfigLookup::new(cwd, args.config.as_deref(), move |applied| {
            FileConfig::new(&overrides, applied)
        })
        .map_err(|error| {
            print_diagnostic(&error);
            EXIT_USAGE
        })?;
        let baseline = args
            .baseline
            .as_deref()
            .map(baseline::load)
            .transpose()
            .map_err(|message| {
                say!("podlint: error: {message}");
                EXIT_USAGE
            })?;
        Ok(Prepared {
            lookup,
            format,
            cli_exclude,
            baseline,
        })
    }
}

/// Where the report goes: standard output, or `--output-file`.
enum Destination {
    Stdout,
    File(std::fs::File),
}

impl Destination {
    fn open(args: &CheckArgs) -> Result<Destination, String> {
        match &args.output_file {
            None => Ok(Destination::Stdout),
            Some(path) => std::fs::File::create(path)
                .map(Destination::File)
                .map_err(|error| {
                    format!(
                        "cannot write {}: {}",
                        path.display(),
                        discover::io_reason(&error)
                    )
                }),
        }
    }

    fn is_terminal(&self) -> bool {
        match self {
            Destination::Stdout => std::io::stdout().is_terminal(),
            Destination::File(_) => false,
        }
    }
}

/// What the end of the human report shows.
struct Shown {
    /// When the run started, if its time is shown (on a terminal only).
    elapsed: Option<Instant>,
    /// The summary line (not with --quiet).
    summary: bool,
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

/// `--fix` / `--diff`, with `--unsafe-fixes` or not.
fn fix_mode(args: &CheckArgs) -> Option<FixMode> {
    let write = match (args.fix, args.diff) {
        (true, _) => FixWrite::InPlace,
        (false, true) => FixWrite::Diff,
        (false, false) => return None,
    };
    let allow = if args.unsafe_fixes {
        Applicability::Unsafe
    } else {
        Applicability::Safe
    };
    Some(FixMode { write, allow })
}

/// One line on standard error: how many fixes were applied (or would be),
/// and the files left alone.
fn report_fixes(mode: FixMode, linted: &Linted) {
    for problem in &linted.fix_problems {
        eprintln!("podlint: warning: {problem}");
    }
    let (n, files) = (linted.fixed, linted.fixed_files);
    let fixes = if n == 1 { "fix" } else { "fixes" };
    let in_files = if files == 1 { "file" } else { "files" };
    match mode.write {
        FixWrite::InPlace => eprintln!("podlint: applied {n} {fixes} in {files} {in_files}"),
        FixWrite::Diff if n > 0 => eprintln!(
            "podlint: {n} {fixes} in {files} {in_files} would be applied by --fix{}",
            if mode.allow == Applicability::Unsafe {
                " --unsafe-fixes"
            } else {
                ""
            }
        ),
        FixWrite::Diff => eprintln!("podlint: nothing to fix"),
    }
}

/// One part of the report: a file to lint, or a source file of a chart
/// with the findings its renders placed there.
enum Item<'a> {
    Input(&'a Input),
    Placed(&'a Arc<str>, &'a FileFindings),
}

impl Item<'_> {
    fn name(&self) -> &str {
        match self {
            Item::Input(input) => input.name(),
            Item::Placed(name, _) => name,
        }
    }
}

/// What the whole run found, once every part of the report is written.
struct Linted {
    errors: usize,
    warnings: usize,
    infos: usize,
    /// Findings at or above the fail level of their file's config.
    failing: usize,
    /// Findings the baseline left out.
    baselined: usize,
    /// Paths that could not be read, one message each.
    unreadable: Vec<String>,
    /// What the user should know about files besides their findings.
    notices: Vec<String>,
    /// Template files skipped, in input order.
    templates: Vec<String>,
    /// The baseline's text, when the run writes one.
    baseline_text: Vec<u8>,
    /// Whether the report reached its destination (a closed pipe does not).
    written: std::io::Result<()>,
    /// Fixes applied or shown, and in how many files.
    fixed: usize,
    fixed_files: usize,
    /// Files `--fix` left alone, and why.
    fix_problems: Vec<String>,
}

/// Lints every input on the pool, each with its config, and writes each
/// file's part of the report in input order as soon as it and every
/// earlier one are ready.
fn lint_all(
    discovered: Discovered,
    configs: &[Arc<FileConfig>],
    placed: charts::Placed,
    pool: Option<&ThreadPool>,
    (job, crds): (&Job<'_>, Crds),
    destination: Destination,
    shown: &Shown,
) -> Linted {
    // A baseline is written to its file once the run is over: the file may
    // lie in a linted folder, and is read before it is replaced.
    let mut baseline_text = Vec::new();
    let out: Box<dyn Write + Send + '_> = match (job.style.output, destination) {
        (Output::Baseline, _) => Box::new(&mut baseline_text),
        (_, Destination::Stdout) => Box::new(std::io::stdout()),
        (_, Destination::File(file)) => Box::new(file),
    };
    let mut writer = report::Writer::new(
        job.style.output,
        BufWriter::with_capacity(1 << 16, out),
        job.style.cwd,
    );
    let mut unreadable = discovered.errors;
    let mut notices = Vec::new();
    unreadable.extend(placed.errors);
    let mut templates = Vec::new();
    let mut stats = placed.stats;
    let files = discovered.inputs.len() + placed.sources;
    let mut by_rule: BTreeMap<(&'static str, Severity), usize> = BTreeMap::new();
    let (mut errors, mut warnings, mut infos, mut failing, mut baselined) = (0, 0, 0, 0, 0);
    let (mut fixed, mut fixed_files, mut fix_problems) = (0, 0, Vec::new());
    let mut items: Vec<(Item<'_>, &FileConfig)> = discovered
        .inputs
        .iter()
        .map(Item::Input)
        .zip(configs.iter().map(Arc::as_ref))
        .collect();
    items.extend(
        placed
            .files
            .iter()
            .map(|(name, findings, config)| (Item::Placed(name, findings), config.as_ref())),
    );
    // The charts' files take their places among the others by name.
    items.sort_by(|a, b| a.0.name().cmp(b.0.name()));
    let mut facts = Collector::default();
    // The position of a linted input among the inputs (relation findings
    // name their file by it).
    let mut order = 0;
    ordered::map_in_order(
        &items,
        pool,
        |(item, config)| {
            let job = Job {
                settings: &config.settings,
                max_file_size: config.max_file_size,
                crds: &crds,
                ..*job
            };
            match item {
                Item::Input(input) => pipeline::lint_input(input, &job),
                Item::Placed(name, placed) => pipeline::report_placed(
                    name,
                    &placed.text,
                    placed.findings.clone(),
                    &placed.sources,
                    &job,
                ),
            }
        },
        |(item, config), mut result| {
            stats += result.stats;
            if let Item::Input(_) = item {
                facts.add(order, std::mem::take(&mut result.facts));
                order += 1;
            }
            errors += result.errors;
            warnings += result.warnings;
            infos += result.infos;
            failing += config.failing(&result);
            baselined += result.baselined;
            if result.stats.templates > 0 {
                templates.push(item.name().to_string());
            }
            for &(rule, severity) in &result.rules {
                *by_rule.entry((rule, severity)).or_default() += 1;
            }
            unreadable.extend(result.error);
            fixed += result.fixed;
            fixed_files += usize::from(result.fixed > 0);
            fix_problems.extend(result.fix_problem);
            notices.extend(result.notice);
            writer.part(result.part);
        },
    );
    // The CRDs type files only: their schemas (the largest part of what
    // the run holds) are freed before the run-level stage gathers its sets,
    // and so are the renders' placed findings and their sources' texts,
    // all reported by now: the stage runs when the run holds the most. The
    // memory they and the trees held goes back to the system: the stage's
    // thread could use little of it (see `release_free_memory`).
    drop(crds);
    drop(items);
    drop(placed.files);
    crate::allocator::release_free_memory();
    // The run-level stage needs every file's facts: its findings follow
    // the per-file ones (DESIGN.md, "JSON output").
    let related = facts.run(&|order| discovered.inputs[order].name(), &|order| {
        &configs[order].settings
    });
    pipeline::relation_parts(related, &discovered.inputs, job, &mut |order, result| {
        errors += result.errors;
        warnings += result.warnings;
        infos += result.infos;
        failing += configs[order].failing(&result);
        baselined += result.baselined;
        for &(rule, severity) in &result.rules {
            *by_rule.entry((rule, severity)).or_default() += 1;
        }
        writer.part(result.part);
    });
    let mut by_rule: Vec<RuleCount> = by_rule
        .into_iter()
        .map(|((rule, severity), count)| RuleCount {
            rule,
            severity,
            count,
        })
        .collect();
    by_rule.sort_by(|a, b| b.count.cmp(&a.count).then(a.rule.cmp(b.rule)));
    let written = writer.finish(&report::Totals {
        files,
        stats,
        errors,
        warnings,
        infos,
        elapsed: shown.elapsed.map(|started| started.elapsed()),
        summary: shown.summary && files > 0,
        unreadable: &unreadable,
        templates: &templates,
        by_rule: &by_rule,
        cwd: job.style.cwd,
    });
    Linted {
        errors,
        warnings,
        infos,
        failing,
        baselined,
        unreadable,
        notices,
        templates,
        baseline_text,
        written,
        fixed,
        fixed_files,
        fix_problems,
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
        // They name files, whose names may hold anything.
        say!("podlint: error: {}", report::printable(message));
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
/// the fail level of its file, else 0.
fn exit_code(linted: &Linted) -> u8 {
    if !linted.unreadable.is_empty() {
        EXIT_USAGE
    } else if linted.failing > 0 {
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

/// The folders of an option (`--policies`) and of the matching key of
/// every config of the run (`policies:`), those relative to their config's
/// folder.
fn config_folders(
    given: &[String],
    configs: &[Arc<FileConfig>],
    key: impl Fn(&Config) -> &Vec<String>,
) -> Vec<String> {
    let mut folders = given.to_vec();
    let mut seen: Vec<&Option<PathBuf>> = Vec::new();
    for config in configs {
        if seen.contains(&&config.path) {
            continue;
        }
        seen.push(&config.path);
        let base = config.path.as_deref().and_then(Path::parent);
        for written in key(&config.config) {
            let path = base.map_or(PathBuf::from(written), |base| base.join(written));
            folders.push(path.display().to_string());
        }
    }
    folders
}

/// `--crds` and the `crds:` of every config (their CRDs type every file),
/// and the `crds/` folders of the run's charts and of their unpacked
/// subcharts (helm installs those CRDs before the templates), each with its
/// chart.
pub(crate) fn crd_folders(
    args: &CheckArgs,
    configs: &[Arc<FileConfig>],
    charts: &[ChartInput],
) -> CrdFolders {
    let mut of_charts = Vec::new();
    for chart in charts {
        let subcharts = std::fs::read_dir(chart.dir.join("charts"))
            .into_iter()
            .flatten()
            .flatten()
            .map(|entry| entry.path());
        let mut dirs: Vec<PathBuf> = std::iter::once(chart.dir.clone())
            .chain(subcharts)
            .map(|dir| dir.join("crds"))
            .filter(|dir| dir.is_dir())
            .collect();
        dirs.sort();
        of_charts.extend(
            dirs.iter()
                .map(|dir| (dir.display().to_string(), chart.dir.clone())),
        );
    }
    CrdFolders {
        everywhere: config_folders(&args.crds, configs, |c| &c.crds),
        of_charts,
    }
}

/// The rules that run and their severities: the command line wins over the
/// config file, which wins over the rules' defaults.
pub(crate) fn settings(args: &CheckArgs, config: &Config) -> Settings {
    let active = RULES
        .iter()
        .chain(&config.checks)
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
        context: crate::model::Context {
            pod_templates: config.pod_templates.clone(),
            kubernetes_version: args
                .kubernetes_version
                .or(config.kubernetes_version)
                .unwrap_or_default(),
        },
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

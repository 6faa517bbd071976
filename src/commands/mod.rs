//! One module per subcommand: options in, pipeline, exit code out.

pub(crate) mod charts;
pub mod check;
pub mod config;
pub mod explain;
pub(crate) mod kustomizations;
pub mod lsp;
pub mod rules;

use std::io::{IsTerminal, Write};

/// `eprintln!` that does not panic when standard error cannot be written
/// (a full disk, a closed pipe): there is nowhere left to say so.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}
pub(crate) use say;

use clap::CommandFactory;

use crate::cli::{Cli, ColorChoice, Command};

/// Exit codes of DESIGN.md: 0 clean, 1 findings at or above the fail level,
/// 2 usage error or unreadable path.
pub const EXIT_CLEAN: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_USAGE: u8 = 2;

/// Runs the command the user asked for; `check` when none is named.
pub fn run(cli: Cli) -> u8 {
    match cli.command {
        Some(Command::Rules { format, config }) => rules::run(format, config.as_deref()),
        Some(Command::Explain { rule, config }) => explain::run(&rule, config.as_deref()),
        Some(Command::Lsp) => lsp::run(),
        Some(Command::Config { path, config }) => config::run(path.as_deref(), config.as_deref()),
        Some(Command::Check(args)) => check::run(*args),
        None => match mistyped_command(&cli.check.paths) {
            Some(message) => {
                say!("podlint: error: {message}");
                EXIT_USAGE
            }
            None => check::run(cli.check),
        },
    }
}

/// `podlint rule`, `podlint explian`: a first argument that names no file
/// but is close to a command (a path is what `podlint` takes first).
fn mistyped_command(paths: &[String]) -> Option<String> {
    let first = paths.first()?;
    let looks_like_a_word = first.chars().all(|c| c.is_ascii_lowercase() || c == '-');
    if !looks_like_a_word || std::path::Path::new(first).exists() {
        return None;
    }
    let commands = Cli::command();
    let near = commands
        .get_subcommands()
        .map(clap::Command::get_name)
        .map(|name| (strsim::jaro_winkler(first, name), name))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))?
        .1;
    Some(format!(
        "`{first}` is neither a file nor a command; did you mean `{near}`? (`podlint {near} --help`)"
    ))
}

/// Whether to colour output. `--color always` and `never` decide; on
/// `auto`, a non-empty `NO_COLOR` turns colour off, else a `CLICOLOR_FORCE`
/// other than empty or `0` turns it on, else colour goes to a terminal only
/// (the order of anstream and of the no-color.org and bixense conventions).
fn use_color(choice: ColorChoice, terminal: bool) -> bool {
    let set = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto if set("NO_COLOR").is_some() => false,
        ColorChoice::Auto if set("CLICOLOR_FORCE").is_some_and(|v| v != "0") => true,
        ColorChoice::Auto => terminal,
    }
}

/// The config named by `--config`, else the nearest `.podlint.yaml` from
/// the working directory up, else none: for `rules` and `explain`, which
/// show the custom checks it defines.
fn load_config(
    explicit: Option<&std::path::Path>,
) -> Result<crate::config::Config, crate::config::ConfigError> {
    let path = match explicit {
        Some(path) => Some(path.to_path_buf()),
        None => std::env::current_dir()
            .ok()
            .and_then(|dir| crate::config::discover(&dir)),
    };
    match path {
        Some(path) => crate::config::load(&path),
        None => Ok(crate::config::Config::default()),
    }
}

/// "no rule `x`", with the nearest id when one is close.
fn unknown_rule(id: &str) -> String {
    match crate::rules::suggest(id) {
        Some(near) => format!("no rule `{id}`; did you mean `{near}`?"),
        None => format!("no rule `{id}`; `podlint rules` lists them"),
    }
}

fn print_diagnostic(diagnostic: &dyn miette::Diagnostic) {
    let color = use_color(ColorChoice::Auto, std::io::stderr().is_terminal());
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
    let _ = std::io::stderr().write_all(out.as_bytes());
}

/// Writes a command's whole output: `EXIT_CLEAN`, or `EXIT_USAGE` when it
/// could not be written (see [`write_failed`]).
fn write_stdout(text: &str) -> u8 {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => EXIT_CLEAN,
        Err(error) => write_failed(&error).unwrap_or(EXIT_CLEAN),
    }
}

/// The exit code for output that could not be written, after saying why:
/// none for a closed pipe (`podlint | head` wanted no more, which is not
/// worth reporting), else 2, so that a CI gate never passes on a report
/// lost to a full disk.
fn write_failed(error: &std::io::Error) -> Option<u8> {
    if error.kind() == std::io::ErrorKind::BrokenPipe {
        return None;
    }
    say!("podlint: error: cannot write to standard output: {error}");
    Some(EXIT_USAGE)
}

//! One module per subcommand: options in, pipeline, exit code out.

pub mod check;
pub mod explain;
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

use crate::cli::{Cli, Command};

/// Exit codes of DESIGN.md: 0 clean, 1 findings at or above the fail level,
/// 2 usage error or unreadable path.
pub const EXIT_CLEAN: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_USAGE: u8 = 2;

/// Runs the command the user asked for; `check` when none is named.
pub fn run(cli: Cli) -> u8 {
    match cli.command {
        Some(Command::Rules { format }) => rules::run(format),
        Some(Command::Explain { rule }) => explain::run(&rule),
        Some(Command::Lsp) => lsp::run(),
        Some(Command::Check(args)) => check::run(*args),
        None => check::run(cli.check),
    }
}

fn no_color_unset() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// "no rule `x`", with the nearest id when one is close.
fn unknown_rule(id: &str) -> String {
    match crate::rules::suggest(id) {
        Some(near) => format!("no rule `{id}`; did you mean `{near}`?"),
        None => format!("no rule `{id}`; `podlint rules` lists them"),
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

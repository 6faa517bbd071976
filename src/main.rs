// Unsafe code only where the allocator is tuned (`tune_malloc`).
#![deny(unsafe_code)]

use std::process::ExitCode;

use clap::Parser;
use podlint::cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    tune_malloc(&cli);
    ExitCode::from(podlint::run(cli))
}

/// glibc gives each thread that allocates an arena of its own (up to eight
/// a core), and memory freed in one arena serves that arena only: the facts
/// a run keeps until it is over, made by every worker among the trees it
/// frees, left holes in each arena that the others could not use (the 10x
/// corpus peaked about 12 MiB higher). As many arenas as worker threads
/// keeps the workers from waiting on one another's allocations.
///
/// And blocks of 128 KiB or more (a large file's text, its tree's lists)
/// are always mapped on their own and unmapped when freed: glibc raises
/// that threshold to the largest such block freed, after which large
/// blocks are carved from the arenas and leave holes there too (about
/// 3 MiB on the 10x corpus).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
fn tune_malloc(cli: &Cli) {
    let jobs = match &cli.command {
        Some(Command::Check(args)) => args.jobs,
        Some(_) => None,
        None => cli.check.jobs,
    };
    let workers = jobs
        .or_else(|| std::thread::available_parallelism().ok().map(usize::from))
        .unwrap_or(1)
        .clamp(1, 64);
    // SAFETY: mallopt sets glibc's allocator settings; no thread but
    // this one has started yet.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, workers as libc::c_int);
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_malloc(_: &Cli) {}

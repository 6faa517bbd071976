//! Runs the real podlint binary for the integration tests.

use std::path::Path;

use assert_cmd::Command;

/// `podlint` in `dir`, with the variables that pick an output format removed
/// (the tests also run under GitHub Actions, which sets GITHUB_ACTIONS).
pub fn podlint(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_podlint"));
    command
        .current_dir(dir)
        .env_remove("GITHUB_ACTIONS")
        .env_remove("PODLINT_FORMAT")
        .env("NO_COLOR", "1");
    command
}

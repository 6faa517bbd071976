//! Runs the real podlint binary for the integration tests.

use std::path::Path;

use assert_cmd::Command;

/// `podlint` in `dir`, with the variables that pick an output format removed
/// (the tests also run under GitHub Actions, which sets GITHUB_ACTIONS).
#[allow(dead_code)] // every test crate includes this module; not all use each helper
pub fn podlint(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_podlint"));
    command
        .current_dir(dir)
        .env_remove("GITHUB_ACTIONS")
        .env_remove("PODLINT_FORMAT")
        .env("NO_COLOR", "1")
        .env("PATH", path_with_tools());
    command
}

/// PATH, then the repository's `.tools/bin` (scripts/install-tools.sh): the
/// helm and kubectl that chart and overlay tests use when PATH has none.
#[allow(dead_code)] // every test crate includes this module; not all use each helper
pub fn path_with_tools() -> std::ffi::OsString {
    let tools = Path::new(env!("CARGO_MANIFEST_DIR")).join(".tools/bin");
    let mut paths: Vec<std::path::PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    paths.push(tools);
    std::env::join_paths(paths).unwrap_or_default()
}

/// Whether helm can be run (PATH or `.tools/bin`); when it cannot, a test
/// that needs it says so and skips, but fails under CI.
#[allow(dead_code)] // every test crate includes this module; not all use each helper
pub fn helm_available(test: &str) -> bool {
    tool_available(test, "helm")
}

/// Whether `tool` (helm, kubectl) is on PATH or in `.tools/bin`; when it is
/// not, a test that needs it says so and skips, but fails under CI.
#[allow(dead_code)] // every test crate includes this module; not all use each helper
pub fn tool_available(test: &str, tool: &str) -> bool {
    let found = std::env::split_paths(&path_with_tools()).any(|dir| dir.join(tool).is_file());
    if !found {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{test}: {tool} is needed (scripts/install-tools.sh installs it)"
        );
        eprintln!("{test}: skipped, {tool} is not on PATH nor in .tools/bin");
    }
    found
}

/// A `.podlint.yaml` in `dir` that turns off the security rules, which fire
/// on every plain container, so that these tests' expected outputs stay short.
#[allow(dead_code)] // every test crate includes this module; not all use each helper
pub fn without_security_rules(dir: &Path) {
    let config = "rules:\n  privilege-escalation-allowed: off\n  run-as-root: off\n  read-only-root-fs-missing: off\n  dangerous-capabilities: off\n";
    std::fs::write(dir.join(".podlint.yaml"), config).expect("write .podlint.yaml");
}

/// The fenced block after `<!-- tested: NAME -->` in a Markdown document.
#[allow(dead_code)] // every test crate includes this module; not all use each helper
pub fn snippet(doc: &str, name: &str) -> String {
    let marker = format!("<!-- tested: {name} -->\n");
    let after = doc
        .split_once(&marker)
        .unwrap_or_else(|| panic!("no snippet `{name}`"))
        .1;
    let body = after
        .split_once('\n')
        .map(|(fence, rest)| {
            assert!(
                fence.starts_with("```"),
                "`{name}` is not followed by a fenced block"
            );
            rest
        })
        .unwrap_or_default();
    body.split_once("\n```")
        .map_or(body, |(code, _)| code)
        .to_string()
        + "\n"
}

/// The real-world corpus beside the repository (`../shared/corpus`), or
/// `None` after saying on the terminal what is `skipped` without it (a
/// fresh clone has no corpus). The notice is written to stderr itself,
/// which the test harness does not capture, so that it shows in every run.
#[allow(dead_code)] // every test crate includes this module; not all use each helper
pub fn shared_corpus(skipped: &str) -> Option<std::path::PathBuf> {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if corpus.is_dir() {
        return Some(corpus);
    }
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "note: ../shared/corpus is absent; skipped: {skipped}"
    );
    None
}

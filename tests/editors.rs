//! The README's editor snippets, run in the real editors on the founding
//! example Pod: Neovim's built-in LSP client with `podlint lsp`, Neovim's
//! `:make` with the documented `errorformat`, Emacs's `compile`, and the
//! VS Code problem matcher's regular expression (run by Node, whose regular
//! expressions are the ones VS Code uses). Each must show exactly the
//! findings that `podlint check` reports, at the same lines and columns.

mod bin;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const README: &str = include_str!("../README.md");
const EXAMPLE: &str = include_str!("../fixtures/examples/app-with-sidecar.yaml");

/// How long an editor may take before the test fails (a hang, not a timing).
const PATIENCE: Duration = Duration::from_secs(60);

/// The editor's program, or `None` with a message when it is not installed.
/// `.ci/run` installs every one of them, so on CI a missing one is a failure.
fn program(name: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|path| path.is_file())
    });
    if found.is_none() {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "`{name}` is not installed; .ci/run installs it"
        );
        eprintln!(
            "skipped: `{name}` is not installed here (Debian: apt-get install neovim emacs-nox nodejs)"
        );
    }
    found
}

/// A folder holding the example as `app.yaml`, and a PATH with the podlint
/// under test first, as the snippets call `podlint` by name.
struct Project {
    dir: tempfile::TempDir,
    path: OsString,
}

impl Project {
    fn new() -> Project {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("app.yaml"), EXAMPLE).expect("write");
        let binary = Path::new(env!("CARGO_BIN_EXE_podlint"));
        let mut paths = vec![binary.parent().expect("bin dir").to_path_buf()];
        paths.extend(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        ));
        let path = std::env::join_paths(paths).expect("PATH");
        Project { dir, path }
    }

    fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        path
    }

    /// The lines an editor wrote to `name`.
    fn lines(&self, name: &str) -> Vec<String> {
        std::fs::read_to_string(self.dir.path().join(name))
            .unwrap_or_else(|e| panic!("the editor wrote no {name}: {e}"))
            .lines()
            .map(String::from)
            .collect()
    }

    /// Runs a program in the folder, killed if it hangs.
    fn run(&self, program: &Path, args: &[&str]) -> Output {
        let mut child = Command::new(program)
            .args(args)
            .current_dir(self.dir.path())
            .env("PATH", &self.path)
            .env_remove("PODLINT_FORMAT")
            .env_remove("GITHUB_ACTIONS")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", program.display()));
        let deadline = Instant::now() + PATIENCE;
        while child.try_wait().expect("wait").is_none() {
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("{} did not finish", program.display());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        child.wait_with_output().expect("output")
    }

    /// Neovim without a UI, swap files or shada, with these arguments.
    fn nvim(&self, nvim: &Path, args: &[&str]) -> Output {
        let headless = ["--headless", "-n", "-i", "NONE"];
        self.run(nvim, &[&headless[..], args].concat())
    }

    /// `podlint check --format json app.yaml`: the findings every editor must show.
    fn findings(&self) -> Vec<Value> {
        let output = bin::podlint(self.dir.path())
            .args(["check", "--format", "json", "app.yaml"])
            .output()
            .expect("podlint");
        let report: Value = serde_json::from_slice(&output.stdout).expect("JSON report");
        let findings = report["findings"].as_array().cloned().unwrap_or_default();
        assert!(findings.len() > 10, "the example has many findings");
        findings
    }
}

/// Asserts that an editor listed one line for each finding of `podlint
/// check` and nothing else, each as `line` writes it, in any order.
fn assert_lists_every_finding(
    project: &Project,
    mut listed: Vec<String>,
    line: impl Fn(&Value) -> String,
) {
    let mut expected: Vec<String> = project.findings().iter().map(line).collect();
    listed.sort();
    expected.sort();
    assert_eq!(listed, expected);
}

#[test]
fn neovim_shows_the_language_server_diagnostics() {
    let Some(nvim) = program("nvim") else {
        return;
    };
    let project = Project::new();
    let harness = r#"
vim.api.nvim_create_autocmd('VimEnter', {
  callback = function()
    vim.wait(20000, function() return #vim.diagnostic.get(0) > 0 end, 10)
    local lines = {}
    for _, d in ipairs(vim.diagnostic.get(0)) do
      local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code) or '?'
      table.insert(lines, string.format('%d:%d %d %s', d.lnum + 1, d.col + 1, d.severity, code))
    end
    vim.fn.writefile(lines, 'diagnostics.txt')
    vim.cmd('qall!')
  end,
})
"#;
    let init = bin::snippet(README, "neovim-lsp") + harness;
    project.file("init.lua", &init);
    let output = project.nvim(&nvim, &["-u", "init.lua", "app.yaml"]);
    assert!(output.status.success(), "{output:?}");

    let shown: Vec<String> = project.lines("diagnostics.txt");
    assert_lists_every_finding(&project, shown, |f| {
        // vim.diagnostic.severity: ERROR 1, WARN 2, INFO 3.
        let severity = match f["severity"].as_str() {
            Some("error") => 1,
            Some("warning") => 2,
            _ => 3,
        };
        format!(
            "{}:{} {severity} {}",
            f["line"],
            f["column"],
            f["rule"].as_str().unwrap_or_default()
        )
    });
}

#[test]
fn vim_make_on_save_fills_the_quickfix_list_with_the_documented_errorformat() {
    let Some(nvim) = program("nvim") else {
        return;
    };
    let project = Project::new();
    project.file("compact.vim", &bin::snippet(README, "vim-compact"));
    let dump = "call writefile(map(getqflist(), {_, e -> bufname(e.bufnr) . ':' . e.lnum . ':' . e.col . ' ' . e.type . ' ' . e.text}), 'quickfix.txt')";
    let output = project.nvim(
        &nvim,
        &[
            "-u",
            "compact.vim",
            "-c",
            "write",
            "-c",
            dump,
            "-c",
            "qall!",
            "app.yaml",
        ],
    );
    assert!(output.status.success(), "{output:?}");

    let listed: Vec<String> = project.lines("quickfix.txt");
    assert_lists_every_finding(&project, listed, |f| {
        let severity = f["severity"].as_str().unwrap_or_default();
        format!(
            "app.yaml:{}:{} {} [{}] {}",
            f["line"],
            f["column"],
            &severity[..1],
            f["rule"].as_str().unwrap_or_default(),
            f["message"].as_str().unwrap_or_default()
        )
    });
}

#[test]
fn emacs_compile_reads_each_finding_with_its_position_and_severity() {
    let Some(emacs) = program("emacs") else {
        return;
    };
    let project = Project::new();
    project.file("podlint.el", &bin::snippet(README, "emacs-compile"));
    // Runs the snippet's command, waits for it, then reads the message that
    // compilation-mode found on each line (`next-error` walks these, but
    // steps over messages that share a position). Types: 2 error, 1 warning,
    // 0 info.
    let harness = r#"
(progn
  (find-file "app.yaml")
  (podlint)
  (let ((buffer (get-buffer "*compilation*")) (found nil))
    (while (get-buffer-process buffer) (accept-process-output nil 0.05))
    (with-current-buffer buffer
      (compilation--ensure-parse (point-max))
      (goto-char (point-min))
      (while (not (eobp))
        (let ((message (get-text-property (point) 'compilation-message)))
          (when message
            (let ((loc (compilation--message->loc message)))
              (push (format "%s:%d:%d %d"
                            (caar (compilation--loc->file-struct loc))
                            (compilation--loc->line loc)
                            (compilation--loc->col loc)
                            (compilation--message->type message))
                    found))))
        (forward-line 1)))
    (with-temp-file "errors.txt" (insert (mapconcat #'identity (nreverse found) "\n")))))
"#;
    let output = project.run(
        &emacs,
        &["--batch", "-Q", "-l", "podlint.el", "--eval", harness],
    );
    assert!(output.status.success(), "{output:?}");

    let listed: Vec<String> = project.lines("errors.txt");
    assert_lists_every_finding(&project, listed, |f| {
        let kind = match f["severity"].as_str() {
            Some("error") => 2,
            Some("warning") => 1,
            _ => 0,
        };
        let file = project.dir.path().join("app.yaml");
        format!("{}:{}:{} {kind}", file.display(), f["line"], f["column"])
    });
}

#[test]
fn the_vscode_problem_matcher_captures_every_field() {
    let Some(node) = program("node") else {
        return;
    };
    let project = Project::new();
    let tasks: Value =
        serde_json::from_str(&bin::snippet(README, "vscode-task")).expect("tasks.json is JSON");
    let task = &tasks["tasks"][0];
    let command = task["command"].as_str().expect("command");
    assert_eq!(command, "podlint check --format compact ${file}");
    let compact = project.run(
        Path::new("sh"),
        &["-c", &command.replace("${file}", "app.yaml")],
    );
    project.file("output.txt", &String::from_utf8_lossy(&compact.stdout));
    project.file("matcher.json", &task["problemMatcher"].to_string());
    // What VS Code does with a problem matcher's pattern, line by line.
    let script = r#"
const fs = require('fs');
const matcher = JSON.parse(fs.readFileSync('matcher.json', 'utf8'));
const p = matcher.pattern;
const regexp = new RegExp(p.regexp);
const out = [];
for (const line of fs.readFileSync('output.txt', 'utf8').split('\n')) {
  const m = regexp.exec(line);
  if (m) out.push(`${m[p.file]}:${m[p.line]}:${m[p.column]} ${m[p.severity]} ${m[p.code]} ${m[p.message]}`);
}
fs.writeFileSync('problems.txt', out.join('\n'));
"#;
    project.file("matcher.js", script);
    let output = project.run(&node, &["matcher.js"]);
    assert!(output.status.success(), "{output:?}");

    let problems: Vec<String> = project.lines("problems.txt");
    assert_lists_every_finding(&project, problems, |f| {
        format!(
            "app.yaml:{}:{} {} {} {}",
            f["line"],
            f["column"],
            f["severity"].as_str().unwrap_or_default(),
            f["rule"].as_str().unwrap_or_default(),
            f["message"].as_str().unwrap_or_default()
        )
    });
}

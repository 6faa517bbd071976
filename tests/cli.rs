//! The binary as users run it: exit codes, formats, stdin, positions.

mod bin;

use assert_cmd::Command;
use predicates::prelude::*;

fn podlint() -> Command {
    let mut cmd = Command::cargo_bin("podlint").unwrap_or_else(|e| panic!("binary: {e}"));
    cmd.env("NO_COLOR", "1")
        .env("PATH", bin::path_with_tools())
        .env_remove("GITHUB_ACTIONS")
        .env_remove("PODLINT_FORMAT");
    cmd
}

fn stdout(cmd: &mut Command) -> String {
    String::from_utf8_lossy(&cmd.output().unwrap_or_else(|e| panic!("run: {e}")).stdout)
        .into_owned()
}

#[test]
fn human_output_of_the_founding_examples() {
    for name in ["banana-shipment", "app-with-sidecar"] {
        let path = format!("fixtures/examples/{name}.yaml");
        let output = stdout(podlint().args(["check", &path]));
        insta::assert_snapshot!(name, output);
    }
}

#[test]
fn founding_sidecar_pod_is_not_a_job_and_keeps_no_durable_data() {
    let output = stdout(podlint().args([
        "--format",
        "compact",
        "fixtures/examples/app-with-sidecar.yaml",
    ]));
    assert!(!output.contains("job-sidecar-never-exits"), "{output}");
    assert!(!output.contains("emptydir-durable-data"), "{output}");
    assert!(
        output.contains(":11:5: warning[image-latest-tag]"),
        "{output}"
    );
}

#[test]
fn json_output_of_the_flattened_example() {
    let output = stdout(podlint().args([
        "check",
        "--format",
        "json",
        "fixtures/unknown-field/flattened.yaml",
    ]));
    insta::assert_snapshot!("flattened-json", output);
}

#[test]
fn exit_codes() {
    podlint()
        .args(["check", "fixtures/examples/banana-shipment.yaml"])
        .assert()
        .code(1);
    podlint()
        .args([
            "check",
            "--fail-level",
            "error",
            "fixtures/examples/banana-shipment.yaml",
        ])
        .assert()
        .code(0);
    podlint()
        .args(["check", "--fail-level", "never", "fixtures/invalid-yaml"])
        .assert()
        .code(0);
    podlint()
        .args(["check", "fixtures/invalid-yaml"])
        .assert()
        .code(1);
    podlint()
        .args([
            "check",
            "no/such/path.yaml",
            "fixtures/examples/banana-shipment.yaml",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no/such/path.yaml"))
        .stdout(predicate::str::contains("bare-pod"));
    podlint()
        .args(["check", "--enable", "no-such-rule"])
        .assert()
        .code(2);
    podlint().args(["check", "--bogus-flag"]).assert().code(2);
}

#[test]
fn clean_and_non_kubernetes_files_pass_silently() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let ci = dir.path().join("ci.yml");
    std::fs::write(
        &ci,
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let output = podlint()
        .args(["check", "--format", "compact"])
        .arg(dir.path())
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&output.stdout), "");
}

#[test]
fn stdin_with_a_name_and_multi_document_lines() {
    let manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: web\n        image: nginx\n";
    let output = stdout(
        podlint()
            .args(["check", "--format", "compact", "--stdin-filename", "deploy/web.yaml", "-"])
            .args(["--disable", "memory-limit-missing,resource-requests-missing,liveness-probe-missing,readiness-probe-missing"])
            .write_stdin(manifest),
    );
    let latest: Vec<&str> = output
        .lines()
        .filter(|l| l.contains("image-latest-tag"))
        .collect();
    assert_eq!(
        latest,
        ["deploy/web.yaml:19:9: warning[image-latest-tag] image `nginx` has no tag, so it means `:latest`"]
    );
    assert!(
        output.lines().all(|l| l.starts_with("deploy/web.yaml:")),
        "{output}"
    );
}

#[test]
fn compact_and_json_agree_on_positions() {
    let compact = stdout(podlint().args([
        "--format",
        "compact",
        "fixtures/examples/banana-shipment.yaml",
    ]));
    assert!(compact.contains(
        "fixtures/examples/banana-shipment.yaml:10:5: warning[image-latest-tag] image `nginx:latest` uses the `latest` tag\n"
    ));
    let json =
        stdout(podlint().args(["--format", "json", "fixtures/examples/banana-shipment.yaml"]));
    let value: serde_json::Value = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
    let finding = value["findings"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["rule"] == "image-latest-tag"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        (
            finding["line"].as_u64(),
            finding["column"].as_u64(),
            finding["end_column"].as_u64()
        ),
        (Some(10), Some(5), Some(24))
    );
    assert_eq!(value["summary"]["pod_specs"], 1);
}

#[test]
fn output_is_identical_at_any_thread_count() {
    for format in ["json", "sarif", "github", "compact", "human"] {
        let run = |jobs: &str| stdout(podlint().args(["--format", format, "-j", jobs, "fixtures"]));
        let one = run("1");
        assert!(one.len() > 1000, "{format}");
        assert_eq!(one, run("3"), "{format}");
        assert_eq!(one, run("8"), "{format}");
    }
}

/// The JSON report of a run on `path`, as text and parsed.
fn json_report(path: &str) -> (String, serde_json::Value) {
    let json = stdout(podlint().args(["check", "--format", "json", "--fail-level", "never", path]));
    let report = serde_json::from_str(&json).expect("JSON output");
    (json, report)
}

/// A placeholder where the API expects a value is said to be one, at
/// warning; a wrong value beside it stays an error.
#[test]
fn placeholders_are_warnings_wrong_values_errors() {
    let (_, report) = json_report("fixtures/invalid-field/placeholders.yaml");
    let found: Vec<(u64, &str, &str)> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["rule"] == "invalid-field")
        .map(|f| {
            (
                f["line"].as_u64().unwrap_or_default(),
                f["severity"].as_str().unwrap_or_default(),
                f["message"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (
                15,
                "warning",
                "`ROLLOUT_NAME` is a placeholder, not a value: replace it before applying"
            ),
            (
                21,
                "warning",
                "`<ADD LUN ID Here>` is a placeholder, not a value: replace it before applying"
            ),
            (
                37,
                "error",
                "container name `Web_Server` is not a valid DNS label"
            ),
            (43, "error", "expected an integer, found `two`"),
        ]
    );
}

/// A kuttl `TestStep` names assertion and error files (and folders) that are
/// not linted, and files to apply that are; the TestStep itself is kuttl's
/// configuration, skipped as a document that is not a Kubernetes object.
#[test]
fn kuttl_test_steps_name_their_assertions() {
    let (json, report) = json_report("fixtures/unknown-field/kuttl-teststep");
    assert_eq!(report["summary"]["skipped_test_assertions"], 4, "{json}");
    assert_eq!(report["summary"]["skipped_documents"], 1, "{json}");
    let files: std::collections::BTreeSet<&str> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["file"].as_str())
        .collect();
    let folder = "fixtures/unknown-field/kuttl-teststep";
    let expected: std::collections::BTreeSet<String> = [
        "00-install.yaml",
        "02-error-page.yaml",
        "03-asserts.yaml",
        "manifests/agent-v2.yaml",
    ]
    .iter()
    .map(|file| format!("{folder}/{file}"))
    .collect();
    assert_eq!(
        files,
        expected.iter().map(String::as_str).collect(),
        "{json}"
    );
}

/// A kuttl suite's `testDirs` name its test cases: an assertion there is
/// not linted even when no step file of its case names it; what the suite
/// applies is.
#[test]
fn kuttl_suites_name_their_test_folders() {
    let (json, report) = json_report("fixtures/unknown-field/kuttl-suite");
    assert_eq!(report["summary"]["skipped_test_assertions"], 1, "{json}");
    let places: Vec<(&str, u64)> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["rule"] == "unknown-field")
        .filter_map(|f| Some((f["file"].as_str()?, f["line"].as_u64()?)))
        .collect();
    assert_eq!(
        places,
        [(
            "fixtures/unknown-field/kuttl-suite/deploy/operator.yaml",
            17
        )],
        "{json}"
    );
}

/// Chainsaw and kuttl assertion files are counted in the summary, not
/// linted; the files the tests apply are linted.
#[test]
fn test_assertions_are_counted_not_linted() {
    let folders = [
        "fixtures/bare-pod/chainsaw-test",
        "fixtures/unknown-field/kuttl-test",
    ];
    let json = stdout(
        podlint()
            .args(["check", "--format", "json", "--fail-level", "never"])
            .args(folders),
    );
    assert!(json.contains("\"skipped_test_assertions\": 4"), "{json}");
    assert!(
        !json.contains("assert.yaml\""),
        "an assertion file was linted: {json}"
    );
    assert!(
        !json.contains("01-errors.yaml"),
        "an error file was linted: {json}"
    );
    assert!(
        json.contains("\"file\": \"fixtures/bare-pod/chainsaw-test/pod.yaml\""),
        "{json}"
    );
    let human = stdout(
        podlint()
            .args(["check", "--fail-level", "never"])
            .args(folders),
    );
    assert!(
        human.contains("podlint: info: skipped 4 test assertion files (expected states of Chainsaw or kuttl tests, not manifests)"),
        "{human}"
    );
}

#[test]
fn no_file_to_lint_is_exit_2_unless_allowed() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.path().join("notes.txt"), "not a manifest")
        .unwrap_or_else(|e| panic!("{e}"));
    let message = "podlint: error: no file to lint in `.`: podlint reads *.yaml, *.yml and *.json files, outside hidden folders, node_modules and vendor, that no exclude matches; pass --allow-empty if that is intended\n";
    podlint()
        .current_dir(dir.path())
        .assert()
        .code(2)
        .stdout("")
        .stderr(message);
    podlint()
        .current_dir(dir.path())
        .arg("--allow-empty")
        .assert()
        .code(0)
        .stderr("");
    // A glob that excludes everything.
    podlint()
        .args(["check", "fixtures/examples", "--exclude", "**/*.yaml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no file to lint in `fixtures/examples`",
        ));
}

#[test]
fn a_missing_path_is_one_message_without_a_summary() {
    podlint()
        .args(["check", "deploy/web.yml"])
        .assert()
        .code(2)
        .stdout("")
        .stderr("podlint: error: cannot read deploy/web.yml: no such file or directory\n");
}

#[test]
fn a_mistyped_command_gets_a_suggestion() {
    let cases = [
        (vec!["rule"], "rules"),
        (vec!["explian", "run-as-root"], "explain"),
        (vec!["chek", "."], "check"),
    ];
    for (args, near) in cases {
        podlint().args(&args).assert().code(2).stdout("").stderr(format!(
            "podlint: error: `{}` is neither a file nor a command; did you mean `{near}`? (`podlint {near} --help`)\n",
            args[0]
        ));
    }
}

#[test]
fn statistics_count_findings_by_rule() {
    // Most first; cpu-limit-missing is an error under its folder's config.
    podlint()
        .args(["check", "--statistics", "fixtures/examples/"])
        .assert()
        .code(1)
        .stdout(
            "\
5  info     liveness-probe-missing
5  info     read-only-root-fs-missing
5  warning  readiness-probe-missing
5  warning  resource-requests-missing
4  warning  dangerous-capabilities
4  warning  memory-limit-missing
4  warning  privilege-escalation-allowed
4  warning  run-as-root
3  warning  image-latest-tag
2  warning  bare-pod
1  error    cpu-limit-missing
1  info     volume-unused
podlint: 7 files, 7 documents, 4 Pod specs: 1 error, 31 warnings, 11 infos
",
        );
    podlint()
        .args([
            "check",
            "--statistics",
            "--format",
            "json",
            "fixtures/examples",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--statistics prints a table of counts",
        ));
}

#[test]
fn quiet_prints_the_findings_only_and_output_file_takes_the_report() {
    let file = "fixtures/examples/banana-shipment.yaml";
    let full = stdout(podlint().args(["check", file]));
    let quiet = stdout(podlint().args(["check", "--quiet", file]));
    assert!(
        full.ends_with("podlint: 1 file, 1 document, 1 Pod spec: 0 errors, 8 warnings, 2 infos\n"),
        "{full}"
    );
    assert_eq!(
        format!("{quiet}podlint: 1 file, 1 document, 1 Pod spec: 0 errors, 8 warnings, 2 infos\n"),
        full
    );

    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let report = dir.path().join("report.txt");
    podlint()
        .args(["check", file, "--output-file"])
        .arg(&report)
        .env("CLICOLOR_FORCE", "1")
        .env_remove("NO_COLOR")
        .assert()
        .code(1)
        .stdout("");
    // CLICOLOR_FORCE colours the file too.
    let written = std::fs::read_to_string(&report).unwrap_or_else(|e| panic!("{e}"));
    assert!(written.starts_with("\u{1b}[1mfixtures/examples/banana-shipment.yaml\u{1b}[0m:2:1: \u{1b}[1;33mwarning\u{1b}[0m[\u{1b}[1mbare-pod\u{1b}[0m] Pod"), "{written}");
    podlint()
        .args(["check", file, "--output-file", "no/such/dir/report.txt"])
        .assert()
        .code(2)
        .stderr("podlint: error: cannot write no/such/dir/report.txt: no such file or directory\n");
}

#[test]
fn colour_follows_the_flag_then_no_color_then_clicolor_force() {
    let file = "fixtures/examples/banana-shipment.yaml";
    let colored = |cmd: &mut Command| stdout(cmd).contains("\u{1b}[");
    assert!(!colored(podlint().args(["check", file])));
    assert!(colored(
        podlint().args(["check", file, "--color", "always"])
    ));
    assert!(!colored(
        podlint()
            .args(["check", file, "--color", "never"])
            .env("CLICOLOR_FORCE", "1")
            .env_remove("NO_COLOR")
    ));
    assert!(colored(
        podlint()
            .args(["check", file])
            .env("CLICOLOR_FORCE", "1")
            .env_remove("NO_COLOR")
    ));
    assert!(!colored(
        podlint().args(["check", file]).env("CLICOLOR_FORCE", "1")
    ));
    assert!(!colored(
        podlint()
            .args(["check", file])
            .env("CLICOLOR_FORCE", "0")
            .env_remove("NO_COLOR")
    ));
}

#[test]
fn help_is_wrapped_to_the_terminal() {
    for columns in [60, 80] {
        let help = stdout(
            podlint()
                .args(["check", "--help"])
                .env("COLUMNS", columns.to_string()),
        );
        let widest = help.lines().map(|l| l.chars().count()).max().unwrap_or(0);
        assert!(
            widest <= columns && widest > columns - 10,
            "{columns}: {widest}\n{help}"
        );
    }
}

/// A chart template copied out of its chart, whose actions are all quoted,
/// beside manifests whose braces are data or Argo parameters.
fn templates_outside_a_chart() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let test_pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: \"{{ .Release.Name }}-test\"\nspec:\n  containers:\n  - name: wget\n    image: \"{{ .Values.image }}\"\n";
    let config_map = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: texts\n  annotations:\n    note: \"{{ .rollout.name }}\"\ndata:\n  message: \"{{ .app.metadata.name }} is ready\"\nbogus: 1\n";
    let argo_pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: say\nspec:\n  containers:\n  - name: say\n    image: busybox:1.36\n    args: [\"echo {{item}} {{inputs.parameters.x}}\"]\n";
    for (name, text) in [
        ("a-test-pod.yaml", test_pod),
        ("b-test-pod.yaml", test_pod),
        ("c-test-pod.yaml", test_pod),
        ("d-test-pod.yaml", test_pod),
        ("config-map.yaml", config_map),
        ("argo-pod.yaml", argo_pod),
    ] {
        std::fs::write(dir.path().join(name), text).unwrap_or_else(|e| panic!("{e}"));
    }
    dir
}

#[test]
fn quoted_templates_outside_a_chart_are_skipped_and_named_in_every_format() {
    let dir = templates_outside_a_chart();
    let notice = "podlint: info: skipped 4 template files with Go-template actions outside a Helm chart (a-test-pod.yaml, b-test-pod.yaml, c-test-pod.yaml and 1 more); lint the rendered output, e.g. `helm template CHART | podlint -`\n";
    for format in ["human", "compact", "github", "json", "sarif"] {
        let output = podlint()
            .current_dir(dir.path())
            .args(["check", "--fail-level", "never", "--format", format, "."])
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(output.status.code(), Some(0), "{format}");
        assert_eq!(String::from_utf8_lossy(&output.stderr), notice, "{format}");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(!stdout.contains("test-pod.yaml:"), "{format}: {stdout}");
        match format {
            "json" => {
                let value: serde_json::Value =
                    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}"));
                let skipped: Vec<&str> = value["skipped"]
                    .as_array()
                    .map(|items| items.iter().filter_map(|i| i["file"].as_str()).collect())
                    .unwrap_or_default();
                assert_eq!(
                    skipped,
                    [
                        "a-test-pod.yaml",
                        "b-test-pod.yaml",
                        "c-test-pod.yaml",
                        "d-test-pod.yaml"
                    ]
                );
                assert_eq!(value["skipped"][0]["reason"], "template");
            }
            "sarif" => {
                let value: serde_json::Value =
                    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}"));
                let note = &value["runs"][0]["invocations"][0]["toolExecutionNotifications"][0];
                assert_eq!(note["level"], "note");
                assert_eq!(
                    format!(
                        "podlint: info: {}\n",
                        note["message"]["text"].as_str().unwrap_or_default()
                    ),
                    notice
                );
            }
            "github" => {
                let notice = format!(
                    "::notice title=podlint::{}",
                    &notice["podlint: info: ".len()..]
                );
                assert!(stdout.contains(&notice), "{stdout}");
            }
            _ => {}
        }
        // The ConfigMap's braces are its data, the Pod's are Argo's: linted.
        if format == "compact" {
            assert!(
                stdout.contains("config-map.yaml:9:1: error[unknown-field]")
                    && stdout.contains("argo-pod.yaml:2:1: warning[bare-pod]"),
                "{stdout}"
            );
        }
    }
    podlint()
        .current_dir(dir.path())
        .args(["check", "--quiet", "--fail-level", "never", "."])
        .assert()
        .code(0)
        .stderr("");
}

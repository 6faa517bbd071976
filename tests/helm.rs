//! Helm charts: rendered with helm, every finding at the template or values
//! line a person edits. Each chart under `fixtures/charts/` marks the lines where findings must land with
//! `# expect: <rule-id>[, <rule-id>]`; the chart is linted with those rules
//! alone, and a marked line without its finding or a finding on an unmarked
//! line fails.

mod bin;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use podlint::rules::RULES;
use serde_json::Value;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every file under `dir`.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("read folder").flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// (file, line, rule) of every `# expect:` marker under a chart folder.
fn expected(chart: &Path) -> BTreeSet<(String, u64, String)> {
    let mut out = BTreeSet::new();
    for path in files(chart) {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let name = path
            .strip_prefix(repo())
            .expect("under the repository")
            .display()
            .to_string();
        for (index, line) in text.lines().enumerate() {
            if let Some((_, rules)) = line.split_once("# expect: ") {
                for rule in rules.split(',') {
                    out.insert((name.clone(), index as u64 + 1, rule.trim().to_string()));
                }
            }
        }
    }
    out
}

/// The JSON report of `podlint check ARGS` run in the repository.
fn json(args: &[&str]) -> (Option<i32>, Value, String) {
    let output = bin::podlint(repo())
        .args(["check", "--format", "json", "--fail-level", "never"])
        .args(args)
        .output()
        .expect("podlint runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let report = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output.status.code(), report, stderr)
}

fn found(report: &Value) -> BTreeSet<(String, u64, String)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap_or_default().to_string(),
                f["line"].as_u64().unwrap_or_default(),
                f["rule"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn charts() -> Vec<PathBuf> {
    let mut charts = Vec::new();
    for group in ["fixtures/charts", "fixtures/render-failed"] {
        for entry in std::fs::read_dir(repo().join(group))
            .expect("fixture charts")
            .flatten()
        {
            if entry.path().join("Chart.yaml").is_file() {
                charts.push(entry.path());
            }
        }
    }
    charts.sort();
    charts
}

#[test]
fn every_fixture_chart_matches_its_expect_markers() {
    if !bin::helm_available("every_fixture_chart_matches_its_expect_markers") {
        return;
    }
    let mut failures = Vec::new();
    let all = charts();
    assert!(all.len() >= 11, "{} fixture charts", all.len());
    for chart in all {
        let expected = expected(&chart);
        let wanted: BTreeSet<&str> = expected.iter().map(|(_, _, r)| r.as_str()).collect();
        assert!(!wanted.is_empty(), "{}: no markers", chart.display());
        let disabled: Vec<&str> = RULES
            .iter()
            .map(|r| r.id)
            .filter(|id| !wanted.contains(id))
            .collect();
        let relative = chart.strip_prefix(repo()).expect("under the repository");
        let name = relative.display().to_string();
        let disable = disabled.join(",");
        let (code, report, stderr) = json(&[&name, "--disable", &disable]);
        assert_eq!(code, Some(0), "{name}: {stderr}");
        let found = found(&report);
        for missing in expected.difference(&found) {
            failures.push(format!(
                "{}:{}: expected {} here, got nothing",
                missing.0, missing.1, missing.2
            ));
        }
        for extra in found.difference(&expected) {
            failures.push(format!("{}:{}: unexpected {}", extra.0, extra.1, extra.2));
        }
    }
    assert!(
        failures.is_empty(),
        "chart fixture mismatches:\n{}",
        failures.join("\n")
    );
}

#[test]
fn template_and_values_findings_point_at_the_exact_column() {
    if !bin::helm_available("template_and_values_findings_point_at_the_exact_column") {
        return;
    }
    let (stdout, code) = compact(&VALUES_CHARTS);
    assert_eq!(stdout, VALUES_FINDINGS);
    assert_eq!(code, Some(1));
}

/// Two fixture charts whose findings are placed in templates and values.
const VALUES_CHARTS: [&str; 4] = [
    "--disable",
    "liveness-probe-missing,readiness-probe-missing,dangerous-capabilities,privilege-escalation-allowed,read-only-root-fs-missing,run-as-root,resource-requests-missing",
    "fixtures/charts/values-inserts",
    "fixtures/charts/values-scalars",
];

const VALUES_FINDINGS: &str = "fixtures/charts/values-inserts/values.yaml:2:1: warning[memory-limit-missing] container `web` has no memory limit\n\
     fixtures/charts/values-inserts/values.yaml:5:3: warning[privileged-container] container `web` runs privileged\n\
     fixtures/charts/values-inserts/values.yaml:9:7: error[requests-exceed-limits] container `sidecar` requests 2Gi memory but is limited to 1Gi\n\
     fixtures/charts/values-scalars/templates/deployment.yaml:16:11: warning[memory-limit-missing] container `web` has no memory limit\n\
     fixtures/charts/values-scalars/values.yaml:3:8: warning[image-latest-tag] image `nginx:latest` uses the `latest` tag\n\
     fixtures/charts/values-scalars/values.yaml:4:1: warning[host-namespace] the Pod shares the node's network namespace (hostNetwork: true)\n";

/// podlint starts helm before the chart's copy is complete, with a named
/// pipe as its first values file that opens when the copy is: a helm that
/// read the chart before its values would fail there, and is run again
/// without the pipe, on the complete copy.
#[cfg(unix)]
#[test]
fn a_helm_that_fails_before_reading_its_values_is_run_again_on_the_whole_copy() {
    if !bin::helm_available(
        "a_helm_that_fails_before_reading_its_values_is_run_again_on_the_whole_copy",
    ) {
        return;
    }
    let scratch = tempfile::tempdir().expect("temporary folder");
    // Arguments: template RELEASE CHART --namespace NS --values FIRST ...
    let helm = stand_in_helm(
        scratch.path(),
        "#!/bin/sh\n[ -p \"$7\" ] && { echo 'Error: Chart.yaml file is missing' >&2; exit 1; }\nexec helm \"$@\"\n",
    );
    let mut args = vec!["--helm", helm.to_str().expect("a UTF-8 path")];
    args.extend(VALUES_CHARTS);
    let (stdout, code) = compact(&args);
    assert_eq!(stdout, VALUES_FINDINGS);
    assert_eq!(code, Some(1));
}

/// The compact report of `podlint check --format compact ARGS` run in the
/// repository, and the exit code.
fn compact(args: &[&str]) -> (String, Option<i32>) {
    let output = bin::podlint(repo())
        .args(["check", "--format", "compact"])
        .args(args)
        .output()
        .expect("podlint runs");
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        output.status.code(),
    )
}

#[test]
fn fields_written_in_a_define_point_at_its_line_unless_its_caller_changes_it() {
    if !bin::helm_available(
        "fields_written_in_a_define_point_at_its_line_unless_its_caller_changes_it",
    ) {
        return;
    }
    let others: Vec<&str> = RULES
        .iter()
        .map(|r| r.id)
        .filter(|id| !["image-latest-tag", "privileged-container"].contains(id))
        .collect();
    let (stdout, _) = compact(&[
        "--disable",
        &others.join(","),
        "fixtures/charts/define-fields",
    ]);
    assert_eq!(
        stdout,
        "fixtures/charts/define-fields/templates/_helpers.tpl:4:3: warning[image-latest-tag] image `busybox:latest` uses the `latest` tag\n\
         fixtures/charts/define-fields/templates/_helpers.tpl:6:5: warning[privileged-container] container `sidecar` runs privileged\n\
         fixtures/charts/define-fields/templates/deployment.yaml:2:1: warning[image-latest-tag] image `alpine:latest` uses the `latest` tag\n"
    );
}

#[test]
fn values_findings_name_the_template_line_and_the_rendered_line() {
    if !bin::helm_available("values_findings_name_the_template_line_and_the_rendered_line") {
        return;
    }
    let (_, report, _) = json(&[
        "fixtures/charts/values-inserts",
        "--disable",
        "liveness-probe-missing,readiness-probe-missing,dangerous-capabilities,privilege-escalation-allowed,read-only-root-fs-missing,run-as-root,resource-requests-missing,privileged-container,requests-exceed-limits",
    ]);
    let finding = &report["findings"][0];
    assert_eq!(
        finding["file"],
        "fixtures/charts/values-inserts/values.yaml"
    );
    assert_eq!(
        finding["origin"],
        serde_json::json!({
            "rendered_from": "fixtures/charts/values-inserts/templates/deployment.yaml",
            "line": 19,
            "renders": ["values.yaml"],
        })
    );
    assert_eq!(
        finding["related"],
        serde_json::json!([{
            "file": "fixtures/charts/values-inserts/templates/deployment.yaml",
            "line": 17,
            "column": 11,
            "message": "inserted here",
        }])
    );
}

#[test]
fn a_finding_that_renders_share_is_reported_once_naming_them() {
    if !bin::helm_available("a_finding_that_renders_share_is_reported_once_naming_them") {
        return;
    }
    let (_, report, _) = json(&[
        "fixtures/charts/ci-renders",
        "--disable",
        "liveness-probe-missing,readiness-probe-missing,dangerous-capabilities,privilege-escalation-allowed,read-only-root-fs-missing,run-as-root,resource-requests-missing,memory-limit-missing",
    ]);
    let renders: Vec<(String, Value)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_string(),
                f["origin"]["renders"].clone(),
            )
        })
        .collect();
    assert_eq!(
        renders,
        vec![
            (
                "host-namespace".to_string(),
                serde_json::json!(["ci/host-network-values.yaml"])
            ),
            (
                "privileged-container".to_string(),
                serde_json::json!(["values.yaml", "ci/host-network-values.yaml"])
            ),
        ]
    );
    let human = bin::podlint(repo())
        .args(["check", "--enable", "host-namespace", "--disable", "privileged-container,liveness-probe-missing,readiness-probe-missing,dangerous-capabilities,privilege-escalation-allowed,read-only-root-fs-missing,run-as-root,resource-requests-missing,memory-limit-missing", "fixtures/charts/ci-renders"])
        .output()
        .expect("podlint runs");
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(
        text.contains("in 1 of 2 renders: ci/host-network-values.yaml"),
        "{text}"
    );
}

#[test]
fn a_file_inside_a_chart_lints_that_chart_once() {
    if !bin::helm_available("a_file_inside_a_chart_lints_that_chart_once") {
        return;
    }
    let whole = json(&["fixtures/charts/with-subchart"]).1;
    let through_files = json(&[
        "fixtures/charts/with-subchart/charts/db/templates/statefulset.yaml",
        "fixtures/charts/with-subchart/values.yaml",
    ])
    .1;
    assert_eq!(whole["findings"], through_files["findings"]);
    assert!(!found(&whole).is_empty());
}

#[test]
fn without_helm_charts_are_a_usage_error_and_other_files_are_linted() {
    let output = bin::podlint(repo())
        .args([
            "check",
            "--format",
            "compact",
            "--helm",
            "/nonexistent/helm",
            "fixtures/charts/values-scalars",
            "fixtures/bare-pod",
        ])
        .output()
        .expect("podlint runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("the helm binary /nonexistent/helm was not found")
            && stderr.contains("--helm PATH")
            && stderr.contains("helm: {binary: PATH}")
            && stderr.contains("not linted: fixtures/charts/values-scalars"),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("fixtures/bare-pod/"), "{stdout}");
}

#[test]
fn the_render_failed_doc_examples_fail_and_pass_in_a_chart() {
    if !bin::helm_available("the_render_failed_doc_examples_fail_and_pass_in_a_chart") {
        return;
    }
    let doc = std::fs::read_to_string(repo().join("rules/render-failed.md")).expect("doc");
    let example = |heading: &str| {
        let after = doc.split_once(heading).expect("heading").1;
        let start = after.find("```yaml\n").expect("yaml block") + "```yaml\n".len();
        let end = after[start..].find("```").expect("closed block") + start;
        after[start..end].to_string()
    };
    for (heading, fails) in [("## Failing example", true), ("## Fixed example", false)] {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("templates")).expect("templates");
        std::fs::write(
            dir.path().join("Chart.yaml"),
            "apiVersion: v2\nname: example\nversion: 0.1.0\n",
        )
        .expect("Chart.yaml");
        std::fs::write(dir.path().join("values.yaml"), "image: {}\n").expect("values");
        std::fs::write(
            dir.path().join("templates/deployment.yaml"),
            example(heading),
        )
        .expect("template");
        let output = bin::podlint(dir.path())
            .args([
                "check",
                "--format",
                "compact",
                "--disable",
                "selector-mismatch,invalid-field",
                ".",
            ])
            .output()
            .expect("podlint runs");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(
            stdout.contains("render-failed"),
            fails,
            "{heading}: {stdout}"
        );
    }
}

#[test]
fn every_real_chart_that_renders_reports_only_files_of_the_chart() {
    let charts = repo().join("../shared/charts");
    if !charts.is_dir()
        || !bin::helm_available("every_real_chart_that_renders_reports_only_files_of_the_chart")
    {
        eprintln!("../shared/charts is not beside the repository; nothing to check");
        return;
    }
    let (code, report, stderr) = json(&["../shared/charts"]);
    assert_eq!(code, Some(0), "{stderr}");
    let findings = report["findings"].as_array().expect("findings");
    let failed: Vec<&Value> = findings
        .iter()
        .filter(|f| f["rule"] == "render-failed")
        .collect();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0]["file"], "../shared/charts/argo-cd/Chart.yaml");
    for finding in findings {
        let file = finding["file"].as_str().unwrap_or_default();
        let path = repo().join(file);
        assert!(path.is_file(), "{file} is not a file of a chart");
        assert!(file.starts_with("../shared/charts/"), "{file}");
    }
}

/// A stand-in helm in `dir` that runs `script` (a shell script), made
/// executable; its path.
#[cfg(unix)]
fn stand_in_helm(dir: &Path, script: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let helm = dir.join("helm");
    std::fs::write(&helm, script).expect("write the stand-in helm");
    std::fs::set_permissions(&helm, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    helm
}

/// Where helm was asked to render, as a stand-in helm (which renders
/// nothing) wrote it down; `tmpdir`: the TMPDIR podlint runs with.
#[cfg(unix)]
fn chart_copy_rendered(tmpdir: Option<&Path>) -> PathBuf {
    let scratch = tempfile::tempdir().expect("temporary folder");
    let record = scratch.path().join("rendered");
    let helm = stand_in_helm(
        scratch.path(),
        &format!("#!/bin/sh\nprintf %s \"$3\" > '{}'\n", record.display()),
    );
    let mut command = bin::podlint(repo());
    command.env_remove("TMPDIR");
    if let Some(dir) = tmpdir {
        command.env("TMPDIR", dir);
    }
    let output = command
        .args(["check", "--format", "compact", "--helm"])
        .arg(&helm)
        .arg("fixtures/charts/values-scalars")
        .output()
        .expect("podlint runs");
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    PathBuf::from(std::fs::read_to_string(&record).expect("helm was run"))
}

#[cfg(unix)]
#[test]
fn the_chart_copy_is_made_in_tmpdir_when_set_and_removed() {
    let tmpdir = tempfile::tempdir().expect("temporary folder");
    let rendered = chart_copy_rendered(Some(tmpdir.path()));
    let copy = rendered.parent().expect("the copy's folder");
    assert!(copy.starts_with(tmpdir.path()), "{}", rendered.display());
    assert!(copy
        .file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with("podlint-helm-")));
    assert!(!copy.exists(), "{} was left behind", copy.display());
}

/// Removing the copy's links from a busy disk took longer than linting a
/// small chart: where the system has a memory file system, it goes there.
#[cfg(target_os = "linux")]
#[test]
fn the_chart_copy_is_made_in_memory_without_tmpdir_and_removed() {
    let memory = Path::new("/dev/shm");
    if !memory.is_dir() {
        eprintln!("skipped: this system has no /dev/shm");
        return;
    }
    let rendered = chart_copy_rendered(None);
    let copy = rendered.parent().expect("the copy's folder");
    assert_eq!(copy.parent(), Some(memory), "{}", rendered.display());
    assert!(!copy.exists(), "{} was left behind", copy.display());
}

/// Renders start before the copy is complete only as many at once as the
/// jobs allow: at `-j 1` (with two inputs, so that the run has a pool of
/// its own) a chart's two renders never run together.
#[cfg(unix)]
#[test]
fn at_one_job_a_charts_renders_run_one_at_a_time() {
    let scratch = tempfile::tempdir().expect("temporary folder");
    // Arguments: template RELEASE CHART --namespace NS [--values FIRST ...]
    let helm = stand_in_helm(
        scratch.path(),
        "#!/bin/sh\nmkdir \"$0.running\" 2>/dev/null || echo overlap >> \"$0.log\"\n[ -p \"$7\" ] && cat \"$7\" > /dev/null\nsleep 0.2\nrmdir \"$0.running\"\necho rendered >> \"$0.log\"\n",
    );
    let empty = scratch.path().join("empty.yaml");
    std::fs::write(&empty, "").expect("write an empty manifest");
    let (stdout, code) = compact(&[
        "-j",
        "1",
        "--helm",
        helm.to_str().expect("a UTF-8 path"),
        "fixtures/charts/ci-renders",
        empty.to_str().expect("a UTF-8 path"),
    ]);
    assert_eq!(stdout, "");
    assert_eq!(code, Some(0));
    let log = std::fs::read_to_string(scratch.path().join("helm.log")).expect("helm ran");
    assert_eq!(log, "rendered\nrendered\n");
}

//! CustomResourceDefinitions type custom resources (`fixtures/crds/`): the
//! CRDs of the run, of `--crds` folders and of config `crds:`, whose files
//! are not linted themselves.

mod bin;

use assert_cmd::Command;

fn podlint() -> Command {
    bin::podlint(std::path::Path::new(env!("CARGO_MANIFEST_DIR")))
}

/// A run's JSON report.
fn json_report(args: &[&str]) -> serde_json::Value {
    let output = podlint()
        .args(["check", "--format", "json", "--fail-level", "never"])
        .args(args)
        .output()
        .expect("podlint runs");
    serde_json::from_slice(&output.stdout).expect("JSON output")
}

/// How many files a run lints (its JSON summary).
fn files_linted(args: &[&str]) -> u64 {
    json_report(args)["summary"]["files"]
        .as_u64()
        .unwrap_or_default()
}

/// The compact lines of the schema rules, and standard error.
fn schema_lines(args: &[&str]) -> (Vec<String>, String) {
    let output = podlint()
        .args(["check", "--format", "compact", "--fail-level", "never"])
        .args(args)
        .output()
        .expect("podlint runs");
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let lines = stdout
        .lines()
        .filter(|l| {
            ["unknown-field", "invalid-field", "deprecated-api-version"]
                .iter()
                .any(|r| l.contains(&format!("[{r}]")))
        })
        .map(str::to_string)
        .collect();
    (lines, String::from_utf8_lossy(&output.stderr).into_owned())
}

const TYPED: &[&str] = &[
    "fixtures/crds/manifests/clusters.yaml:25:20: error[invalid-field] expected an integer, found the string \"16\"",
    "fixtures/crds/manifests/clusters.yaml:28:5: error[unknown-field] `replica` is not a field of PostgresCluster spec.instances[]",
    "fixtures/crds/manifests/clusters.yaml:29:9: error[invalid-field] `clustered` is not one of `standalone`, `replicated`",
    "fixtures/crds/manifests/clusters.yaml:31:16: error[invalid-field] expected an integer or a string, found a list",
    "fixtures/crds/manifests/clusters.yaml:33:22: error[invalid-field] expected a string, found `200`",
    "fixtures/crds/manifests/legacy.yaml:1:13: error[deprecated-api-version] PostgresCluster is not served as db.example.com/v1beta1: its CRD serves db.example.com/v1",
];

#[test]
fn crds_from_a_folder_type_the_custom_resources_and_are_not_linted() {
    let args = [
        "fixtures/crds/manifests",
        "--crds",
        "fixtures/crds/definitions",
    ];
    let (lines, _) = schema_lines(&args);
    assert_eq!(lines, TYPED);
    // The two manifests only: the CRD's file is not linted.
    assert_eq!(files_linted(&args), 2);
}

#[test]
fn without_their_crd_custom_resources_stay_silent() {
    let (lines, _) = schema_lines(&["fixtures/crds/manifests"]);
    assert!(lines.is_empty(), "{lines:#?}");
}

#[test]
fn a_config_names_crd_folders_relative_to_itself() {
    let (lines, _) = schema_lines(&["fixtures/crds/configured"]);
    assert_eq!(
        lines,
        ["fixtures/crds/configured/cluster.yaml:5:1: error[invalid-field] PostgresCluster spec has no `instances`"]
    );
    assert_eq!(files_linted(&["fixtures/crds/configured"]), 1);
}

#[test]
fn a_crd_in_the_run_types_the_resources_of_other_files() {
    let (lines, _) = schema_lines(&["fixtures/crds"]);
    let mut expected = vec![
        CHART,
        "fixtures/crds/configured/cluster.yaml:5:1: error[invalid-field] PostgresCluster spec has no `instances`",
    ];
    expected.extend(TYPED);
    assert_eq!(lines, expected);
}

const CHART: &str = "fixtures/crds/chart/templates/cluster.yaml:10:5: error[unknown-field] `storageClas` is not a field of PostgresCluster spec.instances[]";

#[test]
fn the_crds_folder_of_a_chart_types_its_rendered_resources() {
    let (lines, _) = schema_lines(&["fixtures/crds/chart"]);
    assert_eq!(lines, [CHART]);
}

#[test]
fn an_unknown_key_of_a_custom_resource_names_the_closest_property() {
    let report = json_report(&[
        "--crds",
        "fixtures/crds/definitions",
        "fixtures/crds/manifests/clusters.yaml",
    ]);
    let unknown: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["rule"] == "unknown-field")
        .collect();
    assert_eq!(unknown.len(), 1);
    assert_eq!(unknown[0]["help"], "did you mean `replicas`?");
    assert_eq!(
        (
            &unknown[0]["line"],
            &unknown[0]["column"],
            &unknown[0]["end_line"],
            &unknown[0]["end_column"]
        ),
        (&28.into(), &5.into(), &28.into(), &12.into())
    );
}

#[test]
fn a_missing_crd_folder_is_a_warning_and_the_rest_is_linted() {
    let output = podlint()
        .args([
            "check",
            "--format",
            "compact",
            "--fail-level",
            "never",
            "--crds",
            "fixtures/crds/absent",
        ])
        .arg("fixtures/crds/manifests")
        .output()
        .expect("podlint runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("podlint: warning: cannot read fixtures/crds/absent"),
        "{stderr}"
    );
    assert_eq!(output.status.code(), Some(0));
}

/// `fixtures/crd-scoping` copied into a temporary folder; `git`: whether
/// `operator/` and `app/` are git repositories (one a clone, with a `.git`
/// folder, the other a worktree, with a `.git` file).
fn two_repositories(git: bool) -> tempfile::TempDir {
    let dir = tempfile::TempDir::new().expect("temp dir");
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/crd-scoping");
    for file in [
        "operator/config/crd/bases/db.example.com_postgresclusters.yaml",
        "operator/config/samples/db_v1_postgrescluster.yaml",
        "app/deploy/cluster.yaml",
    ] {
        let to = dir.path().join(file);
        std::fs::create_dir_all(to.parent().expect("a folder")).expect("folder made");
        std::fs::copy(fixture.join(file), to).expect("fixture copied");
    }
    if git {
        std::fs::create_dir(dir.path().join("operator/.git")).expect(".git made");
        std::fs::write(dir.path().join("app/.git"), "gitdir: /elsewhere\n").expect(".git made");
    }
    dir
}

/// The schema findings of `podlint check ARGS` run in `dir`.
fn schema_lines_in(dir: &std::path::Path, args: &[&str]) -> Vec<String> {
    let output = bin::podlint(dir)
        .args(["check", "--format", "compact", "--fail-level", "never"])
        .args(args)
        .output()
        .expect("podlint runs");
    assert_eq!(output.status.code(), Some(0));
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|l| l.contains("[unknown-field]") || l.contains("[invalid-field]"))
        .map(str::to_string)
        .collect()
}

const SAMPLE: &str = "operator/config/samples/db_v1_postgrescluster.yaml:9:5: error[unknown-field] `replica` is not a field of PostgresCluster spec.instances[]";
const APP: &str = "app/deploy/cluster.yaml:8:20: error[invalid-field] expected an integer, found the string \"16\"";

#[test]
fn a_crd_types_the_resources_of_its_own_repository_only() {
    for git in [true, false] {
        let repos = two_repositories(git);
        // One run over both: the operator's CRD types its sample, not the app.
        assert_eq!(
            schema_lines_in(repos.path(), &["."]),
            [SAMPLE],
            "git: {git}"
        );
        // Each repository alone gives the same.
        assert_eq!(
            schema_lines_in(repos.path(), &["operator"]),
            [SAMPLE],
            "git: {git}"
        );
        assert!(
            schema_lines_in(repos.path(), &["app"]).is_empty(),
            "git: {git}"
        );
    }
}

#[test]
fn a_crd_given_with_crds_types_every_repository() {
    for git in [true, false] {
        let repos = two_repositories(git);
        let crd = "operator/config/crd/bases";
        assert_eq!(
            schema_lines_in(repos.path(), &[".", "--crds", crd]),
            [APP, SAMPLE],
            "git: {git}"
        );
        assert_eq!(
            schema_lines_in(repos.path(), &["app", "--crds", crd]),
            [APP],
            "git: {git}"
        );
    }
}

#[test]
fn outside_git_a_crd_types_its_top_level_folder_of_the_named_path() {
    let repos = two_repositories(false);
    // Named inside the operator, its `crd/` and `samples/` folders are apart.
    assert!(schema_lines_in(
        &repos.path().join("operator"),
        &["config/crd", "config/samples"]
    )
    .is_empty());
    // In a git repository they are one repository.
    let repos = two_repositories(true);
    assert_eq!(
        schema_lines_in(&repos.path().join("operator"), &["config/crd", "config/samples"]),
        ["config/samples/db_v1_postgrescluster.yaml:9:5: error[unknown-field] `replica` is not a field of PostgresCluster spec.instances[]"]
    );
}

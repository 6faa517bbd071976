//! `--format sarif`: valid against the official SARIF 2.1.0 schema (kept in
//! tests/schemas/, see its README), with the rule metadata and fingerprints
//! that GitHub code scanning uses.

mod bin;

use std::path::Path;

use bin::podlint;
use podlint::rules::{Level, RULES};
use serde_json::{json, Value};

const WEB: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        resources:
          requests: {cpu: 100m, memory: 64Mi}
        readinessProbe:
          httpGet: {path: /, port: 80}
        livenessProbe:
          httpGet: {path: /, port: 80}
";

/// The schema violations of a log, formats included (at most 10).
fn violations(log: &Value) -> Vec<String> {
    let schema_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/sarif-schema-2.1.0.json");
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(&schema_path).expect("the schema is in the repository"),
    )
    .expect("the schema is JSON");
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the schema compiles");
    validator
        .iter_errors(log)
        .take(10)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

/// Parses SARIF output and asserts that it is valid.
fn validated(stdout: &[u8]) -> Value {
    let log: Value = serde_json::from_slice(stdout).expect("SARIF output is JSON");
    let errors = violations(&log);
    assert!(
        errors.is_empty(),
        "SARIF schema violations:\n{}",
        errors.join("\n")
    );
    log
}

fn sarif(dir: &Path, paths: &[&str], code: i32) -> Value {
    let output = podlint(dir)
        .args(["check", "--format", "sarif"])
        .args(paths)
        .assert()
        .code(code)
        .get_output()
        .clone();
    validated(&output.stdout)
}

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    bin::without_security_rules(dir.path());
    std::fs::create_dir(dir.path().join("deploy")).expect("mkdir");
    std::fs::write(dir.path().join("deploy/web.yaml"), WEB).expect("write");
    dir
}

fn fingerprint(result: &Value) -> &str {
    result["partialFingerprints"]["podlint/v1"]
        .as_str()
        .expect("a podlint fingerprint")
}

#[test]
fn a_result_has_rule_level_message_region_and_fingerprint() {
    let dir = repo();
    let log = sarif(dir.path(), &["./deploy"], 1);
    let index = RULES
        .iter()
        .position(|r| r.id == "memory-limit-missing")
        .expect("registered");
    let results = log["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 1);
    let fp = fingerprint(&results[0]).to_string();
    assert_eq!(
        results[0],
        json!({
            "ruleId": "memory-limit-missing",
            "ruleIndex": index,
            "level": "warning",
            "message": {"text": "container `web` has no memory limit\nhelp: set resources.limits.memory: without it one leak can exhaust the node and get other Pods OOMKilled"},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": "deploy/web.yaml", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 15, "startColumn": 9, "endLine": 15, "endColumn": 18}
            }}],
            "partialFingerprints": {"podlint/v1": fp},
            "properties": {
                "object": {"kind": "Deployment", "name": "web", "namespace": null},
                "container": "web"
            }
        })
    );
    assert!(
        fp.len() == 18 && fp.ends_with(":1"),
        "fingerprint is a 64-bit hash and an occurrence: {fp}"
    );
    let root = dir.path().canonicalize().expect("canonical temp dir");
    let run = &log["runs"][0];
    assert_eq!(
        run["originalUriBaseIds"],
        json!({"%SRCROOT%": {"uri": format!("file://{}/", root.display())}})
    );
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    assert_eq!(run["invocations"], json!([{"executionSuccessful": true}]));
    assert_eq!(log["version"], "2.1.0");
}

#[test]
fn the_driver_lists_every_rule_with_its_documentation() {
    let dir = repo();
    let log = sarif(dir.path(), &["deploy"], 1);
    let driver = &log["runs"][0]["tool"]["driver"];
    assert_eq!(driver["name"], "podlint");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(driver["informationUri"], env!("CARGO_PKG_REPOSITORY"));
    let rules = driver["rules"].as_array().expect("rules");
    assert_eq!(rules.len(), RULES.len());
    for (rule, sarif) in RULES.iter().zip(rules) {
        let meta = rule.meta();
        let (enabled, level) = match meta.level {
            Level::On(severity) => (
                true,
                match severity.as_str() {
                    "info" => "note",
                    other => other,
                },
            ),
            Level::Off => (false, "none"),
        };
        assert_eq!(sarif["id"], rule.id);
        assert_eq!(sarif["shortDescription"]["text"], meta.summary);
        assert_eq!(sarif["help"]["markdown"], meta.body);
        assert_eq!(sarif["help"]["text"], meta.body);
        assert_eq!(
            sarif["defaultConfiguration"],
            json!({"enabled": enabled, "level": level}),
            "{}",
            rule.id
        );
        assert_eq!(sarif["properties"]["tags"], json!([meta.category]));
        assert_eq!(
            sarif["helpUri"],
            format!(
                "{}/blob/main/rules/{}.md",
                env!("CARGO_PKG_REPOSITORY"),
                rule.id
            )
        );
    }
    let memory = &rules[RULES
        .iter()
        .position(|r| r.id == "memory-limit-missing")
        .expect("registered")];
    assert_eq!(memory["name"], "MemoryLimitMissing");
    assert_eq!(
        memory["fullDescription"]["text"],
        "Every container of a Pod spec (init containers and native sidecars included)\n\
         must set `resources.limits.memory`."
    );
}

#[test]
fn fingerprints_survive_unrelated_edits() {
    let dir = repo();
    let before = sarif(dir.path(), &["deploy"], 1);
    let edited = format!(
        "# deployed by the platform team\n{}",
        WEB.replace("nginx:1.27", "nginx:1.28")
    );
    std::fs::write(dir.path().join("deploy/web.yaml"), edited).expect("write");
    let after = sarif(dir.path(), &["deploy"], 1);
    let (before, after) = (
        &before["runs"][0]["results"][0],
        &after["runs"][0]["results"][0],
    );
    let line = "/locations/0/physicalLocation/region/startLine";
    assert_eq!(before.pointer(line), Some(&json!(15)));
    assert_eq!(after.pointer(line), Some(&json!(16)));
    assert_eq!(fingerprint(before), fingerprint(after));
}

#[test]
fn unreadable_paths_are_tool_notifications() {
    let dir = repo();
    let log = sarif(dir.path(), &["deploy", "missing.yaml"], 2);
    let invocation = &log["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let text = invocation["toolExecutionNotifications"][0]["message"]["text"]
        .as_str()
        .expect("a notification");
    assert!(text.starts_with("cannot read missing.yaml: "), "{text}");
}

/// Guards the guard: the validator does reject what GitHub would.
#[test]
fn the_schema_rejects_a_broken_log() {
    let dir = repo();
    let mut log = sarif(dir.path(), &["deploy"], 1);
    log["runs"][0]["results"][0]["level"] = json!("fatal");
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        json!(0);
    assert_eq!(violations(&log).len(), 2, "{:?}", violations(&log));
}

#[test]
fn the_fixtures_validate() {
    let log = sarif(Path::new(env!("CARGO_MANIFEST_DIR")), &["fixtures"], 1);
    let results = log["runs"][0]["results"].as_array().expect("results");
    assert!(!results.is_empty());
}

/// The real-world corpus sits beside the repository in CI (`../shared`).
#[test]
fn the_corpus_validates() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    if bin::shared_corpus("sarif::the_corpus_validates (all of it)").is_none() {
        return;
    }
    let log = sarif(repo, &["../shared/corpus"], 1);
    let results = log["runs"][0]["results"].as_array().expect("results");
    assert!(results.len() > 100, "{} results", results.len());
    for result in results {
        let region = result.pointer("/locations/0/physicalLocation/region");
        assert!(
            region.is_some_and(|r| r["startLine"].is_u64() && r["endColumn"].is_u64()),
            "{result}"
        );
    }
}

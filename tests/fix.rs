//! `podlint check --fix`, `--diff` and `--unsafe-fixes` through the binary:
//! each fixable rule's fixture against its expected output, the bytes that
//! must survive a fix, diffs that `git apply` takes, and the whole corpus.

mod bin;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use bin::podlint;
use podlint::fix::Applicability;
use podlint::rules::RULES;
use podlint::source::{self, Node, Value};

/// A `.podlint.yaml` in `dir` that turns off every rule but `keep`.
fn only_rule(dir: &Path, keep: &str) {
    let mut config = String::from("rules:\n");
    for rule in RULES.iter().filter(|r| r.id != keep) {
        config.push_str(&format!("  {}: off\n", rule.id));
    }
    config.push_str(&format!("  {keep}: warning\n"));
    std::fs::write(dir.join(".podlint.yaml"), config).expect("write config");
}

/// A document as plain data (no spans, no comments), with every mapping
/// entry whose key is in `ignored` left out.
fn data(node: &Node, ignored: &[&str]) -> serde_json::Value {
    match &node.value {
        Value::Scalar(scalar) => serde_json::Value::String(scalar.text.to_string()),
        Value::Seq(items) => items.iter().map(|item| data(item, ignored)).collect(),
        Value::Map(entries) => serde_json::Value::Object(
            entries
                .iter()
                .filter(|e| !e.key.as_str().is_some_and(|k| ignored.contains(&k)))
                .map(|e| {
                    (
                        e.key.as_str().unwrap_or("?").to_string(),
                        data(&e.value, ignored),
                    )
                })
                .collect(),
        ),
    }
}

fn documents(text: &str, ignored: &[&str]) -> Vec<serde_json::Value> {
    source::parse(text)
        .documents
        .iter()
        .map(|d| data(&d.root, ignored))
        .collect()
}

/// The keys a rule's fix may change; everything else must parse the same.
fn fixed_keys(rule: &str) -> &'static [&'static str] {
    match rule {
        "unknown-field" => &[
            "imagePullPolicyy",
            "imagePullPolicy",
            "readinessProbee",
            "readinessProbe",
        ],
        "deprecated-api-version" => &["apiVersion"],
        "duplicate-key" => &[],
        _ => &["securityContext"],
    }
}

/// Every rule that declares a fix has `fixtures/fix/<id>/before.yaml`; with
/// only that rule on, `--fix` (and `--unsafe-fixes` for unsafe ones) turns
/// it into `after.yaml` byte for byte, which then has no finding of the
/// rule and parses to the same objects but for the fixed fields.
/// `PODLINT_BLESS=1` writes `after.yaml` from what podlint makes.
#[test]
fn each_fixable_rule_turns_its_fixture_into_the_expected_file() {
    let bless = std::env::var_os("PODLINT_BLESS").is_some();
    let fixable: Vec<_> = RULES.iter().filter(|r| r.meta().fix.is_some()).collect();
    assert_eq!(fixable.len(), 7, "rules with a fix: update this test");
    for rule in fixable {
        let folder = Path::new("fixtures").join("fix").join(rule.id);
        let before = std::fs::read_to_string(folder.join("before.yaml"))
            .unwrap_or_else(|e| panic!("{}: {e}", folder.display()));
        let dir = tempfile::tempdir().expect("tempdir");
        only_rule(dir.path(), rule.id);
        std::fs::write(dir.path().join("m.yaml"), &before).expect("write");
        let mut args = vec!["check", "--fix", "--format", "json", "m.yaml"];
        if rule.meta().fix == Some(Applicability::Unsafe) {
            // Without the flag an unsafe fix is not applied.
            let safe_only = podlint(dir.path())
                .args(["check", "--fix", "m.yaml"])
                .output()
                .expect("run");
            assert_eq!(safe_only.status.code(), Some(1), "{}", rule.id);
            let unchanged = std::fs::read_to_string(dir.path().join("m.yaml")).expect("read");
            assert_eq!(
                unchanged, before,
                "{}: unsafe fix applied without the flag",
                rule.id
            );
            args.insert(2, "--unsafe-fixes");
        }
        let run = podlint(dir.path()).args(&args).output().expect("run");
        let after = std::fs::read_to_string(dir.path().join("m.yaml")).expect("read");
        if bless {
            std::fs::write(folder.join("after.yaml"), &after).expect("bless");
        }
        let expected = std::fs::read_to_string(folder.join("after.yaml")).expect("after.yaml");
        assert_eq!(after, expected, "{}: --fix output differs", rule.id);
        assert_ne!(after, before, "{}: nothing was fixed", rule.id);
        let report: serde_json::Value = serde_json::from_slice(&run.stdout).expect("json");
        let remaining: Vec<_> = report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| f["rule"] == rule.id)
            .map(|f| (f["line"].clone(), f["message"].clone()))
            .collect();
        // The one finding each of these leaves to a person: a `replicas`
        // repeated with another value, a Deployment that needs a selector,
        // a `drop` list that exists without ALL.
        let expected_remaining = match rule.id {
            "duplicate-key" | "deprecated-api-version" | "dangerous-capabilities" => 1,
            _ => 0,
        };
        assert_eq!(
            remaining.len(),
            expected_remaining,
            "{}: {remaining:?}",
            rule.id
        );
        let ignored = fixed_keys(rule.id);
        assert_eq!(
            documents(&before, ignored),
            documents(&after, ignored),
            "{}: the fix changed more than its field",
            rule.id
        );
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(
            stderr.contains("podlint: applied "),
            "{}: {stderr}",
            rule.id
        );
    }
}

/// Only the bytes of the fix change: a UTF-8 BOM, CRLF line endings,
/// comments, quoting and the file's permissions stay as they were.
#[test]
fn fix_keeps_bom_line_endings_comments_and_permissions() {
    let dir = tempfile::tempdir().expect("tempdir");
    only_rule(dir.path(), "unknown-field");
    let text = "\u{feff}# owned by team-a\r\napiVersion: v1\r\nkind: Pod\r\nmetadata:\r\n  name: p  # short\r\nspec:\r\n  containers:\r\n    - name: 'c'\r\n      image: 'nginx:1.25'\r\n      'imagePullPolicyy': 'Always'   # why not\r\n";
    let path = dir.path().join("pod.yaml");
    std::fs::write(&path, text).expect("write");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    }
    let run = podlint(dir.path())
        .args(["check", "--fix", "--format", "compact", "pod.yaml"])
        .output()
        .expect("run");
    assert_eq!(run.status.code(), Some(0), "{run:?}");
    assert_eq!(String::from_utf8_lossy(&run.stdout), "");
    assert_eq!(
        String::from_utf8_lossy(&run.stderr),
        "podlint: applied 1 fix in 1 file\n"
    );
    let fixed = std::fs::read(&path).expect("read");
    assert_eq!(
        String::from_utf8_lossy(&fixed),
        text.replace("'imagePullPolicyy'", "'imagePullPolicy'")
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).expect("stat").permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
    }
    // Nothing but the file itself is left in the folder.
    let names: BTreeSet<String> = std::fs::read_dir(dir.path())
        .expect("ls")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        BTreeSet::from([".podlint.yaml".into(), "pod.yaml".into()])
    );
}

const TWO_FIXES: &str = "apiVersion: batch/v1beta1\nkind: CronJob\nmetadata:\n  name: c\nspec:\n  schedule: \"@daily\"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: OnFailure\n          containers:\n            - name: c\n              image: busybox:1.36\n              imagePullPolicyy: IfNotPresent\n";

/// `--diff` writes nothing, exits 1 when there is something to fix, and
/// prints a patch that `git apply` turns into what `--fix` writes.
#[test]
fn diff_changes_nothing_and_git_apply_takes_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join("jobs")).expect("mkdir");
    let path = dir.path().join("jobs/cron.yaml");
    std::fs::write(&path, TWO_FIXES).expect("write");
    let run = podlint(dir.path())
        .args(["check", "--diff", "jobs"])
        .output()
        .expect("run");
    assert_eq!(run.status.code(), Some(1));
    let patch = String::from_utf8_lossy(&run.stdout).into_owned();
    assert_eq!(
        patch,
        "--- a/jobs/cron.yaml\n+++ b/jobs/cron.yaml\n@@ -1,4 +1,4 @@\n-apiVersion: batch/v1beta1\n+apiVersion: batch/v1\n kind: CronJob\n metadata:\n   name: c\n@@ -12,4 +12,4 @@\n           containers:\n             - name: c\n               image: busybox:1.36\n-              imagePullPolicyy: IfNotPresent\n+              imagePullPolicy: IfNotPresent\n"
    );
    assert_eq!(
        String::from_utf8_lossy(&run.stderr),
        "podlint: 2 fixes in 1 file would be applied by --fix\n"
    );
    assert_eq!(std::fs::read_to_string(&path).expect("read"), TWO_FIXES);

    std::fs::write(dir.path().join("fix.patch"), &patch).expect("write patch");
    let applied = std::process::Command::new("git")
        .args(["apply", "fix.patch"])
        .current_dir(dir.path())
        .status()
        .expect("git apply");
    assert!(applied.success());
    let patched = std::fs::read_to_string(&path).expect("read");
    std::fs::write(&path, TWO_FIXES).expect("restore");
    podlint(dir.path())
        .args(["check", "--fix", "jobs"])
        .output()
        .expect("run");
    assert_eq!(std::fs::read_to_string(&path).expect("read"), patched);

    // Nothing left to fix: exit 0, and no patch.
    let again = podlint(dir.path())
        .args(["check", "--diff", "jobs"])
        .output()
        .expect("run");
    assert_eq!(again.status.code(), Some(0));
    assert!(again.stdout.is_empty());
    assert_eq!(
        String::from_utf8_lossy(&again.stderr),
        "podlint: nothing to fix\n"
    );
}

/// On standard input, `--fix` prints the fixed document and nothing else.
#[test]
fn fix_on_standard_input_prints_the_fixed_document() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = podlint(dir.path())
        .args(["check", "--fix", "-"])
        .write_stdin(TWO_FIXES)
        .output()
        .expect("run");
    let expected = TWO_FIXES
        .replace("batch/v1beta1", "batch/v1")
        .replace("imagePullPolicyy", "imagePullPolicy");
    assert_eq!(String::from_utf8_lossy(&run.stdout), expected);
    // What remains (no memory limit, the security rules) still fails.
    assert_eq!(run.status.code(), Some(1));
}

#[test]
fn unsafe_fixes_go_with_fix_or_diff() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = podlint(dir.path())
        .args(["check", "--unsafe-fixes", "."])
        .output()
        .expect("run");
    assert_eq!(run.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&run.stderr),
        "podlint: error: --unsafe-fixes goes with --fix or --diff\n"
    );
}

/// A file that no longer holds what podlint read is left alone.
#[test]
fn a_file_changed_since_it_was_read_is_left_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("m.yaml");
    std::fs::write(&path, "kind: Pod\n# edited meanwhile\n").expect("write");
    let written = podlint::fix::write_in_place(&path, b"kind: Pod\n", b"kind: Pod\nfixed\n");
    let message = written.expect_err("a stale fix must not be written");
    assert!(
        message.ends_with("changed on disk while podlint read it; left alone (run --fix again)")
    );
    assert_eq!(
        std::fs::read_to_string(&path).expect("read"),
        "kind: Pod\n# edited meanwhile\n"
    );
}

/// `--fix` over a copy of every file of ../shared/corpus: every changed file
/// still parses as well as before, keeps every comment, changes only lines
/// that a fixable finding was reported on (or removes a repeated entry whose
/// text stays in the file), and finding counts fall only for fixable rules.
#[test]
fn fix_on_the_whole_corpus_changes_only_what_it_fixes() {
    let corpus = Path::new("../shared/corpus");
    if !corpus.is_dir() {
        eprintln!("skipped: ../shared/corpus is absent");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let copy = dir.path().join("corpus");
    let mut originals: BTreeMap<String, String> = BTreeMap::new();
    for entry in walkdir::WalkDir::new(corpus) {
        let entry = entry.expect("walk");
        let relative = entry.path().strip_prefix(corpus).expect("prefix");
        let target = copy.join(relative);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
        } else if entry.file_type().is_file() {
            let bytes = std::fs::read(entry.path()).expect("read");
            std::fs::write(&target, &bytes).expect("write");
            if let Ok(text) = String::from_utf8(bytes) {
                originals.insert(format!("corpus/{}", relative.display()), text);
            }
        }
    }
    let lint = || -> serde_json::Value {
        let out = podlint(dir.path())
            .args([
                "check",
                "--format",
                "json",
                "--fail-level",
                "never",
                "corpus",
            ])
            .output()
            .expect("run");
        serde_json::from_slice(&out.stdout).expect("json")
    };
    let before = lint();
    // The --fix run reports what remains: the findings after it.
    let fixed = podlint(dir.path())
        .args([
            "check",
            "--fix",
            "--format",
            "json",
            "--fail-level",
            "never",
            "corpus",
        ])
        .output()
        .expect("run");
    assert_eq!(fixed.status.code(), Some(0));
    let after: serde_json::Value = serde_json::from_slice(&fixed.stdout).expect("json");

    let fixable: BTreeSet<&str> = RULES
        .iter()
        .filter(|r| r.meta().fix == Some(Applicability::Safe))
        .map(|r| r.id)
        .collect();
    let mut fixed_lines: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
    for finding in before["findings"].as_array().expect("findings") {
        if fixable.contains(finding["rule"].as_str().unwrap_or("")) {
            let file = finding["file"].as_str().unwrap_or("").to_string();
            let line = finding["line"].as_u64().unwrap_or(0) as usize;
            fixed_lines.entry(file).or_default().insert(line);
        }
    }
    let mut changed = 0;
    for (file, original) in &originals {
        let now = std::fs::read_to_string(dir.path().join(file)).expect("read fixed");
        if &now == original {
            continue;
        }
        changed += 1;
        assert!(
            source::parse(&now).problems.len() <= source::parse(original).problems.len(),
            "{file}: parses worse after --fix"
        );
        let comments = |text: &str| -> Vec<String> {
            text.lines()
                .filter(|l| l.trim_start().starts_with('#'))
                .map(str::to_string)
                .collect()
        };
        assert_eq!(
            comments(original),
            comments(&now),
            "{file}: a comment changed"
        );
        let allowed = fixed_lines.get(file).cloned().unwrap_or_default();
        let diff = similar::TextDiff::from_lines(original.as_str(), now.as_str());
        for change in diff.iter_all_changes() {
            if change.tag() != similar::ChangeTag::Delete {
                continue;
            }
            let line = change.old_index().map_or(0, |i| i + 1);
            // A removed repeated entry: its text is still in the file.
            let repeated = now.contains(change.value());
            assert!(
                allowed.contains(&line) || repeated,
                "{file}:{line}: --fix changed a line no fixable finding was on: {:?}",
                change.value()
            );
        }
    }
    assert!(changed > 20, "only {changed} files changed");
    // What a fix removes is a finding of a fixable rule; what appears is a
    // schema finding in a fixed file: a renamed key or apiVersion is typed
    // now, and shows what was wrong under it all along.
    let keyed = |report: &serde_json::Value| -> BTreeMap<(String, String, String), usize> {
        let mut keyed = BTreeMap::new();
        for finding in report["findings"].as_array().expect("findings") {
            let text = |key: &str| finding[key].as_str().unwrap_or("").to_string();
            *keyed
                .entry((text("rule"), text("file"), text("message")))
                .or_default() += 1;
        }
        keyed
    };
    let (was, is) = (keyed(&before), keyed(&after));
    let mut removed = 0;
    for (key, &n) in &was {
        let now = is.get(key).copied().unwrap_or(0);
        if now < n {
            assert!(fixable.contains(key.0.as_str()), "--fix removed {key:?}");
            removed += n - now;
        }
    }
    for (key, &n) in &is {
        if n > was.get(key).copied().unwrap_or(0) {
            let (rule, file, _) = key;
            let revealed = (rule == "unknown-field" || rule == "invalid-field")
                && originals.get(file).is_some_and(|text| {
                    std::fs::read_to_string(dir.path().join(file)).ok().as_ref() != Some(text)
                });
            assert!(revealed, "--fix added {key:?}");
        }
    }
    assert!(
        removed >= changed,
        "{removed} findings fixed in {changed} files"
    );
}

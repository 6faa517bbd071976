//! The README's rule table is the catalog: every rule, its default severity.

use podlint::rules::RULES;

#[test]
fn readme_lists_every_rule_with_its_default_severity() {
    let readme = std::fs::read_to_string("README.md").unwrap_or_default();
    for rule in RULES {
        let meta = rule.meta();
        let row = format!(
            "| `{}` | {} | {} | {} |",
            rule.id,
            meta.level.as_str(),
            meta.category,
            meta.summary
        );
        assert!(readme.contains(&row), "README.md lacks the row: {row}");
    }
}

/// The README's example output is what podlint prints for the command it
/// names.
#[test]
fn readme_example_output_is_podlints() {
    let readme = std::fs::read_to_string("README.md").unwrap_or_default();
    let command = "`podlint check fixtures/examples/config/override` prints:";
    assert!(readme.contains(command), "README.md lacks: {command}");
    let block = readme
        .split_once("<!-- tested: example-output -->\n```\n")
        .and_then(|(_, rest)| rest.split_once("```\n"))
        .map(|(block, _)| block)
        .unwrap_or_default();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_podlint"))
        .args(["check", "fixtures/examples/config/override"])
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("PODLINT_FORMAT")
        .output()
        .unwrap_or_else(|e| panic!("podlint runs: {e}"));
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(block, String::from_utf8_lossy(&output.stdout));
}

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

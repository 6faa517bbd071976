//! The rule docs are the catalog's source of truth, and they are executable:
//! each doc's failing example fires its rule and its fixed example does not.

mod common;

use std::collections::BTreeSet;

use podlint::rules::RULES;

/// The first ```yaml block after the heading `heading`.
fn example<'a>(doc: &'a str, heading: &str) -> Option<&'a str> {
    let after = &doc[doc.find(heading)? + heading.len()..];
    let start = after.find("```yaml\n")? + "```yaml\n".len();
    let end = after[start..].find("\n```")?;
    Some(&after[start..=start + end])
}

#[test]
fn every_rule_has_a_doc_whose_metadata_matches() {
    for rule in RULES {
        let meta = rule.meta();
        assert_eq!(meta.id, rule.id, "rules/{}.md: front matter id", rule.id);
        assert!(!meta.summary.is_empty(), "rules/{}.md: summary", rule.id);
        assert!(!meta.category.is_empty(), "rules/{}.md: category", rule.id);
    }
}

#[test]
fn every_doc_file_has_a_rule() {
    let registered: BTreeSet<&str> = RULES.iter().map(|r| r.id).collect();
    for entry in std::fs::read_dir("rules").into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let id = name.strip_suffix(".md").unwrap_or(&name).to_string();
        assert!(
            registered.contains(id.as_str()),
            "rules/{name} has no rule in the registry"
        );
    }
}

/// Rules whose examples are chart templates, not manifests: tests/helm.rs
/// renders them in a chart.
const TEMPLATE_EXAMPLES: &[&str] = &["render-failed"];

#[test]
fn every_failing_example_fires_and_every_fixed_example_does_not() {
    for rule in RULES.iter().filter(|r| !TEMPLATE_EXAMPLES.contains(&r.id)) {
        let doc = rule.doc;
        let failing = example(doc, "## Failing example").unwrap_or_else(|| {
            panic!(
                "rules/{}.md: no yaml block under `## Failing example`",
                rule.id
            )
        });
        let fixed = example(doc, "## Fixed example").unwrap_or_else(|| {
            panic!(
                "rules/{}.md: no yaml block under `## Fixed example`",
                rule.id
            )
        });
        let findings = common::lint_with(rule, "failing.yaml", failing);
        assert!(
            !findings.is_empty(),
            "rules/{}.md: the failing example does not fire",
            rule.id
        );
        let findings = common::lint_with(rule, "fixed.yaml", fixed);
        assert!(
            findings.is_empty(),
            "rules/{}.md: the fixed example fires: {:?}",
            rule.id,
            findings.iter().map(|f| &f.message).collect::<Vec<_>>()
        );
    }
}

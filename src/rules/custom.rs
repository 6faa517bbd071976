//! Custom checks as rules. Each definition of `.podlint.yaml` is registered
//! once per process and leaked: its findings then carry a `&'static str` id
//! like every other finding, and everything that reads the registry
//! (suppressions, `--enable`, `rules`, `explain`, SARIF, the language
//! server, baselines) treats it as it treats a built-in rule. A definition
//! registered again unchanged (the language server reading a config anew)
//! reuses its entry, so memory grows only with distinct definitions.

use std::sync::RwLock;

use super::{Check, Rule};
use crate::custom::CustomCheck;

static REGISTRY: RwLock<Vec<&'static Rule>> = RwLock::new(Vec::new());

/// The rule of `check`, the one registered before when its definition is
/// unchanged. A changed definition replaces the one of its id.
pub fn register(check: CustomCheck) -> &'static Rule {
    let mut registry = REGISTRY
        .write()
        .unwrap_or_else(|poison| poison.into_inner());
    let same = registry.iter().copied().find(|rule| match rule.check {
        Check::Custom(existing) => existing.definition == check.definition,
        _ => false,
    });
    if let Some(rule) = same {
        return rule;
    }
    let check: &'static CustomCheck = Box::leak(Box::new(check));
    let rule: &'static Rule = Box::leak(Box::new(Rule {
        id: check.id.as_str(),
        doc: check.doc.as_str(),
        level: check.level,
        check: Check::Custom(check),
    }));
    registry.retain(|other| other.id != rule.id);
    registry.push(rule);
    registry.sort_by_key(|rule| rule.id);
    rule
}

pub fn find(id: &str) -> Option<&'static Rule> {
    let registry = REGISTRY.read().unwrap_or_else(|poison| poison.into_inner());
    registry.iter().copied().find(|rule| rule.id == id)
}

/// The registered custom rules, in id order.
pub fn all() -> Vec<&'static Rule> {
    REGISTRY
        .read()
        .unwrap_or_else(|poison| poison.into_inner())
        .clone()
}

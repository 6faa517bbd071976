use crate::relations::facts::Detail;
use crate::relations::{Report, Set};
use crate::rules::Check;

rule!("disruption-budget-selects-nothing", Check::Relation(check));

fn check(set: &Set<'_>, out: &mut Report<'_>) {
    for budget in &set.members {
        let Detail::DisruptionBudget(facts) = &budget.facts.detail else {
            continue;
        };
        // An empty selector selects every Pod of the namespace.
        let Some(selector) = facts.selector.as_ref().filter(|s| !s.selector.is_empty()) else {
            continue;
        };
        let namespace = budget.namespace();
        if !set.judges_selector(budget, &selector.selector)
            || !set.selected(&selector.selector, namespace).is_empty() {
            continue;
        }
        out.at(
            budget,
            selector.place,
            format!(
                "PodDisruptionBudget `{}` selects no Pod template linted with it: it protects nothing",
                budget.name()
            ),
        )
        .help("make the selector match the labels of the workload's Pod template, or delete the budget");
    }
}

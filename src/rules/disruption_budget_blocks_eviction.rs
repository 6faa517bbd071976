use crate::relations::facts::{Budget, Detail};
use crate::relations::{Report, Set};
use crate::rules::Check;

rule!("disruption-budget-blocks-eviction", Check::Relation(check));

fn check(set: &Set<'_>, out: &mut Report<'_>) {
    for budget in &set.members {
        let Detail::DisruptionBudget(facts) = &budget.facts.detail else {
            continue;
        };
        let help = "allow at least one Pod to be evicted: `maxUnavailable: 1`, or a `minAvailable` below the replicas";
        if let Some((Budget::Count(0) | Budget::Percent(0), place)) = facts.max_unavailable {
            out.at(
                budget,
                place,
                format!(
                    "PodDisruptionBudget `{}` allows no Pod to be evicted: every node drain hangs",
                    budget.name()
                ),
            )
            .help(help);
            continue;
        }
        let Some((minimum, place)) = facts.min_available else {
            continue;
        };
        if minimum == Budget::Percent(100) {
            out.at(
                budget,
                place,
                format!(
                    "PodDisruptionBudget `{}` keeps 100% of its Pods available: every node drain hangs",
                    budget.name()
                ),
            )
            .help(help);
            continue;
        }
        let (Budget::Count(minimum), Some(selector)) = (minimum, &facts.selector) else {
            continue;
        };
        let selected = Set::distinct(set.selected(&selector.selector, budget.namespace()));
        // Only a known count can be compared: not a DaemonSet's, not an
        // autoscaled one.
        let counted: Option<Vec<_>> = selected
            .iter()
            .map(|member| {
                let workload = member.workload()?;
                let fixed = workload.replicated && set.autoscalers_of(member).is_empty();
                fixed.then_some((member, workload.replicas))
            })
            .collect();
        let Some(counted) = counted.filter(|c| !c.is_empty()) else {
            continue;
        };
        let total: i64 = counted
            .iter()
            .map(|(_, replicas)| replicas.map_or(1, |(count, _)| count))
            .sum();
        if minimum < total {
            continue;
        }
        let (first, replicas) = counted[0];
        let raw = out.at(
            budget,
            place,
            format!(
                "PodDisruptionBudget `{}` needs {minimum} Pods available but {} runs {total}: no Pod can ever be evicted and node drains hang",
                budget.name(),
                first.describe(),
            ),
        );
        match replicas {
            Some((count, replicas_place)) => {
                raw.label(first, replicas_place, format!("{count} replicas here"))
            }
            None => raw.label(first, first.facts.kind_place, "1 replica (the default)"),
        }
        .help(help);
    }
}

use crate::relations::facts::Detail;
use crate::relations::{Report, Set};
use crate::rules::Check;

rule!("network-policy-selects-nothing", Check::Relation(check));

fn check(set: &Set<'_>, out: &mut Report<'_>) {
    for policy in &set.members {
        let Detail::NetworkPolicy(selector) = &policy.facts.detail else {
            continue;
        };
        // An empty podSelector selects every Pod of the namespace.
        if selector.selector.is_empty() {
            continue;
        }
        let namespace = policy.namespace();
        if !set.judges_selector(policy, &selector.selector)
            || !set.selected(&selector.selector, namespace).is_empty() {
            continue;
        }
        out.at(
            policy,
            selector.place,
            format!(
                "NetworkPolicy `{}` selects no Pod template linted with it: it isolates nothing",
                policy.name()
            ),
        )
        .help("make the podSelector match the labels of the Pods it should protect");
    }
}

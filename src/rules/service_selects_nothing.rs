use crate::relations::facts::Detail;
use crate::relations::{Report, Set};
use crate::rules::Check;

rule!("service-selects-nothing", Check::Relation(check));

fn check(set: &Set<'_>, out: &mut Report<'_>) {
    for service in &set.members {
        let Detail::Service(facts) = &service.facts.detail else {
            continue;
        };
        let Some(selector) = &facts.selector else {
            continue;
        };
        let namespace = service.namespace();
        if !set.judges_selector(service, &selector.selector)
            || !set.selected(&selector.selector, namespace).is_empty() {
            continue;
        }
        let labels: Vec<String> = selector
            .selector
            .labels
            .iter()
            .map(|(key, value)| format!("{key}={value}"))
            .collect();
        out.at(
            service,
            selector.place,
            format!(
                "Service `{}` selects no Pod: no Pod template linted with it has the labels {}",
                service.name(),
                labels.join(", ")
            ),
        )
        .help("make the selector match the labels of the workload's Pod template; a Service that selects nothing never receives traffic");
    }
}

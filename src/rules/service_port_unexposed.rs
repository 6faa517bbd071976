use crate::relations::facts::{Detail, PortRef};
use crate::relations::{Report, Set};
use crate::rules::Check;

rule!("service-port-unexposed", Check::Relation(check));

fn check(set: &Set<'_>, out: &mut Report<'_>) {
    for service in &set.members {
        let Detail::Service(facts) = &service.facts.detail else {
            continue;
        };
        let Some(selector) = &facts.selector else {
            continue;
        };
        let selected = set.selected(&selector.selector, service.namespace());
        let ports: Vec<_> = selected
            .iter()
            .filter_map(|m| Some((m, m.workload()?)))
            .flat_map(|(m, w)| w.ports.iter().map(move |p| (m, p)))
            .collect();
        if selected.is_empty() {
            continue;
        }
        // A container may listen on a port it does not declare: numbers
        // are judged only when every selected container declares its ports.
        let all_declared = selected
            .iter()
            .all(|m| m.workload().is_some_and(|w| !w.undeclared_ports));
        for port in &facts.ports {
            let target = match (&port.target, port.port) {
                (Some(target), _) => target.clone(),
                (None, Some(number)) => PortRef::Number(number),
                (None, None) => continue,
            };
            let declared = ports.iter().any(|(_, p)| match &target {
                PortRef::Number(n) => p.number == Some(*n),
                PortRef::Name(name) => p.name.as_deref() == Some(&**name),
            });
            let message = match &target {
                // `${PORT}`: a template that a tool fills in before applying.
                PortRef::Name(name) if name.contains('$') || name.contains('{') => continue,
                PortRef::Name(name) if !declared => format!(
                    "Service `{}` targets port `{name}`, which no container it selects names: connections fail",
                    service.name()
                ),
                PortRef::Number(n) if !declared && all_declared => format!(
                    "Service `{}` targets port {n}, which no container it selects declares",
                    service.name()
                ),
                _ => continue,
            };
            let raw = out.at(service, port.place, message);
            if let Some((member, first)) = ports.first() {
                raw.label(member, first.ports_place, "the selected containers' ports");
            }
            raw.help("make targetPort one of the container's ports (by number or by name)");
        }
    }
}

use crate::relations::facts::{Detail, PortRef};
use crate::relations::{Report, Set};
use crate::rules::Check;

rule!("ingress-backend-missing", Check::Relation(check));

fn check(set: &Set<'_>, out: &mut Report<'_>) {
    for ingress in &set.members {
        let Detail::Ingress(facts) = &ingress.facts.detail else {
            continue;
        };
        let namespace = ingress.namespace();
        for backend in &facts.backends {
            // The AWS load balancer controller's actions: `port: use-annotation`
            // names an annotation, not a Service.
            let action = matches!(&backend.port, Some((PortRef::Name(name), _)) if &**name == "use-annotation");
            if action || set.made_by_operator(&backend.service) {
                continue;
            }
            let services = set.named("Service", &backend.service, namespace);
            if services.is_empty() {
                if set.expects("Service", ingress) {
                    let where_ = if set.closed() {
                        "in its chart or build"
                    } else {
                        "among the manifests linted with it"
                    };
                    out.at(
                        ingress,
                        backend.name_place,
                        format!(
                            "Ingress `{}` routes to Service `{}`, which is not defined {where_}",
                            ingress.name(),
                            backend.service
                        ),
                    )
                    .help("fix the Service name: requests to this backend get 503");
                }
                continue;
            }
            let Some((port, port_place)) = &backend.port else {
                continue;
            };
            let has_port = |facts: &crate::relations::facts::ServiceFacts| {
                facts.ports.iter().any(|p| match port {
                    PortRef::Number(n) => p.port == Some(*n),
                    PortRef::Name(name) => p.name.as_deref() == Some(&**name),
                })
            };
            let service_facts: Vec<_> = services
                .iter()
                .filter_map(|m| match &m.facts.detail {
                    Detail::Service(s) => Some((m, s)),
                    _ => None,
                })
                .collect();
            if service_facts.is_empty() || service_facts.iter().any(|(_, s)| has_port(s)) {
                continue;
            }
            let shown = match port {
                PortRef::Number(n) => n.to_string(),
                PortRef::Name(name) => format!("`{name}`"),
            };
            let (service, facts) = service_facts[0];
            let raw = out.at(
                ingress,
                *port_place,
                format!(
                    "Ingress `{}` routes to port {shown} of Service `{}`, which has no such port",
                    ingress.name(),
                    backend.service
                ),
            );
            if let Some(place) = facts.ports_place {
                raw.label(service, place, "the Service's ports");
            }
            raw.help("use one of the Service's `port` numbers or port names");
        }
    }
}

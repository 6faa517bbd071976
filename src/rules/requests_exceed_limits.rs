use crate::model::quantity::Quantity;
use crate::model::{PodView, Target};
use crate::rules::{Check, Report};

rule!("requests-exceed-limits", Check::Pod(check));

fn check(pod: &PodView<'_>, out: &mut Report<'_>) {
    for c in pod.containers() {
        let Some(resources) = &c.container.resources else { continue };
        let (Some(requests), Some(limits)) = (&resources.requests, &resources.limits) else {
            continue;
        };
        for (name, request) in requests {
            let Some(limit) = limits.get(name) else { continue };
            let (Some(r), Some(l)) = (Quantity::parse(&request.0), Quantity::parse(&limit.0)) else {
                continue;
            };
            if r > l {
                let at = |kind: &'static str| {
                    Target::Field(c.field("resources").key(kind).key(name.clone()))
                };
                out.at(
                    at("requests"),
                    format!(
                        "container `{}` requests {} {name} but is limited to {}",
                        c.name(),
                        request.0,
                        limit.0
                    ),
                )
                .label(at("limits"), "the limit")
                .help("the API server rejects a request above its limit: lower the request or raise the limit")
                .container(c.name());
            }
        }
    }
}

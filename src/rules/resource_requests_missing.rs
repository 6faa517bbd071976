use crate::model::{PodView, Target};
use crate::rules::{Check, Report};

rule!("resource-requests-missing", Check::CompletePod(check));

fn check(pod: &PodView<'_>, out: &mut Report<'_>) {
    for c in pod.containers().filter(|c| !c.resources_by_owner) {
        let missing: Vec<&str> = ["cpu", "memory"]
            .into_iter()
            .filter(|n| !c.has_request(n))
            .collect();
        if missing.is_empty() {
            continue;
        }
        out.at(
            Target::Field(c.field("resources").key("requests")),
            format!("container `{}` has no {} request", c.name(), missing.join(" or ")),
        )
        .help(format!(
            "set resources.requests.{}: the scheduler places Pods by their requests",
            missing.join(" and resources.requests.")
        ))
        .container(c.name());
    }
}

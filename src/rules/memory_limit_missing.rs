use crate::model::{PodView, Target};
use crate::rules::{Check, Report};

rule!("memory-limit-missing", Check::CompletePod(check));

fn check(pod: &PodView<'_>, out: &mut Report<'_>) {
    for c in pod.containers().filter(|c| !c.resources_by_owner) {
        if !c.has_limit("memory") {
            out.at(
                Target::Field(c.field("resources").keys("limits.memory")),
                format!("container `{}` has no memory limit", c.name()),
            )
            .help("set resources.limits.memory: without it one leak can exhaust the node and get other Pods OOMKilled")
            .container(c.name());
        }
    }
}

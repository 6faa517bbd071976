use crate::model::{PodView, Target};
use crate::rules::{Check, Report};

rule!("cpu-limit-missing", Check::CompletePod(check));

fn check(pod: &PodView<'_>, out: &mut Report<'_>) {
    for c in pod.containers().filter(|c| !c.resources_by_owner) {
        if !c.has_limit("cpu") {
            out.at(
                Target::Field(c.field("resources").keys("limits.cpu")),
                format!("container `{}` has no CPU limit", c.name()),
            )
            .help("set resources.limits.cpu where your policy requires it; a limit caps a busy loop but also throttles bursts")
            .container(c.name());
        }
    }
}

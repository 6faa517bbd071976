use crate::model::{OwnerProbes, PodView, Target};
use crate::rules::{Check, Report};

rule!("readiness-probe-missing", Check::CompletePod(check));

fn check(pod: &PodView<'_>, out: &mut Report<'_>) {
    // Knative and KubeRay give containers without one a readiness probe.
    if !pod.long_running() || pod.owner_probes() != OwnerProbes::None {
        return;
    }
    for c in pod.containers().filter(|c| c.long_lived()) {
        if c.container.readiness_probe.is_none() {
            out.at(
                Target::Field(c.path.key("readinessProbe")),
                format!("container `{}` has no readiness probe", c.name()),
            )
            .help("add a readinessProbe: without one, traffic and rollouts treat the container as ready as soon as it starts")
            .container(c.name());
        }
    }
}

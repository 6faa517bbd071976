use crate::model::{OwnerProbes, PodView, Target};
use crate::rules::{Check, Report};

rule!("liveness-probe-missing", Check::CompletePod(check));

fn check(pod: &PodView<'_>, out: &mut Report<'_>) {
    // KubeRay gives Ray containers without one a liveness probe.
    if !pod.long_running() || pod.owner_probes() == OwnerProbes::Both {
        return;
    }
    for c in pod.containers().filter(|c| c.long_lived()) {
        if c.container.liveness_probe.is_none() {
            out.at(
                Target::Field(c.path.key("livenessProbe")),
                format!("container `{}` has no liveness probe", c.name()),
            )
            .help("add a livenessProbe so that a hung process is restarted")
            .container(c.name());
        }
    }
}

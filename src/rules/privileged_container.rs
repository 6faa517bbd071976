use crate::model::{PodView, Target};
use crate::rules::security::privileged;
use crate::rules::{Check, Report};

rule!("privileged-container", Check::Pod(check));

fn check(pod: &PodView<'_>, out: &mut Report<'_>) {
    for c in pod.containers().filter(|c| privileged(c)) {
        out.at(
            Target::Field(c.path.keys("securityContext.privileged")),
            format!("container `{}` runs privileged", c.name()),
        )
        .help("a privileged container has every capability and all host devices: a compromise of it is a compromise of the node; grant only the capabilities it needs")
        .container(c.name());
    }
}

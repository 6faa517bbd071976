use std::collections::HashMap;

use crate::model::{PodView, Target};
use crate::rules::{Check, Report};

rule!("duplicate-container-name", Check::Pod(check));

fn check(pod: &PodView<'_>, out: &mut Report<'_>) {
    let mut first = HashMap::new();
    for c in &pod.containers {
        // A name the controller gives (Knative, Tekton) is made unique by it.
        if c.name().is_empty() || !c.named {
            continue;
        }
        if let Some(earlier) = first.insert(c.name(), &c.path) {
            out.at(
                Target::Field(c.path.key("name")),
                format!("two containers are named `{}`", c.name()),
            )
            .label(Target::Field(earlier.key("name")), "first used here")
            .help("container names must be unique across containers and initContainers; the API server rejects the Pod")
            .container(c.name());
            first.insert(c.name(), earlier);
        }
    }
}

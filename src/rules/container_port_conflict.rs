use std::collections::HashMap;

use crate::model::{PodView, Target};
use crate::rules::{Check, Report};

rule!("container-port-conflict", Check::Pod(check));

fn check(pod: &PodView<'_>, out: &mut Report<'_>) {
    // Classic init containers run before the others, so only containers that
    // run side by side can clash.
    let mut seen = HashMap::new();
    for c in pod.containers().filter(|c| c.long_lived()) {
        for (index, port) in c.container.ports.iter().flatten().enumerate() {
            // 0 is what an unreadable port types as; invalid-field reports it.
            if port.container_port == 0 {
                continue;
            }
            let protocol = port.protocol.as_deref().unwrap_or("TCP");
            let path = c.path.key("ports").index(index).key("containerPort");
            match seen.get(&(port.container_port, protocol.to_string())) {
                // One container listing a port twice (by two names) is not a clash.
                Some((_, owner)) if *owner == c.name() => {}
                Some((earlier, owner)) => {
                    let earlier: &crate::model::FieldPath = earlier;
                    out.at(
                        Target::Field(path.clone()),
                        format!(
                            "container `{}` declares port {}/{protocol}, already declared by container `{owner}`",
                            c.name(),
                            port.container_port
                        ),
                    )
                    .label(Target::Field(earlier.clone()), "first declared here")
                    .help("containers of a Pod share one network namespace: only one can listen on a port")
                    .container(c.name());
                }
                None => {
                    // Owned: a large Pod's containers are typed one at a time.
                    seen.insert(
                        (port.container_port, protocol.to_string()),
                        (path, c.lasting_name()),
                    );
                }
            }
        }
    }
}

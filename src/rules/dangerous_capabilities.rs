use crate::finding::Fix;
use crate::model::{PodView, Target};
use crate::rules::security::{added, capability, context, is_windows, privileged};
use crate::rules::{Check, Report};

rule!("dangerous-capabilities", Check::Pod(check));

/// Capabilities that give a container power over the node or other
/// containers (Pod Security Standards' baseline allows none of them).
const DANGEROUS: &[&str] = &[
    "ALL",
    "SYS_ADMIN",
    "NET_ADMIN",
    "SYS_PTRACE",
    "SYS_MODULE",
    "SYS_RAWIO",
    "SYS_BOOT",
    "SYS_TIME",
    "SYS_CHROOT",
    "DAC_READ_SEARCH",
    "BPF",
    "PERFMON",
    "MAC_ADMIN",
    "MAC_OVERRIDE",
    "SYSLOG",
];

fn check(pod: &PodView<'_>, out: &mut Report<'_>) {
    if is_windows(pod) {
        return;
    }
    for c in pod.containers() {
        let added = added(&c);
        let add_path = c.path.keys("securityContext.capabilities.add");
        // An explicit `add` is reported beside `privileged: true` too: it is a
        // separate edit, still there once the container is unprivileged.
        for (index, cap) in &added {
            if DANGEROUS.contains(&cap.as_str()) {
                out.at(
                    Target::Field(add_path.index(*index)),
                    format!("container `{}` adds the capability {cap}", c.name()),
                )
                .help("drop it unless the container really administers the node; grant the narrowest capability that works")
                .container(c.name());
            }
        }
        // Adding ALL is reported above; asking it to drop ALL too is noise.
        // A patch fragment leaves unset fields to its base. A privileged
        // container has every capability; privileged-container reports it.
        if pod.object.partial || privileged(&c) || added.iter().any(|(_, cap)| cap == "ALL") {
            continue;
        }
        let drops_all = context(&c)
            .and_then(|s| s.capabilities.as_ref())
            .and_then(|caps| caps.drop.as_ref())
            .is_some_and(|drop| drop.iter().any(|name| capability(name) == "ALL"));
        if !drops_all {
            let drop = c.path.keys("securityContext.capabilities.drop");
            out.at(
                Target::Field(drop.clone()),
                format!("container `{}` does not drop ALL capabilities", c.name()),
            )
            // Sets the list only where there is none (an existing one is left
            // for the author to extend).
            .fix(Fix::Set {
                path: drop,
                value: "[\"ALL\"]",
            })
            .help("set securityContext.capabilities.drop: [ALL] and add back only what the program needs (NET_BIND_SERVICE, say)")
            .container(c.name());
        }
    }
}

use crate::model::{PodView, Target};
use crate::rules::{Check, Report};

rule!("host-namespace", Check::Pod(check));

fn check(pod: &PodView<'_>, out: &mut Report<'_>) {
    let spec = pod.spec;
    let shared = [
        ("hostNetwork", spec.host_network, "network"),
        ("hostPID", spec.host_pid, "process"),
        ("hostIPC", spec.host_ipc, "IPC"),
    ];
    for (field, value, namespace) in shared {
        if value == Some(true) {
            out.at(
                Target::Field(pod.spec_field(field)),
                format!("the Pod shares the node's {namespace} namespace ({field}: true)"),
            )
            .help("remove it unless this is node-level infrastructure (a CNI or monitoring agent): the Pod can see and reach everything on the node");
        }
    }
}

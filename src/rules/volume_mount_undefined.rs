use std::collections::HashSet;

use crate::model::{PodView, Target, Workload};
use crate::rules::{Check, Report};

rule!("volume-mount-undefined", Check::CompletePod(check));

fn check(pod: &PodView<'_>, out: &mut Report<'_>) {
    // A set, so that the rule stays linear in the number of mounts and volumes.
    let declared: HashSet<&str> = pod.declared_volumes().chain(claim_templates(pod)).collect();
    for c in pod.containers() {
        let mounts = c.container.volume_mounts.iter().flatten().map(|m| m.name.as_str());
        let devices = c.container.volume_devices.iter().flatten().map(|d| d.name.as_str());
        let lists = mounts
            .enumerate()
            .map(|(i, n)| ("volumeMounts", i, n))
            .chain(devices.enumerate().map(|(i, n)| ("volumeDevices", i, n)));
        for (list, index, name) in lists {
            if name.is_empty() || declared.contains(name) {
                continue;
            }
            out.at(
                Target::Field(c.path.key(list).index(index).key("name")),
                format!("container `{}` mounts volume `{name}`, which the Pod does not declare", c.name()),
            )
            .help(format!("declare `{name}` under spec.volumes (or fix the name); the API server rejects the Pod"))
            .container(c.name());
        }
    }
}

/// A StatefulSet's volumeClaimTemplates are volumes too.
fn claim_templates<'a>(pod: &PodView<'a>) -> impl Iterator<Item = &'a str> {
    let templates = match &pod.object.typed {
        Some(Workload::StatefulSet(set)) => set.spec.volume_claim_templates.as_deref(),
        _ => None,
    };
    templates
        .unwrap_or_default()
        .iter()
        .filter_map(|t| t.metadata.name.as_deref())
}

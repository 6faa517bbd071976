use std::collections::HashSet;

use crate::model::{PodView, Target};
use crate::rules::{Check, Report};

rule!("volume-unused", Check::CompletePod(check));

fn check(pod: &PodView<'_>, out: &mut Report<'_>) {
    // A set, so that the rule stays linear in the number of mounts and volumes.
    // Names, not references: a large Pod's containers are typed one at a time.
    let mut used: HashSet<String> = HashSet::new();
    for c in pod.containers() {
        used.extend(c.container.volume_mounts.iter().flatten().map(|m| m.name.clone()));
        used.extend(c.container.volume_devices.iter().flatten().map(|d| d.name.clone()));
    }
    for c in pod.spec.ephemeral_containers.iter().flatten() {
        used.extend(c.volume_mounts.iter().flatten().map(|m| m.name.clone()));
    }
    for (index, volume) in pod.spec.volumes.iter().flatten().enumerate() {
        if !used.contains(volume.name.as_str()) {
            out.at(
                Target::Field(pod.spec_field("volumes").index(index)),
                format!("volume `{}` is declared but no container mounts it", volume.name),
            )
            .help("mount it where it is needed, or remove it");
        }
    }
}

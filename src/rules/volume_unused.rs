use crate::model::{PodView, Target};
use crate::rules::{Check, Report};

rule!("volume-unused", Check::CompletePod(check));

fn check(pod: &PodView<'_>, out: &mut Report<'_>) {
    for (index, volume) in pod.spec.volumes.iter().flatten().enumerate() {
        let used = pod.containers.iter().any(|c| {
            c.container.volume_mounts.iter().flatten().any(|m| m.name == volume.name)
                || c.container.volume_devices.iter().flatten().any(|d| d.name == volume.name)
        });
        let debugged = pod.spec.ephemeral_containers.iter().flatten().any(|c| {
            c.volume_mounts.iter().flatten().any(|m| m.name == volume.name)
        });
        let used = used || debugged;
        if !used {
            out.at(
                Target::Field(pod.spec_field("volumes").index(index)),
                format!("volume `{}` is declared but no container mounts it", volume.name),
            )
            .help("mount it where it is needed, or remove it");
        }
    }
}

use crate::model::{PodView, Target};
use crate::rules::{Check, Report};

rule!("host-path-volume", Check::Pod(check));

fn check(pod: &PodView<'_>, out: &mut Report<'_>) {
    for (index, volume) in pod.spec.volumes.iter().flatten().enumerate() {
        let Some(host_path) = &volume.host_path else { continue };
        out.at(
            Target::Field(pod.spec_field("volumes").index(index).key("hostPath")),
            format!(
                "volume `{}` mounts `{}` from the node",
                volume.name, host_path.path
            ),
        )
        .help("use a PersistentVolumeClaim, emptyDir, ConfigMap or Secret; a hostPath ties the Pod to one node and exposes the node's files to it");
    }
}

use std::collections::HashMap;

use crate::model::software::{is_cache, is_durable_path};
use crate::model::{PodView, Target};
use crate::rules::{Check, Report};

rule!("emptydir-durable-data", Check::Pod(check));

fn check(pod: &PodView<'_>, out: &mut Report<'_>) {
    // The first emptyDir volume of each name, so that the rule stays linear
    // in the number of mounts and volumes.
    let mut empty_dirs: HashMap<&str, usize> = HashMap::new();
    for (index, volume) in pod.spec.volumes.iter().flatten().enumerate() {
        if volume.empty_dir.is_some() {
            empty_dirs.entry(volume.name.as_str()).or_insert(index);
        }
    }
    for c in pod.containers() {
        // A cache (memcached, redis without persistence) keeps nothing durable.
        if is_cache(&c.container, pod.spec) {
            continue;
        }
        for (index, mount) in c.container.volume_mounts.iter().flatten().enumerate() {
            let Some(&volume_index) = empty_dirs.get(mount.name.as_str()) else {
                continue;
            };
            if !is_durable_path(&mount.mount_path) {
                continue;
            }
            out.at(
                Target::Field(c.path.key("volumeMounts").index(index).key("mountPath")),
                format!(
                    "container `{}` keeps data in `{}` on emptyDir volume `{}`, which is deleted with the Pod",
                    c.name(),
                    mount.mount_path,
                    mount.name
                ),
            )
            .label(
                Target::Field(pod.spec_field("volumes").index(volume_index)),
                "the emptyDir volume",
            )
            .help("use a PersistentVolumeClaim (a StatefulSet's volumeClaimTemplates) for data that must outlive the Pod")
            .container(c.name());
        }
    }
}

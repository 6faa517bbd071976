use crate::model::{Object, Target, WorkloadKind};
use crate::rules::{Check, Report};

rule!("bare-pod", Check::CompleteObject(check));

fn check(object: &Object<'_>, out: &mut Report<'_>) {
    if object.workload_kind != Some(WorkloadKind::Pod) {
        return;
    }
    let Some(metadata) = object.metadata() else { return };
    let owned = metadata.owner_references.as_ref().is_some_and(|o| !o.is_empty());
    // Helm hooks (`helm test` Pods) are one-shot by design; Helm runs them.
    let helm_hook = metadata
        .annotations
        .as_ref()
        .is_some_and(|a| a.contains_key("helm.sh/hook"));
    if owned || helm_hook {
        return;
    }
    let name = object.name.unwrap_or("(unnamed)");
    out.at(
        Target::Field(object.path().key("kind")),
        format!("Pod `{name}` is not managed by a controller: nothing recreates it after a node failure"),
    )
    .help("run it from a Deployment (or a Job, for work that runs to completion)");
}

use crate::model::{Object, Target, WorkloadKind};
use crate::rules::{Check, Report};

rule!("bare-pod", Check::Object(check));

fn check(object: &Object<'_>, out: &mut Report<'_>) {
    if object.workload_kind != Some(WorkloadKind::Pod) {
        return;
    }
    let owned = object
        .metadata()
        .is_some_and(|m| m.owner_references.as_ref().is_some_and(|o| !o.is_empty()));
    if owned {
        return;
    }
    let name = object.name.unwrap_or("(unnamed)");
    out.at(
        Target::Field(object.path().key("kind")),
        format!("Pod `{name}` is not managed by a controller: nothing recreates it after a node failure"),
    )
    .help("run it from a Deployment (or a Job, for work that runs to completion)");
}

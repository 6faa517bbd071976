use std::borrow::Cow;

use crate::finding::Fix;
use crate::model::{ContainerView, FieldPath, PodView, Target};
use crate::rules::security::{context, is_windows};
use crate::rules::{Check, Report};

rule!("run-as-root", Check::Pod(check));

/// Why a container may run as root.
enum Cause {
    /// A field written on the container: `runAsUser: 0` or `runAsNonRoot: false`.
    Container(&'static str),
    /// A field of the Pod's securityContext that the container inherits.
    Pod(&'static str),
    /// Nothing keeps it from running as the image's user, often root.
    Unset,
}

fn cause(pod: &PodView<'_>, c: &ContainerView<'_>) -> Option<Cause> {
    let own = context(c);
    let shared = pod.spec.security_context.as_ref();
    let own_user = own.and_then(|s| s.run_as_user);
    let pod_user = shared.and_then(|s| s.run_as_user);
    // A container's securityContext overrides the Pod's field by field.
    match (own_user, pod_user) {
        (Some(0), _) => return Some(Cause::Container("runAsUser")),
        (None, Some(0)) => return Some(Cause::Pod("runAsUser")),
        _ => {}
    }
    let own_non_root = own.and_then(|s| s.run_as_non_root);
    let pod_non_root = shared.and_then(|s| s.run_as_non_root);
    if own_non_root.or(pod_non_root) == Some(true) {
        return None;
    }
    // A non-zero UID cannot be root, whatever the image says.
    if own_user.or(pod_user).is_some_and(|uid| uid > 0) {
        return None;
    }
    Some(match (own_non_root, pod_non_root) {
        (Some(false), _) => Cause::Container("runAsNonRoot"),
        (None, Some(false)) => Cause::Pod("runAsNonRoot"),
        _ => Cause::Unset,
    })
}

fn check(pod: &PodView<'_>, out: &mut Report<'_>) {
    if is_windows(pod) {
        return;
    }
    // Containers that inherit a Pod-level root setting: one finding at that field.
    // Names, not views: a large Pod's containers are typed one at a time.
    let mut inherited: Vec<(&'static str, Cow<'_, str>)> = Vec::new();
    for c in pod.containers() {
        let field = match cause(pod, &c) {
            None => continue,
            Some(Cause::Pod(field)) => {
                inherited.push((field, c.lasting_name()));
                continue;
            }
            Some(Cause::Container(field)) => field,
            // A patch fragment leaves unset fields to its base.
            Some(Cause::Unset) if pod.object.partial => continue,
            Some(Cause::Unset) => "runAsNonRoot",
        };
        let message = if field == "runAsUser" {
            format!("container `{}` runs as root (runAsUser: 0)", c.name())
        } else {
            format!(
                "container `{}` may run as root: neither it nor the Pod sets runAsNonRoot: true",
                c.name()
            )
        };
        let path = c.path.key("securityContext").key(field);
        let report = out.at(Target::Field(path.clone()), message);
        report.help(HELP).container(c.name());
        // `runAsUser: 0` is a choice to undo by hand: runAsNonRoot beside it
        // would keep the container from starting.
        if field == "runAsNonRoot" {
            report.fix(Fix::Set { path, value: "true" });
        }
    }
    for field in ["runAsUser", "runAsNonRoot"] {
        let names: Vec<String> = inherited
            .iter()
            .filter(|(f, _)| *f == field)
            .map(|(_, name)| format!("`{name}`"))
            .collect();
        if names.is_empty() {
            continue;
        }
        let path: FieldPath = pod.spec_field("securityContext").key(field);
        let setting = if field == "runAsUser" {
            "runAsUser: 0"
        } else {
            "runAsNonRoot: false"
        };
        out.at(
            Target::Field(path),
            format!(
                "the Pod's {setting} lets container{} {} run as root",
                if names.len() == 1 { "" } else { "s" },
                names.join(", ")
            ),
        )
        .help(HELP);
    }
}

const HELP: &str = "set securityContext.runAsNonRoot: true (and a non-zero runAsUser) on the Pod or the container: root in a container is root on the node after one escape";

use crate::model::{PodView, Target};
use crate::rules::{Check, Report};

rule!("invalid-restart-policy", Check::Pod(check));

fn check(pod: &PodView<'_>, out: &mut Report<'_>) {
    let at = Target::Field(pod.spec_field("restartPolicy"));
    let help_job = "a Job's Pods must use restartPolicy OnFailure or Never";
    // Which policies a custom resource's Pods may use is its controller's business.
    let workload = pod.kind.workload();
    match pod.spec.restart_policy.as_deref() {
        Some("Always" | "OnFailure" | "Never") if workload.is_none() => {}
        Some(policy @ ("Always" | "OnFailure" | "Never")) => {
            let Some(kind) = workload else { return };
            if kind.runs_to_completion() && policy == "Always" {
                out.at(at, format!("a {} cannot restart its Pods `Always`", kind.name()))
                    .help(help_job);
            } else if kind.is_controller() && !kind.runs_to_completion() && policy != "Always" {
                out.at(at, format!("a {} only accepts restartPolicy `Always`, not `{policy}`", kind.name()))
                    .help("remove restartPolicy (it defaults to Always), or run the work as a Job");
            }
        }
        Some(other) => {
            out.at(at, format!("`{other}` is not a restart policy"))
                .help("use Always, OnFailure or Never");
        }
        // A Job template must say how its Pods restart; a patch leaves it to its base.
        None if workload.is_some_and(|k| k.runs_to_completion()) && !pod.object.partial => {
            out.at(
                Target::Field(pod.object.path().key("kind")),
                format!("{} `{}` does not set its Pods' restartPolicy", pod.kind.name(), pod.object.name.unwrap_or("(unnamed)")),
            )
            .help(help_job);
        }
        None => {}
    }
}

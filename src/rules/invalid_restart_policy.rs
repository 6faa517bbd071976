use crate::model::{PodView, Target};
use crate::rules::{Check, Report};

rule!("invalid-restart-policy", Check::Pod(check));

fn check(pod: &PodView<'_>, out: &mut Report<'_>) {
    let at = Target::Field(pod.spec_path.key("restartPolicy"));
    let help_job = "a Job's Pods must use restartPolicy OnFailure or Never";
    match pod.spec.restart_policy.as_deref() {
        Some(policy @ ("Always" | "OnFailure" | "Never")) => {
            if pod.kind.runs_to_completion() && policy == "Always" {
                out.at(at, format!("a {} cannot restart its Pods `Always`", pod.kind.name()))
                    .help(help_job);
            } else if pod.kind.is_controller() && !pod.kind.runs_to_completion() && policy != "Always" {
                out.at(at, format!("a {} only accepts restartPolicy `Always`, not `{policy}`", pod.kind.name()))
                    .help("remove restartPolicy (it defaults to Always), or run the work as a Job");
            }
        }
        Some(other) => {
            out.at(at, format!("`{other}` is not a restart policy"))
                .help("use Always, OnFailure or Never");
        }
        // A Job template must say how its Pods restart; a patch leaves it to its base.
        None if pod.kind.runs_to_completion() && !pod.object.partial => {
            out.at(
                Target::Field(pod.object.path().key("kind")),
                format!("{} `{}` does not set its Pods' restartPolicy", pod.kind.name(), pod.object.name.unwrap_or("(unnamed)")),
            )
            .help(help_job);
        }
        None => {}
    }
}

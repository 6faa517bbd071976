use crate::model::{ContainerRole, PodView, Target};
use crate::rules::{Check, Report};

rule!("job-sidecar-never-exits", Check::Pod(check));

/// Shell forms of a loop or wait that never ends by itself.
const FOREVER: &[&str] = &[
    "while true",
    "while :",
    "while [ 1 ]",
    "while [ true ]",
    "while [[ true ]]",
    "sleep infinity",
    "tail -f",
    "tail -F",
    "for (;;)",
];

fn check(pod: &PodView<'_>, out: &mut Report<'_>) {
    if !pod.kind.runs_to_completion() {
        return;
    }
    for c in pod
        .containers
        .iter()
        .filter(|c| c.role == ContainerRole::Regular)
    {
        let command = c.container.command.as_deref().unwrap_or_default();
        let args = c.container.args.as_deref().unwrap_or_default();
        // The process runs `command` followed by `args`: read them as one
        // line, so that `command: [sleep]` with `args: [infinity]` is seen.
        let script = command
            .iter()
            .chain(args)
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(" ");
        let Some(pattern) = FOREVER.iter().find(|p| script.contains(*p)) else {
            continue;
        };
        // A loop that can leave (`break`, `exit`) ends the Job by itself.
        if script.contains("break") || script.contains("exit") {
            continue;
        }
        // Point at the field that holds the pattern; `args` when it completes one
        // that `command` starts.
        let field = if args.is_empty() || command.join(" ").contains(pattern) {
            "command"
        } else {
            "args"
        };
        out.at(
            Target::Field(c.path.key(field)),
            format!(
                "container `{}` runs `{pattern}` and never exits: the {} never completes",
                c.name(),
                pod.kind.name()
            ),
        )
        .help("make it a native sidecar (an initContainer with restartPolicy: Always), which stops when the main containers finish")
        .container(c.name());
    }
}

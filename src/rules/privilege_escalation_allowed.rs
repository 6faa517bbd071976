use crate::finding::Fix;
use crate::model::{PodView, Target};
use crate::rules::security::{added, context, is_windows, privileged};
use crate::rules::{Check, Report};

rule!("privilege-escalation-allowed", Check::Pod(check));

fn check(pod: &PodView<'_>, out: &mut Report<'_>) {
    if is_windows(pod) {
        return;
    }
    for c in pod.containers() {
        let setting = context(&c).and_then(|s| s.allow_privilege_escalation);
        let field = c.path.keys("securityContext.allowPrivilegeEscalation");
        // `privileged: true` or an added SYS_ADMIN implies escalation, and the
        // API rejects `allowPrivilegeEscalation: false` beside them: an absent
        // field is silent there, but an explicit `true` is still a separate
        // edit to make when the container is made unprivileged.
        let implied = privileged(&c) || added(&c).iter().any(|(_, cap)| cap == "SYS_ADMIN");
        if implied {
            if setting == Some(true) {
                out.at(
                    Target::Field(field),
                    format!("container `{}` allows privilege escalation", c.name()),
                )
                .help("remove allowPrivilegeEscalation: true; once the container no longer runs privileged (or with SYS_ADMIN), set it to false")
                .container(c.name());
            }
            continue;
        }
        let message = match setting {
            Some(false) => continue,
            // A patch fragment leaves unset fields to its base.
            None if pod.object.partial => continue,
            Some(true) => format!("container `{}` allows privilege escalation", c.name()),
            None => format!(
                "container `{}` does not set allowPrivilegeEscalation: false",
                c.name()
            ),
        };
        out.at(Target::Field(field.clone()), message)
        .fix(Fix::Set {
            path: field,
            value: "false",
        })
        .help("set securityContext.allowPrivilegeEscalation: false so that setuid binaries cannot gain more privileges than the process started with")
        .container(c.name());
    }
}

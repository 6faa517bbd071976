use crate::finding::Fix;
use crate::model::{PodView, Target};
use crate::rules::security::{added, context, is_windows, privileged};
use crate::rules::{Check, Report};

rule!("privilege-escalation-allowed", Check::Pod(check));

fn check(pod: &PodView<'_>, out: &mut Report<'_>) {
    if is_windows(pod) {
        return;
    }
    for c in &pod.containers {
        // The API rejects `allowPrivilegeEscalation: false` together with
        // `privileged: true` or an added SYS_ADMIN: escalation is implied
        // there, and privileged-container / dangerous-capabilities report it.
        let implied = privileged(c) || added(c).iter().any(|(_, cap)| cap == "SYS_ADMIN");
        if implied {
            continue;
        }
        let setting = context(c).and_then(|s| s.allow_privilege_escalation);
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
        let field = c.path.keys("securityContext.allowPrivilegeEscalation");
        out.at(Target::Field(field.clone()), message)
        .fix(Fix::Set {
            path: field,
            value: "false",
        })
        .help("set securityContext.allowPrivilegeEscalation: false so that setuid binaries cannot gain more privileges than the process started with")
        .container(c.name());
    }
}

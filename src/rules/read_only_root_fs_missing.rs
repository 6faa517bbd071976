use crate::finding::Fix;
use crate::model::{PodView, Target};
use crate::rules::security::{context, is_windows};
use crate::rules::{Check, Report};

rule!("read-only-root-fs-missing", Check::Pod(check));

fn check(pod: &PodView<'_>, out: &mut Report<'_>) {
    if is_windows(pod) {
        return;
    }
    for c in pod.containers() {
        let message = match context(&c).and_then(|s| s.read_only_root_filesystem) {
            Some(true) => continue,
            // A patch fragment leaves unset fields to its base.
            None if pod.object.partial => continue,
            Some(false) => format!("container `{}` has a writable root filesystem", c.name()),
            None => format!(
                "container `{}` does not set readOnlyRootFilesystem: true",
                c.name()
            ),
        };
        let field = c.path.keys("securityContext.readOnlyRootFilesystem");
        out.at(Target::Field(field.clone()), message)
        .fix(Fix::Set {
            path: field,
            value: "true",
        })
        .help("set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the program must write (/tmp, caches)")
        .container(c.name());
    }
}

use crate::model::software::{is_database, is_web_server};
use crate::model::{PodView, Target};
use crate::rules::{Check, Report};

rule!("database-with-web-app", Check::Pod(check));

fn check(pod: &PodView<'_>, out: &mut Report<'_>) {
    let running = || pod.containers().filter(|c| c.long_lived());
    let Some(web) = running().find(|c| is_web_server(&c.container) && !is_database(&c.container, pod.spec)) else {
        return;
    };
    for db in running().filter(|c| is_database(&c.container, pod.spec)) {
        out.at(
            Target::Field(db.path.key("image")),
            format!(
                "database container `{}` runs in the same Pod as web container `{}`",
                db.name(),
                web.name()
            ),
        )
        .label(Target::Field(web.path.key("image")), "the web container")
        .help("run the database in its own StatefulSet with a Service: in one Pod they cannot scale, restart or upgrade apart")
        .container(db.name());
    }
}

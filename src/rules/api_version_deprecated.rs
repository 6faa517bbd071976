use crate::model::api_versions::lifecycle;
use crate::model::{Object, Served, Target};
use crate::rules::{Check, Report};

rule!("api-version-deprecated", Check::Object(check));

/// An API version deprecated at the run's Kubernetes version and still
/// served there (once removed, `deprecated-api-version` reports it).
fn check(object: &Object<'_>, out: &mut Report<'_>) {
    if let Served::Deprecated { warning } = &object.served {
        let report = out.at(
            Target::Value(object.path().key("apiVersion")),
            format!("{} {} is deprecated by its CRD", object.api_version, object.kind),
        );
        report.help(warning.clone().unwrap_or_else(|| "use a newer version that the CRD serves".into()));
        return;
    }
    let Some(row) = lifecycle(object.api_version, object.kind) else { return };
    let cluster = object.kubernetes_version;
    let served = row.removed_in.is_none_or(|removed| cluster < removed);
    if row.deprecated_in > cluster || !served {
        return;
    }
    let fate = match row.removed_in {
        Some(removed) => format!("Kubernetes {removed} removes it"),
        None => "no removal is scheduled yet".to_string(),
    };
    out.at(
        Target::Value(object.path().key("apiVersion")),
        format!(
            "{} {} is deprecated since Kubernetes {}: {fate}",
            row.api_version, object.kind, row.deprecated_in
        ),
    )
    .help(format!("use {}", row.replacement));
}

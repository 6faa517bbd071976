use crate::model::api_versions::lifecycle;
use crate::model::{Object, Target};
use crate::rules::{Check, Report};

rule!("deprecated-api-version", Check::Object(check));

/// The table of removals is `model::api_versions`, shared with
/// `api-version-deprecated`; this rule reports those removed at or before
/// the run's Kubernetes version.
fn check(object: &Object<'_>, out: &mut Report<'_>) {
    let Some(row) = lifecycle(object.api_version, object.kind) else { return };
    let Some(removed_in) = row.removed_in.filter(|&removed| removed <= object.kubernetes_version) else {
        return;
    };
    out.at(
        Target::Value(object.path().key("apiVersion")),
        format!("{} is no longer served as {}: removed in Kubernetes {removed_in}", object.kind, row.api_version),
    )
    .help(format!("use {}", row.replacement));
}

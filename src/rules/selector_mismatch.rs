use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use crate::model::{Object, PodView, Selector, Target};
use crate::rules::{Check, Report};

rule!("selector-mismatch", Check::CompleteObject(check));

fn check(object: &Object<'_>, out: &mut Report<'_>) {
    let (Some(workload), Some(pod)) = (&object.typed, PodView::of(object)) else {
        return;
    };
    let Some(selector) = workload.selector() else { return };
    let empty = BTreeMap::new();
    let labels = pod.metadata.and_then(|m| m.labels.as_ref()).unwrap_or(&empty);
    let mismatch = match selector {
        Selector::Map(map) => map.iter().find(|(k, v)| labels.get(*k) != Some(*v)).map(|(k, v)| format!("{k}={v}")),
        Selector::Labels(selector) => first_unmatched(selector, labels),
    };
    let Some(requirement) = mismatch else { return };
    let selector_path = object.path().keys("spec.selector");
    out.at(
        Target::Field(object.path().key("kind")),
        format!(
            "{} `{}` selects `{requirement}`, which its Pod template's labels do not match",
            object.kind,
            object.name.unwrap_or("(unnamed)")
        ),
    )
    .label(Target::Field(selector_path), "the selector")
    .label(Target::Field(pod.template_path.keys("metadata.labels")), "the template's labels")
    .help("the API server rejects a controller whose selector does not match its template's labels");
}

/// The first requirement of the selector that the labels do not meet.
fn first_unmatched(selector: &LabelSelector, labels: &BTreeMap<String, String>) -> Option<String> {
    if let Some((k, v)) = selector
        .match_labels
        .iter()
        .flatten()
        .find(|(k, v)| labels.get(*k) != Some(*v))
    {
        return Some(format!("{k}={v}"));
    }
    selector.match_expressions.iter().flatten().find_map(|e| {
        let value = labels.get(&e.key);
        let values = e.values.as_deref().unwrap_or_default();
        let met = match e.operator.as_str() {
            "In" => value.is_some_and(|v| values.contains(v)),
            "NotIn" => value.is_none_or(|v| !values.contains(v)),
            "Exists" => value.is_some(),
            "DoesNotExist" => value.is_none(),
            // An unknown operator is a schema problem, not a mismatch.
            _ => true,
        };
        (!met).then(|| format!("{} {} {:?}", e.key, e.operator, values))
    })
}

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::ResourceRequirements;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity as QuantityText;

use crate::finding::Severity;
use crate::model::placeholder::looks_like_placeholder;
use crate::model::quantity::Quantity;
use crate::model::{FieldPath, Object, PodView, Target, WorkloadKind, API_REQUEST_LIMIT};
use crate::size::ByteSize;
use crate::rules::{Check, Raw, Report};
use crate::source::{Node, Span, Value};

rule!("invalid-field", Check::Object(check));

fn check(object: &Object<'_>, out: &mut Report<'_>) {
    if let Some(size) = object.too_large {
        too_large(object, size, out);
        return;
    }
    for error in object.typing.type_errors.iter().filter(|e| !e.placeholder) {
        match scalar_text_at(object.node, error.span).filter(|text| looks_like_placeholder(text)) {
            Some(text) => {
                placeholder(out, Target::Span(error.span), text);
            }
            None => {
                out.at(Target::Span(error.span), error.message.clone()).help(
                    error.help.clone().map_or(
                        "the API server rejects a value of the wrong type".into(),
                        std::borrow::Cow::Owned,
                    ),
                );
            }
        }
    }
    if let Some(kind) = object.workload_kind {
        // A controller without a template spec is a patch of its replicas or metadata.
        if kind == WorkloadKind::Pod && object.typed.is_some() && !object.partial && PodView::of(object).is_none() {
            let template = object.base.join(&kind.template_path());
            out.at(
                Target::Field(template.keys("spec.containers")),
                format!("this {} has no Pod spec with containers", kind.name()),
            )
            .help("a Pod spec needs at least one container (spec.containers)");
        }
    }
    for pod in PodView::all(object) {
        check_pod(&pod, object, out);
    }
}

/// An object the API server cannot accept: reported once, at its `kind`.
fn too_large(object: &Object<'_>, size: usize, out: &mut Report<'_>) {
    let size = ByteSize(size as u64);
    let limit = ByteSize(API_REQUEST_LIMIT as u64);
    out.at(
        Target::Field(object.path().key("kind")),
        format!(
            "this {} is at least {size} as JSON: the API server refuses a request over {limit}, so it cannot be applied; podlint does not lint it further",
            object.kind
        ),
    )
    .help("split it into smaller objects (the API server answers `Request entity too large: limit is 3145728`)");
}

fn check_pod(pod: &PodView<'_>, object: &Object<'_>, out: &mut Report<'_>) {
    // Only a template's own containers list must not be empty (an assembled
    // custom resource Pod has its containers elsewhere).
    if pod.lists_no_containers() && !object.partial && pod.kind.workload().is_some() {
        out.at(Target::Field(pod.spec_path.key("containers")), "the Pod spec has no containers")
            .help("a Pod spec needs at least one container");
    }
    for c in pod.containers() {
        let container = &c.container;
        // A name the controller gives is not the manifest's to fix.
        if c.named && container.name.is_empty() {
            out.at(Target::Field(c.path.key("name")), "a container without a name")
                .help("every container needs a unique name");
        } else if c.named
            && dns_label_problem(&container.name).is_some()
            && looks_like_placeholder(&container.name)
        {
            placeholder(out, Target::Field(c.path.key("name")), &container.name).container(&container.name);
        } else if let Some(problem) = dns_label_problem(&container.name).filter(|_| c.named) {
            out.at(
                Target::Field(c.path.key("name")),
                format!("container name `{}` {problem}", container.name),
            )
            .help("a container name is a DNS label: at most 63 lowercase letters, digits and `-`, starting and ending with a letter or digit")
            .container(&container.name);
        }
        for (index, port) in container.ports.iter().flatten().enumerate() {
            let path = c.path.key("ports").index(index);
            let numbers = [("containerPort", Some(port.container_port)), ("hostPort", port.host_port)];
            for (field, number) in numbers {
                // A value that did not type (a `${PORT}` placeholder) reads as 0.
                let written = object.lookup(&path.key(field)).and_then(|n| n.as_scalar()).is_some_and(|s| {
                    s.style == crate::source::ScalarStyle::Plain && s.text.parse::<i64>().is_ok()
                });
                match number {
                    Some(n) if written && !(1..=65535).contains(&n) => {
                        out.at(
                            Target::Field(path.key(field)),
                            format!("port {n} is out of range"),
                        )
                        .help("ports are numbers from 1 to 65535")
                        .container(&container.name);
                    }
                    _ => {}
                }
            }
            if let Some(problem) = port.name.as_deref().and_then(port_name_problem) {
                out.at(Target::Field(path.key("name")), format!("port name {problem}"))
                    .help("a port name has at most 15 lowercase letters, digits and `-`, with at least one letter")
                    .container(&container.name);
            }
        }
        // A fragment gets its images from the object it is merged into.
        if container.image.is_none() && !object.partial {
            out.at(
                Target::Field(c.path.key("image")),
                format!("container `{}` has no image", container.name),
            )
            .help("every container needs an image (spec.containers[].image)")
            .container(&container.name);
        }
        if let Some(resources) = &container.resources {
            quantities(resources, &c.path, &container.name, out);
        }
    }
}

/// A value written for someone to replace (`<ADD LUN ID Here>`,
/// `ROLLOUT_NAME`) makes the file a template, not a mistake: said so, at
/// warning, since it must still be filled in before the API server accepts it.
fn placeholder<'r>(out: &'r mut Report<'_>, target: Target, text: &str) -> &'r mut Raw {
    let raw = out.at(
        target,
        format!("`{}` is a placeholder, not a value: replace it before applying", text.trim()),
    );
    raw.severity = Some(Severity::Warning);
    raw.help("the API server rejects the file as written; fill the value in (or generate the file) before it is applied")
}

/// The text of the scalar at `span` below `node`.
fn scalar_text_at(node: &Node, span: Span) -> Option<&str> {
    let (outer, inner) = (node.span.range(), span.range());
    if inner.start < outer.start || inner.end > outer.end {
        return None;
    }
    if node.span == span {
        return node.as_str();
    }
    match &node.value {
        Value::Map(entries) => entries.iter().find_map(|entry| scalar_text_at(&entry.value, span)),
        Value::Seq(items) => items.iter().find_map(|item| scalar_text_at(item, span)),
        Value::Scalar(_) => None,
    }
}

fn quantities(resources: &ResourceRequirements, container: &FieldPath, name: &str, out: &mut Report<'_>) {
    let lists: [(&'static str, &Option<BTreeMap<String, QuantityText>>); 2] =
        [("limits", &resources.limits), ("requests", &resources.requests)];
    for (list, values) in lists {
        for (resource, value) in values.iter().flatten() {
            if Quantity::parse(&value.0).is_none() {
                let hint = if value.0.ends_with('B') {
                    " (write 1G or 1Gi, not 1GB)"
                } else {
                    ""
                };
                out.at(
                    Target::Field(container.key("resources").key(list).key(resource.clone())),
                    format!("`{}` is not a valid quantity{hint}", value.0),
                )
                .help("quantities are numbers with an optional suffix: 500m, 2, 128Mi, 1Gi, 1e3")
                .container(name);
            }
        }
    }
}

fn dns_label_problem(name: &str) -> Option<&'static str> {
    if name.len() > 63 {
        return Some("is longer than 63 characters");
    }
    let valid_chars = name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    let valid_ends = !name.starts_with('-') && !name.ends_with('-');
    (!valid_chars || !valid_ends).then_some("is not a valid DNS label")
}

fn port_name_problem(name: &str) -> Option<String> {
    if name.len() > 15 {
        return Some(format!("`{name}` is longer than 15 characters"));
    }
    let valid = name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && name.bytes().any(|b| b.is_ascii_lowercase())
        && !name.starts_with('-')
        && !name.ends_with('-')
        && !name.contains("--");
    (!valid).then(|| format!("`{name}` is not a valid port name"))
}

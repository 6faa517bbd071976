use crate::relations::facts::ReferenceKind;
use crate::relations::{Report, Set};
use crate::rules::Check;

rule!("reference-missing", Check::Relation(check));

fn check(set: &Set<'_>, out: &mut Report<'_>) {
    for workload in &set.members {
        let Some(facts) = workload.workload() else {
            continue;
        };
        let namespace = workload.namespace();
        for reference in facts.references.iter().filter(|r| !r.optional) {
            let kind = reference.kind.kind();
            let generated = workload.facts.kustomized
                && matches!(reference.kind, ReferenceKind::ConfigMap | ReferenceKind::Secret);
            if generated
                || made_by_cluster(kind, &reference.name)
                || set.made_by_operator(&reference.name)
                || set.created_at_run_time(kind, workload)
            {
                continue;
            }
            if !set.named(kind, &reference.name, namespace).is_empty()
                || !set.expects(kind, workload)
            {
                continue;
            }
            let where_ = if set.closed() {
                "in its chart or build".to_string()
            } else {
                format!("among the manifests linted with it (they define other {kind}s)")
            };
            let help = match reference.kind {
                ReferenceKind::ConfigMap | ReferenceKind::Secret => format!(
                    "define the {kind}, fix the name, or mark the reference `optional: true` if the Pod can start without it"
                ),
                _ => format!("define the {kind} or fix the name: the Pod cannot start without it"),
            };
            out.at(
                workload,
                reference.place,
                format!(
                    "{} references {kind} `{}`, which is not defined {where_}",
                    workload.describe(),
                    reference.name
                ),
            )
            .help(help);
        }
    }
}

/// Objects that Kubernetes makes by itself: the `kube-root-ca.crt`
/// ConfigMap of every namespace and the token Secrets of ServiceAccounts
/// (`default-token-x7k2p`, in Pods exported from a cluster). An empty name
/// (`serviceAccountName: ""`) means the default.
fn made_by_cluster(kind: &str, name: &str) -> bool {
    let token_secret = || {
        name.rsplit_once("-token-").is_some_and(|(account, suffix)| {
            !account.is_empty()
                && suffix.len() == 5
                && suffix.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
    };
    name.is_empty()
        || (kind == "ConfigMap" && name == "kube-root-ca.crt")
        || (kind == "Secret" && token_secret())
}

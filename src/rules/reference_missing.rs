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
            if !set.named(kind, &reference.name, namespace).is_empty()
                || !set.expects(kind, namespace)
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

use crate::relations::facts::Detail;
use crate::relations::{Report, Set};
use crate::rules::Check;

rule!("autoscaler-target-missing", Check::Relation(check));

fn check(set: &Set<'_>, out: &mut Report<'_>) {
    for autoscaler in &set.members {
        let Detail::Autoscaler(facts) = &autoscaler.facts.detail else {
            continue;
        };
        let namespace = autoscaler.namespace();
        let kind = &*facts.target_kind;
        if set.made_by_operator(&facts.target_name)
            || !set.named(kind, &facts.target_name, namespace).is_empty() || !set.expects(kind, autoscaler) {
            continue;
        }
        let where_ = if set.closed() {
            "in its chart or build".to_string()
        } else {
            format!("among the manifests linted with it (they define other {kind}s)")
        };
        out.at(
            autoscaler,
            facts.target_place,
            format!(
                "HorizontalPodAutoscaler `{}` scales {kind} `{}`, which is not defined {where_}",
                autoscaler.name(),
                facts.target_name
            ),
        )
        .help("fix scaleTargetRef's kind and name: an autoscaler without its target scales nothing");
    }
}

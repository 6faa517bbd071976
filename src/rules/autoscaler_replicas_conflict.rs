use crate::relations::facts::Detail;
use crate::relations::{Report, Set};
use crate::rules::Check;

rule!("autoscaler-replicas-conflict", Check::Relation(check));

fn check(set: &Set<'_>, out: &mut Report<'_>) {
    for workload in &set.members {
        let Some((count, place)) = workload.workload().and_then(|w| w.replicas) else {
            continue;
        };
        let Some(autoscaler) = set.autoscalers_of(workload).into_iter().next() else {
            continue;
        };
        let Detail::Autoscaler(facts) = &autoscaler.facts.detail else {
            continue;
        };
        out.at(
            workload,
            place,
            format!(
                "{} sets `replicas: {count}` but HorizontalPodAutoscaler `{}` scales it: every apply resets the replica count the autoscaler chose",
                workload.describe(),
                autoscaler.name()
            ),
        )
        .label(&autoscaler, facts.target_place, "scaled here")
        .help("remove `replicas` from the workload and let the autoscaler's minReplicas set the floor");
    }
}

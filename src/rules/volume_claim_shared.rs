use std::collections::HashMap;

use crate::relations::facts::{Detail, Place, ReferenceKind};
use crate::relations::{Member, Report, Set};
use crate::rules::Check;

rule!("volume-claim-shared", Check::Relation(check));

/// Access modes that let more than one node (or Pod) use the volume.
const SHARED_MODES: [&str; 2] = ["ReadWriteMany", "ReadOnlyMany"];

fn check(set: &Set<'_>, out: &mut Report<'_>) {
    // Each workload that mounts a claim, by the claim's name, with the `claimName:`.
    let mut mounts: HashMap<&str, Vec<(Member<'_>, Place)>> = HashMap::new();
    for member in &set.members {
        let Some(workload) = member.workload() else {
            continue;
        };
        for reference in &workload.references {
            if reference.kind == ReferenceKind::PersistentVolumeClaim {
                let users = mounts.entry(&reference.name).or_default();
                if !users.iter().any(|(m, _)| same_object(m, member)) {
                    users.push((*member, reference.place));
                }
            }
        }
    }
    for claim in &set.members {
        let Detail::Claim(facts) = &claim.facts.detail else {
            continue;
        };
        let modes = &facts.access_modes;
        if modes.is_empty() || modes.iter().any(|m| SHARED_MODES.contains(&&**m)) {
            continue;
        }
        let mode = &modes[0];
        let Some(users) = claim.facts.name.as_deref().and_then(|n| mounts.get(n)) else {
            continue;
        };
        let users: Vec<_> = users
            .iter()
            .filter(|(m, _)| crate::relations::sets::compatible(m.namespace(), claim.namespace()))
            .collect();
        for (user, place) in &users {
            // In the raw files, workloads of other folders are other
            // applications (or alternatives of this one).
            let together = |other: &Member<'_>| set.closed() || other.folder == user.folder;
            let message = match users
                .iter()
                .find(|(other, _)| !same_object(other, user) && together(other))
            {
                Some((other, _)) => format!(
                    "claim `{}` is {mode} but {} and {} both mount it: the second Pod cannot attach it on another node",
                    claim.name(),
                    user.describe(),
                    other.describe()
                ),
                None => match replicas(set, user) {
                    Some(count) => format!(
                        "claim `{}` is {mode} but {} runs {count}: replicas on other nodes cannot attach it (Multi-Attach error)",
                        claim.name(),
                        user.describe()
                    ),
                    None => continue,
                },
            };
            out.at(user, *place, message)
                .label(claim, facts.modes_place, format!("`{mode}` here"))
                .help("give each replica its own claim (a StatefulSet's volumeClaimTemplates), or use a ReadWriteMany volume");
        }
    }
}

fn same_object(a: &Member<'_>, b: &Member<'_>) -> bool {
    a.facts.kind == b.facts.kind && a.facts.name == b.facts.name
}

/// "3 replicas", "up to 5 replicas (autoscaled)", "a Pod on every node":
/// when the workload can run more than one Pod.
fn replicas(set: &Set<'_>, member: &Member<'_>) -> Option<String> {
    let workload = member.workload()?;
    if workload.workload_kind == Some(crate::model::WorkloadKind::DaemonSet) {
        return Some("a Pod on every node".into());
    }
    let autoscaled = set
        .autoscalers_of(member)
        .iter()
        .filter_map(|hpa| match &hpa.facts.detail {
            Detail::Autoscaler(a) => a.max_replicas,
            _ => None,
        })
        .max();
    match (workload.replicas, autoscaled) {
        (_, Some(max)) if max > 1 => Some(format!("up to {max} replicas (autoscaled)")),
        (Some((count, _)), _) if count > 1 => Some(format!("{count} replicas")),
        _ => None,
    }
}

use crate::relations::facts::Detail;
use crate::relations::{Report, Set};
use crate::rules::Check;

rule!("reference-key-missing", Check::Relation(check));

fn check(set: &Set<'_>, out: &mut Report<'_>) {
    for workload in &set.members {
        let Some(facts) = workload.workload() else {
            continue;
        };
        for reference in facts.references.iter().filter(|r| !r.optional) {
            let kind = reference.kind.kind();
            // In the raw files, only a definition in the referrer's folder
            // is the one it meets (other folders hold other applications).
            let defined: Vec<_> = set
                .named(kind, &reference.name, workload.namespace())
                .into_iter()
                .filter(|m| set.closed() || m.folder == workload.folder)
                .collect();
            // Only objects written with their data can be judged (not a patch,
            // nor a base an overlay completes); with several definitions
            // (alternatives), a key any of them has is there.
            let data: Vec<_> = defined
                .iter()
                .filter(|m| !m.facts.partial)
                .filter_map(|m| match &m.facts.detail {
                    // An object without keys is filled in elsewhere.
                    Detail::Data(data) if !data.keys.is_empty() => Some((m, data)),
                    _ => None,
                })
                .collect();
            if data.is_empty() || data.len() < defined.len() {
                continue;
            }
            for (key, place) in &reference.keys {
                if data.iter().any(|(_, d)| d.keys.contains(key)) {
                    continue;
                }
                let (holder, holder_data) = data[0];
                let mut known: Vec<&str> = holder_data.keys.iter().map(|k| &**k).collect();
                known.sort_unstable();
                let has = if known.is_empty() {
                    "has no keys".to_string()
                } else {
                    format!("has {}", known.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", "))
                };
                out.at(
                    workload,
                    *place,
                    format!("{kind} `{}` has no key `{key}`: it {has}", reference.name),
                )
                .label(holder, holder_data.data_place, format!("the keys of {kind} `{}`", reference.name))
                .help("fix the key, add it to the data, or mark the reference `optional: true`");
            }
        }
    }
}

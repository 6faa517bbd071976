use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use crate::model::{FieldPath, PodView, Target};
use crate::rules::{Check, Report};

rule!("duplicate-container-name", Check::Pod(check));

fn check(pod: &PodView<'_>, out: &mut Report<'_>) {
    // A large Pod's containers are typed one at a time: the first pass keeps
    // names and positions, sorted (n log n, no table), and a second pass
    // (only when a name repeats) finds the paths.
    let named = || {
        // A name the controller gives (Knative, Tekton) is made unique by it.
        pod.containers()
            .enumerate()
            .filter(|(_, c)| !c.name().is_empty() && c.named)
    };
    let mut names: Vec<(Cow<'_, str>, usize)> = Vec::with_capacity(pod.max_containers());
    names.extend(named().map(|(position, c)| (c.lasting_name(), position)));
    names.sort_unstable();
    // The position of each repeated name, and of its first use.
    let repeats: HashMap<usize, usize> = names
        .chunk_by(|a, b| a.0 == b.0)
        .flat_map(|uses| uses[1..].iter().map(|(_, position)| (*position, uses[0].1)))
        .collect();
    drop(names);
    if repeats.is_empty() {
        return;
    }
    let firsts: HashSet<usize> = repeats.values().copied().collect();
    let mut first_paths: HashMap<usize, FieldPath> = HashMap::new();
    for (position, c) in named() {
        let Some(earlier) = repeats.get(&position) else {
            if firsts.contains(&position) {
                first_paths.insert(position, c.path.clone());
            }
            continue;
        };
        let Some(earlier) = first_paths.get(earlier) else {
            continue;
        };
        out.at(
            Target::Field(c.path.key("name")),
            format!("two containers are named `{}`", c.name()),
        )
        .label(Target::Field(earlier.key("name")), "first used here")
        .help("container names must be unique across containers and initContainers; the API server rejects the Pod")
        .container(c.name());
    }
}

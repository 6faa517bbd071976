//! The pre-pass: before any object is linted, the run's files (and the
//! `--policies` folders) are scanned for policies, then for the params
//! those policies name. A file is parsed here only when its text names a
//! policy or a param kind: the others cost one substring search.

use std::sync::Arc;

use rayon::prelude::*;

use super::Policies;
use crate::discover::{self, Input};
use crate::pipeline::DEFAULT_MAX_FILE_SIZE;

const MARKER: &str = "ValidatingAdmissionPolicy";

/// The policies of `inputs` and of the files under `folders`; messages for
/// policy folders that cannot be read and policies that do not compile.
pub fn read(inputs: &[Input], folders: &[String]) -> (Policies, Vec<String>) {
    let listed = discover::discover(folders, None, &mut |_| false);
    let mut problems = listed.errors;
    let all: Vec<&Input> = inputs.iter().chain(&listed.inputs).collect();
    // Only the texts that hold a policy are kept.
    let with_policies = texts(&all, |text| text.contains(MARKER));
    let mut policies = Policies::default();
    for (name, text) in &with_policies {
        problems.extend(policies.add_policies(name, text));
    }
    let kinds: Vec<String> = policies
        .param_kinds()
        .into_iter()
        .map(|kind| format!("kind: {kind}"))
        .collect();
    if !kinds.is_empty() {
        let with_params = texts(&all, |text| kinds.iter().any(|k| text.contains(k.as_str())));
        for (_, text) in &with_params {
            policies.add_params(text);
        }
    }
    (policies, problems)
}

/// The names and texts of the files whose text `wanted` accepts; files
/// that cannot be read are left to the lint, which reports them.
fn texts(inputs: &[&Input], wanted: impl Fn(&str) -> bool + Sync) -> Vec<(Arc<str>, String)> {
    inputs
        .par_iter()
        .filter_map(|input| match input {
            // Read as the lint reads: regular files only, up to the size
            // limit (a FIFO or /dev/zero is refused, not waited on).
            Input::File { name, .. } => {
                let bytes = crate::source::read(input, DEFAULT_MAX_FILE_SIZE).ok()?;
                let text = crate::source::decode(bytes).text;
                wanted(&text).then(|| (Arc::from(name.as_str()), text))
            }
            Input::Stdin { .. } => None,
        })
        .collect()
}

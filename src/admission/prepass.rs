//! The pre-pass: before any object is linted, the run's files (and the
//! `--policies` folders) are scanned for policies, then for the params
//! those policies name. A file is parsed here only when its text names a
//! policy or a param kind: the others cost one substring search. The
//! reading is shared with the CRDs' pre-pass (see [`read`]).

use std::sync::Arc;

use rayon::prelude::*;

use super::Policies;
use crate::discover::{self, Input};
use crate::model::{crd, Crds};
use crate::pipeline::DEFAULT_MAX_FILE_SIZE;

const MARKER: &str = "ValidatingAdmissionPolicy";

/// What the run defines for every file: the policies of `inputs` and of the
/// files under `policy_folders`, and the CRDs of `inputs` and of the files
/// under `crd_folders`; messages for folders that cannot be read and
/// policies that do not compile. Each file is read once for both.
pub fn read(
    inputs: &[Input],
    policy_folders: &[String],
    crd_folders: &[String],
) -> (Policies, Crds, Vec<String>) {
    let policy_files = discover::discover(policy_folders, None, &mut |_| false);
    let crd_files = discover::definition_files(crd_folders);
    let mut problems = policy_files.errors;
    problems.extend(crd_files.errors);
    // (input, may hold policies, may hold CRDs)
    let all: Vec<(&Input, bool, bool)> = inputs
        .iter()
        .map(|i| (i, true, true))
        .chain(policy_files.inputs.iter().map(|i| (i, true, false)))
        .chain(crd_files.inputs.iter().map(|i| (i, false, true)))
        .collect();
    // Each file's CRDs are compiled on a worker as it is read (each
    // distinct CRD once: see `crd::Compiled`), and gathered in input
    // order; only the texts that hold a policy are kept.
    let compiled = crd::Compiled::default();
    let read: Vec<(Arc<str>, Option<String>, Option<Crds>)> = all
        .par_iter()
        .filter_map(|&(input, policies, crds)| {
            let text = text(input)?;
            let policies = policies && text.contains(MARKER);
            let crds = crds && text.contains(crd::MARKER);
            let name: Arc<str> = Arc::from(input.name());
            let definitions = crds.then(|| {
                let mut definitions = Crds::default();
                definitions.add_shared(&name, &text, &compiled);
                definitions
            });
            (policies || crds).then(|| (name, policies.then_some(text), definitions))
        })
        .collect();
    let mut definitions = Crds::default();
    let mut policies = Policies::default();
    for (name, text, crds) in read {
        if let Some(crds) = crds {
            definitions.merge(crds);
        }
        if let Some(text) = text {
            problems.extend(policies.add_policies(&name, &text));
        }
    }
    let kinds: Vec<String> = policies
        .param_kinds()
        .into_iter()
        .map(|kind| format!("kind: {kind}"))
        .collect();
    if !kinds.is_empty() {
        let with_params: Vec<String> = all
            .par_iter()
            .filter(|(_, policies, _)| *policies)
            .filter_map(|(input, _, _)| text(input))
            .filter(|text| kinds.iter().any(|k| text.contains(k.as_str())))
            .collect();
        for text in &with_params {
            policies.add_params(text);
        }
    }
    (policies, definitions, problems)
}

/// A file's text, read as the lint reads it: regular files only, up to the
/// size limit (a FIFO or /dev/zero is refused, not waited on); files that
/// cannot be read are left to the lint, which reports them.
fn text(input: &Input) -> Option<String> {
    match input {
        Input::File { .. } => {
            let bytes = crate::source::read(input, DEFAULT_MAX_FILE_SIZE).ok()?;
            Some(crate::source::decode(bytes).text)
        }
        Input::Stdin { .. } => None,
    }
}

//! The pre-pass: before any object is linted, the run's files (and the
//! `--policies` folders) are scanned for policies, then for the params
//! those policies name. A file is parsed here only when its text names a
//! policy or a param kind: the others cost one substring search. The
//! reading is shared with the CRDs' pre-pass (see [`read`]).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use super::Policies;
use crate::discover::{self, Input};
use crate::model::crd_scope::{Scope, Scopes};
use crate::model::{crd, Crds};
use crate::pipeline::DEFAULT_MAX_FILE_SIZE;

const MARKER: &str = "ValidatingAdmissionPolicy";

/// Folders of CRD files that a run reads besides its inputs.
pub struct CrdFolders {
    /// `--crds` and config `crds:`: their CRDs type every file.
    pub everywhere: Vec<String>,
    /// A chart's `crds/` folder, and the chart: its CRDs type what the
    /// chart's own files would be typed by (see [`crate::model::crd_scope`]).
    pub of_charts: Vec<(String, PathBuf)>,
}

/// What the run defines for every file: the policies of `inputs` and of the
/// files under `policy_folders`, and the CRDs of `inputs` and of the files
/// under `crd_folders`, each CRD in its scope (`scopes`); messages for
/// folders that cannot be read and policies that do not compile. Each file
/// is read once for both.
pub fn read(
    inputs: &[Input],
    policy_folders: &[String],
    crd_folders: &CrdFolders,
    scopes: &Scopes,
) -> (Policies, Crds, Vec<String>) {
    let policy_files = discover::discover(policy_folders, None, &mut |_| false);
    let mut problems = policy_files.errors;
    let everywhere = discover::definition_files(&crd_folders.everywhere);
    problems.extend(everywhere.errors);
    // (input, may hold policies, may hold CRDs, the CRDs' scope when known)
    let mut all: Vec<(&Input, bool, bool, Reach)> = inputs
        .iter()
        .map(|i| (i, true, true, Reach::OwnFolder))
        .chain(
            policy_files
                .inputs
                .iter()
                .map(|i| (i, true, false, Reach::OwnFolder)),
        )
        .chain(
            everywhere
                .inputs
                .iter()
                .map(|i| (i, false, true, Reach::Everywhere)),
        )
        .collect();
    let charts: Vec<(discover::Discovered, Scope)> = crd_folders
        .of_charts
        .iter()
        .map(|(folder, chart)| {
            let files = discover::definition_files(std::slice::from_ref(folder));
            (files, scopes.of(chart))
        })
        .collect();
    for (files, scope) in &charts {
        problems.extend(files.errors.iter().cloned());
        all.extend(
            files
                .inputs
                .iter()
                .map(|i| (i, false, true, Reach::Scope(scope))),
        );
    }
    // Each file's CRDs are compiled on a worker as it is read (each
    // distinct CRD once: see `crd::Compiled`), and gathered in input
    // order; only the texts that hold a policy are kept.
    let compiled = crd::Compiled::default();
    let read: Vec<(&Input, Option<String>, Option<Crds>)> = all
        .par_iter()
        .filter_map(|(input, policies, crds, reach)| {
            let text = text(input)?;
            let policies = *policies && text.contains(MARKER);
            let crds = (*crds && text.contains(crd::MARKER)).then(|| {
                let scope = match reach {
                    Reach::Everywhere => None,
                    Reach::Scope(scope) => Some((*scope).clone()),
                    Reach::OwnFolder => {
                        let path = Path::new(input.name());
                        Some(scopes.of(path.parent().unwrap_or(Path::new(""))))
                    }
                };
                let mut crds = Crds::default();
                crds.add_shared(&Arc::from(input.name()), &text, scope.as_ref(), &compiled);
                crds
            });
            (policies || crds.is_some()).then(|| (*input, policies.then_some(text), crds))
        })
        .collect();
    let mut definitions = Crds::default();
    let mut policies = Policies::default();
    for (input, text, crds) in read {
        if let Some(crds) = crds {
            definitions.merge(crds);
        }
        if let Some(text) = text {
            problems.extend(policies.add_policies(&Arc::from(input.name()), &text));
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
            .filter(|(_, policies, _, _)| *policies)
            .filter_map(|(input, _, _, _)| text(input))
            .filter(|text| kinds.iter().any(|k| text.contains(k.as_str())))
            .collect();
        for text in &with_params {
            policies.add_params(text);
        }
    }
    (policies, definitions, problems)
}

/// Which files the CRDs of a file type.
enum Reach<'a> {
    /// Those of the file's own scope.
    OwnFolder,
    Everywhere,
    Scope(&'a Scope),
}

/// A file's text, read as the lint reads it: regular files only, up to the
/// size limit (a FIFO or /dev/zero is refused, not waited on); files that
/// cannot be read are left to the lint, which reports them.
pub(crate) fn text(input: &Input) -> Option<String> {
    match input {
        Input::File { .. } => {
            let bytes = crate::source::read(input, DEFAULT_MAX_FILE_SIZE).ok()?;
            Some(crate::source::decode(bytes).text)
        }
        Input::Stdin { .. } => None,
    }
}

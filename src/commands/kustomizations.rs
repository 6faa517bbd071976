//! The kustomizations of a `check` run: the roots found among its files (or
//! named) are built, their findings placed in the files they use, and those
//! files leave the list of files linted alone.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver};
use std::sync::Arc;

use rayon::prelude::*;
use rayon::ThreadPool;

use super::charts::Placed;
use super::check::FileConfig;
use crate::cli::CheckArgs;
use crate::config::Config;
use crate::discover::{Discovered, Input};
use crate::render::kustomization::{self, Kustomizations};
use crate::render::kustomize::Binary;
use crate::render::origins::WrittenObjects;
use crate::render::overlays::{self, Fetched, Names, Root};
use crate::render::{self};

/// The kustomizations of a run, found before its pre-pass; at one job,
/// kustomize builds their roots while the pre-pass reads the files.
pub struct Kustomize {
    placed: Placed,
    plan: Option<Plan>,
}

/// The roots to build and what their findings need.
struct Plan {
    set: Arc<Kustomizations>,
    names: Arc<Names>,
    binary: Binary,
    /// The roots under each config, in parts that share no file.
    groups: Vec<(Arc<FileConfig>, Vec<Vec<Root>>)>,
    /// Each input's canonical path.
    canonical: Vec<Option<PathBuf>>,
    named_files: Vec<PathBuf>,
    file_in_kustomization: bool,
    /// The roots' builds, in order, when they are built one at a time.
    prefetched: Option<Receiver<Fetched>>,
}

/// Finds the roots of the run (`config_for`: the config of a folder) and,
/// at one job, starts building them.
pub fn plan(
    discovered: &Discovered,
    paths: &[String],
    args: &CheckArgs,
    config_for: &mut dyn FnMut(&Path) -> Arc<FileConfig>,
    pool: Option<&ThreadPool>,
) -> Kustomize {
    let mut placed = Placed::default();
    let given: Vec<PathBuf> = paths.iter().map(PathBuf::from).collect();
    let named_files: Vec<PathBuf> = given
        .iter()
        .filter(|p| p.is_file())
        .filter_map(|p| p.canonicalize().ok())
        .collect();
    let named: Vec<PathBuf> = given
        .iter()
        .filter(|p| p.is_dir() && kustomization::file_in(p).is_some())
        .cloned()
        .collect();
    // Each input's canonical path, once (a system call a folder of its path).
    let canonical: Vec<Option<PathBuf>> = discovered
        .inputs
        .iter()
        .map(|input| match input {
            Input::File { path, .. } => path.canonicalize().ok(),
            Input::Stdin { .. } => None,
        })
        .collect();
    let mut found = kustomization_folders(&discovered.inputs, &canonical, &named_files);
    // A file named inside a kustomization (pre-commit, an editor) is linted
    // through the roots of its repository that use it.
    let file_in_kustomization = named_files.iter().any(|file| near_kustomization(file));
    if file_in_kustomization {
        for file in &named_files {
            found.extend(repository_kustomizations(file));
        }
        found.sort();
        found.dedup();
    }
    if found.is_empty() && named.is_empty() {
        return Kustomize { placed, plan: None };
    }
    let set = Arc::new(Kustomizations::load(&found, &named));
    placed.errors.extend(set.errors.iter().cloned());
    // Only the files of the kustomizations' folders and of the folders of
    // files they use can be named by a finding: a run over many
    // repositories does not keep the name of every file.
    let mut folders: HashSet<PathBuf> = set.by_dir.keys().cloned().collect();
    for root in set.roots() {
        folders.extend(
            set.uses(root)
                .keys()
                .filter_map(|f| f.parent().map(Path::to_path_buf)),
        );
    }
    let names = Arc::new(Names::new(
        discovered
            .inputs
            .iter()
            .zip(&canonical)
            .filter_map(|(input, canonical)| match (input, canonical) {
                (Input::File { name, .. }, Some(canonical)) => {
                    let near = canonical.parent().is_some_and(|dir| folders.contains(dir));
                    near.then(|| (canonical.clone(), name.clone()))
                }
                _ => None,
            }),
    ));
    drop(folders);
    let roots: Vec<Root> = set
        .roots()
        .into_iter()
        // Roots found for named files only when they use one.
        .filter(|dir| {
            !file_in_kustomization
                || !named_files.is_empty() && {
                    let uses = set.uses(dir);
                    named_files.iter().any(|f| uses.contains_key(f))
                }
                || found_by_walk(dir, &canonical, &named_files)
        })
        .map(|dir| Root {
            dir: dir.to_path_buf(),
            name: root_name(&set, dir, &names),
        })
        .collect();
    if roots.is_empty() {
        return Kustomize { placed, plan: None };
    }
    // The binary of the first root's config: one run, one kustomize.
    let first = config_for(&roots[0].dir);
    let binary = match binary_for(args.kustomize.as_deref(), &first.config, &first.folder) {
        Ok(binary) => binary,
        Err(message) => {
            let listed: Vec<&str> = roots.iter().map(|r| r.name.as_str()).collect();
            placed.errors.push(format!(
                "{message}; not built (their files are linted one by one): {}",
                listed.join(", ")
            ));
            return Kustomize { placed, plan: None };
        }
    };
    // Roots under one config make one unit: a finding they share is one.
    let mut by_config: Vec<(Arc<FileConfig>, Vec<Root>)> = Vec::new();
    for root in roots {
        let config = config_for(&root.dir);
        match by_config.iter_mut().find(|(c, _)| Arc::ptr_eq(c, &config)) {
            Some((_, members)) => members.push(root),
            None => by_config.push((config, vec![root])),
        }
    }
    let groups: Vec<(Arc<FileConfig>, Vec<Vec<Root>>)> = by_config
        .into_iter()
        .map(|(config, roots)| (config, overlays::independent(&set, roots)))
        .collect();
    let one_job = pool.is_some_and(|pool| pool.current_num_threads() == 1);
    let prefetched = one_job.then(|| {
        let parts = groups.iter().flat_map(|(_, parts)| parts.clone()).collect();
        prefetch(binary.clone(), set.clone(), parts)
    });
    Kustomize {
        placed,
        plan: Some(Plan {
            set,
            names,
            binary,
            groups,
            canonical,
            named_files,
            file_in_kustomization,
            prefetched,
        }),
    }
}

/// How many roots kustomize may have built ahead of the lint at one job:
/// a root whose lint takes longer than the next builds (a build with
/// large CRDs) does not hold kustomize up. Each waits as its text.
const BUILDS_WAITING: usize = 3;

/// Runs kustomize on each root of `parts` in order, on a thread of its own,
/// up to [`BUILDS_WAITING`] roots ahead of the lint.
fn prefetch(binary: Binary, set: Arc<Kustomizations>, parts: Vec<Vec<Root>>) -> Receiver<Fetched> {
    // The sender holds one more build while it waits to send it.
    let (sender, fetched) = mpsc::sync_channel(BUILDS_WAITING - 1);
    std::thread::spawn(move || {
        for roots in &parts {
            // The roots of a part share their tree's files.
            let read = WrittenObjects::default();
            for root in roots {
                if sender
                    .send(overlays::fetch_root(&binary, &set, root, &read))
                    .is_err()
                {
                    return;
                }
            }
        }
    });
    fetched
}

impl Kustomize {
    /// Builds (or takes the builds of) the roots, lints them and takes the
    /// files they use out of `discovered` (and their configs out of
    /// `configs`).
    pub fn lint(
        self,
        discovered: &mut Discovered,
        configs: &mut Vec<Arc<FileConfig>>,
        pool: Option<&ThreadPool>,
        crds: &crate::model::Crds,
    ) -> Placed {
        let Kustomize { mut placed, plan } = self;
        let Some(plan) = plan else {
            return placed;
        };
        let mut used = HashSet::new();
        for (config, parts) in plan.groups {
            // Findings name how many of the group's roots share them.
            let total = parts.iter().map(Vec::len).sum();
            // The roots of a part share files: the first stands for all.
            let seen = |roots: &Vec<Root>| {
                roots
                    .first()
                    .map_or_else(crate::model::Crds::default, |r| crds.seen_from(&r.dir))
            };
            let lint = |roots: &Vec<Root>| {
                let built = overlays::build_roots(&plan.binary, &plan.set, roots, &plan.names);
                let linted = render::lint_unit(&built.unit, &config.settings, total, &seen(roots));
                (built.used, built.unit.sources.len(), linted)
            };
            let built: Vec<_> = match (pool, &plan.prefetched) {
                (Some(_), Some(fetched)) => parts
                    .iter()
                    .map(|roots| {
                        let crds = seen(roots);
                        let linting = render::UnitLint::new(&config.settings, total, &crds);
                        lint_fetched(
                            fetched,
                            &plan.binary,
                            &plan.set,
                            roots,
                            &plan.names,
                            linting,
                        )
                    })
                    .collect(),
                (Some(pool), None) => pool.install(|| parts.par_iter().map(lint).collect()),
                (None, _) => parts.par_iter().map(lint).collect(),
            };
            for (files, sources, linted) in built {
                used.extend(files);
                placed.add_unit(sources, linted, &config);
            }
        }
        if plan.file_in_kustomization {
            // Only the named files are reported; the others were read for them.
            let named_names: Vec<Arc<str>> = plan
                .named_files
                .iter()
                .map(|f| plan.names.name(f))
                .collect();
            placed
                .files
                .retain(|(name, _, _)| named_names.contains(name));
        }
        placed.files.sort_by(|a, b| a.0.cmp(&b.0));
        // Files the builds used are linted through them, not alone.
        let keep: Vec<bool> = discovered
            .inputs
            .iter()
            .zip(&plan.canonical)
            .map(|(input, canonical)| match input {
                Input::File { .. } => canonical.as_ref().is_none_or(|p| !used.contains(p)),
                Input::Stdin { .. } => true,
            })
            .collect();
        let mut flags = keep.iter();
        discovered.inputs.retain(|_| *flags.next().unwrap_or(&true));
        let mut flags = keep.iter();
        configs.retain(|_| *flags.next().unwrap_or(&true));
        placed
    }
}

/// A part's roots, as [`prefetch`] built them, read and linted one by one
/// as they come (each build dropped once linted): as
/// [`overlays::build_roots`] and [`render::lint_unit`] make them, the files
/// the roots use, how many source files, and the findings.
fn lint_fetched(
    fetched: &Receiver<Fetched>,
    binary: &Binary,
    set: &Arc<Kustomizations>,
    roots: &[Root],
    names: &Arc<Names>,
    mut linting: render::UnitLint,
) -> (Vec<PathBuf>, usize, render::Linted) {
    let mut built = overlays::Built::default();
    for root in roots {
        // Without the builder (it stopped), the root is built here.
        let fetched = fetched.recv().unwrap_or_else(|_| {
            overlays::fetch_root(binary, set, root, &WrittenObjects::default())
        });
        let renders = built.unit.renders.len();
        built.add(
            set,
            root,
            overlays::finish_root(binary, root, fetched),
            names,
        );
        if built.unit.renders.len() > renders {
            if let Some(render) = built.unit.renders.pop() {
                linting.add(&render, &built.unit.sources);
            }
        }
    }
    let linted = linting.finish(&built.unit);
    (built.used, built.unit.sources.len(), linted)
}

/// The kustomize of a config (`kustomize.binary`, relative to the config's
/// `folder`) unless `flag` names one.
pub fn binary_for(flag: Option<&Path>, config: &Config, folder: &Path) -> Result<Binary, String> {
    let configured = config.kustomize_binary.as_ref().map(|binary| {
        if binary.components().count() > 1 && binary.is_relative() {
            folder.join(binary)
        } else {
            binary.clone()
        }
    });
    Binary::find(flag, configured.as_deref())
}

/// Whether a file lies in a kustomization's folder or up to two folders
/// below one (a patch in `patches/`): such a file is linted through roots.
pub fn near_kustomization(file: &Path) -> bool {
    file.ancestors()
        .skip(1)
        .take(3)
        .any(|dir| kustomization::file_in(dir).is_some())
}

/// The kustomizations of the repository of `file` (canonical) and those of
/// their roots that use it, as pre-commit lints a changed file.
pub fn roots_using(file: &Path) -> (Kustomizations, Vec<PathBuf>) {
    let set = Kustomizations::load(&repository_kustomizations(file), &[]);
    let roots = set
        .roots()
        .into_iter()
        .filter(|root| set.uses(root).contains_key(file))
        .map(Path::to_path_buf)
        .collect();
    (set, roots)
}

/// A root as findings name it: the folder of its kustomization file as
/// that file is named.
fn root_name(set: &Kustomizations, dir: &Path, names: &Names) -> String {
    let Some(k) = set.by_dir.get(dir) else {
        return names.name(dir).to_string();
    };
    let file = names.name(&k.file);
    match Path::new(&*file).parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.display().to_string(),
        _ => ".".to_string(),
    }
}

/// The folders of the run's files found in walks (not named one by one)
/// that hold a kustomization; `canonical`: the inputs' canonical paths.
fn kustomization_folders(
    inputs: &[Input],
    canonical: &[Option<PathBuf>],
    named_files: &[PathBuf],
) -> Vec<PathBuf> {
    let mut folders: Vec<PathBuf> = inputs
        .iter()
        .zip(canonical)
        .filter_map(|(input, canonical)| match input {
            Input::File { path, .. } => {
                let named = canonical.as_ref().is_some_and(|p| named_files.contains(p));
                (!named).then(|| path.parent().map(Path::to_path_buf))?
            }
            Input::Stdin { .. } => None,
        })
        .collect();
    folders.sort();
    folders.dedup();
    folders
        .into_iter()
        .map(|dir| {
            if dir.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                dir
            }
        })
        .filter(|dir| kustomization::file_in(dir).is_some())
        .collect()
}

/// Whether a root's folder holds a file of the run found in a walk
/// (`canonical`: the inputs' canonical paths).
fn found_by_walk(dir: &Path, canonical: &[Option<PathBuf>], named_files: &[PathBuf]) -> bool {
    canonical
        .iter()
        .flatten()
        .any(|p| !named_files.contains(p) && p.parent() == Some(dir))
}

/// The kustomization folders of the repository that holds `file`: below the
/// nearest folder up with `.git` (else the working directory).
fn repository_kustomizations(file: &Path) -> Vec<PathBuf> {
    let top = file
        .ancestors()
        .skip(1)
        .find(|dir| dir.join(".git").exists())
        .map(Path::to_path_buf)
        .or_else(|| {
            std::env::current_dir()
                .ok()
                .and_then(|d| d.canonicalize().ok())
        })
        .filter(|top| file.starts_with(top))
        .or_else(|| file.parent().map(Path::to_path_buf));
    let Some(top) = top else {
        return Vec::new();
    };
    walkdir::WalkDir::new(&top)
        .into_iter()
        .filter_entry(|entry| {
            let name = entry.file_name().to_string_lossy();
            entry.depth() == 0
                || !(name.starts_with('.') || name == "node_modules" || name == "vendor")
        })
        .flatten()
        .filter(|entry| {
            entry.file_type().is_file()
                && kustomization::FILE_NAMES.contains(&&*entry.file_name().to_string_lossy())
        })
        .filter_map(|entry| entry.path().parent().map(Path::to_path_buf))
        .collect()
}

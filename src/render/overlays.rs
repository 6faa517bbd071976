//! The kustomization roots of a run as one render unit: each root built is
//! a render (named by its folder), its findings placed by [`BuildMap`] in the
//! files the roots use, so that a finding several roots share is one
//! finding naming them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use super::kustomization::{normalize, Kustomization, Kustomizations, PatchBody};
use super::kustomize::{self, Binary, Failure as BuildFailure, Origin};
use super::origins::{Candidates, WrittenObjects};
use super::overlay_map::{BuildMap, OverlayMap, Place as SourcePlace};
use super::{Failure, Place, Placement, Render, SourceMap, Sources, Unit};
use crate::model::Target;
use crate::source::{self, Span};

/// How the files of a run are named in findings: as found under the paths
/// given, else relative to the working directory, else absolute.
#[derive(Default)]
pub struct Names {
    by_path: HashMap<PathBuf, Arc<str>>,
    cwd: Option<PathBuf>,
    /// Names given, by the path asked for: findings ask for the same files
    /// again and again.
    given: std::sync::Mutex<HashMap<PathBuf, Arc<str>>>,
}

impl Names {
    /// `found`: (canonical path, name) of the files of the run.
    pub fn new(found: impl IntoIterator<Item = (PathBuf, String)>) -> Names {
        Names {
            by_path: found
                .into_iter()
                .map(|(path, name)| (path, name.into()))
                .collect(),
            cwd: std::env::current_dir()
                .ok()
                .and_then(|d| d.canonicalize().ok()),
            given: Default::default(),
        }
    }

    pub fn name(&self, path: &Path) -> Arc<str> {
        if let Some(name) = self.given.lock().ok().and_then(|g| g.get(path).cloned()) {
            return name;
        }
        let name = self.name_of(path);
        if let Ok(mut given) = self.given.lock() {
            given.insert(path.to_path_buf(), name.clone());
        }
        name
    }

    fn name_of(&self, path: &Path) -> Arc<str> {
        let canonical = path.canonicalize().unwrap_or_else(|_| normalize(path));
        if let Some(name) = self.by_path.get(&canonical) {
            return name.clone();
        }
        match self.cwd.as_ref().map(|cwd| relative(&canonical, cwd)) {
            Some(relative) => relative.to_string_lossy().into(),
            None => canonical.to_string_lossy().into(),
        }
    }
}

/// `path` relative to `from` (both absolute and canonical), with `..` as needed.
fn relative(path: &Path, from: &Path) -> PathBuf {
    let path_parts: Vec<_> = path.components().collect();
    let from_parts: Vec<_> = from.components().collect();
    let common = path_parts
        .iter()
        .zip(&from_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut out = PathBuf::new();
    for _ in common..from_parts.len() {
        out.push("..");
    }
    for part in &path_parts[common..] {
        out.push(part);
    }
    out
}

/// A root to build: its canonical folder and its name in findings.
#[derive(Clone)]
pub struct Root {
    pub dir: PathBuf,
    pub name: String,
}

/// What building the roots of one unit gave.
pub struct Built {
    pub unit: Unit,
    /// Canonical files that the roots built without failing use: they are
    /// linted through the builds, not alone.
    pub used: Vec<PathBuf>,
}

/// The roots split into groups that share no file: a finding placed in a
/// file can only come from the roots of its group, so each group is a unit
/// of its own, built, linted and dropped before the next (a run over many
/// repositories never holds all their builds at once). Groups come in the
/// order of their first root, each root in the given order.
pub fn independent(set: &Kustomizations, roots: Vec<Root>) -> Vec<Vec<Root>> {
    // Union-find over the roots: two roots that use one file are joined.
    let mut leader: Vec<usize> = (0..roots.len()).collect();
    fn find(leader: &mut [usize], mut i: usize) -> usize {
        while leader[i] != i {
            leader[i] = leader[leader[i]];
            i = leader[i];
        }
        i
    }
    let mut first_user: HashMap<PathBuf, usize> = HashMap::new();
    for (index, root) in roots.iter().enumerate() {
        let files = set.uses(&root.dir).into_keys().chain([root.dir.clone()]);
        for file in files {
            let other = *first_user.entry(file).or_insert(index);
            let (a, b) = (find(&mut leader, index), find(&mut leader, other));
            // The smaller index leads: groups keep the order of their first root.
            leader[a.max(b)] = a.min(b);
        }
    }
    let mut groups: Vec<Vec<Root>> = Vec::new();
    let mut group_of: HashMap<usize, usize> = HashMap::new();
    for (index, root) in roots.into_iter().enumerate() {
        let lead = find(&mut leader, index);
        let next = groups.len();
        let group = *group_of.entry(lead).or_insert(next);
        if group == next {
            groups.push(Vec::new());
        }
        groups[group].push(root);
    }
    groups
}

/// Builds every root (in parallel on the current pool) and makes them one unit.
pub fn build_roots(
    binary: &Binary,
    set: &Arc<Kustomizations>,
    roots: &[Root],
    names: &Arc<Names>,
) -> Built {
    let read = WrittenObjects::default();
    let builds: Vec<_> = roots
        .par_iter()
        .map(|root| build_root(binary, set, root, &read))
        .collect();
    let mut built = Built::default();
    for (root, build) in roots.iter().zip(builds) {
        built.add(set, root, build, names);
    }
    built
}

/// One build of a root, parsed, or why it failed.
pub type RootBuild = Result<RootBuilt, Box<BuildFailure>>;

/// A root built: the objects as YAML text (without kustomize's
/// annotations), parsed once for the map and the lint, and the origin of
/// each document, in order.
pub struct RootBuilt {
    pub text: String,
    pub parsed: source::ParsedSource,
    pub origins: Vec<Origin>,
}

/// What kustomize gave for a root, before podlint reads it: the part of a
/// build that runs the tool ([`fetch_root`]), apart from the part that
/// parses ([`finish_root`]), so that at one job the tool builds the next
/// root while podlint reads the last.
pub enum Fetched {
    /// Built as it is: the tree's objects may tell every origin.
    Plain {
        text: String,
        candidates: Candidates,
    },
    /// Built through the wrapper that asks for origin annotations.
    Wrapped(Result<kustomize::Build, Box<BuildFailure>>),
}

/// Builds one root ([`fetch_root`] then [`finish_root`]); `read`: the files
/// of the tree read so far (shared by the roots of a unit).
pub fn build_root(
    binary: &Binary,
    set: &Kustomizations,
    root: &Root,
    read: &WrittenObjects,
) -> RootBuild {
    finish_root(binary, root, fetch_root(binary, set, root, read))
}

/// Runs kustomize on a root: without the annotations when the tree may
/// tell every origin.
pub fn fetch_root(
    binary: &Binary,
    set: &Kustomizations,
    root: &Root,
    read: &WrittenObjects,
) -> Fetched {
    let helm = set
        .uses(&root.dir)
        .keys()
        .filter_map(|file| file.parent())
        .filter_map(|dir| set.by_dir.get(dir))
        .any(|k| !k.helm_charts.is_empty());
    let plain = (!helm)
        .then(|| Candidates::of(set, &root.dir, read))
        .flatten()
        .and_then(|candidates| {
            let text = kustomize::build_plain(binary, &root.dir)?;
            Some(Fetched::Plain { text, candidates })
        });
    plain.unwrap_or_else(|| Fetched::Wrapped(kustomize::build(binary, &root.dir, helm)))
}

/// Parses what kustomize gave and reads each object's origin; a plain
/// build whose origins the tree cannot tell is built again through the
/// wrapper.
pub fn finish_root(binary: &Binary, root: &Root, fetched: Fetched) -> RootBuild {
    let build = match fetched {
        Fetched::Plain { text, candidates } => {
            let parsed = source::parse(&text);
            if let Some(origins) = candidates.origins(&parsed.documents) {
                return Ok(RootBuilt {
                    text,
                    parsed,
                    origins,
                });
            }
            kustomize::build(binary, &root.dir, false)
        }
        Fetched::Wrapped(build) => build,
    };
    build.map(|build| RootBuilt {
        parsed: source::parse(&build.text),
        text: build.text,
        origins: build.origins,
    })
}

impl Default for Built {
    fn default() -> Self {
        Built {
            unit: Unit {
                sources: Sources::new(),
                renders: Vec::new(),
                failures: Vec::new(),
            },
            used: Vec::new(),
        }
    }
}

impl Built {
    /// Adds a root's build (as a render, or a failure) and the files it
    /// uses; roots come in order.
    pub fn add(
        &mut self,
        set: &Arc<Kustomizations>,
        root: &Root,
        build: RootBuild,
        names: &Arc<Names>,
    ) {
        let Unit {
            sources,
            renders,
            failures,
        } = &mut self.unit;
        let used = &mut self.used;
        let uses = set.uses(&root.dir);
        for file in uses.keys() {
            let name = names.name(file);
            sources.entry(name).or_insert_with(|| {
                std::fs::read(file)
                    .map(|bytes| source::decode(bytes).text)
                    .unwrap_or_default()
                    .into()
            });
        }
        match build {
            Ok(build) => {
                used.extend(uses.into_keys());
                let overlay = OverlayMap::new(set.clone(), root.dir.clone());
                let map = Map {
                    build: BuildMap::new(build.parsed, build.origins, overlay),
                    names: names.clone(),
                    fallback: fallback_place(set, &root.dir, names),
                    rendered_from: root.name.as_str().into(),
                };
                renders.push(Render {
                    name: root.name.clone(),
                    text: build.text,
                    map: Box::new(map),
                });
            }
            Err(failure) => {
                let at = failure_place(set, &root.dir, &failure)
                    .map(|place| Place {
                        file: names.name(&place.file),
                        span: place.span,
                    })
                    .unwrap_or_else(|| fallback_place(set, &root.dir, names));
                sources.entry(at.file.clone()).or_insert_with(|| {
                    std::fs::read_to_string(at.file.as_ref())
                        .unwrap_or_default()
                        .into()
                });
                let blocked = kustomize::Blocked::of(&failure.message);
                let message = match &blocked {
                    Some(blocked) => format!(
                        "kustomize cannot build {}: {} (not a fault of the files; not linted): {}",
                        root.name, blocked.reason, failure.message
                    ),
                    None => format!("kustomize cannot build {}: {}", root.name, failure.message),
                };
                failures.push(Failure {
                    at,
                    message,
                    help: Some(blocked.as_ref().map_or(
                        "`kustomize build` (or `kubectl kustomize`) on this folder shows the same error",
                        |b| b.help,
                    ).into()),
                    render: root.name.clone(),
                    environment: blocked.is_some(),
                });
            }
        }
    }
}

struct Map {
    build: BuildMap,
    names: Arc<Names>,
    /// Where a node that belongs to no object is shown: the root's kustomization.
    fallback: Place,
    rendered_from: Arc<str>,
}

impl SourceMap for Map {
    fn place(&self, span: Span) -> Placement {
        self.place_target(span, &Target::Span(span))
    }

    fn place_target(&self, span: Span, target: &Target) -> Placement {
        let at = match self.build.place(span, target) {
            Some(SourcePlace { file, span }) => Place {
                file: self.names.name(&file),
                span,
            },
            None => self.fallback.clone(),
        };
        Placement {
            at,
            also: Vec::new(),
            rendered_from: self.rendered_from.clone(),
        }
    }

    fn parsed(&self) -> Option<&source::ParsedSource> {
        Some(self.build.parsed())
    }
}

/// The root's kustomization file, at its first entry.
fn fallback_place(set: &Kustomizations, root: &Path, names: &Names) -> Place {
    let k = set.by_dir.get(root);
    Place {
        file: k.map_or_else(|| names.name(root), |k| names.name(&k.file)),
        span: k.map_or(Span::default(), first_line),
    }
}

fn first_line(k: &Kustomization) -> Span {
    let start = k
        .text
        .lines()
        .scan(0, |offset, line| {
            let at = *offset;
            *offset += line.len() + 1;
            Some((at, line))
        })
        .find(|(_, line)| !line.trim().is_empty() && !line.trim_start().starts_with('#'))
        .map_or(0, |(at, _)| at);
    let end = k.text[start..]
        .find('\n')
        .map_or(k.text.len(), |n| start + n);
    Span::new(start, end)
}

/// The kustomization line a build failure names: the resource entry it
/// could not read, the patch that matched nothing or whose operation failed.
fn failure_place(set: &Kustomizations, root: &Path, failure: &BuildFailure) -> Option<SourcePlace> {
    let dir = failure
        .dir
        .as_deref()
        .and_then(|d| d.canonicalize().ok())
        .unwrap_or_else(|| root.to_path_buf());
    let k = set.by_dir.get(&dir)?;
    let entry = failure.entry.as_ref().and_then(|entry| {
        k.resources
            .iter()
            .chain(&k.components)
            .find(|w| w.text == *entry)
            .map(|w| w.span)
    });
    let patch = || {
        k.patches.iter().find_map(|patch| {
            let text = match &patch.body {
                PatchBody::File(w) => std::fs::read_to_string(k.dir.join(&w.text)).ok()?,
                PatchBody::Inline { span } => k.text.get(span.range())?.to_string(),
            };
            let named = |kind: &str, name: &str| {
                patch.target.as_ref().is_some_and(|t| {
                    t.kind.as_deref() == Some(kind) && t.name.as_deref() == Some(name)
                }) || (text.contains(&format!("kind: {kind}"))
                    && text.contains(&format!("name: {name}")))
            };
            let matches = match (&failure.unmatched_patch, &failure.failed_op_path) {
                (Some((kind, name)), _) => named(kind, name),
                (None, Some(path)) => text.contains(path.as_str()),
                (None, None) => false,
            };
            matches.then_some(patch.span)
        })
    };
    let span = entry.or_else(patch).unwrap_or_else(|| first_line(k));
    Some(SourcePlace {
        file: k.file.clone(),
        span,
    })
}

//! Charts and kustomizations in the editor: when a file of one is opened or
//! saved, the chart is rendered (with the editor's unsaved buffers in place
//! of its files) or the kustomization roots that use the file are built
//! (from the disk), through the same render layer as `podlint check`, on a
//! thread of its own so that the server keeps answering meanwhile. The
//! findings come back by the source file they are placed in.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};

use super::workspace::{ConfigReport, Workspace};
use crate::cli::CheckArgs;
use crate::commands::{charts, kustomizations};
use crate::discover::{self, ChartInput};
use crate::render::helm::{self, Buffers};
use crate::render::kustomization::Kustomizations;
use crate::render::overlays::{self, Names, Root};
use crate::render::{self, FileFindings, Linted};

/// A chart (its canonical folder) or a set of kustomization roots built
/// together (canonical folders, sorted).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum UnitKey {
    Chart(PathBuf),
    Kustomize(Vec<PathBuf>),
}

impl UnitKey {
    /// Whether a file may belong to this unit before it was rendered once.
    pub fn holds(&self, file: &Path) -> bool {
        match self {
            UnitKey::Chart(dir) => file.starts_with(dir),
            UnitKey::Kustomize(_) => false,
        }
    }
}

/// Open documents' texts by canonical path.
pub type Texts = Arc<HashMap<PathBuf, Arc<str>>>;

/// What the server asks of the rendering thread.
pub struct Job {
    /// Files opened or saved (canonical): their charts and the roots that
    /// use them are rendered.
    pub files: Vec<PathBuf>,
    /// Units rendered before that hold a file opened or saved.
    pub units: Vec<UnitKey>,
    pub texts: Texts,
}

/// A unit's outcome.
pub struct Rendered {
    pub key: UnitKey,
    /// Findings by the canonical path of the file they are placed in.
    pub files: BTreeMap<PathBuf, FileFindings>,
    /// Files linted through the unit: their own findings as manifests are
    /// not shown (as `podlint check` does not report them).
    pub covers: HashSet<PathBuf>,
    /// Every file the unit reads (those of a root that failed too): it is
    /// rendered again when one is saved, and kept while one is open.
    pub members: HashSet<PathBuf>,
    /// Why the unit was not rendered (no helm, no kustomize).
    pub problem: Option<String>,
    pub config_reports: Vec<ConfigReport>,
    pub took: Duration,
}

/// Renders until the server drops its end of `jobs`.
pub fn run(mut workspace: Workspace, jobs: Receiver<Job>, done: Sender<Rendered>) {
    while let Ok(mut job) = jobs.recv() {
        // Saves that came during the last render are rendered once, with
        // the newest texts.
        while let Ok(next) = jobs.try_recv() {
            job.files.extend(next.files);
            job.units.extend(next.units);
            job.texts = next.texts;
        }
        workspace.open_now(&job.texts);
        let mut keys: Vec<UnitKey> = Vec::new();
        for key in job
            .units
            .into_iter()
            .chain(job.files.iter().filter_map(|f| unit_of(f)))
        {
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
        for key in keys {
            let rendered = render_unit(&mut workspace, key, &job.texts);
            if done.send(rendered).is_err() {
                return;
            }
        }
    }
}

/// Whether opening or saving a file may render a unit: the files charts and
/// kustomizations are written in.
pub fn may_render(file: &Path) -> bool {
    file.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| ["yaml", "yml", "tpl", "json"].contains(&e))
        || file.file_name().is_some_and(|n| n == "Kustomization")
}

/// The chart of a file, else the kustomization roots that use it.
fn unit_of(file: &Path) -> Option<UnitKey> {
    if let Some(dir) = discover::chart_of(file) {
        return dir.canonicalize().ok().map(UnitKey::Chart);
    }
    if !kustomizations::near_kustomization(file) {
        return None;
    }
    let (_, mut roots) = kustomizations::roots_using(file);
    roots.sort();
    (!roots.is_empty()).then_some(UnitKey::Kustomize(roots))
}

/// A unit linted: its findings, the files linted through it, the files it reads.
struct Outcome {
    linted: Linted,
    covers: HashSet<PathBuf>,
    members: HashSet<PathBuf>,
}

fn render_unit(workspace: &mut Workspace, key: UnitKey, texts: &Texts) -> Rendered {
    let started = Instant::now();
    let outcome = match &key {
        UnitKey::Chart(dir) => render_chart(workspace, dir, texts),
        UnitKey::Kustomize(roots) => build_roots(workspace, roots),
    };
    let (files, covers, members, problem) = match outcome {
        Ok(outcome) => {
            let files = outcome
                .linted
                .files
                .into_iter()
                .map(|(name, findings)| (PathBuf::from(&*name), findings))
                .collect();
            (files, outcome.covers, outcome.members, None)
        }
        Err(problem) => (
            BTreeMap::new(),
            HashSet::new(),
            HashSet::new(),
            Some(problem),
        ),
    };
    Rendered {
        key,
        files,
        covers,
        members,
        problem,
        config_reports: workspace.take_reports(),
        took: started.elapsed(),
    }
}

/// The chart rendered as `podlint check` renders it, open documents in
/// place of its files; findings are named by absolute paths.
fn render_chart(workspace: &mut Workspace, dir: &Path, texts: &Texts) -> Result<Outcome, String> {
    let buffers: Buffers = texts
        .iter()
        .filter_map(|(path, text)| Some((path.strip_prefix(dir).ok()?.to_path_buf(), text.clone())))
        .collect();
    let input = ChartInput {
        name: dir.display().to_string(),
        dir: dir.to_path_buf(),
        named: false,
    };
    workspace.with_config(dir, |settings, config, crds, _| {
        let helm = charts::helm_for(None, config)?;
        let chart = charts::chart(&input, &CheckArgs::default(), config);
        let unit = helm::render_with(&chart, &helm, &buffers);
        let covers: HashSet<PathBuf> = unit.sources.keys().map(|n| PathBuf::from(&**n)).collect();
        Ok(Outcome {
            linted: render::lint_unit(&unit, settings, unit.render_count(), crds),
            members: covers.clone(),
            covers,
        })
    })
}

/// The roots built together from the disk, as `podlint check` builds them.
fn build_roots(workspace: &mut Workspace, roots: &[PathBuf]) -> Result<Outcome, String> {
    let Some(first) = roots.first() else {
        return Ok(Outcome {
            linted: Linted::default(),
            covers: HashSet::new(),
            members: HashSet::new(),
        });
    };
    let set = Arc::new(Kustomizations::load(roots, &[]));
    // Absolute names: the editor names files by path.
    let names = Arc::new(Names::default());
    let roots: Vec<Root> = roots
        .iter()
        .map(|dir| Root {
            dir: dir.clone(),
            name: dir.display().to_string(),
        })
        .collect();
    workspace.with_config(first, |settings, config, crds, folder| {
        let binary = kustomizations::binary_for(None, config, folder)?;
        let built = overlays::build_roots(&binary, &set, &roots, &names);
        let members = roots
            .iter()
            .flat_map(|root| set.uses(&root.dir).into_keys())
            .collect();
        Ok(Outcome {
            linted: render::lint_unit(&built.unit, settings, built.unit.render_count(), crds),
            covers: built.used.into_iter().collect(),
            members,
        })
    })
}

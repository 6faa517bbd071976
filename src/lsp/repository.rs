//! The CRDs of an open document's repository, as `podlint check` on that
//! repository would find them (README, "Custom resources"): the files under
//! the repository's top folder are walked once, and the CRDs of those that
//! name `CustomResourceDefinition` are compiled and kept until one of them,
//! or an open document there that defines CRDs, changes. The text of an
//! open document wins over its file on disk.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::admission::prepass::{self, CrdFolders};
use crate::discover::{self, Input};
use crate::model::crd::MARKER;
use crate::model::crd_scope::Scopes;
use crate::model::Crds;

/// What was found under one top folder.
struct Found {
    /// Resolves the CRDs' scopes as `podlint check <top folder>` would.
    scopes: Scopes,
    /// The files whose text on disk named CRDs when walked, by path.
    files: Vec<Input>,
    /// The `crds/` folders of the charts found, each with its chart.
    of_charts: Vec<(String, PathBuf)>,
    /// Their CRDs, with the open documents' in place of theirs on disk;
    /// `None` once one of them changed.
    crds: Option<Crds>,
}

#[derive(Default)]
pub struct Repositories {
    /// Top folder (canonical) -> what was found under it.
    found: HashMap<PathBuf, Found>,
    /// Open documents (canonical paths) that define CRDs, or are files that
    /// did on disk: their text is read instead of the file.
    buffers: HashMap<PathBuf, Arc<str>>,
}

impl Repositories {
    /// The top folder whose CRDs type the custom resources of folder
    /// `dir`: its git repository's; outside git, the workspace folder
    /// `workspace` when it holds `dir` (as if it had been named on the
    /// command line); otherwise none, and only the document's own CRDs
    /// type it.
    pub fn top_folder(dir: &Path, workspace: Option<&Path>) -> Option<PathBuf> {
        if let Some(repository) = crate::model::crd_scope::repository_of(dir) {
            return Some(repository);
        }
        let workspace = workspace?.canonicalize().ok()?;
        let dir = dir.canonicalize().ok()?;
        dir.starts_with(&workspace).then_some(workspace)
    }

    /// Whether the files under `top` were walked already.
    pub fn walked(&self, top: &Path) -> bool {
        self.found.contains_key(top)
    }

    /// Walks `top` as `podlint check <top>` discovers files (hidden folders
    /// and what `excluded` says left out) and keeps the files that name
    /// CRDs, read as the pre-pass reads them (regular files up to the size
    /// limit), and the charts' `crds/` folders.
    pub fn walk(&mut self, top: &Path, excluded: &mut dyn FnMut(&Path) -> bool) {
        let named = [top.display().to_string()];
        let discovered = discover::discover(&named, None, excluded);
        let files = discovered
            .inputs
            .into_iter()
            .filter(|input| prepass::text(input).is_some_and(|text| text.contains(MARKER)))
            .collect();
        let of_charts = crate::commands::check::crd_folders(
            &crate::cli::CheckArgs::default(),
            &[],
            &discovered.charts,
        )
        .of_charts;
        self.found.insert(
            top.to_path_buf(),
            Found {
                scopes: Scopes::new(&named),
                files,
                of_charts,
                crds: None,
            },
        );
    }

    /// The CRDs found under `top` (walked before), compiled when they
    /// changed.
    pub fn crds(&mut self, top: &Path) -> Crds {
        let Some(found) = self.found.get_mut(top) else {
            return Crds::default();
        };
        if let Some(crds) = &found.crds {
            return crds.clone();
        }
        let on_disk: Vec<Input> = found
            .files
            .iter()
            .filter(|input| !path_of(input).is_some_and(|p| self.buffers.contains_key(p)))
            .cloned()
            .collect();
        let folders = CrdFolders {
            everywhere: Vec::new(),
            of_charts: found.of_charts.clone(),
        };
        let (_, mut crds, _) = prepass::read(&on_disk, &[], &folders, &found.scopes);
        let mut buffered: Vec<(&PathBuf, &Arc<str>)> = self
            .buffers
            .iter()
            .filter(|(path, text)| path.starts_with(top) && text.contains(MARKER))
            .collect();
        buffered.sort();
        for (path, text) in buffered {
            let scope = found.scopes.of(path.parent().unwrap_or(Path::new("")));
            let name: Arc<str> = path.display().to_string().into();
            crds.add_text(&name, text, Some(&scope));
        }
        found.crds = Some(crds.clone());
        crds
    }

    /// An open document's text (`path` canonical): when it defines CRDs or
    /// is a file that did, it replaces the file, and the CRDs of the top
    /// folders holding it are compiled again.
    pub fn opened(&mut self, path: &Path, text: &Arc<str>) {
        let defines = text.contains(MARKER) || self.buffers.contains_key(path) || self.known(path);
        if !defines || self.buffers.get(path).is_some_and(|kept| kept == text) {
            return;
        }
        self.buffers.insert(path.to_path_buf(), text.clone());
        self.changed(path);
    }

    /// A document was closed: its file is read again. A file that defines
    /// CRDs now and was not walked (written in the editor) is kept.
    pub fn closed(&mut self, path: &Path) {
        let Some(text) = self.buffers.remove(path) else {
            return;
        };
        if text.contains(MARKER) && !self.known(path) {
            for (top, found) in &mut self.found {
                if path.starts_with(top) {
                    found.files.push(Input::File {
                        name: path.display().to_string(),
                        path: path.to_path_buf(),
                    });
                }
            }
        }
        self.changed(path);
    }

    /// Forgets every walk (a config's excludes may have changed).
    pub fn forget(&mut self) {
        self.found.clear();
    }

    /// The open documents, all of them (the rendering thread is given
    /// their texts at once): those that are no longer open are closed.
    pub fn open_now(&mut self, texts: &HashMap<PathBuf, Arc<str>>) {
        let gone: Vec<PathBuf> = self
            .buffers
            .keys()
            .filter(|path| !texts.contains_key(*path))
            .cloned()
            .collect();
        for path in gone {
            self.closed(&path);
        }
        for (path, text) in texts {
            self.opened(path, text);
        }
    }

    /// Whether `path` was found defining CRDs under a top folder.
    fn known(&self, path: &Path) -> bool {
        self.found
            .values()
            .any(|found| found.files.iter().any(|i| path_of(i) == Some(path)))
    }

    fn changed(&mut self, path: &Path) {
        for (top, found) in &mut self.found {
            if path.starts_with(top) {
                found.crds = None;
            }
        }
    }
}

fn path_of(input: &Input) -> Option<&Path> {
    match input {
        Input::File { path, .. } => Some(path),
        Input::Stdin { .. } => None,
    }
}

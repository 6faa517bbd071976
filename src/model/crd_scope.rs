//! Which custom resources a CRD of the run types (README, "Custom
//! resources"). A CRD found in a file types the custom resources of its own
//! git repository: the nearest folder above it holding `.git` (a folder, or
//! the file of a worktree or submodule). Outside a git repository it types
//! those of its top-level folder of the path named on the command line (the
//! named folder itself for a file directly in it; a named file's folder). A
//! repository copied without `.git` beside others is then not typed by
//! their CRDs. CRDs given with `--crds` or config `crds:` type every file.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// The files a CRD found in the run types: those under `root` that belong
/// to the same git repository (`repository`: `root` is its top folder) or,
/// outside one, to none.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scope {
    root: PathBuf,
    repository: bool,
}

/// Resolves scopes against the paths named on the command line.
#[derive(Clone, Default)]
pub struct Scopes {
    /// The named paths, canonical; those that cannot be resolved are left out.
    named: Arc<[PathBuf]>,
}

impl Scopes {
    pub fn new(named: &[String]) -> Scopes {
        Scopes {
            named: named
                .iter()
                .filter_map(|path| std::fs::canonicalize(path).ok())
                .collect(),
        }
    }

    /// The scope of a CRD read from a file of folder `dir` (or from the
    /// renders of a chart or kustomization in `dir`). A folder that cannot
    /// be resolved types nothing else.
    pub fn of(&self, dir: &Path) -> Scope {
        match Place::of(dir) {
            Some(Place {
                repository: Some(root),
                ..
            }) => Scope {
                root,
                repository: true,
            },
            Some(Place { dir, .. }) => Scope {
                root: self.top_folder(&dir),
                repository: false,
            },
            None => Scope {
                root: dir.to_path_buf(),
                repository: false,
            },
        }
    }

    /// Of the named folders holding `dir`, the innermost: `dir` itself when
    /// it is that folder, otherwise its first folder below it; `dir` when no
    /// named folder holds it (a named file's folder).
    fn top_folder(&self, dir: &Path) -> PathBuf {
        let holder = self
            .named
            .iter()
            .filter(|named| dir.starts_with(named))
            .max_by_key(|named| named.components().count());
        match holder {
            Some(named) => match dir.strip_prefix(named).ok().and_then(|r| r.iter().next()) {
                Some(first) => named.join(first),
                None => named.clone(),
            },
            None => dir.to_path_buf(),
        }
    }
}

/// The top folder of the git repository holding folder `dir`, canonical:
/// the folder whose CRDs type the custom resources of `dir` (see
/// [`Scopes::of`]).
pub fn repository_of(dir: &Path) -> Option<PathBuf> {
    Place::of(dir)?.repository
}

/// A folder, canonical, and the top folder of its git repository.
struct Place {
    dir: PathBuf,
    repository: Option<PathBuf>,
}

impl Place {
    fn of(dir: &Path) -> Option<Place> {
        let dir = std::fs::canonicalize(if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        })
        .ok()?;
        let repository = dir
            .ancestors()
            .find(|folder| std::fs::symlink_metadata(folder.join(".git")).is_ok())
            .map(Path::to_path_buf);
        Some(Place { dir, repository })
    }
}

/// Where the custom resources being typed are: the folder of their file,
/// or of the chart or kustomization that renders them. Resolved once, when
/// a CRD of the run first has their kind.
pub struct Reader {
    dir: PathBuf,
    place: OnceLock<Option<Place>>,
}

impl Reader {
    pub fn new(dir: &Path) -> Reader {
        Reader {
            dir: dir.to_path_buf(),
            place: OnceLock::new(),
        }
    }

    /// Whether a CRD of `scope` types the custom resources read here.
    pub fn within(&self, scope: &Scope) -> bool {
        let Some(place) = self.place.get_or_init(|| Place::of(&self.dir)) else {
            return false;
        };
        let repository = scope.repository.then_some(&scope.root);
        place.dir.starts_with(&scope.root) && place.repository.as_ref() == repository
    }
}

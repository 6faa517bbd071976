//! Which custom resources a CRD of the run types (README, "Custom
//! resources"). A CRD found in a file types the custom resources of its own
//! git repository: the nearest folder above it holding `.git` (a folder, or
//! the file of a worktree or submodule). Outside a git repository it types
//! those of its top-level folder of the path named on the command line (the
//! named folder itself for a file directly in it; a named file's folder). A
//! repository copied without `.git` beside others is then not typed by
//! their CRDs. CRDs given with `--crds` or config `crds:` type every file.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

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
        let dir = canonical(dir)?;
        let repository = dir
            .ancestors()
            .find(|folder| has_git(folder))
            .map(Path::to_path_buf);
        Some(Place { dir, repository })
    }
}

fn canonical(dir: &Path) -> Option<PathBuf> {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    std::fs::canonicalize(dir).ok()
}

/// Whether a folder is the top of a git repository (its `.git` a folder,
/// or the file of a worktree or submodule).
fn has_git(folder: &Path) -> bool {
    std::fs::symlink_metadata(folder.join(".git")).is_ok()
}

/// The places of the folders resolved so far, shared by the readers of a
/// `check` run: each folder is resolved once, not once for each of its
/// files, and each folder above them is looked at for `.git` once.
#[derive(Default)]
pub struct Places {
    /// Folder as read -> canonical.
    folders: Mutex<HashMap<PathBuf, Option<PathBuf>>>,
    /// Canonical folder -> the top folder of its repository.
    repositories: Mutex<HashMap<PathBuf, Option<PathBuf>>>,
}

impl Places {
    fn of(&self, dir: &Path) -> Option<Arc<Place>> {
        self.canonical(dir).map(|dir| {
            let repository = self.repository_of(&dir);
            Arc::new(Place { dir, repository })
        })
    }

    /// [`canonical`], from the parent's canonical folder when `dir` is a
    /// plain folder in it (one `lstat` instead of one a level).
    fn canonical(&self, dir: &Path) -> Option<PathBuf> {
        if let Some(known) = self.folders.lock().ok().and_then(|f| f.get(dir).cloned()) {
            return known;
        }
        let plain_child = match (dir.parent(), dir.components().next_back()) {
            (Some(parent), Some(Component::Normal(name))) => {
                let plain = std::fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir());
                plain.then_some((parent, name))
            }
            _ => None,
        };
        let resolved = match plain_child {
            Some((parent, name)) => self.canonical(parent).map(|parent| parent.join(name)),
            None => canonical(dir),
        };
        if let Ok(mut folders) = self.folders.lock() {
            folders.insert(dir.to_path_buf(), resolved.clone());
        }
        resolved
    }

    /// [`Place::of`]'s search up for `.git`, remembering each folder passed.
    fn repository_of(&self, dir: &Path) -> Option<PathBuf> {
        let known = |folder: &Path| {
            self.repositories
                .lock()
                .ok()
                .and_then(|r| r.get(folder).cloned())
        };
        let mut passed = Vec::new();
        let mut repository = None;
        for folder in dir.ancestors() {
            if let Some(top) = known(folder) {
                repository = top;
                break;
            }
            passed.push(folder);
            if has_git(folder) {
                repository = Some(folder.to_path_buf());
                break;
            }
        }
        if let Ok(mut repositories) = self.repositories.lock() {
            for folder in passed {
                repositories.insert(folder.to_path_buf(), repository.clone());
            }
        }
        repository
    }
}

/// Where the custom resources being typed are: the folder of their file,
/// or of the chart or kustomization that renders them. Resolved once, when
/// a CRD of the run first has their kind.
pub struct Reader {
    dir: PathBuf,
    places: Arc<Places>,
    place: OnceLock<Option<Arc<Place>>>,
}

impl Reader {
    /// `places`: the folders resolved already, which this one joins.
    pub fn new(dir: &Path, places: Arc<Places>) -> Reader {
        Reader {
            dir: dir.to_path_buf(),
            places,
            place: OnceLock::new(),
        }
    }

    /// Whether a CRD of `scope` types the custom resources read here.
    pub fn within(&self, scope: &Scope) -> bool {
        let Some(place) = self.place.get_or_init(|| self.places.of(&self.dir)) else {
            return false;
        };
        let repository = scope.repository.then_some(&scope.root);
        place.dir.starts_with(&scope.root) && place.repository.as_ref() == repository
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Readers sharing the folders resolved keep each folder's own place:
    /// a folder of a repository, one beside it, a link into the repository
    /// and a folder that does not exist, each read twice.
    #[test]
    fn readers_sharing_places_see_each_folder_as_its_own() {
        let top = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let repository = top.path().join("repo");
        let beside = top.path().join("beside");
        for dir in [
            repository.join(".git"),
            repository.join("app/deep"),
            beside.clone(),
        ] {
            std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("{e}"));
        }
        let link = beside.join("link");
        std::os::unix::fs::symlink(repository.join("app"), &link).unwrap_or_else(|e| panic!("{e}"));
        let scopes = Scopes::new(&[top.path().to_string_lossy().into_owned()]);
        let of_repository = scopes.of(&repository);
        let of_beside = scopes.of(&beside);
        let places = Arc::new(Places::default());
        let within = |dir: &Path, scope: &Scope| Reader::new(dir, places.clone()).within(scope);
        for _ in 0..2 {
            assert!(within(&repository.join("app/deep"), &of_repository));
            assert!(!within(&repository.join("app/deep"), &of_beside));
            assert!(within(&beside, &of_beside));
            assert!(!within(&beside, &of_repository));
            assert!(within(&link.join("deep"), &of_repository));
            assert!(!within(&link.join("deep"), &of_beside));
            assert!(!within(&beside.join("missing"), &of_beside));
        }
    }
}

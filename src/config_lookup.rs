//! Which `.podlint.yaml` applies to a file: the nearest one in its folder or
//! above, up to the repository root (a folder that holds `.git`), or the one
//! `--config` names for every file. Each folder is resolved once and
//! remembered, so that a run reads each config file once, however many
//! files and folders it holds.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use crate::config::{self, Config, ConfigError};

/// A config as it applies to files: where it was found, and its settings.
pub struct Applied {
    /// The config file; `None` when no config applies (defaults).
    pub path: Option<PathBuf>,
    /// The folder that the config's relative paths (its excludes) start from:
    /// the config's own folder, or the working directory for defaults and
    /// for `--config`.
    pub folder: PathBuf,
    pub config: Config,
}

/// Resolves folders to what `build` makes of their config, once a folder.
pub struct ConfigLookup<T> {
    build: Box<dyn Fn(Applied) -> T>,
    cwd: PathBuf,
    /// `--config`: the one config for every file.
    forced: Option<Arc<T>>,
    /// No config file applies.
    defaults: Option<Arc<T>>,
    /// Absolute folder paths to what applies in them.
    folders: HashMap<PathBuf, Arc<T>>,
    /// The first config file that could not be read or parsed.
    error: Option<ConfigError>,
}

impl<T> ConfigLookup<T> {
    /// `forced` (`--config`) is read at once: its mistakes stop the run.
    pub fn new(
        cwd: PathBuf,
        forced: Option<&Path>,
        build: impl Fn(Applied) -> T + 'static,
    ) -> Result<Self, ConfigError> {
        let mut lookup = ConfigLookup {
            build: Box::new(build),
            cwd,
            forced: None,
            defaults: None,
            folders: HashMap::new(),
            error: None,
        };
        if let Some(path) = forced {
            let config = config::load(path)?;
            lookup.forced = Some(Arc::new((lookup.build)(Applied {
                path: Some(path.to_path_buf()),
                folder: lookup.cwd.clone(),
                config,
            })));
        }
        Ok(lookup)
    }

    /// What applies to a file: its folder's.
    pub fn for_file(&mut self, file: &Path) -> Arc<T> {
        let absolute = absolute(&self.cwd, file);
        match absolute.parent() {
            Some(folder) => self.for_absolute_folder(folder),
            None => self.defaults(),
        }
    }

    /// What applies to the files of a folder.
    pub fn for_folder(&mut self, folder: &Path) -> Arc<T> {
        let absolute = absolute(&self.cwd, folder);
        self.for_absolute_folder(&absolute)
    }

    /// The first config file that could not be read or parsed (its folders
    /// got the defaults meanwhile).
    pub fn take_error(&mut self) -> Option<ConfigError> {
        self.error.take()
    }

    fn for_absolute_folder(&mut self, folder: &Path) -> Arc<T> {
        if let Some(forced) = &self.forced {
            return forced.clone();
        }
        // The folders between `folder` and the one that settles it, which
        // all get its answer.
        let mut unsettled: Vec<&Path> = Vec::new();
        let mut current = Some(folder);
        let found = loop {
            let Some(dir) = current else {
                break self.defaults();
            };
            if let Some(known) = self.folders.get(dir) {
                break known.clone();
            }
            unsettled.push(dir);
            let candidate = dir.join(config::FILE_NAME);
            // Anything of that name counts (a folder, a FIFO, a broken
            // link): loading it says what is wrong, instead of a parent's
            // config being used.
            if candidate.symlink_metadata().is_ok() {
                break self.load(dir, candidate);
            }
            if dir.join(".git").exists() {
                break self.defaults();
            }
            current = dir.parent();
        };
        for dir in unsettled {
            self.folders.insert(dir.to_path_buf(), found.clone());
        }
        found
    }

    fn load(&mut self, folder: &Path, path: PathBuf) -> Arc<T> {
        match config::load(&path) {
            Ok(config) => Arc::new((self.build)(Applied {
                path: Some(relative_to(&self.cwd, &path)),
                folder: folder.to_path_buf(),
                config,
            })),
            Err(error) => {
                self.error.get_or_insert(error);
                self.defaults()
            }
        }
    }

    fn defaults(&mut self) -> Arc<T> {
        if let Some(defaults) = &self.defaults {
            return defaults.clone();
        }
        let defaults = Arc::new((self.build)(Applied {
            path: None,
            folder: self.cwd.clone(),
            config: Config::default(),
        }));
        self.defaults = Some(defaults.clone());
        defaults
    }
}

/// `path` made absolute against `cwd`, with `.` and `..` resolved without
/// touching the file system (a symlinked folder keeps its own configs).
pub fn absolute(cwd: &Path, path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in cwd.join(path).components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// A config's path as messages show it: relative to the working directory
/// when it is below it.
fn relative_to(cwd: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(cwd)
        .map_or_else(|_| path.to_path_buf(), Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_and_dot_dot_are_resolved_against_the_working_directory() {
        let cwd = Path::new("/repo/sub");
        assert_eq!(
            absolute(cwd, Path::new("./a/../b.yaml")),
            Path::new("/repo/sub/b.yaml")
        );
        assert_eq!(absolute(cwd, Path::new("../x")), Path::new("/repo/x"));
        assert_eq!(absolute(cwd, Path::new("/etc/./k")), Path::new("/etc/k"));
    }
}

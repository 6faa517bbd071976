//! What linting one open document needs from the disk: the nearest
//! `.podlint.yaml`, read again whenever it changes, and the CRDs of its
//! repository (see [`super::repository`]).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use globset::GlobSet;

use super::repository::Repositories;
use crate::admission::prepass::{self, CrdFolders};
use crate::config::{self, Config, ConfigError};
use crate::discover::Input;
use crate::engine::{self, Settings};
use crate::finding::Finding;
use crate::model::crd_scope::Scopes;
use crate::model::Crds;
use crate::roles::{FileRole, FileRoles};
use crate::source::SourceText;

/// A config file as last read: `loaded` is `None` while it is broken.
struct Cached {
    modified: Option<SystemTime>,
    loaded: Option<Loaded>,
}

struct Loaded {
    settings: Settings,
    exclude: GlobSet,
    config: Config,
    /// The CRDs of its `crds:` folders, which type every file.
    crds: Crds,
}

/// What a config problem looks like to the editor.
pub struct ConfigProblem {
    pub message: String,
    /// The config's text and the span of the mistake, when it is in the file.
    pub at: Option<(String, crate::source::Span)>,
}

/// A config file whose problems changed: publish these (none clears them).
pub type ConfigReport = (PathBuf, Vec<ConfigProblem>);

pub struct Workspace {
    /// Where configs are looked for when a document is not a local file.
    root: Option<PathBuf>,
    configs: HashMap<PathBuf, Cached>,
    /// Configs whose problems the editor shows now.
    broken: HashSet<PathBuf>,
    /// Problems found since the last [`Workspace::take_reports`].
    reports: Vec<ConfigReport>,
    /// The rules' defaults, for documents without a config.
    defaults: Settings,
    default_config: Config,
    /// The CRDs of documents without a config: none (a file's own CRDs
    /// type it all the same).
    no_crds: Crds,
    /// The CRDs of the open documents' repositories.
    repositories: Repositories,
}

impl Workspace {
    pub fn new(root: Option<PathBuf>) -> Self {
        Workspace {
            root,
            configs: HashMap::new(),
            broken: HashSet::new(),
            reports: Vec::new(),
            defaults: settings(&Config::default()),
            default_config: Config::default(),
            no_crds: Crds::default(),
            repositories: Repositories::default(),
        }
    }

    /// An open document's text: it wins over its file when it defines CRDs.
    pub fn opened(&mut self, path: &Path, text: &Arc<str>) {
        if let Ok(path) = path.canonicalize() {
            self.repositories.opened(&path, text);
        }
    }

    /// A document was closed: its file on disk counts again.
    pub fn closed(&mut self, path: &Path) {
        if let Ok(path) = path.canonicalize() {
            self.repositories.closed(&path);
        }
    }

    /// All the open documents' texts, by canonical path.
    pub fn open_now(&mut self, texts: &HashMap<PathBuf, Arc<str>>) {
        self.repositories.open_now(texts);
    }

    /// The CRDs that type the custom resources of folder `dir`: those of
    /// `config_crds` and of the repository holding `dir`, seen from `dir`.
    fn crds_for(&mut self, dir: &Path, config_crds: &Crds) -> Crds {
        let mut crds = config_crds.clone();
        if let Some(top) = Repositories::top_folder(dir, self.root.as_deref()) {
            if !self.repositories.walked(&top) {
                let mut repositories = std::mem::take(&mut self.repositories);
                let mut configs = HashMap::new();
                repositories.walk(&top, &mut |path: &Path| self.excluded(path, &mut configs));
                self.repositories = repositories;
            }
            crds.merge(self.repositories.crds(&top));
        }
        crds.seen_from(dir)
    }

    /// Whether the config of its folder excludes `path`, as `podlint check`
    /// leaves it out; `configs` remembers each folder's config.
    fn excluded(&mut self, path: &Path, configs: &mut HashMap<PathBuf, Option<PathBuf>>) -> bool {
        let folder = path.parent().unwrap_or(Path::new(""));
        let config_path = configs
            .entry(folder.to_path_buf())
            .or_insert_with(|| config::discover(folder))
            .clone();
        let Some(config_path) = config_path else {
            return false;
        };
        let config_folder = config_path.parent().unwrap_or(Path::new("")).to_path_buf();
        self.load(&config_path).is_some_and(|loaded| {
            path.strip_prefix(&config_folder)
                .is_ok_and(|relative| loaded.exclude.is_match(relative))
        })
    }

    /// Lints a document's text with the settings of its nearest config.
    /// A file that its config excludes, or text that does not mention both
    /// `apiVersion` and `kind` (CI files, Helm values being typed), gets no
    /// findings: the editor runs podlint on every YAML file.
    /// Returns the findings and how many more were counted past the cap
    /// ([`engine::MAX_FINDINGS_PER_FILE`]).
    pub fn lint(
        &mut self,
        path: Option<&Path>,
        name: &Arc<str>,
        text: &str,
    ) -> (Vec<Finding>, usize) {
        if !(text.contains("apiVersion") && text.contains("kind")) {
            return (Vec::new(), 0);
        }
        // A chart's files are linted through its renders (see `units`), as
        // `podlint check` does, never as manifests.
        if path.is_some_and(|path| crate::discover::chart_of(path).is_some()) {
            return (Vec::new(), 0);
        }
        let dir = path.and_then(Path::parent).or(self.root.as_deref());
        let config_path = dir.and_then(config::discover);
        let loaded = match &config_path {
            Some(config_path) => self.load(config_path),
            None => None,
        };
        if let (Some(loaded), Some(config_path), Some(path)) = (loaded, &config_path, path) {
            let folder = config_path.parent().unwrap_or(Path::new(""));
            if path
                .strip_prefix(folder)
                .is_ok_and(|relative| loaded.exclude.is_match(relative))
            {
                return (Vec::new(), 0);
            }
        }
        let config_crds = loaded.map_or_else(Crds::default, |l| l.crds.clone());
        let crds = match path.and_then(Path::parent) {
            Some(dir) => self.crds_for(dir, &config_crds),
            None => config_crds,
        };
        let settings = config_path
            .as_ref()
            .and_then(|path| self.configs.get(path)?.loaded.as_ref())
            .map_or(&self.defaults, |loaded| &loaded.settings);
        // Read the file as the command line does: a kustomize patch as a
        // patch, a test's assertion file not at all.
        let role = path.map_or(FileRole::Manifest, |path| {
            let input = Input::File {
                name: name.to_string(),
                path: path.to_path_buf(),
            };
            FileRoles::classify(&[input]).of(path)
        });
        if role == FileRole::TestAssertion {
            return (Vec::new(), 0);
        }
        let source = SourceText {
            text: text.to_string(),
            decode_error: None,
        };
        let linted = engine::lint_with_policies(
            name,
            &source,
            settings,
            role,
            &crate::admission::Policies::default(),
            &crds,
        );
        (linted.findings, linted.uncollected.total())
    }

    /// Runs `with` on the settings and config that apply to files of `dir`,
    /// the CRDs that type its custom resources (its config's and its
    /// repository's), and the folder of that config (the defaults' is `dir`).
    pub fn with_config<R>(
        &mut self,
        dir: &Path,
        with: impl FnOnce(&Settings, &Config, &Crds, &Path) -> R,
    ) -> R {
        let found = config::discover(dir);
        let folder = found
            .as_deref()
            .and_then(Path::parent)
            .unwrap_or(dir)
            .to_path_buf();
        let found = found.and_then(|path| self.load(&path).map(|_| path));
        let config_crds = found
            .as_ref()
            .and_then(|path| self.configs.get(path)?.loaded.as_ref())
            .map_or_else(|| self.no_crds.clone(), |loaded| loaded.crds.clone());
        let crds = self.crds_for(dir, &config_crds);
        match found.and_then(|path| self.configs.get(&path)?.loaded.as_ref()) {
            Some(loaded) => with(&loaded.settings, &loaded.config, &crds, &folder),
            None => with(&self.defaults, &self.default_config, &crds, dir),
        }
    }

    /// Forgets a config file so that the next lint reads it again.
    pub fn forget(&mut self, path: &Path) {
        self.configs.remove(path);
        // Its excludes may leave other files out now.
        self.repositories.forget();
    }

    /// The config problems that appeared or went away since the last call.
    pub fn take_reports(&mut self) -> Vec<ConfigReport> {
        std::mem::take(&mut self.reports)
    }

    /// The config at `path`, read again when it changed on disk; `None`
    /// while it is broken (its problems are reported on the config file,
    /// and documents get the defaults).
    fn load(&mut self, path: &Path) -> Option<&Loaded> {
        let modified = std::fs::metadata(path).and_then(|m| m.modified()).ok();
        let fresh = self
            .configs
            .get(path)
            .is_some_and(|cached| cached.modified == modified);
        if !fresh {
            let loaded = match read(path) {
                Ok(loaded) => {
                    if self.broken.remove(path) {
                        self.reports.push((path.to_path_buf(), Vec::new()));
                    }
                    Some(loaded)
                }
                Err(problem) => {
                    self.broken.insert(path.to_path_buf());
                    self.reports.push((path.to_path_buf(), vec![problem]));
                    None
                }
            };
            self.configs
                .insert(path.to_path_buf(), Cached { modified, loaded });
        }
        self.configs
            .get(path)
            .and_then(|cached| cached.loaded.as_ref())
    }
}

fn read(path: &Path) -> Result<Loaded, ConfigProblem> {
    let config = config::load(path).map_err(|error| problem(&error))?;
    let exclude =
        crate::commands::check::globs(&config.exclude).map_err(|message| ConfigProblem {
            message: format!("{}: {message}", path.display()),
            at: None,
        })?;
    // As `podlint check` reads them; a folder that cannot be read types
    // nothing (the command line warns of it).
    let folder = path.parent().unwrap_or(Path::new(""));
    let everywhere = config
        .crds
        .iter()
        .map(|written| folder.join(written).display().to_string())
        .collect();
    let crd_folders = CrdFolders {
        everywhere,
        of_charts: Vec::new(),
    };
    let (_, crds, _) = prepass::read(&[], &[], &crd_folders, &Scopes::default());
    Ok(Loaded {
        settings: settings(&config),
        exclude,
        config,
        crds,
    })
}

/// The config's settings: an editor has no command-line overrides.
fn settings(config: &Config) -> Settings {
    crate::commands::check::settings(&crate::cli::CheckArgs::default(), config)
}

fn problem(error: &ConfigError) -> ConfigProblem {
    let mut message = error.to_string();
    if let Some(help) = error.help_text() {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    ConfigProblem {
        message,
        at: error
            .location()
            .map(|(text, span)| (text.to_string(), span)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEPLOYMENT_WITHOUT_IMAGE: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  selector:\n    matchLabels: {app: api}\n  template:\n    metadata:\n      labels: {app: api}\n    spec:\n      containers:\n      - name: api\n";

    /// The editor reads a file as the command line does: a patch that a
    /// kustomization lists is a patch, a test's assertion file is not linted.
    #[test]
    fn files_are_read_for_what_they_are() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let write = |name: &str, text: &str| {
            std::fs::write(dir.path().join(name), text).unwrap_or_else(|e| panic!("{e}"));
        };
        write(
            "kustomization.yaml",
            "resources: [../base]\npatches:\n- path: api.yaml\n",
        );
        write("chainsaw-test.yaml", "apiVersion: chainsaw.kyverno.io/v1alpha1\nkind: Test\nspec:\n  steps:\n  - try:\n    - assert:\n        file: expected.yaml\n");
        let mut workspace = Workspace::new(None);
        let invalid = |workspace: &mut Workspace, name: &str| -> Vec<&'static str> {
            let path = dir.path().join(name);
            let shown: Arc<str> = name.into();
            let (findings, _) = workspace.lint(Some(&path), &shown, DEPLOYMENT_WITHOUT_IMAGE);
            findings
                .iter()
                .map(|f| f.rule)
                .filter(|r| *r == "invalid-field")
                .collect()
        };
        assert_eq!(invalid(&mut workspace, "api.yaml"), Vec::<&str>::new());
        assert_eq!(invalid(&mut workspace, "expected.yaml"), Vec::<&str>::new());
        assert_eq!(invalid(&mut workspace, "other.yaml"), vec!["invalid-field"]);
    }

    /// The CRDs of a config's `crds:` type the documents it applies to, as
    /// on the command line; without them the custom resource is silent.
    #[test]
    fn a_configs_crds_type_the_documents() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let crd = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/crds/definitions/postgresclusters.yaml"
        ))
        .unwrap_or_else(|e| panic!("{e}"));
        std::fs::create_dir_all(dir.path().join("vendor/crds")).unwrap_or_else(|e| panic!("{e}"));
        std::fs::create_dir_all(dir.path().join("deploy")).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(dir.path().join("vendor/crds/postgres.yaml"), crd)
            .unwrap_or_else(|e| panic!("{e}"));
        let cluster = "apiVersion: db.example.com/v1\nkind: PostgresCluster\nmetadata:\n  name: orders\nspec:\n  postgresVersion: 16\n  instances:\n  - name: primary\n    replica: 2\n  mode: replicated\n";
        let unknown = |workspace: &mut Workspace| -> Vec<(String, u32)> {
            let path = dir.path().join("deploy/cluster.yaml");
            let shown: Arc<str> = "deploy/cluster.yaml".into();
            let (findings, _) = workspace.lint(Some(&path), &shown, cluster);
            findings
                .iter()
                .filter(|f| f.rule == "unknown-field")
                .map(|f| (f.message.clone(), f.start.line))
                .collect()
        };
        assert!(unknown(&mut Workspace::new(None)).is_empty());
        std::fs::write(dir.path().join(".podlint.yaml"), "crds: [vendor/crds]\n")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            unknown(&mut Workspace::new(None)),
            [(
                "`replica` is not a field of PostgresCluster spec.instances[]".to_string(),
                9
            )]
        );
    }
}

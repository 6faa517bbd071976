//! What a file is for, read from the files around it: a manifest to apply,
//! a kustomize resource or patch, or the expected state of a Chainsaw or
//! kuttl test. Rules read a patch as a patch, and a test's assertion files
//! are not manifests at all.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use globset::Glob;

use crate::discover::Input;
use crate::render::kustomization::{self, normalize, Kustomization, PatchBody};
use crate::source::{self, Node, Value};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FileRole {
    /// Applied as written.
    #[default]
    Manifest,
    /// Listed under a kustomization's `resources` or `bases`: the
    /// kustomization may complete it (an image set by an overlay's patch).
    KustomizeResource,
    /// Listed under `patches`, `patchesStrategicMerge` or `patchesJson6902`,
    /// or named as one (`*patch*.yaml`, `patches/*.yaml`) and listed as
    /// nothing else: merged into another object, never applied alone.
    KustomizePatch,
    /// A Chainsaw or kuttl assertion or error file: an expected state that
    /// may be partial, never applied.
    TestAssertion,
}

/// The roles of a run's files; a file not in it is a manifest.
#[derive(Debug, Default)]
pub struct FileRoles {
    roles: HashMap<PathBuf, FileRole>,
}

/// How many folders up from a file a kustomization or test file is looked
/// for: patches often sit in a `patches/` folder below their kustomization.
const LEVELS_UP: usize = 2;

const CHAINSAW_TEST_FILES: &[&str] = &["chainsaw-test.yaml", "chainsaw-test.yml"];
const KUTTL_SUITE_FILES: &[&str] = &["kuttl-test.yaml", "kuttl-test.yml"];

impl FileRoles {
    /// Reads the kustomizations and Chainsaw tests in the folders of the
    /// inputs (and a little above them), and the names of the inputs.
    pub fn classify(inputs: &[Input]) -> FileRoles {
        let mut classifier = Classifier::default();
        let paths: Vec<PathBuf> = inputs
            .iter()
            .map(|input| match input {
                Input::File { path, .. } => normalize(path),
                Input::Stdin { name } => normalize(Path::new(name)),
            })
            .collect();
        // A kuttl suite names its test folders: each holds test cases.
        for path in &paths {
            if path
                .file_name()
                .is_some_and(|n| KUTTL_SUITE_FILES.iter().any(|f| n == *f))
            {
                classifier.read_suite(path);
            }
        }
        let mut folders = HashSet::new();
        for path in &paths {
            let mut folder = path.parent();
            for _ in 0..=LEVELS_UP {
                let Some(dir) = folder else { break };
                if folders.insert(dir.to_path_buf()) {
                    classifier.read_folder(dir);
                }
                folder = dir.parent();
            }
        }
        for path in &paths {
            if classifier.roles.contains_key(path) {
                continue;
            }
            if is_conventional_assertion(path) {
                classifier
                    .roles
                    .insert(path.clone(), FileRole::TestAssertion);
            } else if named_as_patch(path) {
                classifier
                    .roles
                    .insert(path.clone(), FileRole::KustomizePatch);
            }
        }
        FileRoles {
            roles: classifier.roles,
        }
    }

    pub fn of(&self, path: &Path) -> FileRole {
        if self.roles.is_empty() {
            return FileRole::Manifest;
        }
        self.roles
            .get(&normalize(path))
            .copied()
            .unwrap_or_default()
    }
}

#[derive(Default)]
struct Classifier {
    roles: HashMap<PathBuf, FileRole>,
}

impl Classifier {
    fn read_folder(&mut self, dir: &Path) {
        if let Some(file) = kustomization::file_in(dir) {
            if let Some(text) = read_text(&file) {
                self.read_kustomization(&Kustomization::parse(&file, text));
            }
        }
        let at = |name: &&str| dir.join(name);
        if let Some(file) = CHAINSAW_TEST_FILES.iter().map(at).find(|p| p.is_file()) {
            self.read_test_file(dir, &file);
        }
        // A kuttl step file (`01-upgrade.yaml`) may hold a `TestStep` that
        // names more files to apply, assert or expect absent.
        for file in step_files(dir) {
            self.read_test_file(dir, &file);
        }
    }

    /// A kuttl `TestSuite`'s `testDirs`: every folder in them is a test
    /// case, whose `NN-assert*.yaml` and `NN-errors*.yaml` are assertions
    /// (and whose steps may name more).
    fn read_suite(&mut self, file: &Path) {
        let Some(text) = read_text(file) else { return };
        let dir = folder_of(file);
        for document in source::parse(&text).documents {
            let root = &document.root;
            let is_suite = root.get("kind").and_then(Node::as_str) == Some("TestSuite")
                && root
                    .get("apiVersion")
                    .and_then(Node::as_str)
                    .is_some_and(|v| is_test_config(v, "TestSuite"));
            let test_dirs = root
                .get("testDirs")
                .and_then(Node::as_seq)
                .filter(|_| is_suite);
            for test_dir in test_dirs.into_iter().flatten().filter_map(Node::as_str) {
                let Ok(cases) = std::fs::read_dir(normalize(&dir.join(test_dir))) else {
                    continue;
                };
                for case in cases.flatten().map(|e| e.path()).filter(|p| p.is_dir()) {
                    for file in step_files(&case) {
                        if file
                            .file_name()
                            .and_then(|n| n.to_str())
                            .is_some_and(is_assertion_name)
                        {
                            self.set(normalize(&file), FileRole::TestAssertion);
                        }
                    }
                    self.read_folder(&case);
                }
            }
        }
    }

    fn read_test_file(&mut self, dir: &Path, file: &Path) {
        let Some(text) = read_text(file) else { return };
        // Most numbered files are plain manifests: parse only those that may
        // hold a test object.
        if !TEST_API_GROUPS.iter().any(|group| text.contains(group)) {
            return;
        }
        for document in source::parse(&text).documents {
            self.read_test(dir, &document.root);
        }
    }

    /// A stronger role wins: an assertion over a patch over a resource.
    fn set(&mut self, path: PathBuf, role: FileRole) {
        let rank = |role: FileRole| match role {
            FileRole::Manifest => 0,
            FileRole::KustomizeResource => 1,
            FileRole::KustomizePatch => 2,
            FileRole::TestAssertion => 3,
        };
        let current = self.roles.get(&path).copied().unwrap_or_default();
        if rank(role) > rank(current) {
            self.roles.insert(path, role);
        }
    }

    /// What the render layer reads of a kustomization: what it lists as
    /// resources (and `bases`) and the patch files of `patches`,
    /// `patchesStrategicMerge` and `patchesJson6902`.
    fn read_kustomization(&mut self, kustomization: &Kustomization) {
        let dir = &kustomization.dir;
        for written in &kustomization.resources {
            self.set(
                normalize(&dir.join(&written.text)),
                FileRole::KustomizeResource,
            );
        }
        for patch in &kustomization.patches {
            if let PatchBody::File(written) = &patch.body {
                self.set(
                    normalize(&dir.join(&written.text)),
                    FileRole::KustomizePatch,
                );
            }
        }
    }

    /// The files that a Chainsaw `Test` or a kuttl `TestStep` names under an
    /// `assert` or `error` operation, anywhere in its steps. What it applies
    /// stays a manifest.
    fn read_test(&mut self, dir: &Path, root: &Node) {
        let api_version = root.get("apiVersion").and_then(Node::as_str);
        let kind = root.get("kind").and_then(Node::as_str);
        let is_test = match (api_version, kind) {
            (Some(api_version), Some(kind)) => is_test_config(api_version, kind),
            _ => false,
        };
        if !is_test {
            return;
        }
        let mut named = Vec::new();
        let mut stack = vec![root];
        while let Some(node) = stack.pop() {
            match &node.value {
                Value::Map(entries) => {
                    for entry in entries {
                        match entry.key.as_str() {
                            Some("assert" | "error") => assertion_files(&entry.value, &mut named),
                            _ => stack.push(&entry.value),
                        }
                    }
                }
                Value::Seq(items) => stack.extend(items),
                Value::Scalar(_) => {}
            }
        }
        for file in named {
            for path in expand(dir, file) {
                self.set(path, FileRole::TestAssertion);
            }
        }
    }
}

/// `assert: {file: x}`, `error: [{file: x}]` (Chainsaw), `assert: [x]` (kuttl).
fn assertion_files<'a>(node: &'a Node, out: &mut Vec<&'a str>) {
    match &node.value {
        Value::Scalar(_) => out.extend(node.as_str()),
        Value::Map(_) => out.extend(node.get("file").and_then(Node::as_str)),
        Value::Seq(items) => {
            for item in items {
                assertion_files(item, out);
            }
        }
    }
}

/// A file named in a test, relative to the test's folder; a glob names
/// every file of that folder it matches, and a folder (kuttl) its YAML files.
/// A URL names nothing here.
fn expand(dir: &Path, written: &str) -> Vec<PathBuf> {
    if written.contains("://") {
        return Vec::new();
    }
    if !written.contains(['*', '?', '[']) {
        let path = normalize(&dir.join(written));
        if !path.is_dir() {
            return vec![path];
        }
        let Ok(entries) = std::fs::read_dir(&path) else {
            return Vec::new();
        };
        return entries
            .flatten()
            .map(|entry| normalize(&entry.path()))
            .filter(|file| is_yaml(file) && file.is_file())
            .collect();
    }
    let Ok(glob) = Glob::new(written) else {
        return Vec::new();
    };
    let matcher = glob.compile_matcher();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter(|entry| matcher.is_match(entry.file_name()))
        .map(|entry| normalize(&entry.path()))
        .collect()
}

/// The API groups of test frameworks' own objects; `kudo.dev`, kuttl's
/// first home, also serves KUDO's operators, which are real objects.
const TEST_API_GROUPS: &[&str] = &["kuttl.dev/", "kudo.dev/", "chainsaw.kyverno.io/"];

/// A test framework's configuration (a Chainsaw `Test`, a kuttl `TestStep`,
/// `TestAssert` or `TestSuite`), never applied to a cluster.
pub fn is_test_config(api_version: &str, kind: &str) -> bool {
    if api_version.starts_with("kudo.dev/") {
        return matches!(kind, "TestStep" | "TestAssert" | "TestSuite" | "TestFile");
    }
    TEST_API_GROUPS
        .iter()
        .any(|group| api_version.starts_with(group))
}

/// kuttl's and Chainsaw's conventions without a test file that names them:
/// `NN-assert.yaml` and `NN-errors.yaml` (kuttl also `NN-assert-pods.yaml`,
/// in any case) beside other numbered step files (`00-install.yaml`) or a
/// `chainsaw-test.yaml`. Both tools apply `NN-error.yaml` and
/// `NN-asserts.yaml`: those are manifests.
fn is_conventional_assertion(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    if !is_assertion_name(name) {
        return false;
    }
    let Ok(entries) = std::fs::read_dir(folder_of(path)) else {
        return false;
    };
    entries.flatten().any(|entry| {
        let other = entry.file_name();
        let other = other.to_string_lossy();
        other != name && (step_name(&other).is_some() || CHAINSAW_TEST_FILES.contains(&&*other))
    })
}

/// `NN-assert*.yaml` or `NN-errors*.yaml`, in any case.
fn is_assertion_name(name: &str) -> bool {
    let Some(rest) = step_name(name) else {
        return false;
    };
    let stem = rest.split('.').next().unwrap_or_default();
    let word = stem.split('-').next().unwrap_or_default();
    word.eq_ignore_ascii_case("assert") || word.eq_ignore_ascii_case("errors")
}

/// The folder a file is in, `.` for a bare file name.
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// The numbered step files of a folder (`00-install.yaml`).
fn step_files(dir: &Path) -> Vec<PathBuf> {
    let listed = if dir.as_os_str().is_empty() {
        std::fs::read_dir(".")
    } else {
        std::fs::read_dir(dir)
    };
    let Ok(entries) = listed else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter(|entry| step_name(&entry.file_name().to_string_lossy()).is_some())
        .map(|entry| dir.join(entry.file_name()))
        .filter(|path| path.is_file())
        .collect()
}

fn is_yaml(path: &Path) -> bool {
    path.extension()
        .is_some_and(|extension| extension == "yaml" || extension == "yml")
}

/// What follows `NN-` in a test step's file name (`00-install.yaml`).
fn step_name(name: &str) -> Option<&str> {
    let (number, rest) = name.split_once('-')?;
    let yaml = is_yaml(Path::new(name));
    (yaml && !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit())).then_some(rest)
}

/// `replicas-patch.yaml`, `scale_and_affinity_patch.yaml`, `patch-env.yaml`,
/// or any file in a `patches/` folder (kustomize's and kubeadm's).
fn named_as_patch(path: &Path) -> bool {
    let in_patches_folder = path
        .parent()
        .and_then(Path::file_name)
        .is_some_and(|folder| folder == "patches");
    let named = path
        .file_stem()
        .and_then(|stem| stem.to_str())
        .is_some_and(|stem| stem.to_ascii_lowercase().contains("patch"));
    in_patches_folder || named
}

/// Kustomizations and test files are small; a huge one is not read.
const MAX_READ: u64 = 1 << 20;

fn read_text(path: &Path) -> Option<String> {
    let small = std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() <= MAX_READ);
    if !small {
        return None;
    }
    std::fs::read(path)
        .ok()
        .map(|bytes| source::decode(bytes).text)
}

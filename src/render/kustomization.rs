//! Kustomization files read with spans: what each one includes, patches,
//! overrides and generates, and the set of kustomizations of a run with its
//! roots (the kustomizations that are built).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

use crate::source::{self, Node, Span};

/// The file names kustomize looks for in a folder, in its order.
pub const FILE_NAMES: &[&str] = &["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// A string written in a kustomization (a path, a name) and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Written {
    pub text: String,
    pub span: Span,
}

/// What selects the objects a patch applies to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selector {
    pub kind: Option<String>,
    pub name: Option<String>,
    pub namespace: Option<String>,
    /// `key=value` pairs of a `labelSelector`; a selector with any other
    /// expression matches nothing certain and is kept as written.
    pub labels: Option<String>,
}

/// Where a patch's text is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PatchBody {
    /// A file next to the kustomization (`path:` or a `patchesStrategicMerge` item).
    File(Written),
    /// Text inside the kustomization; `span` covers the text of the scalar.
    Inline { span: Span },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Patch {
    pub body: PatchBody,
    pub target: Option<Selector>,
    /// The list item that declares it.
    pub span: Span,
}

/// An `images:` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageOverride {
    pub name: String,
    /// The `- name:` entry.
    pub span: Span,
    pub new_name: Option<Written>,
    pub new_tag: Option<Written>,
    pub digest: Option<Written>,
}

/// A `configMapGenerator` or `secretGenerator` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Generator {
    pub kind: &'static str,
    pub name: String,
    /// The `- name:` entry.
    pub span: Span,
    /// Files it reads (`files`, `envs`, `env`), as written.
    pub sources: Vec<Written>,
}

/// One kustomization file, read.
#[derive(Debug)]
pub struct Kustomization {
    /// The folder, as found (not canonical).
    pub dir: PathBuf,
    /// The file in it.
    pub file: PathBuf,
    pub text: String,
    /// `kind: Component`: never built alone.
    pub component: bool,
    /// `resources` and `bases`.
    pub resources: Vec<Written>,
    pub components: Vec<Written>,
    pub patches: Vec<Patch>,
    pub images: Vec<ImageOverride>,
    pub generators: Vec<Generator>,
    /// `helmCharts` entries: their `- name:` entries.
    pub helm_charts: Vec<Written>,
    /// Other files it reads: `crds`, `configurations`, `replacements` paths.
    pub other_files: Vec<Written>,
    /// `namePrefix` or `nameSuffix`: its objects are not named as written.
    pub renames: bool,
    /// `generators` or `transformers`: plugins may make or rename objects.
    pub plugins: bool,
}

/// The kustomization file of a folder, if it has one.
pub fn file_in(dir: &Path) -> Option<PathBuf> {
    FILE_NAMES
        .iter()
        .map(|name| dir.join(name))
        .find(|path| path.is_file())
}

impl Kustomization {
    pub fn read(file: &Path) -> Result<Kustomization, String> {
        let bytes =
            std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        let text = source::decode(bytes).text;
        Ok(Kustomization::parse(file, text))
    }

    /// Reads what it can: an entry of an unexpected shape is left out (kustomize
    /// itself then reports the error when the root is built).
    pub fn parse(file: &Path, text: String) -> Kustomization {
        let dir = file.parent().unwrap_or(Path::new("")).to_path_buf();
        let mut k = Kustomization {
            dir,
            file: file.to_path_buf(),
            text: String::new(),
            component: false,
            resources: Vec::new(),
            components: Vec::new(),
            patches: Vec::new(),
            images: Vec::new(),
            generators: Vec::new(),
            helm_charts: Vec::new(),
            other_files: Vec::new(),
            renames: false,
            plugins: false,
        };
        let parsed = source::parse(&text);
        if let Some(root) = parsed.documents.first().map(|d| &d.root) {
            k.component = root.get("kind").and_then(Node::as_str) == Some("Component");
            for key in ["resources", "bases"] {
                k.resources.extend(strings(root.get(key)));
            }
            k.components.extend(strings(root.get("components")));
            for key in ["crds", "configurations", "transformers", "generators"] {
                k.other_files.extend(strings(root.get(key)));
            }
            let set = |key| root.get(key).is_some_and(|n| !n.is_null());
            k.renames = set("namePrefix") || set("nameSuffix");
            k.plugins = items(root.get("generators"))
                .chain(items(root.get("transformers")))
                .next()
                .is_some();
            for item in items(root.get("replacements")) {
                k.other_files.extend(written(item.get("path")));
            }
            k.patches = patches(root);
            k.images = items(root.get("images"))
                .filter_map(|item| {
                    let name = item.get("name")?.as_str()?.to_string();
                    Some(ImageOverride {
                        name,
                        span: entry_span(item, "name"),
                        new_name: written(item.get("newName")),
                        new_tag: written(item.get("newTag")),
                        digest: written(item.get("digest")),
                    })
                })
                .collect();
            for (key, kind) in [
                ("configMapGenerator", "ConfigMap"),
                ("secretGenerator", "Secret"),
            ] {
                k.generators
                    .extend(items(root.get(key)).filter_map(|item| generator(item, kind)));
            }
            k.helm_charts = items(root.get("helmCharts"))
                .filter_map(|item| {
                    Some(Written {
                        text: item.get("name")?.as_str()?.to_string(),
                        span: entry_span(item, "name"),
                    })
                })
                .collect();
        }
        k.text = text;
        k
    }

    /// The text of a patch, with everything outside it blanked so that the
    /// spans of its nodes are spans of the file that holds it (the
    /// kustomization for an inline patch, else the patch file's own text).
    pub fn inline_text(&self, span: Span) -> String {
        blank_outside(&self.text, span)
    }
}

fn generator(item: &Node, kind: &'static str) -> Option<Generator> {
    let name = item.get("name")?.as_str()?.to_string();
    let mut sources: Vec<Written> = Vec::new();
    for key in ["files", "envs"] {
        // `key=path` names the key the file's content goes to.
        sources.extend(strings(item.get(key)).map(|mut w| {
            if let Some((_, path)) = w.text.split_once('=') {
                w.text = path.to_string();
            }
            w
        }));
    }
    sources.extend(written(item.get("env")));
    Some(Generator {
        kind,
        name,
        span: entry_span(item, "name"),
        sources,
    })
}

/// The patches in the order kustomize applies them: `patchesStrategicMerge`,
/// `patches`, then `patchesJson6902` (a later one wins).
fn patches(root: &Node) -> Vec<Patch> {
    let mut out = Vec::new();
    // `patchesStrategicMerge` items are paths or inline patches.
    for item in items(root.get("patchesStrategicMerge")) {
        let Some(text) = item.as_str() else { continue };
        let body = if text.contains('\n') || text.contains(':') {
            PatchBody::Inline { span: item.span }
        } else {
            PatchBody::File(Written {
                text: text.to_string(),
                span: item.span,
            })
        };
        out.push(Patch {
            body,
            target: None,
            span: item.span,
        });
    }
    // `patches` and `patchesJson6902` items have `path` or `patch` and a target;
    // the kind of patch (strategic merge or JSON 6902) is told by its content.
    for key in ["patches", "patchesJson6902"] {
        for item in items(root.get(key)) {
            let body = match (item.get("path"), item.get("patch")) {
                (Some(path), _) => written(Some(path)).map(PatchBody::File),
                (None, Some(inline)) => Some(PatchBody::Inline { span: inline.span }),
                (None, None) => None,
            };
            if let Some(body) = body {
                out.push(Patch {
                    body,
                    target: item.get("target").map(selector),
                    span: first_entry_span(item),
                });
            }
        }
    }
    out
}

fn selector(node: &Node) -> Selector {
    let text = |key| node.get(key).and_then(Node::as_str).map(str::to_string);
    Selector {
        kind: text("kind"),
        name: text("name"),
        namespace: text("namespace"),
        labels: text("labelSelector"),
    }
}

fn items(node: Option<&Node>) -> impl Iterator<Item = &Node> {
    node.and_then(Node::as_seq).unwrap_or_default().iter()
}

fn strings(node: Option<&Node>) -> impl Iterator<Item = Written> + '_ {
    items(node).filter_map(|item| written(Some(item)))
}

fn written(node: Option<&Node>) -> Option<Written> {
    let node = node?;
    Some(Written {
        text: node.as_str()?.to_string(),
        span: node.span,
    })
}

/// The `key: value` span of an entry of a mapping, else the mapping's.
fn entry_span(node: &Node, key: &str) -> Span {
    match node.entry(key) {
        Some(entry) => entry.key.span.to(entry.value.span),
        None => node.span,
    }
}

/// A list item's first entry (`- path: x`), else the item.
fn first_entry_span(node: &Node) -> Span {
    match node.as_map().and_then(|entries| entries.first()) {
        Some(entry) if entry.value.as_scalar().is_some() => entry.key.span.to(entry.value.span),
        Some(entry) => entry.key.span,
        None => node.span,
    }
}

/// `text` with every character outside `span` but newlines made a space.
/// A block scalar's content keeps its lines and its (uniform) indentation,
/// which is valid YAML of the same structure.
fn blank_outside(text: &str, span: Span) -> String {
    let range = span.range();
    let mut inside = text.get(range.clone()).unwrap_or_default();
    // A block scalar's span starts at its indicator (`|-`): the content is
    // on the lines after it.
    let mut start = range.start;
    if inside.starts_with('|') || inside.starts_with('>') {
        let header = inside.find('\n').map_or(inside.len(), |n| n + 1);
        start += header;
        inside = &inside[header..];
    }
    let end = start + inside.len();
    text.char_indices()
        .map(|(i, c)| {
            if (start..end).contains(&i) || c == '\n' {
                c
            } else {
                ' '
            }
        })
        .collect()
}

/// How a file is used by a root's builds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Use {
    Kustomization,
    Resource,
    Patch,
    GeneratorSource,
    /// crds, configurations, transformers, replacements.
    Other,
}

/// Where a reference of a kustomization leads.
enum Reference {
    Kustomization(PathBuf),
    File(PathBuf),
    /// A URL, or a path that does not exist: kustomize reports the latter.
    Elsewhere,
}

/// The kustomizations reachable from those of a run, by canonical folder.
#[derive(Default)]
pub struct Kustomizations {
    pub by_dir: BTreeMap<PathBuf, Kustomization>,
    /// Canonical folders of the kustomizations found in the run.
    in_run: BTreeSet<PathBuf>,
    /// Folders named on the command line: roots even when included.
    named: BTreeSet<PathBuf>,
    /// Files that could not be read, with the message.
    pub errors: Vec<String>,
    /// [`Kustomizations::uses`] by root: asked for many times a root, and
    /// each file's canonical path costs a system call a folder of its path.
    uses: std::sync::Mutex<BTreeMap<PathBuf, BTreeMap<PathBuf, Use>>>,
}

impl Kustomizations {
    /// Reads the kustomizations of these folders (those of the run) and all
    /// they include, in or out of the run.
    pub fn load(found: &[PathBuf], named: &[PathBuf]) -> Kustomizations {
        let mut set = Kustomizations::default();
        for (dir, is_named) in found
            .iter()
            .map(|d| (d, false))
            .chain(named.iter().map(|d| (d, true)))
        {
            if let Some(canonical) = set.add(dir) {
                set.in_run.insert(canonical.clone());
                if is_named {
                    set.named.insert(canonical);
                }
            }
        }
        set
    }

    /// Loads the kustomization of `dir` and what it includes; its canonical folder.
    fn add(&mut self, dir: &Path) -> Option<PathBuf> {
        let canonical = dir.canonicalize().ok()?;
        if self.by_dir.contains_key(&canonical) {
            return Some(canonical);
        }
        let file = file_in(dir)?;
        let kustomization = match Kustomization::read(&file) {
            Ok(k) => k,
            Err(message) => {
                self.errors.push(message);
                return None;
            }
        };
        let included: Vec<PathBuf> = kustomization
            .resources
            .iter()
            .chain(&kustomization.components)
            .filter_map(|w| match resolve(&kustomization.dir, &w.text) {
                Reference::Kustomization(dir) => Some(dir),
                _ => None,
            })
            .collect();
        self.by_dir.insert(canonical.clone(), kustomization);
        for dir in included {
            self.add(&dir);
        }
        Some(canonical)
    }

    /// The kustomizations of the run that are built: those no other
    /// kustomization of the run includes, and those named; never a Component.
    pub fn roots(&self) -> Vec<&Path> {
        let mut included = BTreeSet::new();
        for dir in &self.in_run {
            for child in self.children(dir) {
                included.insert(child);
            }
        }
        self.in_run
            .iter()
            .filter(|dir| self.named.contains(*dir) || !included.contains(*dir))
            .filter(|dir| self.by_dir.get(*dir).is_some_and(|k| !k.component))
            .map(PathBuf::as_path)
            .collect()
    }

    /// The canonical folders of the kustomizations `dir` includes directly.
    pub fn children(&self, dir: &Path) -> Vec<PathBuf> {
        let Some(k) = self.by_dir.get(dir) else {
            return Vec::new();
        };
        k.resources
            .iter()
            .chain(&k.components)
            .filter_map(|w| match resolve(&k.dir, &w.text) {
                Reference::Kustomization(dir) => dir.canonicalize().ok(),
                _ => None,
            })
            .collect()
    }

    /// The kustomizations of a root's build (it, what it includes, their
    /// Components), each with the resource files it lists, canonical;
    /// `None` when one lists a resource that is neither a local file nor a
    /// kustomization (a remote base).
    pub fn local_tree(&self, root: &Path) -> Option<Vec<(&Kustomization, Vec<PathBuf>)>> {
        let mut out = Vec::new();
        let mut seen = BTreeSet::new();
        let mut stack = vec![root.to_path_buf()];
        while let Some(dir) = stack.pop() {
            if !seen.insert(dir.clone()) {
                continue;
            }
            let k = self.by_dir.get(&dir)?;
            let mut files = Vec::new();
            for w in k.resources.iter().chain(&k.components) {
                match resolve(&k.dir, &w.text) {
                    Reference::File(path) => files.push(path.canonicalize().ok()?),
                    Reference::Kustomization(dir) => stack.push(dir.canonicalize().ok()?),
                    Reference::Elsewhere => return None,
                }
            }
            out.push((k, files));
        }
        Some(out)
    }

    /// Every file a root's build reads, canonical, with how it is used.
    pub fn uses(&self, root: &Path) -> BTreeMap<PathBuf, Use> {
        let known = self
            .uses
            .lock()
            .ok()
            .and_then(|uses| uses.get(root).cloned());
        if let Some(known) = known {
            return known;
        }
        let mut out = BTreeMap::new();
        let mut seen = BTreeSet::new();
        self.collect_uses(root, &mut seen, &mut out);
        if let Ok(mut uses) = self.uses.lock() {
            uses.insert(root.to_path_buf(), out.clone());
        }
        out
    }

    fn collect_uses(
        &self,
        dir: &Path,
        seen: &mut BTreeSet<PathBuf>,
        out: &mut BTreeMap<PathBuf, Use>,
    ) {
        if !seen.insert(dir.to_path_buf()) {
            return;
        }
        let Some(k) = self.by_dir.get(dir) else {
            return;
        };
        let mut add = |path: &Path, role: Use| {
            if let Ok(canonical) = path.canonicalize() {
                out.entry(canonical).or_insert(role);
            }
        };
        add(&k.file, Use::Kustomization);
        for w in &k.resources {
            if let Reference::File(path) = resolve(&k.dir, &w.text) {
                add(&path, Use::Resource);
            }
        }
        for patch in &k.patches {
            if let PatchBody::File(w) = &patch.body {
                add(&k.dir.join(&w.text), Use::Patch);
            }
        }
        for source in k.generators.iter().flat_map(|g| &g.sources) {
            add(&k.dir.join(&source.text), Use::GeneratorSource);
        }
        for w in &k.other_files {
            add(&k.dir.join(&w.text), Use::Other);
        }
        for child in self.children(dir) {
            self.collect_uses(&child, seen, out);
        }
    }

    /// The folders of the kustomizations between `root` and the one that lists `file` among
    /// its resources (or generates from it), outermost first, with the
    /// Components each of them includes; `None` when the root does not use it.
    pub fn chain_dirs(&self, root: &Path, file: &Path) -> Option<Vec<PathBuf>> {
        let mut path = Vec::new();
        let mut seen = BTreeSet::new();
        self.find_chain(root, file, &mut seen, &mut path)
            .then_some(path)
    }

    /// The kustomizations of folders (a chain's), those the run knows.
    pub fn kustomizations_of(&self, dirs: &[PathBuf]) -> Vec<&Kustomization> {
        dirs.iter().filter_map(|d| self.by_dir.get(d)).collect()
    }

    fn find_chain(
        &self,
        dir: &Path,
        file: &Path,
        seen: &mut BTreeSet<PathBuf>,
        path: &mut Vec<PathBuf>,
    ) -> bool {
        if !seen.insert(dir.to_path_buf()) {
            return false;
        }
        let Some(k) = self.by_dir.get(dir) else {
            return false;
        };
        path.push(dir.to_path_buf());
        let lists = k.file.canonicalize().ok().as_deref() == Some(file)
            || k.resources.iter().any(|w| match resolve(&k.dir, &w.text) {
                Reference::File(p) => p.canonicalize().ok().as_deref() == Some(file),
                _ => false,
            });
        if lists {
            // The Components this kustomization includes patch its objects too.
            let components: Vec<PathBuf> = k
                .components
                .iter()
                .filter_map(|w| k.dir.join(&w.text).canonicalize().ok())
                .collect();
            path.extend(components);
            return true;
        }
        let depth = path.len();
        for child in self.children(dir) {
            if self.find_chain(&child, file, seen, path) {
                // The Components of each level on the way apply as well.
                let components: Vec<PathBuf> = k
                    .components
                    .iter()
                    .filter_map(|w| k.dir.join(&w.text).canonicalize().ok())
                    .filter(|c| !path.contains(c))
                    .collect();
                path.splice(depth..depth, components);
                return true;
            }
        }
        path.pop();
        false
    }
}

fn resolve(dir: &Path, written: &str) -> Reference {
    if written.contains("://") || written.starts_with("github.com/") || written.starts_with("git@")
    {
        return Reference::Elsewhere;
    }
    let path = normalize(&dir.join(written));
    if path.is_dir() {
        if file_in(&path).is_some() {
            Reference::Kustomization(path)
        } else {
            Reference::Elsewhere
        }
    } else if path.is_file() {
        Reference::File(path)
    } else {
        Reference::Elsewhere
    }
}

/// `a/b/../c` as `a/c`, without touching the file system.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                let popped =
                    matches!(out.components().next_back(), Some(Component::Normal(_))) && out.pop();
                if !popped {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Kustomization {
        Kustomization::parse(Path::new("k/kustomization.yaml"), text.to_string())
    }

    fn at(k: &Kustomization, span: Span) -> &str {
        &k.text[span.range()]
    }

    #[test]
    fn reads_every_kind_of_entry() {
        let k = parse(
            "kind: Component\nresources:\n- ../base\n- deploy.yaml\nbases: [../old]\ncomponents:\n- ../c\n\
             patches:\n- path: p.yaml\n  target:\n    kind: Deployment\n    name: web\n\
             - patch: |-\n    - op: remove\n      path: /spec/x\n\
             patchesStrategicMerge:\n- smp.yaml\n\
             patchesJson6902:\n- target: {kind: Service, name: s}\n  path: j.yaml\n\
             images:\n- name: nginx\n  newTag: latest\n\
             configMapGenerator:\n- name: cfg\n  files:\n  - key=conf.txt\n  envs: [a.env]\n\
             helmCharts:\n- name: redis\n",
        );
        assert!(k.component);
        let texts = |ws: &[Written]| ws.iter().map(|w| w.text.clone()).collect::<Vec<_>>();
        assert_eq!(texts(&k.resources), ["../base", "deploy.yaml", "../old"]);
        assert_eq!(texts(&k.components), ["../c"]);
        assert_eq!(k.patches.len(), 4);
        assert_eq!(
            k.patches[0].body,
            PatchBody::File(Written {
                text: "smp.yaml".into(),
                span: k.patches[0].span
            })
        );
        assert_eq!(at(&k, k.patches[1].span), "path: p.yaml");
        assert_eq!(
            k.patches[1].target.as_ref().map(|t| t.name.as_deref()),
            Some(Some("web"))
        );
        let PatchBody::Inline { span } = k.patches[2].body else {
            panic!("inline patch expected");
        };
        let inline = k.inline_text(span);
        assert_eq!(inline.len(), k.text.len());
        assert!(inline.contains("    - op: remove\n      path: /spec/x"));
        assert!(!inline.contains("patch:"));
        assert_eq!(
            k.patches[3].target.as_ref().and_then(|t| t.kind.as_deref()),
            Some("Service")
        );
        assert_eq!(k.images[0].name, "nginx");
        assert_eq!(
            at(
                &k,
                k.images[0]
                    .new_tag
                    .as_ref()
                    .map_or(Span::default(), |w| w.span)
            ),
            "latest"
        );
        assert_eq!(k.generators[0].kind, "ConfigMap");
        assert_eq!(texts(&k.generators[0].sources), ["conf.txt", "a.env"]);
        assert_eq!(at(&k, k.generators[0].span), "name: cfg");
        assert_eq!(texts(&k.helm_charts), ["redis"]);
    }

    #[test]
    fn normalizes_lexically() {
        assert_eq!(normalize(Path::new("a/b/../c/./d")), PathBuf::from("a/c/d"));
        assert_eq!(
            normalize(Path::new("../a/../../b")),
            PathBuf::from("../../b")
        );
    }

    fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temporary folder");
        for (path, text) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().expect("a parent")).expect("folder");
            std::fs::write(path, text).expect("file");
        }
        dir
    }

    #[test]
    fn roots_are_the_kustomizations_nothing_includes_and_never_components() {
        let dir = tree(&[
            ("base/kustomization.yaml", "resources: [deploy.yaml]\n"),
            ("base/deploy.yaml", "kind: Deployment\n"),
            (
                "prod/kustomization.yaml",
                "resources: [../base]\ncomponents: [../comp]\npatches:\n- path: patch.yaml\n",
            ),
            ("prod/patch.yaml", "kind: Deployment\n"),
            ("dev/Kustomization", "resources:\n- ../base\n"),
            (
                "comp/kustomization.yaml",
                "kind: Component\nresources: [extra.yaml]\n",
            ),
            ("comp/extra.yaml", "kind: Service\n"),
            ("lonely/kustomization.yml", "kind: Component\n"),
        ]);
        let root = dir.path().canonicalize().expect("canonical");
        let found: Vec<PathBuf> = ["base", "prod", "dev", "comp", "lonely"]
            .iter()
            .map(|d| root.join(d))
            .collect();
        let set = Kustomizations::load(&found, &[]);
        assert_eq!(set.roots(), [root.join("dev"), root.join("prod")]);
        let named = Kustomizations::load(&found, &[root.join("base")]);
        assert_eq!(
            named.roots(),
            [root.join("base"), root.join("dev"), root.join("prod")]
        );

        let uses = set.uses(&root.join("prod"));
        let expected = [
            ("base/deploy.yaml", Use::Resource),
            ("base/kustomization.yaml", Use::Kustomization),
            ("comp/extra.yaml", Use::Resource),
            ("comp/kustomization.yaml", Use::Kustomization),
            ("prod/kustomization.yaml", Use::Kustomization),
            ("prod/patch.yaml", Use::Patch),
        ];
        let expected: BTreeMap<PathBuf, Use> =
            expected.iter().map(|(p, u)| (root.join(p), *u)).collect();
        assert_eq!(uses, expected);

        let chain = set
            .chain_dirs(&root.join("prod"), &root.join("base/deploy.yaml"))
            .expect("prod uses the base");
        let files: Vec<PathBuf> = set
            .kustomizations_of(&chain)
            .iter()
            .map(|k| {
                normalize(&k.file)
                    .strip_prefix(&root)
                    .map_or_else(|_| k.file.clone(), Path::to_path_buf)
            })
            .collect();
        assert_eq!(
            files,
            [
                PathBuf::from("prod/kustomization.yaml"),
                PathBuf::from("comp/kustomization.yaml"),
                PathBuf::from("base/kustomization.yaml"),
            ]
        );
        assert!(set
            .chain_dirs(&root.join("dev"), &root.join("comp/extra.yaml"))
            .is_none());
    }
}

//! Where a node of a kustomize build was written: the base resource, the
//! patch that set or removed it, the `images:` entry that changed it, or the
//! generator that made the object; the object's `kind:` line when nothing
//! is certain, never a wrong line.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::kustomization::{Kustomization, Kustomizations, Patch, PatchBody, Selector};
use super::kustomize::Origin;
use crate::model::{FieldPath, Segment, Target};
use crate::source::{self, Node, Span, Value};

/// A place in a file a person edits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    /// Absolute.
    pub file: PathBuf,
    pub span: Span,
}

/// A file read and parsed once per mapping of a root.
pub struct Parsed {
    pub text: String,
    pub documents: Vec<Node>,
}

/// One step of a path in the built object: list items carry the value of
/// their merge key (`name`, `mountPath`...) so that they are found in
/// sources where they sit at another index.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Step {
    Key(String),
    Item {
        index: usize,
        merge_key: Option<(&'static str, String)>,
    },
}

/// The keys that identify list items in a strategic merge.
const MERGE_KEYS: &[&str] = &["name", "mountPath", "containerPort", "devicePath", "ip"];

/// Maps the nodes of one root's build.
pub struct OverlayMap {
    set: Arc<Kustomizations>,
    /// Canonical folder of the root.
    root: PathBuf,
    /// Source files read so far, by path (an inline patch by its
    /// kustomization's path and offset).
    files: Mutex<HashMap<PathBuf, Option<Arc<Parsed>>>>,
    /// The folders of the kustomizations from the root to each resource
    /// file asked for: every finding of the file's objects asks again.
    chains: Mutex<HashMap<PathBuf, Option<Vec<PathBuf>>>>,
}

/// One built object, with where it came from.
pub struct BuiltObject<'a> {
    pub root: &'a Node,
    pub origin: &'a Origin,
}

impl OverlayMap {
    pub fn new(set: Arc<Kustomizations>, root: PathBuf) -> Self {
        OverlayMap {
            set,
            root,
            files: Mutex::new(HashMap::new()),
            chains: Mutex::new(HashMap::new()),
        }
    }

    /// The parsed text of a file, read once.
    pub fn file(&self, path: &Path) -> Option<Arc<Parsed>> {
        self.cached(path.to_path_buf(), || {
            let bytes = std::fs::read(path).ok()?;
            Some(parse(source::decode(bytes).text))
        })
    }

    fn cached(&self, key: PathBuf, read: impl FnOnce() -> Option<Parsed>) -> Option<Arc<Parsed>> {
        // A poisoned lock only means another mapping panicked: its entries are whole.
        let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        files
            .entry(key)
            .or_insert_with(|| read().map(Arc::new))
            .clone()
    }

    /// Where `path` of `object` was written. `value_only`: the finding is
    /// about the value (not the `key: value` entry).
    pub fn place(
        &self,
        object: &BuiltObject<'_>,
        path: &FieldPath,
        value_only: bool,
    ) -> Option<Place> {
        let steps = steps(object.root, path);
        let exists = steps.len() == path.segments().len() && lookup(object.root, &steps).is_some();
        // The part of the path that exists in the built object.
        let located = (0..=steps.len())
            .rev()
            .find(|&n| lookup(object.root, &steps[..n]).is_some())
            .unwrap_or(0);
        let located_steps = &steps[..located];
        match object.origin {
            Origin::Generated { kustomization, by } => {
                return self.generated(object.root, kustomization, by);
            }
            Origin::Unknown => return None,
            Origin::File(_) => {}
        }
        let Origin::File(file) = object.origin else {
            return None;
        };
        let chain = self.chain(file)?;
        let identity = Identity::of(object.root);
        let base = self.base_object(file, &identity);
        let built_node = lookup(object.root, located_steps)?;

        // A missing field a patch removed: the patch line that removed it.
        if !exists {
            for (k, patch) in patches_outer_first(&chain) {
                if let Some(place) = self.removal(k, patch, &identity, &steps, located) {
                    return Some(place);
                }
            }
        }
        // An image the images transformer sets: its `images:` entry, also
        // when the tag it sets is the one written (editing the resource
        // would change nothing).
        if let (Some(Step::Key(key)), Some(built)) = (located_steps.last(), built_node.as_str()) {
            if key == "image" {
                let written = self
                    .written_scalar(&chain, &identity, base.as_ref(), located_steps, false)
                    .map(|(_, text)| text);
                let changed = written.as_deref() != Some(built);
                if let Some(place) = image_entry(&chain, written.as_deref(), built, changed) {
                    return Some(place);
                }
            }
        }
        let leaf = matches!(built_node.value, Value::Scalar(_));
        if leaf {
            if let Some((place, text)) =
                self.written_scalar(&chain, &identity, base.as_ref(), located_steps, value_only)
            {
                // A value some other transformer changed is not certain.
                if built_node.as_scalar().is_some_and(|s| *s.text == *text) {
                    return Some(place);
                }
                return base.as_ref().map(|(file, doc)| kind_line(file, doc));
            }
        } else {
            if let Some((file, doc)) = &base {
                if let Some(span) = walk(doc, located_steps, value_only) {
                    return Some(Place {
                        file: file.clone(),
                        span,
                    });
                }
            }
            for (k, patch) in patches_outer_first(&chain) {
                if let Some(place) = self.setter(k, patch, &identity, located_steps, value_only) {
                    return Some(place);
                }
            }
        }
        base.as_ref().map(|(file, doc)| kind_line(file, doc))
    }

    /// The kustomizations between the root and the one listing `file`.
    fn chain(&self, file: &Path) -> Option<Vec<&Kustomization>> {
        // A poisoned lock only means another mapping panicked: its entries are whole.
        let mut chains = self.chains.lock().unwrap_or_else(|e| e.into_inner());
        let dirs = chains
            .entry(file.to_path_buf())
            .or_insert_with(|| self.set.chain_dirs(&self.root, file));
        Some(self.set.kustomizations_of(dirs.as_deref()?))
    }

    /// The base object in its file: same kind, and the name it had before
    /// prefixes and suffixes.
    fn base_object(&self, file: &Path, identity: &Identity) -> Option<(PathBuf, Node)> {
        let parsed = self.file(file)?;
        let same_kind: Vec<&Node> = parsed
            .documents
            .iter()
            .flat_map(|doc| objects_of(doc))
            .filter(|doc| doc.get("kind").and_then(Node::as_str) == Some(identity.kind.as_str()))
            .collect();
        let name_of = |doc: &Node| {
            doc.get("metadata")
                .and_then(|m| m.get("name"))
                .and_then(Node::as_str)
                .map(str::to_string)
        };
        let exact = same_kind
            .iter()
            .find(|doc| name_of(doc).as_deref() == Some(identity.name.as_str()));
        let chosen = exact.or_else(|| {
            same_kind
                .iter()
                .filter(|doc| name_of(doc).is_some_and(|n| identity.name.contains(&n)))
                .max_by_key(|doc| name_of(doc).map_or(0, |n| n.len()))
        });
        let chosen = match chosen {
            Some(doc) => Some(*doc),
            None if same_kind.len() == 1 => same_kind.first().copied(),
            None => None,
        };
        chosen.map(|doc| (file.to_path_buf(), doc.clone()))
    }

    /// The last place that wrote this scalar, with its text: the outermost
    /// patch that sets it, else the base.
    fn written_scalar(
        &self,
        chain: &[&Kustomization],
        identity: &Identity,
        base: Option<&(PathBuf, Node)>,
        steps: &[Step],
        value_only: bool,
    ) -> Option<(Place, String)> {
        for (k, patch) in patches_outer_first(chain) {
            if let Some(found) = self.patch_scalar(k, patch, identity, steps, value_only) {
                return Some(found);
            }
        }
        let (file, doc) = base?;
        let node = lookup(doc, steps)?;
        let text = node.as_scalar()?.text.to_string();
        let span = walk(doc, steps, value_only)?;
        Some((
            Place {
                file: file.clone(),
                span,
            },
            text,
        ))
    }

    /// The documents of a patch and the file their spans are in.
    fn patch_documents(&self, k: &Kustomization, patch: &Patch) -> Option<(PathBuf, Arc<Parsed>)> {
        match &patch.body {
            PatchBody::File(written) => {
                let file = k.dir.join(&written.text);
                let parsed = self.file(&file)?;
                Some((file, parsed))
            }
            PatchBody::Inline { span } => {
                let key = k.file.join(format!("#{}", span.start));
                let parsed = self.cached(key, || Some(parse(k.inline_text(*span))))?;
                Some((k.file.clone(), parsed))
            }
        }
    }

    /// The patch's scalar at `steps` for this object, if it sets one.
    fn patch_scalar(
        &self,
        k: &Kustomization,
        patch: &Patch,
        identity: &Identity,
        steps: &[Step],
        value_only: bool,
    ) -> Option<(Place, String)> {
        let (place, text) = self.write(k, patch, identity, steps, value_only)?;
        Some((place, text?))
    }

    /// Where this patch writes the node at `steps`, if it does.
    fn setter(
        &self,
        k: &Kustomization,
        patch: &Patch,
        identity: &Identity,
        steps: &[Step],
        value_only: bool,
    ) -> Option<Place> {
        self.write(k, patch, identity, steps, value_only)
            .map(|(place, _)| place)
    }

    /// Where this patch writes the node at `steps`, if it does, with the
    /// text it writes when that is a scalar.
    fn write(
        &self,
        k: &Kustomization,
        patch: &Patch,
        identity: &Identity,
        steps: &[Step],
        value_only: bool,
    ) -> Option<(Place, Option<String>)> {
        let (file, parsed) = self.patch_documents(k, patch)?;
        for doc in parsed.documents.iter().rev() {
            match doc.as_seq() {
                Some(ops) => {
                    if !targets(patch.target.as_ref(), None, identity) {
                        continue;
                    }
                    for op in ops.iter().rev() {
                        if let Some((span, text)) = op_sets(op, steps, value_only) {
                            return Some((Place { file, span }, text));
                        }
                    }
                }
                None => {
                    if !targets(patch.target.as_ref(), Some(doc), identity) {
                        continue;
                    }
                    if let Some(node) = lookup(doc, steps) {
                        // `$patch: delete` and `null` remove, they do not set.
                        if node.is_null() || is_delete(node) {
                            continue;
                        }
                        let text = node.as_scalar().map(|s| s.text.to_string());
                        return walk(doc, steps, value_only)
                            .map(|span| (Place { file, span }, text));
                    }
                }
            }
        }
        None
    }

    /// Where this patch removes a node on `steps` below the first `located`
    /// (the part that still exists), if it does.
    fn removal(
        &self,
        k: &Kustomization,
        patch: &Patch,
        identity: &Identity,
        steps: &[Step],
        located: usize,
    ) -> Option<Place> {
        let (file, parsed) = self.patch_documents(k, patch)?;
        for doc in parsed.documents.iter().rev() {
            match doc.as_seq() {
                Some(ops) => {
                    if !targets(patch.target.as_ref(), None, identity) {
                        continue;
                    }
                    for op in ops.iter().rev() {
                        if op.get("op").and_then(Node::as_str) != Some("remove") {
                            continue;
                        }
                        let Some(pointer) = op.get("path").and_then(Node::as_str) else {
                            continue;
                        };
                        let pointer = pointer_segments(pointer);
                        if pointer.len() > located
                            && pointer.len() <= steps.len()
                            && pointer_matches(&pointer, steps)
                        {
                            // The `path:` says what it removes.
                            let span = op
                                .entry("path")
                                .map_or_else(|| first_entry(op), |e| entry_span(&e.key, &e.value));
                            return Some(Place { file, span });
                        }
                    }
                }
                None => {
                    if !targets(patch.target.as_ref(), Some(doc), identity) {
                        continue;
                    }
                    // The first node below the existing part that is null
                    // or says `$patch: delete`.
                    for n in located + 1..=steps.len() {
                        let Some(node) = lookup(doc, &steps[..n]) else {
                            break;
                        };
                        if node.is_null() || is_delete(node) {
                            let span = if is_delete(node) {
                                node.entry("$patch")
                                    .map_or(node.span, |e| e.key.span.to(e.value.span))
                            } else {
                                walk(doc, &steps[..n], false)?
                            };
                            return Some(Place { file, span });
                        }
                    }
                }
            }
        }
        None
    }

    /// A generated object: its generator's entry.
    fn generated(&self, object: &Node, kustomization: &Path, by: &str) -> Option<Place> {
        let dir = kustomization.parent()?.canonicalize().ok()?;
        let k = self.set.by_dir.get(&dir)?;
        let name = Identity::of(object).name;
        let span = if by == "HelmChartInflationGenerator" {
            k.helm_charts.first()?.span
        } else {
            let kind = object.get("kind").and_then(Node::as_str)?;
            k.generators
                .iter()
                .filter(|g| g.kind == kind && name.contains(&g.name))
                .max_by_key(|g| g.name.len())?
                .span
        };
        Some(Place {
            file: k.file.clone(),
            span,
        })
    }
}

/// The map of one build: its documents, where each came from, and the
/// overlay map that places their nodes.
pub struct BuildMap {
    /// The build parsed, which the lint reads too.
    parsed: source::ParsedSource,
    origins: Vec<Origin>,
    overlay: OverlayMap,
}

impl BuildMap {
    /// `parsed`: the build's text parsed ([`source::parse`]).
    pub fn new(
        parsed: source::ParsedSource,
        origins: Vec<Origin>,
        overlay: OverlayMap,
    ) -> BuildMap {
        BuildMap {
            parsed,
            origins,
            overlay,
        }
    }

    pub fn parsed(&self) -> &source::ParsedSource {
        &self.parsed
    }

    /// Where the node a finding points at (`target`, found at `span` of the
    /// built text) is written; the object's `kind:` line when nothing is
    /// certain; `None` for a span outside every object.
    pub fn place(&self, span: Span, target: &Target) -> Option<Place> {
        let documents = &self.parsed.documents;
        let index = documents
            .iter()
            .position(|doc| doc.root.span.start <= span.start && span.start <= doc.root.span.end)?;
        let root = &documents[index].root;
        let origin = self.origins.get(index).unwrap_or(&Origin::Unknown);
        let object = BuiltObject { root, origin };
        let (path, value_only) = match target {
            Target::Field(path) => (path.clone(), false),
            Target::Value(path) => (path.clone(), true),
            Target::Span(span) => (path_at(root, *span).unwrap_or_default(), false),
        };
        self.overlay
            .place(&object, &path, value_only)
            .or_else(|| self.fallback(&object))
    }

    /// The `kind:` line of the object's source file, when it has one.
    fn fallback(&self, object: &BuiltObject<'_>) -> Option<Place> {
        let Origin::File(file) = object.origin else {
            return None;
        };
        let identity = Identity::of(object.root);
        self.overlay
            .base_object(file, &identity)
            .map(|(file, doc)| kind_line(&file, &doc))
    }
}

/// The path of the node of `root` that the engine's locator shows at `span`.
fn path_at(root: &Node, span: Span) -> Option<FieldPath> {
    fn find(node: &Node, span: Span, path: FieldPath) -> Option<FieldPath> {
        match &node.value {
            Value::Map(entries) => entries.iter().find_map(|e| {
                let key = e.key.as_str()?;
                let here = path.key(key.to_string());
                if entry_span(&e.key, &e.value) == span || e.value.span == span {
                    Some(here)
                } else if e.value.span.start <= span.start && span.end <= e.value.span.end {
                    find(&e.value, span, here)
                } else {
                    None
                }
            }),
            Value::Seq(items) => items.iter().enumerate().find_map(|(i, item)| {
                let here = path.index(i);
                if first_entry(item) == span {
                    Some(here)
                } else if item.span.start <= span.start && span.end <= item.span.end {
                    find(item, span, here)
                } else {
                    None
                }
            }),
            Value::Scalar(_) => None,
        }
    }
    find(root, span, FieldPath::root())
}

fn parse(text: String) -> Parsed {
    let documents = source::parse(&text)
        .documents
        .into_iter()
        .map(|d| d.root)
        .collect();
    Parsed { text, documents }
}

/// The objects of a document: itself, or a `kind: List`'s items.
pub(super) fn objects_of(doc: &Node) -> Vec<&Node> {
    match (doc.get("kind").and_then(Node::as_str), doc.get("items")) {
        (Some(kind), Some(items)) if kind.ends_with("List") => {
            items.as_seq().unwrap_or_default().iter().collect()
        }
        _ => vec![doc],
    }
}

/// The patches of a chain, the last applied first: the outermost
/// kustomization's last patch first.
fn patches_outer_first<'k>(chain: &[&'k Kustomization]) -> Vec<(&'k Kustomization, &'k Patch)> {
    chain
        .iter()
        .flat_map(|k| k.patches.iter().rev().map(move |p| (*k, p)))
        .collect()
}

struct Identity {
    kind: String,
    name: String,
    labels: Vec<(String, String)>,
}

impl Identity {
    fn of(object: &Node) -> Identity {
        let metadata = object.get("metadata");
        let text =
            |node: Option<&Node>| node.and_then(Node::as_str).unwrap_or_default().to_string();
        Identity {
            kind: text(object.get("kind")),
            name: text(metadata.and_then(|m| m.get("name"))),
            labels: metadata
                .and_then(|m| m.get("labels"))
                .and_then(Node::as_map)
                .unwrap_or_default()
                .iter()
                .filter_map(|e| Some((e.key.as_str()?.to_string(), e.value.as_str()?.to_string())))
                .collect(),
        }
    }
}

/// Whether a patch applies to the object: its target selector, else (a
/// strategic merge patch) its own kind and name. Names may have gained a
/// prefix or suffix on the way: a name the object's contains counts.
fn targets(selector: Option<&Selector>, patch: Option<&Node>, identity: &Identity) -> bool {
    let name_fits = |name: &str| !name.is_empty() && identity.name.contains(name);
    match selector {
        Some(selector) => {
            let kind = selector.kind.as_deref().is_none_or(|k| k == identity.kind);
            let name = selector
                .name
                .as_deref()
                .is_none_or(|name| name_fits(name) || pattern_fits(name, &identity.name));
            let labels = selector.labels.as_deref().is_none_or(|labels| {
                labels.split(',').all(|pair| match pair.split_once('=') {
                    Some((k, v)) => identity
                        .labels
                        .iter()
                        .any(|(lk, lv)| lk == k.trim() && lv == v.trim()),
                    None => false,
                })
            });
            kind && name && labels
        }
        None => patch.is_some_and(|doc| {
            let kind = doc.get("kind").and_then(Node::as_str);
            let name = doc
                .get("metadata")
                .and_then(|m| m.get("name"))
                .and_then(Node::as_str);
            kind == Some(identity.kind.as_str()) && name.is_some_and(name_fits)
        }),
    }
}

/// A target selector's name is a regular expression to kustomize (`web-.*`);
/// as for plain names, a match anywhere in the object's name counts, since a
/// prefix or suffix may have been added. A pattern that does not compile
/// matches nothing, as kustomize refuses it.
fn pattern_fits(pattern: &str, name: &str) -> bool {
    pattern.contains(|c: char| "*+?[](){}|^$\\".contains(c))
        && regex::Regex::new(&format!("(?:{pattern})")).is_ok_and(|re| re.is_match(name))
}

fn is_delete(node: &Node) -> bool {
    node.get("$patch").and_then(Node::as_str) == Some("delete")
}

/// The steps of `path` in the built object.
fn steps(root: &Node, path: &FieldPath) -> Vec<Step> {
    let mut node = Some(root);
    path.segments()
        .iter()
        .map(|segment| match segment {
            Segment::Key(key) => {
                node = node.and_then(|n| n.get(key));
                Step::Key(key.to_string())
            }
            Segment::Index(index) => {
                let item = node
                    .and_then(Node::as_seq)
                    .and_then(|items| items.get(*index));
                node = item;
                Step::Item {
                    index: *index,
                    merge_key: item.and_then(merge_key),
                }
            }
        })
        .collect()
}

fn merge_key(item: &Node) -> Option<(&'static str, String)> {
    MERGE_KEYS.iter().find_map(|&key| {
        let value = item.get(key)?.as_scalar()?;
        Some((key, value.text.to_string()))
    })
}

fn item<'n>(
    items: &'n [Node],
    index: usize,
    merge_key: &Option<(&'static str, String)>,
) -> Option<&'n Node> {
    match merge_key {
        Some((key, value)) => items.iter().find(|item| {
            item.get(key)
                .and_then(Node::as_scalar)
                .is_some_and(|s| *s.text == **value)
        }),
        None => items.get(index),
    }
}

fn lookup<'n>(root: &'n Node, steps: &[Step]) -> Option<&'n Node> {
    steps.iter().try_fold(root, |node, step| match step {
        Step::Key(key) => node.get(key),
        Step::Item { index, merge_key } => item(node.as_seq()?, *index, merge_key),
    })
}

/// The span a user edits for the node at `steps`, as the engine's locator
/// shows it: `key: value` for a scalar, the key for a block, a list item
/// by its `name:` entry.
fn walk(root: &Node, steps: &[Step], value_only: bool) -> Option<Span> {
    let mut node = root;
    let mut span = root.span;
    for step in steps {
        match step {
            Step::Key(key) => {
                let entry = node.entry(key)?;
                span = if value_only {
                    entry.value.span
                } else {
                    entry_span(&entry.key, &entry.value)
                };
                node = &entry.value;
            }
            Step::Item { index, merge_key } => {
                node = item(node.as_seq()?, *index, merge_key)?;
                span = first_entry(node);
            }
        }
    }
    Some(span)
}

fn entry_span(key: &Node, value: &Node) -> Span {
    match value.value {
        Value::Scalar(_) if !value.span.range().is_empty() => key.span.to(value.span),
        _ => key.span,
    }
}

/// A list item by its `name:` entry, else its first entry.
fn first_entry(item: &Node) -> Span {
    match item
        .entry("name")
        .or_else(|| item.as_map().and_then(|entries| entries.first()))
    {
        Some(entry) => entry_span(&entry.key, &entry.value),
        None => item.span,
    }
}

/// The `kind:` line of a source object.
fn kind_line(file: &Path, doc: &Node) -> Place {
    let span = doc
        .entry("kind")
        .map_or(doc.span, |e| entry_span(&e.key, &e.value));
    Place {
        file: file.to_path_buf(),
        span,
    }
}

/// A JSON pointer's segments, unescaped.
fn pointer_segments(pointer: &str) -> Vec<String> {
    pointer
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect()
}

fn pointer_matches(pointer: &[String], steps: &[Step]) -> bool {
    pointer.iter().zip(steps).all(|(segment, step)| match step {
        Step::Key(key) => segment == key,
        Step::Item { index, .. } => segment == "-" || segment.parse::<usize>() == Ok(*index),
    })
}

/// Where a JSON 6902 `add` or `replace` writes the node at `steps`, and
/// the text when it is a scalar.
fn op_sets(op: &Node, steps: &[Step], value_only: bool) -> Option<(Span, Option<String>)> {
    if !matches!(op.get("op").and_then(Node::as_str), Some("add" | "replace")) {
        return None;
    }
    let pointer = pointer_segments(op.get("path")?.as_str()?);
    if pointer.len() > steps.len() || !pointer_matches(&pointer, steps) {
        return None;
    }
    let entry = op.entry("value")?;
    let rest = &steps[pointer.len()..];
    let node = lookup(&entry.value, rest)?;
    let text = node.as_scalar().map(|s| s.text.to_string());
    if rest.is_empty() {
        let span = match &entry.value.value {
            Value::Map(_) => first_entry(&entry.value),
            _ if value_only => entry.value.span,
            _ => entry_span(&entry.key, &entry.value),
        };
        return Some((span, text));
    }
    Some((walk(&entry.value, rest, value_only)?, text))
}

/// The `images:` entry that changed an image: the outermost one naming the
/// written image, else the built one; its `newTag:` (or `digest:`, or
/// `newName:`) for the part that differs.
/// Unless `changed`, only an entry that sets the tag or digest counts.
fn image_entry(
    chain: &[&Kustomization],
    written: Option<&str>,
    built: &str,
    changed: bool,
) -> Option<Place> {
    let names: Vec<&str> = written.into_iter().chain([built]).map(image_name).collect();
    chain.iter().find_map(|k| {
        let entry = k.images.iter().find(|i| {
            names.contains(&i.name.as_str())
                && (changed || i.new_tag.is_some() || i.digest.is_some())
        })?;
        let (_, built_tag) = split_image(built);
        let written_tag = written.map(|w| split_image(w).1);
        let span = match (&entry.new_tag, &entry.digest, &entry.new_name) {
            (Some(tag), _, _) if !changed || Some(built_tag) != written_tag => tag.span,
            (_, Some(digest), _) if built.contains('@') => digest.span,
            (_, _, Some(name)) => name.span,
            (Some(tag), _, _) => tag.span,
            _ => entry.span,
        };
        Some(Place {
            file: k.file.clone(),
            span: key_value(&k.text, span),
        })
    })
}

/// A value's span widened to its `key: ` on the same line.
fn key_value(text: &str, span: Span) -> Span {
    let line_start = text[..span.start as usize].rfind('\n').map_or(0, |n| n + 1);
    let before = &text[line_start..span.start as usize];
    let key_at = before.len() - before.trim_start_matches([' ', '-']).len();
    if before.trim_end().ends_with(':') {
        Span::new(line_start + key_at, span.end as usize)
    } else {
        span
    }
}

/// An image reference's repository (`nginx` of `nginx:1.25`).
fn image_name(image: &str) -> &str {
    split_image(image).0
}

/// Repository and tag-or-digest of an image reference.
fn split_image(image: &str) -> (&str, &str) {
    let without_digest = image.split('@').next().unwrap_or(image);
    let last_slash = without_digest.rfind('/').map_or(0, |n| n + 1);
    match without_digest[last_slash..].rfind(':') {
        Some(colon) => {
            let at = last_slash + colon;
            (&image[..at], &image[at + 1..])
        }
        None => (
            without_digest,
            image.get(without_digest.len()..).unwrap_or_default(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_image_references() {
        assert_eq!(split_image("nginx:1.25"), ("nginx", "1.25"));
        assert_eq!(
            split_image("localhost:5000/a/b"),
            ("localhost:5000/a/b", "")
        );
        assert_eq!(split_image("r.io/a@sha256:x"), ("r.io/a", "@sha256:x"));
    }

    #[test]
    fn widens_a_value_to_its_key() {
        let text = "images:\n- name: nginx\n  newTag: latest\n";
        let at = text.find("latest").unwrap_or_default();
        let span = key_value(text, Span::new(at, at + 6));
        assert_eq!(&text[span.range()], "newTag: latest");
    }
}

#[cfg(test)]
mod build_tests {
    use super::*;
    use crate::engine::{self, Settings};
    use crate::render::kustomize::{self, Binary};
    use crate::source::{LineIndex, SourceText};

    /// kubectl from PATH or the project's `.tools/bin`; its absence skips
    /// the test, except under `CI=true`.
    fn kubectl() -> Option<Binary> {
        let local = Path::new(env!("CARGO_MANIFEST_DIR")).join(".tools/bin/kubectl");
        let path = if local.is_file() {
            Some(local)
        } else {
            on_path_kubectl()
        };
        if path.is_none() {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "kubectl is needed under CI=true"
            );
            eprintln!("kubectl not found: skipped");
        }
        Some(Binary {
            path: path?,
            kubectl: true,
        })
    }

    fn on_path_kubectl() -> Option<PathBuf> {
        let paths = std::env::var_os("PATH")?;
        std::env::split_paths(&paths)
            .map(|d| d.join("kubectl"))
            .find(|p| p.is_file())
    }

    /// `file:line:col rule` of every finding of a root's build, placed.
    fn placed(case: &str, root: &str) -> Option<Vec<String>> {
        let binary = kubectl()?;
        let base = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/kustomize")
            .join(case);
        let dirs: Vec<PathBuf> = walkdir::WalkDir::new(&base)
            .into_iter()
            .flatten()
            .filter(|e| {
                e.file_type().is_dir() && super::super::kustomization::file_in(e.path()).is_some()
            })
            .map(|e| e.path().to_path_buf())
            .collect();
        let set = Arc::new(Kustomizations::load(&dirs, &[]));
        let root = base.join(root).canonicalize().expect("root");
        let build = kustomize::build(&binary, &root, false).expect("build");
        let map = BuildMap::new(
            crate::source::parse(&build.text),
            build.origins,
            OverlayMap::new(set, root),
        );
        let name: Arc<str> = "built".into();
        let source = SourceText {
            text: build.text.clone(),
            decode_error: None,
        };
        let linted = engine::lint_rendered(
            &name,
            &source,
            Some(map.parsed()),
            &Settings::every_rule(),
            &crate::model::Crds::default(),
        );
        let mut out: Vec<String> = linted
            .findings
            .iter()
            .map(|f| match map.place(f.span, &f.target) {
                Some(place) => {
                    let text = std::fs::read_to_string(&place.file).unwrap_or_default();
                    let at = LineIndex::new(&text).position(place.span.start);
                    let file = place
                        .file
                        .strip_prefix(base.canonicalize().expect("base"))
                        .unwrap_or(&place.file)
                        .display()
                        .to_string();
                    format!("{file}:{}:{} {}", at.line, at.column, f.rule)
                }
                None => format!("unplaced {}", f.rule),
            })
            .collect();
        out.sort();
        Some(out)
    }

    fn check(case: &str, root: &str, expected: &[&str]) {
        let Some(found) = placed(case, root) else {
            return;
        };
        assert_eq!(found, expected, "{case}/{root}");
    }

    #[test]
    fn a_base_field_is_placed_in_the_base_and_a_patched_one_in_its_patch() {
        check(
            "overlays",
            "top",
            &[
                "base/web.yaml:12:7 host-namespace",
                "mid/privileged.yaml:11:11 privileged-container",
                "top/kustomization.yaml:11:7 host-namespace",
            ],
        );
    }

    #[test]
    fn a_removed_field_is_placed_at_the_patch_that_removed_it() {
        check(
            "removals",
            "prod",
            &[
                "prod/kustomization.yaml:11:7 read-only-root-fs-missing",
                "prod/no-memory-limit.yaml:12:13 memory-limit-missing",
                "prod/no-probe.yaml:11:11 liveness-probe-missing",
            ],
        );
    }

    #[test]
    fn an_image_is_placed_at_its_images_entry_and_a_generated_object_at_its_generator() {
        check(
            "images",
            "prod",
            &[
                "base/kustomization.yaml:4:3 unknown-suppression",
                "prod/kustomization.yaml:5:3 image-latest-tag",
            ],
        );
    }

    #[test]
    fn a_root_whose_patch_fixes_the_base_has_no_finding() {
        check(
            "shared",
            "dev",
            &["base/cache.yaml:17:11 memory-limit-missing"],
        );
        check("shared", "prod", &[]);
    }
}

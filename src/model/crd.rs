//! CustomResourceDefinitions (apiextensions.k8s.io/v1) found in the run or
//! in `--crds` folders: each served version's `openAPIV3Schema` is compiled
//! once, and the custom resources of that group and kind are typed against
//! it. What typing finds wrong goes into the object's [`TypingReport`], the
//! same report k8s-openapi typing fills, so that `unknown-field` and
//! `invalid-field` word and place it as they do for built-in kinds.
//!
//! The API server's rules, as far as they can be judged from the manifest:
//! keys a schema node does not declare are unknown unless the node has
//! `x-kubernetes-preserve-unknown-fields` or `additionalProperties`; a
//! `null` is never wrong (it is pruned, or `nullable` allows it); custom
//! resources are read without a Go type, so a plain `80` or `true` is a
//! number or a boolean where a string belongs. Formats, patterns, lengths
//! and bounds are not judged.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::Path;
use std::sync::{Arc, Mutex};

use super::crd_scope::{Places, Reader, Scope};
use super::de::{
    core_bool, describe, is_placeholder, parse_number, yaml11_bool, Expected, Number, TypeError,
    TypingReport, UnknownField,
};
use super::path::{entry_span, item_span};
use crate::source::{Entry, Node, ScalarStyle, Span, Value};

/// A file is parsed for CRDs only when its text holds this.
pub const MARKER: &str = "CustomResourceDefinition";
const API_VERSION: &str = "apiextensions.k8s.io/v1";

/// How many problems one custom resource reports at most.
const MAX_PROBLEMS: usize = 64;

/// The CRDs of a run, shared read-only by the workers; each file sees them
/// from its folder ([`Crds::seen_from`]).
#[derive(Clone, Default)]
pub struct Crds {
    /// Group -> the definitions of that group (several may define one kind).
    by_group: Arc<HashMap<String, Vec<Arc<Definition>>>>,
    /// The files read, so that a file is not read twice.
    files: Arc<Vec<Arc<str>>>,
    /// Where the custom resources being typed are; without it only the
    /// CRDs that type every file do.
    reader: Option<Arc<Reader>>,
    /// The folders resolved by the readers of a run (see
    /// [`Crds::resolving_folders_once`]); `None`: each reader resolves its own.
    places: Option<Arc<Places>>,
}

/// The versions of each CRD compiled so far, by the content of the CRD
/// ([`content_key`]), shared by the workers of the pre-pass: a CRD copied
/// into several folders of the run (a vendored chart, copies of a
/// repository) is compiled once, and its copies share the compiled schemas.
#[derive(Default)]
pub struct Compiled(Mutex<HashMap<u128, Arc<[Version]>>>);

struct Definition {
    kind: String,
    versions: Arc<[Version]>,
    /// The files it types (see [`super::crd_scope`]); `None`: every file.
    scope: Option<Scope>,
}

struct Version {
    name: String,
    served: bool,
    /// `deprecated: true`, with the CRD's warning if it has one.
    deprecated: Option<Option<String>>,
    schema: Option<Schema>,
}

/// What the run's CRDs say of a custom resource's apiVersion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Served {
    /// No CRD for its kind and version, or the version is served.
    Yes,
    /// The CRDs of its kind do not serve its version; these are served.
    No { served: Vec<String> },
    /// Served, and marked deprecated (with the CRD's warning).
    Deprecated { warning: Option<String> },
}

/// A custom resource typed by a CRD of the run.
pub struct Judged {
    pub served: Served,
    pub typing: TypingReport,
}

impl Crds {
    pub fn is_empty(&self) -> bool {
        self.by_group.is_empty()
    }

    /// Whether the CRDs of `file` were read already.
    pub fn covers(&self, file: &str) -> bool {
        self.files.iter().any(|f| &**f == file)
    }

    /// Reads the CRDs of a file's text; they type the files of `scope`
    /// (`None`: every file).
    pub fn add_text(&mut self, file: &Arc<str>, text: &str, scope: Option<&Scope>) {
        self.add_shared(file, text, scope, &Compiled::default());
    }

    /// The same, taking from `compiled` the CRDs compiled already (and
    /// adding the others to it).
    pub fn add_shared(
        &mut self,
        file: &Arc<str>,
        text: &str,
        scope: Option<&Scope>,
        compiled: &Compiled,
    ) {
        Arc::make_mut(&mut self.files).push(file.clone());
        crate::source::parse_each(text, |document| {
            self.add_node(&document.root, scope, compiled)
        });
    }

    /// [`Crds::add_text`] for a text parsed already.
    pub fn add_documents(
        &mut self,
        file: &Arc<str>,
        documents: &[crate::source::Document],
        scope: Option<&Scope>,
    ) {
        Arc::make_mut(&mut self.files).push(file.clone());
        let compiled = Compiled::default();
        for document in documents {
            self.add_node(&document.root, scope, &compiled);
        }
    }

    /// Adds the CRDs and files of `other`, after those of `self`.
    pub fn merge(&mut self, other: Crds) {
        let by_group = Arc::make_mut(&mut self.by_group);
        for (group, definitions) in Arc::unwrap_or_clone(other.by_group) {
            by_group.entry(group).or_default().extend(definitions);
        }
        for file in Arc::unwrap_or_clone(other.files) {
            if !self.covers(&file) {
                Arc::make_mut(&mut self.files).push(file);
            }
        }
    }

    /// The CRDs as the custom resources of folder `dir` see them (those of
    /// a file, or of the renders of a chart or kustomization there).
    pub fn seen_from(&self, dir: &Path) -> Crds {
        let places = self.places.clone().unwrap_or_default();
        Crds {
            reader: Some(Arc::new(Reader::new(dir, places))),
            ..self.clone()
        }
    }

    /// The same CRDs, whose readers (see [`Crds::seen_from`]) share the
    /// folders they resolve: for a `check` run, whose folders do not move
    /// while it runs (the editor's CRDs outlive the folders they see).
    pub fn resolving_folders_once(self) -> Crds {
        Crds {
            places: Some(Arc::default()),
            ..self
        }
    }

    /// Whether `definition` types the custom resources being read.
    fn reaches(&self, definition: &Definition) -> bool {
        match &definition.scope {
            None => true,
            Some(scope) => self.reader.as_ref().is_some_and(|r| r.within(scope)),
        }
    }

    fn add_node(&mut self, node: &Node, scope: Option<&Scope>, compiled: &Compiled) {
        // A `kind: List`, or a top-level list (a JSON array), of objects.
        let items = match node.get("kind").and_then(Node::as_str) {
            Some("List") => node.get("items").and_then(Node::as_seq),
            _ => node.as_seq(),
        };
        if let Some(items) = items {
            for item in items {
                self.add_node(item, scope, compiled);
            }
            return;
        }
        let is_crd = node.get("apiVersion").and_then(Node::as_str) == Some(API_VERSION)
            && node.get("kind").and_then(Node::as_str) == Some(MARKER);
        let spec = node.get("spec").filter(|_| is_crd);
        let group = spec.and_then(|s| s.get("group")).and_then(Node::as_str);
        let kind = spec
            .and_then(|s| s.get("names"))
            .and_then(|n| n.get("kind"))
            .and_then(Node::as_str);
        let (Some(spec), Some(group), Some(kind)) = (spec, group, kind) else {
            return;
        };
        let key = content_key(node);
        let known = compiled
            .0
            .lock()
            .ok()
            .and_then(|known| known.get(&key).cloned());
        let versions = match known {
            Some(versions) => versions,
            None => {
                let versions = Self::compile(spec);
                if let Ok(mut known) = compiled.0.lock() {
                    known.insert(key, versions.clone());
                }
                versions
            }
        };
        // A CRD without versions is not valid apiextensions.k8s.io/v1 (a
        // v1beta1 `version:` under a v1 header): the API server refuses it.
        if versions.is_empty() {
            return;
        }
        Arc::make_mut(&mut self.by_group)
            .entry(group.to_string())
            .or_default()
            .push(Arc::new(Definition {
                kind: kind.to_string(),
                versions,
                scope: scope.cloned(),
            }));
    }

    /// The versions of a CRD's spec that the API server would accept.
    fn compile(spec: &Node) -> Arc<[Version]> {
        spec.get("versions")
            .and_then(Node::as_seq)
            .into_iter()
            .flatten()
            .filter_map(|version| {
                let name = version.get("name")?.as_str()?;
                // The API server refuses a CRD whose version is not a DNS label.
                let label = name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
                if !label {
                    return None;
                }
                Some(Version {
                    name: name.to_string(),
                    served: version.get("served").and_then(Node::as_str) == Some("true"),
                    deprecated: (version.get("deprecated").and_then(Node::as_str) == Some("true"))
                        .then(|| {
                            version
                                .get("deprecationWarning")
                                .and_then(Node::as_str)
                                .map(str::to_string)
                        }),
                    schema: version
                        .get("schema")
                        .and_then(|s| s.get("openAPIV3Schema"))
                        .and_then(Schema::compile),
                })
            })
            .collect()
    }

    /// Types a custom resource against the CRDs of its kind; `None` when
    /// the run has none. Of several CRDs of one kind, the one it fits best
    /// decides. `partial`: a patch, whose required fields its base has.
    pub fn judge(
        &self,
        api_version: &str,
        kind: &str,
        node: &Node,
        partial: bool,
    ) -> Option<Judged> {
        let (group, version) = api_version.split_once('/')?;
        let definitions: Vec<&Definition> = self
            .by_group
            .get(group)?
            .iter()
            .filter(|d| d.kind == kind && self.reaches(d))
            .map(Arc::as_ref)
            .collect();
        if definitions.is_empty() {
            return None;
        }
        let serving: Vec<&Version> = definitions
            .iter()
            .flat_map(|d| d.versions.iter())
            .filter(|v| v.served && v.name == version)
            .collect();
        if serving.is_empty() {
            let mut served: Vec<String> = definitions
                .iter()
                .flat_map(|d| d.versions.iter())
                .filter(|v| v.served)
                .map(|v| v.name.clone())
                .collect();
            served.sort();
            served.dedup();
            return Some(Judged {
                served: Served::No { served },
                typing: TypingReport::default(),
            });
        }
        let served = match serving.iter().find_map(|v| v.deprecated.clone()) {
            Some(warning) if serving.iter().all(|v| v.deprecated.is_some()) => {
                Served::Deprecated { warning }
            }
            _ => Served::Yes,
        };
        // Objects are anchored at their `kind:` line for missing fields.
        let root_anchor = node
            .entry("kind")
            .map_or(node.span, |e| entry_span(&e.key, &e.value));
        let typing = serving
            .iter()
            .filter_map(|v| v.schema.as_ref())
            .map(|schema| {
                let mut typer = Typer {
                    kind,
                    partial,
                    report: TypingReport::default(),
                };
                typer.value(schema.root(), node, &Trail::Root, root_anchor);
                typer.report
            })
            .min_by_key(|r| r.unknown_fields.len() + r.type_errors.len())
            .unwrap_or_default();
        Some(Judged { served, typing })
    }
}

/// A 128-bit hash of a node's content (its keys, scalars and their
/// styles and tags; not its place): two CRDs with the same key compile to
/// the same versions.
fn content_key(node: &Node) -> u128 {
    fn feed(node: &Node, hasher: &mut impl Hasher) {
        match &node.value {
            Value::Scalar(scalar) => {
                0u8.hash(hasher);
                scalar.text.hash(hasher);
                (scalar.style as u8).hash(hasher);
                scalar.tag.hash(hasher);
            }
            Value::Seq(items) => {
                1u8.hash(hasher);
                items.len().hash(hasher);
                items.iter().for_each(|item| feed(item, hasher));
            }
            Value::Map(entries) => {
                2u8.hash(hasher);
                entries.len().hash(hasher);
                for entry in entries {
                    feed(&entry.key, hasher);
                    feed(&entry.value, hasher);
                }
            }
        }
    }
    let half = |seed: u8| {
        let mut hasher = std::hash::DefaultHasher::new();
        seed.hash(&mut hasher);
        feed(node, &mut hasher);
        u128::from(hasher.finish())
    };
    half(0) << 64 | half(1)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
enum Type {
    #[default]
    Unspecified,
    Object,
    Array,
    String,
    Integer,
    Number,
    Boolean,
}

impl Type {
    fn expected(self) -> &'static str {
        match self {
            Type::Unspecified => "a value",
            Type::Object => "a mapping",
            Type::Array => "a list",
            Type::String => "a string",
            Type::Integer => "an integer",
            Type::Number => "a number",
            Type::Boolean => "true or false",
        }
    }
}

/// Where the map values of a schema node come from.
#[derive(Clone, Copy)]
enum Additional {
    /// Only the declared properties.
    None,
    /// `additionalProperties: true`: any key, any value.
    Any,
    /// Every key, with values of the schema node at this index.
    Schema(u32),
}

/// A run of entries in one of [`Schema`]'s lists.
#[derive(Clone, Copy)]
struct Run {
    start: u32,
    len: u32,
}

impl Run {
    fn range(self) -> std::ops::Range<usize> {
        self.start as usize..(self.start + self.len) as usize
    }
}

/// A text in [`Schema::text`].
#[derive(Clone, Copy)]
struct Word {
    start: u32,
    len: u32,
}

/// One compiled node of an `openAPIV3Schema`; its lists and texts are in
/// the [`Schema`] that holds it.
struct SchemaNode {
    kind: Type,
    preserve_unknown: bool,
    int_or_string: bool,
    /// `x-kubernetes-embedded-resource`: apiVersion, kind and metadata are implied.
    embedded: bool,
    additional: Additional,
    items: Option<u32>,
    /// Its properties in [`Schema::properties`], in the order written.
    properties: Run,
    /// The required keys, in [`Schema::words`].
    required: Run,
    /// The allowed values as written, in [`Schema::words`] (none: any).
    allowed: Run,
}

/// A compiled `openAPIV3Schema`: every node in one list, their properties
/// and words in two more, every text in one string. A CRD's schema has
/// thousands of nodes, kept for the whole run; a block for each node, name
/// and value made the schemas the largest data of a run (about 100,000
/// blocks for the corpus's CRDs).
struct Schema {
    nodes: Vec<SchemaNode>,
    /// (name, node) of each property.
    properties: Vec<(Word, u32)>,
    words: Vec<Word>,
    text: String,
    root: u32,
}

impl Schema {
    fn compile(node: &Node) -> Option<Schema> {
        let mut schema = Schema {
            nodes: Vec::new(),
            properties: Vec::new(),
            words: Vec::new(),
            text: String::new(),
            root: 0,
        };
        schema.root = schema.add(node)?;
        schema.nodes.shrink_to_fit();
        schema.properties.shrink_to_fit();
        schema.words.shrink_to_fit();
        schema.text.shrink_to_fit();
        Some(schema)
    }

    /// Compiles `node` and what is under it; its index (`None` past the
    /// 4 GiB a `u32` counts, which no input of the 3 MiB limit reaches).
    fn add(&mut self, node: &Node) -> Option<u32> {
        let flag = |key: &str| node.get(key).and_then(Node::as_str) == Some("true");
        let kind = match node.get("type").and_then(Node::as_str) {
            Some("object") => Type::Object,
            Some("array") => Type::Array,
            Some("string") => Type::String,
            Some("integer") => Type::Integer,
            Some("number") => Type::Number,
            Some("boolean") => Type::Boolean,
            _ => Type::Unspecified,
        };
        // Children first: a node's properties are one run of the list.
        let mut properties = Vec::new();
        for entry in node
            .get("properties")
            .and_then(Node::as_map)
            .into_iter()
            .flatten()
        {
            if let Some(name) = entry.key.as_str() {
                let child = self.add(&entry.value)?;
                properties.push((self.word(name)?, child));
            }
        }
        let additional = match node.get("additionalProperties") {
            Some(value) if value.as_map().is_some() => Additional::Schema(self.add(value)?),
            Some(value) if value.as_str() == Some("true") => Additional::Any,
            _ => Additional::None,
        };
        let items = match node.get("items") {
            Some(items) => Some(self.add(items)?),
            None => None,
        };
        let properties = Self::run(&mut self.properties, properties)?;
        let required = self.words_of(node, "required")?;
        let allowed = self.words_of(node, "enum")?;
        self.nodes.push(SchemaNode {
            kind,
            preserve_unknown: flag("x-kubernetes-preserve-unknown-fields"),
            int_or_string: flag("x-kubernetes-int-or-string"),
            embedded: flag("x-kubernetes-embedded-resource"),
            additional,
            items,
            properties,
            required,
            allowed,
        });
        u32::try_from(self.nodes.len() - 1).ok()
    }

    fn word(&mut self, text: &str) -> Option<Word> {
        let start = u32::try_from(self.text.len()).ok()?;
        let len = u32::try_from(text.len()).ok()?;
        start.checked_add(len)?;
        self.text.push_str(text);
        Some(Word { start, len })
    }

    /// The scalars of the list at `key`, as a run of [`Schema::words`].
    fn words_of(&mut self, node: &Node, key: &str) -> Option<Run> {
        let mut words = Vec::new();
        for item in node.get(key).and_then(Node::as_seq).into_iter().flatten() {
            if let Some(scalar) = item.as_scalar() {
                words.push(self.word(&scalar.text)?);
            }
        }
        Self::run(&mut self.words, words)
    }

    fn run<T>(list: &mut Vec<T>, entries: Vec<T>) -> Option<Run> {
        let start = u32::try_from(list.len()).ok()?;
        let len = u32::try_from(entries.len()).ok()?;
        start.checked_add(len)?;
        list.extend(entries);
        Some(Run { start, len })
    }

    fn root(&self) -> SchemaAt<'_> {
        self.at(self.root)
    }

    fn at(&self, index: u32) -> SchemaAt<'_> {
        SchemaAt {
            schema: self,
            node: &self.nodes[index as usize],
        }
    }

    fn text(&self, word: Word) -> &str {
        &self.text[word.start as usize..(word.start + word.len) as usize]
    }
}

/// A node of a [`Schema`], as typing reads it.
#[derive(Clone, Copy)]
struct SchemaAt<'s> {
    schema: &'s Schema,
    node: &'s SchemaNode,
}

impl<'s> SchemaAt<'s> {
    fn properties(self) -> impl Iterator<Item = (&'s str, u32)> {
        let schema = self.schema;
        schema.properties[self.node.properties.range()]
            .iter()
            .map(move |&(name, node)| (schema.text(name), node))
    }

    fn property(self, key: &str) -> Option<SchemaAt<'s>> {
        self.properties()
            .find(|&(name, _)| name == key)
            .map(|(_, node)| self.schema.at(node))
    }

    /// The property names, for "did you mean".
    fn names(self) -> Arc<[String]> {
        self.properties()
            .map(|(name, _)| name.to_string())
            .collect()
    }

    fn items(self) -> Option<SchemaAt<'s>> {
        self.node.items.map(|node| self.schema.at(node))
    }

    fn words(self, run: Run) -> impl Iterator<Item = &'s str> {
        let schema = self.schema;
        schema.words[run.range()]
            .iter()
            .map(move |&w| schema.text(w))
    }

    fn required(self) -> impl Iterator<Item = &'s str> {
        self.words(self.node.required)
    }

    fn allowed(self) -> impl Iterator<Item = &'s str> {
        self.words(self.node.allowed)
    }

    /// Whether a key it does not declare is unknown: an object node that
    /// keeps no unknown fields (a node without a type or properties is
    /// not structural, and judged by nothing).
    fn closed(self) -> bool {
        !self.node.preserve_unknown
            && (self.node.kind == Type::Object || self.node.properties.len > 0)
    }
}

/// The path to a schema node, for messages (`spec.template[]`).
enum Trail<'a> {
    Root,
    Key(&'a Trail<'a>, &'a str),
    Item(&'a Trail<'a>),
}

impl Trail<'_> {
    fn render(&self, out: &mut String) {
        match self {
            Trail::Root => {}
            Trail::Key(parent, key) => {
                parent.render(out);
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Trail::Item(parent) => {
                parent.render(out);
                out.push_str("[]");
            }
        }
    }
}

struct Typer<'k> {
    kind: &'k str,
    partial: bool,
    report: TypingReport,
}

impl Typer<'_> {
    fn full(&self) -> bool {
        self.report.unknown_fields.len() + self.report.type_errors.len() >= MAX_PROBLEMS
    }

    fn error(&mut self, span: Span, message: String, placeholder: bool, help: Option<String>) {
        self.report.type_errors.push(TypeError {
            span,
            message,
            placeholder,
            help,
        });
    }

    /// The name of a schema node in messages: `Rollout spec.strategy`.
    fn name(&self, trail: &Trail<'_>) -> String {
        let mut path = String::new();
        trail.render(&mut path);
        if path.is_empty() {
            self.kind.to_string()
        } else {
            format!("{} {path}", self.kind)
        }
    }

    /// `anchor`: where a missing field of this node is reported (its key,
    /// its list item's `name:`, the object's `kind:` line).
    fn value(&mut self, schema: SchemaAt<'_>, node: &Node, trail: &Trail<'_>, anchor: Span) {
        if node.is_null() || self.full() {
            return;
        }
        if schema.node.int_or_string {
            if node.as_scalar().is_none() {
                self.wrong(node, "an integer or a string");
            }
            return;
        }
        match (&node.value, schema.node.kind) {
            (Value::Map(entries), Type::Object | Type::Unspecified) => {
                self.fields(schema, entries, trail, anchor)
            }
            (Value::Seq(items), Type::Array | Type::Unspecified) => {
                if let Some(item_schema) = schema.items() {
                    for item in items {
                        self.value(item_schema, item, &Trail::Item(trail), item_span(item));
                    }
                }
            }
            (Value::Scalar(_), Type::Unspecified) => self.allowed(schema, node),
            (Value::Scalar(scalar), expected)
                if expected != Type::Object && expected != Type::Array =>
            {
                if fits(scalar, expected) {
                    self.allowed(schema, node);
                } else {
                    self.wrong(node, expected.expected());
                }
            }
            (_, expected) => self.wrong(node, expected.expected()),
        }
    }

    fn wrong(&mut self, node: &Node, expected: &str) {
        let placeholder = node.as_str().is_some_and(is_placeholder);
        let quoted = matches!(expected, "a string")
            && node
                .as_scalar()
                .is_some_and(|s| s.style == ScalarStyle::Plain);
        let help = quoted.then(|| {
            "custom resources are read without their Go types: quote the value to keep it a string"
                .to_string()
        });
        self.error(
            node.span,
            format!("expected {expected}, found {}", describe(node)),
            placeholder,
            help,
        );
    }

    fn allowed(&mut self, schema: SchemaAt<'_>, node: &Node) {
        let Some(scalar) = node.as_scalar() else {
            return;
        };
        if schema.node.allowed.len == 0 || is_placeholder(&scalar.text) {
            return;
        }
        let same_number = |written: &str| match (parse_number(&scalar.text), parse_number(written))
        {
            (Some(a), Some(b)) => as_f64(a) == as_f64(b),
            _ => false,
        };
        let allowed = schema
            .allowed()
            .any(|written| *written == *scalar.text || same_number(written));
        if !allowed {
            let values: Vec<String> = schema.allowed().map(|v| format!("`{v}`")).collect();
            self.error(
                node.span,
                format!("{} is not one of {}", describe(node), values.join(", ")),
                false,
                Some("the CRD's schema allows only these values (enum)".to_string()),
            );
        }
    }

    fn fields(&mut self, schema: SchemaAt<'_>, entries: &[Entry], trail: &Trail<'_>, anchor: Span) {
        let root = matches!(trail, Trail::Root);
        for entry in entries {
            if self.full() {
                return;
            }
            let Some(key) = entry.key.as_str() else {
                continue;
            };
            // The object's header is the API server's, not the schema's.
            let implied =
                (root || schema.node.embedded) && matches!(key, "apiVersion" | "kind" | "metadata");
            if implied {
                continue;
            }
            let field_anchor = entry_span(&entry.key, &entry.value);
            if let Some(property) = schema.property(key) {
                self.value(
                    property,
                    &entry.value,
                    &Trail::Key(trail, key),
                    field_anchor,
                );
                continue;
            }
            match schema.node.additional {
                Additional::Schema(values) => self.value(
                    schema.schema.at(values),
                    &entry.value,
                    &Trail::Key(trail, key),
                    field_anchor,
                ),
                Additional::Any => {}
                // `creationTimestamp: null` in generated output: a null is
                // pruned and changes nothing.
                Additional::None if !schema.closed() || entry.value.is_null() => {}
                Additional::None => self.report.unknown_fields.push(UnknownField {
                    key: key.to_string(),
                    span: entry.key.span,
                    parent: Cow::Owned(self.name(trail)),
                    expected: Expected::Properties(schema.names()),
                    value_is_null: entry.value.is_null(),
                }),
            }
        }
        if self.partial {
            return;
        }
        for required in schema.required() {
            let present = entries.iter().any(|e| e.key.as_str() == Some(required));
            if !present && !self.full() {
                let message = format!("{} has no `{required}`", self.name(trail));
                self.error(
                    anchor,
                    message,
                    false,
                    Some(format!("the CRD's schema requires `{required}` here")),
                );
            }
        }
    }
}

/// `80`, `-1.5`, `1e3`: a number in YAML 1.1 and 1.2 alike.
fn decimal_number(text: &str) -> bool {
    text.bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'+' | b'-' | b'e' | b'E'))
        && parse_number(text).is_some()
}

fn as_f64(number: Number) -> f64 {
    match number {
        Number::Int(v) => v as f64,
        Number::Uint(v) => v as f64,
        Number::Float(v) => v,
    }
}

/// Whether a scalar is of a JSON type, as kubectl's YAML reader (YAML 1.1,
/// no Go type to guide it) makes it.
fn fits(scalar: &crate::source::Scalar, expected: Type) -> bool {
    let plain = scalar.style == ScalarStyle::Plain && scalar.tag.is_none();
    let text = &*scalar.text;
    // A `${VAR}` placeholder is filled in before apply.
    if is_placeholder(text) {
        return true;
    }
    match expected {
        // A plain scalar that every YAML reader takes for a number or a
        // boolean is not a string (`80`, `1.20`, `true`); the forms only
        // some read so (`yes`, `0x1F`, `1_000`) are given the benefit.
        Type::String => !plain || (core_bool(text).is_none() && !decimal_number(text)),
        Type::Integer => {
            plain
                && match parse_number(text) {
                    Some(Number::Int(_) | Number::Uint(_)) => true,
                    Some(Number::Float(v)) => v.is_finite() && v.fract() == 0.0,
                    None => false,
                }
        }
        Type::Number => plain && parse_number(text).is_some(),
        Type::Boolean => plain && (core_bool(text).is_some() || yaml11_bool(text)),
        Type::Object | Type::Array | Type::Unspecified => true,
    }
}

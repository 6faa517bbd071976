//! Where each object of a kustomize build came from, told from the
//! kustomization tree instead of kustomize's origin annotations: asking
//! kustomize for them makes it several times slower on trees with many
//! patches, so a root is built with them only when this cannot tell.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::kustomization::Kustomizations;
use super::kustomize::Origin;
use super::overlay_map::objects_of;
use crate::source::{self, Node};

/// An object written in the tree: a resource file's, or a generator's.
struct Written {
    kind: String,
    name: String,
    generated: bool,
    origin: Origin,
}

impl Written {
    /// Whether a built object of this kind named `built` can be this one.
    /// `renamed`: a `namePrefix` or `nameSuffix` of the tree may have
    /// changed names, so a name that holds the written one counts.
    fn fits(&self, kind: &str, built: &str, renamed: bool) -> bool {
        if self.kind != kind {
            return false;
        }
        if renamed {
            return built.contains(&self.name);
        }
        // A generator's name gains a hash suffix (`-` and 10 characters).
        built == self.name
            || self.generated
                && built
                    .strip_prefix(&self.name)
                    .and_then(|rest| rest.strip_prefix('-'))
                    .is_some_and(|hash| {
                        hash.len() == 10 && hash.bytes().all(|b| b.is_ascii_alphanumeric())
                    })
    }
}

/// The objects written in a root's tree, when they can tell the origins
/// of its build: not with a remote base, a chart or a plugin.
pub struct Candidates {
    written: Vec<Written>,
    renamed: bool,
}

/// The kind and name of each object of a file.
type Objects = Arc<Vec<(String, String)>>;

/// The objects of each resource file read so far, shared by the roots of a
/// run: their trees share bases.
#[derive(Default)]
pub struct WrittenObjects {
    by_file: Mutex<HashMap<PathBuf, Option<Objects>>>,
}

impl WrittenObjects {
    fn of(&self, file: &Path) -> Option<Objects> {
        // A poisoned lock only means another root's reading panicked: its entries are whole.
        let mut files = self.by_file.lock().unwrap_or_else(|e| e.into_inner());
        files
            .entry(file.to_path_buf())
            .or_insert_with(|| {
                let text = source::decode(std::fs::read(file).ok()?).text;
                let mut objects = Vec::new();
                for document in source::parse(&text).documents {
                    for object in objects_of(&document.root) {
                        if let Some((kind, name)) = kind_and_name(object) {
                            objects.push((kind.to_string(), name.to_string()));
                        }
                    }
                }
                Some(Arc::new(objects))
            })
            .clone()
    }
}

impl Candidates {
    pub fn of(set: &Kustomizations, root: &Path, read: &WrittenObjects) -> Option<Candidates> {
        let tree = set.local_tree(root)?;
        if tree
            .iter()
            .any(|(k, _)| k.plugins || !k.helm_charts.is_empty())
        {
            return None;
        }
        let mut written = Vec::new();
        let mut seen = BTreeSet::new();
        for (k, files) in &tree {
            for file in files {
                if !seen.insert(file.clone()) {
                    continue;
                }
                for (kind, name) in read.of(file)?.iter() {
                    written.push(Written {
                        kind: kind.clone(),
                        name: name.clone(),
                        generated: false,
                        origin: Origin::File(file.clone()),
                    });
                }
            }
            let kustomization = k.file.canonicalize().ok()?;
            written.extend(k.generators.iter().map(|g| Written {
                kind: g.kind.to_string(),
                name: g.name.clone(),
                generated: true,
                origin: Origin::Generated {
                    kustomization: kustomization.clone(),
                    by: format!("{}Generator", g.kind),
                },
            }));
        }
        Some(Candidates {
            written,
            renamed: tree.iter().any(|(k, _)| k.renames),
        })
    }

    /// The origin of each document of `documents` (the root's build
    /// without annotations, parsed), in order; `None` unless each object
    /// has exactly one possible origin (two built objects of one kind and
    /// name, or one that no written object matches, leave it to
    /// kustomize's annotations).
    pub fn origins(&self, documents: &[source::Document]) -> Option<Vec<Origin>> {
        let mut built_ids = BTreeSet::new();
        let mut origins = Vec::with_capacity(documents.len());
        for document in documents {
            let (kind, name) = kind_and_name(&document.root)?;
            if !built_ids.insert((kind, name)) {
                return None;
            }
            let mut found: Option<&Origin> = None;
            for candidate in self
                .written
                .iter()
                .filter(|w| w.fits(kind, name, self.renamed))
            {
                match found {
                    Some(origin) if *origin != candidate.origin => return None,
                    _ => found = Some(&candidate.origin),
                }
            }
            origins.push(found?.clone());
        }
        Some(origins)
    }
}

fn kind_and_name(object: &Node) -> Option<(&str, &str)> {
    let kind = object.get("kind").and_then(Node::as_str)?;
    let name = object.get("metadata")?.get("name").and_then(Node::as_str)?;
    Some((kind, name))
}

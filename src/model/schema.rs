//! The shape of the k8s-openapi types, learnt by deserializing each root type
//! from a probe that offers every field: which fields a struct has and which
//! struct each field holds. Built once, on the first unknown field, so a
//! clean run never pays for it.

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::OnceLock;

use k8s_openapi::api::core::v1::Pod;
use serde::de::{self, DeserializeOwned, DeserializeSeed, Visitor};

#[derive(Default, Debug)]
pub struct StructShape {
    pub fields: &'static [&'static str],
    /// Field name -> (struct it holds, whether it is a list of them).
    pub children: Vec<(&'static str, &'static str, bool)>,
}

#[derive(Default, Debug)]
pub struct Shapes(HashMap<&'static str, StructShape>);

/// How deep the probe goes: the Pod's containers sit at depth 4.
const PROBE_DEPTH: usize = 12;

impl Shapes {
    pub fn get() -> &'static Shapes {
        static SHAPES: OnceLock<Shapes> = OnceLock::new();
        SHAPES.get_or_init(|| {
            let shapes = RefCell::new(Shapes::default());
            probe::<Pod>(&shapes);
            probe::<k8s_openapi::api::apps::v1::Deployment>(&shapes);
            probe::<k8s_openapi::api::apps::v1::StatefulSet>(&shapes);
            probe::<k8s_openapi::api::batch::v1::CronJob>(&shapes);
            probe::<k8s_openapi::api::core::v1::Service>(&shapes);
            probe::<k8s_openapi::api::networking::v1::Ingress>(&shapes);
            shapes.into_inner()
        })
    }

    /// Where `key` is a field, searching the structs below `root` breadth
    /// first: `name` under `Pod` gives `metadata`, `image` gives
    /// `spec.containers[]`.
    pub fn path_below(&self, root: &str, key: &str) -> Option<String> {
        let mut queue = VecDeque::from([(root, String::new(), 0usize)]);
        while let Some((name, path, depth)) = queue.pop_front() {
            let Some(shape) = self.0.get(name) else {
                continue;
            };
            if !path.is_empty() && shape.fields.contains(&key) {
                return Some(path);
            }
            if depth == 3 {
                continue;
            }
            for (field, child, list) in &shape.children {
                let step = if *list {
                    format!("{field}[]")
                } else {
                    (*field).to_string()
                };
                let child_path = if path.is_empty() {
                    step
                } else {
                    format!("{path}.{step}")
                };
                queue.push_back((child, child_path, depth + 1));
            }
        }
        None
    }
}

fn probe<T: DeserializeOwned>(shapes: &RefCell<Shapes>) {
    // The probe's values are placeholders: whatever the type makes of them
    // (including an error once the fields are seen) does not matter.
    let _ = T::deserialize(Probe {
        shapes,
        depth: 0,
        holder: None,
    });
}

#[derive(Debug)]
struct ProbeError;

impl fmt::Display for ProbeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("probe")
    }
}

impl std::error::Error for ProbeError {}

impl de::Error for ProbeError {
    fn custom<T: fmt::Display>(_: T) -> Self {
        ProbeError
    }
}

#[derive(Clone, Copy)]
struct Probe<'a> {
    shapes: &'a RefCell<Shapes>,
    depth: usize,
    /// The struct and field this value belongs to, and whether it is a list item.
    holder: Option<(&'static str, &'static str, bool)>,
}

impl<'de> de::Deserializer<'de> for Probe<'_> {
    type Error = ProbeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ProbeError> {
        visitor.visit_i64(0)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ProbeError> {
        visitor.visit_bool(false)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ProbeError> {
        visitor.visit_str("")
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ProbeError> {
        visitor.visit_str("")
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ProbeError> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, ProbeError> {
        match name {
            "Time" | "MicroTime" => visitor.visit_newtype_struct(Timestamp),
            _ => visitor.visit_newtype_struct(self),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ProbeError> {
        let item = Probe {
            holder: self.holder.map(|(s, f, _)| (s, f, true)),
            ..self
        };
        visitor.visit_seq(OneItem(Some(item)))
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ProbeError> {
        // Map keys are data, not fields: offer none.
        visitor.visit_map(Fields {
            probe: self,
            fields: [].iter(),
            parent: "",
            current: "",
        })
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ProbeError> {
        let first_visit = {
            let mut shapes = self.shapes.borrow_mut();
            if let Some((parent, field, list)) = self.holder {
                if let Some(shape) = shapes.0.get_mut(parent) {
                    if !shape.children.iter().any(|(f, _, _)| *f == field) {
                        shape.children.push((field, name, list));
                    }
                }
            }
            let first = !shapes.0.contains_key(name);
            if first {
                shapes.0.insert(
                    name,
                    StructShape {
                        fields,
                        children: Vec::new(),
                    },
                );
            }
            first
        };
        let offered: &'static [&'static str] = if first_visit && self.depth < PROBE_DEPTH {
            fields
        } else {
            &[]
        };
        visitor.visit_map(Fields {
            probe: self,
            fields: offered.iter(),
            parent: name,
            current: "",
        })
    }

    serde::forward_to_deserialize_any! {
        i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char bytes byte_buf unit unit_struct
        tuple tuple_struct enum identifier ignored_any
    }
}

struct Timestamp;

impl<'de> de::Deserializer<'de> for Timestamp {
    type Error = ProbeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ProbeError> {
        visitor.visit_str("2000-01-01T00:00:00Z")
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum
        identifier ignored_any
    }
}

struct OneItem<'a>(Option<Probe<'a>>);

impl<'de> de::SeqAccess<'de> for OneItem<'_> {
    type Error = ProbeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, ProbeError> {
        match self.0.take() {
            Some(probe) => seed.deserialize(probe).map(Some),
            None => Ok(None),
        }
    }
}

struct Fields<'a> {
    probe: Probe<'a>,
    fields: std::slice::Iter<'static, &'static str>,
    parent: &'static str,
    current: &'static str,
}

impl<'de> de::MapAccess<'de> for Fields<'_> {
    type Error = ProbeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, ProbeError> {
        // apiVersion and kind are checked against the type's own: skip them.
        let Some(field) = self
            .fields
            .by_ref()
            .find(|f| !matches!(**f, "apiVersion" | "kind"))
        else {
            return Ok(None);
        };
        self.current = field;
        seed.deserialize(de::value::BorrowedStrDeserializer::new(field))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, ProbeError> {
        seed.deserialize(Probe {
            shapes: self.probe.shapes,
            depth: self.probe.depth + 1,
            holder: Some((self.parent, self.current, false)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Shapes;

    #[test]
    fn finds_where_a_flattened_key_belongs() {
        let shapes = Shapes::get();
        assert_eq!(
            shapes.path_below("Pod", "name").as_deref(),
            Some("metadata")
        );
        assert_eq!(
            shapes.path_below("Pod", "labels").as_deref(),
            Some("metadata")
        );
        assert_eq!(
            shapes.path_below("Pod", "containers").as_deref(),
            Some("spec")
        );
        assert_eq!(
            shapes.path_below("Pod", "image").as_deref(),
            Some("spec.containers[]")
        );
        assert_eq!(shapes.path_below("Pod", "cargo"), None);
    }
}

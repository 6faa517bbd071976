//! A YAML node as a CEL value, as the API server would present the object:
//! plain scalars resolved by the YAML core schema (`3` is an int, `true` a
//! bool, `~` null), quoted and block scalars as strings. Strings borrow the
//! tree's text rather than copy it.

use std::collections::HashMap;

use cel::common::types::{
    CelBool, CelDouble, CelInt, CelList, CelMap, CelMapKey, CelNull, CelString, CelUInt,
};
use cel::common::value::Val;

use crate::model::de::{core_bool, parse_number, Number};
use crate::source::{Node, ScalarStyle, Value};

pub fn from_node(node: &Node) -> Box<dyn Val + '_> {
    match &node.value {
        Value::Map(entries) => {
            let map: HashMap<CelMapKey<'_>, Box<dyn Val + '_>> = entries
                .iter()
                .map(|entry| {
                    let key = entry.key.as_scalar().map_or("", |scalar| &*scalar.text);
                    (CelMapKey::from(key), from_node(&entry.value))
                })
                .collect();
            Box::new(CelMap::from(map))
        }
        Value::Seq(items) => Box::new(CelList::from(
            items.iter().map(from_node).collect::<Vec<_>>(),
        )),
        Value::Scalar(scalar) if scalar.style != ScalarStyle::Plain || scalar.tag.is_some() => {
            Box::new(CelString::from(&*scalar.text))
        }
        Value::Scalar(scalar) if scalar.is_null() => Box::new(CelNull),
        Value::Scalar(scalar) => match (core_bool(&scalar.text), parse_number(&scalar.text)) {
            (Some(b), _) => Box::new(CelBool::from(b)),
            (None, Some(Number::Int(i))) => Box::new(CelInt::from(i)),
            (None, Some(Number::Uint(u))) => Box::new(CelUInt::from(u)),
            (None, Some(Number::Float(f))) => Box::new(CelDouble::from(f)),
            (None, None) => Box::new(CelString::from(&*scalar.text)),
        },
    }
}

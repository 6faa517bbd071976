//! A `serde::Deserializer` over the span tree, so that k8s-openapi types are
//! built in one pass and every problem keeps the span of its node.
//!
//! Scalars are resolved by the field they land in, as the API server does: a
//! string field takes the text as written (`on`, `0755` stay strings), an
//! integer field accepts YAML 1.1 octal (`0644`) like Kubernetes' YAML reader,
//! and a YAML 1.1 boolean (`yes`, `off`) where a boolean belongs is an error
//! rather than a guess.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;

use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, Visitor};

use crate::source::{Node, Scalar, ScalarStyle, Span, Value};

/// A key that the typed struct does not have.
#[derive(Debug, Clone)]
pub struct UnknownField {
    pub key: String,
    pub span: Span,
    /// The struct (or CRD schema node) it appeared in and the keys it accepts.
    pub parent: Cow<'static, str>,
    pub expected: Expected,
    /// Written as `key: null`: in a strategic-merge patch, "delete this key".
    pub value_is_null: bool,
}

/// The keys a mapping accepts: a k8s-openapi struct's fields, or the
/// properties of a CRD schema node (compiled once per run).
#[derive(Debug, Clone)]
pub enum Expected {
    Fields(&'static [&'static str]),
    Properties(Arc<[String]>),
}

impl Expected {
    pub fn iter(&self) -> Box<dyn Iterator<Item = &str> + '_> {
        match self {
            Expected::Fields(fields) => Box::new(fields.iter().copied()),
            Expected::Properties(names) => Box::new(names.iter().map(String::as_str)),
        }
    }
}

/// A value that does not fit its field; `span` is the value (or the parent
/// mapping for a missing field).
#[derive(Debug, Clone)]
pub struct TypeError {
    pub span: Span,
    pub message: String,
    /// The value is a `${VAR}` placeholder that a tool fills in before apply.
    pub placeholder: bool,
    /// What to do about it, when the rule's general advice does not fit.
    pub help: Option<String>,
}

#[derive(Debug, Default)]
pub struct TypingReport {
    pub unknown_fields: Vec<UnknownField>,
    pub type_errors: Vec<TypeError>,
}

/// How many bad values typing skips over before giving up on an object.
const MAX_TYPE_ERRORS: usize = 16;

impl TypingReport {
    /// Adds `error`, and says whether typing gives up on the object with
    /// it, as it does at its [`MAX_TYPE_ERRORS`]th (a large Pod's
    /// containers are typed apart, and counted with it).
    pub(super) fn gives_up_with(&mut self, error: TypeError) -> bool {
        self.type_errors.push(error);
        self.type_errors.len() >= MAX_TYPE_ERRORS
    }
}

/// Types `node` as `T`. A value of the wrong type is reported and left out,
/// and typing tries again without it, so one typo does not hide the rest of
/// the object from the rules. `api_version` replaces the written apiVersion,
/// so that objects of removed API versions are still typed with today's schema.
pub fn from_node<T: DeserializeOwned>(
    node: &Node,
    api_version: Option<&'static str>,
) -> (Option<T>, TypingReport) {
    from_node_hollow(node, api_version, &[])
}

/// [`from_node`], reading the lists at `hollow` (spans of sequence nodes)
/// as empty: a large Pod's container lists, typed one container at a time
/// instead (see `crate::model::PodView::containers`).
pub fn from_node_hollow<T: DeserializeOwned>(
    node: &Node,
    api_version: Option<&'static str>,
    hollow: &[Span],
) -> (Option<T>, TypingReport) {
    let cx = Context {
        skipped: RefCell::new(HashSet::new()),
        unknown: RefCell::new(Vec::new()),
        hollow,
    };
    let mut report = TypingReport::default();
    loop {
        cx.unknown.borrow_mut().clear();
        let de = NodeDeserializer {
            node,
            cx: &cx,
            field: None,
            api_version,
        };
        match T::deserialize(de) {
            Ok(value) => {
                report.unknown_fields = cx.unknown.take();
                return (Some(value), report);
            }
            Err(error) => {
                let span = error.span.unwrap_or(node.span);
                report.type_errors.push(TypeError {
                    span,
                    message: error.message,
                    placeholder: error.placeholder,
                    help: None,
                });
                let retry = span != node.span
                    && report.type_errors.len() < MAX_TYPE_ERRORS
                    && cx.skipped.borrow_mut().insert(span);
                if !retry {
                    report.unknown_fields = cx.unknown.take();
                    return (None, report);
                }
            }
        }
    }
}

struct Context<'h> {
    /// Values already reported as wrong, left out of the next attempt.
    skipped: RefCell<HashSet<Span>>,
    unknown: RefCell<Vec<UnknownField>>,
    /// Lists read as empty.
    hollow: &'h [Span],
}

impl Context<'_> {
    fn skips(&self, node: &Node) -> bool {
        self.skipped.borrow().contains(&node.span)
    }

    /// The items of a list as typing reads them.
    fn items<'n>(&self, node: &Node, items: &'n [Node]) -> &'n [Node] {
        if self.hollow.contains(&node.span) {
            &[]
        } else {
            items
        }
    }
}

#[derive(Debug)]
pub struct Error {
    message: String,
    span: Option<Span>,
    placeholder: bool,
}

impl Error {
    fn at(message: impl Into<String>, span: Span) -> Self {
        Error {
            message: message.into(),
            span: Some(span),
            placeholder: false,
        }
    }

    fn located(mut self, span: Span) -> Self {
        self.span.get_or_insert(span);
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error {
            message: own_wording(msg.to_string()),
            span: None,
            placeholder: false,
        }
    }
}

/// serde's words for a value a visitor refuses (`invalid type: floating
/// point `1.5`, expected i32`) in podlint's (`expected an integer, found `1.5``).
fn own_wording(message: String) -> String {
    let Some(rest) = message
        .strip_prefix("invalid type: ")
        .or_else(|| message.strip_prefix("invalid value: "))
    else {
        return message;
    };
    let Some((found, expected)) = rest.rsplit_once(", expected ") else {
        return message;
    };
    let expected = match expected {
        "i8" | "i16" | "i32" | "i64" | "i128" | "u8" | "u16" | "u32" | "u64" | "u128" => {
            "an integer"
        }
        "f32" | "f64" => "a number",
        "a boolean" => "true or false",
        "IntOrString" => "an integer or a string",
        other => other,
    };
    let found = match found {
        "sequence" => "a list",
        "map" => "a mapping",
        "unit value" | "Option value" => "null",
        found => ["floating point ", "integer ", "string ", "boolean "]
            .iter()
            .find_map(|kind| found.strip_prefix(kind))
            .unwrap_or(found),
    };
    format!("expected {expected}, found {found}")
}

/// Whether a scalar reads as YAML's plain scalars do (a number, a boolean):
/// its tag decides over its quoting, so `!!int "80"` is the number 80 and
/// `!!str 81` the string "81".
fn reads_plain(scalar: &Scalar) -> bool {
    match scalar.tag.as_deref() {
        Some("int" | "float" | "bool" | "null") => true,
        Some(_) => false,
        None => scalar.style == ScalarStyle::Plain,
    }
}

/// Digits too many for any integer type (`99999999999999999999`).
fn too_long_integer(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit() || b == b'_')
}

#[derive(Clone, Copy)]
struct FieldOf<'a> {
    key: &'a str,
    key_span: Span,
    parent: &'static str,
    expected: &'static [&'static str],
}

#[derive(Clone, Copy)]
struct NodeDeserializer<'a> {
    node: &'a Node,
    cx: &'a Context<'a>,
    /// Set when this node is the value of a struct field (for unknown keys).
    field: Option<FieldOf<'a>>,
    /// The apiVersion to read in place of the written one (root only).
    api_version: Option<&'static str>,
}

pub(crate) fn describe(node: &Node) -> String {
    match &node.value {
        Value::Map(_) => "a mapping".into(),
        Value::Seq(_) => "a list".into(),
        Value::Scalar(s) if s.is_null() => "null".into(),
        Value::Scalar(s) => {
            let text: String = s.text.chars().take(40).collect();
            if reads_plain(s) {
                format!("`{text}`")
            } else {
                format!("the string \"{text}\"")
            }
        }
    }
}

/// `${VAR}` or `${VAR:-default}`, as envsubst and Flux substitute.
pub(crate) fn is_placeholder(text: &str) -> bool {
    text.starts_with("${") && text.ends_with('}')
}

pub(crate) fn yaml11_bool(text: &str) -> bool {
    matches!(
        text,
        "y" | "Y"
            | "yes"
            | "Yes"
            | "YES"
            | "n"
            | "N"
            | "no"
            | "No"
            | "NO"
            | "on"
            | "On"
            | "ON"
            | "off"
            | "Off"
            | "OFF"
    )
}

pub(crate) fn core_bool(text: &str) -> Option<bool> {
    match text {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

pub(crate) enum Number {
    Int(i64),
    Uint(u64),
    Float(f64),
}

/// A plain scalar as a number: YAML 1.2 core forms, plus YAML 1.1 octal
/// (`0644`) which Kubernetes' YAML reader still accepts for integers.
pub(crate) fn parse_number(text: &str) -> Option<Number> {
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let int = |radix: u32, body: &str| -> Option<Number> {
        if body.is_empty() || !body.chars().all(|c| c.is_digit(radix) || c == '_') {
            return None;
        }
        let body = body.replace('_', "");
        let magnitude = u64::from_str_radix(&body, radix).ok()?;
        if negative {
            let value = i64::try_from(magnitude).ok()?;
            Some(Number::Int(-value))
        } else {
            Some(match i64::try_from(magnitude) {
                Ok(v) => Number::Int(v),
                Err(_) => Number::Uint(magnitude),
            })
        }
    };
    if let Some(hex) = digits.strip_prefix("0x") {
        return int(16, hex);
    }
    if let Some(oct) = digits.strip_prefix("0o") {
        return int(8, oct);
    }
    if digits.len() > 1 && digits.starts_with('0') && digits.bytes().all(|b| b.is_ascii_digit()) {
        return int(8, &digits[1..]);
    }
    if digits.bytes().all(|b| b.is_ascii_digit()) {
        return int(10, digits);
    }
    match digits {
        ".inf" | ".Inf" | ".INF" => {
            return Some(Number::Float(if negative {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            }))
        }
        ".nan" | ".NaN" | ".NAN" => return Some(Number::Float(f64::NAN)),
        _ => {}
    }
    let looks_float = digits
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'))
        && digits.bytes().any(|b| b.is_ascii_digit());
    if looks_float {
        text.parse::<f64>().ok().map(Number::Float)
    } else {
        None
    }
}

impl<'a> NodeDeserializer<'a> {
    fn child(&self, node: &'a Node, field: Option<FieldOf<'a>>) -> Self {
        NodeDeserializer {
            node,
            cx: self.cx,
            field,
            api_version: None,
        }
    }

    fn span(&self) -> Span {
        self.node.span
    }

    fn wrong(&self, expected: &str) -> Error {
        let mut error = Error::at(
            format!("expected {expected}, found {}", describe(self.node)),
            self.span(),
        );
        error.placeholder = self.node.as_str().is_some_and(is_placeholder);
        error
    }

    /// The scalar as text; an error for collections and nulls.
    fn text(&self, expected: &str) -> Result<&'a Scalar, Error> {
        match &self.node.value {
            Value::Scalar(s) if !s.is_null() => Ok(s),
            _ => Err(self.wrong(expected)),
        }
    }

    fn number<V: Visitor<'a>>(self, visitor: V, expected: &str) -> Result<V::Value, Error> {
        let scalar = self.text(expected)?;
        let number = if reads_plain(scalar) {
            parse_number(&scalar.text)
        } else {
            None
        };
        match number {
            Some(Number::Int(v)) => visitor.visit_i64(v),
            Some(Number::Uint(v)) => visitor.visit_u64(v),
            Some(Number::Float(v)) => visitor.visit_f64(v),
            None => Err(self.wrong(expected)),
        }
        .map_err(|e: Error| e.located(self.span()))
    }

    /// An integer field of a type that holds `min..=max`.
    fn integer<V: Visitor<'a>>(
        self,
        visitor: V,
        (min, max): (i128, i128),
    ) -> Result<V::Value, Error> {
        let scalar = self.text("an integer")?;
        let number = if reads_plain(scalar) {
            parse_number(&scalar.text)
        } else {
            None
        };
        let out_of_range = || {
            Error::at(
                format!(
                    "`{}` is out of range: this field holds integers from {min} to {max}",
                    scalar.text
                ),
                self.span(),
            )
        };
        let value = match number {
            Some(Number::Int(v)) => i128::from(v),
            Some(Number::Uint(v)) => i128::from(v),
            // kubectl reads YAML into JSON through floats: `1000.0` is 1000.
            // The cast saturates, and the range check below refuses the rest.
            Some(Number::Float(v)) if v.fract() == 0.0 && v.is_finite() => v as i128,
            None if reads_plain(scalar) && too_long_integer(&scalar.text) => {
                return Err(out_of_range())
            }
            _ => return Err(self.wrong("an integer")),
        };
        if value < min || value > max {
            return Err(out_of_range());
        }
        match (i64::try_from(value), u64::try_from(value)) {
            (Ok(v), _) => visitor.visit_i64(v),
            (_, Ok(v)) => visitor.visit_u64(v),
            _ => Err(out_of_range()),
        }
        .map_err(|e: Error| e.located(self.span()))
    }
}

macro_rules! integers {
    ($($method:ident: $type:ty),*) => {$(
        fn $method<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
            let max = i128::try_from(<$type>::MAX).unwrap_or(i128::MAX);
            self.integer(visitor, (<$type>::MIN as i128, max))
        }
    )*};
}

impl<'a> de::Deserializer<'a> for NodeDeserializer<'a> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        if let Some(version) = self.api_version {
            return visitor.visit_str(version);
        }
        let span = self.span();
        match &self.node.value {
            Value::Map(entries) => visitor.visit_map(MapReader::new(self, entries, None)),
            Value::Seq(items) => {
                let items = self.cx.items(self.node, items);
                visitor.visit_seq(SeqReader::new(self, items))
            }
            Value::Scalar(s) if !reads_plain(s) => visitor.visit_str(&s.text),
            Value::Scalar(s) if s.is_null() => visitor.visit_unit(),
            Value::Scalar(s) => match (core_bool(&s.text), parse_number(&s.text)) {
                (Some(b), _) => visitor.visit_bool(b),
                (None, Some(Number::Int(v))) => visitor.visit_i64(v),
                (None, Some(Number::Uint(v))) => visitor.visit_u64(v),
                (None, Some(Number::Float(v))) => visitor.visit_f64(v),
                (None, None) => visitor.visit_str(&s.text),
            },
        }
        .map_err(|e: Error| e.located(span))
    }

    fn deserialize_bool<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        let scalar = self.text("true or false")?;
        if reads_plain(scalar) {
            if let Some(b) = core_bool(&scalar.text) {
                return visitor
                    .visit_bool(b)
                    .map_err(|e: Error| e.located(self.span()));
            }
            if yaml11_bool(&scalar.text) {
                return Err(Error::at(
                    format!(
                        "`{}` is a boolean only in YAML 1.1; write true or false",
                        scalar.text
                    ),
                    self.span(),
                ));
            }
        }
        Err(self.wrong("true or false"))
    }

    integers!(
        deserialize_i8: i8,
        deserialize_i16: i16,
        deserialize_i32: i32,
        deserialize_i64: i64,
        deserialize_i128: i128,
        deserialize_u8: u8,
        deserialize_u16: u16,
        deserialize_u32: u32,
        deserialize_u64: u64,
        deserialize_u128: u128
    );

    fn deserialize_f32<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        self.number(visitor, "a number")
    }

    fn deserialize_f64<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        self.number(visitor, "a number")
    }

    fn deserialize_char<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_str<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        if let Some(version) = self.api_version {
            return visitor.visit_str(version);
        }
        let scalar = self.text("a string")?;
        // The API server's base64 decoder skips line breaks: a block scalar
        // of wrapped base64 lines is valid.
        let wrapped_base64 = scalar.text.contains(['\n', '\r'])
            && format!("{}", &visitor as &dyn de::Expected) == "a base64-encoded string";
        let text: std::borrow::Cow<'_, str> = if wrapped_base64 {
            scalar
                .text
                .chars()
                .filter(|c| !matches!(c, '\n' | '\r'))
                .collect::<String>()
                .into()
        } else {
            (&*scalar.text).into()
        };
        // The only string-reading visitor that refuses text is ByteString's.
        let refused = |e: &Error| e.span.is_none() && e.message.starts_with("Invalid");
        visitor.visit_str(&text).map_err(|e: Error| {
            if refused(&e) {
                let mut error = Error::at(
                    "not valid base64 (Secret `data` is base64; put plain text under `stringData`)",
                    self.span(),
                );
                // secret-data-placeholder reports these, in its own words.
                error.placeholder = crate::model::placeholder::looks_like_placeholder(&scalar.text);
                error
            } else {
                e.located(self.span())
            }
        })
    }

    fn deserialize_string<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.node.is_null() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
        .map_err(|e: Error| e.located(self.span()))
    }

    fn deserialize_unit<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.node.is_null() {
            visitor.visit_unit()
        } else {
            Err(self.wrong("null"))
        }
    }

    fn deserialize_unit_struct<V: Visitor<'a>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'a>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        if matches!(name, "Time" | "MicroTime") {
            let scalar = self.text("a time")?;
            return visitor.visit_newtype_struct(self).map_err(|_| {
                Error::at(
                    format!(
                        "`{}` is not an RFC 3339 time such as 2024-01-31T12:00:00Z",
                        scalar.text
                    ),
                    self.span(),
                )
            });
        }
        // A quantity keeps its text exactly as written (`1e3`, `0.5`, `500m`).
        if name == "Quantity" {
            let scalar = self.text("a quantity such as 500m or 1Gi")?;
            return visitor
                .visit_str(&scalar.text)
                .map_err(|e: Error| e.located(self.span()));
        }
        visitor
            .visit_newtype_struct(self)
            .map_err(|e: Error| e.located(self.span()))
    }

    fn deserialize_seq<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        match &self.node.value {
            Value::Seq(items) => visitor
                .visit_seq(SeqReader::new(self, self.cx.items(self.node, items)))
                .map_err(|e: Error| e.located(self.span())),
            _ => Err(self.wrong("a list")),
        }
    }

    fn deserialize_tuple<V: Visitor<'a>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'a>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        match &self.node.value {
            Value::Map(entries) => visitor
                .visit_map(MapReader::new(self, entries, None))
                .map_err(|e: Error| e.located(self.span())),
            _ => Err(self.wrong("a mapping")),
        }
    }

    fn deserialize_struct<V: Visitor<'a>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match &self.node.value {
            Value::Map(entries) => visitor
                .visit_map(MapReader::new(self, entries, Some((name, fields))))
                .map_err(|e: Error| e.located(self.span())),
            _ => Err(self.wrong(&format!("a mapping ({name})"))),
        }
    }

    fn deserialize_enum<V: Visitor<'a>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let scalar = self.text("one of the allowed values")?;
        visitor
            .visit_enum(IntoDeserializer::<Error>::into_deserializer(&*scalar.text))
            .map_err(|e: Error| e.located(self.span()))
    }

    fn deserialize_identifier<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        if let Some(field) = self.field {
            self.cx.unknown.borrow_mut().push(UnknownField {
                key: field.key.to_string(),
                span: field.key_span,
                parent: Cow::Borrowed(field.parent),
                expected: Expected::Fields(field.expected),
                value_is_null: self.node.is_null(),
            });
        }
        visitor.visit_unit()
    }
}

struct SeqReader<'a> {
    de: NodeDeserializer<'a>,
    items: std::slice::Iter<'a, Node>,
}

impl<'a> SeqReader<'a> {
    fn new(de: NodeDeserializer<'a>, items: &'a [Node]) -> Self {
        SeqReader {
            de,
            items: items.iter(),
        }
    }
}

impl<'a> de::SeqAccess<'a> for SeqReader<'a> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'a>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        let Some(item) = self.items.by_ref().find(|item| !self.de.cx.skips(item)) else {
            return Ok(None);
        };
        seed.deserialize(self.de.child(item, None)).map(Some)
    }
}

struct MapReader<'a> {
    de: NodeDeserializer<'a>,
    entries: std::slice::Iter<'a, crate::source::Entry>,
    current: Option<&'a crate::source::Entry>,
    schema: Option<(&'static str, &'static [&'static str])>,
}

impl<'a> MapReader<'a> {
    fn new(
        de: NodeDeserializer<'a>,
        entries: &'a [crate::source::Entry],
        schema: Option<(&'static str, &'static [&'static str])>,
    ) -> Self {
        MapReader {
            de,
            entries: entries.iter(),
            current: None,
            schema,
        }
    }
}

impl<'a> de::MapAccess<'a> for MapReader<'a> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'a>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let cx = self.de.cx;
        // A null value in a map (`limits: {cpu: null}`) is the zero value for
        // the API server and "delete this key" in a strategic-merge patch:
        // never a value of the wrong type.
        let plain_map = self.schema.is_none();
        let Some(entry) = self.entries.by_ref().find(|e| {
            let deleted = plain_map && e.value.is_null();
            !(cx.skips(&e.value) || cx.skips(&e.key) || deleted)
        }) else {
            return Ok(None);
        };
        self.current = Some(entry);
        if entry.key.as_scalar().is_none() {
            return Err(Error::at("a key must be a string", entry.key.span));
        }
        seed.deserialize(self.de.child(&entry.key, None)).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'a>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let Some(entry) = self.current.take() else {
            return Err(Error::at("value without a key", self.de.span()));
        };
        let key = entry.key.as_scalar().map_or("", |k| &*k.text);
        let field = self.schema.map(|(parent, expected)| FieldOf {
            key,
            key_span: entry.key.span,
            parent,
            expected,
        });
        let mut value = self.de.child(&entry.value, field);
        // The written apiVersion of a removed API version is replaced at the root only.
        if key == "apiVersion" && self.de.api_version.is_some() && self.de.field.is_none() {
            value.api_version = self.de.api_version;
        }
        seed.deserialize(value)
    }
}

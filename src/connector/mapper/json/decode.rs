//! The `json` mapper's source side: payloads to rows, in one streaming pass when every attribute
//! is a top-level key, else through a parsed tree and the compiled selectors.

use super::path::{walk, Selector, Step};
use super::typed::TypedSeed;
use super::ENCLOSING;
use crate::connector::config::{ConfigError, MapperConfig};
use crate::connector::mapper::text::resolve_attr;
use crate::connector::SourceMapper;
use crate::schema::Schema;
use crate::value::{AttrType, Value};
use bytes::Bytes;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value as Json;
use std::fmt;
use std::sync::Arc;

pub(super) struct Field {
    pub name: Box<str>,
    pub ty: AttrType,
}

pub(super) enum Plan {
    /// Per attribute, the top-level key it is read from: one streaming pass, no JSON tree.
    Stream { keys: Box<[Box<str>]> },
    /// Per attribute, a selector evaluated on each row object of the parsed payload.
    Tree {
        enclosing: Option<(Selector, Box<str>)>,
        selectors: Box<[Selector]>,
    },
}

pub(super) struct JsonSource {
    fields: Box<[Field]>,
    pub(super) plan: Plan,
    scratch: Vec<Value>,
}

impl JsonSource {
    pub(super) fn new(config: &MapperConfig, schema: &Schema) -> Result<Self, ConfigError> {
        let fields: Box<[Field]> = schema
            .attrs()
            .iter()
            .map(|a| Field {
                name: a.name.as_str().into(),
                ty: a.ty,
            })
            .collect();
        // Per attribute: its selector (default: the top-level key of its name).
        let mut selectors: Vec<Selector> = schema
            .names()
            .map(|n| Selector::Steps(Box::new([Step::Key(n.into())])))
            .collect();
        let mut seen = vec![false; schema.len()];
        for (attr, path) in &config.attributes {
            let i = resolve_attr(schema, attr)?;
            if std::mem::replace(&mut seen[i], true) {
                return Err(ConfigError(format!(
                    "@attributes: attribute '{attr}' is mapped twice"
                )));
            }
            selectors[i] = Selector::compile(path, &format!("@attributes({attr}='{path}')"))?;
        }
        let enclosing = match ENCLOSING.get(config) {
            Some(p) => Some((
                Selector::compile(p, &format!("parameter '{}' ('{p}')", ENCLOSING.name()))?,
                Box::from(p),
            )),
            None => None,
        };
        let single_keys: Option<Vec<Box<str>>> = selectors
            .iter()
            .map(|s| match s {
                Selector::Steps(steps) => match &steps[..] {
                    [Step::Key(k)] => Some(k.clone()),
                    _ => None,
                },
                Selector::Path(_) => None,
            })
            .collect();
        let plan = match single_keys {
            Some(keys)
                if enclosing.is_none()
                    && keys.iter().enumerate().all(|(i, k)| !keys[..i].contains(k)) =>
            {
                Plan::Stream { keys: keys.into() }
            }
            _ => Plan::Tree {
                enclosing,
                selectors: selectors.into(),
            },
        };
        Ok(JsonSource {
            fields,
            plan,
            scratch: Vec::with_capacity(schema.len()),
        })
    }
}

impl SourceMapper for JsonSource {
    fn decode(&mut self, payload: &Bytes, out: &mut Vec<Arc<[Value]>>) -> Result<(), String> {
        let start = out.len();
        let JsonSource {
            fields,
            plan,
            scratch,
        } = self;
        let result = match plan {
            Plan::Stream { keys } => {
                let mut de = serde_json::Deserializer::from_slice(payload);
                let ctx = Rows {
                    keys,
                    fields,
                    scratch,
                    out,
                };
                PayloadSeed(ctx)
                    .deserialize(&mut de)
                    .and_then(|()| de.end())
                    .map_err(json_error)
            }
            Plan::Tree {
                enclosing,
                selectors,
            } => decode_tree(payload, enclosing.as_ref(), selectors, fields, scratch, out),
        };
        if result.is_err() {
            out.truncate(start);
            scratch.clear();
        }
        result
    }
}

fn json_error(e: serde_json::Error) -> String {
    match e.classify() {
        serde_json::error::Category::Data => e.to_string(),
        _ => format!("payload is not valid JSON: {e}"),
    }
}

fn kind_of(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "a bool",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

fn decode_tree(
    payload: &[u8],
    enclosing: Option<&(Selector, Box<str>)>,
    selectors: &[Selector],
    fields: &[Field],
    scratch: &mut Vec<Value>,
    out: &mut Vec<Arc<[Value]>>,
) -> Result<(), String> {
    let doc: Json = serde_json::from_slice(payload).map_err(json_error)?;
    // `at` names the object for errors; `many`: whether it is one of several (then conversion
    // errors say which).
    let mut row = |obj: &Json, many: bool, at: &dyn Fn() -> String| -> Result<(), String> {
        if !obj.is_object() {
            return Err(format!("{} is {}, not an object", at(), kind_of(obj)));
        }
        scratch.clear();
        for (sel, f) in selectors.iter().zip(fields) {
            let v = match sel.first(obj) {
                None => Value::Null,
                Some(node) => TypedSeed(f).deserialize(node).map_err(|e| {
                    if many {
                        format!("{e} (in {})", at())
                    } else {
                        e.to_string()
                    }
                })?,
            };
            scratch.push(v);
        }
        out.push(scratch.drain(..).collect());
        Ok(())
    };
    let mut rows_of = |node: &Json, many: bool, what: &str| -> Result<(), String> {
        match node {
            Json::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    row(item, true, &|| format!("{what}[{i}]"))?;
                }
                Ok(())
            }
            _ => row(node, many, &|| what.to_string()),
        }
    };
    match enclosing {
        None => rows_of(&doc, false, "payload"),
        Some((Selector::Steps(steps), text)) => match walk(&doc, steps) {
            Some(node) => rows_of(node, false, &format!("'{text}'")),
            None => Err(format!(
                "{} '{text}' matches nothing in the payload",
                ENCLOSING.name()
            )),
        },
        Some((Selector::Path(p), text)) => {
            let nodes = p.query(&doc);
            let many = nodes.len() > 1;
            for (i, node) in nodes.iter().enumerate() {
                rows_of(node, many, &format!("match {i} of '{text}'"))?;
            }
            Ok(())
        }
    }
}

/// The state of a streaming decode.
struct Rows<'a> {
    keys: &'a [Box<str>],
    fields: &'a [Field],
    scratch: &'a mut Vec<Value>,
    out: &'a mut Vec<Arc<[Value]>>,
}

impl Rows<'_> {
    fn read_row<'de, A: MapAccess<'de>>(&mut self, mut map: A) -> Result<(), A::Error> {
        self.scratch.clear();
        self.scratch.resize(self.fields.len(), Value::Null);
        while let Some(k) = map.next_key_seed(KeySeed(self.keys))? {
            match k {
                Some(i) => self.scratch[i] = map.next_value_seed(TypedSeed(&self.fields[i]))?,
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        self.out.push(self.scratch.drain(..).collect());
        Ok(())
    }
}

/// The whole payload: an object or an array of objects.
struct PayloadSeed<'a>(Rows<'a>);

impl<'de> DeserializeSeed<'de> for PayloadSeed<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for PayloadSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object or an array of objects")
    }

    fn visit_map<A: MapAccess<'de>>(mut self, map: A) -> Result<(), A::Error> {
        self.0.read_row(map)
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(RowSeed(&mut self.0))?.is_some() {}
        Ok(())
    }
}

/// One element of a top-level array: an object.
struct RowSeed<'r, 'a>(&'r mut Rows<'a>);

impl<'de> DeserializeSeed<'de> for RowSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RowSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object as array element")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        self.0.read_row(map)
    }
}

/// A key: the index of the attribute it feeds, if any.
struct KeySeed<'a>(&'a [Box<str>]);

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Option<usize>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<usize>, E> {
        Ok(self.0.iter().position(|k| **k == *v))
    }
}

//! `json` mapper: JSON objects to rows (by top-level key or JSONPath) and events to JSON objects.
//!
//! When every attribute is read from a top-level key (by name, or through a one-step path such
//! as `$.p`) and there is no `enclosing.element`, payloads are decoded in a single streaming pass
//! straight into the row, without building a JSON tree. Otherwise the payload is parsed into a
//! `serde_json::Value` and the precompiled paths are evaluated on it.

use super::text::{quote_for_error, resolve_attr};
use super::{MapperFactory, SinkMapper, SourceMapper};
use crate::connector::config::{ConfigError, MapperConfig, Params};
use crate::connector::spec::{ConnectorSpec, ParamSpec};
use crate::event::Event;
use crate::schema::Schema;
use crate::value::{AttrType, Value};
use base64::Engine as _;
use bytes::Bytes;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize as _;
use serde_json::Value as Json;
use serde_json_path::JsonPath;
use std::fmt;
use std::sync::Arc;

const ENCLOSING: &str = "enclosing.element";

/// Encoding: standard alphabet with padding. Decoding accepts padded and unpadded input.
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;
const B64_DECODE: base64::engine::GeneralPurpose =
    base64::engine::general_purpose::STANDARD_PAD_INDIFFERENT;

pub struct JsonMapperFactory;

impl MapperFactory for JsonMapperFactory {
    fn spec(&self) -> ConnectorSpec {
        ConnectorSpec {
            name: "json",
            aliases: &[],
            description: "JSON. Source: an object is one row, an array of objects one row \
                each; attributes are read from the top-level keys of the same name, or by \
                JSONPath with @attributes(attr='$.path') (first match; no match is NULL). \
                Numbers in strings are accepted for numeric attributes, BYTES are base64. Sink: \
                one object per event with keys in schema order, BYTES as base64, NULL as null.",
            params: vec![ParamSpec::optional(
                ENCLOSING,
                None,
                "Source: JSONPath selecting the object(s) (or arrays of objects) rows are read \
                 from; @attributes paths are relative to each selected object",
                "$.events[*]",
            )],
            formats: &[],
            default_format: None,
            example: "@map(type='json', enclosing.element='$.data', \
                @attributes(symbol='$.s', price='$.quote.p'))",
        }
    }

    fn source_mapper(
        &self,
        config: &MapperConfig,
        schema: &Schema,
    ) -> Result<Box<dyn SourceMapper>, ConfigError> {
        Ok(Box::new(JsonSource::new(config, schema)?))
    }

    fn sink_mapper(
        &self,
        _config: &MapperConfig,
        schema: &Schema,
    ) -> Result<Box<dyn SinkMapper>, ConfigError> {
        Ok(Box::new(JsonSink::new(schema)))
    }
}

// ---------------------------------------------------------------------------------------------
// Paths

/// One step of a simple path (`.name`, `['name']`, `[3]`, `[-1]`).
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Key(Box<str>),
    Index(i64),
}

/// A compiled selector: simple paths are walked by hand, anything else goes to serde_json_path.
enum Selector {
    Steps(Box<[Step]>),
    Path(JsonPath),
}

impl Selector {
    /// Compiles `path`; `what` names it in the error (`@attributes(price='...')`).
    fn compile(path: &str, what: &str) -> Result<Selector, ConfigError> {
        let path = path.trim();
        let parsed = JsonPath::parse(path).map_err(|e| {
            let hint = if path.starts_with('$') {
                String::new()
            } else {
                format!(" (a JSONPath starts with '$', e.g. '$.{path}')")
            };
            ConfigError(format!("{what} is not a valid JSONPath: {e}{hint}"))
        })?;
        Ok(match simple_steps(path) {
            Some(steps) => Selector::Steps(steps.into()),
            None => Selector::Path(parsed),
        })
    }

    /// The first node selected under `root`.
    fn first<'a>(&self, root: &'a Json) -> Option<&'a Json> {
        match self {
            Selector::Steps(steps) => walk(root, steps),
            Selector::Path(p) => p.query(root).first(),
        }
    }
}

/// Parses `$.a.b[0]['c d'][-1]` into steps; `None` for anything else (wildcards, filters,
/// slices, descendants, escapes), which is left to the full JSONPath engine.
fn simple_steps(path: &str) -> Option<Vec<Step>> {
    let mut rest = path.strip_prefix('$')?;
    let mut steps = Vec::new();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            let end = r
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(r.len());
            let name = &r[..end];
            if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
                return None;
            }
            steps.push(Step::Key(name.into()));
            rest = &r[end..];
        } else if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']')?;
            let inner = r[..end].trim();
            let quoted = inner
                .strip_prefix('\'')
                .and_then(|s| s.strip_suffix('\''))
                .or_else(|| inner.strip_prefix('"').and_then(|s| s.strip_suffix('"')));
            match quoted {
                Some(name) if !name.contains(['\\', '\'', '"']) => {
                    steps.push(Step::Key(name.into()))
                }
                Some(_) => return None,
                None => {
                    let digits = inner.strip_prefix('-').unwrap_or(inner);
                    if digits.is_empty()
                        || !digits.bytes().all(|b| b.is_ascii_digit())
                        || (digits.len() > 1 && digits.starts_with('0'))
                    {
                        return None;
                    }
                    steps.push(Step::Index(inner.parse().ok()?));
                }
            }
            rest = &r[end + 1..];
        } else {
            return None;
        }
    }
    Some(steps)
}

fn walk<'a>(mut node: &'a Json, steps: &[Step]) -> Option<&'a Json> {
    for step in steps {
        node = match (step, node) {
            (Step::Key(k), Json::Object(m)) => m.get(&**k)?,
            (Step::Index(i), Json::Array(a)) => {
                let i = if *i < 0 { a.len() as i64 + i } else { *i };
                a.get(usize::try_from(i).ok()?)?
            }
            _ => return None,
        };
    }
    Some(node)
}

// ---------------------------------------------------------------------------------------------
// Source

struct Field {
    name: Box<str>,
    ty: AttrType,
}

enum Plan {
    /// Per attribute, the top-level key it is read from: one streaming pass, no JSON tree.
    Stream { keys: Box<[Box<str>]> },
    /// Per attribute, a selector evaluated on each row object of the parsed payload.
    Tree {
        enclosing: Option<(Selector, Box<str>)>,
        selectors: Box<[Selector]>,
    },
}

struct JsonSource {
    fields: Box<[Field]>,
    plan: Plan,
    scratch: Vec<Value>,
}

impl JsonSource {
    fn new(config: &MapperConfig, schema: &Schema) -> Result<Self, ConfigError> {
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
        let enclosing = match config.get(ENCLOSING) {
            Some(p) => Some((
                Selector::compile(p, &format!("parameter '{ENCLOSING}' ('{p}')"))?,
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
                "{ENCLOSING} '{text}' matches nothing in the payload"
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

/// One attribute's value, converted to its type (used on the stream and on `&serde_json::Value`).
struct TypedSeed<'a>(&'a Field);

impl<'de> DeserializeSeed<'de> for TypedSeed<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl TypedSeed<'_> {
    fn mismatch<E: de::Error>(&self, got: impl fmt::Display) -> E {
        E::custom(format_args!(
            "attribute '{}': expected {}, got {got}",
            self.0.name, self.0.ty
        ))
    }

    fn convert_f64<E: de::Error>(&self, v: f64) -> Result<Value, E> {
        let integral = v.fract() == 0.0;
        match self.0.ty {
            AttrType::Int if integral && v >= i32::MIN as f64 && v <= i32::MAX as f64 => {
                Ok(Value::Int(v as i32))
            }
            // 2^63 is the first f64 past i64::MAX.
            AttrType::Long
                if integral && v >= i64::MIN as f64 && v < 9_223_372_036_854_775_808.0 =>
            {
                Ok(Value::Long(v as i64))
            }
            AttrType::Int | AttrType::Long if integral => {
                Err(self.mismatch(format_args!("number {v} (out of range)")))
            }
            AttrType::Float => Ok(Value::Float(v as f32)),
            AttrType::Double => Ok(Value::Double(v)),
            AttrType::String => Ok(Value::String(Arc::from(
                serde_json::Number::from_f64(v).map_or_else(|| v.to_string(), |n| n.to_string()),
            ))),
            _ => Err(self.mismatch(format_args!("number {v}"))),
        }
    }

    fn convert_int<E: de::Error>(&self, v: i128) -> Result<Value, E> {
        let out_of_range = || self.mismatch(format_args!("number {v} (out of range)"));
        match self.0.ty {
            AttrType::Int => i32::try_from(v).map(Value::Int).map_err(|_| out_of_range()),
            AttrType::Long => i64::try_from(v)
                .map(Value::Long)
                .map_err(|_| out_of_range()),
            AttrType::Float => Ok(Value::Float(v as f32)),
            AttrType::Double => Ok(Value::Double(v as f64)),
            AttrType::String => Ok(Value::String(Arc::from(v.to_string()))),
            _ => Err(self.mismatch(format_args!("number {v}"))),
        }
    }
}

impl<'de> Visitor<'de> for TypedSeed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "a {} value for attribute '{}'", self.0.ty, self.0.name)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        match self.0.ty {
            AttrType::Bool => Ok(Value::Bool(v)),
            AttrType::String => Ok(Value::from(if v { "true" } else { "false" })),
            _ => Err(self.mismatch(format_args!("bool {v}"))),
        }
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        self.convert_int(v as i128)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        self.convert_int(v as i128)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        self.convert_f64(v)
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Value, E> {
        let bad = || self.mismatch(format_args!("string {}", quote_for_error(s)));
        let t = s.trim();
        match self.0.ty {
            AttrType::String => Ok(Value::String(Arc::from(s))),
            AttrType::Int | AttrType::Long => match t.parse::<i64>() {
                Ok(i) => self.convert_int(i as i128),
                Err(_) => match t.parse::<f64>() {
                    Ok(f) if f.is_finite() && f.fract() == 0.0 => self.convert_f64(f),
                    _ => Err(bad()),
                },
            },
            AttrType::Float => t.parse().map(Value::Float).map_err(|_| bad()),
            AttrType::Double => t.parse().map(Value::Double).map_err(|_| bad()),
            AttrType::Bytes => match B64_DECODE.decode(s) {
                Ok(b) => Ok(Value::Bytes(Bytes::from(b))),
                Err(e) => Err(E::custom(format_args!(
                    "attribute '{}': expected BYTES (base64), got string {} ({e})",
                    self.0.name,
                    quote_for_error(s)
                ))),
            },
            AttrType::Bool => Err(bad()),
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Value, A::Error> {
        if self.0.ty != AttrType::String {
            return Err(self.mismatch("object"));
        }
        let v = Json::deserialize(de::value::MapAccessDeserializer::new(map))?;
        Ok(Value::String(Arc::from(v.to_string())))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Value, A::Error> {
        if self.0.ty != AttrType::String {
            return Err(self.mismatch("array"));
        }
        let v = Json::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
        Ok(Value::String(Arc::from(v.to_string())))
    }
}

// ---------------------------------------------------------------------------------------------
// Sink

struct JsonSink {
    /// Per attribute: `"name":` (with a leading `,` after the first) and whether the attribute
    /// is FLOAT/DOUBLE (integers are then written as floats).
    fields: Box<[(Box<[u8]>, bool)]>,
}

impl JsonSink {
    fn new(schema: &Schema) -> JsonSink {
        let fields = schema
            .attrs()
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let mut prefix = Vec::new();
                if i > 0 {
                    prefix.push(b',');
                }
                serde_json::to_writer(&mut prefix, &a.name).expect("writing to a Vec");
                prefix.push(b':');
                (
                    prefix.into_boxed_slice(),
                    matches!(a.ty, AttrType::Float | AttrType::Double),
                )
            })
            .collect();
        JsonSink { fields }
    }
}

fn write_json<T: serde::Serialize + ?Sized>(out: &mut Vec<u8>, v: &T) -> Result<(), String> {
    serde_json::to_writer(out, v).map_err(|e| e.to_string())
}

impl SinkMapper for JsonSink {
    fn encode(&mut self, event: &Event, out: &mut Vec<u8>) -> Result<(), String> {
        out.push(b'{');
        for (i, (prefix, float)) in self.fields.iter().enumerate() {
            out.extend_from_slice(prefix);
            match event.get(i) {
                Value::Null => out.extend_from_slice(b"null"),
                Value::Int(v) if *float => write_json(out, &(*v as f64))?,
                Value::Long(v) if *float => write_json(out, &(*v as f64))?,
                Value::Int(v) => write_json(out, v)?,
                Value::Long(v) => write_json(out, v)?,
                // serde_json writes finite floats so they read back as floats, others as null.
                Value::Float(v) => write_json(out, v)?,
                Value::Double(v) => write_json(out, v)?,
                Value::Bool(v) => out.extend_from_slice(if *v { b"true" } else { b"false" }),
                Value::String(s) => write_json(out, &**s)?,
                Value::Bytes(b) => {
                    out.push(b'"');
                    let at = out.len();
                    let len = base64::encoded_len(b.len(), true)
                        .ok_or_else(|| format!("attribute {i}: BYTES too long for base64"))?;
                    out.resize(at + len, 0);
                    B64.encode_slice(b, &mut out[at..])
                        .map_err(|e| e.to_string())?;
                    out.push(b'"');
                }
            }
        }
        out.push(b'}');
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(params: &[(&str, &str)], attrs: &[(&str, &str)]) -> MapperConfig {
        MapperConfig {
            kind: "json".into(),
            params: params
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            attributes: attrs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    fn stock() -> Schema {
        Schema::of(
            "Stock",
            &[
                ("symbol", AttrType::String),
                ("price", AttrType::Double),
                ("volume", AttrType::Long),
            ],
        )
    }

    fn source(c: &MapperConfig, s: &Schema) -> Box<dyn SourceMapper> {
        JsonMapperFactory.source_mapper(c, s).unwrap()
    }

    fn decode(m: &mut Box<dyn SourceMapper>, payload: &str) -> Result<Vec<Vec<Value>>, String> {
        let mut out = Vec::new();
        let r = m.decode(&Bytes::copy_from_slice(payload.as_bytes()), &mut out);
        if r.is_err() {
            assert!(out.is_empty(), "rows appended on error");
        }
        r?;
        Ok(out.iter().map(|r| r.to_vec()).collect())
    }

    fn encode(m: &mut Box<dyn SinkMapper>, values: Vec<Value>) -> String {
        let mut out = Vec::new();
        m.encode(&Event::new(0, values), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn ibm() -> Vec<Value> {
        vec![Value::from("IBM"), Value::Double(700.5), Value::Long(100)]
    }

    fn is_stream(m: &JsonSource) -> bool {
        matches!(m.plan, Plan::Stream { .. })
    }

    #[test]
    fn object_by_top_level_names() {
        let mut m = source(&cfg(&[], &[]), &stock());
        assert_eq!(
            decode(
                &mut m,
                r#"{"volume":100,"extra":{"x":[1,2]},"symbol":"IBM","price":700.5}"#
            )
            .unwrap(),
            vec![ibm()]
        );
        assert_eq!(
            decode(&mut m, r#"{"symbol":null}"#).unwrap(),
            vec![vec![Value::Null, Value::Null, Value::Null]]
        );
    }

    #[test]
    fn array_of_objects_is_one_row_each() {
        let mut m = source(&cfg(&[], &[]), &stock());
        let rows = decode(
            &mut m,
            r#"[{"symbol":"IBM","price":700.5,"volume":100},{"symbol":"WSO2","price":"1.5"}]"#,
        )
        .unwrap();
        assert_eq!(
            rows,
            vec![
                ibm(),
                vec![Value::from("WSO2"), Value::Double(1.5), Value::Null]
            ]
        );
        assert_eq!(decode(&mut m, "[]").unwrap(), Vec::<Vec<Value>>::new());
        let e = decode(&mut m, r#"[{"symbol":"A"}, 3]"#).unwrap_err();
        assert!(
            e.starts_with("invalid type: integer `3`, expected an object"),
            "{e}"
        );
        let e = decode(&mut m, r#""hello""#).unwrap_err();
        assert!(
            e.contains("expected a JSON object or an array of objects"),
            "{e}"
        );
    }

    #[test]
    fn invalid_json_says_where() {
        let mut m = source(&cfg(&[], &[]), &stock());
        assert_eq!(
            decode(&mut m, r#"{"a": }"#).unwrap_err(),
            "payload is not valid JSON: expected value at line 1 column 7"
        );
        assert_eq!(
            decode(&mut m, r#"{"symbol":"A"} x"#).unwrap_err(),
            "payload is not valid JSON: trailing characters at line 1 column 16"
        );
        let mut m = source(&cfg(&[], &[("price", "$.p.q")]), &stock());
        assert_eq!(
            decode(&mut m, r#"{"#).unwrap_err(),
            "payload is not valid JSON: EOF while parsing an object at line 1 column 1"
        );
    }

    #[test]
    fn attributes_by_path() {
        let c = cfg(
            &[],
            &[
                ("symbol", "$.s"),
                ("price", "$.quote.prices[0]"),
                ("volume", "$['quote']['vol'][-1]"),
            ],
        );
        let m = JsonSource::new(&c, &stock()).unwrap();
        assert!(!is_stream(&m));
        let mut m: Box<dyn SourceMapper> = Box::new(m);
        assert_eq!(
            decode(
                &mut m,
                r#"{"s":"IBM","quote":{"prices":[700.5,1.0],"vol":[1,100]}}"#
            )
            .unwrap(),
            vec![ibm()]
        );
        // No match is NULL.
        assert_eq!(
            decode(&mut m, r#"{"s":"IBM","quote":{"prices":[]}}"#).unwrap(),
            vec![vec![Value::from("IBM"), Value::Null, Value::Null]]
        );
    }

    #[test]
    fn one_step_paths_stream_and_unmapped_attributes_read_by_name() {
        let c = cfg(&[], &[("price", "$.p"), ("symbol", "$['s']")]);
        let m = JsonSource::new(&c, &stock()).unwrap();
        assert!(is_stream(&m));
        let mut m: Box<dyn SourceMapper> = Box::new(m);
        assert_eq!(
            decode(&mut m, r#"{"s":"IBM","p":700.5,"volume":100,"price":1}"#).unwrap(),
            vec![ibm()]
        );
    }

    #[test]
    fn general_jsonpath_takes_the_first_match() {
        let s = Schema::of("S", &[("name", AttrType::String), ("n", AttrType::Int)]);
        let c = cfg(&[], &[("name", "$.items[?@.ok==true].name"), ("n", "$..n")]);
        let mut m = source(&c, &s);
        assert_eq!(
            decode(
                &mut m,
                r#"{"items":[{"name":"a","ok":false},{"name":"b","ok":true},{"name":"c","ok":true}],"deep":{"x":{"n":7}}}"#
            )
            .unwrap(),
            vec![vec![Value::from("b"), Value::Int(7)]]
        );
    }

    #[test]
    fn enclosing_element() {
        let c = cfg(&[(ENCLOSING, "$.data")], &[]);
        let mut m = source(&c, &stock());
        assert_eq!(
            decode(
                &mut m,
                r#"{"data":{"symbol":"IBM","price":700.5,"volume":100}}"#
            )
            .unwrap(),
            vec![ibm()]
        );
        assert_eq!(
            decode(
                &mut m,
                r#"{"data":[{"symbol":"IBM","price":700.5,"volume":100},{}]}"#
            )
            .unwrap(),
            vec![ibm(), vec![Value::Null, Value::Null, Value::Null]]
        );
        assert_eq!(
            decode(&mut m, r#"{"other":1}"#).unwrap_err(),
            "enclosing.element '$.data' matches nothing in the payload"
        );
        assert_eq!(
            decode(&mut m, r#"{"data":[{}, 5]}"#).unwrap_err(),
            "'$.data'[1] is a number, not an object"
        );
        let c = cfg(
            &[(ENCLOSING, "$.events[*]")],
            &[("symbol", "$.s"), ("price", "$.q.p")],
        );
        let mut m = source(&c, &stock());
        assert_eq!(
            decode(
                &mut m,
                r#"{"events":[{"s":"IBM","q":{"p":700.5},"volume":100},{"s":"X","q":{"p":"bad"}}]}"#
            )
            .unwrap_err(),
            "attribute 'price': expected DOUBLE, got string \"bad\" (in match 1 of '$.events[*]')"
        );
        assert_eq!(
            decode(
                &mut m,
                r#"{"events":[{"s":"IBM","q":{"p":700.5},"volume":100}]}"#
            )
            .unwrap(),
            vec![ibm()]
        );
        assert_eq!(
            decode(&mut m, r#"{"events":[]}"#).unwrap(),
            Vec::<Vec<Value>>::new()
        );
        // Without enclosing.element, a tree decode names the array element.
        let c = cfg(&[], &[("price", "$.q.p")]);
        let mut m = source(&c, &stock());
        assert_eq!(
            decode(&mut m, r#"[{"q":{"p":1}},{"q":{"p":true}}]"#).unwrap_err(),
            "attribute 'price': expected DOUBLE, got bool true (in payload[1])"
        );
        assert_eq!(
            decode(&mut m, r#"[{}, []]"#).unwrap_err(),
            "payload[1] is an array, not an object"
        );
    }

    #[test]
    fn type_conversions() {
        let s = Schema::of(
            "T",
            &[
                ("i", AttrType::Int),
                ("l", AttrType::Long),
                ("f", AttrType::Float),
                ("d", AttrType::Double),
                ("b", AttrType::Bool),
                ("s", AttrType::String),
                ("x", AttrType::Bytes),
            ],
        );
        // Both the streaming and the tree path convert the same way.
        for c in [cfg(&[], &[]), cfg(&[(ENCLOSING, "$")], &[])] {
            let mut m = source(&c, &s);
            assert_eq!(
                decode(
                    &mut m,
                    r#"{"i":-5,"l":9007199254740993,"f":1.5,"d":2,"b":true,"s":"hé\"","x":"aGk="}"#
                )
                .unwrap(),
                vec![vec![
                    Value::Int(-5),
                    Value::Long(9007199254740993),
                    Value::Float(1.5),
                    Value::Double(2.0),
                    Value::Bool(true),
                    Value::from("hé\""),
                    Value::Bytes(Bytes::from_static(b"hi")),
                ]]
            );
            // Numeric strings, integral floats, unpadded base64, rendered JSON text.
            assert_eq!(
                decode(
                    &mut m,
                    r#"{"i":" 42 ","l":3.0,"f":"2.5","d":"-1e3","s":{"a":[1,2.5,null]},"x":"aGk"}"#
                )
                .unwrap(),
                vec![vec![
                    Value::Int(42),
                    Value::Long(3),
                    Value::Float(2.5),
                    Value::Double(-1000.0),
                    Value::Null,
                    Value::from(r#"{"a":[1,2.5,null]}"#),
                    Value::Bytes(Bytes::from_static(b"hi")),
                ]]
            );
            let row = decode(&mut m, r#"{"s":12.5}"#).unwrap();
            assert_eq!(row[0][5], Value::from("12.5"));
            let row = decode(&mut m, r#"{"s":false}"#).unwrap();
            assert_eq!(row[0][5], Value::from("false"));
            let row = decode(&mut m, r#"{"s":[1,"a"]}"#).unwrap();
            assert_eq!(row[0][5], Value::from(r#"[1,"a"]"#));

            let err = |m: &mut Box<dyn SourceMapper>, p: &str| {
                let e = decode(m, p).unwrap_err();
                // The streaming path adds the position; the message itself is the same.
                e.split(" at line ").next().unwrap().to_string()
            };
            assert_eq!(
                err(&mut m, r#"{"i":1.5}"#),
                "attribute 'i': expected INT, got number 1.5"
            );
            assert_eq!(
                err(&mut m, r#"{"i":3000000000}"#),
                "attribute 'i': expected INT, got number 3000000000 (out of range)"
            );
            assert_eq!(
                err(&mut m, r#"{"l":18446744073709551615}"#),
                "attribute 'l': expected BIGINT, got number 18446744073709551615 (out of range)"
            );
            assert_eq!(
                err(&mut m, r#"{"i":"abc"}"#),
                "attribute 'i': expected INT, got string \"abc\""
            );
            assert_eq!(
                err(&mut m, r#"{"i":true}"#),
                "attribute 'i': expected INT, got bool true"
            );
            assert_eq!(
                err(&mut m, r#"{"d":"abc"}"#),
                "attribute 'd': expected DOUBLE, got string \"abc\""
            );
            assert_eq!(
                err(&mut m, r#"{"f":[1]}"#),
                "attribute 'f': expected FLOAT, got array"
            );
            assert_eq!(
                err(&mut m, r#"{"b":"true"}"#),
                "attribute 'b': expected BOOL, got string \"true\""
            );
            assert_eq!(
                err(&mut m, r#"{"b":1}"#),
                "attribute 'b': expected BOOL, got number 1"
            );
            assert_eq!(
                err(&mut m, r#"{"x":{}}"#),
                "attribute 'x': expected BYTES, got object"
            );
            let e = err(&mut m, r#"{"x":"!!"}"#);
            assert!(
                e.starts_with("attribute 'x': expected BYTES (base64), got string \"!!\" ("),
                "{e}"
            );
        }
    }

    #[test]
    fn streaming_errors_carry_the_position() {
        let mut m = source(&cfg(&[], &[]), &stock());
        assert_eq!(
            decode(&mut m, r#"[{"price":1},{"price":"abc"}]"#).unwrap_err(),
            "attribute 'price': expected DOUBLE, got string \"abc\" at line 1 column 27"
        );
    }

    #[test]
    fn config_errors() {
        let e = JsonMapperFactory
            .source_mapper(&cfg(&[], &[("prise", "$.p")]), &stock())
            .err()
            .unwrap()
            .0;
        assert!(
            e.contains("no attribute 'prise' (did you mean 'price'?)"),
            "{e}"
        );
        let e = JsonMapperFactory
            .source_mapper(&cfg(&[], &[("price", "p")]), &stock())
            .err()
            .unwrap()
            .0;
        assert!(
            e.starts_with("@attributes(price='p') is not a valid JSONPath"),
            "{e}"
        );
        assert!(e.contains("e.g. '$.p'"), "{e}");
        let e = JsonMapperFactory
            .source_mapper(&cfg(&[(ENCLOSING, "$[")], &[]), &stock())
            .err()
            .unwrap()
            .0;
        assert!(
            e.starts_with("parameter 'enclosing.element' ('$[') is not a valid"),
            "{e}"
        );
        let e = JsonMapperFactory
            .source_mapper(&cfg(&[], &[("price", "$.a"), ("price", "$.b")]), &stock())
            .err()
            .unwrap()
            .0;
        assert!(e.contains("mapped twice"), "{e}");
    }

    #[test]
    fn simple_path_parsing() {
        use Step::*;
        assert_eq!(
            simple_steps("$.a.b_2[0]['c d'][-1]"),
            Some(vec![
                Key("a".into()),
                Key("b_2".into()),
                Index(0),
                Key("c d".into()),
                Index(-1)
            ])
        );
        assert_eq!(simple_steps("$"), Some(vec![]));
        for p in [
            "$.*",
            "$..a",
            "$[*]",
            "$[0:2]",
            "$[?@.a]",
            "$['a\\'b']",
            "$.a[01]",
        ] {
            assert_eq!(simple_steps(p), None, "{p}");
        }
    }

    #[test]
    fn sink_writes_one_object_in_schema_order() {
        let s = Schema::of(
            "Out",
            &[
                ("symbol", AttrType::String),
                ("p2", AttrType::Double),
                ("n", AttrType::Int),
                ("f", AttrType::Float),
                ("ok", AttrType::Bool),
                ("raw", AttrType::Bytes),
                ("we\"ird", AttrType::Double),
            ],
        );
        let mut m = JsonMapperFactory.sink_mapper(&cfg(&[], &[]), &s).unwrap();
        assert_eq!(
            encode(
                &mut m,
                vec![
                    Value::from("I\"BM\n"),
                    Value::Double(1400.0),
                    Value::Int(3),
                    Value::Float(0.1),
                    Value::Bool(false),
                    Value::Bytes(Bytes::from_static(b"hi")),
                    Value::Long(2),
                ]
            ),
            r#"{"symbol":"I\"BM\n","p2":1400.0,"n":3,"f":0.1,"ok":false,"raw":"aGk=","we\"ird":2.0}"#
        );
        assert_eq!(
            encode(
                &mut m,
                vec![
                    Value::Null,
                    Value::Double(f64::NAN),
                    Value::Null,
                    Value::Float(f32::INFINITY),
                    Value::Null,
                    Value::Null,
                ]
            ),
            r#"{"symbol":null,"p2":null,"n":null,"f":null,"ok":null,"raw":null,"we\"ird":null}"#
        );
        let mut e = JsonMapperFactory
            .sink_mapper(&cfg(&[], &[]), &Schema::of("E", &[]))
            .unwrap();
        assert_eq!(encode(&mut e, vec![]), "{}");
    }

    #[test]
    fn round_trip() {
        let s = Schema::of(
            "T",
            &[
                ("i", AttrType::Int),
                ("l", AttrType::Long),
                ("f", AttrType::Float),
                ("d", AttrType::Double),
                ("b", AttrType::Bool),
                ("s", AttrType::String),
                ("x", AttrType::Bytes),
            ],
        );
        let row = vec![
            Value::Int(i32::MIN),
            Value::Long(i64::MAX),
            Value::Float(3.25),
            Value::Double(1e300),
            Value::Bool(true),
            Value::from("tab\t\u{1F600}"),
            Value::Bytes(Bytes::from_static(&[0, 255, 1])),
        ];
        let mut sink = JsonMapperFactory.sink_mapper(&cfg(&[], &[]), &s).unwrap();
        let mut src = source(&cfg(&[], &[]), &s);
        let text = encode(&mut sink, row.clone());
        assert_eq!(decode(&mut src, &text).unwrap(), vec![row.clone()]);
        let nulls = vec![Value::Null; 7];
        let text = encode(&mut sink, nulls.clone());
        assert_eq!(decode(&mut src, &text).unwrap(), vec![nulls]);
        // Whole doubles read back as DOUBLE 1400.0, not as an integer.
        let d = Schema::of("D", &[("d", AttrType::Double)]);
        let mut sink = JsonMapperFactory.sink_mapper(&cfg(&[], &[]), &d).unwrap();
        let text = encode(&mut sink, vec![Value::Double(1400.0)]);
        let back: Json = serde_json::from_str(&text).unwrap();
        assert!(back["d"].is_f64());
    }

    #[test]
    fn spec_is_complete() {
        let spec = JsonMapperFactory.spec();
        assert_eq!(spec.name, "json");
        assert!(spec.formats.is_empty() && spec.default_format.is_none());
        assert!(spec.example.starts_with("@map(type='json'"));
        for p in &spec.params {
            assert!(!p.description.is_empty() && !p.example.is_empty());
        }
    }
}

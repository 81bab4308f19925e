//! The replay event format: one JSON object a line,
//! `{"stream":"Trades","ts":1000,"data":{...} | [...]}` (+ `"expired":true` on output).

use base64::Engine as _;
use eventflux::{AttrType, Event, EventKind, Schema, Value};
use serde_json::{json, Map, Value as Json};

/// One parsed input line.
pub struct InputLine {
    pub stream: String,
    pub ts: Option<i64>,
    pub data: Json,
}

pub fn parse_line(line: &str) -> Result<InputLine, String> {
    let v: Json = serde_json::from_str(line).map_err(|e| format!("not valid JSON: {e}"))?;
    let Json::Object(mut obj) = v else {
        return Err("expected an object like {\"stream\":\"S\",\"ts\":0,\"data\":{...}}".into());
    };
    let stream = match obj.remove("stream") {
        Some(Json::String(s)) => s,
        Some(_) => return Err("\"stream\" must be a string".into()),
        None => return Err("missing \"stream\"".into()),
    };
    let ts = match obj.remove("ts") {
        None | Some(Json::Null) => None,
        Some(Json::Number(n)) => Some(
            n.as_i64()
                .ok_or("\"ts\" must be an integer (milliseconds)")?,
        ),
        Some(_) => return Err("\"ts\" must be an integer (milliseconds)".into()),
    };
    let data = obj.remove("data").ok_or("missing \"data\"")?;
    Ok(InputLine { stream, ts, data })
}

/// `data` (object by name, or array in declared order) as a row of `schema`.
pub fn row(schema: &Schema, data: &Json) -> Result<Vec<Value>, String> {
    match data {
        Json::Object(map) => {
            for k in map.keys() {
                if schema.attr(k).is_none() {
                    return Err(format!(
                        "stream '{}' has no attribute '{k}'{}",
                        schema.name(),
                        eventflux::suggest::did_you_mean(k, schema.names())
                    ));
                }
            }
            schema
                .attrs()
                .iter()
                .map(|a| {
                    value(a.ty, map.get(&a.name).unwrap_or(&Json::Null))
                        .map_err(|e| format!("attribute '{}': {e}", a.name))
                })
                .collect()
        }
        Json::Array(items) => {
            if items.len() != schema.len() {
                return Err(format!(
                    "stream '{}' has {} attributes, the array has {}",
                    schema.name(),
                    schema.len(),
                    items.len()
                ));
            }
            schema
                .attrs()
                .iter()
                .zip(items)
                .map(|(a, v)| value(a.ty, v).map_err(|e| format!("attribute '{}': {e}", a.name)))
                .collect()
        }
        _ => Err("\"data\" must be an object or an array".into()),
    }
}

fn value(ty: AttrType, v: &Json) -> Result<Value, String> {
    if v.is_null() {
        return Ok(Value::Null);
    }
    let bad = || format!("expected {ty}, got {v}");
    Ok(match ty {
        AttrType::Int => Value::Int(
            v.as_i64()
                .and_then(|i| i32::try_from(i).ok())
                .ok_or_else(bad)?,
        ),
        AttrType::Long => Value::Long(v.as_i64().ok_or_else(bad)?),
        AttrType::Float => Value::Float(v.as_f64().ok_or_else(bad)? as f32),
        AttrType::Double => Value::Double(v.as_f64().ok_or_else(bad)?),
        AttrType::Bool => Value::Bool(v.as_bool().ok_or_else(bad)?),
        AttrType::String => Value::from(v.as_str().ok_or_else(bad)?),
        AttrType::Bytes => {
            let s = v.as_str().ok_or_else(bad)?;
            Value::from(
                base64::engine::general_purpose::STANDARD
                    .decode(s)
                    .map_err(|e| format!("BYTES must be base64: {e}"))?,
            )
        }
    })
}

pub fn to_json(v: &Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Int(i) => json!(i),
        Value::Long(l) => json!(l),
        Value::Float(f) if f.is_finite() => json!(*f as f64),
        Value::Double(d) if d.is_finite() => json!(d),
        Value::Float(_) | Value::Double(_) => Json::Null,
        Value::Bool(b) => json!(b),
        Value::String(s) => json!(s.as_ref()),
        Value::Bytes(b) => json!(base64::engine::general_purpose::STANDARD.encode(b)),
    }
}

/// One output line.
pub fn output_line(stream: &str, schema: &Schema, e: &Event) -> Json {
    let mut data = Map::new();
    for (a, v) in schema.attrs().iter().zip(e.data.iter()) {
        data.insert(a.name.clone(), to_json(v));
    }
    let mut obj = Map::new();
    obj.insert("stream".into(), json!(stream));
    obj.insert("ts".into(), json!(e.ts));
    obj.insert("data".into(), Json::Object(data));
    if e.kind == EventKind::Expired {
        obj.insert("expired".into(), json!(true));
    }
    Json::Object(obj)
}

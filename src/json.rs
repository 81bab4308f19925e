//! Events and values as JSON, the one mapping the replay format, the CLI's output and the REST
//! API share: a row is an object by attribute name (missing = null) or an array in declared
//! order; BYTES are base64; non-finite floats are null.

use crate::schema::Schema;
use crate::value::{AttrType, Value};
use base64::Engine as _;
use serde_json::{json, Value as Json};

/// `data` (object by name, or array in declared order) as a row of `schema`.
pub fn row(schema: &Schema, data: &Json) -> Result<Vec<Value>, String> {
    match data {
        Json::Object(map) => {
            for k in map.keys() {
                if schema.attr(k).is_none() {
                    return Err(format!(
                        "stream '{}' has no attribute '{k}'{}",
                        schema.name(),
                        crate::suggest::did_you_mean(k, schema.names())
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
        _ => Err(
            "a row must be an object (by attribute name) or an array (in declared order)".into(),
        ),
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
        // Nested JSON into a STRING is its JSON text, as the json mapper does.
        AttrType::String => match v {
            Json::Object(_) | Json::Array(_) => Value::from(v.to_string().as_str()),
            _ => Value::from(v.as_str().ok_or_else(bad)?),
        },
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

/// A value as JSON.
pub fn to_json(v: &Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Int(i) => json!(i),
        Value::Long(l) => json!(l),
        // The double nearest the float's shortest decimal form: 34.6f prints as 34.6, as the
        // json mapper writes it, not as 34.599998474121094.
        Value::Float(f) if f.is_finite() => {
            json!(f.to_string().parse::<f64>().unwrap_or(*f as f64))
        }
        Value::Double(d) if d.is_finite() => json!(d),
        Value::Float(_) | Value::Double(_) => Json::Null,
        Value::Bool(b) => json!(b),
        Value::String(s) => json!(s.as_ref()),
        Value::Bytes(b) => json!(base64::engine::general_purpose::STANDARD.encode(b)),
    }
}

#[cfg(test)]
mod float_tests {
    use super::*;

    #[test]
    fn a_float_prints_as_its_shortest_decimal() {
        assert_eq!(to_json(&Value::Float(34.6)).to_string(), "34.6");
        assert_eq!(to_json(&Value::Float(1e-7)).to_string(), "1e-7");
        assert_eq!(to_json(&Value::Float(f32::NAN)), Json::Null);
    }
}

//! One JSON value converted to an attribute's type, the same way whether it comes from the
//! streaming decoder or from a parsed `serde_json::Value`.

use super::decode::Field;
use super::B64_DECODE;
use crate::connector::mapper::text::quote_for_error;
use crate::value::{AttrType, Value};
use base64::Engine as _;
use bytes::Bytes;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::Deserialize as _;
use serde_json::Value as Json;
use std::fmt;
use std::sync::Arc;

/// One attribute's value, converted to its type (used on the stream and on `&serde_json::Value`).
pub(super) struct TypedSeed<'a>(pub(super) &'a Field);

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

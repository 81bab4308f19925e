//! The compact self-describing row encoding (the `binary` mapper's format):
//!
//! ```text
//! row   := count:u16 value*count
//! value := 0x00                      NULL
//!        | 0x01 b:u8                 BOOL (0 or 1)
//!        | 0x02 i32                  INT
//!        | 0x03 i64                  BIGINT
//!        | 0x04 f32                  FLOAT
//!        | 0x05 f64                  DOUBLE
//!        | 0x06 len:u32 utf8*len     STRING
//!        | 0x07 len:u32 byte*len     BYTES
//! ```
//! All integers little-endian. Each value carries its type, so a row decodes without the
//! schema; decoding against a schema also checks the types.

use crate::schema::Schema;
use crate::value::{AttrType, Value};
use bytes::Bytes;
use std::sync::Arc;

const NULL: u8 = 0;
const BOOL: u8 = 1;
const INT: u8 = 2;
const LONG: u8 = 3;
const FLOAT: u8 = 4;
const DOUBLE: u8 = 5;
const STRING: u8 = 6;
const BYTES: u8 = 7;

/// Appends one row.
pub fn encode_row(values: &[Value], out: &mut Vec<u8>) {
    out.extend_from_slice(&(values.len() as u16).to_le_bytes());
    for v in values {
        match v {
            Value::Null => out.push(NULL),
            Value::Bool(b) => out.extend_from_slice(&[BOOL, *b as u8]),
            Value::Int(i) => {
                out.push(INT);
                out.extend_from_slice(&i.to_le_bytes());
            }
            Value::Long(i) => {
                out.push(LONG);
                out.extend_from_slice(&i.to_le_bytes());
            }
            Value::Float(f) => {
                out.push(FLOAT);
                out.extend_from_slice(&f.to_le_bytes());
            }
            Value::Double(f) => {
                out.push(DOUBLE);
                out.extend_from_slice(&f.to_le_bytes());
            }
            Value::String(s) => {
                out.push(STRING);
                out.extend_from_slice(&(s.len() as u32).to_le_bytes());
                out.extend_from_slice(s.as_bytes());
            }
            Value::Bytes(b) => {
                out.push(BYTES);
                out.extend_from_slice(&(b.len() as u32).to_le_bytes());
                out.extend_from_slice(b);
            }
        }
    }
}

/// Decodes one row that fills `payload` exactly. Strings and bytes share `payload`'s buffer
/// where they can (bytes are zero-copy).
pub fn decode_row(payload: &Bytes) -> Result<Vec<Value>, String> {
    let mut r = Reader {
        buf: payload,
        at: 0,
    };
    let count = u16::from_le_bytes(r.take::<2>()?) as usize;
    let mut values = Vec::with_capacity(count);
    for i in 0..count {
        let tag = r.take::<1>()?[0];
        let v = match tag {
            NULL => Value::Null,
            BOOL => Value::Bool(r.take::<1>()?[0] != 0),
            INT => Value::Int(i32::from_le_bytes(r.take()?)),
            LONG => Value::Long(i64::from_le_bytes(r.take()?)),
            FLOAT => Value::Float(f32::from_le_bytes(r.take()?)),
            DOUBLE => Value::Double(f64::from_le_bytes(r.take()?)),
            STRING => {
                let bytes = r.slice()?;
                let text = std::str::from_utf8(&bytes)
                    .map_err(|_| format!("value {i}: STRING is not UTF-8"))?;
                Value::String(Arc::from(text))
            }
            BYTES => Value::Bytes(r.slice()?),
            other => return Err(format!("value {i}: unknown type tag {other}")),
        };
        values.push(v);
    }
    if r.at != payload.len() {
        return Err(format!(
            "{} bytes left after {count} values",
            payload.len() - r.at
        ));
    }
    Ok(values)
}

/// Decodes a row for `schema`: the count and each value's type must match (NULL fits any).
pub fn decode_for(payload: &Bytes, schema: &Schema) -> Result<Vec<Value>, String> {
    let values = decode_row(payload)?;
    if values.len() != schema.len() {
        return Err(format!(
            "the row has {} values; stream {} has {} attributes",
            values.len(),
            schema.name(),
            schema.len()
        ));
    }
    for (v, a) in values.iter().zip(schema.attrs()) {
        let fits = matches!(
            (v, a.ty),
            (Value::Null, _)
                | (Value::Bool(_), AttrType::Bool)
                | (Value::Int(_), AttrType::Int)
                | (Value::Long(_), AttrType::Long)
                | (Value::Float(_), AttrType::Float)
                | (Value::Double(_), AttrType::Double)
                | (Value::String(_), AttrType::String)
                | (Value::Bytes(_), AttrType::Bytes)
        );
        if !fits {
            return Err(format!(
                "attribute '{}' is {:?} but the row holds {v:?}",
                a.name, a.ty
            ));
        }
    }
    Ok(values)
}

struct Reader<'a> {
    buf: &'a Bytes,
    at: usize,
}

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> Result<[u8; N], String> {
        let end = self.at + N;
        let bytes = self
            .buf
            .get(self.at..end)
            .ok_or_else(|| format!("row truncated at byte {}", self.at))?;
        self.at = end;
        Ok(bytes.try_into().expect("length checked"))
    }

    fn slice(&mut self) -> Result<Bytes, String> {
        let len = u32::from_le_bytes(self.take()?) as usize;
        let end = self.at + len;
        if end > self.buf.len() {
            return Err(format!("a {len}-byte value runs past the row's end"));
        }
        let s = self.buf.slice(self.at..end);
        self.at = end;
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_round_trips() {
        let row = vec![
            Value::Null,
            Value::Bool(true),
            Value::Int(-7),
            Value::Long(1 << 40),
            Value::Float(1.5),
            Value::Double(-2.25),
            Value::from("héllo"),
            Value::Bytes(Bytes::from_static(b"\x00\xff")),
        ];
        let mut out = Vec::new();
        encode_row(&row, &mut out);
        assert_eq!(decode_row(&Bytes::from(out)).unwrap(), row);
    }

    #[test]
    fn damage_is_reported_not_panicked() {
        let mut out = Vec::new();
        encode_row(&[Value::from("abc"), Value::Int(1)], &mut out);
        for cut in 0..out.len() {
            assert!(decode_row(&Bytes::copy_from_slice(&out[..cut])).is_err());
        }
        let schema = Schema::of("S", &[("a", AttrType::Long), ("b", AttrType::Int)]);
        let err = decode_for(&Bytes::from(out), &schema).unwrap_err();
        assert!(err.contains("attribute 'a'"), "{err}");
    }
}

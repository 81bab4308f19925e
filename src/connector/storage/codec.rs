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
use bytes::{Buf, BufMut, Bytes};
use std::sync::Arc;

const NULL: u8 = 0;
const BOOL: u8 = 1;
const INT: u8 = 2;
const LONG: u8 = 3;
const FLOAT: u8 = 4;
const DOUBLE: u8 = 5;
const STRING: u8 = 6;
const BYTES: u8 = 7;

/// Why a payload is not a row (the first five: damage) or not a row of the stream (the last two).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CodecError {
    #[error("row truncated at byte {at}")]
    Truncated { at: usize },
    #[error("a {len}-byte value runs past the row's end")]
    ValueOverrun { len: usize },
    #[error("value {index}: STRING is not UTF-8")]
    NotUtf8 { index: usize },
    #[error("value {index}: unknown type tag {tag}")]
    UnknownTag { index: usize, tag: u8 },
    #[error("{left} bytes left after {count} values")]
    TrailingBytes { left: usize, count: usize },
    #[error("the row has {values} values; stream {stream} has {attributes} attributes")]
    WrongCount {
        values: usize,
        stream: String,
        attributes: usize,
    },
    #[error("attribute '{attribute}' is {expected:?} but the row holds {value:?}")]
    WrongType {
        attribute: String,
        expected: AttrType,
        value: Value,
    },
}

/// Appends one row.
pub fn encode_row(values: &[Value], out: &mut Vec<u8>) {
    out.put_u16_le(values.len() as u16);
    for v in values {
        match v {
            Value::Null => out.put_u8(NULL),
            Value::Bool(b) => out.put_slice(&[BOOL, *b as u8]),
            Value::Int(i) => {
                out.put_u8(INT);
                out.put_i32_le(*i);
            }
            Value::Long(i) => {
                out.put_u8(LONG);
                out.put_i64_le(*i);
            }
            Value::Float(f) => {
                out.put_u8(FLOAT);
                out.put_f32_le(*f);
            }
            Value::Double(f) => {
                out.put_u8(DOUBLE);
                out.put_f64_le(*f);
            }
            Value::String(s) => {
                out.put_u8(STRING);
                out.put_u32_le(s.len() as u32);
                out.put_slice(s.as_bytes());
            }
            Value::Bytes(b) => {
                out.put_u8(BYTES);
                out.put_u32_le(b.len() as u32);
                out.put_slice(b);
            }
        }
    }
}

/// Decodes one row that fills `payload` exactly. Strings and bytes share `payload`'s buffer
/// where they can (bytes are zero-copy).
pub fn decode_row(payload: &Bytes) -> Result<Vec<Value>, CodecError> {
    let mut r = Reader {
        rest: payload.clone(),
        len: payload.len(),
    };
    let count = r.need(2)?.get_u16_le() as usize;
    // Every value takes at least its tag byte: a damaged count reserves no more than that.
    let mut values = Vec::with_capacity(count.min(r.rest.remaining()));
    for i in 0..count {
        let tag = r.need(1)?.get_u8();
        let v = match tag {
            NULL => Value::Null,
            BOOL => Value::Bool(r.need(1)?.get_u8() != 0),
            INT => Value::Int(r.need(4)?.get_i32_le()),
            LONG => Value::Long(r.need(8)?.get_i64_le()),
            FLOAT => Value::Float(r.need(4)?.get_f32_le()),
            DOUBLE => Value::Double(r.need(8)?.get_f64_le()),
            STRING => {
                let bytes = r.slice()?;
                let text =
                    std::str::from_utf8(&bytes).map_err(|_| CodecError::NotUtf8 { index: i })?;
                Value::String(Arc::from(text))
            }
            BYTES => Value::Bytes(r.slice()?),
            other => {
                return Err(CodecError::UnknownTag {
                    index: i,
                    tag: other,
                })
            }
        };
        values.push(v);
    }
    if r.rest.has_remaining() {
        return Err(CodecError::TrailingBytes {
            left: r.rest.remaining(),
            count,
        });
    }
    Ok(values)
}

/// Decodes a row for `schema`: the count and each value's type must match (NULL fits any).
pub fn decode_for(payload: &Bytes, schema: &Schema) -> Result<Vec<Value>, CodecError> {
    let values = decode_row(payload)?;
    if values.len() != schema.len() {
        return Err(CodecError::WrongCount {
            values: values.len(),
            stream: schema.name().to_string(),
            attributes: schema.len(),
        });
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
            return Err(CodecError::WrongType {
                attribute: a.name.clone(),
                expected: a.ty,
                value: v.clone(),
            });
        }
    }
    Ok(values)
}

/// The part of a payload not read yet; every read checks that enough is left first.
struct Reader {
    rest: Bytes,
    /// The whole payload's length, to say where a short row ends.
    len: usize,
}

impl Reader {
    /// The rest, if it holds at least `n` more bytes.
    fn need(&mut self, n: usize) -> Result<&mut Bytes, CodecError> {
        if self.rest.remaining() < n {
            return Err(CodecError::Truncated {
                at: self.len - self.rest.remaining(),
            });
        }
        Ok(&mut self.rest)
    }

    /// A u32 length and that many bytes, shared with the payload.
    fn slice(&mut self) -> Result<Bytes, CodecError> {
        let len = self.need(4)?.get_u32_le() as usize;
        if self.rest.remaining() < len {
            return Err(CodecError::ValueOverrun { len });
        }
        Ok(self.rest.split_to(len))
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
        let err = decode_for(&Bytes::from(out), &schema)
            .unwrap_err()
            .to_string();
        assert!(err.contains("attribute 'a'"), "{err}");
    }
}

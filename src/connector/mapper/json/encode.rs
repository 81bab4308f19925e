//! The `json` mapper's sink side: one object per event, keys in schema order.

use super::B64;
use crate::connector::SinkMapper;
use crate::event::Event;
use crate::schema::Schema;
use crate::value::{AttrType, Value};
use base64::Engine as _;

pub(super) struct JsonSink {
    /// Per attribute: `"name":` (with a leading `,` after the first) and whether the attribute
    /// is FLOAT/DOUBLE (integers are then written as floats).
    fields: Box<[(Box<[u8]>, bool)]>,
}

impl JsonSink {
    pub(super) fn new(schema: &Schema) -> JsonSink {
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

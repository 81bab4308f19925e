//! Events as RowBinary rows of a checked table: each value range-checked and written the way
//! its server column type takes it.

use super::config::Source;
use super::ddl::quote;
use super::schema::{Base, ColType, Plan};
use crate::event::Event;
use crate::value::Value;
use bytes::{BufMut, BytesMut};

/// Appends one event as a RowBinary row.
pub(super) fn encode_row(plan: &Plan, event: &Event, out: &mut BytesMut) -> Result<(), String> {
    for slot in &plan.slots {
        let ts;
        let value = match slot.source {
            Source::Attr(i, _) => event.get(i),
            Source::Ts => {
                ts = Value::Long(event.ts);
                &ts
            }
        };
        put_value(out, slot.ty, value).map_err(|why| {
            format!(
                "column {} ({}): {why}",
                quote(&slot.column),
                slot.server_type
            )
        })?;
    }
    Ok(())
}

pub(super) fn put_value(out: &mut BytesMut, ty: ColType, value: &Value) -> Result<(), String> {
    if value.is_null() {
        if !ty.nullable {
            return Err("the value is NULL and the column is not Nullable".into());
        }
        out.put_u8(1);
        return Ok(());
    }
    if ty.nullable {
        out.put_u8(0);
    }
    let wrong = || format!("cannot write the value {value}");
    match ty.base {
        Base::Int { bytes, signed } => {
            let v = integer(value).ok_or_else(wrong)?;
            put_int(out, v, bytes, signed)?;
        }
        Base::Float32 => out.put_f32_le(value.as_f64().ok_or_else(wrong)? as f32),
        Base::Float64 => out.put_f64_le(value.as_f64().ok_or_else(wrong)?),
        Base::Bool => match value {
            Value::Bool(b) => out.put_u8(*b as u8),
            _ => return Err(wrong()),
        },
        Base::String => match value {
            Value::String(s) => put_bytes(out, s.as_bytes()),
            Value::Bytes(b) => put_bytes(out, b),
            _ => return Err(wrong()),
        },
        Base::DateTime => {
            let secs = integer(value).ok_or_else(wrong)?.div_euclid(1000);
            let secs = u32::try_from(secs)
                .map_err(|_| format!("{value} ms is outside DateTime's range"))?;
            out.put_u32_le(secs);
        }
        Base::DateTime64(precision) => {
            let ms = integer(value).ok_or_else(wrong)?;
            let ticks = if precision >= 3 {
                ms.checked_mul(10i64.pow(precision - 3))
                    .ok_or_else(|| format!("{value} ms is outside DateTime64's range"))?
            } else {
                ms.div_euclid(10i64.pow(3 - precision))
            };
            out.put_i64_le(ticks);
        }
    }
    Ok(())
}

pub(super) fn integer(value: &Value) -> Option<i64> {
    match value {
        Value::Int(v) => Some(*v as i64),
        Value::Long(v) => Some(*v),
        Value::Bool(b) => Some(*b as i64),
        _ => None,
    }
}

/// Little-endian, `bytes` wide, after a range check (truncating two's complement is then exact).
pub(super) fn put_int(
    out: &mut BytesMut,
    v: i64,
    bytes: usize,
    signed: bool,
) -> Result<(), String> {
    let bits = bytes as u32 * 8;
    let fits = match (signed, bits) {
        (true, 64) => true,
        (true, _) => (-(1i64 << (bits - 1))..(1i64 << (bits - 1))).contains(&v),
        (false, 64) => v >= 0,
        (false, _) => (0..(1i64 << bits)).contains(&v),
    };
    if !fits {
        return Err(format!("{v} is out of the column's range"));
    }
    out.put_int_le(v, bytes);
    Ok(())
}

/// A String: LEB128 length, then the bytes.
pub(super) fn put_bytes(out: &mut BytesMut, bytes: &[u8]) {
    let mut n = bytes.len() as u64;
    while n >= 0x80 {
        out.put_u8((n as u8) | 0x80);
        n >>= 7;
    }
    out.put_u8(n as u8);
    out.put_slice(bytes);
}

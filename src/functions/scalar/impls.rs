//! Argument access and the pieces several implementations share (numeric widening, rounding,
//! character offsets), plus the implementations too long to write inline.

use super::super::FnContext;
use crate::value::{AttrType, Value};
use std::sync::Arc;

pub(super) fn string(args: &[Value], i: usize) -> Option<&Arc<str>> {
    match args.get(i)? {
        Value::String(s) => Some(s),
        _ => None,
    }
}

pub(super) fn num(args: &[Value], i: usize) -> Option<f64> {
    args.get(i)?.as_f64()
}

/// Bytes, or a string's UTF-8 bytes.
pub(super) fn binary(args: &[Value], i: usize) -> Option<&[u8]> {
    match args.get(i)? {
        Value::Bytes(b) => Some(b),
        Value::String(s) => Some(s.as_bytes()),
        _ => None,
    }
}

/// `chosen` converted to the widest numeric type among the non-NULL `peers` (coalesce, if).
pub(super) fn widened(chosen: &Value, peers: &[Value]) -> Option<Value> {
    let Some(own) = chosen.attr_type() else {
        return Some(Value::Null);
    };
    let target = peers
        .iter()
        .filter_map(Value::attr_type)
        .fold(own, |t, p| AttrType::widen(t, p).unwrap_or(t));
    if target == own {
        Some(chosen.clone())
    } else {
        chosen.cast(target)
    }
}

/// A float result; NULL for a domain error (NaN) or an overflow from finite inputs.
pub(super) fn float_result(r: f64, finite_inputs: bool) -> Option<Value> {
    if r.is_nan() || (r.is_infinite() && finite_inputs) {
        None
    } else {
        Some(Value::Double(r))
    }
}

/// ceil/floor: integers unchanged, anything else through `f` as DOUBLE.
pub(super) fn integral(args: &[Value], f: fn(f64) -> f64) -> Option<Value> {
    match args.first()? {
        v @ (Value::Int(_) | Value::Long(_)) => Some(v.clone()),
        v => Some(Value::Double(f(v.as_f64()?))),
    }
}

/// Byte offset of the `n`th character of `s` (its length when `s` is shorter).
pub(super) fn char_offset(s: &str, n: usize) -> usize {
    s.char_indices().nth(n).map_or(s.len(), |(i, _)| i)
}

pub(super) fn substr(args: &[Value], _: &FnContext) -> Option<Value> {
    let s = string(args, 0)?;
    let start = args.get(1)?.as_i64()?;
    // SQL: characters at 1-based positions [start, start + length); positions before 1 are
    // cut off, so substr('abc', 0, 2) = 'a'.
    let end = match args.get(2) {
        Some(len) => match len.as_i64()? {
            l if l < 0 => return None,
            l => Some(start.saturating_add(l)),
        },
        None => None,
    };
    let from = start.max(1);
    if end.is_some_and(|e| e <= from) {
        return Some(Value::string(""));
    }
    let a = char_offset(s, usize::try_from(from - 1).unwrap_or(usize::MAX));
    let b = match end {
        Some(e) => a + char_offset(&s[a..], usize::try_from(e - from).unwrap_or(usize::MAX)),
        None => s.len(),
    };
    Some(if a == 0 && b == s.len() {
        Value::String(s.clone())
    } else {
        Value::string(&s[a..b])
    })
}

pub(super) fn round(args: &[Value], _: &FnContext) -> Option<Value> {
    let digits = match args.get(1) {
        Some(d) => d.as_i64()?.clamp(-400, 400) as i32,
        None => 0,
    };
    Some(match args.first()? {
        Value::Int(v) => Value::Int(i32::try_from(round_int(i128::from(*v), digits)).ok()?),
        Value::Long(v) => Value::Long(i64::try_from(round_int(i128::from(*v), digits)).ok()?),
        v => Value::Double(round_f64(v.as_f64()?, digits)),
    })
}

/// Rounds an integer to `digits` decimal places: only negative `digits` change it.
pub(super) fn round_int(v: i128, digits: i32) -> i128 {
    if digits >= 0 {
        return v;
    }
    if digits < -38 {
        return 0;
    }
    let p = 10i128.pow(digits.unsigned_abs());
    let r = (v.abs() + p / 2) / p * p;
    if v < 0 {
        -r
    } else {
        r
    }
}

pub(super) fn round_f64(x: f64, digits: i32) -> f64 {
    if digits == 0 || !x.is_finite() {
        return x.round();
    }
    if digits > 0 {
        let p = 10f64.powi(digits);
        let y = x * p;
        // Beyond 2^52 every double is already integral at this scale.
        if !y.is_finite() || y.abs() >= 4_503_599_627_370_496.0 {
            return x;
        }
        round_half_away(y) / p
    } else {
        let p = 10f64.powi(-digits);
        if !p.is_finite() {
            return 0.0;
        }
        round_half_away(x / p) * p
    }
}

/// Rounds half away from zero, treating values within a couple of ulps of .5 as halves: the
/// scaled value of a decimal tie is often just off it (2.675 * 100 = 267.49999999999997).
pub(super) fn round_half_away(y: f64) -> f64 {
    let t = y.trunc();
    if ((y - t).abs() - 0.5).abs() <= y.abs() * 2.0 * f64::EPSILON {
        t + y.signum()
    } else {
        y.round()
    }
}

//! The built-in scalar functions: the library, one [`Def`] each. How a `Def` becomes a
//! [`ScalarFunction`] is in [`def`]; shared pieces of the implementations in [`impls`].
//!
//! Each function is described by a [`Def`]: its parameters (by [`Kind`]), how the result type
//! follows from the argument types ([`Returns`]) and an eval function. The type rule, the
//! signature shown in the docs and SQL NULL handling are derived from that description.

use super::ScalarFunction;
use crate::value::{AttrType, Value};
use base64::Engine as _;
use std::cmp::Ordering;
use std::fmt::Write as _;

mod def;
mod impls;
#[cfg(test)]
mod tests;

pub(super) use def::{Def, Kind, Param, Returns};
use impls::*;

pub fn builtins() -> Vec<ScalarFunction> {
    use Kind::{Any, Binary, Bool, Int, Num, Str};
    use Returns::{Common, First, Fixed, Integral, SameNumeric};
    const S: &[Param] = &[("s", Str)];
    const X: &[Param] = &[("x", Num)];

    let substr_def = Def::new(
        "substr",
        &[("s", Str), ("start", Int), ("length", Int)],
        Fixed(AttrType::String),
        "The part of s from 1-based character position start, at most length characters long.",
        substr,
    )
    .optional(1);
    let ln = Def::new(
        "ln",
        X,
        Fixed(AttrType::Double),
        "Natural logarithm of x; NULL when x <= 0.",
        |a, _| {
            let x = num(a, 0)?;
            if x > 0.0 {
                Some(Value::Double(x.ln()))
            } else {
                None
            }
        },
    );

    let current_time_millis = Def::new(
        "current_time_millis",
        &[],
        Fixed(AttrType::Long),
        "The app clock's time in epoch milliseconds (the playback time in playback mode).",
        |_, ctx| Some(Value::Long(ctx.clock.now())),
    )
    .volatile();
    let event_timestamp = Def::new(
        "event_timestamp",
        &[],
        Fixed(AttrType::Long),
        "The timestamp of the event being evaluated, in epoch milliseconds.",
        |_, ctx| Some(Value::Long(ctx.event_ts)),
    )
    .volatile();
    let if_def = Def::new(
        "if",
        &[("cond", Bool), ("then", Any), ("else", Any)],
        Common(1),
        "then when cond is true, otherwise else (also when cond is NULL).",
        |a, _| {
            let branches = a.get(1..3)?;
            let chosen = match a.first()? {
                Value::Bool(true) => &branches[0],
                Value::Bool(false) | Value::Null => &branches[1],
                _ => return None,
            };
            widened(chosen, branches)
        },
    )
    .lenient();

    vec![
        // Strings.
        Def::new(
            "upper",
            S,
            Fixed(AttrType::String),
            "Converts s to upper case.",
            |a, _| {
                let s = string(a, 0)?;
                Some(
                    if s.is_ascii() && !s.bytes().any(|b| b.is_ascii_lowercase()) {
                        Value::String(s.clone())
                    } else {
                        Value::from(s.to_uppercase())
                    },
                )
            },
        )
        .build(),
        Def::new(
            "lower",
            S,
            Fixed(AttrType::String),
            "Converts s to lower case.",
            |a, _| {
                let s = string(a, 0)?;
                Some(
                    if s.is_ascii() && !s.bytes().any(|b| b.is_ascii_uppercase()) {
                        Value::String(s.clone())
                    } else {
                        Value::from(s.to_lowercase())
                    },
                )
            },
        )
        .build(),
        Def::new(
            "length",
            &[("s", Binary)],
            Fixed(AttrType::Int),
            "Number of characters in a string, or of bytes in a BYTES value.",
            |a, _| {
                let n = match a.first()? {
                    Value::String(s) => s.chars().count(),
                    Value::Bytes(b) => b.len(),
                    _ => return None,
                };
                Some(Value::Int(i32::try_from(n).unwrap_or(i32::MAX)))
            },
        )
        .build(),
        Def::new(
            "concat",
            &[("value", Any)],
            Fixed(AttrType::String),
            "Concatenates the text form of its arguments, skipping NULLs.",
            |a, _| {
                let mut out = String::new();
                for v in a {
                    match v {
                        Value::Null => {}
                        Value::String(s) => out.push_str(s),
                        v => {
                            let _ = write!(out, "{v}");
                        }
                    }
                }
                Some(Value::from(out))
            },
        )
        .variadic()
        .lenient()
        .build(),
        substr_def.build(),
        substr_def.alias("substring"),
        Def::new(
            "trim",
            S,
            Fixed(AttrType::String),
            "Removes leading and trailing whitespace from s.",
            |a, _| {
                let s = string(a, 0)?;
                let t = s.trim();
                Some(if t.len() == s.len() {
                    Value::String(s.clone())
                } else {
                    Value::string(t)
                })
            },
        )
        .build(),
        Def::new(
            "replace",
            &[("s", Str), ("from", Str), ("to", Str)],
            Fixed(AttrType::String),
            "Replaces every occurrence of from in s with to.",
            |a, _| {
                let (s, from, to) = (string(a, 0)?, string(a, 1)?, string(a, 2)?);
                Some(if from.is_empty() || !s.contains(from.as_ref()) {
                    Value::String(s.clone())
                } else {
                    Value::from(s.replace(from.as_ref(), to))
                })
            },
        )
        .build(),
        Def::new(
            "contains",
            &[("s", Str), ("sub", Str)],
            Fixed(AttrType::Bool),
            "Whether s contains sub.",
            |a, _| {
                let (s, sub) = (string(a, 0)?, string(a, 1)?);
                Some(Value::Bool(s.contains(sub.as_ref())))
            },
        )
        .build(),
        Def::new(
            "starts_with",
            &[("s", Str), ("prefix", Str)],
            Fixed(AttrType::Bool),
            "Whether s starts with prefix.",
            |a, _| {
                let (s, prefix) = (string(a, 0)?, string(a, 1)?);
                Some(Value::Bool(s.starts_with(prefix.as_ref())))
            },
        )
        .build(),
        // Numbers.
        Def::new(
            "abs",
            X,
            SameNumeric,
            "Absolute value of x (the INT/BIGINT minimum wraps to itself).",
            |a, _| {
                Some(match a.first()? {
                    Value::Int(v) => Value::Int(v.wrapping_abs()),
                    Value::Long(v) => Value::Long(v.wrapping_abs()),
                    Value::Float(v) => Value::Float(v.abs()),
                    Value::Double(v) => Value::Double(v.abs()),
                    _ => return None,
                })
            },
        )
        .build(),
        Def::new(
            "ceil",
            X,
            Integral,
            "Smallest integral value not less than x.",
            |a, _| integral(a, f64::ceil),
        )
        .build(),
        Def::new(
            "floor",
            X,
            Integral,
            "Largest integral value not greater than x.",
            |a, _| integral(a, f64::floor),
        )
        .build(),
        Def::new(
            "round",
            &[("x", Num), ("digits", Int)],
            Integral,
            "Rounds x to digits decimal places (default 0, negative rounds left of the point), \
             halves away from zero.",
            round,
        )
        .optional(1)
        .build(),
        Def::new(
            "sqrt",
            X,
            Fixed(AttrType::Double),
            "Square root of x; NULL when x is negative.",
            |a, _| {
                let x = num(a, 0)?;
                float_result(x.sqrt(), x.is_finite())
            },
        )
        .build(),
        Def::new(
            "power",
            &[("x", Num), ("y", Num)],
            Fixed(AttrType::Double),
            "x raised to the power y; NULL when undefined or out of range.",
            |a, _| {
                let (x, y) = (num(a, 0)?, num(a, 1)?);
                float_result(x.powf(y), x.is_finite() && y.is_finite())
            },
        )
        .build(),
        ln.build(),
        ln.alias("log"),
        Def::new(
            "exp",
            X,
            Fixed(AttrType::Double),
            "e raised to the power x; NULL on overflow.",
            |a, _| {
                let x = num(a, 0)?;
                float_result(x.exp(), x.is_finite())
            },
        )
        .build(),
        // Conditionals.
        Def::new(
            "coalesce",
            &[("value", Any)],
            Common(0),
            "The first non-NULL argument.",
            |a, _| match a.iter().find(|v| !v.is_null()) {
                Some(v) => widened(v, a),
                None => Some(Value::Null),
            },
        )
        .variadic()
        .lenient()
        .build(),
        Def::new(
            "default",
            &[("value", Any), ("fallback", Any)],
            Common(0),
            "value, or fallback when value is NULL (Siddhi's default).",
            |a, _| match a.iter().find(|v| !v.is_null()) {
                Some(v) => widened(v, a),
                None => Some(Value::Null),
            },
        )
        .lenient()
        .build(),
        Def::new(
            "nullif",
            &[("a", Any), ("b", Any)],
            First,
            "NULL if a equals b, otherwise a.",
            |a, _| {
                let (x, y) = (a.first()?, a.get(1)?);
                Some(if x.sql_cmp(y) == Some(Ordering::Equal) {
                    Value::Null
                } else {
                    x.clone()
                })
            },
        )
        .lenient()
        .build(),
        if_def.build(),
        // Siddhi's spelling.
        if_def.alias("ifThenElse"),
        Def::new(
            "maximum",
            &[("value", Num)],
            Common(0),
            "The largest non-NULL argument (Siddhi's maximum); NULL when all are NULL.",
            |a, _| extreme(a, Ordering::Greater),
        )
        .variadic()
        .lenient()
        .build(),
        Def::new(
            "minimum",
            &[("value", Num)],
            Common(0),
            "The smallest non-NULL argument (Siddhi's minimum); NULL when all are NULL.",
            |a, _| extreme(a, Ordering::Less),
        )
        .variadic()
        .lenient()
        .build(),
        // Siddhi's type tests: false for NULL.
        Def::new(
            "instanceOfBoolean",
            &[("x", Any)],
            Fixed(AttrType::Bool),
            "Whether x is a BOOL value (false for NULL).",
            |a, _| is_a(a, AttrType::Bool),
        )
        .lenient()
        .build(),
        Def::new(
            "instanceOfInteger",
            &[("x", Any)],
            Fixed(AttrType::Bool),
            "Whether x is an INT value (false for NULL).",
            |a, _| is_a(a, AttrType::Int),
        )
        .lenient()
        .build(),
        Def::new(
            "instanceOfLong",
            &[("x", Any)],
            Fixed(AttrType::Bool),
            "Whether x is a BIGINT value (false for NULL).",
            |a, _| is_a(a, AttrType::Long),
        )
        .lenient()
        .build(),
        Def::new(
            "instanceOfFloat",
            &[("x", Any)],
            Fixed(AttrType::Bool),
            "Whether x is a FLOAT value (false for NULL).",
            |a, _| is_a(a, AttrType::Float),
        )
        .lenient()
        .build(),
        Def::new(
            "instanceOfDouble",
            &[("x", Any)],
            Fixed(AttrType::Bool),
            "Whether x is a DOUBLE value (false for NULL).",
            |a, _| is_a(a, AttrType::Double),
        )
        .lenient()
        .build(),
        Def::new(
            "instanceOfString",
            &[("x", Any)],
            Fixed(AttrType::Bool),
            "Whether x is a STRING value (false for NULL).",
            |a, _| is_a(a, AttrType::String),
        )
        .lenient()
        .build(),
        // Context and generators.
        Def::new(
            "uuid",
            &[],
            Fixed(AttrType::String),
            "A random version 4 UUID.",
            |_, _| {
                let mut buf = uuid::Uuid::encode_buffer();
                let id = uuid::Uuid::new_v4();
                Some(Value::string(id.hyphenated().encode_lower(&mut buf)))
            },
        )
        .volatile()
        .build(),
        current_time_millis.build(),
        current_time_millis.alias("currentTimeMillis"),
        event_timestamp.build(),
        event_timestamp.alias("eventTimestamp"),
        Def::new(
            "window_start",
            &[],
            Fixed(AttrType::Long),
            "In the SELECT of a time window query (time, timeLength, timeBatch, tumbling, \
             sliding/hop): the start of the window the row belongs to, epoch milliseconds. A \
             batch's start for batch windows, now minus the length for sliding ones.",
            |_, ctx| ctx.window.map(|(start, _)| Value::Long(start)),
        )
        .volatile()
        .build(),
        Def::new(
            "window_end",
            &[],
            Fixed(AttrType::Long),
            "In the SELECT of a time window query: the end (exclusive) of the window the row \
             belongs to, epoch milliseconds: a batch's end, or now for sliding windows.",
            |_, ctx| ctx.window.map(|(_, end)| Value::Long(end)),
        )
        .volatile()
        .build(),
        // Encodings.
        Def::new(
            "to_hex",
            &[("b", Binary)],
            Fixed(AttrType::String),
            "Lower-case hexadecimal form of bytes (of a string's UTF-8 bytes).",
            |a, _| {
                const DIGITS: &[u8; 16] = b"0123456789abcdef";
                let b = binary(a, 0)?;
                let mut out = String::with_capacity(b.len() * 2);
                for &x in b {
                    out.push(DIGITS[usize::from(x >> 4)] as char);
                    out.push(DIGITS[usize::from(x & 0xf)] as char);
                }
                Some(Value::from(out))
            },
        )
        .build(),
        Def::new(
            "to_base64",
            &[("b", Binary)],
            Fixed(AttrType::String),
            "Standard base64 (with padding) of bytes (of a string's UTF-8 bytes).",
            |a, _| {
                let b = binary(a, 0)?;
                Some(Value::from(
                    base64::engine::general_purpose::STANDARD.encode(b),
                ))
            },
        )
        .build(),
    ]
}

/// The argument furthest in `direction` (Greater: the largest), NULLs skipped, widened to the
/// arguments' common type; NULL when all are NULL.
fn extreme(a: &[Value], direction: Ordering) -> Option<Value> {
    let mut best: Option<&Value> = None;
    for v in a.iter().filter(|v| !v.is_null()) {
        if best.is_none_or(|b| v.sql_cmp(b) == Some(direction)) {
            best = Some(v);
        }
    }
    match best {
        Some(v) => widened(v, a),
        None => Some(Value::Null),
    }
}

fn is_a(a: &[Value], ty: AttrType) -> Option<Value> {
    Some(Value::Bool(a.first()?.attr_type() == Some(ty)))
}

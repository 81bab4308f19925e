//! The built-in scalar functions.
//!
//! Each function is described by a [`Def`]: its parameters (by [`Kind`]), how the result type
//! follows from the argument types ([`Returns`]) and an eval function. The type rule, the
//! signature shown in the docs and SQL NULL handling are derived from that description.

use super::{FnContext, ScalarFunction};
use crate::value::{AttrType, Value};
use base64::Engine as _;
use std::cmp::Ordering;
use std::fmt::Write as _;
use std::sync::Arc;

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
        Def::new(
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
        Def::new(
            "current_time_millis",
            &[],
            Fixed(AttrType::Long),
            "The app clock's time in epoch milliseconds (the playback time in playback mode).",
            |_, ctx| Some(Value::Long(ctx.clock.now())),
        )
        .volatile()
        .build(),
        Def::new(
            "event_timestamp",
            &[],
            Fixed(AttrType::Long),
            "The timestamp of the event being evaluated, in epoch milliseconds.",
            |_, ctx| Some(Value::Long(ctx.event_ts)),
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

// ---------------------------------------------------------------------------------------------
// Describing functions.

/// What an argument position accepts. A NULL literal (`None` type) is accepted everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Str,
    /// Any numeric type.
    Num,
    /// INT or BIGINT.
    Int,
    Bool,
    /// BYTES, or STRING standing for its UTF-8 bytes.
    Binary,
    Any,
}

impl Kind {
    fn accepts(self, t: AttrType) -> bool {
        match self {
            Kind::Str => t == AttrType::String,
            Kind::Num => t.is_numeric(),
            Kind::Int => matches!(t, AttrType::Int | AttrType::Long),
            Kind::Bool => t == AttrType::Bool,
            Kind::Binary => matches!(t, AttrType::Bytes | AttrType::String),
            Kind::Any => true,
        }
    }

    /// How the kind is written in a signature.
    fn doc(self) -> &'static str {
        match self {
            Kind::Str => "STRING",
            Kind::Num => "NUMERIC",
            Kind::Int => "INT",
            Kind::Bool => "BOOL",
            Kind::Binary => "BYTES|STRING",
            Kind::Any => "ANY",
        }
    }

    /// How the kind is named in a type error.
    fn expected(self) -> &'static str {
        match self {
            Kind::Str => "STRING",
            Kind::Num => "a numeric type",
            Kind::Int => "INT or BIGINT",
            Kind::Bool => "BOOL",
            Kind::Binary => "BYTES or STRING",
            Kind::Any => "any type",
        }
    }
}

/// A parameter: its name in the signature and what it accepts.
type Param = (&'static str, Kind);

/// How the result type follows from the argument types.
#[derive(Debug, Clone, Copy)]
enum Returns {
    Fixed(AttrType),
    /// The type of numeric argument 1 (abs); DOUBLE for a NULL literal.
    SameNumeric,
    /// INT/BIGINT argument 1 keeps its type, anything else gives DOUBLE (ceil, floor, round).
    Integral,
    /// The common type of the arguments from this index on (coalesce, if): all of one type, or
    /// numbers widened INT < BIGINT < FLOAT < DOUBLE; STRING when all are NULL literals.
    Common(usize),
    /// The type of argument 1, which must share a type with the others (nullif).
    First,
}

impl Returns {
    fn resolve(self, name: &str, args: &[Option<AttrType>]) -> Result<AttrType, String> {
        let first = args.first().copied().flatten();
        Ok(match self {
            Returns::Fixed(t) => t,
            Returns::SameNumeric => first.unwrap_or(AttrType::Double),
            Returns::Integral => match first {
                Some(t @ (AttrType::Int | AttrType::Long)) => t,
                _ => AttrType::Double,
            },
            Returns::Common(from) => common_type(name, args, from)?.unwrap_or(AttrType::String),
            Returns::First => {
                let common = common_type(name, args, 0)?;
                first.or(common).unwrap_or(AttrType::String)
            }
        })
    }

    fn doc(self, params: &[Param]) -> String {
        let x = params.first().map_or("x", |p| p.0);
        match self {
            Returns::Fixed(t) => t.name().to_string(),
            Returns::SameNumeric => format!("type of {x}"),
            Returns::Integral => format!("type of {x} if INT/BIGINT, else DOUBLE"),
            Returns::Common(_) => "common type of the values".to_string(),
            Returns::First => format!("type of {x}"),
        }
    }
}

/// The common type of `args[from..]` (ignoring NULL literals), or an error naming the first two
/// arguments that do not fit together.
fn common_type(
    name: &str,
    args: &[Option<AttrType>],
    from: usize,
) -> Result<Option<AttrType>, String> {
    let mut first: Option<(usize, AttrType)> = None;
    let mut common: Option<AttrType> = None;
    for (i, t) in args.iter().enumerate().skip(from) {
        let Some(t) = *t else { continue };
        common = Some(match (common, first) {
            (Some(c), Some((j, ft))) => {
                if c == t {
                    c
                } else {
                    AttrType::widen(c, t).ok_or_else(|| {
                        format!(
                            "{name} expects arguments of one type, got {ft} as argument {} and \
                             {t} as argument {}",
                            j + 1,
                            i + 1
                        )
                    })?
                }
            }
            _ => {
                first = Some((i, t));
                t
            }
        });
    }
    Ok(common)
}

/// The implementation: `None` means NULL.
type Eval = fn(&[Value], &FnContext) -> Option<Value>;

/// One built-in function, from which the [`ScalarFunction`] is derived.
#[derive(Clone, Copy)]
struct Def {
    name: &'static str,
    params: &'static [Param],
    /// How many trailing parameters may be left out.
    optional: usize,
    /// Whether the last parameter repeats.
    variadic: bool,
    returns: Returns,
    /// Whether any NULL argument makes the result NULL without calling `eval`.
    strict: bool,
    deterministic: bool,
    description: &'static str,
    eval: Eval,
}

impl Def {
    fn new(
        name: &'static str,
        params: &'static [Param],
        returns: Returns,
        description: &'static str,
        eval: Eval,
    ) -> Def {
        Def {
            name,
            params,
            optional: 0,
            variadic: false,
            returns,
            strict: true,
            deterministic: true,
            description,
            eval,
        }
    }

    fn optional(self, optional: usize) -> Def {
        Def { optional, ..self }
    }

    fn variadic(self) -> Def {
        Def {
            variadic: true,
            ..self
        }
    }

    /// NULL arguments reach `eval` (concat, coalesce, nullif, if).
    fn lenient(self) -> Def {
        Def {
            strict: false,
            ..self
        }
    }

    /// The result may change between calls with the same arguments.
    fn volatile(self) -> Def {
        Def {
            deterministic: false,
            ..self
        }
    }

    /// The same function under another name.
    fn alias(self, name: &'static str) -> ScalarFunction {
        let mut f = Def { name, ..self }.build();
        f.description = format!("Alias of {}: {}", self.name, self.description);
        f
    }

    /// `substr(s STRING, start INT[, length INT])`.
    fn head(&self) -> String {
        let mut out = format!("{}(", self.name);
        let required = self.params.len() - self.optional;
        for (i, (name, kind)) in self.params.iter().enumerate() {
            let sep = match (i, i >= required) {
                (0, false) => "",
                (0, true) => "[",
                (_, false) => ", ",
                (_, true) => "[, ",
            };
            let _ = write!(out, "{sep}{name} {}", kind.doc());
        }
        if self.variadic {
            out.push_str(", ...");
        }
        for _ in 0..self.optional {
            out.push(']');
        }
        out.push(')');
        out
    }

    fn arity_error(&self, got: usize) -> String {
        let max = self.params.len();
        let min = max - self.optional;
        let (expected, last) = if self.variadic {
            (format!("at least {min}"), min)
        } else if min == max {
            (min.to_string(), max)
        } else if max == min + 1 {
            (format!("{min} or {max}"), max)
        } else {
            (format!("{min} to {max}"), max)
        };
        let noun = if last == 1 { "argument" } else { "arguments" };
        format!("{} expects {expected} {noun}, got {got}", self.name)
    }

    fn check(&self, head: &str, args: &[Option<AttrType>]) -> Result<AttrType, String> {
        let max = self.params.len();
        if args.len() < max - self.optional || (!self.variadic && args.len() > max) {
            return Err(self.arity_error(args.len()));
        }
        for (i, t) in args.iter().enumerate() {
            let (Some(t), Some((_, kind))) = (t, self.params.get(i).or(self.params.last())) else {
                continue;
            };
            if !kind.accepts(*t) {
                return Err(format!(
                    "{head} expects {} as argument {}, got {t}",
                    kind.expected(),
                    i + 1
                ));
            }
        }
        self.returns.resolve(self.name, args)
    }

    fn build(self) -> ScalarFunction {
        let head = self.head();
        let signature = format!("{head} -> {}", self.returns.doc(self.params));
        let eval = self.eval;
        ScalarFunction {
            name: self.name.to_string(),
            signature,
            description: self.description.to_string(),
            type_rule: Arc::new(move |args| self.check(&head, args)),
            eval: if self.strict {
                Arc::new(move |args, ctx| {
                    if args.iter().any(Value::is_null) {
                        Value::Null
                    } else {
                        eval(args, ctx).unwrap_or(Value::Null)
                    }
                })
            } else {
                Arc::new(move |args, ctx| eval(args, ctx).unwrap_or(Value::Null))
            },
            deterministic: self.deterministic,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Argument access and shared pieces of the implementations.

fn string(args: &[Value], i: usize) -> Option<&Arc<str>> {
    match args.get(i)? {
        Value::String(s) => Some(s),
        _ => None,
    }
}

fn num(args: &[Value], i: usize) -> Option<f64> {
    args.get(i)?.as_f64()
}

/// Bytes, or a string's UTF-8 bytes.
fn binary(args: &[Value], i: usize) -> Option<&[u8]> {
    match args.get(i)? {
        Value::Bytes(b) => Some(b),
        Value::String(s) => Some(s.as_bytes()),
        _ => None,
    }
}

/// `chosen` converted to the widest numeric type among the non-NULL `peers` (coalesce, if).
fn widened(chosen: &Value, peers: &[Value]) -> Option<Value> {
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
fn float_result(r: f64, finite_inputs: bool) -> Option<Value> {
    if r.is_nan() || (r.is_infinite() && finite_inputs) {
        None
    } else {
        Some(Value::Double(r))
    }
}

/// ceil/floor: integers unchanged, anything else through `f` as DOUBLE.
fn integral(args: &[Value], f: fn(f64) -> f64) -> Option<Value> {
    match args.first()? {
        v @ (Value::Int(_) | Value::Long(_)) => Some(v.clone()),
        v => Some(Value::Double(f(v.as_f64()?))),
    }
}

/// Byte offset of the `n`th character of `s` (its length when `s` is shorter).
fn char_offset(s: &str, n: usize) -> usize {
    s.char_indices().nth(n).map_or(s.len(), |(i, _)| i)
}

fn substr(args: &[Value], _: &FnContext) -> Option<Value> {
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

fn round(args: &[Value], _: &FnContext) -> Option<Value> {
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
fn round_int(v: i128, digits: i32) -> i128 {
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

fn round_f64(x: f64, digits: i32) -> f64 {
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
fn round_half_away(y: f64) -> f64 {
    let t = y.trunc();
    if ((y - t).abs() - 0.5).abs() <= y.abs() * 2.0 * f64::EPSILON {
        t + y.signum()
    } else {
        y.round()
    }
}

#[cfg(test)]
mod tests {
    use super::super::FunctionRegistry;
    use super::*;
    use crate::clock::{Clock, ClockMode};
    use bytes::Bytes;

    fn call_at(name: &str, args: &[Value], clock: &Clock, event_ts: i64) -> Value {
        let registry = FunctionRegistry::with_builtins();
        let f = registry
            .get(name)
            .unwrap_or_else(|| panic!("no function {name}"));
        (f.eval)(args, &FnContext { event_ts, clock })
    }

    fn call(name: &str, args: &[Value]) -> Value {
        call_at(name, args, &Clock::new(ClockMode::Playback), 0)
    }

    fn ty(name: &str, args: &[Option<AttrType>]) -> Result<AttrType, String> {
        let registry = FunctionRegistry::with_builtins();
        (registry.get(name).unwrap().type_rule)(args)
    }

    fn s(v: &str) -> Value {
        Value::from(v)
    }

    const I: Option<AttrType> = Some(AttrType::Int);
    const L: Option<AttrType> = Some(AttrType::Long);
    const F: Option<AttrType> = Some(AttrType::Float);
    const D: Option<AttrType> = Some(AttrType::Double);
    const STR: Option<AttrType> = Some(AttrType::String);
    const B: Option<AttrType> = Some(AttrType::Bool);
    const BY: Option<AttrType> = Some(AttrType::Bytes);
    const NUL: Option<AttrType> = None;

    #[test]
    fn registry_has_every_builtin_once() {
        let registry = FunctionRegistry::with_builtins();
        let names: Vec<&str> = registry.names().collect();
        for n in [
            "upper",
            "lower",
            "length",
            "concat",
            "substr",
            "substring",
            "trim",
            "replace",
            "contains",
            "starts_with",
            "abs",
            "ceil",
            "floor",
            "round",
            "sqrt",
            "power",
            "ln",
            "log",
            "exp",
            "coalesce",
            "nullif",
            "if",
            "uuid",
            "current_time_millis",
            "event_timestamp",
            "to_hex",
            "to_base64",
        ] {
            assert!(names.contains(&n), "missing {n}");
        }
        assert_eq!(names.len(), builtins().len(), "duplicate names");
        for f in registry.all() {
            assert!(f.description.ends_with('.'), "{}", f.name);
            assert!(f.signature.starts_with(&format!("{}(", f.name)));
        }
    }

    #[test]
    fn signatures_read_like_sql() {
        let registry = FunctionRegistry::with_builtins();
        let sig = |n: &str| registry.get(n).unwrap().signature.clone();
        assert_eq!(
            sig("substr"),
            "substr(s STRING, start INT[, length INT]) -> STRING"
        );
        assert_eq!(
            sig("substring"),
            "substring(s STRING, start INT[, length INT]) -> STRING"
        );
        assert_eq!(sig("upper"), "upper(s STRING) -> STRING");
        assert_eq!(sig("concat"), "concat(value ANY, ...) -> STRING");
        assert_eq!(sig("uuid"), "uuid() -> STRING");
        assert_eq!(sig("abs"), "abs(x NUMERIC) -> type of x");
        assert!(registry
            .get("log")
            .unwrap()
            .description
            .starts_with("Alias of ln"));
    }

    #[test]
    fn determinism_flags() {
        let registry = FunctionRegistry::with_builtins();
        for f in registry.all() {
            let volatile = matches!(
                f.name.as_str(),
                "uuid" | "current_time_millis" | "event_timestamp"
            );
            assert_eq!(f.deterministic, !volatile, "{}", f.name);
        }
    }

    #[test]
    fn type_errors_name_the_signature_and_argument() {
        assert_eq!(
            ty("upper", &[I]).unwrap_err(),
            "upper(s STRING) expects STRING as argument 1, got INT"
        );
        assert_eq!(
            ty("substr", &[STR]).unwrap_err(),
            "substr expects 2 or 3 arguments, got 1"
        );
        assert_eq!(
            ty("substr", &[STR, D]).unwrap_err(),
            "substr(s STRING, start INT[, length INT]) expects INT or BIGINT as argument 2, got DOUBLE"
        );
        assert_eq!(
            ty("upper", &[STR, STR]).unwrap_err(),
            "upper expects 1 argument, got 2"
        );
        assert_eq!(
            ty("concat", &[]).unwrap_err(),
            "concat expects at least 1 argument, got 0"
        );
        assert_eq!(
            ty("uuid", &[I]).unwrap_err(),
            "uuid expects 0 arguments, got 1"
        );
        assert_eq!(
            ty("sqrt", &[STR]).unwrap_err(),
            "sqrt(x NUMERIC) expects a numeric type as argument 1, got STRING"
        );
        assert_eq!(
            ty("coalesce", &[I, D, STR]).unwrap_err(),
            "coalesce expects arguments of one type, got INT as argument 1 and STRING as argument 3"
        );
        assert_eq!(
            ty("if", &[I, I, I]).unwrap_err(),
            "if(cond BOOL, then ANY, else ANY) expects BOOL as argument 1, got INT"
        );
        assert!(ty("if", &[B, STR, I]).is_err());
        assert!(ty("nullif", &[STR, I]).is_err());
        assert!(ty("length", &[I]).is_err());
        assert!(ty("to_hex", &[D]).is_err());
        assert!(ty("round", &[D, D]).is_err());
        assert!(ty("contains", &[STR, BY]).is_err());
    }

    #[test]
    fn type_rules_compute_result_types() {
        assert_eq!(ty("upper", &[STR]), Ok(AttrType::String));
        assert_eq!(ty("upper", &[NUL]), Ok(AttrType::String));
        assert_eq!(ty("length", &[BY]), Ok(AttrType::Int));
        assert_eq!(ty("concat", &[I, B, NUL, BY]), Ok(AttrType::String));
        assert_eq!(ty("substr", &[STR, L, I]), Ok(AttrType::String));
        assert_eq!(ty("contains", &[STR, NUL]), Ok(AttrType::Bool));
        assert_eq!(ty("abs", &[F]), Ok(AttrType::Float));
        assert_eq!(ty("abs", &[L]), Ok(AttrType::Long));
        assert_eq!(ty("abs", &[NUL]), Ok(AttrType::Double));
        assert_eq!(ty("ceil", &[I]), Ok(AttrType::Int));
        assert_eq!(ty("floor", &[F]), Ok(AttrType::Double));
        assert_eq!(ty("round", &[L, I]), Ok(AttrType::Long));
        assert_eq!(ty("round", &[F, L]), Ok(AttrType::Double));
        assert_eq!(ty("power", &[I, I]), Ok(AttrType::Double));
        assert_eq!(ty("log", &[I]), Ok(AttrType::Double));
        assert_eq!(ty("coalesce", &[I, D]), Ok(AttrType::Double));
        assert_eq!(ty("coalesce", &[NUL, I, L]), Ok(AttrType::Long));
        assert_eq!(ty("coalesce", &[STR, NUL, STR]), Ok(AttrType::String));
        assert_eq!(ty("coalesce", &[NUL]), Ok(AttrType::String));
        assert_eq!(ty("nullif", &[I, D]), Ok(AttrType::Int));
        assert_eq!(ty("nullif", &[NUL, D]), Ok(AttrType::Double));
        assert_eq!(ty("if", &[B, I, F]), Ok(AttrType::Float));
        assert_eq!(ty("if", &[NUL, NUL, BY]), Ok(AttrType::Bytes));
        assert_eq!(ty("current_time_millis", &[]), Ok(AttrType::Long));
        assert_eq!(ty("to_base64", &[STR]), Ok(AttrType::String));
    }

    #[test]
    fn string_functions() {
        assert_eq!(call("upper", &[s("abc ß")]), s("ABC SS"));
        assert_eq!(call("upper", &[s("ABC")]), s("ABC"));
        assert_eq!(call("lower", &[s("ÀbC")]), s("àbc"));
        assert_eq!(call("length", &[s("héllo")]), Value::Int(5));
        assert_eq!(
            call(
                "length",
                &[Value::Bytes(Bytes::from_static("é".as_bytes()))]
            ),
            Value::Int(2)
        );
        assert_eq!(call("trim", &[s("  a b \t\n")]), s("a b"));
        assert_eq!(call("trim", &[s("ab")]), s("ab"));
        assert_eq!(call("replace", &[s("a-b-c"), s("-"), s("+")]), s("a+b+c"));
        assert_eq!(call("replace", &[s("abc"), s(""), s("x")]), s("abc"));
        assert_eq!(call("contains", &[s("hello"), s("ell")]), Value::Bool(true));
        assert_eq!(call("contains", &[s("hello"), s("")]), Value::Bool(true));
        assert_eq!(call("contains", &[s("hello"), s("x")]), Value::Bool(false));
        assert_eq!(
            call("starts_with", &[s("hello"), s("he")]),
            Value::Bool(true)
        );
        assert_eq!(
            call("starts_with", &[s("hello"), s("lo")]),
            Value::Bool(false)
        );
        for f in ["upper", "lower", "length", "trim"] {
            assert_eq!(call(f, &[Value::Null]), Value::Null, "{f}");
        }
        assert_eq!(call("replace", &[s("a"), Value::Null, s("b")]), Value::Null);
        assert_eq!(call("contains", &[Value::Null, s("b")]), Value::Null);
        assert_eq!(call("starts_with", &[s("a"), Value::Null]), Value::Null);
    }

    #[test]
    fn concat_skips_nulls_and_formats_values() {
        assert_eq!(
            call(
                "concat",
                &[
                    s("a"),
                    Value::Int(1),
                    Value::Null,
                    Value::Double(2.5),
                    Value::Bool(true)
                ]
            ),
            s("a12.5true")
        );
        assert_eq!(call("concat", &[Value::Null, Value::Null]), s(""));
        assert_eq!(call("concat", &[Value::Float(1.0)]), s("1.0"));
    }

    #[test]
    fn substr_follows_sql_bounds() {
        let sub = |args: &[Value]| call("substr", args);
        let hello = s("hello");
        assert_eq!(sub(&[hello.clone(), Value::Int(2)]), s("ello"));
        assert_eq!(
            sub(&[hello.clone(), Value::Int(2), Value::Int(3)]),
            s("ell")
        );
        assert_eq!(
            sub(&[hello.clone(), Value::Long(1), Value::Long(5)]),
            s("hello")
        );
        assert_eq!(
            sub(&[hello.clone(), Value::Int(4), Value::Int(10)]),
            s("lo")
        );
        // Positions before 1 count towards the length but are cut off.
        assert_eq!(sub(&[hello.clone(), Value::Int(0), Value::Int(2)]), s("h"));
        assert_eq!(sub(&[hello.clone(), Value::Int(-5), Value::Int(3)]), s(""));
        assert_eq!(sub(&[hello.clone(), Value::Int(-1)]), s("hello"));
        assert_eq!(sub(&[hello.clone(), Value::Int(6)]), s(""));
        assert_eq!(sub(&[hello.clone(), Value::Int(99), Value::Int(2)]), s(""));
        assert_eq!(sub(&[hello.clone(), Value::Int(2), Value::Int(0)]), s(""));
        assert_eq!(
            sub(&[hello.clone(), Value::Int(2), Value::Int(-1)]),
            Value::Null
        );
        assert_eq!(
            sub(&[hello.clone(), Value::Long(i64::MIN), Value::Long(i64::MAX)]),
            s("")
        );
        assert_eq!(
            sub(&[hello.clone(), Value::Long(i64::MAX), Value::Long(i64::MAX)]),
            s("")
        );
        assert_eq!(sub(&[s("añb€c"), Value::Int(2), Value::Int(3)]), s("ñb€"));
        assert_eq!(sub(&[Value::Null, Value::Int(1)]), Value::Null);
        assert_eq!(sub(&[hello.clone(), Value::Null]), Value::Null);
        assert_eq!(
            sub(&[hello.clone(), Value::Int(1), Value::Null]),
            Value::Null
        );
        assert_eq!(
            call("substring", &[hello, Value::Int(2), Value::Int(2)]),
            s("el")
        );
    }

    #[test]
    fn abs_keeps_type_and_wraps() {
        assert_eq!(call("abs", &[Value::Int(-3)]), Value::Int(3));
        assert_eq!(call("abs", &[Value::Int(i32::MIN)]), Value::Int(i32::MIN));
        assert_eq!(call("abs", &[Value::Long(i64::MIN)]), Value::Long(i64::MIN));
        assert_eq!(call("abs", &[Value::Float(-1.5)]), Value::Float(1.5));
        assert_eq!(call("abs", &[Value::Double(-0.25)]), Value::Double(0.25));
        assert_eq!(call("abs", &[Value::Null]), Value::Null);
    }

    #[test]
    fn ceil_floor_round() {
        assert_eq!(call("ceil", &[Value::Int(7)]), Value::Int(7));
        assert_eq!(call("ceil", &[Value::Double(1.2)]), Value::Double(2.0));
        assert_eq!(call("ceil", &[Value::Float(-1.5)]), Value::Double(-1.0));
        assert_eq!(call("floor", &[Value::Long(-7)]), Value::Long(-7));
        assert_eq!(call("floor", &[Value::Double(-1.2)]), Value::Double(-2.0));
        assert_eq!(call("floor", &[Value::Null]), Value::Null);

        let round = |x: Value, d: Option<i32>| match d {
            Some(d) => call("round", &[x, Value::Int(d)]),
            None => call("round", &[x]),
        };
        assert_eq!(round(Value::Double(2.5), None), Value::Double(3.0));
        assert_eq!(round(Value::Double(-2.5), None), Value::Double(-3.0));
        assert_eq!(round(Value::Double(2.4), None), Value::Double(2.0));
        assert_eq!(round(Value::Float(0.5), None), Value::Double(1.0));
        assert_eq!(round(Value::Double(2.675), Some(2)), Value::Double(2.68));
        assert_eq!(round(Value::Double(1.005), Some(2)), Value::Double(1.01));
        assert_eq!(round(Value::Double(-0.125), Some(2)), Value::Double(-0.13));
        assert_eq!(round(Value::Double(1.23456), Some(3)), Value::Double(1.235));
        assert_eq!(
            round(Value::Double(1234.5), Some(-2)),
            Value::Double(1200.0)
        );
        assert_eq!(
            round(Value::Double(1250.0), Some(-2)),
            Value::Double(1300.0)
        );
        assert_eq!(round(Value::Double(1.5), Some(400)), Value::Double(1.5));
        assert_eq!(round(Value::Double(1e300), Some(10)), Value::Double(1e300));
        assert_eq!(round(Value::Double(123.0), Some(-400)), Value::Double(0.0));
        assert_eq!(round(Value::Int(17), None), Value::Int(17));
        assert_eq!(round(Value::Int(17), Some(2)), Value::Int(17));
        assert_eq!(round(Value::Int(-1250), Some(-2)), Value::Int(-1300));
        assert_eq!(round(Value::Long(1249), Some(-2)), Value::Long(1200));
        assert_eq!(round(Value::Long(5), Some(-100)), Value::Long(0));
        // Rounding past the type's range has no value.
        assert_eq!(round(Value::Int(i32::MAX), Some(-1)), Value::Null);
        assert_eq!(
            call("round", &[Value::Double(1.5), Value::Long(i64::MIN)]),
            Value::Double(0.0)
        );
        assert_eq!(
            call("round", &[Value::Double(1.5), Value::Null]),
            Value::Null
        );
        assert_eq!(round(Value::Null, Some(1)), Value::Null);
    }

    #[test]
    fn math_domain_errors_give_null() {
        assert_eq!(call("sqrt", &[Value::Int(16)]), Value::Double(4.0));
        assert_eq!(call("sqrt", &[Value::Double(-1.0)]), Value::Null);
        assert_eq!(
            call("power", &[Value::Int(2), Value::Long(10)]),
            Value::Double(1024.0)
        );
        assert_eq!(
            call("power", &[Value::Double(4.0), Value::Float(0.5)]),
            Value::Double(2.0)
        );
        assert_eq!(call("power", &[Value::Int(0), Value::Int(-1)]), Value::Null);
        assert_eq!(
            call("power", &[Value::Int(-8), Value::Double(1.0 / 3.0)]),
            Value::Null
        );
        assert_eq!(
            call("power", &[Value::Int(10), Value::Int(400)]),
            Value::Null
        );
        assert_eq!(call("power", &[Value::Null, Value::Int(1)]), Value::Null);
        assert_eq!(call("ln", &[Value::Int(1)]), Value::Double(0.0));
        assert_eq!(
            call("log", &[Value::Double(std::f64::consts::E)]),
            Value::Double(1.0)
        );
        assert_eq!(call("ln", &[Value::Int(0)]), Value::Null);
        assert_eq!(call("log", &[Value::Double(-2.0)]), Value::Null);
        assert_eq!(call("exp", &[Value::Int(0)]), Value::Double(1.0));
        assert_eq!(call("exp", &[Value::Int(1000)]), Value::Null);
        assert_eq!(call("exp", &[Value::Null]), Value::Null);
    }

    #[test]
    fn coalesce_picks_first_non_null_and_widens() {
        assert_eq!(call("coalesce", &[Value::Null, s("a"), s("b")]), s("a"));
        assert_eq!(call("coalesce", &[Value::Null, Value::Null]), Value::Null);
        assert_eq!(
            call("coalesce", &[Value::Int(1), Value::Double(2.0)]),
            Value::Double(1.0)
        );
        assert_eq!(
            call("coalesce", &[Value::Null, Value::Int(7), Value::Long(9)]),
            Value::Long(7)
        );
        assert_eq!(
            call("coalesce", &[Value::Long(3), Value::Int(1)]),
            Value::Long(3)
        );
    }

    #[test]
    fn nullif_and_if() {
        assert_eq!(call("nullif", &[Value::Int(1), Value::Int(1)]), Value::Null);
        assert_eq!(
            call("nullif", &[Value::Int(1), Value::Double(1.0)]),
            Value::Null
        );
        assert_eq!(
            call("nullif", &[Value::Int(1), Value::Int(2)]),
            Value::Int(1)
        );
        assert_eq!(call("nullif", &[s("a"), Value::Null]), s("a"));
        assert_eq!(call("nullif", &[Value::Null, s("a")]), Value::Null);

        let iff = |c: Value, a: Value, b: Value| call("if", &[c, a, b]);
        assert_eq!(iff(Value::Bool(true), s("a"), s("b")), s("a"));
        assert_eq!(iff(Value::Bool(false), s("a"), s("b")), s("b"));
        assert_eq!(iff(Value::Null, s("a"), s("b")), s("b"));
        assert_eq!(iff(Value::Bool(true), Value::Null, s("b")), Value::Null);
        assert_eq!(
            iff(Value::Bool(true), Value::Int(2), Value::Double(0.5)),
            Value::Double(2.0)
        );
        assert_eq!(
            iff(Value::Bool(false), Value::Int(2), Value::Long(5)),
            Value::Long(5)
        );
    }

    #[test]
    fn context_functions() {
        let clock = Clock::new(ClockMode::Playback);
        clock.advance_to(1_700_000_000_123);
        assert_eq!(
            call_at("current_time_millis", &[], &clock, 5),
            Value::Long(1_700_000_000_123)
        );
        assert_eq!(call_at("event_timestamp", &[], &clock, 42), Value::Long(42));

        let a = call("uuid", &[]);
        let b = call("uuid", &[]);
        let text = a.as_str().unwrap();
        assert_eq!(text.len(), 36);
        assert_eq!(text.as_bytes()[14], b'4');
        assert!(text
            .chars()
            .all(|c| c == '-' || c.is_ascii_digit() || c.is_ascii_lowercase()));
        assert_ne!(a, b);
    }

    #[test]
    fn encodings() {
        let bytes = Value::Bytes(Bytes::from_static(&[0x00, 0xab, 0x10, 0xff]));
        assert_eq!(call("to_hex", std::slice::from_ref(&bytes)), s("00ab10ff"));
        assert_eq!(call("to_hex", &[s("Hi")]), s("4869"));
        assert_eq!(call("to_hex", &[s("")]), s(""));
        assert_eq!(call("to_base64", &[bytes]), s("AKsQ/w=="));
        assert_eq!(call("to_base64", &[s("hello")]), s("aGVsbG8="));
        assert_eq!(call("to_hex", &[Value::Null]), Value::Null);
        assert_eq!(call("to_base64", &[Value::Null]), Value::Null);
    }

    #[test]
    fn nothing_panics_on_odd_input() {
        let samples = [
            Value::Null,
            Value::Int(i32::MIN),
            Value::Long(i64::MAX),
            Value::Float(f32::NAN),
            Value::Double(f64::NEG_INFINITY),
            Value::Bool(true),
            s("ß€x"),
            Value::Bytes(Bytes::from_static(&[0xff])),
        ];
        let types = [NUL, I, L, F, D, B, STR, BY];
        let clock = Clock::new(ClockMode::Wall);
        let ctx = FnContext {
            event_ts: 0,
            clock: &clock,
        };
        for f in builtins() {
            let _ = (f.eval)(&[], &ctx);
            let _ = (f.type_rule)(&[]);
            for a in &samples {
                let _ = (f.eval)(std::slice::from_ref(a), &ctx);
                for b in &samples {
                    for c in &samples {
                        let _ = (f.eval)(&[a.clone(), b.clone(), c.clone()], &ctx);
                    }
                    let _ = (f.eval)(&[a.clone(), b.clone()], &ctx);
                }
            }
            for a in types {
                let _ = (f.type_rule)(&[a]);
                for b in types {
                    let _ = (f.type_rule)(&[a, b]);
                    for c in types {
                        let _ = (f.type_rule)(&[a, b, c]);
                    }
                }
            }
        }
    }
}

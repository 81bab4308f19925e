//! Every built-in through the registry: results, NULLs, domain errors and type errors.

use super::super::{FnContext, FunctionRegistry};
use super::*;
use crate::clock::{Clock, ClockMode};
use crate::value::{AttrType, Value};
use bytes::Bytes;

fn call_at(name: &str, args: &[Value], clock: &Clock, event_ts: i64) -> Value {
    let registry = FunctionRegistry::with_builtins();
    let f = registry
        .get(name)
        .unwrap_or_else(|| panic!("no function {name}"));
    (f.eval)(
        args,
        &FnContext {
            event_ts,
            clock,
            window: Some((100, 200)),
        },
    )
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
    let frame = super::super::frame::builtins().len();
    assert_eq!(names.len(), builtins().len() + frame, "duplicate names");
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
            "uuid"
                | "current_time_millis"
                | "currentTimeMillis"
                | "event_timestamp"
                | "eventTimestamp"
                | "window_start"
                | "window_end"
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
        window: None,
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

#[test]
fn maximum_and_minimum_skip_nulls_and_widen() {
    let (i, d) = (Value::Int, Value::Double);
    assert_eq!(call("maximum", &[i(3), i(9), i(4)]), i(9));
    assert_eq!(call("minimum", &[i(3), i(9), i(4)]), i(3));
    assert_eq!(call("maximum", &[Value::Null, i(2), Value::Null]), i(2));
    assert_eq!(call("minimum", &[Value::Null, Value::Null]), Value::Null);
    assert_eq!(
        call("maximum", &[i(3), d(2.5)]),
        d(3.0),
        "widened to DOUBLE"
    );
    assert_eq!(ty("maximum", &[I, D]), Ok(AttrType::Double));
    assert!(ty("maximum", &[I, STR]).is_err());
}

#[test]
fn instance_of_tests_the_value_and_is_false_for_null() {
    assert_eq!(
        call("instanceOfInteger", &[Value::Int(1)]),
        Value::Bool(true)
    );
    assert_eq!(call("instanceOfLong", &[Value::Int(1)]), Value::Bool(false));
    assert_eq!(call("instanceOfString", &[Value::Null]), Value::Bool(false));
    assert_eq!(
        call(
            "ifThenElse",
            &[Value::Bool(true), Value::Int(1), Value::Int(2)]
        ),
        Value::Int(1)
    );
}

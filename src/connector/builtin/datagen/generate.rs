//! The per-attribute value generators of the `datagen` source, everything precomputed.

use crate::value::Value;
use bytes::Bytes;
use std::sync::Arc;

/// A per-attribute generator, with everything it needs precomputed.
#[derive(Debug)]
pub(super) enum Gen {
    /// Integers `next, next+1, ...`, back to `min` after `max`.
    SeqInt {
        min: i64,
        max: i64,
        next: i64,
        long: bool,
    },
    SeqFloat {
        min: f64,
        max: Option<f64>,
        next: f64,
        single: bool,
    },
    RandInt {
        min: i64,
        max: i64,
        long: bool,
    },
    RandFloat {
        min: f64,
        max: f64,
        single: bool,
    },
    RandBool,
    RandString {
        length: usize,
    },
    RandBytes {
        length: usize,
    },
    OneOf(Vec<Value>),
}

impl Gen {
    pub(super) fn next(&mut self, rng: &mut fastrand::Rng) -> Value {
        match self {
            Gen::SeqInt {
                min,
                max,
                next,
                long,
            } => {
                let v = *next;
                *next = if v >= *max { *min } else { v + 1 };
                int_value(v, *long)
            }
            Gen::SeqFloat {
                min,
                max,
                next,
                single,
            } => {
                let v = *next;
                *next = v + 1.0;
                if max.is_some_and(|m| *next > m) {
                    *next = *min;
                }
                float_value(v, *single)
            }
            Gen::RandInt { min, max, long } => int_value(rng.i64(*min..=*max), *long),
            Gen::RandFloat { min, max, single } => {
                float_value(*min + rng.f64() * (*max - *min), *single)
            }
            Gen::RandBool => Value::Bool(rng.bool()),
            Gen::RandString { length } => {
                let s: String = (0..*length).map(|_| rng.alphanumeric()).collect();
                Value::String(Arc::from(s))
            }
            Gen::RandBytes { length } => {
                let mut b = vec![0u8; *length];
                rng.fill(&mut b);
                Value::Bytes(Bytes::from(b))
            }
            Gen::OneOf(values) => values[rng.usize(..values.len())].clone(),
        }
    }
}

fn int_value(v: i64, long: bool) -> Value {
    if long {
        Value::Long(v)
    } else {
        Value::Int(v as i32)
    }
}

fn float_value(v: f64, single: bool) -> Value {
    if single {
        Value::Float(v as f32)
    } else {
        Value::Double(v)
    }
}

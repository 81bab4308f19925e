//! Values and attribute types: the data model every layer shares.

use bytes::Bytes;
use std::cmp::Ordering;
use std::fmt;
use std::sync::Arc;

/// The declared type of a stream attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AttrType {
    Int,
    Long,
    Float,
    Double,
    Bool,
    String,
    Bytes,
}

impl AttrType {
    /// Every type with the spellings the language accepts (first = canonical).
    pub const SPELLINGS: &'static [(&'static str, AttrType)] = &[
        ("INT", AttrType::Int),
        ("INTEGER", AttrType::Int),
        ("BIGINT", AttrType::Long),
        ("LONG", AttrType::Long),
        ("FLOAT", AttrType::Float),
        ("REAL", AttrType::Float),
        ("DOUBLE", AttrType::Double),
        ("BOOL", AttrType::Bool),
        ("BOOLEAN", AttrType::Bool),
        ("STRING", AttrType::String),
        ("VARCHAR", AttrType::String),
        ("TEXT", AttrType::String),
        ("BYTES", AttrType::Bytes),
        ("BLOB", AttrType::Bytes),
    ];

    /// Parses a type name case-insensitively (`varchar`, `BIGINT`, ...).
    pub fn parse(name: &str) -> Option<AttrType> {
        let upper = name.to_ascii_uppercase();
        Self::SPELLINGS
            .iter()
            .find(|(s, _)| *s == upper)
            .map(|(_, t)| *t)
    }

    pub fn name(self) -> &'static str {
        match self {
            AttrType::Int => "INT",
            AttrType::Long => "BIGINT",
            AttrType::Float => "FLOAT",
            AttrType::Double => "DOUBLE",
            AttrType::Bool => "BOOL",
            AttrType::String => "STRING",
            AttrType::Bytes => "BYTES",
        }
    }

    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            AttrType::Int | AttrType::Long | AttrType::Float | AttrType::Double
        )
    }

    fn numeric_rank(self) -> Option<u8> {
        match self {
            AttrType::Int => Some(0),
            AttrType::Long => Some(1),
            AttrType::Float => Some(2),
            AttrType::Double => Some(3),
            _ => None,
        }
    }

    /// The wider of two numeric types (INT < LONG < FLOAT < DOUBLE).
    pub fn widen(a: AttrType, b: AttrType) -> Option<AttrType> {
        let (ra, rb) = (a.numeric_rank()?, b.numeric_rank()?);
        Some(if ra >= rb { a } else { b })
    }

    /// Whether a value of `self` may be stored in an attribute of type `to` without loss of kind
    /// (same type, or numeric widening).
    pub fn assignable_to(self, to: AttrType) -> bool {
        self == to || Self::widen(self, to) == Some(to)
    }
}

impl fmt::Display for AttrType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One attribute value. Strings and byte payloads are shared, never copied, when events fan out.
#[derive(Debug, Clone, Default)]
pub enum Value {
    #[default]
    Null,
    Int(i32),
    Long(i64),
    Float(f32),
    Double(f64),
    Bool(bool),
    String(Arc<str>),
    Bytes(Bytes),
}

impl Value {
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The type of a non-null value.
    #[inline]
    pub fn attr_type(&self) -> Option<AttrType> {
        Some(match self {
            Value::Null => return None,
            Value::Int(_) => AttrType::Int,
            Value::Long(_) => AttrType::Long,
            Value::Float(_) => AttrType::Float,
            Value::Double(_) => AttrType::Double,
            Value::Bool(_) => AttrType::Bool,
            Value::String(_) => AttrType::String,
            Value::Bytes(_) => AttrType::Bytes,
        })
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int(v) => Some(*v as i64),
            Value::Long(v) => Some(*v),
            Value::Float(v) => Some(*v as i64),
            Value::Double(v) => Some(*v as i64),
            _ => None,
        }
    }

    #[inline]
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(v) => Some(*v as f64),
            Value::Long(v) => Some(*v as f64),
            Value::Float(v) => Some(*v as f64),
            Value::Double(v) => Some(*v),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bytes(&self) -> Option<&Bytes> {
        match self {
            Value::Bytes(b) => Some(b),
            _ => None,
        }
    }

    pub fn string(s: &str) -> Value {
        Value::String(Arc::from(s))
    }

    /// Converts this value to `to` the way `CAST` does; `None` when the text or number does not
    /// fit (the caller decides whether that is NULL or an error).
    pub fn cast(&self, to: AttrType) -> Option<Value> {
        if self.is_null() {
            return Some(Value::Null);
        }
        Some(match to {
            // A number that does not fit (NaN, infinities, out of range) is None, never a
            // saturated or wrapped value.
            AttrType::Int => match self {
                Value::String(s) => Value::Int(s.trim().parse().ok()?),
                Value::Bool(b) => Value::Int(*b as i32),
                Value::Float(f) => Value::Int(float_to_int(*f as f64, 31)? as i32),
                Value::Double(f) => Value::Int(float_to_int(*f, 31)? as i32),
                v => Value::Int(i32::try_from(v.as_i64()?).ok()?),
            },
            AttrType::Long => match self {
                Value::String(s) => Value::Long(s.trim().parse().ok()?),
                Value::Bool(b) => Value::Long(*b as i64),
                Value::Float(f) => Value::Long(float_to_int(*f as f64, 63)? as i64),
                Value::Double(f) => Value::Long(float_to_int(*f, 63)? as i64),
                v => Value::Long(v.as_i64()?),
            },
            AttrType::Float => match self {
                Value::String(s) => Value::Float(s.trim().parse().ok()?),
                Value::Bool(b) => Value::Float(*b as i32 as f32),
                v => Value::Float(v.as_f64()? as f32),
            },
            AttrType::Double => match self {
                Value::String(s) => Value::Double(s.trim().parse().ok()?),
                Value::Bool(b) => Value::Double(*b as i32 as f64),
                v => Value::Double(v.as_f64()?),
            },
            AttrType::Bool => match self {
                Value::Bool(b) => Value::Bool(*b),
                Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
                    "true" | "t" | "1" | "yes" => Value::Bool(true),
                    "false" | "f" | "0" | "no" => Value::Bool(false),
                    _ => return None,
                },
                v => Value::Bool(v.as_f64()? != 0.0),
            },
            AttrType::String => match self {
                Value::String(s) => Value::String(s.clone()),
                v => Value::String(Arc::from(v.to_string())),
            },
            AttrType::Bytes => match self {
                Value::Bytes(b) => Value::Bytes(b.clone()),
                Value::String(s) => Value::Bytes(Bytes::copy_from_slice(s.as_bytes())),
                _ => return None,
            },
        })
    }

    /// SQL comparison of two values of comparable types; `None` when either is NULL or the
    /// kinds differ (numbers compare across widths).
    #[inline]
    pub fn sql_cmp(&self, other: &Value) -> Option<Ordering> {
        match (self, other) {
            (Value::Int(a), Value::Int(b)) => Some(a.cmp(b)),
            (Value::Long(a), Value::Long(b)) => Some(a.cmp(b)),
            (Value::String(a), Value::String(b)) => Some(a.as_ref().cmp(b.as_ref())),
            (Value::Bool(a), Value::Bool(b)) => Some(a.cmp(b)),
            (Value::Bytes(a), Value::Bytes(b)) => Some(a.cmp(b)),
            (Value::Int(_) | Value::Long(_), Value::Int(_) | Value::Long(_)) => {
                Some(self.as_i64()?.cmp(&other.as_i64()?))
            }
            (a, b) => a.as_f64()?.partial_cmp(&b.as_f64()?),
        }
    }
}

impl PartialEq for Value {
    /// Structural equality (NULL equals NULL here; SQL's `=` uses [`Value::sql_cmp`]).
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Float(a), Value::Float(b)) => a.to_bits() == b.to_bits() || a == b,
            (Value::Double(a), Value::Double(b)) => a.to_bits() == b.to_bits() || a == b,
            (a, b) if a.attr_type() == b.attr_type() => a.sql_cmp(b) == Some(Ordering::Equal),
            _ => false,
        }
    }
}

impl fmt::Display for Value {
    /// Human-readable form: numbers as written, strings raw, bytes as hex with a length.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Int(v) => write!(f, "{v}"),
            Value::Long(v) => write!(f, "{v}"),
            Value::Float(v) => write!(f, "{v:?}"),
            Value::Double(v) => write!(f, "{v:?}"),
            Value::Bool(v) => write!(f, "{v}"),
            Value::String(s) => f.write_str(s),
            Value::Bytes(b) => {
                write!(f, "<{} bytes>", b.len())
            }
        }
    }
}

impl From<i32> for Value {
    fn from(v: i32) -> Self {
        Value::Int(v)
    }
}
impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Long(v)
    }
}
impl From<f32> for Value {
    fn from(v: f32) -> Self {
        Value::Float(v)
    }
}
impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Double(v)
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::String(Arc::from(v))
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::String(Arc::from(v))
    }
}
impl From<Bytes> for Value {
    fn from(v: Bytes) -> Self {
        Value::Bytes(v)
    }
}
impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Self {
        Value::Bytes(Bytes::from(v))
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

/// `f` truncated toward zero, if it is finite and in `[-2^bits, 2^bits)`: what an integer of
/// `bits + 1` bits holds (both bounds are exact in f64).
fn float_to_int(f: f64, bits: i32) -> Option<f64> {
    let t = f.trunc();
    let limit = 2f64.powi(bits);
    (t.is_finite() && t >= -limit && t < limit).then_some(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widening_follows_int_long_float_double() {
        assert_eq!(
            AttrType::widen(AttrType::Int, AttrType::Long),
            Some(AttrType::Long)
        );
        assert_eq!(
            AttrType::widen(AttrType::Float, AttrType::Long),
            Some(AttrType::Float)
        );
        assert_eq!(AttrType::widen(AttrType::Int, AttrType::String), None);
        assert!(AttrType::Int.assignable_to(AttrType::Double));
        assert!(!AttrType::Double.assignable_to(AttrType::Int));
    }

    #[test]
    fn cast_parses_text_and_rejects_garbage() {
        assert_eq!(Value::from("42").cast(AttrType::Int), Some(Value::Int(42)));
        assert_eq!(Value::from("4x").cast(AttrType::Int), None);
        assert_eq!(
            Value::Double(2.9).cast(AttrType::Long),
            Some(Value::Long(2))
        );
        assert_eq!(Value::Int(7).cast(AttrType::String), Some(Value::from("7")));
        assert_eq!(Value::Null.cast(AttrType::Int), Some(Value::Null));
        // What does not fit is None (NULL), never saturated or wrapped.
        for v in [
            Value::Double(1e308),
            Value::Double(f64::NAN),
            Value::Float(f32::INFINITY),
        ] {
            assert_eq!(v.cast(AttrType::Int), None, "{v:?}");
            assert_eq!(v.cast(AttrType::Long), None, "{v:?}");
        }
        assert_eq!(Value::Long(5_000_000_000).cast(AttrType::Int), None);
        assert_eq!(
            Value::Double(2147483647.9).cast(AttrType::Int),
            Some(Value::Int(i32::MAX))
        );
        assert_eq!(
            Value::Double(-2147483648.5).cast(AttrType::Int),
            Some(Value::Int(i32::MIN))
        );
        assert_eq!(Value::Double(9.3e18).cast(AttrType::Long), None);
    }

    #[test]
    fn comparison_crosses_numeric_widths_and_not_kinds() {
        assert_eq!(
            Value::Int(3).sql_cmp(&Value::Double(3.5)),
            Some(Ordering::Less)
        );
        assert_eq!(
            Value::Long(3).sql_cmp(&Value::Int(3)),
            Some(Ordering::Equal)
        );
        assert_eq!(Value::Int(3).sql_cmp(&Value::from("3")), None);
        assert_eq!(Value::Null.sql_cmp(&Value::Int(1)), None);
    }

    #[test]
    fn value_stays_small() {
        // Values fan out by the million: keep them at 40 bytes or less (Bytes is 32 + tag).
        assert!(std::mem::size_of::<Value>() <= 40);
    }
}

//! Stream schemas: ordered, named, typed attributes.

use crate::value::AttrType;
use std::fmt;
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    pub name: String,
    pub ty: AttrType,
}

/// The attributes of a stream, in declared order. Cheap to clone (shared).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schema {
    name: Arc<str>,
    attrs: Arc<[Attribute]>,
}

impl Schema {
    pub fn new(name: &str, attrs: Vec<Attribute>) -> Schema {
        Schema {
            name: Arc::from(name),
            attrs: Arc::from(attrs),
        }
    }

    /// Shorthand for tests and examples: `Schema::of("S", &[("a", AttrType::Int)])`.
    pub fn of(name: &str, attrs: &[(&str, AttrType)]) -> Schema {
        Schema::new(
            name,
            attrs
                .iter()
                .map(|(n, t)| Attribute {
                    name: n.to_string(),
                    ty: *t,
                })
                .collect(),
        )
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn attrs(&self) -> &[Attribute] {
        &self.attrs
    }

    pub fn len(&self) -> usize {
        self.attrs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.attrs.is_empty()
    }

    /// Position of an attribute by name (case-sensitive first, then case-insensitive).
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.attrs.iter().position(|a| a.name == name).or_else(|| {
            self.attrs
                .iter()
                .position(|a| a.name.eq_ignore_ascii_case(name))
        })
    }

    pub fn attr(&self, name: &str) -> Option<&Attribute> {
        self.index_of(name).map(|i| &self.attrs[i])
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.attrs.iter().map(|a| a.name.as_str())
    }
}

impl fmt::Display for Schema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (", self.name)?;
        for (i, a) in self.attrs.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{} {}", a.name, a.ty)?;
        }
        f.write_str(")")
    }
}

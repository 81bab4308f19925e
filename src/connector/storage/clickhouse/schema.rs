//! A table's columns as the server describes them, checked against the stream once before the
//! first INSERT: which types the sink can write and from which attribute.

use super::config::{Settings, Source};
use super::ddl::{created_type, insert_sql, quote};
use crate::connector::ConnectorError;
use crate::value::AttrType;
use std::collections::HashMap;

/// A column type the sink can write, as the server describes it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Base {
    Int {
        bytes: usize,
        signed: bool,
    },
    Float32,
    Float64,
    Bool,
    String,
    /// Seconds since the epoch, UInt32.
    DateTime,
    /// Ticks of 10^-precision seconds, Int64.
    DateTime64(u32),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct ColType {
    pub base: Base,
    pub nullable: bool,
}

/// Parses a type from `DESCRIBE TABLE`; `None` for types the sink cannot write.
pub(super) fn parse_type(t: &str) -> Option<ColType> {
    let t = t.trim();
    // RowBinary writes LowCardinality(T) as T.
    if let Some(inner) = unwrap(t, "LowCardinality") {
        return parse_type(inner);
    }
    if let Some(inner) = unwrap(t, "Nullable") {
        let c = parse_type(inner)?;
        return Some(ColType {
            nullable: true,
            ..c
        });
    }
    let int = |bytes, signed| Base::Int { bytes, signed };
    let base = match t {
        "Int8" => int(1, true),
        "Int16" => int(2, true),
        "Int32" => int(4, true),
        "Int64" => int(8, true),
        "UInt8" => int(1, false),
        "UInt16" => int(2, false),
        "UInt32" => int(4, false),
        "UInt64" => int(8, false),
        "Float32" => Base::Float32,
        "Float64" => Base::Float64,
        "Bool" | "Boolean" => Base::Bool,
        "String" => Base::String,
        "DateTime" => Base::DateTime,
        _ if unwrap(t, "DateTime").is_some() => Base::DateTime,
        _ => {
            let args = unwrap(t, "DateTime64")?;
            let precision = args.split(',').next()?.trim().parse::<u32>().ok()?;
            if precision > 9 {
                return None;
            }
            Base::DateTime64(precision)
        }
    };
    Some(ColType {
        base,
        nullable: false,
    })
}

pub(super) fn unwrap<'a>(t: &'a str, wrapper: &str) -> Option<&'a str> {
    t.strip_prefix(wrapper)?
        .strip_prefix('(')?
        .strip_suffix(')')
}

/// Whether a column of type `base` can take values from `source`.
pub(super) fn accepts(base: Base, source: Source) -> bool {
    use AttrType as A;
    match source {
        Source::Ts => matches!(
            base,
            Base::Int { bytes: 8, .. } | Base::DateTime | Base::DateTime64(_)
        ),
        Source::Attr(_, t) => match base {
            Base::Int { .. } => matches!(t, A::Int | A::Long | A::Bool),
            Base::Float32 => matches!(t, A::Int | A::Long | A::Float),
            Base::Float64 => t.is_numeric(),
            Base::Bool => t == A::Bool,
            Base::String => matches!(t, A::String | A::Bytes),
            Base::DateTime | Base::DateTime64(_) => false,
        },
    }
}

/// One column of a table's INSERT.
#[derive(Debug)]
pub(super) struct Slot {
    pub column: String,
    pub server_type: String,
    pub source: Source,
    pub ty: ColType,
}

/// A checked table: its INSERT statement and how to encode each column.
#[derive(Debug)]
pub(super) struct Plan {
    pub sql: String,
    pub slots: Vec<Slot>,
}

/// Checks the table's columns (`DESCRIBE TABLE` as TabSeparated) against the stream.
pub(super) fn plan(
    settings: &Settings,
    table: &str,
    described: &str,
) -> Result<Plan, ConnectorError> {
    let server: HashMap<String, String> = described
        .lines()
        .filter_map(|line| {
            let mut fields = line.split('\t');
            Some((unescape_tsv(fields.next()?), unescape_tsv(fields.next()?)))
        })
        .collect();
    let name = format!("{}.{}", quote(&settings.database), quote(table));
    let mut slots = Vec::with_capacity(settings.columns.len());
    for c in &settings.columns {
        let wanted = created_type(c.source);
        let what = match c.source {
            Source::Attr(_, t) => format!("stream attribute '{}' {t}", c.name),
            Source::Ts => "the event timestamp (ts.column)".to_string(),
        };
        let server_type = server.get(&c.name).ok_or_else(|| {
            ConnectorError::permanent(format!(
                "table {name} has no column {} for {what}; add it (ALTER TABLE {name} ADD \
                 COLUMN {} Nullable({wanted}))",
                quote(&c.name),
                quote(&c.name)
            ))
        })?;
        let ty = parse_type(server_type)
            .filter(|ty| accepts(ty.base, c.source))
            .ok_or_else(|| {
                ConnectorError::permanent(format!(
                    "column {} of table {name} is {server_type}, which cannot take {what}; it \
                     should be {wanted} or Nullable({wanted})",
                    quote(&c.name)
                ))
            })?;
        slots.push(Slot {
            column: c.name.clone(),
            server_type: server_type.clone(),
            source: c.source,
            ty,
        });
    }
    Ok(Plan {
        sql: insert_sql(settings, table),
        slots,
    })
}

pub(super) fn unescape_tsv(field: &str) -> String {
    if !field.contains('\\') {
        return field.to_string();
    }
    let mut out = String::with_capacity(field.len());
    let mut chars = field.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('0') => out.push('\0'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

//! ClickHouse SQL the sink sends: quoted identifiers, CREATE TABLE from the stream schema, the
//! INSERT of each table.

use super::config::{Settings, Source};
use crate::value::AttrType;

/// `name` quoted as a ClickHouse identifier.
pub(super) fn quote(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 2);
    out.push('`');
    for c in name.chars() {
        if matches!(c, '`' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('`');
    out
}

/// A table name that `table.by` may produce: no quoting surprises, no other database.
pub(super) fn valid_table_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 200
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The column type create.table uses.
pub(super) fn created_type(source: Source) -> &'static str {
    match source {
        Source::Ts => "Int64",
        Source::Attr(_, t) => match t {
            AttrType::Int => "Int32",
            AttrType::Long => "Int64",
            AttrType::Float => "Float32",
            AttrType::Double => "Float64",
            AttrType::Bool => "UInt8",
            AttrType::String | AttrType::Bytes => "String",
        },
    }
}

pub(super) fn create_sql(settings: &Settings, table: &str) -> String {
    let columns: Vec<String> = settings
        .columns
        .iter()
        .map(|c| {
            let ty = created_type(c.source);
            let key = c.source == Source::Ts || settings.order_by.contains(&c.name);
            if key {
                format!("{} {ty}", quote(&c.name))
            } else {
                format!("{} Nullable({ty})", quote(&c.name))
            }
        })
        .collect();
    let keys: Vec<String> = settings.order_by.iter().map(|k| quote(k)).collect();
    format!(
        "CREATE TABLE IF NOT EXISTS {}.{} ({}) ENGINE = MergeTree ORDER BY ({})",
        quote(&settings.database),
        quote(table),
        columns.join(", "),
        keys.join(", ")
    )
}

pub(super) fn insert_sql(settings: &Settings, table: &str) -> String {
    let names: Vec<String> = settings.columns.iter().map(|c| quote(&c.name)).collect();
    format!(
        "INSERT INTO {}.{} ({}) FORMAT RowBinary",
        quote(&settings.database),
        quote(table),
        names.join(", ")
    )
}

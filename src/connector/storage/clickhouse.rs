//! `clickhouse` sink: inserts events into ClickHouse tables over the HTTP interface with the
//! official `clickhouse` crate. Rows are dynamic (the schema is known at run time), so each batch
//! is encoded here as RowBinary from `Value`s and sent with `INSERT INTO t (cols) FORMAT
//! RowBinary` through the crate's `insert_formatted_with`; DDL and `DESCRIBE` go through its
//! query API. Validation (`RowBinaryWithNamesAndTypes`, `describe_include_subcolumns`) is off, so
//! servers as old as Debian's 18.16 work; instead, each table's columns are checked once against
//! the stream before its first INSERT, so a mismatch never writes shifted bytes.
//!
//! Connection errors, timeouts and server errors that pass with time are retried with capped
//! exponential backoff; other server errors (unknown table, schema mismatch, auth, syntax) are
//! not. Rows that finally fail go to the error strategy one by one, with the reason.

use crate::connector::config::{ConfigError, ConnectorConfig, Params};
use crate::connector::error::{RetryPolicy, ERROR_PARAMS, SINK_BUFFER_PARAMS_WITHOUT_BATCH};
use crate::connector::net::runtime;
use crate::connector::param::specs;
use crate::connector::spec::{ConnectorSpec, ParamSpec};
use crate::connector::{ConnectorError, ErrorClass, Rejects, Sink, SinkFactory, SinkMapper};
use crate::event::Event;
use crate::schema::Schema;
use crate::value::{AttrType, Value};
use bytes::{BufMut, Bytes, BytesMut};
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Sent as separate compressed blocks, so the server decodes while the rest arrives.
const CHUNK_BYTES: usize = 1 << 20;

/// The server's default `max_insert_block_size`: an INSERT of at most this many rows is one
/// block, written atomically (all rows or none), so retrying it cannot duplicate rows.
const SERVER_BLOCK_ROWS: usize = 1_048_576;

/// While the app stops, unlimited retries end after this many attempts, so shutdown ends.
const STOPPING_ATTEMPTS: u32 = 5;

/// ClickHouse error codes that can pass with time: timeouts, overload, quotas, memory pressure,
/// read-only replicas, too many parts, Keeper trouble, network errors between servers.
const TRANSIENT_CODES: &[u32] = &[
    159, 160, 201, 202, 203, 209, 210, 236, 241, 242, 252, 285, 286, 319, 394, 425, 439, 473, 999,
    1000,
];

pub struct ClickHouseSinkFactory;

fn params() -> Vec<ParamSpec> {
    let mut params = vec![
        ParamSpec::required(
            "url",
            "The server's HTTP interface (port 8123 by default, not the native port 9000), \
             http:// only in this build.",
            "http://clickhouse:8123",
        ),
        ParamSpec::optional(
            "database",
            Some("default"),
            "Database of the table(s); it must exist.",
            "market",
        ),
        ParamSpec::optional(
            "table",
            None,
            "Table to insert into. Required unless table.by is set (not both).",
            "trades",
        ),
        ParamSpec::optional(
            "table.by",
            None,
            "A STRING attribute whose value names each event's table (letters, digits and _), \
             e.g. the event type: events for different tables go in separate INSERTs. Events \
             whose value is NULL or not such a name go to the error strategy.",
            "event_type",
        ),
        ParamSpec::optional("user", Some("default"), "User to insert as.", "ingest"),
        ParamSpec::optional(
            "password",
            None,
            "The user's password; write ${VAR} to take it from the environment.",
            "${CLICKHOUSE_PASSWORD}",
        ),
        ParamSpec::optional(
            "batch.size",
            Some("10000"),
            "Most rows per INSERT (per table). ClickHouse prefers few large INSERTs: thousands \
             of rows or more. Up to 1048576 rows an INSERT is atomic, so a retried one never \
             duplicates rows; above that the sink raises max_insert_block_size to match.",
            "100000",
        ),
        ParamSpec::optional(
            "flush.interval.ms",
            Some("1000"),
            "Longest wait for a batch to fill before a smaller one is inserted. Whatever is \
             buffered is inserted at shutdown.",
            "5000",
        ),
        ParamSpec::optional(
            "timeout.ms",
            Some("30000"),
            "Limit on one request (connect to answer); a timeout is retried.",
            "60000",
        ),
        ParamSpec::optional(
            "retry.max.attempts",
            Some("5"),
            "Attempts per request (the table check, each INSERT) in all, the first included; \
             -1 retries until the server answers (while the app stops, at most 5).",
            "-1",
        ),
        ParamSpec::optional(
            "retry.delay.ms",
            Some("500"),
            "Wait before the first retry; doubles on each retry, with up to 20% jitter.",
            "200",
        ),
        ParamSpec::optional(
            "retry.max.delay.ms",
            Some("30000"),
            "Cap on the wait between retries.",
            "10000",
        ),
        ParamSpec::optional(
            "create.table",
            Some("false"),
            "Create missing tables from the stream schema on first use: CREATE TABLE IF NOT \
             EXISTS ... ENGINE = MergeTree ORDER BY order.by (see the type mapping above).",
            "true",
        ),
        ParamSpec::optional(
            "order.by",
            None,
            "With create.table: the sorting key, comma-separated column names (attributes or \
             ts.column). Default: the first attribute. Key columns are created non-Nullable.",
            "symbol, ts",
        ),
        ParamSpec::optional(
            "ts.column",
            None,
            "Also write each event's timestamp (milliseconds since the epoch) to this column: \
             Int64 with create.table; an existing column may also be UInt64, DateTime or \
             DateTime64(P).",
            "ts",
        ),
        ParamSpec::optional(
            "compression",
            Some("lz4"),
            "Compression of INSERT bodies: lz4 (ClickHouse's native block compression) or none.",
            "none",
        ),
    ];
    params.extend(specs(&[SINK_BUFFER_PARAMS_WITHOUT_BATCH]));
    params.extend(specs(&[ERROR_PARAMS]));
    params
}

impl SinkFactory for ClickHouseSinkFactory {
    fn spec(&self) -> ConnectorSpec {
        ConnectorSpec {
            name: "clickhouse",
            aliases: &[],
            description: "Inserts events into ClickHouse tables over its HTTP interface (the \
                official clickhouse crate, RowBinary), batch.size rows per INSERT, into one table \
                or into the table named by an attribute (table.by). Works with servers from 18.16 \
                on. Before its first INSERT into a table the sink checks the table's columns \
                against the stream, and with create.table='true' creates it. Type mapping \
                (stream -> ClickHouse, as created; an existing column may be any listed): INT -> \
                Int32 (or any IntN/UIntN, range-checked per row), BIGINT -> Int64 (same), FLOAT -> \
                Float32 (or Float64), DOUBLE -> Float64, BOOL -> UInt8 (0/1; or Bool on servers \
                that have it), STRING and BYTES -> String, the event timestamp (ts.column) -> \
                Int64 milliseconds. Created columns are Nullable(T) except the order.by key \
                columns and ts.column; a NULL for a column that is not Nullable fails that row. \
                LowCardinality(T) columns are accepted. Connection errors, timeouts and \
                transient server errors (overload, memory, too many parts, Keeper) are retried \
                with capped exponential backoff; other server errors (unknown table, wrong \
                column type, authentication, syntax) are not. Rows whose INSERT finally fails \
                go to the error strategy one by one with the server's message \
                (error.strategy='dlq' keeps them). An INSERT retried after a timeout that the \
                server had in fact completed is written twice (at-least-once).",
            params: params(),
            formats: &[],
            default_format: None,
            example: "@sink(type='clickhouse', url='http://clickhouse:8123', database='default', \
                table='trades', user='ingest', password='${CLICKHOUSE_PASSWORD}', \
                create.table='true', order.by='symbol, ts', ts.column='ts', batch.size='50000')",
        }
    }

    fn validate(&self, config: &ConnectorConfig, schema: &Schema) -> Result<(), ConfigError> {
        settings(config, schema).map(|_| ())
    }

    fn create(
        &self,
        config: &ConnectorConfig,
        schema: &Schema,
        _mapper: Option<Box<dyn SinkMapper>>,
    ) -> Result<Box<dyn Sink>, ConnectorError> {
        let settings = settings(config, schema)?;
        let mut client = clickhouse::Client::default()
            .with_url(&settings.url)
            .with_database(&settings.database)
            .with_user(&settings.user)
            // Validation needs RowBinaryWithNamesAndTypes, which old servers lack.
            .with_validation(false)
            .with_compression(if settings.compression {
                clickhouse::Compression::Lz4
            } else {
                clickhouse::Compression::None
            });
        if let Some(password) = &settings.password {
            client = client.with_password(password);
        }
        Ok(Box::new(ClickHouseSink {
            client,
            settings: Arc::new(settings),
            plans: HashMap::new(),
            stopping: Arc::new(AtomicBool::new(false)),
        }))
    }
}

/// Where rows go.
#[derive(Debug, Clone, PartialEq)]
enum Target {
    Table(String),
    /// The table named by this attribute's value.
    By(usize),
}

/// Where a column's value comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Source {
    Attr(usize, AttrType),
    /// The event timestamp, milliseconds since the epoch.
    Ts,
}

/// A column the sink writes.
#[derive(Debug, Clone)]
struct Column {
    name: String,
    source: Source,
}

#[derive(Debug)]
struct Settings {
    url: String,
    database: String,
    user: String,
    password: Option<String>,
    target: Target,
    /// The stream's attributes, then the timestamp column if any.
    columns: Vec<Column>,
    batch_size: usize,
    flush_interval: Duration,
    timeout: Duration,
    retry: RetryPolicy,
    create_table: bool,
    order_by: Vec<String>,
    compression: bool,
}

fn settings(config: &ConnectorConfig, schema: &Schema) -> Result<Settings, ConfigError> {
    let url = url(config)?;
    let columns = columns(config, schema)?;
    let create_table = config.bool_or("create.table", false)?;
    let attempts: i64 = config.parse_or("retry.max.attempts", 5i64)?;
    if attempts < 1 && attempts != -1 {
        return Err(ConfigError(format!(
            "parameter 'retry.max.attempts' has value '{attempts}': it counts the first attempt, \
             so it must be at least 1 (or -1 to retry until the server answers)"
        )));
    }
    let compression = match config.get("compression").unwrap_or("lz4") {
        "lz4" => true,
        "none" => false,
        other => {
            return Err(ConfigError(format!(
                "parameter 'compression' has value '{other}': expected lz4 or none"
            )))
        }
    };
    Ok(Settings {
        url,
        database: config.get("database").unwrap_or("default").to_string(),
        user: config.get("user").unwrap_or("default").to_string(),
        password: config.get("password").map(str::to_string),
        target: target(config, schema)?,
        order_by: order_by(config, &columns, create_table)?,
        columns,
        batch_size: config.parse_or("batch.size", 10_000usize)?.max(1),
        flush_interval: Duration::from_millis(config.parse_or("flush.interval.ms", 1000u64)?),
        timeout: Duration::from_millis(config.parse_or("timeout.ms", 30_000u64)?.max(1)),
        retry: RetryPolicy {
            max_attempts: attempts,
            delay_ms: config.parse_or("retry.delay.ms", 500u64)?,
            max_delay_ms: config.parse_or("retry.max.delay.ms", 30_000u64)?,
        },
        create_table,
        compression,
    })
}

fn url(config: &ConnectorConfig) -> Result<String, ConfigError> {
    let url = config.require("url")?.trim_end_matches('/');
    if url.starts_with("https://") {
        return Err(ConfigError(format!(
            "parameter 'url' has value '{url}': this build's ClickHouse client has no TLS; use \
             http:// (through a TLS-terminating proxy if the server is remote)"
        )));
    }
    if !url.starts_with("http://") {
        return Err(ConfigError(format!(
            "parameter 'url' has value '{url}': expected the HTTP interface, e.g. \
             'http://127.0.0.1:8123'"
        )));
    }
    Ok(url.to_string())
}

fn target(config: &ConnectorConfig, schema: &Schema) -> Result<Target, ConfigError> {
    match (config.get("table"), config.get("table.by")) {
        (Some(_), Some(_)) => Err(ConfigError(
            "parameters 'table' and 'table.by' exclude each other: set one".into(),
        )),
        (None, None) => Err(ConfigError(
            "clickhouse sink needs parameter 'table' (e.g. table='trades') or 'table.by' naming \
             the attribute whose value is the table"
                .into(),
        )),
        (Some(t), None) if t.trim().is_empty() => Err(ConfigError(
            "parameter 'table' is empty: name the table to insert into".into(),
        )),
        (Some(t), None) if t.contains('.') => Err(ConfigError(format!(
            "parameter 'table' has value '{t}': give the table alone and the database in \
             parameter 'database'"
        ))),
        (Some(t), None) => Ok(Target::Table(t.trim().to_string())),
        (None, Some(by)) => {
            let i = schema.index_of(by.trim()).ok_or_else(|| {
                ConfigError(format!(
                    "parameter 'table.by' names '{by}', which is no attribute of the stream{}",
                    crate::suggest::did_you_mean(by, schema.names())
                ))
            })?;
            let attr = &schema.attrs()[i];
            if attr.ty != AttrType::String {
                return Err(ConfigError(format!(
                    "parameter 'table.by': attribute '{}' is {}; it must be STRING (its values \
                     name the tables)",
                    attr.name, attr.ty
                )));
            }
            Ok(Target::By(i))
        }
    }
}

fn columns(config: &ConnectorConfig, schema: &Schema) -> Result<Vec<Column>, ConfigError> {
    let mut columns: Vec<Column> = schema
        .attrs()
        .iter()
        .enumerate()
        .map(|(i, a)| Column {
            name: a.name.clone(),
            source: Source::Attr(i, a.ty),
        })
        .collect();
    if let Some(ts) = config.get("ts.column").map(str::trim) {
        if ts.is_empty() {
            return Err(ConfigError("parameter 'ts.column' is empty".into()));
        }
        if schema.attrs().iter().any(|a| a.name == ts) {
            return Err(ConfigError(format!(
                "parameter 'ts.column' names '{ts}', which is already an attribute of the \
                 stream; pick another column name"
            )));
        }
        columns.push(Column {
            name: ts.to_string(),
            source: Source::Ts,
        });
    }
    if columns.is_empty() {
        return Err(ConfigError(
            "clickhouse sink needs a stream with at least one attribute".into(),
        ));
    }
    Ok(columns)
}

fn order_by(
    config: &ConnectorConfig,
    columns: &[Column],
    create_table: bool,
) -> Result<Vec<String>, ConfigError> {
    let Some(list) = config.get("order.by") else {
        return Ok(vec![columns[0].name.clone()]);
    };
    if !create_table {
        return Err(ConfigError(
            "parameter 'order.by' only applies with create.table='true'".into(),
        ));
    }
    let mut keys = Vec::new();
    for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let column = columns.iter().find(|c| c.name == name).ok_or_else(|| {
            ConfigError(format!(
                "parameter 'order.by' names '{name}', which is no attribute of the stream nor \
                 ts.column{}",
                crate::suggest::did_you_mean(name, columns.iter().map(|c| c.name.as_str()))
            ))
        })?;
        keys.push(column.name.clone());
    }
    if keys.is_empty() {
        return Err(ConfigError(
            "parameter 'order.by' is empty: name one or more columns".into(),
        ));
    }
    Ok(keys)
}

/// `name` quoted as a ClickHouse identifier.
fn quote(name: &str) -> String {
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
fn valid_table_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 200
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The column type create.table uses.
fn created_type(source: Source) -> &'static str {
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

fn create_sql(settings: &Settings, table: &str) -> String {
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

fn insert_sql(settings: &Settings, table: &str) -> String {
    let names: Vec<String> = settings.columns.iter().map(|c| quote(&c.name)).collect();
    format!(
        "INSERT INTO {}.{} ({}) FORMAT RowBinary",
        quote(&settings.database),
        quote(table),
        names.join(", ")
    )
}

/// A column type the sink can write, as the server describes it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Base {
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
struct ColType {
    base: Base,
    nullable: bool,
}

/// Parses a type from `DESCRIBE TABLE`; `None` for types the sink cannot write.
fn parse_type(t: &str) -> Option<ColType> {
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

fn unwrap<'a>(t: &'a str, wrapper: &str) -> Option<&'a str> {
    t.strip_prefix(wrapper)?
        .strip_prefix('(')?
        .strip_suffix(')')
}

/// Whether a column of type `base` can take values from `source`.
fn accepts(base: Base, source: Source) -> bool {
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
struct Slot {
    column: String,
    server_type: String,
    source: Source,
    ty: ColType,
}

/// A checked table: its INSERT statement and how to encode each column.
#[derive(Debug)]
struct Plan {
    sql: String,
    slots: Vec<Slot>,
}

/// Checks the table's columns (`DESCRIBE TABLE` as TabSeparated) against the stream.
fn plan(settings: &Settings, table: &str, described: &str) -> Result<Plan, ConnectorError> {
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

fn unescape_tsv(field: &str) -> String {
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

/// Appends one event as a RowBinary row.
fn encode_row(plan: &Plan, event: &Event, out: &mut BytesMut) -> Result<(), String> {
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

fn put_value(out: &mut BytesMut, ty: ColType, value: &Value) -> Result<(), String> {
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

fn integer(value: &Value) -> Option<i64> {
    match value {
        Value::Int(v) => Some(*v as i64),
        Value::Long(v) => Some(*v),
        Value::Bool(b) => Some(*b as i64),
        _ => None,
    }
}

/// Little-endian, `bytes` wide, after a range check (truncating two's complement is then exact).
fn put_int(out: &mut BytesMut, v: i64, bytes: usize, signed: bool) -> Result<(), String> {
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
    out.put_slice(&v.to_le_bytes()[..bytes]);
    Ok(())
}

/// A String: LEB128 length, then the bytes.
fn put_bytes(out: &mut BytesMut, bytes: &[u8]) {
    let mut n = bytes.len() as u64;
    while n >= 0x80 {
        out.put_u8((n as u8) | 0x80);
        n >>= 7;
    }
    out.put_u8(n as u8);
    out.put_slice(bytes);
}

/// The first number after "Code: " in a ClickHouse error answer (old and new spellings).
fn error_code(text: &str) -> Option<u32> {
    let rest = &text[text.find("Code: ")? + 6..];
    let end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    rest[..end].parse().ok()
}

fn hint(code: u32) -> &'static str {
    match code {
        60 => " (create the table, or set create.table='true')",
        81 => " (check parameter 'database': the database must exist)",
        192 | 193 | 194 | 516 => " (check parameters 'user' and 'password')",
        497 => " (the user lacks a grant: INSERT, and CREATE TABLE with create.table)",
        _ => "",
    }
}

/// The class of a failed request: whether retrying can help.
fn classify(error: clickhouse::error::Error, what: &str) -> ConnectorError {
    use clickhouse::error::Error as E;
    match error {
        E::Network(_) => ConnectorError::transient(format!(
            "{what}: cannot reach the server: {}",
            error_chain(&error)
        )),
        E::TimedOut => ConnectorError::transient(format!("{what}: timed out (timeout.ms)")),
        E::BadResponse(text) => {
            let excerpt: String = text.trim().chars().take(400).collect();
            match error_code(&text) {
                Some(code) if TRANSIENT_CODES.contains(&code) => {
                    ConnectorError::transient(format!("{what}: {excerpt}"))
                }
                Some(code) => ConnectorError::permanent(format!("{what}: {excerpt}{}", hint(code))),
                // Not ClickHouse answering (a proxy, a load balancer): may pass.
                None => ConnectorError::transient(format!("{what}: the server answered {excerpt}")),
            }
        }
        other => ConnectorError::permanent(format!("{what}: {}", error_chain(&other))),
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let next = s.to_string();
        if !text.contains(&next) {
            text.push_str(": ");
            text.push_str(&next);
        }
        source = s.source();
    }
    text
}

/// Runs `op` until it succeeds, fails permanently or runs out of attempts.
async fn with_retries<T, F, Fut>(
    policy: &RetryPolicy,
    stopping: &AtomicBool,
    mut op: F,
) -> Result<T, ConnectorError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ConnectorError>>,
{
    let mut attempt = 1u32;
    loop {
        let error = match op().await {
            Ok(v) => return Ok(v),
            Err(e) if e.class == ErrorClass::Permanent => return Err(e),
            Err(e) => e,
        };
        let capped = policy.max_attempts < 0
            && stopping.load(Ordering::Acquire)
            && attempt >= STOPPING_ATTEMPTS;
        if !policy.may_retry(attempt) || capped {
            return Err(ConnectorError::transient(format!(
                "{} (after {attempt} attempts)",
                error.message
            )));
        }
        let wait = policy.backoff(attempt);
        log::debug!("clickhouse sink: {error}; retry {attempt} in {wait:?}");
        tokio::time::sleep(wait).await;
        attempt += 1;
    }
}

struct ClickHouseSink {
    client: clickhouse::Client,
    settings: Arc<Settings>,
    /// Tables checked (and created) so far. A table is checked again after a permanent failure,
    /// in case it was fixed meanwhile.
    plans: HashMap<String, Arc<Plan>>,
    stopping: Arc<AtomicBool>,
}

impl ClickHouseSink {
    /// Groups the batch by table, in order of first appearance.
    fn route(&self, events: &[Event], rejects: &mut Rejects) -> Vec<(String, Vec<usize>)> {
        let attr = match &self.settings.target {
            Target::Table(t) => return vec![(t.clone(), (0..events.len()).collect())],
            Target::By(i) => *i,
        };
        let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
        for (n, event) in events.iter().enumerate() {
            match event.get(attr) {
                Value::String(s) if valid_table_name(s) => {
                    match groups.iter_mut().find(|(t, _)| **t == **s) {
                        Some((_, members)) => members.push(n),
                        None => groups.push((s.to_string(), vec![n])),
                    }
                }
                other => rejects.reject(
                    n,
                    ConnectorError::permanent(format!(
                        "attribute '{}' (table.by) is {}, which is no table name (letters, \
                         digits and _ only)",
                        self.settings.columns[attr].name,
                        if other.is_null() {
                            "NULL".to_string()
                        } else {
                            format!("'{other}'")
                        }
                    )),
                ),
            }
        }
        groups
    }

    /// The table's plan: checked (and created) once, then cached.
    async fn plan_for(&mut self, table: &str) -> Result<Arc<Plan>, ConnectorError> {
        if let Some(p) = self.plans.get(table) {
            return Ok(p.clone());
        }
        let (client, settings) = (&self.client, &*self.settings);
        let p = with_retries(&settings.retry, &self.stopping, || {
            fetch_plan(client, settings, table)
        })
        .await?;
        let p = Arc::new(p);
        self.plans.insert(table.to_string(), p.clone());
        Ok(p)
    }

    /// Inserts the events at `indices` into `table`; rows that fail go to `rejects`.
    async fn deliver(
        &mut self,
        table: &str,
        events: &[Event],
        indices: &[usize],
        rejects: &mut Rejects,
    ) {
        let plan = match self.plan_for(table).await {
            Ok(p) => p,
            Err(e) => {
                for &i in indices {
                    rejects.reject(i, e.clone());
                }
                return;
            }
        };
        let mut body = BytesMut::new();
        let mut sent = Vec::with_capacity(indices.len());
        for &i in indices {
            let start = body.len();
            match encode_row(&plan, &events[i], &mut body) {
                Ok(()) => sent.push(i),
                Err(why) => {
                    body.truncate(start);
                    rejects.reject(
                        i,
                        ConnectorError::permanent(format!("table {}: {why}", quote(table))),
                    );
                }
            }
        }
        if sent.is_empty() {
            return;
        }
        let body = body.freeze();
        let (client, settings) = (&self.client, &*self.settings);
        let result = with_retries(&settings.retry, &self.stopping, || {
            insert(client, settings, &plan.sql, body.clone(), sent.len())
        })
        .await;
        if let Err(e) = result {
            if e.class == ErrorClass::Permanent {
                self.plans.remove(table);
            }
            for i in sent {
                rejects.reject(i, e.clone());
            }
        }
    }
}

/// Creates the table if asked, then checks its columns.
async fn fetch_plan(
    client: &clickhouse::Client,
    settings: &Settings,
    table: &str,
) -> Result<Plan, ConnectorError> {
    let name = format!("{}.{}", quote(&settings.database), quote(table));
    if settings.create_table {
        let sql = create_sql(settings, table);
        let what = format!("CREATE TABLE {name} at {}", settings.url);
        timed(settings, &what, client.query_raw(&sql).execute()).await?;
    }
    let what = format!("DESCRIBE TABLE {name} at {}", settings.url);
    let described = timed(settings, &what, async {
        client
            .query_raw(&format!("DESCRIBE TABLE {name}"))
            .fetch_bytes("TabSeparated")?
            .collect()
            .await
    })
    .await?;
    plan(settings, table, &String::from_utf8_lossy(&described))
}

/// A query under timeout.ms, its failure classified.
async fn timed<T>(
    settings: &Settings,
    what: &str,
    query: impl Future<Output = clickhouse::error::Result<T>>,
) -> Result<T, ConnectorError> {
    match tokio::time::timeout(settings.timeout, query).await {
        Ok(result) => result.map_err(|e| classify(e, what)),
        Err(_) => Err(ConnectorError::transient(format!(
            "{what}: timed out after {:?} (timeout.ms)",
            settings.timeout
        ))),
    }
}

/// One INSERT of an encoded body.
async fn insert(
    client: &clickhouse::Client,
    settings: &Settings,
    sql: &str,
    body: Bytes,
    rows: usize,
) -> Result<(), ConnectorError> {
    let what = format!("{} ({rows} rows) at {}", sql, settings.url);
    let mut insert = client
        .insert_formatted_with(sql)
        .with_timeouts(Some(settings.timeout), Some(settings.timeout));
    if rows > SERVER_BLOCK_ROWS {
        // One block per INSERT keeps it atomic.
        insert = insert.with_setting("max_insert_block_size", rows.to_string());
    }
    for start in (0..body.len()).step_by(CHUNK_BYTES) {
        let end = (start + CHUNK_BYTES).min(body.len());
        insert
            .send(body.slice(start..end))
            .await
            .map_err(|e| classify(e, &what))?;
    }
    insert.end().await.map_err(|e| classify(e, &what))
}

impl Sink for ClickHouseSink {
    fn set_stopping(&mut self, stopping: Arc<AtomicBool>) {
        self.stopping = stopping;
    }

    fn max_batch(&self) -> Option<usize> {
        Some(self.settings.batch_size)
    }

    fn linger(&self) -> Duration {
        self.settings.flush_interval
    }

    fn publish(&mut self, events: &[Event], rejects: &mut Rejects) -> Result<(), ConnectorError> {
        let groups = self.route(events, rejects);
        runtime().block_on(async {
            for (table, indices) in groups {
                self.deliver(&table, events, &indices, rejects).await;
            }
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> Schema {
        Schema::of(
            "Trades",
            &[
                ("symbol", AttrType::String),
                ("price", AttrType::Double),
                ("volume", AttrType::Int),
                ("ok", AttrType::Bool),
            ],
        )
    }

    fn config(pairs: &[(&str, &str)]) -> ConnectorConfig {
        ConnectorConfig {
            kind: "clickhouse".into(),
            stream: "Trades".into(),
            params: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            map: None,
        }
    }

    fn settings_of(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        settings(&config(pairs), &schema())
    }

    const URL: (&str, &str) = ("url", "http://127.0.0.1:8123");

    #[test]
    fn config_errors_name_the_parameter() {
        let err = |pairs: &[(&str, &str)]| settings_of(pairs).unwrap_err().0;
        assert!(err(&[URL]).contains("'table'"));
        assert!(err(&[URL, ("table", "t"), ("table.by", "symbol")]).contains("exclude"));
        let e = err(&[URL, ("table.by", "symbl")]);
        assert!(e.contains("did you mean 'symbol'"), "{e}");
        assert!(err(&[URL, ("table.by", "price")]).contains("must be STRING"));
        assert!(err(&[URL, ("table", "db.t")]).contains("'database'"));
        assert!(err(&[("url", "https://h:8443"), ("table", "t")]).contains("no TLS"));
        assert!(err(&[("url", "h:8123"), ("table", "t")]).contains("'url'"));
        let e = err(&[URL, ("table", "t"), ("order.by", "symbol")]);
        assert!(e.contains("create.table"), "{e}");
        let e = err(&[
            URL,
            ("table", "t"),
            ("create.table", "true"),
            ("order.by", "x"),
        ]);
        assert!(e.contains("'order.by'"), "{e}");
        assert!(err(&[URL, ("table", "t"), ("ts.column", "price")]).contains("ts.column"));
        assert!(err(&[URL, ("table", "t"), ("retry.max.attempts", "0")]).contains("at least 1"));
        assert!(err(&[URL, ("table", "t"), ("compression", "zstd")]).contains("lz4 or none"));
        let s = settings_of(&[URL, ("table", "t"), ("retry.max.attempts", "-1")]).unwrap();
        assert_eq!(s.retry.max_attempts, -1);
        assert_eq!(s.order_by, vec!["symbol"]);
    }

    #[test]
    fn create_table_maps_types_and_keeps_keys_non_nullable() {
        let s = settings_of(&[
            URL,
            ("table", "t"),
            ("create.table", "true"),
            ("order.by", "symbol, ts"),
            ("ts.column", "ts"),
            ("database", "d`b"),
        ])
        .unwrap();
        assert_eq!(
            create_sql(&s, "t"),
            "CREATE TABLE IF NOT EXISTS `d\\`b`.`t` (`symbol` String, `price` Nullable(Float64), \
             `volume` Nullable(Int32), `ok` Nullable(UInt8), `ts` Int64) ENGINE = MergeTree \
             ORDER BY (`symbol`, `ts`)"
        );
        assert_eq!(
            insert_sql(&s, "t"),
            "INSERT INTO `d\\`b`.`t` (`symbol`, `price`, `volume`, `ok`, `ts`) FORMAT RowBinary"
        );
    }

    #[test]
    fn parses_server_types() {
        let t = |s: &str| parse_type(s);
        let int = |bytes, signed| Base::Int { bytes, signed };
        assert_eq!(t("Int32").unwrap().base, int(4, true));
        assert_eq!(t("UInt8").unwrap().base, int(1, false));
        let n = t("Nullable(Float64)").unwrap();
        assert!(n.nullable && n.base == Base::Float64);
        let lc = t("LowCardinality(Nullable(String))").unwrap();
        assert!(lc.nullable && lc.base == Base::String);
        assert_eq!(t("DateTime('UTC')").unwrap().base, Base::DateTime);
        assert_eq!(t("DateTime64(6, 'UTC')").unwrap().base, Base::DateTime64(6));
        assert!(t("Map(String, UInt64)").is_none());
        assert!(t("Decimal(9, 2)").is_none());
    }

    #[test]
    fn plan_rejects_missing_and_mismatched_columns() {
        let s = settings_of(&[URL, ("table", "t"), ("ts.column", "ts")]).unwrap();
        let described =
            "symbol\tLowCardinality(String)\t\t\nprice\tFloat64\t\t\nvolume\tInt64\t\t\n\
                         ok\tUInt8\t\t\nts\tDateTime64(3)\t\t\nextra\tString\t\t\n";
        let p = plan(&s, "t", described).unwrap();
        assert_eq!(p.slots.len(), 5);
        let e = plan(&s, "t", "symbol\tString\nprice\tInt32\n").unwrap_err();
        assert_eq!(e.class, ErrorClass::Permanent);
        assert!(
            e.message.contains("`price`") && e.message.contains("Int32"),
            "{e}"
        );
        let e = plan(&s, "t", "symbol\tString\n").unwrap_err();
        assert!(e.message.contains("no column `price`"), "{e}");
        assert!(e.message.contains("Nullable(Float64)"), "{e}");
    }

    #[test]
    fn encodes_row_binary() {
        let s = settings_of(&[URL, ("table", "t"), ("ts.column", "ts")]).unwrap();
        let described = "symbol\tString\nprice\tNullable(Float64)\nvolume\tUInt16\nok\tUInt8\n\
                         ts\tDateTime\n";
        let p = plan(&s, "t", described).unwrap();
        let mut out = BytesMut::new();
        let e = Event::new(
            1_700_000_000_999,
            vec![
                Value::from("AB"),
                Value::Null,
                Value::Int(258),
                Value::Bool(true),
            ],
        );
        encode_row(&p, &e, &mut out).unwrap();
        let mut expected = vec![2, b'A', b'B', 1, 2, 1, 1];
        expected.extend_from_slice(&1_700_000_000u32.to_le_bytes());
        assert_eq!(&out[..], &expected[..]);

        let bad = Event::new(
            0,
            vec![Value::Null, Value::Null, Value::Int(1), Value::Bool(false)],
        );
        let e = encode_row(&p, &bad, &mut BytesMut::new()).unwrap_err();
        assert!(e.contains("`symbol`") && e.contains("not Nullable"), "{e}");
        let big = Event::new(
            0,
            vec![
                Value::from("A"),
                Value::Null,
                Value::Int(70_000),
                Value::Bool(false),
            ],
        );
        let e = encode_row(&p, &big, &mut BytesMut::new()).unwrap_err();
        assert!(e.contains("70000") && e.contains("UInt16"), "{e}");
    }

    #[test]
    fn integers_are_range_checked_and_strings_length_prefixed() {
        let mut out = BytesMut::new();
        put_int(&mut out, -1, 1, true).unwrap();
        put_int(&mut out, 255, 1, false).unwrap();
        assert!(put_int(&mut out, 128, 1, true).is_err());
        assert!(put_int(&mut out, -1, 8, false).is_err());
        put_bytes(&mut out, &[b'x'; 200]);
        assert_eq!(&out[..4], &[0xff, 0xff, 0xc8, 0x01]);
    }

    #[test]
    fn server_errors_are_classified_by_code() {
        let bad = |t: &str| classify(clickhouse::error::Error::BadResponse(t.into()), "INSERT");
        let old = "Code: 60, e.displayText() = DB::Exception: Table default.x doesn't exist., \
                   e.what() = DB::Exception";
        let e = bad(old);
        assert_eq!(e.class, ErrorClass::Permanent);
        assert!(e.message.contains("create.table"), "{e}");
        let new = "Code: 516. DB::Exception: default: Authentication failed. \
                   (AUTHENTICATION_FAILED) (version 24.8.1)";
        let e = bad(new);
        assert_eq!(e.class, ErrorClass::Permanent);
        assert!(e.message.contains("'password'"), "{e}");
        assert_eq!(
            bad("Code: 252. DB::Exception: Too many parts").class,
            ErrorClass::Transient
        );
        assert_eq!(bad("502 Bad Gateway").class, ErrorClass::Transient);
        assert_eq!(
            classify(clickhouse::error::Error::TimedOut, "INSERT").class,
            ErrorClass::Transient
        );
    }

    #[test]
    fn routing_rejects_bad_table_names() {
        let s = settings_of(&[URL, ("table.by", "symbol")]).unwrap();
        let sink = ClickHouseSink {
            client: clickhouse::Client::default(),
            settings: Arc::new(s),
            plans: HashMap::new(),
            stopping: Arc::new(AtomicBool::new(false)),
        };
        let ev = |sym: Value| {
            Event::new(
                0,
                vec![sym, Value::Double(1.0), Value::Int(1), Value::Bool(true)],
            )
        };
        let events = vec![
            ev(Value::from("a")),
            ev(Value::from("b_2")),
            ev(Value::from("a")),
            ev(Value::Null),
            ev(Value::from("x; DROP")),
        ];
        let mut rejects = Rejects::default();
        let groups = sink.route(&events, &mut rejects);
        assert_eq!(
            groups,
            vec![("a".to_string(), vec![0, 2]), ("b_2".to_string(), vec![1])]
        );
        let rejected: Vec<usize> = rejects.items.iter().map(|(i, _)| *i).collect();
        assert_eq!(rejected, vec![3, 4]);
    }

    #[test]
    fn spec_example_compiles() {
        let spec = ClickHouseSinkFactory.spec();
        let binding = spec.example.replace("${CLICKHOUSE_PASSWORD}", "pw");
        let sql =
            format!("{binding}\nCREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);");
        if let Err(e) = crate::Engine::new().compile(&sql) {
            panic!("{e}");
        }
        for p in &spec.params {
            assert!(
                !p.description.is_empty() && !p.example.is_empty(),
                "{}",
                p.name
            );
        }
    }
}

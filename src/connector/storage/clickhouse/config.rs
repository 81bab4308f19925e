//! The `clickhouse` sink's parameters and the settings read from them: where rows go, which
//! columns they fill, batching, retries.

use crate::connector::config::{ConfigError, ConnectorConfig};
use crate::connector::error::{RetryPolicy, ERROR_PARAMS, SINK_BUFFER_PARAMS_WITHOUT_BATCH};
use crate::connector::param::{specs, Choice, Describe, Param, Required};
use crate::connector::spec::ParamSpec;
use crate::schema::Schema;
use crate::value::AttrType;
use std::time::Duration;

const URL: Param<Required<String>> = Param::required(
    "url",
    "The server's HTTP interface (port 8123 by default, not the native port 9000), \
     http:// only in this build.",
    "http://clickhouse:8123",
);

const DATABASE: Param<&'static str> = Param::optional(
    "database",
    "default",
    "Database of the table(s); it must exist.",
    "market",
);

const TABLE: Param<Option<String>> = Param::optional(
    "table",
    None,
    "Table to insert into. Required unless table.by is set (not both).",
    "trades",
);

const TABLE_BY: Param<Option<String>> = Param::optional(
    "table.by",
    None,
    "A STRING attribute whose value names each event's table (letters, digits and _), \
     e.g. the event type: events for different tables go in separate INSERTs. Events \
     whose value is NULL or not such a name go to the error strategy.",
    "event_type",
);

const USER: Param<&'static str> =
    Param::optional("user", "default", "User to insert as.", "ingest");

const PASSWORD: Param<Option<String>> = Param::optional(
    "password",
    None,
    "The user's password; write ${VAR} to take it from the environment.",
    "${CLICKHOUSE_PASSWORD}",
);

const BATCH_SIZE: Param<usize> = Param::optional(
    "batch.size",
    10_000,
    "Most rows per INSERT (per table). ClickHouse prefers few large INSERTs: thousands \
     of rows or more. Up to 1048576 rows an INSERT is atomic, so a retried one never \
     duplicates rows; above that the sink raises max_insert_block_size to match.",
    "100000",
);

const FLUSH_INTERVAL: Param<Duration> = Param::optional(
    "flush.interval.ms",
    Duration::from_millis(1000),
    "Longest wait for a batch to fill before a smaller one is inserted. Whatever is \
     buffered is inserted at shutdown.",
    "5000",
);

const TIMEOUT: Param<Duration> = Param::optional(
    "timeout.ms",
    Duration::from_millis(30_000),
    "Limit on one request (connect to answer); a timeout is retried.",
    "60000",
);

const RETRY_MAX_ATTEMPTS: Param<i64> = Param::optional(
    "retry.max.attempts",
    5,
    "Attempts per request (the table check, each INSERT) in all, the first included; \
     -1 retries until the server answers (while the app stops, at most 5).",
    "-1",
);

const RETRY_DELAY_MS: Param<u64> = Param::optional(
    "retry.delay.ms",
    500,
    "Wait before the first retry; doubles on each retry, with up to 20% jitter.",
    "200",
);

const RETRY_MAX_DELAY_MS: Param<u64> = Param::optional(
    "retry.max.delay.ms",
    30_000,
    "Cap on the wait between retries.",
    "10000",
);

const CREATE_TABLE: Param<bool> = Param::optional(
    "create.table",
    false,
    "Create missing tables from the stream schema on first use: CREATE TABLE IF NOT \
     EXISTS ... ENGINE = MergeTree ORDER BY order.by (see the type mapping above).",
    "true",
);

const ORDER_BY: Param<Option<String>> = Param::optional(
    "order.by",
    None,
    "With create.table: the sorting key, comma-separated column names (attributes or \
     ts.column). Default: the first attribute. Key columns are created non-Nullable.",
    "symbol, ts",
);

const TS_COLUMN: Param<Option<String>> = Param::optional(
    "ts.column",
    None,
    "Also write each event's timestamp (milliseconds since the epoch) to this column: \
     Int64 with create.table; an existing column may also be UInt64, DateTime or \
     DateTime64(P).",
    "ts",
);

/// Whether INSERT bodies are LZ4-compressed.
const COMPRESSION: Param<Choice<bool>> = Param::choice(
    "compression",
    &[("lz4", true), ("none", false)],
    true,
    "Compression of INSERT bodies: lz4 (ClickHouse's native block compression) or none.",
    "none",
);

const PARAMS: &[&dyn Describe] = &[
    &URL,
    &DATABASE,
    &TABLE,
    &TABLE_BY,
    &USER,
    &PASSWORD,
    &BATCH_SIZE,
    &FLUSH_INTERVAL,
    &TIMEOUT,
    &RETRY_MAX_ATTEMPTS,
    &RETRY_DELAY_MS,
    &RETRY_MAX_DELAY_MS,
    &CREATE_TABLE,
    &ORDER_BY,
    &TS_COLUMN,
    &COMPRESSION,
];

pub(super) fn params() -> Vec<ParamSpec> {
    specs(&[PARAMS, SINK_BUFFER_PARAMS_WITHOUT_BATCH, ERROR_PARAMS])
}

/// Where rows go.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Target {
    Table(String),
    /// The table named by this attribute's value.
    By(usize),
}

/// Where a column's value comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Source {
    Attr(usize, AttrType),
    /// The event timestamp, milliseconds since the epoch.
    Ts,
}

/// A column the sink writes.
#[derive(Debug, Clone)]
pub(super) struct Column {
    pub name: String,
    pub source: Source,
}

#[derive(Debug)]
pub(super) struct Settings {
    pub url: String,
    pub database: String,
    pub user: String,
    pub password: Option<String>,
    pub target: Target,
    /// The stream's attributes, then the timestamp column if any.
    pub columns: Vec<Column>,
    pub batch_size: usize,
    pub flush_interval: Duration,
    pub timeout: Duration,
    pub retry: RetryPolicy,
    pub create_table: bool,
    pub order_by: Vec<String>,
    pub compression: bool,
}

pub(super) fn settings(config: &ConnectorConfig, schema: &Schema) -> Result<Settings, ConfigError> {
    let url = url(config)?;
    let columns = columns(config, schema)?;
    let create_table = CREATE_TABLE.read(config)?;
    let attempts = RETRY_MAX_ATTEMPTS.read(config)?;
    if attempts < 1 && attempts != -1 {
        return Err(ConfigError(format!(
            "parameter 'retry.max.attempts' has value '{attempts}': it counts the first attempt, \
             so it must be at least 1 (or -1 to retry until the server answers)"
        )));
    }
    Ok(Settings {
        url,
        database: DATABASE.read(config)?,
        user: USER.read(config)?,
        password: PASSWORD.read(config)?,
        target: target(config, schema)?,
        order_by: order_by(config, &columns, create_table)?,
        columns,
        batch_size: BATCH_SIZE.read(config)?.max(1),
        flush_interval: FLUSH_INTERVAL.read(config)?,
        timeout: TIMEOUT.read(config)?.max(Duration::from_millis(1)),
        retry: RetryPolicy {
            max_attempts: attempts,
            delay_ms: RETRY_DELAY_MS.read(config)?,
            max_delay_ms: RETRY_MAX_DELAY_MS.read(config)?,
        },
        create_table,
        compression: COMPRESSION.read(config)?,
    })
}

fn url(config: &ConnectorConfig) -> Result<String, ConfigError> {
    let url = URL.read(config)?;
    let url = url.trim_end_matches('/');
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
    match (TABLE.get(config), TABLE_BY.get(config)) {
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
    if let Some(ts) = TS_COLUMN.get(config).map(str::trim) {
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
    let Some(list) = ORDER_BY.get(config) else {
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

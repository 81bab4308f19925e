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
//!
//! Files: `config` (parameters and settings), `ddl` (identifiers, CREATE and INSERT),
//! `schema` (server column types checked against the stream), `encode` (RowBinary), `error`
//! (classifying failures), `sink` (batches, retries, requests).

mod config;
mod ddl;
mod encode;
mod error;
mod schema;
mod sink;
#[cfg(test)]
mod tests;

use crate::connector::config::{ConfigError, ConnectorConfig};
use crate::connector::spec::ConnectorSpec;
use crate::connector::{ConnectorError, Sink, SinkFactory, SinkMapper};
use crate::schema::Schema;
use config::{params, settings};
use sink::ClickHouseSink;
use std::collections::HashMap;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

pub struct ClickHouseSinkFactory;

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
            pinged: None,
        }))
    }
}

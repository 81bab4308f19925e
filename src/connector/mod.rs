//! The connector contract: sources bring payloads or rows in, sinks take event batches out,
//! mappers translate between bytes and events (the traits below). Connectors see only `Event`, `Schema`, `Value` and
//! the mapper they are given; the engine owns threads, buffering, error strategies and metrics.

pub mod builtin;
pub mod builtins;
pub mod config;
pub mod error;
pub mod ingest;
pub mod mapper;
pub mod media;
pub mod net;
pub mod param;
pub mod registry;
pub mod spec;
pub mod status;
pub mod storage;

use crate::event::Event;
use crate::schema::Schema;
use crate::value::Value;
use bytes::Bytes;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

pub use config::{ConfigError, ConnectorConfig, MapperConfig, Params};
pub use registry::ConnectorRegistry;
pub use spec::{ConnectorSpec, ParamSpec};
pub use status::{ConnectorState, ConnectorStatus, Health};

/// Whether retrying can help.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// Network blips, timeouts, 5xx: retry with backoff.
    Transient,
    /// Bad config, auth refused, 4xx, unencodable data: retrying cannot help.
    Permanent,
}

/// A connector failure with its class.
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectorError {
    pub class: ErrorClass,
    pub message: String,
}

impl ConnectorError {
    pub fn transient(message: impl Into<String>) -> Self {
        ConnectorError {
            class: ErrorClass::Transient,
            message: message.into(),
        }
    }

    pub fn permanent(message: impl Into<String>) -> Self {
        ConnectorError {
            class: ErrorClass::Permanent,
            message: message.into(),
        }
    }
}

impl fmt::Display for ConnectorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConnectorError {}

impl From<ConfigError> for ConnectorError {
    fn from(e: ConfigError) -> Self {
        ConnectorError::permanent(e.0)
    }
}

impl From<std::io::Error> for ConnectorError {
    fn from(e: std::io::Error) -> Self {
        use std::io::ErrorKind::*;
        match e.kind() {
            NotFound | PermissionDenied | InvalidInput | InvalidData | Unsupported => {
                ConnectorError::permanent(e.to_string())
            }
            _ => ConnectorError::transient(e.to_string()),
        }
    }
}

/// Where a source delivers what it reads. Implemented by the engine: payloads go through the
/// stream's mapper (failures to the error strategy), rows go straight to the stream, both stamped
/// with the app clock.
pub trait SourceOutput: Send {
    /// Decodes each payload with the stream's mapper and delivers the result as one batch.
    fn payloads(&mut self, payloads: &[Bytes]);
    /// Decodes one payload and delivers its rows as one batch, returning how many events it
    /// made, or the mapper's error (also counted and handed to the error strategy). For sources
    /// that answer their sender, like an HTTP receiver replying 400.
    fn payload_checked(&mut self, payload: &Bytes) -> Result<usize, String>;
    /// Delivers whole events (rows with their own timestamps) as one batch.
    fn events(&mut self, events: Vec<Event>);
    /// Waits until every sink of the app has delivered and synced what it held when called;
    /// false when `timeout` passes first.
    fn sync_downstream(&mut self, timeout: std::time::Duration) -> bool;
    /// Delivers typed rows (in the stream's attribute order) as one batch.
    fn rows(&mut self, rows: Vec<Arc<[Value]>>);
    /// Delivers rows (in that stream's attribute order) into the side stream named by the
    /// source's parameter `param` (see [`SourceFactory::side_streams`]); nothing when the app
    /// did not give that parameter.
    fn side_rows(&mut self, param: &str, rows: Vec<Arc<[Value]>>);
    /// Reports a failure that is not tied to a decodable payload (connection lost, ...). It is
    /// logged, counted and handed to the error strategy with the payload, if any.
    fn error(&mut self, error: &ConnectorError, payload: Option<&Bytes>);
    /// Counts `count` events the source shed on purpose (backpressure): lost, with nothing to
    /// hand to the error strategy. The source logs why.
    fn dropped(&mut self, count: u64);
}

/// What a running source is handed.
pub struct SourceContext {
    running: Arc<AtomicBool>,
    output: Box<dyn SourceOutput>,
    status: Arc<ConnectorStatus>,
}

impl SourceContext {
    pub fn new(running: Arc<AtomicBool>, output: Box<dyn SourceOutput>) -> Self {
        SourceContext {
            running,
            output,
            status: Arc::default(),
        }
    }

    /// With the status the engine and the control plane read.
    pub fn with_status(mut self, status: Arc<ConnectorStatus>) -> Self {
        self.status = status;
        self
    }

    /// Where this source reports its state and health: `status().reconnecting(why)` when the
    /// connection is lost, `status().connected()` when it is back, `status().add_bytes(n)`,
    /// `status().set_health(..)` for what only the source can check. A source's `run` holds
    /// its thread, so it reports here instead of answering a `health()` call.
    pub fn status(&self) -> &Arc<ConnectorStatus> {
        &self.status
    }

    /// False once the app is stopping: return from `run` promptly.
    pub fn is_running(&self) -> bool {
        self.running.load(Ordering::Acquire)
    }

    /// The flag itself, for connectors that hand it to their own threads or async tasks.
    pub fn running_flag(&self) -> Arc<AtomicBool> {
        self.running.clone()
    }

    pub fn emit_payload(&mut self, payload: Bytes) {
        self.output.payloads(std::slice::from_ref(&payload));
    }

    /// Several payloads become one batch: prefer this on the fast path.
    pub fn emit_payloads(&mut self, payloads: &[Bytes]) {
        if !payloads.is_empty() {
            self.output.payloads(payloads);
        }
    }

    /// Events that keep their own timestamps (a forwarder keeps the sender's).
    pub fn emit_events(&mut self, events: Vec<Event>) {
        if !events.is_empty() {
            self.output.events(events);
        }
    }

    /// Waits until everything emitted so far is delivered and durable in every sink of the app
    /// (synchronous paths; an `@async` stream in between is not waited for).
    pub fn sync_downstream(&mut self, timeout: std::time::Duration) -> bool {
        self.output.sync_downstream(timeout)
    }

    /// Decodes and delivers one payload; `Err` carries the mapper's message.
    pub fn emit_payload_checked(&mut self, payload: &Bytes) -> Result<usize, String> {
        self.output.payload_checked(payload)
    }

    pub fn emit_rows(&mut self, rows: Vec<Arc<[Value]>>) {
        if !rows.is_empty() {
            self.output.rows(rows);
        }
    }

    /// Rows for the side stream named by parameter `param` (a stats stream), in that stream's
    /// attribute order (its schema is in `config.side_schemas[param]`).
    pub fn emit_side_rows(&mut self, param: &str, rows: Vec<Arc<[Value]>>) {
        if !rows.is_empty() {
            self.output.side_rows(param, rows);
        }
    }

    /// Counts events this source shed on purpose (see [`SourceOutput::dropped`]).
    pub fn count_dropped(&mut self, count: u64) {
        if count > 0 {
            self.output.dropped(count);
        }
    }

    pub fn report_error(&mut self, error: &ConnectorError, payload: Option<&Bytes>) {
        self.output.error(error, payload);
    }
}

/// A source runs on a thread of its own until its input ends or the app stops.
pub trait Source: Send {
    /// Reads and emits until the input ends (return `Ok`) or `ctx.is_running()` turns false.
    /// An `Err` is logged and counted; the stream stays up for the app's other sources.
    fn run(&mut self, ctx: &mut SourceContext) -> Result<(), ConnectorError>;
}

/// Events a sink could not encode or deliver individually, by index into the batch.
#[derive(Debug, Default)]
pub struct Rejects {
    pub items: Vec<(usize, ConnectorError)>,
}

impl Rejects {
    pub fn reject(&mut self, index: usize, error: ConnectorError) {
        self.items.push((index, error));
    }
}

/// A sink is driven by one engine thread that drains its bounded buffer in batches.
pub trait Sink: Send {
    /// Delivers a batch. Events that fail on their own go to `rejects`; an `Err` means the whole
    /// batch failed and goes to the error strategy (retried if the class is transient and the
    /// strategy is `retry`).
    fn publish(&mut self, events: &[Event], rejects: &mut Rejects) -> Result<(), ConnectorError>;

    /// Called once after the last batch, at shutdown: write out anything held.
    fn flush(&mut self) -> Result<(), ConnectorError> {
        Ok(())
    }

    /// Makes everything published so far durable (flushed to the OS, fsynced per the sink's
    /// policy). Called when a source needs to acknowledge what it received, such as the
    /// forwarder's receiver; sinks that hold nothing back keep the default.
    fn sync(&mut self) -> Result<(), ConnectorError> {
        Ok(())
    }

    /// Called once before the first batch with the flag that turns true when the app stops. A
    /// sink that waits (reconnecting, retrying) gives up sooner once it is set, so shutdown ends.
    fn set_stopping(&mut self, _stopping: Arc<AtomicBool>) {}

    /// Called once before the first batch with the status the control plane reads. A sink
    /// that connects reports there (`reconnecting(why)`, `connected()`, `add_bytes(n)`), also
    /// from inside a long `publish`.
    fn set_status(&mut self, _status: Arc<ConnectorStatus>) {}

    /// Whether the sink can deliver now: connected, able to write, the server answering a ping.
    /// The drain thread asks about every [`HEALTH_CHECK_EVERY`] while idle and after a failed
    /// batch; the answer is what `/readyz` and `GET .../connectors` show. Default: healthy.
    fn health(&mut self) -> Health {
        Health::healthy("no health check")
    }

    /// Most events handed to one `publish`, when the sink wants other than `batch.size` (a sink
    /// that sends several requests concurrently wants several requests' worth).
    fn max_batch(&self) -> Option<usize> {
        None
    }

    /// Called about every 100 ms while no events arrive: flush what waits on a timer, rotate
    /// files whose hour is over. Errors are the sink's to log.
    fn idle(&mut self) {}

    /// How long the drain thread waits for a batch to fill before publishing a partial one.
    fn linger(&self) -> std::time::Duration {
        std::time::Duration::ZERO
    }
}

/// How often an idle sink's drain thread calls [`Sink::health`].
pub const HEALTH_CHECK_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// Builds sources of one type from validated configs.
pub trait SourceFactory: Send + Sync {
    fn spec(&self) -> ConnectorSpec;

    /// Parameters whose value names another stream this source also emits into (a media
    /// source's `stats.stream`). The compiler resolves each one given and hands its schema to
    /// `validate` and `create` in [`ConnectorConfig::side_schemas`]; the source emits there
    /// with [`SourceContext::emit_side_rows`].
    fn side_streams(&self) -> &'static [&'static str] {
        &[]
    }

    /// Extra checks at compile time beyond the parameter metadata (value ranges, combinations).
    fn validate(&self, _config: &ConnectorConfig, _schema: &Schema) -> Result<(), ConfigError> {
        Ok(())
    }

    fn create(
        &self,
        config: &ConnectorConfig,
        schema: &Schema,
    ) -> Result<Box<dyn Source>, ConnectorError>;
}

/// Builds sinks of one type from validated configs.
pub trait SinkFactory: Send + Sync {
    fn spec(&self) -> ConnectorSpec;

    fn validate(&self, _config: &ConnectorConfig, _schema: &Schema) -> Result<(), ConfigError> {
        Ok(())
    }

    /// `mapper` is the stream's `@map` (or the spec's default format); `None` when the spec
    /// declares no formats.
    fn create(
        &self,
        config: &ConnectorConfig,
        schema: &Schema,
        mapper: Option<Box<dyn SinkMapper>>,
    ) -> Result<Box<dyn Sink>, ConnectorError>;
}

/// Turns one payload into zero or more rows in the stream's attribute order.
pub trait SourceMapper: Send {
    /// Appends the decoded rows to `out`. An `Err` (naming what is wrong and where) sends the
    /// payload to the error strategy; nothing is appended then.
    fn decode(&mut self, payload: &Bytes, out: &mut Vec<Arc<[Value]>>) -> Result<(), String>;
}

/// Turns one event into one payload.
pub trait SinkMapper: Send {
    /// Appends the encoded event to `out` (no trailing newline: line-based sinks add it).
    fn encode(&mut self, event: &Event, out: &mut Vec<u8>) -> Result<(), String>;

    /// A line written once before the first event (a CSV header), if the mapper has one.
    fn header(&self) -> Option<Vec<u8>> {
        None
    }
}

/// Builds mappers of one format. `spec().formats` is unused for mappers.
pub trait MapperFactory: Send + Sync {
    fn spec(&self) -> ConnectorSpec;

    fn source_mapper(
        &self,
        config: &MapperConfig,
        schema: &Schema,
    ) -> Result<Box<dyn SourceMapper>, ConfigError>;

    fn sink_mapper(
        &self,
        config: &MapperConfig,
        schema: &Schema,
    ) -> Result<Box<dyn SinkMapper>, ConfigError>;
}

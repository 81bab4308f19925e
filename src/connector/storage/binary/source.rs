//! The `binary` source: replays binary logs into a stream, as fast as possible or at the
//! recorded pace, with arrival or recorded timestamps.

use super::reader::{log_files, BinaryReader, ReadError};
use crate::connector::config::{ConfigError, ConnectorConfig};
use crate::connector::error::ERROR_PARAMS;
use crate::connector::param::{specs, Choice, Describe, Param, Required};
use crate::connector::spec::ConnectorSpec;
use crate::connector::storage::codec;
use crate::connector::{ConnectorError, Source, SourceContext, SourceFactory};
use crate::event::Event;
use crate::schema::Schema;
use bytes::Bytes;
use std::path::PathBuf;
use std::time::{Duration, Instant};

pub struct BinarySourceFactory;

const PATH: Param<Required<String>> = Param::required(
    "path",
    "A binary log, or a directory whose .bin / .bin.lz4 files (rotated ones included, searched \
     recursively) are replayed in name order.",
    "archive/trades",
);
/// Whether to replay with the recorded gaps between records.
const PACE: Param<Choice<bool>> = Param::choice(
    "pace",
    &[("fast", false), ("recorded", true)],
    false,
    "fast: as fast as the app takes them; recorded: with the gaps between the recorded \
     timestamps.",
    "recorded",
);
/// Whether events keep the timestamps in the log.
const TIMESTAMPS: Param<Choice<bool>> = Param::choice(
    "timestamps",
    &[("arrival", false), ("recorded", true)],
    false,
    "arrival: events get the app clock's time as they enter; recorded: they keep the \
     timestamps in the log (binary format only), for time windows over history (best with \
     @app:playback).",
    "recorded",
);
const PARAMS: &[&dyn Describe] = &[&PATH, &PACE, &TIMESTAMPS];

impl SourceFactory for BinarySourceFactory {
    fn spec(&self) -> ConnectorSpec {
        ConnectorSpec {
            name: "binary",
            aliases: &[],
            description: "Replays binary logs written by the binary sink into a stream, as fast \
                as possible or at the recorded pace. Payloads are decoded by the @map (binary by \
                default, which checks them against the stream's attributes). A file that ends \
                inside a record (its writer crashed) is replayed up to its last complete \
                record, with a warning that says where it stopped.",
            params: specs(&[PARAMS, ERROR_PARAMS]),
            formats: &["binary", "json", "csv", "text", "bytes"],
            default_format: Some("binary"),
            example: "@source(type='binary', path='archive/trades', pace='recorded')",
        }
    }

    fn validate(&self, config: &ConnectorConfig, _schema: &Schema) -> Result<(), ConfigError> {
        PACE.read(config)?;
        recorded_timestamps(config).map(|_| ())
    }

    fn create(
        &self,
        config: &ConnectorConfig,
        schema: &Schema,
    ) -> Result<Box<dyn Source>, ConnectorError> {
        Ok(Box::new(BinarySource {
            path: PathBuf::from(PATH.read(config)?),
            recorded_pace: PACE.read(config)?,
            recorded_ts: recorded_timestamps(config)?.then(|| schema.clone()),
        }))
    }
}

/// `timestamps='recorded'`: decode here (binary rows only) so events keep their log time.
fn recorded_timestamps(config: &ConnectorConfig) -> Result<bool, ConfigError> {
    if !TIMESTAMPS.read(config)? {
        return Ok(false);
    }
    match config.map.as_ref().map_or("binary", |m| m.kind.as_str()) {
        "binary" => Ok(true),
        other => Err(ConfigError(format!(
            "timestamps='recorded' needs the binary format, not '{other}'"
        ))),
    }
}

struct BinarySource {
    path: PathBuf,
    recorded_pace: bool,
    /// With `timestamps='recorded'`: the schema rows are decoded against.
    recorded_ts: Option<Schema>,
}

/// What a replay has read and not yet emitted.
struct Pending {
    payloads: Vec<Bytes>,
    events: Vec<Event>,
}

impl Pending {
    fn len(&self) -> usize {
        self.payloads.len() + self.events.len()
    }

    fn emit(&mut self, ctx: &mut SourceContext) {
        ctx.emit_payloads(&self.payloads);
        self.payloads.clear();
        ctx.emit_events(std::mem::take(&mut self.events));
    }
}

impl Source for BinarySource {
    fn run(&mut self, ctx: &mut SourceContext) -> Result<(), ConnectorError> {
        let files = log_files(&self.path).map_err(|e| {
            ConnectorError::permanent(format!(
                "binary source: cannot list '{}': {e}",
                self.path.display()
            ))
        })?;
        if files.is_empty() {
            return Err(ConnectorError::permanent(format!(
                "binary source: no .bin or .bin.lz4 files at '{}'",
                self.path.display()
            )));
        }
        let mut batch = Pending {
            payloads: Vec::with_capacity(1024),
            events: Vec::new(),
        };
        let mut clock: Option<(i64, Instant)> = None;
        for file in files {
            let mut reader = match BinaryReader::open(&file) {
                Ok(r) => r,
                Err(e @ ReadError::Truncated { .. }) => {
                    log::warn!("binary source: {}: {e}", file.display());
                    continue;
                }
                Err(e) => return Err(ConnectorError::permanent(format!("binary source: {e}"))),
            };
            loop {
                if !ctx.is_running() {
                    return Ok(());
                }
                match reader.next_record() {
                    Ok(Some(record)) => {
                        if self.recorded_pace {
                            let (first, started) =
                                *clock.get_or_insert((record.ts, Instant::now()));
                            let due =
                                started + Duration::from_millis((record.ts - first).max(0) as u64);
                            let now = Instant::now();
                            if due > now {
                                batch.emit(ctx);
                                std::thread::sleep(due - now);
                            }
                        }
                        match &self.recorded_ts {
                            None => batch.payloads.push(record.payload),
                            Some(schema) => match codec::decode_for(&record.payload, schema) {
                                Ok(row) => batch.events.push(Event::new(record.ts, row)),
                                Err(msg) => ctx.report_error(
                                    &ConnectorError::permanent(format!(
                                        "cannot decode payload: {msg}"
                                    )),
                                    Some(&record.payload),
                                ),
                            },
                        }
                        if batch.len() >= 1024 {
                            batch.emit(ctx);
                        }
                    }
                    Ok(None) => break,
                    Err(e @ ReadError::Truncated { .. }) => {
                        log::warn!("binary source: {}: {e}", file.display());
                        break;
                    }
                    Err(e) => {
                        batch.emit(ctx);
                        return Err(ConnectorError::permanent(format!(
                            "binary source: {}: {e}",
                            file.display()
                        )));
                    }
                }
            }
        }
        batch.emit(ctx);
        Ok(())
    }
}

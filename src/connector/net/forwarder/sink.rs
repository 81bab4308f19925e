//! The `forwarder` sink: sends each batch to a receiver and waits for its acknowledgement,
//! reconnecting with backoff and sending it again until it is acknowledged.

use super::protocol::{
    encode_batch, read_frame, write_frame, Hello, ACK, BATCH, BUSY, HELLO, REFUSED, VERSION,
    WELCOME,
};
use super::AUTH_TOKEN;
use crate::connector::config::{ConfigError, ConnectorConfig};
use crate::connector::error::{ERROR_PARAMS, SINK_BUFFER_PARAMS};
use crate::connector::net::Backoff;
use crate::connector::param::{specs, Choice, Describe, Param, Required};
use crate::connector::spec::ConnectorSpec;
use crate::connector::{ConnectorError, Rejects, Sink, SinkFactory, SinkMapper};
use crate::event::Event;
use crate::schema::Schema;
use bytes::Buf;
use std::io::{BufReader, BufWriter};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

const HOST: Param<Required<String>> = Param::required(
    "host",
    "The receiver's host name or address.",
    "collector.internal",
);

const PORT: Param<Required<u16>> = Param::required("port", "The receiver's port.", "7070");

/// Whether each batch goes as one LZ4 block.
const COMPRESSION: Param<Choice<bool>> = Param::choice(
    "compression",
    &[("none", false), ("lz4", true)],
    false,
    "none or lz4 (each batch as one LZ4 block).",
    "lz4",
);

const ACK_TIMEOUT: Param<Duration> = Param::optional(
    "ack.timeout.ms",
    Duration::from_millis(30_000),
    "How long to wait for a batch's acknowledgement before treating the connection as broken.",
    "10000",
);

const RECONNECT_DELAY_MS: Param<u64> = Param::optional(
    "reconnect.delay.ms",
    200,
    "First wait before reconnecting; doubles per failure, with jitter.",
    "1000",
);

const RECONNECT_MAX_DELAY_MS: Param<u64> = Param::optional(
    "reconnect.max.delay.ms",
    10_000,
    "Cap on the wait between reconnects.",
    "30000",
);

const RECONNECT_MAX_ATTEMPTS: Param<i64> = Param::optional(
    "reconnect.max.attempts",
    -1,
    "Failed attempts for one batch before it goes to the error strategy (-1 = keep trying).",
    "20",
);

const PARAMS: &[&dyn Describe] = &[
    &HOST,
    &PORT,
    &AUTH_TOKEN,
    &COMPRESSION,
    &ACK_TIMEOUT,
    &RECONNECT_DELAY_MS,
    &RECONNECT_MAX_DELAY_MS,
    &RECONNECT_MAX_ATTEMPTS,
];

pub struct ForwarderSinkFactory;

impl SinkFactory for ForwarderSinkFactory {
    fn spec(&self) -> ConnectorSpec {
        ConnectorSpec {
            name: "forwarder",
            aliases: &[],
            description: "Sends events to another EventFlux process's forwarder source over TCP, \
                at least once: each batch waits for the receiver's acknowledgement, which comes \
                only after the receiver's sinks hold the batch durably. Batches that were not \
                acknowledged are sent again after a reconnect (with backoff), so nothing is lost \
                when the receiver restarts; events wait in the sink buffer meanwhile. Event \
                timestamps are kept.",
            params: specs(&[PARAMS, SINK_BUFFER_PARAMS, ERROR_PARAMS]),
            formats: &[],
            default_format: None,
            example:
                "@sink(type='forwarder', host='collector.internal', port='7070', compression='lz4')",
        }
    }

    fn validate(&self, config: &ConnectorConfig, _schema: &Schema) -> Result<(), ConfigError> {
        SinkSettings::from_config(config).map(|_| ())
    }

    fn create(
        &self,
        config: &ConnectorConfig,
        schema: &Schema,
        _mapper: Option<Box<dyn SinkMapper>>,
    ) -> Result<Box<dyn Sink>, ConnectorError> {
        Ok(Box::new(ForwarderSink {
            settings: SinkSettings::from_config(config)?,
            stream: schema.name().to_string(),
            session: fastrand::u64(..),
            connection: None,
            seq: 0,
            resent: 0,
            stopping: Arc::new(AtomicBool::new(false)),
            scratch: Vec::new(),
        }))
    }
}

struct SinkSettings {
    address: String,
    token: Option<String>,
    lz4: bool,
    ack_timeout: Duration,
    delay_ms: u64,
    max_delay_ms: u64,
    max_attempts: i64,
}

impl SinkSettings {
    fn from_config(config: &ConnectorConfig) -> Result<SinkSettings, ConfigError> {
        let port = PORT.read(config)?;
        Ok(SinkSettings {
            address: format!("{}:{port}", HOST.read(config)?),
            token: AUTH_TOKEN.read(config)?,
            lz4: COMPRESSION.read(config)?,
            ack_timeout: ACK_TIMEOUT.read(config)?.max(Duration::from_millis(1)),
            delay_ms: RECONNECT_DELAY_MS.read(config)?,
            max_delay_ms: RECONNECT_MAX_DELAY_MS.read(config)?,
            max_attempts: RECONNECT_MAX_ATTEMPTS.read(config)?,
        })
    }
}

struct Connection {
    reader: BufReader<TcpStream>,
    writer: BufWriter<TcpStream>,
}

struct ForwarderSink {
    settings: SinkSettings,
    stream: String,
    session: u64,
    connection: Option<Connection>,
    seq: u64,
    /// Batches sent again after a broken connection: the receiver may hold them twice.
    resent: u64,
    stopping: Arc<AtomicBool>,
    scratch: Vec<u8>,
}

impl ForwarderSink {
    fn connect(&self) -> Result<Connection, ConnectorError> {
        let s = &self.settings;
        let addrs: Vec<_> = std::net::ToSocketAddrs::to_socket_addrs(&s.address)
            .map_err(|e| {
                ConnectorError::transient(format!("forwarder: cannot resolve {}: {e}", s.address))
            })?
            .collect();
        let addr = addrs.first().ok_or_else(|| {
            ConnectorError::transient(format!("forwarder: {} resolves to nothing", s.address))
        })?;
        let stream = TcpStream::connect_timeout(addr, Duration::from_secs(5)).map_err(|e| {
            ConnectorError::transient(format!("forwarder: cannot connect to {}: {e}", s.address))
        })?;
        let _ = stream.set_nodelay(true);
        stream.set_read_timeout(Some(s.ack_timeout))?;
        let mut conn = Connection {
            reader: BufReader::new(stream.try_clone()?),
            writer: BufWriter::with_capacity(256 * 1024, stream),
        };
        let hello = serde_json::to_vec(&Hello {
            version: VERSION,
            token: s.token.clone(),
            stream: self.stream.clone(),
            session: self.session,
        })
        .expect("hello serializes");
        write_frame(&mut conn.writer, HELLO, &[&hello])?;
        match read_frame(&mut conn.reader)? {
            (WELCOME, _) => Ok(conn),
            (REFUSED, why) => Err(ConnectorError::permanent(format!(
                "forwarder: {} refused the connection: {}",
                s.address,
                String::from_utf8_lossy(&why)
            ))),
            (BUSY, why) => Err(ConnectorError::transient(format!(
                "forwarder: {} is busy: {}",
                s.address,
                String::from_utf8_lossy(&why)
            ))),
            (kind, _) => Err(ConnectorError::transient(format!(
                "forwarder: unexpected frame {kind} from {}",
                s.address
            ))),
        }
    }

    /// Sends one batch and waits for its acknowledgement on the current connection.
    fn send_once(&mut self, body: &[u8], seq: u64) -> Result<(), ConnectorError> {
        if self.connection.is_none() {
            self.connection = Some(self.connect()?);
        }
        let conn = self.connection.as_mut().expect("connected above");
        write_frame(&mut conn.writer, BATCH, &[body])?;
        loop {
            match read_frame(&mut conn.reader)? {
                (ACK, b) if b.len() == 8 => {
                    if (&b[..]).get_u64_le() == seq {
                        return Ok(());
                    }
                }
                (REFUSED, why) => {
                    return Err(ConnectorError::permanent(format!(
                        "forwarder: the receiver refused batch {seq}: {}",
                        String::from_utf8_lossy(&why)
                    )))
                }
                (kind, _) => {
                    return Err(ConnectorError::transient(format!(
                        "forwarder: unexpected frame {kind}"
                    )))
                }
            }
        }
    }
}

impl Sink for ForwarderSink {
    fn set_stopping(&mut self, stopping: Arc<AtomicBool>) {
        self.stopping = stopping;
    }

    fn publish(&mut self, events: &[Event], _rejects: &mut Rejects) -> Result<(), ConnectorError> {
        self.seq += 1;
        let seq = self.seq;
        let body = encode_batch(seq, events, self.settings.lz4, &mut self.scratch);
        let s = &self.settings;
        let mut backoff = Backoff::new(s.delay_ms, s.max_delay_ms, s.max_attempts);
        let mut attempts_while_stopping = 0;
        loop {
            let error = match self.send_once(&body, seq) {
                Ok(()) => return Ok(()),
                Err(e) => e,
            };
            self.connection = None;
            if error.class == crate::connector::ErrorClass::Permanent {
                return Err(error);
            }
            self.resent += 1;
            log::warn!(
                "{error}; batch {seq} ({} events) will be sent again",
                events.len()
            );
            if self.stopping.load(Ordering::Acquire) {
                attempts_while_stopping += 1;
                if attempts_while_stopping >= 3 {
                    return Err(error);
                }
            }
            match backoff.failed() {
                Some(wait) => std::thread::sleep(wait),
                None => {
                    return Err(ConnectorError::transient(format!(
                        "{error} (gave up after {} attempts: reconnect.max.attempts)",
                        backoff.failures()
                    )))
                }
            }
        }
    }

    fn flush(&mut self) -> Result<(), ConnectorError> {
        if self.resent > 0 {
            log::warn!(
                "forwarder: {} batches were sent again after broken connections; the receiver may hold some of them twice",
                self.resent
            );
        }
        Ok(())
    }
}

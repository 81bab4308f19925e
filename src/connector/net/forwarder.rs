//! `forwarder` sink and source: collector-to-collector transport over TCP with at-least-once
//! delivery. The sender numbers each batch and waits for its acknowledgement; the receiver
//! acknowledges a batch only after every sink of its app has delivered it and synced it to disk.
//! A batch not acknowledged (connection lost, receiver killed) is sent again after the
//! reconnect, so a receiver that crashed may see it twice; duplicates within one connection
//! are recognised, skipped and counted.
//!
//! Frames: `len:u32 LE · kind:u8 · body[len-1]`.
//! - HELLO (1): JSON `{"version":1,"token":..,"stream":..,"session":..}` from the sender.
//! - WELCOME (2): empty; REFUSED (5): a UTF-8 reason, then the receiver closes.
//! - BATCH (3): `seq:u64 · count:u32 · flags:u8 (bit 0 = LZ4 block) · records`, a record being
//!   `ts:i64 · len:u32 · row` in the `binary` row encoding.
//! - ACK (4): `seq:u64`, sent once the batch is durable downstream.

use super::backoff::Backoff;
use crate::connector::config::{ConfigError, ConnectorConfig, Params};
use crate::connector::error::{ERROR_PARAMS, SINK_BUFFER_PARAMS};
use crate::connector::param::specs;
use crate::connector::spec::{ConnectorSpec, ParamSpec};
use crate::connector::storage::codec;
use crate::connector::{
    ConnectorError, Rejects, Sink, SinkFactory, SinkMapper, Source, SourceContext, SourceFactory,
};
use crate::event::Event;
use crate::schema::Schema;
use bytes::Bytes;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

const HELLO: u8 = 1;
const WELCOME: u8 = 2;
const BATCH: u8 = 3;
const ACK: u8 = 4;
const REFUSED: u8 = 5;
const VERSION: u64 = 1;
const LZ4_FLAG: u8 = 1;
/// Frames above this are refused as damaged (a batch of 1 M small events fits well below).
const MAX_FRAME: usize = 256 * 1024 * 1024;

fn write_frame(w: &mut impl Write, kind: u8, body: &[&[u8]]) -> io::Result<()> {
    let len: usize = 1 + body.iter().map(|b| b.len()).sum::<usize>();
    w.write_all(&(len as u32).to_le_bytes())?;
    w.write_all(&[kind])?;
    for b in body {
        w.write_all(b)?;
    }
    w.flush()
}

fn read_frame(r: &mut impl Read) -> io::Result<(u8, Vec<u8>)> {
    let mut len = [0u8; 4];
    r.read_exact(&mut len)?;
    let len = u32::from_le_bytes(len) as usize;
    if len == 0 || len > MAX_FRAME {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("bad frame length {len}"),
        ));
    }
    let mut kind = [0u8; 1];
    r.read_exact(&mut kind)?;
    let mut body = vec![0u8; len - 1];
    r.read_exact(&mut body)?;
    Ok((kind[0], body))
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Hello {
    version: u64,
    token: Option<String>,
    stream: String,
    session: u64,
}

/// Encodes a batch body: seq, count, flags, records.
fn encode_batch(seq: u64, events: &[Event], lz4: bool, scratch: &mut Vec<u8>) -> Vec<u8> {
    scratch.clear();
    let mut row = Vec::with_capacity(128);
    for e in events {
        row.clear();
        codec::encode_row(&e.data, &mut row);
        scratch.extend_from_slice(&e.ts.to_le_bytes());
        scratch.extend_from_slice(&(row.len() as u32).to_le_bytes());
        scratch.extend_from_slice(&row);
    }
    let mut body = Vec::with_capacity(13 + scratch.len());
    body.extend_from_slice(&seq.to_le_bytes());
    body.extend_from_slice(&(events.len() as u32).to_le_bytes());
    if lz4 {
        body.push(LZ4_FLAG);
        body.extend_from_slice(&lz4_flex::block::compress_prepend_size(scratch));
    } else {
        body.push(0);
        body.extend_from_slice(scratch);
    }
    body
}

/// Decodes a batch body into (seq, events) checked against `schema`.
fn decode_batch(body: &[u8], schema: &Schema) -> Result<(u64, Vec<Event>), String> {
    if body.len() < 13 {
        return Err("batch frame too short".into());
    }
    let seq = u64::from_le_bytes(body[..8].try_into().expect("8 bytes"));
    let count = u32::from_le_bytes(body[8..12].try_into().expect("4 bytes")) as usize;
    let records = if body[12] & LZ4_FLAG != 0 {
        lz4_flex::block::decompress_size_prepended(&body[13..])
            .map_err(|e| format!("batch {seq}: bad LZ4 block: {e}"))?
    } else {
        body[13..].to_vec()
    };
    let records = Bytes::from(records);
    let mut events = Vec::with_capacity(count);
    let mut at = 0;
    for i in 0..count {
        if at + 12 > records.len() {
            return Err(format!("batch {seq}: record {i} is cut short"));
        }
        let ts = i64::from_le_bytes(records[at..at + 8].try_into().expect("8 bytes"));
        let len =
            u32::from_le_bytes(records[at + 8..at + 12].try_into().expect("4 bytes")) as usize;
        at += 12;
        if at + len > records.len() {
            return Err(format!("batch {seq}: record {i} is cut short"));
        }
        let row = codec::decode_for(&records.slice(at..at + len), schema)
            .map_err(|e| format!("batch {seq}, record {i}: {e}"))?;
        events.push(Event::new(ts, row));
        at += len;
    }
    Ok((seq, events))
}

fn auth_param() -> ParamSpec {
    ParamSpec::optional(
        "auth.token",
        None,
        "Shared secret: the receiver refuses senders whose token differs. It travels in clear \
         text: use the forwarder on a trusted network or inside a tunnel.",
        "${FORWARDER_SECRET}",
    )
}

// ---------------------------------------------------------------------------------------------
// Sink

pub struct ForwarderSinkFactory;

impl SinkFactory for ForwarderSinkFactory {
    fn spec(&self) -> ConnectorSpec {
        let mut params = vec![
            ParamSpec::required("host", "The receiver's host name or address.", "collector.internal"),
            ParamSpec::required("port", "The receiver's port.", "7070"),
            auth_param(),
            ParamSpec::optional("compression", Some("none"), "none or lz4 (each batch as one LZ4 block).", "lz4"),
            ParamSpec::optional(
                "ack.timeout.ms",
                Some("30000"),
                "How long to wait for a batch's acknowledgement before treating the connection as broken.",
                "10000",
            ),
            ParamSpec::optional("reconnect.delay.ms", Some("200"), "First wait before reconnecting; doubles per failure, with jitter.", "1000"),
            ParamSpec::optional("reconnect.max.delay.ms", Some("10000"), "Cap on the wait between reconnects.", "30000"),
            ParamSpec::optional(
                "reconnect.max.attempts",
                Some("-1"),
                "Failed attempts for one batch before it goes to the error strategy (-1 = keep trying).",
                "20",
            ),
        ];
        params.extend(specs(&[SINK_BUFFER_PARAMS]));
        params.extend(specs(&[ERROR_PARAMS]));
        ConnectorSpec {
            name: "forwarder",
            aliases: &[],
            description: "Sends events to another EventFlux process's forwarder source over TCP, \
                at least once: each batch waits for the receiver's acknowledgement, which comes \
                only after the receiver's sinks hold the batch durably. Batches that were not \
                acknowledged are sent again after a reconnect (with backoff), so nothing is lost \
                when the receiver restarts; events wait in the sink buffer meanwhile. Event \
                timestamps are kept.",
            params,
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
        let port: u16 = config
            .parse("port")?
            .ok_or_else(|| ConfigError("missing required parameter 'port'".into()))?;
        let lz4 = match config.get("compression").unwrap_or("none") {
            "none" => false,
            "lz4" => true,
            other => {
                return Err(ConfigError(format!(
                    "parameter 'compression' has value '{other}': expected none or lz4"
                )))
            }
        };
        Ok(SinkSettings {
            address: format!("{}:{port}", config.require("host")?),
            token: config.get("auth.token").map(str::to_string),
            lz4,
            ack_timeout: Duration::from_millis(
                config.parse_or("ack.timeout.ms", 30_000u64)?.max(1),
            ),
            delay_ms: config.parse_or("reconnect.delay.ms", 200u64)?,
            max_delay_ms: config.parse_or("reconnect.max.delay.ms", 10_000u64)?,
            max_attempts: config.parse_or("reconnect.max.attempts", -1i64)?,
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
                    if u64::from_le_bytes(b[..8].try_into().expect("8 bytes")) == seq {
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

// ---------------------------------------------------------------------------------------------
// Source

pub struct ForwarderSourceFactory;

impl SourceFactory for ForwarderSourceFactory {
    fn spec(&self) -> ConnectorSpec {
        let mut params =
            vec![
            ParamSpec::optional("host", Some("0.0.0.0"), "Address to listen on.", "127.0.0.1"),
            ParamSpec::required("port", "TCP port to listen on.", "7070"),
            auth_param(),
            ParamSpec::optional(
                "sync.timeout.ms",
                Some("30000"),
                "How long to wait for the app's sinks to hold a batch durably before giving up \
                 on acknowledging it (the sender then sends it again).",
                "10000",
            ),
        ];
        params.extend(specs(&[ERROR_PARAMS]));
        ConnectorSpec {
            name: "forwarder",
            aliases: &[],
            description: "Receives events from forwarder sinks of other EventFlux processes. \
                Each batch goes into the stream with its original timestamps and is \
                acknowledged only once every sink of this app has delivered it and synced it \
                (files flushed, fsynced per their policy), so a sender never forgets a batch \
                this process could still lose. Senders of another stream or with a wrong \
                auth.token are refused.",
            params,
            formats: &[],
            default_format: None,
            example: "@source(type='forwarder', port='7070', auth.token='${FORWARDER_SECRET}')",
        }
    }

    fn validate(&self, config: &ConnectorConfig, _schema: &Schema) -> Result<(), ConfigError> {
        config
            .parse::<u16>("port")?
            .ok_or_else(|| ConfigError("missing required parameter 'port'".into()))?;
        Ok(())
    }

    fn create(
        &self,
        config: &ConnectorConfig,
        schema: &Schema,
    ) -> Result<Box<dyn Source>, ConnectorError> {
        let port: u16 = config.parse("port")?.unwrap_or(0);
        let address = format!("{}:{port}", config.get("host").unwrap_or("0.0.0.0"));
        let listener = TcpListener::bind(&address).map_err(|e| {
            ConnectorError::permanent(format!(
                "forwarder source: cannot listen on {address}: {e} (choose another host/port)"
            ))
        })?;
        log::info!("forwarder source: listening on {address}");
        Ok(Box::new(ForwarderSource {
            listener: Some(listener),
            schema: schema.clone(),
            token: config.get("auth.token").map(str::to_string),
            sync_timeout: Duration::from_millis(config.parse_or("sync.timeout.ms", 30_000u64)?),
        }))
    }
}

struct ForwarderSource {
    listener: Option<TcpListener>,
    schema: Schema,
    token: Option<String>,
    sync_timeout: Duration,
}

/// A decoded batch from a connection, and where its acknowledgement goes.
struct Arrival {
    events: Vec<Event>,
    acked: mpsc::SyncSender<bool>,
}

impl Source for ForwarderSource {
    fn run(&mut self, ctx: &mut SourceContext) -> Result<(), ConnectorError> {
        let listener = self
            .listener
            .take()
            .ok_or_else(|| ConnectorError::permanent("forwarder source ran twice"))?;
        listener.set_nonblocking(true)?;
        let (tx, rx) = mpsc::sync_channel::<Arrival>(16);
        let running = ctx.running_flag();
        let (schema, token) = (self.schema.clone(), self.token.clone());
        let acceptor = std::thread::Builder::new()
            .name("forwarder-accept".into())
            .spawn(move || accept_loop(listener, schema, token, tx, running))
            .expect("spawning a thread");
        while ctx.is_running() {
            match rx.recv_timeout(Duration::from_millis(100)) {
                Ok(arrival) => {
                    ctx.emit_events(arrival.events);
                    let durable = ctx.sync_downstream(self.sync_timeout);
                    if !durable {
                        log::warn!("forwarder source: the sinks did not sync within {:?}; the batch is not acknowledged and will come again", self.sync_timeout);
                    }
                    let _ = arrival.acked.send(durable);
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
        }
        let _ = acceptor.join();
        Ok(())
    }
}

fn accept_loop(
    listener: TcpListener,
    schema: Schema,
    token: Option<String>,
    tx: mpsc::SyncSender<Arrival>,
    running: Arc<AtomicBool>,
) {
    while running.load(Ordering::Acquire) {
        match listener.accept() {
            Ok((socket, peer)) => {
                let (schema, token, tx, running) =
                    (schema.clone(), token.clone(), tx.clone(), running.clone());
                let _ = std::thread::Builder::new()
                    .name("forwarder-conn".into())
                    .spawn(move || {
                        if let Err(e) = serve(socket, &schema, token.as_deref(), &tx, &running) {
                            log::warn!("forwarder source: sender {peer}: {e}");
                        }
                    });
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(20))
            }
            Err(e) => {
                log::warn!("forwarder source: accept failed: {e}");
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
}

/// One sender's connection: handshake, then batches in, acknowledgements out.
fn serve(
    socket: TcpStream,
    schema: &Schema,
    token: Option<&str>,
    tx: &mpsc::SyncSender<Arrival>,
    running: &AtomicBool,
) -> io::Result<()> {
    socket.set_nonblocking(false)?;
    let _ = socket.set_nodelay(true);
    socket.set_read_timeout(Some(Duration::from_millis(200)))?;
    let mut reader = BufReader::with_capacity(256 * 1024, socket.try_clone()?);
    let mut writer = BufWriter::new(socket);
    let hello: Hello = loop {
        match read_frame(&mut reader) {
            Ok((HELLO, body)) => {
                break serde_json::from_slice(&body)
                    .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?
            }
            Ok((kind, _)) => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("expected HELLO, got frame {kind}"),
                ))
            }
            Err(e) if is_timeout(&e) && running.load(Ordering::Acquire) => continue,
            Err(e) => return Err(e),
        }
    };
    let refusal = if hello.version != VERSION {
        Some(format!(
            "protocol version {} is not supported (this receiver speaks {VERSION})",
            hello.version
        ))
    } else if token.is_some() && hello.token.as_deref() != token {
        Some("wrong auth.token".to_string())
    } else if hello.stream != schema.name() {
        Some(format!(
            "this receiver takes stream '{}', not '{}'",
            schema.name(),
            hello.stream
        ))
    } else {
        None
    };
    if let Some(why) = refusal {
        write_frame(&mut writer, REFUSED, &[why.as_bytes()])?;
        return Err(io::Error::new(io::ErrorKind::PermissionDenied, why));
    }
    write_frame(&mut writer, WELCOME, &[])?;
    let mut last_acked = 0u64;
    let mut duplicates = 0u64;
    loop {
        let body = match read_frame(&mut reader) {
            Ok((BATCH, body)) => body,
            Ok((kind, _)) => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("unexpected frame {kind}"),
                ))
            }
            Err(e) if is_timeout(&e) && running.load(Ordering::Acquire) => continue,
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                if duplicates > 0 {
                    log::warn!(
                        "forwarder source: session {:x}: {duplicates} duplicate batches skipped",
                        hello.session
                    );
                }
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        let (seq, events) = decode_batch(&body, schema)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        if seq <= last_acked {
            // Sent again on this connection: already delivered; acknowledge, do not repeat.
            duplicates += 1;
            write_frame(&mut writer, ACK, &[&seq.to_le_bytes()])?;
            continue;
        }
        let (acked_tx, acked_rx) = mpsc::sync_channel(1);
        if tx
            .send(Arrival {
                events,
                acked: acked_tx,
            })
            .is_err()
        {
            return Ok(()); // the app is stopping
        }
        match acked_rx.recv() {
            Ok(true) => {
                last_acked = seq;
                write_frame(&mut writer, ACK, &[&seq.to_le_bytes()])?;
            }
            // Not durable: close, so the sender sends it again.
            _ => return Ok(()),
        }
    }
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::{AttrType, Value};

    #[test]
    fn batches_round_trip_plain_and_lz4() {
        let schema = Schema::of("S", &[("a", AttrType::String), ("b", AttrType::Long)]);
        let events: Vec<Event> = (0..50)
            .map(|i| Event::new(1000 + i, vec![Value::from("x"), Value::Long(i)]))
            .collect();
        for lz4 in [false, true] {
            let body = encode_batch(7, &events, lz4, &mut Vec::new());
            let (seq, back) = decode_batch(&body, &schema).unwrap();
            assert_eq!(seq, 7);
            assert_eq!(back.len(), 50);
            assert_eq!(back[49].ts, 1049);
            assert_eq!(back[49].data.to_vec(), events[49].data.to_vec());
            assert!(decode_batch(&body[..body.len() - 1], &schema).is_err());
        }
    }
}

//! The `forwarder` source: accepts senders, checks their HELLO, and acknowledges each batch
//! once every sink of the app holds it durably.

use super::protocol::{
    decode_batch, read_frame, write_frame, Hello, ACK, BATCH, BUSY, HELLO, REFUSED, VERSION,
    WELCOME,
};
use super::AUTH_TOKEN;
use crate::connector::config::{ConfigError, ConnectorConfig};
use crate::connector::error::ERROR_PARAMS;
use crate::connector::param::{specs, Describe, Param, Required};
use crate::connector::spec::ConnectorSpec;
use crate::connector::{ConnectorError, Source, SourceContext, SourceFactory};
use crate::event::Event;
use crate::schema::Schema;
use std::io::{self, BufReader, BufWriter};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

const HOST: Param<&'static str> = crate::connector::param::LISTEN_HOST;

const PORT: Param<Required<u16>> = Param::required("port", "TCP port to listen on.", "7070");

const SYNC_TIMEOUT: Param<Duration> = Param::optional(
    "sync.timeout.ms",
    Duration::from_millis(30_000),
    "How long to wait for the app's sinks to hold a batch durably before giving up \
     on acknowledging it (the sender then sends it again).",
    "10000",
);

const MAX_CONNECTIONS: Param<usize> = Param::optional(
    "max.connections",
    64,
    "Senders connected at once (each holds a thread); a further sender is told the receiver is busy \
     and tries again after its backoff.",
    "8",
);

const HANDSHAKE_TIMEOUT: Param<Duration> = Param::optional(
    "handshake.timeout.ms",
    Duration::from_secs(10),
    "A connection that has not sent its HELLO by then is closed, so idle sockets cannot hold \
     the sender slots.",
    "3000",
);

const PARAMS: &[&dyn Describe] = &[
    &HOST,
    &PORT,
    &AUTH_TOKEN,
    &SYNC_TIMEOUT,
    &MAX_CONNECTIONS,
    &HANDSHAKE_TIMEOUT,
];

pub struct ForwarderSourceFactory;

impl SourceFactory for ForwarderSourceFactory {
    fn spec(&self) -> ConnectorSpec {
        ConnectorSpec {
            name: "forwarder",
            aliases: &[],
            description: "Receives events from forwarder sinks of other EventFlux processes. \
                Each batch goes into the stream with its original timestamps and is \
                acknowledged only once every sink of this app has delivered it and synced it \
                (files flushed, fsynced per their policy), so a sender never forgets a batch \
                this process could still lose. Senders of another stream or with a wrong \
                auth.token are refused.",
            params: specs(&[PARAMS, ERROR_PARAMS]),
            formats: &[],
            default_format: None,
            example: "@source(type='forwarder', port='7070', auth.token='${FORWARDER_SECRET}')",
        }
    }

    fn validate(&self, config: &ConnectorConfig, _schema: &Schema) -> Result<(), ConfigError> {
        PORT.read(config)?;
        MAX_CONNECTIONS.read(config)?;
        HANDSHAKE_TIMEOUT.read(config).map(|_| ())
    }

    fn create(
        &self,
        config: &ConnectorConfig,
        schema: &Schema,
    ) -> Result<Box<dyn Source>, ConnectorError> {
        let port = PORT.read(config)?;
        let address = format!("{}:{port}", HOST.get(config));
        let listener = TcpListener::bind(&address).map_err(|e| {
            ConnectorError::permanent(format!(
                "forwarder source: cannot listen on {address}: {e} (choose another host/port)"
            ))
        })?;
        log::info!("forwarder source: listening on {address}");
        Ok(Box::new(ForwarderSource {
            listener: Some(listener),
            schema: schema.clone(),
            token: match AUTH_TOKEN.read(config)? {
                // `${TOKEN:}` with TOKEN unset must not leave the receiver open.
                Some(t) if t.is_empty() => {
                    return Err(ConnectorError::permanent(
                        "auth.token is empty: set it, or drop it to accept every sender",
                    ))
                }
                t => t,
            },
            sync_timeout: SYNC_TIMEOUT.read(config)?,
            limits: Limits {
                max_connections: MAX_CONNECTIONS.read(config)?.max(1),
                handshake_timeout: HANDSHAKE_TIMEOUT.read(config)?,
            },
        }))
    }
}

struct ForwarderSource {
    listener: Option<TcpListener>,
    schema: Schema,
    token: Option<String>,
    sync_timeout: Duration,
    limits: Limits,
}

/// What one listener lets its senders hold.
#[derive(Clone, Copy)]
struct Limits {
    max_connections: usize,
    handshake_timeout: Duration,
}

/// A sender slot, given back when its connection ends however it ends.
struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
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
        let (schema, token, limits) = (self.schema.clone(), self.token.clone(), self.limits);
        let acceptor = std::thread::Builder::new()
            .name("forwarder-accept".into())
            .spawn(move || accept_loop(listener, schema, token, limits, tx, running))
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
    limits: Limits,
    tx: mpsc::SyncSender<Arrival>,
    running: Arc<AtomicBool>,
) {
    let open = Arc::new(AtomicUsize::new(0));
    while running.load(Ordering::Acquire) {
        match listener.accept() {
            Ok((socket, peer)) => {
                if open.fetch_add(1, Ordering::AcqRel) >= limits.max_connections {
                    open.fetch_sub(1, Ordering::AcqRel);
                    log::warn!(
                        "forwarder source: {} senders connected (max.connections); refused {peer}",
                        limits.max_connections
                    );
                    refuse(
                        socket,
                        &format!(
                            "this receiver already has {} senders (max.connections)",
                            limits.max_connections
                        ),
                    );
                    continue;
                }
                let slot = Slot(open.clone());
                let (schema, token, tx, running) =
                    (schema.clone(), token.clone(), tx.clone(), running.clone());
                let _ = std::thread::Builder::new()
                    .name("forwarder-conn".into())
                    .spawn(move || {
                        let _slot = slot;
                        let served = serve(
                            socket,
                            &schema,
                            token.as_deref(),
                            limits.handshake_timeout,
                            &tx,
                            &running,
                        );
                        if let Err(e) = served {
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

/// Tells a sender turned away for want of a slot to come back later, best effort.
fn refuse(socket: TcpStream, why: &str) {
    let _ = socket.set_nonblocking(false);
    let _ = socket.set_write_timeout(Some(Duration::from_secs(1)));
    let mut writer = BufWriter::new(socket);
    let _ = write_frame(&mut writer, BUSY, &[why.as_bytes()]);
}

/// One sender's connection: handshake, then batches in, acknowledgements out.
fn serve(
    socket: TcpStream,
    schema: &Schema,
    token: Option<&str>,
    handshake_timeout: Duration,
    tx: &mpsc::SyncSender<Arrival>,
    running: &AtomicBool,
) -> io::Result<()> {
    socket.set_nonblocking(false)?;
    let _ = socket.set_nodelay(true);
    socket.set_read_timeout(Some(Duration::from_millis(200)))?;
    let mut reader = BufReader::with_capacity(256 * 1024, socket.try_clone()?);
    let mut writer = BufWriter::new(socket);
    let handshake_deadline = std::time::Instant::now() + handshake_timeout;
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
            Err(e) if is_timeout(&e) && std::time::Instant::now() >= handshake_deadline => {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!("no HELLO within {handshake_timeout:?} (handshake.timeout.ms); closed"),
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
    } else if token
        .is_some_and(|t| !crate::redact::same_secret(hello.token.as_deref().unwrap_or(""), t))
    {
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
        let (seq, events) = decode_batch(&body, schema)?;
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

//! `websocket` sink: a client that sends one frame per event. While the connection is down the
//! sink's drain thread waits here, reconnecting with backoff, so events queue in the bounded sink
//! buffer (`buffer.size`, `buffer.when.full`) and go out in order once the server is back. When
//! `websocket.reconnect.max.attempts` runs out, the events not sent go to the error strategy.

use super::client::{WsClientConfig, WsStream, CLIENT_PARAMS};
use super::frame::{encode_frame, MessageType, MESSAGE_TYPE};
use crate::connector::config::{ConfigError, ConnectorConfig};
use crate::connector::error::{ERROR_PARAMS, SINK_BUFFER_PARAMS};
use crate::connector::net::runtime;
use crate::connector::param::specs;
use crate::connector::spec::ConnectorSpec;
use crate::connector::{
    ConnectorError, ConnectorState, ConnectorStatus, Health, Rejects, Sink, SinkFactory, SinkMapper,
};
use crate::event::Event;
use crate::schema::Schema;
use futures_util::{FutureExt, SinkExt, StreamExt};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

/// Frames written between flushes of the socket.
const FLUSH_EVERY: usize = 64;
/// How long a batch may wait for the server's pong that confirms it.
const CONFIRM_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections a batch gets to be confirmed before it goes to the error strategy (each one
/// reconnected with backoff as websocket.reconnect.* say).
const CONFIRM_ATTEMPTS: u32 = 5;
/// Connection attempts still made while the app is stopping, so shutdown ends.
const ATTEMPTS_WHILE_STOPPING: u32 = 3;

pub struct WsSinkFactory;

impl SinkFactory for WsSinkFactory {
    fn spec(&self) -> ConnectorSpec {
        ConnectorSpec {
            name: "websocket",
            aliases: &["ws"],
            description: "Connects to a WebSocket server and sends each event as one frame, \
                encoded by the @map (json by default). While the connection is down, events \
                wait in the sink buffer (buffer.size, buffer.when.full) and are sent in order \
                after the reconnect; when websocket.reconnect.max.attempts runs out, the \
                events not sent go to the error strategy (dlq, log, fail). Each batch is \
                confirmed by the server's pong to a ping sent after it; a batch the connection \
                lost before that is sent again after the reconnect, so a server may see \
                frames twice (at-least-once), never misses one without an error.",
            params: specs(&[
                CLIENT_PARAMS,
                &[&MESSAGE_TYPE],
                SINK_BUFFER_PARAMS,
                ERROR_PARAMS,
            ]),
            formats: &["json", "text", "csv", "bytes"],
            default_format: Some("json"),
            example: "@sink(type='websocket', websocket.url='ws://dashboard.local:8080/ingest', \
                buffer.size='50000', websocket.reconnect.max.attempts='20', \
                @map(type='json'))",
        }
    }

    fn validate(&self, config: &ConnectorConfig, _schema: &Schema) -> Result<(), ConfigError> {
        WsClientConfig::from_config(config)?;
        MESSAGE_TYPE.read(config).map(|_| ())
    }

    fn create(
        &self,
        config: &ConnectorConfig,
        _schema: &Schema,
        mapper: Option<Box<dyn SinkMapper>>,
    ) -> Result<Box<dyn Sink>, ConnectorError> {
        let mapper = mapper.ok_or_else(|| {
            ConnectorError::permanent("websocket sink needs a format (@map(type='json'), ...)")
        })?;
        let client = WsClientConfig::from_config(config)?;
        Ok(Box::new(WsSink {
            kind: MESSAGE_TYPE.read(config)?,
            client,
            mapper,
            stream: None,
            stopping: Arc::new(AtomicBool::new(false)),
            status: Arc::default(),
            scratch: Vec::with_capacity(256),
            frames: Vec::new(),
            last_ping: Instant::now(),
            next_confirmation: 0,
        }))
    }
}

struct WsSink {
    client: WsClientConfig,
    kind: MessageType,
    mapper: Box<dyn SinkMapper>,
    stream: Option<WsStream>,
    stopping: Arc<AtomicBool>,
    status: Arc<ConnectorStatus>,
    scratch: Vec<u8>,
    /// (index in the batch, frame) of the events that encoded.
    frames: Vec<(usize, Message)>,
    last_ping: Instant,
    /// The payload of the next confirming ping.
    next_confirmation: u64,
}

impl Sink for WsSink {
    fn set_stopping(&mut self, stopping: Arc<AtomicBool>) {
        self.stopping = stopping;
    }

    fn set_status(&mut self, status: Arc<ConnectorStatus>) {
        self.status = status;
    }

    /// Connected and the server has not closed: healthy. A closed connection is noticed here
    /// while no events flow, and one connection attempt is made per check.
    fn health(&mut self) -> Health {
        let url = self.client.url.clone();
        if self.stream.as_ref().is_some_and(peer_closed) {
            self.stream = None;
            self.status
                .reconnecting(&format!("{url}: the server closed the connection"));
        }
        if self.stream.is_none() && self.status.state() == ConnectorState::Reconnecting {
            let attempt = runtime().block_on(self.client.connect());
            match attempt {
                Ok(stream) => {
                    log::info!("websocket sink: connected to {url}");
                    self.stream = Some(stream);
                    self.status.connected();
                }
                Err(e) => return Health::unhealthy(format!("not connected: {e}")),
            }
        }
        match &self.stream {
            Some(_) => Health::healthy(format!("connected to {url}")),
            None => Health::healthy(format!("connects to {url} with the first event")),
        }
    }

    fn publish(&mut self, events: &[Event], rejects: &mut Rejects) -> Result<(), ConnectorError> {
        self.frames.clear();
        for (i, event) in events.iter().enumerate() {
            match encode_frame(self.mapper.as_mut(), self.kind, event, &mut self.scratch) {
                Ok(frame) => self.frames.push((i, frame)),
                Err(e) => rejects.reject(i, e),
            }
        }
        let frames = std::mem::take(&mut self.frames);
        let sent = runtime().block_on(self.send_all(&frames));
        if let Err(e) = &sent.1 {
            for (i, _) in &frames[sent.0..] {
                rejects.reject(*i, e.clone());
            }
        }
        self.frames = frames;
        Ok(())
    }

    fn flush(&mut self) -> Result<(), ConnectorError> {
        if let Some(mut stream) = self.stream.take() {
            runtime().block_on(async {
                let _ = tokio::time::timeout(Duration::from_secs(2), stream.close(None)).await;
            });
        }
        Ok(())
    }
}

impl WsSink {
    /// Sends the frames in order, reconnecting as needed, and returns once the server has
    /// confirmed them: a ping written after the last frame is answered with its pong, which a
    /// server sends only after reading every frame before the ping (WebSocket has no other
    /// acknowledgement). A connection that breaks before the pong gets the whole batch again
    /// after the reconnect, so the server may see frames twice but never misses one without
    /// an error. Returns how many were confirmed, and the error that stopped it short.
    async fn send_all(
        &mut self,
        frames: &[(usize, Message)],
    ) -> (usize, Result<(), ConnectorError>) {
        if frames.is_empty() {
            return (0, Ok(()));
        }
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            if attempt > CONFIRM_ATTEMPTS {
                return (
                    0,
                    Err(ConnectorError::transient(format!(
                        "{}: the batch was not confirmed after {CONFIRM_ATTEMPTS} connections \
                         (does the server answer pings?)",
                        self.client.url
                    ))),
                );
            }
            if attempt > 1 {
                log::warn!(
                    "websocket sink: {}: sending {} frame(s) again after the reconnect; the \
                     server may see some of them twice",
                    self.client.url,
                    frames.len()
                );
            }
            let token = self.next_confirmation;
            self.next_confirmation += 1;
            let stream = match self.live_stream().await {
                Ok(s) => s,
                Err(e) => return (0, Err(e)),
            };
            match write_and_confirm(stream, frames, token, CONFIRM_TIMEOUT).await {
                Ok(()) => return (frames.len(), Ok(())),
                Err(e) => {
                    log::warn!("websocket sink: {}: {e}; reconnecting", self.client.url);
                    self.stream = None;
                }
            }
        }
    }

    /// The open connection, after reading what the server sent (so a close or EOF is noticed
    /// before frames are written into a dead socket); reconnects with backoff when it is gone.
    async fn live_stream(&mut self) -> Result<&mut WsStream, ConnectorError> {
        if let Some(stream) = self.stream.as_mut() {
            let mut alive = !peer_closed(stream);
            while let Some(next) = stream.next().now_or_never() {
                match next {
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => {
                        alive = false;
                        break;
                    }
                    Some(Ok(_)) => {}
                }
            }
            if alive {
                if let Some(interval) = self.client.ping_interval {
                    if self.last_ping.elapsed() >= interval {
                        self.last_ping = Instant::now();
                        alive = stream
                            .send(Message::Ping(bytes::Bytes::new()))
                            .await
                            .is_ok();
                    }
                }
            }
            if !alive {
                log::warn!(
                    "websocket sink: {}: the connection closed; reconnecting",
                    self.client.url
                );
                self.stream = None;
            }
        }
        if self.stream.is_none() {
            self.stream = Some(self.reconnect().await?);
        }
        Ok(self.stream.as_mut().expect("connected above"))
    }

    async fn reconnect(&mut self) -> Result<WsStream, ConnectorError> {
        let mut backoff = self.client.backoff();
        let mut attempts_while_stopping = 0;
        loop {
            let error = match self.client.connect().await {
                Ok(stream) => {
                    log::info!("websocket sink: connected to {}", self.client.url);
                    self.status.connected();
                    return Ok(stream);
                }
                Err(e) => e,
            };
            log::warn!("websocket sink: {error}");
            self.status.reconnecting(&error.message);
            // A refused handshake (4xx, untrusted certificate) will not pass with retrying.
            if error.class == crate::connector::ErrorClass::Permanent {
                return Err(error);
            }
            if self.stopping.load(Ordering::Acquire) {
                attempts_while_stopping += 1;
                if attempts_while_stopping >= ATTEMPTS_WHILE_STOPPING {
                    return Err(ConnectorError::transient(format!(
                        "{}: not connected at shutdown: {error}",
                        self.client.url
                    )));
                }
            }
            match backoff.failed() {
                Some(wait) => tokio::time::sleep(wait).await,
                None => {
                    return Err(ConnectorError::transient(format!(
                        "{}: gave up after {} connection attempts (websocket.reconnect.max.attempts): {error}",
                        self.client.url,
                        backoff.failures()
                    )))
                }
            }
        }
    }
}

/// Writes `frames` in chunks, then a ping carrying `token`, and waits up to `limit` for its
/// pong (other frames from the server are skipped; a close ends the connection).
async fn write_and_confirm(
    stream: &mut WsStream,
    frames: &[(usize, Message)],
    token: u64,
    limit: Duration,
) -> Result<(), String> {
    for chunk in frames.chunks(FLUSH_EVERY) {
        for (_, frame) in chunk {
            stream
                .feed(frame.clone())
                .await
                .map_err(|e| format!("sending failed: {e}"))?;
        }
        stream
            .flush()
            .await
            .map_err(|e| format!("sending failed: {e}"))?;
    }
    let ping = bytes::Bytes::copy_from_slice(&token.to_be_bytes());
    stream
        .send(Message::Ping(ping.clone()))
        .await
        .map_err(|e| format!("sending failed: {e}"))?;
    let confirmed = async {
        loop {
            match stream.next().await {
                Some(Ok(Message::Pong(p))) if p == ping => return Ok(()),
                Some(Ok(Message::Close(_))) | None => {
                    return Err("the server closed the connection before confirming".to_string())
                }
                Some(Err(e)) => return Err(format!("the connection failed: {e}")),
                Some(Ok(_)) => {}
            }
        }
    };
    match tokio::time::timeout(limit, confirmed).await {
        Ok(result) => result,
        Err(_) => Err(format!(
            "the server did not answer the ping after the batch within {limit:?}"
        )),
    }
}

/// Whether the peer has closed or reset the TCP connection, asked of the kernel directly
/// (`recv` with `MSG_PEEK | MSG_DONTWAIT`): the runtime may not have seen the close yet, and
/// frames written into a closed connection would be lost without an error.
fn peer_closed(stream: &WsStream) -> bool {
    use std::os::fd::AsRawFd;
    use tokio_tungstenite::MaybeTlsStream;
    let fd = match stream.get_ref() {
        MaybeTlsStream::Plain(tcp) => tcp.as_raw_fd(),
        MaybeTlsStream::Rustls(tls) => tls.get_ref().0.as_raw_fd(),
        _ => return false,
    };
    let mut byte = 0u8;
    // SAFETY: `fd` is the live socket owned by `stream`, borrowed for this call; the buffer is
    // one valid byte. MSG_PEEK leaves any data for the WebSocket reader.
    let n = unsafe {
        libc::recv(
            fd,
            (&mut byte as *mut u8).cast(),
            1,
            libc::MSG_PEEK | libc::MSG_DONTWAIT,
        )
    };
    match n {
        0 => true,
        n if n > 0 => false,
        _ => {
            let err = std::io::Error::last_os_error();
            !matches!(
                err.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::Interrupted
            )
        }
    }
}

//! `websocket-server` source and sink: the app listens and clients connect. The source turns
//! every frame from any client into a payload; the sink broadcasts every event to all connected
//! clients, each through its own bounded queue so a slow client is cut off, never waited for.

use super::runtime::runtime;
use super::ws_sink::{encode_frame, message_type, message_type_param, MessageType};
use crate::connector::config::{ConfigError, ConnectorConfig, Params};
use crate::connector::error::{ERROR_PARAMS, SINK_BUFFER_PARAMS};
use crate::connector::param::specs;
use crate::connector::spec::{ConnectorSpec, ParamSpec};
use crate::connector::{
    ConnectorError, Rejects, Sink, SinkFactory, SinkMapper, Source, SourceContext, SourceFactory,
};
use crate::event::Event;
use crate::schema::Schema;
use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::StatusCode;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

/// Frames from all clients handed to the mapper together, up to this many.
const MAX_BATCH: usize = 512;
const STOP_CHECK: Duration = Duration::from_millis(100);

/// The listening side's parameters, shared by source and sink.
#[derive(Debug, Clone)]
struct ServerConfig {
    host: String,
    port: u16,
    path: String,
    auth_header: String,
    auth_token: Option<String>,
    max_connections: usize,
    max_message_bytes: usize,
}

fn server_params(max_message_doc: &'static str) -> Vec<ParamSpec> {
    vec![
        ParamSpec::optional(
            "host",
            Some("0.0.0.0"),
            "Address to listen on.",
            "127.0.0.1",
        ),
        ParamSpec::required("port", "TCP port to listen on.", "8025"),
        ParamSpec::optional(
            "path",
            Some("/"),
            "Request path clients connect to; other paths are refused with 404.",
            "/trades",
        ),
        ParamSpec::optional(
            "auth.header",
            Some("Authorization"),
            "With auth.token: the handshake header that must carry the token.",
            "X-Api-Key",
        ),
        ParamSpec::optional(
            "auth.token",
            None,
            "When set, a handshake whose auth.header is neither the token nor 'Bearer <token>' \
             is refused with 401.",
            "${INGEST_TOKEN}",
        ),
        ParamSpec::optional(
            "max.connections",
            Some("1000"),
            "Clients connected at once; further handshakes are refused with 503.",
            "100",
        ),
        ParamSpec::optional(
            "max.message.bytes",
            Some("1048576"),
            max_message_doc,
            "65536",
        ),
    ]
}

impl ServerConfig {
    fn from_config(config: &ConnectorConfig) -> Result<ServerConfig, ConfigError> {
        let path = config.get("path").unwrap_or("/").to_string();
        if !path.starts_with('/') {
            return Err(ConfigError(format!(
                "parameter 'path' has value '{path}': it must start with '/'"
            )));
        }
        Ok(ServerConfig {
            host: config.get("host").unwrap_or("0.0.0.0").to_string(),
            port: config
                .parse::<u16>("port")?
                .ok_or_else(|| ConfigError("missing required parameter 'port'".into()))?,
            path,
            auth_header: config
                .get("auth.header")
                .unwrap_or("Authorization")
                .to_string(),
            auth_token: config.get("auth.token").map(str::to_string),
            max_connections: config.parse_or("max.connections", 1000usize)?.max(1),
            max_message_bytes: config.parse_or("max.message.bytes", 1_048_576usize)?.max(1),
        })
    }

    fn address(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    async fn bind(&self, what: &str) -> Result<TcpListener, ConnectorError> {
        TcpListener::bind(self.address()).await.map_err(|e| {
            ConnectorError::permanent(format!(
                "{what}: cannot listen on {}: {e} (choose another host/port)",
                self.address()
            ))
        })
    }

    /// Runs the handshake: right path, right token, room for one more client.
    // tungstenite fixes the callback's error type, so its size is not ours to shrink.
    #[allow(clippy::result_large_err)]
    async fn accept(
        &self,
        socket: TcpStream,
        connected: &AtomicUsize,
    ) -> Result<WebSocketStream<TcpStream>, String> {
        // Events are small and latency matters more than packet count.
        let _ = socket.set_nodelay(true);
        let callback = |request: &Request, response: Response| -> Result<Response, ErrorResponse> {
            if request.uri().path() != self.path {
                return Err(refuse(
                    StatusCode::NOT_FOUND,
                    format!(
                        "no WebSocket endpoint at {}; connect to {}",
                        request.uri().path(),
                        self.path
                    ),
                ));
            }
            if let Some(token) = &self.auth_token {
                let given = request
                    .headers()
                    .get(self.auth_header.as_str())
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                let bearer = given.strip_prefix("Bearer ").unwrap_or("");
                if given != token && bearer != token {
                    return Err(refuse(
                        StatusCode::UNAUTHORIZED,
                        format!("missing or wrong {} token", self.auth_header),
                    ));
                }
            }
            if connected.load(Ordering::Acquire) >= self.max_connections {
                return Err(refuse(
                    StatusCode::SERVICE_UNAVAILABLE,
                    format!(
                        "{} clients connected (max.connections)",
                        self.max_connections
                    ),
                ));
            }
            Ok(response)
        };
        let config = WebSocketConfig::default()
            .max_message_size(Some(self.max_message_bytes))
            .max_frame_size(Some(self.max_message_bytes));
        tokio_tungstenite::accept_hdr_async_with_config(socket, callback, Some(config))
            .await
            .map_err(|e| e.to_string())
    }
}

/// The callback type is fixed by tungstenite, so its large error cannot be boxed.
fn refuse(status: StatusCode, why: String) -> ErrorResponse {
    let mut response = ErrorResponse::new(Some(why));
    *response.status_mut() = status;
    response
}

// ---------------------------------------------------------------------------------------------
// Source

pub struct WsServerSourceFactory;

impl SourceFactory for WsServerSourceFactory {
    fn spec(&self) -> ConnectorSpec {
        let mut params = server_params(
            "Largest message a client may send; a bigger one closes that client's connection \
             (counted as an error).",
        );
        params.extend(specs(&[ERROR_PARAMS]));
        ConnectorSpec {
            name: "websocket-server",
            aliases: &["ws-server"],
            description: "Listens for WebSocket clients; every text or binary frame from any \
                client becomes a payload for the @map (json by default; a JSON array makes \
                several events). Clients push, the app processes. A bad payload goes to the \
                error strategy and the client stays connected.",
            params,
            formats: &["json", "text", "csv", "bytes"],
            default_format: Some("json"),
            example: "@source(type='websocket-server', host='0.0.0.0', port='8025', \
                path='/ingest', auth.token='${INGEST_TOKEN}', @map(type='json'))",
        }
    }

    fn validate(&self, config: &ConnectorConfig, _schema: &Schema) -> Result<(), ConfigError> {
        ServerConfig::from_config(config).map(|_| ())
    }

    fn create(
        &self,
        config: &ConnectorConfig,
        _schema: &Schema,
    ) -> Result<Box<dyn Source>, ConnectorError> {
        Ok(Box::new(WsServerSource {
            config: Arc::new(ServerConfig::from_config(config)?),
        }))
    }
}

struct WsServerSource {
    config: Arc<ServerConfig>,
}

/// What a client connection hands to the source thread.
enum Inbound {
    Payload(Bytes),
    Error(String),
}

impl Source for WsServerSource {
    fn run(&mut self, ctx: &mut SourceContext) -> Result<(), ConnectorError> {
        let config = self.config.clone();
        runtime().block_on(async move {
            let listener = config.bind("websocket-server source").await?;
            log::info!("websocket-server source: listening on ws://{}{}", config.address(), config.path);
            let (tx, mut rx) = mpsc::channel::<Inbound>(MAX_BATCH * 2);
            let acceptor = tokio::spawn(accept_clients(listener, config.clone(), tx));
            let mut batch = Vec::with_capacity(MAX_BATCH);
            let mut check = tokio::time::interval(STOP_CHECK);
            while ctx.is_running() {
                tokio::select! {
                    first = rx.recv() => {
                        let Some(first) = first else { break };
                        let mut next = Some(first);
                        while let Some(item) = next.take() {
                            match item {
                                Inbound::Payload(p) => batch.push(p),
                                Inbound::Error(e) => ctx.report_error(&ConnectorError::transient(e), None),
                            }
                            if batch.len() < MAX_BATCH {
                                next = rx.try_recv().ok();
                            }
                        }
                        ctx.emit_payloads(&batch);
                        batch.clear();
                    }
                    _ = check.tick() => {}
                }
            }
            // Dropping the acceptor's task set closes every client connection.
            acceptor.abort();
            Ok(())
        })
    }
}

async fn accept_clients(
    listener: TcpListener,
    config: Arc<ServerConfig>,
    tx: mpsc::Sender<Inbound>,
) {
    let connected = Arc::new(AtomicUsize::new(0));
    let mut clients = tokio::task::JoinSet::new();
    loop {
        let (socket, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                log::warn!("websocket-server source: accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        while clients.try_join_next().is_some() {}
        let (config, connected, tx) = (config.clone(), connected.clone(), tx.clone());
        clients.spawn(async move {
            let ws = match config.accept(socket, &connected).await {
                Ok(ws) => ws,
                Err(e) => {
                    log::warn!("websocket-server source: handshake with {peer} refused: {e}");
                    return;
                }
            };
            connected.fetch_add(1, Ordering::AcqRel);
            log::info!("websocket-server source: client {peer} connected");
            read_client(ws, peer, &tx).await;
            connected.fetch_sub(1, Ordering::AcqRel);
        });
    }
}

async fn read_client(
    mut ws: WebSocketStream<TcpStream>,
    peer: SocketAddr,
    tx: &mpsc::Sender<Inbound>,
) {
    while let Some(frame) = ws.next().await {
        let item = match frame {
            Ok(Message::Text(t)) => Inbound::Payload(Bytes::from(t)),
            Ok(Message::Binary(b)) => Inbound::Payload(b),
            Ok(Message::Close(_)) => break,
            Ok(_) => continue,
            Err(e) => Inbound::Error(format!("websocket-server source: client {peer}: {e}")),
        };
        let fatal = matches!(item, Inbound::Error(_));
        // Waiting here when the app is slow pushes back on the client through TCP.
        if tx.send(item).await.is_err() || fatal {
            break;
        }
    }
    log::info!("websocket-server source: client {peer} disconnected");
}

// ---------------------------------------------------------------------------------------------
// Sink

pub struct WsServerSinkFactory;

impl SinkFactory for WsServerSinkFactory {
    fn spec(&self) -> ConnectorSpec {
        let mut params = server_params(
            "Largest message a client may send to the sink (clients normally only listen).",
        );
        params.push(message_type_param());
        params.push(ParamSpec::optional(
            "client.queue.size",
            Some("1024"),
            "How far (in events not yet written to its socket) a client may fall behind. A \
             client further behind when new events arrive is disconnected (close code 1008) \
             and counted, so it never slows the others.",
            "4096",
        ));
        params.extend(specs(&[SINK_BUFFER_PARAMS]));
        params.extend(specs(&[ERROR_PARAMS]));
        ConnectorSpec {
            name: "websocket-server",
            aliases: &["ws-server"],
            description: "Listens for WebSocket clients (dashboards) and broadcasts every event \
                to all of them as one frame, encoded once by the @map (json by default). Each \
                client has its own bounded queue; a client that falls behind is disconnected \
                and counted instead of slowing the others or the app. Events published while \
                no client is connected are not kept. At shutdown the queues are drained (for \
                up to 2 seconds) and the clients get a close frame.",
            params,
            formats: &["json", "text", "csv", "bytes"],
            default_format: Some("json"),
            example: "@sink(type='websocket-server', port='8026', path='/live', @map(type='json'))",
        }
    }

    fn validate(&self, config: &ConnectorConfig, _schema: &Schema) -> Result<(), ConfigError> {
        ServerConfig::from_config(config)?;
        config.parse::<usize>("client.queue.size")?;
        message_type(config).map(|_| ())
    }

    fn create(
        &self,
        config: &ConnectorConfig,
        _schema: &Schema,
        mapper: Option<Box<dyn SinkMapper>>,
    ) -> Result<Box<dyn Sink>, ConnectorError> {
        let mapper = mapper.ok_or_else(|| {
            ConnectorError::permanent(
                "websocket-server sink needs a format (@map(type='json'), ...)",
            )
        })?;
        let server = Arc::new(ServerConfig::from_config(config)?);
        let hub = Arc::new(Hub {
            clients: Mutex::new(Vec::new()),
            queue_size: config.parse_or("client.queue.size", 1024usize)?.max(1),
            slow_clients: AtomicU64::new(0),
        });
        // Listen now, so clients can connect before the first event.
        let listener = runtime().block_on(server.bind("websocket-server sink"))?;
        log::info!(
            "websocket-server sink: listening on ws://{}{}",
            server.address(),
            server.path
        );
        let acceptor = runtime().spawn(serve_clients(listener, server, hub.clone()));
        Ok(Box::new(WsServerSink {
            kind: message_type(config)?,
            mapper,
            hub,
            acceptor,
            scratch: Vec::with_capacity(256),
        }))
    }
}

struct Hub {
    clients: Mutex<Vec<ClientQueue>>,
    queue_size: usize,
    slow_clients: AtomicU64,
}

/// Frames shared by every client: encoded once per batch.
type Frames = Arc<[Message]>;

struct ClientQueue {
    peer: SocketAddr,
    tx: mpsc::UnboundedSender<Frames>,
    /// Frames queued for this client and not yet written to its socket.
    pending: Arc<AtomicUsize>,
    /// Tells the client's task to stop sending and close (it fell behind).
    kick: Arc<tokio::sync::Notify>,
}

impl Hub {
    /// Queues the batch for every client. A client whose backlog already exceeds
    /// client.queue.size is disconnected instead: a burst never cuts off a client that had
    /// kept up, and one that fell behind never holds up the others or grows without bound.
    fn broadcast(&self, frames: Frames) {
        let mut clients = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        clients.retain(|client| {
            let backlog = client.pending.load(Ordering::Acquire);
            if backlog > self.queue_size {
                let n = self.slow_clients.fetch_add(1, Ordering::Relaxed) + 1;
                log::warn!(
                    "websocket-server sink: client {} is {backlog} events behind (client.queue.size {}); disconnecting it ({n} slow clients so far)",
                    client.peer, self.queue_size
                );
                client.kick.notify_one();
                return false;
            }
            client.pending.fetch_add(frames.len(), Ordering::AcqRel);
            client.tx.send(frames.clone()).is_ok()
        });
    }

    /// Waits (bounded) until every client's backlog is written.
    fn drain(&self, limit: Duration) {
        let deadline = std::time::Instant::now() + limit;
        while std::time::Instant::now() < deadline {
            let pending = self
                .clients
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .iter()
                .any(|c| c.pending.load(Ordering::Acquire) > 0 && !c.tx.is_closed());
            if !pending {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

async fn serve_clients(listener: TcpListener, config: Arc<ServerConfig>, hub: Arc<Hub>) {
    let connected = Arc::new(AtomicUsize::new(0));
    loop {
        let Ok((socket, peer)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let (config, connected, hub) = (config.clone(), connected.clone(), hub.clone());
        tokio::spawn(async move {
            let ws = match config.accept(socket, &connected).await {
                Ok(ws) => ws,
                Err(e) => {
                    log::warn!("websocket-server sink: handshake with {peer} refused: {e}");
                    return;
                }
            };
            let (tx, rx) = mpsc::unbounded_channel();
            let pending = Arc::new(AtomicUsize::new(0));
            let kick = Arc::new(tokio::sync::Notify::new());
            hub.clients
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(ClientQueue {
                    peer,
                    tx,
                    pending: pending.clone(),
                    kick: kick.clone(),
                });
            connected.fetch_add(1, Ordering::AcqRel);
            log::info!("websocket-server sink: client {peer} connected");
            write_client(ws, rx, &pending, &kick).await;
            connected.fetch_sub(1, Ordering::AcqRel);
            log::info!("websocket-server sink: client {peer} disconnected");
        });
    }
}

/// Sends a client its queue and answers its pings, until it leaves, its queue is dropped
/// (shutdown: close 1001) or it is kicked for falling behind (close 1008); the close frame is
/// sent if the socket takes it within a second.
async fn write_client(
    mut ws: WebSocketStream<TcpStream>,
    mut rx: mpsc::UnboundedReceiver<Frames>,
    pending: &AtomicUsize,
    kick: &tokio::sync::Notify,
) {
    let mut kicked = false;
    loop {
        tokio::select! {
            _ = kick.notified() => {
                kicked = true;
                break;
            }
            next = rx.recv() => {
                let Some(frames) = next else { break };
                let sent = tokio::select! {
                    sent = send_frames(&mut ws, &frames, pending) => sent,
                    _ = kick.notified() => {
                        kicked = true;
                        false
                    }
                };
                if !sent {
                    break;
                }
            }
            incoming = ws.next() => match incoming {
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return,
                Some(Ok(_)) => {}
            },
        }
    }
    let frame = if kicked {
        CloseFrame {
            code: CloseCode::Policy,
            reason: "this client fell behind (client.queue.size)".into(),
        }
    } else {
        CloseFrame {
            code: CloseCode::Away,
            reason: "the app is stopping".into(),
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(1), ws.close(Some(frame))).await;
}

async fn send_frames(
    ws: &mut WebSocketStream<TcpStream>,
    frames: &Frames,
    pending: &AtomicUsize,
) -> bool {
    for frame in frames.iter() {
        if ws.feed(frame.clone()).await.is_err() {
            return false;
        }
        pending.fetch_sub(1, Ordering::AcqRel);
    }
    ws.flush().await.is_ok()
}

struct WsServerSink {
    kind: MessageType,
    mapper: Box<dyn SinkMapper>,
    hub: Arc<Hub>,
    acceptor: tokio::task::JoinHandle<()>,
    scratch: Vec<u8>,
}

impl Sink for WsServerSink {
    fn publish(&mut self, events: &[Event], rejects: &mut Rejects) -> Result<(), ConnectorError> {
        let mut frames = Vec::with_capacity(events.len());
        for (i, event) in events.iter().enumerate() {
            match encode_frame(self.mapper.as_mut(), self.kind, event, &mut self.scratch) {
                Ok(frame) => frames.push(frame),
                Err(e) => rejects.reject(i, e),
            }
        }
        self.hub.broadcast(frames.into());
        Ok(())
    }

    fn flush(&mut self) -> Result<(), ConnectorError> {
        self.acceptor.abort();
        self.hub.drain(Duration::from_secs(2));
        // Dropping the queues makes every client task send its close frame.
        self.hub
            .clients
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        let slow = self.hub.slow_clients.load(Ordering::Relaxed);
        if slow > 0 {
            log::warn!(
                "websocket-server sink: {slow} clients were disconnected for falling behind"
            );
        }
        Ok(())
    }
}

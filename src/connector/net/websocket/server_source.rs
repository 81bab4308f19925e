//! The `websocket-server` source: every frame from any connected client becomes a payload.

use super::server::{max_message_bytes, ServerConfig, SERVER_PARAMS};
use crate::connector::config::{ConfigError, ConnectorConfig};
use crate::connector::error::ERROR_PARAMS;
use crate::connector::net::runtime;
use crate::connector::param::{specs, Param};
use crate::connector::spec::ConnectorSpec;
use crate::connector::{ConnectorError, Source, SourceContext, SourceFactory};
use crate::schema::Schema;
use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

/// Frames from all clients handed to the mapper together, up to this many.
const MAX_BATCH: usize = 512;
const STOP_CHECK: Duration = Duration::from_millis(100);

const MAX_MESSAGE_BYTES: Param<usize> = max_message_bytes(
    "Largest message a client may send; a bigger one closes that client's connection (counted \
     as an error).",
);

pub struct WsServerSourceFactory;

impl SourceFactory for WsServerSourceFactory {
    fn spec(&self) -> ConnectorSpec {
        ConnectorSpec {
            name: "websocket-server",
            aliases: &["ws-server"],
            description: "Listens for WebSocket clients; every text or binary frame from any \
                client becomes a payload for the @map (json by default; a JSON array makes \
                several events). Clients push, the app processes. A bad payload goes to the \
                error strategy and the client stays connected.",
            params: specs(&[SERVER_PARAMS, &[&MAX_MESSAGE_BYTES], ERROR_PARAMS]),
            formats: &["json", "text", "csv", "bytes"],
            default_format: Some("json"),
            example: "@source(type='websocket-server', host='0.0.0.0', port='8025', \
                path='/ingest', auth.token='${INGEST_TOKEN}', @map(type='json'))",
        }
    }

    fn validate(&self, config: &ConnectorConfig, _schema: &Schema) -> Result<(), ConfigError> {
        ServerConfig::from_config(config, &MAX_MESSAGE_BYTES).map(|_| ())
    }

    fn create(
        &self,
        config: &ConnectorConfig,
        _schema: &Schema,
    ) -> Result<Box<dyn Source>, ConnectorError> {
        Ok(Box::new(WsServerSource {
            config: Arc::new(ServerConfig::from_config(config, &MAX_MESSAGE_BYTES)?),
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
    let open = Arc::new(AtomicUsize::new(0));
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
        let Some(slot) = config.admit(&open, "websocket-server source", peer) else {
            continue;
        };
        let (config, connected, tx) = (config.clone(), connected.clone(), tx.clone());
        clients.spawn(async move {
            let _slot = slot;
            let ws = match config.accept(socket, &connected).await {
                Ok(ws) => ws,
                Err(e) => {
                    log::warn!("websocket-server source: handshake with {peer} refused: {e}");
                    return;
                }
            };
            connected.fetch_add(1, Ordering::AcqRel);
            log::info!("websocket-server source: client {peer} connected");
            read_client(ws, peer, &tx, config.idle_timeout).await;
            connected.fetch_sub(1, Ordering::AcqRel);
        });
    }
}

async fn read_client(
    mut ws: WebSocketStream<TcpStream>,
    peer: SocketAddr,
    tx: &mpsc::Sender<Inbound>,
    idle: Option<Duration>,
) {
    // A live client answers the pings; a dead one stays silent.
    let mut ping = super::server::ping_timer(idle);
    let mut heard = tokio::time::Instant::now();
    loop {
        let frame = tokio::select! {
            frame = ws.next() => frame,
            _ = ping.tick() => {
                if let Some(idle) = idle.filter(|d| heard.elapsed() >= *d) {
                    log::info!("websocket-server source: client {peer} idle for {idle:?}; disconnecting");
                    let _ = tokio::time::timeout(Duration::from_secs(1), ws.close(Some(super::server::idle_close(idle)))).await;
                    break;
                }
                let _ = ws.send(Message::Ping(Bytes::new())).await;
                continue;
            }
        };
        let Some(frame) = frame else { break };
        heard = tokio::time::Instant::now();
        let item = match frame {
            Ok(Message::Text(t)) => Inbound::Payload(Bytes::from(t)),
            Ok(Message::Binary(b)) => Inbound::Payload(b),
            Ok(Message::Close(_)) => break,
            Ok(_) => continue,
            Err(e) => {
                if let Some(close) = super::server::too_big_close(&e) {
                    let _ =
                        tokio::time::timeout(Duration::from_secs(1), ws.close(Some(close))).await;
                }
                Inbound::Error(format!("websocket-server source: client {peer}: {e}"))
            }
        };
        let fatal = matches!(item, Inbound::Error(_));
        // Waiting here when the app is slow pushes back on the client through TCP.
        if tx.send(item).await.is_err() || fatal {
            break;
        }
    }
    log::info!("websocket-server source: client {peer} disconnected");
}

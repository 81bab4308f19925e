//! The `websocket-server` sink: broadcasts every event to all connected clients, each through
//! its own bounded queue, so a slow client is cut off and never waited for.

use super::frame::{encode_frame, MessageType, MESSAGE_TYPE};
use super::server::{max_message_bytes, ServerConfig, SERVER_PARAMS};
use crate::connector::config::{ConfigError, ConnectorConfig};
use crate::connector::error::{ERROR_PARAMS, SINK_BUFFER_PARAMS};
use crate::connector::net::runtime;
use crate::connector::param::{specs, Param};
use crate::connector::spec::ConnectorSpec;
use crate::connector::{ConnectorError, Rejects, Sink, SinkFactory, SinkMapper};
use crate::event::Event;
use crate::schema::Schema;
use futures_util::{SinkExt, StreamExt};
use parking_lot::Mutex;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

const MAX_MESSAGE_BYTES: Param<usize> = max_message_bytes(
    "Largest message a client may send to the sink (clients normally only listen).",
);
const CLIENT_QUEUE_SIZE: Param<usize> = Param::optional(
    "client.queue.size",
    1024,
    "How far (in events not yet written to its socket) a client may fall behind. A client \
     further behind when new events arrive is disconnected (close code 1008) and counted, so \
     it never slows the others.",
    "4096",
);

pub struct WsServerSinkFactory;

impl SinkFactory for WsServerSinkFactory {
    fn spec(&self) -> ConnectorSpec {
        ConnectorSpec {
            name: "websocket-server",
            aliases: &["ws-server"],
            description: "Listens for WebSocket clients (dashboards) and broadcasts every event \
                to all of them as one frame, encoded once by the @map (json by default). Each \
                client has its own bounded queue; a client that falls behind is disconnected \
                and counted instead of slowing the others or the app. Events published while \
                no client is connected are not kept. At shutdown the queues are drained (for \
                up to 2 seconds) and the clients get a close frame.",
            params: specs(&[
                SERVER_PARAMS,
                &[&MAX_MESSAGE_BYTES, &MESSAGE_TYPE, &CLIENT_QUEUE_SIZE],
                SINK_BUFFER_PARAMS,
                ERROR_PARAMS,
            ]),
            formats: &["json", "text", "csv", "bytes"],
            default_format: Some("json"),
            example: "@sink(type='websocket-server', port='8026', path='/live', @map(type='json'))",
        }
    }

    fn validate(&self, config: &ConnectorConfig, _schema: &Schema) -> Result<(), ConfigError> {
        ServerConfig::from_config(config, &MAX_MESSAGE_BYTES)?;
        CLIENT_QUEUE_SIZE.read(config)?;
        MESSAGE_TYPE.read(config).map(|_| ())
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
        let server = Arc::new(ServerConfig::from_config(config, &MAX_MESSAGE_BYTES)?);
        let hub = Arc::new(Hub {
            clients: Mutex::new(Vec::new()),
            queue_size: CLIENT_QUEUE_SIZE.read(config)?.max(1),
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
            kind: MESSAGE_TYPE.read(config)?,
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
        let mut clients = self.clients.lock();
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
    let open = Arc::new(AtomicUsize::new(0));
    loop {
        let Ok((socket, peer)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let Some(slot) = config.admit(&open, "websocket-server sink", peer) else {
            continue;
        };
        let (config, connected, hub) = (config.clone(), connected.clone(), hub.clone());
        tokio::spawn(async move {
            let _slot = slot;
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
            hub.clients.lock().push(ClientQueue {
                peer,
                tx,
                pending: pending.clone(),
                kick: kick.clone(),
            });
            connected.fetch_add(1, Ordering::AcqRel);
            log::info!("websocket-server sink: client {peer} connected");
            write_client(ws, rx, &pending, &kick, config.idle_timeout).await;
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
    idle: Option<Duration>,
) {
    let mut kicked = false;
    // Clients of a sink only listen, so liveness is the pong to the pings.
    let mut ping = super::server::ping_timer(idle);
    let mut heard = tokio::time::Instant::now();
    loop {
        tokio::select! {
            _ = ping.tick() => {
                if let Some(idle) = idle.filter(|d| heard.elapsed() >= *d) {
                    let _ = tokio::time::timeout(Duration::from_secs(1), ws.close(Some(super::server::idle_close(idle)))).await;
                    return;
                }
                if ws.send(Message::Ping(bytes::Bytes::new())).await.is_err() {
                    return;
                }
            }
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
                Some(Ok(_)) => heard = tokio::time::Instant::now(),
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
        self.hub.clients.lock().clear();
        let slow = self.hub.slow_clients.load(Ordering::Relaxed);
        if slow > 0 {
            log::warn!(
                "websocket-server sink: {slow} clients were disconnected for falling behind"
            );
        }
        Ok(())
    }
}

//! The listening side of `websocket-server`, shared by its source and sink: parameters, binding,
//! and the handshake (path, token, connection limit).

use crate::connector::config::{ConfigError, ConnectorConfig};
use crate::connector::param::{Describe, Param, Required};
use crate::connector::ConnectorError;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::StatusCode;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::WebSocketStream;

const HOST: Param<&'static str> = crate::connector::param::LISTEN_HOST;

const PORT: Param<Required<u16>> = Param::required("port", "TCP port to listen on.", "8025");

const PATH: Param<&'static str> = Param::optional(
    "path",
    "/",
    "Request path clients connect to; other paths are refused with 404.",
    "/trades",
);

const AUTH_HEADER: Param<&'static str> = Param::optional(
    "auth.header",
    "Authorization",
    "With auth.token: the handshake header that must carry the token.",
    "X-Api-Key",
);

const AUTH_TOKEN: Param<Option<String>> = Param::optional(
    "auth.token",
    None,
    "When set, a handshake whose auth.header is neither the token nor 'Bearer <token>' \
     is refused with 401.",
    "${INGEST_TOKEN}",
);

const MAX_CONNECTIONS: Param<usize> = Param::optional(
    "max.connections",
    1000,
    "Clients connected at once; further handshakes are refused with 503. Sockets still in \
     their handshake count too: past the limit a new socket is closed at once.",
    "100",
);

const HANDSHAKE_TIMEOUT: Param<Duration> = Param::optional(
    "handshake.timeout.ms",
    Duration::from_secs(10),
    "A socket that has not completed its WebSocket handshake by then is closed.",
    "3000",
);

const IDLE_TIMEOUT: Param<Duration> = Param::optional(
    "idle.timeout.ms",
    Duration::from_secs(120),
    "A client that sends nothing for this long (not even the pong to the ping the server \
     sends every half of it) is disconnected with close code 1001. 0: never.",
    "30000",
);

/// `max.message.bytes`, described for the source or the sink.
pub(super) const fn max_message_bytes(description: &'static str) -> Param<usize> {
    Param::optional("max.message.bytes", 1_048_576, description, "65536")
}

/// The listening parameters both roles share (each adds its `max.message.bytes`).
pub(super) const SERVER_PARAMS: &[&dyn Describe] = &[
    &HOST,
    &PORT,
    &PATH,
    &AUTH_HEADER,
    &AUTH_TOKEN,
    &MAX_CONNECTIONS,
    &HANDSHAKE_TIMEOUT,
    &IDLE_TIMEOUT,
];

/// The listening side's parameters, shared by source and sink.
#[derive(Debug, Clone)]
pub(super) struct ServerConfig {
    pub host: String,
    pub port: u16,
    pub path: String,
    pub auth_header: String,
    pub auth_token: Option<String>,
    pub max_connections: usize,
    pub max_message_bytes: usize,
    pub handshake_timeout: Duration,
    /// None: never.
    pub idle_timeout: Option<Duration>,
}

impl ServerConfig {
    /// `max_message` is the role's `max.message.bytes`.
    pub(super) fn from_config(
        config: &ConnectorConfig,
        max_message: &Param<usize>,
    ) -> Result<ServerConfig, ConfigError> {
        let path = PATH.read(config)?;
        if !path.starts_with('/') {
            return Err(ConfigError(format!(
                "parameter '{}' has value '{path}': it must start with '/'",
                PATH.name()
            )));
        }
        Ok(ServerConfig {
            host: HOST.read(config)?,
            port: PORT.read(config)?,
            path,
            auth_header: AUTH_HEADER.read(config)?,
            auth_token: match AUTH_TOKEN.read(config)? {
                // `${TOKEN:}` with TOKEN unset must not leave the server open.
                Some(t) if t.is_empty() => {
                    return Err(ConfigError(
                        "auth.token is empty: set it (e.g. auth.token='${INGEST_TOKEN}' with \
                         INGEST_TOKEN set), or drop it to accept every client"
                            .into(),
                    ))
                }
                t => t,
            },
            max_connections: MAX_CONNECTIONS.read(config)?.max(1),
            max_message_bytes: max_message.read(config)?.max(1),
            handshake_timeout: HANDSHAKE_TIMEOUT
                .read(config)?
                .max(Duration::from_millis(1)),
            idle_timeout: Some(IDLE_TIMEOUT.read(config)?).filter(|d| !d.is_zero()),
        })
    }

    pub(super) fn address(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    pub(super) async fn bind(&self, what: &str) -> Result<TcpListener, ConnectorError> {
        TcpListener::bind(self.address()).await.map_err(|e| {
            ConnectorError::permanent(format!(
                "{what}: cannot listen on {}: {e} (choose another host/port)",
                self.address()
            ))
        })
    }

    /// Takes a socket the listener accepted, if there is room: sockets in their handshake and
    /// connected clients together stay within max.connections + its handshake allowance.
    /// The slot is given back when the returned guard drops.
    pub(super) fn admit(
        &self,
        open: &Arc<AtomicUsize>,
        what: &str,
        peer: SocketAddr,
    ) -> Option<Slot> {
        // Room for max.connections clients plus as many handshakes again, so a full server
        // still answers a newcomer with 503 instead of a silent close.
        let limit = self.max_connections.saturating_mul(2);
        if open.fetch_add(1, Ordering::AcqRel) >= limit {
            open.fetch_sub(1, Ordering::AcqRel);
            log::warn!(
                "{what}: {limit} sockets open (max.connections {} and as many handshakes); \
                 closing the new one from {peer}",
                self.max_connections
            );
            return None;
        }
        Some(Slot(open.clone()))
    }

    /// Runs the handshake within handshake.timeout.ms: right path, right token, room for one
    /// more client. A refusal is the handshake's error, boxed (tungstenite's error is large).
    // tungstenite fixes the callback's error type, so its size is not ours to shrink.
    #[allow(clippy::result_large_err)]
    pub(super) async fn accept(
        &self,
        socket: TcpStream,
        connected: &AtomicUsize,
    ) -> Result<WebSocketStream<TcpStream>, Box<tungstenite::Error>> {
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
                let same = crate::redact::same_secret;
                if !same(given, token) && !same(bearer, token) {
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
        let handshake =
            tokio_tungstenite::accept_hdr_async_with_config(socket, callback, Some(config));
        match tokio::time::timeout(self.handshake_timeout, handshake).await {
            Ok(done) => done.map_err(Box::new),
            Err(_) => Err(Box::new(tungstenite::Error::Io(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!(
                    "no handshake within {} ms (handshake.timeout.ms)",
                    self.handshake_timeout.as_millis()
                ),
            )))),
        }
    }
}

/// One open socket's share of the limit; given back on drop.
pub(super) struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Ticks every half of idle.timeout.ms (hourly when there is none), first after one period:
/// each tick checks the client was heard from and pings it.
pub(super) fn ping_timer(idle: Option<Duration>) -> tokio::time::Interval {
    let period = idle.map_or(Duration::from_secs(3600), |d| {
        (d / 2).max(Duration::from_millis(1))
    });
    tokio::time::interval_at(tokio::time::Instant::now() + period, period)
}

/// The close frame for a client that went quiet past idle.timeout.ms.
pub(super) fn idle_close(idle: Duration) -> tungstenite::protocol::CloseFrame {
    tungstenite::protocol::CloseFrame {
        code: tungstenite::protocol::frame::coding::CloseCode::Away,
        reason: format!("idle for {} ms (idle.timeout.ms)", idle.as_millis()).into(),
    }
}

/// The close frame (1009, "message too big") for a client whose message passed
/// max.message.bytes, when `e` says so: the client learns why instead of seeing a dead socket.
pub(super) fn too_big_close(e: &tungstenite::Error) -> Option<tungstenite::protocol::CloseFrame> {
    match e {
        tungstenite::Error::Capacity(why) => Some(tungstenite::protocol::CloseFrame {
            code: tungstenite::protocol::frame::coding::CloseCode::Size,
            reason: format!("{why} (max.message.bytes)").into(),
        }),
        _ => None,
    }
}

/// The callback type is fixed by tungstenite, so its large error cannot be boxed.
fn refuse(status: StatusCode, why: String) -> ErrorResponse {
    let mut response = ErrorResponse::new(Some(why));
    *response.status_mut() = status;
    response
}

//! The listening side of `websocket-server`, shared by its source and sink: parameters, binding,
//! and the handshake (path, token, connection limit).

use crate::connector::config::{ConfigError, ConnectorConfig};
use crate::connector::param::{Describe, Param, Required};
use crate::connector::ConnectorError;
use std::sync::atomic::{AtomicUsize, Ordering};
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
    "Clients connected at once; further handshakes are refused with 503.",
    "100",
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
            auth_token: AUTH_TOKEN.read(config)?,
            max_connections: MAX_CONNECTIONS.read(config)?.max(1),
            max_message_bytes: max_message.read(config)?.max(1),
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

    /// Runs the handshake: right path, right token, room for one more client. A refusal is
    /// the handshake's error, boxed (tungstenite's error is large).
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
            .map_err(Box::new)
    }
}

/// The callback type is fixed by tungstenite, so its large error cannot be boxed.
fn refuse(status: StatusCode, why: String) -> ErrorResponse {
    let mut response = ErrorResponse::new(Some(why));
    *response.status_mut() = status;
    response
}

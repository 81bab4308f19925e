//! What the WebSocket client source and sink share: their `websocket.*` parameters, the
//! connection (headers, subprotocol, TLS, timeout) and payload decompression.

use crate::connector::config::{ConfigError, ConnectorConfig};
use crate::connector::net::runtime::tls_client_config_with;
use crate::connector::net::Backoff;
use crate::connector::param::{Choice, Describe, Param, Required};
use crate::connector::ConnectorError;
use bytes::Bytes;
use std::io::Read;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::{HeaderName, HeaderValue};
use tokio_tungstenite::{Connector, MaybeTlsStream, WebSocketStream};

pub type WsStream = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// How binary frames are compressed by the peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Deflate,
}

/// The parsed `websocket.*` parameters.
#[derive(Debug, Clone)]
pub struct WsClientConfig {
    pub url: String,
    pub reconnect: bool,
    pub reconnect_delay_ms: u64,
    pub reconnect_max_delay_ms: u64,
    pub reconnect_max_attempts: i64,
    pub headers: Vec<(String, String)>,
    pub subprotocol: Option<String>,
    /// Sent in order after every (re)connect.
    pub subscribe_messages: Vec<String>,
    pub compression: Compression,
    pub ping_interval: Option<Duration>,
    pub idle_timeout: Option<Duration>,
    pub connect_timeout: Duration,
    /// TLS client settings for wss:// (webpki roots, plus `websocket.tls.ca.file`).
    pub tls: Arc<rustls::ClientConfig>,
}

const URL: Param<Required<String>> = Param::required(
    "websocket.url",
    "Server to connect to: ws://host:port/path or wss://host:port/path (TLS with the \
     webpki root certificates).",
    "wss://stream.example.com/ws",
);

const RECONNECT: Param<bool> = Param::optional(
    "websocket.reconnect",
    true,
    "Reconnect after the connection drops or a connection attempt fails.",
    "false",
);

const RECONNECT_DELAY_MS: Param<u64> = Param::optional(
    "websocket.reconnect.delay.ms",
    1000,
    "Wait before the first reconnect attempt; doubles on each failed attempt (with up \
     to 20% jitter) and starts again from this value once a connection is healthy.",
    "500",
);

const RECONNECT_MAX_DELAY_MS: Param<u64> = Param::optional(
    "websocket.reconnect.max.delay.ms",
    30_000,
    "Cap on the wait between reconnect attempts.",
    "10000",
);

const RECONNECT_MAX_ATTEMPTS: Param<i64> = Param::optional(
    "websocket.reconnect.max.attempts",
    -1,
    "Failed connection attempts in a row before giving up (-1 = never give up). A \
     source then stops; a sink hands the waiting events to its error strategy.",
    "10",
);

const HEADERS: Param<Option<String>> = Param::optional(
    "websocket.headers.<Name>",
    None,
    "An HTTP header sent with the opening handshake, e.g. websocket.headers.Authorization.",
    "Bearer ${API_TOKEN}",
);

const SUBPROTOCOL: Param<Option<String>> = Param::optional(
    "websocket.subprotocol",
    None,
    "Subprotocol requested in Sec-WebSocket-Protocol; the server must accept it.",
    "graphql-ws",
);

const SUBSCRIBE_MESSAGE: Param<Option<String>> = Param::optional(
    "websocket.subscribe.message",
    None,
    "A text message sent after every (re)connect, before anything else. Several are \
     sent in order as websocket.subscribe.message.1, .2, ...",
    "{\"op\":\"subscribe\",\"channel\":\"trades\"}",
);

const SUBSCRIBE_MESSAGE_N: Param<Option<String>> = Param::optional(
    "websocket.subscribe.message.<n>",
    None,
    "The n-th subscribe message (n = 1, 2, ...), sent in numeric order after \
     websocket.subscribe.message.",
    "{\"op\":\"subscribe\",\"channel\":\"book\"}",
);

const COMPRESSION: Param<Choice<Compression>> = Param::choice(
    "websocket.compression",
    &[
        ("none", Compression::None),
        ("gzip", Compression::Gzip),
        ("deflate", Compression::Deflate),
    ],
    Compression::None,
    "Compression of binary frames: none, gzip or deflate (zlib). Compressed frames are \
     inflated before the mapper sees them; text frames are never compressed.",
    "gzip",
);

const PING_INTERVAL: Param<Duration> = Param::optional(
    "websocket.ping.interval.ms",
    Duration::ZERO,
    "Send a ping this often (0 = never). Pings from the server are always answered.",
    "15000",
);

const IDLE_TIMEOUT: Param<Duration> = Param::optional(
    "websocket.idle.timeout.ms",
    Duration::ZERO,
    "A connection that receives nothing (not even a pong) for this long is treated \
     as dead and reconnected (0 = no limit).",
    "60000",
);

const TLS_CA_FILE: Param<Option<String>> = Param::optional(
    "websocket.tls.ca.file",
    None,
    "wss://: a PEM file of certificates to trust besides the built-in webpki roots \
     (a private CA or a self-signed server).",
    "certs/internal-ca.pem",
);

const CONNECT_TIMEOUT: Param<Duration> = Param::optional(
    "websocket.connect.timeout.ms",
    Duration::from_millis(10_000),
    "Limit on the TCP, TLS and WebSocket handshake together.",
    "5000",
);

/// The connection parameters of the client source and sink.
pub(super) const CLIENT_PARAMS: &[&dyn Describe] = &[
    &URL,
    &RECONNECT,
    &RECONNECT_DELAY_MS,
    &RECONNECT_MAX_DELAY_MS,
    &RECONNECT_MAX_ATTEMPTS,
    &HEADERS,
    &SUBPROTOCOL,
    &SUBSCRIBE_MESSAGE,
    &SUBSCRIBE_MESSAGE_N,
    &COMPRESSION,
    &PING_INTERVAL,
    &IDLE_TIMEOUT,
    &TLS_CA_FILE,
    &CONNECT_TIMEOUT,
];

/// A zero duration switches the feature off.
fn nonzero(d: Duration) -> Option<Duration> {
    (!d.is_zero()).then_some(d)
}

impl WsClientConfig {
    pub fn from_config(config: &ConnectorConfig) -> Result<WsClientConfig, ConfigError> {
        let url = URL.read(config)?.trim().to_string();
        if !(url.starts_with("ws://") || url.starts_with("wss://")) {
            return Err(ConfigError(format!(
                "parameter 'websocket.url' has value '{url}': it must start with ws:// or wss://"
            )));
        }
        url.as_str().into_client_request().map_err(|e| {
            ConfigError(format!(
                "parameter 'websocket.url' has value '{url}', which is not a valid URL: {e}"
            ))
        })?;
        let mut headers = Vec::new();
        for (name, value) in HEADERS.entries(config) {
            HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                ConfigError(format!(
                    "parameter 'websocket.headers.{name}': '{name}' is not a valid HTTP header name"
                ))
            })?;
            HeaderValue::from_str(value).map_err(|_| {
                ConfigError(format!(
                    "parameter 'websocket.headers.{name}' has a value that is not a valid HTTP header value"
                ))
            })?;
            headers.push((name.to_string(), value.to_string()));
        }
        Ok(WsClientConfig {
            url,
            reconnect: RECONNECT.read(config)?,
            reconnect_delay_ms: RECONNECT_DELAY_MS.read(config)?,
            reconnect_max_delay_ms: RECONNECT_MAX_DELAY_MS.read(config)?,
            reconnect_max_attempts: RECONNECT_MAX_ATTEMPTS.read(config)?,
            headers,
            subprotocol: SUBPROTOCOL.read(config)?,
            subscribe_messages: subscribe_messages(config)?,
            compression: COMPRESSION.read(config)?,
            ping_interval: nonzero(PING_INTERVAL.read(config)?),
            idle_timeout: nonzero(IDLE_TIMEOUT.read(config)?),
            tls: tls_client_config_with(TLS_CA_FILE.get(config).map(std::path::Path::new))
                .map_err(|e| ConfigError(format!("parameter '{}': {e}", TLS_CA_FILE.name())))?,
            connect_timeout: CONNECT_TIMEOUT.read(config)?.max(Duration::from_millis(1)),
        })
    }

    pub fn backoff(&self) -> Backoff {
        // Without reconnect, the first failure is final.
        let attempts = if self.reconnect {
            self.reconnect_max_attempts
        } else {
            1
        };
        Backoff::new(
            self.reconnect_delay_ms,
            self.reconnect_max_delay_ms,
            attempts,
        )
    }

    /// Opens a connection and sends the subscribe messages.
    pub async fn connect(&self) -> Result<WsStream, ConnectorError> {
        use futures_util::SinkExt;
        let mut request = self
            .url
            .as_str()
            .into_client_request()
            .map_err(|e| ConnectorError::permanent(format!("{}: {e}", self.url)))?;
        for (name, value) in &self.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|e| ConnectorError::permanent(e.to_string()))?;
            let value = HeaderValue::from_str(value)
                .map_err(|e| ConnectorError::permanent(e.to_string()))?;
            request.headers_mut().append(name, value);
        }
        if let Some(p) = &self.subprotocol {
            let value =
                HeaderValue::from_str(p).map_err(|e| ConnectorError::permanent(e.to_string()))?;
            request
                .headers_mut()
                .insert("sec-websocket-protocol", value);
        }
        let connector = if self.url.starts_with("wss://") {
            Connector::Rustls(self.tls.clone())
        } else {
            Connector::Plain
        };
        let handshake =
            tokio_tungstenite::connect_async_tls_with_config(request, None, true, Some(connector));
        let (mut stream, _response) = tokio::time::timeout(self.connect_timeout, handshake)
            .await
            .map_err(|_| {
                ConnectorError::transient(format!(
                    "connecting to {} timed out after {:?}",
                    self.url, self.connect_timeout
                ))
            })?
            .map_err(|e| connect_error(&self.url, e))?;
        for message in &self.subscribe_messages {
            stream
                .send(tokio_tungstenite::tungstenite::Message::text(
                    message.as_str(),
                ))
                .await
                .map_err(|e| {
                    ConnectorError::transient(format!(
                        "{}: sending the subscribe message failed: {e}",
                        self.url
                    ))
                })?;
        }
        Ok(stream)
    }
}

/// `websocket.subscribe.message`, then `.1`, `.2`, ... in numeric order.
fn subscribe_messages(config: &ConnectorConfig) -> Result<Vec<String>, ConfigError> {
    let mut numbered = Vec::new();
    for (rest, value) in SUBSCRIBE_MESSAGE_N.entries(config) {
        let n: u32 = rest.parse().map_err(|_| {
            ConfigError(format!(
                "parameter 'websocket.subscribe.message.{rest}': the suffix must be a number (1, 2, ...)"
            ))
        })?;
        numbered.push((n, value.to_string()));
    }
    numbered.sort_by_key(|(n, _)| *n);
    let first = SUBSCRIBE_MESSAGE.read(config)?;
    Ok(first
        .into_iter()
        .chain(numbered.into_iter().map(|(_, v)| v))
        .collect())
}

/// Handshake failures the server answered with a 4xx status (bad path, refused token, unknown
/// subprotocol) are permanent; anything else may pass with time.
fn connect_error(url: &str, e: tokio_tungstenite::tungstenite::Error) -> ConnectorError {
    use tokio_tungstenite::tungstenite::Error;
    match &e {
        Error::Http(response) if response.status().is_client_error() => {
            ConnectorError::permanent(format!(
                "{url}: the server refused the connection: HTTP {}",
                response.status()
            ))
        }
        Error::Url(_) => ConnectorError::permanent(format!("{url}: {e}")),
        // A certificate the client does not trust will not become trusted by retrying.
        // tokio-rustls reports a refused certificate as an IO error carrying a rustls error.
        Error::Tls(_) => tls_refused(url, &e),
        Error::Io(io)
            if io
                .get_ref()
                .is_some_and(|inner| inner.downcast_ref::<rustls::Error>().is_some()) =>
        {
            tls_refused(url, &e)
        }
        _ => ConnectorError::transient(format!("cannot connect to {url}: {e}")),
    }
}

fn tls_refused(url: &str, e: &dyn std::fmt::Display) -> ConnectorError {
    ConnectorError::permanent(format!(
        "{url}: TLS failed: {e} (a private CA or a self-signed server needs websocket.tls.ca.file)"
    ))
}

/// A binary frame that does not inflate.
#[derive(Debug, thiserror::Error)]
#[error("cannot inflate a {compression:?} binary frame: {source}")]
pub struct InflateError {
    compression: Compression,
    source: std::io::Error,
}

/// Inflates a binary frame when the stream is configured for compression.
pub fn decompress(compression: Compression, payload: Bytes) -> Result<Bytes, InflateError> {
    let mut out = Vec::with_capacity(payload.len() * 4);
    let result = match compression {
        Compression::None => return Ok(payload),
        Compression::Gzip => flate2::read::GzDecoder::new(&payload[..]).read_to_end(&mut out),
        Compression::Deflate => flate2::read::ZlibDecoder::new(&payload[..]).read_to_end(&mut out),
    };
    result
        .map(|_| Bytes::from(out))
        .map_err(|source| InflateError {
            compression,
            source,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn config(pairs: &[(&str, &str)]) -> ConnectorConfig {
        ConnectorConfig {
            kind: "websocket".into(),
            stream: "S".into(),
            params: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            map: None,
            ..Default::default()
        }
    }

    #[test]
    fn parses_parameters_and_orders_subscribe_messages() {
        let c = WsClientConfig::from_config(&config(&[
            ("websocket.url", "ws://127.0.0.1:1/x"),
            ("websocket.subscribe.message", "a"),
            ("websocket.subscribe.message.10", "c"),
            ("websocket.subscribe.message.2", "b"),
            ("websocket.headers.X-Key", "k"),
            ("websocket.compression", "gzip"),
        ]))
        .unwrap();
        assert_eq!(c.subscribe_messages, vec!["a", "b", "c"]);
        assert_eq!(c.headers, vec![("X-Key".to_string(), "k".to_string())]);
        assert_eq!(c.compression, Compression::Gzip);
        assert_eq!(c.idle_timeout, None);
    }

    #[test]
    fn bad_parameters_name_the_key() {
        let err =
            |pairs: &[(&str, &str)]| WsClientConfig::from_config(&config(pairs)).unwrap_err().0;
        assert!(err(&[("websocket.url", "http://x")]).contains("ws:// or wss://"));
        assert!(err(&[
            ("websocket.url", "ws://x"),
            ("websocket.compression", "zip")
        ])
        .contains("websocket.compression"));
        assert!(err(&[
            ("websocket.url", "ws://x"),
            ("websocket.subscribe.message.x", "a")
        ])
        .contains("websocket.subscribe.message.x"));
        assert!(err(&[
            ("websocket.url", "ws://x"),
            ("websocket.headers.Bad Name", "a")
        ])
        .contains("header name"));
    }

    #[test]
    fn inflates_gzip_and_deflate_frames() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"{\"a\":1}").unwrap();
        let gz = Bytes::from(gz.finish().unwrap());
        assert_eq!(
            &decompress(Compression::Gzip, gz).unwrap()[..],
            b"{\"a\":1}"
        );
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        z.write_all(b"x").unwrap();
        let z = Bytes::from(z.finish().unwrap());
        assert_eq!(&decompress(Compression::Deflate, z).unwrap()[..], b"x");
        assert!(decompress(Compression::Gzip, Bytes::from_static(b"nope")).is_err());
    }
}

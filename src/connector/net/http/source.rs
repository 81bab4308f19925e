//! `http` source. Receiver mode (default): an HTTP server whose POST bodies become payloads for
//! the mapper (a JSON array makes many events). It answers 202 once the events are in the
//! stream, 400 with the mapper's error, 401 for a missing or wrong token, 413 for an oversized
//! body and 503 when the app is not keeping up (its queue is full), so the caller sees
//! backpressure. Poll mode: GETs `url` every `poll.interval.ms` and decodes each answer.
//!
//! Here: the parameters and the mode; `receiver` and `poller` run the two modes.

use super::{poller, receiver};
use crate::connector::config::{ConfigError, ConnectorConfig};
use crate::connector::error::ERROR_PARAMS;
use crate::connector::net::runtime;
use crate::connector::param::{specs, Choice, Describe, Param};
use crate::connector::spec::ConnectorSpec;
use crate::connector::{ConnectorError, Source, SourceContext, SourceFactory};
use crate::schema::Schema;
use std::time::Duration;

pub struct HttpSourceFactory;

/// Receive POSTs, or GET a URL over and over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ModeName {
    Server,
    Poll,
}

const MODE: Param<Choice<ModeName>> = Param::choice(
    "mode",
    &[("server", ModeName::Server), ("poll", ModeName::Poll)],
    ModeName::Server,
    "server: receive POSTs (a webhook receiver); poll: GET url every poll.interval.ms.",
    "poll",
);

const HOST: Param<&'static str> = Param::optional(
    "host",
    crate::connector::param::LOOPBACK,
    "server mode: address to listen on (127.0.0.1: this machine only; 0.0.0.0: every \
     interface).",
    "0.0.0.0",
);

const PORT: Param<Option<u16>> = Param::optional(
    "port",
    None,
    "server mode (required there): TCP port to listen on.",
    "8080",
);

const PATH: Param<&'static str> = Param::optional(
    "path",
    "/",
    "server mode: the path that takes POSTs; other paths answer 404, other methods 405.",
    "/webhooks/orders",
);

const AUTH_HEADER: Param<&'static str> = Param::optional(
    "auth.header",
    "Authorization",
    "server mode, with auth.token: the header that must carry the token.",
    "X-Api-Key",
);

const AUTH_TOKEN: Param<Option<String>> = Param::optional(
    "auth.token",
    None,
    "server mode: a request whose auth.header is neither the token nor 'Bearer <token>' gets \
     401. Required unless auth='none'.",
    "${WEBHOOK_SECRET}",
);

/// Who may POST: holders of the token, or (said out loud) anyone who can reach the port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Auth {
    Token,
    None,
}

const AUTH: Param<Choice<Auth>> = Param::choice(
    "auth",
    &[("token", Auth::Token), ("none", Auth::None)],
    Auth::Token,
    "server mode: token (the default) requires auth.token; none accepts every request, for a \
     port only trusted callers can reach.",
    "none",
);

const MAX_BODY_BYTES: Param<usize> = Param::optional(
    "max.body.bytes",
    1_048_576,
    "server mode: larger bodies get 413.",
    "65536",
);

const MAX_CONNECTIONS: Param<usize> = Param::optional(
    "max.connections",
    1000,
    "server mode: connections open at once; a new one past it is closed at once (counted).",
    "100",
);

const HEADER_TIMEOUT: Param<Duration> = Param::optional(
    "header.timeout.ms",
    Duration::from_secs(10),
    "server mode: a request whose headers have not all arrived by then closes its connection.",
    "3000",
);

const IDLE_TIMEOUT: Param<Duration> = Param::optional(
    "idle.timeout.ms",
    Duration::from_secs(60),
    "server mode: a connection with no bytes moving for this long is closed (a request in \
     progress finishes first).",
    "15000",
);

const QUEUE_SIZE: Param<usize> = Param::optional(
    "queue.size",
    64,
    "server mode: requests waiting for the app; when this many wait, new ones get 503 \
     with Retry-After: 1.",
    "256",
);

const URL: Param<Option<String>> = Param::optional(
    "url",
    None,
    "poll mode (required there): the URL to GET.",
    "https://api.example.com/prices",
);

const POLL_INTERVAL: Param<Duration> = Param::optional(
    "poll.interval.ms",
    Duration::from_millis(1000),
    "poll mode: time between the start of one GET and the next.",
    "5000",
);

const HEADERS: Param<Option<String>> = Param::optional(
    "headers.<Name>",
    None,
    "poll mode: a header sent with every GET.",
    "Bearer ${API_TOKEN}",
);

const TIMEOUT: Param<Duration> = Param::optional(
    "timeout.ms",
    Duration::from_millis(10_000),
    "poll mode: limit on one GET.",
    "2000",
);

const PARAMS: &[&dyn Describe] = &[
    &MODE,
    &HOST,
    &PORT,
    &PATH,
    &AUTH,
    &AUTH_HEADER,
    &AUTH_TOKEN,
    &MAX_BODY_BYTES,
    &QUEUE_SIZE,
    &MAX_CONNECTIONS,
    &HEADER_TIMEOUT,
    &IDLE_TIMEOUT,
    &URL,
    &POLL_INTERVAL,
    &HEADERS,
    &TIMEOUT,
];

enum Mode {
    Server(ServerSettings),
    Poll(PollSettings),
}

pub(super) struct ServerSettings {
    pub address: String,
    pub path: String,
    pub auth_header: String,
    pub auth_token: Option<String>,
    pub max_body_bytes: usize,
    pub queue_size: usize,
    pub limits: super::listen::Limits,
}

pub(super) struct PollSettings {
    pub url: String,
    pub interval: Duration,
    pub headers: reqwest::header::HeaderMap,
    pub timeout: Duration,
}

fn mode(config: &ConnectorConfig) -> Result<Mode, ConfigError> {
    match MODE.read(config)? {
        ModeName::Server => {
            let port = PORT.read(config)?.ok_or_else(|| {
                ConfigError("mode='server' needs parameter 'port' (the port to listen on)".into())
            })?;
            let path = PATH.read(config)?;
            if !path.starts_with('/') {
                return Err(ConfigError(format!(
                    "parameter 'path' has value '{path}': it must start with '/'"
                )));
            }
            let auth_token = match (AUTH.read(config)?, AUTH_TOKEN.read(config)?) {
                (Auth::Token, Some(token)) if !token.is_empty() => Some(token),
                (Auth::Token, _) => {
                    return Err(ConfigError(
                        "mode='server' needs auth.token (callers send 'Authorization: Bearer \
                         <token>'), e.g. auth.token='${WEBHOOK_SECRET}'; or auth='none' to \
                         accept every request that reaches the port"
                            .into(),
                    ))
                }
                (Auth::None, None) => None,
                (Auth::None, Some(_)) => {
                    return Err(ConfigError(
                        "auth='none' and auth.token contradict each other: drop one".into(),
                    ))
                }
            };
            Ok(Mode::Server(ServerSettings {
                address: format!("{}:{port}", HOST.get(config)),
                path,
                auth_header: AUTH_HEADER.read(config)?,
                auth_token,
                max_body_bytes: MAX_BODY_BYTES.read(config)?,
                queue_size: QUEUE_SIZE.read(config)?.max(1),
                limits: super::listen::Limits {
                    max_connections: MAX_CONNECTIONS.read(config)?.max(1),
                    header_timeout: HEADER_TIMEOUT.read(config)?.max(Duration::from_millis(1)),
                    idle_timeout: IDLE_TIMEOUT.read(config)?.max(Duration::from_millis(1)),
                },
            }))
        }
        ModeName::Poll => {
            let url = URL.get(config).ok_or_else(|| {
                ConfigError("mode='poll' needs parameter 'url' (the URL to GET)".into())
            })?;
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(ConfigError(format!(
                    "parameter 'url' has value '{url}': it must start with http:// or https://"
                )));
            }
            let mut headers = reqwest::header::HeaderMap::new();
            for (name, value) in HEADERS.entries(config) {
                let n = reqwest::header::HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                    ConfigError(format!(
                        "parameter 'headers.{name}': not a valid HTTP header name"
                    ))
                })?;
                let v = reqwest::header::HeaderValue::from_str(value).map_err(|_| {
                    ConfigError(format!(
                        "parameter 'headers.{name}': not a valid HTTP header value"
                    ))
                })?;
                headers.append(n, v);
            }
            Ok(Mode::Poll(PollSettings {
                url: url.to_string(),
                interval: POLL_INTERVAL.read(config)?.max(Duration::from_millis(1)),
                headers,
                timeout: TIMEOUT.read(config)?.max(Duration::from_millis(1)),
            }))
        }
    }
}

impl SourceFactory for HttpSourceFactory {
    fn spec(&self) -> ConnectorSpec {
        ConnectorSpec {
            name: "http",
            aliases: &["webhook"],
            description: "Receives events over HTTP. In server mode (the default) it is a webhook \
                receiver: each POST body is a payload for the @map (json by default; a JSON \
                array makes many events). It answers 202 with {\"accepted\": N} once the events \
                are in the stream, 400 with the mapper's error for a bad payload, 401 for a \
                missing or wrong token, 413 for a body over max.body.bytes and 503 with \
                Retry-After when the app is not keeping up. In poll mode it GETs url every \
                poll.interval.ms and decodes each 2xx answer; failures are counted and logged \
                and polling goes on.",
            params: specs(&[PARAMS, ERROR_PARAMS]),
            formats: &["json", "text", "csv", "bytes"],
            default_format: Some("json"),
            example: "@source(type='http', port='8080', path='/webhooks/orders', \
                auth.token='${WEBHOOK_SECRET}', @map(type='json'))",
        }
    }

    fn validate(&self, config: &ConnectorConfig, _schema: &Schema) -> Result<(), ConfigError> {
        mode(config).map(|_| ())
    }

    fn create(
        &self,
        config: &ConnectorConfig,
        _schema: &Schema,
    ) -> Result<Box<dyn Source>, ConnectorError> {
        Ok(Box::new(HttpSource {
            mode: Some(mode(config)?),
        }))
    }
}

struct HttpSource {
    mode: Option<Mode>,
}

impl Source for HttpSource {
    fn run(&mut self, ctx: &mut SourceContext) -> Result<(), ConnectorError> {
        match self.mode.take() {
            Some(Mode::Server(s)) => runtime().block_on(receiver::serve(s, ctx)),
            Some(Mode::Poll(p)) => runtime().block_on(poller::poll(p, ctx)),
            None => Ok(()),
        }
    }
}

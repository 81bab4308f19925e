//! `http` source. Receiver mode (default): an HTTP server whose POST bodies become payloads for
//! the mapper (a JSON array makes many events). It answers 202 once the events are in the
//! stream, 400 with the mapper's error, 401 for a missing or wrong token, 413 for an oversized
//! body and 503 when the app is not keeping up (its queue is full), so the caller sees
//! backpressure. Poll mode: GETs `url` every `poll.interval.ms` and decodes each answer.

use super::runtime::{runtime, tls_client_config};
use crate::connector::config::{ConfigError, ConnectorConfig, Params};
use crate::connector::error::ERROR_PARAMS;
use crate::connector::param::specs;
use crate::connector::spec::{ConnectorSpec, ParamSpec};
use crate::connector::{ConnectorError, Source, SourceContext, SourceFactory};
use crate::schema::Schema;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

const STOP_CHECK: Duration = Duration::from_millis(100);

pub struct HttpSourceFactory;

fn params() -> Vec<ParamSpec> {
    let mut params = vec![
        ParamSpec::optional(
            "mode",
            Some("server"),
            "server: receive POSTs (a webhook receiver); poll: GET url every poll.interval.ms.",
            "poll",
        ),
        ParamSpec::optional(
            "host",
            Some("0.0.0.0"),
            "server mode: address to listen on.",
            "127.0.0.1",
        ),
        ParamSpec::optional(
            "port",
            None,
            "server mode (required there): TCP port to listen on.",
            "8080",
        ),
        ParamSpec::optional(
            "path",
            Some("/"),
            "server mode: the path that takes POSTs; other paths answer 404, other methods 405.",
            "/webhooks/orders",
        ),
        ParamSpec::optional(
            "auth.header",
            Some("Authorization"),
            "server mode, with auth.token: the header that must carry the token.",
            "X-Api-Key",
        ),
        ParamSpec::optional(
            "auth.token",
            None,
            "server mode: when set, a request whose auth.header is neither the token nor \
             'Bearer <token>' gets 401.",
            "${WEBHOOK_SECRET}",
        ),
        ParamSpec::optional(
            "max.body.bytes",
            Some("1048576"),
            "server mode: larger bodies get 413.",
            "65536",
        ),
        ParamSpec::optional(
            "queue.size",
            Some("64"),
            "server mode: requests waiting for the app; when this many wait, new ones get 503 \
             with Retry-After: 1.",
            "256",
        ),
        ParamSpec::optional(
            "url",
            None,
            "poll mode (required there): the URL to GET.",
            "https://api.example.com/prices",
        ),
        ParamSpec::optional(
            "poll.interval.ms",
            Some("1000"),
            "poll mode: time between the start of one GET and the next.",
            "5000",
        ),
        ParamSpec::optional(
            "headers.<Name>",
            None,
            "poll mode: a header sent with every GET.",
            "Bearer ${API_TOKEN}",
        ),
        ParamSpec::optional(
            "timeout.ms",
            Some("10000"),
            "poll mode: limit on one GET.",
            "2000",
        ),
    ];
    params.extend(specs(&[ERROR_PARAMS]));
    params
}

enum Mode {
    Server(ServerSettings),
    Poll(PollSettings),
}

struct ServerSettings {
    address: String,
    path: String,
    auth_header: String,
    auth_token: Option<String>,
    max_body_bytes: usize,
    queue_size: usize,
}

struct PollSettings {
    url: String,
    interval: Duration,
    headers: reqwest::header::HeaderMap,
    timeout: Duration,
}

fn mode(config: &ConnectorConfig) -> Result<Mode, ConfigError> {
    match config.get("mode").unwrap_or("server") {
        "server" => {
            let port: u16 = config.parse("port")?.ok_or_else(|| {
                ConfigError("mode='server' needs parameter 'port' (the port to listen on)".into())
            })?;
            let path = config.get("path").unwrap_or("/").to_string();
            if !path.starts_with('/') {
                return Err(ConfigError(format!(
                    "parameter 'path' has value '{path}': it must start with '/'"
                )));
            }
            Ok(Mode::Server(ServerSettings {
                address: format!("{}:{port}", config.get("host").unwrap_or("0.0.0.0")),
                path,
                auth_header: config
                    .get("auth.header")
                    .unwrap_or("Authorization")
                    .to_string(),
                auth_token: config.get("auth.token").map(str::to_string),
                max_body_bytes: config.parse_or("max.body.bytes", 1_048_576usize)?,
                queue_size: config.parse_or("queue.size", 64usize)?.max(1),
            }))
        }
        "poll" => {
            let url = config.get("url").ok_or_else(|| {
                ConfigError("mode='poll' needs parameter 'url' (the URL to GET)".into())
            })?;
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(ConfigError(format!(
                    "parameter 'url' has value '{url}': it must start with http:// or https://"
                )));
            }
            let mut headers = reqwest::header::HeaderMap::new();
            for (name, value) in config.with_prefix("headers") {
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
                interval: Duration::from_millis(
                    config.parse_or("poll.interval.ms", 1000u64)?.max(1),
                ),
                headers,
                timeout: Duration::from_millis(config.parse_or("timeout.ms", 10_000u64)?.max(1)),
            }))
        }
        other => Err(ConfigError(format!(
            "parameter 'mode' has value '{other}': expected server or poll"
        ))),
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
            params: params(),
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
            Some(Mode::Server(s)) => runtime().block_on(serve(s, ctx)),
            Some(Mode::Poll(p)) => runtime().block_on(poll(p, ctx)),
            None => Ok(()),
        }
    }
}

/// A received body and where to send the answer.
type Delivery = (Bytes, oneshot::Sender<Result<usize, String>>);

struct Receiver {
    auth_header: String,
    auth_token: Option<String>,
    queue: mpsc::Sender<Delivery>,
}

async fn serve(settings: ServerSettings, ctx: &mut SourceContext) -> Result<(), ConnectorError> {
    let listener = tokio::net::TcpListener::bind(&settings.address)
        .await
        .map_err(|e| {
            ConnectorError::permanent(format!(
                "http source: cannot listen on {}: {e} (choose another host/port)",
                settings.address
            ))
        })?;
    log::info!(
        "http source: listening on http://{}{}",
        settings.address,
        settings.path
    );
    let (tx, mut rx) = mpsc::channel::<Delivery>(settings.queue_size);
    let receiver = Arc::new(Receiver {
        auth_header: settings.auth_header,
        auth_token: settings.auth_token,
        queue: tx,
    });
    let app = axum::Router::new()
        .route(&settings.path, axum::routing::post(receive))
        .layer(DefaultBodyLimit::max(settings.max_body_bytes))
        .with_state(receiver);
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        let shutdown = async {
            let _ = stop_rx.await;
        };
        if let Err(e) = axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await
        {
            log::error!("http source: server failed: {e}");
        }
    });
    let mut check = tokio::time::interval(STOP_CHECK);
    while ctx.is_running() {
        tokio::select! {
            next = rx.recv() => {
                let Some((body, reply)) = next else { break };
                let _ = reply.send(ctx.emit_payload_checked(&body));
            }
            _ = check.tick() => {}
        }
    }
    let _ = stop_tx.send(());
    // Requests already queued get 503 rather than a dropped connection.
    rx.close();
    while let Some((_, reply)) = rx.recv().await {
        let _ = reply.send(Err(String::from("the app is stopping")));
    }
    let _ = tokio::time::timeout(Duration::from_secs(2), server).await;
    Ok(())
}

async fn receive(State(r): State<Arc<Receiver>>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(token) = &r.auth_token {
        let given = headers
            .get(r.auth_header.as_str())
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if given != token && given.strip_prefix("Bearer ") != Some(token.as_str()) {
            let msg = format!("missing or wrong {} token", r.auth_header);
            return (StatusCode::UNAUTHORIZED, msg).into_response();
        }
    }
    let (reply, answer) = oneshot::channel();
    if let Err(e) = r.queue.try_send((body, reply)) {
        let msg = match e {
            mpsc::error::TrySendError::Full(_) => "the app is not keeping up; retry later",
            mpsc::error::TrySendError::Closed(_) => "the app is stopping",
        };
        return (StatusCode::SERVICE_UNAVAILABLE, [("retry-after", "1")], msg).into_response();
    }
    match answer.await {
        Ok(Ok(n)) => (StatusCode::ACCEPTED, format!("{{\"accepted\":{n}}}")).into_response(),
        Ok(Err(msg)) if msg == "the app is stopping" => {
            (StatusCode::SERVICE_UNAVAILABLE, msg).into_response()
        }
        Ok(Err(msg)) => (StatusCode::BAD_REQUEST, msg).into_response(),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "the app is stopping").into_response(),
    }
}

async fn poll(settings: PollSettings, ctx: &mut SourceContext) -> Result<(), ConnectorError> {
    let client = reqwest::Client::builder()
        .tls_backend_preconfigured((*tls_client_config()).clone())
        .timeout(settings.timeout)
        .default_headers(settings.headers)
        .build()
        .map_err(|e| {
            ConnectorError::permanent(format!("http source: cannot build the client: {e}"))
        })?;
    let mut ticks = tokio::time::interval(settings.interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut check = tokio::time::interval(STOP_CHECK);
    while ctx.is_running() {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = check.tick() => continue,
        }
        let answer = match client.get(&settings.url).send().await {
            Ok(r) if r.status().is_success() => r.bytes().await.map_err(|e| e.to_string()),
            Ok(r) => Err(format!("answered HTTP {}", r.status())),
            Err(e) => Err(e.to_string()),
        };
        match answer {
            Ok(body) if body.is_empty() => {}
            Ok(body) => {
                // A bad answer is counted and handed to the error strategy by the engine.
                let _ = ctx.emit_payload_checked(&body);
            }
            Err(msg) => ctx.report_error(
                &ConnectorError::transient(format!("http source: GET {}: {msg}", settings.url)),
                None,
            ),
        }
    }
    Ok(())
}

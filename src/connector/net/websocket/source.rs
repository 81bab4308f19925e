//! `websocket` source: a client that connects to a server, sends its subscribe messages and
//! turns every text or binary frame into a payload for the mapper. It reconnects with backoff
//! after drops, close frames and silent connections, until the app stops.

use super::client::{decompress, WsClientConfig, WsStream, CLIENT_PARAMS};
use crate::connector::config::{ConfigError, ConnectorConfig};
use crate::connector::error::ERROR_PARAMS;
use crate::connector::net::runtime;
use crate::connector::param::specs;
use crate::connector::spec::ConnectorSpec;
use crate::connector::{ConnectorError, ErrorClass, Source, SourceContext, SourceFactory};
use crate::schema::Schema;
use bytes::Bytes;
use futures_util::{FutureExt, SinkExt, StreamExt};
use std::time::Duration;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;

/// Frames already received are handed to the mapper together, up to this many.
const MAX_BATCH: usize = 512;
/// How often a waiting source looks at the app's running flag.
const STOP_CHECK: Duration = Duration::from_millis(100);

pub struct WsSourceFactory;

impl SourceFactory for WsSourceFactory {
    fn spec(&self) -> ConnectorSpec {
        ConnectorSpec {
            name: "websocket",
            aliases: &["ws"],
            description: "Connects to a WebSocket server and turns every text or binary frame \
                into a payload for the @map (json by default). After every (re)connect the \
                subscribe messages are sent first. A dropped connection, a close frame or a \
                connection silent past websocket.idle.timeout.ms is reconnected with capped \
                exponential backoff and jitter, reset once a connection delivers again. Pings \
                are answered; bad frames go to the error strategy without closing the \
                connection.",
            params: specs(&[CLIENT_PARAMS, ERROR_PARAMS]),
            formats: &["json", "text", "csv", "bytes"],
            default_format: Some("json"),
            example: "@source(type='websocket', websocket.url='wss://feed.example.com/ws', \
                websocket.subscribe.message='{\"op\":\"subscribe\",\"channel\":\"trades\"}', \
                @map(type='json'))",
        }
    }

    fn validate(&self, config: &ConnectorConfig, _schema: &Schema) -> Result<(), ConfigError> {
        WsClientConfig::from_config(config).map(|_| ())
    }

    fn create(
        &self,
        config: &ConnectorConfig,
        _schema: &Schema,
    ) -> Result<Box<dyn Source>, ConnectorError> {
        Ok(Box::new(WsSource {
            config: WsClientConfig::from_config(config)?,
        }))
    }
}

struct WsSource {
    config: WsClientConfig,
}

/// Why a connection ended.
enum Ended {
    Stopping,
    Dropped(String),
}

impl Source for WsSource {
    fn run(&mut self, ctx: &mut SourceContext) -> Result<(), ConnectorError> {
        let config = self.config.clone();
        runtime().block_on(run_client(&config, ctx))
    }
}

async fn run_client(
    config: &WsClientConfig,
    ctx: &mut SourceContext,
) -> Result<(), ConnectorError> {
    let mut backoff = config.backoff();
    while ctx.is_running() {
        // A connection that delivered something and then dropped is not a failed attempt:
        // the next attempt waits the first delay. Failed attempts in a row count towards
        // websocket.reconnect.max.attempts.
        let mut healthy_drop = false;
        match config.connect().await {
            Ok(stream) => {
                log::info!("websocket source: connected to {}", config.url);
                ctx.status().connected();
                match read_frames(config, stream, ctx, &mut backoff).await {
                    Ended::Stopping => return Ok(()),
                    Ended::Dropped(why) => {
                        healthy_drop = backoff.failures() == 0;
                        log::warn!("websocket source: {}: {why}", config.url);
                        ctx.status().reconnecting(&format!("{}: {why}", config.url));
                        ctx.report_error(
                            &ConnectorError::transient(format!("{}: {why}", config.url)),
                            None,
                        );
                    }
                }
            }
            Err(e) if e.class == ErrorClass::Permanent => return Err(e),
            Err(e) => {
                ctx.status().reconnecting(&e.message);
                ctx.report_error(&e, None)
            }
        }
        if !config.reconnect {
            return Err(ConnectorError::transient(format!(
                "{}: connection lost and websocket.reconnect is false",
                config.url
            )));
        }
        let wait = if healthy_drop {
            backoff.first_delay()
        } else {
            match backoff.failed() {
                Some(wait) => wait,
                None => {
                    return Err(ConnectorError::transient(format!(
                        "{}: gave up after {} failed connection attempts in a row (websocket.reconnect.max.attempts)",
                        config.url,
                        backoff.failures()
                    )))
                }
            }
        };
        log::info!(
            "websocket source: reconnecting to {} in {wait:?} (attempt {})",
            config.url,
            backoff.failures()
        );
        sleep_while_running(wait, ctx).await;
    }
    Ok(())
}

async fn sleep_while_running(wait: Duration, ctx: &SourceContext) {
    let deadline = Instant::now() + wait;
    while ctx.is_running() && Instant::now() < deadline {
        tokio::time::sleep(STOP_CHECK.min(deadline - Instant::now())).await;
    }
}

/// What woke the read loop.
enum Wake {
    Frame(Option<Result<Message, tokio_tungstenite::tungstenite::Error>>),
    Ping,
    Idle,
    Check,
}

async fn read_frames(
    config: &WsClientConfig,
    mut stream: WsStream,
    ctx: &mut SourceContext,
    backoff: &mut crate::connector::net::Backoff,
) -> Ended {
    let mut batch: Vec<Bytes> = Vec::with_capacity(MAX_BATCH);
    let mut last_heard = Instant::now();
    let far = Duration::from_secs(86_400 * 365);
    let mut ping = tokio::time::interval(config.ping_interval.unwrap_or(far));
    ping.tick().await;
    let mut check = tokio::time::interval(STOP_CHECK);
    loop {
        let idle_at = last_heard + config.idle_timeout.unwrap_or(far);
        let wake = tokio::select! {
            frame = stream.next() => Wake::Frame(frame),
            _ = ping.tick() => Wake::Ping,
            _ = tokio::time::sleep_until(idle_at) => Wake::Idle,
            _ = check.tick() => Wake::Check,
        };
        match wake {
            Wake::Frame(Some(Ok(first))) => {
                last_heard = Instant::now();
                backoff.reset();
                let mut next = Some(first);
                // Take whatever else has already arrived, so the mapper sees one batch.
                while let Some(message) = next.take() {
                    if let Some(ended) = collect(config, message, &mut batch, ctx) {
                        emit(&mut batch, ctx);
                        return ended;
                    }
                    if batch.len() < MAX_BATCH {
                        if let Some(Some(Ok(m))) = stream.next().now_or_never() {
                            next = Some(m);
                        }
                    }
                }
                emit(&mut batch, ctx);
            }
            Wake::Frame(Some(Err(e))) => return Ended::Dropped(format!("connection failed: {e}")),
            Wake::Frame(None) => return Ended::Dropped("the server closed the connection".into()),
            Wake::Ping => {
                if let Err(e) = stream.send(Message::Ping(Bytes::new())).await {
                    return Ended::Dropped(format!("sending a ping failed: {e}"));
                }
            }
            Wake::Idle => {
                return Ended::Dropped(format!(
                    "nothing received for {:?} (websocket.idle.timeout.ms); treating the connection as dead",
                    config.idle_timeout.unwrap_or_default()
                ))
            }
            Wake::Check => {
                if !ctx.is_running() {
                    let _ = tokio::time::timeout(Duration::from_secs(1), stream.close(None)).await;
                    return Ended::Stopping;
                }
            }
        }
    }
}

/// Adds a data frame to the batch; returns `Some` when the frame ends the connection.
fn collect(
    config: &WsClientConfig,
    message: Message,
    batch: &mut Vec<Bytes>,
    ctx: &mut SourceContext,
) -> Option<Ended> {
    match message {
        Message::Text(text) => batch.push(Bytes::from(text)),
        Message::Binary(data) => match decompress(config.compression, data) {
            Ok(data) => batch.push(data),
            Err(e) => ctx.report_error(&ConnectorError::permanent(e.to_string()), None),
        },
        Message::Close(frame) => {
            let why = match frame {
                Some(f) => format!("the server sent a close frame ({} {})", f.code, f.reason),
                None => "the server sent a close frame".into(),
            };
            return Some(Ended::Dropped(why));
        }
        Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => {}
    }
    None
}

fn emit(batch: &mut Vec<Bytes>, ctx: &mut SourceContext) {
    ctx.emit_payloads(batch);
    batch.clear();
}

//! `http` sink (alias `webhook`): sends events to an HTTP endpoint, one request per event or
//! per batch. Connect errors, timeouts, 408, 429 (after its Retry-After) and 5xx are retried
//! with capped exponential backoff and jitter; other 4xx are never retried. Events whose request
//! finally fails go to the error strategy (dlq, log, fail), one by one, with the reason.

use super::sink_settings::{
    default_content_type, params, settings, BatchFormat, HttpSettings, CONTENT_TYPE, TLS_CA_FILE,
};
use crate::connector::config::{ConfigError, ConnectorConfig};
use crate::connector::net::runtime::{runtime, tls_client_config_with};
use crate::connector::spec::ConnectorSpec;
use crate::connector::{ConnectorError, Rejects, Sink, SinkFactory, SinkMapper};
use crate::event::Event;
use crate::schema::Schema;
use futures_util::StreamExt;
use reqwest::header::{self, HeaderMap, HeaderValue, RETRY_AFTER};
use reqwest::StatusCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The longest Retry-After the sink honours; longer answers are cut to this.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);

pub struct HttpSinkFactory;

impl SinkFactory for HttpSinkFactory {
    fn spec(&self) -> ConnectorSpec {
        ConnectorSpec {
            name: "http",
            aliases: &["webhook"],
            description: "Sends events to an HTTP endpoint (webhooks, REST APIs), one request per \
                event or per batch, encoded by the @map (json by default). Connect errors, \
                timeouts, 408, 429 (waiting for its Retry-After) and 5xx answers are retried with \
                capped exponential backoff and jitter; other 4xx answers are not retried. Events \
                whose request finally fails go to the error strategy one by one, with the status \
                and the start of the answer in the error (error.strategy='dlq' keeps them). \
                TLS uses rustls with the webpki root certificates.",
            params: params(),
            formats: &["json", "text", "csv", "bytes"],
            default_format: Some("json"),
            example: "@sink(type='http', url='https://hooks.example.com/alerts', \
                headers.Authorization='Bearer ${WEBHOOK_TOKEN}', retry.max.attempts='5', \
                @map(type='json'))",
        }
    }

    fn validate(&self, config: &ConnectorConfig, schema: &Schema) -> Result<(), ConfigError> {
        let s = settings(config, schema)?;
        let format = config.map.as_ref().map_or("json", |m| m.kind.as_str());
        if s.batch_size > 1 && s.batch_format == BatchFormat::JsonArray && format != "json" {
            return Err(ConfigError(format!(
                "batch.format='json_array' needs the json format, not '{format}'; use batch.format='lines'"
            )));
        }
        Ok(())
    }

    fn create(
        &self,
        config: &ConnectorConfig,
        schema: &Schema,
        mapper: Option<Box<dyn SinkMapper>>,
    ) -> Result<Box<dyn Sink>, ConnectorError> {
        let settings = settings(config, schema)?;
        let format = config.map.as_ref().map_or("json", |m| m.kind.as_str());
        if settings.batch_size > 1
            && settings.batch_format == BatchFormat::JsonArray
            && format != "json"
        {
            return Err(ConnectorError::permanent(format!(
                "batch.format='json_array' needs the json format, not '{format}'; use batch.format='lines'"
            )));
        }
        let content_type = match CONTENT_TYPE.get(config) {
            Some(c) => c.to_string(),
            None => default_content_type(format, settings.batch_size, settings.batch_format).into(),
        };
        let mapper = mapper.ok_or_else(|| {
            ConnectorError::permanent("http sink needs a format (@map(type='json'), ...)")
        })?;
        let tls = tls_client_config_with(TLS_CA_FILE.get(config).map(std::path::Path::new))
            .map_err(|e| {
                ConnectorError::permanent(format!("parameter '{}': {e}", TLS_CA_FILE.name()))
            })?;
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured((*tls).clone())
            .timeout(settings.timeout)
            .default_headers(settings.headers.clone())
            .build()
            .map_err(|e| {
                ConnectorError::permanent(format!("http sink: cannot build the client: {e}"))
            })?;
        Ok(Box::new(HttpSink {
            client,
            content_type: HeaderValue::from_str(&content_type).map_err(|_| {
                ConnectorError::permanent(format!(
                    "content.type '{content_type}' is not a valid header value"
                ))
            })?,
            settings: Arc::new(settings),
            mapper,
            stopping: Arc::new(AtomicBool::new(false)),
            scratch: Vec::new(),
        }))
    }
}

struct HttpSink {
    client: reqwest::Client,
    content_type: HeaderValue,
    settings: Arc<HttpSettings>,
    mapper: Box<dyn SinkMapper>,
    stopping: Arc<AtomicBool>,
    scratch: Vec<u8>,
}

/// One request: its URL, body and the batch indices of its events.
struct Request {
    url: String,
    body: Vec<u8>,
    events: Vec<usize>,
}

impl HttpSink {
    /// Groups the batch into requests: up to batch.size consecutive events with the same URL.
    fn requests(&mut self, events: &[Event], rejects: &mut Rejects) -> Vec<Request> {
        let s = self.settings.clone();
        let mut requests: Vec<Request> = Vec::new();
        for (i, event) in events.iter().enumerate() {
            self.scratch.clear();
            if let Err(msg) = self.mapper.encode(event, &mut self.scratch) {
                rejects.reject(i, ConnectorError::permanent(msg));
                continue;
            }
            let url = if s.url.is_fixed() {
                None
            } else {
                Some(s.url.render(event))
            };
            let joins = requests.last().is_some_and(|r| {
                r.events.len() < s.batch_size && url.as_ref().is_none_or(|u| *u == r.url)
            });
            if !joins {
                let url = url.unwrap_or_else(|| s.url.render(event));
                let mut body = Vec::with_capacity(self.scratch.len() + 2);
                if s.batch_size > 1 && s.batch_format == BatchFormat::JsonArray {
                    body.push(b'[');
                }
                requests.push(Request {
                    url,
                    body,
                    events: Vec::new(),
                });
            }
            let r = requests.last_mut().expect("pushed above");
            if !r.events.is_empty() && s.batch_format == BatchFormat::JsonArray {
                r.body.push(b',');
            }
            r.body.extend_from_slice(&self.scratch);
            if s.batch_size > 1 && s.batch_format == BatchFormat::Lines {
                r.body.push(b'\n');
            }
            r.events.push(i);
        }
        if s.batch_size > 1 && s.batch_format == BatchFormat::JsonArray {
            for r in &mut requests {
                r.body.push(b']');
            }
        }
        requests
    }
}

impl Sink for HttpSink {
    fn set_stopping(&mut self, stopping: Arc<AtomicBool>) {
        self.stopping = stopping;
    }

    fn max_batch(&self) -> Option<usize> {
        Some(self.settings.batch_size * self.settings.max_in_flight)
    }

    fn linger(&self) -> Duration {
        if self.settings.batch_size > 1 {
            self.settings.batch_timeout
        } else {
            Duration::ZERO
        }
    }

    fn publish(&mut self, events: &[Event], rejects: &mut Rejects) -> Result<(), ConnectorError> {
        let requests = self.requests(events, rejects);
        let (client, settings, stopping) = (&self.client, &self.settings, &self.stopping);
        let content_type = &self.content_type;
        let failures: Vec<(Vec<usize>, ConnectorError)> = runtime().block_on(async {
            futures_util::stream::iter(requests)
                .map(|r| async move {
                    let result = send(client, settings, content_type, stopping, &r).await;
                    (r.events, result)
                })
                .buffer_unordered(settings.max_in_flight)
                .filter_map(|(events, result)| async move { result.err().map(|e| (events, e)) })
                .collect()
                .await
        });
        for (indices, error) in failures {
            for i in indices {
                rejects.reject(i, error.clone());
            }
        }
        Ok(())
    }
}

/// Sends one request, retrying what may pass with time.
async fn send(
    client: &reqwest::Client,
    settings: &HttpSettings,
    content_type: &HeaderValue,
    stopping: &AtomicBool,
    request: &Request,
) -> Result<(), ConnectorError> {
    let mut attempt = 1u32;
    loop {
        let outcome = client
            .request(settings.method.clone(), &request.url)
            .header(header::CONTENT_TYPE, content_type.clone())
            .body(request.body.clone())
            .send()
            .await;
        let (error, wait) = match outcome {
            Ok(response) if response.status().is_success() => return Ok(()),
            Ok(response) => {
                let status = response.status();
                let retry_after = retry_after(response.headers());
                let text = response.text().await.unwrap_or_default();
                let excerpt: String = text.chars().take(200).collect();
                let message = format!(
                    "{} {} answered HTTP {status}: {}",
                    settings.method,
                    request.url,
                    excerpt.trim()
                );
                if !retryable(status) {
                    return Err(ConnectorError::permanent(format!(
                        "{message} (not retried)"
                    )));
                }
                let wait = match (status, retry_after) {
                    (StatusCode::TOO_MANY_REQUESTS, Some(after)) => {
                        Some(after.min(MAX_RETRY_AFTER))
                    }
                    _ => None,
                };
                (ConnectorError::transient(message), wait)
            }
            Err(e) => {
                let what = if e.is_timeout() {
                    format!("timed out after {:?} (timeout.ms)", settings.timeout)
                } else if e.is_connect() {
                    "cannot connect".to_string()
                } else {
                    "failed".to_string()
                };
                (
                    ConnectorError::transient(format!(
                        "{} {} {what}: {}",
                        settings.method,
                        request.url,
                        error_chain(&e)
                    )),
                    None,
                )
            }
        };
        // While the app stops, one attempt is all a request gets, so shutdown ends promptly.
        if !settings.retry.may_retry(attempt) || stopping.load(Ordering::Acquire) {
            let mut error = error;
            error.message = format!("{} (after {attempt} attempts)", error.message);
            return Err(error);
        }
        let wait = wait.unwrap_or_else(|| settings.retry.backoff(attempt));
        log::debug!("http sink: {error}; retry {attempt} in {wait:?}");
        tokio::time::sleep(wait).await;
        attempt += 1;
    }
}

fn retryable(status: StatusCode) -> bool {
    status.is_server_error()
        || status == StatusCode::REQUEST_TIMEOUT
        || status == StatusCode::TOO_MANY_REQUESTS
}

/// Retry-After in seconds (the HTTP-date form falls back to the backoff).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_transient_statuses_are_retried() {
        for s in [500, 502, 503, 408, 429] {
            assert!(retryable(StatusCode::from_u16(s).unwrap()), "{s}");
        }
        for s in [400, 401, 403, 404, 422] {
            assert!(!retryable(StatusCode::from_u16(s).unwrap()), "{s}");
        }
    }
}

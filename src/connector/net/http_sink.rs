//! `http` sink (alias `webhook`): sends events to an HTTP endpoint, one request per event or
//! per batch. Connect errors, timeouts, 408, 429 (after its Retry-After) and 5xx are retried
//! with capped exponential backoff and jitter; other 4xx are never retried. Events whose request
//! finally fails go to the error strategy (dlq, log, fail), one by one, with the reason.

use super::runtime::{runtime, tls_client_config_with};
use crate::connector::config::{ConfigError, ConnectorConfig, Params};
use crate::connector::error::{RetryPolicy, ERROR_PARAMS, SINK_BUFFER_PARAMS_WITHOUT_BATCH};
use crate::connector::param::specs;
use crate::connector::spec::{ConnectorSpec, ParamSpec};
use crate::connector::{ConnectorError, Rejects, Sink, SinkFactory, SinkMapper};
use crate::event::Event;
use crate::schema::Schema;
use crate::value::Value;
use futures_util::StreamExt;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The longest Retry-After the sink honours; longer answers are cut to this.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);

pub struct HttpSinkFactory;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BatchFormat {
    JsonArray,
    Lines,
}

struct HttpSettings {
    url: UrlTemplate,
    method: Method,
    headers: HeaderMap,
    timeout: Duration,
    retry: RetryPolicy,
    batch_size: usize,
    batch_format: BatchFormat,
    batch_timeout: Duration,
    max_in_flight: usize,
}

fn params() -> Vec<ParamSpec> {
    let mut params = vec![
        ParamSpec::required(
            "url",
            "Endpoint, http:// or https://. {{attr}} placeholders are filled from each event \
             (URL-encoded); events with different URLs never share a request.",
            "https://hooks.example.com/alerts/{{symbol}}",
        ),
        ParamSpec::optional("method", Some("POST"), "HTTP method: POST, PUT or PATCH.", "PUT"),
        ParamSpec::optional(
            "headers.<Name>",
            None,
            "A header sent with every request, e.g. headers.Authorization.",
            "Bearer ${WEBHOOK_TOKEN}",
        ),
        ParamSpec::optional(
            "content.type",
            None,
            "Content-Type of the body. Default: application/json for json (application/x-ndjson \
             for batch.format='lines'), text/plain for text, text/csv for csv, \
             application/octet-stream for bytes.",
            "application/vnd.alert+json",
        ),
        ParamSpec::optional(
            "timeout.ms",
            Some("10000"),
            "Limit on one request, connect to last byte; a timeout is retried.",
            "2000",
        ),
        ParamSpec::optional(
            "tls.ca.file",
            None,
            "https://: a PEM file of certificates to trust besides the built-in webpki roots.",
            "certs/internal-ca.pem",
        ),
        ParamSpec::optional(
            "retry.max.attempts",
            Some("3"),
            "Attempts per request in all, the first included.",
            "5",
        ),
        ParamSpec::optional(
            "retry.delay.ms",
            Some("1000"),
            "Wait before the first retry; doubles on each retry, with up to 20% jitter. A 429 \
             answer's Retry-After (seconds) replaces it.",
            "200",
        ),
        ParamSpec::optional(
            "retry.max.delay.ms",
            Some("30000"),
            "Cap on the wait between retries.",
            "5000",
        ),
        ParamSpec::optional(
            "batch.size",
            Some("1"),
            "Events per request: 1 sends each event as its own body; more sends them together \
             as batch.format says.",
            "100",
        ),
        ParamSpec::optional(
            "batch.format",
            Some("json_array"),
            "Body of a request with several events: json_array ([e1,e2,...], json format only) \
             or lines (one encoded event per line).",
            "lines",
        ),
        ParamSpec::optional(
            "batch.timeout.ms",
            Some("1000"),
            "With batch.size > 1: how long to wait for a batch to fill before sending it part full.",
            "200",
        ),
        ParamSpec::optional(
            "max.in.flight",
            Some("1"),
            "Requests sent at once. With 1 (the default) requests, and so events, arrive in order; \
             more raises throughput to slow endpoints but requests may complete out of order.",
            "8",
        ),
    ];
    params.extend(specs(&[SINK_BUFFER_PARAMS_WITHOUT_BATCH]));
    params.extend(specs(&[ERROR_PARAMS]));
    params
}

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
        let content_type = match config.get("content.type") {
            Some(c) => c.to_string(),
            None => default_content_type(format, settings.batch_size, settings.batch_format).into(),
        };
        let mapper = mapper.ok_or_else(|| {
            ConnectorError::permanent("http sink needs a format (@map(type='json'), ...)")
        })?;
        let tls = tls_client_config_with(config.get("tls.ca.file").map(std::path::Path::new))
            .map_err(|e| ConnectorError::permanent(format!("parameter 'tls.ca.file': {e}")))?;
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

fn default_content_type(format: &str, batch_size: usize, batch: BatchFormat) -> &'static str {
    match format {
        "json" if batch_size > 1 && batch == BatchFormat::Lines => "application/x-ndjson",
        "json" => "application/json",
        "csv" => "text/csv",
        "bytes" => "application/octet-stream",
        _ => "text/plain; charset=utf-8",
    }
}

fn settings(config: &ConnectorConfig, schema: &Schema) -> Result<HttpSettings, ConfigError> {
    let url = config.require("url")?;
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(ConfigError(format!(
            "parameter 'url' has value '{url}': it must start with http:// or https://"
        )));
    }
    let method = match config
        .get("method")
        .unwrap_or("POST")
        .to_ascii_uppercase()
        .as_str()
    {
        "POST" => Method::POST,
        "PUT" => Method::PUT,
        "PATCH" => Method::PATCH,
        other => {
            return Err(ConfigError(format!(
                "parameter 'method' has value '{other}': expected POST, PUT or PATCH"
            )))
        }
    };
    let mut headers = HeaderMap::new();
    for (name, value) in config.with_prefix("headers") {
        let n = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
            ConfigError(format!(
                "parameter 'headers.{name}': '{name}' is not a valid HTTP header name"
            ))
        })?;
        let v = HeaderValue::from_str(value).map_err(|_| {
            ConfigError(format!(
                "parameter 'headers.{name}' has a value that is not a valid HTTP header value"
            ))
        })?;
        headers.append(n, v);
    }
    let batch_format = match config.get("batch.format").unwrap_or("json_array") {
        "json_array" => BatchFormat::JsonArray,
        "lines" => BatchFormat::Lines,
        other => {
            return Err(ConfigError(format!(
                "parameter 'batch.format' has value '{other}': expected json_array or lines"
            )))
        }
    };
    tls_client_config_with(config.get("tls.ca.file").map(std::path::Path::new))
        .map_err(|e| ConfigError(format!("parameter 'tls.ca.file': {e}")))?;
    let attempts: i64 = config.parse_or("retry.max.attempts", 3i64)?;
    if attempts < 1 {
        return Err(ConfigError(format!(
            "parameter 'retry.max.attempts' has value '{attempts}': it counts the first attempt, so it must be at least 1"
        )));
    }
    Ok(HttpSettings {
        url: UrlTemplate::parse(url, schema)?,
        method,
        headers,
        timeout: Duration::from_millis(config.parse_or("timeout.ms", 10_000u64)?.max(1)),
        retry: RetryPolicy {
            max_attempts: attempts,
            delay_ms: config.parse_or("retry.delay.ms", 1000u64)?,
            max_delay_ms: config.parse_or("retry.max.delay.ms", 30_000u64)?,
        },
        batch_size: config.parse_or("batch.size", 1usize)?.max(1),
        batch_format,
        batch_timeout: Duration::from_millis(config.parse_or("batch.timeout.ms", 1000u64)?),
        max_in_flight: config.parse_or("max.in.flight", 1usize)?.max(1),
    })
}

/// A URL with `{{attr}}` placeholders.
#[derive(Debug)]
struct UrlTemplate {
    parts: Vec<UrlPart>,
}

#[derive(Debug)]
enum UrlPart {
    Text(String),
    Attr(usize),
}

impl UrlTemplate {
    fn parse(url: &str, schema: &Schema) -> Result<UrlTemplate, ConfigError> {
        let mut parts = Vec::new();
        let mut rest = url;
        while let Some(open) = rest.find("{{") {
            let close = rest[open..].find("}}").ok_or_else(|| {
                ConfigError(format!(
                    "parameter 'url': '{{{{' at {} is never closed with '}}}}'",
                    url.len() - rest.len() + open
                ))
            })? + open;
            parts.push(UrlPart::Text(rest[..open].to_string()));
            let name = rest[open + 2..close].trim();
            let index = schema.index_of(name).ok_or_else(|| {
                ConfigError(format!(
                    "parameter 'url': placeholder {{{{{name}}}}} names no attribute of the stream{}",
                    crate::suggest::did_you_mean(name, schema.names())
                ))
            })?;
            parts.push(UrlPart::Attr(index));
            rest = &rest[close + 2..];
        }
        parts.push(UrlPart::Text(rest.to_string()));
        Ok(UrlTemplate { parts })
    }

    fn is_fixed(&self) -> bool {
        self.parts.len() == 1
    }

    fn render(&self, event: &Event) -> String {
        let mut url = String::new();
        for part in &self.parts {
            match part {
                UrlPart::Text(t) => url.push_str(t),
                UrlPart::Attr(i) => match event.get(*i) {
                    Value::Null => {}
                    v => percent_encode(&v.to_string(), &mut url),
                },
            }
        }
        url
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn percent_encode(text: &str, out: &mut String) {
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
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
            .header(CONTENT_TYPE, content_type.clone())
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
    use crate::value::AttrType;

    fn schema() -> Schema {
        Schema::of(
            "S",
            &[("symbol", AttrType::String), ("price", AttrType::Double)],
        )
    }

    #[test]
    fn url_placeholders_are_filled_and_encoded() {
        let t = UrlTemplate::parse("http://h/a/{{symbol}}?p={{ price }}", &schema()).unwrap();
        let e = Event::new(0, vec![Value::from("A B/C"), Value::Double(1.5)]);
        assert_eq!(t.render(&e), "http://h/a/A%20B%2FC?p=1.5");
        let err = UrlTemplate::parse("http://h/{{symbl}}", &schema()).unwrap_err();
        assert!(err.0.contains("did you mean 'symbol'"), "{}", err.0);
        assert!(UrlTemplate::parse("http://h/{{symbol", &schema()).is_err());
    }

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

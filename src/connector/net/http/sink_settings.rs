//! The `http` sink's parameters and the settings read from them.

use super::url_template::UrlTemplate;
use crate::connector::config::{ConfigError, ConnectorConfig};
use crate::connector::error::{RetryPolicy, ERROR_PARAMS, SINK_BUFFER_PARAMS_WITHOUT_BATCH};
use crate::connector::net::runtime::tls_client_config_with;
use crate::connector::param::{specs, Choice, Describe, Param, Required};
use crate::connector::spec::ParamSpec;
use crate::schema::Schema;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::Method;
use std::time::Duration;

const URL: Param<Required<String>> = Param::required(
    "url",
    "Endpoint, http:// or https://. {{attr}} placeholders are filled from each event \
     (URL-encoded); events with different URLs never share a request.",
    "https://hooks.example.com/alerts/{{symbol}}",
);

const METHOD: Param<&'static str> =
    Param::optional("method", "POST", "HTTP method: POST, PUT or PATCH.", "PUT");

const HEADERS: Param<Option<String>> = Param::optional(
    "headers.<Name>",
    None,
    "A header sent with every request, e.g. headers.Authorization.",
    "Bearer ${WEBHOOK_TOKEN}",
);

pub(super) const CONTENT_TYPE: Param<Option<String>> = Param::optional(
    "content.type",
    None,
    "Content-Type of the body. Default: application/json for json (application/x-ndjson \
     for batch.format='lines'), text/plain for text, text/csv for csv, \
     application/octet-stream for bytes.",
    "application/vnd.alert+json",
);

const TIMEOUT: Param<Duration> = Param::optional(
    "timeout.ms",
    Duration::from_millis(10_000),
    "Limit on one request, connect to last byte; a timeout is retried.",
    "2000",
);

pub(super) const TLS_CA_FILE: Param<Option<String>> = Param::optional(
    "tls.ca.file",
    None,
    "https://: a PEM file of certificates to trust besides the built-in webpki roots.",
    "certs/internal-ca.pem",
);

const RETRY_MAX_ATTEMPTS: Param<i64> = Param::optional(
    "retry.max.attempts",
    3,
    "Attempts per request in all, the first included.",
    "5",
);

const RETRY_DELAY_MS: Param<u64> = Param::optional(
    "retry.delay.ms",
    1000,
    "Wait before the first retry; doubles on each retry, with up to 20% jitter. A 429 \
     answer's Retry-After (seconds) replaces it.",
    "200",
);

const RETRY_MAX_DELAY_MS: Param<u64> = Param::optional(
    "retry.max.delay.ms",
    30_000,
    "Cap on the wait between retries.",
    "5000",
);

const BATCH_SIZE: Param<usize> = Param::optional(
    "batch.size",
    1,
    "Events per request: 1 sends each event as its own body; more sends them together \
     as batch.format says.",
    "100",
);

pub(super) const BATCH_FORMAT: Param<Choice<BatchFormat>> = Param::choice(
    "batch.format",
    &[
        ("json_array", BatchFormat::JsonArray),
        ("lines", BatchFormat::Lines),
    ],
    BatchFormat::JsonArray,
    "Body of a request with several events: json_array ([e1,e2,...], json format only) \
     or lines (one encoded event per line).",
    "lines",
);

const BATCH_TIMEOUT: Param<Duration> = Param::optional(
    "batch.timeout.ms",
    Duration::from_millis(1000),
    "With batch.size > 1: how long to wait for a batch to fill before sending it part full.",
    "200",
);

const MAX_IN_FLIGHT: Param<usize> = Param::optional(
    "max.in.flight",
    1,
    "Requests sent at once. With 1 (the default) requests, and so events, arrive in order; \
     more raises throughput to slow endpoints but requests may complete out of order.",
    "8",
);

const PARAMS: &[&dyn Describe] = &[
    &URL,
    &METHOD,
    &HEADERS,
    &CONTENT_TYPE,
    &TIMEOUT,
    &TLS_CA_FILE,
    &RETRY_MAX_ATTEMPTS,
    &RETRY_DELAY_MS,
    &RETRY_MAX_DELAY_MS,
    &BATCH_SIZE,
    &BATCH_FORMAT,
    &BATCH_TIMEOUT,
    &MAX_IN_FLIGHT,
];

pub(super) fn params() -> Vec<ParamSpec> {
    specs(&[PARAMS, SINK_BUFFER_PARAMS_WITHOUT_BATCH, ERROR_PARAMS])
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BatchFormat {
    JsonArray,
    Lines,
}

pub(super) struct HttpSettings {
    pub url: UrlTemplate,
    pub method: Method,
    pub headers: HeaderMap,
    pub timeout: Duration,
    pub retry: RetryPolicy,
    pub batch_size: usize,
    pub batch_format: BatchFormat,
    pub batch_timeout: Duration,
    pub max_in_flight: usize,
}

pub(super) fn settings(
    config: &ConnectorConfig,
    schema: &Schema,
) -> Result<HttpSettings, ConfigError> {
    let url = URL.read(config)?;
    let url = url.as_str();
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(ConfigError(format!(
            "parameter 'url' has value '{url}': it must start with http:// or https://"
        )));
    }
    let method = match METHOD.get(config).to_ascii_uppercase().as_str() {
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
    for (name, value) in HEADERS.entries(config) {
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
    let batch_format = BATCH_FORMAT.read(config)?;
    tls_client_config_with(TLS_CA_FILE.get(config).map(std::path::Path::new))
        .map_err(|e| ConfigError(format!("parameter '{}': {e}", TLS_CA_FILE.name())))?;
    let attempts = RETRY_MAX_ATTEMPTS.read(config)?;
    if attempts < 1 {
        return Err(ConfigError(format!(
            "parameter 'retry.max.attempts' has value '{attempts}': it counts the first attempt, so it must be at least 1"
        )));
    }
    Ok(HttpSettings {
        url: UrlTemplate::parse(url, schema)?,
        method,
        headers,
        timeout: TIMEOUT.read(config)?.max(Duration::from_millis(1)),
        retry: RetryPolicy {
            max_attempts: attempts,
            delay_ms: RETRY_DELAY_MS.read(config)?,
            max_delay_ms: RETRY_MAX_DELAY_MS.read(config)?,
        },
        batch_size: BATCH_SIZE.read(config)?.max(1),
        batch_format,
        batch_timeout: BATCH_TIMEOUT.read(config)?,
        max_in_flight: MAX_IN_FLIGHT.read(config)?.max(1),
    })
}

pub(super) fn default_content_type(
    format: &str,
    batch_size: usize,
    batch: BatchFormat,
) -> &'static str {
    match format {
        "json" if batch_size > 1 && batch == BatchFormat::Lines => "application/x-ndjson",
        "json" => "application/json",
        "csv" => "text/csv",
        "bytes" => "application/octet-stream",
        _ => "text/plain; charset=utf-8",
    }
}

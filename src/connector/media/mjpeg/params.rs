//! The parameters of the `mjpeg` source and sink, each declared once: docs, validation and
//! reading all come from these constants.

use crate::connector::config::{ConfigError, ConnectorConfig};
use crate::connector::param::{Param, Required};
use std::time::Duration;

pub(super) const URL: Param<Required<String>> = Param::required(
    "url",
    "The MJPEG stream (http:// or https://): a camera's or ffmpeg's multipart/x-mixed-replace URL.",
    "http://192.168.1.20/video.mjpg",
);

pub(super) const PROCESSING_FACTOR: Param<u64> = Param::optional(
    "processing.factor",
    1,
    "1 turns every frame into an event; N every Nth (frames 1, N+1, 2N+1, ...). Skipped frames \
     are still counted by frame_number.",
    "5",
);

pub(super) const MAX_FRAME_BYTES: Param<usize> = Param::optional(
    "max.frame.bytes",
    8 << 20,
    "Largest frame accepted, in bytes; a bigger part is counted, logged and skipped.",
    "2097152",
);

pub(super) const TIMEOUT_MS: Param<Duration> = Param::optional(
    "timeout.ms",
    Duration::from_secs(10),
    "Longest wait to connect, for the answer, and between two pieces of the stream; a stream \
     silent for longer is reconnected.",
    "5000",
);

pub(super) const HEADERS: Param<Option<String>> = Param::optional(
    "headers.<Name>",
    None,
    "A header sent with the request, e.g. headers.Authorization (write ${VAR} for secrets).",
    "Basic ${CAM_AUTH}",
);

pub(super) const RECONNECT_DELAY_MS: Param<u64> = Param::optional(
    "reconnect.delay.ms",
    1000,
    "Wait before the first reconnect; doubles on each failed attempt, with jitter.",
    "500",
);

pub(super) const RECONNECT_MAX_DELAY_MS: Param<u64> = Param::optional(
    "reconnect.max.delay.ms",
    30_000,
    "Cap on the wait between reconnects.",
    "10000",
);

pub(super) const RECONNECT_MAX_ATTEMPTS: Param<i64> = Param::optional(
    "reconnect.max.attempts",
    -1,
    "Failed connection attempts in a row before the source gives up (-1: never). A \
     connection that delivered a frame resets the count.",
    "20",
);

/// The source's settings, read once.
#[derive(Debug, Clone)]
pub(super) struct SourceConfig {
    pub url: String,
    pub processing_factor: u64,
    pub max_frame_bytes: usize,
    pub timeout: Duration,
    pub headers: Vec<(String, String)>,
    pub reconnect_delay_ms: u64,
    pub reconnect_max_delay_ms: u64,
    pub reconnect_max_attempts: i64,
}

impl SourceConfig {
    pub(super) fn from_config(config: &ConnectorConfig) -> Result<SourceConfig, ConfigError> {
        let url = URL.read(config)?;
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(ConfigError(format!(
                "parameter 'url': '{}' is not an http:// or https:// URL",
                super::super::fields::redact_url(&url)
            )));
        }
        let processing_factor = PROCESSING_FACTOR.read(config)?;
        if processing_factor == 0 {
            return Err(ConfigError(
                "parameter 'processing.factor' must be 1 or more (1 = every frame)".into(),
            ));
        }
        let mut headers = Vec::new();
        for (name, value) in HEADERS.entries(config) {
            if reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_err() {
                return Err(ConfigError(format!(
                    "parameter 'headers.{name}': '{name}' is not a valid HTTP header name"
                )));
            }
            if reqwest::header::HeaderValue::from_str(value).is_err() {
                return Err(ConfigError(format!(
                    "parameter 'headers.{name}' has a value that is not a valid HTTP header value"
                )));
            }
            headers.push((name.to_string(), value.to_string()));
        }
        Ok(SourceConfig {
            url,
            processing_factor,
            max_frame_bytes: MAX_FRAME_BYTES.read(config)?,
            timeout: TIMEOUT_MS.read(config)?.max(Duration::from_millis(1)),
            headers,
            reconnect_delay_ms: RECONNECT_DELAY_MS.read(config)?,
            reconnect_max_delay_ms: RECONNECT_MAX_DELAY_MS.read(config)?,
            reconnect_max_attempts: RECONNECT_MAX_ATTEMPTS.read(config)?,
        })
    }
}

pub(super) const HOST: Param<&'static str> =
    Param::optional("host", "0.0.0.0", "Address to listen on.", "127.0.0.1");

pub(super) const PORT: Param<Required<u16>> =
    Param::required("port", "TCP port to serve on.", "8081");

pub(super) const PATH: Param<&'static str> = Param::optional(
    "path",
    "/stream",
    "Path of the stream; path/snapshot.jpg serves the latest frame and path/view a page that \
     shows the stream in a browser.",
    "/camera1",
);

pub(super) const BOUNDARY: Param<&'static str> = Param::optional(
    "boundary",
    "frame",
    "The multipart boundary (letters, digits, '-', '_', '.').",
    "jpegframe",
);

pub(super) const FRAME_ATTRIBUTE: Param<Option<String>> = Param::optional(
    "frame.attribute",
    None,
    "The BYTES attribute holding the JPEG; needed only when the stream has several BYTES \
     attributes.",
    "thumbnail",
);

pub(super) const MAX_VIEWERS: Param<usize> = Param::optional(
    "max.viewers",
    100,
    "Viewers served at once; further requests get 503.",
    "10",
);

pub(super) const VIEWER_QUEUE_FRAMES: Param<usize> = Param::optional(
    "viewer.queue.frames",
    2,
    "Frames a viewer may fall behind; a slower viewer skips frames (counted per viewer) and \
     never slows the app or other viewers.",
    "8",
);

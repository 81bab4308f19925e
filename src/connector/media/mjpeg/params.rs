//! The parameters of the `mjpeg` source and sink, each declared once: docs, validation and
//! reading all come from these constants.

use crate::connector::config::{ConfigError, ConnectorConfig};
use crate::connector::media::reconnect::Reconnect;
use crate::connector::param::{Param, Required};

pub(super) const URL: Param<Required<String>> = Param::required(
    "url",
    "The MJPEG stream (http:// or https://): a camera's or ffmpeg's multipart/x-mixed-replace URL.",
    "http://192.168.1.20/video.mjpg",
);

pub(super) const MAX_FRAME_BYTES: Param<usize> = Param::optional(
    "max.frame.bytes",
    8 << 20,
    "Largest frame accepted, in bytes; a bigger part is counted, logged and skipped.",
    "2097152",
);

pub(super) const HEADERS: Param<Option<String>> = Param::optional(
    "headers.<Name>",
    None,
    "A header sent with the request, e.g. headers.Authorization (write ${VAR} for secrets).",
    "Basic ${CAM_AUTH}",
);

/// The source's settings, read once.
#[derive(Debug, Clone)]
pub(super) struct SourceConfig {
    pub url: String,
    pub max_frame_bytes: usize,
    pub headers: Vec<(String, String)>,
    pub reconnect: Reconnect,
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
            max_frame_bytes: MAX_FRAME_BYTES.read(config)?,
            headers,
            reconnect: Reconnect::from_config(config)?,
        })
    }
}

pub(super) const HOST: Param<&'static str> = crate::connector::param::LISTEN_HOST;

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

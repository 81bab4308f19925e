//! `mjpeg` source: pulls `multipart/x-mixed-replace` JPEG streams over HTTP (IP cameras,
//! `ffmpeg -f mpjpeg`), one event per frame. The multipart and JPEG parsing is sans-IO in
//! `media`; this file drives it from a reqwest body and reconnects with backoff.

use super::params::{SourceConfig, HEADERS, MAX_FRAME_BYTES, URL};
use crate::connector::config::{ConfigError, ConnectorConfig};
use crate::connector::error::ERROR_PARAMS;
use crate::connector::ingest::{self, IngestHandle, VideoInfo};
use crate::connector::media::fields::{self, Offered};
use crate::connector::media::reconnect::{
    PROCESSING_FACTOR, RECONNECT_DELAY_MS, RECONNECT_MAX_ATTEMPTS, RECONNECT_MAX_DELAY_MS,
    TIMEOUT_MS,
};
use crate::connector::net::{runtime, tls_client_config, Backoff};
use crate::connector::param::{specs, Describe};
use crate::connector::spec::ConnectorSpec;
use crate::connector::{ConnectorError, Source, SourceContext, SourceFactory};
use crate::media::jpeg;
use crate::media::multipart::{
    boundary_from_content_type, MultipartConfig, MultipartItem, MultipartParser, Part,
};
use crate::schema::Schema;
use crate::value::{AttrType, Value};

use std::sync::Arc;

/// The attributes an `mjpeg` stream may declare.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Field {
    Frame,
    FrameNumber,
    Timestamp,
    Url,
    Width,
    Height,
    ContentType,
}

const OFFERED: &[Offered<Field>] = &[
    Offered {
        field: Field::Frame,
        name: "frame",
        ty: AttrType::Bytes,
        doc: "the JPEG, shared, never copied",
    },
    Offered {
        field: Field::FrameNumber,
        name: "frame_number",
        ty: AttrType::Long,
        doc: "counts every frame received since the app started, skipped ones too",
    },
    Offered {
        field: Field::Timestamp,
        name: "timestamp",
        ty: AttrType::Long,
        doc: "receive time, epoch ms",
    },
    Offered {
        field: Field::Url,
        name: "url",
        ty: AttrType::String,
        doc: "the stream's URL, credentials hidden",
    },
    Offered {
        field: Field::Width,
        name: "width",
        ty: AttrType::Int,
        doc: "from the JPEG's SOF header, no decode",
    },
    Offered {
        field: Field::Height,
        name: "height",
        ty: AttrType::Int,
        doc: "likewise",
    },
    Offered {
        field: Field::ContentType,
        name: "content_type",
        ty: AttrType::String,
        doc: "the part's Content-Type, image/jpeg when it has none",
    },
];

pub struct MjpegSourceFactory;

/// The description lists the offered attributes, so it is made once.
static DESCRIPTION: std::sync::OnceLock<String> = std::sync::OnceLock::new();

const PARAMS: &[&dyn Describe] = &[
    &URL,
    &PROCESSING_FACTOR,
    &MAX_FRAME_BYTES,
    &TIMEOUT_MS,
    &HEADERS,
    &RECONNECT_DELAY_MS,
    &RECONNECT_MAX_DELAY_MS,
    &RECONNECT_MAX_ATTEMPTS,
];

impl SourceFactory for MjpegSourceFactory {
    fn spec(&self) -> ConnectorSpec {
        ConnectorSpec {
            name: "mjpeg",
            aliases: &[],
            description: DESCRIPTION
                .get_or_init(|| {
                    format!(
                    "Pulls an MJPEG stream (multipart/x-mixed-replace over HTTP, as IP cameras \
                     and ffmpeg -f mpjpeg serve it): one event per JPEG frame. The boundary \
                     comes from the Content-Type; parts with no or a wrong Content-Length and \
                     junk between parts are tolerated; a part that is not a whole JPEG \
                     (SOI ... EOI, readable SOF header) is counted and skipped without losing \
                     the stream. A dropped or silent connection (timeout.ms) is reconnected \
                     with capped exponential backoff and jitter. The stream declares the \
                     attributes it wants, by name, from: {}.",
                    fields::describe(OFFERED)
                )
                })
                .as_str(),
            params: specs(&[PARAMS, ERROR_PARAMS]),
            formats: &[],
            default_format: None,
            example: "@source(type='mjpeg', url='http://camera.local/stream.mjpg', \
                processing.factor='5', timeout.ms='5000')",
        }
    }

    fn validate(&self, config: &ConnectorConfig, schema: &Schema) -> Result<(), ConfigError> {
        fields::select("mjpeg", schema, OFFERED)?;
        SourceConfig::from_config(config).map(|_| ())
    }

    fn create(
        &self,
        config: &ConnectorConfig,
        schema: &Schema,
    ) -> Result<Box<dyn Source>, ConnectorError> {
        let fields = fields::select("mjpeg", schema, OFFERED)?;
        let config_ref = config;
        let config = SourceConfig::from_config(config)?;
        Ok(Box::new(MjpegSource {
            url_value: Value::String(Arc::from(fields::redact_url(&config.url))),
            stream: config_ref.stream.clone(),
            config,
            fields,
            frame_number: 0,
            broken: 0,
            oversized: 0,
        }))
    }
}

struct MjpegSource {
    config: SourceConfig,
    /// The EventFlux stream fed, as the ingest registry shows it.
    stream: String,
    fields: Vec<Field>,
    url_value: Value,
    frame_number: i64,
    broken: u64,
    oversized: u64,
}

/// Why a connection ended.
enum Ended {
    Stopping,
    Dropped(String),
}

impl Source for MjpegSource {
    fn run(&mut self, ctx: &mut SourceContext) -> Result<(), ConnectorError> {
        let result = runtime().block_on(self.run_client(ctx));
        if self.broken + self.oversized > 0 {
            log::warn!(
                "mjpeg source {}: skipped {} broken and {} oversized frames in all",
                self.url_value_text(),
                self.broken,
                self.oversized
            );
        }
        result
    }
}

impl MjpegSource {
    fn url_value_text(&self) -> &str {
        match &self.url_value {
            Value::String(s) => s,
            _ => "",
        }
    }

    async fn run_client(&mut self, ctx: &mut SourceContext) -> Result<(), ConnectorError> {
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured((*tls_client_config()).clone())
            .connect_timeout(self.config.reconnect.timeout)
            .build()
            .map_err(|e| ConnectorError::permanent(format!("mjpeg source: HTTP client: {e}")))?;
        let mut backoff = self.config.reconnect.backoff();
        let url = self.url_value_text().to_string();
        while ctx.is_running() {
            match self.pull(&client, ctx, &mut backoff).await {
                Ended::Stopping => return Ok(()),
                Ended::Dropped(why) => {
                    log::warn!("mjpeg source {url}: {why}");
                    ctx.status().reconnecting(&format!("{url}: {why}"));
                    ctx.report_error(&ConnectorError::transient(format!("{url}: {why}")), None);
                }
            }
            let Some(wait) = backoff.failed() else {
                return Err(ConnectorError::transient(format!(
                    "mjpeg source {url}: gave up after {} failed connection attempts in a row (reconnect.max.attempts)",
                    backoff.failures()
                )));
            };
            log::info!(
                "mjpeg source: reconnecting to {url} in {wait:?} (attempt {})",
                backoff.failures()
            );
            self.config.reconnect.sleep_while_running(wait, ctx).await;
        }
        Ok(())
    }

    /// One connection: request, then parts until the body ends, fails or goes silent.
    async fn pull(
        &mut self,
        client: &reqwest::Client,
        ctx: &mut SourceContext,
        backoff: &mut Backoff,
    ) -> Ended {
        let mut request = client.get(&self.config.url);
        for (name, value) in &self.config.headers {
            request = request.header(name.as_str(), value.as_str());
        }
        let response = tokio::select! {
            r = tokio::time::timeout(self.config.reconnect.timeout, request.send()) => r,
            _ = self.config.reconnect.stopped(ctx) => return Ended::Stopping,
        };
        let mut response = match response {
            Err(_) => {
                return Ended::Dropped(format!(
                    "no answer within {:?} (timeout.ms)",
                    self.config.reconnect.timeout
                ))
            }
            Ok(Err(e)) => return Ended::Dropped(format!("request failed: {e}")),
            Ok(Ok(r)) => r,
        };
        if !response.status().is_success() {
            return Ended::Dropped(format!("the server answered {}", response.status()));
        }
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        // Servers that send no boundary in the Content-Type (ffmpeg without -content_type
        // says application/octet-stream) still start the body with the delimiter line.
        let mut first = bytes::BytesMut::new();
        let boundary = match boundary_from_content_type(&content_type) {
            Ok(b) => b,
            Err(e) => loop {
                if let Some(b) = sniff_boundary(&first) {
                    log::info!(
                        "mjpeg source {}: Content-Type '{content_type}' names no boundary; using '{b}' from the body",
                        self.url_value_text()
                    );
                    break b;
                }
                if first.len() > SNIFF_LIMIT {
                    return Ended::Dropped(format!(
                        "not an MJPEG stream: {e}, and the body does not start with a --boundary line (expected multipart/x-mixed-replace;boundary=...)"
                    ));
                }
                let chunk = tokio::select! {
                    c = tokio::time::timeout(self.config.reconnect.timeout, response.chunk()) => c,
                    _ = self.config.reconnect.stopped(ctx) => return Ended::Stopping,
                };
                match chunk {
                    Ok(Ok(Some(bytes))) => first.extend_from_slice(&bytes),
                    _ => return Ended::Dropped(format!("not an MJPEG stream: {e}")),
                }
            },
        };
        log::info!("mjpeg source: connected to {}", self.url_value_text());
        ctx.status().connected();
        let ingest = ingest::registry().open("mjpeg", &self.config.url, &self.stream);
        ingest.received(first.len() as u64, u64::from(!first.is_empty()));
        let mut parser = MultipartParser::new(
            &boundary,
            MultipartConfig {
                max_part_bytes: self.config.max_frame_bytes,
                ..MultipartConfig::default()
            },
        );
        parser.push(&first);
        let mut rows = Vec::new();
        loop {
            let chunk = tokio::select! {
                c = tokio::time::timeout(self.config.reconnect.timeout, response.chunk()) => c,
                _ = self.config.reconnect.stopped(ctx) => return Ended::Stopping,
            };
            match chunk {
                Err(_) => {
                    return Ended::Dropped(format!(
                        "no data for {:?} (timeout.ms); treating the connection as dead",
                        self.config.reconnect.timeout
                    ))
                }
                Ok(Err(e)) => return Ended::Dropped(format!("reading the stream failed: {e}")),
                Ok(Ok(None)) => return Ended::Dropped("the server ended the stream".into()),
                Ok(Ok(Some(bytes))) => {
                    ingest.received(bytes.len() as u64, 1);
                    ctx.status().add_bytes(bytes.len() as u64);
                    parser.push(&bytes)
                }
            }
            if ingest.should_disconnect() {
                return Ended::Dropped("disconnected through the control plane".into());
            }
            while let Some(item) = parser.next_item() {
                match item {
                    MultipartItem::Part(part) => {
                        backoff.reset();
                        if let Some(row) = self.frame(part, ctx, &ingest) {
                            rows.push(row);
                        }
                    }
                    MultipartItem::Oversized { .. } => {
                        self.frame_number += 1;
                        self.oversized += 1;
                        ctx.report_error(
                            &ConnectorError::permanent(format!(
                                "mjpeg source {}: frame {} is larger than max.frame.bytes ({}); skipped",
                                self.url_value_text(),
                                self.frame_number,
                                self.config.max_frame_bytes
                            )),
                            None,
                        );
                    }
                }
            }
            if !rows.is_empty() {
                ctx.emit_rows(std::mem::take(&mut rows));
            }
        }
    }

    /// The event for one part, or `None` when it is skipped (by the factor, or broken).
    fn frame(
        &mut self,
        part: Part,
        ctx: &mut SourceContext,
        ingest: &IngestHandle,
    ) -> Option<Arc<[Value]>> {
        self.frame_number += 1;
        let info = match jpeg::parse(&part.body) {
            Ok(info) if jpeg::is_complete_jpeg(&part.body) => info,
            Ok(_) => return self.broken(ctx, &part, "it does not end with EOI (cut short?)"),
            Err(e) => return self.broken(ctx, &part, &e.to_string()),
        };
        ingest.set_video(VideoInfo {
            codec: Some("jpeg".into()),
            width: Some(u32::from(info.width)),
            height: Some(u32::from(info.height)),
        });
        // Every JPEG is a keyframe; a paused stream counts it and emits nothing.
        if !ingest.frame(true) {
            return None;
        }
        if (self.frame_number - 1) % self.config.reconnect.processing_factor as i64 != 0 {
            return None;
        }
        let now = chrono::Utc::now().timestamp_millis();
        let row: Vec<Value> = self
            .fields
            .iter()
            .map(|f| match f {
                Field::Frame => Value::Bytes(part.body.clone()),
                Field::FrameNumber => Value::Long(self.frame_number),
                Field::Timestamp => Value::Long(now),
                Field::Url => self.url_value.clone(),
                Field::Width => Value::Int(i32::from(info.width)),
                Field::Height => Value::Int(i32::from(info.height)),
                Field::ContentType => {
                    Value::String(Arc::from(part.content_type().unwrap_or("image/jpeg")))
                }
            })
            .collect();
        Some(row.into())
    }

    fn broken(&mut self, ctx: &mut SourceContext, part: &Part, why: &str) -> Option<Arc<[Value]>> {
        self.broken += 1;
        ctx.report_error(
            &ConnectorError::permanent(format!(
                "mjpeg source {}: frame {} ({} bytes) is not a whole JPEG: {why}; skipped",
                self.url_value_text(),
                self.frame_number,
                part.body.len()
            )),
            Some(&part.body),
        );
        None
    }
}

/// How much of the body is read looking for a boundary the Content-Type did not name.
const SNIFF_LIMIT: usize = 4096;

/// The boundary of the first `--boundary` line of a body, once that line is complete.
fn sniff_boundary(body: &[u8]) -> Option<String> {
    let text = &body[..body.len().min(SNIFF_LIMIT)];
    let mut start = 0;
    while let Some(nl) = memchr::memchr(b'\n', &text[start..]) {
        let line = &text[start..start + nl];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        start += nl + 1;
        if line.is_empty() {
            continue;
        }
        let name = std::str::from_utf8(line.strip_prefix(b"--")?).ok()?.trim();
        return (!name.is_empty() && name.len() <= 70).then(|| name.to_string());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::sniff_boundary;

    #[test]
    fn a_boundary_is_sniffed_from_the_first_line() {
        assert_eq!(
            sniff_boundary(b"--ffmpeg\r\nContent-Type: image/jpeg\r\n").as_deref(),
            Some("ffmpeg")
        );
        assert_eq!(sniff_boundary(b"\r\n--cam\n"), Some("cam".to_string()));
        assert_eq!(sniff_boundary(b"--ffm"), None, "an incomplete line waits");
        assert_eq!(sniff_boundary(b"\xFF\xD8 binary\n"), None);
    }
}

//! `rtsp` source: pulls a camera's RTSP session with `retina` (H.264, H.265, JPEG, AAC, L16,
//! G.711), one event per frame. retina has no reconnect: this loop redials with backoff when
//! the session fails, the server tears it down, or no frame comes for `idle.timeout.ms`.

use super::params::{
    MediaChoice, TransportChoice, IDLE_TIMEOUT_MS, PASSWORD, PULL_MEDIA, TRANSPORT, URL, USER,
};
use crate::connector::config::{ConfigError, ConnectorConfig};
use crate::connector::error::ERROR_PARAMS;
use crate::connector::media::fields::{self, redact_url, Offered};
use crate::connector::media::reconnect::{
    Reconnect, PROCESSING_FACTOR, RECONNECT_DELAY_MS, RECONNECT_MAX_ATTEMPTS,
    RECONNECT_MAX_DELAY_MS, TIMEOUT_MS,
};
use crate::connector::net::runtime;
use crate::connector::param::{specs, Describe};
use crate::connector::spec::ConnectorSpec;
use crate::connector::{ConnectorError, Source, SourceContext, SourceFactory};
use crate::media::codec::Codec;
use crate::media::jpeg;
use crate::schema::Schema;
use crate::value::{AttrType, Value};
use bytes::Bytes;
use futures_util::StreamExt;
use retina::client::{
    Credentials, PlayOptions, Session, SessionOptions, SetupOptions, TcpTransportOptions,
    Transport, UdpTransportOptions,
};
use retina::codec::{CodecItem, ParametersRef};
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Field {
    Data,
    Codec,
    Pts,
    Keyframe,
    Width,
    Height,
    Media,
    StreamId,
    FrameNumber,
    Timestamp,
}

const OFFERED: &[Offered<Field>] = &[
    Offered {
        field: Field::Data,
        name: "data",
        ty: AttrType::Bytes,
        doc: "the access unit, JPEG or audio frame",
    },
    Offered {
        field: Field::Codec,
        name: "codec",
        ty: AttrType::String,
        doc: "h264, hevc, jpeg, aac, l16, pcmu or pcma",
    },
    Offered {
        field: Field::Pts,
        name: "pts",
        ty: AttrType::Long,
        doc: "presentation time in ms since the session started",
    },
    Offered {
        field: Field::Keyframe,
        name: "keyframe",
        ty: AttrType::Bool,
        doc: "a random access point (always true for JPEG and audio)",
    },
    Offered {
        field: Field::Width,
        name: "width",
        ty: AttrType::Int,
        doc: "from the SPS or the JPEG header; NULL for audio",
    },
    Offered {
        field: Field::Height,
        name: "height",
        ty: AttrType::Int,
        doc: "likewise",
    },
    Offered {
        field: Field::Media,
        name: "media",
        ty: AttrType::String,
        doc: "video or audio",
    },
    Offered {
        field: Field::StreamId,
        name: "stream_id",
        ty: AttrType::String,
        doc: "the track's SDP control, or its index",
    },
    Offered {
        field: Field::FrameNumber,
        name: "frame_number",
        ty: AttrType::Long,
        doc: "counts the track's frames since the app started, skipped ones too",
    },
    Offered {
        field: Field::Timestamp,
        name: "timestamp",
        ty: AttrType::Long,
        doc: "receive time, epoch ms",
    },
];

const PARAMS: &[&dyn Describe] = &[
    &URL,
    &TRANSPORT,
    &USER,
    &PASSWORD,
    &PULL_MEDIA,
    &PROCESSING_FACTOR,
    &TIMEOUT_MS,
    &IDLE_TIMEOUT_MS,
    &RECONNECT_DELAY_MS,
    &RECONNECT_MAX_DELAY_MS,
    &RECONNECT_MAX_ATTEMPTS,
];

static DESCRIPTION: std::sync::OnceLock<String> = std::sync::OnceLock::new();

pub struct RtspSourceFactory;

impl SourceFactory for RtspSourceFactory {
    fn spec(&self) -> ConnectorSpec {
        ConnectorSpec {
            name: "rtsp",
            aliases: &[],
            description: DESCRIPTION
                .get_or_init(|| {
                    format!(
                        "Pulls an RTSP stream (IP cameras, media servers) with the retina crate: \
                         H.264 and H.265 access units, JPEG frames (RFC 2435), AAC, L16 and \
                         G.711 audio, one event per frame. Credentials come from the URL or \
                         user/password and never reach the logs. A failed or torn-down session, \
                         or one that delivers no frame for idle.timeout.ms, is redialled with \
                         capped exponential backoff. Tracks of other codecs are skipped with a \
                         logged reason. The stream declares the attributes it wants, by name, \
                         from: {}.",
                        fields::describe(OFFERED)
                    )
                })
                .as_str(),
            params: specs(&[PARAMS, ERROR_PARAMS]),
            formats: &[],
            default_format: None,
            example: "@source(type='rtsp', url='rtsp://camera.local/stream1', media='video', \
                transport='tcp')",
        }
    }

    fn validate(&self, config: &ConnectorConfig, schema: &Schema) -> Result<(), ConfigError> {
        fields::select("rtsp", schema, OFFERED)?;
        Settings::from_config(config).map(|_| ())
    }

    fn create(
        &self,
        config: &ConnectorConfig,
        schema: &Schema,
    ) -> Result<Box<dyn Source>, ConnectorError> {
        Ok(Box::new(RtspSource {
            fields: fields::select("rtsp", schema, OFFERED)?,
            stream: config.stream.clone(),
            settings: Settings::from_config(config)?,
            frame_numbers: Vec::new(),
        }))
    }
}

struct Settings {
    /// The URL without credentials.
    url: url::Url,
    shown: String,
    creds: Option<Credentials>,
    transport: TransportChoice,
    media: MediaChoice,
    idle_timeout: Duration,
    reconnect: Reconnect,
}

impl Settings {
    fn from_config(config: &ConnectorConfig) -> Result<Settings, ConfigError> {
        let raw = URL.read(config)?;
        let shown = redact_url(&raw);
        let mut url = url::Url::parse(&raw)
            .map_err(|e| ConfigError(format!("parameter 'url': '{shown}' is not a URL: {e}")))?;
        if url.scheme() != "rtsp" {
            return Err(ConfigError(format!(
                "parameter 'url': '{shown}' is not an rtsp:// URL"
            )));
        }
        let from_url = (!url.username().is_empty()).then(|| Credentials {
            username: percent_decode(url.username()),
            password: percent_decode(url.password().unwrap_or("")),
        });
        let _ = url.set_username("");
        let _ = url.set_password(None);
        let creds = match (USER.get(config), PASSWORD.get(config)) {
            (Some(u), p) => Some(Credentials {
                username: u.to_string(),
                password: p.unwrap_or("").to_string(),
            }),
            (None, _) => from_url,
        };
        Ok(Settings {
            url,
            shown,
            creds,
            transport: TRANSPORT.read(config)?,
            media: PULL_MEDIA.read(config)?,
            idle_timeout: IDLE_TIMEOUT_MS
                .read(config)?
                .max(Duration::from_millis(100)),
            reconnect: Reconnect::from_config(config)?,
        })
    }
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

struct RtspSource {
    fields: Vec<Field>,
    /// The EventFlux stream fed, as the ingest registry shows it.
    stream: String,
    settings: Settings,
    /// Frames received per track, kept across reconnects.
    frame_numbers: Vec<i64>,
}

/// One track we set up.
struct Track {
    index: usize,
    codec: Codec,
    id: Value,
    media: Value,
}

impl Source for RtspSource {
    fn run(&mut self, ctx: &mut SourceContext) -> Result<(), ConnectorError> {
        runtime().block_on(self.run_client(ctx))
    }
}

impl RtspSource {
    async fn run_client(&mut self, ctx: &mut SourceContext) -> Result<(), ConnectorError> {
        let mut backoff = self.settings.reconnect.backoff();
        let shown = self.settings.shown.clone();
        while ctx.is_running() {
            let why = match self.session(ctx, &mut backoff).await {
                Ok(()) => return Ok(()),
                Err(why) => why,
            };
            log::warn!("rtsp source {shown}: {why}");
            ctx.status().reconnecting(&format!("{shown}: {why}"));
            ctx.report_error(&ConnectorError::transient(format!("{shown}: {why}")), None);
            let Some(wait) = backoff.failed() else {
                return Err(ConnectorError::transient(format!(
                    "rtsp source {shown}: gave up after {} failed attempts in a row (reconnect.max.attempts)",
                    backoff.failures()
                )));
            };
            log::info!("rtsp source: reconnecting to {shown} in {wait:?}");
            self.settings.reconnect.sleep_while_running(wait, ctx).await;
        }
        Ok(())
    }

    /// One session, from DESCRIBE until it fails (`Err`) or the app stops (`Ok`).
    async fn session(
        &mut self,
        ctx: &mut SourceContext,
        backoff: &mut crate::connector::net::Backoff,
    ) -> Result<(), String> {
        let s = &self.settings;
        let limit = s.reconnect.timeout;
        let options = SessionOptions::default()
            .creds(s.creds.clone())
            .user_agent("EventFlux".into());
        let mut session =
            timed(limit, "DESCRIBE", Session::describe(s.url.clone(), options)).await?;
        let mut tracks = Vec::new();
        for (index, stream) in session.streams().iter().enumerate() {
            let kind = stream.media();
            let wanted = match s.media {
                MediaChoice::All => kind == "video" || kind == "audio" || kind == "image",
                MediaChoice::Video => kind == "video" || kind == "image",
                MediaChoice::Audio => kind == "audio",
            };
            if !wanted {
                continue;
            }
            let Some(codec) = codec_of(stream.encoding_name()) else {
                log::warn!(
                    "rtsp source {}: track {index} is {}/{}, which this source does not read; skipped",
                    s.shown,
                    kind,
                    stream.encoding_name()
                );
                continue;
            };
            let id = stream
                .control()
                .and_then(|c| {
                    c.path_segments()
                        .and_then(|mut p| p.next_back().map(str::to_string))
                })
                .unwrap_or_else(|| index.to_string());
            tracks.push(Track {
                index,
                codec,
                id: Value::String(Arc::from(id.as_str())),
                media: Value::String(Arc::from(if kind == "audio" { "audio" } else { "video" })),
            });
        }
        if tracks.is_empty() {
            return Err(format!(
                "the session offers no {} track this source reads (h264, h265, jpeg, aac, l16, pcmu, pcma)",
                match s.media {
                    MediaChoice::All => "video or audio",
                    MediaChoice::Video => "video",
                    MediaChoice::Audio => "audio",
                }
            ));
        }
        for t in &tracks {
            let transport = match s.transport {
                TransportChoice::Tcp => Transport::Tcp(TcpTransportOptions::default()),
                TransportChoice::Udp => Transport::Udp(UdpTransportOptions::default()),
            };
            let setup = session.setup(t.index, SetupOptions::default().transport(transport));
            timed(limit, "SETUP", setup).await.map_err(|e| {
                let refused = e.contains("461") || e.contains("Unsupported Transport");
                if refused && s.transport == TransportChoice::Tcp {
                    format!("{e} (the server offers no TCP transport: set transport='udp')")
                } else {
                    e
                }
            })?;
        }
        let playing = timed(limit, "PLAY", session.play(PlayOptions::default())).await?;
        let mut demuxed = playing.demuxed().map_err(|e| e.to_string())?;
        log::info!(
            "rtsp source: playing {} ({} track(s))",
            s.shown,
            tracks.len()
        );
        ctx.status().connected();
        let ingest = crate::connector::ingest::registry().open("rtsp", &s.shown, &self.stream);
        if self.frame_numbers.len() < session_len(&tracks) {
            self.frame_numbers.resize(session_len(&tracks), 0);
        }
        let idle = s.idle_timeout;
        loop {
            let next = tokio::select! {
                n = tokio::time::timeout(idle, demuxed.next()) => n,
                _ = self.settings.reconnect.stopped(ctx) => return Ok(()),
            };
            let item = match next {
                Err(_) => return Err(format!("no frame for {idle:?} (idle.timeout.ms)")),
                Ok(None) => return Err("the server ended the session".into()),
                Ok(Some(Err(e))) => return Err(e.to_string()),
                Ok(Some(Ok(item))) => item,
            };
            let (index, data, pts, keyframe, dims) = match item {
                CodecItem::VideoFrame(f) => {
                    let index = f.stream_id();
                    let pts = millis(f.timestamp());
                    let key = f.is_random_access_point();
                    let dims = demuxed
                        .streams()
                        .get(index)
                        .and_then(|st| match st.parameters() {
                            Some(ParametersRef::Video(v)) => Some(v.pixel_dimensions()),
                            _ => None,
                        });
                    (index, Bytes::from(f.into_data()), pts, key, dims)
                }
                CodecItem::AudioFrame(f) => (
                    f.stream_id(),
                    Bytes::copy_from_slice(f.data()),
                    millis(f.timestamp()),
                    true,
                    None,
                ),
                _ => continue,
            };
            let Some(track) = tracks.iter().find(|t| t.index == index) else {
                continue;
            };
            ingest.received(data.len() as u64, 1);
            ctx.status().add_bytes(data.len() as u64);
            if ingest.should_disconnect() {
                return Err("disconnected through the control plane".into());
            }
            backoff.reset();
            let n = {
                let n = &mut self.frame_numbers[index];
                *n += 1;
                *n
            };
            if (n - 1) % self.settings.reconnect.processing_factor as i64 != 0 {
                continue;
            }
            let dims = match (track.codec, dims) {
                (Codec::Jpeg, _) => jpeg::parse(&data)
                    .ok()
                    .map(|i| (u32::from(i.width), u32::from(i.height))),
                (_, d) => d,
            };
            if track.codec.media_kind() == crate::media::codec::MediaKind::Video {
                ingest.set_video(crate::connector::ingest::VideoInfo {
                    codec: Some(track.codec.as_str().to_string()),
                    width: dims.map(|d| d.0),
                    height: dims.map(|d| d.1),
                });
            }
            if !ingest.frame(keyframe) {
                continue;
            }
            let row = self.row(track, data, pts, keyframe, dims, n);
            ctx.emit_rows(vec![row]);
        }
    }

    fn row(
        &self,
        track: &Track,
        data: Bytes,
        pts: i64,
        keyframe: bool,
        dims: Option<(u32, u32)>,
        frame_number: i64,
    ) -> Arc<[Value]> {
        let dim = |d: Option<u32>| d.map_or(Value::Null, |v| Value::Int(v as i32));
        self.fields
            .iter()
            .map(|f| match f {
                Field::Data => Value::Bytes(data.clone()),
                Field::Codec => Value::String(Arc::from(track.codec.as_str())),
                Field::Pts => Value::Long(pts),
                Field::Keyframe => Value::Bool(keyframe),
                Field::Width => dim(dims.map(|d| d.0)),
                Field::Height => dim(dims.map(|d| d.1)),
                Field::Media => track.media.clone(),
                Field::StreamId => track.id.clone(),
                Field::FrameNumber => Value::Long(frame_number),
                Field::Timestamp => Value::Long(chrono::Utc::now().timestamp_millis()),
            })
            .collect()
    }
}

fn session_len(tracks: &[Track]) -> usize {
    tracks.iter().map(|t| t.index + 1).max().unwrap_or(0)
}

fn millis(t: retina::Timestamp) -> i64 {
    t.elapsed() * 1000 / i64::from(t.clock_rate().get())
}

/// The codec of an SDP encoding name, in our spelling.
fn codec_of(encoding: &str) -> Option<Codec> {
    Some(match encoding.to_ascii_lowercase().as_str() {
        "h264" => Codec::H264,
        "h265" => Codec::Hevc,
        "jpeg" => Codec::Jpeg,
        "mpeg4-generic" => Codec::Aac,
        "l16" => Codec::L16,
        "pcmu" => Codec::Pcmu,
        "pcma" => Codec::Pcma,
        _ => return None,
    })
}

async fn timed<T, E: std::fmt::Display>(
    limit: Duration,
    step: &str,
    f: impl std::future::Future<Output = Result<T, E>>,
) -> Result<T, String> {
    match tokio::time::timeout(limit, f).await {
        Err(_) => Err(format!(
            "{step} got no answer within {limit:?} (timeout.ms)"
        )),
        Ok(Err(e)) => Err(format!("{step} failed: {e}")),
        Ok(Ok(v)) => Ok(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(params: &[(&str, &str)]) -> ConnectorConfig {
        ConnectorConfig {
            kind: "rtsp".into(),
            stream: "Cam".into(),
            params: params
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            map: None,
            ..Default::default()
        }
    }

    #[test]
    fn credentials_come_from_the_url_or_the_parameters_and_are_hidden() {
        let s = Settings::from_config(&config(&[("url", "rtsp://cam%40x:p%3Aw@h:554/s")])).unwrap();
        assert_eq!(s.url.as_str(), "rtsp://h:554/s");
        assert_eq!(s.shown, "rtsp://***@h:554/s");
        let c = s.creds.unwrap();
        assert_eq!((c.username.as_str(), c.password.as_str()), ("cam@x", "p:w"));
        let s = Settings::from_config(&config(&[
            ("url", "rtsp://a:b@h/s"),
            ("user", "u"),
            ("password", "p"),
        ]))
        .unwrap();
        assert_eq!(s.creds.unwrap().username, "u");
        let e = Settings::from_config(&config(&[("url", "http://h/s")]))
            .err()
            .unwrap()
            .0;
        assert!(e.contains("not an rtsp:// URL"), "{e}");
    }

    #[test]
    fn codec_names_are_ours() {
        assert_eq!(codec_of("H265"), Some(Codec::Hevc));
        assert_eq!(codec_of("MPEG4-GENERIC"), Some(Codec::Aac));
        assert_eq!(codec_of("vp8"), None);
    }
}

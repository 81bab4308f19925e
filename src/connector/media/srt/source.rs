//! The `srt` source's factory and listener loop: each connection request is accepted or
//! refused (stream id, passphrase, connection limit; every refusal counted and logged), each
//! accepted caller served by its own task, which queues its frames on the source's outbox.

use super::caller::{self, CallerShared, Report};
use super::params::{
    Settings, ALLOWED_STREAM_IDS, EMIT_INCOMPLETE, HOST, LATENCY_MS, MAX_CONNECTIONS, PASSPHRASE,
    PORT,
};
use crate::connector::config::{ConfigError, ConnectorConfig};
use crate::connector::error::ERROR_PARAMS;
use crate::connector::ingest::{self, IngestStream};
use crate::connector::media::fields::{self, Offered};
use crate::connector::media::outbox::{self, deliver, Feed};
use crate::connector::media::stats::{self, StatsMeter};
use crate::connector::param::{specs, Describe};
use crate::connector::spec::ConnectorSpec;
use crate::connector::{ConnectorError, Source, SourceContext, SourceFactory};
use crate::schema::Schema;
use crate::value::AttrType;
use futures_util::StreamExt;
use srt_protocol::settings::KeySettings;
use srt_tokio::access::{RejectReason, ServerRejectReason};
use srt_tokio::options::{KeySize, Passphrase};
use srt_tokio::{ConnectionRequest, SrtListener};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Field {
    StreamId,
    Codec,
    Pts,
    Dts,
    Keyframe,
    FrameType,
    Width,
    Height,
    Bytes,
    Data,
    Complete,
    Media,
    Timestamp,
}

const OFFERED: &[Offered<Field>] = &[
    Offered {
        field: Field::StreamId,
        name: "stream_id",
        ty: AttrType::String,
        doc: "the caller's SRT stream id, else its address",
    },
    Offered {
        field: Field::Codec,
        name: "codec",
        ty: AttrType::String,
        doc: "h264, hevc or aac, from the PMT",
    },
    Offered {
        field: Field::Media,
        name: "media",
        ty: AttrType::String,
        doc: "video or audio",
    },
    Offered {
        field: Field::Pts,
        name: "pts",
        ty: AttrType::Long,
        doc: "presentation time in ms from the caller's first frame, audio or video: one \
              clock for the whole program (33-bit 90 kHz PTS, unwrapped)",
    },
    Offered {
        field: Field::Dts,
        name: "dts",
        ty: AttrType::Long,
        doc: "decode time in ms on the same clock (the pts when the PES has none)",
    },
    Offered {
        field: Field::Keyframe,
        name: "keyframe",
        ty: AttrType::Bool,
        doc: "an IDR (H.264) or IRAP (H.265) picture; every audio frame",
    },
    Offered {
        field: Field::FrameType,
        name: "frame_type",
        ty: AttrType::String,
        doc: "I, P or B from the first slice header; NULL when unreadable",
    },
    Offered {
        field: Field::Width,
        name: "width",
        ty: AttrType::Int,
        doc: "from the latest SPS; NULL before one arrived",
    },
    Offered {
        field: Field::Height,
        name: "height",
        ty: AttrType::Int,
        doc: "likewise",
    },
    Offered {
        field: Field::Bytes,
        name: "bytes",
        ty: AttrType::Int,
        doc: "the size of data",
    },
    Offered {
        field: Field::Data,
        name: "data",
        ty: AttrType::Bytes,
        doc: "the access unit as the PES carried it (Annex B), or one ADTS frame (header \
              included) of AAC audio",
    },
    Offered {
        field: Field::Complete,
        name: "complete",
        ty: AttrType::Bool,
        doc: "false for a frame that lost TS packets (only with emit.incomplete='true')",
    },
    Offered {
        field: Field::Timestamp,
        name: "timestamp",
        ty: AttrType::Long,
        doc: "receive time, epoch ms",
    },
];

const PARAMS: &[&dyn Describe] = &[
    &HOST,
    &PORT,
    &LATENCY_MS,
    &PASSPHRASE,
    &MAX_CONNECTIONS,
    &ALLOWED_STREAM_IDS,
    &EMIT_INCOMPLETE,
];

/// Row batches that may wait between the callers and the stream.
const QUEUED_BATCHES: usize = 64;

static DESCRIPTION: std::sync::OnceLock<String> = std::sync::OnceLock::new();

pub struct SrtSourceFactory;

impl SourceFactory for SrtSourceFactory {
    fn spec(&self) -> ConnectorSpec {
        ConnectorSpec {
            name: "srt",
            aliases: &[],
            description: DESCRIPTION
                .get_or_init(|| {
                    format!(
                        "An SRT listener (srt-tokio) that callers push MPEG-TS into (ffmpeg, \
                         OBS, hardware encoders): each caller is its own stream, named by its \
                         SRT stream id, accepted or refused by allowed.stream.ids, passphrase \
                         (AES) and max.connections; refusals are counted and logged. The TS is \
                         demultiplexed (mpeg2ts-reader): the PMT names the codec, each video \
                         PES becomes one event and each AAC (ADTS) frame another (the media \
                         attribute says which), all on the program's one clock, with the \
                         audio-to-video drift in the stats stream (av_drift_ms); \
                         continuity-counter gaps are counted as loss and the frames they hit \
                         are skipped unless emit.incomplete='true'. H.264 and H.265 video, AAC \
                         audio (other stream types are skipped and logged). Callers are \
                         listed and steered by the control plane (GET /api/v1/streams); with \
                         stats.stream, every stats.interval each caller also becomes a \
                         stream-health event (fps, bitrate, loss, GOP, state). A slow app \
                         gets GOP-aware shedding under max.buffer.bytes (on.full), and a \
                         paused caller resumes at a keyframe (gop.buffer.count). The \
                         stream declares the attributes it wants, by name, from: {}. The stats stream declares its own, by name, from: {}.",
                        fields::describe(OFFERED),
                        stats::describe()
                    )
                })
                .as_str(),
            params: specs(&[PARAMS, outbox::PARAMS, stats::PARAMS, ERROR_PARAMS]),
            formats: &[],
            default_format: None,
            example: "@source(type='srt', port='30000', latency.ms='120', \
                passphrase='${SRT_PASS:change-me-please}', max.connections='25', \
                allowed.stream.ids='cam1,cam2')",
        }
    }

    fn side_streams(&self) -> &'static [&'static str] {
        stats::SIDE_STREAMS
    }

    fn validate(&self, config: &ConnectorConfig, schema: &Schema) -> Result<(), ConfigError> {
        fields::select("srt", schema, OFFERED)?;
        StatsMeter::from_config("srt", config)?;
        Settings::from_config(config).map(|_| ())
    }

    fn create(
        &self,
        config: &ConnectorConfig,
        schema: &Schema,
    ) -> Result<Box<dyn Source>, ConnectorError> {
        Ok(Box::new(SrtSource {
            fields: fields::select("srt", schema, OFFERED)?,
            settings: Settings::from_config(config)?,
            stats: StatsMeter::from_config("srt", config)?,
            stream: config.stream.clone(),
        }))
    }
}

struct SrtSource {
    fields: Vec<Field>,
    settings: Settings,
    stats: Option<StatsMeter>,
    stream: String,
}

impl Source for SrtSource {
    fn run(&mut self, ctx: &mut SourceContext) -> Result<(), ConnectorError> {
        let listener = SrtListenerLoop {
            fields: self.fields.clone(),
            settings: self.settings.clone(),
            stats: self.stats.take(),
            stream: self.stream.clone(),
        };
        deliver(ctx, self.settings.buffer, move |feed| listener.listen(feed))
    }
}

/// The network side: the listener loop, on the connector runtime.
struct SrtListenerLoop {
    fields: Vec<Field>,
    settings: Settings,
    stats: Option<StatsMeter>,
    stream: String,
}

/// Why a caller is refused, or the key settings to accept it with.
fn admit(
    s: &Settings,
    request: &ConnectionRequest,
    active: usize,
) -> Result<Option<KeySettings>, (ServerRejectReason, String)> {
    let id = request.stream_id().map(|i| i.to_string());
    if let Some(allowed) = &s.allowed {
        if !id.as_ref().is_some_and(|i| allowed.contains(i)) {
            return Err((
                ServerRejectReason::Forbidden,
                format!("stream id {id:?} is not in allowed.stream.ids"),
            ));
        }
    }
    if active >= s.max_connections {
        return Err((
            ServerRejectReason::Overload,
            format!(
                "max.connections ({}) callers are connected",
                s.max_connections
            ),
        ));
    }
    match (&s.passphrase, request.key_size()) {
        (None, KeySize::Unspecified) => Ok(None),
        (None, _) => Err((
            ServerRejectReason::BadRequest,
            "it encrypts, and this listener has no passphrase".into(),
        )),
        (Some(_), KeySize::Unspecified) => Err((
            ServerRejectReason::Unauthorized,
            "it has no passphrase, and this listener wants one".into(),
        )),
        (Some(p), size) => {
            let passphrase = Passphrase::try_from(p.clone()).map_err(|e| {
                (
                    ServerRejectReason::InternalServerError,
                    format!("passphrase: {e}"),
                )
            })?;
            Ok(Some(KeySettings {
                key_size: size,
                passphrase,
            }))
        }
    }
}

impl SrtListenerLoop {
    fn on_report(
        &mut self,
        report: Report,
        feed: &Feed,
        callers: &mut Vec<Arc<IngestStream>>,
        refused: &mut u64,
    ) {
        match report {
            Report::Failed(why) => {
                *refused += 1;
                feed.report_error(ConnectorError::permanent(why));
            }
            Report::Opened(c) => callers.push(c),
            Report::Closed(c) => {
                callers.retain(|k| k.id != c.id);
                if let Some(m) = self.stats.as_mut() {
                    let row = m.last_row(&c, chrono::Utc::now().timestamp_millis());
                    feed.emit_side_rows(stats::STATS_STREAM.name(), vec![row]);
                }
            }
        }
    }

    /// Every stats.interval: one stats row per connected caller.
    fn emit_stats(&mut self, feed: &Feed, callers: &[Arc<IngestStream>]) {
        let Some(m) = self.stats.as_mut() else { return };
        let now = chrono::Utc::now().timestamp_millis();
        if m.due(now) {
            let rows = callers.iter().map(|c| m.row(c, now)).collect();
            feed.emit_side_rows(stats::STATS_STREAM.name(), rows);
        }
    }

    async fn listen(mut self, feed: Feed) -> Result<(), ConnectorError> {
        let address = format!("{}:{}", self.settings.host, self.settings.port);
        let socket_address: std::net::SocketAddr = address.parse().map_err(|e| {
            ConnectorError::permanent(format!("srt source: '{address}' is not an address: {e}"))
        })?;
        let (mut listener, mut incoming) = SrtListener::builder()
            .latency(self.settings.latency)
            .bind(socket_address)
            .await
            .map_err(|e| {
                ConnectorError::permanent(format!(
                    "srt source: cannot listen on udp {address}: {e}"
                ))
            })?;
        log::info!("srt source: listening on srt://{address}");
        feed.status().connected();
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Report>(QUEUED_BATCHES);
        let shared = Arc::new(CallerShared {
            fields: self.fields.clone(),
            emit_incomplete: self.settings.emit_incomplete,
            feed: feed.clone(),
            reports: tx,
        });
        let active = Arc::new(AtomicUsize::new(0));
        let mut refused = 0u64;
        let mut callers: Vec<Arc<IngestStream>> = Vec::new();
        while feed.is_running() {
            tokio::select! {
                request = incoming.incoming().next() => {
                    let Some(request) = request else { break };
                    let peer = request.remote();
                    match admit(&self.settings, &request, active.load(Ordering::Acquire)) {
                        Err((reason, why)) => {
                            refused += 1;
                            feed.report_error(ConnectorError::permanent(format!(
                                "srt source: refused caller {peer}: {why}"
                            )));
                            let _ = request.reject(RejectReason::Server(reason)).await;
                        }
                        Ok(keys) => {
                            let id: Arc<str> = Arc::from(
                                request.stream_id().map_or_else(|| peer.to_string(), |i| i.to_string()),
                            );
                            // Counted now, so a burst of callers cannot pass the limit.
                            active.fetch_add(1, Ordering::AcqRel);
                            let (shared, active, stream) =
                                (shared.clone(), active.clone(), self.stream.clone());
                            // The handshake finishes on its own task: one slow caller does not
                            // hold up the others.
                            tokio::spawn(async move {
                                match tokio::time::timeout(Duration::from_secs(5), request.accept(keys)).await {
                                    Ok(Ok(socket)) => {
                                        log::info!("srt source: caller {id} connected from {peer}");
                                        let handle = ingest::registry().open("srt", &peer.to_string(), &stream);
                                        caller::serve(socket, id, handle, shared).await;
                                    }
                                    Ok(Err(e)) => {
                                        let why = format!("srt source: caller {id} from {peer} failed its handshake: {e} (a wrong passphrase?)");
                                        let _ = shared.reports.send(Report::Failed(why)).await;
                                    }
                                    Err(_) => {
                                        let why = format!("srt source: caller {id} from {peer} did not finish its handshake within 5 s (a wrong passphrase?)");
                                        let _ = shared.reports.send(Report::Failed(why)).await;
                                    }
                                }
                                active.fetch_sub(1, Ordering::AcqRel);
                            });
                        }
                    }
                }
                report = rx.recv() => if let Some(report) = report {
                    self.on_report(report, &feed, &mut callers, &mut refused);
                },
                _ = tokio::time::sleep(Duration::from_millis(100)) => {}
            }
            self.emit_stats(&feed, &callers);
        }
        // Callers see the running flag and end; what they sent meanwhile still goes out.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(1);
        while active.load(Ordering::Acquire) > 0 && tokio::time::Instant::now() < deadline {
            if let Ok(Some(report)) =
                tokio::time::timeout(Duration::from_millis(50), rx.recv()).await
            {
                self.on_report(report, &feed, &mut callers, &mut refused);
            }
        }
        while let Ok(report) = rx.try_recv() {
            self.on_report(report, &feed, &mut callers, &mut refused);
        }
        // Callers that did not end in time still get their last stats row.
        for c in std::mem::take(&mut callers) {
            self.on_report(Report::Closed(c), &feed, &mut Vec::new(), &mut refused);
        }
        listener.close().await;
        if refused > 0 {
            log::info!("srt source: srt://{address}: {refused} callers refused in all");
        }
        Ok(())
    }
}

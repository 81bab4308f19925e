//! Stream health as a second event kind of the live ingest sources: with
//! `stats.stream='IngestStats'`, every `stats.interval` each live connection becomes one event
//! of that stream (rates over the interval, totals since it opened), and a last one with state
//! `closed` when it ends. The stream declares the attributes it wants, by name. No sockets:
//! the source hands in its connections' counters and the time.

use crate::connector::config::{ConfigError, ConnectorConfig};
use crate::connector::ingest::IngestStream;
use crate::connector::media::fields::{self, Offered};
use crate::connector::param::Param;
use crate::value::{AttrType, Value};
use std::collections::HashMap;
use std::sync::Arc;

pub(super) const STATS_STREAM: Param<Option<String>> = Param::optional(
    "stats.stream",
    None,
    "A declared stream that receives one stream-health event per connection every \
     stats.interval, and a last one (state 'closed') when the connection ends. It declares \
     the attributes it wants, by name, from those listed in the live ingest guide.",
    "IngestStats",
);

pub(super) const STATS_INTERVAL: Param<&'static str> = Param::optional(
    "stats.interval",
    "1 sec",
    "How often stats.stream gets an event per connection: '1 sec', '500 ms', '1 min', or a \
     number of milliseconds.",
    "5 sec",
);

/// The parameters a source with a stats stream adds to its own.
pub(super) const PARAMS: &[&dyn crate::connector::param::Describe] =
    &[&STATS_STREAM, &STATS_INTERVAL];

/// The side-stream parameter, for `SourceFactory::side_streams`.
pub(super) const SIDE_STREAMS: &[&str] = &["stats.stream"];

#[derive(Debug, Clone, Copy, PartialEq)]
enum Field {
    StreamId,
    Kind,
    Codec,
    Width,
    Height,
    Fps,
    BitrateBps,
    Bytes,
    Packets,
    Lost,
    Late,
    SenderReports,
    LossPct,
    Frames,
    Keyframes,
    AudioFrames,
    Incomplete,
    PausedFrames,
    DroppedFrames,
    DroppedNonReference,
    DroppedGopTail,
    DroppedGopFrames,
    DroppedGops,
    DroppedBytes,
    BufferBytes,
    BufferPeakBytes,
    GopMs,
    AvDriftMs,
    State,
    IntervalMs,
    Timestamp,
}

const OFFERED: &[Offered<Field>] = &[
    Offered {
        field: Field::StreamId,
        name: "stream_id",
        ty: AttrType::String,
        doc: "the connection, as its frames' stream_id",
    },
    Offered {
        field: Field::Kind,
        name: "source",
        ty: AttrType::String,
        doc: "srt or rtp",
    },
    Offered {
        field: Field::Codec,
        name: "codec",
        ty: AttrType::String,
        doc: "h264 or hevc; NULL until known",
    },
    Offered {
        field: Field::Width,
        name: "width",
        ty: AttrType::Int,
        doc: "from the latest SPS; NULL until one arrived",
    },
    Offered {
        field: Field::Height,
        name: "height",
        ty: AttrType::Int,
        doc: "likewise",
    },
    Offered {
        field: Field::Fps,
        name: "fps",
        ty: AttrType::Double,
        doc: "video frames per second over the interval",
    },
    Offered {
        field: Field::BitrateBps,
        name: "bitrate_bps",
        ty: AttrType::Long,
        doc: "bits per second received over the interval",
    },
    Offered {
        field: Field::Bytes,
        name: "bytes",
        ty: AttrType::Long,
        doc: "bytes received since the connection opened",
    },
    Offered {
        field: Field::Packets,
        name: "packets",
        ty: AttrType::Long,
        doc: "packets (RTP packets, SRT datagrams) received since it opened",
    },
    Offered {
        field: Field::Lost,
        name: "lost",
        ty: AttrType::Long,
        doc: "packets lost since it opened (RTP sequence gaps, MPEG-TS continuity gaps)",
    },
    Offered {
        field: Field::Late,
        name: "late",
        ty: AttrType::Long,
        doc: "RTP packets that came after they had been given up as lost; 0 over SRT, which \
              drops late packets itself",
    },
    Offered {
        field: Field::SenderReports,
        name: "sender_reports",
        ty: AttrType::Long,
        doc: "RTCP sender reports received on the port above the RTP port; 0 over SRT",
    },
    Offered {
        field: Field::LossPct,
        name: "loss_pct",
        ty: AttrType::Double,
        doc: "lost / (received + lost) over the interval, in percent",
    },
    Offered {
        field: Field::Frames,
        name: "frames",
        ty: AttrType::Long,
        doc: "video frames assembled since it opened",
    },
    Offered {
        field: Field::Keyframes,
        name: "keyframes",
        ty: AttrType::Long,
        doc: "keyframes among them",
    },
    Offered {
        field: Field::AudioFrames,
        name: "audio_frames",
        ty: AttrType::Long,
        doc: "audio frames (RTP audio packets, AAC frames) since it opened",
    },
    Offered {
        field: Field::Incomplete,
        name: "incomplete",
        ty: AttrType::Long,
        doc: "frames with a hole from lost packets",
    },
    Offered {
        field: Field::PausedFrames,
        name: "paused_frames",
        ty: AttrType::Long,
        doc: "frames dropped while the control plane had the stream paused",
    },
    Offered {
        field: Field::DroppedFrames,
        name: "dropped_frames",
        ty: AttrType::Long,
        doc: "frames shed because the app was slower than the stream (on.full='drop-gop'), \
              all kinds; frames = emitted + dropped_frames + paused_frames + incomplete",
    },
    Offered {
        field: Field::DroppedNonReference,
        name: "dropped_nonref_frames",
        ty: AttrType::Long,
        doc: "of those, frames nothing referenced (B frames)",
    },
    Offered {
        field: Field::DroppedGopTail,
        name: "dropped_gop_tail_frames",
        ty: AttrType::Long,
        doc: "of those, frames at the end of a GOP, from a reference frame that did not fit",
    },
    Offered {
        field: Field::DroppedGopFrames,
        name: "dropped_gop_frames",
        ty: AttrType::Long,
        doc: "of those, frames of whole GOPs (and frames bigger than the limit on their own)",
    },
    Offered {
        field: Field::DroppedGops,
        name: "dropped_gops",
        ty: AttrType::Long,
        doc: "GOPs shed whole",
    },
    Offered {
        field: Field::DroppedBytes,
        name: "dropped_bytes",
        ty: AttrType::Long,
        doc: "bytes of the frames shed",
    },
    Offered {
        field: Field::BufferBytes,
        name: "buffer_bytes",
        ty: AttrType::Long,
        doc: "bytes of frames waiting for the app now (at most max.buffer.bytes)",
    },
    Offered {
        field: Field::BufferPeakBytes,
        name: "buffer_peak_bytes",
        ty: AttrType::Long,
        doc: "the most buffer_bytes has been since the connection opened",
    },
    Offered {
        field: Field::GopMs,
        name: "gop_ms",
        ty: AttrType::Double,
        doc: "between the last two keyframes, by their pts; NULL before the second",
    },
    Offered {
        field: Field::AvDriftMs,
        name: "av_drift_ms",
        ty: AttrType::Double,
        doc: "how much later audio arrives than the video it plays with, ms (smoothed audio lag \
              minus video lag on their common clock; negative: audio early); NULL without an \
              audio and video pair (RTP: a host's audio and video sessions, once RTCP sender \
              reports came; SRT: an audio and a video PID)",
    },
    Offered {
        field: Field::State,
        name: "state",
        ty: AttrType::String,
        doc: "live; stalled (nothing received over the interval); paused; closing; closed \
              (its last event)",
    },
    Offered {
        field: Field::IntervalMs,
        name: "interval_ms",
        ty: AttrType::Long,
        doc: "the time the rates are over",
    },
    Offered {
        field: Field::Timestamp,
        name: "timestamp",
        ty: AttrType::Long,
        doc: "when it was measured, epoch ms",
    },
];

/// The attributes a stats stream can declare, for the docs.
pub fn describe() -> String {
    fields::describe(OFFERED)
}

/// Counters at the previous event of one connection.
#[derive(Debug, Clone, Copy)]
struct Previous {
    at_ms: i64,
    bytes: u64,
    packets: u64,
    lost: u64,
    frames: u64,
}

/// Turns connections' counters into stats rows every interval.
pub(super) struct StatsMeter {
    fields: Vec<Field>,
    interval_ms: i64,
    next_due_ms: Option<i64>,
    previous: HashMap<String, Previous>,
}

fn interval_ms(config: &ConnectorConfig) -> Result<i64, ConfigError> {
    let text = STATS_INTERVAL.get(config).trim();
    let ms = match text.parse::<i64>() {
        Ok(n) => Some(n).filter(|n| *n > 0),
        Err(_) => crate::lang::duration_text_ms(text),
    };
    ms.ok_or_else(|| ConfigError::expected("stats.interval", text, "a time such as '1 sec'"))
}

impl StatsMeter {
    /// `None` when the app gave no `stats.stream`. Checks the stream's attributes.
    pub fn from_config(
        connector: &str,
        config: &ConnectorConfig,
    ) -> Result<Option<StatsMeter>, ConfigError> {
        let interval_ms = interval_ms(config)?;
        let Some(name) = STATS_STREAM.get(config) else {
            return Ok(None);
        };
        let schema = config
            .side_schemas
            .get(STATS_STREAM.name())
            .ok_or_else(|| {
                ConfigError(format!(
                    "parameter 'stats.stream': no stream '{name}' is declared"
                ))
            })?;
        let fields = fields::select(&format!("{connector} stats.stream"), schema, OFFERED)?;
        Ok(Some(StatsMeter {
            fields,
            interval_ms,
            next_due_ms: None,
            previous: HashMap::new(),
        }))
    }

    /// Whether an interval has passed since the last rows (the first interval starts now).
    pub fn due(&mut self, now_ms: i64) -> bool {
        match self.next_due_ms {
            None => {
                self.next_due_ms = Some(now_ms + self.interval_ms);
                false
            }
            Some(due) if now_ms >= due => {
                // Late wakes do not pile up intervals.
                let late_by_a_whole_interval = now_ms - due >= self.interval_ms;
                let from = if late_by_a_whole_interval {
                    now_ms
                } else {
                    due
                };
                self.next_due_ms = Some(from + self.interval_ms);
                true
            }
            Some(_) => false,
        }
    }

    /// One connection's row now; rates since its previous row (or since it opened).
    pub fn row(&mut self, s: &IngestStream, now_ms: i64) -> Arc<[Value]> {
        self.make_row(s, now_ms, false)
    }

    /// The connection ended: its last row (state `closed`), and it is forgotten.
    pub fn last_row(&mut self, s: &IngestStream, now_ms: i64) -> Arc<[Value]> {
        let row = self.make_row(s, now_ms, true);
        self.previous.remove(&s.id);
        row
    }

    fn make_row(&mut self, s: &IngestStream, now_ms: i64, closed: bool) -> Arc<[Value]> {
        let snap = s.snapshot();
        let before = self.previous.get(&snap.id).copied().unwrap_or(Previous {
            at_ms: snap.created_at_ms,
            bytes: 0,
            packets: 0,
            lost: 0,
            frames: 0,
        });
        let span_ms = (now_ms - before.at_ms).max(1);
        let secs = span_ms as f64 / 1000.0;
        let bytes = snap.bytes.saturating_sub(before.bytes);
        let packets = snap.packets.saturating_sub(before.packets);
        let lost = snap.lost.saturating_sub(before.lost);
        let frames = snap.frames.saturating_sub(before.frames);
        self.previous.insert(
            snap.id.clone(),
            Previous {
                at_ms: now_ms,
                bytes: snap.bytes,
                packets: snap.packets,
                lost: snap.lost,
                frames: snap.frames,
            },
        );
        let state = if closed {
            "closed"
        } else if snap.status == "disconnecting" {
            "closing"
        } else if snap.status == "paused" {
            "paused"
        } else if bytes == 0 {
            "stalled"
        } else {
            "live"
        };
        let count = |n: u64| Value::Long(n.min(i64::MAX as u64) as i64);
        self.fields
            .iter()
            .map(|f| match f {
                Field::StreamId => Value::String(Arc::from(snap.label.as_str())),
                Field::Kind => Value::from(snap.kind),
                Field::Codec => snap.video.codec.as_deref().map_or(Value::Null, Value::from),
                Field::Width => snap
                    .video
                    .width
                    .map_or(Value::Null, |w| Value::Int(w as i32)),
                Field::Height => snap
                    .video
                    .height
                    .map_or(Value::Null, |h| Value::Int(h as i32)),
                Field::Fps => Value::Double(frames as f64 / secs),
                Field::BitrateBps => Value::Long((bytes as f64 * 8.0 / secs).round() as i64),
                Field::Bytes => count(snap.bytes),
                Field::Packets => count(snap.packets),
                Field::Lost => count(snap.lost),
                Field::Late => count(snap.late),
                Field::SenderReports => count(snap.sender_reports),
                Field::LossPct => Value::Double(if packets + lost == 0 {
                    0.0
                } else {
                    lost as f64 * 100.0 / (packets + lost) as f64
                }),
                Field::Frames => count(snap.frames),
                Field::Keyframes => count(snap.keyframes),
                Field::AudioFrames => count(snap.audio_frames),
                Field::Incomplete => count(snap.incomplete_frames),
                Field::PausedFrames => count(snap.paused_frames),
                Field::DroppedFrames => count(snap.dropped.frames()),
                Field::DroppedNonReference => count(snap.dropped.non_reference),
                Field::DroppedGopTail => count(snap.dropped.gop_tail),
                Field::DroppedGopFrames => count(snap.dropped.gop + snap.dropped.oversize),
                Field::DroppedGops => count(snap.dropped.gops),
                Field::DroppedBytes => count(snap.dropped.bytes),
                Field::BufferBytes => count(snap.buffer_bytes),
                Field::BufferPeakBytes => count(snap.buffer_peak_bytes),
                Field::GopMs => snap.gop_ms.map_or(Value::Null, |g| Value::Double(g as f64)),
                Field::AvDriftMs => snap.av_drift_ms.map_or(Value::Null, Value::Double),
                Field::State => Value::from(state),
                Field::IntervalMs => Value::Long(span_ms),
                Field::Timestamp => Value::Long(now_ms),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connector::ingest::registry;
    use crate::schema::Schema;

    use AttrType::*;

    fn config(interval: Option<&str>, attrs: &[(&str, AttrType)]) -> ConnectorConfig {
        let schema = Schema::of("IngestStats", attrs);
        let mut c = ConnectorConfig {
            kind: "srt".into(),
            stream: "Camera".into(),
            ..Default::default()
        };
        c.params.insert("stats.stream".into(), "IngestStats".into());
        if let Some(i) = interval {
            c.params.insert("stats.interval".into(), i.into());
        }
        c.side_schemas.insert("stats.stream".into(), schema);
        c
    }

    #[test]
    fn rows_carry_rates_over_the_interval_and_totals_since_open() {
        let c = config(
            Some("2 sec"),
            &[
                ("stream_id", String),
                ("fps", Double),
                ("bitrate_bps", Long),
                ("frames", Long),
                ("lost", Long),
                ("loss_pct", Double),
                ("gop_ms", Double),
                ("state", String),
                ("interval_ms", Long),
            ],
        );
        let mut m = StatsMeter::from_config("srt", &c).unwrap().unwrap();
        let h = registry().open("srt", "127.0.0.1:9", "Camera");
        h.set_label(Arc::from("cam1"));
        let t0 = h.created_at_ms;
        assert!(!m.due(t0));
        assert!(!m.due(t0 + 1999));
        // 2 s: 50 frames, 250 KB in 190 packets, 10 lost; keyframes at pts 0 and 2000.
        for i in 0..50 {
            h.frame(i % 25 == 0);
        }
        h.keyframe_at(0);
        h.keyframe_at(2000);
        h.received(250_000, 190);
        h.lost(10);
        assert!(m.due(t0 + 2000));
        let row = m.row(&h, t0 + 2000);
        assert_eq!(
            &row[..],
            &[
                Value::from("cam1"),
                Value::Double(25.0),
                Value::Long(1_000_000),
                Value::Long(50),
                Value::Long(10),
                Value::Double(5.0),
                Value::Double(2000.0),
                Value::from("live"),
                Value::Long(2000),
            ]
        );
        // Nothing more arrives: stalled, zero rates, totals kept.
        assert!(m.due(t0 + 4000));
        let row = m.row(&h, t0 + 4000);
        assert_eq!(
            (&row[1], &row[2], &row[3], &row[7]),
            (
                &Value::Double(0.0),
                &Value::Long(0),
                &Value::Long(50),
                &Value::from("stalled")
            )
        );
        let last = m.last_row(&h, t0 + 4500);
        assert_eq!(
            (&last[7], &last[8]),
            (&Value::from("closed"), &Value::Long(500))
        );
    }

    #[test]
    fn late_wakes_do_not_pile_up_intervals() {
        let c = config(Some("1000"), &[("state", String)]);
        let mut m = StatsMeter::from_config("rtp", &c).unwrap().unwrap();
        assert!(!m.due(0));
        assert!(m.due(5_500));
        assert!(!m.due(5_600));
        assert!(m.due(6_500));
    }

    #[test]
    fn bad_settings_name_the_parameter_and_the_attribute() {
        let e = StatsMeter::from_config("srt", &config(Some("soon"), &[("state", String)]))
            .err()
            .unwrap();
        assert!(e.0.contains("stats.interval"), "{e}");
        let e = StatsMeter::from_config("srt", &config(None, &[("fsp", Double)]))
            .err()
            .unwrap();
        assert!(e.0.contains("'fsp'") && e.0.contains("fps"), "{e}");
        let e = StatsMeter::from_config("srt", &config(None, &[("fps", Int)]))
            .err()
            .unwrap();
        assert!(e.0.contains("fps DOUBLE"), "{e}");
        let mut none = config(None, &[("state", String)]);
        none.params.remove("stats.stream");
        assert!(StatsMeter::from_config("srt", &none).unwrap().is_none());
    }
}

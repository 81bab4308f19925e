//! One accepted SRT caller: its TS demultiplexed into access units, each video unit read for
//! keyframe, type and size and turned into a row, each AAC unit split into its ADTS frames,
//! all on the program's one clock (A/V drift measured), queued on the source's outbox (which sheds
//! or, with on.full='block', stops this task reading: SRT's flow control then slows the
//! sender).

use super::source::Field;
use crate::connector::ingest::{IngestHandle, IngestStream, VideoInfo};
use crate::connector::media::outbox::{kind_of, Feed};
use crate::media::adts;
use crate::media::annexb::Inspector;
use crate::media::av_sync::AvSync;
use crate::media::codec::{Codec, MediaKind};
use crate::media::gop_queue::FrameKind;
use crate::media::nal::NalFormat;
use crate::media::timestamp::Unwrapper;
use crate::media::ts::{TsDemuxer, TsUnit};
use crate::value::Value;
use bytes::Bytes;
use futures_util::StreamExt;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// What caller tasks tell the listener loop.
pub(super) enum Report {
    /// A caller that failed its handshake (counted and logged by the loop).
    Failed(String),
    /// A caller connected: the loop measures it for the stats stream.
    Opened(Arc<IngestStream>),
    /// A caller ended, after its last rows.
    Closed(Arc<IngestStream>),
}

/// What every caller task shares.
pub(super) struct CallerShared {
    pub fields: Vec<Field>,
    pub emit_incomplete: bool,
    pub feed: Feed,
    pub reports: mpsc::Sender<Report>,
}

/// Per PID: its codec, and for video its bitstream reader.
struct Track {
    codec: Codec,
    inspector: Option<Inspector>,
}

/// A caller's program clock: every PID's PTS and DTS run on one 90 kHz time base (the PCR's),
/// so they are unwrapped together and counted in ms from the first one seen, audio and video
/// alike.
struct ProgramClock {
    clock: Unwrapper,
    base: Option<i64>,
}

impl ProgramClock {
    fn ms(&mut self, ticks: Option<u64>) -> Option<i64> {
        let ext = self.clock.unwrap(ticks?);
        let base = *self.base.get_or_insert(ext);
        Some((ext - base) / 90)
    }
}

/// What one caller's units are read with.
struct Program {
    tracks: HashMap<u16, Track>,
    clock: ProgramClock,
    sync: AvSync,
    started: Instant,
    /// Bytes of audio PES payloads that were not whole ADTS frames.
    audio_garbage: u64,
}

impl Program {
    fn new() -> Program {
        Program {
            tracks: HashMap::new(),
            clock: ProgramClock {
                clock: Unwrapper::new(33),
                base: None,
            },
            sync: AvSync::default(),
            started: Instant::now(),
            audio_garbage: 0,
        }
    }

    fn arrival_ms(&self) -> i64 {
        self.started.elapsed().as_millis() as i64
    }
}

/// Serves one caller until it disconnects, is disconnected through the control plane, or the
/// app stops.
pub(super) async fn serve(
    mut socket: srt_tokio::SrtSocket,
    stream_id: Arc<str>,
    ingest: IngestHandle,
    shared: Arc<CallerShared>,
) {
    let mut demux = TsDemuxer::default();
    let mut program = Program::new();
    let mut units = Vec::new();
    let mut lost_reported = 0;
    ingest.set_label(stream_id.clone());
    let outbox = &shared.feed.outbox;
    outbox.open(ingest.shared());
    let _ = shared.reports.send(Report::Opened(ingest.shared())).await;
    while shared.feed.is_running() && !ingest.should_disconnect() {
        shared.feed.wait_for_room(Some(&ingest.id)).await;
        let data = match tokio::time::timeout(Duration::from_millis(200), socket.next()).await {
            Err(_) => continue,
            Ok(None) => break,
            Ok(Some(Err(e))) => {
                log::warn!("srt source: caller {stream_id}: {e}");
                break;
            }
            Ok(Some(Ok((_, data)))) => data,
        };
        ingest.received(data.len() as u64, 1);
        demux.push(&data, &mut units);
        let lost = demux.continuity_errors();
        if lost > lost_reported {
            ingest.lost(lost - lost_reported);
            lost_reported = lost;
        }
        queue_frames(&mut units, &mut program, &stream_id, &ingest, &shared);
    }
    // The caller is gone (or is being let go): its last unit is whole.
    demux.flush(&mut units);
    queue_frames(&mut units, &mut program, &stream_id, &ingest, &shared);
    outbox.close(&ingest.id);
    let _ = shared.reports.send(Report::Closed(ingest.shared())).await;
    let _ = socket.close_and_finish().await;
    if program.audio_garbage > 0 {
        log::warn!(
            "srt source: caller {stream_id}: {} bytes of audio PES payloads were not whole ADTS frames; dropped",
            program.audio_garbage
        );
    }
    log::info!(
        "srt source: caller {stream_id} ended: {} TS packets lost{}",
        demux.continuity_errors(),
        if demux.skipped_streams().is_empty() {
            String::new()
        } else {
            format!(", stream types {:?} skipped", demux.skipped_streams())
        }
    );
}

/// The units' frames go to the outbox: a video unit is one frame, an audio unit one frame per
/// ADTS frame in it.
fn queue_frames(
    units: &mut Vec<TsUnit>,
    program: &mut Program,
    stream_id: &Arc<str>,
    ingest: &IngestHandle,
    shared: &CallerShared,
) {
    for unit in units.drain(..) {
        let rows = match unit.codec.media_kind() {
            MediaKind::Audio => audio_rows(&unit, program, stream_id, ingest, shared),
            MediaKind::Video => video_row(&unit, program, stream_id, ingest, shared)
                .into_iter()
                .collect(),
        };
        for (row, kind, bytes) in rows {
            shared.feed.outbox.frame(&ingest.id, row, kind, bytes);
        }
    }
    ingest.set_av_drift(program.sync.drift_ms());
}

/// What one frame's row is built from.
struct FrameValues<'a> {
    codec: Codec,
    pts: Option<i64>,
    dts: Option<i64>,
    keyframe: bool,
    frame_type: Option<&'static str>,
    width: Option<u32>,
    height: Option<u32>,
    data: &'a Bytes,
    complete: bool,
}

fn row(fields: &[Field], stream_id: &Arc<str>, f: FrameValues<'_>) -> Arc<[Value]> {
    let now = chrono::Utc::now().timestamp_millis();
    let long = |v: Option<i64>| v.map_or(Value::Null, Value::Long);
    let int = |v: Option<u32>| v.map_or(Value::Null, |n| Value::Int(n as i32));
    fields
        .iter()
        .map(|field| match field {
            Field::StreamId => Value::String(stream_id.clone()),
            Field::Codec => Value::from(f.codec.as_str()),
            Field::Media => Value::from(f.codec.media_kind().as_str()),
            Field::Pts => long(f.pts),
            Field::Dts => long(f.dts),
            Field::Keyframe => Value::Bool(f.keyframe),
            Field::FrameType => f.frame_type.map_or(Value::Null, Value::from),
            Field::Width => int(f.width),
            Field::Height => int(f.height),
            Field::Bytes => Value::Int(f.data.len() as i32),
            Field::Data => Value::Bytes(f.data.clone()),
            Field::Complete => Value::Bool(f.complete),
            Field::Timestamp => Value::Long(now),
        })
        .collect()
}

fn video_row(
    unit: &TsUnit,
    program: &mut Program,
    stream_id: &Arc<str>,
    ingest: &IngestHandle,
    shared: &CallerShared,
) -> Option<(Arc<[Value]>, FrameKind, u64)> {
    let format = match unit.codec {
        Codec::H264 => NalFormat::H264,
        Codec::Hevc => NalFormat::H265,
        _ => return None,
    };
    let track = program.tracks.entry(unit.pid).or_insert_with(|| Track {
        codec: unit.codec,
        inspector: Some(Inspector::new(format)),
    });
    let info = track.inspector.as_mut()?.inspect(&unit.data);
    ingest.set_video(VideoInfo {
        codec: Some(track.codec.as_str().to_string()),
        width: info.width,
        height: info.height,
    });
    let complete = !unit.damaged;
    if !complete {
        ingest.incomplete_frame();
        if !shared.emit_incomplete {
            return None;
        }
    }
    let pts = program.clock.ms(unit.pts);
    let dts = program.clock.ms(unit.dts).or(pts);
    if let Some(t) = dts {
        // Decode time: a frame is due at the decoder by then, B-frames or not.
        let arrival = program.arrival_ms();
        program.sync.observe(MediaKind::Video, t, arrival);
    }
    if let (true, Some(pts)) = (info.keyframe, pts) {
        ingest.keyframe_at(pts);
    }
    ingest.frame_counted(info.keyframe);
    let values = FrameValues {
        codec: unit.codec,
        pts,
        dts,
        keyframe: info.keyframe,
        frame_type: info.frame_type.map(|t| t.as_str()),
        width: info.width,
        height: info.height,
        data: &unit.data,
        complete,
    };
    Some((
        row(&shared.fields, stream_id, values),
        kind_of(info.keyframe, info.reference),
        unit.data.len() as u64,
    ))
}

/// An AAC PES: one row per ADTS frame, each timed 1024 samples after the one before.
fn audio_rows(
    unit: &TsUnit,
    program: &mut Program,
    stream_id: &Arc<str>,
    ingest: &IngestHandle,
    shared: &CallerShared,
) -> Vec<(Arc<[Value]>, FrameKind, u64)> {
    if unit.codec != Codec::Aac {
        return Vec::new();
    }
    program.tracks.entry(unit.pid).or_insert(Track {
        codec: unit.codec,
        inspector: None,
    });
    let complete = !unit.damaged;
    if !complete {
        ingest.incomplete_frame();
        if !shared.emit_incomplete {
            return Vec::new();
        }
    }
    let (frames, garbage) = adts::split(&unit.data);
    program.audio_garbage += garbage as u64;
    let arrival = program.arrival_ms();
    let mut rows = Vec::with_capacity(frames.len());
    for (i, f) in frames.iter().enumerate() {
        // 90 kHz ticks of the samples before this frame in the PES.
        let offset =
            |rate: u32| i as u64 * u64::from(adts::SAMPLES_PER_FRAME) * 90_000 / u64::from(rate);
        let pts = program
            .clock
            .ms(unit.pts.map(|p| p + offset(f.sample_rate)));
        if let Some(t) = pts {
            program.sync.observe(MediaKind::Audio, t, arrival);
        }
        ingest.audio_frame_counted();
        let data = unit.data.slice(f.range.clone());
        let values = FrameValues {
            codec: Codec::Aac,
            pts,
            dts: pts,
            keyframe: true,
            frame_type: None,
            width: None,
            height: None,
            data: &data,
            complete,
        };
        rows.push((
            row(&shared.fields, stream_id, values),
            kind_of(true, false),
            data.len() as u64,
        ));
    }
    rows
}

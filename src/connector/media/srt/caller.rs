//! One accepted SRT caller: its TS demultiplexed into access units, each video unit read for
//! keyframe, type and size and turned into a row, queued on the source's outbox (which sheds
//! or, with on.full='block', stops this task reading: SRT's flow control then slows the
//! sender).

use super::source::Field;
use crate::connector::ingest::{IngestHandle, IngestStream, VideoInfo};
use crate::connector::media::outbox::{kind_of, Feed};
use crate::media::annexb::Inspector;
use crate::media::codec::{Codec, MediaKind};
use crate::media::gop_queue::FrameKind;
use crate::media::nal::NalFormat;
use crate::media::timestamp::Unwrapper;
use crate::media::ts::{TsDemuxer, TsUnit};
use crate::value::Value;
use futures_util::StreamExt;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
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

/// Per video PID: its reader and clock.
struct Track {
    codec: Codec,
    inspector: Inspector,
    clock: Unwrapper,
    base: Option<i64>,
}

impl Track {
    fn ms(&mut self, ticks: Option<u64>) -> Option<i64> {
        let ext = self.clock.unwrap(ticks?);
        let base = *self.base.get_or_insert(ext);
        Some((ext - base) / 90)
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
    let mut tracks: HashMap<u16, Track> = HashMap::new();
    let mut units = Vec::new();
    let mut lost_reported = 0;
    let mut warned_audio = false;
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
        queue_frames(
            &mut units,
            &mut tracks,
            &stream_id,
            &ingest,
            &shared,
            &mut warned_audio,
        );
    }
    // The caller is gone (or is being let go): its last unit is whole.
    demux.flush(&mut units);
    queue_frames(
        &mut units,
        &mut tracks,
        &stream_id,
        &ingest,
        &shared,
        &mut warned_audio,
    );
    outbox.close(&ingest.id);
    let _ = shared.reports.send(Report::Closed(ingest.shared())).await;
    let _ = socket.close_and_finish().await;
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

/// The units' video frames go to the outbox.
fn queue_frames(
    units: &mut Vec<TsUnit>,
    tracks: &mut HashMap<u16, Track>,
    stream_id: &Arc<str>,
    ingest: &IngestHandle,
    shared: &CallerShared,
    warned_audio: &mut bool,
) {
    for unit in units.drain(..) {
        if unit.codec.media_kind() == MediaKind::Audio {
            if !*warned_audio {
                log::info!(
                    "srt source: caller {stream_id}: {} audio is not read yet; its PID {} is skipped",
                    unit.codec,
                    unit.pid
                );
                *warned_audio = true;
            }
            continue;
        }
        if let Some((row, kind)) = frame_row(&unit, tracks, stream_id, ingest, shared) {
            let bytes = unit.data.len() as u64;
            shared.feed.outbox.frame(&ingest.id, row, kind, bytes);
        }
    }
}

fn frame_row(
    unit: &TsUnit,
    tracks: &mut HashMap<u16, Track>,
    stream_id: &Arc<str>,
    ingest: &IngestHandle,
    shared: &CallerShared,
) -> Option<(Arc<[Value]>, FrameKind)> {
    let format = match unit.codec {
        Codec::H264 => NalFormat::H264,
        Codec::Hevc => NalFormat::H265,
        _ => return None,
    };
    let track = tracks.entry(unit.pid).or_insert_with(|| Track {
        codec: unit.codec,
        inspector: Inspector::new(format),
        clock: Unwrapper::new(33),
        base: None,
    });
    let info = track.inspector.inspect(&unit.data);
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
    let pts = track.ms(unit.pts);
    let dts = track.ms(unit.dts).or(pts);
    if let (true, Some(pts)) = (info.keyframe, pts) {
        ingest.keyframe_at(pts);
    }
    ingest.frame_counted(info.keyframe);
    let now = chrono::Utc::now().timestamp_millis();
    let long = |v: Option<i64>| v.map_or(Value::Null, Value::Long);
    let row: Vec<Value> = shared
        .fields
        .iter()
        .map(|f| match f {
            Field::StreamId => Value::String(stream_id.clone()),
            Field::Codec => Value::from(track.codec.as_str()),
            Field::Pts => long(pts),
            Field::Dts => long(dts),
            Field::Keyframe => Value::Bool(info.keyframe),
            Field::FrameType => info
                .frame_type
                .map_or(Value::Null, |t| Value::from(t.as_str())),
            Field::Width => info.width.map_or(Value::Null, |w| Value::Int(w as i32)),
            Field::Height => info.height.map_or(Value::Null, |h| Value::Int(h as i32)),
            Field::Bytes => Value::Int(unit.data.len() as i32),
            Field::Data => Value::Bytes(unit.data.clone()),
            Field::Complete => Value::Bool(complete),
            Field::Timestamp => Value::Long(now),
        })
        .collect();
    Some((row.into(), kind_of(info.keyframe, info.reference)))
}

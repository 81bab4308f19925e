//! The process's live media ingest streams (an RTSP or MJPEG pull today; SRT and RTP callers
//! next): what each is, where it comes from, what it carries and how it is doing. Video
//! sources register a connection when it opens and drop the handle when it closes; the control
//! plane lists them (`GET /streams`) and steers them (pause, resume, disconnect). One registry
//! per process, because a caller is a connection, whichever app it feeds.

use parking_lot::{Mutex, RwLock};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use crate::media::gop_queue::Drops;

/// What a video stream carries, as far as the source has learnt.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VideoInfo {
    /// `jpeg`, `h264`, `h265`, `av1`, `jpeg-xs`, ...
    pub codec: Option<String>,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

/// One live connection.
#[derive(Debug)]
pub struct IngestStream {
    pub id: String,
    /// `rtsp`, `mjpeg`, `srt`, `rtp`.
    pub kind: &'static str,
    /// Where it comes from, credentials removed.
    pub source: String,
    /// The EventFlux stream its frames go into.
    pub stream: String,
    pub created_at_ms: i64,
    /// What its events call it (`stream_id`): an SRT stream id, an RTP sender's address#SSRC.
    label: Mutex<Arc<str>>,
    last_heartbeat_ms: AtomicI64,
    video: Mutex<VideoInfo>,
    bytes: AtomicU64,
    packets: AtomicU64,
    lost: AtomicU64,
    /// Packets that came after they had been given up as lost.
    late: AtomicU64,
    sender_reports: AtomicU64,
    /// The pts of the latest keyframe, and its distance from the one before (ms; -1: none).
    last_keyframe_pts: AtomicI64,
    gop_ms: AtomicI64,
    frames: AtomicU64,
    keyframes: AtomicU64,
    /// Audio frames (not in `frames`, which counts video).
    audio_frames: AtomicU64,
    /// Audio against video on their common clock (see `media::av_sync`), ms.
    av_drift_ms: Mutex<Option<f64>>,
    /// Frames that arrived while paused (not emitted).
    paused_frames: AtomicU64,
    /// Frames not emitted because they were incomplete (lost packets).
    incomplete_frames: AtomicU64,
    paused: AtomicBool,
    disconnect: AtomicBool,
    /// Frames shed for a slow app (backpressure), by why.
    drops: Mutex<Drops>,
    /// Bytes of frames waiting for the app now, and the most ever.
    buffer_bytes: AtomicU64,
    buffer_peak_bytes: AtomicU64,
}

/// Counters of one stream, with its rates worked out by the registry's reader.
#[derive(Debug, Clone, PartialEq)]
pub struct IngestSnapshot {
    pub id: String,
    pub kind: &'static str,
    pub source: String,
    pub stream: String,
    /// What its events call it (see [`IngestStream::set_label`]).
    pub label: String,
    /// `live`, `paused`, `disconnecting`.
    pub status: &'static str,
    pub video: VideoInfo,
    pub created_at_ms: i64,
    pub last_heartbeat_ms: i64,
    pub bytes: u64,
    pub packets: u64,
    pub lost: u64,
    pub late: u64,
    /// RTCP sender reports received (RTP only).
    pub sender_reports: u64,
    pub frames: u64,
    pub keyframes: u64,
    pub audio_frames: u64,
    pub av_drift_ms: Option<f64>,
    /// Between the last two keyframes, by their pts.
    pub gop_ms: Option<i64>,
    pub paused_frames: u64,
    pub incomplete_frames: u64,
    pub dropped: Drops,
    pub buffer_bytes: u64,
    pub buffer_peak_bytes: u64,
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl IngestStream {
    /// Data arrived: `bytes` in `packets` packets (one call per read, not per byte).
    pub fn received(&self, bytes: u64, packets: u64) {
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
        self.packets.fetch_add(packets, Ordering::Relaxed);
        self.last_heartbeat_ms.store(now_ms(), Ordering::Relaxed);
    }

    pub fn lost(&self, packets: u64) {
        self.lost.fetch_add(packets, Ordering::Relaxed);
    }

    pub fn late(&self, packets: u64) {
        self.late.fetch_add(packets, Ordering::Relaxed);
    }

    pub fn sender_report(&self) {
        self.sender_reports.fetch_add(1, Ordering::Relaxed);
    }

    /// Names the stream as its events do (`stream_id`); the id until then.
    pub fn set_label(&self, label: Arc<str>) {
        *self.label.lock() = label;
    }

    pub fn label(&self) -> Arc<str> {
        self.label.lock().clone()
    }

    /// A keyframe with this pts (ms) went out: the GOP length is measured between two.
    pub fn keyframe_at(&self, pts_ms: i64) {
        let before = self.last_keyframe_pts.swap(pts_ms, Ordering::Relaxed);
        if before != i64::MIN && pts_ms > before {
            self.gop_ms.store(pts_ms - before, Ordering::Relaxed);
        }
    }

    /// Whether the control plane paused it.
    pub fn is_paused(&self) -> bool {
        self.paused.load(Ordering::Relaxed)
    }

    /// A whole frame was assembled. Returns false while the stream is paused: the caller
    /// drops the frame (it is counted here as paused).
    pub fn frame(&self, keyframe: bool) -> bool {
        self.frames.fetch_add(1, Ordering::Relaxed);
        if keyframe {
            self.keyframes.fetch_add(1, Ordering::Relaxed);
        }
        if self.paused.load(Ordering::Relaxed) {
            self.paused_frames.fetch_add(1, Ordering::Relaxed);
            return false;
        }
        true
    }

    /// A whole frame was assembled; the source's outbox decides whether it goes out.
    pub fn frame_counted(&self, keyframe: bool) {
        self.frames.fetch_add(1, Ordering::Relaxed);
        if keyframe {
            self.keyframes.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// An audio frame was received; the source's outbox decides whether it goes out.
    pub fn audio_frame_counted(&self) {
        self.audio_frames.fetch_add(1, Ordering::Relaxed);
    }

    /// The latest A/V drift measured, `None` while there is no audio and video pair.
    pub fn set_av_drift(&self, drift_ms: Option<f64>) {
        *self.av_drift_ms.lock() = drift_ms;
    }

    /// Frames held back while paused (`n` > 0), or replayed after a resume (`n` < 0).
    pub fn paused_frames(&self, n: i64) {
        if n >= 0 {
            self.paused_frames.fetch_add(n as u64, Ordering::Relaxed);
        } else {
            self.paused_frames
                .fetch_sub(n.unsigned_abs(), Ordering::Relaxed);
        }
    }

    /// What the outbox holds for this stream now, and what it shed so far.
    pub fn set_buffer(&self, bytes: u64, drops: Drops) {
        self.buffer_bytes.store(bytes, Ordering::Relaxed);
        self.buffer_peak_bytes.fetch_max(bytes, Ordering::Relaxed);
        *self.drops.lock() = drops;
    }

    /// A frame with a hole was assembled and not emitted.
    pub fn incomplete_frame(&self) {
        self.incomplete_frames.fetch_add(1, Ordering::Relaxed);
    }

    pub fn set_video(&self, video: VideoInfo) {
        let mut v = self.video.lock();
        if *v != video {
            *v = video;
        }
    }

    /// Whether the control plane asked to drop this connection.
    pub fn should_disconnect(&self) -> bool {
        self.disconnect.load(Ordering::Relaxed)
    }

    pub fn snapshot(&self) -> IngestSnapshot {
        IngestSnapshot {
            id: self.id.clone(),
            kind: self.kind,
            source: self.source.clone(),
            stream: self.stream.clone(),
            label: self.label().to_string(),
            status: if self.disconnect.load(Ordering::Relaxed) {
                "disconnecting"
            } else if self.paused.load(Ordering::Relaxed) {
                "paused"
            } else {
                "live"
            },
            video: self.video.lock().clone(),
            created_at_ms: self.created_at_ms,
            last_heartbeat_ms: self.last_heartbeat_ms.load(Ordering::Relaxed),
            bytes: self.bytes.load(Ordering::Relaxed),
            packets: self.packets.load(Ordering::Relaxed),
            lost: self.lost.load(Ordering::Relaxed),
            late: self.late.load(Ordering::Relaxed),
            sender_reports: self.sender_reports.load(Ordering::Relaxed),
            frames: self.frames.load(Ordering::Relaxed),
            keyframes: self.keyframes.load(Ordering::Relaxed),
            audio_frames: self.audio_frames.load(Ordering::Relaxed),
            av_drift_ms: *self.av_drift_ms.lock(),
            gop_ms: Some(self.gop_ms.load(Ordering::Relaxed)).filter(|g| *g >= 0),
            paused_frames: self.paused_frames.load(Ordering::Relaxed),
            incomplete_frames: self.incomplete_frames.load(Ordering::Relaxed),
            dropped: *self.drops.lock(),
            buffer_bytes: self.buffer_bytes.load(Ordering::Relaxed),
            buffer_peak_bytes: self.buffer_peak_bytes.load(Ordering::Relaxed),
        }
    }
}

/// Registered while alive: dropping it takes the stream off the list.
pub struct IngestHandle {
    stream: Arc<IngestStream>,
}

impl std::ops::Deref for IngestHandle {
    type Target = IngestStream;
    fn deref(&self) -> &IngestStream {
        &self.stream
    }
}

impl IngestHandle {
    /// The stream itself, readable after the handle is dropped (a last stats row).
    pub fn shared(&self) -> Arc<IngestStream> {
        self.stream.clone()
    }
}

impl Drop for IngestHandle {
    fn drop(&mut self) {
        registry().streams.write().remove(&self.stream.id);
    }
}

#[derive(Default)]
pub struct IngestRegistry {
    streams: RwLock<BTreeMap<String, Arc<IngestStream>>>,
    next: AtomicU64,
}

/// The process's registry.
pub fn registry() -> &'static IngestRegistry {
    static REGISTRY: OnceLock<IngestRegistry> = OnceLock::new();
    REGISTRY.get_or_init(IngestRegistry::default)
}

/// How a steering request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Steer {
    Done,
    NotFound,
}

impl IngestRegistry {
    /// Registers a connection that just opened; its id is `KIND-N`.
    pub fn open(&self, kind: &'static str, source: &str, stream: &str) -> IngestHandle {
        let n = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        let now = now_ms();
        let s = Arc::new(IngestStream {
            id: format!("{kind}-{n}"),
            kind,
            source: crate::connector::config::redact_url(source),
            stream: stream.to_string(),
            created_at_ms: now,
            label: Mutex::new(Arc::from(format!("{kind}-{n}"))),
            last_heartbeat_ms: AtomicI64::new(now),
            video: Mutex::new(VideoInfo::default()),
            bytes: AtomicU64::new(0),
            packets: AtomicU64::new(0),
            lost: AtomicU64::new(0),
            late: AtomicU64::new(0),
            sender_reports: AtomicU64::new(0),
            last_keyframe_pts: AtomicI64::new(i64::MIN),
            gop_ms: AtomicI64::new(-1),
            frames: AtomicU64::new(0),
            keyframes: AtomicU64::new(0),
            audio_frames: AtomicU64::new(0),
            av_drift_ms: Mutex::new(None),
            paused_frames: AtomicU64::new(0),
            incomplete_frames: AtomicU64::new(0),
            paused: AtomicBool::new(false),
            disconnect: AtomicBool::new(false),
            drops: Mutex::new(Drops::default()),
            buffer_bytes: AtomicU64::new(0),
            buffer_peak_bytes: AtomicU64::new(0),
        });
        self.streams.write().insert(s.id.clone(), s.clone());
        IngestHandle { stream: s }
    }

    pub fn list(&self) -> Vec<IngestSnapshot> {
        self.streams.read().values().map(|s| s.snapshot()).collect()
    }

    pub fn get(&self, id: &str) -> Option<IngestSnapshot> {
        self.streams.read().get(id).map(|s| s.snapshot())
    }

    fn steer(&self, id: &str, f: impl Fn(&IngestStream)) -> Steer {
        match self.streams.read().get(id) {
            Some(s) => {
                f(s);
                Steer::Done
            }
            None => Steer::NotFound,
        }
    }

    pub fn pause(&self, id: &str) -> Steer {
        self.steer(id, |s| s.paused.store(true, Ordering::Relaxed))
    }

    pub fn resume(&self, id: &str) -> Steer {
        self.steer(id, |s| s.paused.store(false, Ordering::Relaxed))
    }

    /// Asks the source to close this connection (it reconnects as its settings say).
    pub fn disconnect(&self, id: &str) -> Steer {
        self.steer(id, |s| s.disconnect.store(true, Ordering::Relaxed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_paused_stream_counts_frames_and_drops_them() {
        let h = registry().open("mjpeg", "http://u:p@cam/video", "Frames");
        assert!(h.id.starts_with("mjpeg-"));
        assert_eq!(h.source, "http://***@cam/video");
        assert!(h.frame(true));
        assert_eq!(registry().pause(&h.id), Steer::Done);
        assert!(!h.frame(false));
        let s = registry().get(&h.id).unwrap();
        assert_eq!(
            (s.status, s.frames, s.keyframes, s.paused_frames),
            ("paused", 2, 1, 1)
        );
        registry().resume(&h.id);
        assert!(h.frame(false));
        registry().disconnect(&h.id);
        assert!(h.should_disconnect());
        let id = h.id.clone();
        drop(h);
        assert!(registry().get(&id).is_none());
        assert_eq!(registry().pause(&id), Steer::NotFound);
    }
}

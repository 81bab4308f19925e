//! One RTP sender (one SSRC): its packets reordered, depacketized and assembled into frames,
//! its codec detected when not given, its counters kept in the ingest registry. No sockets:
//! packets and times in, frames out.

use super::params::Settings;
use crate::connector::ingest::{self, IngestHandle, VideoInfo};
use crate::media::codec::Codec;
use crate::media::detect::CodecDetector;
use crate::media::nal::NalFormat;
use crate::media::reorder::{Released, Reorder};
use crate::media::rtp::RtpHeader;
use crate::media::timestamp::Unwrapper;
use crate::media::video_frames::{FrameAssembler, VideoFrame};
use bytes::Bytes;
use std::net::SocketAddr;
use std::sync::Arc;

/// Packets held while the codec is still being detected.
const DETECT_PACKETS: usize = 256;

/// A frame ready to become an event.
pub(super) struct Emitted {
    pub stream_id: Arc<str>,
    /// The ingest stream's id: its outbox key.
    pub ingest_id: Arc<str>,
    pub ssrc: u32,
    pub frame: VideoFrame,
    pub codec: Codec,
    pub pts_ms: i64,
}

struct Packet {
    header: RtpHeader,
    payload: Bytes,
}

pub(super) struct Session {
    pub stream_id: Arc<str>,
    ingest_id: Arc<str>,
    pub ssrc: u32,
    reorder: Reorder<Packet>,
    codec: Option<Codec>,
    detector: CodecDetector,
    /// Ordered packets waiting for the codec to be known.
    undetected: Vec<Released<Packet>>,
    assembler: Option<FrameAssembler>,
    clock: Unwrapper,
    pub ingest: IngestHandle,
    pub last_packet_ms: i64,
    lost_reported: u64,
    late_reported: u64,
    released: Vec<Released<Packet>>,
    frames: Vec<VideoFrame>,
    /// Interarrival jitter (RFC 3550 A.8) in 90 kHz units, and the previous packet's transit.
    jitter: f64,
    last_transit: Option<i64>,
    /// The latest RTCP sender report (its NTP time, when it came) and where it came from:
    /// receiver reports go back there.
    pub last_sender_report: Option<(u64, i64)>,
    pub rtcp_peer: Option<SocketAddr>,
    /// Counts at the previous receiver report: (expected, received).
    reported: (u64, u64),
}

/// The RTP clock of video (RFC 6184, RFC 7798): 90 kHz, 90 ticks a ms.
const VIDEO_TICKS_PER_MS: i64 = 90;

fn format_of(codec: Codec) -> Option<NalFormat> {
    match codec {
        Codec::H264 => Some(NalFormat::H264),
        Codec::Hevc => Some(NalFormat::H265),
        _ => None,
    }
}

impl Session {
    pub fn new(
        settings: &Settings,
        stream: &str,
        peer: SocketAddr,
        ssrc: u32,
        now_ms: i64,
    ) -> Session {
        let stream_id: Arc<str> = Arc::from(format!("{peer}#{ssrc:08x}"));
        let ingest = ingest::registry().open("rtp", &peer.to_string(), stream);
        ingest.set_label(stream_id.clone());
        let mut s = Session {
            stream_id,
            ingest_id: Arc::from(ingest.id.as_str()),
            ssrc,
            reorder: Reorder::new(settings.reorder),
            codec: None,
            detector: CodecDetector::default(),
            undetected: Vec::new(),
            assembler: None,
            clock: Unwrapper::new(32),
            ingest,
            last_packet_ms: now_ms,
            lost_reported: 0,
            late_reported: 0,
            released: Vec::new(),
            frames: Vec::new(),
            jitter: 0.0,
            last_transit: None,
            last_sender_report: None,
            rtcp_peer: None,
            reported: (0, 0),
        };
        if let Some(c) = settings.codec {
            s.set_codec(c, settings);
        }
        s
    }

    fn set_codec(&mut self, codec: Codec, settings: &Settings) {
        let Some(format) = format_of(codec) else {
            return;
        };
        let mut a = FrameAssembler::new(format);
        if let Some(sdp) = &settings.sdp {
            a.add_parameter_sets(&sdp.parameter_sets);
        }
        self.codec = Some(codec);
        self.assembler = Some(a);
        self.ingest.set_video(VideoInfo {
            codec: Some(codec.as_str().to_string()),
            width: None,
            height: None,
        });
    }

    /// A received packet; frames it completes are appended to `out`.
    pub fn push(
        &mut self,
        header: RtpHeader,
        payload: Bytes,
        now_ms: i64,
        settings: &Settings,
        out: &mut Vec<Emitted>,
    ) {
        self.last_packet_ms = now_ms;
        self.ingest.received(payload.len() as u64 + 12, 1);
        let transit = now_ms * VIDEO_TICKS_PER_MS - i64::from(header.timestamp);
        if let Some(last) = self.last_transit {
            // Differences of 32-bit RTP times: wrapped into i32 range.
            let d = i64::from(((transit - last) as i32).unsigned_abs());
            self.jitter += (d as f64 - self.jitter) / 16.0;
        }
        self.last_transit = Some(transit);
        let mut released = std::mem::take(&mut self.released);
        self.reorder.push(
            header.sequence,
            now_ms,
            Packet { header, payload },
            &mut released,
        );
        self.assemble(&mut released, settings, out);
        self.released = released;
    }

    /// Time passes: packets waiting too long for a missing one are released.
    pub fn tick(&mut self, now_ms: i64, settings: &Settings, out: &mut Vec<Emitted>) {
        let mut released = std::mem::take(&mut self.released);
        self.reorder.tick(now_ms, &mut released);
        self.assemble(&mut released, settings, out);
        self.released = released;
    }

    /// The sender went quiet: everything held goes out.
    pub fn close(&mut self, settings: &Settings, out: &mut Vec<Emitted>) {
        let mut released = std::mem::take(&mut self.released);
        self.reorder.flush(&mut released);
        if self.codec.is_none() && !self.undetected.is_empty() {
            log::warn!(
                "rtp source: stream {}: the codec could not be told from {} packets; set codec='h264' or 'hevc'",
                self.stream_id,
                self.undetected.len()
            );
        }
        self.assemble(&mut released, settings, out);
        if let Some(a) = self.assembler.as_mut() {
            a.flush(&mut self.frames);
        }
        self.drain_frames(settings, out);
    }

    fn assemble(
        &mut self,
        released: &mut Vec<Released<Packet>>,
        settings: &Settings,
        out: &mut Vec<Emitted>,
    ) {
        let lost = self.reorder.stats.lost;
        if lost > self.lost_reported {
            self.ingest.lost(lost - self.lost_reported);
            self.lost_reported = lost;
        }
        let late = self.reorder.stats.late;
        if late > self.late_reported {
            self.ingest.late(late - self.late_reported);
            self.late_reported = late;
        }
        if self.codec.is_none() {
            for r in released.iter() {
                if let Some(c) = self.detector.push(&r.packet.payload) {
                    log::info!("rtp source: stream {}: detected {c}", self.stream_id);
                    self.set_codec(c, settings);
                    break;
                }
            }
            if self.codec.is_none() {
                self.undetected.append(released);
                if self.undetected.len() > DETECT_PACKETS {
                    // Give up holding: the oldest packets are dropped, counted as lost.
                    let extra = self.undetected.len() - DETECT_PACKETS;
                    self.undetected.drain(..extra);
                    self.ingest.lost(extra as u64);
                }
                return;
            }
            let mut held = std::mem::take(&mut self.undetected);
            held.append(released);
            *released = held;
        }
        let Some(a) = self.assembler.as_mut() else {
            released.clear();
            return;
        };
        for r in released.drain(..) {
            let h = r.packet.header;
            a.push(
                h.timestamp,
                h.marker,
                &r.packet.payload,
                r.gap_before,
                &mut self.frames,
            );
        }
        self.drain_frames(settings, out);
    }

    fn drain_frames(&mut self, settings: &Settings, out: &mut Vec<Emitted>) {
        let Some(codec) = self.codec else { return };
        for frame in self.frames.drain(..) {
            if frame.width.is_some() {
                self.ingest.set_video(VideoInfo {
                    codec: Some(codec.as_str().to_string()),
                    width: frame.width,
                    height: frame.height,
                });
            }
            if !frame.complete {
                self.ingest.incomplete_frame();
                if !settings.emit_incomplete {
                    continue;
                }
            }
            let pts_ms = self.clock.millis(u64::from(frame.rtp_timestamp), 90_000);
            if frame.keyframe {
                self.ingest.keyframe_at(pts_ms);
            }
            // Counted here; the outbox holds it back while paused.
            self.ingest.frame_counted(frame.keyframe);
            out.push(Emitted {
                stream_id: self.stream_id.clone(),
                ingest_id: self.ingest_id.clone(),
                ssrc: self.ssrc,
                frame,
                codec,
                pts_ms,
            });
        }
    }

    /// Frames held back because they were incomplete, over the session.
    /// What a receiver report says of this sender now; the next one counts from here.
    pub fn reception(&mut self, now_ms: i64) -> crate::media::rtcp::Reception {
        let s = self.reorder.stats;
        let in_order = s.received.saturating_sub(s.duplicates + s.late);
        let expected = in_order + s.lost;
        let (expected_before, received_before) = self.reported;
        self.reported = (expected, in_order);
        crate::media::rtcp::Reception {
            source_ssrc: self.ssrc,
            expected: expected.saturating_sub(expected_before),
            received: in_order.saturating_sub(received_before),
            cumulative_lost: s.lost as i64 - s.late as i64,
            extended_highest_seq: self.reorder.extended_highest().unwrap_or(0),
            jitter: self.jitter as u32,
            last_sender_report: self.last_sender_report.map(|(ntp, at)| (ntp, now_ms - at)),
        }
    }

    pub fn incomplete(&self) -> u64 {
        self.assembler.as_ref().map_or(0, |a| a.stats.incomplete)
    }

    pub fn lost(&self) -> u64 {
        self.reorder.stats.lost
    }
}

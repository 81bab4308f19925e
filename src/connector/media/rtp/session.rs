//! One RTP sender (one SSRC): its packets reordered, depacketized and assembled into frames
//! (H.264/H.265 access units, JPEG frames, audio packets), its codec detected when not given,
//! its times put on the clock it shares with its audio or video partner (see
//! [`SyncGroup`]), its counters kept in the ingest registry. No sockets: packets and times in,
//! frames out.

use super::params::Settings;
use crate::connector::ingest::{self, IngestHandle, VideoInfo};
use crate::media::av1::{Av1Depacketizer, TemporalUnit};
use crate::media::av_sync::{AvSync, SenderClock};
use crate::media::codec::{Codec, MediaKind};
use crate::media::detect::CodecDetector;
use crate::media::h26x::FrameType;
use crate::media::jpeg_xs::{JpegXsDepacketizer, XsFrame};
use crate::media::nal::NalFormat;
use crate::media::reorder::{Released, Reorder};
use crate::media::rfc2435::JpegDepacketizer;
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
    pub codec: Codec,
    pub pts_ms: i64,
    pub data: Bytes,
    pub keyframe: bool,
    pub reference: bool,
    pub frame_type: Option<FrameType>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub complete: bool,
}

/// The audio and video sessions of one sender (one host), on one clock. A host's first video
/// and first audio session pair up; a second one of a kind keeps its own clock.
#[derive(Debug, Default)]
pub(super) struct SyncGroup {
    pub video: Option<u32>,
    pub audio: Option<u32>,
    pub sync: AvSync,
}

impl SyncGroup {
    /// Takes the slot of `media` for `ssrc`; false when another session holds it.
    pub fn join(&mut self, media: MediaKind, ssrc: u32) -> bool {
        let slot = match media {
            MediaKind::Video => &mut self.video,
            MediaKind::Audio => &mut self.audio,
        };
        match slot {
            Some(other) => *other == ssrc,
            None => {
                *slot = Some(ssrc);
                true
            }
        }
    }

    /// `ssrc` left; true when the group is empty.
    pub fn leave(&mut self, ssrc: u32) -> bool {
        if self.video == Some(ssrc) {
            self.video = None;
            self.sync.forget(MediaKind::Video);
        }
        if self.audio == Some(ssrc) {
            self.audio = None;
            self.sync.forget(MediaKind::Audio);
        }
        self.video.is_none() && self.audio.is_none()
    }
}

struct Packet {
    header: RtpHeader,
    payload: Bytes,
}

/// How a codec's payloads become frames.
enum Depacketizer {
    Nal(FrameAssembler),
    Jpeg(JpegDepacketizer),
    Av1(Av1Depacketizer, Vec<TemporalUnit>),
    JpegXs(JpegXsDepacketizer, Vec<XsFrame>),
    /// Each packet is one audio frame (Opus, RFC 7587), or a run of samples (L16, G.711).
    Audio,
}

pub(super) struct Session {
    pub stream_id: Arc<str>,
    ingest_id: Arc<str>,
    pub ssrc: u32,
    pub peer: SocketAddr,
    /// The payload type of its first packet: its SDP format.
    payload_type: u8,
    reorder: Reorder<Packet>,
    codec: Option<Codec>,
    detector: CodecDetector,
    /// Ordered packets waiting for the codec to be known.
    undetected: Vec<Released<Packet>>,
    depacketizer: Option<Depacketizer>,
    /// Its payload type's codec is one this source does not read: packets are dropped.
    unreadable: bool,
    clock: Unwrapper,
    rate: u32,
    /// RTP time against the sender's wall clock, from RTCP.
    pub sender_clock: SenderClock,
    /// Whether it holds its host's audio or video slot (its times on the common clock).
    pub synced: bool,
    pub ingest: IngestHandle,
    pub last_packet_ms: i64,
    lost_reported: u64,
    late_reported: u64,
    released: Vec<Released<Packet>>,
    frames: Vec<VideoFrame>,
    /// JPEG frames lost to a hole.
    jpeg_incomplete: u64,
    /// Interarrival jitter (RFC 3550 A.8) in RTP units, and the previous packet's transit.
    jitter: f64,
    last_transit: Option<i64>,
    /// The latest RTCP sender report (its NTP time, when it came) and where it came from (the
    /// RTCP socket's index and the peer): receiver reports go back there.
    pub last_sender_report: Option<(u64, i64)>,
    pub rtcp_peer: Option<(usize, SocketAddr)>,
    /// Counts at the previous receiver report: (expected, received).
    reported: (u64, u64),
}

fn format_of(codec: Codec) -> Option<NalFormat> {
    match codec {
        Codec::H264 => Some(NalFormat::H264),
        Codec::Hevc => Some(NalFormat::H265),
        _ => None,
    }
}

impl Session {
    /// A new sender, from its first packet.
    pub fn new(
        settings: &Settings,
        stream: &str,
        peer: SocketAddr,
        header: &RtpHeader,
        now_ms: i64,
    ) -> Session {
        let ssrc = header.ssrc;
        let stream_id: Arc<str> = Arc::from(format!("{peer}#{ssrc:08x}"));
        let ingest = ingest::registry().open("rtp", &peer.to_string(), stream);
        ingest.set_label(stream_id.clone());
        let mut s = Session {
            stream_id,
            ingest_id: Arc::from(ingest.id.as_str()),
            ssrc,
            peer,
            payload_type: header.payload_type,
            reorder: Reorder::new(settings.reorder),
            codec: None,
            detector: CodecDetector::default(),
            undetected: Vec::new(),
            depacketizer: None,
            unreadable: false,
            clock: Unwrapper::new(32),
            rate: 90_000,
            sender_clock: SenderClock::new(90_000),
            synced: false,
            ingest,
            last_packet_ms: now_ms,
            lost_reported: 0,
            late_reported: 0,
            released: Vec::new(),
            frames: Vec::new(),
            jpeg_incomplete: 0,
            jitter: 0.0,
            last_transit: None,
            last_sender_report: None,
            rtcp_peer: None,
            reported: (0, 0),
        };
        match settings.codec_of(header.payload_type) {
            Ok(Some(c)) => s.set_codec(c, settings),
            Ok(None) => {}
            Err(e) => {
                log::warn!(
                    "rtp source: stream {}: {e}; its packets are dropped",
                    s.stream_id
                );
                s.unreadable = true;
            }
        }
        s
    }

    /// Audio or video: what its codec is (video until an audio codec is known).
    pub fn media(&self) -> MediaKind {
        self.codec.map_or(MediaKind::Video, Codec::media_kind)
    }

    fn set_codec(&mut self, codec: Codec, settings: &Settings) {
        let depacketizer = match (format_of(codec), codec) {
            (Some(format), _) => {
                let mut a = FrameAssembler::new(format);
                if let Some(f) = settings.format(self.payload_type) {
                    a.add_parameter_sets(&f.parameter_sets);
                }
                Depacketizer::Nal(a)
            }
            (None, Codec::Jpeg) => Depacketizer::Jpeg(JpegDepacketizer::new()),
            (None, Codec::Av1) => Depacketizer::Av1(Av1Depacketizer::new(), Vec::new()),
            (None, Codec::JpegXs) => Depacketizer::JpegXs(JpegXsDepacketizer::new(), Vec::new()),
            (None, _) => Depacketizer::Audio,
        };
        self.rate = settings.clock_rate(self.payload_type, codec);
        self.sender_clock = SenderClock::new(self.rate);
        self.codec = Some(codec);
        self.depacketizer = Some(depacketizer);
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
        group: Option<&mut SyncGroup>,
        out: &mut Vec<Emitted>,
    ) {
        self.last_packet_ms = now_ms;
        self.ingest.received(payload.len() as u64 + 12, 1);
        let ticks_per_ms = f64::from(self.rate) / 1000.0;
        let transit = (now_ms as f64 * ticks_per_ms) as i64 - i64::from(header.timestamp);
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
        self.assemble(&mut released, now_ms, settings, group, out);
        self.released = released;
    }

    /// Time passes: packets waiting too long for a missing one are released.
    pub fn tick(
        &mut self,
        now_ms: i64,
        settings: &Settings,
        group: Option<&mut SyncGroup>,
        out: &mut Vec<Emitted>,
    ) {
        let mut released = std::mem::take(&mut self.released);
        self.reorder.tick(now_ms, &mut released);
        self.assemble(&mut released, now_ms, settings, group, out);
        self.released = released;
    }

    /// The sender went quiet: everything held goes out.
    pub fn close(
        &mut self,
        now_ms: i64,
        settings: &Settings,
        mut group: Option<&mut SyncGroup>,
        out: &mut Vec<Emitted>,
    ) {
        let mut released = std::mem::take(&mut self.released);
        self.reorder.flush(&mut released);
        if self.codec.is_none() && !self.undetected.is_empty() {
            log::warn!(
                "rtp source: stream {}: the codec could not be told from {} packets; set codec='h264', 'hevc' or 'jpeg' (audio needs codec or sdp.file)",
                self.stream_id,
                self.undetected.len()
            );
        }
        self.assemble(&mut released, now_ms, settings, group.as_deref_mut(), out);
        match self.depacketizer.as_mut() {
            Some(Depacketizer::Nal(a)) => a.flush(&mut self.frames),
            Some(Depacketizer::Av1(d, units)) => {
                d.flush(units);
                self.frames.extend(units.drain(..).map(av1_frame));
            }
            Some(Depacketizer::JpegXs(d, frames)) => {
                d.flush(frames);
                self.frames.extend(frames.drain(..).map(jpeg_xs_frame));
            }
            _ => {}
        }
        self.drain_frames(now_ms, settings, group, out);
    }

    fn assemble(
        &mut self,
        released: &mut Vec<Released<Packet>>,
        now_ms: i64,
        settings: &Settings,
        group: Option<&mut SyncGroup>,
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
        if self.unreadable {
            released.clear();
            return;
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
        match self.depacketizer.as_mut() {
            None => released.clear(),
            Some(Depacketizer::Nal(a)) => {
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
            }
            Some(Depacketizer::Jpeg(d)) => {
                for r in released.drain(..) {
                    let h = r.packet.header;
                    match d.push(&r.packet.payload, h.marker) {
                        Ok(Some(jpeg)) => self.frames.push(jpeg_frame(h.timestamp, jpeg)),
                        Ok(None) => {}
                        // A hole: the frame is gone (RFC 2435 cannot say where its data sat).
                        Err(_) => self.jpeg_incomplete += 1,
                    }
                }
            }
            Some(Depacketizer::Av1(d, units)) => {
                for r in released.drain(..) {
                    let h = r.packet.header;
                    d.push(
                        h.timestamp,
                        h.marker,
                        &r.packet.payload,
                        r.gap_before,
                        units,
                    );
                }
                self.frames.extend(units.drain(..).map(av1_frame));
            }
            Some(Depacketizer::JpegXs(d, frames)) => {
                for r in released.drain(..) {
                    let h = r.packet.header;
                    d.push(h.timestamp, h.marker, r.packet.payload, frames);
                }
                self.frames.extend(frames.drain(..).map(jpeg_xs_frame));
            }
            Some(Depacketizer::Audio) => {
                for r in released.drain(..) {
                    self.frames
                        .push(audio_frame(r.packet.header.timestamp, r.packet.payload));
                }
            }
        }
        self.drain_frames(now_ms, settings, group, out);
    }

    fn drain_frames(
        &mut self,
        now_ms: i64,
        settings: &Settings,
        mut group: Option<&mut SyncGroup>,
        out: &mut Vec<Emitted>,
    ) {
        let Some(codec) = self.codec else { return };
        let media = codec.media_kind();
        for _ in 0..std::mem::take(&mut self.jpeg_incomplete) {
            self.ingest.incomplete_frame();
        }
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
            let ext = self.clock.unwrap(u64::from(frame.rtp_timestamp));
            let own_ms = self.clock.millis_of(ext, self.rate);
            let pts_ms = match (
                group.as_deref_mut(),
                self.sender_clock.wall_ms(&self.clock, ext),
            ) {
                (Some(g), Some(wall)) => {
                    let pts = g.sync.common_ms(wall, own_ms);
                    g.sync.observe(media, pts, now_ms);
                    pts
                }
                _ => own_ms,
            };
            // Counted here; the outbox holds it back while paused.
            match media {
                MediaKind::Video => {
                    if frame.keyframe {
                        self.ingest.keyframe_at(pts_ms);
                    }
                    self.ingest.frame_counted(frame.keyframe);
                }
                MediaKind::Audio => self.ingest.audio_frame_counted(),
            }
            out.push(Emitted {
                stream_id: self.stream_id.clone(),
                ingest_id: self.ingest_id.clone(),
                ssrc: self.ssrc,
                codec,
                pts_ms,
                data: frame.data,
                keyframe: frame.keyframe,
                reference: frame.reference,
                frame_type: frame.frame_type,
                width: frame.width,
                height: frame.height,
                complete: frame.complete,
            });
        }
    }

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

    /// Frames held back because they were incomplete, over the session.
    pub fn incomplete(&self) -> u64 {
        self.ingest.snapshot().incomplete_frames
    }

    pub fn lost(&self) -> u64 {
        self.reorder.stats.lost
    }
}

/// A JPEG frame as a frame: every one a keyframe nothing else references.
fn jpeg_frame(rtp_timestamp: u32, data: Bytes) -> VideoFrame {
    let size = crate::media::jpeg::parse(&data).ok();
    VideoFrame {
        rtp_timestamp,
        data,
        keyframe: true,
        frame_type: Some(FrameType::I),
        reference: false,
        complete: true,
        width: size.as_ref().map(|i| u32::from(i.width)),
        height: size.as_ref().map(|i| u32::from(i.height)),
    }
}

/// An AV1 temporal unit as a frame: I for intra frames, P for the others (AV1 has no B
/// frames); every one counts as referenced.
fn av1_frame(u: TemporalUnit) -> VideoFrame {
    VideoFrame {
        rtp_timestamp: u.rtp_timestamp,
        data: u.data,
        keyframe: u.keyframe,
        frame_type: u.intra.map(|i| if i { FrameType::I } else { FrameType::P }),
        reference: true,
        complete: u.complete,
        width: u.width,
        height: u.height,
    }
}

/// A JPEG XS frame as a frame: intra only, a keyframe nothing else references.
fn jpeg_xs_frame(f: XsFrame) -> VideoFrame {
    VideoFrame {
        rtp_timestamp: f.rtp_timestamp,
        data: f.data,
        keyframe: true,
        frame_type: Some(FrameType::I),
        reference: false,
        complete: f.complete,
        width: f.width,
        height: f.height,
    }
}

/// An audio packet's payload as a frame (independent: a keyframe for the backpressure queue).
fn audio_frame(rtp_timestamp: u32, data: Bytes) -> VideoFrame {
    VideoFrame {
        rtp_timestamp,
        data,
        keyframe: true,
        frame_type: None,
        reference: false,
        complete: true,
        width: None,
        height: None,
    }
}

//! One stream's RTP sender: turns each event's payload into whole RTP packets once, for every
//! client to share. JPEG frames go through the RFC 2435 packetizer on a 90 kHz clock from the
//! event time; PCM through the L16 packetizer, timed by its samples.

use super::params::MediaKind;
use crate::media::l16::L16Packetizer;
use crate::media::rfc2435::JpegPacketizer;
use crate::media::rtcp::{sender_report, SenderCounts, SenderInfo};
use crate::media::rtp::{write_packet, RtpClock, RtpHeader, Sequencer};
use crate::media::sdp::{payload_type, TrackFormat};
use bytes::Bytes;
use std::sync::Arc;

/// The RTP packets of one frame (or of the audio packets one event completed).
pub(super) type Packets = Arc<[Bytes]>;

enum Payloader {
    Jpeg {
        packetizer: JpegPacketizer,
        clock: RtpClock,
    },
    L16(L16Packetizer),
}

pub(super) struct RtpSender {
    payloader: Payloader,
    payload_type: u8,
    sequencer: Sequencer,
    ssrc: u32,
    counts: SenderCounts,
    /// The RTP time and wall time of the last packet, for sender reports.
    last: Option<(u32, i64)>,
    rate: u32,
    next_seq: u16,
    /// The RTP time of the first packet, announced in RTP-Info before any is sent.
    start_ts: u32,
}

impl RtpSender {
    pub(super) fn new(
        media: MediaKind,
        format: TrackFormat,
        mtu: usize,
        packet_ms: u32,
    ) -> Result<RtpSender, String> {
        let start_seq = fastrand::u16(..);
        let start_ts = fastrand::u32(..);
        let (payload_type, _) = payload_type(format, 96);
        let (payloader, rate) = match (media, format) {
            (MediaKind::Audio, TrackFormat::L16 { rate, channels }) => (
                Payloader::L16(
                    L16Packetizer::new(rate, channels, packet_ms, start_ts)
                        .map_err(|e| e.to_string())?,
                ),
                rate,
            ),
            _ => (
                Payloader::Jpeg {
                    packetizer: JpegPacketizer::new(mtu),
                    clock: RtpClock::new(RtpClock::VIDEO_RATE, start_ts),
                },
                RtpClock::VIDEO_RATE,
            ),
        };
        Ok(RtpSender {
            payloader,
            payload_type,
            sequencer: Sequencer::new(start_seq),
            ssrc: fastrand::u32(..),
            counts: SenderCounts::default(),
            last: None,
            rate,
            next_seq: start_seq,
            start_ts,
        })
    }

    /// The sequence number and RTP time the next packet will have (for RTP-Info).
    pub(super) fn next(&self, now_ms: i64) -> (u16, u32) {
        let rtptime = match self.last {
            Some((ts, at)) => ts.wrapping_add(self.elapsed_ticks(at, now_ms)),
            None => self.start_ts,
        };
        (self.next_seq, rtptime)
    }

    fn elapsed_ticks(&self, from_ms: i64, to_ms: i64) -> u32 {
        let ms = (to_ms - from_ms).max(0) as u64;
        (ms * u64::from(self.rate) / 1000) as u32
    }

    /// The packets for one event's payload; `Err` says why it cannot be sent.
    pub(super) fn packets(&mut self, event_ms: i64, payload: &[u8]) -> Result<Packets, String> {
        let mut out = Vec::new();
        match &mut self.payloader {
            Payloader::Jpeg { packetizer, clock } => {
                let payloads = packetizer.packetize(payload).map_err(|e| e.to_string())?;
                let timestamp = clock.timestamp(event_ms);
                let n = payloads.len();
                for (i, p) in payloads.iter().enumerate() {
                    out.push(self.packet(p, timestamp, i + 1 == n)?);
                }
                self.last = Some((timestamp, event_ms));
            }
            Payloader::L16(packetizer) => {
                if !payload.len().is_multiple_of(2) {
                    return Err(format!(
                        "{} bytes of PCM is not a whole number of 16-bit samples",
                        payload.len()
                    ));
                }
                let packets = packetizer.push(payload);
                for p in &packets {
                    out.push(self.packet(&p.payload, p.timestamp, false)?);
                }
                if let Some(p) = packets.last() {
                    self.last = Some((p.timestamp, event_ms));
                }
            }
        }
        Ok(out.into())
    }

    fn packet(&mut self, payload: &[u8], timestamp: u32, marker: bool) -> Result<Bytes, String> {
        let sequence = self.sequencer.next_seq();
        self.next_seq = sequence.wrapping_add(1);
        self.counts.on_packet(payload.len());
        write_packet(
            &RtpHeader {
                payload_type: self.payload_type,
                marker,
                sequence,
                timestamp,
                ssrc: self.ssrc,
            },
            payload,
        )
        .map_err(|e| e.to_string())
    }

    /// A sender report for now, once a packet was sent.
    pub(super) fn report(&self, now_ms: i64) -> Option<Bytes> {
        let (ts, at) = self.last?;
        sender_report(&SenderInfo {
            ssrc: self.ssrc,
            wall_ms: now_ms,
            rtp_timestamp: ts.wrapping_add(self.elapsed_ticks(at, now_ms)),
            counts: self.counts,
            cname: "eventflux".into(),
        })
        .ok()
    }
}

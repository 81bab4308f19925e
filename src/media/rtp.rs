//! RTP packets (RFC 3550) on top of `rtp-types`: the header fields we set and read, sequence
//! numbers that wrap, and [`RtpClock`], which turns event times in ms into media timestamps.

use bytes::Bytes;
use rtp_types::{RtpPacket, RtpPacketBuilder};

/// RTP header fields as a sender sets them (no CSRCs, no extension).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RtpHeader {
    pub payload_type: u8,
    pub marker: bool,
    pub sequence: u16,
    pub timestamp: u32,
    pub ssrc: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum RtpError {
    #[error("bad RTP packet: {0}")]
    Parse(#[from] rtp_types::RtpParseError),
    #[error("cannot write RTP packet: {0}")]
    Write(#[from] rtp_types::RtpWriteError),
}

/// A whole RTP packet: 12-byte header then `payload`.
pub fn write_packet(h: &RtpHeader, payload: &[u8]) -> Result<Bytes, RtpError> {
    let packet = RtpPacketBuilder::<&[u8], &[u8]>::new()
        .payload_type(h.payload_type)
        .marker_bit(h.marker)
        .sequence_number(h.sequence)
        .timestamp(h.timestamp)
        .ssrc(h.ssrc)
        .payload(payload)
        .write_vec()?;
    Ok(Bytes::from(packet))
}

/// The header and payload of a received packet (padding removed by the parser).
pub fn read_packet(data: &[u8]) -> Result<(RtpHeader, &[u8]), RtpError> {
    let p = RtpPacket::parse(data)?;
    let h = RtpHeader {
        payload_type: p.payload_type(),
        marker: p.marker_bit(),
        sequence: p.sequence_number(),
        timestamp: p.timestamp(),
        ssrc: p.ssrc(),
    };
    let range = p.payload_offset()..p.payload_offset() + p.payload_len();
    Ok((h, data.get(range).unwrap_or_default()))
}

/// How far sequence number `b` is after `a`, across the 16-bit wrap (negative = before).
pub fn seq_delta(a: u16, b: u16) -> i16 {
    b.wrapping_sub(a) as i16
}

/// Hands out sequence numbers from a (preferably random) start, wrapping at 65535.
#[derive(Debug, Clone)]
pub struct Sequencer {
    next: u16,
}

impl Sequencer {
    pub fn new(start: u16) -> Self {
        Sequencer { next: start }
    }

    pub fn next_seq(&mut self) -> u16 {
        let s = self.next;
        self.next = self.next.wrapping_add(1);
        s
    }
}

/// Media timestamps (90 kHz for video, the sample rate for audio) from event times in ms.
/// The first event maps to `start`; later ones advance by elapsed time at `rate`, wrapping at
/// 2^32 as RTP timestamps do. Events earlier than the first map before `start`.
#[derive(Debug, Clone)]
pub struct RtpClock {
    rate: u32,
    start: u32,
    first_ms: Option<i64>,
}

impl RtpClock {
    pub const VIDEO_RATE: u32 = 90_000;

    pub fn new(rate: u32, start: u32) -> Self {
        RtpClock {
            rate,
            start,
            first_ms: None,
        }
    }

    pub fn rate(&self) -> u32 {
        self.rate
    }

    pub fn timestamp(&mut self, event_ms: i64) -> u32 {
        let first = *self.first_ms.get_or_insert(event_ms);
        let ticks = (i128::from(event_ms) - i128::from(first)) * i128::from(self.rate) / 1000;
        // Reduce mod 2^32 first so the cast below cannot lose meaning.
        let ticks = ticks.rem_euclid(1 << 32) as u32;
        self.start.wrapping_add(ticks)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packets_round_trip() {
        let h = RtpHeader {
            payload_type: 26,
            marker: true,
            sequence: 65535,
            timestamp: 0xDEAD_BEEF,
            ssrc: 42,
        };
        let pkt = write_packet(&h, b"payload").unwrap();
        assert_eq!(pkt.len(), 12 + 7);
        assert_eq!(pkt[0] >> 6, 2, "version 2");
        let (got, payload) = read_packet(&pkt).unwrap();
        assert_eq!(got, h);
        assert_eq!(payload, b"payload");
        assert!(read_packet(&pkt[..5]).is_err());
        assert!(read_packet(&[]).is_err());
    }

    #[test]
    fn sequence_numbers_wrap() {
        let mut s = Sequencer::new(65534);
        assert_eq!(
            [s.next_seq(), s.next_seq(), s.next_seq()],
            [65534, 65535, 0]
        );
        assert_eq!(seq_delta(65535, 1), 2);
        assert_eq!(seq_delta(1, 65535), -2);
    }

    #[test]
    fn clock_from_event_ms() {
        let mut v = RtpClock::new(RtpClock::VIDEO_RATE, 1000);
        assert_eq!(v.timestamp(1_700_000_000_000), 1000);
        assert_eq!(v.timestamp(1_700_000_000_040), 1000 + 3600);
        assert_eq!(v.timestamp(1_700_000_001_000), 1000 + 90_000);
        assert_eq!(v.timestamp(1_699_999_999_999), 1000 - 90);
        let mut a = RtpClock::new(48_000, u32::MAX);
        a.timestamp(0);
        assert_eq!(a.timestamp(20), 959, "wraps");
        // A day at 90 kHz is past 2^32 ticks: still no overflow.
        let _ = v.timestamp(1_700_000_000_000 + 86_400_000);
    }
}

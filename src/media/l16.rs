//! L16 audio (RFC 3551): little-endian 16-bit PCM in, big-endian RTP payloads of a fixed
//! duration out. Input may end mid-sample or mid-packet; the rest waits for the next call.

use bytes::{BufMut, Bytes, BytesMut};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum L16Error {
    #[error("sample rate, channels and packet duration must be over zero")]
    Zero,
    #[error("{packet_ms} ms at {sample_rate} Hz is not a whole number of samples")]
    Fraction { sample_rate: u32, packet_ms: u32 },
    #[error("a {0}-byte packet is over the 65000-byte limit")]
    TooLarge(usize),
}

/// One payload and the RTP timestamp of its first sample.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct L16Packet {
    pub payload: Bytes,
    pub timestamp: u32,
}

/// Cuts PCM into packets of `packet_ms`; the RTP timestamp advances by samples per channel.
#[derive(Debug, Clone)]
pub struct L16Packetizer {
    samples_per_packet: u32,
    packet_bytes: usize,
    /// Bytes of one sample for every channel.
    frame_bytes: usize,
    pending: BytesMut,
    timestamp: u32,
}

impl L16Packetizer {
    pub const DEFAULT_PACKET_MS: u32 = 20;

    /// Note that 20 ms of 48 kHz stereo is 3840 bytes, past a 1500-byte network MTU: pick a
    /// shorter `packet_ms` for such streams.
    pub fn new(
        sample_rate: u32,
        channels: u16,
        packet_ms: u32,
        start_timestamp: u32,
    ) -> Result<Self, L16Error> {
        if sample_rate == 0 || channels == 0 || packet_ms == 0 {
            return Err(L16Error::Zero);
        }
        let product = u64::from(sample_rate) * u64::from(packet_ms);
        if product % 1000 != 0 {
            return Err(L16Error::Fraction {
                sample_rate,
                packet_ms,
            });
        }
        let samples = product / 1000;
        let bytes = samples * 2 * u64::from(channels);
        if bytes > 65_000 {
            return Err(L16Error::TooLarge(bytes as usize));
        }
        Ok(L16Packetizer {
            samples_per_packet: samples as u32,
            packet_bytes: bytes as usize,
            frame_bytes: 2 * usize::from(channels),
            pending: BytesMut::new(),
            timestamp: start_timestamp,
        })
    }

    pub fn samples_per_packet(&self) -> u32 {
        self.samples_per_packet
    }

    /// Adds little-endian PCM and returns every packet it completes.
    pub fn push(&mut self, le_pcm: &[u8]) -> Vec<L16Packet> {
        self.pending.extend_from_slice(le_pcm);
        let mut out = Vec::new();
        while self.pending.len() >= self.packet_bytes {
            let chunk = self.pending.split_to(self.packet_bytes);
            out.push(self.packet(&chunk, self.samples_per_packet));
        }
        out
    }

    /// What is left as a short packet (whole frames only); `None` if less than one frame.
    pub fn flush(&mut self) -> Option<L16Packet> {
        let frame = self.frame_bytes;
        let whole = self.pending.len() / frame * frame;
        let chunk = self.pending.split_to(whole);
        self.pending.clear();
        (whole > 0).then(|| self.packet(&chunk, (whole / frame) as u32))
    }

    fn packet(&mut self, le: &[u8], samples: u32) -> L16Packet {
        let mut be = BytesMut::with_capacity(le.len());
        for s in le.chunks_exact(2) {
            be.put_slice(&[s[1], s[0]]);
        }
        let p = L16Packet {
            payload: be.freeze(),
            timestamp: self.timestamp,
        };
        self.timestamp = self.timestamp.wrapping_add(samples);
        p
    }
}

/// A received L16 payload as little-endian PCM (an odd trailing byte is dropped).
pub fn payload_to_le(be: &[u8]) -> Vec<u8> {
    be.chunks_exact(2).flat_map(|s| [s[1], s[0]]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packets_are_big_endian_and_timestamps_advance_by_samples() {
        let mut p = L16Packetizer::new(8000, 2, 20, 100).unwrap();
        assert_eq!(p.samples_per_packet(), 160);
        let pcm: Vec<u8> = (0..1000u16).flat_map(|s| s.to_le_bytes()).collect();
        // Split mid-sample to exercise the remainder.
        let mut out = p.push(&pcm[..641]);
        out.extend(p.push(&pcm[641..]));
        assert_eq!(out.len(), 3, "2000 bytes, 640 per packet");
        assert_eq!(out[0].timestamp, 100);
        assert_eq!(out[1].timestamp, 260);
        assert_eq!(&out[0].payload[..4], &[0, 0, 0, 1]);
        assert_eq!(payload_to_le(&out[1].payload), &pcm[640..1280]);
        let last = p.flush().unwrap();
        assert_eq!(last.payload.len(), 80);
        assert_eq!(last.timestamp, 100 + 3 * 160);
        assert_eq!(p.flush(), None);
    }

    #[test]
    fn bad_configs_are_refused() {
        assert_eq!(L16Packetizer::new(0, 1, 20, 0).err(), Some(L16Error::Zero));
        assert!(matches!(
            L16Packetizer::new(44_100, 1, 3, 0),
            Err(L16Error::Fraction { .. })
        ));
        assert!(L16Packetizer::new(44_100, 2, 20, 0).is_ok());
        assert!(matches!(
            L16Packetizer::new(96_000, 8, 100, 0),
            Err(L16Error::TooLarge(_))
        ));
    }
}

//! Which video codec an RTP stream carries when no SDP or parameter says: each payload's first
//! bytes vote (an H.264 NAL, STAP-A or FU-A header; an H.265 two-byte NAL header with layer 0
//! and a temporal id; JPEG's RFC 2435 header with a known type; AV1's aggregation header and
//! OBU header), and the first codec with enough votes and none against wins.

use super::codec::Codec;

/// Votes needed before a codec is named.
const VOTES: u32 = 4;

#[derive(Debug, Default)]
pub struct CodecDetector {
    h264: u32,
    h265: u32,
    jpeg: u32,
    av1: u32,
}

fn could_be_h264(p: &[u8]) -> bool {
    match p.first() {
        Some(b) if b & 0x80 == 0 => {
            let t = b & 0x1F;
            match t {
                // 2..=4 are data partitions (Extended profile only); 5, 7 and 8 are always
                // reference NAL units.
                1 | 6 | 9..=23 => true,
                5 | 7 | 8 => b & 0x60 != 0,
                24 => p.len() > 3,
                28 => p
                    .get(1)
                    .is_some_and(|fu| fu & 0x1F != 0 && fu & 0xC0 != 0xC0),
                _ => false,
            }
        }
        _ => false,
    }
}

fn could_be_h265(p: &[u8]) -> bool {
    match (p.first(), p.get(1)) {
        (Some(b0), Some(b1)) => {
            let t = (b0 >> 1) & 0x3F;
            let layer = ((b0 & 1) << 5) | (b1 >> 3);
            b0 & 0x80 == 0 && layer == 0 && b1 & 0x07 != 0 && t <= 49 && !(41..=47).contains(&t)
        }
        _ => false,
    }
}

fn could_be_jpeg(p: &[u8]) -> bool {
    // RFC 2435: type-specific, 24-bit offset, type (0/1, or 64/65 with restart markers), Q,
    // width/8 and height/8 (both nonzero).
    p.len() > 8 && matches!(p[4], 0 | 1 | 64 | 65) && p[6] != 0 && p[7] != 0
}

impl CodecDetector {
    /// Looks at one payload; returns the codec once the votes decide.
    pub fn push(&mut self, payload: &[u8]) -> Option<Codec> {
        let votes = [
            could_be_h264(payload),
            could_be_h265(payload),
            could_be_jpeg(payload),
            super::av1::could_be_av1(payload),
        ];
        // Only an unambiguous payload votes.
        match votes {
            [true, false, false, false] => self.h264 += 1,
            [false, true, false, false] => self.h265 += 1,
            [false, false, true, false] => self.jpeg += 1,
            [false, false, false, true] => self.av1 += 1,
            _ => {}
        }
        let leader = [
            (self.h264, Codec::H264),
            (self.h265, Codec::Hevc),
            (self.jpeg, Codec::Jpeg),
            (self.av1, Codec::Av1),
        ];
        let max = leader.iter().max_by_key(|(n, _)| *n)?;
        let others: u32 = leader.iter().map(|(n, _)| n).sum::<u32>() - max.0;
        (max.0 >= VOTES && max.0 >= 4 * others).then_some(max.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decide(payloads: &[&[u8]]) -> Option<Codec> {
        let mut d = CodecDetector::default();
        payloads.iter().find_map(|p| d.push(p))
    }

    #[test]
    fn nal_headers_tell_h264_from_h265() {
        // H.264: SPS, PPS, FU-A start of an IDR, then FU-A middles.
        let h264: [&[u8]; 5] = [
            &[0x67, 0x42],
            &[0x68, 0xCE],
            &[0x7C, 0x85, 1],
            &[0x7C, 0x05, 1],
            &[0x7C, 0x45, 1],
        ];
        assert_eq!(decide(&h264), Some(Codec::H264));
        // H.265: VPS, SPS, PPS, FU of an IDR, all with temporal id 1.
        let h265: [&[u8]; 5] = [
            &[0x40, 0x01, 1],
            &[0x42, 0x01, 1],
            &[0x44, 0x01, 1],
            &[0x62, 0x01, 0x93],
            &[0x62, 0x01, 0x13],
        ];
        assert_eq!(decide(&h265), Some(Codec::Hevc));
        assert_eq!(decide(&[&[0xFF, 0xFF], &[0x80]]), None);
    }
}

//! Which video codec an RTP stream carries when no SDP or parameter says: each payload's first
//! bytes vote (an H.264 NAL, STAP-A or FU-A header; an H.265 two-byte NAL header with layer 0
//! and a temporal id; JPEG's RFC 2435 header with a known type; AV1's aggregation header and
//! OBU header; an RFC 9134 header numbering on from the packet before), and the first codec
//! with enough votes and (nearly) none against wins. A JPEG XS frame's first packet (SOC and
//! CAP right after the RFC 9134 header) decides alone.

use super::codec::Codec;

/// Votes needed before a codec is named.
const VOTES: u32 = 4;

#[derive(Debug, Default)]
pub struct CodecDetector {
    /// Unambiguous payloads seen per codec, as in [`CODECS`].
    votes: [u32; 5],
    /// The previous payload's JPEG XS frame counter and packet number, as if it were one.
    jpeg_xs_last: Option<(u8, u32)>,
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
        // A JPEG XS frame's first packet (SOC and CAP at a fixed place) decides alone.
        if super::jpeg_xs::could_be_jpeg_xs(payload) {
            return Some(Codec::JpegXs);
        }
        // An RFC 9134 header numbering on from the packet before is as unlikely by chance.
        if self.continues_jpeg_xs(payload) {
            self.votes[JPEG_XS] += 1;
        } else {
            let fits = [
                could_be_h264(payload),
                could_be_h265(payload),
                could_be_jpeg(payload),
                super::av1::could_be_av1(payload),
            ];
            // Only an unambiguous payload votes.
            let mut codecs = (0..fits.len()).filter(|i| fits[*i]);
            if let (Some(one), None) = (codecs.next(), codecs.next()) {
                self.votes[one] += 1;
            }
        }
        let max = (0..CODECS.len()).max_by_key(|i| self.votes[*i])?;
        let others: u32 = self.votes.iter().sum::<u32>() - self.votes[max];
        (self.votes[max] >= VOTES && self.votes[max] >= 4 * others).then_some(CODECS[max])
    }

    /// Whether the payload's first 4 bytes read as the RFC 9134 header of the packet after the
    /// previous one (same frame counter, next packet number; or packet 0 of the next frame).
    fn continues_jpeg_xs(&mut self, payload: &[u8]) -> bool {
        let Some(h) = super::jpeg_xs::PayloadHeader::read(payload) else {
            return false;
        };
        let follows = self.jpeg_xs_last.is_some_and(|(frame, index)| {
            (h.frame_counter == frame && h.packet_index == index + 1)
                || (h.packet_index == 0 && h.frame_counter == (frame + 1) % 32)
        });
        self.jpeg_xs_last = Some((h.frame_counter, h.packet_index));
        follows
    }
}

/// The codecs voted for, in the order of `votes`.
const CODECS: [Codec; 5] = [
    Codec::H264,
    Codec::Hevc,
    Codec::Jpeg,
    Codec::Av1,
    Codec::JpegXs,
];
/// Where JPEG XS stands in `CODECS`.
const JPEG_XS: usize = 4;

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

    #[test]
    fn jpeg_xs_is_told_by_its_frame_start_or_its_packet_numbers() {
        use crate::media::jpeg_xs::PayloadHeader;
        let packet = |frame: u8, index: u32, body: &[u8]| {
            let h = PayloadHeader {
                transmission_mode: true,
                slice_mode: false,
                last_of_unit: false,
                interlace: 0,
                frame_counter: frame,
                packet_index: index,
            };
            [&h.write()[..], body].concat()
        };
        let start = packet(0, 0, &[0xFF, 0x10, 0xFF, 0x50, 0, 2]);
        assert_eq!(decide(&[&start]), Some(Codec::JpegXs));
        // Joined mid-frame: the packet numbers run on (the first one, whose first byte 0x80
        // also reads as an AV1 fragment, votes AV1, and is outvoted).
        let mid: Vec<Vec<u8>> = (5..12).map(|i| packet(3, i, &[0x55; 20])).collect();
        let mid: Vec<&[u8]> = mid.iter().map(Vec::as_slice).collect();
        assert_eq!(decide(&mid), Some(Codec::JpegXs));
    }
}

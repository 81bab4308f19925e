//! AAC in ADTS (ISO/IEC 13818-7 / 14496-3), as MPEG-TS carries it: a PES payload holds one or
//! more ADTS frames, each a 7-byte header (9 with a CRC) and one raw AAC frame of 1024
//! samples. Splitting them gives each frame its own time: the PES's PTS plus 1024 samples per
//! frame before it. Sans-IO: bytes in, frame ranges out.

use std::ops::Range;

/// The sampling rates a 4-bit sampling_frequency_index names.
const RATES: [u32; 13] = [
    96_000, 88_200, 64_000, 48_000, 44_100, 32_000, 24_000, 22_050, 16_000, 12_000, 11_025, 8000,
    7350,
];

/// Samples per AAC frame (AAC-LC; one raw data block per ADTS frame).
pub const SAMPLES_PER_FRAME: u32 = 1024;

/// One ADTS frame: where it sits in the payload, and what its header says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdtsFrame {
    /// The whole frame, header included (what a decoder reading raw `.aac` takes).
    pub range: Range<usize>,
    pub sample_rate: u32,
    pub channels: u8,
}

/// The ADTS frames of a payload, in order, and how many bytes at the end did not parse as
/// one (a cut or damaged frame; counted by the caller).
pub fn split(payload: &[u8]) -> (Vec<AdtsFrame>, usize) {
    let mut frames = Vec::new();
    let mut at = 0;
    while let Some(h) = payload.get(at..at + 7) {
        if h[0] != 0xFF || h[1] & 0xF0 != 0xF0 {
            break;
        }
        let Some(&sample_rate) = RATES.get(usize::from((h[2] >> 2) & 0x0F)) else {
            break;
        };
        let channels = ((h[2] & 0x01) << 2) | (h[3] >> 6);
        let length =
            (usize::from(h[3] & 0x03) << 11) | (usize::from(h[4]) << 3) | usize::from(h[5] >> 5);
        let header = if h[1] & 0x01 == 1 { 7 } else { 9 };
        if length < header || at + length > payload.len() {
            break;
        }
        frames.push(AdtsFrame {
            range: at..at + length,
            sample_rate,
            channels,
        });
        at += length;
    }
    (frames, payload.len() - at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// An ADTS header (no CRC) of a frame of `len` bytes, written from the spec's bit layout.
    fn frame(rate_index: u8, channels: u8, body: &[u8]) -> Vec<u8> {
        let len = body.len() + 7;
        let mut f = vec![
            0xFF,
            0xF1,                                           // MPEG-4, layer 0, no CRC
            (1 << 6) | (rate_index << 2) | (channels >> 2), // AAC LC
            ((channels & 3) << 6) | ((len >> 11) as u8 & 0x03),
            (len >> 3) as u8,
            ((len as u8 & 0x07) << 5) | 0x1F,
            0xFC,
        ];
        f.extend_from_slice(body);
        f
    }

    #[test]
    fn splits_frames_and_reads_rate_and_channels() {
        let mut pes = frame(3, 2, &[1; 100]);
        pes.extend(frame(3, 2, &[2; 7]));
        let (frames, rest) = split(&pes);
        assert_eq!(rest, 0);
        assert_eq!(frames.len(), 2);
        assert_eq!(frames[0].range, 0..107);
        assert_eq!(frames[1].range, 107..121);
        assert_eq!((frames[0].sample_rate, frames[0].channels), (48_000, 2));
    }

    #[test]
    fn a_cut_or_foreign_tail_is_reported_not_read() {
        let mut pes = frame(4, 1, &[0; 50]);
        pes.extend_from_slice(&frame(4, 1, &[0; 50])[..30]);
        assert_eq!(split(&pes).0.len(), 1);
        assert_eq!(split(&pes).1, 30);
        assert_eq!(split(b"not adts at all").0.len(), 0);
        // Sampling index 13 is reserved.
        assert_eq!(split(&frame(13, 1, &[0; 4])).0.len(), 0);
    }

    proptest! {
        #[test]
        fn any_run_of_frames_splits_back_into_them(bodies in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..300), 0..12), cut in 0usize..7) {
            let mut pes = Vec::new();
            let mut ranges = Vec::new();
            for b in &bodies {
                let f = frame(3, 2, b);
                ranges.push(pes.len()..pes.len() + f.len());
                pes.extend(f);
            }
            let whole = pes.len();
            // A few bytes of a next header: never a frame.
            pes.extend_from_slice(&[0xFF, 0xF1, 0x4C, 0x80, 0x10, 0x1F, 0xFC][..cut]);
            let (frames, rest) = split(&pes);
            prop_assert_eq!(frames.iter().map(|f| f.range.clone()).collect::<Vec<_>>(), ranges);
            prop_assert_eq!(rest, pes.len() - whole);
        }
    }
}

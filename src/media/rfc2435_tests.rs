//! Round trips through the RTP/JPEG packetizer and depacketizer: the rebuilt file must decode
//! to the same pixels as the original. Also loss handling and the rejected layouts.

use super::*;
use crate::media::jpeg_tables::ZIGZAG;
use crate::media::test_util::{gray_jpeg, jpeg};
use jpeg_encoder::SamplingFactor;
use zune_jpeg::zune_core::bytestream::ZCursor;
use zune_jpeg::JpegDecoder;

fn pixels(file: &[u8]) -> (Vec<u8>, (usize, usize)) {
    let mut d = JpegDecoder::new(ZCursor::new(file));
    let px = d.decode().expect("decodes");
    (px, d.dimensions().expect("dimensions"))
}

fn round_trip(file: &[u8], mtu: usize) -> (Vec<Bytes>, Bytes) {
    let payloads = JpegPacketizer::new(mtu).packetize(file).unwrap();
    let mut d = JpegDepacketizer::new();
    let mut out = None;
    for (i, p) in payloads.iter().enumerate() {
        assert!(p.len() <= mtu);
        let last = i + 1 == payloads.len();
        let r = d.push(p, last).unwrap();
        assert_eq!(r.is_some(), last);
        out = out.or(r);
    }
    (payloads, out.unwrap())
}

#[test]
fn rebuilt_files_decode_to_the_same_pixels() {
    for (w, h) in [(64, 48), (320, 240), (1920, 1080)] {
        for q in [30, 75, 100] {
            for sampling in [SamplingFactor::R_4_2_0, SamplingFactor::R_4_2_2] {
                for restart in [None, Some(3)] {
                    let file = jpeg(w, h, q, sampling, restart);
                    let (payloads, rebuilt) = round_trip(&file, 1400);
                    let main = &payloads[0][..8];
                    let ty = if sampling == SamplingFactor::R_4_2_0 {
                        1
                    } else {
                        0
                    };
                    let ty = ty + if restart.is_some() { 64 } else { 0 };
                    assert_eq!(main[4], ty);
                    assert_eq!(
                        (main[6] as u16 * 8, main[7] as u16 * 8),
                        (w, h),
                        "size in 8-px units"
                    );
                    // Tables the Q rule reproduces travel as Q alone; q=100 needs them in-band.
                    assert_eq!(main[5] == 255, q == 100, "Q for quality {q}");
                    assert_eq!(
                        pixels(&rebuilt),
                        pixels(&file),
                        "{w}x{h} q{q} {sampling:?} {restart:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn fragment_offsets_are_contiguous() {
    let file = jpeg(320, 240, 90, SamplingFactor::R_4_2_0, Some(2));
    let payloads = JpegPacketizer::new(300).packetize(&file).unwrap();
    assert!(payloads.len() > 3);
    let mut expect = 0u32;
    for p in &payloads {
        let off = u32::from_be_bytes([0, p[1], p[2], p[3]]);
        assert_eq!(off, expect);
        assert_eq!(&p[8..12], &[0, 2, 0xFF, 0xFF], "restart header, F=L=1");
        let header = if off == 0 && p[5] >= 128 {
            12 + 132
        } else {
            12
        };
        expect += (p.len() - header) as u32;
    }
    assert_eq!(expect as usize, jpeg::parse(&file).unwrap().scan_data.len());
}

#[test]
fn in_band_tables_are_the_files_tables() {
    let file = jpeg(64, 48, 100, SamplingFactor::R_4_2_0, None);
    let payloads = JpegPacketizer::default().packetize(&file).unwrap();
    let p = &payloads[0];
    assert_eq!(p[5], 255);
    assert_eq!(&p[8..12], &[0, 0, 0, 128]);
    let info = jpeg::parse(&file).unwrap();
    let luma: Vec<u8> = info.quant_tables[0]
        .as_ref()
        .unwrap()
        .values
        .iter()
        .map(|&v| v as u8)
        .collect();
    assert_eq!(&p[12..76], &luma[..]);
}

#[test]
fn q_tables_follow_the_rfc_rule() {
    let (l, c) = tables_for_q(50);
    // Q 50 is Annex K as is: DC entries 16 and 17, and the zig-zag order is applied.
    assert_eq!((l[0], c[0]), (16, 17));
    assert_eq!(l[1], 11);
    assert_eq!(l[2], 12);
    assert_eq!(ZIGZAG[63], 63);
    let (l, _) = tables_for_q(99);
    assert!(l.iter().all(|&v| (1..=3).contains(&v)));
}

#[test]
fn standard_huffman_tables_match_the_encoder() {
    // jpeg-encoder writes the Annex K tables; ours must be byte-identical to be accepted.
    let file = jpeg(16, 16, 75, SamplingFactor::R_4_2_0, None);
    let info = jpeg::parse(&file).unwrap();
    assert_eq!(info.huffman_tables.len(), 4);
    assert!(layout(&info, &file).is_ok());
}

#[test]
fn unsupported_layouts_say_why() {
    let p = JpegPacketizer::default();
    assert_eq!(
        p.packetize(&gray_jpeg(16, 16, 9)),
        Err(Unsupported::Components(1))
    );
    assert!(matches!(
        p.packetize(&jpeg(16, 16, 75, SamplingFactor::R_4_4_4, None)),
        Err(Unsupported::Sampling(_))
    ));
    assert!(matches!(
        p.packetize(&jpeg(2048, 16, 75, SamplingFactor::R_4_2_0, None)),
        Err(Unsupported::TooLarge { .. })
    ));
    assert!(matches!(p.packetize(b"nope"), Err(Unsupported::Parse(_))));
    let mut progressive = Vec::new();
    let mut enc = jpeg_encoder::Encoder::new(&mut progressive, 80);
    enc.set_progressive(true);
    enc.encode(
        &crate::media::test_util::pattern(32, 32),
        32,
        32,
        jpeg_encoder::ColorType::Rgb,
    )
    .unwrap();
    assert_eq!(p.packetize(&progressive), Err(Unsupported::NotBaseline));
    assert!(jpeg::parse(&progressive).unwrap().scans > 1);
    let mut optimized = Vec::new();
    let mut enc = jpeg_encoder::Encoder::new(&mut optimized, 80);
    enc.set_optimized_huffman_tables(true);
    enc.encode(
        &crate::media::test_util::pattern(32, 32),
        32,
        32,
        jpeg_encoder::ColorType::Rgb,
    )
    .unwrap();
    assert_eq!(
        p.packetize(&optimized),
        Err(Unsupported::NonStandardHuffman)
    );
}

#[test]
fn a_lost_fragment_drops_the_frame_and_the_next_one_survives() {
    let file = jpeg(320, 240, 75, SamplingFactor::R_4_2_0, None);
    let payloads = JpegPacketizer::new(500).packetize(&file).unwrap();
    let n = payloads.len();
    let mut d = JpegDepacketizer::new();
    // Frame 1 loses fragment 2.
    for (i, p) in payloads.iter().enumerate() {
        let r = if i == 2 {
            continue;
        } else {
            d.push(p, i + 1 == n)
        };
        if i == 3 {
            assert!(matches!(r, Err(DepayError::Gap { .. })));
        } else {
            assert_eq!(r, Ok(None), "fragment {i}");
        }
    }
    // Frame 2 loses its last fragment, noticed when frame 3 starts.
    for p in &payloads[..n - 1] {
        assert_eq!(d.push(p, false), Ok(None));
    }
    let mut out = None;
    for (i, p) in payloads.iter().enumerate() {
        let r = d.push(p, i + 1 == n);
        if i == 0 {
            assert_eq!(r, Err(DepayError::Unfinished));
        } else {
            out = out.or(r.unwrap());
        }
    }
    assert_eq!(pixels(&out.unwrap()), pixels(&file));
    assert_eq!(
        d.stats(),
        DepayStats {
            frames: 1,
            lost_frames: 2
        }
    );
    // Garbage never panics.
    for len in 0..40 {
        let _ = d.push(&payloads[0][..len.min(payloads[0].len())], true);
    }
}

proptest::proptest! {
    #[test]
    fn random_payloads_never_panic(
        payloads in proptest::collection::vec(
            (proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300), proptest::prelude::any::<bool>()),
            0..20,
        ),
    ) {
        let mut d = JpegDepacketizer::new();
        for (p, marker) in &payloads {
            let _ = d.push(p, *marker);
        }
    }

    #[test]
    fn mutated_headers_never_panic(at in 0usize..150, byte in proptest::prelude::any::<u8>()) {
        let file = jpeg(64, 48, 100, SamplingFactor::R_4_2_0, Some(1));
        let mut payloads = JpegPacketizer::new(256).packetize(&file).unwrap();
        let mut first = payloads[0].to_vec();
        if let Some(b) = first.get_mut(at) {
            *b = byte;
        }
        payloads[0] = Bytes::from(first);
        let mut d = JpegDepacketizer::new();
        let n = payloads.len();
        for (i, p) in payloads.iter().enumerate() {
            if let Ok(Some(f)) = d.push(p, i + 1 == n) {
                let _ = jpeg::parse(&f);
            }
        }
    }
}

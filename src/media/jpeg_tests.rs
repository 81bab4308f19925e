//! Tests of the JPEG header parser on files made by `jpeg-encoder`, and a mutation/truncation
//! property test that it never panics.

use super::*;
use crate::media::test_util::{gray_jpeg, jpeg};
use jpeg_encoder::SamplingFactor;
use proptest::prelude::*;

#[test]
fn reads_a_baseline_420_jpeg() {
    let data = jpeg(320, 240, 80, SamplingFactor::R_4_2_0, None);
    assert!(is_complete_jpeg(&data));
    let info = parse(&data).unwrap();
    assert_eq!((info.width, info.height), (320, 240));
    assert!(info.baseline);
    assert_eq!(info.process, Process::Baseline);
    assert_eq!(info.precision, 8);
    assert_eq!(info.components.len(), 3);
    assert_eq!((info.components[0].h, info.components[0].v), (2, 2));
    assert_eq!((info.components[1].h, info.components[1].v), (1, 1));
    assert_eq!(info.components[0].quant_table, 0);
    assert_eq!(info.components[1].quant_table, 1);
    assert!(info.quant_tables[0].is_some() && info.quant_tables[1].is_some());
    assert_eq!(info.quant_tables[0].as_ref().unwrap().precision, 8);
    assert_eq!(info.huffman_tables.len(), 4);
    assert_eq!(info.restart_interval, None);
    let ids: Vec<u8> = info.components.iter().map(|c| c.id).collect();
    assert_eq!(
        info.scan_components,
        [(ids[0], 0x00), (ids[1], 0x11), (ids[2], 0x11)]
    );
    assert_eq!(info.scans, 1);
    assert_eq!(info.scan_data.end, data.len() - 2);
    assert!(info.scan_data.start > 100);
}

#[test]
fn reads_restart_interval_and_gray() {
    let data = jpeg(64, 48, 50, SamplingFactor::R_4_2_2, Some(4));
    let info = parse(&data).unwrap();
    assert_eq!(info.restart_interval, Some(4));
    assert_eq!((info.components[0].h, info.components[0].v), (2, 1));
    let g = parse(&gray_jpeg(17, 9, 100)).unwrap();
    assert_eq!((g.width, g.height, g.components.len()), (17, 9, 1));
}

#[test]
fn skips_fill_bytes_app_and_com_segments() {
    let data = jpeg(32, 16, 75, SamplingFactor::R_4_2_0, None);
    let mut edited = vec![0xFF, 0xD8, 0xFF, 0xFF, 0xFE, 0x00, 0x05, b'h', b'i', b'!'];
    edited.extend_from_slice(&[0xFF, 0xE5, 0x00, 0x02]);
    edited.extend_from_slice(&data[2..]);
    let info = parse(&edited).unwrap();
    assert_eq!((info.width, info.height), (32, 16));
}

#[test]
fn errors_are_specific() {
    assert_eq!(parse(b"GIF89a"), Err(JpegError::NotJpeg));
    assert_eq!(parse(&[0xFF, 0xD8]), Err(JpegError::Truncated(2)));
    assert_eq!(parse(&[0xFF, 0xD8, 0xFF, 0xD9]), Err(JpegError::NoScan));
    let data = jpeg(16, 16, 75, SamplingFactor::R_4_2_0, None);
    assert_eq!(parse(&data[..data.len() - 2]), Err(JpegError::NoEoi));
    assert!(!is_complete_jpeg(&data[..data.len() - 1]));
    assert!(matches!(parse(&data[..40]), Err(JpegError::Truncated(_))));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn whole_files_parse_and_mutations_never_panic(
        w in 1u16..200,
        h in 1u16..200,
        q in 1u8..=100,
        sub in any::<bool>(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let sampling = if sub { SamplingFactor::R_4_2_0 } else { SamplingFactor::R_4_2_2 };
        let data = jpeg(w, h, q, sampling, None);
        let info = parse(&data).unwrap();
        prop_assert_eq!((info.width, info.height), (w, h));
        prop_assert!(is_complete_jpeg(&data));

        let mut bad = data.clone();
        for (i, b) in &edits {
            let i = i.index(bad.len());
            bad[i] = *b;
        }
        if let Ok(info) = parse(&bad) {
            prop_assert!(info.scan_data.end <= bad.len());
        }
        let _ = parse(&data[..cut.index(data.len())]);
        let _ = parse(&bad[..cut.index(bad.len())]);
    }
}

//! What a frame's NAL units say about it, for H.264 and H.265: keyframe or not, I/P/B from the
//! first slice header, picture size from the sequence parameter set. H.264's SPS is read with
//! `h264-reader`; H.265's few fields are read with the same bit reader (it removes emulation
//! prevention bytes for both).

use super::nal::NalFormat;
use h264_reader::nal::sps::SeqParameterSet;
use h264_reader::rbsp::{BitRead, BitReader, ByteReader};
use std::num::NonZeroUsize;

/// The kind of picture, where the slice header says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameType {
    I,
    P,
    B,
}

impl FrameType {
    pub fn as_str(self) -> &'static str {
        match self {
            FrameType::I => "I",
            FrameType::P => "P",
            FrameType::B => "B",
        }
    }
}

/// The role of one NAL unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NalRole {
    /// VPS (H.265 only), SPS, PPS: needed before a decoder can start.
    ParameterSet,
    /// Coded picture data; `random_access`: IDR (H.264), IRAP (H.265).
    Slice {
        random_access: bool,
    },
    Other,
}

pub fn role(format: NalFormat, nal: &[u8]) -> NalRole {
    let Some(t) = format.nal_type(nal) else {
        return NalRole::Other;
    };
    match format {
        NalFormat::H264 => match t {
            7 | 8 => NalRole::ParameterSet,
            5 => NalRole::Slice {
                random_access: true,
            },
            1 => NalRole::Slice {
                random_access: false,
            },
            _ => NalRole::Other,
        },
        NalFormat::H265 => match t {
            32..=34 => NalRole::ParameterSet,
            16..=21 => NalRole::Slice {
                random_access: true,
            },
            0..=9 => NalRole::Slice {
                random_access: false,
            },
            _ => NalRole::Other,
        },
    }
}

/// Whether a slice NAL unit's picture may be referenced by later ones: H.264's nal_ref_idc is
/// not 0; H.265's type is not a sub-layer non-reference one (the even types up to 14). What
/// nothing references can be dropped without breaking the rest of its GOP.
pub fn is_reference(format: NalFormat, nal: &[u8]) -> bool {
    match (format, format.nal_type(nal)) {
        (NalFormat::H264, Some(_)) => nal[0] & 0x60 != 0,
        (NalFormat::H265, Some(t)) => !(t <= 14 && t % 2 == 0),
        (_, None) => true,
    }
}

fn reader(format: NalFormat, nal: &[u8]) -> BitReader<ByteReader<&[u8]>> {
    let skip = NonZeroUsize::new(match format {
        NalFormat::H264 => 1,
        NalFormat::H265 => 2,
    })
    .expect("header length is not zero");
    BitReader::new(ByteReader::skipping_bytes(nal, skip))
}

/// Width and height from an SPS, cropping applied.
pub fn sps_dimensions(format: NalFormat, nal: &[u8]) -> Option<(u32, u32)> {
    match format {
        NalFormat::H264 => SeqParameterSet::from_bits(reader(format, nal))
            .ok()?
            .pixel_dimensions()
            .ok(),
        NalFormat::H265 => h265_sps_dimensions(nal),
    }
}

fn h265_sps_dimensions(nal: &[u8]) -> Option<(u32, u32)> {
    let mut r = reader(NalFormat::H265, nal);
    r.skip(4, "sps_video_parameter_set_id").ok()?;
    let max_sub_layers_minus1: u8 = r.read::<3, u8>("sps_max_sub_layers_minus1").ok()?;
    r.skip(1, "sps_temporal_id_nesting_flag").ok()?;
    // profile_tier_level: the general part is 96 bits.
    r.skip(96, "general profile, tier and level").ok()?;
    let mut present = Vec::new();
    for _ in 0..max_sub_layers_minus1 {
        let profile = r.read_bit("sub_layer_profile_present_flag").ok()?;
        let level = r.read_bit("sub_layer_level_present_flag").ok()?;
        present.push((profile, level));
    }
    if max_sub_layers_minus1 > 0 {
        r.skip(
            2 * (8 - u32::from(max_sub_layers_minus1)),
            "reserved_zero_2bits",
        )
        .ok()?;
    }
    for (profile, level) in present {
        if profile {
            r.skip(88, "sub_layer profile").ok()?;
        }
        if level {
            r.skip(8, "sub_layer_level_idc").ok()?;
        }
    }
    r.read_ue("sps_seq_parameter_set_id").ok()?;
    let chroma = r.read_ue("chroma_format_idc").ok()?;
    if chroma == 3 {
        r.skip(1, "separate_colour_plane_flag").ok()?;
    }
    let width = r.read_ue("pic_width_in_luma_samples").ok()?;
    let height = r.read_ue("pic_height_in_luma_samples").ok()?;
    if r.read_bit("conformance_window_flag").ok()? {
        let (sub_w, sub_h) = match chroma {
            1 => (2, 2),
            2 => (2, 1),
            _ => (1, 1),
        };
        let left = r.read_ue("conf_win_left_offset").ok()?;
        let right = r.read_ue("conf_win_right_offset").ok()?;
        let top = r.read_ue("conf_win_top_offset").ok()?;
        let bottom = r.read_ue("conf_win_bottom_offset").ok()?;
        return Some((
            width.checked_sub(sub_w * (left + right))?,
            height.checked_sub(sub_h * (top + bottom))?,
        ));
    }
    Some((width, height))
}

/// H.265: the PPS field a slice header needs before its type.
pub fn h265_pps_extra_slice_header_bits(nal: &[u8]) -> Option<u8> {
    let mut r = reader(NalFormat::H265, nal);
    r.read_ue("pps_pic_parameter_set_id").ok()?;
    r.read_ue("pps_seq_parameter_set_id").ok()?;
    r.skip(
        2,
        "dependent_slice_segments_enabled_flag, output_flag_present_flag",
    )
    .ok()?;
    r.read::<3, u8>("num_extra_slice_header_bits").ok()
}

/// I, P or B from the first slice of a picture (`None` for a later slice, or when unreadable).
/// H.265 needs the PPS's `num_extra_slice_header_bits`.
pub fn slice_type(format: NalFormat, nal: &[u8], h265_extra_bits: u8) -> Option<FrameType> {
    let mut r = reader(format, nal);
    match format {
        NalFormat::H264 => {
            r.read_ue("first_mb_in_slice").ok()?;
            Some(match r.read_ue("slice_type").ok()? % 5 {
                0 | 3 => FrameType::P,
                1 => FrameType::B,
                _ => FrameType::I,
            })
        }
        NalFormat::H265 => {
            let t = format.nal_type(nal)?;
            if !r.read_bit("first_slice_segment_in_pic_flag").ok()? {
                return None;
            }
            if (16..=23).contains(&t) {
                r.skip(1, "no_output_of_prior_pics_flag").ok()?;
            }
            r.read_ue("slice_pic_parameter_set_id").ok()?;
            r.skip(u32::from(h265_extra_bits), "slice_reserved_flag")
                .ok()?;
            Some(match r.read_ue("slice_type").ok()? {
                0 => FrameType::B,
                1 => FrameType::P,
                _ => FrameType::I,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SPSs for 320x240 as x264 and x265 wrote them (`ffmpeg -f lavfi -i testsrc=size=320x240`).
    const H264_SPS: &[u8] = &[
        0x67, 0xF4, 0x00, 0x0D, 0x91, 0x96, 0x81, 0x41, 0xFB, 0x01, 0x10, 0x00, 0x00, 0x03, 0x00,
        0x10, 0x00, 0x00, 0x03, 0x03, 0x20, 0xF1, 0x42, 0xAA,
    ];
    const H265_SPS: &[u8] = &[
        0x42, 0x01, 0x01, 0x04, 0x08, 0x00, 0x00, 0x03, 0x00, 0x9E, 0x08, 0x00, 0x00, 0x03, 0x00,
        0x00, 0x3C, 0x90, 0x01, 0x41, 0x01, 0xE2, 0xCB, 0x2B, 0x34, 0x92, 0x65, 0x78, 0x0B, 0x70,
        0x20, 0x20, 0x00, 0x40, 0x00, 0x00, 0x03, 0x00, 0x40, 0x00, 0x00, 0x06, 0x42,
    ];

    #[test]
    fn reference_pictures_from_nal_headers() {
        // H.264: nal_ref_idc 0 (a non-reference B slice) and 2.
        assert!(!is_reference(NalFormat::H264, &[0x01, 0x9E]));
        assert!(is_reference(NalFormat::H264, &[0x41, 0x9A]));
        assert!(is_reference(NalFormat::H264, &[0x65, 0x88]));
        // H.265: TRAIL_N (0) is not, TRAIL_R (1) and IDR_W_RADL (19) are.
        assert!(!is_reference(NalFormat::H265, &[0x00, 0x01]));
        assert!(is_reference(NalFormat::H265, &[0x02, 0x01]));
        assert!(is_reference(NalFormat::H265, &[19 << 1, 0x01]));
    }

    #[test]
    fn roles_of_nal_types() {
        assert_eq!(role(NalFormat::H264, &[0x67]), NalRole::ParameterSet);
        assert_eq!(
            role(NalFormat::H264, &[0x65]),
            NalRole::Slice {
                random_access: true
            }
        );
        assert_eq!(role(NalFormat::H265, &[34 << 1, 1]), NalRole::ParameterSet);
        assert_eq!(
            role(NalFormat::H265, &[21 << 1, 1]),
            NalRole::Slice {
                random_access: true
            }
        );
        assert_eq!(role(NalFormat::H265, &[39 << 1, 1]), NalRole::Other, "SEI");
    }

    #[test]
    fn h264_sps_gives_the_picture_size() {
        assert_eq!(sps_dimensions(NalFormat::H264, H264_SPS), Some((320, 240)));
        assert_eq!(sps_dimensions(NalFormat::H265, H265_SPS), Some((320, 240)));
        assert_eq!(sps_dimensions(NalFormat::H264, &[0x67, 0x42]), None);
        assert_eq!(sps_dimensions(NalFormat::H265, &H265_SPS[..12]), None);
    }

    #[test]
    fn slice_types_from_first_slice_headers() {
        // first_mb_in_slice = 0 ('1'), slice_type = 7 (I, '0001000'), then padding.
        assert_eq!(
            slice_type(NalFormat::H264, &[0x65, 0b1000_1000, 0x80], 0),
            Some(FrameType::I)
        );
        // slice_type 5 (P): '00110'.
        assert_eq!(
            slice_type(NalFormat::H264, &[0x41, 0b1001_1000, 0x80], 0),
            Some(FrameType::P)
        );
        // H.265 TRAIL_R (type 1): first slice '1', pps id 0 '1', slice_type 0 (B) '1'.
        assert_eq!(
            slice_type(NalFormat::H265, &[0x02, 0x01, 0b1110_0000], 0),
            Some(FrameType::B)
        );
        // A later slice segment says nothing.
        assert_eq!(
            slice_type(NalFormat::H265, &[0x02, 0x01, 0b0110_0000], 0),
            None
        );
    }
}

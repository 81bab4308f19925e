//! Access units in Annex B (start codes, as MPEG-TS carries H.264 and H.265): split into NAL
//! units and read for what a frame event says: keyframe, I/P/B, picture size.

use super::h26x::{self, FrameType, NalRole};
use super::nal::NalFormat;

/// The NAL units of an Annex B byte stream (start codes of 3 or 4 bytes).
pub fn nal_units(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut starts = Vec::new();
    let mut i = 0;
    while i + 3 <= data.len() {
        if data[i] == 0 && data[i + 1] == 0 && data[i + 2] == 1 {
            starts.push(i + 3);
            i += 3;
        } else {
            i += 1;
        }
    }
    let ends: Vec<usize> = starts
        .iter()
        .skip(1)
        .map(|s| {
            // The unit ends before the next start code (and its leading zero, if 4 bytes).
            let mut e = s - 3;
            while e > 0 && data[e - 1] == 0 {
                e -= 1;
            }
            e
        })
        .chain(std::iter::once(data.len()))
        .collect();
    starts
        .into_iter()
        .zip(ends)
        .filter(|(s, e)| e > s)
        .map(move |(s, e)| &data[s..e])
}

/// What a frame is, as far as its NAL units tell.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FrameInfo {
    pub keyframe: bool,
    pub frame_type: Option<FrameType>,
    /// Later pictures may reference this one (see [`h26x::is_reference`]).
    pub reference: bool,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

/// Reads access units of one stream, remembering its picture size and (H.265) PPS field.
#[derive(Debug)]
pub struct Inspector {
    format: NalFormat,
    size: Option<(u32, u32)>,
    h265_extra_bits: u8,
}

impl Inspector {
    pub fn new(format: NalFormat) -> Inspector {
        Inspector {
            format,
            size: None,
            h265_extra_bits: 0,
        }
    }

    pub fn inspect(&mut self, unit: &[u8]) -> FrameInfo {
        let f = self.format;
        let mut info = FrameInfo::default();
        for nal in nal_units(unit) {
            let t = f.nal_type(nal);
            match h26x::role(f, nal) {
                NalRole::ParameterSet => {
                    let sps = matches!(
                        (f, t),
                        (NalFormat::H264, Some(7)) | (NalFormat::H265, Some(33))
                    );
                    if sps {
                        if let Some(size) = h26x::sps_dimensions(f, nal) {
                            self.size = Some(size);
                        }
                    }
                    if (f, t) == (NalFormat::H265, Some(34)) {
                        if let Some(bits) = h26x::h265_pps_extra_slice_header_bits(nal) {
                            self.h265_extra_bits = bits;
                        }
                    }
                }
                NalRole::Slice { random_access } => {
                    info.keyframe |= random_access;
                    info.reference |= random_access || h26x::is_reference(f, nal);
                    if info.frame_type.is_none() {
                        info.frame_type = h26x::slice_type(f, nal, self.h265_extra_bits);
                    }
                }
                NalRole::Other => {}
            }
        }
        info.width = self.size.map(|s| s.0);
        info.height = self.size.map(|s| s.1);
        info
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_split_at_3_and_4_byte_start_codes() {
        let data = [
            0, 0, 0, 1, 0x67, 1, 2, 0, 0, 1, 0x68, 3, 0, 0, 0, 1, 0x65, 4, 0,
        ];
        let units: Vec<&[u8]> = nal_units(&data).collect();
        assert_eq!(units, [&[0x67, 1, 2][..], &[0x68, 3], &[0x65, 4, 0]]);
        assert_eq!(nal_units(&[1, 2, 3]).count(), 0);
    }

    #[test]
    fn an_idr_unit_is_a_keyframe_of_type_i() {
        let mut i = Inspector::new(NalFormat::H264);
        let info = i.inspect(&[0, 0, 0, 1, 0x65, 0b1000_1000, 0x80]);
        assert!(info.keyframe);
        assert_eq!(info.frame_type, Some(FrameType::I));
        assert_eq!(info.width, None, "no SPS seen yet");
    }
}

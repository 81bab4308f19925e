//! Whole video frames (access units) from ordered RTP packets of H.264 or H.265: NAL units of one
//! RTP timestamp, ended by the marker bit (or the next timestamp), written as Annex B with start
//! codes. Each frame says whether it is a keyframe, its I/P/B type, its picture size (from the
//! latest SPS) and whether it is complete: a frame touched by a lost packet or a broken
//! fragment is marked incomplete, never passed off as whole. Keyframes carry the parameter sets
//! (from the stream or the SDP) so a decoder can start at any of them.

use super::h26x::{self, FrameType, NalRole};
use super::nal::{NalDepacketizer, NalFormat};
use bytes::{Bytes, BytesMut};

const START_CODE: [u8; 4] = [0, 0, 0, 1];

/// One assembled frame.
#[derive(Debug, Clone, PartialEq)]
pub struct VideoFrame {
    pub rtp_timestamp: u32,
    /// Annex B: every NAL unit after a 4-byte start code.
    pub data: Bytes,
    pub keyframe: bool,
    pub frame_type: Option<FrameType>,
    /// Later pictures may reference this one (see [`h26x::is_reference`]).
    pub reference: bool,
    pub complete: bool,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

struct Pending {
    timestamp: u32,
    nals: Vec<Bytes>,
    complete: bool,
}

/// Counters of what was assembled.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AssemblyStats {
    pub frames: u64,
    pub keyframes: u64,
    pub incomplete: u64,
    /// Payloads that were malformed or cut (their frame is incomplete).
    pub bad_payloads: u64,
}

pub struct FrameAssembler {
    depacketizer: NalDepacketizer,
    current: Option<Pending>,
    /// The latest VPS, SPS and PPS, by role order.
    parameter_sets: Vec<Bytes>,
    size: Option<(u32, u32)>,
    h265_extra_bits: u8,
    scratch: Vec<Bytes>,
    pub stats: AssemblyStats,
}

impl FrameAssembler {
    pub fn new(format: NalFormat) -> FrameAssembler {
        FrameAssembler {
            depacketizer: NalDepacketizer::new(format),
            current: None,
            parameter_sets: Vec::new(),
            size: None,
            h265_extra_bits: 0,
            scratch: Vec::new(),
            stats: AssemblyStats::default(),
        }
    }

    fn format(&self) -> NalFormat {
        self.depacketizer.format()
    }

    /// Parameter sets known before the stream starts (the SDP's `sprop-*`).
    pub fn add_parameter_sets(&mut self, nals: &[Bytes]) {
        for nal in nals {
            self.learn(nal);
        }
    }

    fn learn(&mut self, nal: &Bytes) {
        let format = self.format();
        let Some(t) = format.nal_type(nal) else {
            return;
        };
        if let Some(size) = h26x::sps_dimensions(format, nal).filter(|_| is_sps(format, t)) {
            self.size = Some(size);
        }
        if format == NalFormat::H265 && t == 34 {
            if let Some(bits) = h26x::h265_pps_extra_slice_header_bits(nal) {
                self.h265_extra_bits = bits;
            }
        }
        match self
            .parameter_sets
            .iter_mut()
            .find(|p| format.nal_type(p) == Some(t))
        {
            Some(old) => *old = nal.clone(),
            None => {
                self.parameter_sets.push(nal.clone());
                self.parameter_sets.sort_by_key(|p| format.nal_type(p));
            }
        }
    }

    /// One ordered packet; finished frames are appended to `out`.
    pub fn push(
        &mut self,
        timestamp: u32,
        marker: bool,
        payload: &Bytes,
        gap_before: bool,
        out: &mut Vec<VideoFrame>,
    ) {
        if self
            .current
            .as_ref()
            .is_some_and(|c| c.timestamp != timestamp)
        {
            // The previous frame never saw its marker: a lost packet may have been its end.
            if gap_before {
                if let Some(c) = self.current.as_mut() {
                    c.complete = false;
                }
            }
            self.finish(out);
        }
        let current = self.current.get_or_insert_with(|| Pending {
            timestamp,
            nals: Vec::new(),
            complete: true,
        });
        // Lost packets just before this one were part of this frame (or, when it is new, may
        // have been its start).
        if gap_before {
            current.complete = false;
        }
        self.scratch.clear();
        let mut nals = std::mem::take(&mut self.scratch);
        if self
            .depacketizer
            .push(payload, gap_before, &mut nals)
            .is_err()
        {
            self.stats.bad_payloads += 1;
            if let Some(c) = self.current.as_mut() {
                c.complete = false;
            }
        }
        for nal in nals.drain(..) {
            if h26x::role(self.format(), &nal) == NalRole::ParameterSet {
                self.learn(&nal);
            }
            if let Some(c) = self.current.as_mut() {
                c.nals.push(nal);
            }
        }
        self.scratch = nals;
        if marker {
            self.finish(out);
        }
    }

    /// Ends the frame in progress (end of the stream).
    pub fn flush(&mut self, out: &mut Vec<VideoFrame>) {
        self.finish(out);
    }

    fn finish(&mut self, out: &mut Vec<VideoFrame>) {
        let Some(p) = self.current.take() else { return };
        if p.nals.is_empty() {
            if !p.complete {
                self.stats.incomplete += 1;
            }
            return;
        }
        let format = self.format();
        let mut keyframe = false;
        let mut has_parameter_sets = false;
        let mut frame_type = None;
        let mut reference = false;
        for nal in &p.nals {
            match h26x::role(format, nal) {
                NalRole::ParameterSet => has_parameter_sets = true,
                NalRole::Slice { random_access } => {
                    keyframe |= random_access;
                    reference |= random_access || h26x::is_reference(format, nal);
                    if frame_type.is_none() {
                        frame_type = h26x::slice_type(format, nal, self.h265_extra_bits);
                    }
                }
                NalRole::Other => {}
            }
        }
        let prepend: &[Bytes] = if keyframe && !has_parameter_sets {
            &self.parameter_sets
        } else {
            &[]
        };
        let len: usize = prepend
            .iter()
            .chain(&p.nals)
            .map(|n| n.len() + START_CODE.len())
            .sum();
        let mut data = BytesMut::with_capacity(len);
        for nal in prepend.iter().chain(&p.nals) {
            data.extend_from_slice(&START_CODE);
            data.extend_from_slice(nal);
        }
        self.stats.frames += 1;
        if keyframe {
            self.stats.keyframes += 1;
        }
        if !p.complete {
            self.stats.incomplete += 1;
        }
        out.push(VideoFrame {
            rtp_timestamp: p.timestamp,
            data: data.freeze(),
            keyframe,
            frame_type,
            reference,
            complete: p.complete,
            width: self.size.map(|s| s.0),
            height: self.size.map(|s| s.1),
        });
    }
}

fn is_sps(format: NalFormat, t: u8) -> bool {
    match format {
        NalFormat::H264 => t == 7,
        NalFormat::H265 => t == 33,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(x: &[u8]) -> Bytes {
        Bytes::copy_from_slice(x)
    }

    #[test]
    fn a_keyframe_is_whole_with_its_parameter_sets_and_a_marker_ends_it() {
        let mut a = FrameAssembler::new(NalFormat::H264);
        let mut out = Vec::new();
        a.add_parameter_sets(&[b(&[0x68, 0xCE]), b(&[0x67, 0x42])]);
        // IDR in two FU-A fragments (I slice: first_mb 0, slice_type 7).
        a.push(9000, false, &b(&[0x7C, 0x85, 0b1000_1000]), false, &mut out);
        a.push(9000, true, &b(&[0x7C, 0x45, 0x80]), false, &mut out);
        assert_eq!(out.len(), 1);
        let f = &out[0];
        assert!(f.keyframe && f.complete);
        assert_eq!(f.frame_type, Some(FrameType::I));
        // SPS then PPS prepended (sorted by type), then the IDR.
        assert_eq!(
            &f.data[..],
            &[
                0,
                0,
                0,
                1,
                0x67,
                0x42,
                0,
                0,
                0,
                1,
                0x68,
                0xCE,
                0,
                0,
                0,
                1,
                0x65,
                0b1000_1000,
                0x80
            ]
        );
        // A P frame, ended by the next timestamp (no marker).
        a.push(12600, false, &b(&[0x41, 0b1001_1000]), false, &mut out);
        a.push(16200, true, &b(&[0x41, 0b1001_1000]), false, &mut out);
        assert_eq!(out.len(), 3);
        assert_eq!(
            (out[1].keyframe, out[1].frame_type),
            (false, Some(FrameType::P))
        );
        assert_eq!(a.stats.frames, 3);
    }

    #[test]
    fn a_frame_touched_by_loss_is_marked_incomplete() {
        let mut a = FrameAssembler::new(NalFormat::H264);
        let mut out = Vec::new();
        a.push(100, false, &b(&[0x7C, 0x85, 1]), false, &mut out);
        // The middle fragment was lost.
        a.push(100, true, &b(&[0x7C, 0x45, 3]), true, &mut out);
        // That frame had nothing whole: counted, not emitted.
        assert!(out.is_empty());
        assert_eq!(a.stats.incomplete, 1);
        // Two slices, the second after a gap: emitted, marked incomplete.
        a.push(200, false, &b(&[0x41, 0x88]), false, &mut out);
        a.push(200, true, &b(&[0x41, 0x08]), true, &mut out);
        assert_eq!(out.len(), 1);
        assert!(!out[0].complete);
        // The next frame is whole again.
        a.push(300, true, &b(&[0x41, 0x88]), false, &mut out);
        assert!(out[1].complete);
    }
}

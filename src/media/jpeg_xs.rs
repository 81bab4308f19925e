//! JPEG XS over RTP (RFC 9134): the packets of one frame (one RTP timestamp) put back into
//! its codestream. Every payload starts with a 4-byte header: T (transmission mode), K
//! (packetization mode: codestream or slice), L (last packet of a packetization unit), I
//! (interlace), the F counter (frame, mod 32), and the SEP and P counters, which together
//! number the packet within its frame. Both packetization modes concatenate payloads in packet
//! order, so the frame is rebuilt by that number, whatever order the packets came in (T=0 lets
//! a sender send them out of order). A frame is whole when its numbers run from 0 to the
//! marked last packet with none missing, and the codestream runs from SOC to EOC; the picture
//! header (PIH) gives its size. Sans-IO.

use bytes::{Bytes, BytesMut};

/// The payload header's length.
pub const HEADER: usize = 4;
/// Start of codestream, capabilities, picture header, end of codestream (ISO/IEC 21122-1).
const SOC: [u8; 2] = [0xFF, 0x10];
const CAP: [u8; 2] = [0xFF, 0x50];
const PIH: [u8; 2] = [0xFF, 0x12];
const EOC: [u8; 2] = [0xFF, 0x11];

/// One payload header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PayloadHeader {
    pub transmission_mode: bool,
    /// Slice packetization mode (K=1), else codestream mode.
    pub slice_mode: bool,
    pub last_of_unit: bool,
    pub interlace: u8,
    pub frame_counter: u8,
    /// SEP and P counters as one number: the packet's place in its frame.
    pub packet_index: u32,
}

impl PayloadHeader {
    pub fn read(p: &[u8]) -> Option<PayloadHeader> {
        let h = u32::from_be_bytes(p.get(..HEADER)?.try_into().ok()?);
        Some(PayloadHeader {
            transmission_mode: h >> 31 & 1 == 1,
            slice_mode: h >> 30 & 1 == 1,
            last_of_unit: h >> 29 & 1 == 1,
            interlace: (h >> 27 & 0b11) as u8,
            frame_counter: (h >> 22 & 0x1F) as u8,
            packet_index: h & 0x3F_FFFF,
        })
    }

    pub fn write(&self) -> [u8; HEADER] {
        let h = u32::from(self.transmission_mode) << 31
            | u32::from(self.slice_mode) << 30
            | u32::from(self.last_of_unit) << 29
            | u32::from(self.interlace & 0b11) << 27
            | u32::from(self.frame_counter & 0x1F) << 22
            | self.packet_index & 0x3F_FFFF;
        h.to_be_bytes()
    }
}

/// One rebuilt frame.
#[derive(Debug, Clone, PartialEq)]
pub struct XsFrame {
    pub rtp_timestamp: u32,
    pub data: Bytes,
    pub complete: bool,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

struct Pending {
    timestamp: u32,
    /// (packet index, payload after the header), as they came.
    parts: Vec<(u32, Bytes)>,
    /// The index of the marked last packet, once seen.
    last: Option<u32>,
    damaged: bool,
}

#[derive(Default)]
pub struct JpegXsDepacketizer {
    current: Option<Pending>,
}

/// Packets one frame may hold; past that its packets are dropped and it is incomplete.
const MAX_PARTS: usize = 1 << 16;

impl JpegXsDepacketizer {
    pub fn new() -> JpegXsDepacketizer {
        JpegXsDepacketizer::default()
    }

    /// One packet (`payload` as `Bytes`, shared, not copied until the frame is joined).
    pub fn push(&mut self, timestamp: u32, marker: bool, payload: Bytes, out: &mut Vec<XsFrame>) {
        if self
            .current
            .as_ref()
            .is_some_and(|p| p.timestamp != timestamp)
        {
            self.finish(out);
        }
        let pending = self.current.get_or_insert_with(|| Pending {
            timestamp,
            parts: Vec::new(),
            last: None,
            damaged: false,
        });
        match PayloadHeader::read(&payload) {
            Some(h) if pending.parts.len() < MAX_PARTS => {
                if marker {
                    pending.last = Some(h.packet_index);
                }
                pending
                    .parts
                    .push((h.packet_index, payload.slice(HEADER..)));
            }
            _ => pending.damaged = true,
        }
        // Out of order, the marked packet may not come last: the frame ends once all are in.
        let whole = pending
            .last
            .is_some_and(|last| pending.parts.len() as u64 == u64::from(last) + 1);
        if whole {
            self.finish(out);
        }
    }

    /// The end of the stream: the frame in progress goes out, incomplete if it is.
    pub fn flush(&mut self, out: &mut Vec<XsFrame>) {
        self.finish(out);
    }

    fn finish(&mut self, out: &mut Vec<XsFrame>) {
        let Some(mut p) = self.current.take() else {
            return;
        };
        p.parts.sort_unstable_by_key(|(i, _)| *i);
        let numbered = p.parts.iter().enumerate().all(|(n, (i, _))| n as u32 == *i);
        let ends = p
            .last
            .is_some_and(|l| p.parts.last().is_some_and(|(i, _)| *i == l));
        let mut data = BytesMut::with_capacity(p.parts.iter().map(|(_, b)| b.len()).sum());
        p.parts.iter().for_each(|(_, b)| data.extend_from_slice(b));
        let data = data.freeze();
        let size = picture_size(&data);
        let complete = !p.damaged
            && numbered
            && ends
            && data.starts_with(&SOC)
            && data.get(2..4) == Some(&CAP[..])
            && data.ends_with(&EOC);
        out.push(XsFrame {
            rtp_timestamp: p.timestamp,
            data,
            complete,
            width: size.map(|s| s.0),
            height: size.map(|s| s.1),
        });
    }
}

/// The frame size from a codestream's picture header (PIH: marker, Lpih, Lcod, Ppih, Plev,
/// then Wf and Hf), which follows SOC and the CAP segment.
pub fn picture_size(codestream: &[u8]) -> Option<(u32, u32)> {
    if !codestream.starts_with(&SOC) || codestream.get(2..4)? != CAP {
        return None;
    }
    let cap_len = usize::from(u16::from_be_bytes(codestream.get(4..6)?.try_into().ok()?));
    let pih = 4 + cap_len;
    if codestream.get(pih..pih + 2)? != PIH {
        return None;
    }
    let field = |at: usize| -> Option<u32> {
        Some(u32::from(u16::from_be_bytes(
            codestream.get(pih + at..pih + at + 2)?.try_into().ok()?,
        )))
    };
    Some((field(12)?, field(14)?))
}

/// Whether an RTP payload is the first packet of a JPEG XS frame: packet 0, and the
/// codestream's SOC and CAP markers right after the header.
pub fn could_be_jpeg_xs(payload: &[u8]) -> bool {
    PayloadHeader::read(payload).is_some_and(|h| h.packet_index == 0)
        && payload.get(HEADER..HEADER + 2) == Some(&SOC[..])
        && payload.get(HEADER + 2..HEADER + 4) == Some(&CAP[..])
}

#[cfg(test)]
#[path = "jpeg_xs_tests.rs"]
mod tests;

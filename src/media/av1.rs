//! AV1 over RTP (the AOM "RTP Payload Format for AV1"): ordered packets of one RTP timestamp
//! become one temporal unit, written in the low-overhead bitstream format (AV1 spec §5: a
//! temporal delimiter, then every OBU with its size field), which is what an `.obu` file or a
//! decoder takes. Each packet starts with an aggregation header (Z: the first element continues
//! an OBU from the packet before; Y: the last one goes on in the next; W: the element count,
//! 0 = every element carries a leb128 length; N: a new coded video sequence). A unit touched by
//! a lost packet or a broken fragment is marked incomplete. The sequence header gives the
//! picture size; the first frame header says whether the unit is a keyframe. Sans-IO.

use bytes::{BufMut, Bytes, BytesMut};

const OBU_SEQUENCE_HEADER: u8 = 1;
const OBU_TEMPORAL_DELIMITER: u8 = 2;
const OBU_FRAME_HEADER: u8 = 3;
const OBU_FRAME: u8 = 6;
const OBU_TILE_LIST: u8 = 8;
const OBU_PADDING: u8 = 15;
const HAS_EXTENSION: u8 = 0b0000_0100;
const HAS_SIZE: u8 = 0b0000_0010;

fn obu_type(header: u8) -> u8 {
    (header >> 3) & 0x0F
}

/// One temporal unit.
#[derive(Debug, Clone, PartialEq)]
pub struct TemporalUnit {
    pub rtp_timestamp: u32,
    /// Low-overhead bitstream format: a temporal delimiter, then each OBU with its size.
    pub data: Bytes,
    /// Its first frame is a KEY_FRAME.
    pub keyframe: bool,
    /// Its first frame is intra (key or intra-only) or inter; `None` without a frame header.
    pub intra: Option<bool>,
    pub complete: bool,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

/// Counters of what was assembled.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Av1Stats {
    pub units: u64,
    pub keyframes: u64,
    pub incomplete: u64,
    /// Payloads that did not parse (their unit is incomplete).
    pub bad_payloads: u64,
}

struct Pending {
    timestamp: u32,
    data: BytesMut,
    complete: bool,
    frame: Option<(bool, bool)>,
}

/// What the latest sequence header says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SequenceHeader {
    pub width: u32,
    pub height: u32,
    pub reduced_still_picture_header: bool,
}

#[derive(Default)]
pub struct Av1Depacketizer {
    current: Option<Pending>,
    /// The OBU being reassembled from fragments (header byte(s) and payload, no size field).
    fragment: Option<BytesMut>,
    sequence: Option<SequenceHeader>,
    pub stats: Av1Stats,
}

/// A leb128 value and its length in bytes.
fn read_leb128(data: &[u8]) -> Option<(usize, usize)> {
    let mut value = 0usize;
    for (i, b) in data.iter().enumerate().take(8) {
        value |= usize::from(b & 0x7F) << (7 * i);
        if b & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

fn put_leb128(out: &mut BytesMut, mut value: usize) {
    loop {
        let byte = (value & 0x7F) as u8;
        value >>= 7;
        if value == 0 {
            out.put_u8(byte);
            return;
        }
        out.put_u8(byte | 0x80);
    }
}

impl Av1Depacketizer {
    pub fn new() -> Av1Depacketizer {
        Av1Depacketizer::default()
    }

    /// One packet, in sequence order; `gap_before`: packets before it were lost. Finished
    /// units are appended to `out`.
    pub fn push(
        &mut self,
        timestamp: u32,
        marker: bool,
        payload: &[u8],
        gap_before: bool,
        out: &mut Vec<TemporalUnit>,
    ) {
        if gap_before {
            // The lost packets may have ended the unit in progress or begun this one (their
            // timestamps are unknown): neither is passed off as whole.
            self.fragment = None;
            if let Some(p) = self.current.as_mut() {
                p.complete = false;
            }
        }
        if self
            .current
            .as_ref()
            .is_some_and(|p| p.timestamp != timestamp)
        {
            // The marker of the unit before was lost (or never sent).
            self.finish(out);
        }
        let pending = self.current.get_or_insert_with(|| {
            let mut data = BytesMut::with_capacity(payload.len() * 4);
            data.put_slice(&[OBU_TEMPORAL_DELIMITER << 3 | HAS_SIZE, 0]);
            Pending {
                timestamp,
                data,
                complete: !gap_before,
                frame: None,
            }
        });
        if !Self::read_packet(payload, pending, &mut self.fragment, &mut self.sequence) {
            self.stats.bad_payloads += 1;
            pending.complete = false;
            self.fragment = None;
        }
        if marker {
            self.finish(out);
        }
    }

    /// The end of the stream: the unit in progress goes out (incomplete without its marker).
    pub fn flush(&mut self, out: &mut Vec<TemporalUnit>) {
        if let Some(p) = self.current.as_mut() {
            p.complete = false;
        }
        self.finish(out);
    }

    fn finish(&mut self, out: &mut Vec<TemporalUnit>) {
        let Some(mut p) = self.current.take() else {
            return;
        };
        if self.fragment.take().is_some() {
            p.complete = false;
        }
        let keyframe = p.frame.is_some_and(|(key, _)| key);
        self.stats.units += 1;
        self.stats.keyframes += u64::from(keyframe);
        self.stats.incomplete += u64::from(!p.complete);
        out.push(TemporalUnit {
            rtp_timestamp: p.timestamp,
            data: p.data.freeze(),
            keyframe,
            intra: p.frame.map(|(_, intra)| intra),
            complete: p.complete,
            width: self.sequence.map(|s| s.width),
            height: self.sequence.map(|s| s.height),
        });
    }

    /// The elements of one payload into `pending`; false when it does not parse.
    fn read_packet(
        payload: &[u8],
        pending: &mut Pending,
        fragment: &mut Option<BytesMut>,
        sequence: &mut Option<SequenceHeader>,
    ) -> bool {
        let Some((&aggregation, mut rest)) = payload.split_first() else {
            return false;
        };
        let z = aggregation & 0x80 != 0;
        let y = aggregation & 0x40 != 0;
        let w = usize::from((aggregation >> 4) & 0x03);
        let mut index = 0;
        while !rest.is_empty() {
            index += 1;
            let last_by_count = w != 0 && index == w;
            let element = if last_by_count {
                std::mem::take(&mut rest)
            } else {
                let Some((len, n)) = read_leb128(rest) else {
                    return false;
                };
                let Some(e) = rest.get(n..n + len) else {
                    return false;
                };
                rest = &rest[n + len..];
                e
            };
            let is_last = rest.is_empty();
            let continues = index == 1 && z;
            let mut obu = match (continues, fragment.take()) {
                (true, Some(mut f)) => {
                    f.put_slice(element);
                    f
                }
                // The start of this OBU was lost.
                (true, None) => {
                    pending.complete = false;
                    if is_last && y {
                        // Its remainder continues too; skip it as well.
                        *fragment = None;
                    }
                    continue;
                }
                (false, Some(_)) => {
                    // A fragment that never got its end.
                    pending.complete = false;
                    BytesMut::from(element)
                }
                (false, None) => BytesMut::from(element),
            };
            if is_last && y {
                *fragment = Some(obu);
                break;
            }
            if !Self::write_obu(&mut obu, pending, sequence) {
                return false;
            }
        }
        true
    }

    /// One whole OBU (as carried: header, maybe an extension, maybe a size, payload) into the
    /// unit, with its size field.
    fn write_obu(
        obu: &mut BytesMut,
        pending: &mut Pending,
        sequence: &mut Option<SequenceHeader>,
    ) -> bool {
        let Some(&header) = obu.first() else {
            return true;
        };
        if header & 0x80 != 0 {
            return false;
        }
        let header_len = if header & HAS_EXTENSION != 0 { 2 } else { 1 };
        let Some(after_header) = obu.get(header_len..) else {
            return false;
        };
        let body = if header & HAS_SIZE != 0 {
            let Some((len, n)) = read_leb128(after_header) else {
                return false;
            };
            match after_header.get(n..n + len) {
                Some(b) => b,
                None => return false,
            }
        } else {
            after_header
        };
        let kind = obu_type(header);
        if matches!(kind, OBU_TEMPORAL_DELIMITER | OBU_TILE_LIST | OBU_PADDING) {
            return true;
        }
        match kind {
            OBU_SEQUENCE_HEADER => {
                if let Some(s) = parse_sequence_header(body) {
                    *sequence = Some(s);
                }
            }
            OBU_FRAME_HEADER | OBU_FRAME if pending.frame.is_none() => {
                pending.frame = frame_kind(body, sequence.as_ref());
            }
            _ => {}
        }
        pending.data.put_u8(header | HAS_SIZE);
        pending.data.put_slice(&obu[1..header_len]);
        put_leb128(&mut pending.data, body.len());
        pending.data.put_slice(body);
        true
    }
}

/// Reads bits most significant first.
struct Bits<'a> {
    data: &'a [u8],
    at: usize,
}

impl Bits<'_> {
    fn bit(&mut self) -> Option<bool> {
        let byte = self.data.get(self.at / 8)?;
        let b = byte >> (7 - self.at % 8) & 1;
        self.at += 1;
        Some(b == 1)
    }

    fn bits(&mut self, n: u32) -> Option<u64> {
        (0..n).try_fold(0u64, |v, _| Some(v << 1 | u64::from(self.bit()?)))
    }

    /// uvlc() (AV1 §4.10.3).
    fn uvlc(&mut self) -> Option<u64> {
        let mut zeros = 0;
        while !self.bit()? {
            zeros += 1;
            if zeros >= 32 {
                return Some(u64::from(u32::MAX));
            }
        }
        Some(self.bits(zeros)? + (1 << zeros) - 1)
    }
}

/// The picture size of a sequence header OBU's payload (AV1 §5.5.1).
pub fn parse_sequence_header(payload: &[u8]) -> Option<SequenceHeader> {
    let mut r = Bits {
        data: payload,
        at: 0,
    };
    let _profile = r.bits(3)?;
    let _still_picture = r.bit()?;
    let reduced = r.bit()?;
    if reduced {
        r.bits(5)?;
    } else {
        let mut decoder_model = false;
        let mut buffer_delay_bits = 0;
        if r.bit()? {
            // timing_info()
            r.bits(64)?;
            if r.bit()? {
                r.uvlc()?;
            }
            decoder_model = r.bit()?;
            if decoder_model {
                buffer_delay_bits = r.bits(5)? as u32 + 1;
                r.bits(32 + 5 + 5)?;
            }
        }
        let initial_display_delay = r.bit()?;
        let operating_points = r.bits(5)? + 1;
        for _ in 0..operating_points {
            r.bits(12)?;
            if r.bits(5)? > 7 {
                r.bit()?;
            }
            if decoder_model && r.bit()? {
                r.bits(2 * buffer_delay_bits + 1)?;
            }
            if initial_display_delay && r.bit()? {
                r.bits(4)?;
            }
        }
    }
    let width_bits = r.bits(4)? as u32 + 1;
    let height_bits = r.bits(4)? as u32 + 1;
    let width = r.bits(width_bits)? as u32 + 1;
    let height = r.bits(height_bits)? as u32 + 1;
    Some(SequenceHeader {
        width,
        height,
        reduced_still_picture_header: reduced,
    })
}

/// (keyframe, intra) of a frame header (AV1 §5.9.2: show_existing_frame, then frame_type);
/// `None` when it only shows an earlier frame.
fn frame_kind(payload: &[u8], sequence: Option<&SequenceHeader>) -> Option<(bool, bool)> {
    if sequence.is_some_and(|s| s.reduced_still_picture_header) {
        return Some((true, true));
    }
    let mut r = Bits {
        data: payload,
        at: 0,
    };
    if r.bit()? {
        return None;
    }
    match r.bits(2)? {
        0 => Some((true, true)),
        2 => Some((false, true)),
        _ => Some((false, false)),
    }
}

/// Whether an RTP payload reads as AV1's: reserved aggregation bits clear and, unless it
/// continues a fragment, an OBU header with its forbidden and reserved bits clear.
pub fn could_be_av1(payload: &[u8]) -> bool {
    let Some((&aggregation, rest)) = payload.split_first() else {
        return false;
    };
    if aggregation & 0x07 != 0 {
        return false;
    }
    if aggregation & 0x80 != 0 {
        return !rest.is_empty();
    }
    let w = (aggregation >> 4) & 0x03;
    let header = if w == 1 {
        rest.first()
    } else {
        read_leb128(rest).and_then(|(_, n)| rest.get(n))
    };
    header.is_some_and(|h| h & 0x81 == 0 && matches!(obu_type(*h), 1 | 3..=8 | 15))
}

#[cfg(test)]
#[path = "av1_tests.rs"]
mod tests;

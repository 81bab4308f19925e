//! RTP payload format for JPEG (RFC 2435): a packetizer that turns a baseline JPEG file into
//! RTP payloads, and a depacketizer that rebuilds a complete JPEG file from them.
//!
//! Only the RFC's fixed types are carried: 0 (4:2:2, luma sampled 2x1) and 1 (4:2:0, luma
//! 2x2), each + 64 when a restart interval is present. Grayscale and 4:4:4 files have no RFC
//! type and are rejected with a reason. Sizes travel in 8-pixel units, so a width or height
//! that is not a multiple of 8 comes back rounded up. The receiver declares the standard
//! Huffman tables, so a file coded with other (optimized) tables is rejected too.

use super::jpeg::{self, JpegError, JpegInfo};
use super::jpeg_tables::{standard_huffman, tables_for_q, AC_CHROMA, AC_LUMA, DC_CHROMA, DC_LUMA};
use bytes::{BufMut, Bytes, BytesMut};
use std::collections::HashMap;

/// Why a JPEG cannot be sent as RTP/JPEG.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unsupported {
    #[error("not a JPEG: {0}")]
    Parse(#[from] JpegError),
    #[error("not baseline (SOF0, 8-bit): RTP/JPEG carries baseline JPEG only")]
    NotBaseline,
    #[error("{width}x{height} is over the 2040x2040 RTP/JPEG limit")]
    TooLarge { width: u16, height: u16 },
    #[error("{0} components: RTP/JPEG types 0/1 need 3 (Y, Cb, Cr); grayscale has no type")]
    Components(usize),
    #[error("sampling {0} has no RTP/JPEG type (luma 2x1 or 2x2, chroma 1x1)")]
    Sampling(String),
    #[error("the two chroma components use different quantization tables")]
    ChromaTables,
    #[error("quantization table {0} is missing")]
    MissingTable(u8),
    #[error("16-bit quantization tables are not supported")]
    Precision16,
    #[error("Huffman tables other than the standard ones (the receiver assumes those)")]
    NonStandardHuffman,
    #[error("not one interleaved scan with luma on tables 0 and chroma on tables 1")]
    ScanLayout,
}

/// Why a depacketized frame was dropped, or a payload refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DepayError {
    #[error("payload of {0} bytes is too short for its RTP/JPEG headers")]
    Short(usize),
    #[error("fragment at offset {got} where {expected} was expected: frame lost")]
    Gap { expected: u32, got: u32 },
    #[error("a new frame began before the last fragment of the previous one: frame lost")]
    Unfinished,
    #[error("type {0} is not supported (0, 1, 64, 65)")]
    Type(u8),
    #[error("Q {0} has no tables in-band nor from an earlier frame")]
    NoTables(u8),
    #[error("bad quantization table header")]
    BadTables,
    #[error("zero width or height")]
    ZeroSize,
}

const MAIN_HEADER: usize = 8;
const RESTART_HEADER: usize = 4;

/// Splits JPEG files into RTP/JPEG payloads of at most `mtu` bytes each.
#[derive(Debug, Clone)]
pub struct JpegPacketizer {
    mtu: usize,
}

impl Default for JpegPacketizer {
    fn default() -> Self {
        Self::new(1400)
    }
}

/// What a JPEG file carries that the RTP/JPEG headers need.
struct Layout {
    rtp_type: u8,
    q: u8,
    /// Luma and chroma tables in zig-zag order, sent in-band when `q` is 255.
    tables: [[u8; 64]; 2],
    restart: Option<u16>,
}

impl JpegPacketizer {
    /// `mtu` is the largest RTP payload (not counting the RTP header); at least 256.
    pub fn new(mtu: usize) -> Self {
        JpegPacketizer { mtu: mtu.max(256) }
    }

    /// The payloads of one frame; the caller sets the RTP marker bit on the last one and gives
    /// all the same timestamp.
    pub fn packetize(&self, jpeg_file: &[u8]) -> Result<Vec<Bytes>, Unsupported> {
        let info = jpeg::parse(jpeg_file)?;
        let layout = layout(&info, jpeg_file)?;
        let scan = jpeg_file
            .get(info.scan_data.clone())
            .ok_or(JpegError::NoEoi)?;
        let mut out = Vec::new();
        let mut offset = 0usize;
        while offset < scan.len() || out.is_empty() {
            let mut p = BytesMut::with_capacity(self.mtu);
            p.put_u8(0);
            p.put_uint(offset as u64, 3);
            p.put_u8(layout.rtp_type);
            p.put_u8(layout.q);
            p.put_u8(info.width.div_ceil(8) as u8);
            p.put_u8(info.height.div_ceil(8) as u8);
            if let Some(ri) = layout.restart {
                p.put_u16(ri);
                // F = L = 1, count 0x3FFF: restart intervals are not aligned to packets.
                p.put_u16(0xFFFF);
            }
            if offset == 0 && layout.q >= 128 {
                p.put_u8(0);
                p.put_u8(0); // both tables 8-bit
                p.put_u16(128);
                p.put_slice(&layout.tables[0]);
                p.put_slice(&layout.tables[1]);
            }
            let room = self.mtu - p.len();
            let end = (offset + room).min(scan.len());
            p.put_slice(&scan[offset..end]);
            offset = end;
            out.push(p.freeze());
        }
        Ok(out)
    }
}

fn layout(info: &JpegInfo, file: &[u8]) -> Result<Layout, Unsupported> {
    if !info.baseline || info.precision != 8 {
        return Err(Unsupported::NotBaseline);
    }
    if info.width > 2040 || info.height > 2040 {
        return Err(Unsupported::TooLarge {
            width: info.width,
            height: info.height,
        });
    }
    let [y, cb, cr] = info.components[..] else {
        return Err(Unsupported::Components(info.components.len()));
    };
    let rtp_type = match ((y.h, y.v), (cb.h, cb.v), (cr.h, cr.v)) {
        ((2, 1), (1, 1), (1, 1)) => 0,
        ((2, 2), (1, 1), (1, 1)) => 1,
        _ => {
            return Err(Unsupported::Sampling(format!(
                "{}x{}, {}x{}, {}x{}",
                y.h, y.v, cb.h, cb.v, cr.h, cr.v
            )))
        }
    };
    if cb.quant_table != cr.quant_table {
        return Err(Unsupported::ChromaTables);
    }
    let mut tables = [[0u8; 64]; 2];
    for (slot, id) in tables.iter_mut().zip([y.quant_table, cb.quant_table]) {
        let t = info
            .quant_tables
            .get(id as usize)
            .and_then(Option::as_ref)
            .ok_or(Unsupported::MissingTable(id))?;
        if t.precision != 8 {
            return Err(Unsupported::Precision16);
        }
        for (s, &v) in slot.iter_mut().zip(t.values.iter()) {
            *s = v as u8;
        }
    }
    for r in &info.huffman_tables {
        let def = file.get(r.clone()).unwrap_or_default();
        let standard = def
            .first()
            .and_then(|&tc| standard_huffman(tc >> 4, tc & 0x0F));
        let same = standard.is_some_and(|h| {
            def.get(1..17) == Some(&h.counts[..]) && def.get(17..) == Some(h.values)
        });
        if !same {
            return Err(Unsupported::NonStandardHuffman);
        }
    }
    // The receiver writes one interleaved scan: Y on Huffman tables 0/0, Cb and Cr on 1/1.
    let expected = [(y.id, 0x00), (cb.id, 0x11), (cr.id, 0x11)];
    if info.scans != 1 || info.scan_components != expected {
        return Err(Unsupported::ScanLayout);
    }
    // Tables that a Q factor reproduces need not travel.
    let q = (1..=99u8)
        .find(|&q| {
            let (l, c) = tables_for_q(q);
            l == tables[0] && c == tables[1]
        })
        .unwrap_or(255);
    let restart = info.restart_interval;
    Ok(Layout {
        rtp_type: rtp_type + if restart.is_some() { 64 } else { 0 },
        q,
        tables,
        restart,
    })
}

/// Counts for the connector's metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DepayStats {
    pub frames: u64,
    pub lost_frames: u64,
}

/// The frame being reassembled.
struct Pending {
    rtp_type: u8,
    width: u16,
    height: u16,
    restart: u16,
    tables: Vec<(u8, Vec<u8>)>,
    data: BytesMut,
}

/// Rebuilds JPEG files from RTP/JPEG payloads. A lost fragment drops its frame (reported as a
/// [`DepayError`]); the next frame starts clean at its first fragment.
#[derive(Default)]
pub struct JpegDepacketizer {
    pending: Option<Pending>,
    /// In-band tables remembered by Q (128..=254 may omit them after the first frame).
    cached: HashMap<u8, Vec<(u8, Vec<u8>)>>,
    /// Waiting for a first fragment after a loss.
    skipping: bool,
    stats: DepayStats,
}

impl JpegDepacketizer {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn stats(&self) -> DepayStats {
        self.stats
    }

    /// One RTP payload with its packet's marker bit; a whole JPEG file once the marked last
    /// fragment arrives. An error reports a lost frame (counted in [`DepayStats`]); the payload
    /// that revealed it may still have started the next frame, so keep pushing.
    pub fn push(&mut self, payload: &[u8], marker: bool) -> Result<Option<Bytes>, DepayError> {
        let r = self.push_inner(payload, marker);
        if r.is_err() {
            self.stats.lost_frames += 1;
        }
        r
    }

    fn push_inner(&mut self, payload: &[u8], marker: bool) -> Result<Option<Bytes>, DepayError> {
        let short = || DepayError::Short(payload.len());
        let main = payload.get(..MAIN_HEADER).ok_or_else(short)?;
        let offset = u32::from_be_bytes([0, main[1], main[2], main[3]]);
        let (rtp_type, q) = (main[4], main[5]);
        let (width, height) = (u16::from(main[6]) * 8, u16::from(main[7]) * 8);
        let mut at = MAIN_HEADER;
        let mut restart = 0;
        if rtp_type >= 64 {
            let h = payload.get(at..at + RESTART_HEADER).ok_or_else(short)?;
            restart = u16::from_be_bytes([h[0], h[1]]);
            at += RESTART_HEADER;
        }
        if offset == 0 {
            let lost_end = self.pending.take().is_some();
            self.skipping = false;
            if !matches!(rtp_type & 0x3F, 0 | 1) || rtp_type >= 128 {
                self.skipping = true;
                return Err(DepayError::Type(rtp_type));
            }
            if width == 0 || height == 0 {
                self.skipping = true;
                return Err(DepayError::ZeroSize);
            }
            self.skipping = true;
            let tables = self.tables(payload, &mut at, q)?;
            self.skipping = false;
            let mut data = BytesMut::new();
            data.extend_from_slice(payload.get(at..).unwrap_or_default());
            self.pending = Some(Pending {
                rtp_type,
                width,
                height,
                restart,
                tables,
                data,
            });
            if marker {
                if lost_end {
                    // Counted, but the complete frame that revealed the loss is kept.
                    self.stats.lost_frames += 1;
                }
                return Ok(self.finish());
            }
            return if lost_end {
                Err(DepayError::Unfinished)
            } else {
                Ok(None)
            };
        }
        let Some(p) = self.pending.as_mut() else {
            if self.skipping {
                return Ok(None);
            }
            self.skipping = true;
            return Err(DepayError::Gap {
                expected: 0,
                got: offset,
            });
        };
        if offset as usize != p.data.len() {
            let expected = p.data.len() as u32;
            self.pending = None;
            self.skipping = true;
            return Err(DepayError::Gap {
                expected,
                got: offset,
            });
        }
        p.data
            .extend_from_slice(payload.get(at..).unwrap_or_default());
        Ok(if marker { self.finish() } else { None })
    }

    /// The quantization tables of a first fragment: in-band, cached, or from Q.
    fn tables(
        &mut self,
        payload: &[u8],
        at: &mut usize,
        q: u8,
    ) -> Result<Vec<(u8, Vec<u8>)>, DepayError> {
        if q < 128 {
            let (l, c) = tables_for_q(q);
            return Ok(vec![(0, l.to_vec()), (0, c.to_vec())]);
        }
        let h = payload
            .get(*at..*at + 4)
            .ok_or(DepayError::Short(payload.len()))?;
        let precision = h[1];
        let len = u16::from_be_bytes([h[2], h[3]]) as usize;
        *at += 4;
        if len == 0 {
            return self.cached.get(&q).cloned().ok_or(DepayError::NoTables(q));
        }
        let mut body = payload.get(*at..*at + len).ok_or(DepayError::BadTables)?;
        *at += len;
        let mut tables = Vec::new();
        for i in 0..2 {
            if body.is_empty() {
                break;
            }
            let wide = precision >> i & 1 == 1;
            let size = if wide { 128 } else { 64 };
            let t = body.get(..size).ok_or(DepayError::BadTables)?;
            tables.push((u8::from(wide), t.to_vec()));
            body = &body[size..];
        }
        if tables.is_empty() {
            return Err(DepayError::BadTables);
        }
        if q < 255 {
            self.cached.insert(q, tables.clone());
        }
        Ok(tables)
    }

    fn finish(&mut self) -> Option<Bytes> {
        let p = self.pending.take()?;
        self.stats.frames += 1;
        Some(rebuild(&p))
    }
}

/// The JPEG file for a reassembled frame (RFC 2435 appendix B's layout).
fn rebuild(p: &Pending) -> Bytes {
    let mut f = BytesMut::with_capacity(p.data.len() + 700);
    f.put_slice(&[0xFF, 0xD8]);
    for (id, (wide, t)) in p.tables.iter().enumerate() {
        f.put_slice(&[0xFF, 0xDB]);
        f.put_u16(3 + t.len() as u16);
        f.put_u8(wide << 4 | id as u8);
        f.put_slice(t);
    }
    let chroma_table = (p.tables.len() > 1) as u8;
    f.put_slice(&[0xFF, 0xC0]);
    f.put_u16(17);
    f.put_u8(8);
    f.put_u16(p.height);
    f.put_u16(p.width);
    f.put_u8(3);
    let luma_v = if p.rtp_type & 0x3F == 0 { 1 } else { 2 };
    f.put_slice(&[0, 0x20 | luma_v, 0]);
    f.put_slice(&[1, 0x11, chroma_table]);
    f.put_slice(&[2, 0x11, chroma_table]);
    for (tc, h) in [
        (0x00, &DC_LUMA),
        (0x10, &AC_LUMA),
        (0x01, &DC_CHROMA),
        (0x11, &AC_CHROMA),
    ] {
        f.put_slice(&[0xFF, 0xC4]);
        f.put_u16(2 + 1 + 16 + h.values.len() as u16);
        f.put_u8(tc);
        f.put_slice(&h.counts);
        f.put_slice(h.values);
    }
    if p.rtp_type >= 64 {
        f.put_slice(&[0xFF, 0xDD, 0, 4]);
        f.put_u16(p.restart);
    }
    f.put_slice(&[0xFF, 0xDA, 0, 12, 3, 0, 0x00, 1, 0x11, 2, 0x11, 0, 63, 0]);
    f.put_slice(&p.data);
    if !p.data.ends_with(&[0xFF, 0xD9]) {
        f.put_slice(&[0xFF, 0xD9]);
    }
    f.freeze()
}

#[cfg(test)]
#[path = "rfc2435_tests.rs"]
mod tests;

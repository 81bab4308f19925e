//! JPEG header parsing without decoding: frame size, components and sampling, quantization and
//! Huffman tables, restart interval and where the entropy-coded data lies. Enough for SQL
//! functions that read frame headers and for the RTP/JPEG packetizer; pixels are not touched.

use std::ops::Range;

/// Why bytes are not a JPEG this parser can describe.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JpegError {
    #[error("not a JPEG (no SOI marker at the start)")]
    NotJpeg,
    #[error("JPEG truncated at byte {0}")]
    Truncated(usize),
    #[error("expected a marker at byte {0}")]
    NoMarker(usize),
    #[error("bad {marker:#04x} segment at byte {at}: {reason}")]
    BadSegment {
        marker: u8,
        at: usize,
        reason: &'static str,
    },
    #[error("scan before any frame header (SOF)")]
    ScanBeforeFrame,
    #[error("no scan (SOS) before the end of the image")]
    NoScan,
    #[error("no end-of-image marker")]
    NoEoi,
}

/// The coding process a frame header (SOFn) names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Process {
    /// SOF0: 8-bit baseline sequential, Huffman coded.
    Baseline,
    /// SOF1 / SOF9: extended sequential.
    Extended { arithmetic: bool },
    /// SOF2 / SOF10.
    Progressive { arithmetic: bool },
    /// SOF3 / SOF11.
    Lossless { arithmetic: bool },
    /// SOF5-7 / SOF13-15: hierarchical (differential) frames.
    Hierarchical,
}

/// One image component from the frame header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Component {
    pub id: u8,
    /// Horizontal and vertical sampling factors (1..=4).
    pub h: u8,
    pub v: u8,
    pub quant_table: u8,
}

/// A quantization table as stored (zig-zag order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuantTable {
    /// 8 or 16 bits per entry.
    pub precision: u8,
    pub values: [u16; 64],
}

/// What the headers of a JPEG say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JpegInfo {
    pub width: u16,
    pub height: u16,
    /// Sample precision in bits (8 for nearly all files).
    pub precision: u8,
    pub process: Process,
    /// SOF0 (the only process RTP/JPEG and most hardware carry).
    pub baseline: bool,
    pub components: Vec<Component>,
    /// By table id 0..=3, the last definition before the first scan.
    pub quant_tables: [Option<QuantTable>; 4],
    /// Each Huffman table definition (class/id byte, 16 counts, values) as a range of the input.
    pub huffman_tables: Vec<Range<usize>>,
    /// From DRI; `None` when absent or zero.
    pub restart_interval: Option<u16>,
    /// The first scan's components: (component id, DC table << 4 | AC table).
    pub scan_components: Vec<(u8, u8)>,
    /// How many scans (SOS segments) the file has; progressive files and non-interleaved
    /// baseline files have several.
    pub scans: usize,
    /// From just after the first SOS header up to (not including) the EOI marker; with more
    /// than one scan it holds the later scans' headers too.
    pub scan_data: Range<usize>,
}

/// SOI at the start and EOI at the end (trailing bytes make it not complete).
pub fn is_complete_jpeg(data: &[u8]) -> bool {
    data.len() >= 4 && data.starts_with(&[0xFF, 0xD8]) && data.ends_with(&[0xFF, 0xD9])
}

fn u16_at(data: &[u8], at: usize) -> Option<u16> {
    let b = data.get(at..at + 2)?;
    Some(u16::from_be_bytes([b[0], b[1]]))
}

/// The marker at `at` (after any 0xFF fill bytes) and the position after it.
fn marker_at(data: &[u8], mut at: usize) -> Result<(u8, usize), JpegError> {
    if data.get(at) != Some(&0xFF) {
        return Err(if at >= data.len() {
            JpegError::Truncated(at)
        } else {
            JpegError::NoMarker(at)
        });
    }
    while data.get(at) == Some(&0xFF) {
        at += 1;
    }
    match data.get(at) {
        None => Err(JpegError::Truncated(at)),
        Some(0x00) => Err(JpegError::NoMarker(at)),
        Some(&m) => Ok((m, at + 1)),
    }
}

/// Markers without a length field.
fn standalone(m: u8) -> bool {
    m == 0x01 || (0xD0..=0xD7).contains(&m)
}

/// Parses the headers of `data` and finds its scan data and EOI.
pub fn parse(data: &[u8]) -> Result<JpegInfo, JpegError> {
    if !data.starts_with(&[0xFF, 0xD8]) {
        return Err(JpegError::NotJpeg);
    }
    let mut frame: Option<(u8, Process, u16, u16, Vec<Component>)> = None;
    let mut quant_tables: [Option<QuantTable>; 4] = Default::default();
    let mut huffman_tables = Vec::new();
    let mut restart_interval = None;
    let mut at = 2;
    loop {
        let (m, after) = marker_at(data, at)?;
        if standalone(m) {
            at = after;
            continue;
        }
        if m == 0xD9 {
            return Err(JpegError::NoScan);
        }
        let len = u16_at(data, after).ok_or(JpegError::Truncated(after))? as usize;
        let bad = |reason| JpegError::BadSegment {
            marker: m,
            at: after,
            reason,
        };
        if len < 2 {
            return Err(bad("length under 2"));
        }
        let seg = data
            .get(after + 2..after + len)
            .ok_or(JpegError::Truncated(data.len()))?;
        let seg_at = after + 2;
        at = after + len;
        match m {
            0xC0..=0xCF if !matches!(m, 0xC4 | 0xC8 | 0xCC) => {
                frame = Some(parse_sof(m, seg).ok_or_else(|| bad("bad frame header"))?);
            }
            0xC4 => parse_dht(seg, seg_at, &mut huffman_tables)
                .ok_or_else(|| bad("bad Huffman table"))?,
            0xDB => {
                parse_dqt(seg, &mut quant_tables).ok_or_else(|| bad("bad quantization table"))?
            }
            0xDD => {
                let ri = u16_at(seg, 0).ok_or_else(|| bad("short restart interval"))?;
                restart_interval = (ri > 0).then_some(ri);
            }
            0xDA => {
                let (precision, process, width, height, components) =
                    frame.ok_or(JpegError::ScanBeforeFrame)?;
                let ns = *seg.first().ok_or_else(|| bad("empty scan header"))? as usize;
                if seg.len() < 1 + 2 * ns + 3 {
                    return Err(bad("short scan header"));
                }
                let scan_components = seg[1..1 + 2 * ns]
                    .chunks_exact(2)
                    .map(|c| (c[0], c[1]))
                    .collect();
                let (eoi, later_scans) = find_eoi(data, at)?;
                return Ok(JpegInfo {
                    width,
                    height,
                    precision,
                    process,
                    baseline: process == Process::Baseline,
                    components,
                    quant_tables,
                    huffman_tables,
                    restart_interval,
                    scan_components,
                    scans: 1 + later_scans,
                    scan_data: at..eoi,
                });
            }
            // APPn, COM and anything else with a length: skipped.
            _ => {}
        }
    }
}

fn parse_sof(m: u8, seg: &[u8]) -> Option<(u8, Process, u16, u16, Vec<Component>)> {
    let precision = *seg.first()?;
    let height = u16_at(seg, 1)?;
    let width = u16_at(seg, 3)?;
    let n = *seg.get(5)? as usize;
    let comps = seg.get(6..6 + 3 * n)?;
    if n == 0 || width == 0 {
        return None;
    }
    let components = comps
        .chunks_exact(3)
        .map(|c| Component {
            id: c[0],
            h: c[1] >> 4,
            v: c[1] & 0x0F,
            quant_table: c[2],
        })
        .collect();
    let arithmetic = m >= 0xC8;
    let process = match m & 0x07 {
        0 if m == 0xC0 => Process::Baseline,
        0 | 1 => Process::Extended { arithmetic },
        2 => Process::Progressive { arithmetic },
        3 => Process::Lossless { arithmetic },
        _ => Process::Hierarchical,
    };
    Some((precision, process, width, height, components))
}

fn parse_dqt(mut seg: &[u8], tables: &mut [Option<QuantTable>; 4]) -> Option<()> {
    while let Some((&pq_tq, rest)) = seg.split_first() {
        let precision = if pq_tq >> 4 == 0 { 8 } else { 16 };
        let id = (pq_tq & 0x0F) as usize;
        let size = if precision == 8 { 64 } else { 128 };
        let body = rest.get(..size)?;
        let mut values = [0u16; 64];
        for (i, v) in values.iter_mut().enumerate() {
            *v = if precision == 8 {
                u16::from(body[i])
            } else {
                u16_at(body, 2 * i)?
            };
        }
        *tables.get_mut(id)? = Some(QuantTable { precision, values });
        seg = &rest[size..];
    }
    Some(())
}

fn parse_dht(mut seg: &[u8], mut at: usize, out: &mut Vec<Range<usize>>) -> Option<()> {
    while !seg.is_empty() {
        let counts = seg.get(1..17)?;
        let n: usize = counts.iter().map(|&c| c as usize).sum();
        let size = 17 + n;
        seg.get(..size)?;
        out.push(at..at + size);
        seg = &seg[size..];
        at += size;
    }
    Some(())
}

/// The position of the EOI marker after entropy-coded data starting at `at`: stuffed bytes
/// (FF 00) and restart markers are data; other marker segments (later scans, tables) are
/// skipped by their length and later SOS segments counted.
fn find_eoi(data: &[u8], mut at: usize) -> Result<(usize, usize), JpegError> {
    let mut scans = 0;
    loop {
        let rest = data.get(at..).unwrap_or_default();
        let Some(ff) = memchr::memchr(0xFF, rest) else {
            return Err(JpegError::NoEoi);
        };
        let pos = at + ff;
        let mut next = pos + 1;
        while data.get(next) == Some(&0xFF) {
            next += 1;
        }
        match data.get(next) {
            None => return Err(JpegError::NoEoi),
            Some(0x00) => at = next + 1,
            Some(&m) if standalone(m) => at = next + 1,
            Some(0xD9) => return Ok((pos, scans)),
            Some(&m) => {
                scans += usize::from(m == 0xDA);
                let len = u16_at(data, next + 1).ok_or(JpegError::NoEoi)? as usize;
                if len < 2 {
                    return Err(JpegError::NoMarker(pos));
                }
                at = next + 1 + len;
            }
        }
    }
}

#[cfg(test)]
#[path = "jpeg_tests.rs"]
mod tests;

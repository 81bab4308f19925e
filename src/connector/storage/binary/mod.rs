//! The binary log: `binary` sink (rotating, optionally LZ4), `BinaryReader`, and `binary`
//! source (replays such files into a stream).
//!
//! File layout (after LZ4 decompression for `.lz4` files):
//! ```text
//! file   := magic "EFLXBIN1" · header_len:u32 · header (JSON: stream, format, attributes) · record*
//! record := ts:i64 (ms) · address:[u8;16] (IPv6; IPv4 as ::ffff:a.b.c.d; zeros = unknown)
//!           · len:u32 · payload[len] (the mapper's bytes; `binary` row encoding by default)
//! ```
//! All integers little-endian. The 24-byte metadata and the length come first so a reader can
//! skip a record without decoding it.
//!
//! Files: `sink`, `reader` (`BinaryReader`, the range scan, listing), `source` (replay).

mod reader;
mod sink;
mod source;

pub use reader::{log_files, scan_time_range, BinaryReader, ReadError, Record};
pub use sink::BinarySinkFactory;
pub use source::BinarySourceFactory;

use crate::schema::Schema;
use bytes::BufMut;

pub const MAGIC: &[u8; 8] = b"EFLXBIN1";
/// ts (8) + address (16).
pub const METADATA_BYTES: usize = 24;
/// The metadata and the payload length.
const RECORD_HEAD: usize = METADATA_BYTES + 4;
const LZ4_FRAME_MAGIC: [u8; 4] = [0x04, 0x22, 0x4d, 0x18];

/// What a binary file says about itself.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FileHeader {
    pub stream: String,
    /// The mapper that encoded the payloads.
    pub format: String,
    /// (name, type) of the stream's attributes.
    pub attributes: Vec<(String, String)>,
}

impl FileHeader {
    pub(crate) fn for_stream(schema: &Schema, format: &str) -> FileHeader {
        FileHeader {
            stream: schema.name().to_string(),
            format: format.to_string(),
            attributes: schema
                .attrs()
                .iter()
                .map(|a| (a.name.clone(), a.ty.to_string()))
                .collect(),
        }
    }

    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        let json = serde_json::to_vec(self).expect("a header serializes");
        let mut out = Vec::with_capacity(12 + json.len());
        out.put_slice(MAGIC);
        out.put_u32_le(json.len() as u32);
        out.put_slice(&json);
        out
    }
}

/// Appends one record.
pub fn write_record(ts: i64, address: &[u8; 16], payload: &[u8], out: &mut Vec<u8>) {
    out.put_i64_le(ts);
    out.put_slice(address);
    out.put_u32_le(payload.len() as u32);
    out.put_slice(payload);
}

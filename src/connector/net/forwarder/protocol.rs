//! The forwarder's wire protocol (see the module header): frames, the sender's HELLO, and batch
//! bodies in the `binary` row encoding, optionally as one LZ4 block.

use crate::connector::storage::codec::{self, CodecError};
use crate::event::Event;
use crate::schema::Schema;
use bytes::{Buf, BufMut, Bytes};
use std::io::{self, Read, Write};

pub(super) const HELLO: u8 = 1;
pub(super) const WELCOME: u8 = 2;
pub(super) const BATCH: u8 = 3;
pub(super) const ACK: u8 = 4;
pub(super) const REFUSED: u8 = 5;
/// The receiver is at its `max.connections`: try again later (a transient refusal).
pub(super) const BUSY: u8 = 6;
pub(super) const VERSION: u64 = 1;
const LZ4_FLAG: u8 = 1;
/// seq (8) + count (4) + flags (1).
const BATCH_HEAD: usize = 13;
/// ts (8) + len (4).
const RECORD_HEAD: usize = 12;
/// Frames above this are refused as damaged (a batch of 1 M small events fits well below).
const MAX_FRAME: usize = 256 * 1024 * 1024;

/// Why a batch body is not a batch of the receiver's stream.
#[derive(Debug, thiserror::Error)]
pub(super) enum BatchError {
    #[error("batch frame too short")]
    Short,
    #[error("batch {seq}: bad LZ4 block: {source}")]
    Lz4 {
        seq: u64,
        source: lz4_flex::block::DecompressError,
    },
    #[error("batch {seq}: its LZ4 block claims {size} bytes, more than a frame may hold")]
    Lz4TooLarge { seq: u64, size: usize },
    #[error("batch {seq}: record {record} is cut short")]
    Cut { seq: u64, record: usize },
    #[error("batch {seq}, record {record}: {source}")]
    Row {
        seq: u64,
        record: usize,
        source: CodecError,
    },
}

impl From<BatchError> for io::Error {
    fn from(e: BatchError) -> Self {
        io::Error::new(io::ErrorKind::InvalidData, e)
    }
}

pub(super) fn write_frame(w: &mut impl Write, kind: u8, body: &[&[u8]]) -> io::Result<()> {
    let len: usize = 1 + body.iter().map(|b| b.len()).sum::<usize>();
    w.write_all(&(len as u32).to_le_bytes())?;
    w.write_all(&[kind])?;
    for b in body {
        w.write_all(b)?;
    }
    w.flush()
}

pub(super) fn read_frame(r: &mut impl Read) -> io::Result<(u8, Vec<u8>)> {
    let mut len = [0u8; 4];
    r.read_exact(&mut len)?;
    let len = (&len[..]).get_u32_le() as usize;
    if len == 0 || len > MAX_FRAME {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("bad frame length {len}"),
        ));
    }
    let mut kind = [0u8; 1];
    r.read_exact(&mut kind)?;
    // Grown as bytes arrive: a peer that announces 256 MB and sends 10 bytes holds 10 bytes.
    let mut body = Vec::with_capacity((len - 1).min(64 * 1024));
    r.take(len as u64 - 1).read_to_end(&mut body)?;
    if body.len() < len - 1 {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            format!("the frame ended after {} of {} bytes", body.len(), len - 1),
        ));
    }
    Ok((kind[0], body))
}

#[derive(serde::Serialize, serde::Deserialize)]
pub(super) struct Hello {
    pub version: u64,
    pub token: Option<String>,
    pub stream: String,
    pub session: u64,
}

/// Encodes a batch body: seq, count, flags, records.
pub(super) fn encode_batch(
    seq: u64,
    events: &[Event],
    lz4: bool,
    scratch: &mut Vec<u8>,
) -> Vec<u8> {
    scratch.clear();
    let mut row = Vec::with_capacity(128);
    for e in events {
        row.clear();
        codec::encode_row(&e.data, &mut row);
        scratch.put_i64_le(e.ts);
        scratch.put_u32_le(row.len() as u32);
        scratch.put_slice(&row);
    }
    let mut body = Vec::with_capacity(BATCH_HEAD + scratch.len());
    body.put_u64_le(seq);
    body.put_u32_le(events.len() as u32);
    if lz4 {
        body.put_u8(LZ4_FLAG);
        body.put_slice(&lz4_flex::block::compress_prepend_size(scratch));
    } else {
        body.put_u8(0);
        body.put_slice(scratch);
    }
    body
}

/// Decodes a batch body into (seq, events) checked against `schema`.
pub(super) fn decode_batch(body: &[u8], schema: &Schema) -> Result<(u64, Vec<Event>), BatchError> {
    let mut head = body;
    if head.remaining() < BATCH_HEAD {
        return Err(BatchError::Short);
    }
    let seq = head.get_u64_le();
    let count = head.get_u32_le() as usize;
    let flags = head.get_u8();
    let mut records = if flags & LZ4_FLAG != 0 {
        // The block's first 4 bytes say how large it decompresses: bound that before the
        // decoder allocates it.
        let size = head
            .get(..4)
            .map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
        if size as usize > MAX_FRAME {
            return Err(BatchError::Lz4TooLarge {
                seq,
                size: size as usize,
            });
        }
        let plain = lz4_flex::block::decompress_size_prepended(head)
            .map_err(|source| BatchError::Lz4 { seq, source })?;
        Bytes::from(plain)
    } else {
        Bytes::copy_from_slice(head)
    };
    // A record takes at least its head: a damaged count reserves no more than the bytes allow.
    let mut events = Vec::with_capacity(count.min(records.remaining() / RECORD_HEAD));
    for record in 0..count {
        let cut = BatchError::Cut { seq, record };
        if records.remaining() < RECORD_HEAD {
            return Err(cut);
        }
        let ts = records.get_i64_le();
        let len = records.get_u32_le() as usize;
        if records.remaining() < len {
            return Err(cut);
        }
        let row = codec::decode_for(&records.split_to(len), schema).map_err(|source| {
            BatchError::Row {
                seq,
                record,
                source,
            }
        })?;
        events.push(Event::new(ts, row));
    }
    Ok((seq, events))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::{AttrType, Value};

    #[test]
    fn batches_round_trip_plain_and_lz4() {
        let schema = Schema::of("S", &[("a", AttrType::String), ("b", AttrType::Long)]);
        let events: Vec<Event> = (0..50)
            .map(|i| Event::new(1000 + i, vec![Value::from("x"), Value::Long(i)]))
            .collect();
        for lz4 in [false, true] {
            let body = encode_batch(7, &events, lz4, &mut Vec::new());
            let (seq, back) = decode_batch(&body, &schema).unwrap();
            assert_eq!(seq, 7);
            assert_eq!(back.len(), 50);
            assert_eq!(back[49].ts, 1049);
            assert_eq!(back[49].data.to_vec(), events[49].data.to_vec());
            assert!(decode_batch(&body[..body.len() - 1], &schema).is_err());
        }
    }
}

//! Reading binary logs back: `BinaryReader` (sequential, plain or LZ4), `scan_time_range`
//! (seeks over records outside a time range) and `log_files` (a directory's logs in order).

use super::{FileHeader, LZ4_FRAME_MAGIC, MAGIC, RECORD_HEAD};
use bytes::{Buf, Bytes};
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// One record as read back.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub ts: i64,
    pub address: [u8; 16],
    pub payload: Bytes,
}

impl Record {
    /// The address as text (`::ffff:1.2.3.4` prints as `1.2.3.4`; all zeros as empty).
    pub fn address_text(&self) -> String {
        if self.address == [0; 16] {
            return String::new();
        }
        let v6 = std::net::Ipv6Addr::from(self.address);
        match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => v6.to_string(),
        }
    }
}

/// Why reading stopped before the end of the file.
#[derive(Debug)]
pub enum ReadError {
    /// The file ends inside a record: its writer did not finish (a crash, or a file still being
    /// written). Everything before `offset` was read.
    Truncated {
        offset: u64,
        records: u64,
    },
    /// Not a binary log, or damaged.
    Invalid(String),
    Io(io::Error),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Truncated { offset, records } => write!(
                f,
                "the file ends inside a record at byte {offset} (uncompressed) after {records} complete records; its writer did not finish it"
            ),
            ReadError::Invalid(msg) => f.write_str(msg),
            ReadError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ReadError {}

/// Reads a binary log sequentially, `.bin` or LZ4-compressed.
pub struct BinaryReader {
    input: Box<dyn Read + Send>,
    header: FileHeader,
    offset: u64,
    records: u64,
    head: [u8; RECORD_HEAD],
}

impl BinaryReader {
    pub fn open(path: &Path) -> Result<BinaryReader, ReadError> {
        let mut file = File::open(path).map_err(ReadError::Io)?;
        let mut start = [0u8; 4];
        let n = read_full(&mut file, &mut start).map_err(ReadError::Io)?;
        file.seek(SeekFrom::Start(0)).map_err(ReadError::Io)?;
        let buffered = BufReader::with_capacity(256 * 1024, file);
        let input: Box<dyn Read + Send> = if n == 4 && start == LZ4_FRAME_MAGIC {
            Box::new(Lz4Frames::new(buffered))
        } else {
            Box::new(buffered)
        };
        BinaryReader::from_reader(input).map_err(|e| match e {
            ReadError::Invalid(msg) => ReadError::Invalid(format!("{}: {msg}", path.display())),
            other => other,
        })
    }

    /// Reads from any byte stream that starts with the file header.
    pub fn from_reader(mut input: Box<dyn Read + Send>) -> Result<BinaryReader, ReadError> {
        let mut magic = [0u8; 12];
        let n = read_full(&mut input, &mut magic).map_err(ReadError::Io)?;
        let cut = ReadError::Truncated {
            offset: 0,
            records: 0,
        };
        if magic[..n.min(8)] != MAGIC[..n.min(8)] {
            return Err(ReadError::Invalid(
                "not an EventFlux binary log (it does not start with EFLXBIN1)".into(),
            ));
        }
        if n < 12 {
            // A file its writer had only just created when it stopped.
            return Err(cut);
        }
        let len = (&magic[8..]).get_u32_le() as usize;
        let json = read_up_to(&mut input, len).map_err(ReadError::Io)?;
        if json.len() < len {
            return Err(cut);
        }
        let header: FileHeader = serde_json::from_slice(&json)
            .map_err(|e| ReadError::Invalid(format!("the file header is not valid: {e}")))?;
        Ok(BinaryReader {
            input,
            header,
            offset: 12 + len as u64,
            records: 0,
            head: [0; RECORD_HEAD],
        })
    }

    pub fn header(&self) -> &FileHeader {
        &self.header
    }

    /// Complete records read so far.
    pub fn records(&self) -> u64 {
        self.records
    }

    /// The next record; `Ok(None)` at a clean end of file.
    pub fn next_record(&mut self) -> Result<Option<Record>, ReadError> {
        let n = read_full(&mut self.input, &mut self.head).map_err(|e| self.damaged(e))?;
        if n == 0 {
            return Ok(None);
        }
        if n < RECORD_HEAD {
            return Err(self.truncated());
        }
        let (ts, address, len) = parse_head(&self.head);
        let payload = read_up_to(&mut self.input, len).map_err(|e| self.damaged(e))?;
        if payload.len() < len {
            return Err(self.truncated());
        }
        self.offset += (RECORD_HEAD + len) as u64;
        self.records += 1;
        Ok(Some(Record {
            ts,
            address,
            payload: Bytes::from(payload),
        }))
    }

    fn truncated(&self) -> ReadError {
        ReadError::Truncated {
            offset: self.offset,
            records: self.records,
        }
    }

    /// An LZ4 stream cut short surfaces as a decode error: the same as a truncated file.
    fn damaged(&self, e: io::Error) -> ReadError {
        match e.kind() {
            io::ErrorKind::UnexpectedEof | io::ErrorKind::InvalidData | io::ErrorKind::Other => {
                self.truncated()
            }
            _ => ReadError::Io(e),
        }
    }
}

impl Iterator for BinaryReader {
    type Item = Result<Record, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_record().transpose()
    }
}

/// Reads records with `from <= ts < to` from an uncompressed file, seeking over the payloads
/// of the others instead of reading them. Compressed files are read sequentially.
pub fn scan_time_range(
    path: &Path,
    from: i64,
    to: i64,
    mut each: impl FnMut(Record),
) -> Result<u64, ReadError> {
    let mut file = File::open(path).map_err(ReadError::Io)?;
    let mut start = [0u8; 4];
    let n = read_full(&mut file, &mut start).map_err(ReadError::Io)?;
    if n == 4 && start == LZ4_FRAME_MAGIC {
        let mut kept = 0;
        for r in BinaryReader::open(path)? {
            let r = r?;
            if (from..to).contains(&r.ts) {
                kept += 1;
                each(r);
            }
        }
        return Ok(kept);
    }
    file.seek(SeekFrom::Start(0)).map_err(ReadError::Io)?;
    let header = BinaryReader::from_reader(Box::new(file.try_clone().map_err(ReadError::Io)?))?;
    let mut offset = header.offset;
    let size = file.metadata().map_err(ReadError::Io)?.len();
    let mut input = BufReader::with_capacity(64 * 1024, file);
    input.seek(SeekFrom::Start(offset)).map_err(ReadError::Io)?;
    let (mut kept, mut records) = (0u64, 0u64);
    let mut head = [0u8; RECORD_HEAD];
    loop {
        let n = read_full(&mut input, &mut head).map_err(ReadError::Io)?;
        if n == 0 {
            return Ok(kept);
        }
        if n < RECORD_HEAD {
            return Err(ReadError::Truncated { offset, records });
        }
        let (ts, address, len) = parse_head(&head);
        let len = len as u64;
        if offset + RECORD_HEAD as u64 + len > size {
            return Err(ReadError::Truncated { offset, records });
        }
        if (from..to).contains(&ts) {
            let mut payload = vec![0u8; len as usize];
            input.read_exact(&mut payload).map_err(ReadError::Io)?;
            kept += 1;
            each(Record {
                ts,
                address,
                payload: Bytes::from(payload),
            });
        } else {
            input.seek_relative(len as i64).map_err(ReadError::Io)?;
        }
        offset += RECORD_HEAD as u64 + len;
        records += 1;
    }
}

/// A record's head: its timestamp, address and payload length.
fn parse_head(head: &[u8; RECORD_HEAD]) -> (i64, [u8; 16], usize) {
    let mut head = &head[..];
    let ts = head.get_i64_le();
    let mut address = [0u8; 16];
    head.copy_to_slice(&mut address);
    (ts, address, head.get_u32_le() as usize)
}

/// Decodes concatenated LZ4 frames (a single file appended to by several runs holds one frame
/// per run), as `lz4 -d` does.
struct Lz4Frames<R: io::BufRead> {
    decoder: Option<lz4_flex::frame::FrameDecoder<R>>,
}

impl<R: io::BufRead> Lz4Frames<R> {
    fn new(input: R) -> Self {
        Lz4Frames {
            decoder: Some(lz4_flex::frame::FrameDecoder::new(input)),
        }
    }
}

impl<R: io::BufRead> Read for Lz4Frames<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let Some(decoder) = self.decoder.as_mut() else {
                return Ok(0);
            };
            let n = decoder.read(buf)?;
            if n > 0 || buf.is_empty() {
                return Ok(n);
            }
            // This frame ended: another may follow.
            let mut input = self.decoder.take().expect("present").into_inner();
            if input.fill_buf()?.is_empty() {
                return Ok(0);
            }
            self.decoder = Some(lz4_flex::frame::FrameDecoder::new(input));
        }
    }
}

/// Reads `len` bytes, or fewer where the input ends. Memory grows with the bytes that arrive,
/// not with `len`: a damaged length field (up to 4 GiB) costs only what the file holds.
fn read_up_to(input: &mut dyn Read, len: usize) -> io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(len.min(64 * 1024));
    input.take(len as u64).read_to_end(&mut out)?;
    Ok(out)
}

/// Reads until `buf` is full or the input ends; returns the bytes read.
fn read_full(input: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match input.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// The binary logs under `path` (a file, or a directory searched recursively), in name order,
/// which is time order for rotated files.
pub fn log_files(path: &Path) -> io::Result<Vec<PathBuf>> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files = crate::connector::storage::rotation::files_under(path)?;
    files.retain(|p| {
        let name = p.file_name().unwrap_or_default().to_string_lossy();
        let name = name.strip_suffix(".inprogress").unwrap_or(&name);
        name.ends_with(".bin") || name.ends_with(".bin.lz4")
    });
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connector::storage::binary::write_record;

    #[test]
    fn reader_reads_back_and_reports_where_a_cut_file_stops() {
        let header = FileHeader {
            stream: "S".into(),
            format: "binary".into(),
            attributes: vec![("a".into(), "INT".into())],
        };
        let mut file = header.to_bytes();
        for i in 0..3 {
            write_record(i, &[0; 16], b"payload", &mut file);
        }
        let whole = file.len();
        let read = |bytes: Vec<u8>| {
            let mut r = BinaryReader::from_reader(Box::new(io::Cursor::new(bytes))).unwrap();
            let mut ts = Vec::new();
            loop {
                match r.next_record() {
                    Ok(Some(rec)) => ts.push(rec.ts),
                    Ok(None) => return (ts, None),
                    Err(e) => return (ts, Some(e.to_string())),
                }
            }
        };
        assert_eq!(read(file.clone()), (vec![0, 1, 2], None));
        let (ts, err) = read(file[..whole - 3].to_vec());
        assert_eq!(ts, vec![0, 1]);
        assert!(err.unwrap().contains("after 2 complete records"));
    }
}

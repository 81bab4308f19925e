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

use super::codec;
use super::rotation::{
    attribute_index, file_params, FileSet, FileSettings, Layout, PartitionBuffers,
};
use crate::connector::config::{ConfigError, ConnectorConfig, Params};
use crate::connector::error::ERROR_PARAMS;
use crate::connector::param::specs;
use crate::connector::spec::{ConnectorSpec, ParamSpec};
use crate::connector::{
    ConnectorError, Rejects, Sink, SinkFactory, SinkMapper, Source, SourceContext, SourceFactory,
};
use crate::event::Event;
use crate::schema::Schema;
use crate::value::{AttrType, Value};
use bytes::Bytes;
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub const MAGIC: &[u8; 8] = b"EFLXBIN1";
/// ts (8) + address (16).
pub const METADATA_BYTES: usize = 24;
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
    fn for_stream(schema: &Schema, format: &str) -> FileHeader {
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

    fn to_bytes(&self) -> Vec<u8> {
        let json = serde_json::to_vec(self).expect("a header serializes");
        let mut out = Vec::with_capacity(12 + json.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&(json.len() as u32).to_le_bytes());
        out.extend_from_slice(&json);
        out
    }
}

/// Appends one record.
pub fn write_record(ts: i64, address: &[u8; 16], payload: &[u8], out: &mut Vec<u8>) {
    out.extend_from_slice(&ts.to_le_bytes());
    out.extend_from_slice(address);
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    out.extend_from_slice(payload);
}

// ---------------------------------------------------------------------------------------------
// Sink

pub struct BinarySinkFactory;

fn sink_params() -> Vec<ParamSpec> {
    let mut params = file_params(
        "Base directory of the rotated files (with rotation='none' and no rotation.max.bytes: \
         the one file to append to).",
        "4096",
        "1000",
    );
    params.push(ParamSpec::optional(
        "address.attribute",
        None,
        "A STRING (IP address text) or BYTES (4 or 16 bytes) attribute stored as each \
         record's source address; without it the address is zeros.",
        "client_ip",
    ));
    params.extend(specs(&[ERROR_PARAMS]));
    params
}

impl SinkFactory for BinarySinkFactory {
    fn spec(&self) -> ConnectorSpec {
        ConnectorSpec {
            name: "binary",
            aliases: &[],
            description: "Archives events as a replayable binary log: each record is the \
                event timestamp, a 16-byte source address and the length-prefixed payload \
                (the `binary` row encoding by default). Files rotate by time and size without \
                losing or tearing a record, are written as NAME.inprogress and renamed when \
                complete, and can be LZ4-compressed (`lz4 -d` reads them). Read them with \
                `eventflux read FILE`, the library's BinaryReader, or replay them with the \
                binary source.",
            params: sink_params(),
            formats: &["binary", "json", "csv", "text", "bytes"],
            default_format: Some("binary"),
            example: "@sink(type='binary', path='archive/trades', rotation='hourly', \
                compression='lz4')",
        }
    }

    fn validate(&self, config: &ConnectorConfig, schema: &Schema) -> Result<(), ConfigError> {
        let settings = FileSettings::from_config(config)?;
        attribute_index(
            schema,
            settings.partition_by.as_deref(),
            "partition.by",
            None,
        )?;
        attribute_index(
            schema,
            config.get("address.attribute"),
            "address.attribute",
            Some(&[AttrType::String, AttrType::Bytes]),
        )?;
        Ok(())
    }

    fn create(
        &self,
        config: &ConnectorConfig,
        schema: &Schema,
        mapper: Option<Box<dyn SinkMapper>>,
    ) -> Result<Box<dyn Sink>, ConnectorError> {
        let settings = FileSettings::from_config(config)?;
        let mapper = mapper.ok_or_else(|| {
            ConnectorError::permanent("binary sink needs a format (@map(type='binary'))")
        })?;
        let format = config.map.as_ref().map_or("binary", |m| m.kind.as_str());
        let partition = attribute_index(
            schema,
            settings.partition_by.as_deref(),
            "partition.by",
            None,
        )?;
        let address = attribute_index(
            schema,
            config.get("address.attribute"),
            "address.attribute",
            Some(&[AttrType::String, AttrType::Bytes]),
        )?;
        let header = FileHeader::for_stream(schema, format).to_bytes();
        let extension = "bin";
        let layout = Layout::new(settings, schema.name(), extension, Some(header));
        let mut sink = BinarySink {
            files: FileSet::new(layout.clone(), partition),
            address,
            mapper,
            payload: Vec::with_capacity(256),
        };
        if partition.is_none() {
            // Open now, so a bad path fails at startup.
            sink.files.get(None)?;
        }
        Ok(Box::new(sink))
    }
}

struct BinarySink {
    files: FileSet,
    address: Option<usize>,
    mapper: Box<dyn SinkMapper>,
    payload: Vec<u8>,
}

fn address_of(value: &Value) -> [u8; 16] {
    let ip = match value {
        Value::String(s) => s.trim().parse::<IpAddr>().ok(),
        Value::Bytes(b) if b.len() == 4 => {
            Some(IpAddr::from(<[u8; 4]>::try_from(&b[..]).expect("4 bytes")))
        }
        Value::Bytes(b) if b.len() == 16 => Some(IpAddr::from(
            <[u8; 16]>::try_from(&b[..]).expect("16 bytes"),
        )),
        _ => None,
    };
    match ip {
        Some(IpAddr::V4(v4)) => v4.to_ipv6_mapped().octets(),
        Some(IpAddr::V6(v6)) => v6.octets(),
        None => [0; 16],
    }
}

impl BinarySink {
    fn write_batch(&mut self, events: &[Event], rejects: &mut Rejects) -> io::Result<()> {
        let mut buffers = PartitionBuffers::default();
        for (i, event) in events.iter().enumerate() {
            self.payload.clear();
            if let Err(msg) = self.mapper.encode(event, &mut self.payload) {
                rejects.reject(i, ConnectorError::permanent(msg));
                continue;
            }
            let address = self.address.map_or([0; 16], |a| address_of(event.get(a)));
            let buf = self.files.buffer(&mut buffers, event);
            write_record(event.ts, &address, &self.payload, buf);
        }
        self.files.write(buffers)
    }
}

impl Sink for BinarySink {
    fn publish(&mut self, events: &[Event], rejects: &mut Rejects) -> Result<(), ConnectorError> {
        self.write_batch(events, rejects).map_err(|e| {
            let mut err = ConnectorError::from(e);
            err.message = format!("binary sink: cannot write: {}", err.message);
            err
        })
    }

    fn sync(&mut self) -> Result<(), ConnectorError> {
        self.files.sync()
    }

    fn idle(&mut self) {
        if let Err(e) = self.files.tick() {
            log::error!("binary sink: {e}");
        }
    }

    fn flush(&mut self) -> Result<(), ConnectorError> {
        self.files.close()
    }
}

// ---------------------------------------------------------------------------------------------
// Reader

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
        let len = u32::from_le_bytes(magic[8..12].try_into().expect("4 bytes")) as usize;
        let mut json = vec![0u8; len];
        if read_full(&mut input, &mut json).map_err(ReadError::Io)? < len {
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
        let ts = i64::from_le_bytes(self.head[..8].try_into().expect("8 bytes"));
        let address: [u8; 16] = self.head[8..24].try_into().expect("16 bytes");
        let len = u32::from_le_bytes(self.head[24..28].try_into().expect("4 bytes")) as usize;
        let mut payload = vec![0u8; len];
        if read_full(&mut self.input, &mut payload).map_err(|e| self.damaged(e))? < len {
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
        let len = u32::from_le_bytes(head[24..28].try_into().expect("4 bytes")) as u64;
        if n < RECORD_HEAD || offset + RECORD_HEAD as u64 + len > size {
            return Err(ReadError::Truncated { offset, records });
        }
        let ts = i64::from_le_bytes(head[..8].try_into().expect("8 bytes"));
        if (from..to).contains(&ts) {
            let mut payload = vec![0u8; len as usize];
            input.read_exact(&mut payload).map_err(ReadError::Io)?;
            kept += 1;
            each(Record {
                ts,
                address: head[8..24].try_into().expect("16 bytes"),
                payload: Bytes::from(payload),
            });
        } else {
            input.seek_relative(len as i64).map_err(ReadError::Io)?;
        }
        offset += RECORD_HEAD as u64 + len;
        records += 1;
    }
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
    let mut files = super::rotation::files_under(path)?;
    files.retain(|p| {
        let name = p.file_name().unwrap_or_default().to_string_lossy();
        let name = name.strip_suffix(".inprogress").unwrap_or(&name);
        name.ends_with(".bin") || name.ends_with(".bin.lz4")
    });
    Ok(files)
}

// ---------------------------------------------------------------------------------------------
// Source

pub struct BinarySourceFactory;

impl SourceFactory for BinarySourceFactory {
    fn spec(&self) -> ConnectorSpec {
        let mut params = vec![
            ParamSpec::required(
                "path",
                "A binary log, or a directory whose .bin / .bin.lz4 files (rotated ones \
                 included, searched recursively) are replayed in name order.",
                "archive/trades",
            ),
            ParamSpec::optional(
                "pace",
                Some("fast"),
                "fast: as fast as the app takes them; recorded: with the gaps between the \
                 recorded timestamps.",
                "recorded",
            ),
            ParamSpec::optional(
                "timestamps",
                Some("arrival"),
                "arrival: events get the app clock's time as they enter; recorded: they keep \
                 the timestamps in the log (binary format only), for time windows over history \
                 (best with @app:playback).",
                "recorded",
            ),
        ];
        params.extend(specs(&[ERROR_PARAMS]));
        ConnectorSpec {
            name: "binary",
            aliases: &[],
            description: "Replays binary logs written by the binary sink into a stream, as fast \
                as possible or at the recorded pace. Payloads are decoded by the @map (binary by \
                default, which checks them against the stream's attributes). A file that ends \
                inside a record (its writer crashed) is replayed up to its last complete \
                record, with a warning that says where it stopped.",
            params,
            formats: &["binary", "json", "csv", "text", "bytes"],
            default_format: Some("binary"),
            example: "@source(type='binary', path='archive/trades', pace='recorded')",
        }
    }

    fn validate(&self, config: &ConnectorConfig, _schema: &Schema) -> Result<(), ConfigError> {
        pace(config)?;
        recorded_timestamps(config).map(|_| ())
    }

    fn create(
        &self,
        config: &ConnectorConfig,
        schema: &Schema,
    ) -> Result<Box<dyn Source>, ConnectorError> {
        Ok(Box::new(BinarySource {
            path: PathBuf::from(config.require("path")?),
            recorded_pace: pace(config)?,
            recorded_ts: recorded_timestamps(config)?.then(|| schema.clone()),
        }))
    }
}

/// `timestamps='recorded'`: decode here (binary rows only) so events keep their log time.
fn recorded_timestamps(config: &ConnectorConfig) -> Result<bool, ConfigError> {
    match config.get("timestamps").unwrap_or("arrival") {
        "arrival" => Ok(false),
        "recorded" => match config.map.as_ref().map_or("binary", |m| m.kind.as_str()) {
            "binary" => Ok(true),
            other => Err(ConfigError(format!(
                "timestamps='recorded' needs the binary format, not '{other}'"
            ))),
        },
        other => Err(ConfigError(format!(
            "parameter 'timestamps' has value '{other}': expected arrival or recorded"
        ))),
    }
}

fn pace(config: &ConnectorConfig) -> Result<bool, ConfigError> {
    match config.get("pace").unwrap_or("fast") {
        "fast" => Ok(false),
        "recorded" => Ok(true),
        other => Err(ConfigError(format!(
            "parameter 'pace' has value '{other}': expected fast or recorded"
        ))),
    }
}

struct BinarySource {
    path: PathBuf,
    recorded_pace: bool,
    /// With `timestamps='recorded'`: the schema rows are decoded against.
    recorded_ts: Option<Schema>,
}

/// What a replay has read and not yet emitted.
struct Pending {
    payloads: Vec<Bytes>,
    events: Vec<Event>,
}

impl Pending {
    fn len(&self) -> usize {
        self.payloads.len() + self.events.len()
    }

    fn emit(&mut self, ctx: &mut SourceContext) {
        ctx.emit_payloads(&self.payloads);
        self.payloads.clear();
        ctx.emit_events(std::mem::take(&mut self.events));
    }
}

impl Source for BinarySource {
    fn run(&mut self, ctx: &mut SourceContext) -> Result<(), ConnectorError> {
        let files = log_files(&self.path).map_err(|e| {
            ConnectorError::permanent(format!(
                "binary source: cannot list '{}': {e}",
                self.path.display()
            ))
        })?;
        if files.is_empty() {
            return Err(ConnectorError::permanent(format!(
                "binary source: no .bin or .bin.lz4 files at '{}'",
                self.path.display()
            )));
        }
        let mut batch = Pending {
            payloads: Vec::with_capacity(1024),
            events: Vec::new(),
        };
        let mut clock: Option<(i64, Instant)> = None;
        for file in files {
            let mut reader = match BinaryReader::open(&file) {
                Ok(r) => r,
                Err(e @ ReadError::Truncated { .. }) => {
                    log::warn!("binary source: {}: {e}", file.display());
                    continue;
                }
                Err(e) => return Err(ConnectorError::permanent(format!("binary source: {e}"))),
            };
            loop {
                if !ctx.is_running() {
                    return Ok(());
                }
                match reader.next_record() {
                    Ok(Some(record)) => {
                        if self.recorded_pace {
                            let (first, started) =
                                *clock.get_or_insert((record.ts, Instant::now()));
                            let due =
                                started + Duration::from_millis((record.ts - first).max(0) as u64);
                            let now = Instant::now();
                            if due > now {
                                batch.emit(ctx);
                                std::thread::sleep(due - now);
                            }
                        }
                        match &self.recorded_ts {
                            None => batch.payloads.push(record.payload),
                            Some(schema) => match codec::decode_for(&record.payload, schema) {
                                Ok(row) => batch.events.push(Event::new(record.ts, row)),
                                Err(msg) => ctx.report_error(
                                    &ConnectorError::permanent(format!(
                                        "cannot decode payload: {msg}"
                                    )),
                                    Some(&record.payload),
                                ),
                            },
                        }
                        if batch.len() >= 1024 {
                            batch.emit(ctx);
                        }
                    }
                    Ok(None) => break,
                    Err(e @ ReadError::Truncated { .. }) => {
                        log::warn!("binary source: {}: {e}", file.display());
                        break;
                    }
                    Err(e) => {
                        batch.emit(ctx);
                        return Err(ConnectorError::permanent(format!(
                            "binary source: {}: {e}",
                            file.display()
                        )));
                    }
                }
            }
        }
        batch.emit(ctx);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_stored_as_ipv6() {
        let v4 = address_of(&Value::from("10.1.2.3"));
        assert_eq!(&v4[..12], &[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]);
        assert_eq!(&v4[12..], &[10, 1, 2, 3]);
        let r = Record {
            ts: 0,
            address: v4,
            payload: Bytes::new(),
        };
        assert_eq!(r.address_text(), "10.1.2.3");
        assert_eq!(address_of(&Value::from("not an ip")), [0; 16]);
        assert_eq!(address_of(&Value::from("::1"))[15], 1);
    }

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

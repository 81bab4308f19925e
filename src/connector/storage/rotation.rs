//! Zero-loss file rotation shared by the file-like sinks.
//!
//! The active file sits behind an `ArcSwapOption`. A writer loads it, appends a whole batch of
//! records under the file's own lock, and lets go. Rotation swaps in a new file; writers that
//! loaded the old one finish into it, and the old file is flushed, fsynced (per policy), closed
//! and renamed from `NAME.inprogress` to `NAME` when its last holder lets go. So a record is
//! never split across files, never torn and never lost by a rotation.
//!
//! Layout of rotated files: `{path}/{partition}/{yyyy-mm-dd}/{HH}/{stream}-{yyyymmddTHHMMSS}-{seq}.{ext}`
//! (UTC, the time the file was opened; `{partition}` only with `partition.by`). With
//! `rotation='none'` and no `rotation.max.bytes`, `path` is one file that is appended to.

use crate::connector::config::{ConfigError, ConnectorConfig, Params};
use crate::connector::spec::ParamSpec;
use crate::connector::ConnectorError;
use crate::event::Event;
use crate::schema::Schema;
use crate::value::{AttrType, Value};
use arc_swap::ArcSwapOption;
use chrono::{DateTime, Datelike, Timelike, Utc};
use rustc_hash::FxHashMap;
use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const IN_PROGRESS: &str = "inprogress";
const WRITE_BUFFER: usize = 256 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeRotation {
    None,
    Hourly,
    Daily,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fsync {
    Never,
    Rotation,
    Always,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Lz4,
}

/// The settings every file-like sink shares, parsed from its parameters.
#[derive(Debug, Clone)]
pub struct FileSettings {
    pub path: PathBuf,
    pub compression: Compression,
    pub rotation: TimeRotation,
    pub max_bytes: Option<u64>,
    /// Attribute whose value names the partition directory.
    pub partition_by: Option<String>,
    pub batch_size: usize,
    pub flush_interval: Duration,
    pub fsync: Fsync,
}

/// The shared parameters, with the defaults a sink chooses.
pub fn file_params(
    path_doc: &'static str,
    batch_default: &'static str,
    flush_default: &'static str,
) -> Vec<ParamSpec> {
    vec![
        ParamSpec::required("path", path_doc, "archive/trades"),
        ParamSpec::optional(
            "compression",
            Some("none"),
            "none or lz4 (LZ4 frame format: `lz4 -d` reads the files; extension .lz4 added).",
            "lz4",
        ),
        ParamSpec::optional(
            "rotation",
            Some("none"),
            "Start a new file every hour (hourly), every day (daily, UTC) or never (none). \
             With none and no rotation.max.bytes, path is a single file.",
            "hourly",
        ),
        ParamSpec::optional(
            "rotation.max.bytes",
            None,
            "Also start a new file once the current one holds this many bytes (checked after \
             each batch, so a file may exceed it by up to one batch).",
            "268435456",
        ),
        ParamSpec::optional(
            "partition.by",
            None,
            "An attribute whose value names a subdirectory, so each value gets its own files \
             (needs rotation or rotation.max.bytes). NULL goes to '_null'.",
            "workspace",
        ),
        ParamSpec::optional(
            "batch.size",
            Some(batch_default),
            "Events written in one go.",
            "10000",
        ),
        ParamSpec::optional(
            "flush.interval.ms",
            Some(flush_default),
            "Longest time written data waits in memory before it is flushed to the file \
             (0 = after every batch). A flush writes whole batches of records.",
            "200",
        ),
        ParamSpec::optional(
            "fsync",
            Some("rotation"),
            "When data is forced to disk: never (the OS decides), rotation (when a file is \
             closed) or always (after every batch; slowest, survives power loss).",
            "always",
        ),
    ]
}

impl FileSettings {
    pub fn from_config(config: &ConnectorConfig) -> Result<FileSettings, ConfigError> {
        let path = config.require("path")?;
        if path.trim().is_empty() {
            return Err(ConfigError("parameter 'path' is empty".into()));
        }
        let compression = match config.get("compression").unwrap_or("none") {
            "none" => Compression::None,
            "lz4" => Compression::Lz4,
            other => {
                return Err(ConfigError(format!(
                    "parameter 'compression' has value '{other}': expected none or lz4"
                )))
            }
        };
        let rotation = match config.get("rotation").unwrap_or("none") {
            "none" => TimeRotation::None,
            "hourly" => TimeRotation::Hourly,
            "daily" => TimeRotation::Daily,
            other => {
                return Err(ConfigError(format!(
                    "parameter 'rotation' has value '{other}': expected hourly, daily or none"
                )))
            }
        };
        let fsync = match config.get("fsync").unwrap_or("rotation") {
            "never" => Fsync::Never,
            "rotation" => Fsync::Rotation,
            "always" => Fsync::Always,
            other => {
                return Err(ConfigError(format!(
                    "parameter 'fsync' has value '{other}': expected never, rotation or always"
                )))
            }
        };
        let max_bytes = config.parse::<u64>("rotation.max.bytes")?;
        if max_bytes == Some(0) {
            return Err(ConfigError(
                "parameter 'rotation.max.bytes' must be above 0".into(),
            ));
        }
        let settings = FileSettings {
            path: PathBuf::from(path),
            compression,
            rotation,
            max_bytes,
            partition_by: config.get("partition.by").map(str::to_string),
            batch_size: config.parse_or("batch.size", 1024usize)?.max(1),
            flush_interval: Duration::from_millis(config.parse_or("flush.interval.ms", 0u64)?),
            fsync,
        };
        if settings.single_file() && settings.partition_by.is_some() {
            return Err(ConfigError(
                "partition.by needs rotated files: set rotation='hourly'/'daily' or rotation.max.bytes (path is then the base directory)".into(),
            ));
        }
        Ok(settings)
    }

    /// `rotation='none'` without a size limit: `path` is one file, appended to.
    pub fn single_file(&self) -> bool {
        self.rotation == TimeRotation::None && self.max_bytes.is_none()
    }
}

/// What a rotating file set needs besides the settings.
pub struct Layout {
    pub settings: FileSettings,
    /// File name stem (the stream name).
    pub stem: String,
    /// Extension without compression (`bin`, `jsonl`, `csv`, `txt`).
    pub extension: String,
    /// Written at the start of every new (or empty) file.
    pub header: Option<Vec<u8>>,
    /// Failures of closes that happen on drop, where they cannot be returned.
    pub close_errors: AtomicU64,
    sequence: AtomicU64,
}

impl Layout {
    pub fn new(
        settings: FileSettings,
        stem: &str,
        extension: &str,
        header: Option<Vec<u8>>,
    ) -> Arc<Layout> {
        Arc::new(Layout {
            settings,
            stem: stem.to_string(),
            extension: extension.to_string(),
            header,
            close_errors: AtomicU64::new(0),
            sequence: AtomicU64::new(0),
        })
    }

    /// Which hour or day `now` falls in (0 without time rotation).
    pub fn bucket(&self, now: DateTime<Utc>) -> i64 {
        match self.settings.rotation {
            TimeRotation::None => 0,
            TimeRotation::Hourly => now.timestamp().div_euclid(3600),
            TimeRotation::Daily => now.timestamp().div_euclid(86_400),
        }
    }

    /// The final path of a new rotated file.
    pub fn next_path(&self, partition: Option<&str>, now: DateTime<Utc>) -> PathBuf {
        let mut dir = self.settings.path.clone();
        if let Some(p) = partition {
            dir.push(p);
        }
        dir.push(format!(
            "{:04}-{:02}-{:02}",
            now.year(),
            now.month(),
            now.day()
        ));
        dir.push(format!("{:02}", now.hour()));
        let seq = self.sequence.fetch_add(1, Ordering::Relaxed);
        let mut name = format!(
            "{}-{}-{seq:06}.{}",
            self.stem,
            now.format("%Y%m%dT%H%M%S"),
            self.extension
        );
        if self.settings.compression == Compression::Lz4 {
            name.push_str(".lz4");
        }
        dir.join(name)
    }
}

/// A partition directory name from an attribute value: path separators and dots cannot escape.
pub fn partition_dir(value: &str) -> String {
    if value.is_empty() {
        return "_empty".into();
    }
    value
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_=@+".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The chain a file's bytes go through: a buffer, optionally LZ4.
enum Chain {
    Plain(BufWriter<File>),
    Lz4(lz4_flex::frame::FrameEncoder<BufWriter<File>>),
}

impl Chain {
    fn writer(&mut self) -> &mut dyn Write {
        match self {
            Chain::Plain(w) => w,
            Chain::Lz4(w) => w,
        }
    }

    /// Ends the chain (the LZ4 end mark) and hands back the file.
    fn finish(self) -> io::Result<File> {
        let buffered = match self {
            Chain::Plain(w) => w,
            Chain::Lz4(w) => w.finish().map_err(io::Error::other)?,
        };
        buffered.into_inner().map_err(|e| e.into_error())
    }

    fn file(&mut self) -> &File {
        match self {
            Chain::Plain(w) => w.get_ref(),
            Chain::Lz4(w) => w.get_ref().get_ref(),
        }
    }
}

/// One open file. Closed (and renamed) by `close`, or when the last `Arc` goes.
pub struct OpenFile {
    path: PathBuf,
    /// Where the bytes go until the file is closed (`path` itself for a single file).
    writing_path: PathBuf,
    chain: Mutex<Option<Chain>>,
    bytes: AtomicU64,
    bucket: i64,
    layout: Arc<Layout>,
}

impl OpenFile {
    fn create(layout: &Arc<Layout>, partition: Option<&str>) -> io::Result<OpenFile> {
        let now = Utc::now();
        let settings = &layout.settings;
        let (path, writing_path, file) = if settings.single_file() {
            let path = settings.path.clone();
            ensure_parent(&path)?;
            let file = OpenOptions::new().create(true).append(true).open(&path)?;
            (path.clone(), path, file)
        } else {
            let path = layout.next_path(partition, now);
            ensure_parent(&path)?;
            let writing = with_suffix(&path, IN_PROGRESS);
            let file = OpenOptions::new()
                .create_new(true)
                .write(true)
                .open(&writing)?;
            (path, writing, file)
        };
        let existing = file.metadata()?.len();
        let buffered = BufWriter::with_capacity(WRITE_BUFFER, file);
        let mut chain = match settings.compression {
            Compression::None => Chain::Plain(buffered),
            Compression::Lz4 => Chain::Lz4(lz4_flex::frame::FrameEncoder::new(buffered)),
        };
        let mut written = existing;
        if existing == 0 {
            if let Some(header) = &layout.header {
                chain.writer().write_all(header)?;
                written += header.len() as u64;
            }
        }
        Ok(OpenFile {
            path,
            writing_path,
            chain: Mutex::new(Some(chain)),
            bytes: AtomicU64::new(written),
            bucket: layout.bucket(now),
            layout: layout.clone(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends whole records in one go: nothing else is written into the file in between.
    pub fn append(&self, data: &[u8]) -> io::Result<()> {
        let mut chain = self.chain.lock().unwrap_or_else(|e| e.into_inner());
        let chain = chain.as_mut().ok_or_else(|| {
            io::Error::other(format!("{} is already closed", self.path.display()))
        })?;
        chain.writer().write_all(data)?;
        if self.layout.settings.fsync == Fsync::Always {
            chain.writer().flush()?;
            chain.file().sync_data()?;
        }
        self.bytes.fetch_add(data.len() as u64, Ordering::Relaxed);
        Ok(())
    }

    pub fn flush(&self) -> io::Result<()> {
        match self
            .chain
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_mut()
        {
            Some(chain) => chain.writer().flush(),
            None => Ok(()),
        }
    }

    /// Flushes to the OS and, unless fsync='never', to the disk.
    pub fn sync(&self) -> io::Result<()> {
        let mut chain = self.chain.lock().unwrap_or_else(|e| e.into_inner());
        let Some(chain) = chain.as_mut() else {
            return Ok(());
        };
        chain.writer().flush()?;
        if self.layout.settings.fsync != Fsync::Never {
            chain.file().sync_data()?;
        }
        Ok(())
    }

    /// Bytes handed to the file (before compression).
    pub fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }

    /// Flushes, ends the LZ4 frame, fsyncs per policy and renames to the final name. Once.
    pub fn close(&self) -> io::Result<()> {
        let Some(chain) = self.chain.lock().unwrap_or_else(|e| e.into_inner()).take() else {
            return Ok(());
        };
        let file = chain.finish()?;
        if self.layout.settings.fsync != Fsync::Never {
            file.sync_all()?;
        }
        drop(file);
        if self.writing_path != self.path {
            std::fs::rename(&self.writing_path, &self.path)?;
        }
        Ok(())
    }
}

impl Drop for OpenFile {
    fn drop(&mut self) {
        if let Err(e) = self.close() {
            self.layout.close_errors.fetch_add(1, Ordering::Relaxed);
            log::error!("closing {}: {e}", self.path.display());
        }
    }
}

fn ensure_parent(path: &Path) -> io::Result<()> {
    match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(dir) => std::fs::create_dir_all(dir),
        None => Ok(()),
    }
}

/// Every file below `dir` (searched recursively), sorted by path: rotated files come in time
/// order within a partition.
pub fn files_under(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)? {
            let p = entry?.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

pub fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".");
    name.push(suffix);
    path.with_file_name(name)
}

/// The active file of one partition, swapped atomically on rotation. A full (or expired) file
/// is closed at once; the next write opens its successor, so no empty file is left behind.
pub struct RotatingFile {
    layout: Arc<Layout>,
    partition: Option<String>,
    active: ArcSwapOption<OpenFile>,
    rotating: Mutex<()>,
}

impl RotatingFile {
    /// A single file is opened now, so a bad path fails at once; rotated files open with their
    /// first write, so a run without events leaves no empty file.
    pub fn open(layout: Arc<Layout>, partition: Option<String>) -> io::Result<RotatingFile> {
        let first = if layout.settings.single_file() {
            Some(Arc::new(OpenFile::create(&layout, partition.as_deref())?))
        } else {
            std::fs::create_dir_all(&layout.settings.path)?;
            None
        };
        Ok(RotatingFile {
            layout,
            partition,
            active: ArcSwapOption::new(first),
            rotating: Mutex::new(()),
        })
    }

    /// Appends whole records; closes the file when that filled it or its hour/day is over.
    pub fn write(&self, records: &[u8]) -> io::Result<()> {
        let file = match self.active.load_full() {
            Some(file) => file,
            None => self.open_next()?,
        };
        file.append(records)?;
        if self.due(&file) {
            self.retire(&file);
        }
        Ok(())
    }

    fn due(&self, file: &OpenFile) -> bool {
        let s = &self.layout.settings;
        if s.single_file() {
            return false;
        }
        s.max_bytes.is_some_and(|max| file.bytes() >= max)
            || (s.rotation != TimeRotation::None && self.layout.bucket(Utc::now()) != file.bucket)
    }

    /// Closes the active file if its time is over (called from the sink's idle tick).
    pub fn rotate_if_due(&self) {
        if let Some(file) = self.active.load_full() {
            if self.due(&file) {
                self.retire(&file);
            }
        }
    }

    /// Closes the current file now; the next write starts a new one (no effect on a single file).
    pub fn rotate(&self) {
        if let Some(file) = self.active.load_full() {
            if !self.layout.settings.single_file() {
                self.retire(&file);
            }
        }
    }

    /// Takes `old` out of service unless another writer already did. It closes when its last
    /// writer lets go (possibly right here).
    fn retire(&self, old: &Arc<OpenFile>) {
        let _one_at_a_time = self.rotating.lock().unwrap_or_else(|e| e.into_inner());
        let still_active = self
            .active
            .load()
            .as_ref()
            .is_some_and(|a| Arc::ptr_eq(a, old));
        if still_active {
            self.active.store(None);
        }
    }

    /// Opens the next file unless another writer just did.
    fn open_next(&self) -> io::Result<Arc<OpenFile>> {
        let _one_at_a_time = self.rotating.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(file) = self.active.load_full() {
            return Ok(file);
        }
        let next = Arc::new(OpenFile::create(&self.layout, self.partition.as_deref())?);
        self.active.store(Some(next.clone()));
        Ok(next)
    }

    pub fn flush(&self) -> io::Result<()> {
        match self.active.load_full() {
            Some(file) => file.flush(),
            None => Ok(()),
        }
    }

    pub fn sync(&self) -> io::Result<()> {
        match self.active.load_full() {
            Some(file) => file.sync(),
            None => Ok(()),
        }
    }

    /// Closes the active file now (shutdown) and returns its close error, if any.
    pub fn close(&self) -> io::Result<()> {
        match self.active.swap(None) {
            Some(file) => file.close(),
            None => Ok(()),
        }
    }
}

/// Finds an optional attribute, checking its type.
pub fn attribute_index(
    schema: &Schema,
    name: Option<&str>,
    param: &str,
    types: Option<&[AttrType]>,
) -> Result<Option<usize>, ConfigError> {
    let Some(name) = name else { return Ok(None) };
    let i = schema.index_of(name.trim()).ok_or_else(|| {
        ConfigError(format!(
            "parameter '{param}': stream '{}' has no attribute '{name}'{}",
            schema.name(),
            crate::suggest::did_you_mean(name, schema.names())
        ))
    })?;
    if let Some(types) = types {
        let ty = schema.attrs()[i].ty;
        if !types.contains(&ty) {
            return Err(ConfigError(format!(
                "parameter '{param}': attribute '{name}' is {ty}; it must be one of {}",
                types
                    .iter()
                    .map(|t| t.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
    }
    Ok(Some(i))
}

/// The rotating files of a sink, one per partition value.
pub struct FileSet {
    layout: Arc<Layout>,
    partition: Option<usize>,
    files: FxHashMap<Option<String>, RotatingFile>,
    /// Reusable buffers for a batch's encoded records, one per partition.
    pool: super::pool::BufferPool,
    last_flush: std::time::Instant,
}

/// A batch's encoded records, by partition, before they are written.
pub type PartitionBuffers = FxHashMap<Option<String>, Vec<u8>>;

impl FileSet {
    pub fn new(layout: Arc<Layout>, partition: Option<usize>) -> FileSet {
        FileSet {
            layout,
            partition,
            files: FxHashMap::default(),
            pool: super::pool::BufferPool::new(8, 256 * 1024),
            last_flush: std::time::Instant::now(),
        }
    }

    /// The buffer collecting `event`'s partition's records in this batch.
    pub fn buffer<'b>(&self, buffers: &'b mut PartitionBuffers, event: &Event) -> &'b mut Vec<u8> {
        buffers
            .entry(self.key(event))
            .or_insert_with(|| self.pool.take())
    }

    /// Writes each partition's records in one go (whole records, never split), returns the
    /// buffers to the pool, and flushes when `flush.interval.ms` has passed.
    pub fn write(&mut self, buffers: PartitionBuffers) -> io::Result<()> {
        let mut result = Ok(());
        for (key, buf) in buffers {
            if result.is_ok() {
                result = self.get(key).and_then(|f| f.write(&buf));
            }
            self.pool.give(buf);
        }
        result?;
        self.flush_if_due()
    }

    /// The idle tick: time rotation and the flush interval while no events arrive.
    pub fn tick(&mut self) -> io::Result<()> {
        self.rotate_if_due();
        self.flush_if_due()
    }

    fn flush_if_due(&mut self) -> io::Result<()> {
        if self.last_flush.elapsed() >= self.layout.settings.flush_interval {
            self.last_flush = std::time::Instant::now();
            self.flush()?;
        }
        Ok(())
    }

    /// The partition key of an event (`None` without partition.by).
    pub fn key(&self, event: &Event) -> Option<String> {
        self.partition.map(|i| match event.get(i) {
            Value::Null => "_null".to_string(),
            v => partition_dir(&v.to_string()),
        })
    }

    pub fn get(&mut self, key: Option<String>) -> io::Result<&RotatingFile> {
        if !self.files.contains_key(&key) {
            let file = RotatingFile::open(self.layout.clone(), key.clone())?;
            self.files.insert(key.clone(), file);
        }
        Ok(&self.files[&key])
    }

    pub fn flush(&self) -> io::Result<()> {
        self.files.values().try_for_each(RotatingFile::flush)
    }

    pub fn rotate_if_due(&self) {
        self.files.values().for_each(RotatingFile::rotate_if_due)
    }

    /// Everything written so far to the OS (and the disk, per `fsync`).
    pub fn sync(&self) -> Result<(), ConnectorError> {
        self.files
            .values()
            .try_for_each(RotatingFile::sync)
            .map_err(|e| ConnectorError::transient(format!("sync: {e}")))
    }

    /// Closes every file; returns the first error after trying them all.
    pub fn close(&mut self) -> Result<(), ConnectorError> {
        log::debug!("buffer pool hit rate {:.3}", self.pool.hit_rate());
        let mut first = None;
        for (_, f) in self.files.drain() {
            if let Err(e) = f.close() {
                first.get_or_insert(e);
            }
        }
        let dropped = self
            .layout
            .close_errors
            .load(std::sync::atomic::Ordering::Relaxed);
        match first {
            Some(e) => Err(ConnectorError::transient(format!("closing files: {e}"))),
            None if dropped > 0 => Err(ConnectorError::transient(format!(
                "{dropped} rotated files failed to close; see the log"
            ))),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(dir: &Path, max_bytes: Option<u64>) -> FileSettings {
        FileSettings {
            path: dir.to_path_buf(),
            compression: Compression::None,
            rotation: TimeRotation::None,
            max_bytes,
            partition_by: None,
            batch_size: 100,
            flush_interval: Duration::from_millis(100),
            fsync: Fsync::Never,
        }
    }

    fn files(dir: &Path) -> Vec<PathBuf> {
        files_under(dir).unwrap()
    }

    #[test]
    fn size_rotation_closes_and_renames_each_file() {
        let dir = std::env::temp_dir().join(format!("ef-rot-{}", fastrand::u64(..)));
        let layout = Layout::new(settings(&dir, Some(10)), "S", "txt", Some(b"H\n".to_vec()));
        let set = RotatingFile::open(layout, None).unwrap();
        for i in 0..5 {
            set.write(format!("record{i}\n").as_bytes()).unwrap();
        }
        set.close().unwrap();
        let all = files(&dir);
        assert_eq!(all.len(), 5, "{all:?}");
        for f in &all {
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            assert!(name.starts_with("S-") && name.ends_with(".txt"), "{name}");
            let text = std::fs::read_to_string(f).unwrap();
            assert!(text.starts_with("H\nrecord"), "{text}");
        }
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn single_file_mode_appends_and_writes_the_header_once() {
        let dir = std::env::temp_dir().join(format!("ef-single-{}", fastrand::u64(..)));
        let path = dir.join("out.csv");
        let mut s = settings(&path, None);
        s.path = path.clone();
        for round in 0..2 {
            let layout = Layout::new(s.clone(), "S", "csv", Some(b"a,b\n".to_vec()));
            let set = RotatingFile::open(layout, None).unwrap();
            set.write(format!("{round},x\n").as_bytes()).unwrap();
            set.rotate(); // no effect on a single file
            set.close().unwrap();
        }
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a,b\n0,x\n1,x\n");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn partition_names_cannot_escape_the_base() {
        assert_eq!(partition_dir("../etc"), "___etc");
        assert_eq!(partition_dir("ws-1"), "ws-1");
        assert_eq!(partition_dir(""), "_empty");
    }
}

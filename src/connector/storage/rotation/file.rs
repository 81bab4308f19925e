//! One open file and the rotating active file of a partition: appends of whole records, and
//! swaps that never split, tear or lose one.

use super::layout::{with_suffix, Layout, IN_PROGRESS};
use super::settings::{Compression, Fsync, TimeRotation};
use arc_swap::ArcSwapOption;
use chrono::Utc;
use parking_lot::Mutex;
use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

const WRITE_BUFFER: usize = 256 * 1024;

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
        let mut chain = self.chain.lock();
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
        match self.chain.lock().as_mut() {
            Some(chain) => chain.writer().flush(),
            None => Ok(()),
        }
    }

    /// Flushes to the OS and, unless fsync='never', to the disk.
    pub fn sync(&self) -> io::Result<()> {
        let mut chain = self.chain.lock();
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
        let Some(chain) = self.chain.lock().take() else {
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
        let _one_at_a_time = self.rotating.lock();
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
        let _one_at_a_time = self.rotating.lock();
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

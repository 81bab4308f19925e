//! A sink's rotating files, one per partition value: batches are buffered per partition, then
//! written whole.

use super::file::RotatingFile;
use super::layout::{partition_dir, Layout};
use crate::connector::storage::pool::BufferPool;
use crate::connector::ConnectorError;
use crate::event::Event;
use crate::value::Value;
use rustc_hash::FxHashMap;
use std::io;
use std::sync::Arc;

/// The rotating files of a sink, one per partition value.
pub struct FileSet {
    layout: Arc<Layout>,
    partition: Option<usize>,
    files: FxHashMap<Option<String>, RotatingFile>,
    /// Reusable buffers for a batch's encoded records, one per partition.
    pool: BufferPool,
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
            pool: BufferPool::new(8, 256 * 1024),
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

    /// Whether the output can be written now (the file or directory, or where it will be
    /// created), with the buffer pool's hit rate.
    pub fn health(&self) -> (crate::connector::Health, f64) {
        use crate::connector::Health;
        let configured = &self.layout.settings.path;
        // Not created yet: the nearest directory above it that exists is where it will be.
        let dir = configured
            .ancestors()
            .find(|p| p.as_os_str().is_empty() || p.exists())
            .map(|p| {
                if p.as_os_str().is_empty() {
                    std::path::Path::new(".")
                } else {
                    p
                }
            })
            .unwrap_or(configured);
        if dir != configured.as_path() && !dir.is_dir() {
            let why = format!("{} is not a directory", dir.display());
            return (
                Health::unhealthy(format!("cannot write {}: {why}", configured.display())),
                self.pool.hit_rate(),
            );
        }
        let writable = std::ffi::CString::new(dir.as_os_str().as_encoded_bytes())
            .ok()
            // SAFETY: a valid NUL-terminated path; access(2) only reads it.
            .is_some_and(|c| unsafe { libc::access(c.as_ptr(), libc::W_OK) } == 0);
        let health = if writable {
            Health::healthy(format!("can write {}", configured.display()))
        } else {
            Health::unhealthy(format!(
                "cannot write {} ({}: {})",
                configured.display(),
                dir.display(),
                std::io::Error::last_os_error()
            ))
        };
        (health, self.pool.hit_rate())
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

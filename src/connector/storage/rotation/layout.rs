//! Where a sink's files go: the rotated file names and paths, partition directories, and the
//! `.inprogress` suffix of files still being written.

use super::settings::{Compression, FileSettings, TimeRotation};
use chrono::{DateTime, Datelike, Timelike, Utc};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

pub const IN_PROGRESS: &str = "inprogress";

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

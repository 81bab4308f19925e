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
//!
//! Files: `settings` (the shared parameters), `layout` (where files go), `file` (one open file
//! and the rotating active file), `set` (a sink's files, one per partition).

mod file;
mod layout;
mod set;
mod settings;
#[cfg(test)]
mod tests;

pub use file::{OpenFile, RotatingFile};
pub use layout::{files_under, partition_dir, with_suffix, Layout, IN_PROGRESS};
pub use set::{FileSet, PartitionBuffers};
pub use settings::{
    attribute_index, Compression, FileParams, FileSettings, Fsync, TimeRotation, COMPRESSION,
    FSYNC, MAX_BYTES, PARTITION_BY, ROTATION,
};

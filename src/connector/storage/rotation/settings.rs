//! The parameters every file-like sink shares and the settings read from them. A sink chooses
//! the description of `path` and the defaults of `batch.size` and `flush.interval.ms`.

use crate::connector::config::{ConfigError, ConnectorConfig};
use crate::connector::param::{Choice, Describe, Param, Required};
use crate::schema::Schema;
use crate::value::AttrType;
use std::path::PathBuf;
use std::time::Duration;

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

// Statics, so `FileParams::all` can hand out references to them.
pub static COMPRESSION: Param<Choice<Compression>> = Param::choice(
    "compression",
    &[("none", Compression::None), ("lz4", Compression::Lz4)],
    Compression::None,
    "none or lz4 (LZ4 frame format: `lz4 -d` reads the files; extension .lz4 added).",
    "lz4",
);
pub static ROTATION: Param<Choice<TimeRotation>> = Param::choice(
    "rotation",
    &[
        ("hourly", TimeRotation::Hourly),
        ("daily", TimeRotation::Daily),
        ("none", TimeRotation::None),
    ],
    TimeRotation::None,
    "Start a new file every hour (hourly), every day (daily, UTC) or never (none). With none \
     and no rotation.max.bytes, path is a single file.",
    "hourly",
);
pub static MAX_BYTES: Param<Option<u64>> = Param::optional(
    "rotation.max.bytes",
    None,
    "Also start a new file once the current one holds this many bytes (checked after each \
     batch, so a file may exceed it by up to one batch).",
    "268435456",
);
pub static PARTITION_BY: Param<Option<String>> = Param::optional(
    "partition.by",
    None,
    "An attribute whose value names a subdirectory, so each value gets its own files (needs \
     rotation or rotation.max.bytes). NULL goes to '_null'.",
    "workspace",
);
pub static FSYNC: Param<Choice<Fsync>> = Param::choice(
    "fsync",
    &[
        ("never", Fsync::Never),
        ("rotation", Fsync::Rotation),
        ("always", Fsync::Always),
    ],
    Fsync::Rotation,
    "When data is forced to disk: never (the OS decides), rotation (when a file is closed) or \
     always (after every batch; slowest, survives power loss).",
    "always",
);

/// A sink's file parameters: the shared ones above plus those it words or defaults its own way.
pub struct FileParams {
    pub path: Param<Required<String>>,
    pub batch_size: Param<usize>,
    pub flush_interval: Param<Duration>,
}

impl FileParams {
    pub const fn new(
        path_doc: &'static str,
        batch_size: usize,
        flush_interval_ms: u64,
    ) -> FileParams {
        FileParams {
            path: Param::required("path", path_doc, "archive/trades"),
            batch_size: Param::optional(
                "batch.size",
                batch_size,
                "Events written in one go.",
                "10000",
            ),
            flush_interval: Param::optional(
                "flush.interval.ms",
                Duration::from_millis(flush_interval_ms),
                "Longest time written data waits in memory before it is flushed to the file (0 = \
                 after every batch). A flush writes whole batches of records.",
                "200",
            ),
        }
    }

    /// Every file parameter, in the order the docs list them.
    pub fn all(&'static self) -> [&'static dyn Describe; 8] {
        [
            &self.path,
            &COMPRESSION,
            &ROTATION,
            &MAX_BYTES,
            &PARTITION_BY,
            &self.batch_size,
            &self.flush_interval,
            &FSYNC,
        ]
    }

    pub fn read(&self, config: &ConnectorConfig) -> Result<FileSettings, ConfigError> {
        let path = self.path.read(config)?;
        if path.trim().is_empty() {
            return Err(ConfigError(format!(
                "parameter '{}' is empty",
                self.path.name()
            )));
        }
        let max_bytes = MAX_BYTES.read(config)?;
        if max_bytes == Some(0) {
            return Err(ConfigError(format!(
                "parameter '{}' must be above 0",
                MAX_BYTES.name()
            )));
        }
        let settings = FileSettings {
            path: PathBuf::from(path),
            compression: COMPRESSION.read(config)?,
            rotation: ROTATION.read(config)?,
            max_bytes,
            partition_by: PARTITION_BY.read(config)?,
            batch_size: self.batch_size.read(config)?.max(1),
            flush_interval: self.flush_interval.read(config)?,
            fsync: FSYNC.read(config)?,
        };
        if settings.single_file() && settings.partition_by.is_some() {
            return Err(ConfigError(
                "partition.by needs rotated files: set rotation='hourly'/'daily' or rotation.max.bytes (path is then the base directory)".into(),
            ));
        }
        Ok(settings)
    }
}

impl FileSettings {
    /// `rotation='none'` without a size limit: `path` is one file, appended to.
    pub fn single_file(&self) -> bool {
        self.rotation == TimeRotation::None && self.max_bytes.is_none()
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

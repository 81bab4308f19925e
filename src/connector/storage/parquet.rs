//! `parquet` sink: columnar files any query engine reads. The schema comes from the stream
//! (plus the event time as a TIMESTAMP(MILLIS) column); rows are buffered into row groups;
//! files rotate by time and size, per partition, and are written as NAME.inprogress and renamed
//! once their footer is written, so every visible .parquet file is complete.

use super::rotation::{
    attribute_index, partition_dir, with_suffix, FileParams, FileSettings, Fsync, Layout,
    TimeRotation, FSYNC, IN_PROGRESS, MAX_BYTES, PARTITION_BY, ROTATION,
};
use crate::connector::config::{ConfigError, ConnectorConfig};
use crate::connector::error::ERROR_PARAMS;
use crate::connector::param::{specs, Choice, Param};
use crate::connector::spec::{ConnectorSpec, ParamSpec};
use crate::connector::{ConnectorError, Rejects, Sink, SinkFactory, SinkMapper};
use crate::event::Event;
use crate::schema::Schema;
use crate::value::{AttrType, Value};
use chrono::Utc;
use parquet::basic::{
    Compression, LogicalType, Repetition, TimeUnit, Type as PhysicalType, ZstdLevel,
};
use parquet::data_type::{
    BoolType, ByteArray, ByteArrayType, DoubleType, FloatType, Int32Type, Int64Type,
};
use parquet::file::properties::{WriterProperties, WriterVersion};
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::{Type, TypePtr};
use rustc_hash::FxHashMap;
use std::fs::{File, OpenOptions};
use std::path::PathBuf;
use std::sync::Arc;

pub struct ParquetSinkFactory;

static FILES: FileParams = FileParams::new(
    "Base directory of the files: {path}/{partition}/{yyyy-mm-dd}/{HH}/{stream}-{time}-{seq}.parquet. \
     Without rotation each run writes one file, closed at shutdown.",
    4096,
    1000,
);

/// Column chunk compression, named as the parameter takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Codec {
    Snappy,
    Zstd,
    Lz4,
    None,
}

const COMPRESSION: Param<Choice<Codec>> = Param::choice(
    "compression",
    &[
        ("snappy", Codec::Snappy),
        ("zstd", Codec::Zstd),
        ("lz4", Codec::Lz4),
        ("none", Codec::None),
    ],
    Codec::Snappy,
    "Column chunk compression: snappy, zstd, lz4 (LZ4_RAW) or none.",
    "zstd",
);
const ROW_GROUP_SIZE: Param<usize> = Param::optional(
    "row.group.size",
    100_000,
    "Rows per row group. Rows wait in memory until their group is full, the file rotates or \
     the app stops.",
    "500000",
);
const TIMESTAMP_COLUMN: Param<&'static str> = Param::optional(
    "timestamp.column",
    "event_time",
    "Name of the extra column holding each event's timestamp (INT64, TIMESTAMP(MILLIS, UTC)); \
     empty = no such column.",
    "ts",
);

/// The file parameters (without flush.interval.ms: a row group waits in memory regardless),
/// with Parquet's own compression.
fn params() -> Vec<ParamSpec> {
    specs(&[
        &[
            &FILES.path,
            &COMPRESSION,
            &ROTATION,
            &MAX_BYTES,
            &PARTITION_BY,
            &FILES.batch_size,
            &FSYNC,
            &ROW_GROUP_SIZE,
            &TIMESTAMP_COLUMN,
        ],
        ERROR_PARAMS,
    ])
}

struct Settings {
    files: FileSettings,
    compression: Compression,
    row_group_size: usize,
    timestamp_column: Option<String>,
}

fn settings(config: &ConnectorConfig, schema: &Schema) -> Result<Settings, ConfigError> {
    let compression = match COMPRESSION.read(config)? {
        Codec::Snappy => Compression::SNAPPY,
        Codec::Zstd => Compression::ZSTD(ZstdLevel::default()),
        Codec::Lz4 => Compression::LZ4_RAW,
        Codec::None => Compression::UNCOMPRESSED,
    };
    // The shared settings know only none/lz4 stream compression; parquet compresses inside.
    let mut shared = config.clone();
    shared.params.remove(COMPRESSION.name());
    // path is always a directory here, so partitions need no rotation.
    let partition_by = shared.params.remove(PARTITION_BY.name());
    let mut files = FILES.read(&shared)?;
    files.partition_by = partition_by;
    attribute_index(
        schema,
        files.partition_by.as_deref(),
        PARTITION_BY.name(),
        None,
    )?;
    let timestamp_column = match TIMESTAMP_COLUMN.get(config).trim() {
        "" => None,
        name if schema.index_of(name).is_some() => {
            return Err(ConfigError(format!(
                "parameter 'timestamp.column': the stream already has an attribute '{name}'; choose another name or '' for none"
            )))
        }
        name => Some(name.to_string()),
    };
    Ok(Settings {
        files,
        compression,
        row_group_size: ROW_GROUP_SIZE.read(config)?.max(1),
        timestamp_column,
    })
}

/// The Parquet schema of a stream: every attribute OPTIONAL (NULL-able).
fn parquet_schema(
    schema: &Schema,
    timestamp_column: Option<&str>,
) -> Result<TypePtr, ConnectorError> {
    let mut fields = Vec::with_capacity(schema.len() + 1);
    let build_err = |e: parquet::errors::ParquetError| {
        ConnectorError::permanent(format!("parquet schema: {e}"))
    };
    if let Some(ts) = timestamp_column {
        fields.push(Arc::new(
            Type::primitive_type_builder(ts, PhysicalType::INT64)
                .with_repetition(Repetition::REQUIRED)
                .with_logical_type(Some(LogicalType::timestamp(true, TimeUnit::MILLIS)))
                .build()
                .map_err(build_err)?,
        ));
    }
    for a in schema.attrs() {
        let (physical, logical) = match a.ty {
            AttrType::Int => (PhysicalType::INT32, None),
            AttrType::Long => (PhysicalType::INT64, None),
            AttrType::Float => (PhysicalType::FLOAT, None),
            AttrType::Double => (PhysicalType::DOUBLE, None),
            AttrType::Bool => (PhysicalType::BOOLEAN, None),
            AttrType::String => (PhysicalType::BYTE_ARRAY, Some(LogicalType::String)),
            AttrType::Bytes => (PhysicalType::BYTE_ARRAY, None),
        };
        fields.push(Arc::new(
            Type::primitive_type_builder(&a.name, physical)
                .with_repetition(Repetition::OPTIONAL)
                .with_logical_type(logical)
                .build()
                .map_err(build_err)?,
        ));
    }
    Ok(Arc::new(
        Type::group_type_builder(schema.name())
            .with_fields(fields)
            .build()
            .map_err(build_err)?,
    ))
}

impl SinkFactory for ParquetSinkFactory {
    fn spec(&self) -> ConnectorSpec {
        ConnectorSpec {
            name: "parquet",
            aliases: &[],
            description: "Writes Parquet files that any query engine reads (DuckDB, pyarrow, \
                Spark, ClickHouse). Columns follow the stream: INT -> INT32, BIGINT -> INT64, \
                FLOAT, DOUBLE, BOOL -> BOOLEAN, STRING -> BYTE_ARRAY (UTF8), BYTES -> \
                BYTE_ARRAY, all nullable, plus the event time as INT64 TIMESTAMP(MILLIS, UTC). \
                Files rotate by time and size, per partition, and appear under their final \
                name only once complete (footer written); rows of the current row group wait \
                in memory and are written at rotation and shutdown.",
            params: params(),
            formats: &[],
            default_format: None,
            example: "@sink(type='parquet', path='lake/trades', rotation='hourly', \
                compression='zstd', partition.by='symbol')",
        }
    }

    fn validate(&self, config: &ConnectorConfig, schema: &Schema) -> Result<(), ConfigError> {
        settings(config, schema).map(|_| ())
    }

    fn create(
        &self,
        config: &ConnectorConfig,
        schema: &Schema,
        _mapper: Option<Box<dyn SinkMapper>>,
    ) -> Result<Box<dyn Sink>, ConnectorError> {
        let s = settings(config, schema)?;
        let partition = attribute_index(
            schema,
            s.files.partition_by.as_deref(),
            PARTITION_BY.name(),
            None,
        )?;
        let file_schema = parquet_schema(schema, s.timestamp_column.as_deref())?;
        let props = Arc::new(
            WriterProperties::builder()
                .set_writer_version(WriterVersion::PARQUET_1_0)
                .set_compression(s.compression)
                .set_max_row_group_row_count(Some(s.row_group_size))
                .set_created_by("EventFlux".into())
                .build(),
        );
        // A Parquet file is readable only once closed, so without rotation there is one file
        // per run, closed at shutdown; path is always a directory.
        let layout = Layout::new(s.files, schema.name(), "parquet", None);
        Ok(Box::new(ParquetSink {
            layout,
            schema: schema.clone(),
            file_schema,
            props,
            partition,
            timestamp: s.timestamp_column.is_some(),
            row_group_size: s.row_group_size,
            parts: FxHashMap::default(),
        }))
    }
}

/// One column's values of the row group being built, with definition levels (0 = NULL).
enum Column {
    Bool(Vec<bool>),
    Int(Vec<i32>),
    Long(Vec<i64>),
    Float(Vec<f32>),
    Double(Vec<f64>),
    Bytes(Vec<ByteArray>),
}

impl Column {
    fn for_type(ty: AttrType) -> Column {
        match ty {
            AttrType::Bool => Column::Bool(Vec::new()),
            AttrType::Int => Column::Int(Vec::new()),
            AttrType::Long => Column::Long(Vec::new()),
            AttrType::Float => Column::Float(Vec::new()),
            AttrType::Double => Column::Double(Vec::new()),
            AttrType::String | AttrType::Bytes => Column::Bytes(Vec::new()),
        }
    }

    /// Whether `v` fits this column (NULL fits any).
    fn accepts(&self, v: &Value) -> bool {
        matches!(
            (self, v),
            (_, Value::Null)
                | (Column::Bool(_), Value::Bool(_))
                | (Column::Int(_), Value::Int(_))
                | (Column::Long(_), Value::Long(_))
                | (Column::Float(_), Value::Float(_))
                | (Column::Double(_), Value::Double(_))
                | (Column::Bytes(_), Value::String(_) | Value::Bytes(_))
        )
    }

    /// Appends a non-NULL value that `accepts` allowed.
    fn push(&mut self, v: &Value) -> bool {
        match (self, v) {
            (Column::Bool(c), Value::Bool(b)) => c.push(*b),
            (Column::Int(c), Value::Int(i)) => c.push(*i),
            (Column::Long(c), Value::Long(i)) => c.push(*i),
            (Column::Float(c), Value::Float(f)) => c.push(*f),
            (Column::Double(c), Value::Double(f)) => c.push(*f),
            (Column::Bytes(c), Value::String(s)) => c.push(ByteArray::from(s.as_bytes().to_vec())),
            (Column::Bytes(c), Value::Bytes(b)) => c.push(ByteArray::from(b.clone())),
            _ => return false,
        }
        true
    }

    fn clear(&mut self) {
        match self {
            Column::Bool(c) => c.clear(),
            Column::Int(c) => c.clear(),
            Column::Long(c) => c.clear(),
            Column::Float(c) => c.clear(),
            Column::Double(c) => c.clear(),
            Column::Bytes(c) => c.clear(),
        }
    }
}

struct OpenParquet {
    writer: SerializedFileWriter<File>,
    path: PathBuf,
    writing_path: PathBuf,
    bucket: i64,
}

/// One partition: its open file and the row group being built.
struct Part {
    file: Option<OpenParquet>,
    timestamps: Vec<i64>,
    columns: Vec<(Column, Vec<i16>)>,
    rows: usize,
}

struct ParquetSink {
    layout: Arc<Layout>,
    schema: Schema,
    file_schema: TypePtr,
    props: Arc<WriterProperties>,
    partition: Option<usize>,
    timestamp: bool,
    row_group_size: usize,
    parts: FxHashMap<Option<String>, Part>,
}

fn parquet_error(what: &str, e: impl std::fmt::Display) -> ConnectorError {
    ConnectorError::transient(format!("parquet sink: {what}: {e}"))
}

impl ParquetSink {
    fn key(&self, event: &Event) -> Option<String> {
        self.partition.map(|i| match event.get(i) {
            Value::Null => "_null".to_string(),
            v => partition_dir(&v.to_string()),
        })
    }

    fn new_part(&self) -> Part {
        Part {
            file: None,
            timestamps: Vec::new(),
            columns: self
                .schema
                .attrs()
                .iter()
                .map(|a| (Column::for_type(a.ty), Vec::new()))
                .collect(),
            rows: 0,
        }
    }

    fn open(&self, key: Option<&str>) -> Result<OpenParquet, ConnectorError> {
        let now = Utc::now();
        let path = self.layout.next_path(key, now);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| parquet_error(&format!("cannot create {}", dir.display()), e))?;
        }
        let writing_path = with_suffix(&path, IN_PROGRESS);
        let file = OpenOptions::new()
            .create_new(true)
            .write(true)
            .open(&writing_path)
            .map_err(|e| parquet_error(&format!("cannot create {}", writing_path.display()), e))?;
        let writer = SerializedFileWriter::new(file, self.file_schema.clone(), self.props.clone())
            .map_err(|e| parquet_error("cannot start a file", e))?;
        Ok(OpenParquet {
            writer,
            path,
            writing_path,
            bucket: self.layout.bucket(now),
        })
    }

    /// Writes the part's buffered rows as one row group (opening a file if needed).
    fn write_row_group(&mut self, key: &Option<String>) -> Result<(), ConnectorError> {
        let needs_file = self
            .parts
            .get(key)
            .is_some_and(|p| p.rows > 0 && p.file.is_none());
        if needs_file {
            let file = self.open(key.as_deref())?;
            self.parts.get_mut(key).expect("present").file = Some(file);
        }
        let timestamp = self.timestamp;
        let Some(part) = self.parts.get_mut(key) else {
            return Ok(());
        };
        if part.rows == 0 {
            return Ok(());
        }
        let file = part.file.as_mut().expect("opened above");
        let mut rg = file
            .writer
            .next_row_group()
            .map_err(|e| parquet_error("row group", e))?;
        let err = |e| parquet_error("writing a column", e);
        if timestamp {
            let mut col = rg.next_column().map_err(err)?.expect("timestamp column");
            col.typed::<Int64Type>()
                .write_batch(&part.timestamps, None, None)
                .map_err(err)?;
            col.close().map_err(err)?;
        }
        for (values, defs) in &part.columns {
            let mut col = rg
                .next_column()
                .map_err(err)?
                .expect("one writer per attribute");
            let defs = Some(&defs[..]);
            match values {
                Column::Bool(v) => col.typed::<BoolType>().write_batch(v, defs, None),
                Column::Int(v) => col.typed::<Int32Type>().write_batch(v, defs, None),
                Column::Long(v) => col.typed::<Int64Type>().write_batch(v, defs, None),
                Column::Float(v) => col.typed::<FloatType>().write_batch(v, defs, None),
                Column::Double(v) => col.typed::<DoubleType>().write_batch(v, defs, None),
                Column::Bytes(v) => col.typed::<ByteArrayType>().write_batch(v, defs, None),
            }
            .map_err(err)?;
            col.close().map_err(err)?;
        }
        rg.close()
            .map_err(|e| parquet_error("closing a row group", e))?;
        part.timestamps.clear();
        for (values, defs) in &mut part.columns {
            values.clear();
            defs.clear();
        }
        part.rows = 0;
        Ok(())
    }

    /// Writes the footer, fsyncs per policy and renames the file to its final name.
    fn close_file(&mut self, key: &Option<String>) -> Result<(), ConnectorError> {
        self.write_row_group(key)?;
        let fsync = self.layout.settings.fsync != Fsync::Never;
        let Some(file) = self.parts.get_mut(key).and_then(|p| p.file.take()) else {
            return Ok(());
        };
        let inner = file
            .writer
            .into_inner()
            .map_err(|e| parquet_error("writing the footer", e))?;
        if fsync {
            inner.sync_all().map_err(|e| parquet_error("fsync", e))?;
        }
        drop(inner);
        std::fs::rename(&file.writing_path, &file.path)
            .map_err(|e| parquet_error(&format!("renaming {}", file.writing_path.display()), e))
    }

    /// Whether the part's file is full or its hour/day is over.
    fn due(&self, part: &Part) -> bool {
        let Some(file) = &part.file else { return false };
        let s = &self.layout.settings;
        s.max_bytes
            .is_some_and(|max| file.writer.bytes_written() as u64 >= max)
            || (s.rotation != TimeRotation::None && self.layout.bucket(Utc::now()) != file.bucket)
    }
}

impl Sink for ParquetSink {
    fn publish(&mut self, events: &[Event], rejects: &mut Rejects) -> Result<(), ConnectorError> {
        let mut touched: Vec<Option<String>> = Vec::new();
        for (i, event) in events.iter().enumerate() {
            let key = self.key(event);
            if !self.parts.contains_key(&key) {
                let part = self.new_part();
                self.parts.insert(key.clone(), part);
            }
            // The file opens with its first row, so time rotation counts from there even when
            // a row group takes longer than the rotation period to fill.
            if self.parts[&key].file.is_none() {
                let file = self.open(key.as_deref())?;
                self.parts.get_mut(&key).expect("inserted above").file = Some(file);
            }
            let part = self.parts.get_mut(&key).expect("inserted above");
            let fits = event.data.len() == part.columns.len()
                && event
                    .data
                    .iter()
                    .zip(&part.columns)
                    .all(|(v, (c, _))| c.accepts(v));
            if !fits {
                rejects.reject(
                    i,
                    ConnectorError::permanent(
                        "the event does not match the stream's attribute types",
                    ),
                );
                continue;
            }
            part.timestamps.push(event.ts);
            for (v, (column, defs)) in event.data.iter().zip(&mut part.columns) {
                if v.is_null() {
                    defs.push(0);
                } else {
                    column.push(v);
                    defs.push(1);
                }
            }
            part.rows += 1;
            if part.rows >= self.row_group_size {
                self.write_row_group(&key)?;
            }
            if !touched.contains(&key) {
                touched.push(key);
            }
        }
        for key in touched {
            let due = self.parts.get(&key).is_some_and(|p| self.due(p));
            if due {
                self.close_file(&key)?;
            }
        }
        Ok(())
    }

    /// Writes the pending rows as row groups. The file itself is readable only once closed.
    fn sync(&mut self) -> Result<(), ConnectorError> {
        let keys: Vec<Option<String>> = self.parts.keys().cloned().collect();
        keys.iter().try_for_each(|k| self.write_row_group(k))
    }

    fn idle(&mut self) {
        let due: Vec<Option<String>> = self
            .parts
            .iter()
            .filter(|(_, p)| self.due(p))
            .map(|(k, _)| k.clone())
            .collect();
        for key in due {
            if let Err(e) = self.close_file(&key) {
                log::error!("{e}");
            }
        }
    }

    fn flush(&mut self) -> Result<(), ConnectorError> {
        let keys: Vec<Option<String>> = self.parts.keys().cloned().collect();
        let mut first = Ok(());
        for key in keys {
            let result = self.close_file(&key);
            if first.is_ok() {
                first = result;
            }
        }
        first
    }
}

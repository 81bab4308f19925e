//! `file` sink: one mapped event per line (json, csv or text), to a single file or to rotated,
//! partitioned, optionally LZ4-compressed files through the storage rotation core.

use crate::connector::config::{ConfigError, ConnectorConfig};
use crate::connector::error::ERROR_PARAMS;
use crate::connector::param::specs;
use crate::connector::spec::ConnectorSpec;
use crate::connector::storage::rotation::{
    attribute_index, FileParams, FileSet, Layout, PartitionBuffers, PARTITION_BY,
};
use crate::connector::{
    ConnectorError, ConnectorStatus, Health, Rejects, Sink, SinkFactory, SinkMapper,
};
use crate::event::Event;
use crate::schema::Schema;
use std::io;
use std::sync::Arc;

pub struct FileSinkFactory;

static FILES: FileParams = FileParams::new(
    "With rotation='none' and no rotation.max.bytes: the file to append to (created with its \
     directories; existing content is kept). Otherwise the base directory of the rotated files.",
    1024,
    0,
);

impl SinkFactory for FileSinkFactory {
    fn spec(&self) -> ConnectorSpec {
        ConnectorSpec {
            name: "file",
            aliases: &[],
            description: "Writes each event as one line, encoded by the @map (json by default; \
                also text and csv). By default path is one file, appended to and flushed after \
                every batch, so a reader (`tail -f`) always sees whole lines; a csv header is \
                written when the file is new or empty. With rotation (hourly, daily, \
                rotation.max.bytes) path is a base directory of rotated files, \
                {path}/{partition}/{yyyy-mm-dd}/{HH}/{stream}-{time}-{seq}.jsonl, each written \
                as .inprogress and renamed when complete; no line is ever split or lost by a \
                rotation. compression='lz4' writes LZ4 frames (`lz4 -d` reads them).",
            params: specs(&[&FILES.all(), ERROR_PARAMS]),
            formats: &["json", "text", "csv"],
            default_format: Some("json"),
            example: "@sink(type='file', path='out/alerts.jsonl', @map(type='json'))",
        }
    }

    fn validate(&self, config: &ConnectorConfig, schema: &Schema) -> Result<(), ConfigError> {
        let settings = FILES.read(config)?;
        attribute_index(
            schema,
            settings.partition_by.as_deref(),
            PARTITION_BY.name(),
            None,
        )
        .map(|_| ())
    }

    fn create(
        &self,
        config: &ConnectorConfig,
        schema: &Schema,
        mapper: Option<Box<dyn SinkMapper>>,
    ) -> Result<Box<dyn Sink>, ConnectorError> {
        let settings = FILES.read(config)?;
        let Some(mapper) = mapper else {
            return Err(ConnectorError::permanent(
                "file sink needs a format (@map(type='json'), 'text' or 'csv')",
            ));
        };
        let partition = attribute_index(
            schema,
            settings.partition_by.as_deref(),
            PARTITION_BY.name(),
            None,
        )?;
        let extension = match config.map.as_ref().map_or("json", |m| m.kind.as_str()) {
            "csv" => "csv",
            "text" => "txt",
            _ => "jsonl",
        };
        let header = mapper.header().map(|mut h| {
            h.push(b'\n');
            h
        });
        let path = settings.path.display().to_string();
        let layout = Layout::new(settings, schema.name(), extension, header);
        let mut sink = FileSink {
            files: FileSet::new(layout, partition),
            mapper,
            line: Vec::with_capacity(256),
            status: Arc::default(),
        };
        if partition.is_none() {
            // Open now, so a bad path fails at startup rather than on the first event.
            sink.files.get(None).map_err(|e| {
                let mut err = ConnectorError::from(e);
                err.message = format!("file sink: cannot open '{path}': {}", err.message);
                err
            })?;
        }
        Ok(Box::new(sink))
    }
}

struct FileSink {
    files: FileSet,
    mapper: Box<dyn SinkMapper>,
    line: Vec<u8>,
    status: Arc<ConnectorStatus>,
}

impl FileSink {
    fn write_batch(&mut self, events: &[Event], rejects: &mut Rejects) -> io::Result<()> {
        let mut buffers = PartitionBuffers::default();
        for (i, event) in events.iter().enumerate() {
            self.line.clear();
            match self.mapper.encode(event, &mut self.line) {
                Ok(()) => {
                    let buf = self.files.buffer(&mut buffers, event);
                    buf.extend_from_slice(&self.line);
                    buf.push(b'\n');
                }
                Err(msg) => rejects.reject(i, ConnectorError::permanent(msg)),
            }
        }
        self.files.write(buffers)
    }
}

impl Sink for FileSink {
    fn publish(&mut self, events: &[Event], rejects: &mut Rejects) -> Result<(), ConnectorError> {
        let first_reject = rejects.items.len();
        self.write_batch(events, rejects).map_err(|e| {
            // The batch fails as a whole: per-event rejects of this attempt are moot.
            rejects.items.truncate(first_reject);
            ConnectorError::transient(format!("file sink: cannot write: {e}"))
        })
    }

    fn sync(&mut self) -> Result<(), ConnectorError> {
        self.files.sync()
    }

    fn set_status(&mut self, status: Arc<ConnectorStatus>) {
        self.status = status;
    }

    fn health(&mut self) -> Health {
        let (health, hit_rate) = self.files.health();
        self.status.set_pool_hit_rate(hit_rate);
        health
    }

    fn idle(&mut self) {
        if let Err(e) = self.files.tick() {
            log::error!("file sink: flush failed: {e}");
        }
    }

    fn flush(&mut self) -> Result<(), ConnectorError> {
        self.files.close()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::{AttrType, Value};

    /// `a,b` lines, header `a,b`; fails on a negative first value.
    struct CsvLike;

    impl SinkMapper for CsvLike {
        fn encode(&mut self, event: &Event, out: &mut Vec<u8>) -> Result<(), String> {
            if event.get(0).as_i64().is_some_and(|v| v < 0) {
                out.extend_from_slice(b"partial");
                return Err(format!("negative a: {}", event.get(0)));
            }
            out.extend_from_slice(format!("{},{}", event.get(0), event.get(1)).as_bytes());
            Ok(())
        }
        fn header(&self) -> Option<Vec<u8>> {
            Some(b"a,b".to_vec())
        }
    }

    use std::path::{Path, PathBuf};

    fn temp_dir(tag: &str) -> PathBuf {
        std::env::temp_dir().join(format!(
            "eventflux-file-sink-{tag}-{}-{}",
            std::process::id(),
            fastrand::u64(..)
        ))
    }

    fn sink(path: &Path) -> Box<dyn Sink> {
        let config = ConnectorConfig {
            kind: "file".into(),
            stream: "S".into(),
            params: [("path".to_string(), path.display().to_string())].into(),
            map: None,
            ..Default::default()
        };
        let schema = Schema::of("S", &[("a", AttrType::Int), ("b", AttrType::String)]);
        FileSinkFactory
            .create(&config, &schema, Some(Box::new(CsvLike)))
            .unwrap()
    }

    fn event(a: i32, b: &str) -> Event {
        Event::new(0, vec![Value::Int(a), Value::from(b)])
    }

    #[test]
    fn appends_lines_with_header_once_across_reopen() {
        let dir = temp_dir("append");
        let path = dir.join("nested").join("out.csv");
        let mut rejects = Rejects::default();
        let mut s = sink(&path);
        s.publish(
            &[event(1, "x"), event(-1, "bad"), event(2, "y")],
            &mut rejects,
        )
        .unwrap();
        // Flushed at the end of the batch: visible before flush() or drop.
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a,b\n1,x\n2,y\n");
        assert_eq!(rejects.items.len(), 1);
        assert_eq!(rejects.items[0].0, 1);
        assert_eq!(
            rejects.items[0].1,
            ConnectorError::permanent("negative a: -1")
        );
        s.flush().unwrap();
        drop(s);

        let mut s = sink(&path);
        s.publish(&[event(3, "z")], &mut Rejects::default())
            .unwrap();
        s.publish(&[], &mut Rejects::default()).unwrap();
        s.flush().unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "a,b\n1,x\n2,y\n3,z\n"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn header_is_written_into_an_existing_empty_file() {
        let dir = temp_dir("empty");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("out.csv");
        std::fs::write(&path, "").unwrap();
        let mut s = sink(&path);
        s.publish(&[event(1, "x")], &mut Rejects::default())
            .unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a,b\n1,x\n");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn bad_path_and_missing_mapper_fail_at_create() {
        let dir = temp_dir("bad");
        std::fs::create_dir_all(&dir).unwrap();
        let config = ConnectorConfig {
            kind: "file".into(),
            stream: "S".into(),
            // A directory cannot be opened for appending.
            params: [("path".to_string(), dir.display().to_string())].into(),
            map: None,
            ..Default::default()
        };
        let schema = Schema::of("S", &[]);
        let err = FileSinkFactory
            .create(&config, &schema, Some(Box::new(CsvLike)))
            .err()
            .unwrap();
        assert!(err.message.contains(&dir.display().to_string()), "{err}");
        let err = FileSinkFactory
            .create(&config, &schema, None)
            .err()
            .unwrap();
        assert!(err.message.contains("format"));
        let mut empty = config.clone();
        empty.params.clear();
        assert!(FileSinkFactory
            .validate(&empty, &schema)
            .unwrap_err()
            .0
            .contains("'path'"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

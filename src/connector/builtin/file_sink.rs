//! `file` sink: appends one mapped event per line to a file.

use crate::connector::config::{ConfigError, ConnectorConfig, Params};
use crate::connector::spec::{ConnectorSpec, ParamSpec};
use crate::connector::{ConnectorError, Rejects, Sink, SinkFactory, SinkMapper};
use crate::event::Event;
use crate::schema::Schema;
use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

const WRITE_BUFFER: usize = 64 * 1024;

pub struct FileSinkFactory;

impl SinkFactory for FileSinkFactory {
    fn spec(&self) -> ConnectorSpec {
        ConnectorSpec {
            name: "file",
            aliases: &[],
            description: "Appends each event to a file as one line, encoded by the @map (json \
                by default; also text and csv). The file and its parent directories are \
                created if missing; existing content is kept. A csv header is written only \
                when the file is new or empty. Lines are flushed after every batch, so a \
                reader (`tail -f`) always sees whole lines.",
            params: vec![ParamSpec::required(
                "path",
                "Path of the file to append to, absolute or relative to the working directory.",
                "out/alerts.jsonl",
            )],
            formats: &["json", "text", "csv"],
            default_format: Some("json"),
            example: "@sink(type='file', path='out/alerts.jsonl', @map(type='json'))",
        }
    }

    fn validate(&self, config: &ConnectorConfig, _schema: &Schema) -> Result<(), ConfigError> {
        sink_path(config).map(|_| ())
    }

    fn create(
        &self,
        config: &ConnectorConfig,
        _schema: &Schema,
        mapper: Option<Box<dyn SinkMapper>>,
    ) -> Result<Box<dyn Sink>, ConnectorError> {
        let path = sink_path(config)?;
        let Some(mapper) = mapper else {
            return Err(ConnectorError::permanent(
                "file sink needs a format (@map(type='json'), 'text' or 'csv')",
            ));
        };
        let mut sink = FileSink {
            path,
            mapper,
            writer: None,
            line: Vec::with_capacity(256),
        };
        // Open now so a bad path fails at startup rather than on the first event.
        sink.ensure_open()?;
        Ok(Box::new(sink))
    }
}

fn sink_path(config: &ConnectorConfig) -> Result<PathBuf, ConfigError> {
    let path = config.require("path")?;
    if path.trim().is_empty() {
        return Err(ConfigError("parameter 'path' is empty".into()));
    }
    Ok(PathBuf::from(path))
}

struct FileSink {
    path: PathBuf,
    mapper: Box<dyn SinkMapper>,
    /// Dropped after an IO error and reopened by the next publish.
    writer: Option<BufWriter<File>>,
    line: Vec<u8>,
}

impl FileSink {
    fn io_error(&self, e: io::Error) -> ConnectorError {
        ConnectorError::transient(format!(
            "file sink: cannot write '{}': {e}",
            self.path.display()
        ))
    }

    /// Opens (and creates) the file unless it is open.
    fn ensure_open(&mut self) -> Result<(), ConnectorError> {
        if self.writer.is_none() {
            let writer = open_append(&self.path, self.mapper.as_ref()).map_err(|e| {
                let mut err = ConnectorError::from(e);
                err.message = format!(
                    "file sink: cannot open '{}': {}",
                    self.path.display(),
                    err.message
                );
                err
            })?;
            self.writer = Some(writer);
        }
        Ok(())
    }

    fn write_batch(&mut self, events: &[Event], rejects: &mut Rejects) -> io::Result<()> {
        let Some(writer) = self.writer.as_mut() else {
            return Ok(());
        };
        for (i, event) in events.iter().enumerate() {
            self.line.clear();
            match self.mapper.encode(event, &mut self.line) {
                Ok(()) => {
                    self.line.push(b'\n');
                    writer.write_all(&self.line)?;
                }
                Err(msg) => rejects.reject(i, ConnectorError::permanent(msg)),
            }
        }
        writer.flush()
    }
}

/// Opens `path` for appending (creating it and its directories); writes the mapper's header if
/// the file is empty.
fn open_append(path: &Path, mapper: &dyn SinkMapper) -> io::Result<BufWriter<File>> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let file = OpenOptions::new().create(true).append(true).open(path)?;
    let empty = file.metadata()?.len() == 0;
    let mut writer = BufWriter::with_capacity(WRITE_BUFFER, file);
    if empty {
        if let Some(header) = mapper.header() {
            writer.write_all(&header)?;
            writer.write_all(b"\n")?;
            writer.flush()?;
        }
    }
    Ok(writer)
}

impl Sink for FileSink {
    fn publish(&mut self, events: &[Event], rejects: &mut Rejects) -> Result<(), ConnectorError> {
        if events.is_empty() {
            return Ok(());
        }
        self.ensure_open()?;
        let first_reject = rejects.items.len();
        if let Err(e) = self.write_batch(events, rejects) {
            // The batch fails as a whole: per-event rejects of this attempt are moot, and the
            // file is reopened on the next attempt.
            rejects.items.truncate(first_reject);
            self.writer = None;
            return Err(self.io_error(e));
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), ConnectorError> {
        let result = match self.writer.as_mut() {
            Some(w) => w.flush(),
            None => Ok(()),
        };
        result.map_err(|e| self.io_error(e))
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

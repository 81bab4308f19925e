//! `file` source: reads a file line by line (one payload per non-empty line), optionally
//! following it as it grows, like `tail -F`.

use super::lines::{LineBatcher, ReadEnd, READ_BUFFER};
use crate::connector::config::{ConfigError, ConnectorConfig};
use crate::connector::param::{specs, Param, Required};
use crate::connector::spec::ConnectorSpec;
use crate::connector::{ConnectorError, Source, SourceContext, SourceFactory};
use crate::schema::Schema;
use std::fs::File;
use std::io::{self, BufReader};
use std::path::PathBuf;
use std::time::Duration;

/// How often a followed file is checked for new data.
const POLL: Duration = Duration::from_millis(100);

pub struct FileSourceFactory;

const PATH: Param<Required<String>> = Param::required(
    "path",
    "Path of the file to read, absolute or relative to the working directory.",
    "data/trades.jsonl",
);
const FOLLOW: Param<bool> = Param::optional(
    "follow",
    false,
    "false: read to the end of the file, then stop (a missing file is an error). true: keep \
     reading lines as they are appended until the app stops, like `tail -F`.",
    "true",
);

impl SourceFactory for FileSourceFactory {
    fn spec(&self) -> ConnectorSpec {
        ConnectorSpec {
            name: "file",
            aliases: &[],
            description: "Reads a file line by line: each non-empty line (without its \\n or \
                \\r\\n) is one payload for the @map (json by default; also text, csv, bytes). By \
                default the file is read to its end and the source finishes; with \
                follow='true' it keeps watching the file for appended lines (checking every \
                100 ms), starts over from the beginning when the file is truncated, and waits \
                for the file to appear if it does not exist yet.",
            params: specs(&[&[&PATH, &FOLLOW]]),
            formats: &["json", "text", "csv", "bytes"],
            default_format: Some("json"),
            example: "@source(type='file', path='data/trades.jsonl', follow='true', \
                @map(type='json'))",
        }
    }

    fn validate(&self, config: &ConnectorConfig, _schema: &Schema) -> Result<(), ConfigError> {
        FileSource::from_config(config).map(|_| ())
    }

    fn create(
        &self,
        config: &ConnectorConfig,
        _schema: &Schema,
    ) -> Result<Box<dyn Source>, ConnectorError> {
        Ok(Box::new(FileSource::from_config(config)?))
    }
}

struct FileSource {
    path: PathBuf,
    follow: bool,
}

impl FileSource {
    fn from_config(config: &ConnectorConfig) -> Result<FileSource, ConfigError> {
        let path = PATH.read(config)?;
        if path.trim().is_empty() {
            return Err(ConfigError(format!("parameter '{}' is empty", PATH.name())));
        }
        Ok(FileSource {
            path: PathBuf::from(path),
            follow: FOLLOW.read(config)?,
        })
    }

    fn open_error(&self, e: io::Error) -> ConnectorError {
        let mut err = ConnectorError::from(match e.kind() {
            io::ErrorKind::NotFound => {
                return ConnectorError::permanent(format!(
                    "file source: '{}' does not exist",
                    self.path.display()
                ))
            }
            _ => e,
        });
        err.message = format!(
            "file source: cannot read '{}': {}",
            self.path.display(),
            err.message
        );
        err
    }

    /// Opens the file; with `follow`, waits for it to appear. `None` if the app stopped first.
    fn open(&self, ctx: &SourceContext) -> Result<Option<File>, ConnectorError> {
        let mut logged = false;
        loop {
            if self.path.is_dir() {
                return Err(ConnectorError::permanent(format!(
                    "file source: '{}' is a directory, not a file",
                    self.path.display()
                )));
            }
            match File::open(&self.path) {
                Ok(f) => return Ok(Some(f)),
                Err(e) if self.follow && e.kind() == io::ErrorKind::NotFound => {
                    if !logged {
                        log::info!(
                            "file source: '{}' does not exist yet; waiting for it to appear",
                            self.path.display()
                        );
                        logged = true;
                    }
                    std::thread::sleep(POLL);
                    if !ctx.is_running() {
                        return Ok(None);
                    }
                }
                Err(e) => return Err(self.open_error(e)),
            }
        }
    }
}

impl Source for FileSource {
    fn run(&mut self, ctx: &mut SourceContext) -> Result<(), ConnectorError> {
        let Some(file) = self.open(ctx)? else {
            return Ok(());
        };
        let mut reader = BufReader::with_capacity(READ_BUFFER, file);
        let mut lines = LineBatcher::new(false);
        loop {
            let end = lines
                .read_until_eof(&mut reader, ctx)
                .map_err(|e| self.open_error(e))?;
            if !self.follow || end == ReadEnd::Stopped {
                // The input is over (or the app stops): a last line without a newline counts.
                lines.finish(ctx);
                return Ok(());
            }
            lines.flush(ctx);
            std::thread::sleep(POLL);
            if !ctx.is_running() {
                lines.finish(ctx);
                return Ok(());
            }
            // Truncated (shorter than what was read): start over from the beginning.
            if let Ok(meta) = std::fs::metadata(&self.path) {
                if meta.len() < lines.consumed() {
                    log::info!(
                        "file source: '{}' was truncated; reading it again from the start",
                        self.path.display()
                    );
                    match File::open(&self.path) {
                        Ok(f) => {
                            reader = BufReader::with_capacity(READ_BUFFER, f);
                            lines.reset();
                        }
                        Err(e) => {
                            log::warn!("file source: cannot reopen '{}': {e}", self.path.display())
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connector::builtin::test_util::Recorder;
    use std::io::Write;
    use std::sync::atomic::Ordering;

    fn temp_path(tag: &str) -> PathBuf {
        std::env::temp_dir().join(format!(
            "eventflux-file-source-{tag}-{}-{}",
            std::process::id(),
            fastrand::u64(..)
        ))
    }

    fn config(path: &std::path::Path, follow: bool) -> ConnectorConfig {
        ConnectorConfig {
            kind: "file".into(),
            stream: "S".into(),
            params: [
                ("path".to_string(), path.display().to_string()),
                ("follow".to_string(), follow.to_string()),
            ]
            .into(),
            map: None,
            ..Default::default()
        }
    }

    fn create(path: &std::path::Path, follow: bool) -> Box<dyn Source> {
        FileSourceFactory
            .create(&config(path, follow), &Schema::of("S", &[]))
            .unwrap()
    }

    #[test]
    fn reads_lines_to_the_end() {
        let path = temp_path("read");
        std::fs::write(&path, "{\"a\":1}\r\n\n{\"a\":2}\n  \n{\"a\":3}").unwrap();
        let (rec, mut ctx) = Recorder::context();
        create(&path, false).run(&mut ctx).unwrap();
        assert_eq!(
            rec.payload_strings(),
            vec!["{\"a\":1}", "{\"a\":2}", "  ", "{\"a\":3}"]
        );
        assert_eq!(rec.payload_batches().len(), 1);
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn large_file_is_emitted_in_batches() {
        let path = temp_path("large");
        let text: String = (0..3000).map(|i| format!("line {i}\n")).collect();
        std::fs::write(&path, text).unwrap();
        let (rec, mut ctx) = Recorder::context();
        create(&path, false).run(&mut ctx).unwrap();
        let sizes: Vec<usize> = rec.payload_batches().iter().map(Vec::len).collect();
        assert_eq!(sizes, vec![1024, 1024, 952]);
        let all = rec.payload_strings();
        assert_eq!(all.len(), 3000);
        assert_eq!(all[2999], "line 2999");
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn missing_file_is_a_permanent_error_naming_the_path() {
        let path = temp_path("missing");
        let (_rec, mut ctx) = Recorder::context();
        let err = create(&path, false).run(&mut ctx).unwrap_err();
        assert_eq!(err.class, crate::connector::ErrorClass::Permanent);
        assert!(err.message.contains(&path.display().to_string()));
        let err = create(&std::env::temp_dir(), false)
            .run(&mut ctx)
            .unwrap_err();
        assert!(err.message.contains("directory"));
    }

    #[test]
    fn validation_checks_follow_and_path() {
        let mut c = config(std::path::Path::new("x"), false);
        c.params.insert("follow".into(), "maybe".into());
        let schema = Schema::of("S", &[]);
        assert!(FileSourceFactory
            .validate(&c, &schema)
            .unwrap_err()
            .0
            .contains("'follow'"));
        c.params.clear();
        assert!(FileSourceFactory
            .validate(&c, &schema)
            .unwrap_err()
            .0
            .contains("'path'"));
    }

    #[test]
    fn follow_picks_up_appends_and_truncation_then_stops() {
        let path = temp_path("follow");
        let mut source = create(&path, true);
        let (rec, mut ctx, flag) = Recorder::context_with_flag();
        let handle = std::thread::spawn(move || source.run(&mut ctx));

        // The file does not exist yet: the source waits for it.
        std::thread::sleep(Duration::from_millis(150));
        std::fs::write(&path, "a\nb\n").unwrap();
        assert!(rec.wait_for_payloads(2), "{:?}", rec.payload_strings());

        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        f.write_all(b"c\nhal").unwrap();
        f.flush().unwrap();
        assert!(rec.wait_for_payloads(3));
        f.write_all(b"f\n").unwrap();
        f.flush().unwrap();
        assert!(rec.wait_for_payloads(4));
        assert_eq!(rec.payload_strings(), vec!["a", "b", "c", "half"]);

        // Truncate and write fresh content: read again from the start.
        std::fs::write(&path, "x\n").unwrap();
        assert!(rec.wait_for_payloads(5), "{:?}", rec.payload_strings());
        assert_eq!(rec.payload_strings()[4], "x");

        flag.store(false, Ordering::Release);
        handle.join().unwrap().unwrap();
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn follow_stops_while_waiting_for_a_missing_file() {
        let path = temp_path("never");
        let mut source = create(&path, true);
        let (rec, mut ctx, flag) = Recorder::context_with_flag();
        let handle = std::thread::spawn(move || source.run(&mut ctx));
        std::thread::sleep(Duration::from_millis(120));
        flag.store(false, Ordering::Release);
        handle.join().unwrap().unwrap();
        assert!(rec.payload_strings().is_empty());
    }
}

//! `stdout` (alias `log`) sink: prints events, human-readable or through a mapper.

use crate::connector::config::{ConfigError, ConnectorConfig};
use crate::connector::param::{specs, Choice, Param};
use crate::connector::spec::ConnectorSpec;
use crate::connector::{ConnectorError, Rejects, Sink, SinkFactory, SinkMapper};
use crate::event::Event;
use crate::schema::Schema;
use std::fmt::Write as _;
use std::io::{self, Write};

pub struct StdoutSinkFactory;

const PREFIX: Param<Option<String>> = Param::optional(
    "prefix",
    None,
    "Text printed at the start of every line, exactly as given (include a trailing space or \
     separator if you want one). Useful to tell apart several sinks that print to the same \
     terminal.",
    "[alerts] ",
);

/// How the human-readable line shows the event time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Timestamps {
    /// `2026-06-01T12:00:00.250Z` (UTC, milliseconds).
    Iso,
    /// `ts=1780315200250` (epoch milliseconds).
    Epoch,
}

const TIMESTAMPS: Param<Choice<Timestamps>> = Param::choice(
    "timestamps",
    &[("iso", Timestamps::Iso), ("epoch", Timestamps::Epoch)],
    Timestamps::Iso,
    "How lines without @map show the event time: iso (UTC with milliseconds, \
     `[2026-06-01T12:00:00.250Z]`) or epoch (milliseconds, `[ts=1780315200250]`).",
    "epoch",
);

impl SinkFactory for StdoutSinkFactory {
    fn spec(&self) -> ConnectorSpec {
        ConnectorSpec {
            name: "stdout",
            aliases: &["log"],
            description: "Prints every event to standard output, one line each. Without @map the \
                line is human-readable: the stream name, the event time (ISO-8601 UTC, or epoch \
                milliseconds with timestamps='epoch') and name=value pairs, e.g. \
                `Out [2026-06-01T12:00:00.250Z] symbol=IBM, price=12.5`, with ` (expired)` appended to events \
                leaving a window. With @map (json, text or csv) each line is the mapped event (a \
                csv header is printed once first). Output is flushed after every batch, so it \
                appears as events arrive. Meant for development and debugging.",
            params: specs(&[&[&PREFIX, &TIMESTAMPS]]),
            formats: &["json", "text", "csv"],
            default_format: None,
            example: "@sink(type='stdout', prefix='[alerts] ')",
        }
    }

    fn validate(&self, config: &ConnectorConfig, _schema: &Schema) -> Result<(), ConfigError> {
        TIMESTAMPS.read(config).map(|_| ())
    }

    fn create(
        &self,
        config: &ConnectorConfig,
        schema: &Schema,
        mapper: Option<Box<dyn SinkMapper>>,
    ) -> Result<Box<dyn Sink>, ConnectorError> {
        Ok(Box::new(StdoutSink::new(
            config,
            schema,
            mapper,
            Box::new(io::stdout()),
        )))
    }
}

/// Prints to `out` (standard output outside tests): each batch is formatted into one buffer,
/// written with one call (which locks stdout once) and flushed.
pub struct StdoutSink {
    formatter: LineFormatter,
    out: Box<dyn Write + Send>,
    buf: Vec<u8>,
}

impl StdoutSink {
    fn new(
        config: &ConnectorConfig,
        schema: &Schema,
        mapper: Option<Box<dyn SinkMapper>>,
        out: Box<dyn Write + Send>,
    ) -> Self {
        let stream = if config.stream.is_empty() {
            schema.name().to_string()
        } else {
            config.stream.clone()
        };
        StdoutSink {
            formatter: LineFormatter {
                stream,
                names: schema.names().map(str::to_string).collect(),
                prefix: PREFIX.get(config).unwrap_or_default().to_string(),
                // Validated at compile time; a bad value cannot reach here.
                timestamps: TIMESTAMPS.read(config).unwrap_or(Timestamps::Iso),
                mapper,
                header_done: false,
                scratch: Vec::new(),
            },
            out,
            buf: Vec::with_capacity(8 * 1024),
        }
    }
}

impl Sink for StdoutSink {
    fn publish(&mut self, events: &[Event], rejects: &mut Rejects) -> Result<(), ConnectorError> {
        self.buf.clear();
        self.formatter.format_batch(events, &mut self.buf, rejects);
        if self.buf.is_empty() {
            return Ok(());
        }
        self.out.write_all(&self.buf).map_err(io_error)?;
        self.out.flush().map_err(io_error)
    }

    fn flush(&mut self) -> Result<(), ConnectorError> {
        self.out.flush().map_err(io_error)
    }
}

fn io_error(e: io::Error) -> ConnectorError {
    if e.kind() == io::ErrorKind::BrokenPipe {
        // The reader went away (`| head`): retrying cannot help.
        ConnectorError::permanent(format!("stdout: {e}"))
    } else {
        let mut err = ConnectorError::from(e);
        err.message = format!("stdout: {}", err.message);
        err
    }
}

/// Turns events into output lines; separate from writing so it can be tested.
struct LineFormatter {
    stream: String,
    names: Vec<String>,
    prefix: String,
    timestamps: Timestamps,
    mapper: Option<Box<dyn SinkMapper>>,
    header_done: bool,
    scratch: Vec<u8>,
}

impl LineFormatter {
    /// Appends one line per event to `out`; events the mapper cannot encode go to `rejects`.
    fn format_batch(&mut self, events: &[Event], out: &mut Vec<u8>, rejects: &mut Rejects) {
        let Some(mapper) = self.mapper.as_mut() else {
            let mut line = String::new();
            for event in events {
                line.clear();
                format_event(&mut line, &self.stream, &self.names, self.timestamps, event);
                out.extend_from_slice(self.prefix.as_bytes());
                out.extend_from_slice(line.as_bytes());
                out.push(b'\n');
            }
            return;
        };
        if !self.header_done {
            self.header_done = true;
            if let Some(header) = mapper.header() {
                out.extend_from_slice(self.prefix.as_bytes());
                out.extend_from_slice(&header);
                out.push(b'\n');
            }
        }
        for (i, event) in events.iter().enumerate() {
            self.scratch.clear();
            match mapper.encode(event, &mut self.scratch) {
                Ok(()) => {
                    out.extend_from_slice(self.prefix.as_bytes());
                    out.extend_from_slice(&self.scratch);
                    out.push(b'\n');
                }
                Err(msg) => rejects.reject(i, ConnectorError::permanent(msg)),
            }
        }
    }
}

/// `Out [1970-01-01T00:00:01.000Z] symbol=IBM, price=12.5` or `Out [ts=1000] ...` (` (expired)`
/// appended for expired events). Values beyond the schema's attributes are named by position
/// (`_3`).
fn format_event(
    line: &mut String,
    stream: &str,
    names: &[String],
    timestamps: Timestamps,
    event: &Event,
) {
    match (
        timestamps,
        chrono::DateTime::<chrono::Utc>::from_timestamp_millis(event.ts),
    ) {
        (Timestamps::Iso, Some(t)) => {
            let _ = write!(line, "{stream} [{}]", t.format("%Y-%m-%dT%H:%M:%S%.3fZ"));
        }
        _ => {
            let _ = write!(line, "{stream} [ts={}]", event.ts);
        }
    }
    for (i, value) in event.data.iter().enumerate() {
        line.push_str(if i == 0 { " " } else { ", " });
        match names.get(i) {
            Some(name) => line.push_str(name),
            None => {
                let _ = write!(line, "_{i}");
            }
        }
        let _ = write!(line, "={value}");
    }
    if event.is_expired() {
        line.push_str(" (expired)");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::{AttrType, Value};
    use std::sync::{Arc, Mutex};

    fn schema() -> Schema {
        Schema::of(
            "Out",
            &[("symbol", AttrType::String), ("p2", AttrType::Double)],
        )
    }

    fn event(ts: i64, s: &str, p: f64) -> Event {
        Event::new(ts, vec![Value::from(s), Value::Double(p)])
    }

    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// Encodes `symbol|p2`, failing on symbol "BAD"; header "symbol|p2".
    struct PipeMapper;

    impl SinkMapper for PipeMapper {
        fn encode(&mut self, event: &Event, out: &mut Vec<u8>) -> Result<(), String> {
            if event.get(0).as_str() == Some("BAD") {
                out.extend_from_slice(b"garbage");
                return Err("cannot encode BAD".into());
            }
            out.extend_from_slice(format!("{}|{}", event.get(0), event.get(1)).as_bytes());
            Ok(())
        }
        fn header(&self) -> Option<Vec<u8>> {
            Some(b"symbol|p2".to_vec())
        }
    }

    fn config(prefix: Option<&str>) -> ConnectorConfig {
        let mut c = ConnectorConfig {
            kind: "stdout".into(),
            stream: "Out".into(),
            ..Default::default()
        };
        if let Some(p) = prefix {
            c.params.insert("prefix".into(), p.into());
        }
        c
    }

    #[test]
    fn human_readable_lines() {
        let mut line = String::new();
        let names = vec!["symbol".to_string(), "p2".to_string()];
        let epoch = Timestamps::Epoch;
        format_event(&mut line, "Out", &names, epoch, &event(1000, "IBM", 1400.0));
        assert_eq!(line, "Out [ts=1000] symbol=IBM, p2=1400.0");
        line.clear();
        // The default: ISO-8601 in UTC with milliseconds.
        let iso = Timestamps::Iso;
        format_event(
            &mut line,
            "Out",
            &names,
            iso,
            &event(1_780_315_200_250, "IBM", 1.0),
        );
        assert_eq!(line, "Out [2026-06-01T12:00:00.250Z] symbol=IBM, p2=1.0");
        line.clear();
        format_event(
            &mut line,
            "Out",
            &names,
            epoch,
            &event(1000, "IBM", 1400.0).expired_at(2000),
        );
        assert_eq!(line, "Out [ts=2000] symbol=IBM, p2=1400.0 (expired)");
        line.clear();
        let e = Event::new(5, vec![Value::Int(1), Value::Null, Value::Bool(true)]);
        format_event(&mut line, "S", &names, epoch, &e);
        assert_eq!(line, "S [ts=5] symbol=1, p2=null, _2=true");
        line.clear();
        format_event(
            &mut line,
            "S",
            &names,
            epoch,
            &Event::new(7, Vec::<Value>::new()),
        );
        assert_eq!(line, "S [ts=7]");
    }

    #[test]
    fn sink_writes_prefixed_lines_per_batch() {
        let out = Shared::default();
        let mut sink = StdoutSink::new(&config(Some("> ")), &schema(), None, Box::new(out.clone()));
        let mut rejects = Rejects::default();
        sink.publish(&[event(1, "IBM", 1.5), event(2, "WSO2", 2.0)], &mut rejects)
            .unwrap();
        sink.publish(&[], &mut rejects).unwrap();
        sink.flush().unwrap();
        let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
        assert_eq!(
            text,
            "> Out [1970-01-01T00:00:00.001Z] symbol=IBM, p2=1.5\n\
             > Out [1970-01-01T00:00:00.002Z] symbol=WSO2, p2=2.0\n"
        );
        assert!(rejects.items.is_empty());
    }

    #[test]
    fn mapper_output_with_header_once_and_rejects() {
        let out = Shared::default();
        let mut sink = StdoutSink::new(
            &config(None),
            &schema(),
            Some(Box::new(PipeMapper)),
            Box::new(out.clone()),
        );
        let mut rejects = Rejects::default();
        sink.publish(
            &[
                event(1, "IBM", 1.5),
                event(2, "BAD", 0.0),
                event(3, "X", 3.0),
            ],
            &mut rejects,
        )
        .unwrap();
        sink.publish(&[event(4, "Y", 4.0)], &mut rejects).unwrap();
        let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
        assert_eq!(text, "symbol|p2\nIBM|1.5\nX|3.0\nY|4.0\n");
        assert_eq!(rejects.items.len(), 1);
        assert_eq!(rejects.items[0].0, 1);
        assert_eq!(
            rejects.items[0].1,
            ConnectorError::permanent("cannot encode BAD")
        );
    }

    #[test]
    fn spec_has_log_alias_and_no_default_format() {
        let spec = StdoutSinkFactory.spec();
        assert_eq!(spec.aliases, &["log"]);
        assert_eq!(spec.default_format, None);
        assert_eq!(spec.formats, &["json", "text", "csv"]);
    }
}

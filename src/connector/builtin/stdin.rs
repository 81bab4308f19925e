//! `stdin` source: one payload per line of standard input.

use super::lines::{LineBatcher, READ_BUFFER};
use crate::connector::config::ConnectorConfig;
use crate::connector::spec::ConnectorSpec;
use crate::connector::{ConnectorError, Source, SourceContext, SourceFactory};
use crate::schema::Schema;
use std::io::{BufReader, Read};

pub struct StdinSourceFactory;

impl SourceFactory for StdinSourceFactory {
    fn spec(&self) -> ConnectorSpec {
        ConnectorSpec {
            name: "stdin",
            aliases: &[],
            description: "Reads standard input line by line: each non-empty line (without its \
                \\n or \\r\\n) is one payload for the @map (json by default; also text, csv, \
                bytes). Lines are delivered as soon as they arrive; the source finishes at end \
                of input (Ctrl-D, or the end of a pipe). Stopping the app while stdin is idle \
                waits for the next line or end of input, since a blocked read cannot be \
                interrupted. Handy with pipes: `tail -f log.jsonl | eventflux run app.sql`.",
            params: vec![],
            formats: &["json", "text", "csv", "bytes"],
            default_format: Some("json"),
            example: "@source(type='stdin', @map(type='json'))",
        }
    }

    fn create(
        &self,
        _config: &ConnectorConfig,
        _schema: &Schema,
    ) -> Result<Box<dyn Source>, ConnectorError> {
        Ok(Box::new(StdinSource))
    }
}

struct StdinSource;

impl Source for StdinSource {
    fn run(&mut self, ctx: &mut SourceContext) -> Result<(), ConnectorError> {
        read_lines(std::io::stdin(), ctx)
    }
}

/// Emits the lines of `input` until its end (or the app stops).
fn read_lines<R: Read>(input: R, ctx: &mut SourceContext) -> Result<(), ConnectorError> {
    let mut reader = BufReader::with_capacity(READ_BUFFER, input);
    let mut lines = LineBatcher::new(true);
    let result = lines.read_until_eof(&mut reader, ctx);
    lines.finish(ctx);
    result.map(|_| ()).map_err(|e| {
        let mut err = ConnectorError::from(e);
        err.message = format!("stdin: {}", err.message);
        err
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connector::builtin::test_util::Recorder;
    use std::io::{self, Cursor};
    use std::sync::mpsc;

    #[test]
    fn reads_every_line_until_eof() {
        let (rec, mut ctx) = Recorder::context();
        read_lines(Cursor::new(b"a\r\n\nb\nc".to_vec()), &mut ctx).unwrap();
        assert_eq!(rec.payload_strings(), vec!["a", "b", "c"]);
    }

    /// A reader fed chunk by chunk through a channel, blocking like a pipe.
    struct Pipe(mpsc::Receiver<Vec<u8>>);

    impl Read for Pipe {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            match self.0.recv() {
                Ok(chunk) => {
                    buf[..chunk.len()].copy_from_slice(&chunk);
                    Ok(chunk.len())
                }
                Err(_) => Ok(0),
            }
        }
    }

    #[test]
    fn pending_lines_are_emitted_before_blocking() {
        let (tx, rx) = mpsc::channel();
        let (rec, mut ctx) = Recorder::context();
        let handle = std::thread::spawn(move || read_lines(Pipe(rx), &mut ctx));
        tx.send(b"one\ntwo\nthr".to_vec()).unwrap();
        // Both complete lines arrive while the reader waits for the rest of the third.
        assert!(rec.wait_for_payloads(2));
        assert_eq!(rec.payload_strings(), vec!["one", "two"]);
        tx.send(b"ee\n".to_vec()).unwrap();
        assert!(rec.wait_for_payloads(3));
        drop(tx);
        handle.join().unwrap().unwrap();
        assert_eq!(rec.payload_strings(), vec!["one", "two", "three"]);
    }

    #[test]
    fn read_errors_are_reported() {
        struct Broken;
        impl Read for Broken {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::new(io::ErrorKind::InvalidData, "boom"))
            }
        }
        let (_rec, mut ctx) = Recorder::context();
        let err = read_lines(Broken, &mut ctx).unwrap_err();
        assert_eq!(err.message, "stdin: boom");
    }
}

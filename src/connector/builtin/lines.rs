//! Line-oriented reading shared by the file and stdin sources: one non-empty line = one payload,
//! emitted in batches, with whatever is pending emitted before any read that could block.

use crate::connector::SourceContext;
use bytes::Bytes;
use std::io::{self, BufRead, BufReader, Read};

/// Most lines handed to the engine in one batch.
pub(crate) const LINE_BATCH: usize = 1024;

/// Buffer size of the readers the line sources use.
pub(crate) const READ_BUFFER: usize = 64 * 1024;

/// How [`LineBatcher::read_until_eof`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReadEnd {
    /// The reader has no more data for now (EOF).
    Eof,
    /// The app is stopping.
    Stopped,
}

/// Accumulates lines into batches and tracks how many bytes of the input were consumed.
pub(crate) struct LineBatcher {
    /// Emit pending lines before a read that may block (pipes, terminals); files only block
    /// at EOF, where the caller flushes.
    eager: bool,
    pending: Vec<Bytes>,
    /// Bytes of a line whose newline has not been read yet.
    partial: Vec<u8>,
    /// Bytes consumed from the reader since the start (or the last [`LineBatcher::reset`]).
    consumed: u64,
}

impl LineBatcher {
    /// `eager`: see the field of that name.
    pub fn new(eager: bool) -> Self {
        LineBatcher {
            eager,
            pending: Vec::with_capacity(LINE_BATCH),
            partial: Vec::with_capacity(256),
            consumed: 0,
        }
    }

    pub fn consumed(&self) -> u64 {
        self.consumed
    }

    /// Reads complete lines until the reader reports EOF or the app stops. Pending lines are
    /// emitted whenever a batch is full and, when eager, before any read that would go to the
    /// underlying reader with no complete line buffered (so a slow producer's lines are not held
    /// back). An
    /// unterminated last line stays buffered: more may be appended (see [`LineBatcher::finish`]).
    pub fn read_until_eof<R: Read>(
        &mut self,
        reader: &mut BufReader<R>,
        ctx: &mut SourceContext,
    ) -> io::Result<ReadEnd> {
        loop {
            if !ctx.is_running() {
                return Ok(ReadEnd::Stopped);
            }
            if self.pending.len() >= LINE_BATCH
                || (self.eager && !self.pending.is_empty() && !reader.buffer().contains(&b'\n'))
            {
                self.flush(ctx);
            }
            let n = reader.read_until(b'\n', &mut self.partial)?;
            self.consumed += n as u64;
            if n == 0 || self.partial.last() != Some(&b'\n') {
                return Ok(ReadEnd::Eof);
            }
            self.take_line();
        }
    }

    /// Moves the buffered line (if not empty once its line ending is stripped) to the batch.
    fn take_line(&mut self) {
        if let Some(payload) = payload_of(&self.partial) {
            self.pending.push(payload);
        }
        self.partial.clear();
    }

    /// Emits the pending lines.
    pub fn flush(&mut self, ctx: &mut SourceContext) {
        ctx.emit_payloads(&self.pending);
        self.pending.clear();
    }

    /// The input is over: an unterminated last line counts as a line; emits everything pending.
    pub fn finish(&mut self, ctx: &mut SourceContext) {
        self.take_line();
        self.flush(ctx);
    }

    /// Starts over on a new input (after truncation): drops a half-read line and the byte count.
    /// Call [`LineBatcher::flush`] first to keep the complete lines already read.
    pub fn reset(&mut self) {
        self.partial.clear();
        self.consumed = 0;
    }
}

/// The payload of one line: without `\n` / `\r\n`, `None` when nothing is left.
pub(crate) fn payload_of(line: &[u8]) -> Option<Bytes> {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.is_empty() {
        None
    } else {
        Some(Bytes::copy_from_slice(line))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connector::builtin::test_util::Recorder;
    use std::io::Cursor;

    #[test]
    fn payload_strips_line_endings_and_skips_empty_lines() {
        assert_eq!(payload_of(b"abc\r\n").unwrap(), Bytes::from_static(b"abc"));
        assert_eq!(payload_of(b"abc\n").unwrap(), Bytes::from_static(b"abc"));
        assert_eq!(payload_of(b"abc").unwrap(), Bytes::from_static(b"abc"));
        assert!(payload_of(b"\r\n").is_none());
        assert!(payload_of(b"").is_none());
    }

    #[test]
    fn batches_are_at_most_line_batch_long() {
        let input: String = (0..2500).map(|i| format!("{i}\n")).collect();
        let (rec, mut ctx) = Recorder::context();
        let mut reader = BufReader::with_capacity(READ_BUFFER, Cursor::new(input.into_bytes()));
        let mut b = LineBatcher::new(false);
        assert_eq!(
            b.read_until_eof(&mut reader, &mut ctx).unwrap(),
            ReadEnd::Eof
        );
        b.finish(&mut ctx);
        let sizes: Vec<usize> = rec.payload_batches().iter().map(Vec::len).collect();
        assert_eq!(sizes, vec![LINE_BATCH, LINE_BATCH, 452]);
        let all = rec.payload_strings();
        assert_eq!(all.len(), 2500);
        assert_eq!(all[2499], "2499");
    }

    #[test]
    fn unterminated_line_waits_for_the_rest() {
        let (rec, mut ctx) = Recorder::context();
        let mut b = LineBatcher::new(true);
        let mut r1 = BufReader::new(Cursor::new(b"a\nhal".to_vec()));
        b.read_until_eof(&mut r1, &mut ctx).unwrap();
        b.flush(&mut ctx);
        assert_eq!(rec.payload_strings(), vec!["a"]);
        let mut r2 = BufReader::new(Cursor::new(b"f\n".to_vec()));
        b.read_until_eof(&mut r2, &mut ctx).unwrap();
        b.finish(&mut ctx);
        assert_eq!(rec.payload_strings(), vec!["a", "half"]);
        assert_eq!(b.consumed(), 7);
    }
}

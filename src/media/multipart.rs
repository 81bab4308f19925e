//! A sans-IO parser for `multipart/x-mixed-replace` streams (MJPEG over HTTP): push body chunks
//! split anywhere, take out complete parts (headers + body as shared `Bytes`).
//!
//! Real cameras are sloppy, so the parser keeps sync instead of trusting the framing: a part
//! without `Content-Length` ends at the next delimiter; a `Content-Length` is used only when the
//! delimiter really follows it (after optional blank space), otherwise the body is found by
//! scanning; a preamble, blank lines and junk before a delimiter are skipped; a part over
//! `max_part_bytes` is dropped and reported without losing the next one.

use bytes::{Bytes, BytesMut};
use memchr::memmem;
use std::collections::VecDeque;

/// A `Content-Type` that names no usable multipart boundary.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BoundaryError {
    #[error("content type '{0}' has no boundary parameter")]
    Missing(String),
    #[error("the boundary parameter of '{0}' is empty")]
    Empty(String),
    #[error("the boundary of '{0}' is over 70 characters")]
    TooLong(String),
}

/// The boundary named by a `Content-Type` such as
/// `multipart/x-mixed-replace; boundary="--frame"`: quoted or not, the parameter name in any
/// case. A leading `--`, which some servers repeat in the parameter, is dropped: the parser adds
/// the `--` itself.
pub fn boundary_from_content_type(content_type: &str) -> Result<String, BoundaryError> {
    let param = content_type
        .split(';')
        .skip(1)
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("boundary"))
        .map(|(_, v)| v.trim())
        .ok_or_else(|| BoundaryError::Missing(content_type.to_string()))?;
    let unquoted = param
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(param);
    let b = unquoted.strip_prefix("--").unwrap_or(unquoted);
    if b.is_empty() {
        return Err(BoundaryError::Empty(content_type.to_string()));
    }
    // RFC 2046 caps boundaries at 70 characters; a longer one is a broken header.
    if b.len() > 70 {
        return Err(BoundaryError::TooLong(content_type.to_string()));
    }
    Ok(b.to_string())
}

/// One part of the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// Header lines in order, names as sent.
    pub headers: Vec<(String, String)>,
    /// The body, sharing the parser's buffer (no copy).
    pub body: Bytes,
}

impl Part {
    /// The first header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn content_type(&self) -> Option<&str> {
        self.header("content-type")
    }
}

/// What the parser yields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MultipartItem {
    Part(Part),
    /// A part over `max_part_bytes`, skipped; `bytes` is how much of it was dropped.
    Oversized {
        bytes: usize,
    },
}

/// Running counts, for the connector's metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MultipartStats {
    pub parts: u64,
    pub oversized: u64,
    /// Parts whose `Content-Length` did not match the delimiter position.
    pub bad_content_length: u64,
    /// Bytes outside any part: preamble, junk, blank lines, broken header blocks.
    pub skipped_bytes: u64,
}

/// Limits for [`MultipartParser`].
#[derive(Debug, Clone, Copy)]
pub struct MultipartConfig {
    /// A larger part is skipped and reported as [`MultipartItem::Oversized`].
    pub max_part_bytes: usize,
    /// A header block that has no blank line within this many bytes is junk.
    pub max_header_bytes: usize,
}

impl Default for MultipartConfig {
    fn default() -> Self {
        MultipartConfig {
            max_part_bytes: 16 << 20,
            max_header_bytes: 16 << 10,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Looking for a delimiter; everything before it is skipped.
    Seek,
    /// Just after a delimiter line: reading the header block.
    Headers,
    /// In a body, `len` known from `Content-Length` (still to be verified).
    Sized { len: usize },
    /// In a body that ends at the next delimiter; `from` is where the search resumes.
    Scan { from: usize },
    /// Dropping an oversized body until the next delimiter; `dropped` so far.
    Skip { dropped: usize },
}

/// The sans-IO parser. Bytes go in with [`push`](Self::push); items come out of
/// [`next_item`](Self::next_item) (also an `Iterator`). Buffer offsets are relative to the
/// start of the current part's body once the headers are read.
pub struct MultipartParser {
    delimiter: Vec<u8>,
    finder: memmem::Finder<'static>,
    config: MultipartConfig,
    buf: BytesMut,
    state: State,
    headers: Vec<(String, String)>,
    ready: VecDeque<MultipartItem>,
    stats: MultipartStats,
}

/// Bytes that may pad a delimiter line or sit between parts.
fn is_blank(b: u8) -> bool {
    matches!(b, b'\r' | b'\n' | b' ' | b'\t')
}

/// Where a delimiter at `at` really is one, decided by the byte after it: a line end, padding,
/// or `--` (the close delimiter). `None` = not enough bytes yet to tell.
fn delimiter_ends_well(buf: &[u8], after: usize) -> Option<bool> {
    buf.get(after).map(|&b| is_blank(b) || b == b'-')
}

/// Where the delimiter line holding a match at `at` starts: before extra dashes when the
/// boundary parameter itself began with `--` (RFC 2046 then puts four dashes on the line).
fn line_start(buf: &[u8], at: usize) -> usize {
    let dashes = buf[..at].iter().rev().take_while(|&&b| b == b'-').count();
    let start = at - dashes;
    if dashes > 0 && (start == 0 || buf[start - 1] == b'\n') {
        start
    } else {
        at
    }
}

impl MultipartParser {
    /// A parser for parts separated by `--boundary` (pass the boundary without the dashes, as
    /// [`boundary_from_content_type`] returns it).
    pub fn new(boundary: &str, config: MultipartConfig) -> Self {
        let delimiter = [b"--", boundary.as_bytes()].concat();
        MultipartParser {
            finder: memmem::Finder::new(&delimiter).into_owned(),
            delimiter,
            config,
            buf: BytesMut::new(),
            state: State::Seek,
            headers: Vec::new(),
            ready: VecDeque::new(),
            stats: MultipartStats::default(),
        }
    }

    pub fn stats(&self) -> MultipartStats {
        self.stats
    }

    /// Adds the next chunk of the HTTP body and parses what it completes.
    pub fn push(&mut self, chunk: &[u8]) {
        self.buf.extend_from_slice(chunk);
        while self.step() {}
    }

    /// The next complete item, if any.
    pub fn next_item(&mut self) -> Option<MultipartItem> {
        self.ready.pop_front()
    }

    /// The stream ended: a last body whose `Content-Length` is all there is counts (no
    /// delimiter can follow it now) unless a delimiter inside it shows the length is wrong;
    /// anything else left over is skipped. Take the last items out with `next_item` after.
    pub fn finish(&mut self) {
        while let State::Sized { len } = self.state {
            match self.find_delimiter(0) {
                Ok(at) if at < len => {
                    self.stats.bad_content_length += 1;
                    self.state = State::Scan { from: 0 };
                }
                _ if self.buf.len() >= len => {
                    let body = self.buf.split_to(len).freeze();
                    self.emit(body);
                    self.state = State::Seek;
                }
                _ => break,
            }
            while self.step() {}
        }
        self.stats.skipped_bytes += self.buf.len() as u64;
        self.buf.clear();
        self.headers.clear();
        self.state = State::Seek;
    }

    /// One state transition; false when more input is needed.
    fn step(&mut self) -> bool {
        match self.state {
            State::Seek => self.seek(),
            State::Headers => self.read_headers(),
            State::Sized { len } => self.sized_body(len),
            State::Scan { from } => self.scan_body(from),
            State::Skip { dropped } => self.skip_body(dropped),
        }
    }

    /// The first real delimiter at or after `from`: `Ok(pos)`, or `Err(resume)` with where to
    /// search next time (keeping a possible partial delimiter at the end).
    fn find_delimiter(&self, mut from: usize) -> Result<usize, usize> {
        loop {
            let hay = self.buf.get(from..).unwrap_or_default();
            let Some(rel) = self.finder.find(hay) else {
                let keep = self.delimiter.len();
                return Err(self.buf.len().saturating_sub(keep).max(from));
            };
            let at = from + rel;
            match delimiter_ends_well(&self.buf, at + self.delimiter.len()) {
                Some(true) => return Ok(at),
                Some(false) => from = at + 1,
                None => return Err(at),
            }
        }
    }

    /// Consumes the delimiter line at the start of the buffer; false if it is not all there.
    /// A close delimiter (`--boundary--`) ends nothing in x-mixed-replace streams that go on,
    /// so it is treated like junk: the parser seeks the next delimiter.
    fn take_delimiter_line(&mut self) -> bool {
        let after = self.delimiter.len();
        let rest = self.buf.get(after..).unwrap_or_default();
        if rest == b"-" {
            return false;
        }
        if rest.starts_with(b"--") {
            self.stats.skipped_bytes += (after + 2) as u64;
            let _ = self.buf.split_to(after + 2);
            self.state = State::Seek;
            return true;
        }
        // Padding up to the line end.
        let Some(nl) = memchr::memchr(b'\n', rest) else {
            if rest.len() > self.config.max_header_bytes {
                self.stats.skipped_bytes += after as u64;
                let _ = self.buf.split_to(after);
                self.state = State::Seek;
                return true;
            }
            return false;
        };
        let _ = self.buf.split_to(after + nl + 1);
        self.headers.clear();
        self.state = State::Headers;
        true
    }

    fn seek(&mut self) -> bool {
        match self.find_delimiter(0) {
            Ok(at) => {
                self.stats.skipped_bytes += at as u64;
                let _ = self.buf.split_to(at);
                self.take_delimiter_line()
            }
            Err(keep_from) => {
                self.stats.skipped_bytes += keep_from as u64;
                let _ = self.buf.split_to(keep_from);
                false
            }
        }
    }

    fn read_headers(&mut self) -> bool {
        let mut pos = 0;
        loop {
            let rest = self.buf.get(pos..).unwrap_or_default();
            let Some(nl) = memchr::memchr(b'\n', rest) else {
                if self.buf.len() > self.config.max_header_bytes {
                    // No blank line: not a header block. Resync on the next delimiter.
                    self.headers.clear();
                    self.state = State::Seek;
                    return true;
                }
                return false;
            };
            let line = &rest[..nl];
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            pos += nl + 1;
            if line.is_empty() {
                break;
            }
            if line.starts_with(&self.delimiter) {
                // A delimiter where headers were expected: an empty part; start over there.
                let start = pos - nl - 1;
                self.stats.skipped_bytes += start as u64;
                let _ = self.buf.split_to(start);
                self.headers.clear();
                self.state = State::Seek;
                return true;
            }
            let text = String::from_utf8_lossy(line);
            if let Some((k, v)) = text.split_once(':') {
                self.headers
                    .push((k.trim().to_string(), v.trim().to_string()));
            }
        }
        let _ = self.buf.split_to(pos);
        let len = self
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.parse::<usize>().ok());
        self.state = match len {
            Some(len) if len <= self.config.max_part_bytes => State::Sized { len },
            Some(_) => State::Skip { dropped: 0 },
            None => State::Scan { from: 0 },
        };
        true
    }

    /// A body of claimed length `len`: accepted when a delimiter follows it (after blank
    /// space), or when it is a whole JPEG whose follower has not arrived yet (so a camera that
    /// sends the next boundary only with the next frame costs no frame of latency).
    fn sized_body(&mut self, len: usize) -> bool {
        let Some(after) = self.buf.get(len..) else {
            return false;
        };
        let blank = after.iter().take_while(|&&b| is_blank(b)).count();
        let tail = &after[blank..];
        // Dashes the boundary parameter also carried (`boundary=--cam` sent as `----cam`).
        let dashes = tail.iter().take_while(|&&b| b == b'-').count();
        let tail = &tail[dashes.saturating_sub(2)..];
        let d = &self.delimiter;
        let verdict = if tail.len() > d.len() {
            Some(tail.starts_with(d) && delimiter_ends_well(tail, d.len()) == Some(true))
        } else if d.starts_with(tail) {
            let body = &self.buf[..len];
            body.ends_with(&[0xFF, 0xD9]).then_some(true)
        } else {
            Some(false)
        };
        match verdict {
            None => false,
            Some(true) => {
                let body = self.buf.split_to(len).freeze();
                self.emit(body);
                self.state = State::Seek;
                true
            }
            Some(false) => {
                self.stats.bad_content_length += 1;
                self.state = State::Scan { from: 0 };
                true
            }
        }
    }

    fn scan_body(&mut self, from: usize) -> bool {
        match self.find_delimiter(from) {
            Ok(at) => {
                let mut end = line_start(&self.buf, at);
                // The line break before a delimiter belongs to the delimiter (RFC 2046).
                if self.buf[..end].ends_with(b"\n") {
                    end -= 1;
                    if self.buf[..end].ends_with(b"\r") {
                        end -= 1;
                    }
                }
                if end > self.config.max_part_bytes {
                    self.report_oversized(at);
                    return true;
                }
                let body = self.buf.split_to(end).freeze();
                self.stats.skipped_bytes += (at - end) as u64;
                let _ = self.buf.split_to(at - end);
                self.emit(body);
                self.state = State::Seek;
                true
            }
            Err(resume) => {
                if resume > self.config.max_part_bytes {
                    let _ = self.buf.split_to(resume);
                    self.state = State::Skip { dropped: resume };
                    return true;
                }
                self.state = State::Scan { from: resume };
                false
            }
        }
    }

    fn skip_body(&mut self, dropped: usize) -> bool {
        match self.find_delimiter(0) {
            Ok(at) => {
                self.report_oversized(dropped + at);
                let _ = self.buf.split_to(at);
                true
            }
            Err(keep_from) => {
                let _ = self.buf.split_to(keep_from);
                self.state = State::Skip {
                    dropped: dropped + keep_from,
                };
                false
            }
        }
    }

    /// Drops an oversized body; `total` counts what was dropped including the buffer up to a
    /// found delimiter, which the caller has (or has not yet) consumed.
    fn report_oversized(&mut self, total: usize) {
        if let State::Scan { .. } = self.state {
            let _ = self.buf.split_to(total);
        }
        self.stats.oversized += 1;
        self.ready
            .push_back(MultipartItem::Oversized { bytes: total });
        self.headers.clear();
        self.state = State::Seek;
    }

    fn emit(&mut self, body: Bytes) {
        self.stats.parts += 1;
        let headers = std::mem::take(&mut self.headers);
        self.ready
            .push_back(MultipartItem::Part(Part { headers, body }));
    }
}

impl Iterator for MultipartParser {
    type Item = MultipartItem;

    fn next(&mut self) -> Option<MultipartItem> {
        self.next_item()
    }
}

#[cfg(test)]
#[path = "multipart_tests.rs"]
mod tests;

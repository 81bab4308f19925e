//! Printing to stdout that survives a closed pipe: `eventflux replay app.sql in.jsonl | head -1`
//! must stop quietly when `head` exits, not panic as `print!` does.

use std::io::{ErrorKind, Write};

/// Writes `text` to stdout. A closed pipe ends the output without an error (the reader has what
/// it wanted); any other write error is returned.
pub fn print(text: &str) -> Result<(), String> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(format!("error: cannot write to stdout: {e}")),
    }
}

/// `print` with a line end.
pub fn println(text: &str) -> Result<(), String> {
    print(&format!("{text}\n"))
}

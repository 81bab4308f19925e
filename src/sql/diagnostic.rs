//! Compile errors in the `FILE:LINE:COL: error: MESSAGE` form, with the source line and a caret.

use std::fmt;

/// A 1-based line and column in the app's text (0:0 = no position).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

impl Pos {
    pub fn new(line: u32, col: u32) -> Pos {
        Pos { line, col }
    }

    pub fn is_known(&self) -> bool {
        self.line > 0
    }
}

impl From<sqlparser::tokenizer::Location> for Pos {
    fn from(l: sqlparser::tokenizer::Location) -> Pos {
        Pos::new(l.line as u32, l.column as u32)
    }
}

/// One compile error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub pos: Pos,
    /// Characters to underline (at least 1).
    pub len: u32,
    pub message: String,
    /// An extra line of advice (`help: ...`), when there is more to say than the message.
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(pos: Pos, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            pos,
            len: 1,
            message: message.into(),
            help: None,
        }
    }

    pub fn with_len(mut self, len: usize) -> Diagnostic {
        self.len = len.max(1) as u32;
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Renders `file:line:col: error: message`, the source line and a caret under the spot.
    pub fn render(&self, file: &str, source: &str) -> String {
        let mut out = if self.pos.is_known() {
            format!(
                "{file}:{}:{}: error: {}",
                self.pos.line, self.pos.col, self.message
            )
        } else {
            format!("{file}: error: {}", self.message)
        };
        if self.pos.is_known() {
            if let Some(line) = source.lines().nth(self.pos.line as usize - 1) {
                let gutter = format!("{} | ", self.pos.line);
                let (text, col) = window(line, self.pos.col.saturating_sub(1) as usize);
                let pad: String = text
                    .chars()
                    .take(col)
                    .map(|c| if c == '\t' { '\t' } else { ' ' })
                    .collect();
                out.push('\n');
                out.push_str(&gutter);
                out.push_str(&text);
                out.push('\n');
                out.push_str(&" ".repeat(gutter.len()));
                out.push_str(&pad);
                out.push_str(&"^".repeat(self.len as usize));
            }
        }
        if let Some(help) = &self.help {
            out.push_str("\n  help: ");
            out.push_str(help);
        }
        out
    }
}

/// Characters of context shown on each side of the spot in a long line.
const CONTEXT: usize = 60;

/// The part of `line` shown around character `col` (0-based), with `...` where it is cut, and
/// the spot's column in what is shown. A generated 20 KB line is not echoed whole.
fn window(line: &str, col: usize) -> (String, usize) {
    let len = line.chars().count();
    if len <= 2 * CONTEXT + 20 {
        return (line.to_string(), col);
    }
    let from = col.saturating_sub(CONTEXT);
    let to = (col + CONTEXT).min(len);
    let mut shown = String::new();
    if from > 0 {
        shown.push_str("...");
    }
    shown.extend(line.chars().skip(from).take(to - from));
    if to < len {
        shown.push_str("...");
    }
    (shown, col - from + if from > 0 { 3 } else { 0 })
}

/// All errors of one compile, in source order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileErrors {
    pub file: String,
    pub source: String,
    pub errors: Vec<Diagnostic>,
}

impl fmt::Display for CompileErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.errors.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            // A message may quote a parameter's value: secrets never leave in one.
            f.write_str(&crate::redact::scrub(&d.render(&self.file, &self.source)))?;
        }
        if self.errors.len() > 1 {
            write!(f, "\n{} errors", self.errors.len())?;
        }
        Ok(())
    }
}

impl std::error::Error for CompileErrors {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_file_line_col_and_caret() {
        let src = "CREATE STREAM Trades (a INT);\nINSERT INTO Out SELECT a FROM Trade;";
        let d = Diagnostic::new(
            Pos::new(2, 31),
            "unknown stream 'Trade' (did you mean 'Trades'?)",
        )
        .with_len(5);
        let text = d.render("app.sql", src);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "app.sql:2:31: error: unknown stream 'Trade' (did you mean 'Trades'?)"
        );
        assert_eq!(lines[1], "2 | INSERT INTO Out SELECT a FROM Trade;");
        assert_eq!(lines[2], format!("{}^^^^^", " ".repeat(4 + 30)));
    }

    #[test]
    fn a_long_line_is_shown_around_the_spot() {
        let line = format!("SELECT {}bad{}", "x + ".repeat(500), " + y".repeat(500));
        let col = 8 + 4 * 500;
        let d = Diagnostic::new(Pos::new(1, col as u32), "here").with_len(3);
        let text = d.render("app.sql", &line);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[1].len() < 140, "{}", lines[1]);
        assert!(lines[1].starts_with("1 | ...") && lines[1].ends_with("..."));
        let caret = lines[2].find('^').unwrap();
        assert_eq!(&lines[1][caret..caret + 3], "bad");
    }
}

//! Windows: which events a query currently holds. A window turns arriving events into a chunk
//! of emissions in Siddhi's order: the expired events an arrival pushed out come before it;
//! batch windows emit the previous batch as expired, then a reset, then the new batch.

mod batch;
mod cron;
mod expression;
mod frequent;
mod keyed;
mod length;
mod time;

use crate::event::Event;
use crate::schema::Schema;
use crate::value::AttrType;
use std::sync::Arc;

/// One element of a window's output chunk.
#[derive(Debug, Clone, PartialEq)]
pub enum Emit {
    Event(Event),
    /// Batch windows: aggregates start over here.
    Reset,
}

pub trait Window: Send {
    /// Arriving (current, already filtered) events at app time `now`.
    fn arrive(&mut self, events: &[Event], now: i64, out: &mut Vec<Emit>);

    /// A timer this window asked for (through `next_timer`) is due at `now`.
    fn on_timer(&mut self, _now: i64, _out: &mut Vec<Emit>) {}

    /// When the window next needs `on_timer`, if ever. Asked after every call.
    fn next_timer(&self) -> Option<i64> {
        None
    }

    /// Batch windows: aggregations emit one row per group per batch.
    fn is_batch(&self) -> bool {
        false
    }

    /// Told once, before the first event, when the query never uses expired events; batch
    /// windows then need not keep the previous batch (memory bounded by one batch).
    fn skip_expired(&mut self) {}
}

/// A bound window argument.
#[derive(Debug, Clone, PartialEq)]
pub enum WinArg {
    Int(i64),
    Double(f64),
    Duration(i64),
    Str(String),
    Bool(bool),
    Attr {
        index: usize,
        ty: AttrType,
        name: String,
    },
}

impl WinArg {
    pub(crate) fn describe(&self) -> String {
        match self {
            WinArg::Int(i) => format!("integer {i}"),
            WinArg::Double(d) => format!("number {d}"),
            WinArg::Duration(ms) => format!("time {ms} ms"),
            WinArg::Str(s) => format!("string '{s}'"),
            WinArg::Bool(b) => format!("boolean {b}"),
            WinArg::Attr { name, .. } => format!("attribute '{name}'"),
        }
    }
}

/// Creates fresh instances (one per query, later one per partition key).
pub type WindowMaker = Arc<dyn Fn() -> Box<dyn Window> + Send + Sync>;

/// A window kind: its names, documented signatures, and argument binding.
pub struct WindowDef {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub signatures: &'static [&'static str],
    pub description: &'static str,
    pub example: &'static str,
    pub build: fn(&[WinArg], &Schema) -> Result<WindowMaker, String>,
}

/// Every window, in documentation order.
pub fn windows() -> &'static [WindowDef] {
    WINDOWS
}

/// Looks a window up by name or alias (case-insensitive).
pub fn window(name: &str) -> Option<&'static WindowDef> {
    WINDOWS.iter().find(|w| {
        w.name.eq_ignore_ascii_case(name) || w.aliases.iter().any(|a| a.eq_ignore_ascii_case(name))
    })
}

/// Names of windows that exist in the language but are not built yet.
pub const NOT_YET: &[&str] = &[];

static WINDOWS: &[WindowDef] = &[
    length::LENGTH,
    length::LENGTH_BATCH,
    time::TIME,
    time::TIME_BATCH,
    time::TIME_LENGTH,
    time::EXTERNAL_TIME,
    time::EXTERNAL_TIME_BATCH,
    time::SLIDING,
    time::DELAY,
    batch::BATCH,
    keyed::SORT,
    keyed::UNIQUE,
    keyed::FIRST_UNIQUE,
    keyed::UNIQUE_LENGTH,
    keyed::SESSION,
    frequent::FREQUENT,
    frequent::LOSSY_FREQUENT,
    expression::EXPRESSION,
    cron::CRON,
];

// Argument helpers shared by the window kinds: each error names what was expected.

fn expect_count(args: &[WinArg], allowed: &[usize], sig: &str) -> Result<(), String> {
    if allowed.contains(&args.len()) {
        Ok(())
    } else {
        Err(format!("expects {sig}, got {} argument(s)", args.len()))
    }
}

fn positive_int(arg: &WinArg, what: &str) -> Result<usize, String> {
    match arg {
        WinArg::Int(n) if *n > 0 => Ok(*n as usize),
        other => Err(format!(
            "{what} must be a positive integer, got {}",
            other.describe()
        )),
    }
}

fn duration(arg: &WinArg, what: &str) -> Result<i64, String> {
    match arg {
        WinArg::Duration(ms) if *ms > 0 => Ok(*ms),
        WinArg::Int(ms) if *ms > 0 => Ok(*ms),
        other => Err(format!(
            "{what} must be a positive time such as 5 SECONDS, got {}",
            other.describe()
        )),
    }
}

fn attribute(arg: &WinArg, what: &str) -> Result<(usize, AttrType), String> {
    match arg {
        WinArg::Attr { index, ty, .. } => Ok((*index, *ty)),
        other => Err(format!(
            "{what} must be an attribute, got {}",
            other.describe()
        )),
    }
}

fn time_attribute(arg: &WinArg, what: &str) -> Result<usize, String> {
    let (i, ty) = attribute(arg, what)?;
    if matches!(ty, AttrType::Long | AttrType::Int) {
        Ok(i)
    } else {
        Err(format!(
            "{what} must be a BIGINT attribute holding milliseconds, got {ty}"
        ))
    }
}

/// The window and aggregate reference in Markdown, generated from the registries so the docs
/// cannot drift from the code: (file stem, page), an `index` page first, then one page per
/// window.
pub fn reference_pages() -> Vec<(String, String)> {
    use std::fmt::Write;
    let mut index = String::from("# Windows and aggregates\n\n");
    index.push_str(
        "A window decides which events a query holds: `FROM S WINDOW('name', args...)`, or the \
         aliases `WINDOW TUMBLING(t)`, `WINDOW SLIDING(size, slide)` / `HOP(size, slide)`, \
         `WINDOW SESSION(gap[, key])`. Time arguments are literals such as `500 MILLISECONDS`, \
         `5 SECONDS`, `1 MINUTE`, `2 HOURS`, `1 DAY`. `WHERE` filters events before they enter \
         the window.\n\n\
         Windows emit *current* events as they arrive and *expired* events as they leave; in one \
         chunk an expired event comes before the arrival that pushed it out. `INSERT INTO` \
         forwards current events, `INSERT EXPIRED EVENTS INTO` expired ones, `INSERT ALL EVENTS \
         INTO` both. Batch windows emit the previous batch as expired, then the new batch; an \
         aggregation over a batch window emits one row per group per batch (groups in first-seen \
         order), and over a sliding window one row per arriving or expiring event. Time windows \
         read only the app clock, so replays (`eventflux replay`/`test`, `@app:playback`) are \
         repeatable. Events still held when the app stops are not emitted.\n\n\
         | window | signatures |\n|---|---|\n",
    );
    let mut pages = Vec::new();
    for w in windows() {
        let sigs = w
            .signatures
            .iter()
            .map(|s| format!("`{}`", s.replace('|', "\\|")))
            .collect::<Vec<_>>()
            .join("<br>");
        let _ = writeln!(index, "| [{}]({}.md) | {sigs} |", w.name, w.name);
        let mut page = format!("# {}\n\n{}\n\n", w.name, w.description);
        let _ = writeln!(page, "Signatures:\n");
        for sig in w.signatures {
            let _ = writeln!(page, "- `{sig}`");
        }
        if !w.aliases.is_empty() {
            let _ = writeln!(
                page,
                "\nAlso written: {}.",
                w.aliases
                    .iter()
                    .map(|s| format!("`{s}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        let _ = writeln!(page, "\nExample:\n\n```sql\n{}\n```\n\nSee [windows and aggregates](index.md) for how windows emit.", w.example);
        pages.push((w.name.to_string(), page));
    }
    if !NOT_YET.is_empty() {
        let _ = writeln!(
            index,
            "\nNot supported yet: {} (a compile error says so).",
            NOT_YET
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    index.push_str("\n## Aggregate functions\n\nAggregates update incrementally on every arrival and expiry. NULLs are skipped by every aggregate except `count()`; `sum`, `avg`, `min` and `max` of an empty window are NULL. `COUNT(DISTINCT x)` is `distinctCount(x)`.\n\n| function | result | meaning |\n|---|---|---|\n");
    for a in crate::functions::aggregate::AGGREGATES {
        let (call, result) = a.signature.split_once(" -> ").unwrap_or((a.signature, ""));
        let _ = writeln!(index, "| `{call}` | {result} | {} |", a.description);
    }
    pages.insert(0, ("index".to_string(), index));
    pages
}

/// The whole reference on one page: the overview and aggregate table, then a section per window.
pub fn reference_markdown() -> String {
    let pages = reference_pages();
    let mut out = String::new();
    for (i, (_, page)) in pages.iter().enumerate() {
        if i == 0 {
            out.push_str(page);
            continue;
        }
        out.push('\n');
        for line in page.lines() {
            if line.starts_with("See [windows and aggregates]") {
                continue;
            }
            // Each window's page becomes a section; its links point within this page.
            let line = line.replace("](index.md)", "](#windows-and-aggregates)");
            if let Some(title) = line.strip_prefix("# ") {
                out.push_str(&format!("## {title}\n"));
            } else {
                out.push_str(&line);
                out.push('\n');
            }
        }
    }
    for w in windows() {
        out = out.replace(
            &format!("]({}.md)", w.name),
            &format!("](#{})", w.name.to_ascii_lowercase()),
        );
    }
    out
}

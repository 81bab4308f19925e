//! The language's small closed vocabularies: written by the parser, read by the plan and the
//! runtime (which events an INSERT forwards, join kinds, pattern logic, output rates). They sit
//! below `sql` like `AttrType`, so the runtime never needs the syntax tree to name them.

/// Which events an `INSERT` forwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputEvents {
    #[default]
    Current,
    Expired,
    All,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinKind {
    Inner,
    Left,
    Right,
    Full,
}

/// How the two elements of a logical step combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Logic {
    /// Both, in either order.
    And,
    /// Either one.
    Or,
}

/// Which rows an `OUTPUT ... EVERY` clause lets through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputMode {
    All,
    First,
    Last,
    Snapshot,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputEvery {
    Events(u64),
    Millis(i64),
}

/// `OUTPUT [ALL|FIRST|LAST|SNAPSHOT] EVERY (n EVENTS | t)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutputRate {
    pub mode: OutputMode,
    pub every: OutputEvery,
}

/// Milliseconds per time unit, by every spelling the language accepts.
pub const TIME_UNITS: &[(&str, i64)] = &[
    ("MILLISECOND", 1),
    ("MILLISECONDS", 1),
    ("MILLIS", 1),
    ("MS", 1),
    ("SEC", 1_000),
    ("SECS", 1_000),
    ("SECOND", 1_000),
    ("SECONDS", 1_000),
    ("MIN", 60_000),
    ("MINS", 60_000),
    ("MINUTE", 60_000),
    ("MINUTES", 60_000),
    ("HOUR", 3_600_000),
    ("HOURS", 3_600_000),
    ("DAY", 86_400_000),
    ("DAYS", 86_400_000),
    ("WEEK", 604_800_000),
    ("WEEKS", 604_800_000),
];

/// The longest time a query may name: 2^53 ms (about 285,000 years). Longer times would
/// overflow when added to a timestamp (windows would expire at once, timers run backwards).
pub const MAX_TIME_MS: i64 = 1 << 53;

/// What a compile error says about a time past [`MAX_TIME_MS`].
pub const TIME_TOO_LONG: &str =
    "a time of at most 285,000 years (2^53 milliseconds); longer ones overflow the clock";

/// `x` units of `unit_ms` milliseconds, rounded; `None` when not finite or past
/// [`MAX_TIME_MS`] either way.
pub fn scaled_ms(x: f64, unit_ms: i64) -> Option<i64> {
    let v = (x * unit_ms as f64).round();
    (v.is_finite() && v.abs() <= MAX_TIME_MS as f64).then_some(v as i64)
}

/// `'10 sec'`, `'1 hour'`, `'500 ms'` (an annotation's or parameter's text) as milliseconds;
/// `None` unless positive and well formed.
pub fn duration_text_ms(text: &str) -> Option<i64> {
    let mut parts = text.split_whitespace();
    let n: f64 = parts.next()?.parse().ok()?;
    let unit = parts.next()?.to_ascii_uppercase();
    let ms = TIME_UNITS.iter().find(|(u, _)| *u == unit)?.1;
    let v = scaled_ms(n, ms)?;
    (v > 0 && parts.next().is_none()).then_some(v)
}

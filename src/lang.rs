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

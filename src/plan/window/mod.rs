//! Windows as the plan holds them: a validated [`WindowSpec`] per query side. The binder turns
//! `WINDOW('name', args...)` into a spec through the [`catalog`] (names, signatures, argument
//! checks, docs); the runtime's physical planner builds each spec into an operator with one
//! exhaustive match, so the plan carries data, never closures.

mod catalog;
mod docs;
mod expression;

pub use docs::{reference_markdown, reference_pages};

use crate::functions::FunctionRegistry;
use crate::plan::expr::{AggregateCall, Expr};
use crate::schema::Schema;
use crate::value::AttrType;
use std::sync::Arc;

/// A window with its arguments checked. Times are milliseconds; attributes are indices into
/// the side's schema.
#[derive(Debug, Clone)]
pub enum WindowSpec {
    Length {
        n: usize,
    },
    LengthBatch {
        n: usize,
        stream_current: bool,
    },
    Time {
        t: i64,
    },
    TimeLength {
        t: i64,
        n: usize,
    },
    /// `timeBatch` / `tumbling`: batches on the grid `start + k*t` (the first event's time when
    /// `start` is None).
    TimeBatch {
        t: i64,
        start: Option<i64>,
    },
    Sliding {
        size: i64,
        slide: i64,
    },
    Delay {
        t: i64,
    },
    ExternalTime {
        ts: usize,
        t: i64,
    },
    ExternalTimeBatch {
        ts: usize,
        t: i64,
        start: Option<i64>,
        timeout: Option<i64>,
    },
    Batch,
    /// (attribute, ascending) in priority order.
    Sort {
        n: usize,
        keys: Vec<(usize, bool)>,
    },
    Unique {
        key: usize,
    },
    FirstUnique {
        key: usize,
    },
    UniqueLength {
        key: usize,
        n: usize,
    },
    Session {
        gap: i64,
        key: Option<usize>,
        allowed_latency: i64,
    },
    Frequent {
        n: usize,
        keys: Vec<usize>,
    },
    LossyFrequent {
        support: f64,
        error: f64,
        keys: Vec<usize>,
    },
    /// `expression('count() <= 20')`: the condition bound at compile time, with the aggregates
    /// it reads (`Expr::Aggregate(k)` is `aggregates[k]`).
    Expression {
        condition: Expr,
        aggregates: Vec<AggregateCall>,
    },
    Cron {
        schedule: Arc<cron::Schedule>,
    },
}

impl WindowSpec {
    /// The window's name as the docs spell it (aliases resolved).
    pub fn name(&self) -> &'static str {
        match self {
            WindowSpec::Length { .. } => "length",
            WindowSpec::LengthBatch { .. } => "lengthBatch",
            WindowSpec::Time { .. } => "time",
            WindowSpec::TimeLength { .. } => "timeLength",
            WindowSpec::TimeBatch { .. } => "timeBatch",
            WindowSpec::Sliding { .. } => "sliding",
            WindowSpec::Delay { .. } => "delay",
            WindowSpec::ExternalTime { .. } => "externalTime",
            WindowSpec::ExternalTimeBatch { .. } => "externalTimeBatch",
            WindowSpec::Batch => "batch",
            WindowSpec::Sort { .. } => "sort",
            WindowSpec::Unique { .. } => "unique",
            WindowSpec::FirstUnique { .. } => "firstUnique",
            WindowSpec::UniqueLength { .. } => "uniqueLength",
            WindowSpec::Session { .. } => "session",
            WindowSpec::Frequent { .. } => "frequent",
            WindowSpec::LossyFrequent { .. } => "lossyFrequent",
            WindowSpec::Expression { .. } => "expression",
            WindowSpec::Cron { .. } => "cron",
        }
    }
}

impl WindowSpec {
    /// `[start, end)` of the window whose output is computed at `now`, for `window_start()` /
    /// `window_end()`: a batch ends at its timer, a sliding window at now. `None` for windows
    /// not bounded by time.
    pub fn bounds(&self, now: i64) -> Option<(i64, i64)> {
        match self {
            WindowSpec::Time { t } | WindowSpec::TimeLength { t, .. } => Some((now - t, now)),
            WindowSpec::TimeBatch { t, .. } => Some((now - t, now)),
            WindowSpec::Sliding { size, .. } => Some((now - size, now)),
            _ => None,
        }
    }
}

/// Windows whose output `window_start()` / `window_end()` can place in time.
pub const BOUNDED_WINDOWS: &str = "time, timeLength, timeBatch, tumbling, sliding/hop";

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

/// Why a window's arguments do not fit; the text completes "window 'name' ...".
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WindowArgError {
    #[error("expects {signature}, got {got} argument(s)")]
    Count { signature: &'static str, got: usize },
    #[error("{what} must be a positive integer, got {got}")]
    NotPositiveInt { what: &'static str, got: String },
    #[error("{what} must be a positive time such as 5 SECONDS, got {got}")]
    NotPositiveTime { what: &'static str, got: String },
    #[error("{what} must be at most 2^53 milliseconds (about 285,000 years); longer times overflow the clock")]
    TimeTooLong { what: &'static str },
    #[error("start.time must be milliseconds, got {0}")]
    StartTime(String),
    #[error("{what} must be an attribute, got {got}")]
    NotAttribute { what: &'static str, got: String },
    #[error("{what} must be a BIGINT attribute holding milliseconds, got {ty}")]
    NotTimeAttribute { what: &'static str, ty: AttrType },
    /// A rule of one window kind (sort orders, frequency bounds, cron syntax, conditions).
    #[error("{0}")]
    Invalid(String),
}

impl From<String> for WindowArgError {
    fn from(message: String) -> Self {
        WindowArgError::Invalid(message)
    }
}

impl From<&str> for WindowArgError {
    fn from(message: &str) -> Self {
        WindowArgError::Invalid(message.to_string())
    }
}

/// What binding a window's arguments may read besides the arguments.
pub struct BindContext<'a> {
    /// The schema of the side the window is on.
    pub schema: &'a Schema,
    /// The app's functions, UDFs included (read by `expression` conditions).
    pub functions: &'a FunctionRegistry,
}

/// A window kind: its names, documented signatures, and argument binding. The error of `bind`
/// completes "window 'name' ...".
pub struct WindowDef {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub signatures: &'static [&'static str],
    pub description: &'static str,
    pub example: &'static str,
    pub bind: fn(&[WinArg], &BindContext) -> Result<WindowSpec, WindowArgError>,
}

/// Every window, in documentation order.
pub fn windows() -> &'static [WindowDef] {
    catalog::WINDOWS
}

/// Looks a window up by name or alias (case-insensitive).
pub fn window(name: &str) -> Option<&'static WindowDef> {
    catalog::WINDOWS.iter().find(|w| {
        w.name.eq_ignore_ascii_case(name) || w.aliases.iter().any(|a| a.eq_ignore_ascii_case(name))
    })
}

/// Names of windows that exist in the language but are not built yet.
pub const NOT_YET: &[&str] = &["expressionBatch"];

// Argument helpers shared by the window kinds: each error names what was expected.

fn expect_count(
    args: &[WinArg],
    allowed: &[usize],
    signature: &'static str,
) -> Result<(), WindowArgError> {
    if allowed.contains(&args.len()) {
        Ok(())
    } else {
        Err(WindowArgError::Count {
            signature,
            got: args.len(),
        })
    }
}

fn positive_int(arg: &WinArg, what: &'static str) -> Result<usize, WindowArgError> {
    match arg {
        WinArg::Int(n) if *n > 0 => Ok(*n as usize),
        other => Err(WindowArgError::NotPositiveInt {
            what,
            got: other.describe(),
        }),
    }
}

fn duration(arg: &WinArg, what: &'static str) -> Result<i64, WindowArgError> {
    match arg {
        WinArg::Duration(ms) | WinArg::Int(ms) if *ms > crate::lang::MAX_TIME_MS => {
            Err(WindowArgError::TimeTooLong { what })
        }
        WinArg::Duration(ms) if *ms > 0 => Ok(*ms),
        WinArg::Int(ms) if *ms > 0 => Ok(*ms),
        other => Err(WindowArgError::NotPositiveTime {
            what,
            got: other.describe(),
        }),
    }
}

/// An optional `start.time` argument: milliseconds on the app clock.
fn start_time(arg: Option<&WinArg>) -> Result<Option<i64>, WindowArgError> {
    match arg {
        None => Ok(None),
        Some(WinArg::Int(s)) | Some(WinArg::Duration(s)) => Ok(Some(*s)),
        Some(other) => Err(WindowArgError::StartTime(other.describe())),
    }
}

fn attribute(arg: &WinArg, what: &'static str) -> Result<(usize, AttrType), WindowArgError> {
    match arg {
        WinArg::Attr { index, ty, .. } => Ok((*index, *ty)),
        other => Err(WindowArgError::NotAttribute {
            what,
            got: other.describe(),
        }),
    }
}

fn time_attribute(arg: &WinArg, what: &'static str) -> Result<usize, WindowArgError> {
    let (i, ty) = attribute(arg, what)?;
    if matches!(ty, AttrType::Long | AttrType::Int) {
        Ok(i)
    } else {
        Err(WindowArgError::NotTimeAttribute { what, ty })
    }
}

/// Key attributes of the frequency windows; none named means every attribute.
fn key_attributes(args: &[WinArg], schema: &Schema) -> Result<Vec<usize>, WindowArgError> {
    let keys = args
        .iter()
        .map(|a| attribute(a, "a key").map(|k| k.0))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(if keys.is_empty() {
        (0..schema.len()).collect()
    } else {
        keys
    })
}

//! What an app reports: counters per stream and per connector, summed up at shutdown.

use crate::runtime::failure::ConnectorCounters;
use std::fmt;
use std::sync::atomic::Ordering;

/// Counters of one connector at shutdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectorStats {
    pub label: String,
    /// Events emitted (source) or delivered (sink).
    pub events: u64,
    pub errors: u64,
    pub dropped: u64,
    pub dead_lettered: u64,
    /// Sinks: whether the final flush succeeded.
    pub flushed: bool,
}

/// What an app did, returned by `shutdown`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AppStats {
    /// Events published into each stream.
    pub streams: Vec<(String, u64)>,
    pub sources: Vec<ConnectorStats>,
    pub sinks: Vec<ConnectorStats>,
    /// Set when a connector with `error.strategy='fail'` stopped the app.
    pub failure: Option<String>,
    /// Events windows still held at the stop, left unemitted because the final flush did not
    /// run (a source still had input, or `final_flush` was off).
    pub held_in_windows: u64,
}

/// `1 event`, `2 events`.
pub(crate) fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl AppStats {
    /// Whether anything failed: a fail-strategy error or a sink that could not flush.
    pub fn failed(&self) -> bool {
        self.failure.is_some() || self.sinks.iter().any(|s| !s.flushed)
    }

    /// Events lost for good, over all connectors.
    pub fn dropped(&self) -> u64 {
        self.sources
            .iter()
            .chain(&self.sinks)
            .map(|c| c.dropped)
            .sum()
    }
}

impl fmt::Display for AppStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (name, n) in &self.streams {
            writeln!(f, "stream {name}: {}", count(*n, "event", "events"))?;
        }
        for c in self.sources.iter().chain(&self.sinks) {
            write!(
                f,
                "{}: {}, {}, {} dropped",
                c.label,
                count(c.events, "event", "events"),
                count(c.errors, "error", "errors"),
                c.dropped
            )?;
            if c.dead_lettered > 0 {
                write!(f, ", {} dead-lettered", c.dead_lettered)?;
            }
            if !c.flushed {
                write!(f, ", FLUSH FAILED")?;
            }
            writeln!(f)?;
        }
        if self.held_in_windows > 0 {
            writeln!(
                f,
                "windows: {} still held, not emitted (the input had not ended, or the final flush was off)",
                count(self.held_in_windows, "event", "events")
            )?;
        }
        if let Some(m) = &self.failure {
            writeln!(f, "failed: {m}")?;
        }
        Ok(())
    }
}

/// A connector's counters as they are now.
pub(super) fn snapshot(label: &str, c: &ConnectorCounters, flushed: bool) -> ConnectorStats {
    ConnectorStats {
        label: label.to_string(),
        events: c.events.load(Ordering::Relaxed),
        errors: c.errors.load(Ordering::Relaxed),
        dropped: c.dropped.load(Ordering::Relaxed),
        dead_lettered: c.dead_lettered.load(Ordering::Relaxed),
        flushed,
    }
}

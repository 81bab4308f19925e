//! What a running app shows the control plane: its state, each stream's counters, each
//! query's counts and latency, each connector's state, counters and health. All read from
//! counters the hot path keeps anyway; nothing here is on it.

use super::{App, State};
use crate::connector::status::StatusSnapshot;
use crate::plan::graph::StreamId;
use crate::runtime::failure::ConnectorCounters;
use crate::runtime::metrics::HistogramSnapshot;
use crate::runtime::queue::BoundedQueue;
use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::SystemTime;

pub use crate::connector::registry::Role;

/// A connector the app started.
pub(super) struct LiveConnector {
    pub label: String,
    pub role: Role,
    pub stream: StreamId,
    /// Its place among the stream's sources (or sinks).
    pub index: usize,
    pub counters: Arc<ConnectorCounters>,
    /// Sinks: the buffer between the stream and the drain thread.
    pub buffer: Option<Arc<BoundedQueue>>,
}

/// Where an app is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppState {
    /// Compiled, not started.
    Created,
    Running,
    /// A connector with `error.strategy='fail'` failed.
    Failed,
    Stopped,
}

impl AppState {
    pub fn name(self) -> &'static str {
        match self {
            AppState::Created => "created",
            AppState::Running => "running",
            AppState::Failed => "failed",
            AppState::Stopped => "stopped",
        }
    }
}

/// One stream's counters.
#[derive(Debug, Clone)]
pub struct StreamInfo {
    pub name: String,
    /// `stream`, `table`, `window`, `trigger`, `inner` (a partition's `#` stream).
    pub kind: &'static str,
    /// No query inserts into it: events enter here (sources, the API).
    pub input: bool,
    /// (attribute, type) in declared order.
    pub attributes: Vec<(String, String)>,
    pub events: u64,
    pub batches: u64,
    pub last_event_ts: Option<i64>,
}

/// One query's counters.
#[derive(Debug, Clone)]
pub struct QueryInfo {
    pub name: String,
    pub inputs: Vec<String>,
    pub output: String,
    pub events_in: u64,
    pub events_out: u64,
    /// The query's own processing time per batch.
    pub latency: HistogramSnapshot,
}

/// One connector: its binding, counters and status.
#[derive(Debug, Clone)]
pub struct ConnectorInfo {
    pub label: String,
    pub role: Role,
    pub kind: String,
    pub stream: String,
    /// The parameters, secrets masked.
    pub params: BTreeMap<String, String>,
    pub format: Option<String>,
    pub events: u64,
    pub errors: u64,
    pub dropped: u64,
    pub dead_lettered: u64,
    pub status: StatusSnapshot,
    /// Sinks: (events buffered, buffer size).
    pub buffer: Option<(usize, usize)>,
    /// Sinks: events the sink's buffer accepted from the stream (delivered or waiting since).
    pub received: Option<u64>,
}

impl App {
    pub fn state(&self) -> AppState {
        let base = match &*self.state.lock() {
            State::Compiled => AppState::Created,
            State::Running { .. } => AppState::Running,
            State::Stopped => AppState::Stopped,
        };
        if self.failure.get().is_some() {
            AppState::Failed
        } else {
            base
        }
    }

    /// When `start` ran.
    pub fn started_at(&self) -> Option<SystemTime> {
        *self.started_at.lock()
    }

    pub fn streams(&self) -> Vec<StreamInfo> {
        let inputs = self.plan.input_streams();
        self.plan
            .streams
            .iter()
            .zip(&self.junctions)
            .enumerate()
            .filter(|(_, (s, _))| s.aggregation.is_none())
            .map(|(id, (s, j))| StreamInfo {
                name: s.schema.name().to_string(),
                kind: if s.table.is_some() {
                    "table"
                } else if s.named_window.is_some() {
                    "window"
                } else if s.trigger.is_some() {
                    "trigger"
                } else if s.inner_of.is_some() {
                    "inner"
                } else {
                    "stream"
                },
                input: inputs.contains(&id),
                attributes: s
                    .schema
                    .attrs()
                    .iter()
                    .map(|a| (a.name.clone(), a.ty.to_string()))
                    .collect(),
                events: j.events(),
                batches: j.batches(),
                last_event_ts: j.last_event_ts(),
            })
            .collect()
    }

    pub fn queries(&self) -> Vec<QueryInfo> {
        let name = |id: StreamId| self.plan.streams[id].schema.name().to_string();
        self.plan
            .queries
            .iter()
            .map(|q| {
                let m = self.env.query_metrics(&q.name);
                QueryInfo {
                    name: q.name.clone(),
                    inputs: q.inputs().into_iter().map(name).collect(),
                    output: name(q.output),
                    events_in: m.events_in.load(Ordering::Relaxed),
                    events_out: m.events_out.load(Ordering::Relaxed),
                    latency: m.latency.snapshot(),
                }
            })
            .collect()
    }

    /// Every connector started, in start order (sinks first).
    pub fn connectors(&self) -> Vec<ConnectorInfo> {
        self.live
            .lock()
            .iter()
            .map(|c| {
                let s = &self.plan.streams[c.stream];
                let plan = match c.role {
                    Role::Source => &s.sources[c.index],
                    Role::Sink => &s.sinks[c.index],
                };
                let n = &c.counters;
                ConnectorInfo {
                    label: c.label.clone(),
                    role: c.role,
                    kind: plan.config.kind.clone(),
                    stream: s.schema.name().to_string(),
                    params: plan.config.masked_params(),
                    format: plan.config.map.as_ref().map(|m| m.kind.clone()),
                    events: n.events.load(Ordering::Relaxed),
                    errors: n.errors.load(Ordering::Relaxed),
                    dropped: n.dropped.load(Ordering::Relaxed),
                    dead_lettered: n.dead_lettered.load(Ordering::Relaxed),
                    status: n.status.snapshot(),
                    buffer: c.buffer.as_ref().map(|q| (q.len(), q.capacity())),
                    received: c.buffer.as_ref().map(|q| q.counts().0),
                }
            })
            .collect()
    }

    /// Why the app is not ready: its failure, and each unhealthy connector. Empty: ready.
    pub fn problems(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .failure()
            .map(|f| format!("app '{}' failed: {f}", self.name()))
            .into_iter()
            .collect();
        match self.state() {
            AppState::Created => out.push(format!("app '{}' has not started", self.name())),
            AppState::Stopped => out.push(format!("app '{}' is stopped", self.name())),
            AppState::Running | AppState::Failed => {}
        }
        for c in self.connectors() {
            if let Some(p) = c.status.problem() {
                out.push(format!("app '{}': {}: {p}", self.name(), c.label));
            }
        }
        out
    }
}

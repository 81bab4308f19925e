//! A compiled app: junctions and queries wired at compile time ([`build`]), connectors started
//! by `start` and everything stopped in dataflow order by `shutdown` ([`lifecycle`]), events
//! sent and read through [`handles`], counters in [`stats`].

mod build;
mod handles;
mod lifecycle;
mod observe;
mod stats;

pub use handles::{InputHandle, Subscription};
pub use observe::{AppState, ConnectorInfo, QueryInfo, Role, StreamInfo};
pub use stats::{AppStats, ConnectorStats};

use crate::clock::{Clock, ClockMode};
use crate::connector::registry::ConnectorRegistry;
use crate::event::Event;
use crate::functions::FunctionRegistry;
use crate::plan::graph::{AppPlan, StreamId};
use crate::plan::on_demand::{bind_on_demand, OnDemandSource};
use crate::runtime::env::Env;
use crate::runtime::failure::AppFailure;
use crate::runtime::junction::Junction;
use crate::runtime::partition::PartitionRuntime;
use crate::runtime::pattern::PatternQuery;
use crate::runtime::sink::SinkDriver;
use crate::runtime::source::SourceDriver;
use crate::schema::Schema;
use crate::suggest::did_you_mean;
use parking_lot::Mutex;
use std::sync::Arc;

/// Errors of the embedded API after compilation. Each carries the message users see.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EngineError {
    /// No such stream (with a suggestion).
    #[error("{0}")]
    UnknownStream(String),
    /// An event that does not fit its stream's schema.
    #[error("{0}")]
    BadEvent(String),
    /// A connector could not be created or started.
    #[error("{0}")]
    Connector(String),
    /// The call does not fit the app's state (start twice, send after shutdown, ...).
    #[error("{0}")]
    State(String),
    /// A connector with `error.strategy='fail'` failed.
    #[error("{0}")]
    Failed(String),
    /// An on-demand query that does not compile or cannot run.
    #[error("{0}")]
    Query(String),
}

/// How an app runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunOptions {
    /// Start the app's `@source`/`@sink` bindings (false for replay, test and bench).
    pub connectors: bool,
    /// Deliver `@async` streams synchronously (deterministic replays).
    pub synchronous: bool,
    /// Use the playback clock even without `@app:playback`.
    pub playback: bool,
    /// At shutdown after the input ended (every source finished, or an app fed only through
    /// the API), move time to the end so time and batch windows, `WITHIN` deadlines, rate
    /// limiters and absent patterns settle and emit before the sinks flush (Flink's final
    /// watermark). Off: what windows hold is left unemitted and counted in the summary.
    pub final_flush: bool,
    /// How long [`App::shutdown`] waits for sinks to deliver what they hold. Past it, what is
    /// still buffered goes to each sink's error strategy (counted) and shutdown returns.
    pub shutdown_timeout: std::time::Duration,
}

/// [`RunOptions::shutdown_timeout`] unless set: long enough for a healthy sink to flush, short
/// enough that a hung peer cannot hold a stop for hours.
pub const DEFAULT_SHUTDOWN_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            connectors: true,
            synchronous: false,
            playback: false,
            final_flush: true,
            shutdown_timeout: DEFAULT_SHUTDOWN_TIMEOUT,
        }
    }
}

enum State {
    Compiled,
    Running {
        sources: Vec<SourceDriver>,
        sinks: Vec<SinkDriver>,
    },
    Stopped,
}

/// A compiled app. Create one with [`crate::Engine::compile`].
pub struct App {
    plan: AppPlan,
    connectors: ConnectorRegistry,
    /// Clock, scheduler, tables and aggregation stores, shared with every operator.
    env: Arc<Env>,
    junctions: Vec<Arc<Junction>>,
    failure: Arc<AppFailure>,
    options: RunOptions,
    state: Mutex<State>,
    /// Every connector started, sources and sinks, kept after the stop for the control plane.
    live: Mutex<Vec<observe::LiveConnector>>,
    /// When `start` ran (wall clock), for uptime.
    started_at: Mutex<Option<std::time::SystemTime>>,
    partitions: Vec<Arc<PartitionRuntime>>,
    /// Pattern queries: those that open with an absent element begin with the app's time.
    patterns: Vec<Arc<PatternQuery>>,
    functions: FunctionRegistry,
}

impl App {
    pub fn name(&self) -> &str {
        &self.plan.name
    }

    /// The dataflow plan (streams, connectors, queries).
    pub fn plan(&self) -> &AppPlan {
        &self.plan
    }

    pub fn clock(&self) -> &Arc<Clock> {
        &self.env.clock
    }

    pub fn schema(&self, stream: &str) -> Result<&Schema, EngineError> {
        Ok(self.junctions[self.stream_id(stream)?].schema())
    }

    fn stream_id(&self, name: &str) -> Result<StreamId, EngineError> {
        self.plan.stream_id(name).ok_or_else(|| {
            EngineError::UnknownStream(format!(
                "unknown stream '{name}'{}",
                did_you_mean(name, self.plan.streams.iter().map(|s| s.schema.name()))
            ))
        })
    }

    /// A handle that sends events into `stream`.
    pub fn input(&self, stream: &str) -> Result<InputHandle, EngineError> {
        let id = self.stream_id(stream)?;
        Ok(InputHandle {
            junction: self.junctions[id].clone(),
            clock: self.env.clock.clone(),
            scheduler: self.env.scheduler.clone(),
        })
    }

    /// Receives every event published into `stream`, through an unbounded channel (read it, or
    /// memory grows). For the fastest path use [`App::subscribe_fn`].
    pub fn subscribe(&self, stream: &str) -> Result<Subscription, EngineError> {
        let id = self.stream_id(stream)?;
        let (tx, rx) = crossbeam_channel::unbounded();
        self.junctions[id].subscribe(Arc::new(move |batch: &[Event]| {
            for e in batch {
                let _ = tx.send(e.clone());
            }
        }));
        Ok(Subscription { rx })
    }

    /// Calls `f` with every batch published into `stream`, on the publishing thread.
    pub fn subscribe_fn(
        &self,
        stream: &str,
        f: impl Fn(&[Event]) + Send + Sync + 'static,
    ) -> Result<(), EngineError> {
        let id = self.stream_id(stream)?;
        self.junctions[id].subscribe(Arc::new(f));
        Ok(())
    }

    /// Calls `f` with every batch of `stream` before any query downstream sees it, so output
    /// taps observe events in the order they were emitted.
    pub fn tap(
        &self,
        stream: &str,
        f: impl Fn(&[Event]) + Send + Sync + 'static,
    ) -> Result<(), EngineError> {
        let id = self.stream_id(stream)?;
        self.junctions[id].subscribe_front(Arc::new(f));
        Ok(())
    }

    /// Moves playback time to `ts`, firing due timers (no effect on a wall clock).
    pub fn advance_time(&self, ts: i64) {
        if self.env.clock.mode() == ClockMode::Playback {
            self.env.scheduler.advance_to(ts);
        }
    }

    /// Runs an on-demand query against a table or aggregation of the running app:
    /// `app.query("SELECT symbol, price FROM Prices WHERE price > 10")`.
    pub fn query(&self, sql: &str) -> Result<Vec<Event>, EngineError> {
        let q = bind_on_demand(sql, &self.plan, &self.functions).map_err(|e| match e {
            crate::plan::on_demand::OnDemandError::UnknownStream(m) => {
                EngineError::UnknownStream(m)
            }
            other => EngineError::Query(other.to_string()),
        })?;
        let rows = match q.source {
            OnDemandSource::Table(id) => match &self.env.tables[id] {
                Some(table) => table.snapshot(),
                None => Vec::new(),
            },
            OnDemandSource::Aggregation {
                index,
                from,
                to,
                granularity,
            } => {
                let agg = &self.env.aggregations[index];
                agg.read(from, to, granularity).ok_or_else(|| {
                    EngineError::Query(format!(
                        "'{}' has no level '{}'",
                        agg.plan.name,
                        granularity.name()
                    ))
                })?
            }
        };
        let cx = self.env.eval();
        let mut out: Vec<Event> = rows
            .iter()
            .filter(|r| q.filter.as_ref().is_none_or(|f| f.test(r, &cx)))
            .map(|r| {
                let data: Vec<_> = q.projection.iter().map(|e| e.eval(r, &cx)).collect();
                Event::new(r.ts, data)
            })
            .collect();
        if let Some(n) = q.limit {
            out.truncate(n as usize);
        }
        Ok(out)
    }

    /// Rows each table currently holds, by table name.
    pub fn table_sizes(&self) -> Vec<(String, usize)> {
        self.env
            .tables
            .iter()
            .flatten()
            .map(|t| (t.schema.name().to_string(), t.lock().rows.len()))
            .collect()
    }

    /// Keys with live state in each partition, in declaration order.
    pub fn partition_keys(&self) -> Vec<usize> {
        self.partitions.iter().map(|p| p.instance_count()).collect()
    }

    /// The fail-strategy error that stopped the app, if any.
    pub fn failure(&self) -> Option<String> {
        self.failure.get()
    }

    /// Events waiting in sink buffers now (what an immediate exit would lose).
    pub fn buffered_in_sinks(&self) -> usize {
        self.live
            .lock()
            .iter()
            .filter_map(|c| c.buffer.as_ref())
            .map(|q| q.len())
            .sum()
    }

    /// Whether the app has sources and every one of them has reached the end of its input.
    pub fn sources_finished(&self) -> bool {
        match &*self.state.lock() {
            State::Running { sources, .. } => {
                !sources.is_empty() && sources.iter().all(|s| s.is_done())
            }
            _ => false,
        }
    }
}

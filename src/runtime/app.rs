//! A compiled app: junctions and queries wired at compile time, connectors started by `start`,
//! everything stopped in dataflow order by `shutdown`.

use crate::clock::{Clock, ClockMode};
use crate::connector::registry::{ConnectorRegistry, Role};
use crate::event::Event;
use crate::plan::graph::{AppPlan, ConnectorPlan, StreamId, TriggerPlan};
use crate::runtime::failure::{AppFailure, ConnectorCounters, FailureHandler};
use crate::runtime::junction::Junction;
use crate::runtime::partition::{wire_query, PartitionInput, PartitionRuntime, Tables};
use crate::runtime::scheduler::Scheduler;
use crate::runtime::sink::{buffer_for, SinkDriver, SinkInlet};
use crate::runtime::source::{SourceDriver, SourceInlet};
use crate::runtime::table::{TableMutator, TableStore};
use crate::schema::Schema;
use crate::suggest::did_you_mean;
use crate::value::Value;
use std::fmt;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Errors of the embedded API after compilation.
#[derive(Debug, Clone, PartialEq)]
pub enum EngineError {
    /// No such stream (with a suggestion).
    UnknownStream(String),
    /// An event that does not fit its stream's schema.
    BadEvent(String),
    /// A connector could not be created or started.
    Connector(String),
    /// The call does not fit the app's state (start twice, send after shutdown, ...).
    State(String),
    /// A connector with `error.strategy='fail'` failed.
    Failed(String),
    /// An on-demand query that does not compile.
    Query(String),
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EngineError::UnknownStream(m)
            | EngineError::BadEvent(m)
            | EngineError::Connector(m)
            | EngineError::State(m)
            | EngineError::Failed(m)
            | EngineError::Query(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for EngineError {}

/// How an app runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunOptions {
    /// Start the app's `@source`/`@sink` bindings (false for replay, test and bench).
    pub connectors: bool,
    /// Deliver `@async` streams synchronously (deterministic replays).
    pub synchronous: bool,
    /// Use the playback clock even without `@app:playback`.
    pub playback: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            connectors: true,
            synchronous: false,
            playback: false,
        }
    }
}

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
            writeln!(f, "stream {name}: {n} events")?;
        }
        for c in self.sources.iter().chain(&self.sinks) {
            write!(
                f,
                "{}: {} events, {} errors, {} dropped",
                c.label, c.events, c.errors, c.dropped
            )?;
            if c.dead_lettered > 0 {
                write!(f, ", {} dead-lettered", c.dead_lettered)?;
            }
            if !c.flushed {
                write!(f, ", FLUSH FAILED")?;
            }
            writeln!(f)?;
        }
        if let Some(m) = &self.failure {
            writeln!(f, "failed: {m}")?;
        }
        Ok(())
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
    clock: Arc<Clock>,
    scheduler: Arc<Scheduler>,
    junctions: Vec<Arc<Junction>>,
    failure: Arc<AppFailure>,
    options: RunOptions,
    state: Mutex<State>,
    source_counters: Mutex<Vec<(String, Arc<ConnectorCounters>)>>,
    partitions: Vec<Arc<PartitionRuntime>>,
    tables: Tables,
    aggregations: Vec<Arc<crate::runtime::aggregation::AggregationStore>>,
    /// Pattern queries: those that open with an absent element begin with the app's time.
    patterns: Vec<Arc<crate::runtime::pattern::PatternQuery>>,
    functions: crate::functions::FunctionRegistry,
}

impl App {
    pub(crate) fn new(
        plan: AppPlan,
        connectors: ConnectorRegistry,
        functions: crate::functions::FunctionRegistry,
        options: RunOptions,
    ) -> App {
        let clock = Arc::new(Clock::new(if plan.playback || options.playback {
            ClockMode::Playback
        } else {
            ClockMode::Wall
        }));
        let scheduler = Scheduler::new(clock.clone());
        let junctions: Vec<Arc<Junction>> = plan
            .streams
            .iter()
            .map(|s| {
                Junction::new(
                    s.schema.clone(),
                    if options.synchronous {
                        None
                    } else {
                        s.async_buffer
                    },
                )
            })
            .collect();
        let tables: Tables = Arc::new(
            plan.streams
                .iter()
                .map(|s| {
                    s.table.as_ref().map(|t| {
                        let store =
                            Arc::new(TableStore::new(s.schema.clone(), t.primary_key.clone()));
                        t.slot.fill(store.clone());
                        store
                    })
                })
                .collect(),
        );
        for w in &plan.table_writes {
            if let Some(t) = &tables[w.table] {
                junctions[w.stream].subscribe(Arc::new(TableMutator {
                    table: t.clone(),
                    plan: w.clone(),
                    clock: clock.clone(),
                }));
            }
        }
        let mut patterns = Vec::new();
        for q in plan.queries.iter().filter(|q| q.partition.is_none()) {
            patterns.extend(wire_query(
                q,
                &|id| junctions[id].clone(),
                &tables,
                &clock,
                &scheduler,
            ));
        }
        let mut partitions = Vec::new();
        for (pi, p) in plan.partitions.iter().enumerate() {
            let runtime = PartitionRuntime::new(
                p.clone(),
                plan.queries
                    .iter()
                    .filter(|q| q.partition == Some(pi))
                    .cloned()
                    .collect(),
                plan.streams.iter().map(|s| s.schema.clone()).collect(),
                (0..plan.streams.len())
                    .filter(|s| plan.streams[*s].inner_of == Some(pi))
                    .collect(),
                junctions.clone(),
                tables.clone(),
                clock.clone(),
                scheduler.clone(),
            );
            for s in runtime.streams() {
                junctions[s].subscribe(Arc::new(PartitionInput {
                    partition: runtime.clone(),
                    stream: s,
                }));
            }
            partitions.push(runtime);
        }
        let aggregations = plan
            .aggregations
            .iter()
            .map(|a| {
                let store =
                    crate::runtime::aggregation::AggregationStore::new(a.clone(), clock.clone());
                junctions[a.input].subscribe(store.clone());
                a.slot.fill(store.clone());
                store
            })
            .collect();
        App {
            plan,
            connectors,
            clock,
            scheduler,
            junctions,
            failure: Arc::new(AppFailure::default()),
            options,
            partitions,
            tables,
            aggregations,
            patterns,
            functions,
            state: Mutex::new(State::Compiled),
            source_counters: Mutex::new(Vec::new()),
        }
    }

    pub fn name(&self) -> &str {
        &self.plan.name
    }

    /// The dataflow plan (streams, connectors, queries).
    pub fn plan(&self) -> &AppPlan {
        &self.plan
    }

    pub fn clock(&self) -> &Arc<Clock> {
        &self.clock
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
            clock: self.clock.clone(),
            scheduler: self.scheduler.clone(),
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
        if self.clock.mode() == ClockMode::Playback {
            self.scheduler.advance_to(ts);
        }
    }

    /// Runs an on-demand query against a table of the running app:
    /// `app.query("SELECT symbol, price FROM Prices WHERE price > 10")`.
    pub fn query(&self, sql: &str) -> Result<Vec<Event>, EngineError> {
        use crate::plan::expr::{EvalContext, Scope};
        use crate::sql::ast::{SelectItem, StatementKind};
        let text = format!("INSERT INTO OnDemand {}", sql.trim().trim_end_matches(';'));
        let fail = |errors: Vec<crate::sql::diagnostic::Diagnostic>| {
            EngineError::Query(
                crate::CompileErrors {
                    file: "query".into(),
                    source: text.clone(),
                    errors,
                }
                .to_string(),
            )
        };
        let (ast, errors) = crate::sql::parse_app(&text, &|_| None);
        if !errors.is_empty() {
            return Err(fail(errors));
        }
        let Some(StatementKind::Query(q)) = ast.statements.first().map(|s| &s.kind) else {
            return Err(EngineError::Query(
                "expected SELECT ... FROM Table [WHERE ...]".into(),
            ));
        };
        let aggregation = self
            .aggregations
            .iter()
            .find(|a| a.plan.name.eq_ignore_ascii_case(&q.from.value));
        let (schema, rows) = match (aggregation, &q.within) {
            (Some(agg), Some((from, to, per))) => {
                let rows = read_aggregation(agg, from, to.as_ref(), per)?;
                (agg.plan.schema.clone(), rows)
            }
            (Some(agg), None) => {
                return Err(EngineError::Query(format!(
                    "'{}' is an aggregation: read it with WITHIN from, to PER '{}'",
                    agg.plan.name,
                    agg.plan.levels[0].name()
                )))
            }
            (None, _) => {
                let id = self.stream_id(&q.from.value)?;
                let Some(table) = self.tables[id].clone() else {
                    return Err(EngineError::Query(format!(
                        "'{}' is a stream: on-demand queries read tables and aggregations",
                        q.from.value
                    )));
                };
                if q.within.is_some() {
                    return Err(EngineError::Query(format!(
                        "'{}' is a table: WITHIN ... PER reads aggregations",
                        q.from.value
                    )));
                }
                (table.schema.clone(), table.snapshot())
            }
        };
        if q.window.is_some()
            || q.join.is_some()
            || q.pattern.is_some()
            || !q.group_by.is_empty()
            || q.output_rate.is_some()
        {
            return Err(EngineError::Query(
                "on-demand queries take SELECT ... FROM Table [WHERE ...] [LIMIT n]".into(),
            ));
        }
        let tables: Vec<crate::plan::expr::TableRef> = self
            .plan
            .streams
            .iter()
            .filter_map(|s| {
                let t = s.table.as_ref()?;
                Some(crate::plan::expr::TableRef {
                    name: s.schema.name().to_string(),
                    key: match t.primary_key[..] {
                        [k] => Some(s.schema.attrs()[k].ty),
                        _ => None,
                    },
                    slot: t.slot.clone(),
                })
            })
            .collect();
        let scope = Scope {
            schema: &schema,
            alias: q.alias.as_ref().map(|a| a.value.as_str()),
            functions: &self.functions,
            aggregates: None,
            join: None,
            tables: &tables,
        };
        let filter = q
            .filter
            .as_ref()
            .map(|f| scope.bind(f))
            .transpose()
            .map_err(|d| fail(vec![d]))?;
        let mut exprs = Vec::new();
        for item in &q.projection {
            match item {
                SelectItem::Wildcard(_) => {
                    exprs.extend((0..schema.len()).map(crate::plan::expr::Expr::Attr))
                }
                SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                    exprs.push(scope.bind(e).map_err(|d| fail(vec![d]))?.expr)
                }
                other => {
                    return Err(EngineError::Query(format!(
                        "'{other}' is not supported here"
                    )))
                }
            }
        }
        let cx = EvalContext::new(&self.clock);
        let mut out: Vec<Event> = rows
            .iter()
            .filter(|r| filter.as_ref().is_none_or(|f| f.expr.test(r, &cx)))
            .map(|r| {
                Event::new(
                    r.ts,
                    exprs.iter().map(|e| e.eval(r, &cx)).collect::<Vec<_>>(),
                )
            })
            .collect();
        if let Some(n) = q.limit {
            out.truncate(n as usize);
        }
        Ok(out)
    }

    /// Rows each table currently holds, by table name.
    pub fn table_sizes(&self) -> Vec<(String, usize)> {
        self.tables
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

    /// Whether the app has sources and every one of them has reached the end of its input.
    pub fn sources_finished(&self) -> bool {
        match &*self.state.lock().unwrap_or_else(|e| e.into_inner()) {
            State::Running { sources, .. } => {
                !sources.is_empty() && sources.iter().all(|s| s.is_done())
            }
            _ => false,
        }
    }

    /// Starts sinks, `@async` workers, the scheduler and sources (in that order, so nothing a
    /// source emits finds a sink missing).
    pub fn start(&self) -> Result<(), EngineError> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if !matches!(*state, State::Compiled) {
            return Err(EngineError::State("the app was already started".into()));
        }
        let mut sinks = Vec::new();
        let mut sources = Vec::new();
        if self.options.connectors {
            for (id, s) in self.plan.streams.iter().enumerate() {
                for (k, c) in s.sinks.iter().enumerate() {
                    match self.start_sink(id, k, c) {
                        Ok(d) => sinks.push(d),
                        Err(e) => {
                            sinks.iter().for_each(|d: &SinkDriver| {
                                d.stop();
                            });
                            return Err(e);
                        }
                    }
                }
            }
        }
        for j in &self.junctions {
            j.start();
        }
        self.scheduler.spawn_wall_thread();
        // Patterns that open with an absent element and triggers begin with the app's time:
        // now on a wall clock, at the first event's time under playback.
        for p in &self.patterns {
            let p = p.clone();
            self.scheduler.at_first_time(move |t| p.begin(t));
        }
        for (id, s) in self.plan.streams.iter().enumerate() {
            let Some(trigger) = s.trigger.clone() else {
                continue;
            };
            let junction = self.junctions[id].clone();
            let scheduler = Arc::downgrade(&self.scheduler);
            self.scheduler.at_first_time(move |now| {
                let Some(scheduler) = scheduler.upgrade() else {
                    return;
                };
                match &trigger {
                    TriggerPlan::Start => {
                        junction.publish(&[Event::new(now, vec![Value::Long(now)])])
                    }
                    // Periodic triggers fire at start, then every period (as Siddhi's do).
                    TriggerPlan::Every(_) => arm_trigger(&scheduler, junction, trigger, now),
                    TriggerPlan::Cron(c) => {
                        if let Some(at) = next_cron(c, now) {
                            arm_trigger(&scheduler, junction, trigger.clone(), at);
                        }
                    }
                }
            });
        }
        if self.options.connectors {
            for (id, s) in self.plan.streams.iter().enumerate() {
                for (k, c) in s.sources.iter().enumerate() {
                    match self.start_source(id, k, c, &sinks) {
                        Ok(d) => sources.push(d),
                        Err(e) => {
                            *state = State::Running { sources, sinks };
                            drop(state);
                            let _ = self.shutdown();
                            return Err(e);
                        }
                    }
                }
            }
        }
        *state = State::Running { sources, sinks };
        Ok(())
    }

    fn handler(&self, label: &str, stream: StreamId, c: &ConnectorPlan) -> FailureHandler {
        FailureHandler::new(
            label.to_string(),
            &c.config.kind,
            self.plan.streams[stream].schema.name(),
            c.strategy.clone(),
            c.dlq
                .as_ref()
                .map(|d| (d.clone(), self.junctions[d.stream].clone())),
            Arc::new(ConnectorCounters::default()),
            self.failure.clone(),
            self.clock.clone(),
        )
    }

    /// The mapper factory a binding names, with its config (`None` when it takes no mapper).
    #[allow(clippy::type_complexity)]
    fn mapper_factory<'a>(
        &'a self,
        c: &'a ConnectorPlan,
    ) -> Result<
        Option<(
            &'a Arc<dyn crate::connector::MapperFactory>,
            &'a crate::connector::MapperConfig,
        )>,
        String,
    > {
        match &c.config.map {
            Some(m) => match self.connectors.mapper(&m.kind) {
                Some(f) => Ok(Some((f, m))),
                None => Err(format!("unknown mapper '{}'", m.kind)),
            },
            None => Ok(None),
        }
    }

    fn start_sink(
        &self,
        stream: StreamId,
        k: usize,
        c: &ConnectorPlan,
    ) -> Result<SinkDriver, EngineError> {
        let schema = &self.plan.streams[stream].schema;
        let label = connector_label(Role::Sink, schema.name(), &c.config.kind, k);
        let err = |m: String| EngineError::Connector(format!("{label}: {m}"));
        let factory = self
            .connectors
            .sink(&c.config.kind)
            .ok_or_else(|| err("not registered".into()))?;
        let mapper = match self.mapper_factory(c).map_err(err)? {
            Some((f, m)) => Some(f.sink_mapper(m, schema).map_err(|e| err(e.0))?),
            None => None,
        };
        let sink = factory
            .create(&c.config, schema, mapper)
            .map_err(|e| err(e.message))?;
        let (queue, batch) = buffer_for(&c.config);
        let handler = self.handler(&label, stream, c);
        let inlet = SinkInlet {
            queue: queue.clone(),
            counters: handler.counters.clone(),
            label: label.clone(),
        };
        self.junctions[stream].subscribe(Arc::new(inlet));
        Ok(SinkDriver::start(label, sink, queue, batch, handler))
    }

    fn start_source(
        &self,
        stream: StreamId,
        k: usize,
        c: &ConnectorPlan,
        sinks: &[SinkDriver],
    ) -> Result<SourceDriver, EngineError> {
        let schema = &self.plan.streams[stream].schema;
        let label = connector_label(Role::Source, schema.name(), &c.config.kind, k);
        let err = |m: String| EngineError::Connector(format!("{label}: {m}"));
        let factory = self
            .connectors
            .source(&c.config.kind)
            .ok_or_else(|| err("not registered".into()))?;
        let mapper = match self.mapper_factory(c).map_err(err)? {
            Some((f, m)) => Some(f.source_mapper(m, schema).map_err(|e| err(e.0))?),
            None => None,
        };
        let source = factory
            .create(&c.config, schema)
            .map_err(|e| err(e.message))?;
        let handler = Arc::new(self.handler(&label, stream, c));
        self.source_counters
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((label.clone(), handler.counters.clone()));
        let mut inlet = SourceInlet::new(
            mapper,
            self.junctions[stream].clone(),
            self.clock.clone(),
            handler,
        );
        inlet.sinks = sinks.iter().map(|d| d.sync.clone()).collect();
        if self.clock.mode() == ClockMode::Playback {
            inlet.playback = Some(self.scheduler.clone());
        }
        Ok(SourceDriver::start(label, source, inlet))
    }

    /// Stops sources, delivers what `@async` streams hold (upstream first), flushes every sink,
    /// and returns the counters. Calling it again returns the same kind of summary, empty.
    pub fn shutdown(&self) -> Result<AppStats, EngineError> {
        let previous = std::mem::replace(
            &mut *self.state.lock().unwrap_or_else(|e| e.into_inner()),
            State::Stopped,
        );
        let (mut sources, sinks) = match previous {
            State::Running { sources, sinks } => (sources, sinks),
            State::Compiled | State::Stopped => (Vec::new(), Vec::new()),
        };
        for s in &mut sources {
            s.stop(Duration::from_secs(2));
        }
        for id in self.topological_order() {
            self.junctions[id].drain();
        }
        self.scheduler.stop();
        let mut stats = AppStats {
            streams: self
                .junctions
                .iter()
                .map(|j| (j.name().to_string(), j.events()))
                .collect(),
            ..Default::default()
        };
        for d in &sinks {
            let flushed = d.stop();
            stats.sinks.push(snapshot(&d.label, &d.counters, flushed));
        }
        for (label, c) in self
            .source_counters
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
        {
            stats.sources.push(snapshot(label, c, true));
        }
        stats.failure = self.failure.get();
        Ok(stats)
    }

    /// Streams ordered so every query's input comes before its output.
    fn topological_order(&self) -> Vec<StreamId> {
        let n = self.plan.streams.len();
        let mut indegree = vec![0usize; n];
        // (input, output) edges, a join contributing one per side.
        let edges: Vec<(StreamId, StreamId)> = self
            .plan
            .queries
            .iter()
            .flat_map(|q| {
                std::iter::once((q.input, q.output))
                    .chain(q.join.as_ref().map(|j| (j.right, q.output)))
                    .chain(
                        q.pattern
                            .iter()
                            .flat_map(|p| p.streams().map(|s| (s, q.output))),
                    )
                    .collect::<Vec<_>>()
            })
            .collect();
        for (_, out) in &edges {
            indegree[*out] += 1;
        }
        let mut order: Vec<StreamId> = (0..n).filter(|i| indegree[*i] == 0).collect();
        let mut i = 0;
        while i < order.len() {
            let s = order[i];
            for (_, out) in edges.iter().filter(|(i, _)| *i == s) {
                indegree[*out] -= 1;
                if indegree[*out] == 0 {
                    order.push(*out);
                }
            }
            i += 1;
        }
        // Streams on an @async loop never reach zero: drain them last.
        for s in 0..n {
            if !order.contains(&s) {
                order.push(s);
            }
        }
        order
    }
}

fn connector_label(role: Role, stream: &str, kind: &str, k: usize) -> String {
    let n = if k > 0 {
        format!("#{}", k + 1)
    } else {
        String::new()
    };
    match role {
        Role::Source => format!("source {kind}{n} -> {stream}"),
        Role::Sink => format!("{stream} -> sink {kind}{n}"),
    }
}

fn snapshot(label: &str, c: &ConnectorCounters, flushed: bool) -> ConnectorStats {
    ConnectorStats {
        label: label.to_string(),
        events: c.events.load(Ordering::Relaxed),
        errors: c.errors.load(Ordering::Relaxed),
        dropped: c.dropped.load(Ordering::Relaxed),
        dead_lettered: c.dead_lettered.load(Ordering::Relaxed),
        flushed,
    }
}

/// Output events of one stream, from [`App::subscribe`].
pub struct Subscription {
    rx: crossbeam_channel::Receiver<Event>,
}

impl Subscription {
    /// Waits up to `timeout` for the next event.
    pub fn recv_timeout(&self, timeout: Duration) -> Option<Event> {
        self.rx.recv_timeout(timeout).ok()
    }

    /// Every event received so far, without waiting.
    pub fn drain(&self) -> Vec<Event> {
        self.rx.try_iter().collect()
    }

    pub fn receiver(&self) -> &crossbeam_channel::Receiver<Event> {
        &self.rx
    }
}

/// Sends events into one stream. Cheap to clone; usable from any thread.
#[derive(Clone)]
pub struct InputHandle {
    junction: Arc<Junction>,
    clock: Arc<Clock>,
    scheduler: Arc<Scheduler>,
}

impl InputHandle {
    pub fn schema(&self) -> &Schema {
        self.junction.schema()
    }

    /// Sends one event stamped with the app clock.
    pub fn send(&self, values: Vec<Value>) -> Result<(), EngineError> {
        self.send_at(self.clock.now(), values)
    }

    /// Sends one event with an explicit timestamp; in playback mode time first advances to it.
    pub fn send_at(&self, ts: i64, mut values: Vec<Value>) -> Result<(), EngineError> {
        conform_row(self.schema(), &mut values)?;
        self.advance(ts);
        self.junction.publish(&[Event::new(ts, values)]);
        Ok(())
    }

    /// Sends rows as one batch stamped with the app clock: the fast path.
    pub fn send_batch(&self, rows: Vec<Vec<Value>>) -> Result<(), EngineError> {
        let ts = self.clock.now();
        let mut events = Vec::with_capacity(rows.len());
        for mut r in rows {
            conform_row(self.schema(), &mut r)?;
            events.push(Event::new(ts, r));
        }
        self.junction.publish(&events);
        Ok(())
    }

    /// Sends prepared events as one batch (checked against the schema); in playback mode time
    /// advances to each event's timestamp as it goes in (timers due between two events fire
    /// between them).
    pub fn send_events(&self, events: &[Event]) -> Result<(), EngineError> {
        let attrs = self.schema().attrs();
        let fits = |e: &Event| {
            e.data.len() == attrs.len()
                && e.data
                    .iter()
                    .zip(attrs)
                    .all(|(v, a)| v.attr_type().is_none_or(|t| t == a.ty))
        };
        // One tight pass; the detailed check only runs to explain a failure.
        if !events.iter().all(fits) {
            for e in events {
                check_row(self.schema(), &e.data)?;
            }
        }
        if self.clock.mode() == ClockMode::Playback {
            crate::runtime::source::publish_in_time(&self.junction, &self.scheduler, events);
        } else {
            self.junction.publish(events);
        }
        Ok(())
    }

    fn advance(&self, ts: i64) {
        if self.clock.mode() == ClockMode::Playback {
            self.scheduler.advance_to(ts);
        }
    }
}

fn check_row(schema: &Schema, values: &[Value]) -> Result<(), EngineError> {
    if values.len() != schema.len() {
        return Err(EngineError::BadEvent(format!(
            "stream '{}' has {} attributes ({}), the event has {} values",
            schema.name(),
            schema.len(),
            schema.names().collect::<Vec<_>>().join(", "),
            values.len()
        )));
    }
    for (v, a) in values.iter().zip(schema.attrs()) {
        if let Some(t) = v.attr_type() {
            if t != a.ty {
                return Err(EngineError::BadEvent(format!(
                    "stream '{}': attribute '{}' is {}, got {t} value {v}",
                    schema.name(),
                    a.name,
                    a.ty
                )));
            }
        }
    }
    Ok(())
}

/// Checks a row, widening numbers where the attribute is wider (INT value into a BIGINT).
fn conform_row(schema: &Schema, values: &mut [Value]) -> Result<(), EngineError> {
    if values.len() == schema.len() {
        for (v, a) in values.iter_mut().zip(schema.attrs()) {
            if let Some(t) = v.attr_type() {
                if t != a.ty && t.assignable_to(a.ty) {
                    *v = v.cast(a.ty).unwrap_or(Value::Null);
                }
            }
        }
    }
    check_row(schema, values)
}

/// Schedules a trigger's firing at `at`; each firing schedules the next.
fn arm_trigger(scheduler: &Arc<Scheduler>, junction: Arc<Junction>, trigger: TriggerPlan, at: i64) {
    let weak = Arc::downgrade(scheduler);
    scheduler.schedule(at, move |t| {
        junction.publish(&[Event::new(t, vec![Value::Long(t)])]);
        let next = match &trigger {
            TriggerPlan::Every(ms) => Some(t + ms),
            TriggerPlan::Cron(c) => next_cron(c, t),
            TriggerPlan::Start => None,
        };
        if let (Some(n), Some(s)) = (next, weak.upgrade()) {
            arm_trigger(&s, junction, trigger, n);
        }
    });
}

/// The first firing of a cron schedule strictly after `ms`.
fn next_cron(schedule: &cron::Schedule, ms: i64) -> Option<i64> {
    let t = chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms)?;
    schedule.after(&t).next().map(|d| d.timestamp_millis())
}

/// `WITHIN from, to PER 'granularity'` over an aggregation.
fn read_aggregation(
    agg: &crate::runtime::aggregation::AggregationStore,
    from: &sqlparser::ast::Expr,
    to: Option<&sqlparser::ast::Expr>,
    per: &sqlparser::ast::Expr,
) -> Result<Vec<Event>, EngineError> {
    let (from, to, granularity) =
        crate::plan::within::parse_within(from, to, per, &agg.plan.levels, &agg.plan.name)
            .map_err(EngineError::Query)?;
    agg.read(from, to, granularity).ok_or_else(|| {
        EngineError::Query(format!(
            "'{}' has no level '{}'",
            agg.plan.name,
            granularity.name()
        ))
    })
}

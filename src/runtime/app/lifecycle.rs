//! An app's life after it compiled: `start` brings up sinks, `@async` workers, the scheduler,
//! triggers and sources (in that order); `shutdown` stops them in dataflow order, flushing
//! every sink, and returns the counters.

use super::observe::{LiveConnector, Role};
use super::stats::snapshot;
use super::{App, AppStats, EngineError, State};
use crate::clock::ClockMode;
use crate::connector::{MapperConfig, MapperFactory};
use crate::plan::graph::{ConnectorPlan, StreamId};
use crate::runtime::failure::{ConnectorCounters, FailureHandler};
use crate::runtime::sink::{buffer_for, BlockingSinks, SinkDriver, SinkInlet};
use crate::runtime::source::{SourceDriver, SourceInlet};
use crate::runtime::trigger;
use std::sync::Arc;
use std::time::{Duration, Instant};

impl App {
    /// Starts sinks, `@async` workers, the scheduler and sources (in that order, so nothing a
    /// source emits finds a sink missing).
    pub fn start(&self) -> Result<(), EngineError> {
        let mut state = self.state.lock();
        if !matches!(*state, State::Compiled) {
            return Err(EngineError::State("the app was already started".into()));
        }
        self.env.clock.mark_start();
        let mut sinks = Vec::new();
        let mut sources = Vec::new();
        if self.options.connectors {
            for (id, s) in self.plan.streams.iter().enumerate() {
                let blocking = Arc::new(BlockingSinks::default());
                for (k, c) in s.sinks.iter().enumerate() {
                    match self.start_sink(id, k, c, &blocking) {
                        Ok(d) => sinks.push(d),
                        Err(e) => {
                            let deadline = Instant::now() + self.options.shutdown_timeout;
                            sinks.iter().for_each(|d: &SinkDriver| {
                                d.stop(deadline);
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
        self.env.scheduler.spawn_wall_thread();
        // Patterns that open with an absent element and triggers begin with the app's time:
        // now on a wall clock, at the first event's time under playback.
        for p in &self.patterns {
            let p = p.clone();
            self.env.scheduler.at_first_time(move |t| p.begin(t));
        }
        for (id, s) in self.plan.streams.iter().enumerate() {
            if let Some(trigger) = s.trigger.clone() {
                trigger::begin(&self.env.scheduler, self.junctions[id].clone(), trigger);
            }
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
        *self.started_at.lock() = Some(std::time::SystemTime::now());
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
            self.env.clock.clone(),
        )
    }

    /// The mapper factory a binding names, with its config (`None` when it takes no mapper).
    #[allow(clippy::type_complexity)]
    fn mapper_factory<'a>(
        &'a self,
        c: &'a ConnectorPlan,
    ) -> Result<Option<(&'a Arc<dyn MapperFactory>, &'a MapperConfig)>, String> {
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
        blocking: &Arc<BlockingSinks>,
    ) -> Result<SinkDriver, EngineError> {
        let schema = &self.plan.streams[stream].schema;
        let label = connector_label(Role::Sink, schema.name(), &c.config.kind, k);
        let err = |m: String| {
            EngineError::Connector(crate::redact::scrub(&format!("{label}: {m}")).into_owned())
        };
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
        self.live.lock().push(LiveConnector {
            label: label.clone(),
            role: Role::Sink,
            stream,
            index: k,
            counters: handler.counters.clone(),
            buffer: Some(queue.clone()),
        });
        blocking.add(&queue, &label);
        let inlet = SinkInlet::new(
            queue.clone(),
            handler.counters.clone(),
            label.clone(),
            blocking.clone(),
        );
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
        let err = |m: String| {
            EngineError::Connector(crate::redact::scrub(&format!("{label}: {m}")).into_owned())
        };
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
        self.live.lock().push(LiveConnector {
            label: label.clone(),
            role: Role::Source,
            stream,
            index: k,
            counters: handler.counters.clone(),
            buffer: None,
        });
        let mut inlet = SourceInlet::new(
            mapper,
            self.junctions[stream].clone(),
            self.env.clock.clone(),
            handler,
        );
        inlet.sinks = sinks.iter().map(|d| d.sync.clone()).collect();
        inlet.sides = c
            .side_outputs
            .iter()
            .map(|(param, id)| (param.clone(), self.junctions[*id].clone()))
            .collect();
        if self.env.clock.mode() == ClockMode::Playback {
            inlet.playback = Some(self.env.scheduler.clone());
        }
        Ok(SourceDriver::start(label, source, inlet))
    }

    /// Stops sources, settles what windows hold when the input has ended (see
    /// [`RunOptions::final_flush`]), delivers what `@async` streams hold (upstream first),
    /// flushes every sink, and returns the counters. Calling it again returns the same kind of
    /// summary, empty.
    pub fn shutdown(&self) -> Result<AppStats, EngineError> {
        let deadline = Instant::now() + self.options.shutdown_timeout;
        let previous = std::mem::replace(&mut *self.state.lock(), State::Stopped);
        let (mut sources, sinks) = match previous {
            State::Running { sources, sinks } => (sources, sinks),
            State::Compiled | State::Stopped => (Vec::new(), Vec::new()),
        };
        // Bounded input: every source reached its end (an app fed through the API has none).
        let input_ended = sources.iter().all(|s| s.is_done());
        for s in &mut sources {
            s.stop(Duration::from_secs(2));
        }
        let flushed = self.options.final_flush && input_ended;
        if flushed {
            self.settle_async_streams(deadline);
            if let Some(end) = self.env.scheduler.finish() {
                log::debug!("input ended: time moved to {end}, windows settled");
            }
        }
        let held_in_windows = if flushed {
            0
        } else {
            self.env.held_in_windows()
        };
        for id in self.topological_order() {
            if !self.junctions[id].drain_until(deadline) {
                // An @async worker still pushing into a full sink buffer: closing the buffers
                // lets it finish (what it pushes now is counted as dropped).
                log::warn!(
                    "@async stream {} still busy at the shutdown deadline; closing sink buffers",
                    self.junctions[id].name()
                );
                sinks.iter().for_each(SinkDriver::close);
                self.junctions[id].drain();
            }
        }
        self.env.scheduler.stop();
        let mut stats = AppStats {
            held_in_windows,
            ..Default::default()
        };
        // Every sink drains at once, each within the deadline; the sinks of dead-letter
        // streams last, so the rows their feeders make while flushing still get out.
        let targets: Vec<String> = sinks
            .iter()
            .filter_map(|d| d.dead_letter_stream().map(str::to_string))
            .collect();
        let receives_no_dead_letters = |d: &SinkDriver| !targets.iter().any(|t| t == d.stream());
        let mut flushed = vec![true; sinks.len()];
        for phase in [true, false] {
            let now: Vec<usize> = (0..sinks.len())
                .filter(|i| receives_no_dead_letters(&sinks[*i]) == phase)
                .collect();
            now.iter().for_each(|i| sinks[*i].close());
            for i in now {
                flushed[i] = sinks[i].stop(deadline);
            }
        }
        for (d, flushed) in sinks.iter().zip(flushed) {
            stats.sinks.push(snapshot(&d.label, &d.counters, flushed));
        }
        // Counted after the sinks stopped: a dead-letter row made while a sink flushed is in.
        stats.streams = self
            .junctions
            .iter()
            .map(|j| (j.name().to_string(), j.events()))
            .collect();
        for c in self.live.lock().iter().filter(|c| c.role == Role::Source) {
            stats.sources.push(snapshot(&c.label, &c.counters, true));
        }
        stats.failure = self.failure.get();
        Ok(stats)
    }

    /// The counters as they are now, while the app runs (`flushed` is true for every sink that
    /// has not failed to flush; it is decided at shutdown).
    pub fn stats(&self) -> AppStats {
        let mut stats = AppStats {
            streams: self
                .junctions
                .iter()
                .map(|j| (j.name().to_string(), j.events()))
                .collect(),
            held_in_windows: self.env.held_in_windows(),
            failure: self.failure.get(),
            ..Default::default()
        };
        if let State::Running { sinks, .. } = &*self.state.lock() {
            for d in sinks {
                stats.sinks.push(snapshot(&d.label, &d.counters, true));
            }
        }
        for c in self.live.lock().iter().filter(|c| c.role == Role::Source) {
            stats.sources.push(snapshot(&c.label, &c.counters, true));
        }
        stats
    }

    /// Waits until every `@async` stream has delivered what it queued (events in flight may
    /// queue more downstream, so until all are idle at once).
    fn settle_async_streams(&self, deadline: Instant) {
        while !self.junctions.iter().all(|j| j.is_idle()) {
            if Instant::now() > deadline {
                log::warn!(
                    "@async streams still busy at the shutdown deadline; settling windows \
                     without waiting"
                );
                return;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
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
            .flat_map(|q| q.inputs().into_iter().map(|s| (s, q.output)))
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

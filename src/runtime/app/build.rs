//! Wiring a compiled plan into a runnable app: one junction per stream, the table and
//! aggregation stores, the shared [`Env`], then every query's operators through the physical
//! planner, partitions, and table writes.

use super::{App, RunOptions, State};
use crate::clock::{Clock, ClockMode};
use crate::connector::registry::ConnectorRegistry;
use crate::functions::FunctionRegistry;
use crate::plan::graph::AppPlan;
use crate::runtime::aggregation::AggregationStore;
use crate::runtime::env::{Env, Tables};
use crate::runtime::failure::AppFailure;
use crate::runtime::junction::Junction;
use crate::runtime::partition::{PartitionInput, PartitionRuntime};
use crate::runtime::planner::wire_query;
use crate::runtime::scheduler::Scheduler;
use crate::runtime::table::{TableMutator, TableStore};
use parking_lot::Mutex;
use std::sync::Arc;

impl App {
    pub(crate) fn new(
        plan: AppPlan,
        connectors: ConnectorRegistry,
        functions: FunctionRegistry,
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
                let async_buffer = if options.synchronous {
                    None
                } else {
                    s.async_buffer
                };
                Junction::new(s.schema.clone(), async_buffer)
            })
            .collect();
        let tables: Tables = Arc::new(
            plan.streams
                .iter()
                .map(|s| {
                    s.table.as_ref().map(|t| {
                        Arc::new(
                            TableStore::new(s.schema.clone(), t.primary_key.clone())
                                .with_indexes(t.indexed.clone()),
                        )
                    })
                })
                .collect(),
        );
        let aggregations: Vec<Arc<AggregationStore>> = plan
            .aggregations
            .iter()
            .map(|a| AggregationStore::new(a.clone(), clock.clone(), tables.clone()))
            .collect();
        let env = Arc::new(Env {
            clock: clock.clone(),
            scheduler: scheduler.clone(),
            tables,
            aggregations,
            holders: Default::default(),
            queries: {
                let mut q: Vec<_> = plan
                    .queries
                    .iter()
                    .map(|q| (q.name.clone(), Arc::default()))
                    .collect();
                // Env::query_metrics looks names up by binary search.
                q.sort_by(|a: &(String, _), b| a.0.cmp(&b.0));
                q
            },
        });
        for w in &plan.table_writes {
            if let Some(t) = &env.tables[w.table] {
                junctions[w.stream].subscribe(Arc::new(TableMutator {
                    table: t.clone(),
                    plan: w.clone(),
                    env: env.clone(),
                }));
            }
        }
        let mut patterns = Vec::new();
        for q in plan.queries.iter().filter(|q| q.partition.is_none()) {
            patterns.extend(wire_query(q, &|id| junctions[id].clone(), &env));
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
                &env,
            );
            for s in runtime.streams() {
                junctions[s].subscribe(Arc::new(PartitionInput {
                    partition: runtime.clone(),
                    stream: s,
                }));
            }
            partitions.push(runtime);
        }
        // Aggregations take their input after the queries, so a join reading an aggregation
        // sees it as it was before the joining event.
        for (a, store) in plan.aggregations.iter().zip(&env.aggregations) {
            junctions[a.input].subscribe(store.clone());
        }
        App {
            plan,
            connectors,
            env,
            junctions,
            failure: Arc::new(AppFailure::default()),
            options,
            partitions,
            patterns,
            functions,
            state: Mutex::new(State::Compiled),
            live: Mutex::new(Vec::new()),
            started_at: Mutex::new(None),
        }
    }
}

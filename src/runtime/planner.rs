//! The physical planner: turns each query of the plan into its operators (filter-project,
//! stateful selector, join, pattern) and subscribes them to their input junctions. Windows are
//! built by `window::build`; tables and aggregations are reached through the app's [`Env`].

use crate::plan::graph::{QueryPlan, StreamId};
use crate::runtime::env::{Env, HoldsEvents};
use crate::runtime::join::{JoinInput, JoinQuery};
use crate::runtime::junction::{Junction, Subscriber};
use crate::runtime::metrics::{Metered, QueryOutput};
use crate::runtime::pattern::{PatternInput, PatternQuery};
use crate::runtime::query::FilterProject;
use crate::runtime::select::StatefulQuery;
use crate::runtime::table::{AggregationLookup, JoinLookup, TableWriter};
use std::sync::{Arc, Weak};

/// Builds one query's operator and subscribes it to its input junction(s), publishing into
/// `junction(output)`. Returns the pattern operator of a pattern query (it begins with the
/// app's time).
pub fn wire_query(
    q: &QueryPlan,
    junction: &dyn Fn(StreamId) -> Arc<Junction>,
    env: &Arc<Env>,
) -> Option<Arc<PatternQuery>> {
    let tables = &env.tables;
    let metrics = env.query_metrics(&q.name);
    let metered = |inner: Arc<dyn Subscriber>| -> Arc<dyn Subscriber> {
        Arc::new(Metered {
            inner,
            metrics: metrics.clone(),
        })
    };
    let output = match &tables[q.output] {
        // A query writing a table gets a junction of its own that stores rows (INSERT or UPSERT).
        Some(t) => {
            let j = Junction::new(t.schema.clone(), None);
            j.subscribe(Arc::new(TableWriter {
                table: t.clone(),
                upsert: q.upsert,
            }));
            j
        }
        None => junction(q.output),
    };
    let target = QueryOutput {
        junction: output,
        metrics: metrics.clone(),
    };
    // Joins and patterns produce rows for a selector that has no window of its own.
    let selector = |select: &crate::plan::graph::SelectPlan, target: QueryOutput| {
        StatefulQuery::new(
            None,
            q.projection.clone(),
            q.output_events,
            select.clone(),
            target,
            env,
        )
    };
    if let (Some(pattern), Some(select)) = (&q.pattern, &q.select) {
        let selector = selector(select, target);
        let query = PatternQuery::new(pattern.clone(), q.filter.clone(), selector, env);
        let mut streams: Vec<StreamId> = pattern.streams().collect();
        streams.sort_unstable();
        streams.dedup();
        for s in streams {
            junction(s).subscribe(metered(Arc::new(PatternInput {
                query: query.clone(),
                stream: s,
            })));
        }
        return Some(query);
    }
    if let (Some(join), Some(select)) = (&q.join, &q.select) {
        let selector = selector(select, target);
        let lookup = |id: StreamId| -> Option<Arc<dyn JoinLookup>> {
            tables[id].clone().map(|t| t as Arc<dyn JoinLookup>)
        };
        let right: Option<Arc<dyn JoinLookup>> = match &join.right_within {
            Some(a) => Some(Arc::new(AggregationLookup::new(a.clone(), env))),
            None => lookup(join.right),
        };
        let sides = [lookup(q.input), right];
        let query = JoinQuery::new(join, q.filter.clone(), selector, env, sides.clone());
        if join.left_window.is_some() || join.right_window.is_some() {
            env.register_holder(Arc::downgrade(&query) as Weak<dyn HoldsEvents>);
        }
        // A table side is read at probe time, never subscribed: it does not trigger.
        if sides[0].is_none() {
            junction(q.input).subscribe(metered(Arc::new(JoinInput {
                query: query.clone(),
                side: 0,
            })));
        }
        if sides[1].is_none() {
            junction(join.right).subscribe(metered(Arc::new(JoinInput { query, side: 1 })));
        }
        return None;
    }
    match &q.select {
        None => junction(q.input).subscribe(metered(Arc::new(FilterProject {
            filter: q.filter.clone(),
            projection: q.projection.clone(),
            output_events: q.output_events,
            target,
            env: env.clone(),
        }))),
        Some(select) => {
            let query = StatefulQuery::new(
                q.filter.clone(),
                q.projection.clone(),
                q.output_events,
                select.clone(),
                target,
                env,
            );
            if select.window.is_some() {
                env.register_holder(Arc::downgrade(&query) as Weak<dyn HoldsEvents>);
            }
            junction(q.input).subscribe(metered(query));
        }
    }
    None
}

//! The filter-and-project operator: stateless, so it runs lock-free on the sender's thread.

use crate::event::{Event, EventKind};
use crate::lang::OutputEvents;
use crate::plan::expr::Expr;
use crate::plan::graph::Projection;
use crate::runtime::env::Env;
use crate::runtime::junction::Subscriber;
use crate::runtime::metrics::QueryOutput;
use crate::value::Value;
use std::sync::Arc;

pub struct FilterProject {
    pub filter: Option<Expr>,
    pub projection: Projection,
    pub output_events: OutputEvents,
    pub target: QueryOutput,
    pub env: Arc<Env>,
}

impl FilterProject {
    fn forwards(&self, kind: EventKind) -> bool {
        match self.output_events {
            OutputEvents::Current => kind == EventKind::Current,
            OutputEvents::Expired => kind == EventKind::Expired,
            OutputEvents::All => true,
        }
    }
}

impl Subscriber for FilterProject {
    fn receive(&self, batch: &[Event]) {
        // Whatever a stream carries arrives as current events (an expired event inserted into
        // a stream is a new event there, as in Siddhi); this query has no window to expire them.
        if !self.forwards(EventKind::Current) {
            return;
        }
        let cx = self.env.eval();
        let mut out = Vec::with_capacity(batch.len());
        for ev in batch {
            if let Some(f) = &self.filter {
                if !f.test(ev, &cx) {
                    continue;
                }
            }
            let data: Arc<[Value]> = match &self.projection {
                Projection::PassThrough => ev.data.clone(),
                Projection::Exprs(exprs) => exprs.iter().map(|e| e.eval(ev, &cx)).collect(),
            };
            out.push(Event {
                ts: ev.ts,
                kind: EventKind::Current,
                data,
            });
        }
        if !out.is_empty() {
            self.target.publish(&out);
        }
    }
}

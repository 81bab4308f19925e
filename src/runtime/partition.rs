//! Partitions: every key of a partitioned stream gets its own instance of the partition's
//! queries (their windows, aggregates and inner `#` streams), created on the key's first event
//! and, with `@purge`, dropped once the key has been idle long enough.

use crate::event::Event;
use crate::functions::aggregate::OrdValue;
use crate::plan::graph::{PartitionKey, PartitionPlan, QueryPlan, StreamId};
use crate::runtime::env::Env;
use crate::runtime::junction::{Junction, Subscriber};
use crate::runtime::planner::wire_query;
use crate::schema::Schema;
use crate::value::Value;
use parking_lot::Mutex;
use rustc_hash::FxHashMap;
use std::sync::{Arc, Weak};

/// One key's copy of the partition's dataflow.
struct Instance {
    /// Where this key's events of each partitioned stream enter.
    entries: FxHashMap<StreamId, Arc<Junction>>,
    last_seen: i64,
}

pub struct PartitionRuntime {
    plan: PartitionPlan,
    queries: Vec<QueryPlan>,
    /// Schemas of every stream of the app (inner streams get per-instance junctions).
    schemas: Vec<Schema>,
    inner: Vec<StreamId>,
    global: Vec<Arc<Junction>>,
    env: Arc<Env>,
    me: Weak<PartitionRuntime>,
    instances: Mutex<Instances>,
}

#[derive(Default)]
struct Instances {
    by_key: FxHashMap<OrdValue, Instance>,
    purge_armed: bool,
}

/// Feeds one partitioned stream into the partition.
pub struct PartitionInput {
    pub partition: Arc<PartitionRuntime>,
    pub stream: StreamId,
}

impl Subscriber for PartitionInput {
    fn receive(&self, batch: &[Event]) {
        self.partition.route(self.stream, batch);
    }
}

impl PartitionRuntime {
    pub fn new(
        plan: PartitionPlan,
        queries: Vec<QueryPlan>,
        schemas: Vec<Schema>,
        inner: Vec<StreamId>,
        global: Vec<Arc<Junction>>,
        env: &Arc<Env>,
    ) -> Arc<PartitionRuntime> {
        Arc::new_cyclic(|me| PartitionRuntime {
            plan,
            queries,
            schemas,
            inner,
            global,
            env: env.clone(),
            me: me.clone(),
            instances: Mutex::new(Instances::default()),
        })
    }

    pub fn streams(&self) -> Vec<StreamId> {
        self.plan.keys.iter().map(|(s, _)| *s).collect()
    }

    /// Keys with live state (for tests and metrics).
    pub fn instance_count(&self) -> usize {
        self.instances.lock().by_key.len()
    }

    fn new_instance(&self, now: i64) -> Instance {
        let entries: FxHashMap<StreamId, Arc<Junction>> = self
            .plan
            .keys
            .iter()
            .map(|(s, _)| (*s, Junction::new(self.schemas[*s].clone(), None)))
            .collect();
        let inner: FxHashMap<StreamId, Arc<Junction>> = self
            .inner
            .iter()
            .map(|s| (*s, Junction::new(self.schemas[*s].clone(), None)))
            .collect();
        let junction = |id: StreamId| -> Arc<Junction> {
            entries
                .get(&id)
                .or_else(|| inner.get(&id))
                .cloned()
                .unwrap_or_else(|| self.global[id].clone())
        };
        for q in &self.queries {
            // A key's patterns that open with an absent element start waiting now.
            if let Some(pattern) = wire_query(q, &junction, &self.env) {
                pattern.begin(now);
            }
        }
        // The entry junctions own the operators, which own the inner junctions they feed.
        Instance {
            entries,
            last_seen: now,
        }
    }

    /// Sends each event to its key's instance, in runs of consecutive events with one key.
    fn route(&self, stream: StreamId, batch: &[Event]) {
        let Some((_, key)) = self.plan.keys.iter().find(|(s, _)| *s == stream) else {
            return;
        };
        let cx = self.env.eval();
        match key {
            PartitionKey::Value(expr) => {
                let mut start = 0;
                let mut current: Option<OrdValue> = None;
                for (i, e) in batch.iter().enumerate() {
                    let k = OrdValue(expr.eval(e, &cx));
                    if current.as_ref() != Some(&k) {
                        if let Some(c) = current.take() {
                            self.deliver(stream, c, &batch[start..i]);
                        }
                        start = i;
                        current = Some(k);
                    }
                }
                if let Some(c) = current {
                    self.deliver(stream, c, &batch[start..]);
                }
            }
            PartitionKey::Range(ranges) => {
                for e in batch {
                    for (cond, label) in ranges {
                        if cond.test(e, &cx) {
                            self.deliver(
                                stream,
                                OrdValue(Value::from(label.as_str())),
                                std::slice::from_ref(e),
                            );
                        }
                    }
                }
            }
        }
    }

    fn deliver(&self, stream: StreamId, key: OrdValue, events: &[Event]) {
        let now = self.env.clock.now();
        let entry = {
            let mut inst = self.instances.lock();
            if !inst.by_key.contains_key(&key) {
                let fresh = self.new_instance(now);
                inst.by_key.insert(key.clone(), fresh);
            }
            let arm = self.plan.purge.is_some() && !inst.purge_armed;
            if arm {
                inst.purge_armed = true;
            }
            let instance = inst.by_key.get_mut(&key).expect("inserted above");
            instance.last_seen = now;
            let entry = instance.entries[&stream].clone();
            drop(inst);
            if arm {
                self.arm_purge(now);
            }
            entry
        };
        entry.publish(events);
    }

    fn arm_purge(&self, now: i64) {
        let Some(purge) = self.plan.purge else { return };
        let me = self.me.clone();
        self.env
            .scheduler
            .schedule_periodic(now + purge.interval, move |t| {
                if let Some(p) = me.upgrade() {
                    p.purge(t);
                }
            });
    }

    /// Drops the instances of keys idle for the purge period.
    fn purge(&self, now: i64) {
        let Some(purge) = self.plan.purge else { return };
        let mut inst = self.instances.lock();
        let before = inst.by_key.len();
        inst.by_key.retain(|_, i| i.last_seen + purge.idle > now);
        let dropped = before - inst.by_key.len();
        if dropped > 0 {
            log::debug!("partition: purged {dropped} idle keys");
        }
        let again = !inst.by_key.is_empty();
        inst.purge_armed = again;
        drop(inst);
        if again {
            self.arm_purge(now);
        }
    }
}

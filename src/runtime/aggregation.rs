//! `CREATE AGGREGATION`: sums, counts, averages, minima and maxima per group and time bucket at
//! several granularities, rolled up incrementally.
//!
//! Events update the finest level only. Once the input's time (the highest event time seen)
//! moves past a bucket, that bucket is merged into the bucket of the next level that contains
//! it, and so on up: each level feeds the next. A level keeps its own buckets, so every
//! granularity can be read. A late event (older than the open bucket) also updates the coarser
//! buckets its closed bucket was already merged into, so no level misses it. A read at level L
//! merges L's buckets with the finer buckets not rolled up yet: every event counts exactly once.

use crate::calendar::bucket_start;
use crate::calendar::Granularity;
use crate::clock::Clock;
use crate::event::{Event, EventKind};
use crate::functions::aggregate::OrdValue;
use crate::plan::expr::EvalContext;
use crate::plan::graph::{AggItem, AggKind, AggregationPlan};
use crate::runtime::env::Tables;
use crate::runtime::junction::Subscriber;
use crate::value::{AttrType, Value};
use parking_lot::Mutex;
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// One aggregate's running state; states of the same kind merge.
#[derive(Debug, Clone)]
enum State {
    SumLong(Option<i64>),
    SumDouble(Option<f64>),
    Count(i64),
    Avg(f64, i64),
    Min(Option<Value>),
    Max(Option<Value>),
}

impl State {
    fn new(kind: AggKind, ty: AttrType) -> State {
        match kind {
            AggKind::Sum if ty == AttrType::Long => State::SumLong(None),
            AggKind::Sum => State::SumDouble(None),
            AggKind::Count => State::Count(0),
            AggKind::Avg => State::Avg(0.0, 0),
            AggKind::Min => State::Min(None),
            AggKind::Max => State::Max(None),
        }
    }

    /// Adds one value (`None`: count() without an argument). NULLs are skipped, as in SQL.
    fn add(&mut self, v: Option<&Value>) {
        match (self, v) {
            (State::Count(n), None) => *n += 1,
            (_, Some(Value::Null)) | (_, None) => {}
            (State::SumLong(s), Some(v)) => {
                *s = Some(s.unwrap_or(0).wrapping_add(v.as_i64().unwrap_or(0)))
            }
            (State::SumDouble(s), Some(v)) => {
                *s = Some(s.unwrap_or(0.0) + v.as_f64().unwrap_or(0.0))
            }
            (State::Count(n), Some(_)) => *n += 1,
            (State::Avg(sum, n), Some(v)) => {
                *sum += v.as_f64().unwrap_or(0.0);
                *n += 1;
            }
            (State::Min(m), Some(v)) => {
                if m.as_ref()
                    .is_none_or(|cur| OrdValue(v.clone()) < OrdValue(cur.clone()))
                {
                    *m = Some(v.clone());
                }
            }
            (State::Max(m), Some(v)) => {
                if m.as_ref()
                    .is_none_or(|cur| OrdValue(v.clone()) > OrdValue(cur.clone()))
                {
                    *m = Some(v.clone());
                }
            }
        }
    }

    fn merge(&mut self, other: &State) {
        match (self, other) {
            (State::SumLong(a), State::SumLong(Some(b))) => {
                *a = Some(a.unwrap_or(0).wrapping_add(*b))
            }
            (State::SumDouble(a), State::SumDouble(Some(b))) => *a = Some(a.unwrap_or(0.0) + b),
            (State::Count(a), State::Count(b)) => *a += b,
            (State::Avg(s, n), State::Avg(s2, n2)) => {
                *s += s2;
                *n += n2;
            }
            (m @ State::Min(_), State::Min(Some(v))) | (m @ State::Max(_), State::Max(Some(v))) => {
                m.add(Some(v))
            }
            _ => {}
        }
    }

    fn value(&self) -> Value {
        match self {
            State::SumLong(s) => s.map_or(Value::Null, Value::Long),
            State::SumDouble(s) => s.map_or(Value::Null, Value::Double),
            State::Count(n) => Value::Long(*n),
            State::Avg(_, 0) => Value::Null,
            State::Avg(s, n) => Value::Double(s / *n as f64),
            State::Min(m) | State::Max(m) => m.clone().unwrap_or(Value::Null),
        }
    }
}

/// The groups of one bucket, in first-seen order.
#[derive(Debug, Clone, Default)]
struct Bucket {
    index: FxHashMap<Vec<OrdValue>, usize>,
    groups: Vec<(Vec<Value>, Vec<State>)>,
}

impl Bucket {
    fn group(&mut self, key: &[Value], fresh: impl FnOnce() -> Vec<State>) -> &mut Vec<State> {
        let okey: Vec<OrdValue> = key.iter().cloned().map(OrdValue).collect();
        let at = match self.index.get(&okey) {
            Some(i) => *i,
            None => {
                self.groups.push((key.to_vec(), fresh()));
                self.index.insert(okey, self.groups.len() - 1);
                self.groups.len() - 1
            }
        };
        &mut self.groups[at].1
    }

    fn merge(&mut self, other: &Bucket, fresh: &dyn Fn() -> Vec<State>) {
        for (key, states) in &other.groups {
            let mine = self.group(key, fresh);
            for (m, o) in mine.iter_mut().zip(states) {
                m.merge(o);
            }
        }
    }
}

struct Level {
    granularity: Granularity,
    buckets: BTreeMap<i64, Bucket>,
    /// Buckets of the level below starting before this have been merged into this level.
    rolled_to: i64,
}

struct Levels {
    levels: Vec<Level>,
    /// The highest event time seen.
    watermark: i64,
    /// The next purge runs once the watermark reaches this.
    next_purge: i64,
}

pub struct AggregationStore {
    pub plan: AggregationPlan,
    clock: Arc<Clock>,
    /// Read by `x IN T` in WHERE and GROUP BY.
    tables: Tables,
    state: Mutex<Levels>,
    /// Buckets dropped by `@purge` retention.
    pub purged_buckets: AtomicU64,
}

impl AggregationStore {
    pub fn new(plan: AggregationPlan, clock: Arc<Clock>, tables: Tables) -> Arc<AggregationStore> {
        let levels = plan
            .levels
            .iter()
            .map(|g| Level {
                granularity: *g,
                buckets: BTreeMap::new(),
                rolled_to: i64::MIN,
            })
            .collect();
        Arc::new(AggregationStore {
            plan,
            clock,
            tables,
            state: Mutex::new(Levels {
                levels,
                watermark: i64::MIN,
                next_purge: i64::MIN,
            }),
            purged_buckets: AtomicU64::new(0),
        })
    }

    fn fresh(&self) -> Vec<State> {
        self.plan
            .items
            .iter()
            .filter_map(|i| match i {
                AggItem::Agg { kind, ty, .. } => Some(State::new(*kind, *ty)),
                AggItem::Group(_) => None,
            })
            .collect()
    }

    fn add(&self, st: &mut Levels, e: &Event, cx: &EvalContext) {
        if self.plan.filter.as_ref().is_some_and(|f| !f.test(e, cx)) {
            return;
        }
        let ts = match self.plan.timestamp {
            Some(i) => match e.get(i).as_i64() {
                Some(t) => t,
                None => return,
            },
            None => e.ts,
        };
        let key: Vec<Value> = self.plan.group.iter().map(|g| g.eval(e, cx)).collect();
        let args: Vec<Option<Value>> = self
            .plan
            .items
            .iter()
            .filter_map(|i| match i {
                AggItem::Agg { arg, .. } => Some(arg.as_ref().map(|a| a.eval(e, cx))),
                AggItem::Group(_) => None,
            })
            .collect();
        let fresh = || self.fresh();
        for (l, level) in st.levels.iter_mut().enumerate() {
            // The finest level always; a coarser one only when the event is late for a range
            // already merged into it.
            if l > 0 && ts >= level.rolled_to {
                break;
            }
            let start = bucket_start(level.granularity, ts);
            let states = level.buckets.entry(start).or_default().group(&key, fresh);
            for (s, a) in states.iter_mut().zip(&args) {
                s.add(a.as_ref());
            }
        }
        if ts > st.watermark {
            st.watermark = ts;
            self.roll(st);
            if let Some(purge) = &self.plan.purge {
                if st.watermark >= st.next_purge {
                    st.next_purge = st.watermark.saturating_add(purge.interval);
                    self.purge(st, &purge.retention);
                }
            }
        }
    }

    /// Drops the buckets older than their level's retention, measured back from the
    /// aggregation's time. A bucket not yet rolled up into the next level is kept whatever
    /// its age, so no coarser level loses it.
    fn purge(&self, st: &mut Levels, retention: &[Option<i64>]) {
        let mut dropped = 0;
        for l in 0..st.levels.len() {
            let Some(keep) = retention.get(l).copied().flatten() else {
                continue;
            };
            let mut cutoff = st.watermark.saturating_sub(keep);
            if let Some(next) = st.levels.get(l + 1) {
                cutoff = cutoff.min(next.rolled_to);
            }
            let level = &mut st.levels[l];
            let kept = level.buckets.split_off(&cutoff);
            dropped += level.buckets.len();
            level.buckets = kept;
        }
        if dropped > 0 {
            let total = self
                .purged_buckets
                .fetch_add(dropped as u64, Ordering::Relaxed)
                + dropped as u64;
            log::debug!(
                "aggregation '{}': purged {dropped} buckets past their retention ({total} so far)",
                self.plan.name
            );
        }
    }

    /// Merges every closed bucket into the next level, level by level.
    fn roll(&self, st: &mut Levels) {
        let fresh = || self.fresh();
        for l in 0..st.levels.len().saturating_sub(1) {
            let open = bucket_start(st.levels[l].granularity, st.watermark);
            let (lower, upper) = st.levels.split_at_mut(l + 1);
            let (below, above) = (&lower[l], &mut upper[0]);
            if above.rolled_to >= open {
                continue;
            }
            for (start, bucket) in below.buckets.range(above.rolled_to..open) {
                let target = bucket_start(above.granularity, *start);
                above
                    .buckets
                    .entry(target)
                    .or_default()
                    .merge(bucket, &fresh);
            }
            above.rolled_to = open;
        }
    }

    /// Rows for buckets of `granularity` starting in `[from, to)`: `AGG_TIMESTAMP` (the bucket
    /// start), then the projection, bucket by bucket, groups in first-seen order.
    pub fn read(&self, from: i64, to: i64, granularity: Granularity) -> Option<Vec<Event>> {
        let target = self.plan.levels.iter().position(|g| *g == granularity)?;
        let st = self.state.lock();
        let fresh = || self.fresh();
        let mut result: BTreeMap<i64, Bucket> = BTreeMap::new();
        for l in 0..=target {
            let level = &st.levels[l];
            // Below the target, only what has not been merged into the next level yet.
            let floor = if l < target {
                st.levels[l + 1].rolled_to
            } else {
                i64::MIN
            };
            for (start, bucket) in level.buckets.range(floor..) {
                let at = bucket_start(granularity, *start);
                if at >= from && at < to {
                    result.entry(at).or_default().merge(bucket, &fresh);
                }
            }
        }
        let mut rows = Vec::new();
        for (start, bucket) in result {
            for (key, states) in &bucket.groups {
                let mut data = vec![Value::Long(start)];
                let mut states = states.iter();
                for item in &self.plan.items {
                    data.push(match item {
                        AggItem::Group(i) => key[*i].clone(),
                        AggItem::Agg { .. } => states.next().map_or(Value::Null, State::value),
                    });
                }
                rows.push(Event::new(start, data));
            }
        }
        Some(rows)
    }
}

impl Subscriber for AggregationStore {
    fn receive(&self, batch: &[Event]) {
        let cx = EvalContext::new(&self.clock, &*self.tables);
        let mut st = self.state.lock();
        for e in batch.iter().filter(|e| e.kind == EventKind::Current) {
            self.add(&mut st, e, &cx);
        }
    }
}

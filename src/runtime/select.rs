//! The stateful query operator: window, aggregation per group, HAVING, ORDER BY / LIMIT per
//! chunk, and output rate limiting. One lock per query serialises arrivals and timers.

use crate::event::{Event, EventKind};
use crate::functions::aggregate::{Aggregator, OrdValue};
use crate::lang::{OutputEvents, OutputEvery, OutputMode, OutputRate};
use crate::plan::expr::{AggregateCall, EvalContext, Expr};
use crate::plan::graph::{Projection, SelectPlan};
use crate::runtime::env::Env;
use crate::runtime::junction::Subscriber;
use crate::runtime::metrics::QueryOutput;
use crate::runtime::window::{Emit, Window};
use crate::value::Value;
use parking_lot::Mutex;
use rustc_hash::FxHashMap;
use smallvec::SmallVec;
use std::collections::BTreeSet;
use std::sync::{Arc, Weak};

/// Most queries group by one or two attributes: keep those keys off the heap.
type GroupKey = SmallVec<[OrdValue; 2]>;

/// Aggregate state of one group.
struct Group {
    aggs: Vec<Box<dyn Aggregator>>,
    /// Events currently counted in (to drop empty groups of sliding windows).
    members: i64,
    /// Counted in `Groups::empty`.
    idle: bool,
    /// Stable identity (indices move when empty groups are swept).
    id: u64,
}

/// Groups in first-seen order (deterministic output, never hash order).
#[derive(Default)]
struct Groups {
    index: FxHashMap<GroupKey, usize>,
    groups: Vec<(GroupKey, Group)>,
    /// Groups with no member left; swept in bulk so keys that come and go do not churn.
    empty: usize,
}

/// A group's id for the rate limiter: the same for the same key after a batch window's reset
/// or a sweep, so LAST/FIRST/SNAPSHOT keep one row per group, not per position.
fn stable_id(key: &GroupKey) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = rustc_hash::FxHasher::default();
    key.hash(&mut h);
    h.finish()
}

impl Groups {
    /// Forgets empty groups once they outnumber the live ones (amortised O(1) per event).
    fn sweep(&mut self) {
        if self.empty < 64 || self.empty * 2 < self.groups.len() {
            return;
        }
        self.groups.retain(|(_, g)| g.members > 0);
        self.index.clear();
        for (i, (k, _)) in self.groups.iter().enumerate() {
            self.index.insert(k.clone(), i);
        }
        self.empty = 0;
    }
}

pub struct StatefulQuery {
    filter: Option<Expr>,
    projection: Projection,
    output_events: OutputEvents,
    plan: SelectPlan,
    target: QueryOutput,
    env: Arc<Env>,
    me: Weak<StatefulQuery>,
    state: Mutex<State>,
    /// Aggregates that never forget (minForever, ...) keep empty groups alive.
    keep_empty_groups: bool,
}

struct State {
    window: Option<Box<dyn Window>>,
    groups: Groups,
    /// Timer times already requested from the scheduler.
    scheduled: BTreeSet<i64>,
    rate: Option<RateLimiter>,
    emits: Vec<Emit>,
}

impl StatefulQuery {
    pub fn new(
        filter: Option<Expr>,
        projection: Projection,
        output_events: OutputEvents,
        plan: SelectPlan,
        target: QueryOutput,
        env: &Arc<Env>,
    ) -> Arc<StatefulQuery> {
        let keep_empty_groups = plan
            .aggregates
            .iter()
            .any(|a| a.function.name.ends_with("forever"));
        Arc::new_cyclic(|me| StatefulQuery {
            filter,
            projection,
            output_events,
            target,
            env: env.clone(),
            me: me.clone(),
            state: Mutex::new(State {
                window: plan.window.as_ref().map(|w| {
                    let mut win = crate::runtime::window::build(w);
                    if output_events == OutputEvents::Current {
                        win.skip_expired();
                    }
                    win
                }),
                groups: Groups::default(),
                scheduled: BTreeSet::new(),
                rate: plan
                    .output_rate
                    .map(|r| RateLimiter::new(r, plan.window.is_some())),
                emits: Vec::new(),
            }),
            keep_empty_groups,
            plan,
        })
    }

    pub(crate) fn held(&self) -> usize {
        self.state.lock().window.as_ref().map_or(0, |w| w.held())
    }

    fn forwards(&self, kind: EventKind) -> bool {
        match self.output_events {
            OutputEvents::Current => kind == EventKind::Current,
            OutputEvents::Expired => kind == EventKind::Expired,
            OutputEvents::All => true,
        }
    }

    /// Runs a window timer, or an output-rate tick, that came due at `at`.
    fn on_timer(&self, at: i64) {
        let mut st = self.state.lock();
        st.scheduled.remove(&at);
        // A snapshot due now is taken before what expires now leaves (Siddhi's order).
        let mut out = match st.rate.as_mut() {
            Some(rate) if rate.rate.mode == OutputMode::Snapshot => rate.tick(at),
            _ => Vec::new(),
        };
        let mut emits = std::mem::take(&mut st.emits);
        if let Some(w) = st.window.as_mut() {
            w.on_timer(at, &mut emits);
        }
        let mut rows = self.select(&mut st, &emits, at);
        emits.clear();
        st.emits = emits;
        self.finish_chunk(&mut rows);
        if let Some(rate) = st.rate.as_mut() {
            rows = rate.offer(rows, at, self.env.clock.start());
            rows.extend(rate.tick(at));
        }
        out.append(&mut rows);
        let rows = out;
        self.schedule(&mut st);
        drop(st);
        if !rows.is_empty() {
            self.target
                .publish(&rows.into_iter().map(|r| r.event).collect::<Vec<_>>());
        }
    }

    /// Asks the scheduler for the window's next timer and the rate limiter's next tick. When
    /// the input has ended, only while they still hold something to settle.
    fn schedule(&self, st: &mut State) {
        // A window still settling by time: it holds events and waits for a timer.
        let holding = st
            .window
            .as_ref()
            .is_some_and(|w| w.held() > 0 && w.next_timer().is_some());
        let rate_holding = holding || st.rate.as_ref().is_some_and(|r| r.holds_output());
        let finishing = self.env.scheduler.finishing();
        let wanted = [
            st.window
                .as_ref()
                .and_then(|w| w.next_timer())
                .filter(|_| !finishing || holding),
            st.rate
                .as_ref()
                .and_then(|r| r.next_tick())
                .filter(|_| !finishing || rate_holding),
        ];
        for at in wanted.into_iter().flatten() {
            if st.scheduled.insert(at) {
                let me = self.me.clone();
                self.env.scheduler.schedule_settling(at, move |t| {
                    if let Some(q) = me.upgrade() {
                        q.on_timer(t);
                    }
                });
            }
        }
    }

    /// Turns a window's output chunk into output rows.
    /// `now`: the chunk's time (an arrival, or the timer that closed a batch).
    fn select(&self, st: &mut State, emits: &[Emit], now: i64) -> Vec<Row> {
        let bounds = self.plan.window.as_ref().and_then(|w| w.bounds(now));
        let aggregating = !self.plan.aggregates.is_empty() || !self.plan.group_by.is_empty();
        let cx = self.env.eval();
        if !aggregating {
            // A snapshot holds what the window holds, so it needs the window's expired events
            // even when the query outputs only current ones (it never emits them).
            let snapshot = st
                .rate
                .as_ref()
                .is_some_and(|r| r.rate.mode == OutputMode::Snapshot);
            let wanted = |kind| self.forwards(kind) || (snapshot && kind == EventKind::Expired);
            return emits
                .iter()
                .filter_map(|e| match e {
                    Emit::Event(ev) if wanted(ev.kind) => Some(Row {
                        event: self.project(ev, &[], bounds),
                        key: None,
                        emptied: false,
                    }),
                    _ => None,
                })
                .filter(|r| self.having(&r.event))
                .collect();
        }
        let batch = st.window.as_ref().is_some_and(|w| w.is_batch());
        let snapshot = st
            .rate
            .as_ref()
            .is_some_and(|r| r.rate.mode == OutputMode::Snapshot);
        let mut rows = Vec::new();
        // Batch mode: the last event per group in this chunk, in first-seen order.
        let mut last: Vec<(usize, Event)> = Vec::new();
        // Batch mode: the rows of the batch that left; a group's expired row goes out only
        // when the new batch has no row for that group (Siddhi's rule: one row per group).
        let mut left_behind: Vec<Row> = Vec::new();
        for emit in emits {
            let ev = match emit {
                Emit::Reset => {
                    if batch {
                        let mark = rows.len();
                        self.flush_batch(st, &mut last, &mut rows, bounds);
                        if snapshot {
                            // The batch left the window: so do its groups, from the snapshot.
                            rows.push(Row {
                                event: Event::new(now, Arc::from(Vec::new())),
                                key: None,
                                emptied: true,
                            });
                        } else {
                            left_behind.extend(rows.drain(mark..));
                        }
                    }
                    st.groups = Groups::default();
                    continue;
                }
                // Batch mode: expired events are followed by a reset; skip them unless output.
                Emit::Event(ev)
                    if batch && ev.kind == EventKind::Expired && !self.forwards(ev.kind) =>
                {
                    continue
                }
                Emit::Event(ev) => ev,
            };
            let key: GroupKey = match self.plan.group_by.as_slice() {
                [] => GroupKey::new(),
                [g] => smallvec::smallvec![OrdValue(g.eval(ev, &cx))],
                many => many.iter().map(|g| OrdValue(g.eval(ev, &cx))).collect(),
            };
            let gi = self.group(&mut st.groups, key);
            let group = &mut st.groups.groups[gi].1;
            let expired = ev.kind == EventKind::Expired;
            for (call, agg) in self.plan.aggregates.iter().zip(group.aggs.iter_mut()) {
                let v = arg_value(call, ev, &cx);
                if expired {
                    agg.remove(&v);
                } else {
                    agg.add(&v);
                }
            }
            group.members += if expired { -1 } else { 1 };
            if group.idle && group.members > 0 {
                group.idle = false;
                st.groups.empty -= 1;
            }
            if batch {
                match last.iter_mut().find(|(g, e)| *g == gi && e.kind == ev.kind) {
                    Some(slot) => slot.1 = ev.clone(),
                    None => last.push((gi, ev.clone())),
                }
            } else {
                let emptied = expired && group.members <= 0;
                if self.forwards(ev.kind) {
                    let values: SmallVec<[Value; 4]> =
                        group.aggs.iter().map(|a| a.value()).collect();
                    let row = self.project(ev, &values, bounds);
                    // A snapshot only holds rows: it must see the one that empties a group.
                    if self.having(&row) || (emptied && snapshot) {
                        rows.push(Row {
                            event: row,
                            key: Some(group.id),
                            emptied,
                        });
                    }
                } else if emptied && snapshot {
                    // Not output, but the snapshot must forget the group.
                    rows.push(Row {
                        event: ev.clone(),
                        key: Some(group.id),
                        emptied,
                    });
                }
                if group.members <= 0 && !group.idle && !self.keep_empty_groups {
                    // Sliding windows: forget groups with nothing left in the window (in bulk).
                    group.idle = true;
                    st.groups.empty += 1;
                    st.groups.sweep();
                }
            }
        }
        if batch {
            let mark = rows.len();
            self.flush_batch(st, &mut last, &mut rows, bounds);
            // A group the new batch has a row for shows that row only.
            let renewed: Vec<Option<u64>> = rows[mark..]
                .iter()
                .filter(|r| r.event.kind == EventKind::Current)
                .map(|r| r.key)
                .collect();
            rows.splice(
                mark..mark,
                left_behind
                    .into_iter()
                    .filter(|r| r.event.kind == EventKind::Current || !renewed.contains(&r.key)),
            );
        }
        rows
    }

    /// One row per group that received events in this batch.
    fn flush_batch(
        &self,
        st: &State,
        last: &mut Vec<(usize, Event)>,
        rows: &mut Vec<Row>,
        bounds: Option<(i64, i64)>,
    ) {
        for (gi, ev) in last.drain(..) {
            if !self.forwards(ev.kind) {
                continue;
            }
            let values: Vec<Value> = st.groups.groups[gi]
                .1
                .aggs
                .iter()
                .map(|a| a.value())
                .collect();
            let row = self.project(&ev, &values, bounds);
            if self.having(&row) {
                rows.push(Row {
                    event: row,
                    key: Some(st.groups.groups[gi].1.id),
                    emptied: false,
                });
            }
        }
    }

    fn group(&self, groups: &mut Groups, key: GroupKey) -> usize {
        if let Some(i) = groups.index.get(&key) {
            return *i;
        }
        let aggs = self
            .plan
            .aggregates
            .iter()
            .map(|c| {
                (c.function.create)(
                    c.arg_type
                        .or(c.arg.as_ref().map(|_| crate::value::AttrType::String)),
                )
            })
            .collect();
        groups.groups.push((
            key.clone(),
            Group {
                aggs,
                members: 0,
                idle: false,
                id: stable_id(&key),
            },
        ));
        groups.index.insert(key, groups.groups.len() - 1);
        groups.groups.len() - 1
    }

    fn project(&self, ev: &Event, aggregates: &[Value], window: Option<(i64, i64)>) -> Event {
        let data: Arc<[Value]> = match &self.projection {
            Projection::PassThrough => ev.data.clone(),
            Projection::Exprs(exprs) => {
                let cx = EvalContext {
                    aggregates,
                    window,
                    ..self.env.eval()
                };
                exprs.iter().map(|e| e.eval(ev, &cx)).collect()
            }
        };
        Event {
            ts: ev.ts,
            kind: ev.kind,
            data,
        }
    }

    fn having(&self, row: &Event) -> bool {
        match &self.plan.having {
            Some(h) => h.test(row, &self.env.eval()),
            None => true,
        }
    }

    /// ORDER BY, OFFSET and LIMIT within one emitted chunk.
    fn finish_chunk(&self, rows: &mut Vec<Row>) {
        if !self.plan.order_by.is_empty() {
            rows.sort_by(|a, b| {
                for (i, asc) in &self.plan.order_by {
                    let o =
                        OrdValue(a.event.get(*i).clone()).cmp(&OrdValue(b.event.get(*i).clone()));
                    let o = if *asc { o } else { o.reverse() };
                    if o != std::cmp::Ordering::Equal {
                        return o;
                    }
                }
                std::cmp::Ordering::Equal
            });
        }
        if let Some(off) = self.plan.offset {
            rows.drain(..(off as usize).min(rows.len()));
        }
        if let Some(lim) = self.plan.limit {
            rows.truncate(lim as usize);
        }
    }
}

fn arg_value(call: &AggregateCall, ev: &Event, cx: &EvalContext) -> Value {
    match &call.arg {
        Some(e) => e.eval(ev, cx),
        // count(): every event counts.
        None => Value::Bool(true),
    }
}

impl Subscriber for StatefulQuery {
    fn receive(&self, batch: &[Event]) {
        let cx = self.env.eval();
        // Events of the input stream enter the window as arrivals (current).
        let as_is = self.filter.is_none() && batch.iter().all(|e| e.kind == EventKind::Current);
        let filtered: Vec<Event>;
        let arrivals: &[Event] = if as_is {
            batch
        } else {
            filtered = batch
                .iter()
                .filter(|e| self.filter.as_ref().is_none_or(|f| f.test(e, &cx)))
                .map(|e| Event {
                    ts: e.ts,
                    kind: EventKind::Current,
                    data: e.data.clone(),
                })
                .collect();
            &filtered
        };
        let now = self.env.clock.now();
        let mut st = self.state.lock();
        let mut emits = std::mem::take(&mut st.emits);
        match st.window.as_mut() {
            Some(w) => w.arrive(arrivals, now, &mut emits),
            None => emits.extend(arrivals.iter().cloned().map(Emit::Event)),
        }
        let rows = self.select(&mut st, &emits, now);
        emits.clear();
        st.emits = emits;
        self.emit_rows(st, rows, now);
    }
}

impl StatefulQuery {
    /// Selects over a chunk that was windowed elsewhere (a join's output), then emits.
    pub fn process_chunk(&self, emits: &[Emit], now: i64) {
        let mut st = self.state.lock();
        let rows = self.select(&mut st, emits, now);
        self.emit_rows(st, rows, now);
    }

    /// ORDER BY/LIMIT, output rate limiting, timers, then publish (after the lock is released).
    fn emit_rows(&self, mut st: parking_lot::MutexGuard<'_, State>, mut rows: Vec<Row>, now: i64) {
        self.finish_chunk(&mut rows);
        if let Some(rate) = st.rate.as_mut() {
            rows = rate.offer(rows, now, self.env.clock.start());
        }
        self.schedule(&mut st);
        drop(st);
        if !rows.is_empty() {
            self.target
                .publish(&rows.into_iter().map(|r| r.event).collect::<Vec<_>>());
        }
    }
}

/// An output row and its group (for per-group output rate limiting).
struct Row {
    event: Event,
    key: Option<u64>,
    /// This expired row left its group with nothing in the window: a snapshot drops the group.
    emptied: bool,
}

/// `OUTPUT [ALL|FIRST|LAST|SNAPSHOT] EVERY (n EVENTS | t)`.
struct RateLimiter {
    rate: OutputRate,
    windowed: bool,
    /// Rows seen in the current event-count period.
    count: u64,
    /// ALL: everything held; LAST and SNAPSHOT: one row per group (first-seen order).
    held: Vec<Row>,
    /// FIRST: groups already emitted in this period.
    emitted: Vec<Option<u64>>,
    /// FIRST EVERY n EVENTS: rows seen per group since its row went out.
    first_counts: std::collections::HashMap<Option<u64>, u64>,
    next_tick: Option<i64>,
    origin: Option<i64>,
}

impl RateLimiter {
    /// `windowed`: the query has a window (a snapshot then holds what the window holds).
    fn new(rate: OutputRate, windowed: bool) -> Self {
        RateLimiter {
            rate,
            windowed,
            count: 0,
            held: Vec::new(),
            emitted: Vec::new(),
            first_counts: std::collections::HashMap::new(),
            next_tick: None,
            origin: None,
        }
    }

    fn next_tick(&self) -> Option<i64> {
        self.next_tick
    }

    /// Whether a tick would let out rows held back (a snapshot re-emits what it holds forever,
    /// so it does not count).
    fn holds_output(&self) -> bool {
        self.rate.mode != OutputMode::Snapshot && !self.held.is_empty()
    }

    fn keep_last(&mut self, row: Row) {
        match self.held.iter_mut().find(|h| h.key == row.key) {
            Some(slot) => *slot = row,
            None => self.held.push(row),
        }
    }

    /// New rows at `now`: returns what goes out immediately. Periods count from `app_start`
    /// (Siddhi's rule), else from the first row.
    fn offer(&mut self, rows: Vec<Row>, now: i64, app_start: Option<i64>) -> Vec<Row> {
        let mut out = Vec::new();
        if let OutputEvery::Millis(period) = self.rate.every {
            if self.next_tick.is_none() && (!rows.is_empty() || !self.held.is_empty()) {
                let origin = *self
                    .origin
                    .get_or_insert(app_start.filter(|s| *s <= now).unwrap_or(now));
                self.next_tick = Some(origin + ((now - origin).div_euclid(period) + 1) * period);
            }
        }
        for row in rows {
            match (self.rate.mode, self.rate.every) {
                (OutputMode::All, OutputEvery::Events(n)) => {
                    self.held.push(row);
                    self.count += 1;
                    if self.count == n {
                        out.append(&mut self.held);
                        self.count = 0;
                    }
                }
                (OutputMode::First, OutputEvery::Events(n)) => {
                    // Counted per group (Siddhi's FirstGroupByPerEventOutputRateLimiter): a
                    // group's first row goes out, its next n - 1 do not, then it starts over.
                    match self.first_counts.get_mut(&row.key) {
                        None => {
                            if n > 1 {
                                self.first_counts.insert(row.key, 1);
                            }
                            out.push(row);
                        }
                        Some(c) if *c + 1 >= n => {
                            self.first_counts.remove(&row.key);
                        }
                        Some(c) => *c += 1,
                    }
                }
                (OutputMode::Last, OutputEvery::Events(n)) => {
                    self.keep_last(row);
                    self.count += 1;
                    if self.count == n {
                        out.append(&mut self.held);
                        self.count = 0;
                    }
                }
                (OutputMode::All, OutputEvery::Millis(_)) => self.held.push(row),
                (OutputMode::First, OutputEvery::Millis(_)) => {
                    if !self.emitted.contains(&row.key) {
                        self.emitted.push(row.key);
                        out.push(row);
                    }
                }
                (OutputMode::Last, OutputEvery::Millis(_)) => self.keep_last(row),
                (OutputMode::Snapshot, _) => {
                    if row.emptied {
                        // Nothing of the group (key None: of any group) is left in the window.
                        match row.key {
                            Some(_) => self.held.retain(|h| h.key != row.key),
                            None => self.held.clear(),
                        }
                    } else if row.key.is_some() {
                        // Aggregations: the latest row of each group.
                        self.keep_last(Row {
                            event: Event {
                                kind: EventKind::Current,
                                ..row.event
                            },
                            key: row.key,
                            emptied: false,
                        });
                    } else if !self.windowed {
                        // No window: a snapshot is the latest row.
                        self.held.clear();
                        self.held.push(row);
                    } else if row.event.kind == EventKind::Expired {
                        // Plain windows: what the window currently holds.
                        if let Some(i) = self
                            .held
                            .iter()
                            .position(|h| h.event.data == row.event.data)
                        {
                            self.held.remove(i);
                        }
                    } else {
                        self.held.push(row);
                    }
                }
            }
        }
        out
    }

    /// Period ends due at or before `now`.
    fn tick(&mut self, now: i64) -> Vec<Row> {
        let OutputEvery::Millis(period) = self.rate.every else {
            return Vec::new();
        };
        let mut out = Vec::new();
        while let Some(t) = self.next_tick.filter(|t| *t <= now) {
            match self.rate.mode {
                OutputMode::All | OutputMode::Last => out.append(&mut self.held),
                OutputMode::First => self.emitted.clear(),
                OutputMode::Snapshot => out.extend(self.held.iter().map(|r| Row {
                    event: Event {
                        ts: t,
                        kind: EventKind::Current,
                        data: r.event.data.clone(),
                    },
                    key: r.key,
                    emptied: false,
                })),
            }
            self.next_tick = if self.held.is_empty() && self.rate.mode != OutputMode::First {
                None
            } else {
                Some(t + period)
            };
            if self.rate.mode == OutputMode::First {
                self.next_tick = None;
            }
        }
        out
    }
}

impl crate::runtime::env::HoldsEvents for StatefulQuery {
    fn held(&self) -> usize {
        StatefulQuery::held(self)
    }
}

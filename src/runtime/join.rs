//! Two-stream joins. Each side runs its own window; an arrival (or expiry) on a triggering side
//! is matched against the other side's current window contents, hash-indexed by the equality in
//! the ON condition when there is one. Joined rows (expired ones too) then go through the
//! query's selector. A side without a window retains nothing.

use crate::event::{Event, EventKind};
use crate::functions::aggregate::OrdValue;
use crate::lang::JoinKind;
use crate::plan::expr::Expr;
use crate::plan::graph::JoinPlan;
use crate::runtime::env::Env;
use crate::runtime::junction::Subscriber;
use crate::runtime::select::StatefulQuery;
use crate::runtime::table::JoinLookup;
use crate::runtime::window::{Emit, Window};
use crate::value::Value;
use parking_lot::Mutex;
use rustc_hash::FxHashMap;
use std::collections::BTreeSet;
use std::sync::{Arc, Weak};

/// One side's current window contents.
struct Store {
    /// The side's attribute the other side looks it up by.
    key: Option<usize>,
    by_key: FxHashMap<OrdValue, Vec<Event>>,
    all: Vec<Event>,
}

impl Store {
    fn add(&mut self, e: &Event) {
        match self.key {
            Some(k) => self
                .by_key
                .entry(OrdValue(e.get(k).clone()))
                .or_default()
                .push(e.clone()),
            None => self.all.push(e.clone()),
        }
    }

    fn remove(&mut self, e: &Event) {
        let list = match self.key {
            Some(k) => match self.by_key.get_mut(&OrdValue(e.get(k).clone())) {
                Some(l) => l,
                None => return,
            },
            None => &mut self.all,
        };
        // The expired event shares its values with the stored one.
        if let Some(i) = list.iter().position(|x| Arc::ptr_eq(&x.data, &e.data)) {
            list.remove(i);
        }
        if let Some(k) = self.key {
            if list.is_empty() {
                self.by_key.remove(&OrdValue(e.get(k).clone()));
            }
        }
    }

    /// Candidates for a probe whose key value is `key` (all contents without an index).
    fn candidates(&self, key: Option<&Value>) -> &[Event] {
        match (self.key, key) {
            (Some(_), Some(v)) if v.is_null() => &[],
            (Some(_), Some(v)) => self
                .by_key
                .get(&OrdValue(v.clone()))
                .map_or(&[], |l| l.as_slice()),
            _ => &self.all,
        }
    }

    fn clear(&mut self) {
        self.by_key.clear();
        self.all.clear();
    }
}

struct Side {
    /// Set when this side is a table: probed at lookup time instead of `store`.
    table: Option<Arc<dyn JoinLookup>>,
    window: Option<Box<dyn Window>>,
    store: Store,
    triggers: bool,
    outer: bool,
    /// This side's attribute probed against the other side's index.
    probe: Option<usize>,
    width: usize,
}

struct State {
    sides: [Side; 2],
    scheduled: BTreeSet<(usize, i64)>,
}

pub struct JoinQuery {
    on: Option<Expr>,
    /// WHERE, over joined rows.
    filter: Option<Expr>,
    select: Arc<StatefulQuery>,
    env: Arc<Env>,
    me: Weak<JoinQuery>,
    state: Mutex<State>,
}

/// Subscribes a join to one of its input streams.
pub struct JoinInput {
    pub query: Arc<JoinQuery>,
    pub side: usize,
}

impl Subscriber for JoinInput {
    fn receive(&self, batch: &[Event]) {
        self.query.arrive(self.side, batch);
    }
}

impl JoinQuery {
    pub fn new(
        plan: &JoinPlan,
        filter: Option<Expr>,
        select: Arc<StatefulQuery>,
        env: &Arc<Env>,
        tables: [Option<Arc<dyn JoinLookup>>; 2],
    ) -> Arc<JoinQuery> {
        let (lk, rk) = match plan.keys {
            Some((l, r)) => (Some(l), Some(r)),
            None => (None, None),
        };
        let [left_table, right_table] = tables;
        let side = |table: Option<Arc<dyn JoinLookup>>,
                    w: &Option<crate::plan::window::WindowSpec>,
                    key,
                    triggers: bool,
                    outer,
                    width| Side {
            // A table never triggers: only stream arrivals probe it.
            triggers: triggers && table.is_none(),
            table,
            window: w.as_ref().map(crate::runtime::window::build),
            store: Store {
                key,
                by_key: FxHashMap::default(),
                all: Vec::new(),
            },
            outer,
            probe: key,
            width,
        };
        let left = side(
            left_table,
            &plan.left_window,
            lk,
            plan.left_triggers,
            matches!(plan.kind, JoinKind::Left | JoinKind::Full),
            plan.left_len,
        );
        let right = side(
            right_table,
            &plan.right_window,
            rk,
            plan.right_triggers,
            matches!(plan.kind, JoinKind::Right | JoinKind::Full),
            plan.right_len,
        );
        Arc::new_cyclic(|me| JoinQuery {
            on: plan.on.clone(),
            filter,
            select,
            env: env.clone(),
            me: me.clone(),
            state: Mutex::new(State {
                sides: [left, right],
                scheduled: BTreeSet::new(),
            }),
        })
    }

    fn arrive(&self, side: usize, batch: &[Event]) {
        let arrivals: Vec<Event> = batch
            .iter()
            .map(|e| Event {
                ts: e.ts,
                kind: EventKind::Current,
                data: e.data.clone(),
            })
            .collect();
        let now = self.env.clock.now();
        let mut st = self.state.lock();
        let mut emits = Vec::with_capacity(arrivals.len());
        match st.sides[side].window.as_mut() {
            Some(w) => w.arrive(&arrivals, now, &mut emits),
            None => emits.extend(arrivals.into_iter().map(Emit::Event)),
        }
        self.join_and_select(&mut st, side, &emits, now);
    }

    fn on_timer(&self, side: usize, at: i64) {
        let mut st = self.state.lock();
        st.scheduled.remove(&(side, at));
        let mut emits = Vec::new();
        if let Some(w) = st.sides[side].window.as_mut() {
            w.on_timer(at, &mut emits);
        }
        self.join_and_select(&mut st, side, &emits, at);
    }

    /// Applies one side's window output to its store, joins it with the other side, and hands
    /// the joined rows to the selector (still under the lock, so output keeps arrival order).
    fn join_and_select(&self, st: &mut State, side: usize, emits: &[Emit], now: i64) {
        let other = 1 - side;
        let cx = self.env.eval();
        let retains = st.sides[side].window.is_some();
        let mut joined = Vec::new();
        for emit in emits {
            let e = match emit {
                Emit::Reset => {
                    st.sides[side].store.clear();
                    continue;
                }
                Emit::Event(e) => e,
            };
            if retains {
                if e.kind == EventKind::Current {
                    st.sides[side].store.add(e);
                } else {
                    st.sides[side].store.remove(e);
                }
            }
            if !st.sides[side].triggers {
                continue;
            }
            let probe = st.sides[side].probe.map(|i| e.get(i));
            let mut matched = false;
            let from_table: Vec<Event>;
            let candidates: &[Event] = match &st.sides[other].table {
                Some(t) => {
                    from_table = t.matching(st.sides[other].store.key, probe, e);
                    &from_table
                }
                None => st.sides[other].store.candidates(probe),
            };
            for m in candidates {
                let row = combine(side, e, Some(m), st.sides[other].width);
                if self.on.as_ref().is_none_or(|c| c.test(&row, &cx)) {
                    matched = true;
                    joined.push(row);
                }
            }
            if !matched && st.sides[side].outer {
                joined.push(combine(side, e, None, st.sides[other].width));
            }
        }
        if let Some(f) = &self.filter {
            joined.retain(|r| f.test(r, &cx));
        }
        // Timers of this side's window.
        // When the input has ended, only while the window still holds events.
        let finishing = self.env.scheduler.finishing();
        let next = st.sides[side]
            .window
            .as_ref()
            .filter(|w| !finishing || w.held() > 0)
            .and_then(|w| w.next_timer());
        if let Some(at) = next {
            if st.scheduled.insert((side, at)) {
                let me = self.me.clone();
                self.env.scheduler.schedule_settling(at, move |t| {
                    if let Some(q) = me.upgrade() {
                        q.on_timer(side, t);
                    }
                });
            }
        }
        if !joined.is_empty() {
            let chunk: Vec<Emit> = joined.into_iter().map(Emit::Event).collect();
            self.select.process_chunk(&chunk, now);
        }
    }
}

/// The combined row: left attributes, then right; a missing side is NULLs.
fn combine(side: usize, e: &Event, other: Option<&Event>, other_width: usize) -> Event {
    let pad = || std::iter::repeat_n(Value::Null, other_width);
    let data: Arc<[Value]> = match (side, other) {
        (0, Some(o)) => e.data.iter().chain(o.data.iter()).cloned().collect(),
        (0, None) => e.data.iter().cloned().chain(pad()).collect(),
        (_, Some(o)) => o.data.iter().chain(e.data.iter()).cloned().collect(),
        (_, None) => pad().chain(e.data.iter().cloned()).collect(),
    };
    Event {
        ts: e.ts,
        kind: e.kind,
        data,
    }
}

impl crate::runtime::env::HoldsEvents for JoinQuery {
    fn held(&self) -> usize {
        let st = self.state.lock();
        st.sides
            .iter()
            .filter_map(|s| s.window.as_ref())
            .map(|w| w.held())
            .sum()
    }
}

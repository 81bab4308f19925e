//! Patterns (`e1=A -> e2=B`, followed-by: events in between are skipped) and sequences
//! (`e1=A, e2=B`, strict contiguity: the very next event must match). Partial matches wait per
//! element; when an element's filter equates one of its attributes with an earlier element's
//! (`symbol = e1.symbol`), the waiting matches are hash-indexed by that value, so an event only
//! visits the matches it can complete. `WITHIN` bounds how long a partial match lives. A
//! completed match is one combined row (every element's attributes) for the query's selector.

use crate::event::{Event, EventKind};
use crate::functions::aggregate::OrdValue;
use crate::lang::Logic;
use crate::plan::expr::{CmpOp, EvalContext, Expr};
use crate::plan::graph::{PatternElementPlan, PatternPlan, LAST_KEPT};
use crate::runtime::env::Env;
use crate::runtime::junction::Subscriber;
use crate::runtime::select::StatefulQuery;
use crate::runtime::window::Emit;

mod step;
mod timers;
use crate::value::Value;
use parking_lot::Mutex;
use rustc_hash::FxHashMap;
use smallvec::SmallVec;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};

/// In `Partial::done` at an and/or step: element i of the pair met (`MET << i`) or, for an
/// absent element, failed (`FAILED << i`).
const MET: u8 = 1;
const FAILED: u8 = 4;

struct Partial {
    /// The combined row, filled element by element.
    row: Vec<Value>,
    start_ts: i64,
    /// When the match reached its current step (an absent step's time counts from here).
    since: i64,
    /// At an and/or step: which of its two elements have been met or have failed (`MET << i`,
    /// `FAILED << i`).
    done: u8,
    /// Events collected by the counting element this match is at, or has passed but may still
    /// collect for (`open`).
    count: u32,
    /// A counting element behind the current step that still takes events (its minimum is
    /// met, its maximum not yet).
    open: Option<usize>,
}

impl Partial {
    /// A match that began at `start_ts` and waits since `since`, with nothing collected.
    fn new(row: Vec<Value>, start_ts: i64, since: i64) -> Partial {
        Partial {
            row,
            start_ts,
            since,
            done: 0,
            count: 0,
            open: None,
        }
    }
}

/// Where an and/or pair stands.
enum Pair {
    Met,
    Failed,
    Waiting,
}

/// What an event does to a partial match waiting at a step.
enum Outcome {
    /// The step is met: the match moves on with this row.
    Advance(Vec<Value>),
    /// A counting step collected one more event (now this many) and its minimum is not met.
    Collect(Vec<Value>, u32),
    /// A counting step met its minimum with this many events: the match moves on, and the
    /// element may still collect more while it waits for the next step.
    Counted(Vec<Value>, u32),
    /// Half of an `and` pair is met: wait here with this row and these halves done.
    Half(Vec<Value>, u8),
    /// The event an absent step forbids: the attempt ends.
    Kill,
    /// The event does not concern this match.
    Pass,
}

/// The partial matches waiting for one element.
#[derive(Default)]
struct Waiting {
    /// (own attribute index in the event, index in the combined row of the earlier value).
    key: Option<(usize, usize)>,
    buckets: FxHashMap<OrdValue, Vec<Partial>>,
    all: Vec<Partial>,
    len: usize,
}

struct State {
    /// `waiting[k]`: partial matches whose next step is `k` (step 0 only for a half-done
    /// `and` pair).
    waiting: Vec<Waiting>,
    /// Deadlines of absent steps with a timer armed.
    timers: std::collections::BTreeSet<i64>,
    /// Without `every`, only the first start counts.
    started: bool,
    /// Matches re-entering a later `every ( ... )` group, parked once the current event or
    /// timer is done (so that event cannot also be taken by them).
    rearm: Vec<(usize, Partial)>,
    events_since_sweep: u32,
}

pub struct PatternQuery {
    plan: PatternPlan,
    /// WHERE, over matched rows.
    filter: Option<Expr>,
    select: Arc<StatefulQuery>,
    /// The scheduler fires absent steps (`not B for t`) on the clock, events or not.
    env: Arc<Env>,
    me: Weak<PatternQuery>,
    state: Mutex<State>,
    /// Partial matches discarded by WITHIN.
    pub expired_partials: AtomicU64,
}

/// Feeds one of the pattern's streams.
pub struct PatternInput {
    pub query: Arc<PatternQuery>,
    pub stream: usize,
}

impl Subscriber for PatternInput {
    fn receive(&self, batch: &[Event]) {
        self.query.arrive(self.stream, batch);
    }
}

/// `own = earlier` among the top-level AND terms of element `k`'s filter.
fn equality_key(filter: &Expr, offset: usize, width: usize) -> Option<(usize, usize)> {
    match filter {
        Expr::And(a, b) => {
            equality_key(a, offset, width).or_else(|| equality_key(b, offset, width))
        }
        Expr::Cmp {
            op: CmpOp::Eq,
            left,
            right,
        } => match (left.as_ref(), right.as_ref()) {
            (Expr::Attr(i), Expr::Attr(j)) | (Expr::Attr(j), Expr::Attr(i))
                if (offset..offset + width).contains(i) && *j < offset =>
            {
                Some((*i - offset, *j))
            }
            _ => None,
        },
        _ => None,
    }
}

impl PatternQuery {
    pub fn new(
        plan: PatternPlan,
        filter: Option<Expr>,
        select: Arc<StatefulQuery>,
        env: &Arc<Env>,
    ) -> Arc<PatternQuery> {
        let waiting = plan
            .elements
            .iter()
            .enumerate()
            .map(|(k, el)| Waiting {
                // Sequences drop every attempt an event does not advance, and pairs and absent
                // steps are visited by more than one kind of event: no index for them.
                key: if plan.sequence
                    || el.partner.is_some()
                    || el.absent.is_some()
                    || el.count.is_some()
                    || k.checked_sub(1)
                        .is_some_and(|j| plan.elements[j].count.is_some())
                {
                    None
                } else {
                    el.filter
                        .as_ref()
                        .and_then(|f| equality_key(f, el.offset, el.width))
                },
                ..Default::default()
            })
            .collect();
        Arc::new_cyclic(|me| PatternQuery {
            plan,
            filter,
            select,
            env: env.clone(),
            me: me.clone(),
            state: Mutex::new(State {
                waiting,
                timers: Default::default(),
                started: false,
                rearm: Vec::new(),
                events_since_sweep: 0,
            }),
            expired_partials: AtomicU64::new(0),
        })
    }

    /// Whether the pattern opens with an absent element (`not A for t -> ...`): its one
    /// attempt waits from the start instead of being started by events.
    fn absent_start(&self) -> bool {
        self.plan.elements[0].absent.is_some()
    }

    /// Starts the clock of a pattern that opens with an absent element, at `now` (the app's
    /// start, or a partition key's first event). Other patterns start on events.
    pub fn begin(&self, now: i64) {
        if !self.absent_start() {
            return;
        }
        let mut st = self.state.lock();
        let p = self.fresh(now);
        self.wait_at(&mut st, 0, p);
    }

    /// An attempt at step 0 that began at `ts`, nothing bound.
    fn fresh(&self, ts: i64) -> Partial {
        Partial::new(vec![Value::Null; self.plan.width], ts, ts)
    }

    /// Parks a match at step `k`, arming the timers of its absent elements.
    fn wait_at(&self, st: &mut State, k: usize, p: Partial) {
        let periods: SmallVec<[i64; 2]> = self.periods(k).map(|(_, t)| t).collect();
        for period in periods {
            let due = p.since + period;
            if st.timers.insert(due) {
                let me = self.me.clone();
                self.env.scheduler.schedule(due, move |t| {
                    if let Some(q) = me.upgrade() {
                        q.on_timer(t);
                    }
                });
            }
        }
        Self::park(&mut st.waiting[k], p);
    }

    /// A match that met step `k` at `ts`: complete, or waiting for the next step. `counted`:
    /// step `k` is a counting element that has collected this many events.
    #[allow(clippy::too_many_arguments)]
    fn advance(
        &self,
        st: &mut State,
        k: usize,
        row: Vec<Value>,
        start_ts: i64,
        ts: i64,
        counted: Option<u32>,
        matched: &mut Vec<Event>,
    ) {
        if let Some(group) = self.plan.later_every_group_at(k).filter(|g| g.1 == k) {
            Self::rearm(&self.plan, group, st, &row, start_ts, ts);
        }
        // WITHIN counts from the end of an opening quiet period; with `every`, the next
        // period starts as this one ends.
        let start_ts = if k == 0 && self.absent_start() {
            if self.plan.every_first {
                st.rearm.push((0, self.fresh(ts)));
            }
            ts
        } else {
            start_ts
        };
        if k + 1 == self.plan.elements.len() {
            matched.push(Event {
                ts,
                kind: EventKind::Current,
                data: row.into(),
            });
            return;
        }
        // An optional next element (`B*`, `B?`, `<0:n>`) is met at once with no events; it
        // may still collect while the match waits at the step after it.
        if self.plan.elements[k + 1].count.is_some_and(|c| c.min == 0)
            && k + 2 < self.plan.elements.len()
        {
            self.advance(st, k + 1, row, start_ts, ts, Some(0), matched);
            return;
        }
        let max = self.plan.elements[k].count.and_then(|c| c.max);
        let (open, count) = match counted {
            Some(n) if max.is_none_or(|m| n < m) => (Some(k), n),
            _ => (None, 0),
        };
        let p = Partial {
            count,
            open,
            ..Partial::new(row, start_ts, ts)
        };
        self.wait_at(st, k + 1, p);
    }

    /// WHERE, then the selector; called under the state lock so matches leave in order.
    fn emit(&self, mut matched: Vec<Event>, now: i64) {
        if let Some(f) = &self.filter {
            let cx = self.env.eval();
            matched.retain(|r| f.test(r, &cx));
        }
        if !matched.is_empty() {
            let chunk: Vec<Emit> = matched.into_iter().map(Emit::Event).collect();
            self.select.process_chunk(&chunk, now);
        }
    }

    fn park(w: &mut Waiting, p: Partial) {
        w.len += 1;
        match w.key {
            Some((_, earlier)) => w
                .buckets
                .entry(OrdValue(p.row[earlier].clone()))
                .or_default()
                .push(p),
            None => w.all.push(p),
        }
    }

    /// Drops every partial match older than WITHIN (run now and then; candidates are also
    /// checked when visited).
    fn sweep(&self, st: &mut State, now: i64) {
        let Some(within) = self.plan.within else {
            return;
        };
        let mut dropped = 0;
        // An opening absent step waits as long as it must; WITHIN counts from its end.
        let skip = usize::from(self.absent_start());
        for w in st.waiting.iter_mut().skip(skip) {
            let before = w.len;
            w.all.retain(|p| now - p.start_ts <= within);
            w.buckets.retain(|_, v| {
                v.retain(|p| now - p.start_ts <= within);
                !v.is_empty()
            });
            w.len = w.all.len() + w.buckets.values().map(Vec::len).sum::<usize>();
            dropped += before - w.len;
        }
        self.expired_partials
            .fetch_add(dropped as u64, Ordering::Relaxed);
    }

    /// One more event for the counting element a match has passed but may still collect
    /// for; `None` when `e` is not one of its events.
    fn collect_open(
        &self,
        p: &Partial,
        stream: usize,
        e: &Event,
        cx: &EvalContext,
        scratch: &mut Event,
    ) -> Option<Partial> {
        let j = p.open?;
        let el = &self.plan.elements[j];
        if el.stream != stream {
            return None;
        }
        let row = Self::accepts_nth(el, &p.row, e, cx, scratch, p.count)?;
        let count = p.count + 1;
        let still_open = el.count.and_then(|c| c.max).is_none_or(|m| count < m);
        Some(Partial {
            row,
            start_ts: p.start_ts,
            since: p.since,
            done: p.done,
            count,
            open: still_open.then_some(j),
        })
    }

    fn arrive(&self, stream: usize, batch: &[Event]) {
        let cx = self.env.eval();
        let mut matched: Vec<Event> = Vec::new();
        let mut st = self.state.lock();
        let last = self.plan.elements.len() - 1;
        let mut scratch = Event::new(0, vec![Value::Null; self.plan.width]);
        for e in batch {
            st.events_since_sweep += 1;
            if st.events_since_sweep >= 1024 {
                st.events_since_sweep = 0;
                self.sweep(&mut st, e.ts);
            }
            // Absent steps whose time ran out before this event are met first.
            if !st.timers.is_empty() {
                self.fire_due(&mut st, e.ts, &mut matched);
                self.park_rearmed(&mut st, e.ts);
            }
            // A leading `every ( ... )` group restarts after the event that completes it, not
            // with it (Siddhi's rule).
            let group_end = self.plan.leading_every_group();
            let mut completed_group = false;
            // `every e1=A<n> -> ...`: like a group, a new attempt starts once the previous one
            // has collected its n (Siddhi's rule), not at every A.
            let counting_first = self.plan.every_first && self.plan.elements[0].count.is_some();
            // A sequence's `every`: an event an attempt in progress took (without completing
            // it) does not also start a new attempt (Siddhi's rule: attempts do not overlap).
            let mut taken_midway = false;
            let steps = self.plan.elements.len();
            // Later steps first, so a match advanced by this event is not advanced twice. Step 0
            // holds partial matches only when it is an `and` pair half done.
            for k in (0..=last).rev() {
                if k == 0 && st.waiting[0].len == 0 {
                    continue;
                }
                let el = &self.plan.elements[k];
                if !self.step_takes(k, stream) {
                    if self.plan.sequence {
                        // Strict contiguity: an event of another element breaks the attempt.
                        let w = &mut st.waiting[k];
                        let broken = w.len;
                        w.all.clear();
                        w.buckets.clear();
                        w.len = 0;
                        if k == 0 && broken > 0 && self.absent_start() {
                            self.reopen(&mut st, e.ts);
                        }
                    }
                    continue;
                }
                let candidates = {
                    let w = &mut st.waiting[k];
                    match w.key {
                        Some((own, _)) => w
                            .buckets
                            .remove(&OrdValue(e.get(own).clone()))
                            .unwrap_or_default(),
                        None => std::mem::take(&mut w.all),
                    }
                };
                st.waiting[k].len -= candidates.len();
                let mut kept = Vec::new();
                for p in candidates {
                    let opening = k == 0 && self.absent_start();
                    if !opening && self.plan.within.is_some_and(|w| e.ts - p.start_ts > w) {
                        self.expired_partials.fetch_add(1, Ordering::Relaxed);
                        continue;
                    }
                    let outcome =
                        self.try_step(k, (&p.row, p.done, p.count), (stream, e), &cx, &mut scratch);
                    let met = match outcome {
                        Outcome::Advance(row) => Ok((row, None)),
                        Outcome::Counted(row, n) => Ok((row, Some(n))),
                        other => Err(other),
                    };
                    match met {
                        Ok((row, counted)) => {
                            taken_midway |= k + 1 < steps;
                            let first_done = k == 0 && counting_first;
                            completed_group |= group_end == Some(k) || first_done;
                            self.advance(&mut st, k, row, p.start_ts, e.ts, counted, &mut matched);
                            // `every` here: the attempt also waits for the next such event; at
                            // a counting element it collects afresh, from the next event on
                            // (Siddhi's rule: no overlapping counts).
                            if el.every && !first_done {
                                if counted.is_some() {
                                    let mut row = p.row.clone();
                                    for v in &mut row[el.offset..el.offset + el.width] {
                                        *v = Value::Null;
                                    }
                                    kept.push(Partial { row, count: 0, ..p });
                                } else {
                                    kept.push(p);
                                }
                            }
                        }
                        Err(Outcome::Collect(row, count)) => {
                            taken_midway = true;
                            kept.push(Partial { row, count, ..p })
                        }
                        // The event an opening absent step forbids (in a pair: one that rules out
                        // its quiet branch) ends that wait.
                        Err(Outcome::Kill) if opening => self.reopen(&mut st, e.ts),
                        Err(Outcome::Half(_, done))
                            if opening && done & (FAILED | FAILED << 1) != 0 =>
                        {
                            self.reopen(&mut st, e.ts)
                        }
                        Err(Outcome::Half(row, done)) => {
                            taken_midway = true;
                            kept.push(Partial { row, done, ..p })
                        }
                        // An attempt ended inside a later `every` group enters it again.
                        Err(Outcome::Kill) => {
                            if let Some(group) = self.plan.later_every_group_at(k) {
                                Self::rearm(&self.plan, group, &mut st, &p.row, p.start_ts, e.ts);
                            }
                        }
                        // A counting element behind this step takes one more event.
                        Err(Outcome::Pass) if p.open.is_some() => {
                            match self.collect_open(&p, stream, e, &cx, &mut scratch) {
                                Some(more) => {
                                    taken_midway = true;
                                    kept.push(more)
                                }
                                None if self.plan.sequence && el.absent.is_none() => {}
                                None => kept.push(p),
                            }
                        }
                        // A sequence's absent step lets other events of its stream by.
                        Err(Outcome::Pass) if el.absent.is_some() => kept.push(p),
                        Err(_) if self.plan.sequence => {}
                        Err(_) => kept.push(p),
                    }
                }
                for p in kept {
                    Self::park(&mut st.waiting[k], p);
                }
            }
            // Start a new attempt.
            let may_start = if counting_first {
                !completed_group && st.waiting[0].len == 0
            } else if self.plan.every_first {
                !(self.plan.sequence && taken_midway)
            } else if let Some(last) = self.plan.leading_every_group() {
                // No attempt is inside the `every ( ... )` group, and this event did not just
                // complete it.
                !completed_group && st.waiting[..=last].iter().all(|w| w.len == 0)
            } else {
                !st.started
            };
            // An optional first element (`A*`, `A?`) may be skipped: the second one can start.
            let optional_first = self.plan.elements.len() > 1
                && self.plan.elements[0].count.is_some_and(|c| c.min == 0);
            let takes_first = self.step_takes(0, stream) && !self.absent_start();
            if may_start && (takes_first || (optional_first && self.step_takes(1, stream))) {
                let empty = vec![Value::Null; self.plan.width];
                let fresh = |row, done, count| Partial {
                    done,
                    count,
                    ..Partial::new(row, e.ts, e.ts)
                };
                let first = if takes_first {
                    self.try_step(0, (&empty, 0, 0), (stream, e), &cx, &mut scratch)
                } else {
                    Outcome::Pass
                };
                // Skipping an optional first element, the event tries the second step.
                let (step, outcome) = match first {
                    Outcome::Pass | Outcome::Kill if optional_first => (
                        1,
                        self.try_step(1, (&empty, 0, 0), (stream, e), &cx, &mut scratch),
                    ),
                    other => (0, other),
                };
                match outcome {
                    Outcome::Advance(row) => {
                        st.started = true;
                        self.advance(&mut st, step, row, e.ts, e.ts, None, &mut matched);
                    }
                    Outcome::Counted(row, n) => {
                        st.started = true;
                        self.advance(&mut st, step, row, e.ts, e.ts, Some(n), &mut matched);
                    }
                    Outcome::Half(row, done) => {
                        st.started = true;
                        Self::park(&mut st.waiting[step], fresh(row, done, 0));
                    }
                    Outcome::Collect(row, count) => {
                        st.started = true;
                        Self::park(&mut st.waiting[step], fresh(row, 0, count));
                    }
                    Outcome::Kill | Outcome::Pass => {}
                }
            }
            self.park_rearmed(&mut st, e.ts);
        }
        // Still under the lock, so matches leave in the order events arrived.
        self.emit(matched, self.env.clock.now());
        drop(st);
    }
}

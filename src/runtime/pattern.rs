//! Patterns (`e1=A -> e2=B`, followed-by: events in between are skipped) and sequences
//! (`e1=A, e2=B`, strict contiguity: the very next event must match). Partial matches wait per
//! element; when an element's filter equates one of its attributes with an earlier element's
//! (`symbol = e1.symbol`), the waiting matches are hash-indexed by that value, so an event only
//! visits the matches it can complete. `WITHIN` bounds how long a partial match lives. A
//! completed match is one combined row (every element's attributes) for the query's selector.

use crate::event::{Event, EventKind};
use crate::functions::aggregate::OrdValue;
use crate::plan::expr::{CmpOp, EvalContext, Expr};
use crate::plan::graph::{PatternElementPlan, PatternPlan};
use crate::runtime::clock::Clock;
use crate::runtime::junction::Subscriber;
use crate::runtime::select::StatefulQuery;
use crate::runtime::window::Emit;
use crate::sql::ast::Logic;
use crate::value::Value;
use rustc_hash::FxHashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

struct Partial {
    /// The combined row, filled element by element.
    row: Vec<Value>,
    start_ts: i64,
    /// At an `and` step: which of its two elements have matched (bit 1: the first, 2: the
    /// second).
    done: u8,
}

/// What an event does to a partial match waiting at a step.
struct StepResult {
    row: Vec<Value>,
    done: u8,
    /// The step is satisfied: the match moves on to the next step.
    complete: bool,
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
    /// `waiting[k]`: partial matches whose next element is `k` (index 0 unused).
    waiting: Vec<Waiting>,
    /// Without `every`, only the first start counts.
    started: bool,
    events_since_sweep: u32,
}

impl State {
    fn live(&self) -> usize {
        self.waiting.iter().map(|w| w.len).sum()
    }
}

pub struct PatternQuery {
    plan: PatternPlan,
    /// WHERE, over matched rows.
    filter: Option<Expr>,
    select: Arc<StatefulQuery>,
    clock: Arc<Clock>,
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
        clock: Arc<Clock>,
    ) -> Arc<PatternQuery> {
        let waiting = plan
            .elements
            .iter()
            .map(|el| Waiting {
                // Sequences drop every attempt an event does not advance: no index for them.
                key: if plan.sequence || el.partner.is_some() {
                    None
                } else {
                    el.filter
                        .as_ref()
                        .and_then(|f| equality_key(f, el.offset, el.width))
                },
                ..Default::default()
            })
            .collect();
        Arc::new(PatternQuery {
            plan,
            filter,
            select,
            clock,
            state: Mutex::new(State {
                waiting,
                started: false,
                events_since_sweep: 0,
            }),
            expired_partials: AtomicU64::new(0),
        })
    }

    /// Whether `e` satisfies element `k` given the partial row bound so far. The test runs on a
    /// scratch row owned by this call (no allocation); only an accepted candidate is copied.
    fn accepts(
        el: &PatternElementPlan,
        row: &[Value],
        e: &Event,
        cx: &EvalContext,
        scratch: &mut Event,
    ) -> Option<Vec<Value>> {
        let n = el.width.min(e.data.len());
        if let Some(f) = &el.filter {
            let data = Arc::get_mut(&mut scratch.data).expect("the scratch row is never shared");
            // Only this element's slots and earlier ones are read by its filter.
            data[..el.offset].clone_from_slice(&row[..el.offset]);
            data[el.offset..el.offset + n].clone_from_slice(&e.data[..n]);
            scratch.ts = e.ts;
            if !f.test(scratch, cx) {
                return None;
            }
        }
        let mut candidate = row.to_vec();
        candidate[el.offset..el.offset + n].clone_from_slice(&e.data[..n]);
        Some(candidate)
    }

    /// Whether step `k` takes events of `stream`.
    fn step_takes(&self, k: usize, stream: usize) -> bool {
        let el = &self.plan.elements[k];
        el.stream == stream || el.partner.as_ref().is_some_and(|(_, o)| o.stream == stream)
    }

    /// Tries event `e` (of `stream`) on a partial match waiting at step `k` with `row` bound and
    /// `done` halves of an `and` pair matched.
    fn try_step(
        &self,
        k: usize,
        (row, done): (&[Value], u8),
        (stream, e): (usize, &Event),
        cx: &EvalContext,
        scratch: &mut Event,
    ) -> Option<StepResult> {
        let el = &self.plan.elements[k];
        let Some((logic, other)) = &el.partner else {
            if el.stream != stream {
                return None;
            }
            return Self::accepts(el, row, e, cx, scratch).map(|row| StepResult {
                row,
                done: 0,
                complete: true,
            });
        };
        for (bit, sub) in [(1u8, el), (2u8, other.as_ref())] {
            if sub.stream != stream || (*logic == Logic::And && done & bit != 0) {
                continue;
            }
            if let Some(row) = Self::accepts(sub, row, e, cx, scratch) {
                let done = done | bit;
                return Some(StepResult {
                    row,
                    done,
                    complete: *logic == Logic::Or || done == 3,
                });
            }
        }
        None
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
        for w in &mut st.waiting {
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

    fn arrive(&self, stream: usize, batch: &[Event]) {
        let cx = EvalContext::new(&self.clock);
        let mut matched: Vec<Event> = Vec::new();
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let last = self.plan.elements.len() - 1;
        let mut scratch = Event::new(0, vec![Value::Null; self.plan.width]);
        for e in batch {
            st.events_since_sweep += 1;
            if st.events_since_sweep >= 1024 {
                st.events_since_sweep = 0;
                self.sweep(&mut st, e.ts);
            }
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
                        w.all.clear();
                        w.buckets.clear();
                        w.len = 0;
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
                    if self.plan.within.is_some_and(|w| e.ts - p.start_ts > w) {
                        self.expired_partials.fetch_add(1, Ordering::Relaxed);
                        continue;
                    }
                    match self.try_step(k, (&p.row, p.done), (stream, e), &cx, &mut scratch) {
                        Some(r) if r.complete => {
                            if k == last {
                                matched.push(Event {
                                    ts: e.ts,
                                    kind: EventKind::Current,
                                    data: r.row.into(),
                                });
                            } else {
                                Self::park(
                                    &mut st.waiting[k + 1],
                                    Partial {
                                        row: r.row,
                                        start_ts: p.start_ts,
                                        done: 0,
                                    },
                                );
                            }
                            // `every` here: the attempt also waits for the next such event.
                            if el.every {
                                kept.push(p);
                            }
                        }
                        // Half of an `and` pair: wait here for the other half.
                        Some(r) => kept.push(Partial {
                            row: r.row,
                            start_ts: p.start_ts,
                            done: r.done,
                        }),
                        None if self.plan.sequence => {}
                        None => kept.push(p),
                    }
                }
                for p in kept {
                    Self::park(&mut st.waiting[k], p);
                }
            }
            // Start a new attempt.
            let may_start = if self.plan.every_first {
                true
            } else if self.plan.every_all {
                st.live() == 0
            } else {
                !st.started
            };
            if may_start && self.step_takes(0, stream) {
                let empty = vec![Value::Null; self.plan.width];
                if let Some(r) = self.try_step(0, (&empty, 0), (stream, e), &cx, &mut scratch) {
                    st.started = true;
                    let (at, done) = if r.complete { (1, 0) } else { (0, r.done) };
                    if r.complete && last == 0 {
                        matched.push(Event {
                            ts: e.ts,
                            kind: EventKind::Current,
                            data: r.row.into(),
                        });
                    } else {
                        Self::park(
                            &mut st.waiting[at],
                            Partial {
                                row: r.row,
                                start_ts: e.ts,
                                done,
                            },
                        );
                    }
                }
            }
        }
        if let Some(f) = &self.filter {
            matched.retain(|r| f.test(r, &cx));
        }
        if !matched.is_empty() {
            // Still under the lock, so matches leave in the order events arrived.
            let chunk: Vec<Emit> = matched.into_iter().map(Emit::Event).collect();
            self.select.process_chunk(&chunk, self.clock.now());
        }
        drop(st);
    }
}

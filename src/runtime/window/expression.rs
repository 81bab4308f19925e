//! `expression('count() <= 20')`: keeps the newest events for which an aggregate condition
//! holds, expiring the oldest until it does. The condition was bound when the app compiled.

use super::{Emit, Window};
use crate::clock::{Clock, ClockMode};
use crate::event::Event;
use crate::functions::aggregate::Aggregator;
use crate::plan::expr::{AggregateCall, EvalContext, Expr, NoTables};
use crate::value::{AttrType, Value};
use std::collections::VecDeque;
use std::sync::Arc;

pub(super) fn expression(cond: &Expr, calls: &[AggregateCall]) -> Box<dyn Window> {
    let states = calls
        .iter()
        .map(|c| (c.function.create)(c.arg_type.or(c.arg.as_ref().map(|_| AttrType::String))))
        .collect();
    Box::new(ExpressionWindow {
        cond: cond.clone(),
        calls: calls.to_vec(),
        states,
        events: VecDeque::new(),
        clock: Clock::new(ClockMode::Playback),
    })
}

struct ExpressionWindow {
    cond: Expr,
    calls: Vec<AggregateCall>,
    states: Vec<Box<dyn Aggregator>>,
    events: VecDeque<Event>,
    /// Conditions read aggregates, not time; functions that ask for the time see the window's.
    clock: Clock,
}

impl ExpressionWindow {
    fn update(&mut self, e: &Event, add: bool) {
        let cx = EvalContext::new(&self.clock, &NoTables);
        for (call, state) in self.calls.iter().zip(self.states.iter_mut()) {
            let v = call
                .arg
                .as_ref()
                .map_or(Value::Bool(true), |a| a.eval(e, &cx));
            if add {
                state.add(&v);
            } else {
                state.remove(&v);
            }
        }
    }

    fn holds(&self, newest: &Event) -> bool {
        let values: Vec<Value> = self.states.iter().map(|s| s.value()).collect();
        self.cond.test(
            newest,
            &EvalContext {
                clock: &self.clock,
                tables: &NoTables,
                aggregates: &values,
                window: None,
            },
        )
    }
}

impl Window for ExpressionWindow {
    fn held(&self) -> usize {
        self.events.len()
    }

    fn arrive(&mut self, events: &[Event], now: i64, out: &mut Vec<Emit>) {
        self.clock.advance_to(now);
        for e in events {
            self.update(e, true);
            self.events.push_back(e.clone());
            let mut expired = Vec::new();
            while !self.events.is_empty() && !self.holds(e) {
                let old = self.events.pop_front().expect("not empty");
                self.update(&old, false);
                expired.push(old);
            }
            // The arrival itself may not fit: it is emitted, then expires at once.
            let arrival_expired = expired
                .last()
                .is_some_and(|x| Arc::ptr_eq(&x.data, &e.data) && self.events.is_empty());
            let count = expired.len() - usize::from(arrival_expired);
            out.extend(
                expired
                    .drain(..count)
                    .map(|x| Emit::Event(x.into_expired(now))),
            );
            out.push(Emit::Event(e.clone()));
            out.extend(
                expired
                    .into_iter()
                    .map(|x| Emit::Event(x.into_expired(now))),
            );
        }
    }
}

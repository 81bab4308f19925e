//! `expression('count() <= 20')`: keeps the newest events for which an aggregate condition
//! holds, expiring the oldest until it does.

use super::{expect_count, Emit, WinArg, Window, WindowDef};
use crate::clock::{Clock, ClockMode};
use crate::event::Event;
use crate::functions::aggregate::Aggregator;
use crate::functions::FunctionRegistry;
use crate::plan::expr::{AggregateCall, EvalContext, Expr, Scope};
use crate::sql::parser::EventFluxDialect;
use crate::value::{AttrType, Value};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::sync::Arc;

pub const EXPRESSION: WindowDef = WindowDef {
    name: "expression",
    aliases: &[],
    signatures: &["expression(condition STRING)"],
    description: "Holds the newest events for which a condition over aggregates of the window \
                  holds, such as 'count() <= 20' or 'sum(volume) < 10000': each arrival is added, \
                  then the oldest events expire until the condition is true again.",
    example: "CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);\nINSERT INTO Out SELECT symbol, sum(volume) AS v FROM Trades WINDOW('expression', 'sum(volume) <= 1000') GROUP BY symbol;",
    build: |args, schema| {
        expect_count(args, &[1], "expression(condition)")?;
        let WinArg::Str(text) = &args[0] else {
            return Err(format!("the condition must be a string such as 'count() <= 20', got {}", args[0].describe()));
        };
        let parsed = sqlparser::parser::Parser::new(&EventFluxDialect)
            .try_with_sql(text)
            .and_then(|mut p| p.parse_expr())
            .map_err(|e| format!("condition '{text}' does not parse: {e}"))?;
        let functions = FunctionRegistry::with_builtins();
        let calls = RefCell::new(Vec::new());
        let scope = Scope { schema, alias: None, functions: &functions, aggregates: Some(&calls), join: None, tables: &[] };
        let bound = scope.bind(&parsed).map_err(|d| format!("condition '{text}': {}", d.message))?;
        if bound.ty.is_some_and(|t| t != AttrType::Bool) {
            return Err(format!("condition '{text}' must be true or false"));
        }
        let calls: Vec<AggregateCall> = calls.into_inner();
        let cond = bound.expr;
        Ok(Arc::new(move || {
            let states = calls.iter().map(|c| (c.function.create)(c.arg_type.or(c.arg.as_ref().map(|_| AttrType::String)))).collect();
            Box::new(ExpressionWindow {
                cond: cond.clone(),
                calls: calls.clone(),
                states,
                events: VecDeque::new(),
                clock: Clock::new(ClockMode::Playback),
            })
        }))
    },
};

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
        let cx = EvalContext::new(&self.clock);
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
                aggregates: &values,
            },
        )
    }
}

impl Window for ExpressionWindow {
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

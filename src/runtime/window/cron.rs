//! `cron('expr')`: batches that close on a cron schedule (Quartz syntax with seconds).

use super::{expect_count, Emit, WinArg, Window, WindowDef};
use crate::event::Event;
use chrono::{DateTime, Utc};
use std::str::FromStr;
use std::sync::Arc;

pub const CRON: WindowDef = WindowDef {
    name: "cron",
    aliases: &[],
    signatures: &["cron(expression STRING)"],
    description: "Batches that close on a cron schedule, read on the app clock in UTC: at each \
                  firing the previous batch expires and the events that arrived since the last \
                  firing are emitted; an empty batch emits nothing. The expression has seconds: \
                  'sec min hour day-of-month month day-of-week [year]', e.g. '*/5 * * * * *' \
                  (every 5 seconds) or '0 0 * * * *' (every hour).",
    example: "CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);\nINSERT INTO Out SELECT symbol, sum(volume) AS v FROM Trades WINDOW('cron', '0 * * * * *') GROUP BY symbol;",
    build: |args, _| {
        expect_count(args, &[1], "cron(expression)")?;
        let WinArg::Str(text) = &args[0] else {
            return Err(format!("the expression must be a string such as '*/5 * * * * *', got {}", args[0].describe()));
        };
        let schedule = cron::Schedule::from_str(text)
            .map_err(|e| format!("'{text}' is not a cron expression ({e}); expected 'sec min hour day-of-month month day-of-week [year]'"))?;
        let schedule = Arc::new(schedule);
        Ok(Arc::new(move || Box::new(Cron { schedule: schedule.clone(), next: None, batch: Vec::new(), previous: Vec::new(), keep_previous: true })))
    },
};

struct Cron {
    schedule: Arc<cron::Schedule>,
    next: Option<i64>,
    batch: Vec<Event>,
    previous: Vec<Event>,
    keep_previous: bool,
}

impl Cron {
    /// The first firing strictly after `ms`.
    fn after(&self, ms: i64) -> Option<i64> {
        let t = DateTime::<Utc>::from_timestamp_millis(ms)?;
        self.schedule.after(&t).next().map(|d| d.timestamp_millis())
    }

    fn fire(&mut self, now: i64, out: &mut Vec<Emit>) {
        while let Some(at) = self.next.filter(|t| *t <= now) {
            if !self.batch.is_empty() || !self.previous.is_empty() {
                out.extend(
                    self.previous
                        .drain(..)
                        .map(|e| Emit::Event(e.into_expired(at))),
                );
                out.push(Emit::Reset);
                for e in self.batch.drain(..) {
                    if self.keep_previous {
                        self.previous.push(e.clone());
                    }
                    out.push(Emit::Event(e));
                }
            }
            let idle = self.batch.is_empty() && self.previous.is_empty();
            self.next = if idle { None } else { self.after(at) };
        }
    }
}

impl Window for Cron {
    fn arrive(&mut self, events: &[Event], now: i64, out: &mut Vec<Emit>) {
        self.fire(now, out);
        if events.is_empty() {
            return;
        }
        if self.next.is_none() {
            self.next = self.after(now);
        }
        self.batch.extend_from_slice(events);
    }

    fn on_timer(&mut self, now: i64, out: &mut Vec<Emit>) {
        self.fire(now, out);
    }

    fn next_timer(&self) -> Option<i64> {
        self.next
    }

    fn is_batch(&self) -> bool {
        true
    }

    fn skip_expired(&mut self) {
        self.keep_previous = false;
    }
}

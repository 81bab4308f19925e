//! `cron('expr')`: batches that close on a cron schedule (Quartz syntax with seconds).

use super::{Emit, Window};
use crate::event::Event;
use chrono::{DateTime, Utc};
use std::sync::Arc;

pub(super) fn cron(schedule: Arc<cron::Schedule>) -> Box<dyn Window> {
    Box::new(Cron {
        schedule,
        next: None,
        batch: Vec::new(),
        previous: Vec::new(),
        keep_previous: true,
    })
}

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
    fn held(&self) -> usize {
        self.batch.len() + self.previous.len()
    }

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

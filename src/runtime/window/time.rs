//! Time-based windows on the app clock (`time`, `timeBatch`/`tumbling`, `timeLength`,
//! `sliding`/`hop`, `delay`) and on an event attribute (`externalTime`, `externalTimeBatch`).

use super::{Emit, Window};
use crate::event::{Event, EventKind};
use std::collections::VecDeque;

/// `time(t)`, and `timeLength(t, n)` with `max = n`.
pub(super) fn time(t: i64, max: usize) -> Box<dyn Window> {
    Box::new(Time {
        t,
        max,
        events: VecDeque::new(),
    })
}

/// `timeBatch`/`tumbling` (size = slide) and `sliding`/`hop`.
pub(super) fn grid(size: i64, slide: i64, origin: Option<i64>) -> Box<dyn Window> {
    Box::new(Grid::new(size, slide, origin))
}

pub(super) fn delay(t: i64) -> Box<dyn Window> {
    Box::new(Delay {
        t,
        events: VecDeque::new(),
    })
}

pub(super) fn external_time(index: usize, t: i64) -> Box<dyn Window> {
    Box::new(ExternalTime {
        index,
        t,
        events: VecDeque::new(),
    })
}

pub(super) fn external_time_batch(
    index: usize,
    t: i64,
    origin: Option<i64>,
    timeout: Option<i64>,
) -> Box<dyn Window> {
    Box::new(ExternalTimeBatch {
        index,
        t,
        origin,
        end: None,
        batch: Vec::new(),
        previous: Vec::new(),
        timeout,
        last_arrival: 0,
    })
}

struct Time {
    t: i64,
    max: usize,
    /// (arrival time, event), oldest first.
    events: VecDeque<(i64, Event)>,
}

impl Time {
    fn expire(&mut self, now: i64, out: &mut Vec<Emit>) {
        while let Some((at, _)) = self.events.front() {
            if at + self.t > now {
                break;
            }
            let (at, e) = self.events.pop_front().expect("front exists");
            out.push(Emit::Event(e.into_expired(at + self.t)));
        }
    }
}

impl Window for Time {
    fn held(&self) -> usize {
        self.events.len()
    }

    fn arrive(&mut self, events: &[Event], now: i64, out: &mut Vec<Emit>) {
        self.expire(now, out);
        for e in events {
            if self.events.len() == self.max {
                if let Some((_, old)) = self.events.pop_front() {
                    out.push(Emit::Event(old.into_expired(now)));
                }
            }
            self.events.push_back((now, e.clone()));
            out.push(Emit::Event(e.clone()));
        }
    }

    fn on_timer(&mut self, now: i64, out: &mut Vec<Emit>) {
        self.expire(now, out);
    }

    fn next_timer(&self) -> Option<i64> {
        self.events.front().map(|(at, _)| at + self.t)
    }
}

/// Batches that end on a grid of `slide` and cover the last `size` (tumbling when equal).
struct Grid {
    size: i64,
    slide: i64,
    /// Grid origin; set by start.time or by the first event.
    origin: Option<i64>,
    next_end: Option<i64>,
    /// (arrival time, event) of events that may still fall into a future batch.
    events: VecDeque<(i64, Event)>,
    /// The batch emitted last, expired at the next batch end.
    previous: Vec<Event>,
    keep_previous: bool,
}

impl Grid {
    fn new(size: i64, slide: i64, origin: Option<i64>) -> Grid {
        Grid {
            size,
            slide,
            origin,
            next_end: None,
            events: VecDeque::new(),
            previous: Vec::new(),
            keep_previous: true,
        }
    }

    fn flush(&mut self, now: i64, out: &mut Vec<Emit>) {
        while let Some(end) = self.next_end.filter(|e| *e <= now) {
            // Events that arrived before this batch's start can never be emitted again.
            while self
                .events
                .front()
                .is_some_and(|(at, _)| *at < end - self.size)
            {
                self.events.pop_front();
            }
            let current: Vec<Event> = self
                .events
                .iter()
                .filter(|(at, _)| *at < end)
                .map(|(_, e)| e.clone())
                .collect();
            if !current.is_empty() || !self.previous.is_empty() {
                out.extend(
                    self.previous
                        .drain(..)
                        .map(|e| Emit::Event(e.into_expired(end))),
                );
                out.push(Emit::Reset);
                out.extend(current.iter().cloned().map(Emit::Event));
            }
            self.previous = current;
            let idle = self.previous.is_empty() && self.events.is_empty();
            self.next_end = if idle { None } else { Some(end + self.slide) };
        }
    }
}

impl Window for Grid {
    fn held(&self) -> usize {
        self.events.len() + self.previous.len()
    }

    fn arrive(&mut self, events: &[Event], now: i64, out: &mut Vec<Emit>) {
        self.flush(now, out);
        if events.is_empty() {
            return;
        }
        if self.next_end.is_none() {
            let origin = *self.origin.get_or_insert(now);
            // The first grid point after `now`.
            let k = (now - origin).div_euclid(self.slide) + 1;
            self.next_end = Some(origin + k * self.slide);
        }
        self.events.extend(events.iter().map(|e| (now, e.clone())));
    }

    fn on_timer(&mut self, now: i64, out: &mut Vec<Emit>) {
        self.flush(now, out);
    }

    fn next_timer(&self) -> Option<i64> {
        self.next_end
    }

    fn is_batch(&self) -> bool {
        true
    }

    fn skip_expired(&mut self) {
        self.keep_previous = false;
    }
}

struct Delay {
    t: i64,
    events: VecDeque<(i64, Event)>,
}

impl Window for Delay {
    fn held(&self) -> usize {
        self.events.len()
    }

    fn arrive(&mut self, events: &[Event], now: i64, out: &mut Vec<Emit>) {
        self.on_timer(now, out);
        self.events.extend(events.iter().map(|e| (now, e.clone())));
    }

    fn on_timer(&mut self, now: i64, out: &mut Vec<Emit>) {
        while self
            .events
            .front()
            .is_some_and(|(at, _)| at + self.t <= now)
        {
            let (at, e) = self.events.pop_front().expect("front exists");
            out.push(Emit::Event(Event {
                ts: at + self.t,
                kind: EventKind::Current,
                data: e.data,
            }));
        }
    }

    fn next_timer(&self) -> Option<i64> {
        self.events.front().map(|(at, _)| at + self.t)
    }
}

fn attr_time(e: &Event, index: usize) -> Option<i64> {
    e.get(index).as_i64()
}

struct ExternalTime {
    index: usize,
    t: i64,
    events: VecDeque<(i64, Event)>,
}

impl Window for ExternalTime {
    fn held(&self) -> usize {
        self.events.len()
    }

    fn arrive(&mut self, events: &[Event], _now: i64, out: &mut Vec<Emit>) {
        for e in events {
            let Some(ts) = attr_time(e, self.index) else {
                continue;
            };
            while self.events.front().is_some_and(|(at, _)| at + self.t <= ts) {
                let (_, old) = self.events.pop_front().expect("front exists");
                out.push(Emit::Event(old.into_expired(e.ts)));
            }
            self.events.push_back((ts, e.clone()));
            out.push(Emit::Event(e.clone()));
        }
    }
}

struct ExternalTimeBatch {
    index: usize,
    t: i64,
    origin: Option<i64>,
    end: Option<i64>,
    batch: Vec<Event>,
    previous: Vec<Event>,
    /// Emit a batch that has been quiet this long on the app clock.
    timeout: Option<i64>,
    last_arrival: i64,
}

impl ExternalTimeBatch {
    fn emit(&mut self, at: i64, out: &mut Vec<Emit>) {
        if !self.batch.is_empty() || !self.previous.is_empty() {
            out.extend(
                self.previous
                    .drain(..)
                    .map(|x| Emit::Event(x.into_expired(at))),
            );
            out.push(Emit::Reset);
            out.extend(self.batch.iter().cloned().map(Emit::Event));
            self.previous = std::mem::take(&mut self.batch);
        }
    }
}

impl Window for ExternalTimeBatch {
    fn held(&self) -> usize {
        self.batch.len() + self.previous.len()
    }

    fn arrive(&mut self, events: &[Event], now: i64, out: &mut Vec<Emit>) {
        self.on_timer(now, out);
        for e in events {
            let Some(ts) = attr_time(e, self.index) else {
                continue;
            };
            let end = *self.end.get_or_insert_with(|| {
                let origin = *self.origin.get_or_insert(ts);
                origin + ((ts - origin).div_euclid(self.t) + 1) * self.t
            });
            if ts >= end {
                self.emit(e.ts, out);
                self.end = Some(end + ((ts - end).div_euclid(self.t) + 1) * self.t);
            }
            self.batch.push(e.clone());
            self.last_arrival = now;
        }
    }

    fn on_timer(&mut self, now: i64, out: &mut Vec<Emit>) {
        if let Some(timeout) = self.timeout {
            if !self.batch.is_empty() && self.last_arrival + timeout <= now {
                self.emit(now, out);
            }
        }
    }

    fn next_timer(&self) -> Option<i64> {
        match self.timeout {
            Some(timeout) if !self.batch.is_empty() => Some(self.last_arrival + timeout),
            _ => None,
        }
    }

    fn is_batch(&self) -> bool {
        true
    }
}

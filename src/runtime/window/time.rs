//! Time-based windows on the app clock (`time`, `timeBatch`/`tumbling`, `timeLength`,
//! `sliding`/`hop`, `delay`) and on an event attribute (`externalTime`, `externalTimeBatch`).

use super::{
    duration, expect_count, positive_int, time_attribute, Emit, WinArg, Window, WindowDef,
};
use crate::event::{Event, EventKind};
use std::collections::VecDeque;
use std::sync::Arc;

pub const TIME: WindowDef = WindowDef {
    name: "time",
    aliases: &[],
    signatures: &["time(t TIME)"],
    description: "Events of the last t on the app clock: each event expires t after it arrived.",
    example: "CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);\nINSERT ALL EVENTS INTO Out SELECT max(price) AS mp FROM Trades WINDOW('time', 1 SECOND);",
    build: |args, _| {
        expect_count(args, &[1], "time(t)")?;
        let t = duration(&args[0], "t")?;
        Ok(Arc::new(move || {
            Box::new(Time {
                t,
                max: usize::MAX,
                events: VecDeque::new(),
            })
        }))
    },
};

pub const TIME_LENGTH: WindowDef = WindowDef {
    name: "timeLength",
    aliases: &[],
    signatures: &["timeLength(t TIME, n INT)"],
    description:
        "Events of the last t, at most n of them: an event expires t after it arrived, or \
                  earlier when n newer events have arrived.",
    example: "CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);\nINSERT INTO Out SELECT count() AS n FROM Trades WINDOW('timeLength', 10 SECONDS, 1000);",
    build: |args, _| {
        expect_count(args, &[2], "timeLength(t, n)")?;
        let t = duration(&args[0], "t")?;
        let max = positive_int(&args[1], "n")?;
        Ok(Arc::new(move || {
            Box::new(Time {
                t,
                max,
                events: VecDeque::new(),
            })
        }))
    },
};

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

pub const TIME_BATCH: WindowDef = WindowDef {
    name: "timeBatch",
    aliases: &["tumbling"],
    signatures: &["timeBatch(t TIME)", "timeBatch(t TIME, start.time BIGINT)", "tumbling(t TIME)"],
    description: "Back-to-back batches of length t on the app clock. At each batch end the previous \
                  batch expires and the events of the ending batch are emitted; an empty batch emits \
                  nothing. Batches start at the first event (or on the grid start.time + k*t).",
    example: "CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);\nINSERT INTO Out SELECT symbol, count() AS c FROM Trades WINDOW TUMBLING(1 MINUTE) GROUP BY symbol;",
    build: |args, _| {
        expect_count(args, &[1, 2], "timeBatch(t[, start.time])")?;
        let t = duration(&args[0], "t")?;
        let start = match args.get(1) {
            None => None,
            Some(WinArg::Int(s)) | Some(WinArg::Duration(s)) => Some(*s),
            Some(other) => return Err(format!("start.time must be milliseconds, got {}", other.describe())),
        };
        Ok(Arc::new(move || {
            Box::new(Grid::new(t, t, start))
        }))
    },
};

pub const SLIDING: WindowDef = WindowDef {
    name: "sliding",
    aliases: &["hop"],
    signatures: &["sliding(size TIME, slide TIME)", "hop(size TIME, slide TIME)"],
    description: "Overlapping time windows: every slide, the events of the last size are emitted as \
                  one batch (the previous one expires), so aggregations give one result per slide.",
    example: "CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);\nINSERT INTO Out SELECT symbol, avg(price) AS ap FROM Trades WINDOW SLIDING(10 MINUTES, 1 MINUTE) GROUP BY symbol;",
    build: |args, _| {
        expect_count(args, &[2], "sliding(size, slide)")?;
        let size = duration(&args[0], "size")?;
        let slide = duration(&args[1], "slide")?;
        Ok(Arc::new(move || {
            Box::new(Grid::new(size, slide, None))
        }))
    },
};

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

pub const DELAY: WindowDef = WindowDef {
    name: "delay",
    aliases: &[],
    signatures: &["delay(t TIME)"],
    description:
        "Holds each event for t, then emits it (as a current event stamped with its release time).",
    example: "CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);\nINSERT INTO Late SELECT * FROM Trades WINDOW('delay', 1 MINUTE);",
    build: |args, _| {
        expect_count(args, &[1], "delay(t)")?;
        let t = duration(&args[0], "t")?;
        Ok(Arc::new(move || {
            Box::new(Delay {
                t,
                events: VecDeque::new(),
            })
        }))
    },
};

struct Delay {
    t: i64,
    events: VecDeque<(i64, Event)>,
}

impl Window for Delay {
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

pub const EXTERNAL_TIME: WindowDef = WindowDef {
    name: "externalTime",
    aliases: &[],
    signatures: &["externalTime(ts BIGINT attribute, t TIME)"],
    description: "Like time(t), but time is read from an attribute of the events (milliseconds): an \
                  arrival expires the events at least t older than it. Events with a NULL time are dropped.",
    example: "CREATE STREAM Readings (event_ts BIGINT, v DOUBLE);\nINSERT INTO Out SELECT count() AS n FROM Readings WINDOW('externalTime', event_ts, 5 SECONDS);",
    build: |args, _| {
        expect_count(args, &[2], "externalTime(ts_attribute, t)")?;
        let index = time_attribute(&args[0], "the first argument")?;
        let t = duration(&args[1], "t")?;
        Ok(Arc::new(move || Box::new(ExternalTime { index, t, events: VecDeque::new() })))
    },
};

struct ExternalTime {
    index: usize,
    t: i64,
    events: VecDeque<(i64, Event)>,
}

impl Window for ExternalTime {
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

pub const EXTERNAL_TIME_BATCH: WindowDef = WindowDef {
    name: "externalTimeBatch",
    aliases: &[],
    signatures: &[
        "externalTimeBatch(ts BIGINT attribute, t TIME)",
        "externalTimeBatch(ts BIGINT attribute, t TIME, start.time BIGINT)",
        "externalTimeBatch(ts BIGINT attribute, t TIME, start.time BIGINT, timeout TIME)",
    ],
    description: "Batches of length t by an attribute's time (milliseconds): the first event whose \
                  time reaches the batch end closes the batch (the previous one expires, this one is \
                  emitted). Batches start at the first event's time or on the grid start.time + k*t. With a \
                  timeout, a batch that receives no event for that long (on the app clock) is \
                  emitted without waiting for a later event.",
    example: "CREATE STREAM Payments (paid_at BIGINT, amount DOUBLE);\nINSERT INTO Out SELECT sum(amount) AS total FROM Payments WINDOW('externalTimeBatch', paid_at, 1 HOUR);",
    build: |args, _| {
        expect_count(args, &[2, 3, 4], "externalTimeBatch(ts_attribute, t[, start.time[, timeout]])")?;
        let index = time_attribute(&args[0], "the first argument")?;
        let t = duration(&args[1], "t")?;
        let origin = match args.get(2) {
            None => None,
            Some(WinArg::Int(s)) | Some(WinArg::Duration(s)) => Some(*s),
            Some(other) => return Err(format!("start.time must be milliseconds, got {}", other.describe())),
        };
        let timeout = match args.get(3) {
            Some(a) => Some(duration(a, "timeout")?),
            None => None,
        };
        Ok(Arc::new(move || Box::new(ExternalTimeBatch { index, t, origin, end: None, batch: Vec::new(), previous: Vec::new(), timeout, last_arrival: 0 })))
    },
};

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

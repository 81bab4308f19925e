//! Windows that keep events by key or order: `sort`, `unique`, `firstUnique`, `uniqueLength`,
//! `session`.

use super::{attribute, duration, expect_count, positive_int, Emit, WinArg, Window, WindowDef};
use crate::event::Event;
use crate::functions::aggregate::OrdValue;
use std::cmp::Ordering;
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

pub const SORT: WindowDef = WindowDef {
    name: "sort",
    aliases: &[],
    signatures: &["sort(n INT, attr[, 'asc'|'desc'], ...more attributes with orders)"],
    description: "Keeps the n events that come first in the given order; an arrival beyond n is \
                  emitted and then the event that sorts last expires (it may be the arrival itself).",
    example: "CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);\nINSERT ALL EVENTS INTO Out SELECT symbol, price FROM Trades WINDOW('sort', 3, price, 'desc');",
    build: |args, _| {
        if args.len() < 2 {
            return Err(format!("expects sort(n, attr[, 'asc'|'desc'], ...), got {} argument(s)", args.len()));
        }
        let n = positive_int(&args[0], "n")?;
        let mut keys: Vec<(usize, bool)> = Vec::new();
        let mut i = 1;
        while i < args.len() {
            let (index, _) = attribute(&args[i], "a sort key")?;
            let mut asc = true;
            if let Some(WinArg::Str(order)) = args.get(i + 1) {
                asc = match order.to_ascii_lowercase().as_str() {
                    "asc" => true,
                    "desc" => false,
                    other => return Err(format!("sort order must be 'asc' or 'desc', got '{other}'")),
                };
                i += 1;
            }
            keys.push((index, asc));
            i += 1;
        }
        Ok(Arc::new(move || Box::new(Sort { n, keys: keys.clone(), events: Vec::new() })))
    },
};

struct Sort {
    n: usize,
    keys: Vec<(usize, bool)>,
    events: Vec<Event>,
}

impl Sort {
    fn order(&self, a: &Event, b: &Event) -> Ordering {
        for (i, asc) in &self.keys {
            let o = OrdValue(a.get(*i).clone()).cmp(&OrdValue(b.get(*i).clone()));
            let o = if *asc { o } else { o.reverse() };
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    }
}

impl Window for Sort {
    fn arrive(&mut self, events: &[Event], now: i64, out: &mut Vec<Emit>) {
        for e in events {
            // Insert after equal keys, so among ties the newest sorts last.
            let pos = self
                .events
                .partition_point(|x| self.order(x, e) != Ordering::Greater);
            self.events.insert(pos, e.clone());
            out.push(Emit::Event(e.clone()));
            if self.events.len() > self.n {
                if let Some(last) = self.events.pop() {
                    out.push(Emit::Event(last.into_expired(now)));
                }
            }
        }
    }
}

fn key_of(e: &Event, index: usize) -> OrdValue {
    OrdValue(e.get(index).clone())
}

pub const UNIQUE: WindowDef = WindowDef {
    name: "unique",
    aliases: &[],
    signatures: &["unique(key attribute)"],
    description: "The latest event per key: an arrival with a key already held expires the older event first.",
    example: "CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);\nINSERT ALL EVENTS INTO Latest SELECT symbol, price FROM Trades WINDOW('unique', symbol);",
    build: |args, _| {
        expect_count(args, &[1], "unique(key)")?;
        let (index, _) = attribute(&args[0], "the key")?;
        Ok(Arc::new(move || Box::new(Unique { index, held: HashMap::new() })))
    },
};

struct Unique {
    index: usize,
    held: HashMap<OrdValue, Event>,
}

impl Window for Unique {
    fn arrive(&mut self, events: &[Event], now: i64, out: &mut Vec<Emit>) {
        for e in events {
            if let Some(old) = self.held.insert(key_of(e, self.index), e.clone()) {
                out.push(Emit::Event(old.into_expired(now)));
            }
            out.push(Emit::Event(e.clone()));
        }
    }
}

pub const FIRST_UNIQUE: WindowDef = WindowDef {
    name: "firstUnique",
    aliases: &[],
    signatures: &["firstUnique(key attribute)"],
    description: "The first event per key; later events with a key already seen are not emitted.",
    example: "CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);\nINSERT INTO FirstSeen SELECT symbol, price FROM Trades WINDOW('firstUnique', symbol);",
    build: |args, _| {
        expect_count(args, &[1], "firstUnique(key)")?;
        let (index, _) = attribute(&args[0], "the key")?;
        Ok(Arc::new(move || {
            Box::new(FirstUnique {
                index,
                seen: HashMap::new(),
            })
        }))
    },
};

struct FirstUnique {
    index: usize,
    seen: HashMap<OrdValue, ()>,
}

impl Window for FirstUnique {
    fn arrive(&mut self, events: &[Event], _now: i64, out: &mut Vec<Emit>) {
        for e in events {
            if self.seen.insert(key_of(e, self.index), ()).is_none() {
                out.push(Emit::Event(e.clone()));
            }
        }
    }
}

pub const UNIQUE_LENGTH: WindowDef = WindowDef {
    name: "uniqueLength",
    aliases: &[],
    signatures: &["uniqueLength(key attribute, n INT)"],
    description:
        "At most n events with distinct keys: an arrival expires the held event with the same \
                  key, then, beyond n, the oldest.",
    example: "CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);\nINSERT INTO Out SELECT symbol, price FROM Trades WINDOW('uniqueLength', symbol, 10);",
    build: |args, _| {
        expect_count(args, &[2], "uniqueLength(key, n)")?;
        let (index, _) = attribute(&args[0], "the key")?;
        let n = positive_int(&args[1], "n")?;
        Ok(Arc::new(move || {
            Box::new(UniqueLength {
                index,
                n,
                events: VecDeque::new(),
            })
        }))
    },
};

struct UniqueLength {
    index: usize,
    n: usize,
    events: VecDeque<Event>,
}

impl Window for UniqueLength {
    fn arrive(&mut self, events: &[Event], now: i64, out: &mut Vec<Emit>) {
        for e in events {
            let key = key_of(e, self.index);
            if let Some(i) = self
                .events
                .iter()
                .position(|x| key_of(x, self.index) == key)
            {
                if let Some(old) = self.events.remove(i) {
                    out.push(Emit::Event(old.into_expired(now)));
                }
            } else if self.events.len() == self.n {
                if let Some(old) = self.events.pop_front() {
                    out.push(Emit::Event(old.into_expired(now)));
                }
            }
            self.events.push_back(e.clone());
            out.push(Emit::Event(e.clone()));
        }
    }
}

pub const SESSION: WindowDef = WindowDef {
    name: "session",
    aliases: &[],
    signatures: &["session(gap TIME)", "session(gap TIME, key attribute)", "session(gap TIME, key attribute, allowed.latency TIME)"],
    description: "Sessions of activity, per key when one is given: events are emitted as they arrive \
                  and a session's events all expire once no event has arrived for gap. With \
                  allowed.latency a closed session waits that much longer for late events, which \
                  join it (as if the gap were gap + allowed.latency).",
    example: "CREATE STREAM Clicks (user STRING, url STRING);\nINSERT ALL EVENTS INTO Out SELECT user, count() AS clicks FROM Clicks WINDOW SESSION(30 SECONDS, user) GROUP BY user;",
    build: |args, _| {
        expect_count(args, &[1, 2, 3], "session(gap[, key][, allowed.latency])")?;
        let gap = duration(&args[0], "gap")?;
        let latency = match args.get(2) {
            Some(a) => duration(a, "allowed.latency")?,
            None => 0,
        };
        let key = match args.get(1) {
            Some(a) => Some(attribute(a, "the key")?.0),
            None => None,
        };
        Ok(Arc::new(move || Box::new(Session { gap: gap + latency, key, sessions: Vec::new() })))
    },
};

struct Session {
    gap: i64,
    key: Option<usize>,
    /// (key, session end, events) in order of creation.
    sessions: Vec<(OrdValue, i64, Vec<Event>)>,
}

impl Window for Session {
    fn arrive(&mut self, events: &[Event], now: i64, out: &mut Vec<Emit>) {
        self.on_timer(now, out);
        for e in events {
            let key = self
                .key
                .map_or(OrdValue(crate::value::Value::Null), |i| key_of(e, i));
            match self.sessions.iter_mut().find(|(k, _, _)| *k == key) {
                Some(s) => {
                    s.1 = now + self.gap;
                    s.2.push(e.clone());
                }
                None => self.sessions.push((key, now + self.gap, vec![e.clone()])),
            }
            out.push(Emit::Event(e.clone()));
        }
    }

    fn on_timer(&mut self, now: i64, out: &mut Vec<Emit>) {
        let mut i = 0;
        while i < self.sessions.len() {
            if self.sessions[i].1 <= now {
                let (_, end, events) = self.sessions.remove(i);
                out.extend(events.into_iter().map(|e| Emit::Event(e.into_expired(end))));
            } else {
                i += 1;
            }
        }
    }

    fn next_timer(&self) -> Option<i64> {
        self.sessions.iter().map(|s| s.1).min()
    }
}

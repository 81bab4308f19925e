//! Windows that keep events by key or order: `sort`, `unique`, `firstUnique`, `uniqueLength`,
//! `session`.

use super::{Emit, Window};
use crate::event::Event;
use crate::functions::aggregate::OrdValue;
use std::cmp::Ordering;
use std::collections::{HashMap, VecDeque};

pub(super) fn sort(n: usize, keys: Vec<(usize, bool)>) -> Box<dyn Window> {
    Box::new(Sort {
        n,
        keys,
        events: Vec::new(),
    })
}

pub(super) fn unique(index: usize) -> Box<dyn Window> {
    Box::new(Unique {
        index,
        held: HashMap::new(),
    })
}

pub(super) fn first_unique(index: usize) -> Box<dyn Window> {
    Box::new(FirstUnique {
        index,
        seen: HashMap::new(),
    })
}

pub(super) fn unique_length(index: usize, n: usize) -> Box<dyn Window> {
    Box::new(UniqueLength {
        index,
        n,
        events: VecDeque::new(),
    })
}

/// Allowed latency behaves as a longer gap.
pub(super) fn session(gap: i64, key: Option<usize>, allowed_latency: i64) -> Box<dyn Window> {
    Box::new(Session {
        gap: gap + allowed_latency,
        key,
        sessions: Vec::new(),
    })
}

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
    fn held(&self) -> usize {
        self.events.len()
    }

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

struct Unique {
    index: usize,
    held: HashMap<OrdValue, Event>,
}

impl Window for Unique {
    fn held(&self) -> usize {
        self.held.len()
    }

    fn arrive(&mut self, events: &[Event], now: i64, out: &mut Vec<Emit>) {
        for e in events {
            if let Some(old) = self.held.insert(key_of(e, self.index), e.clone()) {
                out.push(Emit::Event(old.into_expired(now)));
            }
            out.push(Emit::Event(e.clone()));
        }
    }
}

struct FirstUnique {
    index: usize,
    seen: HashMap<OrdValue, ()>,
}

impl Window for FirstUnique {
    fn held(&self) -> usize {
        0
    }

    fn arrive(&mut self, events: &[Event], _now: i64, out: &mut Vec<Emit>) {
        for e in events {
            if self.seen.insert(key_of(e, self.index), ()).is_none() {
                out.push(Emit::Event(e.clone()));
            }
        }
    }
}

struct UniqueLength {
    index: usize,
    n: usize,
    events: VecDeque<Event>,
}

impl Window for UniqueLength {
    fn held(&self) -> usize {
        self.events.len()
    }

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

struct Session {
    gap: i64,
    key: Option<usize>,
    /// (key, session end, events) in order of creation.
    sessions: Vec<(OrdValue, i64, Vec<Event>)>,
}

impl Window for Session {
    fn held(&self) -> usize {
        self.sessions
            .iter()
            .map(|(_, _, events)| events.len())
            .sum()
    }

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

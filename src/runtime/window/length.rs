//! Count-based windows: `length(n)` and `lengthBatch(n[, stream.current.event])`.

use super::{Emit, Window};
use crate::event::Event;
use std::collections::VecDeque;

pub(super) fn length(n: usize) -> Box<dyn Window> {
    Box::new(Length {
        n,
        events: VecDeque::with_capacity(n.min(1 << 16)),
    })
}

pub(super) fn length_batch(n: usize, stream_current: bool) -> Box<dyn Window> {
    Box::new(LengthBatch {
        n,
        stream_current,
        batch: Vec::new(),
        previous: Vec::new(),
    })
}

struct Length {
    n: usize,
    events: VecDeque<Event>,
}

impl Window for Length {
    fn held(&self) -> usize {
        self.events.len()
    }

    fn arrive(&mut self, events: &[Event], now: i64, out: &mut Vec<Emit>) {
        for e in events {
            if self.events.len() == self.n {
                if let Some(old) = self.events.pop_front() {
                    out.push(Emit::Event(old.into_expired(now)));
                }
            }
            self.events.push_back(e.clone());
            out.push(Emit::Event(e.clone()));
        }
    }
}

struct LengthBatch {
    n: usize,
    stream_current: bool,
    batch: Vec<Event>,
    previous: Vec<Event>,
}

impl Window for LengthBatch {
    fn held(&self) -> usize {
        self.batch.len() + self.previous.len()
    }

    fn arrive(&mut self, events: &[Event], now: i64, out: &mut Vec<Emit>) {
        for e in events {
            if self.stream_current {
                // A full batch stays (and stays joinable) until the next event starts the
                // next one; then it expires, in the same chunk as that event (Siddhi's order).
                if self.batch.len() == self.n {
                    out.extend(
                        self.batch
                            .drain(..)
                            .map(|x| Emit::Event(x.into_expired(now))),
                    );
                    out.push(Emit::Reset);
                }
                self.batch.push(e.clone());
                out.push(Emit::Event(e.clone()));
                continue;
            }
            self.batch.push(e.clone());
            if self.batch.len() == self.n {
                out.extend(
                    self.previous
                        .drain(..)
                        .map(|x| Emit::Event(x.into_expired(now))),
                );
                out.push(Emit::Reset);
                out.extend(self.batch.iter().cloned().map(Emit::Event));
                std::mem::swap(&mut self.previous, &mut self.batch);
            }
        }
    }

    /// Also with stream.current.event: each chunk (one arrival, or a batch expiring with the
    /// arrival that replaces it) gives one row per group.
    fn is_batch(&self) -> bool {
        true
    }
}

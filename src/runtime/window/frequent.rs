//! `frequent(n[, attrs...])`: the latest event of each of the (about) n most frequent keys,
//! with the Misra-Gries counter algorithm as Siddhi runs it.

use super::{Emit, Window};
use crate::event::Event;
use crate::functions::aggregate::OrdValue;

pub(super) fn frequent(n: usize, keys: Vec<usize>) -> Box<dyn Window> {
    Box::new(Frequent {
        n,
        keys,
        counters: Vec::new(),
    })
}

pub(super) fn lossy_frequent(support: f64, error: f64, keys: Vec<usize>) -> Box<dyn Window> {
    Box::new(LossyFrequent {
        support,
        error,
        width: (1.0 / error).ceil() as u64,
        keys,
        total: 0,
        bucket: 1,
        counts: Vec::new(),
    })
}

struct Frequent {
    n: usize,
    keys: Vec<usize>,
    /// (key, count, latest event), in order of first arrival.
    counters: Vec<(Vec<OrdValue>, u64, Event)>,
}

impl Window for Frequent {
    fn held(&self) -> usize {
        self.counters.len()
    }

    fn arrive(&mut self, events: &[Event], now: i64, out: &mut Vec<Emit>) {
        for e in events {
            let key: Vec<OrdValue> = self
                .keys
                .iter()
                .map(|i| OrdValue(e.get(*i).clone()))
                .collect();
            if let Some(c) = self.counters.iter_mut().find(|c| c.0 == key) {
                c.1 += 1;
                let old = std::mem::replace(&mut c.2, e.clone());
                out.push(Emit::Event(old.into_expired(now)));
                out.push(Emit::Event(e.clone()));
            } else if self.counters.len() < self.n {
                self.counters.push((key, 1, e.clone()));
                out.push(Emit::Event(e.clone()));
            } else {
                // Full: every counter loses one; the newcomer is dropped.
                let mut kept = Vec::with_capacity(self.counters.len());
                for (k, count, ev) in self.counters.drain(..) {
                    if count <= 1 {
                        out.push(Emit::Event(ev.into_expired(now)));
                    } else {
                        kept.push((k, count - 1, ev));
                    }
                }
                self.counters = kept;
            }
        }
    }
}

struct LossyFrequent {
    support: f64,
    error: f64,
    /// Events per bucket (ceil(1 / error)).
    width: u64,
    keys: Vec<usize>,
    total: u64,
    bucket: u64,
    /// (key, count, bucket when first counted - 1, latest event), in order of first arrival.
    counts: Vec<(Vec<OrdValue>, u64, u64, Event)>,
}

impl Window for LossyFrequent {
    fn held(&self) -> usize {
        self.counts.len()
    }

    fn arrive(&mut self, events: &[Event], now: i64, out: &mut Vec<Emit>) {
        for e in events {
            self.total += 1;
            if self.total != 1 {
                self.bucket = self.total.div_ceil(self.width);
            }
            let key: Vec<OrdValue> = self
                .keys
                .iter()
                .map(|i| OrdValue(e.get(*i).clone()))
                .collect();
            let count = match self.counts.iter_mut().find(|c| c.0 == key) {
                Some(c) => {
                    c.1 += 1;
                    c.3 = e.clone();
                    c.1
                }
                None => {
                    self.counts.push((key, 1, self.bucket - 1, e.clone()));
                    1
                }
            };
            if count as f64 >= (self.support - self.error) * self.total as f64 {
                out.push(Emit::Event(e.clone()));
            }
            if self.total.is_multiple_of(self.width) {
                let bucket = self.bucket;
                let mut kept = Vec::with_capacity(self.counts.len());
                for c in self.counts.drain(..) {
                    if c.1 + c.2 <= bucket {
                        out.push(Emit::Event(c.3.into_expired(now)));
                    } else {
                        kept.push(c);
                    }
                }
                self.counts = kept;
            }
        }
    }
}

//! `frequent(n[, attrs...])`: the latest event of each of the (about) n most frequent keys,
//! with the Misra-Gries counter algorithm as Siddhi runs it.

use super::{attribute, positive_int, Emit, WinArg, Window, WindowDef};
use crate::event::Event;
use crate::functions::aggregate::OrdValue;
use std::sync::Arc;

pub const FREQUENT: WindowDef = WindowDef {
    name: "frequent",
    aliases: &[],
    signatures: &["frequent(n INT)", "frequent(n INT, attr, ...)"],
    description: "The latest event of each of the most frequent keys (all attributes, or the given \
                  ones), found with Misra-Gries counting over at most n counters. A known key's \
                  arrival replaces (expires) its previous event. A new key when all n counters are \
                  taken decrements every counter, expiring the events whose counter reaches zero, \
                  and is itself dropped.",
    example: "CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);\nINSERT ALL EVENTS INTO Hot SELECT symbol, price FROM Trades WINDOW('frequent', 2, symbol);",
    build: |args, schema| {
        if args.is_empty() {
            return Err("expects frequent(n[, attr, ...]), got 0 argument(s)".into());
        }
        let n = positive_int(&args[0], "n")?;
        let mut keys = Vec::new();
        for a in &args[1..] {
            keys.push(attribute(a, "a key")?.0);
        }
        if keys.is_empty() {
            keys = (0..schema.len()).collect();
        }
        Ok(Arc::new(move || Box::new(Frequent { n, keys: keys.clone(), counters: Vec::new() })))
    },
};

struct Frequent {
    n: usize,
    keys: Vec<usize>,
    /// (key, count, latest event), in order of first arrival.
    counters: Vec<(Vec<OrdValue>, u64, Event)>,
}

impl Window for Frequent {
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

pub const LOSSY_FREQUENT: WindowDef = WindowDef {
    name: "lossyFrequent",
    aliases: &[],
    signatures: &["lossyFrequent(support DOUBLE)", "lossyFrequent(support DOUBLE, error DOUBLE)", "lossyFrequent(support DOUBLE, error DOUBLE, attr, ...)"],
    description: "Lossy counting: an arrival is emitted when its key (all attributes, or the given \
                  ones) has been seen in at least (support - error) of all events so far. Counters \
                  are pruned every 1/error events, expiring the latest event of each key that fell \
                  below the threshold. error defaults to support / 10.",
    example: "CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);\nINSERT ALL EVENTS INTO Hot SELECT symbol, price FROM Trades WINDOW('lossyFrequent', 0.1, 0.01, symbol);",
    build: |args, schema| {
        if args.is_empty() {
            return Err("expects lossyFrequent(support[, error][, attr, ...]), got 0 argument(s)".into());
        }
        let fraction = |a: &WinArg, what: &str| match a {
            WinArg::Double(x) if *x > 0.0 && *x < 1.0 => Ok(*x),
            other => Err(format!("{what} must be a number between 0 and 1, got {}", other.describe())),
        };
        let support = fraction(&args[0], "support")?;
        let mut rest = &args[1..];
        let error = match rest.first() {
            Some(a @ WinArg::Double(_)) => {
                rest = &rest[1..];
                fraction(a, "error")?
            }
            _ => support / 10.0,
        };
        if error >= support {
            return Err(format!("error ({error}) must be smaller than support ({support})"));
        }
        let mut keys = Vec::new();
        for a in rest {
            keys.push(attribute(a, "a key")?.0);
        }
        if keys.is_empty() {
            keys = (0..schema.len()).collect();
        }
        let width = (1.0 / error).ceil() as u64;
        Ok(Arc::new(move || {
            Box::new(LossyFrequent { support, error, width, keys: keys.clone(), total: 0, bucket: 1, counts: Vec::new() })
        }))
    },
};

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

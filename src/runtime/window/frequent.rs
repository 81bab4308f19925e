//! `frequent(n[, attrs...])`: the latest event of each of the (about) n most frequent keys,
//! with the Misra-Gries counter algorithm as Siddhi runs it.

use super::{attribute, positive_int, Emit, Window, WindowDef};
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

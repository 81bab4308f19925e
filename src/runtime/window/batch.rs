//! `batch()`: every arriving chunk of events is one batch.

use super::{expect_count, Emit, Window, WindowDef};
use crate::event::Event;
use std::sync::Arc;

pub const BATCH: WindowDef = WindowDef {
    name: "batch",
    aliases: &[],
    signatures: &["batch()"],
    description: "Each chunk of events that arrives together (one send_batch call, one read of a \
                  source) is a batch; the previous chunk expires when the next arrives.",
    example: "CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);\nINSERT INTO Out SELECT count() AS n FROM Trades WINDOW('batch');",
    build: |args, _| {
        expect_count(args, &[0], "batch()")?;
        Ok(Arc::new(|| {
            Box::new(Batch {
                previous: Vec::new(),
            })
        }))
    },
};

struct Batch {
    previous: Vec<Event>,
}

impl Window for Batch {
    fn arrive(&mut self, events: &[Event], now: i64, out: &mut Vec<Emit>) {
        if events.is_empty() {
            return;
        }
        out.extend(
            self.previous
                .drain(..)
                .map(|x| Emit::Event(x.into_expired(now))),
        );
        out.push(Emit::Reset);
        out.extend(events.iter().cloned().map(Emit::Event));
        self.previous.extend_from_slice(events);
    }

    fn is_batch(&self) -> bool {
        true
    }
}

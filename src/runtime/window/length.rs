//! Count-based windows: `length(n)` and `lengthBatch(n[, stream.current.event])`.

use super::{expect_count, positive_int, Emit, WinArg, Window, WindowDef};
use crate::event::Event;
use std::collections::VecDeque;
use std::sync::Arc;

pub const LENGTH: WindowDef = WindowDef {
    name: "length",
    aliases: &[],
    signatures: &["length(n INT)"],
    description: "The last n events. Each arrival beyond n expires the oldest event first.",
    example: "CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);\nINSERT INTO Out SELECT symbol, avg(price) AS ap FROM Trades WINDOW('length', 100) GROUP BY symbol;",
    build: |args, _| {
        expect_count(args, &[1], "length(n)")?;
        let n = positive_int(&args[0], "n")?;
        Ok(Arc::new(move || Box::new(Length { n, events: VecDeque::with_capacity(n.min(1 << 16)) })))
    },
};

struct Length {
    n: usize,
    events: VecDeque<Event>,
}

impl Window for Length {
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

pub const LENGTH_BATCH: WindowDef = WindowDef {
    name: "lengthBatch",
    aliases: &[],
    signatures: &[
        "lengthBatch(n INT)",
        "lengthBatch(n INT, stream.current.event BOOL)",
    ],
    description: "Batches of n events: when the n-th event arrives the previous batch expires and \
                  the new batch is emitted. With stream.current.event = true each event is emitted \
                  as it arrives and the batch expires when it is full.",
    example: "CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);\nINSERT INTO Out SELECT sum(price) AS total FROM Trades WINDOW('lengthBatch', 4);",
    build: |args, _| {
        expect_count(args, &[1, 2], "lengthBatch(n[, stream.current.event])")?;
        let n = positive_int(&args[0], "n")?;
        let stream_current = match args.get(1) {
            None => false,
            Some(WinArg::Bool(b)) => *b,
            Some(other) => {
                return Err(format!(
                    "stream.current.event must be true or false, got {}",
                    other.describe()
                ))
            }
        };
        Ok(Arc::new(move || {
            Box::new(LengthBatch {
                n,
                stream_current,
                batch: Vec::new(),
                previous: Vec::new(),
            })
        }))
    },
};

struct LengthBatch {
    n: usize,
    stream_current: bool,
    batch: Vec<Event>,
    previous: Vec<Event>,
}

impl Window for LengthBatch {
    fn arrive(&mut self, events: &[Event], now: i64, out: &mut Vec<Emit>) {
        for e in events {
            self.batch.push(e.clone());
            if self.stream_current {
                out.push(Emit::Event(e.clone()));
                if self.batch.len() == self.n {
                    out.extend(
                        self.batch
                            .drain(..)
                            .map(|x| Emit::Event(x.into_expired(now))),
                    );
                    out.push(Emit::Reset);
                }
                continue;
            }
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

    fn is_batch(&self) -> bool {
        !self.stream_current
    }
}

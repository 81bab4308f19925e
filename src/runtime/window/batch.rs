//! `batch()`: every arriving chunk of events is one batch.

use super::{Emit, Window};
use crate::event::Event;

pub(super) fn batch() -> Box<dyn Window> {
    Box::new(Batch {
        previous: Vec::new(),
    })
}

struct Batch {
    previous: Vec<Event>,
}

impl Window for Batch {
    fn held(&self) -> usize {
        self.previous.len()
    }

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

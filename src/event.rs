//! Events: a timestamp, shared values, and whether the event is current or expired.

use crate::value::Value;
use std::sync::Arc;

/// Whether an event is arriving (current) or leaving a window (expired).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    Current,
    Expired,
}

/// One event. `data` is immutable and shared: fanning an event out to several subscribers, or
/// re-emitting it as expired, clones a pointer, not the values.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Milliseconds since the Unix epoch (or playback time).
    pub ts: i64,
    pub kind: EventKind,
    pub data: Arc<[Value]>,
}

impl Event {
    pub fn new(ts: i64, data: impl Into<Arc<[Value]>>) -> Event {
        Event {
            ts,
            kind: EventKind::Current,
            data: data.into(),
        }
    }

    pub fn is_expired(&self) -> bool {
        self.kind == EventKind::Expired
    }

    /// The same values, marked expired at `ts`.
    pub fn expired_at(&self, ts: i64) -> Event {
        Event {
            ts,
            kind: EventKind::Expired,
            data: self.data.clone(),
        }
    }

    /// This event, marked expired at `ts` (no copy of the values).
    pub fn into_expired(self, ts: i64) -> Event {
        Event {
            ts,
            kind: EventKind::Expired,
            data: self.data,
        }
    }

    pub fn get(&self, index: usize) -> &Value {
        self.data.get(index).unwrap_or(&Value::Null)
    }
}

//! Handles of a running app: [`InputHandle`] sends events in, [`Subscription`] reads a
//! stream's output. Rows are checked against the stream's schema at the door.

use super::EngineError;
use crate::clock::{Clock, ClockMode};
use crate::event::Event;
use crate::runtime::junction::Junction;
use crate::runtime::scheduler::Scheduler;
use crate::schema::Schema;
use crate::value::Value;
use std::sync::Arc;
use std::time::Duration;

/// Output events of one stream, from [`App::subscribe`].
pub struct Subscription {
    pub(super) rx: crossbeam_channel::Receiver<Event>,
}

impl Subscription {
    /// Waits up to `timeout` for the next event.
    pub fn recv_timeout(&self, timeout: Duration) -> Option<Event> {
        self.rx.recv_timeout(timeout).ok()
    }

    /// Every event received so far, without waiting.
    pub fn drain(&self) -> Vec<Event> {
        self.rx.try_iter().collect()
    }

    pub fn receiver(&self) -> &crossbeam_channel::Receiver<Event> {
        &self.rx
    }
}

/// Sends events into one stream. Cheap to clone; usable from any thread.
#[derive(Clone)]
pub struct InputHandle {
    pub(super) junction: Arc<Junction>,
    pub(super) clock: Arc<Clock>,
    pub(super) scheduler: Arc<Scheduler>,
}

impl InputHandle {
    pub fn schema(&self) -> &Schema {
        self.junction.schema()
    }

    /// Sends one event stamped with the app clock.
    pub fn send(&self, values: Vec<Value>) -> Result<(), EngineError> {
        self.send_at(self.clock.now(), values)
    }

    /// Sends one event with an explicit timestamp; in playback mode time first advances to it.
    pub fn send_at(&self, ts: i64, mut values: Vec<Value>) -> Result<(), EngineError> {
        conform_row(self.schema(), &mut values)?;
        self.advance(ts);
        self.junction.publish(&[Event::new(ts, values)]);
        Ok(())
    }

    /// Sends rows as one batch stamped with the app clock: the fast path.
    pub fn send_batch(&self, rows: Vec<Vec<Value>>) -> Result<(), EngineError> {
        let ts = self.clock.now();
        let mut events = Vec::with_capacity(rows.len());
        for mut r in rows {
            conform_row(self.schema(), &mut r)?;
            events.push(Event::new(ts, r));
        }
        self.junction.publish(&events);
        Ok(())
    }

    /// Sends prepared events as one batch (checked against the schema); in playback mode time
    /// advances to each event's timestamp as it goes in (timers due between two events fire
    /// between them).
    pub fn send_events(&self, events: &[Event]) -> Result<(), EngineError> {
        let attrs = self.schema().attrs();
        let fits = |e: &Event| {
            e.data.len() == attrs.len()
                && e.data
                    .iter()
                    .zip(attrs)
                    .all(|(v, a)| v.attr_type().is_none_or(|t| t == a.ty))
        };
        // One tight pass; the detailed check only runs to explain a failure.
        if !events.iter().all(fits) {
            for e in events {
                check_row(self.schema(), &e.data)?;
            }
        }
        if self.clock.mode() == ClockMode::Playback {
            crate::runtime::source::publish_in_time(&self.junction, &self.scheduler, events);
        } else {
            self.junction.publish(events);
        }
        Ok(())
    }

    fn advance(&self, ts: i64) {
        if self.clock.mode() == ClockMode::Playback {
            self.scheduler.advance_to(ts);
        }
    }
}

fn check_row(schema: &Schema, values: &[Value]) -> Result<(), EngineError> {
    if values.len() != schema.len() {
        return Err(EngineError::BadEvent(format!(
            "stream '{}' has {} attributes ({}), the event has {} values",
            schema.name(),
            schema.len(),
            schema.names().collect::<Vec<_>>().join(", "),
            values.len()
        )));
    }
    for (v, a) in values.iter().zip(schema.attrs()) {
        if let Some(t) = v.attr_type() {
            if t != a.ty {
                return Err(EngineError::BadEvent(format!(
                    "stream '{}': attribute '{}' is {}, got {t} value {v}",
                    schema.name(),
                    a.name,
                    a.ty
                )));
            }
        }
    }
    Ok(())
}

/// Checks a row, widening numbers where the attribute is wider (INT value into a BIGINT).
fn conform_row(schema: &Schema, values: &mut [Value]) -> Result<(), EngineError> {
    if values.len() == schema.len() {
        for (v, a) in values.iter_mut().zip(schema.attrs()) {
            if let Some(t) = v.attr_type() {
                if t != a.ty && t.assignable_to(a.ty) {
                    *v = v.cast(a.ty).unwrap_or(Value::Null);
                }
            }
        }
    }
    check_row(schema, values)
}

//! Where connector failures go: counted, logged (rate-limited), routed to a dead-letter stream,
//! or escalated to stop the app.

use crate::clock::Clock;
use crate::connector::error::ErrorStrategy;
use crate::connector::{ConnectorStatus, ErrorClass};
use crate::event::Event;
use crate::plan::graph::{DlqField, DlqPlan};
use crate::runtime::junction::Junction;
use crate::value::Value;
use bytes::Bytes;
use parking_lot::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Set when a connector with `error.strategy='fail'` fails: the app stops with this message.
#[derive(Default)]
pub struct AppFailure {
    message: Mutex<Option<String>>,
}

impl AppFailure {
    pub fn set(&self, msg: String) {
        let mut m = self.message.lock();
        if m.is_none() {
            log::error!("{msg}");
            *m = Some(msg);
        }
    }

    pub fn get(&self) -> Option<String> {
        self.message.lock().clone()
    }
}

/// Warnings about one place, at most one line a second, with the count of lines held back.
pub struct LogLimiter {
    label: String,
    window: Mutex<(Instant, u64)>,
}

impl LogLimiter {
    pub fn new(label: String) -> LogLimiter {
        LogLimiter {
            label,
            window: Mutex::new((Instant::now() - Duration::from_secs(2), 0)),
        }
    }

    pub fn warn(&self, msg: &str) {
        let mut w = self.window.lock();
        if w.0.elapsed() >= Duration::from_secs(1) {
            if w.1 > 0 {
                log::warn!(
                    "{}: {} more in the last second (not shown)",
                    self.label,
                    w.1
                );
            }
            log::warn!("{}: {msg}", self.label);
            *w = (Instant::now(), 0);
        } else {
            w.1 += 1;
        }
    }
}

/// Counters of one connector.
#[derive(Default, Debug)]
pub struct ConnectorCounters {
    /// Events delivered (sinks) or emitted (sources).
    pub events: AtomicU64,
    /// Failures seen (payloads that did not decode, batches that did not deliver, ...).
    pub errors: AtomicU64,
    /// Events lost for good: dropped by policy or after failed delivery (not dead-lettered).
    pub dropped: AtomicU64,
    /// Events or payloads routed to the dead-letter stream.
    pub dead_lettered: AtomicU64,
    /// State, errors by class and health, shared with the connector itself.
    pub status: Arc<ConnectorStatus>,
}

/// Applies one connector's error strategy.
pub struct FailureHandler {
    pub label: String,
    pub connector: Arc<str>,
    pub stream: Arc<str>,
    pub strategy: ErrorStrategy,
    pub dlq: Option<(DlqPlan, Arc<Junction>)>,
    pub counters: Arc<ConnectorCounters>,
    pub failure: Arc<AppFailure>,
    pub clock: Arc<Clock>,
    log: LogLimiter,
}

impl FailureHandler {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        label: String,
        connector: &str,
        stream: &str,
        strategy: ErrorStrategy,
        dlq: Option<(DlqPlan, Arc<Junction>)>,
        counters: Arc<ConnectorCounters>,
        failure: Arc<AppFailure>,
        clock: Arc<Clock>,
    ) -> FailureHandler {
        FailureHandler {
            log: LogLimiter::new(label.clone()),
            label,
            connector: Arc::from(connector),
            stream: Arc::from(stream),
            strategy,
            dlq,
            counters,
            failure,
            clock,
        }
    }

    /// A failure of `events` (sink side) or of a `payload` (source side). Retrying has already
    /// happened where the strategy asked for it.
    /// A failure that carries neither events nor a payload (a dropped connection, a source that
    /// stopped) loses no data: it is counted and logged, and only `fail` acts on it.
    pub fn handle(&self, error: &str, events: &[Event], payload: Option<&Bytes>) {
        self.handle_class(ErrorClass::Permanent, error, events, payload);
    }

    /// [`FailureHandler::handle`] for an error whose class is known (counted by class).
    pub fn handle_class(
        &self,
        class: ErrorClass,
        error: &str,
        events: &[Event],
        payload: Option<&Bytes>,
    ) {
        // Logs, the last error, the app's failure and dead-letter rows all carry this text.
        let error: &str = &crate::redact::scrub(error);
        let n = events.len().max(1) as u64;
        self.counters.errors.fetch_add(1, Ordering::Relaxed);
        self.counters.status.record_error(class, error);
        let notice = events.is_empty() && payload.is_none();
        if notice && !matches!(self.strategy, ErrorStrategy::Fail) {
            self.log.warn(error);
            return;
        }
        match &self.strategy {
            ErrorStrategy::Drop => {
                self.counters.dropped.fetch_add(n, Ordering::Relaxed);
            }
            ErrorStrategy::Log | ErrorStrategy::Retry(_) => {
                self.counters.dropped.fetch_add(n, Ordering::Relaxed);
                self.log.warn(&format!("{error} ({n} event(s) dropped)"));
            }
            ErrorStrategy::Fail => {
                self.counters.dropped.fetch_add(n, Ordering::Relaxed);
                self.counters
                    .status
                    .set_state(crate::connector::ConnectorState::Failed);
                self.failure.set(format!(
                    "{} failed and error.strategy='fail': {error}",
                    self.label
                ));
            }
            ErrorStrategy::Dlq { .. } => match &self.dlq {
                Some((plan, junction)) => {
                    let rows: Vec<Event> = if events.is_empty() {
                        vec![self.dlq_event(plan, error, None, payload)]
                    } else {
                        events
                            .iter()
                            .map(|e| self.dlq_event(plan, error, Some(e), payload))
                            .collect()
                    };
                    self.counters.dead_lettered.fetch_add(n, Ordering::Relaxed);
                    junction.publish(&rows);
                }
                None => {
                    self.counters.dropped.fetch_add(n, Ordering::Relaxed);
                    self.log.warn(&format!("{error} (no dead-letter stream)"));
                }
            },
        }
    }

    fn dlq_event(
        &self,
        plan: &DlqPlan,
        error: &str,
        event: Option<&Event>,
        payload: Option<&Bytes>,
    ) -> Event {
        let ts = event.map_or_else(|| self.clock.now(), |e| e.ts);
        let data: Arc<[Value]> = plan
            .fields
            .iter()
            .map(|f| match f {
                DlqField::Payload { bytes } => match payload {
                    Some(p) if *bytes => Value::Bytes(p.clone()),
                    Some(p) => Value::from(String::from_utf8_lossy(p).as_ref()),
                    None => Value::Null,
                },
                DlqField::Error => Value::from(error),
                DlqField::Connector => Value::String(self.connector.clone()),
                DlqField::Stream => Value::String(self.stream.clone()),
                DlqField::Ts => Value::Long(ts),
                DlqField::EventAttr(i) => event.map_or(Value::Null, |e| e.get(*i).clone()),
                DlqField::Null => Value::Null,
            })
            .collect();
        Event::new(ts, data)
    }
}

//! What a running connector reports about itself, read by the control plane at any time: its
//! state (starting, running, reconnecting, failed, stopped), counters the engine cannot see
//! (bytes, reconnects, retries, errors by class), the last error with its time, and the result
//! of its last health check. The engine sets the state it observes (a sink retrying, a source
//! that returned); connectors add what only they know (a socket that closed, a reconnect).

use crate::connector::ErrorClass;
use parking_lot::Mutex;
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};

/// A connector's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectorState {
    Starting,
    Running,
    Reconnecting,
    Failed,
    Stopped,
}

impl ConnectorState {
    pub fn name(self) -> &'static str {
        match self {
            ConnectorState::Starting => "starting",
            ConnectorState::Running => "running",
            ConnectorState::Reconnecting => "reconnecting",
            ConnectorState::Failed => "failed",
            ConnectorState::Stopped => "stopped",
        }
    }

    /// The gauge value in `/metrics` (0 starting .. 4 stopped, as listed).
    pub fn code(self) -> u8 {
        self as u8
    }

    pub const ALL: [ConnectorState; 5] = [
        ConnectorState::Starting,
        ConnectorState::Running,
        ConnectorState::Reconnecting,
        ConnectorState::Failed,
        ConnectorState::Stopped,
    ];

    fn from_code(code: u8) -> ConnectorState {
        Self::ALL
            .get(code as usize)
            .copied()
            .unwrap_or(ConnectorState::Failed)
    }
}

/// The answer of a health check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Health {
    pub healthy: bool,
    /// What was checked, or what is wrong: "connected to ws://...", "cannot write /data".
    pub detail: String,
}

impl Health {
    pub fn healthy(detail: impl Into<String>) -> Health {
        Health {
            healthy: true,
            detail: detail.into(),
        }
    }

    pub fn unhealthy(detail: impl Into<String>) -> Health {
        Health {
            healthy: false,
            detail: detail.into(),
        }
    }
}

/// An error as last seen: its text and when (epoch ms, wall clock).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastError {
    pub message: String,
    pub at_ms: i64,
}

/// A point-in-time copy of a [`ConnectorStatus`].
#[derive(Debug, Clone, PartialEq)]
pub struct StatusSnapshot {
    pub state: ConnectorState,
    pub bytes: u64,
    pub reconnects: u64,
    pub retries: u64,
    pub transient_errors: u64,
    pub permanent_errors: u64,
    pub last_error: Option<LastError>,
    /// `None` until the connector answered a health check; the state decides then.
    pub health: Option<Health>,
    /// Sinks with a buffer pool (file sinks): its hit rate.
    pub pool_hit_rate: Option<f64>,
}

impl StatusSnapshot {
    /// Healthy: running (or stopped after its input ended) and its last check passed.
    pub fn is_healthy(&self) -> bool {
        matches!(
            self.state,
            ConnectorState::Running | ConnectorState::Stopped
        ) && self.health.as_ref().is_none_or(|h| h.healthy)
    }

    /// Why it is not healthy, for `/readyz`.
    pub fn problem(&self) -> Option<String> {
        if self.is_healthy() {
            return None;
        }
        let mut why = self.state.name().to_string();
        if let Some(h) = self.health.as_ref().filter(|h| !h.healthy) {
            why = format!("{why}: {}", h.detail);
        } else if let Some(e) = &self.last_error {
            why = format!("{why}: {}", e.message);
        }
        Some(why)
    }
}

/// Shared by a connector, the engine's driver for it and the control plane.
#[derive(Debug)]
pub struct ConnectorStatus {
    state: AtomicU8,
    bytes: AtomicU64,
    reconnects: AtomicU64,
    retries: AtomicU64,
    transient_errors: AtomicU64,
    permanent_errors: AtomicU64,
    last_error: Mutex<Option<LastError>>,
    health: Mutex<Option<Health>>,
    /// A sink's buffer pool hit rate as f64 bits (NaN: the sink has no pool).
    pool_hit_rate: AtomicU64,
}

impl Default for ConnectorStatus {
    fn default() -> Self {
        ConnectorStatus {
            state: AtomicU8::new(ConnectorState::Starting.code()),
            bytes: AtomicU64::new(0),
            reconnects: AtomicU64::new(0),
            retries: AtomicU64::new(0),
            transient_errors: AtomicU64::new(0),
            permanent_errors: AtomicU64::new(0),
            last_error: Mutex::new(None),
            health: Mutex::new(None),
            pool_hit_rate: AtomicU64::new(f64::NAN.to_bits()),
        }
    }
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl ConnectorStatus {
    pub fn state(&self) -> ConnectorState {
        ConnectorState::from_code(self.state.load(Ordering::Acquire))
    }

    pub fn set_state(&self, state: ConnectorState) {
        self.state.store(state.code(), Ordering::Release);
    }

    /// Lost the connection (or could not make it): reconnecting, with the reason.
    pub fn reconnecting(&self, why: &str) {
        if self.state() != ConnectorState::Reconnecting {
            self.record_error(ErrorClass::Transient, why);
        }
        self.set_state(ConnectorState::Reconnecting);
    }

    /// Connected (again): running; counts a reconnect when it was reconnecting.
    pub fn connected(&self) {
        let was = self
            .state
            .swap(ConnectorState::Running.code(), Ordering::AcqRel);
        if was == ConnectorState::Reconnecting.code() {
            self.reconnects.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// An error of either class, remembered as the last error.
    pub fn record_error(&self, class: ErrorClass, message: &str) {
        match class {
            ErrorClass::Transient => &self.transient_errors,
            ErrorClass::Permanent => &self.permanent_errors,
        }
        .fetch_add(1, Ordering::Relaxed);
        *self.last_error.lock() = Some(LastError {
            message: crate::redact::scrub(message).into_owned(),
            at_ms: now_ms(),
        });
    }

    /// One retry of a failed delivery.
    pub fn retried(&self) {
        self.retries.fetch_add(1, Ordering::Relaxed);
    }

    /// Bytes read or written on the wire (one add per batch).
    pub fn add_bytes(&self, n: u64) {
        self.bytes.fetch_add(n, Ordering::Relaxed);
    }

    /// Share of buffer requests a sink's pool served without allocating.
    pub fn set_pool_hit_rate(&self, rate: f64) {
        self.pool_hit_rate.store(rate.to_bits(), Ordering::Relaxed);
    }

    pub fn set_health(&self, mut health: Health) {
        health.detail = crate::redact::scrub(&health.detail).into_owned();
        *self.health.lock() = Some(health);
    }

    pub fn snapshot(&self) -> StatusSnapshot {
        StatusSnapshot {
            state: self.state(),
            bytes: self.bytes.load(Ordering::Relaxed),
            reconnects: self.reconnects.load(Ordering::Relaxed),
            retries: self.retries.load(Ordering::Relaxed),
            transient_errors: self.transient_errors.load(Ordering::Relaxed),
            permanent_errors: self.permanent_errors.load(Ordering::Relaxed),
            last_error: self.last_error.lock().clone(),
            health: self.health.lock().clone(),
            pool_hit_rate: Some(f64::from_bits(self.pool_hit_rate.load(Ordering::Relaxed)))
                .filter(|r| !r.is_nan()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reconnect_is_counted_once_the_connection_is_back() {
        let s = ConnectorStatus::default();
        assert_eq!(s.state(), ConnectorState::Starting);
        s.connected();
        assert_eq!(s.snapshot().reconnects, 0);
        s.reconnecting("refused");
        s.reconnecting("refused again");
        let snap = s.snapshot();
        assert_eq!(snap.state, ConnectorState::Reconnecting);
        assert_eq!(snap.transient_errors, 1, "one outage, one error");
        assert_eq!(snap.problem().unwrap(), "reconnecting: refused");
        s.connected();
        let snap = s.snapshot();
        assert_eq!((snap.state, snap.reconnects), (ConnectorState::Running, 1));
        assert!(snap.is_healthy());
        s.set_health(Health::unhealthy("cannot write /data"));
        assert_eq!(
            s.snapshot().problem().unwrap(),
            "running: cannot write /data"
        );
    }
}

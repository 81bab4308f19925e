//! What every pulling media source shares: the frame sampling factor, the request timeout and
//! the reconnect backoff, declared once so the defaults agree across sources.

use crate::connector::config::{ConfigError, ConnectorConfig};
use crate::connector::net::Backoff;
use crate::connector::param::Param;
use crate::connector::SourceContext;
use std::time::Duration;
use tokio::time::Instant;

pub const PROCESSING_FACTOR: Param<u64> = Param::optional(
    "processing.factor",
    1,
    "1 turns every frame into an event; N every Nth (frames 1, N+1, 2N+1, ...). Skipped frames \
     are still counted by frame_number.",
    "5",
);

pub const TIMEOUT_MS: Param<Duration> = Param::optional(
    "timeout.ms",
    Duration::from_secs(10),
    "Longest wait to connect and for each answer of the server; a stream silent for longer is \
     reconnected.",
    "5000",
);

pub const RECONNECT_DELAY_MS: Param<u64> = Param::optional(
    "reconnect.delay.ms",
    1000,
    "Wait before the first reconnect; doubles on each failed attempt, with jitter.",
    "500",
);

pub const RECONNECT_MAX_DELAY_MS: Param<u64> = Param::optional(
    "reconnect.max.delay.ms",
    30_000,
    "Cap on the wait between reconnects.",
    "10000",
);

pub const RECONNECT_MAX_ATTEMPTS: Param<i64> = Param::optional(
    "reconnect.max.attempts",
    -1,
    "Failed connection attempts in a row before the source gives up (-1: never). A \
     connection that delivered a frame resets the count.",
    "20",
);

/// How often a waiting source looks at the app's running flag.
const STOP_CHECK: Duration = Duration::from_millis(100);

/// The shared settings, read once.
#[derive(Debug, Clone)]
pub struct Reconnect {
    pub processing_factor: u64,
    pub timeout: Duration,
    delay_ms: u64,
    max_delay_ms: u64,
    max_attempts: i64,
}

impl Reconnect {
    pub fn from_config(config: &ConnectorConfig) -> Result<Reconnect, ConfigError> {
        let processing_factor = PROCESSING_FACTOR.read(config)?;
        if processing_factor == 0 {
            return Err(ConfigError(
                "parameter 'processing.factor' must be 1 or more (1 = every frame)".into(),
            ));
        }
        Ok(Reconnect {
            processing_factor,
            timeout: TIMEOUT_MS.read(config)?.max(Duration::from_millis(1)),
            delay_ms: RECONNECT_DELAY_MS.read(config)?,
            max_delay_ms: RECONNECT_MAX_DELAY_MS.read(config)?,
            max_attempts: RECONNECT_MAX_ATTEMPTS.read(config)?,
        })
    }

    pub fn backoff(&self) -> Backoff {
        Backoff::new(self.delay_ms, self.max_delay_ms, self.max_attempts)
    }

    /// Waits `wait`, or less when the app stops meanwhile.
    pub async fn sleep_while_running(&self, wait: Duration, ctx: &SourceContext) {
        let deadline = Instant::now() + wait;
        while ctx.is_running() && Instant::now() < deadline {
            tokio::time::sleep(STOP_CHECK.min(deadline - Instant::now())).await;
        }
    }

    /// Resolves once the app stops running.
    pub async fn stopped(&self, ctx: &SourceContext) {
        while ctx.is_running() {
            tokio::time::sleep(STOP_CHECK).await;
        }
    }
}

//! Error strategies (`error.strategy`) and the parameters every connector shares.

use crate::connector::config::{ConfigError, ConnectorConfig};
use crate::connector::param::{Choice, Describe, Param};
use std::time::Duration;

/// What happens to a payload or batch that failed.
#[derive(Debug, Clone, PartialEq)]
pub enum ErrorStrategy {
    /// Log and count (default).
    Log,
    /// Count only.
    Drop,
    /// Retry transient failures with capped exponential backoff, then log and count.
    Retry(RetryPolicy),
    /// Route the failure into a stream the app declares.
    Dlq { stream: String },
    /// Stop the app with the error.
    Fail,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included; -1 = unlimited.
    pub max_attempts: i64,
    pub delay_ms: u64,
    pub max_delay_ms: u64,
}

impl RetryPolicy {
    /// Whether attempt number `attempt` (1-based, already made) may be followed by another.
    pub fn may_retry(&self, attempt: u32) -> bool {
        self.max_attempts < 0 || (attempt as i64) < self.max_attempts
    }

    /// Delay before the retry that follows attempt `attempt` (1-based): doubles each time, capped,
    /// with up to 20% random jitter so many clients do not retry in lockstep.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let base = self
            .delay_ms
            .saturating_mul(1u64 << (attempt.saturating_sub(1)).min(30))
            .min(self.max_delay_ms);
        let jitter = if base >= 5 {
            fastrand::u64(0..=base / 5)
        } else {
            0
        };
        Duration::from_millis(base.saturating_sub(jitter))
    }
}

pub const STRATEGY_NAMES: &[&str] = &["log", "drop", "retry", "dlq", "fail"];

pub const STRATEGY: Param<&'static str> = Param::optional(
    "error.strategy",
    "log",
    "What to do with a payload or batch that fails: log (log and count), drop (count only), retry (transient failures, exponential backoff), dlq (route to the stream named by error.dlq.stream), fail (stop the app).",
    "dlq",
);
pub const RETRY_MAX_ATTEMPTS: Param<i64> = Param::optional(
    "error.retry.max.attempts",
    5,
    "With error.strategy='retry': attempts in all, the first included (-1 = unlimited).",
    "10",
);
pub const RETRY_DELAY_MS: Param<u64> = Param::optional(
    "error.retry.delay.ms",
    100,
    "With error.strategy='retry': delay before the first retry; doubles on each retry.",
    "500",
);
pub const RETRY_MAX_DELAY_MS: Param<u64> = Param::optional(
    "error.retry.max.delay.ms",
    10_000,
    "With error.strategy='retry': cap on the delay between retries.",
    "30000",
);
pub const DLQ_STREAM: Param<Option<String>> = Param::optional(
    "error.dlq.stream",
    None,
    "With error.strategy='dlq': the declared stream that receives failures. Its attributes are filled by name: payload (STRING or BYTES), error, connector, stream (STRING), ts (BIGINT), and any attribute of the failed event with the same name and type.",
    "FailedTrades",
);

/// The error parameters every connector accepts.
pub const ERROR_PARAMS: &[&dyn Describe] = &[
    &STRATEGY,
    &RETRY_MAX_ATTEMPTS,
    &RETRY_DELAY_MS,
    &RETRY_MAX_DELAY_MS,
    &DLQ_STREAM,
];

pub const BUFFER_SIZE: Param<usize> = Param::optional(
    "buffer.size",
    10_000,
    "Events the sink's bounded buffer holds while the sink is busy or disconnected.",
    "50000",
);
pub const WHEN_FULL: Param<Choice<WhenFull>> = Param::choice(
    "buffer.when.full",
    &[
        ("block", WhenFull::Block),
        ("drop_oldest", WhenFull::DropOldest),
        ("drop_newest", WhenFull::DropNewest),
    ],
    WhenFull::Block,
    "When the buffer is full: block (backpressure on the stream), drop_oldest or drop_newest (counted and logged as dropped).",
    "drop_oldest",
);
pub const BATCH_SIZE: Param<usize> = Param::optional(
    "batch.size",
    1024,
    "Most events handed to the sink in one write.",
    "500",
);

/// The buffering parameters every sink accepts (a sink's spec may override their defaults by
/// declaring a parameter of the same name).
pub const SINK_BUFFER_PARAMS: &[&dyn Describe] = &[&BUFFER_SIZE, &WHEN_FULL, &BATCH_SIZE];

/// The buffering parameters without `batch.size`, for sinks that define their own batch (a
/// request, an INSERT).
pub const SINK_BUFFER_PARAMS_WITHOUT_BATCH: &[&dyn Describe] = &[&BUFFER_SIZE, &WHEN_FULL];

impl ErrorStrategy {
    pub fn from_config(config: &ConnectorConfig) -> Result<ErrorStrategy, ConfigError> {
        let name = STRATEGY.read(config)?.to_ascii_lowercase();
        Ok(match name.as_str() {
            "log" => ErrorStrategy::Log,
            "drop" => ErrorStrategy::Drop,
            "fail" => ErrorStrategy::Fail,
            "retry" => ErrorStrategy::Retry(RetryPolicy {
                max_attempts: RETRY_MAX_ATTEMPTS.read(config)?,
                delay_ms: RETRY_DELAY_MS.read(config)?,
                max_delay_ms: RETRY_MAX_DELAY_MS.read(config)?,
            }),
            "dlq" => ErrorStrategy::Dlq {
                stream: DLQ_STREAM.read(config)?.ok_or_else(|| {
                    ConfigError(
                        "error.strategy='dlq' needs error.dlq.stream='StreamName' naming a declared stream"
                            .into(),
                    )
                })?,
            },
            other => {
                return Err(ConfigError(format!(
                    "unknown error.strategy '{other}'{}; expected one of {}",
                    crate::suggest::did_you_mean(other, STRATEGY_NAMES.iter().copied()),
                    STRATEGY_NAMES.join(", ")
                )))
            }
        })
    }
}

/// How a full sink buffer behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhenFull {
    Block,
    DropOldest,
    DropNewest,
}

impl WhenFull {
    pub fn from_config(config: &ConnectorConfig) -> Result<WhenFull, ConfigError> {
        WHEN_FULL.read(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pairs: &[(&str, &str)]) -> ConnectorConfig {
        ConnectorConfig {
            params: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn parses_each_strategy() {
        assert_eq!(
            ErrorStrategy::from_config(&config(&[])).unwrap(),
            ErrorStrategy::Log
        );
        assert_eq!(
            ErrorStrategy::from_config(&config(&[
                ("error.strategy", "dlq"),
                ("error.dlq.stream", "F")
            ]))
            .unwrap(),
            ErrorStrategy::Dlq { stream: "F".into() }
        );
        let err = ErrorStrategy::from_config(&config(&[("error.strategy", "retyr")])).unwrap_err();
        assert!(err.0.contains("did you mean 'retry'"), "{}", err.0);
        let err = ErrorStrategy::from_config(&config(&[("error.strategy", "dlq")])).unwrap_err();
        assert!(err.0.contains("error.dlq.stream"), "{}", err.0);
    }

    #[test]
    fn backoff_doubles_and_caps() {
        let p = RetryPolicy {
            max_attempts: 4,
            delay_ms: 100,
            max_delay_ms: 350,
        };
        let d1 = p.backoff(1).as_millis();
        let d2 = p.backoff(2).as_millis();
        let d5 = p.backoff(5).as_millis();
        assert!((80..=100).contains(&d1), "{d1}");
        assert!((160..=200).contains(&d2), "{d2}");
        assert!((280..=350).contains(&d5), "{d5}");
        assert!(p.may_retry(3));
        assert!(!p.may_retry(4));
    }
}

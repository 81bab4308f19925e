//! Reconnect backoff: exponential with jitter, capped, reset after a healthy connection.

use crate::connector::error::RetryPolicy;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Backoff {
    policy: RetryPolicy,
    /// Failed attempts since the last healthy connection.
    failures: u32,
}

impl Backoff {
    /// `max_attempts` counts failed connection attempts in a row; -1 = unlimited.
    pub fn new(delay_ms: u64, max_delay_ms: u64, max_attempts: i64) -> Backoff {
        Backoff {
            policy: RetryPolicy {
                max_attempts,
                delay_ms,
                max_delay_ms: max_delay_ms.max(delay_ms),
            },
            failures: 0,
        }
    }

    /// Records a failure; returns the wait before the next attempt, or `None` when the attempts
    /// are used up.
    pub fn failed(&mut self) -> Option<Duration> {
        self.failures = self.failures.saturating_add(1);
        if self.policy.may_retry(self.failures) {
            Some(self.policy.backoff(self.failures))
        } else {
            None
        }
    }

    /// The wait before a first retry, without counting a failure.
    pub fn first_delay(&self) -> Duration {
        self.policy.backoff(1)
    }

    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// A connection proved healthy: the next failure starts from the first delay again.
    pub fn reset(&mut self) {
        self.failures = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_caps_gives_up_and_resets() {
        let mut b = Backoff::new(100, 250, 3);
        let d1 = b.failed().unwrap().as_millis();
        let d2 = b.failed().unwrap().as_millis();
        assert!((80..=100).contains(&d1), "{d1}");
        assert!((160..=200).contains(&d2), "{d2}");
        assert_eq!(b.failed(), None);
        b.reset();
        assert!(b.failed().unwrap().as_millis() <= 100);
        let mut unlimited = Backoff::new(10, 40, -1);
        for _ in 0..100 {
            assert!(unlimited.failed().unwrap().as_millis() <= 40);
        }
    }
}

//! Rates over the last 10 seconds, from counters sampled once a second by the server: the
//! hot path keeps plain totals and the rate is the difference between two samples.

use parking_lot::Mutex;
use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

/// The window rates are taken over.
pub const RATE_WINDOW: Duration = Duration::from_secs(10);

struct Sample {
    at: Instant,
    counts: HashMap<String, u64>,
}

/// Samples of named counters (`stream:Trades`, `connector:...`).
#[derive(Default)]
pub struct Rates {
    samples: Mutex<VecDeque<Sample>>,
}

impl Rates {
    /// Records the counters as they are now; keeps a little more than the window.
    pub fn sample(&self, counts: HashMap<String, u64>) {
        let mut s = self.samples.lock();
        let now = Instant::now();
        s.push_back(Sample { at: now, counts });
        while s
            .front()
            .is_some_and(|f| now.duration_since(f.at) > RATE_WINDOW + Duration::from_secs(2))
        {
            s.pop_front();
        }
    }

    /// Per second over the window (or since the first sample when it is younger), from the
    /// oldest sample within the window to `now_count`; 0 without an earlier sample.
    pub fn per_second(&self, key: &str, now_count: u64) -> f64 {
        let s = self.samples.lock();
        let now = Instant::now();
        let Some(old) = s
            .iter()
            .find(|x| now.duration_since(x.at) <= RATE_WINDOW + Duration::from_millis(500))
        else {
            return 0.0;
        };
        let dt = now.duration_since(old.at).as_secs_f64();
        if dt < 0.2 {
            return 0.0;
        }
        let before = old.counts.get(key).copied().unwrap_or(0);
        now_count.saturating_sub(before) as f64 / dt
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rate_is_the_growth_since_the_oldest_sample_in_the_window() {
        let r = Rates::default();
        assert_eq!(r.per_second("stream:A", 100), 0.0);
        r.sample(HashMap::from([("stream:A".to_string(), 100)]));
        std::thread::sleep(Duration::from_millis(300));
        let rate = r.per_second("stream:A", 400);
        // 300 events in 0.3 s or more.
        assert!(rate > 0.0 && rate <= 1000.0, "{rate}");
        assert!(
            r.per_second("stream:B", 10) > 0.0,
            "absent before: counted from 0"
        );
    }
}

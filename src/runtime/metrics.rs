//! Per-query counters and processing latency, kept per batch so watching costs the hot path a
//! few atomic adds a batch: events in, events out, and a histogram of the time the query itself
//! spent on each batch (time spent downstream, in queries it feeds synchronously, is not its
//! own and is taken out).

use crate::event::Event;
use crate::runtime::junction::{Junction, Subscriber};
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// Upper bounds of the latency buckets, in seconds (1 µs to 10 s, about 2.5x apart).
pub const LATENCY_BUCKETS: [f64; 22] = [
    1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 0.01, 0.025,
    0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// A fixed-bucket histogram of durations, lock-free.
#[derive(Debug, Default)]
pub struct LatencyHistogram {
    /// One count per bound in [`LATENCY_BUCKETS`], plus the overflow (`+Inf`) last.
    buckets: [AtomicU64; LATENCY_BUCKETS.len() + 1],
    sum_nanos: AtomicU64,
}

/// A copy of a histogram: counts per bucket (not cumulative), count and sum.
#[derive(Debug, Clone, PartialEq)]
pub struct HistogramSnapshot {
    pub buckets: Vec<u64>,
    pub count: u64,
    pub sum_seconds: f64,
}

impl LatencyHistogram {
    pub fn observe_nanos(&self, nanos: u64) {
        let seconds = nanos as f64 * 1e-9;
        let i = LATENCY_BUCKETS.partition_point(|b| *b < seconds);
        self.buckets[i].fetch_add(1, Ordering::Relaxed);
        self.sum_nanos.fetch_add(nanos, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> HistogramSnapshot {
        let buckets: Vec<u64> = self
            .buckets
            .iter()
            .map(|b| b.load(Ordering::Relaxed))
            .collect();
        HistogramSnapshot {
            count: buckets.iter().sum(),
            buckets,
            sum_seconds: self.sum_nanos.load(Ordering::Relaxed) as f64 * 1e-9,
        }
    }
}

impl HistogramSnapshot {
    /// The `q` quantile (0..=1) in seconds, interpolated linearly inside its bucket; `None`
    /// before the first observation. The overflow bucket answers with its lower bound.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        if self.count == 0 {
            return None;
        }
        let rank = (q.clamp(0.0, 1.0) * self.count as f64).max(1.0);
        let mut seen = 0.0;
        for (i, n) in self.buckets.iter().enumerate() {
            let n = *n as f64;
            if n > 0.0 && seen + n >= rank {
                let low = if i == 0 { 0.0 } else { LATENCY_BUCKETS[i - 1] };
                let Some(high) = LATENCY_BUCKETS.get(i) else {
                    return Some(low);
                };
                return Some(low + (high - low) * ((rank - seen) / n));
            }
            seen += n;
        }
        LATENCY_BUCKETS.last().copied()
    }
}

/// What one query did.
#[derive(Debug, Default)]
pub struct QueryMetrics {
    pub events_in: AtomicU64,
    pub events_out: AtomicU64,
    pub latency: LatencyHistogram,
}

thread_local! {
    /// Nanoseconds that nested (downstream) queries spent inside the current query's batch.
    static NESTED_NANOS: Cell<u64> = const { Cell::new(0) };
}

/// Wraps a query's input subscriber: counts the batch and times the query's own share of it.
pub struct Metered {
    pub inner: Arc<dyn Subscriber>,
    pub metrics: Arc<QueryMetrics>,
}

impl Subscriber for Metered {
    fn receive(&self, batch: &[Event]) {
        self.metrics
            .events_in
            .fetch_add(batch.len() as u64, Ordering::Relaxed);
        let outer = NESTED_NANOS.with(|n| n.replace(0));
        let start = Instant::now();
        self.inner.receive(batch);
        let total = start.elapsed().as_nanos() as u64;
        let nested = NESTED_NANOS.with(|n| n.replace(outer + total));
        self.metrics
            .latency
            .observe_nanos(total.saturating_sub(nested));
    }
}

/// Where a query writes: its output stream, counting what the query put there.
pub struct QueryOutput {
    pub junction: Arc<Junction>,
    pub metrics: Arc<QueryMetrics>,
}

impl QueryOutput {
    pub fn publish(&self, batch: &[Event]) {
        self.metrics
            .events_out
            .fetch_add(batch.len() as u64, Ordering::Relaxed);
        self.junction.publish(batch);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_come_from_the_bucket_that_holds_the_rank() {
        let h = LatencyHistogram::default();
        assert_eq!(h.snapshot().quantile(0.5), None);
        for _ in 0..90 {
            h.observe_nanos(1_500); // (1 µs, 2.5 µs]
        }
        for _ in 0..10 {
            h.observe_nanos(2_000_000); // (1 ms, 2.5 ms]
        }
        let s = h.snapshot();
        assert_eq!(s.count, 100);
        assert!((s.sum_seconds - (90.0 * 1.5e-6 + 10.0 * 2e-3)).abs() < 1e-12);
        let p50 = s.quantile(0.5).unwrap();
        assert!(p50 > 1e-6 && p50 <= 2.5e-6, "{p50}");
        let p99 = s.quantile(0.99).unwrap();
        assert!(p99 > 1e-3 && p99 <= 2.5e-3, "{p99}");
        h.observe_nanos(60_000_000_000);
        assert_eq!(h.snapshot().quantile(1.0), Some(10.0), "overflow");
    }

    #[test]
    fn a_query_is_timed_without_the_queries_it_feeds() {
        let slow = Arc::new(QueryMetrics::default());
        let fast = Arc::new(QueryMetrics::default());
        let downstream = Metered {
            inner: Arc::new(|_: &[Event]| std::thread::sleep(std::time::Duration::from_millis(20))),
            metrics: slow.clone(),
        };
        let upstream = Metered {
            inner: Arc::new(move |b: &[Event]| downstream.receive(b)),
            metrics: fast.clone(),
        };
        upstream.receive(&[Event::new(0, vec![])]);
        let (up, down) = (fast.latency.snapshot(), slow.latency.snapshot());
        assert!(down.sum_seconds >= 0.02, "{down:?}");
        assert!(
            up.sum_seconds < 0.01,
            "the downstream sleep is not upstream's: {up:?}"
        );
        assert_eq!(fast.events_in.load(Ordering::Relaxed), 1);
    }
}

//! `eventflux run --status 10s`: one line of rates per stream every period, from the app's
//! live counters, and the same over the whole run at the end.

use eventflux::AppStats;
use std::time::{Duration, Instant};

/// `10s`, `500ms`, `1m`, `2h` (a bare number is seconds).
pub fn parse_period(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (n, unit) = t.split_at(split);
    let n: u64 = n
        .parse()
        .map_err(|_| format!("'{text}' is not a period such as 10s, 500ms or 1m"))?;
    let ms = match unit {
        "ms" => n,
        "" | "s" => n * 1000,
        "m" => n * 60_000,
        "h" => n * 3_600_000,
        _ => return Err(format!("'{text}': the unit is ms, s, m or h")),
    };
    if ms == 0 {
        return Err("the status period must be longer than 0".into());
    }
    Ok(Duration::from_millis(ms))
}

pub struct Reporter {
    every: Duration,
    started: Instant,
    last_at: Instant,
    last: AppStats,
}

impl Reporter {
    pub fn new(every: Duration, now: AppStats) -> Reporter {
        let at = Instant::now();
        Reporter {
            every,
            started: at,
            last_at: at,
            last: now,
        }
    }

    /// A line when a period has passed since the last one.
    pub fn tick(&mut self, stats: impl FnOnce() -> AppStats) -> Option<String> {
        let elapsed = self.last_at.elapsed();
        if elapsed < self.every {
            return None;
        }
        let now = stats();
        let line = format!(
            "status: {}",
            describe(&now, Some(&self.last), elapsed.as_secs_f64())
        );
        self.last = now;
        self.last_at = Instant::now();
        Some(line)
    }

    /// The line over the whole run, from the final counters.
    pub fn last(&self, stats: &AppStats) -> String {
        format!(
            "status (whole run): {}",
            describe(stats, None, self.started.elapsed().as_secs_f64())
        )
    }
}

/// `Trades 20.0 ev/s (400 in all), ...; dropped 0; held in windows 12`. Rates are over the
/// period since `before` (or the whole run).
fn describe(now: &AppStats, before: Option<&AppStats>, secs: f64) -> String {
    let secs = secs.max(1e-3);
    let streams: Vec<String> = now
        .streams
        .iter()
        .map(|(name, total)| {
            let earlier = before
                .and_then(|b| b.streams.iter().find(|(n, _)| n == name))
                .map_or(0, |(_, n)| *n);
            let rate = total.saturating_sub(earlier) as f64 / secs;
            format!("{name} {rate:.1} ev/s ({total} in all)")
        })
        .collect();
    format!(
        "{}; dropped {}; held in windows {}",
        streams.join(", "),
        now.dropped(),
        now.held_in_windows
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_parse_with_their_units() {
        assert_eq!(parse_period("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_period("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_period("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_period("3"), Ok(Duration::from_secs(3)));
        assert!(parse_period("0s").is_err());
        assert!(parse_period("10 parsecs").unwrap_err().contains("unit"));
    }

    #[test]
    fn rates_are_over_the_period() {
        let before = AppStats {
            streams: vec![("Trades".into(), 100)],
            ..Default::default()
        };
        let now = AppStats {
            streams: vec![("Trades".into(), 300)],
            held_in_windows: 7,
            ..Default::default()
        };
        assert_eq!(
            describe(&now, Some(&before), 10.0),
            "Trades 20.0 ev/s (300 in all); dropped 0; held in windows 7"
        );
    }
}

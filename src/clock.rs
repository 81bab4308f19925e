//! One clock per app: wall time, or playback time driven by event timestamps.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockMode {
    Wall,
    /// Time moves only when events or `advance_to` move it (replay, tests, `@app:playback`).
    Playback,
}

#[derive(Debug)]
pub struct Clock {
    mode: ClockMode,
    playback_now: AtomicI64,
}

pub fn wall_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl Clock {
    pub fn new(mode: ClockMode) -> Clock {
        Clock {
            mode,
            playback_now: AtomicI64::new(0),
        }
    }

    pub fn mode(&self) -> ClockMode {
        self.mode
    }

    /// Milliseconds since the epoch (wall) or the latest playback time.
    pub fn now(&self) -> i64 {
        match self.mode {
            ClockMode::Wall => wall_millis(),
            ClockMode::Playback => self.playback_now.load(Ordering::Acquire),
        }
    }

    /// Moves playback time forward (never back). No effect on a wall clock.
    pub fn advance_to(&self, ts: i64) {
        if self.mode == ClockMode::Playback {
            self.playback_now.fetch_max(ts, Ordering::AcqRel);
        }
    }
}

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
    /// Wall mode: the end of bounded input moved time past the wall clock (see
    /// [`Clock::finish_at`]); reads never go below it.
    wall_floor: AtomicI64,
    /// When the app started: its first event's time in playback, `App::start` on a wall
    /// clock; `i64::MIN` until then. Output periods count from it, as Siddhi's do.
    start: AtomicI64,
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
            wall_floor: AtomicI64::new(i64::MIN),
            start: AtomicI64::new(i64::MIN),
        }
    }

    /// The app starts now (wall clock); a playback clock starts at its first time instead.
    pub fn mark_start(&self) {
        if self.mode == ClockMode::Wall {
            let _ = self.start.compare_exchange(
                i64::MIN,
                wall_millis(),
                Ordering::AcqRel,
                Ordering::Acquire,
            );
        }
    }

    /// When the app started (see the field), if it has.
    pub fn start(&self) -> Option<i64> {
        Some(self.start.load(Ordering::Acquire)).filter(|t| *t != i64::MIN)
    }

    pub fn mode(&self) -> ClockMode {
        self.mode
    }

    /// Milliseconds since the epoch (wall) or the latest playback time.
    pub fn now(&self) -> i64 {
        match self.mode {
            ClockMode::Wall => wall_millis().max(self.wall_floor.load(Ordering::Relaxed)),
            ClockMode::Playback => self.playback_now.load(Ordering::Acquire),
        }
    }

    /// End of bounded input: time moves to `ts` even on a wall clock, so timers due later fire
    /// now with their own time and what reads the clock sees that time.
    pub fn finish_at(&self, ts: i64) {
        match self.mode {
            ClockMode::Wall => {
                self.wall_floor.fetch_max(ts, Ordering::Relaxed);
            }
            ClockMode::Playback => self.advance_to(ts),
        }
    }

    /// Moves playback time forward (never back). No effect on a wall clock.
    pub fn advance_to(&self, ts: i64) {
        if self.mode == ClockMode::Playback {
            let _ = self
                .start
                .compare_exchange(i64::MIN, ts, Ordering::AcqRel, Ordering::Acquire);
            self.playback_now.fetch_max(ts, Ordering::AcqRel);
        }
    }
}

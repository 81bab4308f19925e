//! Timers on the app clock. In playback mode they fire when time is advanced (deterministic);
//! in wall mode a thread fires them when due. Time windows and triggers schedule here.

use crate::clock::{Clock, ClockMode};
use parking_lot::{Condvar, Mutex};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

type Task = Box<dyn FnOnce(i64) + Send>;

struct Timer {
    at: i64,
    seq: u64,
    task: Task,
}

impl PartialEq for Timer {
    fn eq(&self, o: &Self) -> bool {
        (self.at, self.seq) == (o.at, o.seq)
    }
}
impl Eq for Timer {}
impl PartialOrd for Timer {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Timer {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        (self.at, self.seq).cmp(&(o.at, o.seq))
    }
}

pub struct Scheduler {
    clock: Arc<Clock>,
    timers: Mutex<(BinaryHeap<Reverse<Timer>>, u64, bool)>,
    wake: Condvar,
    /// Playback: tasks waiting for the clock's first move (None once it moved).
    at_first_time: Mutex<Option<Vec<Task>>>,
    /// Set once the first move ran them, so later moves skip the lock.
    began: AtomicBool,
}

impl Scheduler {
    pub fn new(clock: Arc<Clock>) -> Arc<Scheduler> {
        Arc::new(Scheduler {
            clock,
            timers: Mutex::new((BinaryHeap::new(), 0, false)),
            wake: Condvar::new(),
            at_first_time: Mutex::new(Some(Vec::new())),
            began: AtomicBool::new(false),
        })
    }

    /// Runs `task(now)` when the app's time begins: now on a wall clock; in playback at the
    /// first time the clock is moved (the first event's timestamp), so a replay of old events
    /// does not begin at time 0.
    pub fn at_first_time(&self, task: impl FnOnce(i64) + Send + 'static) {
        if self.clock.mode() == ClockMode::Playback {
            let mut waiting = self.at_first_time.lock();
            if let Some(tasks) = waiting.as_mut() {
                tasks.push(Box::new(task));
                return;
            }
        }
        task(self.clock.now());
    }

    /// Runs `task(at)` once the app clock reaches `at`.
    pub fn schedule(&self, at: i64, task: impl FnOnce(i64) + Send + 'static) {
        let mut t = self.timers.lock();
        t.1 += 1;
        let seq = t.1;
        t.0.push(Reverse(Timer {
            at,
            seq,
            task: Box::new(task),
        }));
        self.wake.notify_all();
    }

    fn pop_due(&self, now: i64) -> Option<Timer> {
        let mut t = self.timers.lock();
        if t.0.peek().is_some_and(|Reverse(x)| x.at <= now) {
            t.0.pop().map(|Reverse(x)| x)
        } else {
            None
        }
    }

    /// Playback: moves the clock to `ts`, firing every timer due at or before it, in time order,
    /// each with the clock set to its own time.
    pub fn advance_to(&self, ts: i64) {
        if !self.began.load(Ordering::Acquire) {
            let first = self.at_first_time.lock().take();
            self.began.store(true, Ordering::Release);
            for task in first.into_iter().flatten() {
                task(ts);
            }
        }
        while let Some(timer) = self.pop_due(ts) {
            self.clock.advance_to(timer.at);
            (timer.task)(timer.at);
        }
        self.clock.advance_to(ts);
    }

    /// Wall mode: fires timers from a thread until `stop`.
    pub fn spawn_wall_thread(self: &Arc<Self>) -> Option<std::thread::JoinHandle<()>> {
        if self.clock.mode() != ClockMode::Wall {
            return None;
        }
        let me = self.clone();
        std::thread::Builder::new()
            .name("scheduler".into())
            .spawn(move || loop {
                let now = me.clock.now();
                while let Some(timer) = me.pop_due(now) {
                    (timer.task)(timer.at);
                }
                let mut t = me.timers.lock();
                if t.2 {
                    return;
                }
                let wait =
                    t.0.peek()
                        .map_or(100, |Reverse(x)| (x.at - now).clamp(1, 100));
                me.wake.wait_for(&mut t, Duration::from_millis(wait as u64));
            })
            .ok()
    }

    pub fn stop(&self) {
        self.timers.lock().2 = true;
        self.wake.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn playback_fires_due_timers_in_order_with_their_own_time() {
        let clock = Arc::new(Clock::new(ClockMode::Playback));
        let s = Scheduler::new(clock.clone());
        let fired = Arc::new(Mutex::new(Vec::new()));
        for at in [300, 100, 200, 900] {
            let f = fired.clone();
            let c = clock.clone();
            s.schedule(at, move |t| f.lock().push((t, c.now())));
        }
        s.advance_to(500);
        assert_eq!(*fired.lock(), vec![(100, 100), (200, 200), (300, 300)]);
        assert_eq!(clock.now(), 500);
    }
}

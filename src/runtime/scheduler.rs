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

/// What a timer does when the input ends (see [`Scheduler::finish`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Fires if due by the end (pattern deadlines and absent waits).
    Bounded,
    /// Settles what a window holds; its owner re-arms it only while something is left, so the
    /// chain ends.
    Settling,
    /// Re-arms forever on a period (triggers, partition purges): not fired at the end.
    Periodic,
}

struct Timer {
    at: i64,
    seq: u64,
    kind: Kind,
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
    /// Wall mode: the thread firing due timers.
    wall_thread: Mutex<Option<std::thread::JoinHandle<()>>>,
    /// Set while [`Scheduler::finish`] settles the end of input.
    finishing: AtomicBool,
}

impl Scheduler {
    pub fn new(clock: Arc<Clock>) -> Arc<Scheduler> {
        Arc::new(Scheduler {
            clock,
            timers: Mutex::new((BinaryHeap::new(), 0, false)),
            wake: Condvar::new(),
            at_first_time: Mutex::new(Some(Vec::new())),
            began: AtomicBool::new(false),
            wall_thread: Mutex::new(None),
            finishing: AtomicBool::new(false),
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
        self.push(at, Kind::Bounded, Box::new(task));
    }

    /// Like [`Scheduler::schedule`], for a window's timer: at the end of input it fires even
    /// past the last pending timer, so the window empties. While [`Scheduler::finishing`], arm
    /// one only if the window still holds something.
    pub fn schedule_settling(&self, at: i64, task: impl FnOnce(i64) + Send + 'static) {
        self.push(at, Kind::Settling, Box::new(task));
    }

    /// Like [`Scheduler::schedule`], for a timer that re-arms itself forever (a trigger's next
    /// firing): [`Scheduler::finish`] does not fire it.
    pub fn schedule_periodic(&self, at: i64, task: impl FnOnce(i64) + Send + 'static) {
        self.push(at, Kind::Periodic, Box::new(task));
    }

    /// Whether the end of input is being settled ([`Scheduler::finish`] runs).
    pub fn finishing(&self) -> bool {
        self.finishing.load(Ordering::Acquire)
    }

    fn push(&self, at: i64, kind: Kind, task: Task) {
        let mut t = self.timers.lock();
        t.1 += 1;
        let seq = t.1;
        t.0.push(Reverse(Timer {
            at,
            seq,
            kind,
            task,
        }));
        self.wake.notify_all();
    }

    /// The end of bounded input, as a final watermark: time moves on to the last timer pending
    /// now, firing in time order each timer due by then with the clock at its own time, and
    /// past it for as long as windows still hold events (their timers settle them until they
    /// are empty). Pattern deadlines and absent waits due by that end fire; periodic timers
    /// (triggers) do not; nothing armed later fires, so this ends. Returns where time ended, if
    /// anything was pending. Stops the wall-clock thread first.
    pub fn finish(&self) -> Option<i64> {
        self.stop();
        if let Some(h) = self.wall_thread.lock().take() {
            let _ = h.join();
        }
        self.finishing.store(true, Ordering::Release);
        let end = {
            let t = self.timers.lock();
            t.0.iter()
                .filter(|Reverse(x)| x.kind != Kind::Periodic)
                .map(|Reverse(x)| x.at)
                .max()
        }?;
        let mut last = end;
        // A window that never empties would loop: a generous bound, then a warning.
        for _ in 0..10_000_000u32 {
            let Some(timer) = self.pop_due(i64::MAX) else {
                break;
            };
            match timer.kind {
                Kind::Periodic => continue,
                Kind::Bounded if timer.at > end => continue,
                Kind::Bounded | Kind::Settling => {}
            }
            last = last.max(timer.at);
            self.clock.finish_at(timer.at);
            (timer.task)(timer.at);
        }
        if self
            .timers
            .lock()
            .0
            .iter()
            .any(|Reverse(x)| x.kind == Kind::Settling)
        {
            log::warn!(
                "end of input: windows still settling after 10 million timers; stopping there"
            );
        }
        self.clock.finish_at(last);
        Some(last)
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
    pub fn spawn_wall_thread(self: &Arc<Self>) {
        if self.clock.mode() != ClockMode::Wall {
            return;
        }
        // The thread holds a weak handle: an app dropped without shutdown lets it end.
        let weak = Arc::downgrade(self);
        let handle = std::thread::Builder::new()
            .name("scheduler".into())
            .spawn(move || loop {
                let Some(me) = weak.upgrade() else { return };
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
            .ok();
        *self.wall_thread.lock() = handle;
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

    #[test]
    fn finish_settles_windows_fires_what_is_due_and_skips_periodic_timers() {
        for mode in [ClockMode::Playback, ClockMode::Wall] {
            let clock = Arc::new(Clock::new(mode));
            let s = Scheduler::new(clock.clone());
            let base = clock.now();
            let fired = Arc::new(Mutex::new(Vec::new()));
            // A window holding 3 events, one expiring per second: it re-arms while it holds any.
            fn settle(s: &Arc<Scheduler>, at: i64, left: u32, fired: Arc<Mutex<Vec<i64>>>) {
                let weak = Arc::downgrade(s);
                s.schedule_settling(at, move |t| {
                    fired.lock().push(t);
                    if let (Some(s), true) = (weak.upgrade(), left > 1) {
                        settle(&s, t + 1_000, left - 1, fired);
                    }
                });
            }
            settle(&s, base + 1_000, 3, fired.clone());
            // A deadline due by the end fires; a repeating wait re-armed past it does not.
            fn repeat(s: &Arc<Scheduler>, at: i64, fired: Arc<Mutex<Vec<i64>>>) {
                let weak = Arc::downgrade(s);
                s.schedule(at, move |t| {
                    fired.lock().push(-t);
                    if let Some(s) = weak.upgrade() {
                        repeat(&s, t + 1_500, fired);
                    }
                });
            }
            repeat(&s, base + 1_500, fired.clone());
            let f = fired.clone();
            s.schedule_periodic(base + 500, move |t| f.lock().push(t * 1000));
            assert_eq!(s.finish(), Some(base + 3_000));
            assert_eq!(
                *fired.lock(),
                vec![base + 1_000, -(base + 1_500), base + 2_000, base + 3_000],
                "{mode:?}"
            );
            assert!(clock.now() >= base + 3_000);
            assert!(s.finishing());
        }
    }
}

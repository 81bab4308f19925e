//! A bounded event queue with a policy for when it is full: block (backpressure), drop the
//! oldest or drop the newest. Used by `@async` streams and by every sink's buffer.

use crate::connector::error::WhenFull;
use crate::event::Event;
use parking_lot::{Condvar, Mutex, MutexGuard};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

pub struct BoundedQueue {
    state: Mutex<State>,
    not_empty: Condvar,
    not_full: Condvar,
    capacity: usize,
    policy: WhenFull,
}

struct State {
    items: VecDeque<Event>,
    closed: bool,
    /// Events ever accepted, and of those the ones dropped later by drop_oldest: the
    /// durability barrier waits for a consumer to have handled the rest.
    accepted: u64,
    dropped_after: u64,
}

impl BoundedQueue {
    pub fn new(capacity: usize, policy: WhenFull) -> BoundedQueue {
        BoundedQueue {
            state: Mutex::new(State {
                items: VecDeque::with_capacity(capacity.min(65_536)),
                closed: false,
                accepted: 0,
                dropped_after: 0,
            }),
            not_empty: Condvar::new(),
            not_full: Condvar::new(),
            capacity: capacity.max(1),
            policy,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere must not take the queue down with it.
        self.state.lock()
    }

    /// Adds a batch. Returns how many events were dropped (by the policy, or because the queue
    /// is closed).
    pub fn push(&self, batch: &[Event]) -> usize {
        self.push_unless(batch, &|| false)
    }

    /// [`BoundedQueue::push`] where a full queue under `block` gives up when `give_up` says so
    /// (checked without this queue's lock, again every few milliseconds while waiting): the
    /// rest of the batch is then dropped and counted in the result.
    pub fn push_unless(&self, batch: &[Event], give_up: &dyn Fn() -> bool) -> usize {
        let mut st = self.lock();
        let mut rest = batch;
        let mut dropped = 0;
        while !rest.is_empty() {
            if st.closed {
                return dropped + rest.len();
            }
            let room = self.capacity - st.items.len().min(self.capacity);
            if room == 0 {
                match self.policy {
                    WhenFull::Block => {
                        if MutexGuard::unlocked(&mut st, give_up) {
                            return dropped + rest.len();
                        }
                        self.not_full.wait_for(&mut st, Duration::from_millis(10));
                        continue;
                    }
                    WhenFull::DropNewest => return dropped + rest.len(),
                    WhenFull::DropOldest => {
                        let n = rest.len().min(self.capacity);
                        st.items.drain(..n);
                        st.dropped_after += n as u64;
                        dropped += n;
                        continue;
                    }
                }
            }
            let n = room.min(rest.len());
            st.items.extend(rest[..n].iter().cloned());
            st.accepted += n as u64;
            rest = &rest[n..];
            self.not_empty.notify_one();
        }
        dropped
    }

    pub fn is_closed(&self) -> bool {
        self.lock().closed
    }

    /// Whether a push would wait (or drop) now.
    pub fn is_full(&self) -> bool {
        self.lock().items.len() >= self.capacity
    }

    pub fn policy(&self) -> WhenFull {
        self.policy
    }

    /// Moves up to `max` events into `out`, waiting up to `wait` for the first one. Returns false
    /// once the queue is closed and empty.
    pub fn pop(&self, max: usize, out: &mut Vec<Event>, wait: Duration) -> bool {
        self.pop_counted(max, out, wait, &AtomicU64::new(0))
    }

    /// [`BoundedQueue::pop`] that also records in `taken`, before the queue lets go of its
    /// lock, how many events left it: so "queue empty and nothing taken" means nothing is in
    /// flight (the consumer resets `taken` once it handled them).
    pub fn pop_counted(
        &self,
        max: usize,
        out: &mut Vec<Event>,
        wait: Duration,
        taken: &AtomicU64,
    ) -> bool {
        let mut st = self.lock();
        if st.items.is_empty() && !st.closed {
            self.not_empty.wait_for(&mut st, wait);
        }
        let n = st.items.len().min(max);
        out.extend(st.items.drain(..n));
        if n > 0 {
            taken.store(n as u64, Ordering::Release);
        }
        if n > 0 {
            self.not_full.notify_all();
        }
        !(st.closed && st.items.is_empty())
    }

    /// Takes everything queued (shutdown hands it to the error strategy).
    pub fn take_all(&self) -> Vec<Event> {
        let mut st = self.lock();
        let all: Vec<Event> = st.items.drain(..).collect();
        self.not_full.notify_all();
        all
    }

    /// (events ever accepted, of those dropped by drop_oldest).
    pub fn counts(&self) -> (u64, u64) {
        let st = self.lock();
        (st.accepted, st.dropped_after)
    }

    /// Wakes a popper waiting on an empty queue (it returns with nothing).
    pub fn wake(&self) {
        self.not_empty.notify_all();
    }

    /// No more pushes; poppers drain what is left.
    pub fn close(&self) {
        self.lock().closed = true;
        self.not_empty.notify_all();
        self.not_full.notify_all();
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    pub fn len(&self) -> usize {
        self.lock().items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Value;
    use std::sync::Arc;

    fn events(range: std::ops::Range<i32>) -> Vec<Event> {
        range
            .map(|i| Event::new(i as i64, vec![Value::Int(i)]))
            .collect()
    }

    fn ids(v: &[Event]) -> Vec<i64> {
        v.iter().map(|e| e.ts).collect()
    }

    #[test]
    fn drop_policies_keep_the_right_events() {
        let q = BoundedQueue::new(3, WhenFull::DropNewest);
        assert_eq!(q.push(&events(0..5)), 2);
        let mut out = Vec::new();
        q.pop(10, &mut out, Duration::ZERO);
        assert_eq!(ids(&out), vec![0, 1, 2]);

        let q = BoundedQueue::new(3, WhenFull::DropOldest);
        assert_eq!(q.push(&events(0..5)), 2);
        out.clear();
        q.pop(10, &mut out, Duration::ZERO);
        assert_eq!(ids(&out), vec![2, 3, 4]);
    }

    #[test]
    fn block_waits_for_room_and_loses_nothing() {
        let q = Arc::new(BoundedQueue::new(4, WhenFull::Block));
        let producer = {
            let q = q.clone();
            std::thread::spawn(move || q.push(&events(0..100)))
        };
        let mut got = Vec::new();
        while got.len() < 100 {
            q.pop(3, &mut got, Duration::from_millis(50));
        }
        assert_eq!(producer.join().unwrap(), 0);
        assert_eq!(ids(&got), (0..100).collect::<Vec<_>>());
    }

    #[test]
    fn a_full_blocking_queue_gives_up_when_told() {
        let q = BoundedQueue::new(3, WhenFull::Block);
        assert_eq!(q.push_unless(&events(0..5), &|| true), 2);
        assert!(q.is_full());
        let mut out = Vec::new();
        q.pop(10, &mut out, Duration::ZERO);
        assert_eq!(ids(&out), vec![0, 1, 2]);
        assert_eq!(q.take_all().len(), 0);
    }

    #[test]
    fn close_drains_then_ends() {
        let q = BoundedQueue::new(10, WhenFull::Block);
        q.push(&events(0..2));
        q.close();
        assert_eq!(q.push(&events(5..6)), 1);
        let mut out = Vec::new();
        assert!(!q.pop(10, &mut out, Duration::ZERO));
        assert_eq!(out.len(), 2);
    }
}

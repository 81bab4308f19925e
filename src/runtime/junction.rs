//! Stream junctions: fan each batch out to the stream's subscribers, synchronously on the
//! sender's thread, or through a bounded queue and worker thread for `@async` streams.

use crate::connector::error::WhenFull;
use crate::event::Event;
use crate::runtime::queue::BoundedQueue;
use crate::schema::Schema;
use parking_lot::{Mutex, RwLock};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// Anything that receives a stream's batches: queries, sinks, API subscribers.
pub trait Subscriber: Send + Sync {
    fn receive(&self, batch: &[Event]);
}

impl<F: Fn(&[Event]) + Send + Sync> Subscriber for F {
    fn receive(&self, batch: &[Event]) {
        self(batch)
    }
}

pub struct Junction {
    schema: Schema,
    subscribers: RwLock<Vec<Arc<dyn Subscriber>>>,
    queue: Option<Arc<BoundedQueue>>,
    worker: Mutex<Option<JoinHandle<()>>>,
    events: AtomicU64,
    batches: AtomicU64,
    /// The timestamp of the last event published (`i64::MIN` before the first).
    last_ts: AtomicI64,
    dropped: AtomicU64,
    /// `@async`: events the worker took from the queue and has not finished delivering.
    in_delivery: AtomicU64,
}

impl Junction {
    pub fn new(schema: Schema, async_buffer: Option<usize>) -> Arc<Junction> {
        Arc::new(Junction {
            schema,
            subscribers: RwLock::new(Vec::new()),
            queue: async_buffer.map(|n| Arc::new(BoundedQueue::new(n, WhenFull::Block))),
            worker: Mutex::new(None),
            events: AtomicU64::new(0),
            batches: AtomicU64::new(0),
            last_ts: AtomicI64::new(i64::MIN),
            dropped: AtomicU64::new(0),
            in_delivery: AtomicU64::new(0),
        })
    }

    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    pub fn name(&self) -> &str {
        self.schema.name()
    }

    pub fn subscribe(&self, s: Arc<dyn Subscriber>) {
        self.subscribers.write().push(s);
    }

    /// Subscribes ahead of everything already subscribed: an observer sees each batch before
    /// the queries downstream react to it (replay prints in emission order this way).
    pub fn subscribe_front(&self, s: Arc<dyn Subscriber>) {
        self.subscribers.write().insert(0, s);
    }

    /// Events published into this stream so far.
    pub fn events(&self) -> u64 {
        self.events.load(Ordering::Relaxed)
    }

    /// Batches published into this stream so far.
    pub fn batches(&self) -> u64 {
        self.batches.load(Ordering::Relaxed)
    }

    /// The timestamp of the last event published, if any was.
    pub fn last_event_ts(&self) -> Option<i64> {
        Some(self.last_ts.load(Ordering::Relaxed)).filter(|t| *t != i64::MIN)
    }

    /// Events that arrived after the stream was closed at shutdown.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    pub fn publish(&self, batch: &[Event]) {
        if batch.is_empty() {
            return;
        }
        self.events.fetch_add(batch.len() as u64, Ordering::Relaxed);
        self.batches.fetch_add(1, Ordering::Relaxed);
        if let Some(last) = batch.last() {
            self.last_ts.store(last.ts, Ordering::Relaxed);
        }
        match &self.queue {
            // Blocks while the queue is full: backpressure, never silent loss.
            Some(q) => {
                let lost = q.push(batch);
                if lost > 0 {
                    self.dropped.fetch_add(lost as u64, Ordering::Relaxed);
                    log::warn!(
                        "stream '{}': {lost} events arrived after shutdown began and were dropped",
                        self.name()
                    );
                }
            }
            None => self.dispatch(batch),
        }
    }

    fn dispatch(&self, batch: &[Event]) {
        let subs = self.subscribers.read();
        for s in subs.iter() {
            s.receive(batch);
        }
    }

    /// Starts the worker of an `@async` stream (no-op for synchronous streams).
    pub fn start(self: &Arc<Self>) {
        let Some(q) = self.queue.clone() else { return };
        let me = self.clone();
        let handle = std::thread::Builder::new()
            .name(format!("async-{}", self.name()))
            .spawn(move || {
                let mut batch = Vec::with_capacity(1024);
                while q.pop_counted(
                    1024,
                    &mut batch,
                    Duration::from_millis(100),
                    &me.in_delivery,
                ) || !batch.is_empty()
                {
                    if !batch.is_empty() {
                        me.dispatch(&batch);
                        batch.clear();
                        me.in_delivery.store(0, Ordering::Release);
                    }
                }
            })
            .expect("spawning a thread");
        *self.worker.lock() = Some(handle);
    }

    /// Whether nothing waits in the `@async` queue or is being delivered by its worker (always
    /// true for synchronous streams).
    pub fn is_idle(&self) -> bool {
        match &self.queue {
            Some(q) => q.is_empty() && self.in_delivery.load(Ordering::Acquire) == 0,
            None => true,
        }
    }

    /// Delivers what the async queue holds, then stops its worker.
    /// [`Junction::drain`] that gives up at `deadline`: false when the worker is still busy
    /// (it keeps its queue, closed; call `drain` to wait for it).
    pub fn drain_until(&self, deadline: std::time::Instant) -> bool {
        if let Some(q) = &self.queue {
            q.close();
        }
        let mut worker = self.worker.lock();
        if let Some(h) = worker.as_ref() {
            while !h.is_finished() && std::time::Instant::now() < deadline {
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
            if !h.is_finished() {
                return false;
            }
        }
        if let Some(h) = worker.take() {
            let _ = h.join();
        }
        true
    }

    pub fn drain(&self) {
        if let Some(q) = &self.queue {
            q.close();
        }
        if let Some(h) = self.worker.lock().take() {
            let _ = h.join();
        }
    }
}

//! Drives one sink: a bounded buffer fed by the stream, and a thread that drains it in batches
//! through the sink, applying the error strategy. A slow or failing sink never blocks another
//! sink (only, with `buffer.when.full='block'`, its own stream once its buffer is full).

use crate::connector::error::{ErrorStrategy, WhenFull, BATCH_SIZE, BUFFER_SIZE};
use crate::connector::{ConnectorState, Rejects, Sink, HEALTH_CHECK_EVERY};
use crate::event::Event;
use crate::runtime::failure::{ConnectorCounters, FailureHandler};
use crate::runtime::junction::Subscriber;
use crate::runtime::queue::BoundedQueue;
use parking_lot::{Condvar, Mutex};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The stream-facing side: pushes batches into the buffer.
pub struct SinkInlet {
    pub queue: Arc<BoundedQueue>,
    pub counters: Arc<ConnectorCounters>,
    pub label: String,
}

impl Subscriber for SinkInlet {
    fn receive(&self, batch: &[Event]) {
        let lost = self.queue.push(batch);
        if lost > 0 {
            self.counters
                .dropped
                .fetch_add(lost as u64, Ordering::Relaxed);
            log::warn!(
                "{}: buffer full, {lost} events dropped (buffer.when.full)",
                self.label
            );
        }
    }
}

/// Lets a source wait until everything handed to a sink so far is delivered and made durable
/// (`Sink::sync`), so it can acknowledge its sender (the forwarder's receiver does).
pub struct SyncPoint {
    queue: Arc<BoundedQueue>,
    state: Mutex<SyncState>,
    synced: Condvar,
}

#[derive(Default)]
struct SyncState {
    /// Events the drain thread has handled (published, rejected or failed).
    handled: u64,
    /// The highest `accepted` count a waiter needs synced.
    wanted: u64,
    /// `handled + dropped` at the last successful sync.
    synced_at: u64,
}

impl SyncPoint {
    fn new(queue: Arc<BoundedQueue>) -> SyncPoint {
        SyncPoint {
            queue,
            state: Mutex::new(SyncState::default()),
            synced: Condvar::new(),
        }
    }

    /// Waits until every event the sink's buffer had accepted when called is delivered and
    /// synced; false when `deadline` passes first.
    pub fn wait(&self, deadline: Instant) -> bool {
        let (target, _) = self.queue.counts();
        let mut st = self.state.lock();
        st.wanted = st.wanted.max(target);
        self.queue.wake();
        while st.synced_at < target {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            self.synced
                .wait_for(&mut st, left.min(Duration::from_millis(50)));
            self.queue.wake();
        }
        true
    }

    /// Drain thread: counts handled events and syncs the sink when a waiter needs it.
    fn handled(&self, n: usize, sink: &mut dyn Sink, label: &str) {
        let mut st = self.state.lock();
        st.handled += n as u64;
        let done = st.handled + self.queue.counts().1;
        if st.wanted > st.synced_at && done >= st.wanted {
            match sink.sync() {
                Ok(()) => {
                    st.synced_at = done;
                    self.synced.notify_all();
                }
                Err(e) => log::error!("{label}: sync failed: {e}"),
            }
        }
    }
}

pub struct SinkDriver {
    pub label: String,
    pub queue: Arc<BoundedQueue>,
    pub counters: Arc<ConnectorCounters>,
    pub sync: Arc<SyncPoint>,
    handle: Mutex<Option<JoinHandle<bool>>>,
    stopping: Arc<AtomicBool>,
}

/// Buffer settings read from a validated config.
pub fn buffer_for(config: &crate::connector::ConnectorConfig) -> (Arc<BoundedQueue>, usize) {
    // The binding was validated at compile time, with the spec's defaults filled in.
    let size = BUFFER_SIZE
        .read(config)
        .unwrap_or(*BUFFER_SIZE.default())
        .max(1);
    let batch = BATCH_SIZE
        .read(config)
        .unwrap_or(*BATCH_SIZE.default())
        .max(1);
    let policy = WhenFull::from_config(config).unwrap_or(WhenFull::Block);
    (Arc::new(BoundedQueue::new(size, policy)), batch)
}

impl SinkDriver {
    /// Starts the drain thread. `handler` applies the error strategy.
    pub fn start(
        label: String,
        mut sink: Box<dyn Sink>,
        queue: Arc<BoundedQueue>,
        batch_size: usize,
        handler: FailureHandler,
    ) -> SinkDriver {
        let counters = handler.counters.clone();
        let stopping = Arc::new(AtomicBool::new(false));
        let sync = Arc::new(SyncPoint::new(queue.clone()));
        let sync_point = sync.clone();
        let (q, stop) = (queue.clone(), stopping.clone());
        let thread_label = label.clone();
        sink.set_stopping(stopping.clone());
        let status = counters.status.clone();
        sink.set_status(status.clone());
        status.set_state(ConnectorState::Running);
        let batch_size = sink.max_batch().unwrap_or(batch_size).max(1);
        let linger = sink.linger();
        let handle = std::thread::Builder::new()
            .name(format!("sink-{label}"))
            .spawn(move || {
                let mut batch = Vec::with_capacity(batch_size);
                let mut rejects = Rejects::default();
                let mut checked = Instant::now();
                status.set_health(sink.health());
                loop {
                    let mut open = q.pop(batch_size, &mut batch, Duration::from_millis(100));
                    if open && !linger.is_zero() && !batch.is_empty() {
                        open = fill(&q, batch_size, &mut batch, linger);
                    }
                    let mut check = false;
                    if !batch.is_empty() {
                        check = !deliver(sink.as_mut(), &batch, &mut rejects, &handler, &stop);
                    } else if open {
                        sink.idle();
                        check = checked.elapsed() >= HEALTH_CHECK_EVERY;
                    }
                    if check && open {
                        status.set_health(sink.health());
                        checked = Instant::now();
                    }
                    sync_point.handled(batch.len(), sink.as_mut(), &thread_label);
                    batch.clear();
                    if !open {
                        break;
                    }
                }
                let flushed = match sink.flush() {
                    Ok(()) => true,
                    Err(e) => {
                        log::error!("{thread_label}: flush at shutdown failed: {e}");
                        handler.counters.errors.fetch_add(1, Ordering::Relaxed);
                        status.record_error(e.class, &format!("flush at shutdown: {e}"));
                        false
                    }
                };
                status.set_state(if flushed {
                    ConnectorState::Stopped
                } else {
                    ConnectorState::Failed
                });
                flushed
            })
            .expect("spawning a thread");
        SinkDriver {
            label,
            queue,
            counters,
            sync,
            handle: Mutex::new(Some(handle)),
            stopping,
        }
    }

    /// Delivers everything buffered, flushes the sink and stops its thread. Returns false when the
    /// final flush failed.
    pub fn stop(&self) -> bool {
        self.stopping.store(true, Ordering::Release);
        self.queue.close();
        match self.handle.lock().take() {
            Some(h) => h.join().unwrap_or(false),
            None => true,
        }
    }
}

/// Keeps popping until the batch is full, the linger time is up or the buffer closes.
fn fill(q: &BoundedQueue, max: usize, batch: &mut Vec<Event>, linger: Duration) -> bool {
    let deadline = std::time::Instant::now() + linger;
    let mut open = true;
    while open && batch.len() < max {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            break;
        }
        open = q.pop(max - batch.len(), batch, left);
    }
    open
}

/// One batch through the sink, with retries for transient failures under `retry`. Returns
/// whether every event was delivered.
fn deliver(
    sink: &mut dyn Sink,
    batch: &[Event],
    rejects: &mut Rejects,
    handler: &FailureHandler,
    stopping: &AtomicBool,
) -> bool {
    let mut attempt: u32 = 1;
    let status = &handler.counters.status;
    loop {
        rejects.items.clear();
        match sink.publish(batch, rejects) {
            Ok(()) => {
                let failed = rejects.items.len();
                if failed == 0 && status.state() == ConnectorState::Reconnecting {
                    status.connected();
                }
                handler.counters.events.fetch_add(
                    (batch.len() - failed.min(batch.len())) as u64,
                    Ordering::Relaxed,
                );
                for (i, err) in rejects.items.drain(..) {
                    if let Some(ev) = batch.get(i) {
                        handler.handle_class(
                            err.class,
                            &err.message,
                            std::slice::from_ref(ev),
                            None,
                        );
                    }
                }
                return failed == 0;
            }
            Err(e) => {
                if let ErrorStrategy::Retry(policy) = &handler.strategy {
                    // While stopping, unlimited retries are capped so shutdown terminates.
                    let capped =
                        stopping.load(Ordering::Acquire) && policy.max_attempts < 0 && attempt >= 5;
                    if e.class == crate::connector::ErrorClass::Transient
                        && policy.may_retry(attempt)
                        && !capped
                    {
                        let wait = policy.backoff(attempt);
                        log::debug!("{}: {e}; retry {attempt} in {wait:?}", handler.label);
                        status.retried();
                        status.reconnecting(&e.message);
                        std::thread::sleep(wait);
                        attempt += 1;
                        continue;
                    }
                }
                let cut = matches!(&handler.strategy, ErrorStrategy::Retry(p) if p.max_attempts < 0)
                    && stopping.load(Ordering::Acquire)
                    && e.class == crate::connector::ErrorClass::Transient;
                let msg = match (attempt > 1, cut) {
                    (_, true) => format!(
                        "{e} (after {attempt} attempts; retries stop at shutdown, though error.retry.max.attempts is unlimited)"
                    ),
                    (true, false) => format!("{e} (after {attempt} attempts)"),
                    (false, false) => e.message.clone(),
                };
                if cut {
                    log::warn!(
                        "{}: shutting down: gave up after {attempt} attempts instead of retrying without limit",
                        handler.label
                    );
                }
                handler.handle_class(e.class, &msg, batch, None);
                return false;
            }
        }
    }
}

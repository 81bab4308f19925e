//! Drives one sink: a bounded buffer fed by the stream, and a thread that drains it in batches
//! through the sink, applying the error strategy. A slow or failing sink never blocks another
//! sink (only, with `buffer.when.full='block'`, its own stream once its buffer is full).

use crate::connector::error::{ErrorStrategy, WhenFull, BATCH_SIZE, BUFFER_SIZE};
use crate::connector::{ConnectorState, Rejects, Sink, HEALTH_CHECK_EVERY};
use crate::event::Event;
use crate::runtime::failure::{ConnectorCounters, FailureHandler, LogLimiter};
use crate::runtime::junction::Subscriber;
use crate::runtime::queue::BoundedQueue;
use parking_lot::{Condvar, Mutex, RwLock};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The sinks of one stream whose buffers block when full. The stream is held back only while
/// every one of them is full: a hung sink must not stall the others, so a full buffer whose
/// siblings still have room drops (counted) instead of waiting.
#[derive(Default)]
pub struct BlockingSinks {
    members: RwLock<Vec<(Arc<BoundedQueue>, String)>>,
    /// In a hold-back episode (logged once when it starts and once when it ends).
    held: AtomicBool,
}

impl BlockingSinks {
    /// Adds a sink's buffer, if it blocks when full.
    pub fn add(&self, queue: &Arc<BoundedQueue>, label: &str) {
        if queue.policy() == WhenFull::Block {
            self.members
                .write()
                .push((queue.clone(), label.to_string()));
        }
    }

    /// Called while `me` is full: whether another blocking sink has room (then `me` drops).
    /// When none has, the stream is held back, and the episode's start is logged.
    fn another_has_room(&self, me: &Arc<BoundedQueue>) -> bool {
        let members = self.members.read();
        let room = members
            .iter()
            .any(|(q, _)| !Arc::ptr_eq(q, me) && !q.is_full());
        if !room && !self.held.swap(true, Ordering::AcqRel) {
            let names: Vec<&str> = members.iter().map(|(_, l)| l.as_str()).collect();
            log::warn!(
                "stream held back: the buffer of every sink that blocks when full is full ({}); \
                 the sources wait until one has room",
                names.join(", ")
            );
        }
        room
    }

    /// After a push: ends a hold-back episode once `me` has room again.
    fn pushed(&self, me: &BoundedQueue, label: &str) {
        if self.held.load(Ordering::Acquire)
            && !me.is_full()
            && self.held.swap(false, Ordering::AcqRel)
        {
            log::info!("{label}: buffer has room again; the stream is no longer held back");
        }
    }
}

/// The stream-facing side: pushes batches into the buffer.
pub struct SinkInlet {
    pub queue: Arc<BoundedQueue>,
    pub counters: Arc<ConnectorCounters>,
    pub label: String,
    pub blocking: Arc<BlockingSinks>,
    /// In a drop episode (a full buffer while other sinks kept up, or a drop policy).
    pub dropping: AtomicBool,
    pub log: LogLimiter,
}

impl SinkInlet {
    pub fn new(
        queue: Arc<BoundedQueue>,
        counters: Arc<ConnectorCounters>,
        label: String,
        blocking: Arc<BlockingSinks>,
    ) -> SinkInlet {
        SinkInlet {
            log: LogLimiter::new(label.clone()),
            queue,
            counters,
            label,
            blocking,
            dropping: AtomicBool::new(false),
        }
    }
}

impl Subscriber for SinkInlet {
    fn receive(&self, batch: &[Event]) {
        let lost = if self.queue.policy() == WhenFull::Block {
            let lost = self
                .queue
                .push_unless(batch, &|| self.blocking.another_has_room(&self.queue));
            self.blocking.pushed(&self.queue, &self.label);
            lost
        } else {
            self.queue.push(batch)
        };
        if lost > 0 {
            self.counters
                .dropped
                .fetch_add(lost as u64, Ordering::Relaxed);
            if self.queue.is_closed() {
                self.log.warn(&format!(
                    "{lost} event(s) dropped: the sink had already stopped"
                ));
                return;
            }
            if !self.dropping.swap(true, Ordering::AcqRel) {
                let why = if self.queue.policy() == WhenFull::Block {
                    "the stream's other sinks keep up, so this one drops instead of holding \
                     them back (buffer.when.full='block' holds the stream only while every \
                     blocking sink is full)"
                } else {
                    "buffer.when.full drops"
                };
                log::warn!(
                    "{}: buffer full ({} events): dropping until it has room; {why}",
                    self.label,
                    self.queue.capacity()
                );
            }
            self.log
                .warn(&format!("buffer full: {lost} event(s) dropped"));
        } else if self.dropping.load(Ordering::Acquire)
            && self.dropping.swap(false, Ordering::AcqRel)
        {
            log::info!(
                "{}: buffer has room again; events are delivered",
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
    /// Set when shutdown's deadline passed: the drain thread stops retrying.
    abandoned: Arc<AtomicBool>,
    /// Events in the batch the drain thread is delivering now.
    in_flight: Arc<AtomicUsize>,
    handler: Arc<FailureHandler>,
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
        let handler = Arc::new(handler);
        let stopping = Arc::new(AtomicBool::new(false));
        let abandoned = Arc::new(AtomicBool::new(false));
        let in_flight = Arc::new(AtomicUsize::new(0));
        let sync = Arc::new(SyncPoint::new(queue.clone()));
        let sync_point = sync.clone();
        let (q, stop, gone) = (queue.clone(), stopping.clone(), abandoned.clone());
        let (busy, thread_handler) = (in_flight.clone(), handler.clone());
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
                        busy.store(batch.len(), Ordering::Release);
                        let quit = Quit {
                            stopping: &stop,
                            abandoned: &gone,
                        };
                        check =
                            !deliver(sink.as_mut(), &batch, &mut rejects, &thread_handler, quit);
                        // The deadline counted this batch as dropped; `deliver` has now
                        // accounted for each event itself (delivered or to the error strategy).
                        if busy.swap(0, Ordering::AcqRel) == 0 {
                            thread_handler
                                .counters
                                .dropped
                                .fetch_sub(batch.len() as u64, Ordering::Relaxed);
                        }
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
                        thread_handler
                            .counters
                            .errors
                            .fetch_add(1, Ordering::Relaxed);
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
            abandoned,
            in_flight,
            handler,
        }
    }

    /// The stream the sink is bound to.
    pub fn stream(&self) -> &str {
        &self.handler.stream
    }

    /// The stream this sink dead-letters into, if any.
    pub fn dead_letter_stream(&self) -> Option<&str> {
        self.handler.dlq.as_ref().map(|(_, j)| j.name())
    }

    /// No more events: the drain thread delivers what is buffered, then flushes.
    pub fn close(&self) {
        self.stopping.store(true, Ordering::Release);
        self.queue.close();
    }

    /// [`SinkDriver::close`], then waits for the drain thread until `deadline`. Returns false
    /// when the final flush failed or the deadline passed first; then what is still buffered
    /// goes to the error strategy (counted), and the thread is left to finish its batch.
    pub fn stop(&self, deadline: Instant) -> bool {
        self.close();
        let Some(h) = self.handle.lock().take() else {
            return true;
        };
        while !h.is_finished() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        if h.is_finished() {
            return h.join().unwrap_or(false);
        }
        self.abandon();
        false
    }

    fn abandon(&self) {
        self.abandoned.store(true, Ordering::Release);
        let left = self.queue.take_all();
        // The batch in delivery counts as dropped until its delivery ends, if it ever does.
        let busy = self.in_flight.swap(0, Ordering::AcqRel);
        self.counters
            .dropped
            .fetch_add(busy as u64, Ordering::Relaxed);
        log::warn!(
            "{}: the shutdown deadline passed with the sink still delivering: {} buffered \
             event(s) go to the error strategy; {busy} in delivery are counted as dropped \
             (raise --shutdown-timeout to wait longer)",
            self.label,
            left.len()
        );
        if !left.is_empty() {
            self.handler.handle_class(
                crate::connector::ErrorClass::Transient,
                "not delivered: the shutdown deadline passed",
                &left,
                None,
            );
        }
        self.counters
            .status
            .set_state(crate::connector::ConnectorState::Failed);
    }
}

/// What ends a delivery's retries early: shutdown (unlimited retries are capped) and a
/// passed shutdown deadline (no more retries at all).
#[derive(Clone, Copy)]
struct Quit<'a> {
    stopping: &'a AtomicBool,
    abandoned: &'a AtomicBool,
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
    quit: Quit<'_>,
) -> bool {
    let stopping = quit.stopping;
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
                        && !quit.abandoned.load(Ordering::Acquire)
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

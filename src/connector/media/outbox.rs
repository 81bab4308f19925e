//! Between a live ingest source's network side (async tasks reading sockets) and its own
//! thread (which hands batches to the app, and blocks while the app is slow): frames wait here
//! per stream under `max.buffer.bytes`, and all live ingest streams of the process together
//! under `global.max.buffer.bytes`. When the app falls behind, `on.full='drop-gop'` sheds
//! frames by the GOP-aware policy of [`GopQueue`]; `on.full='block'` makes the readers stop
//! reading their sockets instead (SRT's flow control then slows the sender; RTP's kernel buffer
//! overflows and shows as loss). A paused stream keeps its last `gop.buffer.count` GOPs, so it
//! resumes at a keyframe. Every shed frame is counted on its stream.

use crate::connector::config::{ConfigError, ConnectorConfig};
use crate::connector::ingest::IngestStream;
use crate::connector::net::runtime;
use crate::connector::param::{Choice, Describe, Param};
use crate::connector::status::ConnectorStatus;
use crate::connector::{ConnectorError, SourceContext};
use crate::media::gop_queue::{Budget, FrameKind, GopCache, GopQueue, Watermarks};
use crate::value::Value;
use parking_lot::{Condvar, Mutex};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub(super) type Row = Arc<[Value]>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum OnFull {
    DropGop,
    Block,
}

pub(super) const MAX_BUFFER_BYTES: Param<u64> = Param::optional(
    "max.buffer.bytes",
    16 * 1024 * 1024,
    "Bytes of frames one stream may hold while the app is slower than the stream (frames \
     handed to the app but not taken yet count too). See on.full.",
    "8388608",
);

pub(super) const GLOBAL_MAX_BUFFER_BYTES: Param<u64> = Param::optional(
    "global.max.buffer.bytes",
    256 * 1024 * 1024,
    "Bytes of frames all live ingest streams of the process may hold together (checked by \
     each source against its own value).",
    "134217728",
);

pub(super) const HIGH_WATERMARK: Param<f64> = Param::optional(
    "buffer.high.watermark",
    0.8,
    "Fraction of the limits above which frames are shed (drop-gop) or reading stops (block).",
    "0.9",
);

pub(super) const LOW_WATERMARK: Param<f64> = Param::optional(
    "buffer.low.watermark",
    0.5,
    "Fraction of the limits at or below which a shedding stream resumes at its next \
     keyframe, or reading goes on (block).",
    "0.3",
);

pub(super) const ON_FULL: Param<Choice<OnFull>> = Param::choice(
    "on.full",
    &[("drop-gop", OnFull::DropGop), ("block", OnFull::Block)],
    OnFull::DropGop,
    "Above the high watermark: drop-gop sheds frames nothing references (B frames), then the \
     rest of a GOP from a P frame that does not fit, then whole GOPs, never half a GOP, and \
     resumes at a keyframe below the low watermark; block stops reading the socket (SRT's flow \
     control pushes back on the sender; an RTP sender's packets are lost in the kernel). Every \
     shed frame is counted (stats stream, control plane).",
    "block",
);

pub(super) const GOP_BUFFER_COUNT: Param<usize> = Param::optional(
    "gop.buffer.count",
    1,
    "GOPs a paused stream keeps (under max.buffer.bytes), so that when it is resumed its \
     frames start again at a keyframe, in decode order; 0 keeps none (frames resume at the \
     next keyframe).",
    "2",
);

pub(super) const PARAMS: &[&dyn Describe] = &[
    &MAX_BUFFER_BYTES,
    &GLOBAL_MAX_BUFFER_BYTES,
    &HIGH_WATERMARK,
    &LOW_WATERMARK,
    &ON_FULL,
    &GOP_BUFFER_COUNT,
];

/// Bytes held by every live ingest outbox of the process.
static GLOBAL_HELD: AtomicU64 = AtomicU64::new(0);

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct BufferSettings {
    pub stream_max: u64,
    pub global_max: u64,
    pub high: f64,
    pub low: f64,
    pub on_full: OnFull,
    pub gops: usize,
}

fn level(max: u64, fraction: f64) -> u64 {
    (max as f64 * fraction) as u64
}

impl BufferSettings {
    pub fn from_config(config: &ConnectorConfig) -> Result<BufferSettings, ConfigError> {
        let s = BufferSettings {
            stream_max: MAX_BUFFER_BYTES.read(config)?,
            global_max: GLOBAL_MAX_BUFFER_BYTES.read(config)?,
            high: HIGH_WATERMARK.read(config)?,
            low: LOW_WATERMARK.read(config)?,
            on_full: ON_FULL.read(config)?,
            gops: GOP_BUFFER_COUNT.read(config)?,
        };
        if !(s.low > 0.0 && s.low < s.high && s.high <= 1.0) {
            return Err(ConfigError(format!(
                "parameters 'buffer.low.watermark' ({}) and 'buffer.high.watermark' ({}): write \
                 fractions of the limits with 0 < low < high <= 1, such as 0.5 and 0.8",
                s.low, s.high
            )));
        }
        if s.stream_max == 0 || s.global_max == 0 {
            return Err(ConfigError(
                "parameters 'max.buffer.bytes' and 'global.max.buffer.bytes' must be above 0"
                    .into(),
            ));
        }
        Ok(s)
    }

    fn watermarks(max: u64, high: f64, low: f64) -> Watermarks {
        Watermarks {
            high: level(max, high),
            low: level(max, low),
        }
    }

    /// What a push is checked against: the watermarks when shedding, the hard limits when
    /// blocking (the readers stop at the high watermark; what is already read still lands).
    fn shed_levels(&self) -> (Watermarks, Watermarks) {
        match self.on_full {
            OnFull::DropGop => (
                Self::watermarks(self.stream_max, self.high, self.low),
                Self::watermarks(self.global_max, self.high, self.low),
            ),
            OnFull::Block => (
                Self::watermarks(self.stream_max, 1.0, self.low),
                Self::watermarks(self.global_max, 1.0, self.low),
            ),
        }
    }
}

struct StreamBox {
    ingest: Arc<IngestStream>,
    queue: GopQueue<Row>,
    cache: GopCache<(Row, FrameKind)>,
    /// Bytes taken by the source thread and not delivered yet.
    in_flight: u64,
    /// The consumer got this stream's previous frame: a frame held while paused that comes
    /// right after it continues a GOP the consumer has.
    consumer_current: bool,
    was_paused: bool,
    closed: bool,
}

impl StreamBox {
    fn held(&self) -> u64 {
        self.queue.bytes() + self.in_flight + self.cache.bytes()
    }

    fn publish(&self) {
        self.ingest.set_buffer(self.held(), self.queue.drops);
    }
}

#[derive(Default)]
struct State {
    streams: HashMap<String, StreamBox>,
    /// Where the next take starts, so no stream always goes first.
    cursor: usize,
    side: Vec<(&'static str, Row)>,
    errors: Vec<ConnectorError>,
    held: u64,
    /// Frames shed or evicted since the last take, for the source's dropped count.
    shed: u64,
}

/// What the source thread hands to the app in one go.
#[derive(Default)]
pub(super) struct Batch {
    pub rows: Vec<Row>,
    /// Rows for side streams, by parameter name.
    pub side: Vec<(&'static str, Row)>,
    pub errors: Vec<ConnectorError>,
    /// Frames shed (backpressure) or evicted from a paused stream's cache since the last take.
    pub shed: u64,
    taken: Vec<(String, u64)>,
}

pub(super) struct Outbox {
    settings: BufferSettings,
    state: Mutex<State>,
    ready: Condvar,
    room: tokio::sync::Notify,
}

/// Frames one take hands on at most: bounds what is in flight beyond the queues.
const TAKE_FRAMES: usize = 64;

impl Outbox {
    pub fn new(settings: BufferSettings) -> Arc<Outbox> {
        Arc::new(Outbox {
            settings,
            state: Mutex::new(State::default()),
            ready: Condvar::new(),
            room: tokio::sync::Notify::new(),
        })
    }

    pub fn open(&self, ingest: Arc<IngestStream>) {
        let cache = GopCache::new(self.settings.gops, self.settings.stream_max);
        self.state.lock().streams.insert(
            ingest.id.clone(),
            StreamBox {
                ingest,
                queue: GopQueue::default(),
                cache,
                in_flight: 0,
                consumer_current: true,
                was_paused: false,
                closed: false,
            },
        );
    }

    /// The stream ended: it goes once what it holds is delivered.
    pub fn close(&self, id: &str) {
        let mut state = self.state.lock();
        if let Some(s) = state.streams.get_mut(id) {
            s.closed = true;
        }
        drop(state);
        self.ready.notify_one();
    }

    pub fn side(&self, param: &'static str, rows: Vec<Row>) {
        if rows.is_empty() {
            return;
        }
        self.state
            .lock()
            .side
            .extend(rows.into_iter().map(|r| (param, r)));
        self.ready.notify_one();
    }

    pub fn error(&self, error: ConnectorError) {
        self.state.lock().errors.push(error);
        self.ready.notify_one();
    }

    /// One whole frame of stream `id`, as a row: queued, held (paused) or shed.
    pub fn frame(&self, id: &str, row: Row, kind: FrameKind, bytes: u64) {
        let (stream_levels, global_levels) = self.settings.shed_levels();
        let mut guard = self.state.lock();
        let state = &mut *guard;
        let Some(s) = state.streams.get_mut(id) else {
            return;
        };
        let before = s.held();
        let lost_before = s.queue.drops.frames() + s.cache.evicted;
        if s.ingest.is_paused() {
            s.was_paused = true;
            let continues = s.consumer_current && !s.queue.is_shedding();
            s.cache.push((row, kind), kind, bytes, continues);
            s.consumer_current = false;
            // Held frames count as paused until they are replayed.
            s.ingest.paused_frames(1);
        } else {
            let mut frames = Vec::new();
            if std::mem::take(&mut s.was_paused) {
                frames = s.cache.take();
                s.ingest.paused_frames(-(frames.len() as i64));
            }
            frames.push(((row, kind), bytes));
            let others = GLOBAL_HELD.load(Ordering::Relaxed).saturating_sub(s.held());
            for ((row, kind), bytes) in frames {
                let budget = Budget {
                    stream: stream_levels,
                    global: global_levels,
                    others,
                    in_flight: s.in_flight + s.cache.bytes(),
                };
                s.consumer_current = s.queue.push(row, kind, bytes, &budget);
            }
        }
        let after = s.held();
        state.shed += (s.queue.drops.frames() + s.cache.evicted).saturating_sub(lost_before);
        s.publish();
        adjust(&mut state.held, before, after);
        drop(guard);
        self.ready.notify_one();
    }

    /// Block mode: waits while stream `id` (or, with `None`, any stream of this outbox) or the
    /// process is above the high watermark, until it is at or below the low one. Returns at
    /// once under drop-gop.
    pub async fn wait_for_room(&self, id: Option<&str>, running: &std::sync::atomic::AtomicBool) {
        if self.settings.on_full != OnFull::Block {
            return;
        }
        let stream = BufferSettings::watermarks(
            self.settings.stream_max,
            self.settings.high,
            self.settings.low,
        );
        let global = BufferSettings::watermarks(
            self.settings.global_max,
            self.settings.high,
            self.settings.low,
        );
        let level = |state: &State| -> (u64, u64) {
            let own = match id {
                Some(id) => state.streams.get(id).map_or(0, StreamBox::held),
                None => state
                    .streams
                    .values()
                    .map(StreamBox::held)
                    .max()
                    .unwrap_or(0),
            };
            (own, GLOBAL_HELD.load(Ordering::Relaxed))
        };
        let (own, all) = level(&self.state.lock());
        if own <= stream.high && all <= global.high {
            return;
        }
        while running.load(Ordering::Acquire) {
            let notified = self.room.notified();
            let (own, all) = level(&self.state.lock());
            if own <= stream.low && all <= global.low {
                return;
            }
            let _ = tokio::time::timeout(Duration::from_millis(50), notified).await;
        }
    }

    /// What is ready, waiting up to `timeout` for something; frames stay counted against the
    /// limits until [`Outbox::delivered`].
    pub fn take(&self, timeout: Duration) -> Batch {
        let mut state = self.state.lock();
        if !has_work(&state) {
            self.ready.wait_for(&mut state, timeout);
        }
        let mut batch = Batch {
            side: std::mem::take(&mut state.side),
            errors: std::mem::take(&mut state.errors),
            shed: std::mem::take(&mut state.shed),
            ..Batch::default()
        };
        let ids: Vec<String> = state.streams.keys().cloned().collect();
        if !ids.is_empty() {
            let start = state.cursor % ids.len();
            state.cursor = state.cursor.wrapping_add(1);
            let mut progress = true;
            while progress && batch.rows.len() < TAKE_FRAMES {
                progress = false;
                for id in ids[start..].iter().chain(&ids[..start]) {
                    let s = state.streams.get_mut(id).expect("ids from the map");
                    if let Some((row, bytes)) = s.queue.pop() {
                        s.in_flight += bytes;
                        batch.rows.push(row);
                        batch.taken.push((id.clone(), bytes));
                        progress = true;
                    }
                }
            }
        }
        batch
    }

    /// The batch reached the app: its bytes leave the limits.
    pub fn delivered(&self, batch: &Batch) {
        let mut guard = self.state.lock();
        let state = &mut *guard;
        for (id, bytes) in &batch.taken {
            if let Some(s) = state.streams.get_mut(id) {
                let before = s.held();
                s.in_flight -= bytes;
                s.publish();
                adjust(&mut state.held, before, s.held());
            }
        }
        state.streams.retain(|_, s| {
            let gone = s.closed && s.queue.is_empty() && s.in_flight == 0;
            if gone {
                let cached = s.cache.bytes();
                GLOBAL_HELD.fetch_sub(cached, Ordering::Relaxed);
                s.ingest.set_buffer(0, s.queue.drops);
            }
            !gone
        });
        state.held = state.streams.values().map(StreamBox::held).sum();
        drop(guard);
        self.room.notify_waiters();
    }

    /// Nothing queued and nothing in flight.
    pub fn is_drained(&self) -> bool {
        let state = self.state.lock();
        !has_work(&state) && state.streams.values().all(|s| s.in_flight == 0)
    }
}

impl Drop for Outbox {
    fn drop(&mut self) {
        GLOBAL_HELD.fetch_sub(self.state.lock().held, Ordering::Relaxed);
    }
}

fn has_work(state: &State) -> bool {
    !state.side.is_empty()
        || !state.errors.is_empty()
        || state.streams.values().any(|s| !s.queue.is_empty())
}

/// Moves this outbox's share of the process total from `before` to `after`.
fn adjust(held: &mut u64, before: u64, after: u64) {
    if after >= before {
        GLOBAL_HELD.fetch_add(after - before, Ordering::Relaxed);
    } else {
        GLOBAL_HELD.fetch_sub(before - after, Ordering::Relaxed);
    }
    *held = held.saturating_add(after).saturating_sub(before);
}

/// The kind of a frame from what its bitstream said.
pub(super) fn kind_of(keyframe: bool, reference: bool) -> FrameKind {
    match (keyframe, reference) {
        (true, _) => FrameKind::Key,
        (false, true) => FrameKind::Reference,
        (false, false) => FrameKind::NonReference,
    }
}

/// What a source's network side is handed instead of the `SourceContext` (which stays on the
/// source's thread): the outbox, the running flag and the status.
#[derive(Clone)]
pub(super) struct Feed {
    pub outbox: Arc<Outbox>,
    running: Arc<std::sync::atomic::AtomicBool>,
    status: Arc<ConnectorStatus>,
}

impl Feed {
    pub fn is_running(&self) -> bool {
        self.running.load(Ordering::Acquire)
    }

    pub fn status(&self) -> &Arc<ConnectorStatus> {
        &self.status
    }

    /// Logged, counted and handed to the error strategy by the source's thread.
    pub fn report_error(&self, error: ConnectorError) {
        self.outbox.error(error);
    }

    pub fn emit_side_rows(&self, param: &'static str, rows: Vec<Row>) {
        self.outbox.side(param, rows);
    }

    /// Block mode: waits until stream `id` (any stream, with `None`) has room.
    pub async fn wait_for_room(&self, id: Option<&str>) {
        self.outbox.wait_for_room(id, &self.running).await;
    }
}

/// Runs a source's network side on the connector runtime and delivers what it queues from
/// this (the source's) thread, which may block while the app is slow: the network side goes
/// on reading meanwhile. Returns when the network side has ended and everything it queued is
/// delivered (so stopping flushes).
/// Logs shedding once per episode: when it starts, and with its count once a second has
/// passed without any (or when the source stops).
#[derive(Default)]
struct Shedding {
    /// Frames shed in the current episode, and when the last was.
    episode: Option<(u64, Instant)>,
}

impl Shedding {
    fn saw(&mut self, shed: u64, now: Instant) {
        match (&mut self.episode, shed) {
            (None, 0) => {}
            (None, n) => {
                log::warn!(
                    "frames are being shed: the app is behind the input, or a paused stream's \
                     cache is full (max.buffer.bytes, on.full, gop.buffer.count)"
                );
                self.episode = Some((n, now));
            }
            (Some((_, last)), 0) => {
                if now.duration_since(*last) >= Duration::from_secs(1) {
                    self.end();
                }
            }
            (Some((total, last)), n) => {
                *total += n;
                *last = now;
            }
        }
    }

    fn end(&mut self) {
        if let Some((total, _)) = self.episode.take() {
            log::warn!("shed {total} frame(s) while the app was behind (counted as dropped)");
        }
    }
}

pub(super) fn deliver<F>(
    ctx: &mut SourceContext,
    settings: BufferSettings,
    network: impl FnOnce(Feed) -> F,
) -> Result<(), ConnectorError>
where
    F: std::future::Future<Output = Result<(), ConnectorError>> + Send + 'static,
{
    let feed = Feed {
        outbox: Outbox::new(settings),
        running: ctx.running_flag(),
        status: ctx.status().clone(),
    };
    let outbox = feed.outbox.clone();
    let task = runtime().spawn(network(feed));
    let mut shedding = Shedding::default();
    loop {
        let mut batch = outbox.take(Duration::from_millis(50));
        for e in &batch.errors {
            ctx.report_error(e, None);
        }
        ctx.count_dropped(batch.shed);
        shedding.saw(batch.shed, Instant::now());
        ctx.emit_rows(std::mem::take(&mut batch.rows));
        let side = std::mem::take(&mut batch.side);
        for (param, rows) in side.chunk_by(|a, b| a.0 == b.0).map(|run| {
            let rows: Vec<Row> = run.iter().map(|(_, r)| r.clone()).collect();
            (run[0].0, rows)
        }) {
            ctx.emit_side_rows(param, rows);
        }
        outbox.delivered(&batch);
        if task.is_finished() && outbox.is_drained() {
            break;
        }
    }
    shedding.end();
    match runtime().block_on(task) {
        Ok(result) => result,
        Err(e) => Err(ConnectorError::permanent(format!(
            "the network task ended abnormally: {e}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connector::ingest::registry;
    use FrameKind::*;

    fn settings(on_full: OnFull, gops: usize) -> BufferSettings {
        BufferSettings {
            stream_max: 1000,
            global_max: u64::MAX / 2,
            high: 0.8,
            low: 0.5,
            on_full,
            gops,
        }
    }

    fn row(n: i64) -> Row {
        Arc::from(vec![Value::Long(n)])
    }

    fn numbers(batch: &Batch) -> Vec<i64> {
        batch
            .rows
            .iter()
            .map(|r| match r[0] {
                Value::Long(n) => n,
                _ => -1,
            })
            .collect()
    }

    #[test]
    fn a_resumed_stream_gets_what_continues_its_gop_and_the_last_gop_it_missed() {
        let outbox = Outbox::new(settings(OnFull::DropGop, 1));
        let h = registry().open("srt", "127.0.0.1:1", "Video");
        outbox.open(h.shared());
        outbox.frame(&h.id, row(0), Key, 10);
        outbox.frame(&h.id, row(1), Reference, 10);
        registry().pause(&h.id);
        for (n, kind) in [(2, Reference), (3, Key), (4, Reference), (5, NonReference)] {
            outbox.frame(&h.id, row(n), kind, 10);
        }
        registry().resume(&h.id);
        outbox.frame(&h.id, row(6), Reference, 10);
        let batch = outbox.take(Duration::ZERO);
        // Frame 2 continues GOP 0 (the consumer has 0 and 1), then GOP 3 whole.
        assert_eq!(numbers(&batch), vec![0, 1, 2, 3, 4, 5, 6]);
        outbox.delivered(&batch);
        let s = registry().get(&h.id).unwrap();
        assert_eq!(s.paused_frames, 0, "every held frame was replayed");
        assert_eq!(s.buffer_bytes, 0);
        assert_eq!(s.buffer_peak_bytes, 70);
        // A longer pause keeps one GOP: the first frames back start at a keyframe.
        registry().pause(&h.id);
        for (n, kind) in [
            (7, Reference),
            (8, Key),
            (9, Reference),
            (10, Key),
            (11, Reference),
        ] {
            outbox.frame(&h.id, row(n), kind, 10);
        }
        registry().resume(&h.id);
        outbox.frame(&h.id, row(12), Reference, 10);
        let batch = outbox.take(Duration::ZERO);
        assert_eq!(numbers(&batch), vec![10, 11, 12]);
        outbox.delivered(&batch);
        assert_eq!(registry().get(&h.id).unwrap().paused_frames, 3);
    }

    #[test]
    fn a_short_pause_continues_the_gop() {
        let outbox = Outbox::new(settings(OnFull::DropGop, 0));
        let h = registry().open("srt", "127.0.0.1:2", "Video");
        outbox.open(h.shared());
        outbox.frame(&h.id, row(0), Key, 10);
        registry().pause(&h.id);
        outbox.frame(&h.id, row(1), Reference, 10);
        registry().resume(&h.id);
        outbox.frame(&h.id, row(2), Reference, 10);
        assert_eq!(numbers(&outbox.take(Duration::ZERO)), vec![0, 1, 2]);
    }

    #[test]
    fn frames_in_flight_count_until_delivered_and_a_closed_stream_goes_after() {
        let outbox = Outbox::new(settings(OnFull::DropGop, 1));
        let h = registry().open("rtp", "127.0.0.1:3", "Video");
        outbox.open(h.shared());
        for n in 0..7 {
            outbox.frame(&h.id, row(n), if n == 0 { Key } else { Reference }, 100);
        }
        let batch = outbox.take(Duration::ZERO);
        assert_eq!(batch.rows.len(), 7);
        // 700 bytes in flight of an 800-byte high watermark: a P frame of 200 does not fit.
        outbox.frame(&h.id, row(7), Reference, 200);
        assert_eq!(registry().get(&h.id).unwrap().dropped.gop_tail, 1);
        outbox.delivered(&batch);
        outbox.close(&h.id);
        assert!(outbox.is_drained());
        let empty = outbox.take(Duration::ZERO);
        outbox.delivered(&empty);
        assert!(outbox.state.lock().streams.is_empty());
    }

    #[test]
    fn watermarks_must_be_ordered_fractions() {
        let mut c = ConnectorConfig::default();
        c.params.insert("buffer.low.watermark".into(), "0.9".into());
        let e = BufferSettings::from_config(&c).unwrap_err();
        assert!(e.0.contains("0 < low < high <= 1"), "{e}");
        c.params.insert("on.full".into(), "drop".into());
        assert!(BufferSettings::from_config(&c).is_err());
    }
}

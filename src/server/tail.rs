//! Live tails of streams for people: `GET /apps/{app}/streams/{s}/tail` as Server-Sent Events.
//! A stream gets one tap the first time someone tails it; the tap hands batches to a broadcast
//! channel only while someone listens, so an untailed stream pays one atomic load a batch.
//! Each client gets at most `limit` events a second; the rest are skipped and said so.

use crate::event::{Event, EventKind};
use crate::runtime::app::App;
use crate::schema::Schema;
use axum::response::sse::Event as SseEvent;
use futures_util::Stream;
use parking_lot::Mutex;
use serde_json::{json, Map};
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::broadcast;

/// Batches a slow client may fall behind by before it skips.
const BACKLOG_BATCHES: usize = 256;
/// Default and ceiling of `?limit` (events a second).
pub const DEFAULT_LIMIT: u32 = 20;
pub const MAX_LIMIT: u32 = 1000;

type Batch = Arc<Vec<Event>>;

/// The taps of one app's streams.
#[derive(Default)]
pub struct Tails {
    senders: Mutex<HashMap<String, broadcast::Sender<Batch>>>,
}

impl Tails {
    /// A receiver of `stream`'s batches, tapping the stream the first time.
    pub fn subscribe(&self, app: &App, stream: &str) -> Result<broadcast::Receiver<Batch>, String> {
        let mut senders = self.senders.lock();
        if let Some(tx) = senders.get(stream) {
            return Ok(tx.subscribe());
        }
        let (tx, rx) = broadcast::channel(BACKLOG_BATCHES);
        let tap = tx.clone();
        app.subscribe_fn(stream, move |batch: &[Event]| {
            if tap.receiver_count() > 0 {
                let _ = tap.send(Arc::new(batch.to_vec()));
            }
        })
        .map_err(|e| e.to_string())?;
        senders.insert(stream.to_string(), tx);
        Ok(rx)
    }
}

/// One event as the tail and the API show it.
pub fn event_json(schema: &Schema, e: &Event) -> serde_json::Value {
    let mut data = Map::new();
    for (a, v) in schema.attrs().iter().zip(e.data.iter()) {
        data.insert(a.name.clone(), crate::json::to_json(v));
    }
    let mut obj = json!({"ts": e.ts, "data": data});
    if e.kind == EventKind::Expired {
        obj["expired"] = json!(true);
    }
    obj
}

struct TailState {
    rx: broadcast::Receiver<Batch>,
    schema: Schema,
    limit: u32,
    second: Instant,
    sent_this_second: u32,
    skipped: u64,
    pending: std::collections::VecDeque<SseEvent>,
    app: std::sync::Weak<App>,
}

/// The SSE stream: `event: event` with the event as JSON, `event: skipped` with
/// `{"skipped": n}` when the limit or a slow connection made it skip, `event: end` when the
/// app stops.
pub fn sse_stream(
    rx: broadcast::Receiver<Batch>,
    schema: Schema,
    limit: u32,
    app: &Arc<App>,
) -> impl Stream<Item = Result<SseEvent, Infallible>> {
    let state = TailState {
        rx,
        schema,
        limit: limit.clamp(1, MAX_LIMIT),
        second: Instant::now(),
        sent_this_second: 0,
        skipped: 0,
        pending: Default::default(),
        app: Arc::downgrade(app),
    };
    futures_util::stream::unfold(Some(state), |state| async move {
        let mut st = state?;
        loop {
            if let Some(ev) = st.pending.pop_front() {
                return Some((Ok(ev), Some(st)));
            }
            match tokio::time::timeout(Duration::from_secs(1), st.rx.recv()).await {
                Ok(Ok(batch)) => st.take(&batch),
                Ok(Err(broadcast::error::RecvError::Lagged(n))) => {
                    st.skipped += n;
                    st.flush_skipped();
                }
                Ok(Err(broadcast::error::RecvError::Closed)) => {
                    return Some((Ok(end_event()), None));
                }
                Err(_) => {
                    st.roll_second();
                    let running = st
                        .app
                        .upgrade()
                        .is_some_and(|a| a.state() == crate::runtime::app::AppState::Running);
                    if !running {
                        return Some((Ok(end_event()), None));
                    }
                }
            }
        }
    })
}

fn end_event() -> SseEvent {
    SseEvent::default()
        .event("end")
        .data(r#"{"reason":"the app stopped"}"#)
}

impl TailState {
    fn roll_second(&mut self) {
        if self.second.elapsed() >= Duration::from_secs(1) {
            self.second = Instant::now();
            self.sent_this_second = 0;
            self.flush_skipped();
        }
    }

    fn flush_skipped(&mut self) {
        if self.skipped > 0 {
            self.pending.push_back(
                SseEvent::default()
                    .event("skipped")
                    .data(json!({"skipped": self.skipped}).to_string()),
            );
            self.skipped = 0;
        }
    }

    fn take(&mut self, batch: &[Event]) {
        self.roll_second();
        for e in batch {
            if self.sent_this_second >= self.limit {
                self.skipped += 1;
                continue;
            }
            self.sent_this_second += 1;
            self.pending.push_back(
                SseEvent::default()
                    .event("event")
                    .data(event_json(&self.schema, e).to_string()),
            );
        }
    }
}

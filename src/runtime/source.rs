//! Drives one source on its own thread: payloads through the stream's mapper into the stream,
//! stamped with the app clock; failures to the error strategy.

use crate::clock::Clock;
use crate::connector::mapper::SourceMapper;
use crate::connector::{ConnectorError, ConnectorState, Source, SourceContext, SourceOutput};
use crate::event::Event;
use crate::runtime::failure::FailureHandler;
use crate::runtime::junction::Junction;
use crate::runtime::scheduler::Scheduler;
use crate::value::Value;
use bytes::Bytes;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

/// Playback: publishes `events` run by run of equal timestamps, moving the app's time to each
/// run first, so timers due between two events fire between them.
pub fn publish_in_time(junction: &Junction, scheduler: &Scheduler, events: &[Event]) {
    for run in events.chunk_by(|a, b| a.ts == b.ts) {
        scheduler.advance_to(run[0].ts);
        junction.publish(run);
    }
}

/// The engine's side of a source: decode, stamp, publish.
pub struct SourceInlet {
    pub mapper: Option<Box<dyn SourceMapper>>,
    /// The app's sinks, for `sync_downstream`.
    pub sinks: Vec<Arc<crate::runtime::sink::SyncPoint>>,
    pub junction: Arc<Junction>,
    pub clock: Arc<Clock>,
    /// Playback: events that keep their timestamps move the app's time (timers fire).
    pub playback: Option<Arc<Scheduler>>,
    pub handler: Arc<FailureHandler>,
    /// Side streams the source also emits into (a stats stream), by parameter name.
    pub sides: Vec<(String, Arc<Junction>)>,
    rows: Vec<Arc<[Value]>>,
    events: Vec<Event>,
}

impl SourceInlet {
    pub fn new(
        mapper: Option<Box<dyn SourceMapper>>,
        junction: Arc<Junction>,
        clock: Arc<Clock>,
        handler: Arc<FailureHandler>,
    ) -> Self {
        SourceInlet {
            mapper,
            sinks: Vec::new(),
            junction,
            clock,
            playback: None,
            handler,
            sides: Vec::new(),
            rows: Vec::new(),
            events: Vec::new(),
        }
    }

    fn publish_rows(&mut self) {
        if self.rows.is_empty() {
            return;
        }
        let ts = self.clock.now();
        self.events
            .extend(self.rows.drain(..).map(|r| Event::new(ts, r)));
        self.handler
            .counters
            .events
            .fetch_add(self.events.len() as u64, Ordering::Relaxed);
        self.junction.publish(&self.events);
        self.events.clear();
    }
}

impl SourceOutput for SourceInlet {
    fn payloads(&mut self, payloads: &[Bytes]) {
        let Some(mapper) = self.mapper.as_mut() else {
            let e = ConnectorError::permanent("this source has no mapper to decode payloads with");
            for p in payloads {
                self.handler.handle(&e.message, &[], Some(p));
            }
            return;
        };
        for p in payloads {
            let before = self.rows.len();
            if let Err(msg) = mapper.decode(p, &mut self.rows) {
                self.rows.truncate(before);
                self.handler
                    .handle(&format!("cannot decode payload: {msg}"), &[], Some(p));
            }
        }
        self.publish_rows();
    }

    fn payload_checked(&mut self, payload: &Bytes) -> Result<usize, String> {
        let Some(mapper) = self.mapper.as_mut() else {
            let msg = "this source has no mapper to decode payloads with".to_string();
            self.handler.handle(&msg, &[], Some(payload));
            return Err(msg);
        };
        let before = self.rows.len();
        match mapper.decode(payload, &mut self.rows) {
            Ok(()) => {
                let n = self.rows.len() - before;
                self.publish_rows();
                Ok(n)
            }
            Err(msg) => {
                self.rows.truncate(before);
                self.handler
                    .handle(&format!("cannot decode payload: {msg}"), &[], Some(payload));
                Err(msg)
            }
        }
    }

    fn events(&mut self, events: Vec<Event>) {
        self.handler
            .counters
            .events
            .fetch_add(events.len() as u64, Ordering::Relaxed);
        match &self.playback {
            Some(scheduler) => publish_in_time(&self.junction, scheduler, &events),
            None => self.junction.publish(&events),
        }
    }

    fn sync_downstream(&mut self, timeout: std::time::Duration) -> bool {
        let deadline = std::time::Instant::now() + timeout;
        self.sinks.iter().all(|s| s.wait(deadline))
    }

    fn rows(&mut self, rows: Vec<Arc<[Value]>>) {
        self.rows.extend(rows);
        self.publish_rows();
    }

    fn side_rows(&mut self, param: &str, rows: Vec<Arc<[Value]>>) {
        let Some((_, junction)) = self.sides.iter().find(|(p, _)| p == param) else {
            return;
        };
        let ts = self.clock.now();
        let events: Vec<Event> = rows.into_iter().map(|r| Event::new(ts, r)).collect();
        junction.publish(&events);
    }

    fn error(&mut self, error: &ConnectorError, payload: Option<&Bytes>) {
        self.handler
            .handle_class(error.class, &error.message, &[], payload);
    }

    fn dropped(&mut self, count: u64) {
        self.handler
            .counters
            .dropped
            .fetch_add(count, Ordering::Relaxed);
    }
}

pub struct SourceDriver {
    pub label: String,
    running: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
    done: Arc<AtomicBool>,
}

impl SourceDriver {
    pub fn start(label: String, mut source: Box<dyn Source>, inlet: SourceInlet) -> SourceDriver {
        let running = Arc::new(AtomicBool::new(true));
        let done = Arc::new(AtomicBool::new(false));
        let (r, d, l) = (running.clone(), done.clone(), label.clone());
        let handler = inlet.handler.clone();
        let handle = std::thread::Builder::new()
            .name(format!("source-{label}"))
            .spawn(move || {
                let status = handler.counters.status.clone();
                let mut ctx = SourceContext::new(r, Box::new(inlet)).with_status(status.clone());
                status.set_state(ConnectorState::Running);
                match source.run(&mut ctx) {
                    Ok(()) => {
                        status.set_state(ConnectorState::Stopped);
                        log::info!("{l}: input ended");
                    }
                    Err(e) => {
                        handler.handle_class(e.class, &format!("source stopped: {e}"), &[], None);
                        status.set_state(ConnectorState::Failed);
                        log::error!("{l}: source stopped: {e}");
                    }
                }
                d.store(true, Ordering::Release);
            })
            .expect("spawning a thread");
        SourceDriver {
            label,
            running,
            handle: Some(handle),
            done,
        }
    }

    /// Whether the source has returned (its input ended or it failed).
    pub fn is_done(&self) -> bool {
        self.done.load(Ordering::Acquire)
    }

    /// Asks the source to stop and waits up to `grace` for it (a source blocked in a read it
    /// cannot interrupt, such as stdin, is left behind after that).
    pub fn stop(&mut self, grace: std::time::Duration) {
        self.running.store(false, Ordering::Release);
        let deadline = std::time::Instant::now() + grace;
        while !self.is_done() && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        if let Some(h) = self.handle.take() {
            if self.is_done() {
                let _ = h.join();
            } else {
                log::warn!(
                    "{}: did not stop within {grace:?}; leaving it behind",
                    self.label
                );
            }
        }
    }
}

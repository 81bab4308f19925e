//! Test helpers: a `SourceOutput` that records what a source emits.

use crate::connector::{ConnectorError, SourceContext, SourceOutput};
use crate::value::Value;
use bytes::Bytes;
use parking_lot::Mutex;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

#[derive(Default)]
pub struct Recorded {
    pub payloads: Vec<Vec<Bytes>>,
    pub rows: Vec<Vec<Arc<[Value]>>>,
    pub errors: Vec<String>,
    /// Rows emitted into side streams, by parameter.
    pub side_rows: std::collections::BTreeMap<String, Vec<Arc<[Value]>>>,
    /// Events the source said it shed.
    pub dropped: u64,
}

/// Records payload batches, row batches and errors; clones share the record.
#[derive(Clone, Default)]
pub struct Recorder(pub Arc<Mutex<Recorded>>);

impl Recorder {
    /// A recorder and a running context that delivers into it.
    pub fn context() -> (Recorder, SourceContext) {
        let (rec, ctx, _) = Self::context_with_flag();
        (rec, ctx)
    }

    /// Also returns the running flag, to stop the source.
    pub fn context_with_flag() -> (Recorder, SourceContext, Arc<AtomicBool>) {
        let rec = Recorder::default();
        let flag = Arc::new(AtomicBool::new(true));
        let ctx = SourceContext::new(flag.clone(), Box::new(rec.clone()));
        (rec, ctx, flag)
    }

    pub fn payload_batches(&self) -> Vec<Vec<Bytes>> {
        self.0.lock().payloads.clone()
    }

    pub fn payload_strings(&self) -> Vec<String> {
        self.0
            .lock()
            .payloads
            .iter()
            .flatten()
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .collect()
    }

    pub fn row_batches(&self) -> Vec<Vec<Arc<[Value]>>> {
        self.0.lock().rows.clone()
    }

    pub fn rows(&self) -> Vec<Arc<[Value]>> {
        self.0.lock().rows.iter().flatten().cloned().collect()
    }

    /// Waits (up to 10 s) until at least `n` payloads were recorded; returns whether they were.
    pub fn wait_for_payloads(&self, n: usize) -> bool {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while std::time::Instant::now() < deadline {
            if self.payload_strings().len() >= n {
                return true;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        false
    }
}

impl SourceOutput for Recorder {
    fn payloads(&mut self, payloads: &[Bytes]) {
        self.0.lock().payloads.push(payloads.to_vec());
    }

    fn payload_checked(&mut self, payload: &Bytes) -> Result<usize, String> {
        self.payloads(std::slice::from_ref(payload));
        Ok(1)
    }

    fn events(&mut self, events: Vec<crate::event::Event>) {
        self.rows(events.into_iter().map(|e| e.data).collect());
    }

    fn sync_downstream(&mut self, _timeout: std::time::Duration) -> bool {
        true
    }

    fn rows(&mut self, rows: Vec<Arc<[Value]>>) {
        self.0.lock().rows.push(rows);
    }

    fn side_rows(&mut self, param: &str, rows: Vec<Arc<[Value]>>) {
        self.0
            .lock()
            .side_rows
            .entry(param.to_string())
            .or_default()
            .extend(rows);
    }

    fn error(&mut self, error: &ConnectorError, _payload: Option<&Bytes>) {
        self.0.lock().errors.push(error.message.clone());
    }

    fn dropped(&mut self, count: u64) {
        self.0.lock().dropped += count;
    }
}

//! The playing clients of one RTSP stream: a bounded queue each, fed with the same shared
//! packets. Publishing never waits: a client whose queue is full skips that frame (counted); one
//! that stays full for the session timeout is dropped.

use super::packets::Packets;
use parking_lot::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::mpsc::{self, error::TrySendError};

pub(super) struct Clients {
    playing: Mutex<Vec<Client>>,
    pub(super) max_clients: usize,
    queue_frames: usize,
    stall_limit: Duration,
    skipped: AtomicU64,
    dropped_clients: AtomicU64,
    published: AtomicU64,
}

struct Client {
    id: String,
    tx: mpsc::Sender<Packets>,
    skipped: u64,
    /// Since when every frame offered was skipped.
    full_since: Option<Instant>,
}

impl Clients {
    pub(super) fn new(max_clients: usize, queue_frames: usize, stall_limit: Duration) -> Clients {
        Clients {
            playing: Mutex::new(Vec::new()),
            max_clients,
            queue_frames,
            stall_limit,
            skipped: AtomicU64::new(0),
            dropped_clients: AtomicU64::new(0),
            published: AtomicU64::new(0),
        }
    }

    pub(super) fn has_room(&self) -> bool {
        let mut playing = self.playing.lock();
        playing.retain(|c| !c.tx.is_closed());
        playing.len() < self.max_clients
    }

    /// A client starts playing: its queue, which ends when it is dropped or the sink stops.
    pub(super) fn play(&self, id: &str) -> mpsc::Receiver<Packets> {
        let (tx, rx) = mpsc::channel(self.queue_frames);
        let mut playing = self.playing.lock();
        playing.push(Client {
            id: id.to_string(),
            tx,
            skipped: 0,
            full_since: None,
        });
        log::info!(
            "rtsp sink: session {id} playing; {} client(s) playing",
            playing.len()
        );
        rx
    }

    pub(super) fn stop(&self, id: &str) {
        self.playing.lock().retain(|c| c.id != id);
    }

    pub(super) fn publish(&self, packets: Packets) {
        self.published.fetch_add(1, Ordering::Relaxed);
        let now = Instant::now();
        self.playing.lock().retain_mut(|c| match c.tx.try_send(packets.clone()) {
            Ok(()) => {
                c.full_since = None;
                true
            }
            Err(TrySendError::Full(_)) => {
                c.skipped += 1;
                self.skipped.fetch_add(1, Ordering::Relaxed);
                let since = *c.full_since.get_or_insert(now);
                if now.duration_since(since) > self.stall_limit {
                    self.dropped_clients.fetch_add(1, Ordering::Relaxed);
                    log::warn!(
                        "rtsp sink: session {} read nothing for {:?}; dropping it ({} frames skipped)",
                        c.id,
                        self.stall_limit,
                        c.skipped
                    );
                    return false;
                }
                if c.skipped == 1 || c.skipped % 100 == 0 {
                    log::warn!(
                        "rtsp sink: session {} is slow: {} frames skipped so far",
                        c.id,
                        c.skipped
                    );
                }
                true
            }
            Err(TrySendError::Closed(_)) => false,
        });
    }

    /// Ends every client's queue.
    pub(super) fn close(&self) {
        self.playing.lock().clear();
    }

    pub(super) fn log_totals(&self) {
        log::info!(
            "rtsp sink: {} frames published; {} skipped by slow clients; {} clients dropped",
            self.published.load(Ordering::Relaxed),
            self.skipped.load(Ordering::Relaxed),
            self.dropped_clients.load(Ordering::Relaxed)
        );
    }
}

/// One frame of one packet, for tests.
#[cfg(test)]
fn packets(n: u8) -> Packets {
    std::sync::Arc::from(vec![bytes::Bytes::from(vec![n])])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slow_clients_skip_then_stalled_ones_are_dropped() {
        let clients = Clients::new(4, 2, Duration::from_millis(30));
        let mut fast = clients.play("fast");
        let _stalled = clients.play("stalled");
        for i in 0..4 {
            clients.publish(packets(i));
            assert_eq!(fast.try_recv().unwrap()[0][0], i);
        }
        assert_eq!(clients.skipped.load(Ordering::Relaxed), 2);
        std::thread::sleep(Duration::from_millis(40));
        clients.publish(packets(9));
        assert_eq!(clients.dropped_clients.load(Ordering::Relaxed), 1);
        assert_eq!(clients.playing.lock().len(), 1);
        assert!(clients.has_room());
    }
}

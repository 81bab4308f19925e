//! The viewers of an MJPEG stream: one bounded queue each, fed with the same shared frame.
//! Publishing never waits: a viewer whose queue is full skips that frame (counted), a viewer
//! that left is dropped.

use arc_swap::ArcSwapOption;
use bytes::Bytes;
use futures_util::stream::{self, Stream, StreamExt};
use parking_lot::Mutex;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::mpsc::{self, error::TrySendError};

/// One frame as every viewer sends it: its part header (made once per frame) and the JPEG.
type Part = (Bytes, Bytes);

pub(super) struct Hub {
    boundary: String,
    max_viewers: usize,
    queue_frames: usize,
    latest: ArcSwapOption<Bytes>,
    viewers: Mutex<Vec<Viewer>>,
    next_id: AtomicU64,
    /// Frames skipped by viewers that have left (those still here count their own).
    skipped_by_gone: AtomicU64,
    published: AtomicU64,
}

/// The hub's side of one viewer.
struct Viewer {
    peer: SocketAddr,
    tx: mpsc::Sender<Part>,
    counts: Arc<ViewerCounts>,
}

#[derive(Default)]
pub(super) struct ViewerCounts {
    sent: AtomicU64,
    skipped: AtomicU64,
}

/// The viewer's side: its queue and counts, logged when the viewer goes.
pub(super) struct ViewerStream {
    id: u64,
    peer: SocketAddr,
    rx: mpsc::Receiver<Part>,
    counts: Arc<ViewerCounts>,
}

impl Hub {
    pub(super) fn new(boundary: String, max_viewers: usize, queue_frames: usize) -> Hub {
        Hub {
            boundary,
            max_viewers,
            queue_frames,
            latest: ArcSwapOption::empty(),
            viewers: Mutex::new(Vec::new()),
            next_id: AtomicU64::new(1),
            skipped_by_gone: AtomicU64::new(0),
            published: AtomicU64::new(0),
        }
    }

    pub(super) fn boundary(&self) -> &str {
        &self.boundary
    }

    pub(super) fn max_viewers(&self) -> usize {
        self.max_viewers
    }

    /// A new viewer, starting at the next frame; `None` when max.viewers are watching.
    pub(super) fn join(&self, peer: SocketAddr) -> Option<ViewerStream> {
        let mut viewers = self.viewers.lock();
        viewers.retain(|v| !v.tx.is_closed());
        if viewers.len() >= self.max_viewers {
            log::warn!(
                "mjpeg sink: refused viewer {peer}: {} are watching (max.viewers)",
                viewers.len()
            );
            return None;
        }
        let (tx, rx) = mpsc::channel(self.queue_frames);
        let counts = Arc::new(ViewerCounts::default());
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        viewers.push(Viewer {
            peer,
            tx,
            counts: counts.clone(),
        });
        log::info!(
            "mjpeg sink: viewer {id} ({peer}) joined; {} watching",
            viewers.len()
        );
        Some(ViewerStream {
            id,
            peer,
            rx,
            counts,
        })
    }

    /// Offers the frame to every viewer without waiting, and keeps it as the snapshot.
    pub(super) fn publish(&self, frame: Bytes) {
        self.published.fetch_add(1, Ordering::Relaxed);
        self.latest.store(Some(Arc::new(frame.clone())));
        // The CRLF that ends the previous part leads this one's header, so a part is two
        // chunks; before the first part it is preamble, which clients skip.
        let head = Bytes::from(format!(
            "\r\n--{}\r\nContent-Type: image/jpeg\r\nContent-Length: {}\r\n\r\n",
            self.boundary,
            frame.len()
        ));
        let mut viewers = self.viewers.lock();
        viewers.retain(|v| match v.tx.try_send((head.clone(), frame.clone())) {
            Ok(()) => true,
            Err(TrySendError::Full(_)) => {
                let n = v.counts.skipped.fetch_add(1, Ordering::Relaxed) + 1;
                if n == 1 || n % 100 == 0 {
                    log::warn!(
                        "mjpeg sink: viewer {} is slow: {n} frames skipped so far",
                        v.peer
                    );
                }
                true
            }
            Err(TrySendError::Closed(_)) => {
                self.skipped_by_gone
                    .fetch_add(v.counts.skipped.load(Ordering::Relaxed), Ordering::Relaxed);
                false
            }
        });
    }

    pub(super) fn latest(&self) -> Option<Bytes> {
        self.latest.load_full().map(|f| (*f).clone())
    }

    /// Ends every viewer's stream once its queue is sent.
    pub(super) fn close(&self) {
        let mut viewers = self.viewers.lock();
        for v in viewers.drain(..) {
            self.skipped_by_gone
                .fetch_add(v.counts.skipped.load(Ordering::Relaxed), Ordering::Relaxed);
        }
    }

    pub(super) fn log_totals(&self) {
        let skipped = self.skipped_by_gone.load(Ordering::Relaxed);
        let published = self.published.load(Ordering::Relaxed);
        if skipped > 0 {
            log::warn!(
                "mjpeg sink: {published} frames published; slow viewers skipped {skipped} frames in all"
            );
        } else {
            log::info!("mjpeg sink: {published} frames published");
        }
    }

    #[cfg(test)]
    pub(super) fn viewer_count(&self) -> usize {
        self.viewers.lock().len()
    }
}

impl ViewerStream {
    /// The multipart body: per frame the shared part header and the shared frame, two chunks,
    /// so that nothing is copied or formatted per viewer.
    pub(super) fn body(self) -> impl Stream<Item = Result<Bytes, Infallible>> + Send {
        stream::unfold(self, |mut viewer| async move {
            let (head, frame) = viewer.rx.recv().await?;
            viewer.counts.sent.fetch_add(1, Ordering::Relaxed);
            Some((stream::iter([head, frame]), viewer))
        })
        .flatten()
        .map(Ok)
    }
}

impl Drop for ViewerStream {
    fn drop(&mut self) {
        log::info!(
            "mjpeg sink: viewer {} ({}) left after {} frames ({} skipped while slow)",
            self.id,
            self.peer,
            self.counts.sent.load(Ordering::Relaxed),
            self.counts.skipped.load(Ordering::Relaxed)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer() -> SocketAddr {
        "127.0.0.1:1".parse().unwrap()
    }

    #[test]
    fn a_slow_viewer_skips_frames_and_others_get_all() {
        let hub = Hub::new("frame".into(), 10, 2);
        let mut slow = hub.join(peer()).unwrap();
        let mut fast = hub.join(peer()).unwrap();
        for i in 0..5u8 {
            hub.publish(Bytes::from(vec![i]));
            // The fast viewer keeps up.
            assert_eq!(fast.rx.try_recv().unwrap().1[0], i);
        }
        // The slow one holds the first two frames and skipped three.
        assert_eq!(slow.rx.try_recv().unwrap().1[0], 0);
        assert_eq!(slow.rx.try_recv().unwrap().1[0], 1);
        assert!(slow.rx.try_recv().is_err());
        assert_eq!(slow.counts.skipped.load(Ordering::Relaxed), 3);
        assert_eq!(hub.latest().unwrap()[0], 4);
    }

    #[test]
    fn viewers_that_left_are_dropped_and_max_viewers_holds() {
        let hub = Hub::new("frame".into(), 1, 2);
        let v = hub.join(peer()).unwrap();
        assert!(hub.join(peer()).is_none());
        drop(v);
        hub.publish(Bytes::from_static(b"x"));
        assert_eq!(hub.viewer_count(), 0);
        assert!(hub.join(peer()).is_some());
    }

    #[test]
    fn the_body_frames_each_jpeg_without_copying_it() {
        let hub = Hub::new("b".into(), 1, 4);
        let v = hub.join(peer()).unwrap();
        let frame = Bytes::from_static(b"\xFF\xD8jpeg\xFF\xD9");
        hub.publish(frame.clone());
        hub.close();
        let chunks: Vec<Bytes> = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(v.body().map(|c| c.unwrap()).collect::<Vec<_>>());
        assert_eq!(chunks.len(), 2);
        assert_eq!(
            &chunks[0][..],
            b"\r\n--b\r\nContent-Type: image/jpeg\r\nContent-Length: 8\r\n\r\n"
        );
        assert_eq!(chunks[1].as_ptr(), frame.as_ptr(), "the frame is shared");
    }
}

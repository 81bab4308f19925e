//! Serves an axum router with the limits a public listener needs, which `axum::serve` lacks: a
//! cap on open connections, a deadline for each request's headers, and an idle timeout for
//! connections that go quiet (slowloris sockets, clients that vanished without a FIN).

use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// The limits of one listener.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_connections: usize,
    pub header_timeout: Duration,
    pub idle_timeout: Duration,
}

/// Accepts and serves until `stop` resolves; then lets open requests finish (bounded by the
/// idle timeout of their connections).
pub async fn serve(
    what: &'static str,
    listener: TcpListener,
    app: axum::Router,
    limits: Limits,
    stop: impl std::future::Future<Output = ()>,
) {
    let open = Arc::new(AtomicUsize::new(0));
    let refused = Arc::new(AtomicU64::new(0));
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    let mut connections = tokio::task::JoinSet::new();
    tokio::pin!(stop);
    loop {
        let (socket, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    log::warn!("{what}: accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut stop => break,
        };
        while connections.try_join_next().is_some() {}
        if open.load(Ordering::Acquire) >= limits.max_connections {
            let n = refused.fetch_add(1, Ordering::Relaxed) + 1;
            if n.is_power_of_two() {
                log::warn!(
                    "{what}: {} connections open (max.connections); closed the one from {peer} \
                     ({n} refused so far)",
                    limits.max_connections
                );
            }
            continue;
        }
        open.fetch_add(1, Ordering::AcqRel);
        let _ = socket.set_nodelay(true);
        let active = Arc::new(AtomicU64::new(0));
        let started = Instant::now();
        let io = hyper_util::rt::TokioIo::new(Watched {
            inner: socket,
            active: active.clone(),
            started,
        });
        let service = hyper_util::service::TowerToHyperService::new(app.clone());
        let conn = http.serve_connection(io, service);
        let open = open.clone();
        connections.spawn(async move {
            tokio::pin!(conn);
            let check = (limits.idle_timeout / 4).max(Duration::from_millis(10));
            let mut closing = false;
            loop {
                tokio::select! {
                    _ = conn.as_mut() => break,
                    _ = tokio::time::sleep(check) => {
                        let quiet = started.elapsed().saturating_sub(Duration::from_millis(
                            active.load(Ordering::Acquire),
                        ));
                        if quiet >= limits.idle_timeout {
                            if closing {
                                break; // It did not finish closing: drop the socket.
                            }
                            // An idle keep-alive connection closes at once; a request in
                            // progress finishes first.
                            conn.as_mut().graceful_shutdown();
                            closing = true;
                        }
                    }
                }
            }
            open.fetch_sub(1, Ordering::AcqRel);
        });
    }
    connections.shutdown().await;
}

/// A socket that records when bytes last moved (milliseconds since `started`).
struct Watched {
    inner: TcpStream,
    active: Arc<AtomicU64>,
    started: Instant,
}

impl Watched {
    fn touch(&self) {
        self.active
            .store(self.started.elapsed().as_millis() as u64, Ordering::Release);
    }
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.touch();
        }
        r
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write(cx, data);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.touch();
        }
        r
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

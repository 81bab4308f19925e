//! The HTTP control plane (axum): health for load balancers, Prometheus metrics and the first
//! REST routes. `eventflux run APP --http ADDR` serves it for one app; embedding programs use
//! [`Server`].
//!
//! Built so far: `/healthz`, `/readyz`, `/metrics`, `GET /api/v1/apps`. Other routes answer
//! 404 with the JSON error shape every route uses.

mod metrics;

use crate::connector::net::runtime;
use crate::runtime::app::App;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Json;
use serde_json::json;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

/// The apps a control plane serves.
pub struct Server {
    apps: Vec<Arc<App>>,
    started: Instant,
}

/// A running server; dropping it stops serving.
pub struct ServerHandle {
    address: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl ServerHandle {
    /// Where it listens (the real port when 0 was asked for).
    pub fn address(&self) -> SocketAddr {
        self.address
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[derive(Clone)]
struct Shared {
    apps: Arc<Vec<Arc<App>>>,
    started: Instant,
}

impl Server {
    pub fn new(apps: Vec<Arc<App>>) -> Server {
        Server {
            apps,
            started: Instant::now(),
        }
    }

    /// Listens on `address` and serves in the background.
    pub fn serve(self, address: &str) -> Result<ServerHandle, String> {
        let listener = runtime()
            .block_on(tokio::net::TcpListener::bind(address))
            .map_err(|e| format!("--http {address}: cannot listen: {e}"))?;
        let local = listener
            .local_addr()
            .map_err(|e| format!("--http {address}: {e}"))?;
        let router = axum::Router::new()
            .route("/healthz", get(healthz))
            .route("/readyz", get(readyz))
            .route("/metrics", get(metrics_text))
            .route("/api/v1/apps", get(apps))
            .fallback(not_found)
            .with_state(Shared {
                apps: Arc::new(self.apps),
                started: self.started,
            });
        let task = runtime().spawn(async move {
            if let Err(e) = axum::serve(listener, router).await {
                log::error!("control plane stopped: {e}");
            }
        });
        log::info!("control plane: http://{local} (/healthz, /readyz, /metrics, /api/v1/apps)");
        Ok(ServerHandle {
            address: local,
            task,
        })
    }
}

fn error(status: StatusCode, code: &str, message: String) -> Response {
    (
        status,
        Json(json!({"error": {"code": code, "message": message, "details": []}})),
    )
        .into_response()
}

async fn not_found(uri: axum::http::Uri) -> Response {
    error(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("no route {}", uri.path()),
    )
}

async fn healthz() -> &'static str {
    "ok\n"
}

async fn readyz(State(s): State<Shared>) -> Response {
    let reasons: Vec<String> = s
        .apps
        .iter()
        .filter_map(|a| {
            a.failure()
                .map(|f| format!("app '{}' failed: {f}", a.name()))
        })
        .collect();
    if reasons.is_empty() {
        (StatusCode::OK, "ready\n").into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"ready": false, "reasons": reasons})),
        )
            .into_response()
    }
}

async fn metrics_text(State(s): State<Shared>) -> Response {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        metrics::render(&s.apps, s.started),
    )
        .into_response()
}

async fn apps(State(s): State<Shared>) -> Json<serde_json::Value> {
    let list: Vec<_> = s
        .apps
        .iter()
        .map(|a| {
            let stats = a.stats();
            json!({
                "name": a.name(),
                "state": if a.failure().is_some() { "failed" } else { "running" },
                "uptime_seconds": s.started.elapsed().as_secs_f64(),
                "events_in": stats.sources.iter().map(|c| c.events).sum::<u64>(),
                "events_out": stats.sinks.iter().map(|c| c.events).sum::<u64>(),
            })
        })
        .collect();
    Json(json!({ "apps": list }))
}

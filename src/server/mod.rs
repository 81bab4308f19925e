//! The HTTP control plane (axum): health for load balancers, Prometheus metrics, the REST API
//! under `/api/v1` (apps, streams, queries, connectors, ingest streams), its OpenAPI document
//! and a dashboard page. `eventflux run APP --http ADDR` serves it for one app, `eventflux
//! serve` for many; embedding programs use [`Server`].

mod apps;
mod auth;
mod connectors;
mod dashboard;
mod deploy;
mod error;
mod graph;
mod ingest;
mod metrics;
pub mod openapi;
mod process;
mod rates;
mod streams;
mod tail;

pub use deploy::{DeployError, Deployed, Deployments};

use crate::connector::net::runtime;
use crate::runtime::app::{App, AppStats, RunOptions};
use crate::Engine;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Json;
use error::ApiError;
use serde_json::json;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What every handler reads.
pub(crate) struct Ctx {
    pub engine: Engine,
    pub deployments: Arc<Deployments>,
    pub started: Instant,
    pub token: Option<String>,
}

type Shared = State<Arc<Ctx>>;

/// A control plane: the engine that compiles deployed apps, the apps it hosts, and the bearer
/// token that guards it (if any).
///
/// ```no_run
/// use eventflux::{server::Server, Engine};
/// let engine = Engine::new();
/// let app = engine.compile("CREATE STREAM In (x INT); INSERT INTO Out SELECT x FROM In;")?;
/// app.start()?;
/// let handle = Server::new(engine)
///     .with_app(std::sync::Arc::new(app))?
///     .serve("127.0.0.1:9090")?;
/// println!("control plane on http://{}", handle.address());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Server {
    ctx: Ctx,
}

/// A running server; dropping it stops serving, after answering the requests in flight (up
/// to 2 s). The apps keep running until [`ServerHandle::stop_apps`] or their own shutdown.
pub struct ServerHandle {
    address: SocketAddr,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    deployments: Arc<Deployments>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    served: std::sync::mpsc::Receiver<()>,
}

impl ServerHandle {
    /// Where it listens (the real port when 0 was asked for).
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    pub fn deployments(&self) -> &Arc<Deployments> {
        &self.deployments
    }

    /// Stops every hosted app, flushing its sinks, and returns their summaries.
    pub fn stop_apps(&self) -> Vec<(String, AppStats)> {
        self.deployments.stop_all()
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        if let Some(s) = self.shutdown.take() {
            let _ = s.send(());
            let _ = self.served.recv_timeout(Duration::from_secs(2));
        }
        for t in &self.tasks {
            t.abort();
        }
    }
}

impl Server {
    /// A server whose `POST /api/v1/apps` compiles with `engine` (its functions and connectors).
    pub fn new(engine: Engine) -> Server {
        Server {
            ctx: Ctx {
                engine,
                deployments: Arc::default(),
                started: Instant::now(),
                token: None,
            },
        }
    }

    /// Hosts an app that is already compiled (and usually started).
    pub fn with_app(self, app: Arc<App>) -> Result<Server, String> {
        self.ctx
            .deployments
            .adopt(app)
            .map_err(|e| deploy_error_text(&e))?;
        Ok(self)
    }

    /// Compiles, starts and hosts the app in `sql`, named as its `@app:name`, else `name`.
    pub fn deploy(&self, file: &str, sql: &str, name: Option<&str>) -> Result<(), String> {
        self.ctx
            .deployments
            .deploy(&self.ctx.engine, file, sql, name)
            .map(|_| ())
            .map_err(|e| deploy_error_text(&e))
    }

    /// How the apps deployed through this server run (their shutdown deadline, ...).
    pub fn with_run_options(self, options: RunOptions) -> Server {
        self.ctx.deployments.set_run_options(options);
        self
    }

    /// Every route but `/healthz` then wants `Authorization: Bearer TOKEN` (or `?token=`).
    pub fn with_token(mut self, token: Option<String>) -> Server {
        self.ctx.token = token.filter(|t| !t.is_empty());
        self
    }

    /// Listens on `address` and serves in the background.
    pub fn serve(self, address: &str) -> Result<ServerHandle, String> {
        let listener = runtime()
            .block_on(tokio::net::TcpListener::bind(address))
            .map_err(|e| format!("--http {address}: cannot listen: {e}"))?;
        let local = listener
            .local_addr()
            .map_err(|e| format!("--http {address}: {e}"))?;
        let deployments = self.ctx.deployments.clone();
        let ctx = Arc::new(self.ctx);
        let router = router(ctx.clone());
        let (shutdown, stop) = tokio::sync::oneshot::channel::<()>();
        let (done, served) = std::sync::mpsc::channel();
        let serve = runtime().spawn(async move {
            let graceful = axum::serve(listener, router).with_graceful_shutdown(async {
                let _ = stop.await;
            });
            if let Err(e) = graceful.await {
                log::error!("control plane stopped: {e}");
            }
            let _ = done.send(());
        });
        let sampler = runtime().spawn(sample_rates(ctx.deployments.clone()));
        log::info!(
            "control plane: http://{local}/ (dashboard), /api/v1, /metrics, /healthz, /readyz{}",
            if ctx.token.is_some() {
                "; bearer token required"
            } else {
                ""
            }
        );
        Ok(ServerHandle {
            address: local,
            tasks: vec![serve, sampler],
            deployments,
            shutdown: Some(shutdown),
            served,
        })
    }
}

pub(crate) fn deploy_error_text(e: &DeployError) -> String {
    match e {
        DeployError::Compile(c) => c.to_string(),
        DeployError::Conflict(n) => format!("an app named '{n}' is already deployed"),
        DeployError::Start(m) => m.clone(),
    }
}

fn router(ctx: Arc<Ctx>) -> axum::Router {
    let api = axum::Router::new()
        .route("/apps", get(apps::list).post(apps::create))
        .route("/apps/{app}", get(apps::detail).delete(apps::delete))
        .route("/apps/{app}/graph", get(apps::graph))
        .route("/apps/{app}/stop", post(apps::stop))
        .route("/apps/{app}/streams", get(streams::list))
        .route("/apps/{app}/streams/{stream}/events", post(streams::send))
        .route("/apps/{app}/streams/{stream}/tail", get(streams::tail))
        .route("/apps/{app}/queries", get(streams::queries))
        .route("/apps/{app}/connectors", get(connectors::list))
        .route("/streams", get(ingest::list))
        .route(
            "/streams/{id}",
            get(ingest::detail).delete(ingest::disconnect),
        )
        .route("/streams/{id}/pause", post(ingest::pause))
        .route("/streams/{id}/resume", post(ingest::resume))
        .route("/stats", get(ingest::stats));
    axum::Router::new()
        .nest("/api/v1", api)
        .route("/", get(dashboard::page))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_text))
        .route("/openapi.json", get(openapi::document))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            ctx.clone(),
            auth::require_token,
        ))
        // Outside the auth layer: a liveness probe needs no token.
        .route("/healthz", get(healthz))
        .with_state(ctx)
}

/// Samples every app's counters once a second, for the 10 s rates.
async fn sample_rates(deployments: Arc<Deployments>) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        tick.tick().await;
        for d in deployments.list() {
            let mut counts = HashMap::new();
            for s in d.app.streams() {
                counts.insert(format!("stream:{}", s.name), s.events);
            }
            for c in d.app.connectors() {
                counts.insert(format!("connector:{}", c.label), c.events);
            }
            d.rates.sample(counts);
        }
    }
}

/// Runs blocking work (starting or stopping an app, sending into a full stream) on a thread
/// of its own, so the async threads keep serving.
pub(crate) async fn off_runtime<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("eventflux-api".into())
        .spawn(move || {
            let _ = tx.send(f());
        })
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))?;
    rx.await.map_err(|_| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the request's worker thread failed",
        )
    })
}

async fn not_found(uri: axum::http::Uri) -> Response {
    ApiError::not_found(format!("no route {}", uri.path())).into_response()
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/healthz", tag = "health",
    responses((status = 200, description = "The process is alive (`ok`); needs no token")))]
pub(crate) async fn healthz() -> &'static str {
    "ok\n"
}

/// Readiness: every app started and running, every connector healthy.
#[utoipa::path(get, path = "/readyz", tag = "health",
    responses(
        (status = 200, description = "Ready (`ready`)"),
        (status = 503, description = "Not ready: `{\"ready\": false, \"reasons\": [...]}`")))]
pub(crate) async fn readyz(State(ctx): Shared) -> Response {
    let reasons: Vec<String> = ctx
        .deployments
        .list()
        .iter()
        .flat_map(|d| d.app.problems())
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

/// Every metric in the Prometheus text format (0.0.4).
#[utoipa::path(get, path = "/metrics", tag = "metrics",
    responses((status = 200, description = "Prometheus text exposition", content_type = "text/plain")))]
pub(crate) async fn metrics_text(State(ctx): Shared) -> Response {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        metrics::render(&ctx.deployments.list(), ctx.started),
    )
        .into_response()
}

/// The metric families `/metrics` serves, for the docs: (name, type, labels, help).
pub fn metric_catalog() -> Vec<(String, &'static str, &'static str, &'static str)> {
    metrics::catalog()
}

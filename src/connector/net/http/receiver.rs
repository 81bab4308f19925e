//! The `http` source's server mode: a webhook receiver whose POST bodies become payloads, with
//! the answer telling the caller whether the events got in (202, 400, 401, 413, 503).

use super::source::ServerSettings;
use crate::connector::{ConnectorError, SourceContext};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

const STOP_CHECK: Duration = Duration::from_millis(100);

/// Why a received body was not taken.
enum Refused {
    /// The app is stopping: 503.
    Stopping,
    /// The mapper's error: 400.
    BadPayload(String),
}

/// A received body and where to send the answer: the events it made, or why none.
type Delivery = (Bytes, oneshot::Sender<Result<usize, Refused>>);

struct Receiver {
    auth_header: String,
    auth_token: Option<String>,
    queue: mpsc::Sender<Delivery>,
    /// Bodies refused before they were read (413), reported by the source thread.
    refused: mpsc::UnboundedSender<String>,
}

pub(super) async fn serve(
    settings: ServerSettings,
    ctx: &mut SourceContext,
) -> Result<(), ConnectorError> {
    let listener = tokio::net::TcpListener::bind(&settings.address)
        .await
        .map_err(|e| {
            ConnectorError::permanent(format!(
                "http source: cannot listen on {}: {e} (choose another host/port)",
                settings.address
            ))
        })?;
    log::info!(
        "http source: listening on http://{}{}",
        settings.address,
        settings.path
    );
    let (tx, mut rx) = mpsc::channel::<Delivery>(settings.queue_size);
    let (refused_tx, mut refused_rx) = mpsc::unbounded_channel::<String>();
    let receiver = Arc::new(Receiver {
        auth_header: settings.auth_header,
        auth_token: settings.auth_token,
        queue: tx,
        refused: refused_tx,
    });
    let app = axum::Router::new()
        .route(&settings.path, axum::routing::post(receive))
        .layer(DefaultBodyLimit::max(settings.max_body_bytes))
        .with_state(receiver);
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let limits = settings.limits;
    let server = tokio::spawn(async move {
        let stop = async {
            let _ = stop_rx.await;
        };
        super::listen::serve("http source", listener, app, limits, stop).await;
    });
    let mut check = tokio::time::interval(STOP_CHECK);
    while ctx.is_running() {
        tokio::select! {
            next = rx.recv() => {
                let Some((body, reply)) = next else { break };
                let _ = reply.send(ctx.emit_payload_checked(&body).map_err(Refused::BadPayload));
            }
            Some(why) = refused_rx.recv() => {
                ctx.report_error(&ConnectorError::permanent(why), None);
            }
            _ = check.tick() => {}
        }
    }
    let _ = stop_tx.send(());
    // Requests already queued get 503 rather than a dropped connection.
    rx.close();
    while let Some((_, reply)) = rx.recv().await {
        let _ = reply.send(Err(Refused::Stopping));
    }
    let _ = tokio::time::timeout(Duration::from_secs(2), server).await;
    Ok(())
}

async fn receive(
    State(r): State<Arc<Receiver>>,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    if let Some(token) = &r.auth_token {
        let given = headers
            .get(r.auth_header.as_str())
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let bearer = given.strip_prefix("Bearer ").unwrap_or("");
        let same = crate::redact::same_secret;
        if !same(given, token) && !same(bearer, token) {
            let msg = format!("missing or wrong {} token", r.auth_header);
            return (StatusCode::UNAUTHORIZED, msg).into_response();
        }
    }
    let body = match body {
        Ok(body) => body,
        Err(rejection) => {
            // Too large (413) or unreadable: counted as an error, like a bad payload.
            let status = rejection.status();
            let _ = r.refused.send(format!(
                "http source: request refused ({status}): {rejection}"
            ));
            return rejection.into_response();
        }
    };
    let (reply, answer) = oneshot::channel();
    if let Err(e) = r.queue.try_send((body, reply)) {
        let msg = match e {
            mpsc::error::TrySendError::Full(_) => "the app is not keeping up; retry later",
            mpsc::error::TrySendError::Closed(_) => "the app is stopping",
        };
        return (StatusCode::SERVICE_UNAVAILABLE, [("retry-after", "1")], msg).into_response();
    }
    match answer.await {
        Ok(Ok(n)) => (StatusCode::ACCEPTED, format!("{{\"accepted\":{n}}}")).into_response(),
        Ok(Err(Refused::Stopping)) => {
            (StatusCode::SERVICE_UNAVAILABLE, "the app is stopping").into_response()
        }
        Ok(Err(Refused::BadPayload(msg))) => (StatusCode::BAD_REQUEST, msg).into_response(),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "the app is stopping").into_response(),
    }
}

//! `/api/v1/apps/{app}/connectors`: each source and sink with its state, counters, buffer, last
//! error and health.

use super::apps::find;
use super::error::{ApiResult, ErrorBody};
use super::Shared;
use crate::runtime::app::ConnectorInfo;
use axum::extract::{Path, State};
use axum::Json;
use serde_json::{json, Value};

pub(super) fn connector_json(c: &ConnectorInfo, rate: f64) -> Value {
    let s = &c.status;
    json!({
        "label": c.label,
        "role": c.role.name(),
        "type": c.kind,
        "stream": c.stream,
        "format": c.format,
        "params": c.params,
        "state": s.state.name(),
        "healthy": s.is_healthy(),
        "health": s.health.as_ref().map(|h| json!({"healthy": h.healthy, "detail": h.detail})),
        "counters": {
            "received": c.received,
            "events": c.events,
            "bytes": s.bytes,
            "errors": c.errors,
            "transient_errors": s.transient_errors,
            "permanent_errors": s.permanent_errors,
            "retries": s.retries,
            "reconnects": s.reconnects,
            "dropped": c.dropped,
            "dlq": c.dead_lettered,
        },
        "rate_per_second": rate,
        "buffer": c.buffer.map(|(used, size)| json!({"used": used, "size": size})),
        "buffer_pool_hit_rate": s.pool_hit_rate,
        "last_error": s.last_error.as_ref().map(|e| json!({
            "message": e.message,
            "at_ms": e.at_ms,
            "at": chrono::DateTime::<chrono::Utc>::from_timestamp_millis(e.at_ms)
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
        })),
    })
}

/// The app's connectors (state: starting, running, reconnecting, failed, stopped).
#[utoipa::path(get, path = "/api/v1/apps/{app}/connectors", tag = "connectors",
    params(("app" = String, Path, description = "The app's name")),
    responses((status = 200, description = "`{\"connectors\": [{label, role, type, stream, state, healthy, health, counters, buffer, last_error, ...}]}`"),
        (status = 404, description = "No such app", body = ErrorBody)))]
pub(super) async fn list(State(ctx): Shared, Path(app): Path<String>) -> ApiResult<Json<Value>> {
    let d = find(&ctx, &app)?;
    let list: Vec<Value> = d
        .app
        .connectors()
        .iter()
        .map(|c| {
            let rate = d
                .rates
                .per_second(&format!("connector:{}", c.label), c.events);
            connector_json(c, rate)
        })
        .collect();
    Ok(Json(json!({ "connectors": list })))
}

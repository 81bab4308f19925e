//! `/api/v1/apps/{app}/streams` and `/queries`: counters and rates, events in through the API,
//! a live tail out.

use super::apps::find;
use super::error::{ApiError, ApiResult, ErrorBody};
use super::tail::{sse_stream, DEFAULT_LIMIT};
use super::{off_runtime, Shared};
use crate::value::Value as Cell;
use axum::extract::{Path, Query, State};
use axum::response::sse::{KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

fn iso_ms(ms: i64) -> Option<String> {
    chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
}

/// Per-stream counters: events, batches, the rate over the last 10 s, the last event's time.
#[utoipa::path(get, path = "/api/v1/apps/{app}/streams", tag = "streams",
    params(("app" = String, Path, description = "The app's name")),
    responses((status = 200, description = "`{\"streams\": [{name, kind, input, events, batches, rate_per_second, last_event_ts, last_event_time}]}`"),
        (status = 404, description = "No such app", body = ErrorBody)))]
pub(super) async fn list(State(ctx): Shared, Path(app): Path<String>) -> ApiResult<Json<Value>> {
    let d = find(&ctx, &app)?;
    let streams: Vec<Value> = d
        .app
        .streams()
        .iter()
        .map(|s| {
            json!({
                "name": s.name,
                "kind": s.kind,
                "input": s.input,
                "events": s.events,
                "batches": s.batches,
                "rate_per_second": d.rates.per_second(&format!("stream:{}", s.name), s.events),
                "last_event_ts": s.last_event_ts,
                "last_event_time": s.last_event_ts.and_then(iso_ms),
            })
        })
        .collect();
    Ok(Json(json!({ "streams": streams })))
}

/// The rows of a request body: a JSON array of rows, one row, or JSON lines; each row an
/// object by attribute name or an array in declared order.
fn rows_of(body: &str) -> Result<Vec<Value>, ApiError> {
    let trimmed = body.trim();
    if trimmed.is_empty() {
        return Err(ApiError::bad_request(
            "the body is empty: send a JSON array of rows, or one JSON row a line",
        ));
    }
    if let Ok(v) = serde_json::from_str::<Value>(trimmed) {
        return Ok(match v {
            Value::Array(items) if items.iter().all(|i| i.is_object() || i.is_array()) => items,
            other => vec![other],
        });
    }
    trimmed
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| {
                ApiError::bad_request(format!("line {}: not JSON: {e}", i + 1)).with_details(vec![
                    json!({"row": i + 1, "message": format!("not JSON: {e}")}),
                ])
            })
        })
        .collect()
}

/// Sends events into a stream. All rows are checked first: one bad row is a 400 naming it and
/// nothing is sent.
#[utoipa::path(post, path = "/api/v1/apps/{app}/streams/{stream}/events", tag = "streams",
    params(("app" = String, Path, description = "The app's name"), ("stream" = String, Path, description = "The stream")),
    request_body(content = String, content_type = "application/json",
        description = "`[{\"symbol\": \"IBM\", \"price\": 10.5}, ...]`, or JSON lines, or rows as arrays in declared order"),
    responses((status = 200, description = "`{\"accepted\": n}`"),
        (status = 400, description = "A bad row: `details: [{row, message}]`; nothing was sent", body = ErrorBody),
        (status = 404, description = "No such app or stream", body = ErrorBody)))]
pub(super) async fn send(
    State(ctx): Shared,
    Path((app, stream)): Path<(String, String)>,
    body: String,
) -> ApiResult<Json<Value>> {
    let d = find(&ctx, &app)?;
    let input = d
        .app
        .input(&stream)
        .map_err(|e| ApiError::not_found(e.to_string()))?;
    let schema = input.schema().clone();
    if d.app
        .plan()
        .streams
        .iter()
        .any(|s| s.schema.name() == stream && s.table.is_some())
    {
        return Err(ApiError::bad_request(format!(
            "'{stream}' is a table: send into a stream whose query writes it"
        )));
    }
    let json_rows = rows_of(&body)?;
    let mut rows: Vec<Vec<Cell>> = Vec::with_capacity(json_rows.len());
    let mut bad = Vec::new();
    for (i, r) in json_rows.iter().enumerate() {
        match crate::json::row(&schema, r) {
            Ok(row) => rows.push(row),
            Err(m) => bad.push(json!({"row": i + 1, "message": m})),
        }
    }
    if let Some(first) = bad.first() {
        return Err(ApiError::bad_request(format!(
            "row {}: {} ({} bad row(s); nothing was sent)",
            first["row"],
            first["message"].as_str().unwrap_or(""),
            bad.len()
        ))
        .with_details(bad));
    }
    let n = rows.len();
    off_runtime(move || input.send_batch(rows))
        .await?
        .map_err(|e| {
            ApiError::new(
                axum::http::StatusCode::CONFLICT,
                "not_running",
                e.to_string(),
            )
        })?;
    Ok(Json(json!({ "accepted": n })))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub(super) struct TailParams {
    /// Most events a second sent to this client (default 20, at most 1000); the rest are
    /// skipped and counted in `skipped` events.
    limit: Option<u32>,
}

/// A live tail of a stream as Server-Sent Events: `event` (the event as JSON), `skipped`
/// (`{"skipped": n}`), `end` when the app stops.
#[utoipa::path(get, path = "/api/v1/apps/{app}/streams/{stream}/tail", tag = "streams",
    params(("app" = String, Path, description = "The app's name"), ("stream" = String, Path, description = "The stream"), TailParams),
    responses((status = 200, description = "text/event-stream", content_type = "text/event-stream"),
        (status = 404, description = "No such app or stream", body = ErrorBody)))]
pub(super) async fn tail(
    State(ctx): Shared,
    Path((app, stream)): Path<(String, String)>,
    Query(params): Query<TailParams>,
) -> ApiResult<Response> {
    let d = find(&ctx, &app)?;
    let schema = d
        .app
        .schema(&stream)
        .map_err(|e| ApiError::not_found(e.to_string()))?
        .clone();
    let rx = d
        .tails
        .subscribe(&d.app, &stream)
        .map_err(ApiError::not_found)?;
    let events = sse_stream(rx, schema, params.limit.unwrap_or(DEFAULT_LIMIT), &d.app);
    Ok(Sse::new(events)
        .keep_alive(KeepAlive::default())
        .into_response())
}

/// Per-query counters: events in and out, and the query's own processing latency per batch.
#[utoipa::path(get, path = "/api/v1/apps/{app}/queries", tag = "streams",
    params(("app" = String, Path, description = "The app's name")),
    responses((status = 200, description = "`{\"queries\": [{name, inputs, output, events_in, events_out, batches, latency_seconds: {p50, p90, p99, mean}}]}`"),
        (status = 404, description = "No such app", body = ErrorBody)))]
pub(super) async fn queries(State(ctx): Shared, Path(app): Path<String>) -> ApiResult<Json<Value>> {
    let d = find(&ctx, &app)?;
    let queries: Vec<Value> = d
        .app
        .queries()
        .iter()
        .map(|q| {
            let l = &q.latency;
            json!({
                "name": q.name,
                "inputs": q.inputs,
                "output": q.output,
                "events_in": q.events_in,
                "events_out": q.events_out,
                "batches": l.count,
                "latency_seconds": {
                    "p50": l.quantile(0.5),
                    "p90": l.quantile(0.9),
                    "p99": l.quantile(0.99),
                    "mean": (l.count > 0).then(|| l.sum_seconds / l.count as f64),
                },
            })
        })
        .collect();
    Ok(Json(json!({ "queries": queries })))
}

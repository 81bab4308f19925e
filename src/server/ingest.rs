//! `/api/v1/streams` and `/api/v1/stats`: the process's live media ingest streams (RTSP and
//! MJPEG pulls; SRT and RTP callers register the same way), steered by id, and process totals.

use super::error::{ApiError, ApiResult, ErrorBody};
use super::Shared;
use crate::connector::ingest::{registry, IngestSnapshot, Steer};
use axum::extract::{Path, State};
use axum::Json;
use serde_json::{json, Value};

fn iso_ms(ms: i64) -> Option<String> {
    chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
}

/// Averages since the connection opened.
fn rates(s: &IngestSnapshot) -> (f64, f64) {
    let secs = ((s.last_heartbeat_ms - s.created_at_ms) as f64 / 1000.0).max(0.001);
    (s.bytes as f64 * 8.0 / secs, s.frames as f64 / secs)
}

fn summary(s: &IngestSnapshot) -> Value {
    let (bitrate, fps) = rates(s);
    json!({
        "id": s.id,
        "type": s.kind,
        "source": s.source,
        "stream": s.stream,
        "label": s.label,
        "status": s.status,
        "video": {"codec": s.video.codec, "width": s.video.width, "height": s.video.height},
        "bitrate_bps": bitrate,
        "frame_rate": fps,
    })
}

fn detail_json(s: &IngestSnapshot) -> Value {
    let mut v = summary(s);
    v["created_at"] = json!(iso_ms(s.created_at_ms));
    v["last_heartbeat"] = json!(iso_ms(s.last_heartbeat_ms));
    v["stats"] = json!({
        "bytes": s.bytes, "packets": s.packets, "lost": s.lost, "late": s.late, "sender_reports": s.sender_reports,
        "frames": s.frames, "keyframes": s.keyframes, "gop_ms": s.gop_ms,
        "audio_frames": s.audio_frames, "av_drift_ms": s.av_drift_ms,
        "paused_frames": s.paused_frames,
        "incomplete_frames": s.incomplete_frames,
        "dropped": {
            "frames": s.dropped.frames(), "nonref_frames": s.dropped.non_reference,
            "gop_tail_frames": s.dropped.gop_tail, "gop_frames": s.dropped.gop + s.dropped.oversize,
            "gops": s.dropped.gops, "bytes": s.dropped.bytes,
        },
        "buffer_bytes": s.buffer_bytes, "buffer_peak_bytes": s.buffer_peak_bytes,
    });
    v
}

fn not_found(id: &str) -> ApiError {
    ApiError::not_found(format!(
        "no ingest stream '{id}' (GET /api/v1/streams lists the live ones)"
    ))
}

/// Live ingest streams: id, type, source address, status, codec, resolution, bitrate, fps.
#[utoipa::path(get, path = "/api/v1/streams", tag = "ingest",
    responses((status = 200, description = "`{\"streams\": [{id, type, source, stream, status, video: {codec, width, height}, bitrate_bps, frame_rate}]}`")))]
pub(super) async fn list() -> Json<Value> {
    let list: Vec<Value> = registry().list().iter().map(summary).collect();
    Json(json!({ "streams": list }))
}

/// One ingest stream with its counters (bytes, packets, lost, frames, keyframes).
#[utoipa::path(get, path = "/api/v1/streams/{id}", tag = "ingest",
    params(("id" = String, Path, description = "The stream's id, as `GET /api/v1/streams` lists it")),
    responses((status = 200, description = "The stream with created_at, last_heartbeat and stats"),
        (status = 404, description = "No such stream", body = ErrorBody)))]
pub(super) async fn detail(Path(id): Path<String>) -> ApiResult<Json<Value>> {
    registry()
        .get(&id)
        .map(|s| Json(detail_json(&s)))
        .ok_or_else(|| not_found(&id))
}

fn steer(id: &str, result: Steer) -> ApiResult<Json<Value>> {
    match result {
        Steer::Done => Ok(Json(detail_json(
            &registry().get(id).ok_or_else(|| not_found(id))?,
        ))),
        Steer::NotFound => Err(not_found(id)),
    }
}

/// Pauses a stream: the connection stays, its frames are counted and not emitted.
#[utoipa::path(post, path = "/api/v1/streams/{id}/pause", tag = "ingest",
    params(("id" = String, Path, description = "The stream's id")),
    responses((status = 200, description = "Paused"), (status = 404, description = "No such stream", body = ErrorBody)))]
pub(super) async fn pause(Path(id): Path<String>) -> ApiResult<Json<Value>> {
    steer(&id, registry().pause(&id))
}

/// Resumes a paused stream.
#[utoipa::path(post, path = "/api/v1/streams/{id}/resume", tag = "ingest",
    params(("id" = String, Path, description = "The stream's id")),
    responses((status = 200, description = "Live again"), (status = 404, description = "No such stream", body = ErrorBody)))]
pub(super) async fn resume(Path(id): Path<String>) -> ApiResult<Json<Value>> {
    steer(&id, registry().resume(&id))
}

/// Drops the connection. A pull source (rtsp, mjpeg) reconnects as its reconnect settings say,
/// under a new id.
#[utoipa::path(delete, path = "/api/v1/streams/{id}", tag = "ingest",
    params(("id" = String, Path, description = "The stream's id")),
    responses((status = 200, description = "`{\"disconnected\": id}`"), (status = 404, description = "No such stream", body = ErrorBody)))]
pub(super) async fn disconnect(Path(id): Path<String>) -> ApiResult<Json<Value>> {
    match registry().disconnect(&id) {
        Steer::Done => Ok(Json(json!({ "disconnected": id }))),
        Steer::NotFound => Err(not_found(&id)),
    }
}

/// Totals over the ingest streams and the process (CPU seconds, resident memory, threads).
#[utoipa::path(get, path = "/api/v1/stats", tag = "ingest",
    responses((status = 200, description = "`{streams, bytes, frames, lost, apps, uptime_seconds, process: {cpu_seconds, resident_bytes, threads}}`")))]
pub(super) async fn stats(State(ctx): Shared) -> Json<Value> {
    let all = registry().list();
    let process = super::process::current();
    Json(json!({
        "streams": all.len(),
        "bytes": all.iter().map(|s| s.bytes).sum::<u64>(),
        "frames": all.iter().map(|s| s.frames).sum::<u64>(),
        "lost": all.iter().map(|s| s.lost).sum::<u64>(),
        "apps": ctx.deployments.list().len(),
        "uptime_seconds": ctx.started.elapsed().as_secs_f64(),
        "process": process.map(|p| json!({
            "cpu_seconds": p.cpu_seconds, "resident_bytes": p.resident_bytes, "threads": p.threads,
        })),
    }))
}

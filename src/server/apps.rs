//! `/api/v1/apps`: list, deploy, describe, draw, stop and delete apps.

use super::deploy::{DeployError, Deployed};
use super::error::{ApiError, ApiResult, ErrorBody};
use super::{off_runtime, Shared};
use crate::clock::ClockMode;
use crate::runtime::app::{AppStats, Role};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

pub(super) fn find(ctx: &super::Ctx, name: &str) -> ApiResult<Arc<Deployed>> {
    ctx.deployments.get(name).ok_or_else(|| {
        ApiError::not_found(format!(
            "no app '{name}'{}",
            crate::suggest::did_you_mean(name, ctx.deployments.names().iter().map(|s| s.as_str()))
        ))
    })
}

fn iso(t: std::time::SystemTime) -> String {
    chrono::DateTime::<chrono::Utc>::from(t).to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

pub(super) fn summary(d: &Deployed) -> Value {
    let app = &d.app;
    let inputs = app.plan().input_streams();
    let streams = app.streams();
    let events_in: u64 = app
        .plan()
        .streams
        .iter()
        .enumerate()
        .filter(|(i, _)| inputs.contains(i))
        .filter_map(|(_, s)| streams.iter().find(|x| x.name == s.schema.name()))
        .map(|s| s.events)
        .sum();
    let events_out: u64 = app
        .connectors()
        .iter()
        .filter(|c| c.role == Role::Sink)
        .map(|c| c.events)
        .sum();
    let uptime = app
        .started_at()
        .and_then(|t| t.elapsed().ok())
        .filter(|_| app.state() == crate::runtime::app::AppState::Running)
        .map_or(0.0, |d| d.as_secs_f64());
    json!({
        "name": d.name,
        "state": app.state().name(),
        "uptime_seconds": uptime,
        "clock": match app.clock().mode() { ClockMode::Wall => "wall", ClockMode::Playback => "playback" },
        "deployed_at": iso(d.deployed_at),
        "events_in": events_in,
        "events_out": events_out,
    })
}

fn stats_json(s: &AppStats) -> Value {
    let conn = |c: &crate::runtime::app::ConnectorStats| {
        json!({"label": c.label, "events": c.events, "errors": c.errors, "dropped": c.dropped,
               "dead_lettered": c.dead_lettered, "flushed": c.flushed})
    };
    json!({
        "streams": s.streams.iter().map(|(n, e)| json!({"name": n, "events": e})).collect::<Vec<_>>(),
        "sources": s.sources.iter().map(conn).collect::<Vec<_>>(),
        "sinks": s.sinks.iter().map(conn).collect::<Vec<_>>(),
        "held_in_windows": s.held_in_windows,
        "failure": s.failure,
    })
}

fn detail_json(d: &Deployed) -> Value {
    let app = &d.app;
    let plan = app.plan();
    let mut out = summary(d);
    out["streams"] = app
        .streams()
        .iter()
        .map(|s| {
            json!({"name": s.name, "kind": s.kind, "input": s.input,
                "attributes": s.attributes.iter().map(|(n, t)| json!({"name": n, "type": t})).collect::<Vec<_>>()})
        })
        .collect();
    out["queries"] = app
        .queries()
        .iter()
        .map(|q| json!({"name": q.name, "inputs": q.inputs, "output": q.output}))
        .collect();
    let binding = |role: &str, stream: &str, c: &crate::plan::graph::ConnectorPlan| {
        json!({"role": role, "type": c.config.kind, "stream": stream,
            "format": c.config.map.as_ref().map(|m| m.kind.clone()),
            "params": c.config.masked_params()})
    };
    let mut sources = Vec::new();
    let mut sinks = Vec::new();
    for s in &plan.streams {
        let name = s.schema.name();
        sources.extend(s.sources.iter().map(|c| binding("source", name, c)));
        sinks.extend(s.sinks.iter().map(|c| binding("sink", name, c)));
    }
    out["sources"] = sources.into();
    out["sinks"] = sinks.into();
    if let Some(stats) = &*d.stopped.lock() {
        out["summary"] = stats_json(stats);
    }
    out
}

/// The hosted apps.
#[utoipa::path(get, path = "/api/v1/apps", tag = "apps",
    responses((status = 200, description = "`{\"apps\": [{name, state, uptime_seconds, clock, deployed_at, events_in, events_out}]}`")))]
pub(super) async fn list(State(ctx): Shared) -> Json<Value> {
    let apps: Vec<Value> = ctx.deployments.list().iter().map(|d| summary(d)).collect();
    Json(json!({ "apps": apps }))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub(super) struct DeployParams {
    /// The app's name when its SQL has no `@app:name`.
    name: Option<String>,
}

/// Deploys an app: the body is its SQL (or JSON `{"sql": "...", "name": "..."}`). It is
/// compiled, started and listed; a compile error answers 400 with every diagnostic.
#[utoipa::path(post, path = "/api/v1/apps", tag = "apps", params(DeployParams),
    request_body(content = String, content_type = "application/sql", description = "The app's SQL"),
    responses(
        (status = 201, description = "Deployed: the app as `GET /api/v1/apps/{app}` shows it"),
        (status = 400, description = "`compile_error` with `details: [{line, col, message, help}]`, or `start_failed`", body = ErrorBody),
        (status = 409, description = "An app with that name is deployed", body = ErrorBody)))]
pub(super) async fn create(
    State(ctx): Shared,
    Query(params): Query<DeployParams>,
    headers: HeaderMap,
    body: String,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let json_body = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let (sql, name) = if json_body {
        let v: Value = serde_json::from_str(&body)
            .map_err(|e| ApiError::bad_request(format!("the body is not JSON: {e}")))?;
        let sql = v["sql"]
            .as_str()
            .ok_or_else(|| ApiError::bad_request("a JSON body needs \"sql\": \"...\""))?
            .to_string();
        (sql, v["name"].as_str().map(str::to_string).or(params.name))
    } else {
        (body, params.name)
    };
    if sql.trim().is_empty() {
        return Err(ApiError::bad_request(
            "the body is empty: send the app's SQL (curl --data-binary @app.sql)",
        ));
    }
    let file = format!("{}.sql", name.as_deref().unwrap_or("app"));
    let c = ctx.clone();
    let deployed = off_runtime(move || c.deployments.deploy(&c.engine, &file, &sql, name.as_deref()))
        .await?
        .map_err(|e| match e {
            DeployError::Compile(errors) => {
                let details = errors
                    .errors
                    .iter()
                    .map(|d| {
                        json!({"line": d.pos.line, "col": d.pos.col, "message": d.message, "help": d.help})
                    })
                    .collect();
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "compile_error",
                    format!("the app does not compile ({} error(s))", errors.errors.len()),
                )
                .with_details(details)
            }
            DeployError::Conflict(n) => ApiError::new(
                StatusCode::CONFLICT,
                "conflict",
                format!("an app named '{n}' is already deployed: DELETE /api/v1/apps/{n} first, or deploy under another name (?name=)"),
            ),
            DeployError::Start(m) => ApiError::new(StatusCode::BAD_REQUEST, "start_failed", m),
        })?;
    Ok((StatusCode::CREATED, Json(detail_json(&deployed))))
}

/// One app: its streams, queries, sources and sinks with their parameters (secrets masked).
#[utoipa::path(get, path = "/api/v1/apps/{app}", tag = "apps",
    params(("app" = String, Path, description = "The app's name")),
    responses((status = 200, description = "The app"), (status = 404, description = "No such app", body = ErrorBody)))]
pub(super) async fn detail(State(ctx): Shared, Path(app): Path<String>) -> ApiResult<Json<Value>> {
    let d = find(&ctx, &app)?;
    Ok(Json(detail_json(&d)))
}

/// The dataflow: `nodes` (streams, tables, sources, sinks, queries), `edges` and Graphviz `dot`.
#[utoipa::path(get, path = "/api/v1/apps/{app}/graph", tag = "apps",
    params(("app" = String, Path, description = "The app's name")),
    responses((status = 200, description = "`{nodes: [{id, kind, label}], edges: [{from, to}], dot}`"),
        (status = 404, description = "No such app", body = ErrorBody)))]
pub(super) async fn graph(State(ctx): Shared, Path(app): Path<String>) -> ApiResult<Json<Value>> {
    let d = find(&ctx, &app)?;
    Ok(Json(super::graph::graph_json(d.app.plan())))
}

/// Stops an app (sources stop, sinks flush); it stays listed as stopped.
#[utoipa::path(post, path = "/api/v1/apps/{app}/stop", tag = "apps",
    params(("app" = String, Path, description = "The app's name")),
    responses((status = 200, description = "Stopped, with its summary"), (status = 404, description = "No such app", body = ErrorBody)))]
pub(super) async fn stop(State(ctx): Shared, Path(app): Path<String>) -> ApiResult<Json<Value>> {
    let d = find(&ctx, &app)?;
    let d2 = d.clone();
    let stats = off_runtime(move || d2.stop()).await?;
    Ok(Json(
        json!({"name": d.name, "state": d.app.state().name(), "summary": stats_json(&stats)}),
    ))
}

/// Stops an app, flushing its sinks, and removes it.
#[utoipa::path(delete, path = "/api/v1/apps/{app}", tag = "apps",
    params(("app" = String, Path, description = "The app's name")),
    responses((status = 200, description = "Deleted, with its summary"), (status = 404, description = "No such app", body = ErrorBody)))]
pub(super) async fn delete(State(ctx): Shared, Path(app): Path<String>) -> ApiResult<Json<Value>> {
    find(&ctx, &app)?;
    let c = ctx.clone();
    let name = app.clone();
    match off_runtime(move || c.deployments.delete(&name)).await? {
        Some(stats) => Ok(Json(json!({"deleted": app, "summary": stats_json(&stats)}))),
        // Deleted by a racing request meanwhile.
        None => Err(ApiError::not_found(format!("no app '{app}'"))),
    }
}

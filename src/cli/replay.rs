//! `eventflux replay` and `eventflux test`: run an app offline on the playback clock.

use super::jsonl::{output_line, parse_line, row};
use eventflux::{App, Engine, RunOptions};
use parking_lot::Mutex;
use serde_json::Value as Json;
use std::sync::Arc;

/// Output lines in emission order, and how many input lines were bad.
pub struct ReplayResult {
    pub output: Vec<Json>,
    pub bad_lines: usize,
}

pub fn compile_offline(
    engine: &Engine,
    file: &str,
    sql: &str,
    final_flush: bool,
) -> Result<App, String> {
    let options = RunOptions {
        connectors: false,
        synchronous: true,
        playback: true,
        final_flush,
        ..RunOptions::default()
    };
    engine
        .compile_with(file, sql, options)
        .map_err(|e| e.to_string())
}

/// Replays `input` (JSON lines) through `app`. `streams` narrows the captured streams (empty =
/// every stream a query inserts into).
pub fn replay(
    app: &App,
    input_name: &str,
    input: &[u8],
    until: Option<i64>,
    streams: &[String],
) -> Result<ReplayResult, String> {
    let plan = app.plan();
    let mut captured: Vec<usize> = plan.query_targets();
    if !streams.is_empty() {
        captured = Vec::new();
        for s in streams {
            let id = plan.stream_id(s).ok_or_else(|| {
                app.schema(s)
                    .err()
                    .map(|e| e.to_string())
                    .unwrap_or_default()
            })?;
            captured.push(id);
        }
    }
    let output = Arc::new(Mutex::new(Vec::new()));
    for id in captured {
        let schema = plan.streams[id].schema.clone();
        let out = output.clone();
        let name = schema.name().to_string();
        app.tap(&name, move |batch| {
            let mut o = out.lock();
            o.extend(batch.iter().map(|e| output_line(schema.name(), &schema, e)));
        })
        .map_err(|e| e.to_string())?;
    }
    app.start().map_err(|e| e.to_string())?;
    let mut ts = 0i64;
    let mut bad_lines = 0;
    for (i, line) in input.split(|b| *b == b'\n').enumerate() {
        let line = match std::str::from_utf8(line) {
            Ok(l) => l.strip_suffix('\r').unwrap_or(l),
            Err(e) => {
                eprintln!(
                    "{input_name}:{}: error: not valid UTF-8 (byte {}); line skipped",
                    i + 1,
                    e.valid_up_to() + 1
                );
                bad_lines += 1;
                continue;
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        let result = parse_line(line).and_then(|l| {
            let handle = app.input(&l.stream).map_err(|e| e.to_string())?;
            let values = row(handle.schema(), &l.data)?;
            Ok((handle, l.ts, values))
        });
        match result {
            Ok((handle, line_ts, values)) => {
                ts = line_ts.unwrap_or(ts);
                if let Err(e) = handle.send_at(ts, values) {
                    eprintln!("{input_name}:{}: error: {e}", i + 1);
                    bad_lines += 1;
                }
            }
            Err(e) => {
                eprintln!("{input_name}:{}: error: {e}; line skipped", i + 1);
                bad_lines += 1;
            }
        }
    }
    if let Some(until) = until {
        app.advance_time(until);
    }
    app.shutdown().map_err(|e| e.to_string())?;
    let output = std::mem::take(&mut *output.lock());
    Ok(ReplayResult { output, bad_lines })
}

/// Compares actual output with the expectation, stream by stream in order. Returns a readable
/// diff, or None on a match.
pub fn compare(expected: &[Json], actual: &[Json]) -> Option<String> {
    let mut streams: Vec<String> = Vec::new();
    for l in expected.iter().chain(actual) {
        if let Some(s) = l.get("stream").and_then(Json::as_str) {
            if !streams.iter().any(|x| x == s) {
                streams.push(s.to_string());
            }
        }
    }
    let mut diff = String::new();
    for s in &streams {
        let of = |v: &[Json]| -> Vec<Json> {
            v.iter()
                .filter(|l| l.get("stream").and_then(Json::as_str) == Some(s))
                .cloned()
                .collect()
        };
        let (exp, act) = (of(expected), of(actual));
        for i in 0..exp.len().max(act.len()) {
            match (exp.get(i), act.get(i)) {
                (Some(e), Some(a)) if event_matches(e, a) => {}
                (Some(e), Some(a)) => diff.push_str(&format!(
                    "stream {s}, event {}:\n  expected: {e}\n  actual:   {a}\n",
                    i + 1
                )),
                (Some(e), None) => diff.push_str(&format!(
                    "stream {s}, event {}: missing\n  expected: {e}\n",
                    i + 1
                )),
                (None, Some(a)) => diff.push_str(&format!(
                    "stream {s}, event {}: unexpected\n  actual:   {a}\n",
                    i + 1
                )),
                (None, None) => {}
            }
        }
    }
    (!diff.is_empty()).then_some(diff)
}

fn event_matches(e: &Json, a: &Json) -> bool {
    if let Some(ts) = e.get("ts") {
        if !json_eq(ts, a.get("ts").unwrap_or(&Json::Null)) {
            return false;
        }
    }
    let expired = |v: &Json| v.get("expired").and_then(Json::as_bool).unwrap_or(false);
    if expired(e) != expired(a) {
        return false;
    }
    let (Some(Json::Object(ad)), Some(ed)) = (a.get("data"), e.get("data")) else {
        return false;
    };
    match ed {
        Json::Object(ed) => {
            ed.len() == ad.len()
                && ed
                    .iter()
                    .all(|(k, v)| ad.get(k).is_some_and(|x| json_eq(v, x)))
        }
        Json::Array(items) => {
            items.len() == ad.len() && items.iter().zip(ad.values()).all(|(v, x)| json_eq(v, x))
        }
        _ => false,
    }
}

/// Equality with numbers compared at relative tolerance 1e-9.
fn json_eq(e: &Json, a: &Json) -> bool {
    match (e, a) {
        (Json::Number(x), Json::Number(y)) => {
            if let (Some(x), Some(y)) = (x.as_i64(), y.as_i64()) {
                return x == y;
            }
            let (x, y) = (
                x.as_f64().unwrap_or(f64::NAN),
                y.as_f64().unwrap_or(f64::NAN),
            );
            x == y || (x - y).abs() <= 1e-9 * x.abs().max(y.abs())
        }
        _ => e == a,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_compare_with_tolerance_and_ts_only_when_expected() {
        let e = vec![json!({"stream":"O","data":{"x":0.1}})];
        let a = vec![json!({"stream":"O","ts":5,"data":{"x":0.1000000000001}})];
        assert!(compare(&e, &a).is_none());
        let a2 = vec![json!({"stream":"O","ts":5,"data":{"x":0.2}})];
        assert!(compare(&e, &a2).unwrap().contains("event 1"));
        let e_ts = vec![json!({"stream":"O","ts":6,"data":{"x":0.1}})];
        assert!(compare(&e_ts, &a).is_some());
    }

    #[test]
    fn missing_and_unexpected_events_are_reported() {
        let e = vec![
            json!({"stream":"O","data":{"x":1}}),
            json!({"stream":"O","data":{"x":2}}),
        ];
        let a = vec![
            json!({"stream":"O","data":{"x":1}}),
            json!({"stream":"P","data":{"y":1}}),
        ];
        let d = compare(&e, &a).unwrap();
        assert!(d.contains("stream O, event 2: missing"), "{d}");
        assert!(d.contains("stream P, event 1: unexpected"), "{d}");
    }
}

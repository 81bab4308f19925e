//! The replay event format: one JSON object a line,
//! `{"stream":"Trades","ts":1000,"data":{...} | [...]}` (+ `"expired":true` on output).

pub use eventflux::json::{row, to_json};
use eventflux::{Event, EventKind, Schema};
use serde_json::{json, Map, Value as Json};

/// One parsed input line.
pub struct InputLine {
    pub stream: String,
    pub ts: Option<i64>,
    pub data: Json,
}

pub fn parse_line(line: &str) -> Result<InputLine, String> {
    let v: Json = serde_json::from_str(line).map_err(|e| format!("not valid JSON: {e}"))?;
    let Json::Object(mut obj) = v else {
        return Err("expected an object like {\"stream\":\"S\",\"ts\":0,\"data\":{...}}".into());
    };
    let stream = match obj.remove("stream") {
        Some(Json::String(s)) => s,
        Some(_) => return Err("\"stream\" must be a string".into()),
        None => return Err("missing \"stream\"".into()),
    };
    let ts = match obj.remove("ts") {
        None | Some(Json::Null) => None,
        Some(Json::Number(n)) => Some(
            n.as_i64()
                .ok_or("\"ts\" must be an integer (milliseconds)")?,
        ),
        Some(_) => return Err("\"ts\" must be an integer (milliseconds)".into()),
    };
    let data = obj.remove("data").ok_or("missing \"data\"")?;
    Ok(InputLine { stream, ts, data })
}

/// One output line.
pub fn output_line(stream: &str, schema: &Schema, e: &Event) -> Json {
    let mut data = Map::new();
    for (a, v) in schema.attrs().iter().zip(e.data.iter()) {
        data.insert(a.name.clone(), to_json(v));
    }
    let mut obj = Map::new();
    obj.insert("stream".into(), json!(stream));
    obj.insert("ts".into(), json!(e.ts));
    obj.insert("data".into(), Json::Object(data));
    if e.kind == EventKind::Expired {
        obj.insert("expired".into(), json!(true));
    }
    Json::Object(obj)
}

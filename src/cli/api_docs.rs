//! The control plane's reference pages: every route from the OpenAPI document the server
//! serves (with a curl example each), and every metric from the list `/metrics` exports.

use serde_json::Value;
use std::fmt::Write;

/// A request body to show for the routes that take one: (content type, curl data argument).
fn example_body(method: &str, path: &str) -> Option<(&'static str, &'static str)> {
    match (method, path) {
        ("post", "/api/v1/apps") => Some((
            "application/sql",
            "--data-binary @queries/watched_trades.sql",
        )),
        ("post", "/api/v1/apps/{app}/streams/{stream}/events") => Some((
            "application/json",
            "--data '[{\"symbol\": \"IBM\", \"price\": 151.5, \"volume\": 200}]'",
        )),
        _ => None,
    }
}

fn curl(method: &str, path: &str) -> String {
    let concrete = path
        .replace("{app}", "Trades")
        .replace("{stream}", "Trades")
        .replace("{id}", "rtsp-1");
    let mut cmd = String::from("curl -s");
    match method {
        "get" if path.ends_with("/tail") => cmd.push_str(" -N"),
        "get" => {}
        "post" => cmd.push_str(" -X POST"),
        other => {
            let _ = write!(cmd, " -X {}", other.to_uppercase());
        }
    }
    if let Some((content_type, data)) = example_body(method, path) {
        let _ = write!(cmd, " -H 'Content-Type: {content_type}' {data}");
    }
    let query = if path.ends_with("/tail") {
        "?limit=5"
    } else {
        ""
    };
    let _ = write!(cmd, " http://127.0.0.1:9090{concrete}{query}");
    cmd
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// `generated/control-plane.md`, from the server's OpenAPI document.
pub fn control_plane_page() -> String {
    let doc: Value = serde_json::to_value(eventflux::server::openapi::openapi())
        .expect("the OpenAPI document serializes");
    let mut out = String::from(
        "# REST API reference\n\nGenerated from the OpenAPI document the server itself serves \
         at `/openapi.json` (built from the handlers' annotations). Examples assume \
         `eventflux serve --http 127.0.0.1:9090` (or `run APP --http 127.0.0.1:9090`); with a \
         token, add `-H \"Authorization: Bearer $TOKEN\"`. Errors are \
         `{\"error\": {\"code\", \"message\", \"details\"}}`.\n",
    );
    let tags = doc["tags"].as_array().cloned().unwrap_or_default();
    let paths = doc["paths"].as_object().cloned().unwrap_or_default();
    for tag in &tags {
        let name = tag["name"].as_str().unwrap_or("");
        let _ = write!(
            out,
            "\n## {}\n\n{}\n",
            name,
            tag["description"].as_str().unwrap_or("")
        );
        for (path, item) in &paths {
            for method in ["get", "post", "delete"] {
                let Some(op) = item.get(method) else { continue };
                let in_tag = op["tags"]
                    .as_array()
                    .is_some_and(|t| t.iter().any(|x| x == name));
                if !in_tag {
                    continue;
                }
                let _ = write!(out, "\n### {} {path}\n\n", method.to_uppercase());
                let summary = op["summary"].as_str().unwrap_or("");
                let _ = writeln!(out, "{summary}");
                if let Some(d) = op["description"].as_str() {
                    let _ = writeln!(out, "\n{d}");
                }
                if let Some(params) = op["parameters"].as_array().filter(|p| !p.is_empty()) {
                    out.push_str("\n| parameter | in | description |\n|---|---|---|\n");
                    for p in params {
                        let _ = writeln!(
                            out,
                            "| `{}` | {} | {} |",
                            p["name"].as_str().unwrap_or(""),
                            p["in"].as_str().unwrap_or(""),
                            cell(p["description"].as_str().unwrap_or(""))
                        );
                    }
                }
                if let Some(body) = op["requestBody"]["description"].as_str() {
                    let _ = writeln!(out, "\nBody: {body}");
                }
                out.push_str("\n| status | meaning |\n|---|---|\n");
                if let Some(responses) = op["responses"].as_object() {
                    for (code, r) in responses {
                        let _ = writeln!(
                            out,
                            "| {code} | {} |",
                            cell(r["description"].as_str().unwrap_or(""))
                        );
                    }
                }
                let _ = write!(out, "\n```sh\n{}\n```\n", curl(method, path));
            }
        }
    }
    out
}

/// `generated/metrics.md`, from the list of exported metrics.
pub fn metrics_page() -> String {
    let mut out = String::from(
        "# Metrics reference\n\nGenerated from the list `/metrics` exports (Prometheus text \
         format 0.0.4, checked with `promtool check metrics` in the tests). Values are read \
         from the engine's own counters at each scrape: watching costs the hot path nothing.\n\n\
         | metric | type | labels | meaning |\n|---|---|---|---|\n",
    );
    for (name, kind, labels, help) in eventflux::server::metric_catalog() {
        let labels = if labels.is_empty() {
            "none".to_string()
        } else {
            labels
                .split(", ")
                .map(|l| format!("`{l}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(out, "| `{name}` | {kind} | {labels} | {} |", cell(help));
    }
    out
}

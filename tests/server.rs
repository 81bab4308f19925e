//! The control plane over real HTTP: health, readiness, the app list and Prometheus metrics,
//! the last checked by Prometheus's own `promtool`.

mod common;

use common::*;
use eventflux::server::Server;
use eventflux::{Engine, Value};
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;

/// GET `path`: (status, body).
fn get(port: u16, path: &str) -> (u16, String) {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut all = String::new();
    s.read_to_string(&mut all).unwrap();
    let status = all[9..12].parse().unwrap();
    let body = all
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

#[test]
fn health_apps_and_metrics_are_served_and_promtool_accepts_them() {
    init_logs();
    let app = Arc::new(
        Engine::new()
            .compile(
                "@app:name('Watched')
                 CREATE STREAM In (symbol STRING, price DOUBLE);
                 @sink(type='null')
                 CREATE STREAM Big (symbol STRING, price DOUBLE);
                 INSERT INTO Big SELECT symbol, price FROM In WHERE price > 10;",
            )
            .unwrap(),
    );
    app.start().unwrap();
    let input = app.input("In").unwrap();
    for p in [5.0, 20.0, 30.0] {
        input
            .send(vec![Value::from("IBM"), Value::Double(p)])
            .unwrap();
    }
    let server = Server::new(vec![app.clone()]).serve("127.0.0.1:0").unwrap();
    let port = server.address().port();
    assert_eq!(get(port, "/healthz"), (200, "ok\n".to_string()));
    assert_eq!(get(port, "/readyz").0, 200);
    let (status, body) = get(port, "/api/v1/apps");
    assert_eq!(status, 200);
    let apps: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(apps["apps"][0]["name"], "Watched");
    assert_eq!(apps["apps"][0]["state"], "running");
    let (status, body) = get(port, "/api/v1/nope");
    assert_eq!(status, 404);
    let err: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(err["error"]["code"], "not_found");
    // The sink counts on its own thread: wait for its two events.
    assert!(wait_until(std::time::Duration::from_secs(10), || {
        get(port, "/metrics").1.contains("role=\"sink\"} 2")
    }));
    let (status, metrics) = get(port, "/metrics");
    assert_eq!(status, 200);
    assert!(
        metrics.contains("eventflux_stream_events_total{app=\"Watched\",stream=\"In\"} 3"),
        "{metrics}"
    );
    assert!(
        metrics.contains("eventflux_stream_events_total{app=\"Watched\",stream=\"Big\"} 2"),
        "{metrics}"
    );
    assert!(
        metrics.contains("eventflux_process_uptime_seconds"),
        "{metrics}"
    );
    if peer_available("promtool", Command::new("promtool").arg("--version")) {
        let mut check = Command::new("promtool")
            .args(["check", "metrics"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        check
            .stdin
            .take()
            .unwrap()
            .write_all(metrics.as_bytes())
            .unwrap();
        let out = check.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "promtool: {}{}\n{metrics}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    drop(server);
    app.shutdown().unwrap();
}

#[test]
fn eventflux_run_serves_the_control_plane_with_http() {
    let dir = temp_dir("run-http");
    let app = dir.join("app.sql");
    std::fs::write(
        &app,
        "@source(type='datagen', rate='50', count='100000')
         CREATE STREAM Ticks (n BIGINT);
         @sink(type='null')
         CREATE STREAM Out (n BIGINT);
         INSERT INTO Out SELECT n FROM Ticks;",
    )
    .unwrap();
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_eventflux"))
        .arg("run")
        .arg(&app)
        .args(["--http", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let up = wait_until(std::time::Duration::from_secs(20), || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    let metrics = if up {
        get(port, "/metrics").1
    } else {
        String::new()
    };
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(up, "eventflux run --http never listened");
    assert!(metrics.contains("stream=\"Ticks\""), "{metrics}");
}

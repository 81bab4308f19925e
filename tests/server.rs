//! The control plane over real HTTP (reqwest, and curl against `eventflux serve`): health,
//! readiness, apps deployed, fed, tailed, stopped and deleted through the API, auth, a deploy
//! race, connector health against a real WebSocket server, and Prometheus metrics checked by
//! Prometheus's own `promtool`.

mod common;

use common::api::Api;
use common::*;
use eventflux::server::Server;
use eventflux::{Engine, Value};
use serde_json::{json, Value as Json};
use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

fn promtool_accepts(metrics: &str) {
    if !peer_available("promtool", Command::new("promtool").arg("--version")) {
        return;
    }
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

/// The value of the first sample line that starts with `prefix`.
fn sample(metrics: &str, prefix: &str) -> Option<f64> {
    metrics
        .lines()
        .find(|l| l.starts_with(prefix))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
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
    let server = Server::new(Engine::new())
        .with_app(app.clone())
        .unwrap()
        .serve("127.0.0.1:0")
        .unwrap();
    let api = Api::new(server.address().port());
    assert_eq!(api.get("/healthz"), (200, "ok\n".to_string()));
    assert_eq!(api.get("/readyz").0, 200);
    let apps = api.json("/api/v1/apps");
    assert_eq!(apps["apps"][0]["name"], "Watched");
    assert_eq!(apps["apps"][0]["state"], "running");
    assert_eq!(apps["apps"][0]["events_in"], 3);
    let (status, body) = api.get("/api/v1/nope");
    assert_eq!(status, 404);
    let err: Json = serde_json::from_str(&body).unwrap();
    assert_eq!(err["error"]["code"], "not_found");
    // The sink counts on its own thread: wait for its two events.
    let sink = "eventflux_connector_events_total{app=\"Watched\",connector=\"Big -> sink null\",role=\"sink\",type=\"null\"}";
    assert!(wait_until(Duration::from_secs(10), || {
        sample(&api.get("/metrics").1, sink) == Some(2.0)
    }));
    let (status, metrics) = api.get("/metrics");
    assert_eq!(status, 200);
    for (prefix, want) in [
        ("eventflux_stream_events_total{app=\"Watched\",stream=\"In\"}", 3.0),
        ("eventflux_stream_events_total{app=\"Watched\",stream=\"Big\"}", 2.0),
        ("eventflux_query_events_in_total{app=\"Watched\",query=\"query1\"}", 3.0),
        ("eventflux_query_events_out_total{app=\"Watched\",query=\"query1\"}", 2.0),
        // Three sends, three batches timed.
        ("eventflux_query_latency_seconds_count{app=\"Watched\",query=\"query1\"}", 3.0),
        ("eventflux_query_latency_seconds_bucket{le=\"+Inf\",app=\"Watched\",query=\"query1\"}", 3.0),
        ("eventflux_connector_state{app=\"Watched\",connector=\"Big -> sink null\",role=\"sink\",type=\"null\"}", 1.0),
        ("eventflux_sink_buffer_capacity_events{app=\"Watched\"", 10_000.0),
    ] {
        assert_eq!(sample(&metrics, prefix), Some(want), "{prefix}\n{metrics}");
    }
    for name in [
        "eventflux_process_uptime_seconds ",
        "eventflux_process_resident_memory_bytes ",
        "eventflux_process_threads ",
        "eventflux_process_cpu_seconds_total ",
    ] {
        assert!(
            sample(&metrics, name).is_some_and(|v| v > 0.0),
            "{name}\n{metrics}"
        );
    }
    promtool_accepts(&metrics);
    drop(server);
    app.shutdown().unwrap();
}

const TRADES_APP: &str = "@app:name('Trades')
CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);
@sink(type='file', path='OUT/big.jsonl', @map(type='json'))
CREATE STREAM Big (symbol STRING, price DOUBLE);
INSERT INTO Big SELECT symbol, price FROM Trades WHERE volume > 100;";

#[test]
fn an_app_is_deployed_fed_tailed_stopped_and_deleted_through_the_api() {
    init_logs();
    let out = temp_dir("api-app");
    let server = Server::new(Engine::new()).serve("127.0.0.1:0").unwrap();
    let api = Api::new(server.address().port());

    // A bad app: 400 with every diagnostic's line and column.
    let (status, err) = api.post(
        "/api/v1/apps",
        "application/sql",
        "CREATE STREAM A (x INT);\nINSERT INTO B SELECT y FROM A;",
    );
    assert_eq!(status, 400, "{err}");
    assert_eq!(err["error"]["code"], "compile_error");
    let d = &err["error"]["details"][0];
    assert_eq!(
        (d["line"].as_u64(), d["col"].as_u64().is_some()),
        (Some(2), true),
        "{err}"
    );
    assert!(d["message"].as_str().unwrap().contains('y'), "{err}");
    assert_eq!(api.json("/api/v1/apps")["apps"], json!([]));

    let sql = TRADES_APP.replace("OUT", &out.display().to_string());
    let (status, app) = api.post("/api/v1/apps", "application/sql", &sql);
    assert_eq!(status, 201, "{app}");
    assert_eq!(app["name"], "Trades");
    assert_eq!(app["state"], "running");
    assert_eq!(app["sinks"][0]["type"], "file");
    let (status, again) = api.post("/api/v1/apps", "application/sql", &sql);
    assert_eq!((status, &again["error"]["code"]), (409, &json!("conflict")));

    let graph = api.json("/api/v1/apps/Trades/graph");
    let kinds: Vec<&str> = graph["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["stream", "stream", "sink", "query"]);
    assert_eq!(graph["edges"].as_array().unwrap().len(), 3);
    assert!(graph["dot"].as_str().unwrap().starts_with("digraph app {"));

    // A live tail, read by a second client while events go in.
    let port = server.address().port();
    let tail = std::thread::spawn(move || {
        let api = Api::new(port);
        api.rt.block_on(async {
            let mut resp = api
                .client
                .get(format!(
                    "{}/api/v1/apps/Trades/streams/Big/tail?limit=100",
                    api.base
                ))
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status().as_u16(), 200);
            let mut text = String::new();
            while text.matches("event: event").count() < 3 {
                match tokio::time::timeout(Duration::from_secs(20), resp.chunk()).await {
                    Ok(Ok(Some(c))) => text.push_str(&String::from_utf8_lossy(&c)),
                    other => panic!("tail ended early: {other:?}\n{text}"),
                }
            }
            text
        })
    });
    // The tap exists once the tail's request is in.
    std::thread::sleep(Duration::from_millis(500));

    // One bad row: 400 naming the row and attribute, and nothing sent.
    let (status, err) = api.post(
        "/api/v1/apps/Trades/streams/Trades/events",
        "application/json",
        r#"[{"symbol":"IBM","price":10.0,"volume":500},{"symbol":"X","price":"cheap","volume":1}]"#,
    );
    assert_eq!(status, 400, "{err}");
    assert_eq!(err["error"]["details"][0]["row"], 2);
    assert!(
        err["error"]["message"].as_str().unwrap().contains("price"),
        "{err}"
    );
    let streams = api.json("/api/v1/apps/Trades/streams");
    assert_eq!(
        streams["streams"][0]["events"], 0,
        "nothing partial was sent"
    );

    let (status, ok) = api.post(
        "/api/v1/apps/Trades/streams/Trades/events",
        "application/json",
        r#"[{"symbol":"IBM","price":10.0,"volume":500},{"symbol":"WSO2","price":2.5,"volume":5},["ORCL",7.0,900]]"#,
    );
    assert_eq!((status, &ok["accepted"]), (200, &json!(3)), "{ok}");
    // JSON lines work too.
    let (status, ok) = api.post(
        "/api/v1/apps/Trades/streams/Trades/events",
        "application/x-ndjson",
        "{\"symbol\":\"MSFT\",\"price\":1.0,\"volume\":101}\n{\"symbol\":\"A\",\"price\":1.0,\"volume\":1}\n",
    );
    assert_eq!((status, &ok["accepted"]), (200, &json!(2)), "{ok}");
    let (status, _) = api.post(
        "/api/v1/apps/Trades/streams/Nope/events",
        "application/json",
        "[]",
    );
    assert_eq!(status, 404);

    let tailed = tail.join().unwrap();
    for symbol in ["IBM", "ORCL", "MSFT"] {
        assert!(
            tailed.contains(&format!("\"symbol\":\"{symbol}\"")),
            "{tailed}"
        );
    }
    assert!(!tailed.contains("WSO2"), "filtered out upstream: {tailed}");

    let streams = api.json("/api/v1/apps/Trades/streams");
    let by_name = |n: &str| {
        streams["streams"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == n)
            .cloned()
            .unwrap()
    };
    assert_eq!(by_name("Trades")["events"], 5);
    assert_eq!(by_name("Trades")["batches"], 2);
    assert_eq!(by_name("Big")["events"], 3);
    assert!(by_name("Trades")["last_event_time"].is_string());
    let queries = api.json("/api/v1/apps/Trades/queries");
    let q = &queries["queries"][0];
    assert_eq!(
        (&q["events_in"], &q["events_out"], &q["batches"]),
        (&json!(5), &json!(3), &json!(2))
    );
    assert!(q["latency_seconds"]["p99"].as_f64().unwrap() > 0.0, "{q}");
    assert!(wait_until(Duration::from_secs(10), || {
        api.json("/api/v1/apps/Trades/connectors")["connectors"][0]["counters"]["events"] == 3
    }));
    let c = &api.json("/api/v1/apps/Trades/connectors")["connectors"][0];
    assert_eq!(
        (&c["state"], &c["role"], &c["healthy"]),
        (&json!("running"), &json!("sink"), &json!(true)),
        "{c}"
    );
    assert!(
        c["health"]["detail"]
            .as_str()
            .unwrap()
            .contains("can write"),
        "{c}"
    );

    // Stop: the sink is flushed, the app stays listed as stopped.
    let (status, stopped) = api.post("/api/v1/apps/Trades/stop", "text/plain", "");
    assert_eq!(
        (status, &stopped["state"]),
        (200, &json!("stopped")),
        "{stopped}"
    );
    let written: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .flat_map(|f| lines(&f.unwrap().path()))
        .collect();
    assert_eq!(written.len(), 3, "{written:?}");
    assert!(written[0].contains("IBM"), "{written:?}");
    assert_eq!(api.json("/api/v1/apps/Trades")["state"], "stopped");
    assert_eq!(api.get("/readyz").0, 503, "a stopped app is not ready");

    let (status, deleted) = api.delete("/api/v1/apps/Trades");
    assert_eq!(
        (status, &deleted["deleted"]),
        (200, &json!("Trades")),
        "{deleted}"
    );
    assert_eq!(api.get("/api/v1/apps/Trades").0, 404);
    assert_eq!(api.get("/readyz").0, 200);
}

#[test]
fn a_token_guards_every_route_but_healthz() {
    let server = Server::new(Engine::new())
        .with_token(Some("s3cret-token".into()))
        .serve("127.0.0.1:0")
        .unwrap();
    let mut api = Api::new(server.address().port());
    assert_eq!(api.get("/healthz").0, 200);
    for path in [
        "/api/v1/apps",
        "/metrics",
        "/readyz",
        "/",
        "/openapi.json",
        "/api/v1/nope",
    ] {
        let (status, body) = api.get(path);
        assert_eq!(status, 401, "{path}");
        assert!(!body.contains("s3cret"), "{body}");
    }
    api.token = Some("wrong".into());
    assert_eq!(api.get("/api/v1/apps").0, 401);
    api.token = Some("s3cret-token".into());
    assert_eq!(api.get("/api/v1/apps").0, 200);
    assert_eq!(api.get("/metrics").0, 200);
    api.token = None;
    assert_eq!(
        api.get("/api/v1/apps?token=s3cret-token").0,
        200,
        "the browser's way"
    );
}

#[test]
fn concurrent_deploys_and_deletes_leave_no_half_deployed_app() {
    let server = Server::new(Engine::new()).serve("127.0.0.1:0").unwrap();
    let port = server.address().port();
    let threads: Vec<_> = (0..8)
        .map(|t| {
            std::thread::spawn(move || {
                let api = Api::new(port);
                let mut net = std::collections::HashMap::<String, i64>::new();
                for i in 0..12 {
                    let name = format!("Race{}", (t + i) % 3);
                    let sql = format!(
                        "@app:name('{name}')\nCREATE STREAM In (x INT);\n@sink(type='null')\nCREATE STREAM Out (x INT);\nINSERT INTO Out SELECT x FROM In;"
                    );
                    let (s, _) = api.post("/api/v1/apps", "application/sql", &sql);
                    assert!(s == 201 || s == 409, "deploy: {s}");
                    if s == 201 {
                        *net.entry(name.clone()).or_default() += 1;
                    }
                    let (s, _) = api.delete(&format!("/api/v1/apps/{name}"));
                    assert!(s == 200 || s == 404, "delete: {s}");
                    if s == 200 {
                        *net.entry(name).or_default() -= 1;
                    }
                }
                net
            })
        })
        .collect();
    let mut net = std::collections::HashMap::<String, i64>::new();
    for t in threads {
        for (k, v) in t.join().unwrap() {
            *net.entry(k).or_default() += v;
        }
    }
    let api = Api::new(port);
    let apps = api.json("/api/v1/apps")["apps"].as_array().unwrap().clone();
    // Every deploy that answered 201 and was not deleted is listed, running, whole.
    let listed: Vec<String> = apps
        .iter()
        .map(|a| a["name"].as_str().unwrap().to_string())
        .collect();
    for (name, n) in &net {
        assert!(*n == 0 || *n == 1, "{name}: {n}");
        assert_eq!(listed.contains(name), *n == 1, "{name}: {listed:?}");
    }
    for a in &apps {
        assert_eq!(a["state"], "running", "{a}");
        let name = a["name"].as_str().unwrap();
        let (s, ok) = api.post(
            &format!("/api/v1/apps/{name}/streams/In/events"),
            "application/json",
            "[[1],[2]]",
        );
        assert_eq!((s, &ok["accepted"]), (200, &json!(2)));
        let c = &api.json(&format!("/api/v1/apps/{name}/connectors"))["connectors"];
        assert_eq!(
            c.as_array().unwrap().len(),
            1,
            "one sink, started once: {c}"
        );
    }
}

#[test]
fn a_websocket_sink_whose_server_is_gone_makes_the_app_not_ready_until_it_returns() {
    init_logs();
    if !python_module("websockets") {
        return;
    }
    let dir = temp_dir("ws-health");
    let ws_port = free_port();
    let start_peer = || {
        Peer::python(
            "ws_peer.py",
            &[
                "server",
                "--port",
                &ws_port.to_string(),
                "--dir",
                &dir.display().to_string(),
            ],
        )
    };
    let mut peer = start_peer();
    let server = Server::new(Engine::new()).serve("127.0.0.1:0").unwrap();
    let api = Api::new(server.address().port());
    let sql = format!(
        "@app:name('Pusher')
         CREATE STREAM In (id INT);
         @sink(type='websocket', websocket.url='ws://127.0.0.1:{ws_port}/sink', websocket.reconnect.delay.ms='50', websocket.reconnect.max.delay.ms='200')
         CREATE STREAM Out (id INT);
         INSERT INTO Out SELECT id FROM In;"
    );
    let (status, body) = api.post("/api/v1/apps", "application/sql", &sql);
    assert_eq!(status, 201, "{body}");
    let send = |i: i32| {
        let (s, _) = api.post(
            "/api/v1/apps/Pusher/streams/In/events",
            "application/json",
            &format!("[[{i}]]"),
        );
        assert_eq!(s, 200);
    };
    send(1);
    let received = dir.join("received.txt");
    assert!(wait_until(Duration::from_secs(10), || lines(&received)
        .len()
        == 1));
    assert_eq!(api.get("/readyz").0, 200);
    let state =
        |api: &Api| api.json("/api/v1/apps/Pusher/connectors")["connectors"][0]["state"].clone();
    assert_eq!(state(&api), "running");

    peer.kill();
    // The idle sink's health check notices the closed connection.
    assert!(
        wait_until(Duration::from_secs(10), || state(&api) == "reconnecting"),
        "{}",
        api.json("/api/v1/apps/Pusher/connectors")
    );
    let (status, body) = api.get("/readyz");
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("reconnecting"), "{body}");
    let c = &api.json("/api/v1/apps/Pusher/connectors")["connectors"][0];
    assert!(c["last_error"]["message"].is_string(), "{c}");
    send(2);

    let _peer = start_peer();
    assert!(wait_until(Duration::from_secs(15), || api.get("/readyz").0 == 200));
    assert_eq!(state(&api), "running");
    // The event sent while the server was away goes out after the reconnect.
    assert!(wait_until(Duration::from_secs(10), || lines(&received)
        .len()
        == 2));
    let c = &api.json("/api/v1/apps/Pusher/connectors")["connectors"][0];
    assert!(c["counters"]["reconnects"].as_u64().unwrap() >= 1, "{c}");
    let metrics = api.get("/metrics").1;
    assert!(
        sample(
            &metrics,
            "eventflux_connector_reconnects_total{app=\"Pusher\""
        )
        .unwrap()
            >= 1.0,
        "{metrics}"
    );
    assert_eq!(
        sample(&metrics, "eventflux_connector_errors_total{app=\"Pusher\",connector=\"Out -> sink websocket\",role=\"sink\",type=\"websocket\",kind=\"transient\"}")
            .map(|v| v >= 1.0),
        Some(true),
        "{metrics}"
    );
    promtool_accepts(&metrics);
}

#[test]
fn the_openapi_document_lists_every_route() {
    let server = Server::new(Engine::new()).serve("127.0.0.1:0").unwrap();
    let api = Api::new(server.address().port());
    let doc = api.json("/openapi.json");
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in [
        ("/healthz", "get"),
        ("/readyz", "get"),
        ("/metrics", "get"),
        ("/api/v1/apps", "get"),
        ("/api/v1/apps", "post"),
        ("/api/v1/apps/{app}", "get"),
        ("/api/v1/apps/{app}", "delete"),
        ("/api/v1/apps/{app}/graph", "get"),
        ("/api/v1/apps/{app}/stop", "post"),
        ("/api/v1/apps/{app}/streams", "get"),
        ("/api/v1/apps/{app}/streams/{stream}/events", "post"),
        ("/api/v1/apps/{app}/streams/{stream}/tail", "get"),
        ("/api/v1/apps/{app}/queries", "get"),
        ("/api/v1/apps/{app}/connectors", "get"),
        ("/api/v1/streams", "get"),
        ("/api/v1/streams/{id}", "get"),
        ("/api/v1/streams/{id}", "delete"),
        ("/api/v1/streams/{id}/pause", "post"),
        ("/api/v1/streams/{id}/resume", "post"),
        ("/api/v1/stats", "get"),
    ] {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} missing"
        );
    }
    // Every documented route answers (no 404 from the router), here with a bogus app name.
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            let concrete = path
                .replace("{app}", "nope")
                .replace("{stream}", "S")
                .replace("{id}", "x");
            let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let (status, body) = api.send(m, &concrete, None);
            if status == 404 {
                assert!(!body.contains("no route"), "{method} {concrete}: {body}");
            }
        }
    }
    let stats = api.json("/api/v1/stats");
    assert!(
        stats["process"]["threads"].as_u64().unwrap() >= 1,
        "{stats}"
    );
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
    let child = Command::new(env!("CARGO_BIN_EXE_eventflux"))
        .arg("run")
        .arg(&app)
        .args(["--http", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let api = Api::new(port);
    let up = wait_until(Duration::from_secs(20), || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    assert!(up, "the control plane did not come up");
    assert!(wait_until(Duration::from_secs(10), || {
        sample(
            &api.get("/metrics").1,
            "eventflux_stream_events_total{app=\"app\",stream=\"Ticks\"}",
        )
        .is_some_and(|n| n > 0.0)
    }));
    assert_eq!(api.get("/readyz").0, 200);
    // Stopping the app through the API ends `run`, with the sinks flushed.
    let (status, _) = api.post("/api/v1/apps/app/stop", "text/plain", "");
    assert_eq!(status, 200);
    let mut done = Peer { child };
    assert!(
        done.wait(Duration::from_secs(20)),
        "run did not exit after the stop"
    );
    let mut log = String::new();
    std::io::Read::read_to_string(&mut done.child.stderr.take().unwrap(), &mut log).unwrap();
    assert!(log.contains("stopped through the control plane"), "{log}");
    assert!(log.contains("Out -> sink null:"), "{log}");
}

#[test]
fn eventflux_serve_hosts_a_directory_of_apps_behind_a_token_for_curl() {
    if !peer_available("curl", Command::new("curl").arg("--version")) {
        return;
    }
    let dir = temp_dir("serve");
    std::fs::write(
        dir.join("ticks.sql"),
        "@source(type='datagen', rate='100', count='1000000')
         CREATE STREAM Ticks (n BIGINT);
         INSERT INTO Even SELECT n FROM Ticks WHERE n % 2 == 0;",
    )
    .unwrap();
    std::fs::write(dir.join("token"), "t0ken-for-curl\n").unwrap();
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_eventflux"))
        .args(["serve", "--http", &format!("127.0.0.1:{port}")])
        .arg("--apps")
        .arg(&dir)
        .arg("--token-file")
        .arg(dir.join("token"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut server = Peer { child };
    assert!(wait_until(Duration::from_secs(20), || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    }));
    let curl = |args: &[&str]| -> (String, String) {
        let o = Command::new("curl")
            .args(["-s", "-w", "\n%{http_code}"])
            .args(args)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&o.stdout).to_string();
        let (body, code) = text.rsplit_once('\n').unwrap();
        (code.to_string(), body.to_string())
    };
    let base = format!("http://127.0.0.1:{port}");
    let auth = "Authorization: Bearer t0ken-for-curl";
    assert_eq!(curl(&[&format!("{base}/healthz")]).0, "200");
    assert_eq!(curl(&[&format!("{base}/api/v1/apps")]).0, "401");
    let (code, body) = curl(&["-H", auth, &format!("{base}/api/v1/apps")]);
    assert_eq!(code, "200");
    let apps: Json = serde_json::from_str(&body).unwrap();
    assert_eq!(
        apps["apps"][0]["name"], "ticks",
        "named by its file: {apps}"
    );
    let app_file = dir.join("more.sql");
    std::fs::write(
        &app_file,
        "@app:name('More')\nCREATE STREAM A (x INT);\nINSERT INTO B SELECT x * 2 AS y FROM A;",
    )
    .unwrap();
    let (code, body) = curl(&[
        "-H",
        auth,
        "-H",
        "Content-Type: application/sql",
        "--data-binary",
        &format!("@{}", app_file.display()),
        &format!("{base}/api/v1/apps"),
    ]);
    assert_eq!(code, "201", "{body}");
    let (code, _) = curl(&[
        "-H",
        auth,
        "-H",
        "Content-Type: application/json",
        "--data",
        "[{\"x\": 21}]",
        &format!("{base}/api/v1/apps/More/streams/A/events"),
    ]);
    assert_eq!(code, "200");
    let (_, body) = curl(&["-H", auth, &format!("{base}/api/v1/apps/More/streams")]);
    assert!(body.contains("\"events\":1"), "{body}");
    // SIGTERM: every app stops, exit 0.
    // SAFETY: signalling our own child by its pid.
    unsafe { libc::kill(server.child.id() as i32, libc::SIGTERM) };
    assert!(
        server.wait(Duration::from_secs(20)),
        "serve did not exit cleanly on SIGTERM"
    );
    let mut log = String::new();
    std::io::Read::read_to_string(&mut server.child.stderr.take().unwrap(), &mut log).unwrap();
    assert!(log.contains("ticks: stream Ticks:"), "{log}");
    assert!(
        !log.contains("t0ken-for-curl"),
        "the token is never logged: {log}"
    );
}

fn chromium(profile: &std::path::Path) -> Command {
    let mut c = Command::new("chromium");
    c.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--window-size=1280,900",
        // Let the page's once-a-second polling run a few rounds before the capture.
        "--virtual-time-budget=3500",
    ]);
    c.arg(format!("--user-data-dir={}", profile.display()));
    c
}

/// The dashboard's "rate/s" cell for `stream` in a dumped DOM.
fn stream_rate(dom: &str, stream: &str) -> Option<f64> {
    let row = &dom[dom.find(&format!("<td class=\"\">{stream}"))?..];
    let cell = &row[row.find("rate-cell\">")? + "rate-cell\">".len()..];
    cell[..cell.find('<')?].replace(',', "").parse().ok()
}

#[test]
fn the_dashboard_draws_the_graph_and_live_rates_in_a_browser() {
    init_logs();
    if !peer_available("chromium", Command::new("chromium").arg("--version")) {
        return;
    }
    let server = Server::new(Engine::new()).serve("127.0.0.1:0").unwrap();
    let port = server.address().port();
    let api = Api::new(port);
    let (status, body) = api.post(
        "/api/v1/apps",
        "application/sql",
        "@app:name('Board')
         CREATE STREAM In (symbol STRING, price DOUBLE);
         @sink(type='null')
         CREATE STREAM Big (symbol STRING, price DOUBLE);
         INSERT INTO Big SELECT symbol, price FROM In WHERE price > 10;",
    );
    assert_eq!(status, 201, "{body}");
    let url = format!("http://127.0.0.1:{port}/");
    let dump = |tag: &str| {
        let profile = temp_dir(tag);
        let o = chromium(&profile)
            .arg("--dump-dom")
            .arg(&url)
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout).to_string()
    };
    let idle = dump("board-idle");
    // The graph: one SVG node per stream, query and sink, drawn from the graph JSON.
    let svg = idle
        .find("<svg viewBox")
        .map(|at| &idle[at..at + idle[at..].find("</svg>").unwrap()])
        .unwrap_or_else(|| panic!("no graph drawn: {idle:.4000}"));
    assert_eq!(svg.matches("<g class=\"node\"").count(), 4, "{svg}");
    for label in ["In", "Big", "query1", "null"] {
        assert!(svg.contains(&format!(">{label}</text>")), "{label}: {svg}");
    }
    assert_eq!(stream_rate(&idle, "In"), Some(0.0), "{idle:.4000}");
    // Events flow while the second capture is taken: its rate is no longer 0.
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let feeder = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let api = Api::new(port);
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let (s, _) = api.post(
                    "/api/v1/apps/Board/streams/In/events",
                    "application/json",
                    r#"[["IBM", 20.0], ["X", 1.0]]"#,
                );
                assert_eq!(s, 200);
                std::thread::sleep(Duration::from_millis(20));
            }
        })
    };
    std::thread::sleep(Duration::from_secs(2));
    let busy = dump("board-busy");
    let rate = stream_rate(&busy, "In");
    assert!(rate.is_some_and(|r| r > 0.0), "{rate:?}: {busy:.4000}");
    assert!(busy.contains("state running"), "connector states shown");
    // Keep a screenshot to look at.
    let shot = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("dashboard.png");
    let profile = temp_dir("board-shot");
    let _ = chromium(&profile)
        .arg(format!("--screenshot={}", shot.display()))
        .arg(&url)
        .output()
        .unwrap();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    feeder.join().unwrap();
    let png = std::fs::read(&shot).unwrap_or_default();
    assert!(
        png.len() > 20_000 && png.starts_with(b"\x89PNG\r\n\x1a\n"),
        "screenshot: {} bytes",
        png.len()
    );
    eprintln!("dashboard screenshot: {}", shot.display());
}

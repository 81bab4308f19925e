//! HTTP connectors against real peers on loopback: a scripted Python HTTP server for the
//! webhook sink and the poll source, and curl as the client of the receiver source.

mod common;

use common::*;
use eventflux::{Engine, Event, Value};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);

fn compile(sql: &str) -> eventflux::App {
    match Engine::new().compile(sql) {
        Ok(app) => app,
        Err(e) => panic!("compile failed:\n{e}"),
    }
}

fn http_server(port: u16, dir: &std::path::Path) -> Peer {
    Peer::python("http_peer.py", &[&port.to_string(), dir.to_str().unwrap()])
}

fn requests(dir: &std::path::Path) -> Vec<serde_json::Value> {
    lines(&dir.join("requests.jsonl"))
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn to_path(r: &serde_json::Value) -> &str {
    r["path"].as_str().unwrap()
}

#[test]
fn webhook_retries_5xx_honours_429_retries_timeouts_and_dead_letters_4xx() {
    init_logs();
    if !python_module("http.server") {
        return;
    }
    let dir = temp_dir("webhook");
    let port = free_port();
    let _server = http_server(port, &dir);
    let app = compile(&format!(
        "@sink(type='webhook', url='http://127.0.0.1:{port}/{{{{route}}}}/{{{{id}}}}',
               headers.Authorization='Bearer t0ken', timeout.ms='500',
               retry.delay.ms='50', retry.max.attempts='3',
               error.strategy='dlq', error.dlq.stream='Failed')
         CREATE STREAM Alerts (route STRING, id INT);
         CREATE STREAM Failed (route STRING, id INT, error STRING);"
    ));
    let failed = app.subscribe("Failed").unwrap();
    app.start().unwrap();
    let input = app.input("Alerts").unwrap();
    for (i, route) in ["ok", "flaky", "bad", "limited", "slow"].iter().enumerate() {
        input
            .send(vec![Value::from(*route), Value::Int(i as i32)])
            .unwrap();
    }
    let mut dead = Vec::new();
    assert!(wait_until(WAIT, || {
        dead.extend(failed.drain());
        // ok 1, flaky 2, bad 1, limited 2, slow 2 (the timed-out one is still recorded)
        requests(&dir).len() >= 8 && !dead.is_empty()
    }));
    let stats = app.shutdown().unwrap();
    let reqs = requests(&dir);
    let count = |p: &str| reqs.iter().filter(|r| to_path(r) == p).count();
    assert_eq!(count("/ok/0"), 1);
    assert_eq!(count("/flaky/1"), 2, "500 then 200: retried once");
    assert_eq!(count("/bad/2"), 1, "400 is never retried");
    assert_eq!(count("/limited/3"), 2, "429 then 200");
    assert_eq!(count("/slow/4"), 2, "a timeout is retried");
    let limited: Vec<f64> = reqs
        .iter()
        .filter(|r| to_path(r) == "/limited/3")
        .map(|r| r["t"].as_f64().unwrap())
        .collect();
    assert!(
        limited[1] - limited[0] >= 0.9,
        "Retry-After: 1 was not honoured (retry.delay.ms is 50): {:?}",
        limited
    );
    assert!(reqs.iter().all(|r| r["auth"] == "Bearer t0ken"));
    assert_eq!(reqs[0]["body"], r#"{"route":"ok","id":0}"#);
    assert_eq!(reqs[0]["content_type"], "application/json");
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].get(0), &Value::from("bad"));
    let error = dead[0].get(2).to_string();
    assert!(
        error.contains("HTTP 400") && error.contains("'price' is required"),
        "{error}"
    );
    let sink = &stats.sinks[0];
    assert_eq!((sink.events, sink.dead_lettered), (4, 1), "{sink:?}");
}

#[test]
fn webhook_batches_as_a_json_array_or_as_lines() {
    init_logs();
    if !python_module("http.server") {
        return;
    }
    let dir = temp_dir("webhook-batch");
    let port = free_port();
    let _server = http_server(port, &dir);
    let app = compile(&format!(
        "@sink(type='http', url='http://127.0.0.1:{port}/ok/array', batch.size='4',
               batch.timeout.ms='200')
         CREATE STREAM A (id INT);
         @sink(type='http', url='http://127.0.0.1:{port}/ok/lines', batch.size='4',
               batch.format='lines', batch.timeout.ms='200')
         CREATE STREAM B (id INT);"
    ));
    app.start().unwrap();
    let (a, b) = (app.input("A").unwrap(), app.input("B").unwrap());
    a.send_batch((0..10).map(|i| vec![Value::Int(i)]).collect())
        .unwrap();
    b.send_batch((0..6).map(|i| vec![Value::Int(i)]).collect())
        .unwrap();
    assert!(wait_until(WAIT, || requests(&dir).len() >= 5));
    app.shutdown().unwrap();
    let reqs = requests(&dir);
    let bodies = |p: &str| -> Vec<String> {
        reqs.iter()
            .filter(|r| to_path(r) == p)
            .map(|r| r["body"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        bodies("/ok/array"),
        vec![
            r#"[{"id":0},{"id":1},{"id":2},{"id":3}]"#,
            r#"[{"id":4},{"id":5},{"id":6},{"id":7}]"#,
            r#"[{"id":8},{"id":9}]"#
        ]
    );
    assert_eq!(
        bodies("/ok/lines"),
        vec![
            "{\"id\":0}\n{\"id\":1}\n{\"id\":2}\n{\"id\":3}\n",
            "{\"id\":4}\n{\"id\":5}\n"
        ]
    );
    let lines_type = reqs.iter().find(|r| to_path(r) == "/ok/lines").unwrap();
    assert_eq!(lines_type["content_type"], "application/x-ndjson");
}

fn curl(args: &[&str]) -> Command {
    let mut c = Command::new("curl");
    c.args(["-s", "-o", "/dev/stderr", "-w", "%{http_code}"])
        .args(args);
    c
}

/// Runs curl; returns (status code, body).
fn post(url: &str, headers: &[&str], body: &str) -> (u16, String) {
    let mut args = vec!["-X", "POST", url, "--data-binary", body];
    for h in headers {
        args.extend(["-H", h]);
    }
    let out = curl(&args).output().unwrap();
    let code = String::from_utf8_lossy(&out.stdout).parse().unwrap_or(0);
    (code, String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn http_source_answers_202_400_401_413_and_503_under_overload() {
    init_logs();
    if !peer_available("curl", Command::new("curl").arg("--version")) {
        return;
    }
    let port = free_port();
    let app = compile(&format!(
        "@source(type='http', host='127.0.0.1', port='{port}', path='/orders',
                 auth.token='s3cret', max.body.bytes='200', queue.size='1')
         CREATE STREAM Orders (id INT, item STRING);"
    ));
    // The subscriber can be held, to make the app fall behind on purpose.
    let got: Arc<Mutex<Vec<Event>>> = Arc::default();
    let gate = Arc::new(Mutex::new(()));
    let (g, gt) = (got.clone(), gate.clone());
    app.subscribe_fn("Orders", move |batch| {
        let _held = gt.lock().unwrap();
        g.lock().unwrap().extend_from_slice(batch);
    })
    .unwrap();
    app.start().unwrap();
    let url = format!("http://127.0.0.1:{port}/orders");
    let auth = "Authorization: Bearer s3cret";
    assert!(wait_until(WAIT, || post(&url, &[auth], "[]").0 == 202));

    let (code, body) = post(
        &url,
        &[auth],
        r#"[{"id":1,"item":"a"},{"id":2,"item":"b"}]"#,
    );
    assert_eq!((code, body.as_str()), (202, r#"{"accepted":2}"#));
    let (code, body) = post(&url, &[auth], r#"{"id":"x","item":"a"}"#);
    assert_eq!(code, 400);
    assert!(
        body.contains("id"),
        "the mapper's error names the field: {body}"
    );
    assert_eq!(
        post(&url, &["Authorization: Bearer nope"], r#"{"id":3}"#).0,
        401
    );
    assert_eq!(post(&url, &[], r#"{"id":3}"#).0, 401);
    let big = format!(r#"{{"id":4,"item":"{}"}}"#, "x".repeat(300));
    assert_eq!(post(&url, &[auth], &big).0, 413);
    let wrong_path = format!("http://127.0.0.1:{port}/other");
    assert_eq!(post(&wrong_path, &[auth], "{}").0, 404);

    // Overload: the app is held, one request is being delivered, one waits in the queue.
    let held = gate.lock().unwrap();
    let spawn = |id: i32| {
        curl(&[
            "-X",
            "POST",
            &url,
            "-H",
            auth,
            "--data-binary",
            &format!(r#"{{"id":{id},"item":"q"}}"#),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
    };
    let first = spawn(10);
    std::thread::sleep(Duration::from_millis(300));
    let second = spawn(11);
    std::thread::sleep(Duration::from_millis(300));
    let (code, body) = post(&url, &[auth], r#"{"id":12,"item":"q"}"#);
    assert_eq!(code, 503, "{body}");
    drop(held);
    for c in [first, second] {
        let out = c.wait_with_output().unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout), "202");
    }
    let stats = app.shutdown().unwrap();
    let mut ids: Vec<i64> = got
        .lock()
        .unwrap()
        .iter()
        .map(|e| match e.get(0) {
            Value::Int(v) => *v as i64,
            other => panic!("{other:?}"),
        })
        .collect();
    ids.sort();
    assert_eq!(ids, vec![1, 2, 10, 11]);
    assert_eq!(stats.sources[0].events, 4);
    assert_eq!(
        stats.sources[0].errors, 2,
        "the bad payload and the body over max.body.bytes (413) are counted"
    );
}

#[test]
fn http_source_polls_a_url() {
    init_logs();
    if !python_module("http.server") {
        return;
    }
    let dir = temp_dir("poll");
    let port = free_port();
    let _server = http_server(port, &dir);
    let app = compile(&format!(
        "@source(type='http', mode='poll', url='http://127.0.0.1:{port}/prices',
                 poll.interval.ms='100')
         CREATE STREAM Prices (symbol STRING, price DOUBLE);"
    ));
    let prices = app.subscribe("Prices").unwrap();
    app.start().unwrap();
    let mut got = Vec::new();
    assert!(wait_until(WAIT, || {
        got.extend(prices.drain());
        got.len() >= 6
    }));
    app.shutdown().unwrap();
    for pair in got.chunks(2).take(3) {
        assert_eq!(
            pair[0].data.to_vec(),
            vec![Value::from("IBM"), Value::Double(1.5)]
        );
        assert_eq!(
            pair[1].data.to_vec(),
            vec![Value::from("WSO2"), Value::Double(2.5)]
        );
    }
}

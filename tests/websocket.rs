//! WebSocket connectors against real peers on loopback: Python's `websockets` package (server
//! and client, not built on tokio-tungstenite) and a raw TCP client that never reads.

mod common;

use common::*;
use eventflux::{Engine, Event, Value};
use std::io::{Read, Write};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(15);

fn compile(sql: &str) -> eventflux::App {
    match Engine::new().compile(sql) {
        Ok(app) => app,
        Err(e) => panic!("compile failed:\n{e}"),
    }
}

fn ws_server(port: u16, dir: &std::path::Path, extra: &[&str]) -> Peer {
    let port = port.to_string();
    let mut args = vec!["server", "--port", &port, "--dir", dir.to_str().unwrap()];
    args.extend_from_slice(extra);
    Peer::python("ws_peer.py", &args)
}

fn ids(events: &[Event]) -> Vec<i64> {
    events
        .iter()
        .map(|e| match e.get(0) {
            Value::Long(v) => *v,
            other => panic!("id is {other:?}"),
        })
        .collect()
}

fn received_ids(path: &std::path::Path) -> Vec<i64> {
    lines(path)
        .iter()
        .map(|l| {
            let json = l.strip_prefix("b:").unwrap_or(l);
            let v: serde_json::Value = serde_json::from_str(json).unwrap();
            v["id"].as_i64().unwrap()
        })
        .collect()
}

#[test]
fn client_source_and_sink_round_trip_with_a_python_server() {
    init_logs();
    if !python_module("websockets") {
        return;
    }
    let dir = temp_dir("ws-roundtrip");
    let port = free_port();
    let _server = ws_server(port, &dir, &["--start", "0", "--count", "40", "--gzip"]);
    let app = compile(&format!(
        "@source(type='websocket', websocket.url='ws://127.0.0.1:{port}/feed?x=1',
                 websocket.subscribe.message='{{\"op\":\"subscribe\"}}',
                 websocket.headers.X-Api-Key='k123', websocket.subprotocol='eventflux.v1',
                 websocket.compression='gzip', @map(type='json'))
         CREATE STREAM Trades (id BIGINT, symbol STRING, price DOUBLE);
         @sink(type='websocket', websocket.url='ws://127.0.0.1:{port}/sink',
               websocket.message.type='binary', @map(type='json'))
         CREATE STREAM Ibm (id BIGINT, symbol STRING, price DOUBLE);
         INSERT INTO Ibm SELECT id, symbol, price FROM Trades WHERE symbol = 'IBM';"
    ));
    let trades = app.subscribe("Trades").unwrap();
    app.start().unwrap();
    let received = dir.join("received.txt");
    // IBM is every third trade: ids 0, 3, ..., 39.
    let expected: Vec<i64> = (0..40).filter(|i| i % 3 == 0).collect();
    assert!(
        wait_until(WAIT, || received_ids(&received).len() >= expected.len()),
        "server received {:?}",
        lines(&received)
    );
    let stats = app.shutdown().unwrap();
    assert_eq!(received_ids(&received), expected);
    assert!(
        lines(&received).iter().all(|l| l.starts_with("b:")),
        "binary frames"
    );
    // Text and gzip-compressed binary frames both reached the mapper, in order.
    assert_eq!(ids(&trades.drain()), (0..40).collect::<Vec<_>>());
    let handshake: serde_json::Value =
        serde_json::from_str(&lines(&dir.join("handshakes.jsonl"))[0]).unwrap();
    assert_eq!(handshake["path"], "/feed?x=1");
    assert_eq!(handshake["headers"]["x-api-key"], "k123");
    assert_eq!(handshake["subprotocol"], "eventflux.v1");
    assert_eq!(
        lines(&dir.join("subscribes.txt")),
        vec!["{\"op\":\"subscribe\"}"]
    );
    assert!(!stats.failed(), "{stats:?}");
}

#[test]
fn client_source_reconnects_with_backoff_and_resubscribes_after_the_server_dies() {
    init_logs();
    if !python_module("websockets") {
        return;
    }
    let dir = temp_dir("ws-reconnect");
    let port = free_port();
    let mut first = ws_server(port, &dir, &["--start", "0", "--count", "25"]);
    let app = compile(&format!(
        "@source(type='websocket', websocket.url='ws://127.0.0.1:{port}/feed',
                 websocket.subscribe.message='hello', websocket.reconnect.delay.ms='50',
                 websocket.reconnect.max.delay.ms='400')
         CREATE STREAM Trades (id BIGINT, symbol STRING, price DOUBLE);"
    ));
    let trades = app.subscribe("Trades").unwrap();
    app.start().unwrap();
    let mut got = Vec::new();
    assert!(wait_until(WAIT, || {
        got.extend(trades.drain());
        got.len() >= 25
    }));
    first.kill();
    // Down for a while: the source keeps trying, backing off.
    std::thread::sleep(Duration::from_millis(700));
    let _second = ws_server(port, &dir, &["--start", "25", "--count", "25"]);
    assert!(
        wait_until(WAIT, || {
            got.extend(trades.drain());
            got.len() >= 50
        }),
        "got {:?}",
        ids(&got)
    );
    let stats = app.shutdown().unwrap();
    assert_eq!(ids(&got), (0..50).collect::<Vec<_>>());
    assert_eq!(lines(&dir.join("subscribes.txt")), vec!["hello", "hello"]);
    let source = &stats.sources[0];
    assert_eq!(source.events, 50);
    assert!(
        source.errors >= 2,
        "the drop and failed attempts are counted: {source:?}"
    );
    assert_eq!(
        source.dropped, 0,
        "a dropped connection loses no event: {source:?}"
    );
}

#[test]
fn client_sink_buffers_through_an_outage_and_delivers_in_order() {
    init_logs();
    if !python_module("websockets") {
        return;
    }
    let dir = temp_dir("ws-outage");
    let port = free_port();
    let mut first = ws_server(port, &dir, &[]);
    let app = compile(&format!(
        "@sink(type='websocket', websocket.url='ws://127.0.0.1:{port}/sink',
               websocket.reconnect.delay.ms='50', websocket.reconnect.max.delay.ms='300',
               buffer.size='1000')
         CREATE STREAM Out (id BIGINT, symbol STRING, price DOUBLE);"
    ));
    app.start().unwrap();
    let input = app.input("Out").unwrap();
    let send = |range: std::ops::Range<i64>| {
        for i in range {
            input
                .send(vec![
                    Value::Long(i),
                    Value::from("IBM"),
                    Value::Double(i as f64),
                ])
                .unwrap();
        }
    };
    let received = dir.join("received.txt");
    send(0..100);
    assert!(wait_until(WAIT, || received_ids(&received).len() >= 100));
    first.kill();
    // Produced while the server is down: they wait in the sink buffer.
    send(100..300);
    std::thread::sleep(Duration::from_millis(500));
    let _second = ws_server(port, &dir, &[]);
    send(300..350);
    assert!(
        wait_until(WAIT, || received_ids(&received).len() >= 350),
        "received {}",
        received_ids(&received).len()
    );
    let stats = app.shutdown().unwrap();
    assert_eq!(received_ids(&received), (0..350).collect::<Vec<_>>());
    assert_eq!(stats.sinks[0].events, 350);
    assert_eq!(stats.sinks[0].dropped, 0);
}

#[test]
fn client_sink_sends_to_the_dlq_when_the_server_never_returns() {
    let port = free_port(); // nothing listens here
    let app = compile(&format!(
        "@sink(type='websocket', websocket.url='ws://127.0.0.1:{port}/sink',
               websocket.reconnect.delay.ms='20', websocket.reconnect.max.attempts='3',
               error.strategy='dlq', error.dlq.stream='Undelivered')
         CREATE STREAM Out (id BIGINT, symbol STRING);
         CREATE STREAM Undelivered (id BIGINT, error STRING);"
    ));
    let dlq = app.subscribe("Undelivered").unwrap();
    app.start().unwrap();
    let input = app.input("Out").unwrap();
    for i in 0..20 {
        input.send(vec![Value::Long(i), Value::from("x")]).unwrap();
    }
    let mut dead = Vec::new();
    assert!(wait_until(WAIT, || {
        dead.extend(dlq.drain());
        dead.len() >= 20
    }));
    let stats = app.shutdown().unwrap();
    assert_eq!(ids(&dead), (0..20).collect::<Vec<_>>());
    let error = dead[0].get(1).to_string();
    assert!(
        error.contains("gave up after 3 connection attempts"),
        "{error}"
    );
    assert_eq!(stats.sinks[0].dead_lettered, 20);
    assert_eq!(stats.sinks[0].events, 0);
}

#[test]
fn server_source_takes_python_clients_and_refuses_bad_tokens() {
    init_logs();
    if !python_module("websockets") {
        return;
    }
    let port = free_port();
    let app = compile(&format!(
        "@source(type='websocket-server', host='127.0.0.1', port='{port}', path='/ingest',
                 auth.header='X-Token', auth.token='s3cret',
                 error.strategy='dlq', error.dlq.stream='Bad')
         CREATE STREAM Trades (id BIGINT, symbol STRING, price DOUBLE);
         CREATE STREAM Bad (payload STRING, error STRING);"
    ));
    let trades = app.subscribe("Trades").unwrap();
    let bad = app.subscribe("Bad").unwrap();
    app.start().unwrap();
    let url = format!("ws://127.0.0.1:{port}/ingest");
    assert!(wait_until(WAIT, || std::net::TcpStream::connect((
        "127.0.0.1",
        port
    ))
    .is_ok()));
    let send = |header: &str, messages: &[&str]| {
        let mut args = vec!["client", "--url", &url, "--header", header];
        for m in messages {
            args.extend(["--send", m]);
        }
        let status = std::process::Command::new("python3")
            .arg(peer_script("ws_peer.py"))
            .args(&args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .output()
            .unwrap();
        (
            status.status.success(),
            String::from_utf8_lossy(&status.stderr).into_owned(),
        )
    };
    let (ok, err) = send(
        "X-Token:s3cret",
        &[
            r#"{"id":1,"symbol":"IBM","price":1.0}"#,
            r#"[{"id":2,"symbol":"A","price":2.0},{"id":3,"symbol":"B","price":3.0}]"#,
            r#"{"id":"oops"}"#,
            r#"{"id":4,"symbol":"C","price":4.0}"#,
        ],
    );
    assert!(ok, "{err}");
    let (ok, err) = send(
        "X-Token:Bearer s3cret",
        &[r#"{"id":5,"symbol":"D","price":5.0}"#],
    );
    assert!(ok, "{err}");
    let (refused, err) = send("X-Token:wrong", &[r#"{"id":99,"symbol":"X","price":0.0}"#]);
    assert!(!refused && err.contains("401"), "{err}");
    let mut got = Vec::new();
    assert!(wait_until(WAIT, || {
        got.extend(trades.drain());
        got.len() >= 5
    }));
    let stats = app.shutdown().unwrap();
    let mut got = ids(&got);
    got.sort();
    assert_eq!(got, vec![1, 2, 3, 4, 5]);
    let bad = bad.drain();
    assert_eq!(bad.len(), 1);
    assert_eq!(bad[0].get(0).to_string(), r#"{"id":"oops"}"#);
    assert_eq!(stats.sources[0].events, 5);
}

/// Opens a WebSocket connection by hand and then never reads from it.
fn stalled_client(port: u16, path: &str) -> std::net::TcpStream {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    .unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        s.read_exact(&mut byte).unwrap();
        head.push(byte[0]);
    }
    assert!(
        head.starts_with(b"HTTP/1.1 101"),
        "{}",
        String::from_utf8_lossy(&head)
    );
    s
}

#[test]
fn server_sink_broadcasts_and_cuts_off_a_client_that_stops_reading() {
    init_logs();
    let port = free_port();
    let app = compile(&format!(
        "@sink(type='websocket-server', host='127.0.0.1', port='{port}', path='/live',
               client.queue.size='2000')
         CREATE STREAM Out (id BIGINT, note STRING);"
    ));
    app.start().unwrap();
    let n = 6000;
    // The fast client reads in a thread of its own as fast as it can.
    let url = format!("ws://127.0.0.1:{port}/live");
    let (mut fast, _) = tokio_tungstenite::tungstenite::connect(url.as_str()).unwrap();
    let reader = std::thread::spawn(move || {
        let mut ids = Vec::new();
        while ids.len() < n {
            match fast.read() {
                Ok(tokio_tungstenite::tungstenite::Message::Text(t)) => {
                    let v: serde_json::Value = serde_json::from_str(&t).unwrap();
                    ids.push(v["id"].as_i64().unwrap());
                }
                Ok(_) => {}
                Err(e) => panic!(
                    "the fast client was cut off after {} events: {e}",
                    ids.len()
                ),
            }
        }
        ids
    });
    let mut stalled = stalled_client(port, "/live");
    std::thread::sleep(Duration::from_millis(200));
    let input = app.input("Out").unwrap();
    // 6000 events of 4 KB: far more than the stalled client's socket buffers and its
    // 2000-event allowance hold, while a client that reads keeps well within it.
    let note = "x".repeat(4096);
    for i in 0..n as i64 {
        input
            .send(vec![Value::Long(i), Value::from(note.as_str())])
            .unwrap();
        // Paced like a live feed; the stalled client falls behind all the same.
        if i % 50 == 0 {
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    let fast_ids = reader.join().unwrap();
    let stats = app.shutdown().unwrap();
    assert_eq!(fast_ids, (0..n as i64).collect::<Vec<_>>());
    assert_eq!(stats.sinks[0].events, n as u64);
    // The stalled client, read at last: part of the stream, then the server closed the
    // connection (with a policy close frame, 1008, when its socket had room for one).
    let (data_frames, close) = read_frames(&mut stalled);
    assert!(
        data_frames < n,
        "the stalled client got all {data_frames} frames"
    );
    assert!(matches!(close, None | Some(1008)), "{close:?}");
}

/// Reads unmasked server frames until the server closes the connection: (data frames, close
/// code). Panics if the server leaves it open.
fn read_frames(s: &mut std::net::TcpStream) -> (usize, Option<u16>) {
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut all = Vec::new();
    if let Err(e) = s.read_to_end(&mut all) {
        assert!(
            e.kind() == std::io::ErrorKind::ConnectionReset,
            "the server did not close the stalled connection: {e}"
        );
    }
    let (mut at, mut data, mut close) = (0, 0, None);
    while at + 2 <= all.len() {
        let opcode = all[at] & 0x0f;
        let (len, head) = match all[at + 1] & 0x7f {
            126 => (u16::from_be_bytes([all[at + 2], all[at + 3]]) as usize, 4),
            127 => (
                u64::from_be_bytes(all[at + 2..at + 10].try_into().unwrap()) as usize,
                10,
            ),
            n => (n as usize, 2),
        };
        let body = at + head;
        if body + len > all.len() {
            break;
        }
        match opcode {
            1 | 2 => data += 1,
            8 if len >= 2 => close = Some(u16::from_be_bytes([all[body], all[body + 1]])),
            _ => {}
        }
        at = body + len;
    }
    (data, close)
}

#[test]
fn client_source_pings_keep_a_quiet_connection_and_silence_reconnects_it() {
    init_logs();
    if !python_module("websockets") {
        return;
    }
    // Generous margins: the ping case allows 10 missed pings before the idle timeout.
    let run = |ping: &str, idle: &str| {
        let dir = temp_dir("ws-idle");
        let port = free_port();
        // The server sends nothing after the handshake; it answers pings (websockets does).
        let _server = ws_server(port, &dir, &["--count", "0"]);
        let app = compile(&format!(
            "@source(type='websocket', websocket.url='ws://127.0.0.1:{port}/feed',
                     websocket.subscribe.message='hi', websocket.idle.timeout.ms='{idle}',
                     websocket.ping.interval.ms='{ping}', websocket.reconnect.delay.ms='50')
             CREATE STREAM Quiet (id BIGINT);"
        ));
        app.start().unwrap();
        std::thread::sleep(Duration::from_millis(1200));
        app.shutdown().unwrap();
        lines(&dir.join("handshakes.jsonl")).len()
    };
    assert_eq!(
        run("100", "1000"),
        1,
        "pongs count as traffic: one connection throughout"
    );
    let reconnects = run("0", "300");
    assert!(
        reconnects >= 2,
        "a silent connection is dropped and reopened: {reconnects}"
    );
}

/// A test CA and a server certificate for localhost signed by it, made by openssl.
fn test_certificates(dir: &std::path::Path) -> bool {
    let openssl = |args: &[&str]| {
        std::process::Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
    };
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n\
         keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=EventFlux Test CA",
    ]) && openssl(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=localhost",
    ]) && openssl(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
    ])
}

#[test]
fn wss_uses_rustls_trusts_a_given_ca_and_refuses_an_unknown_one() {
    init_logs();
    if !python_module("websockets")
        || !peer_available(
            "openssl",
            std::process::Command::new("openssl").arg("version"),
        )
    {
        return;
    }
    let dir = temp_dir("wss");
    assert!(
        test_certificates(&dir),
        "openssl could not make the test certificates"
    );
    let port = free_port();
    let (cert, key) = (dir.join("server.pem"), dir.join("server.key"));
    let _server = ws_server(
        port,
        &dir,
        &[
            "--count",
            "5",
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ],
    );
    let app = |ca: &str| {
        compile(&format!(
            "@source(type='websocket', websocket.url='wss://localhost:{port}/feed',
                     websocket.subscribe.message='hi' {ca})
             CREATE STREAM Trades (id BIGINT, symbol STRING, price DOUBLE);"
        ))
    };
    let trusted = app(&format!(
        ", websocket.tls.ca.file='{}'",
        dir.join("ca.pem").display()
    ));
    let trades = trusted.subscribe("Trades").unwrap();
    trusted.start().unwrap();
    let mut got = Vec::new();
    assert!(wait_until(WAIT, || {
        got.extend(trades.drain());
        got.len() >= 5
    }));
    trusted.shutdown().unwrap();
    assert_eq!(ids(&got), vec![0, 1, 2, 3, 4]);
    // Without the CA the certificate is unknown: the source stops with a permanent TLS error.
    let untrusted = app("");
    untrusted.start().unwrap();
    std::thread::sleep(Duration::from_millis(1000));
    let stats = untrusted.shutdown().unwrap();
    assert_eq!(stats.sources[0].events, 0);
    assert_eq!(
        stats.sources[0].errors, 1,
        "one refusal, no retry loop: {:?}",
        stats.sources[0]
    );
    // A missing CA file is a compile error naming the parameter.
    let err = Engine::new()
        .compile(
            "@source(type='websocket', websocket.url='wss://localhost:1/', websocket.tls.ca.file='/nonexistent.pem')
             CREATE STREAM T (id BIGINT);",
        )
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains("websocket.tls.ca.file") && err.contains("/nonexistent.pem"),
        "{err}"
    );
}

#[test]
fn server_source_limits_connections_and_message_size() {
    init_logs();
    let port = free_port();
    let app = compile(&format!(
        "@source(type='websocket-server', host='127.0.0.1', port='{port}', path='/in',
                 max.connections='1', max.message.bytes='64')
         CREATE STREAM S (id BIGINT);"
    ));
    let got = app.subscribe("S").unwrap();
    app.start().unwrap();
    let url = format!("ws://127.0.0.1:{port}/in");
    use tokio_tungstenite::tungstenite::{connect, Error, Message};
    let mut first = None;
    assert!(wait_until(WAIT, || {
        first = connect(url.as_str()).ok();
        first.is_some()
    }));
    let (mut first, _) = first.unwrap();
    first.send(Message::text(r#"{"id":1}"#)).unwrap();
    assert_eq!(
        got.recv_timeout(WAIT).map(|e| e.get(0).clone()),
        Some(Value::Long(1))
    );
    // A second client while the first is connected: 503.
    match connect(url.as_str()) {
        Err(Error::Http(response)) => assert_eq!(response.status(), 503),
        other => panic!("expected 503, got {:?}", other.map(|_| ())),
    }
    // A message over max.message.bytes ends that client's connection with a close frame
    // saying why (1009), and is counted.
    let big = format!(r#"{{"id":2,"pad":"{}"}}"#, "x".repeat(100));
    first.send(Message::text(big)).unwrap();
    let close = loop {
        match first.read() {
            Ok(Message::Close(frame)) => break frame,
            Ok(_) => continue,
            Err(e) => panic!("the connection ended without a close frame: {e}"),
        }
    };
    let close = close.expect("a close frame with a code");
    assert_eq!(u16::from(close.code), 1009, "{close:?}");
    assert!(close.reason.contains("max.message.bytes"), "{close:?}");
    // The slot is free again.
    let mut again = None;
    assert!(wait_until(WAIT, || {
        again = connect(url.as_str()).ok();
        again.is_some()
    }));
    again.unwrap().0.send(Message::text(r#"{"id":3}"#)).unwrap();
    assert_eq!(
        got.recv_timeout(WAIT).map(|e| e.get(0).clone()),
        Some(Value::Long(3))
    );
    let stats = app.shutdown().unwrap();
    assert_eq!(stats.sources[0].events, 2);
    assert!(stats.sources[0].errors >= 1, "{:?}", stats.sources[0]);
}

/// A server that dies with frames still unread in its socket: the sink's writes had all
/// succeeded, but the batch was never confirmed (no pong), so it is sent again to the next
/// connection and nothing is lost. (A plain Rust server here: it must stop reading at a
/// chosen frame, which no off-the-shelf peer does.)
#[test]
fn client_sink_resends_a_batch_the_server_died_before_confirming() {
    use tokio_tungstenite::tungstenite::{accept, Message};
    init_logs();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (all_arrived, arrived) = std::sync::mpsc::channel();
    let server = std::thread::spawn(move || {
        let mut got = Vec::new();
        // First connection: read three frames, then die without reading the rest.
        let (socket, _) = listener.accept().unwrap();
        let mut ws = accept(socket).unwrap();
        for _ in 0..3 {
            if let Ok(Message::Text(t)) = ws.read() {
                got.push(t.to_string());
            }
        }
        drop(ws);
        // Second connection: read (tungstenite answers the pings) until the sink closes.
        let (socket, _) = listener.accept().unwrap();
        socket
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let mut ws = accept(socket).unwrap();
        while let Ok(m) = ws.read() {
            if let Message::Text(t) = m {
                got.push(t.to_string());
            }
            let distinct: std::collections::BTreeSet<_> = got.iter().collect();
            if distinct.len() == 200 {
                let _ = all_arrived.send(());
            }
        }
        got
    });
    let app = compile(&format!(
        "@sink(type='websocket', websocket.url='ws://127.0.0.1:{port}/in',
               websocket.reconnect.delay.ms='50', @map(type='json'))
         CREATE STREAM S (id BIGINT);"
    ));
    app.start().unwrap();
    app.input("S")
        .unwrap()
        .send_batch((0..200).map(|i| vec![Value::Long(i)]).collect())
        .unwrap();
    assert!(
        arrived.recv_timeout(WAIT).is_ok(),
        "the frames the first server never read did not arrive"
    );
    // Confirmed by the pong, the batch is delivered: stopping closes the connection.
    let stats = app.shutdown().unwrap();
    let got = server.join().unwrap();
    let ids: std::collections::BTreeSet<i64> = got
        .iter()
        .map(|t| {
            serde_json::from_str::<serde_json::Value>(t).unwrap()["id"]
                .as_i64()
                .unwrap()
        })
        .collect();
    assert_eq!(ids.len(), 200, "every id arrived: {} of 200", ids.len());
    assert!(
        got.len() > 200,
        "the unconfirmed batch came again: {}",
        got.len()
    );
    assert_eq!(stats.sinks[0].dropped + stats.sinks[0].dead_lettered, 0);
}

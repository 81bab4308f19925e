//! Reproductions of the audit's findings (issue 18), each kept as a test: hostile apps and
//! inputs get a clear error, never a crash.

use eventflux::{Engine, Value};
use std::time::Duration;

/// The deepest expression the parser lets through still binds, evaluates and drops on a thread
/// with Rust's default 2 MB stack (what a test, a tokio worker or an embedding app has).
#[test]
fn the_deepest_allowed_expression_runs_on_a_small_stack() {
    let worker = std::thread::Builder::new().stack_size(2 << 20);
    let handle = worker
        .spawn(|| {
            // 256 levels in all: 251 additions inside a 3-deep nest and the projection.
            let sum = vec!["x"; 252].join(" + ");
            let ors = vec!["x = 7"; 100].join(" OR ");
            let sql = format!(
                "CREATE STREAM S (x INT);\n\
                 INSERT INTO O SELECT (({sum})) AS y FROM S WHERE {ors};"
            );
            let engine = Engine::new();
            let app = engine.compile(&sql).unwrap_or_else(|e| panic!("{e}"));
            let out = app.subscribe("O").unwrap();
            app.start().unwrap();
            let input = app.input("S").unwrap();
            input.send(vec![Value::Int(7)]).unwrap();
            input.send(vec![Value::Int(8)]).unwrap();
            let got = out.recv_timeout(Duration::from_secs(5)).expect("a row");
            app.shutdown().unwrap();
            got.data.to_vec()
        })
        .unwrap();
    assert_eq!(handle.join().unwrap(), vec![Value::Int(7 * 252)]);
}

/// Past the bound: a compile error naming the bound and the place, and the app's other
/// statements are still checked.
#[test]
fn chains_and_nested_annotations_past_the_bound_are_compile_errors() {
    let engine = Engine::new();
    let cases = [
        (
            format!(
                "CREATE STREAM S (x INT);\nINSERT INTO O SELECT {} AS y FROM S;\n\
                 INSERT INTO P SELECT nope FROM S;",
                vec!["x"; 5000].join(" + ")
            ),
            "more than 256 levels",
        ),
        (
            format!(
                "CREATE STREAM S (x INT);\nINSERT INTO O SELECT x FROM S WHERE {};\n\
                 INSERT INTO P SELECT nope FROM S;",
                vec!["x > 1"; 5000].join(" AND ")
            ),
            "more than 256 levels",
        ),
        (
            format!(
                "@source(type='stdin', {}{})\nCREATE STREAM S (x INT);\n\
                 INSERT INTO P SELECT nope FROM S;",
                "@map(".repeat(10_500),
                ")".repeat(10_500)
            ),
            "annotations nest at most 8 deep",
        ),
    ];
    for (sql, says) in cases {
        let e = match engine.compile(&sql) {
            Ok(_) => panic!("expected an error"),
            Err(e) => e,
        };
        let text = e.to_string();
        assert!(text.contains(says), "{}", &text[..text.len().min(600)]);
        assert!(
            text.contains("nope"),
            "the other statement is still checked"
        );
        assert!(e.errors.iter().all(|d| d.pos.is_known()));
    }
}

fn bin() -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_eventflux"));
    c.env("RUST_LOG", "warn");
    c
}

fn scratch(tag: &str) -> std::path::PathBuf {
    let dir =
        std::env::temp_dir().join(format!("eventflux-hardening-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const PASS_THROUGH: &str = "CREATE STREAM S (x INT);\nINSERT INTO O SELECT x FROM S;\n";

/// One invalid UTF-8 byte costs its line only: the others replay, the bad one is named.
#[test]
fn replay_skips_a_line_with_invalid_utf8() {
    let dir = scratch("utf8");
    std::fs::write(dir.join("app.sql"), PASS_THROUGH).unwrap();
    let mut input = b"{\"stream\":\"S\",\"data\":{\"x\":1}}\n".to_vec();
    input.extend_from_slice(b"{\"stream\":\"S\",\"data\":{\"x\":\xff}}\n");
    input.extend_from_slice(b"{\"stream\":\"S\",\"data\":{\"x\":3}}\r\n");
    std::fs::write(dir.join("in.jsonl"), input).unwrap();
    let out = bin()
        .args(["replay", "app.sql", "--input", "in.jsonl"])
        .current_dir(&dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stdout.lines().count(), 2, "{stdout}");
    assert!(
        stdout.contains("\"x\":1") && stdout.contains("\"x\":3"),
        "{stdout}"
    );
    assert!(
        stderr.contains("in.jsonl:2: error: not valid UTF-8"),
        "{stderr}"
    );
}

/// `replay ... | head -1`: the closed pipe ends the output quietly (no panic, no error).
#[test]
fn replay_into_a_closed_pipe_stops_quietly() {
    use std::io::Read;
    let dir = scratch("pipe");
    std::fs::write(dir.join("app.sql"), PASS_THROUGH).unwrap();
    let lines: String = (0..20_000)
        .map(|i| format!("{{\"stream\":\"S\",\"data\":{{\"x\":{i}}}}}\n"))
        .collect();
    std::fs::write(dir.join("in.jsonl"), lines).unwrap();
    let mut child = bin()
        .args(["replay", "app.sql", "--input", "in.jsonl"])
        .current_dir(&dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    let mut stdout = child.stdout.take().unwrap();
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
}

/// Times past 2^53 ms would overflow timestamps; every place a time is written refuses them.
#[test]
fn times_too_long_for_the_clock_are_compile_errors() {
    let engine = Engine::new();
    let apps = [
        "INSERT INTO O SELECT x FROM S WINDOW TUMBLING(1e300 DAYS);",
        "INSERT INTO O SELECT x FROM S WINDOW('time', 9223372036854775807);",
        "INSERT INTO O SELECT x FROM S WINDOW('time', 300000000 WEEKS);",
        "CREATE TRIGGER T AT EVERY 1e20 DAYS;",
        "INSERT INTO O SELECT count() AS n FROM S WINDOW('length', 5) OUTPUT EVERY 1e17 SECONDS;",
        "INSERT INTO O SELECT a.x FROM PATTERN (a=S -> b=S) WITHIN 1e17 SECONDS;",
    ];
    for tail in apps {
        let sql = format!("CREATE STREAM S (x INT);\n{tail}");
        let e = match engine.compile(&sql) {
            Ok(_) => panic!("accepted: {tail}"),
            Err(e) => e.to_string(),
        };
        assert!(e.contains("2^53 milliseconds"), "{tail}\n{e}");
        assert!(e.contains("app.sql:2:"), "{e}");
    }
}

/// A binary log whose length fields claim 4 GiB: `eventflux read` reports where the file is
/// cut, within a 1 GB address-space limit (it used to allocate the claimed length first).
#[test]
fn read_bounds_every_length_by_the_file() {
    let dir = scratch("read");
    let header = br#"{"stream":"S","format":"binary","attributes":[["x","INT"]]}"#;
    let mut good = b"EFLXBIN1".to_vec();
    good.extend_from_slice(&(header.len() as u32).to_le_bytes());
    good.extend_from_slice(header);
    // One real record (x = 5), then a head whose length says 4 GiB and 3 bytes of it.
    let mut row = Vec::new();
    eventflux::connector::storage::codec::encode_row(&[Value::Int(5)], &mut row);
    let mut file = good.clone();
    file.extend_from_slice(&7i64.to_le_bytes());
    file.extend_from_slice(&[0u8; 16]);
    file.extend_from_slice(&(row.len() as u32).to_le_bytes());
    file.extend_from_slice(&row);
    file.extend_from_slice(&8i64.to_le_bytes());
    file.extend_from_slice(&[0u8; 16]);
    file.extend_from_slice(&u32::MAX.to_le_bytes());
    file.extend_from_slice(b"abc");
    std::fs::write(dir.join("records.bin"), &file).unwrap();
    // A header length of 4 GiB.
    let mut bad_header = b"EFLXBIN1".to_vec();
    bad_header.extend_from_slice(&u32::MAX.to_le_bytes());
    bad_header.extend_from_slice(b"{\"stream\"");
    std::fs::write(dir.join("header.bin"), &bad_header).unwrap();
    let exe = env!("CARGO_BIN_EXE_eventflux");
    for (name, says) in [("records.bin", "x=5"), ("header.bin", "")] {
        let out = std::process::Command::new("bash")
            .arg("-c")
            .arg(format!("ulimit -v 1000000; exec '{exe}' read {name}"))
            .current_dir(&dir)
            .output()
            .unwrap();
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        assert_eq!(out.status.code(), Some(0), "{name}: {stderr}");
        assert!(stdout.contains(says), "{name}: {stdout}");
        assert!(stderr.contains("warning"), "{name}: {stderr}");
    }
}

/// The http receiver needs a token, or `auth='none'` said out loud.
#[test]
fn the_http_receiver_refuses_to_start_open_unless_told() {
    let engine = Engine::new();
    let open = "@source(type='http', port='18080', @map(type='json'))\nCREATE STREAM S (x INT);";
    let e = match engine.compile(open) {
        Ok(_) => panic!("an open receiver compiled"),
        Err(e) => e.to_string(),
    };
    assert!(
        e.contains("needs auth.token") && e.contains("auth='none'"),
        "{e}"
    );
    let both = "@source(type='http', port='18080', auth='none', auth.token='x')\n\
                CREATE STREAM S (x INT);";
    assert!(engine.compile(both).is_err());
    let said = "@source(type='http', port='18080', auth='none')\nCREATE STREAM S (x INT);";
    engine.compile(said).unwrap_or_else(|e| panic!("{e}"));
}

/// Listeners bind 127.0.0.1 unless `host` says otherwise: reachable on loopback, not on the
/// machine's outward address.
#[test]
fn listeners_bind_loopback_by_default() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let engine = Engine::new();
    let app = engine
        .compile(&format!(
            "@source(type='http', port='{port}', auth='none')\nCREATE STREAM S (x INT);"
        ))
        .unwrap_or_else(|e| panic!("{e}"));
    app.start().unwrap();
    let reach = |ip: std::net::IpAddr| {
        let addr = std::net::SocketAddr::new(ip, port);
        std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(2)).is_ok()
    };
    let mut up = false;
    for _ in 0..100 {
        up = reach([127, 0, 0, 1].into());
        if up {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(up, "the receiver listens on 127.0.0.1:{port}");
    // The address this machine would use towards the outside (no packet is sent).
    let outward = std::net::UdpSocket::bind("0.0.0.0:0")
        .and_then(|s| s.connect("10.255.255.255:9").map(|_| s))
        .and_then(|s| s.local_addr())
        .map(|a| a.ip())
        .ok()
        .filter(|ip| !ip.is_loopback() && !ip.is_unspecified());
    if let Some(ip) = outward {
        assert!(!reach(ip), "reachable on {ip}:{port}");
    }
    app.shutdown().unwrap();
}

/// A server that accepts connections and never answers: the http sink's requests hang.
fn hung_http_server() -> (u16, std::thread::JoinHandle<()>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let t = std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in listener.incoming().flatten().take(64) {
            held.push(s);
        }
    });
    (port, t)
}

/// An app whose datagen feeds an http sink at `/path` of the hung server on `port`.
fn hung_sink_app(port: u16, path: &str) -> String {
    format!(
        "@source(type='datagen', rate='2000')\n\
         CREATE STREAM S (x INT);\n\
         @sink(type='http', url='http://127.0.0.1:{port}/{path}', timeout.ms='60000', \
               buffer.size='100', @map(type='json'))\n\
         CREATE STREAM O (x INT);\n\
         INSERT INTO O SELECT x FROM S;"
    )
}

/// One hung sink does not stall its stream's other sinks, and shutdown ends at its deadline:
/// a file sink beside an http sink whose server never answers gets every event, the http
/// sink's overflow is counted as dropped, and what it still holds at the deadline goes to its
/// error strategy (counted), instead of each request waiting out its 60 s timeout.
#[test]
fn a_hung_sink_neither_stalls_the_others_nor_holds_the_shutdown() {
    let (port, _server) = hung_http_server();
    let dir = scratch("hung");
    let out = dir.join("out.jsonl");
    let _ = std::fs::remove_file(&out);
    let sql = format!(
        "@sink(type='http', url='http://127.0.0.1:{port}/hook', timeout.ms='60000', \
               buffer.size='100', @map(type='json'))\n\
         @sink(type='file', path='{}', @map(type='json'))\n\
         CREATE STREAM S (x INT);",
        out.display()
    );
    let options = eventflux::RunOptions {
        shutdown_timeout: Duration::from_secs(2),
        ..eventflux::RunOptions::default()
    };
    let app = Engine::new()
        .compile_with("hung.sql", &sql, options)
        .unwrap_or_else(|e| panic!("{e}"));
    app.start().unwrap();
    let input = app.input("S").unwrap();
    // Sent from a thread: if the hung sink held the stream, this would never finish.
    let sender = std::thread::spawn(move || {
        for i in 0..10_000 {
            input.send(vec![Value::Int(i)]).unwrap();
        }
    });
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while !sender.is_finished() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        sender.is_finished(),
        "the hung http sink held the stream back"
    );
    sender.join().unwrap();
    let stopped = std::time::Instant::now();
    let stats = app.shutdown().unwrap();
    // Functional bound, far above the 2 s deadline: one request's timeout is 60 s.
    assert!(
        stopped.elapsed() < Duration::from_secs(30),
        "{:?}",
        stopped.elapsed()
    );
    let lines = std::fs::read_to_string(&out).unwrap().lines().count();
    assert_eq!(lines, 10_000, "the file sink got every event");
    let http = stats
        .sinks
        .iter()
        .find(|s| s.label.contains("sink http"))
        .unwrap();
    assert!(!http.flushed, "{http:?}");
    assert_eq!(http.events, 0, "{http:?}");
    // Every event is accounted for: the overflow and the batch in delivery at the deadline
    // as dropped, what was buffered through the error strategy (log: dropped).
    assert_eq!(http.dropped + http.dead_lettered, 10_000, "{http:?}");
}

fn signal(pid: u32, name: &str) {
    let ok = std::process::Command::new("kill")
        .args([&format!("-{name}"), &pid.to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill -{name} {pid}");
}

/// `eventflux run` with a hung sink: SIGTERM starts the stop, a second SIGTERM exits at once
/// (status 130) and says what is lost.
#[test]
fn a_second_signal_stops_at_once_and_says_what_is_lost() {
    let (port, _server) = hung_http_server();
    let dir = scratch("signal");
    std::fs::write(dir.join("app.sql"), hung_sink_app(port, "hook")).unwrap();
    let mut child = bin()
        .args(["run", "app.sql", "--shutdown-timeout", "10m"])
        .current_dir(&dir)
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    signal(child.id(), "TERM");
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        child.try_wait().unwrap().is_none(),
        "still stopping (10 min deadline)"
    );
    signal(child.id(), "TERM");
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("second signal: stopping at once") && stderr.contains("are lost"),
        "{stderr}"
    );
}

/// `serve --shutdown-timeout` bounds the stop of every hosted app: two apps whose http sinks
/// hang (60 s request timeouts) both reach their deadline and the server exits.
#[test]
fn serve_stops_every_app_at_its_shutdown_deadline() {
    let (port, _server) = hung_http_server();
    let dir = scratch("serve");
    let apps = dir.join("apps");
    std::fs::create_dir_all(&apps).unwrap();
    for name in ["one", "two"] {
        std::fs::write(apps.join(format!("{name}.sql")), hung_sink_app(port, name)).unwrap();
    }
    let mut child = bin()
        .args(["serve", "--apps", "apps", "--http", "127.0.0.1:0"])
        .args(["--shutdown-timeout", "1s"])
        .current_dir(&dir)
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    signal(child.id(), "TERM");
    // Functional bound, far above the 1 s deadline: one request's timeout is 60 s.
    let limit = std::time::Instant::now() + Duration::from_secs(40);
    while child.try_wait().unwrap().is_none() && std::time::Instant::now() < limit {
        std::thread::sleep(Duration::from_millis(50));
    }
    if child.try_wait().unwrap().is_none() {
        let _ = child.kill();
        panic!("serve did not stop at its shutdown deadline");
    }
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "sinks did not flush: {stderr}");
    let at_deadline = stderr
        .lines()
        .filter(|l| l.contains("the shutdown deadline passed with the sink still delivering"))
        .count();
    assert_eq!(at_deadline, 2, "one line per app: {stderr}");
}

/// Whether the server closed `s` (EOF or reset) within `limit`.
fn closed_by_server(s: &mut std::net::TcpStream, limit: Duration) -> bool {
    use std::io::Read;
    s.set_read_timeout(Some(limit)).unwrap();
    let mut buf = [0u8; 256];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue, // an error answer (408) before the close
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return true,
            Err(_) => return false, // timed out: still open
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn connect_when_up(port: u16) -> std::net::TcpStream {
    for _ in 0..200 {
        if let Ok(s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            return s;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("nothing listens on {port}");
}

/// Silent sockets are closed at the header/handshake deadline, connections past
/// max.connections are closed at once, and a real request still gets through.
#[test]
fn listeners_time_out_silent_sockets_and_cap_connections() {
    use std::io::{Read, Write};
    let (http_port, ws_port) = (free_port(), free_port());
    let app = Engine::new()
        .compile(&format!(
            "@source(type='http', port='{http_port}', auth='none', header.timeout.ms='300', \
                     idle.timeout.ms='400', max.connections='4', @map(type='json'))\n\
             CREATE STREAM S (x INT);\n\
             @source(type='websocket-server', port='{ws_port}', handshake.timeout.ms='300', \
                     @map(type='json'))\n\
             CREATE STREAM W (x INT);"
        ))
        .unwrap_or_else(|e| panic!("{e}"));
    let got = app.subscribe("S").unwrap();
    app.start().unwrap();
    let mut silent: Vec<_> = (0..4).map(|_| connect_when_up(http_port)).collect();
    // Past the cap: closed at once.
    let mut extra = connect_when_up(http_port);
    assert!(
        closed_by_server(&mut extra, Duration::from_secs(2)),
        "over the cap"
    );
    for s in &mut silent {
        assert!(
            closed_by_server(s, Duration::from_secs(5)),
            "silent http socket"
        );
    }
    let mut ws_silent = connect_when_up(ws_port);
    assert!(
        closed_by_server(&mut ws_silent, Duration::from_secs(5)),
        "silent ws socket"
    );
    // The slots are free again: a real request is served.
    let mut s = connect_when_up(http_port);
    let body = r#"{"x":7}"#;
    write!(
        s,
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 202"), "{answer}");
    let e = got.recv_timeout(Duration::from_secs(5)).expect("the event");
    assert_eq!(e.data.to_vec(), vec![Value::Int(7)]);
    app.shutdown().unwrap();
}

/// Nested JSON into a STRING is its JSON text in replay too (as in the json mapper), and a
/// CAST that does not fit is NULL (not 2147483647 or 0).
#[test]
fn replay_takes_nested_json_as_text_and_casts_that_do_not_fit_are_null() {
    let dir = scratch("json");
    std::fs::write(
        dir.join("app.sql"),
        "CREATE STREAM S (x DOUBLE, j STRING);\n\
         INSERT INTO O SELECT CAST(x AS INT) AS i, j FROM S;\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("in.jsonl"),
        "{\"stream\":\"S\",\"data\":{\"x\":1e308,\"j\":{\"a\":[1,2]}}}\n\
         {\"stream\":\"S\",\"data\":{\"x\":3.7,\"j\":[true]}}\n",
    )
    .unwrap();
    let out = bin()
        .args(["replay", "app.sql", "--input", "in.jsonl"])
        .current_dir(&dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["data"]["i"], serde_json::Value::Null);
    assert_eq!(lines[0]["data"]["j"], "{\"a\":[1,2]}");
    assert_eq!(lines[1]["data"]["i"], 3);
    assert_eq!(lines[1]["data"]["j"], "[true]");
}

/// Secrets in an http sink's URL (userinfo, a secret query value, a webhook path from
/// `${HOOK_SECRET}`) and an auth token never leave the process: not in the log at debug level,
/// not in a dead-letter row's error, not in a compile error.
#[test]
fn secrets_are_redacted_in_logs_dead_letters_and_errors() {
    let closed = free_port();
    let dir = scratch("secrets");
    std::fs::write(
        dir.join("app.sql"),
        format!(
            "@source(type='datagen', count='1', rate='100')\n\
             CREATE STREAM S (x INT);\n\
             @sink(type='http', url='http://bob:pw-s3cret@127.0.0.1:{closed}/hook/${{HOOK_SECRET}}?apikey=K3Y-value&v=1', \
                   headers.Authorization='Bearer ${{API_TOKEN}}', error.strategy='dlq', \
                   error.dlq.stream='Failed', @map(type='json'))\n\
             CREATE STREAM O (x INT);\n\
             @sink(type='stdout', @map(type='json'))\n\
             CREATE STREAM Failed (error STRING, x INT);\n\
             INSERT INTO O SELECT x FROM S;"
        ),
    )
    .unwrap();
    let out = bin()
        .args(["run", "app.sql"])
        .env("RUST_LOG", "debug")
        .env("HOOK_SECRET", "wh-path-value")
        .env("API_TOKEN", "tok-value-42")
        .current_dir(&dir)
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(
        stdout.contains("\"error\""),
        "a dead-letter row: {stdout}\n{stderr}"
    );
    for secret in ["pw-s3cret", "K3Y-value", "wh-path-value", "tok-value-42"] {
        assert!(
            !stdout.contains(secret),
            "{secret} in the output:\n{stdout}"
        );
        assert!(!stderr.contains(secret), "{secret} in the log:\n{stderr}");
    }
    assert!(stdout.contains("***"), "{stdout}");
    // A compile error quoting a secret parameter's value.
    let bad = "@sink(type='http', url='http://h/${HOOK_SECRET}', timeout.ms='${API_TOKEN}')\n\
               CREATE STREAM O (x INT);";
    std::fs::write(dir.join("bad.sql"), bad).unwrap();
    let out = bin()
        .args(["check", "bad.sql"])
        .env("HOOK_SECRET", "wh-path-value")
        .env("API_TOKEN", "tok-value-42")
        .current_dir(&dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("timeout.ms"), "{stderr}");
    assert!(!stderr.contains("tok-value-42"), "{stderr}");
}

/// An app file with a byte that is not UTF-8: the error names its line and column.
#[test]
fn an_app_that_is_not_utf8_gets_a_positioned_error() {
    let dir = scratch("app-utf8");
    std::fs::write(
        dir.join("app.sql"),
        b"CREATE STREAM S (x INT);\nINSERT INTO O SELECT x \xff FROM S;\n",
    )
    .unwrap();
    let out = bin()
        .args(["check", "app.sql"])
        .current_dir(&dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("app.sql:2:24: error: not valid UTF-8"),
        "{stderr}"
    );
}

/// `WITH (...)` values take `${VAR}` and `${VAR:default}` as annotations do, and an unset
/// variable is an error at the value.
#[test]
fn with_options_substitute_environment_variables() {
    std::env::set_var("EVENTFLUX_TEST_WITH_COUNT", "3");
    let app = Engine::new()
        .compile(
            "CREATE STREAM S (x INT) WITH (type='source', extension='datagen', \
                                          count='${EVENTFLUX_TEST_WITH_COUNT}', \
                                          rate='${EVENTFLUX_TEST_WITH_UNSET_RATE:1000}');",
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let got = app.subscribe("S").unwrap();
    app.start().unwrap();
    let mut n = 0;
    while got.recv_timeout(Duration::from_secs(5)).is_some() {
        n += 1;
        if n == 3 {
            break;
        }
    }
    app.shutdown().unwrap();
    assert_eq!(n, 3);
    assert!(got.drain().is_empty(), "count came from the environment");
    let e = Engine::new()
        .compile(
            "CREATE STREAM S (x INT)\n  WITH (type='source', extension='datagen', \
             count='${EVENTFLUX_TEST_WITH_UNSET}');",
        )
        .err()
        .expect("an unset variable")
        .to_string();
    assert!(
        e.contains("environment variable 'EVENTFLUX_TEST_WITH_UNSET' is not set")
            && e.contains(":2:"),
        "{e}"
    );
}

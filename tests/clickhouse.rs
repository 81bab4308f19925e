//! The clickhouse sink against a real ClickHouse server (Debian's clickhouse-server, 18.16, or
//! newer). Each test starts its own server: a temp config and data dir, free ports, the default
//! user without password and `writer` with one; it is killed when the test ends. Rows are read
//! back over the HTTP interface.

mod common;

use common::*;
use eventflux::runtime::app::ConnectorStats;
use eventflux::{AppStats, Engine, Event, Value};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(30);

/// A clickhouse-server process with its own config and data dir, killed when dropped.
struct ClickHouse {
    dir: PathBuf,
    http: u16,
    child: Option<Child>,
}

impl ClickHouse {
    fn available() -> bool {
        peer_available(
            "clickhouse-server (apt-get install clickhouse-server)",
            Command::new("sh").args([
                "-c",
                "command -v clickhouse-server || test -x /usr/sbin/clickhouse-server",
            ]),
        )
    }

    /// Configured, not started.
    fn new() -> ClickHouse {
        let dir = temp_dir("clickhouse");
        let (http, tcp) = (free_port(), free_port());
        std::fs::write(dir.join("config.xml"), config_xml(&dir, http, tcp)).unwrap();
        std::fs::write(dir.join("users.xml"), USERS_XML).unwrap();
        ClickHouse {
            dir,
            http,
            child: None,
        }
    }

    fn started() -> ClickHouse {
        let mut server = ClickHouse::new();
        server.start();
        server
    }

    fn start(&mut self) {
        let bin = if Command::new("sh")
            .args(["-c", "command -v clickhouse-server"])
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
        {
            "clickhouse-server"
        } else {
            "/usr/sbin/clickhouse-server"
        };
        let log = std::fs::File::create(self.dir.join("server.log")).unwrap();
        let child = Command::new(bin)
            .arg(format!(
                "--config-file={}",
                self.dir.join("config.xml").display()
            ))
            .current_dir(&self.dir)
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("starting clickhouse-server");
        self.child = Some(child);
        let up = wait_until(WAIT, || {
            self.exited_early();
            http(self.http, "GET", "/ping", "").is_ok_and(|b| b == "Ok.\n")
        });
        assert!(
            up,
            "clickhouse-server did not answer /ping:\n{}",
            self.log()
        );
    }

    fn exited_early(&mut self) {
        if let Some(Ok(Some(status))) = self.child.as_mut().map(Child::try_wait) {
            panic!("clickhouse-server exited ({status}):\n{}", self.log());
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
    }

    /// SIGKILL, as a crash would.
    fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.http)
    }

    fn query(&self, sql: &str) -> String {
        match http(self.http, "POST", "/", sql) {
            Ok(body) => body,
            Err(e) => panic!("query failed: {sql}\n{e}"),
        }
    }

    fn count(&self, table: &str) -> u64 {
        self.query(&format!("SELECT count() FROM {table}"))
            .trim()
            .parse()
            .unwrap()
    }

    /// count() without failing while the table does not exist yet.
    fn count_or_zero(&self, table: &str) -> u64 {
        http(
            self.http,
            "POST",
            "/",
            &format!("SELECT count() FROM {table}"),
        )
        .map(|b| b.trim().parse().unwrap_or(0))
        .unwrap_or(0)
    }
}

impl Drop for ClickHouse {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn config_xml(dir: &std::path::Path, http: u16, tcp: u16) -> String {
    let d = dir.display();
    format!(
        r#"<?xml version="1.0"?>
<yandex>
    <logger><level>warning</level><console>1</console></logger>
    <http_port>{http}</http_port>
    <tcp_port>{tcp}</tcp_port>
    <listen_host>127.0.0.1</listen_host>
    <path>{d}/data/</path>
    <tmp_path>{d}/data/tmp/</tmp_path>
    <user_files_path>{d}/data/user_files/</user_files_path>
    <format_schema_path>{d}/data/format_schemas/</format_schema_path>
    <mark_cache_size>268435456</mark_cache_size>
    <users_config>users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <mlock_executable>false</mlock_executable>
</yandex>
"#
    )
}

const USERS_XML: &str = r#"<?xml version="1.0"?>
<yandex>
    <profiles><default></default></profiles>
    <users>
        <default>
            <password></password>
            <networks><ip>127.0.0.1</ip></networks>
            <profile>default</profile>
            <quota>default</quota>
        </default>
        <writer>
            <password>s3cret</password>
            <networks><ip>127.0.0.1</ip></networks>
            <profile>default</profile>
            <quota>default</quota>
        </writer>
    </users>
    <quotas><default></default></quotas>
</yandex>
"#;

/// One HTTP/1.0 request: the body of a 200 answer, or the status line and body of another.
fn http(port: u16, method: &str, path: &str, body: &str) -> Result<String, String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .map_err(|e| e.to_string())?;
    let mut answer = String::new();
    s.read_to_string(&mut answer).map_err(|e| e.to_string())?;
    let (head, body) = answer.split_once("\r\n\r\n").ok_or("no HTTP answer")?;
    if head.split(' ').nth(1) == Some("200") {
        Ok(body.to_string())
    } else {
        Err(format!("{}\n{body}", head.lines().next().unwrap_or("")))
    }
}

fn compile(sql: &str) -> eventflux::App {
    match Engine::new().compile(sql) {
        Ok(app) => app,
        Err(e) => panic!("compile failed:\n{e}"),
    }
}

fn sink<'a>(stats: &'a AppStats, stream: &str) -> &'a ConnectorStats {
    let label = format!("{stream} -> sink clickhouse");
    stats
        .sinks
        .iter()
        .find(|s| s.label == label)
        .unwrap_or_else(|| panic!("no sink {label} in {stats:?}"))
}

const TS0: i64 = 1_700_000_000_000;

/// Row `i` of the typed test stream, with NULLs at regular places.
fn typed_row(i: i32) -> Vec<Value> {
    let null_or = |every: i32, v: Value| if i % every == 0 { Value::Null } else { v };
    vec![
        Value::Int(i - 500),
        null_or(7, Value::Long(i as i64 * 1_000_000_007)),
        null_or(3, Value::Float(i as f32 * 0.5)),
        null_or(5, Value::Double(i as f64 / 4.0)),
        null_or(11, Value::Bool(i % 2 == 0)),
        null_or(13, Value::from(format!("name-{i}-é"))),
        null_or(17, Value::Bytes(bytes::Bytes::from(vec![0, 255, i as u8]))),
    ]
}

/// The same row as ClickHouse prints it in TabSeparated (hex() for the bytes).
fn typed_tsv(i: i32) -> String {
    let null_or = |every: i32, v: String| {
        if i % every == 0 {
            "\\N".to_string()
        } else {
            v
        }
    };
    [
        (i - 500).to_string(),
        null_or(7, (i as i64 * 1_000_000_007).to_string()),
        null_or(3, (i as f32 * 0.5).to_string()),
        null_or(5, (i as f64 / 4.0).to_string()),
        null_or(11, ((i % 2 == 0) as u8).to_string()),
        null_or(13, format!("name-{i}-é")),
        null_or(17, format!("00FF{:02X}", i as u8)),
        (TS0 + i as i64).to_string(),
    ]
    .join("\t")
}

#[test]
fn creates_the_table_writes_every_type_and_null_and_flushes_at_shutdown() {
    init_logs();
    if !ClickHouse::available() {
        return;
    }
    let ch = ClickHouse::started();
    // batch.size and flush.interval.ms are far above what is sent: only shutdown inserts.
    let app = compile(&format!(
        "@sink(type='clickhouse', url='{}', table='typed', create.table='true',
               order.by='id, ts', ts.column='ts', batch.size='10000',
               flush.interval.ms='60000')
         CREATE STREAM S (id INT, big BIGINT, f FLOAT, d DOUBLE, flag BOOL, name STRING,
                          raw BYTES);",
        ch.url()
    ));
    app.start().unwrap();
    let input = app.input("S").unwrap();
    const N: i32 = 1000;
    for i in 0..N {
        input.send_at(TS0 + i as i64, typed_row(i)).unwrap();
    }
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        ch.count_or_zero("typed"),
        0,
        "inserted before the batch filled"
    );
    let stats = app.shutdown().unwrap();
    let s = sink(&stats, "S");
    assert_eq!((s.events, s.errors, s.dropped), (N as u64, 0, 0), "{s:?}");
    assert!(s.flushed);

    let described = ch.query("DESCRIBE TABLE typed FORMAT TSV");
    let types: Vec<String> = described
        .lines()
        .map(|l| l.split('\t').take(2).collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(
        types,
        [
            "id Int32",
            "big Nullable(Int64)",
            "f Nullable(Float32)",
            "d Nullable(Float64)",
            "flag Nullable(UInt8)",
            "name Nullable(String)",
            "raw Nullable(String)",
            "ts Int64"
        ]
    );
    let rows = ch.query(
        "SELECT id, big, f, d, flag, name, if(isNull(raw), NULL, hex(raw)), ts
         FROM typed ORDER BY id FORMAT TSV",
    );
    let expected: Vec<String> = (0..N).map(typed_tsv).collect();
    let got: Vec<&str> = rows.lines().collect();
    assert_eq!(got.len(), N as usize, "every row exactly once");
    for (g, e) in got.iter().zip(&expected) {
        assert_eq!(g, e);
    }
}

#[test]
fn routes_by_attribute_into_tables_created_on_first_use() {
    init_logs();
    if !ClickHouse::available() {
        return;
    }
    let ch = ClickHouse::started();
    let app = compile(&format!(
        "@sink(type='clickhouse', url='{}', table.by='kind', create.table='true',
               order.by='id', batch.size='64', flush.interval.ms='20',
               error.strategy='dlq', error.dlq.stream='Failed')
         CREATE STREAM Events (kind STRING, id INT, v DOUBLE);
         CREATE STREAM Failed (kind STRING, id INT, error STRING);",
        ch.url()
    ));
    let failed = app.subscribe("Failed").unwrap();
    app.start().unwrap();
    let input = app.input("Events").unwrap();
    let rows: Vec<Vec<Value>> = (0..1000)
        .map(|i| {
            let kind = match i {
                500 => Value::Null,
                501 => Value::from("bad name"),
                _ if i % 3 == 0 => Value::from("quotes"),
                _ => Value::from("trades"),
            };
            vec![kind, Value::Int(i), Value::Double(i as f64 * 1.5)]
        })
        .collect();
    input.send_batch(rows).unwrap();
    assert!(wait_until(WAIT, || ch.count_or_zero("trades")
        + ch.count_or_zero("quotes")
        == 998));
    let stats = app.shutdown().unwrap();
    let s = sink(&stats, "Events");
    assert_eq!((s.events, s.dead_lettered), (998, 2), "{s:?}");

    // 500 and 501 are dead-lettered; of the rest, quotes: i % 3 == 0, trades: the others.
    let routed = (0..1000i64).filter(|i| *i != 500 && *i != 501);
    let quotes: Vec<i64> = routed.clone().filter(|i| i % 3 == 0).collect();
    let trades: Vec<i64> = routed.filter(|i| i % 3 != 0).collect();
    for (table, ids) in [("quotes", &quotes), ("trades", &trades)] {
        let sum: i64 = ids.iter().sum();
        let answer = ch.query(&format!(
            "SELECT count(), uniqExact(id), sum(id), sum(v), min(kind) = max(kind), any(kind)
             FROM {table} FORMAT TSV"
        ));
        assert_eq!(
            answer.trim(),
            format!(
                "{}\t{}\t{sum}\t{}\t1\t{table}",
                ids.len(),
                ids.len(),
                sum as f64 * 1.5
            )
        );
    }
    let mut dead: Vec<Event> = failed.drain();
    dead.sort_by_key(|e| e.get(1).as_i64());
    assert_eq!(dead.len(), 2);
    assert_eq!(dead[0].get(0), &Value::Null);
    assert_eq!(dead[1].get(0), &Value::from("bad name"));
    let error = dead[1].get(2).to_string();
    assert!(error.contains("table.by"), "{error}");
}

#[test]
fn permanent_errors_and_exhausted_retries_go_to_the_dlq() {
    init_logs();
    if !ClickHouse::available() {
        return;
    }
    let ch = ClickHouse::started();
    ch.query("CREATE TABLE wrong (symbol String, price Int32, volume Int32) ENGINE = MergeTree ORDER BY symbol");
    ch.query("CREATE TABLE good (symbol String, price Float64, volume Int32) ENGINE = MergeTree ORDER BY symbol");
    let nobody = free_port();
    let dlq = "error.strategy='dlq', error.dlq.stream='Failed', flush.interval.ms='20'";
    let url = ch.url();
    let app = compile(&format!(
        "@sink(type='clickhouse', url='{url}', table='wrong', {dlq})
         CREATE STREAM Mismatch (symbol STRING, price DOUBLE, volume INT);
         @sink(type='clickhouse', url='{url}', table='good', user='writer', password='nope', {dlq})
         CREATE STREAM BadPassword (symbol STRING, price DOUBLE, volume INT);
         @sink(type='clickhouse', url='{url}', table='good', user='writer', password='s3cret', {dlq})
         CREATE STREAM Nulls (symbol STRING, price DOUBLE, volume INT);
         @sink(type='clickhouse', url='{url}', table='missing', {dlq})
         CREATE STREAM NoTable (symbol STRING, price DOUBLE, volume INT);
         @sink(type='clickhouse', url='http://127.0.0.1:{nobody}', table='good',
               retry.max.attempts='2', retry.delay.ms='50', {dlq})
         CREATE STREAM Down (symbol STRING, price DOUBLE, volume INT);
         CREATE STREAM Failed (stream STRING, symbol STRING, volume INT, error STRING);"
    ));
    let failed = app.subscribe("Failed").unwrap();
    app.start().unwrap();
    let row = |s: &str, v: Value| vec![Value::from(s), Value::Double(1.25), v];
    for stream in ["Mismatch", "BadPassword", "NoTable", "Down"] {
        let input = app.input(stream).unwrap();
        input
            .send_batch(vec![row("A", Value::Int(1)), row("B", Value::Int(2))])
            .unwrap();
    }
    // A NULL in a column that is not Nullable fails that row only.
    app.input("Nulls")
        .unwrap()
        .send_batch(vec![
            row("C", Value::Int(3)),
            row("D", Value::Null),
            row("E", Value::Int(5)),
        ])
        .unwrap();
    let mut dead = Vec::new();
    assert!(wait_until(WAIT, || {
        dead.extend(failed.drain());
        dead.len() >= 9
    }));
    let stats = app.shutdown().unwrap();
    dead.extend(failed.drain());
    assert_eq!(dead.len(), 9);
    let errors = |stream: &str| -> Vec<String> {
        dead.iter()
            .filter(|e| e.get(0) == &Value::from(stream))
            .map(|e| e.get(3).to_string())
            .collect()
    };
    let expect = |stream: &str, n: usize, needles: &[&str]| {
        let errs = errors(stream);
        assert_eq!(errs.len(), n, "{stream}: {errs:?}");
        for e in &errs {
            for needle in needles {
                assert!(e.contains(needle), "{stream}: '{needle}' not in: {e}");
            }
        }
        let s = sink(&stats, stream);
        assert_eq!(s.dead_lettered, n as u64, "{s:?}");
    };
    expect("Mismatch", 2, &["`price`", "Int32", "DOUBLE"]);
    expect("BadPassword", 2, &["'password'"]);
    expect("NoTable", 2, &["create.table"]);
    expect("Down", 2, &["cannot reach", "after 2 attempts"]);
    expect("Nulls", 1, &["`volume`", "NULL"]);
    assert_eq!(sink(&stats, "Nulls").events, 2);
    assert_eq!(ch.count("wrong"), 0);
    assert_eq!(
        ch.query("SELECT groupArray(symbol), sum(volume) FROM (SELECT * FROM good ORDER BY symbol) FORMAT TSV")
            .trim(),
        "['C','E']\t8"
    );
}

#[test]
fn retries_while_the_server_is_down_and_delivers_once_it_is_back() {
    init_logs();
    if !ClickHouse::available() {
        return;
    }
    let mut ch = ClickHouse::new(); // not started: the first INSERTs find nobody
    let app = compile(&format!(
        "@sink(type='clickhouse', url='{}', table='ticks', create.table='true',
               ts.column='ts', retry.max.attempts='-1', retry.delay.ms='50',
               retry.max.delay.ms='300', flush.interval.ms='20', batch.size='1000',
               error.strategy='dlq', error.dlq.stream='Failed')
         CREATE STREAM Ticks (id BIGINT, symbol STRING);
         CREATE STREAM Failed (id BIGINT, error STRING);",
        ch.url()
    ));
    let failed = app.subscribe("Failed").unwrap();
    app.start().unwrap();
    let input = app.input("Ticks").unwrap();
    let rows = |from: i64| -> Vec<Vec<Value>> {
        (from..from + 500)
            .map(|i| vec![Value::Long(i), Value::from(format!("S{}", i % 10))])
            .collect()
    };
    input.send_batch(rows(0)).unwrap();
    std::thread::sleep(Duration::from_millis(800));
    ch.start();
    assert!(
        wait_until(WAIT, || ch.count_or_zero("ticks") == 500),
        "first batch not delivered after the server came up"
    );
    // Stopped between batches (SIGKILL), then restarted on the same data.
    ch.kill();
    input.send_batch(rows(500)).unwrap();
    std::thread::sleep(Duration::from_millis(800));
    ch.start();
    assert!(
        wait_until(WAIT, || ch.count_or_zero("ticks") == 1000),
        "second batch not delivered after the restart"
    );
    let stats = app.shutdown().unwrap();
    let s = sink(&stats, "Ticks");
    assert_eq!(
        (s.events, s.dead_lettered, s.dropped),
        (1000, 0, 0),
        "{s:?}"
    );
    assert!(failed.drain().is_empty());
    // Every row is there. Delivery is at least once: an INSERT the server completed but could
    // not confirm before a failure is retried, so a row may land twice (documented); count
    // and the checksum are taken over distinct ids.
    let got = ch.query(
        "SELECT uniqExact(id), (SELECT sum(id) FROM (SELECT DISTINCT id FROM ticks)), \
         min(ts) > 0, count() FROM ticks FORMAT TSV",
    );
    let fields: Vec<&str> = got.trim().split('\t').collect();
    assert_eq!(
        &fields[..3],
        &[
            "1000".to_string(),
            (0..1000i64).sum::<i64>().to_string(),
            "1".to_string()
        ]
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()[..],
        "{got}"
    );
    let count: u64 = fields[3].parse().unwrap();
    assert!((1000..=2000).contains(&count), "{got}");
    if count > 1000 {
        eprintln!(
            "{} rows landed twice after the retried INSERTs",
            count - 1000
        );
    }
}

/// Throughput into the real server; run with
/// `cargo test --release --test clickhouse -- --ignored --nocapture throughput`.
#[test]
#[ignore]
fn throughput() {
    init_logs();
    if !ClickHouse::available() {
        return;
    }
    let ch = ClickHouse::started();
    const N: i64 = 1_000_000;
    for compression in ["lz4", "none"] {
        let table = format!("bench_{compression}");
        let app = compile(&format!(
            "@sink(type='clickhouse', url='{}', table='{table}', create.table='true',
                   order.by='symbol, ts', ts.column='ts', batch.size='100000',
                   buffer.size='200000', flush.interval.ms='200', compression='{compression}')
             CREATE STREAM Trades (id BIGINT, symbol STRING, price DOUBLE, volume INT);",
            ch.url()
        ));
        app.start().unwrap();
        let input = app.input("Trades").unwrap();
        let started = Instant::now();
        for chunk in 0..N / 10_000 {
            let rows = (chunk * 10_000..(chunk + 1) * 10_000)
                .map(|i| {
                    vec![
                        Value::Long(i),
                        Value::from(["AAPL", "MSFT", "GOOG", "AMZN"][(i % 4) as usize]),
                        Value::Double(100.0 + (i % 1000) as f64 / 100.0),
                        Value::Int((i % 500) as i32),
                    ]
                })
                .collect();
            input.send_batch(rows).unwrap();
        }
        let sent = started.elapsed();
        let stats = app.shutdown().unwrap();
        let done = started.elapsed();
        assert_eq!(sink(&stats, "Trades").events, N as u64);
        assert_eq!(ch.count(&table), N as u64);
        println!(
            "clickhouse sink, compression={compression}: {N} rows in {:.2?} (sent in {:.2?}): \
             {:.0} events/s",
            done,
            sent,
            N as f64 / done.as_secs_f64()
        );
    }
}

//! Storage sinks end to end: the rotation core under concurrent load, a writer killed with
//! SIGKILL, binary and text logs read back by `eventflux read`, the binary source and `lz4 -d`.

mod common;

use common::*;
use eventflux::connector::storage::binary::{log_files, write_record, BinaryReader, ReadError};
use eventflux::connector::storage::codec;
use eventflux::connector::storage::rotation::{
    files_under, Compression, FileSettings, Fsync, Layout, RotatingFile, TimeRotation,
};
use eventflux::{Engine, Value};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_eventflux"))
}

fn all_files(dir: &Path) -> Vec<PathBuf> {
    files_under(dir).unwrap()
}

/// Reads every record of a complete file, failing on any damage.
fn read_all(path: &Path) -> Vec<(i64, Vec<Value>)> {
    let reader = BinaryReader::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    reader
        .map(|r| {
            let r = r.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            (r.ts, codec::decode_row(&r.payload).unwrap())
        })
        .collect()
}

#[test]
fn rotation_under_load_keeps_every_record_exactly_once_and_whole() {
    let dir = temp_dir("rotation-load");
    let settings = FileSettings {
        path: dir.clone(),
        compression: Compression::None,
        rotation: TimeRotation::None,
        max_bytes: Some(64 * 1024),
        partition_by: None,
        batch_size: 64,
        flush_interval: Duration::ZERO,
        fsync: Fsync::Never,
    };
    let header = {
        let json =
            br#"{"stream":"S","format":"binary","attributes":[["writer","INT"],["n","BIGINT"]]}"#;
        let mut h = b"EFLXBIN1".to_vec();
        h.extend_from_slice(&(json.len() as u32).to_le_bytes());
        h.extend_from_slice(json);
        h
    };
    let layout = Layout::new(settings, "S", "bin", Some(header));
    let files = Arc::new(RotatingFile::open(layout, None).unwrap());
    let (writers, per_batch) = (4i32, 50i64);
    let stop = Arc::new(AtomicBool::new(false));
    // Writers write until the rotator has forced 50 rotations, one every 2 ms (besides the
    // rotations by size).
    let threads: Vec<_> = (0..writers)
        .map(|w| {
            let (files, stop) = (files.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut batch = Vec::new();
                let mut payload = Vec::new();
                let mut next = 0i64;
                while !stop.load(Ordering::Acquire) {
                    batch.clear();
                    for n in next..next + per_batch {
                        payload.clear();
                        codec::encode_row(&[Value::Int(w), Value::Long(n)], &mut payload);
                        write_record(n, &[0; 16], &payload, &mut batch);
                    }
                    files.write(&batch).unwrap();
                    next += per_batch;
                }
                next
            })
        })
        .collect();
    for _ in 0..50 {
        std::thread::sleep(Duration::from_millis(2));
        files.rotate();
    }
    stop.store(true, Ordering::Release);
    let written: Vec<i64> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    files.close().unwrap();

    let paths = all_files(&dir);
    assert!(paths.len() > 50, "only {} files", paths.len());
    let mut seen = HashSet::new();
    let mut checksum = 0i64;
    for p in &paths {
        assert!(
            p.extension().unwrap() == "bin",
            "left unfinished: {}",
            p.display()
        );
        for (ts, row) in read_all(p) {
            let (Value::Int(w), Value::Long(n)) = (&row[0], &row[1]) else {
                panic!("{row:?}")
            };
            assert_eq!(ts, *n);
            assert!(seen.insert((*w, *n)), "record ({w}, {n}) twice");
            checksum = checksum.wrapping_add(*n * (*w as i64 + 1));
        }
    }
    assert_eq!(seen.len() as i64, written.iter().sum::<i64>());
    let expected: i64 = written
        .iter()
        .enumerate()
        .map(|(w, n)| (w as i64 + 1) * n * (n - 1) / 2)
        .sum();
    assert_eq!(checksum, expected);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_writer_killed_with_sigkill_leaves_complete_files_and_a_readable_active_one() {
    let dir = temp_dir("kill9");
    let app = dir.join("app.sql");
    std::fs::write(
        &app,
        format!(
            "@source(type='datagen', rate='200000', fields.symbol.kind='one_of', fields.symbol.values='A,B')
             CREATE STREAM Ticks (n BIGINT, symbol STRING);
             @sink(type='binary', path='{}', rotation.max.bytes='200000', flush.interval.ms='10')
             CREATE STREAM Kept (n BIGINT, symbol STRING);
             INSERT INTO Kept SELECT * FROM Ticks;",
            dir.join("log").display()
        ),
    )
    .unwrap();
    let mut child = bin()
        .arg("run")
        .arg(&app)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let complete = |d: &Path| {
        all_files(d)
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "bin"))
            .count()
    };
    let log = dir.join("log");
    assert!(wait_until(Duration::from_secs(20), || log.exists()
        && complete(&log) >= 4));
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    let files = all_files(&log);
    let mut next = 0i64;
    for p in &files {
        let in_progress = p.extension().is_some_and(|e| e == "inprogress");
        let mut reader = match BinaryReader::open(p) {
            Ok(r) => r,
            // The active file may hold less than its header when the writer dies.
            Err(ReadError::Truncated { records: 0, .. }) if in_progress => continue,
            Err(e) => panic!("{}: {e}", p.display()),
        };
        loop {
            match reader.next_record() {
                Ok(Some(r)) => {
                    let row = codec::decode_row(&r.payload).unwrap();
                    // Rotation loses nothing: the sequence runs on across files.
                    assert_eq!(row[0], Value::Long(next), "{}", p.display());
                    next += 1;
                }
                Ok(None) => break,
                Err(ReadError::Truncated { offset, records }) => {
                    assert!(in_progress, "a complete file is cut: {}", p.display());
                    assert_eq!(records, reader.records());
                    assert!(offset > 0);
                    break;
                }
                Err(e) => panic!("{}: {e}", p.display()),
            }
        }
    }
    assert!(next > 1000, "read {next} records");
    assert!(
        files
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "inprogress"))
            .count()
            <= 1
    );
    // The CLI reads the active file too and says where it stopped, if it is cut.
    if let Some(active) = files
        .iter()
        .find(|p| p.extension().is_some_and(|e| e == "inprogress"))
    {
        let o = bin().arg("read").arg(active).output().unwrap();
        assert!(o.status.success());
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.is_empty() || err.contains("ends inside a record at byte"),
            "{err}"
        );
    }
    std::fs::remove_dir_all(dir).unwrap();
}

fn archive_app(dir: &Path, compression: &str) -> String {
    format!(
        "CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT, ip STRING);
         @sink(type='binary', path='{}', rotation.max.bytes='4096', compression='{compression}', batch.size='64',
               partition.by='symbol', address.attribute='ip')
         CREATE STREAM Archived (symbol STRING, price DOUBLE, volume INT, ip STRING);
         @sink(type='file', path='{}', rotation='hourly', compression='{compression}',
               @map(type='csv', header='true'))
         CREATE STREAM Lines (symbol STRING, price DOUBLE, volume INT, ip STRING);
         INSERT INTO Archived SELECT * FROM Trades;
         INSERT INTO Lines SELECT * FROM Trades;",
        dir.join("bin").display(),
        dir.join("text").display()
    )
}

fn trade(i: i32) -> Vec<Value> {
    vec![
        Value::from(["IBM", "WSO2", "../x"][i as usize % 3]),
        Value::Double(i as f64 + 0.5),
        Value::Int(i),
        Value::from(if i % 2 == 0 {
            "10.0.0.7"
        } else {
            "2001:db8::1"
        }),
    ]
}

fn run_archive(dir: &Path, compression: &str, n: i32) {
    let app = Engine::new()
        .compile(&archive_app(dir, compression))
        .unwrap();
    app.start().unwrap();
    let input = app.input("Trades").unwrap();
    for chunk in (0..n).collect::<Vec<_>>().chunks(100) {
        input
            .send_batch(chunk.iter().map(|i| trade(*i)).collect())
            .unwrap();
    }
    let stats = app.shutdown().unwrap();
    assert!(!stats.failed(), "{stats:?}");
}

#[test]
fn binary_and_text_archives_read_back_exactly_plain_and_lz4() {
    let lz4 = peer_available("lz4", Command::new("lz4").arg("--version"));
    for compression in ["none", "lz4"] {
        let dir = temp_dir(&format!("archive-{compression}"));
        let n = 3000;
        run_archive(&dir, compression, n);
        // Binary: partitioned, rotated, every record with its address.
        let files = log_files(&dir.join("bin")).unwrap();
        assert!(files.len() > 3);
        let mut by_volume = std::collections::BTreeMap::new();
        for f in &files {
            let partition = f
                .strip_prefix(dir.join("bin"))
                .unwrap()
                .iter()
                .next()
                .unwrap();
            assert!(
                ["IBM", "WSO2", "___x"].contains(&partition.to_str().unwrap()),
                "{f:?}"
            );
            for r in BinaryReader::open(f).unwrap() {
                let r = r.unwrap();
                let row = codec::decode_row(&r.payload).unwrap();
                let Value::Int(v) = row[2] else { panic!() };
                let expected_ip = if v % 2 == 0 {
                    "10.0.0.7"
                } else {
                    "2001:db8::1"
                };
                assert_eq!(r.address_text(), expected_ip);
                by_volume.insert(v, row);
            }
        }
        assert_eq!(by_volume.len(), n as usize);
        for (v, row) in &by_volume {
            assert_eq!(row, &trade(*v));
        }
        // `eventflux read --json` agrees.
        let o = bin()
            .args(["read", "--json"])
            .arg(&files[0])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let first: serde_json::Value =
            serde_json::from_str(String::from_utf8_lossy(&o.stdout).lines().next().unwrap())
                .unwrap();
        assert!(first["data"]["symbol"].is_string() && first["address"].is_string());
        // Text: one hourly file, csv header once, every line whole.
        let text = all_files(&dir.join("text"));
        assert_eq!(text.len(), 1, "{text:?}");
        let body = if compression == "lz4" {
            if !lz4 {
                continue;
            }
            let o = Command::new("lz4")
                .args(["-dc"])
                .arg(&text[0])
                .output()
                .unwrap();
            assert!(o.status.success());
            String::from_utf8(o.stdout).unwrap()
        } else {
            std::fs::read_to_string(&text[0]).unwrap()
        };
        let lines: Vec<&str> = body.lines().collect();
        assert_eq!(lines[0], "symbol,price,volume,ip");
        assert_eq!(lines.len(), n as usize + 1);
        assert_eq!(lines[1], "IBM,0.5,0,10.0.0.7");
        std::fs::remove_dir_all(dir).unwrap();
    }
}

#[test]
fn the_binary_source_replays_an_archive_into_a_stream() {
    let dir = temp_dir("replay");
    run_archive(&dir, "lz4", 900);
    let app = Engine::new()
        .compile(&format!(
            "@source(type='binary', path='{}')
             CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT, ip STRING);",
            dir.join("bin").display()
        ))
        .unwrap();
    let sub = app.subscribe("Trades").unwrap();
    app.start().unwrap();
    let mut got = Vec::new();
    assert!(wait_until(Duration::from_secs(10), || {
        got.extend(sub.drain());
        got.len() >= 900
    }));
    app.shutdown().unwrap();
    let mut rows: Vec<Vec<Value>> = got.iter().map(|e| e.data.to_vec()).collect();
    rows.sort_by_key(|r| match r[2] {
        Value::Int(v) => v,
        _ => -1,
    });
    assert_eq!(rows, (0..900).map(trade).collect::<Vec<_>>());
    // A stream whose attributes do not match is told which one.
    let wrong = Engine::new()
        .compile(&format!(
            "@source(type='binary', path='{}', error.strategy='dlq', error.dlq.stream='Bad')
             CREATE STREAM T (symbol STRING, price INT, volume INT, ip STRING);
             CREATE STREAM Bad (error STRING);",
            dir.join("bin").display()
        ))
        .unwrap();
    let bad = wrong.subscribe("Bad").unwrap();
    wrong.start().unwrap();
    let first = bad
        .recv_timeout(Duration::from_secs(10))
        .expect("a decode error");
    wrong.shutdown().unwrap();
    assert!(
        first.get(0).to_string().contains("attribute 'price'"),
        "{:?}",
        first
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_single_lz4_log_appended_by_two_runs_reads_back_whole() {
    let dir = temp_dir("lz4-append");
    let path = dir.join("trades.bin.lz4");
    for run in 0..2 {
        let app = Engine::new()
            .compile(&format!(
                "@sink(type='binary', path='{}', compression='lz4')
                 CREATE STREAM T (n INT);",
                path.display()
            ))
            .unwrap();
        app.start().unwrap();
        let input = app.input("T").unwrap();
        for i in 0..5 {
            input.send(vec![Value::Int(run * 5 + i)]).unwrap();
        }
        app.shutdown().unwrap();
    }
    let values: Vec<Value> = read_all(&path)
        .into_iter()
        .map(|(_, r)| r[0].clone())
        .collect();
    assert_eq!(values, (0..10).map(Value::Int).collect::<Vec<_>>());
    if peer_available("lz4", Command::new("lz4").arg("--version")) {
        let o = Command::new("lz4").arg("-dc").arg(&path).output().unwrap();
        assert!(o.status.success());
        assert!(o.stdout.starts_with(b"EFLXBIN1"));
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_binary_source_can_keep_the_recorded_timestamps() {
    let dir = temp_dir("replay-ts");
    let path = dir.join("log.bin");
    let writer = Engine::new()
        .compile(&format!(
            "@sink(type='binary', path='{}')
             CREATE STREAM T (n INT);",
            path.display()
        ))
        .unwrap();
    writer.start().unwrap();
    let input = writer.input("T").unwrap();
    for i in 0..50 {
        input
            .send_at(1_000_000 + i as i64 * 10, vec![Value::Int(i)])
            .unwrap();
    }
    writer.shutdown().unwrap();
    let replay = Engine::new()
        .compile(&format!(
            "@source(type='binary', path='{}', timestamps='recorded')
             CREATE STREAM T (n INT);",
            path.display()
        ))
        .unwrap();
    let sub = replay.subscribe("T").unwrap();
    replay.start().unwrap();
    let mut got = Vec::new();
    assert!(wait_until(Duration::from_secs(10), || {
        got.extend(sub.drain());
        got.len() >= 50
    }));
    replay.shutdown().unwrap();
    let ts: Vec<i64> = got.iter().map(|e| e.ts).collect();
    assert_eq!(ts, (0..50).map(|i| 1_000_000 + i * 10).collect::<Vec<_>>());
    let err = Engine::new()
        .compile(&format!(
            "@source(type='binary', path='{}', timestamps='recorded', @map(type='json'))
             CREATE STREAM T (n INT);",
            path.display()
        ))
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("needs the binary format"), "{err}");
    std::fs::remove_dir_all(dir).unwrap();
}

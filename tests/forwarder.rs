//! The forwarder between two `eventflux run` processes: the receiver is killed with SIGKILL
//! mid-stream and restarted, and every event still arrives (duplicates allowed and counted).

mod common;

use common::*;
use eventflux::{Engine, Value};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

fn run_app(path: &Path, log: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_eventflux"))
        .arg("run")
        .arg(path)
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(log)
                .unwrap(),
        )
        .spawn()
        .unwrap()
}

fn ids_in(file: &Path) -> BTreeMap<i64, usize> {
    let mut counts = BTreeMap::new();
    for line in lines(file) {
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        *counts.entry(v["id"].as_i64().unwrap()).or_insert(0) += 1;
    }
    counts
}

#[test]
fn no_event_is_lost_when_the_receiver_is_killed_and_restarted() {
    let dir = temp_dir("forwarder");
    let port = free_port();
    let received = dir.join("received.jsonl");
    let receiver = dir.join("receiver.sql");
    std::fs::write(
        &receiver,
        format!(
            "@source(type='forwarder', host='127.0.0.1', port='{port}', auth.token='s3cret')
             CREATE STREAM Ticks (id BIGINT, symbol STRING);
             @sink(type='file', path='{}')
             CREATE STREAM Kept (id BIGINT, symbol STRING);
             INSERT INTO Kept SELECT * FROM Ticks;",
            received.display()
        ),
    )
    .unwrap();
    let sender = dir.join("sender.sql");
    let n = 6000;
    std::fs::write(
        &sender,
        format!(
            "@source(type='datagen', rate='3000', count='{n}')
             CREATE STREAM Gen (id BIGINT, symbol STRING);
             @sink(type='forwarder', host='127.0.0.1', port='{port}', auth.token='s3cret',
                   compression='lz4', reconnect.delay.ms='50', reconnect.max.delay.ms='300',
                   batch.size='200', ack.timeout.ms='2000')
             CREATE STREAM Ticks (id BIGINT, symbol STRING);
             INSERT INTO Ticks SELECT * FROM Gen;"
        ),
    )
    .unwrap();
    let log = dir.join("log.txt");
    let mut first = run_app(&receiver, &log);
    assert!(wait_until(Duration::from_secs(10), || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    }));
    let mut send = run_app(&sender, &log);
    assert!(wait_until(Duration::from_secs(20), || ids_in(&received)
        .len()
        > 1500));
    first.kill().unwrap(); // SIGKILL, mid-stream
    first.wait().unwrap();
    let before = ids_in(&received).len();
    std::thread::sleep(Duration::from_millis(500));
    let mut second = run_app(&receiver, &log);
    let status = send.wait().unwrap();
    assert!(
        status.success(),
        "sender failed; log:\n{}",
        std::fs::read_to_string(&log).unwrap()
    );
    Command::new("kill")
        .arg(second.id().to_string())
        .status()
        .unwrap(); // SIGTERM: clean stop
    second.wait().unwrap();
    let counts = ids_in(&received);
    let missing: Vec<i64> = (0..n).filter(|i| !counts.contains_key(i)).collect();
    assert!(
        missing.is_empty(),
        "{} ids lost, e.g. {:?}",
        missing.len(),
        &missing[..missing.len().min(10)]
    );
    assert!(before < n as usize, "the kill happened before the end");
    let duplicates: usize = counts.values().map(|c| c - 1).sum();
    eprintln!("receiver killed after {before} events; {duplicates} duplicates after the restart");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_sender_with_the_wrong_token_is_refused_into_its_dlq() {
    let port = free_port();
    let receiver = Engine::new()
        .compile(&format!(
            "@source(type='forwarder', host='127.0.0.1', port='{port}', auth.token='right')
             CREATE STREAM Ticks (id BIGINT, symbol STRING);"
        ))
        .unwrap();
    let got = receiver.subscribe("Ticks").unwrap();
    receiver.start().unwrap();
    let sender = Engine::new()
        .compile(&format!(
            "@sink(type='forwarder', host='127.0.0.1', port='{port}', auth.token='wrong',
                   error.strategy='dlq', error.dlq.stream='Refused')
             CREATE STREAM Ticks (id BIGINT, symbol STRING);
             CREATE STREAM Refused (id BIGINT, error STRING);"
        ))
        .unwrap();
    let refused = sender.subscribe("Refused").unwrap();
    sender.start().unwrap();
    sender
        .input("Ticks")
        .unwrap()
        .send(vec![Value::Long(1), Value::from("x")])
        .unwrap();
    let dead = refused
        .recv_timeout(Duration::from_secs(10))
        .expect("a refusal");
    assert!(
        dead.get(1).to_string().contains("wrong auth.token"),
        "{dead:?}"
    );
    sender.shutdown().unwrap();
    receiver.shutdown().unwrap();
    assert!(got.drain().is_empty());
}

/// Reads one frame (`len:u32 LE · kind · body`) from a raw socket.
fn read_raw_frame(s: &mut std::net::TcpStream) -> std::io::Result<(u8, Vec<u8>)> {
    use std::io::Read;
    let mut len = [0u8; 4];
    s.read_exact(&mut len)?;
    let mut frame = vec![0u8; u32::from_le_bytes(len) as usize];
    s.read_exact(&mut frame)?;
    Ok((frame[0], frame[1..].to_vec()))
}

/// A socket that never says HELLO holds its slot only until handshake.timeout.ms; while it
/// holds the only slot a further sender is told "busy" (not refused for good), and a real
/// sender gets through once the slot is free.
#[test]
fn silent_senders_time_out_and_senders_past_the_cap_are_told_busy() {
    let port = free_port();
    let receiver = Engine::new()
        .compile(&format!(
            "@source(type='forwarder', port='{port}', max.connections='1',
                     handshake.timeout.ms='500')
             CREATE STREAM Ticks (id BIGINT, symbol STRING);"
        ))
        .unwrap_or_else(|e| panic!("{e}"));
    let got = receiver.subscribe("Ticks").unwrap();
    receiver.start().unwrap();
    let connect = || {
        for _ in 0..200 {
            if let Ok(s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
                s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
                return s;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("nothing listens on {port}");
    };
    let mut silent = connect();
    std::thread::sleep(Duration::from_millis(100));
    let mut extra = connect();
    let (kind, why) = read_raw_frame(&mut extra).expect("an answer to the sender past the cap");
    assert_eq!(kind, 6, "BUSY: {}", String::from_utf8_lossy(&why));
    assert!(String::from_utf8_lossy(&why).contains("max.connections"));
    // The silent one is closed at its handshake deadline.
    let mut byte = [0u8; 1];
    let closed = std::io::Read::read(&mut silent, &mut byte);
    assert!(
        matches!(&closed, Ok(0))
            || matches!(&closed, Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset),
        "the silent socket is still open: {closed:?}"
    );
    let sender = Engine::new()
        .compile(&format!(
            "@sink(type='forwarder', host='127.0.0.1', port='{port}')
             CREATE STREAM Ticks (id BIGINT, symbol STRING);"
        ))
        .unwrap();
    sender.start().unwrap();
    sender
        .input("Ticks")
        .unwrap()
        .send(vec![Value::Long(1), Value::from("x")])
        .unwrap();
    let e = got
        .recv_timeout(Duration::from_secs(10))
        .expect("the event");
    assert_eq!(e.data[0], Value::Long(1));
    sender.shutdown().unwrap();
    receiver.shutdown().unwrap();
}

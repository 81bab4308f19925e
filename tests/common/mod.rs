//! Helpers for tests that drive real peers (Python servers and clients, curl) on loopback.
#![allow(dead_code)]

pub mod api;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Whether the peer a test needs is here. Under CI=true a missing peer fails the test; elsewhere
/// the test says so and skips.
pub fn peer_available(what: &str, check: &mut Command) -> bool {
    let ok = check
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !ok {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("{what} is missing; scripts/test.sh installs it");
        }
        eprintln!("SKIPPED: {what} is missing (run scripts/test.sh to install it)");
    }
    ok
}

pub fn python_module(module: &str) -> bool {
    peer_available(
        &format!("python3 with the '{module}' package"),
        Command::new("python3").args(["-c", &format!("import {module}")]),
    )
}

/// A port that was free a moment ago.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "eventflux-{tag}-{}-{}",
        std::process::id(),
        fastrand::u64(..)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn peer_script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/peers")
        .join(name)
}

/// A peer process, killed when dropped.
pub struct Peer {
    pub child: Child,
}

impl Peer {
    /// Starts `python3 tests/peers/SCRIPT ARGS` and waits for it to print READY.
    pub fn python(script: &str, args: &[&str]) -> Peer {
        let child = Command::new("python3")
            .arg("-u")
            .arg(peer_script(script))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("starting python3");
        Peer::ready_child(child)
    }

    /// Waits for a started peer to print READY.
    pub fn ready_child(mut child: Child) -> Peer {
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            if let Some(Ok(line)) = lines.next() {
                let _ = tx.send(line);
            }
            for _ in lines {}
        });
        match rx.recv_timeout(Duration::from_secs(20)) {
            Ok(line) if line.trim() == "READY" => Peer { child },
            other => {
                let _ = child.kill();
                panic!("peer did not become ready: {other:?}");
            }
        }
    }

    /// Kills the peer at once (SIGKILL), as a crash would.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Waits for the peer to exit by itself; returns whether it succeeded.
    pub fn wait(&mut self, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.success();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Polls `done` until it holds or `limit` passes; returns whether it held.
pub fn wait_until(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if done() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The lines of a file (none when it does not exist yet).
pub fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .map(|s| s.lines().map(str::to_string).collect())
        .unwrap_or_default()
}

/// Shows the engine's log (RUST_LOG) in a failing test's output.
pub fn init_logs() {
    let _ = env_logger::builder().is_test(true).try_init();
}

/// Attribute `i` of an event, which must be a BIGINT.
pub fn long(e: &eventflux::Event, i: usize) -> i64 {
    match e.get(i) {
        eventflux::Value::Long(v) => *v,
        other => panic!("attribute {i} is {other:?}"),
    }
}

/// Attribute `i` of an event, which must be a DOUBLE.
pub fn double(e: &eventflux::Event, i: usize) -> f64 {
    match e.get(i) {
        eventflux::Value::Double(v) => *v,
        other => panic!("attribute {i} is {other:?}"),
    }
}

/// Attribute `i` as text: a STRING's value, anything else debug-printed.
pub fn text(e: &eventflux::Event, i: usize) -> String {
    match e.get(i) {
        eventflux::Value::String(s) => s.to_string(),
        other => format!("{other:?}"),
    }
}

/// The BYTES attribute `i` of `events`, joined in order.
pub fn joined_bytes<'a>(
    events: impl IntoIterator<Item = &'a eventflux::Event>,
    i: usize,
) -> Vec<u8> {
    events
        .into_iter()
        .flat_map(|e| match e.get(i) {
            eventflux::Value::Bytes(b) => b.to_vec(),
            _ => Vec::new(),
        })
        .collect()
}

pub fn ffmpeg_available() -> bool {
    peer_available(
        "ffmpeg",
        Command::new("ffmpeg").args(["-hide_banner", "-version"]),
    )
}

/// What ffmpeg makes of `stream` in `format` (`h264`, `hevc`, `mjpeg`, `obu`, ...): the frames
/// it decodes, and what it said on stderr (its errors).
pub fn ffmpeg_decode_stream(format: &str, stream: Vec<u8>) -> (usize, String) {
    let mut c = Command::new("ffmpeg")
        .args([
            "-hide_banner",
            "-loglevel",
            "error",
            "-f",
            format,
            "-i",
            "-",
        ])
        .args(["-f", "framemd5", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting ffmpeg");
    let mut stdin = c.stdin.take().unwrap();
    let writer = std::thread::spawn(move || std::io::Write::write_all(&mut stdin, &stream));
    let out = c.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    let frames = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.starts_with('#'))
        .count();
    (frames, String::from_utf8_lossy(&out.stderr).into_owned())
}

/// Waits until something (a source started on its own runtime) holds UDP `port`.
pub fn wait_for_udp_listener(port: u16) {
    assert!(
        wait_until(Duration::from_secs(5), || std::net::UdpSocket::bind((
            "127.0.0.1",
            port
        ))
        .is_err()),
        "nothing listens on udp {port}"
    );
}

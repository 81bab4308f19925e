//! Video through the engine: `cargo bench --bench video`.
//!
//! An in-process MJPEG camera serves distinct JPEGs at 30 fps; the app pulls them with the
//! `mjpeg` source and serves them with the `mjpeg` sink (and, in the RTSP runs, an `rtsp` sink).
//! Viewers run in a child process (this binary with `--viewers`), so the CPU figures are the
//! engine's (plus the camera, which only writes prepared bytes). Each frame carries its send
//! time in a JPEG comment segment, so viewers measure camera -> app -> viewer latency.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const FPS: u64 = 30;
const SECONDS: u64 = 6;

fn now_us() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_micros() as u64
}

/// A test picture of the given size as a baseline 4:2:0 JPEG.
fn picture(w: u16, h: u16) -> Vec<u8> {
    let mut px = Vec::with_capacity(w as usize * h as usize * 3);
    for y in 0..h as usize {
        for x in 0..w as usize {
            px.extend_from_slice(&[
                (x * 255 / w as usize) as u8,
                (y * 255 / h as usize) as u8,
                ((x ^ y) & 0xFF) as u8,
            ]);
        }
    }
    let mut out = Vec::new();
    let mut enc = jpeg_encoder::Encoder::new(&mut out, 80);
    enc.set_sampling_factor(jpeg_encoder::SamplingFactor::R_4_2_0);
    enc.encode(&px, w, h, jpeg_encoder::ColorType::Rgb).unwrap();
    out
}

/// The picture with a COM segment holding `stamp` right after SOI.
fn stamped(jpeg: &[u8], stamp: u64) -> Vec<u8> {
    let text = format!("t={stamp:020}");
    let mut out = Vec::with_capacity(jpeg.len() + 32);
    out.extend_from_slice(&jpeg[..2]);
    out.extend_from_slice(&[0xFF, 0xFE]);
    out.extend_from_slice(&((text.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(text.as_bytes());
    out.extend_from_slice(&jpeg[2..]);
    out
}

fn stamp_of(frame: &[u8]) -> Option<u64> {
    let at = frame.windows(2).position(|w| w == b"t=")?;
    std::str::from_utf8(frame.get(at + 2..at + 22)?)
        .ok()?
        .parse()
        .ok()
}

/// Serves an endless MJPEG stream at FPS to one client.
fn camera(jpeg: Vec<u8>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut req = [0u8; 2048];
        let _ = s.read(&mut req);
        let _ = s.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: multipart/x-mixed-replace;boundary=cam\r\n\r\n",
        );
        let start = Instant::now();
        for n in 0u64.. {
            let due = start + Duration::from_micros(n * 1_000_000 / FPS);
            if let Some(wait) = due.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
            let frame = stamped(&jpeg, now_us());
            let head = format!(
                "--cam\r\nContent-Type: image/jpeg\r\nContent-Length: {}\r\n\r\n",
                frame.len()
            );
            if s.write_all(head.as_bytes())
                .and_then(|_| s.write_all(&frame))
                .and_then(|_| s.write_all(b"\r\n"))
                .is_err()
            {
                return;
            }
        }
    });
    port
}

fn cpu_seconds() -> f64 {
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage writes into the struct we own.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
    let t = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
    t(u.ru_utime) + t(u.ru_stime)
}

/// Child mode: `n` viewers of `url` for `secs`; prints frames received and latencies (us).
fn viewers(url: &str, n: usize, secs: u64) {
    let addr = url.trim_start_matches("http://");
    let (host, path) = addr.split_once('/').unwrap();
    let handles: Vec<_> = (0..n)
        .map(|_| {
            let (host, path) = (host.to_string(), path.to_string());
            std::thread::spawn(move || {
                let mut s = TcpStream::connect(&host).unwrap();
                write!(s, "GET /{path} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
                s.set_read_timeout(Some(Duration::from_millis(200)))
                    .unwrap();
                let end = Instant::now() + Duration::from_secs(secs);
                let mut buf = vec![0u8; 1 << 20];
                let mut pending: Vec<u8> = Vec::new();
                let (mut frames, mut lat) = (0u64, Vec::new());
                while Instant::now() < end {
                    let Ok(k) = s.read(&mut buf) else { continue };
                    if k == 0 {
                        break;
                    }
                    pending.extend_from_slice(&buf[..k]);
                    // Each frame holds exactly one stamp; count stamps as frames.
                    while let Some(at) = pending.windows(2).position(|w| w == b"t=") {
                        if pending.len() < at + 22 {
                            break;
                        }
                        if let Some(t) = stamp_of(&pending[at..]) {
                            lat.push(now_us().saturating_sub(t));
                            frames += 1;
                        }
                        pending.drain(..at + 22);
                    }
                    if pending.len() > 4 << 20 {
                        pending.clear();
                    }
                }
                (frames, lat)
            })
        })
        .collect();
    let mut frames = 0;
    let mut lat = Vec::new();
    for h in handles {
        let (f, l) = h.join().unwrap();
        frames += f;
        lat.extend(l);
    }
    lat.sort_unstable();
    let pct = |p: f64| {
        lat.get(((lat.len() as f64 * p) as usize).min(lat.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0)
    };
    println!("{frames} {} {}", pct(0.5), pct(0.99));
}

fn run(label: &str, w: u16, h: u16, viewer_count: usize, with_rtsp: bool) {
    let jpeg = picture(w, h);
    let cam = camera(jpeg.clone());
    let (http, rtsp) = (free_port(), free_port());
    let rtsp_sink = if with_rtsp {
        format!("@sink(type='rtsp', host='127.0.0.1', port='{rtsp}', path='/live')\n")
    } else {
        String::new()
    };
    let app = eventflux::Engine::new()
        .compile(&format!(
            "@source(type='mjpeg', url='http://127.0.0.1:{cam}/cam')
             CREATE STREAM Cam (frame BYTES);
             @sink(type='mjpeg', host='127.0.0.1', port='{http}', path='/live', max.viewers='100')
             {rtsp_sink}CREATE STREAM Out (frame BYTES);
             INSERT INTO Out SELECT frame FROM Cam;"
        ))
        .unwrap();
    app.start().unwrap();
    std::thread::sleep(Duration::from_millis(500));
    let child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--viewers",
            &format!("http://127.0.0.1:{http}/live"),
            &viewer_count.to_string(),
            &SECONDS.to_string(),
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let (cpu0, t0) = (cpu_seconds(), Instant::now());
    let out = child.wait_with_output().unwrap();
    let (cpu, wall) = (cpu_seconds() - cpu0, t0.elapsed().as_secs_f64());
    app.shutdown().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let v: Vec<u64> = text
        .split_whitespace()
        .filter_map(|x| x.parse().ok())
        .collect();
    let (frames, p50, p99) = (v[0], v[1], v[2]);
    println!(
        "| {label} {w}x{h} ({} KB) | {viewer_count} | {:.1} | {:.1}% | {:.1} ms | {:.1} ms |",
        jpeg.len() / 1024,
        frames as f64 / viewer_count as f64 / wall,
        cpu / wall * 100.0,
        p50 as f64 / 1000.0,
        p99 as f64 / 1000.0
    );
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--viewers") {
        viewers(
            &args[i + 1],
            args[i + 2].parse().unwrap(),
            args[i + 3].parse().unwrap(),
        );
        return;
    }
    println!("camera at {FPS} fps, {SECONDS} s per run; CPU = the engine process (source, sinks, camera) as % of one core");
    println!("| stream | viewers | fps per viewer | CPU | latency p50 | latency p99 |");
    println!("|---|---|---|---|---|---|");
    for (w, h) in [(640, 480), (1920, 1080)] {
        for viewers in [1, 50] {
            run("mjpeg -> mjpeg", w, h, viewers, false);
        }
        run("mjpeg -> mjpeg + rtsp (no rtsp client)", w, h, 1, true);
    }
}

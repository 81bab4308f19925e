//! Live ingest: `cargo bench --bench ingest`.
//!
//! 1. RTP H.264 depacketizing on one core: packets ffmpeg sent (720p at about 4 Mbit/s,
//!    captured once) replayed through the reorder buffer and frame assembler, restamped each
//!    round: packets/s and frames/s.
//! 2. SRT: `STREAMS` callers (default 25) push a pre-encoded 720p TS at about 4 Mbit/s each
//!    (`ffmpeg -re -stream_loop -1 -c copy`, no encoding while measuring) into the `srt` source
//!    for `SECONDS` (default 60): engine CPU per stream, frames received against frames sent,
//!    TS packets lost, resident memory.
//!
//! `INGEST_STREAMS` and `INGEST_SECONDS` change the SRT run.

use bytes::Bytes;
use eventflux::media::nal::NalFormat;
use eventflux::media::reorder::{Reorder, ReorderConfig};
use eventflux::media::rtp::read_packet;
use eventflux::media::video_frames::FrameAssembler;
use std::net::UdpSocket;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn cpu_seconds() -> f64 {
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage writes into the struct we own.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
    let t = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
    t(u.ru_utime) + t(u.ru_stime)
}

fn rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Captures the RTP packets of `frames` frames of 720p H.264 sent by ffmpeg.
fn capture_rtp(frames: u32) -> Vec<Vec<u8>> {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket
        // A cold ffmpeg can take a few seconds to load libx264 before its first packet.
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let port = socket.local_addr().unwrap().port();
    let mut ffmpeg = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i"])
        .arg("testsrc=size=1280x720:rate=25")
        .args(["-frames:v", &frames.to_string(), "-pix_fmt", "yuv420p"])
        .args([
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-b:v",
            "4M",
            "-g",
            "50",
        ])
        .args(["-f", "rtp"])
        .arg(format!("rtp://127.0.0.1:{port}?pkt_size=1200"))
        .stdout(Stdio::null())
        .spawn()
        .expect("ffmpeg");
    let mut packets = Vec::new();
    // Packets stop for good when ffmpeg has sent its last frame.
    let mut buf = [0u8; 2048];
    while let Ok(n) = socket.recv(&mut buf) {
        packets.push(buf[..n].to_vec());
    }
    let _ = ffmpeg.wait();
    packets
}

fn depacketize_bench() {
    let packets = capture_rtp(250);
    let parsed: Vec<(eventflux::media::rtp::RtpHeader, Bytes)> = packets
        .iter()
        .map(|p| {
            let (h, payload) = read_packet(p).unwrap();
            (h, Bytes::copy_from_slice(payload))
        })
        .collect();
    let rounds = 40u32;
    let mut reorder = Reorder::new(ReorderConfig::default());
    let mut assembler = FrameAssembler::new(NalFormat::H264);
    let (mut released, mut frames) = (Vec::new(), Vec::new());
    let (mut seq, mut frames_out, mut bytes) = (0u16, 0u64, 0u64);
    let span = parsed
        .last()
        .unwrap()
        .0
        .timestamp
        .wrapping_sub(parsed[0].0.timestamp)
        + 3600;
    let start = Instant::now();
    for round in 0..rounds {
        for (h, payload) in &parsed {
            let mut h = *h;
            h.sequence = seq;
            h.timestamp = h.timestamp.wrapping_add(span.wrapping_mul(round));
            seq = seq.wrapping_add(1);
            reorder.push(h.sequence, 0, (h, payload.clone()), &mut released);
            for r in released.drain(..) {
                let (h, p) = r.packet;
                assembler.push(h.timestamp, h.marker, &p, r.gap_before, &mut frames);
            }
            for f in frames.drain(..) {
                frames_out += 1;
                bytes += f.data.len() as u64;
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let n = parsed.len() as f64 * f64::from(rounds);
    println!(
        "rtp h264 depacketize (1 core): {:.2} M packets/s, {:.0} frames/s, {:.0} MB/s of frames ({} packets of {} frames per round, {rounds} rounds)",
        n / secs / 1e6,
        frames_out as f64 / secs,
        bytes as f64 / secs / 1e6,
        parsed.len(),
        frames_out / u64::from(rounds),
    );
    assert_eq!(assembler.stats.incomplete, 0);
}

fn srt_bench(streams: usize, seconds: u64) {
    let dir = std::env::temp_dir().join(format!("eventflux-ingest-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ts = dir.join("720p.ts");
    let ok = Command::new("ffmpeg")
        .args([
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
        ])
        // Noise keeps x264 near the target bitrate; a clean test card compresses to < 1 Mbit/s.
        .arg("testsrc2=size=1280x720:rate=25")
        .args(["-vf", "noise=alls=12:allf=t"])
        .args([
            "-t", "20", "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "veryfast",
        ])
        .args([
            "-b:v", "4M", "-maxrate", "4M", "-bufsize", "2M", "-g", "50", "-f", "mpegts",
        ])
        .arg(&ts)
        .status()
        .unwrap()
        .success();
    assert!(ok, "encoding the test TS failed");
    let ts_mbit = std::fs::metadata(&ts).unwrap().len() as f64 * 8.0 / 20.0 / 1e6;
    let port = std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let app = eventflux::Engine::new()
        .compile(&format!(
            "@source(type='srt', host='127.0.0.1', port='{port}', max.connections='{streams}')
             CREATE STREAM Camera (stream_id STRING, keyframe BOOL, bytes INT, data BYTES);"
        ))
        .unwrap();
    let frames = Arc::new(AtomicU64::new(0));
    let f = frames.clone();
    app.subscribe_fn("Camera", move |b| {
        f.fetch_add(b.len() as u64, Ordering::Relaxed);
    })
    .unwrap();
    app.start().unwrap();
    let callers: Vec<_> = (0..streams)
        .map(|i| {
            Command::new("ffmpeg")
                .args(["-hide_banner", "-loglevel", "error", "-re", "-stream_loop", "-1", "-i"])
                .arg(&ts)
                .args(["-c", "copy", "-f", "mpegts"])
                .arg(format!(
                    "srt://127.0.0.1:{port}?mode=caller&pkt_size=1316&latency=200000&streamid=cam{i}"
                ))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    // Let every caller connect before measuring.
    std::thread::sleep(Duration::from_secs(3));
    let (cpu0, frames0, t0) = (
        cpu_seconds(),
        frames.load(Ordering::Relaxed),
        Instant::now(),
    );
    let mut peak_rss: f64 = 0.0;
    while t0.elapsed() < Duration::from_secs(seconds) {
        std::thread::sleep(Duration::from_millis(500));
        peak_rss = peak_rss.max(rss_mb());
    }
    let secs = t0.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu0;
    let got = frames.load(Ordering::Relaxed) - frames0;
    let listed = eventflux::connector::ingest::registry().list();
    let lost: u64 = listed.iter().map(|s| s.lost).sum();
    let bytes: u64 = listed.iter().map(|s| s.bytes).sum();
    for mut c in callers {
        let _ = c.kill();
        let _ = c.wait();
    }
    app.shutdown().unwrap();
    let expected = 25.0 * secs * streams as f64;
    println!(
        "srt: {streams} callers x 720p25 {ts_mbit:.1} Mbit/s for {secs:.0} s: engine CPU {:.1}% of one core in all, {:.2}% per stream; frames {got} of ~{expected:.0} sent ({:.1}%); TS packets lost {lost}; {:.1} Mbit/s received in all; RSS peak {peak_rss:.0} MB; {} streams listed",
        cpu / secs * 100.0,
        cpu / secs * 100.0 / streams as f64,
        got as f64 / expected * 100.0,
        bytes as f64 * 8.0 / 1e6 / (secs + 3.0),
        listed.len()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn main() {
    let streams = std::env::var("INGEST_STREAMS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(25);
    let seconds = std::env::var("INGEST_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60);
    depacketize_bench();
    srt_bench(streams, seconds);
}

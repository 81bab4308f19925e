//! Audio beside video over SRT: ffmpeg (libsrt) pushes a test pattern (libx264 with B-frames)
//! and a sine (AAC) in one MPEG-TS. The source emits the video frames and every AAC frame on
//! the program's one clock; ffmpeg decodes the AAC frames again.

mod common;

use common::*;
use eventflux::{Engine, Event, Value};
use std::process::{Command, Stdio};
use std::time::Duration;

const SECONDS: u32 = 3;
const FPS: u32 = 25;

/// ffmpeg decoding concatenated ADTS frames: (audio frames, samples, its errors).
fn decode_aac(frames: &[&Event]) -> (usize, u64, String) {
    let stream: Vec<u8> = frames
        .iter()
        .flat_map(|e| match e.get(5) {
            Value::Bytes(b) => b.to_vec(),
            _ => Vec::new(),
        })
        .collect();
    let mut c = Command::new("ffprobe")
        .args(["-v", "error", "-f", "aac", "-i", "-"])
        .args(["-show_entries", "frame=nb_samples", "-of", "csv=p=0"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = c.stdin.take().unwrap();
    let writer = std::thread::spawn(move || std::io::Write::write_all(&mut stdin, &stream));
    let out = c.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    let counts: Vec<u64> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect();
    (
        counts.len(),
        counts.iter().sum(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn aac_audio_beside_video_comes_out_frame_by_frame_on_the_programs_clock() {
    init_logs();
    if !ffmpeg_available() {
        return;
    }
    let port = free_port();
    let sql = format!(
        "@source(type='srt', host='127.0.0.1', port='{port}', stats.stream='Health',
                 stats.interval='500 ms')
         CREATE STREAM Media (stream_id STRING, media STRING, codec STRING, pts BIGINT,
                              dts BIGINT, data BYTES, keyframe BOOL);
         CREATE STREAM Health (stream_id STRING, frames BIGINT, audio_frames BIGINT,
                               av_drift_ms DOUBLE, state STRING);"
    );
    let app = Engine::new()
        .compile(&sql)
        .unwrap_or_else(|e| panic!("compile failed:\n{e}"));
    let media = app.subscribe("Media").unwrap();
    let health = app.subscribe("Health").unwrap();
    app.start().unwrap();
    let video = format!("testsrc=size=320x240:rate={FPS}:duration={SECONDS}");
    let audio = format!("sine=frequency=440:sample_rate=48000:duration={SECONDS}");
    let gop = FPS.to_string();
    let url = format!("srt://127.0.0.1:{port}?mode=caller&pkt_size=1316&latency=120000&linger=2");
    let mut ffmpeg = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error"])
        .args(["-re", "-f", "lavfi", "-i", &video])
        .args(["-re", "-f", "lavfi", "-i", &audio])
        .args(["-map", "0:v", "-c:v", "libx264", "-preset", "ultrafast"])
        // No frame threads or lookahead (their latency would show as drift); B-frames kept.
        .args(["-tune", "zerolatency"])
        .args(["-bf", "2", "-g", &gop, "-pix_fmt", "yuv420p"])
        .args(["-map", "1:a", "-c:a", "aac", "-b:a", "128k"])
        // One AAC frame a PES, so audio is not held back in bundles by the muxer.
        .args(["-pes_payload_size", "0", "-f", "mpegts", &url])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting ffmpeg");
    let status = ffmpeg.wait().unwrap();
    let mut err = String::new();
    std::io::Read::read_to_string(&mut ffmpeg.stderr.take().unwrap(), &mut err).unwrap();
    assert!(status.success(), "ffmpeg: {err}");
    let (mut events, mut rows) = (Vec::new(), Vec::new());
    wait_until(Duration::from_secs(10), || {
        events.extend(media.drain());
        rows.extend(health.drain());
        rows.iter().any(|r| text(r, 4) == "closed")
    });
    app.shutdown().unwrap();
    events.extend(media.drain());

    let v: Vec<&Event> = events.iter().filter(|e| text(e, 1) == "video").collect();
    let a: Vec<&Event> = events.iter().filter(|e| text(e, 1) == "audio").collect();
    assert_eq!(v.len(), (SECONDS * FPS) as usize, "every video frame");
    assert!(a
        .iter()
        .all(|e| text(e, 2) == "aac" && e.get(6) == &Value::Bool(true)));
    // 3 s at 48 kHz is 140.6 frames of 1024 samples, plus the encoder's priming frame.
    assert!((141..=143).contains(&a.len()), "{} AAC frames", a.len());
    let (decoded, samples, errors) = decode_aac(&a);
    assert_eq!(decoded, a.len(), "ffprobe reads every frame: {errors}");
    assert_eq!(samples, a.len() as u64 * 1024);
    assert!(errors.is_empty(), "{errors}");
    // One clock: audio frames 1024 samples (21.33 ms) apart, and both media span the same
    // three seconds.
    let apts: Vec<i64> = a.iter().map(|e| long(e, 3)).collect();
    for w in apts.windows(2) {
        assert!((21..=22).contains(&(w[1] - w[0])), "audio pts step {w:?}");
    }
    let vpts: Vec<i64> = v.iter().map(|e| long(e, 3)).collect();
    assert!(
        v.iter().any(|e| long(e, 4) < long(e, 3)),
        "B-frames: some frames decode before they show"
    );
    let (vmin, vmax) = (*vpts.iter().min().unwrap(), *vpts.iter().max().unwrap());
    assert!(
        (apts[0] - vmin).abs() <= 50,
        "first audio {} first video {vmin}",
        apts[0]
    );
    assert!(
        (apts[apts.len() - 1] - vmax).abs() <= 80,
        "last audio {} last video {vmax}",
        apts[apts.len() - 1]
    );
    let closed = rows.iter().find(|r| text(r, 4) == "closed").unwrap();
    assert_eq!(long(closed, 1) as usize, v.len(), "frames: video only");
    assert_eq!(long(closed, 2) as usize, a.len(), "audio_frames");
    let drift = rows
        .iter()
        .filter(|r| text(r, 4) == "live")
        .filter_map(|r| match r.get(3) {
            Value::Double(d) => Some(*d),
            _ => None,
        })
        .next_back()
        .expect("a live row with a drift");
    eprintln!("measured: {} AAC frames, drift {drift:.1} ms", a.len());
    // Arrival lags depend on how fast this machine encodes: quiet, about -16 ms; with a busy
    // CPU x264 falls behind the AAC encoder and the (real) drift grows, -43 ms seen. Where the
    // clocks meet is asserted on the pts above; here the drift must be measured and of the
    // size of a few frames, as an encoder's delay is.
    assert!(
        drift.abs() <= 120.0,
        "drift {drift} ms, more than three frames"
    );
}

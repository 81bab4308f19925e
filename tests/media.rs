//! Video connectors against real peers on loopback: ffmpeg serves an MJPEG camera stream that
//! our `mjpeg` source pulls, and ffmpeg pulls and decodes what our `mjpeg` sink serves.

mod common;

use common::*;
use eventflux::{Engine, Event, Value};
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(30);

fn ffmpeg_available() -> bool {
    peer_available(
        "ffmpeg",
        Command::new("ffmpeg").args(["-hide_banner", "-version"]),
    )
}

fn compile(sql: &str) -> eventflux::App {
    match Engine::new().compile(sql) {
        Ok(app) => app,
        Err(e) => panic!("compile failed:\n{e}"),
    }
}

/// ffmpeg as an MJPEG camera: serves `frames` frames of its test pattern to one client.
fn ffmpeg_camera(port: u16, frames: u32, size: &str) -> std::process::Child {
    Command::new("ffmpeg")
        .args([
            "-hide_banner",
            "-loglevel",
            "error",
            "-re",
            "-f",
            "lavfi",
            "-i",
        ])
        .arg(format!("testsrc=size={size}:rate=25"))
        .args([
            "-frames:v",
            &frames.to_string(),
            "-c:v",
            "mjpeg",
            "-q:v",
            "5",
        ])
        .args(["-f", "mpjpeg", "-listen", "1"])
        .arg(format!("http://127.0.0.1:{port}/cam.mjpg"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting ffmpeg")
}

/// ffmpeg as a viewer: pulls the stream and decodes `frames` frames to nothing.
fn ffmpeg_viewer(url: &str, frames: u32) -> std::process::Child {
    Command::new("ffmpeg")
        .args([
            "-hide_banner",
            "-loglevel",
            "error",
            "-f",
            "mpjpeg",
            "-i",
            url,
        ])
        .args(["-frames:v", &frames.to_string(), "-f", "null", "-"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting ffmpeg")
}

fn int(e: &Event, i: usize) -> i32 {
    match e.get(i) {
        Value::Int(v) => *v,
        other => panic!("attribute {i} is {other:?}"),
    }
}

fn wait_exit(child: &mut std::process::Child, limit: Duration) -> (bool, String) {
    let exited = wait_until(limit, || matches!(child.try_wait(), Ok(Some(_))));
    if !exited {
        let _ = child.kill();
    }
    let ok = exited && child.wait().map(|s| s.success()).unwrap_or(false);
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut err);
    }
    (ok, err)
}

#[test]
fn ffmpeg_camera_through_our_source_and_sink_to_an_ffmpeg_viewer() {
    init_logs();
    if !ffmpeg_available() {
        return;
    }
    let (cam_port, out_port) = (free_port(), free_port());
    let app = compile(&format!(
        "@source(type='mjpeg', url='http://127.0.0.1:{cam_port}/cam.mjpg', processing.factor='2',
                 reconnect.delay.ms='100', reconnect.max.delay.ms='200')
         CREATE STREAM Cam (frame BYTES, frame_number BIGINT, width INT, height INT, url STRING);
         @sink(type='mjpeg', host='127.0.0.1', port='{out_port}', path='/stream')
         CREATE STREAM Out (frame BYTES, frame_number BIGINT);
         INSERT INTO Out SELECT frame, frame_number FROM Cam;"
    ));
    let cam = app.subscribe("Cam").unwrap();
    app.start().unwrap();
    // The viewer connects first and waits for frames; then the camera starts.
    let mut viewer = ffmpeg_viewer(&format!("http://127.0.0.1:{out_port}/stream"), 20);
    std::thread::sleep(Duration::from_millis(500));
    let mut camera = ffmpeg_camera(cam_port, 80, "320x240");
    let mut got: Vec<Event> = Vec::new();
    // 80 frames at factor 2: frames 1, 3, ..., 79.
    assert!(
        wait_until(WAIT, || {
            got.extend(cam.drain());
            got.len() >= 40
        }),
        "the source delivered {} events",
        got.len()
    );
    let (viewer_ok, viewer_err) = wait_exit(&mut viewer, WAIT);
    assert!(
        viewer_ok,
        "ffmpeg could not decode our stream:\n{viewer_err}"
    );
    let (camera_ok, camera_err) = wait_exit(&mut camera, WAIT);
    assert!(camera_ok, "the ffmpeg camera failed:\n{camera_err}");
    std::thread::sleep(Duration::from_millis(200));
    got.extend(cam.drain());
    let stats = app.shutdown().unwrap();
    let numbers: Vec<i64> = got.iter().map(|e| long(e, 1)).collect();
    assert_eq!(numbers, (0..40).map(|i| 2 * i + 1).collect::<Vec<_>>());
    for e in &got {
        assert_eq!((int(e, 2), int(e, 3)), (320, 240));
        match e.get(0) {
            Value::Bytes(b) => assert!(b.starts_with(&[0xFF, 0xD8]) && b.ends_with(&[0xFF, 0xD9])),
            other => panic!("frame is {other:?}"),
        }
        assert_eq!(
            e.get(4),
            &Value::from(format!("http://127.0.0.1:{cam_port}/cam.mjpg").as_str())
        );
    }
    let sink = stats
        .sinks
        .iter()
        .find(|s| s.label.contains("mjpeg"))
        .unwrap();
    assert_eq!(sink.events, 40, "{stats:?}");
    assert_eq!(sink.errors, 0, "{stats:?}");
}

/// A camera that sends a broken part, a part with a wrong Content-Length and junk between
/// parts, written by hand over a socket.
#[test]
fn broken_frames_are_counted_and_skipped_without_losing_the_stream() {
    init_logs();
    if !ffmpeg_available() {
        return;
    }
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let jpeg = test_jpeg();
    let server = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut req = [0u8; 1024];
        let _ = s.read(&mut req);
        let mut body = Vec::new();
        body.extend_from_slice(
            b"HTTP/1.1 200 OK\r\nContent-Type: multipart/x-mixed-replace; boundary=\"--cam\"\r\nConnection: close\r\n\r\n",
        );
        let part = |body: &mut Vec<u8>, data: &[u8], len: Option<usize>| {
            body.extend_from_slice(b"----cam\r\nContent-Type: image/jpeg\r\n");
            if let Some(n) = len {
                body.extend_from_slice(format!("Content-Length: {n}\r\n").as_bytes());
            }
            body.extend_from_slice(b"\r\n");
            body.extend_from_slice(data);
            body.extend_from_slice(b"\r\n");
        };
        part(&mut body, &jpeg, Some(jpeg.len()));
        part(&mut body, b"not a jpeg at all", None);
        body.extend_from_slice(b"\r\n\r\njunk between parts\r\n");
        part(&mut body, &jpeg, Some(jpeg.len() + 7)); // a wrong length
        part(&mut body, &jpeg[..jpeg.len() / 2], None); // cut short
        part(&mut body, &jpeg, None);
        body.extend_from_slice(b"----cam--\r\n");
        let _ = s.write_all(&body);
    });
    let app = compile(&format!(
        "@source(type='mjpeg', url='http://127.0.0.1:{port}/x', reconnect.max.attempts='1',
                 reconnect.delay.ms='50')
         CREATE STREAM Cam (frame_number BIGINT, width INT, content_type STRING);"
    ));
    let cam = app.subscribe("Cam").unwrap();
    app.start().unwrap();
    let mut got = Vec::new();
    assert!(wait_until(WAIT, || {
        got.extend(cam.drain());
        got.len() >= 3
    }));
    server.join().unwrap();
    let stats = app.shutdown().unwrap();
    let numbers: Vec<i64> = got.iter().map(|e| long(e, 0)).collect();
    // Frames 2 and 4 are broken: counted by frame_number, reported, not emitted.
    assert_eq!(numbers, vec![1, 3, 5]);
    assert!(got.iter().all(|e| int(e, 1) == 64));
    assert_eq!(got[0].get(2), &Value::from("image/jpeg"));
    let source = &stats.sources[0];
    assert!(source.errors >= 2, "{stats:?}");
}

/// A 64x48 JPEG of ffmpeg's test pattern.
fn test_jpeg() -> Vec<u8> {
    let o = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i"])
        .args(["testsrc=size=64x48", "-frames:v", "1", "-f", "mjpeg", "-"])
        .output()
        .expect("running ffmpeg");
    assert!(o.status.success() && !o.stdout.is_empty());
    o.stdout
}

#[test]
fn the_sink_serves_a_snapshot_and_a_viewer_page_and_refuses_non_jpegs() {
    init_logs();
    if !ffmpeg_available() {
        return;
    }
    let jpeg = test_jpeg();
    let port = free_port();
    let app = compile(&format!(
        "CREATE STREAM In (img BYTES, note STRING);
         @sink(type='mjpeg', host='127.0.0.1', port='{port}', path='/cam/live', max.viewers='1')
         CREATE STREAM Out (img BYTES, note STRING);
         INSERT INTO Out SELECT img, note FROM In;"
    ));
    app.start().unwrap();
    let get = |path: &str| -> (u16, Vec<u8>) {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut all = Vec::new();
        s.read_to_end(&mut all).unwrap();
        let head_end = all.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        let status: u16 = String::from_utf8_lossy(&all[9..12]).parse().unwrap();
        (status, all[head_end + 4..].to_vec())
    };
    assert_eq!(get("/cam/live/snapshot.jpg").0, 503);
    let input = app.input("In").unwrap();
    input
        .send(vec![Value::Bytes(jpeg.clone().into()), "ok".into()])
        .unwrap();
    input
        .send(vec![Value::Bytes(b"GIF89a".to_vec().into()), "gif".into()])
        .unwrap();
    assert!(wait_until(WAIT, || get("/cam/live/snapshot.jpg").0 == 200));
    let (_, snap) = get("/cam/live/snapshot.jpg");
    assert!(
        snap.ends_with(&jpeg) || snap.windows(jpeg.len()).any(|w| w == &jpeg[..]),
        "the snapshot is the frame"
    );
    let (status, page) = get("/cam/live/view");
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&page).contains("<img src=\"/cam/live\""));
    let stats = app.shutdown().unwrap();
    let sink = &stats.sinks[0];
    assert_eq!((sink.events, sink.errors), (1, 1), "{stats:?}");
}

/// A 320x240 baseline JPEG with the standard Huffman tables, which RTP/JPEG assumes.
fn rtp_jpeg(size: &str) -> Vec<u8> {
    let o = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i"])
        .arg(format!("testsrc=size={size}"))
        .args([
            "-frames:v",
            "1",
            "-c:v",
            "mjpeg",
            "-huffman",
            "0",
            "-pix_fmt",
            "yuvj420p",
        ])
        .args(["-f", "mjpeg", "-"])
        .output()
        .expect("running ffmpeg");
    assert!(o.status.success() && !o.stdout.is_empty());
    o.stdout
}

/// Sends `frame` into `input` at 25 frames a second until `stop` is set.
fn feed_frames(
    input: eventflux::InputHandle,
    frame: Vec<u8>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> std::thread::JoinHandle<u64> {
    std::thread::spawn(move || {
        let frame = bytes::Bytes::from(frame);
        let mut sent = 0;
        while !stop.load(std::sync::atomic::Ordering::Relaxed) {
            let now = chrono::Utc::now().timestamp_millis();
            if input
                .send_at(now, vec![Value::Bytes(frame.clone())])
                .is_err()
            {
                break;
            }
            sent += 1;
            std::thread::sleep(Duration::from_millis(40));
        }
        sent
    })
}

fn ffmpeg_rtsp_decode(url: &str, transport: &str, frames: u32) -> std::process::Child {
    Command::new("ffmpeg")
        .args([
            "-hide_banner",
            "-loglevel",
            "error",
            "-rtsp_transport",
            transport,
        ])
        .args([
            "-i",
            url,
            "-frames:v",
            &frames.to_string(),
            "-f",
            "null",
            "-",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting ffmpeg")
}

#[test]
fn ffmpeg_plays_our_rtsp_video_over_tcp_and_udp_at_once() {
    init_logs();
    if !ffmpeg_available() {
        return;
    }
    let port = free_port();
    let app = compile(&format!(
        "CREATE STREAM In (jpeg BYTES);
         @sink(type='rtsp', host='127.0.0.1', port='{port}', path='/live', media='video')
         CREATE STREAM Out (jpeg BYTES);
         INSERT INTO Out SELECT jpeg FROM In;"
    ));
    app.start().unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let feeder = feed_frames(app.input("In").unwrap(), rtp_jpeg("320x240"), stop.clone());
    let url = format!("rtsp://127.0.0.1:{port}/live");
    for transport in ["tcp", "udp"] {
        let probe = Command::new("ffprobe")
            .args([
                "-hide_banner",
                "-loglevel",
                "error",
                "-rtsp_transport",
                transport,
            ])
            .args([
                "-show_entries",
                "stream=codec_name,width,height",
                "-of",
                "csv=p=0",
            ])
            .arg(&url)
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&probe.stdout).trim(),
            "mjpeg,320,240",
            "ffprobe over {transport}: {}",
            String::from_utf8_lossy(&probe.stderr)
        );
    }
    let mut tcp = ffmpeg_rtsp_decode(&url, "tcp", 50);
    let mut udp = ffmpeg_rtsp_decode(&url, "udp", 50);
    let (tcp_ok, tcp_err) = wait_exit(&mut tcp, WAIT);
    let (udp_ok, udp_err) = wait_exit(&mut udp, WAIT);
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let sent = feeder.join().unwrap();
    assert!(tcp_ok, "ffmpeg over tcp: {tcp_err}");
    assert!(udp_ok, "ffmpeg over udp: {udp_err}");
    let stats = app.shutdown().unwrap();
    let sink = &stats.sinks[0];
    assert_eq!(sink.events, sent, "{stats:?}");
    assert_eq!(sink.errors, 0, "{stats:?}");
}

#[test]
fn ffmpeg_decodes_our_rtsp_l16_audio_sample_for_sample() {
    init_logs();
    if !ffmpeg_available() {
        return;
    }
    let port = free_port();
    let app = compile(&format!(
        "CREATE STREAM In (pcm BYTES);
         @sink(type='rtsp', host='127.0.0.1', port='{port}', path='/audio', media='audio',
               sample.rate='16000', channels='1', packet.ms='20')
         CREATE STREAM Out (pcm BYTES);
         INSERT INTO Out SELECT pcm FROM In;"
    ));
    app.start().unwrap();
    // A 440 Hz sine, 16 kHz mono, little-endian: 100 ms per event.
    let sample = |n: usize| -> i16 {
        ((n as f64 * 440.0 * std::f64::consts::TAU / 16_000.0).sin() * 12_000.0) as i16
    };
    let url = format!("rtsp://127.0.0.1:{port}/audio");
    let dir = temp_dir("rtsp-audio");
    let out = dir.join("audio.raw");
    let mut client = Command::new("ffmpeg")
        .args([
            "-hide_banner",
            "-loglevel",
            "error",
            "-rtsp_transport",
            "tcp",
            "-i",
            &url,
        ])
        .args(["-t", "1", "-f", "s16le", "-acodec", "pcm_s16le"])
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let input = app.input("In").unwrap();
    let mut n = 0usize;
    let deadline = std::time::Instant::now() + WAIT;
    while matches!(client.try_wait(), Ok(None)) && std::time::Instant::now() < deadline {
        let mut pcm = Vec::with_capacity(3200);
        for _ in 0..1600 {
            pcm.extend_from_slice(&sample(n).to_le_bytes());
            n += 1;
        }
        input
            .send_at(
                chrono::Utc::now().timestamp_millis(),
                vec![Value::Bytes(pcm.into())],
            )
            .unwrap();
        std::thread::sleep(Duration::from_millis(100));
    }
    let (ok, err) = wait_exit(&mut client, WAIT);
    assert!(ok, "ffmpeg: {err}");
    app.shutdown().unwrap();
    let raw = std::fs::read(&out).unwrap();
    let got: Vec<i16> = raw
        .chunks_exact(2)
        .map(|c| i16::from_le_bytes([c[0], c[1]]))
        .collect();
    // One second at 16 kHz.
    assert_eq!(got.len(), 16_000);
    // The client joined mid-stream: find where its first sample sits in the sine, then every
    // sample must match exactly (L16 is lossless).
    let offset = (0..n)
        .find(|&k| (0..32).all(|i| sample(k + i) == got[i]))
        .expect("the received samples are not the sine that was sent");
    assert!(got
        .iter()
        .enumerate()
        .all(|(i, &s)| s == sample(offset + i)));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A 64x48 frame, gray 64, with a 32x24 block of gray 240 at `block` (x, y) if any: the
/// camera example's input, made here rather than stored as opaque files.
fn camera_frame(block: Option<(usize, usize)>) -> Vec<u8> {
    let (w, h) = (64usize, 48usize);
    let mut px = vec![64u8; w * h * 3];
    if let Some((bx, by)) = block {
        for y in by..by + 24 {
            for x in bx..bx + 32 {
                px[(y * w + x) * 3..][..3].copy_from_slice(&[240, 240, 240]);
            }
        }
    }
    let mut out = Vec::new();
    let mut enc = jpeg_encoder::Encoder::new(&mut out, 90);
    enc.set_sampling_factor(jpeg_encoder::SamplingFactor::R_4_2_0);
    enc.encode(&px, w as u16, h as u16, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    out
}

/// The replay input of `queries/camera_motion.sql`: every 5th frame of a camera (numbers 1, 6,
/// ...): three still frames, a block appearing, still, the block moving.
fn camera_input() -> String {
    use base64::Engine as _;
    let frames = [None, None, None, Some((0, 0)), Some((0, 0)), Some((32, 24))];
    let mut out = String::new();
    for (i, block) in frames.iter().enumerate() {
        let b64 = base64::engine::general_purpose::STANDARD.encode(camera_frame(*block));
        out.push_str(&format!(
            "{{\"stream\":\"Frames\",\"ts\":{},\"data\":{{\"frame\":\"{b64}\",\"frame_number\":{}}}}}\n",
            i * 200,
            i * 5 + 1
        ));
    }
    out
}

#[test]
fn the_camera_example_input_is_what_this_suite_makes() {
    let path = "queries/camera_motion.input.jsonl";
    if std::env::var("EVENTFLUX_WRITE_FIXTURES").is_ok() {
        std::fs::write(path, camera_input()).unwrap();
    }
    assert_eq!(
        std::fs::read_to_string(path).unwrap(),
        camera_input(),
        "{path} differs from the frames this test makes; rewrite it with EVENTFLUX_WRITE_FIXTURES=1"
    );
}

fn gstreamer_available() -> bool {
    peer_available(
        "GStreamer's RTSP server for Python (gir1.2-gst-rtsp-server-1.0, python3-gi)",
        Command::new("/usr/bin/python3").args([
            "-c",
            "import gi; gi.require_version('GstRtspServer', '1.0'); from gi.repository import GstRtspServer",
        ]),
    )
}

/// GStreamer's RTSP server on `port`, ready to serve.
fn gst_rtsp_server(port: u16) -> Peer {
    let child = Command::new("/usr/bin/python3")
        .arg("-u")
        .arg(peer_script("gst_rtsp.py"))
        .args(["--port", &port.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("starting the GStreamer RTSP server");
    Peer::ready_child(child)
}

fn string(e: &Event, i: usize) -> String {
    match e.get(i) {
        Value::String(s) => s.to_string(),
        other => panic!("attribute {i} is {other:?}"),
    }
}

#[test]
fn our_rtsp_source_reads_gstreamer_jpeg_h264_h265_and_l16_and_survives_a_restart() {
    init_logs();
    if !gstreamer_available() {
        return;
    }
    let port = free_port();
    let mut server = gst_rtsp_server(port);
    let mut sql = String::new();
    for path in ["mjpeg", "h264", "h265", "l16"] {
        let media = if path == "l16" { "audio" } else { "video" };
        sql.push_str(&format!(
            "@source(type='rtsp', url='rtsp://127.0.0.1:{port}/{path}', media='{media}',
                     reconnect.delay.ms='200', reconnect.max.delay.ms='500', idle.timeout.ms='3000')
             CREATE STREAM S_{path} (codec STRING, keyframe BOOL, width INT, height INT, media STRING, data BYTES);\n"
        ));
    }
    let app = compile(&sql);
    let subs: Vec<_> = ["mjpeg", "h264", "h265", "l16"]
        .iter()
        .map(|p| (*p, app.subscribe(&format!("S_{p}")).unwrap()))
        .collect();
    app.start().unwrap();
    let mut got: Vec<Vec<Event>> = vec![Vec::new(); 4];
    let enough = |got: &mut Vec<Vec<Event>>, n: usize| {
        wait_until(WAIT, || {
            for (i, (_, s)) in subs.iter().enumerate() {
                got[i].extend(s.drain());
            }
            got.iter().all(|g| g.len() >= n)
        })
    };
    assert!(
        enough(&mut got, 20),
        "events per track: {:?}",
        got.iter().map(Vec::len).collect::<Vec<_>>()
    );
    let expect = [
        ("jpeg", "video"),
        ("h264", "video"),
        ("hevc", "video"),
        ("l16", "audio"),
    ];
    for (i, (codec, media)) in expect.iter().enumerate() {
        let events = &got[i];
        assert!(events.iter().all(|e| string(e, 0) == *codec), "{codec}");
        assert!(events.iter().all(|e| string(e, 4) == *media), "{codec}");
        if *media == "video" {
            assert!(
                events.iter().all(|e| (int(e, 2), int(e, 3)) == (320, 240)),
                "{codec}"
            );
            assert!(
                events.iter().any(|e| e.get(1) == &Value::Bool(true)),
                "{codec}: no keyframe"
            );
        } else {
            assert!(events.iter().all(|e| e.get(2).is_null()));
        }
    }
    // H.264 and H.265 also send frames that are not keyframes.
    for i in [1, 2] {
        assert!(got[i].iter().any(|e| e.get(1) == &Value::Bool(false)));
    }
    // Kill the server mid-stream and start it again: frames keep coming.
    server.kill();
    std::thread::sleep(Duration::from_millis(500));
    for (_, s) in &subs {
        s.drain();
    }
    let _server = gst_rtsp_server(port);
    let mut after: Vec<Vec<Event>> = vec![Vec::new(); 4];
    assert!(
        enough(&mut after, 10),
        "after the restart: {:?}",
        after.iter().map(Vec::len).collect::<Vec<_>>()
    );
    let stats = app.shutdown().unwrap();
    assert!(
        stats.sources.iter().all(|s| s.errors >= 1),
        "the drop is reported: {stats:?}"
    );
}

#[test]
fn our_rtsp_sink_feeds_our_rtsp_source() {
    init_logs();
    if !ffmpeg_available() {
        return;
    }
    let port = free_port();
    let app = compile(&format!(
        "CREATE STREAM In (jpeg BYTES);
         @sink(type='rtsp', host='127.0.0.1', port='{port}', path='/loop')
         CREATE STREAM Out (jpeg BYTES);
         INSERT INTO Out SELECT jpeg FROM In;
         @source(type='rtsp', url='rtsp://127.0.0.1:{port}/loop', reconnect.delay.ms='100')
         CREATE STREAM Back (codec STRING, width INT, height INT, data BYTES);"
    ));
    let back = app.subscribe("Back").unwrap();
    app.start().unwrap();
    let frame = rtp_jpeg("320x240");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let feeder = feed_frames(app.input("In").unwrap(), frame.clone(), stop.clone());
    let mut got = Vec::new();
    assert!(wait_until(WAIT, || {
        got.extend(back.drain());
        got.len() >= 10
    }));
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    feeder.join().unwrap();
    app.shutdown().unwrap();
    for e in &got {
        assert_eq!(string(e, 0), "jpeg");
        assert_eq!((int(e, 1), int(e, 2)), (320, 240));
        // The frame retina rebuilt decodes like the one we sent.
        let Value::Bytes(b) = e.get(3) else { panic!() };
        assert!(b.starts_with(&[0xFF, 0xD8]) && b.ends_with(&[0xFF, 0xD9]));
    }
}

#[test]
fn the_control_plane_lists_pauses_resumes_and_disconnects_an_rtsp_ingest_stream() {
    use common::api::Api;
    init_logs();
    if !gstreamer_available() {
        return;
    }
    let port = free_port();
    let _gst = gst_rtsp_server(port);
    let app = std::sync::Arc::new(compile(&format!(
        "@app:name('Ingest')
         @source(type='rtsp', url='rtsp://127.0.0.1:{port}/h264', media='video',
                 reconnect.delay.ms='100', reconnect.max.delay.ms='300')
         CREATE STREAM Video (codec STRING, keyframe BOOL, data BYTES);"
    )));
    app.start().unwrap();
    let server = eventflux::server::Server::new(Engine::new())
        .with_app(app.clone())
        .unwrap()
        .serve("127.0.0.1:0")
        .unwrap();
    let api = Api::new(server.address().port());
    let ours = |api: &Api| -> Option<serde_json::Value> {
        api.json("/api/v1/streams")["streams"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["stream"] == "Video")
            .cloned()
    };
    assert!(wait_until(WAIT, || ours(&api)
        .is_some_and(|s| s["video"]["width"] == 320)));
    let s = ours(&api).unwrap();
    assert_eq!(
        (&s["type"], &s["status"]),
        (&serde_json::json!("rtsp"), &serde_json::json!("live")),
        "{s}"
    );
    assert_eq!(s["video"]["codec"], "h264", "{s}");
    assert_eq!(s["video"]["height"], 240, "{s}");
    assert_eq!(s["source"], format!("rtsp://127.0.0.1:{port}/h264"));
    let id = s["id"].as_str().unwrap().to_string();
    assert!(wait_until(WAIT, || {
        let d = api.json(&format!("/api/v1/streams/{id}"));
        d["stats"]["keyframes"].as_u64() >= Some(1) && d["stats"]["bytes"].as_u64() > Some(0)
    }));
    let events = |app: &eventflux::App| {
        app.stats()
            .streams
            .iter()
            .find(|(n, _)| n == "Video")
            .unwrap()
            .1
    };

    // Paused: the connection stays, frames are counted, none is emitted.
    let (status, paused) = api.post(&format!("/api/v1/streams/{id}/pause"), "text/plain", "");
    assert_eq!(
        (status, &paused["status"]),
        (200, &serde_json::json!("paused")),
        "{paused}"
    );
    std::thread::sleep(Duration::from_millis(300));
    let held = events(&app);
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(events(&app), held, "a paused stream emits nothing");
    let d = api.json(&format!("/api/v1/streams/{id}"));
    assert!(d["stats"]["paused_frames"].as_u64() > Some(0), "{d}");

    let (status, _) = api.post(&format!("/api/v1/streams/{id}/resume"), "text/plain", "");
    assert_eq!(status, 200);
    assert!(
        wait_until(WAIT, || events(&app) > held),
        "frames flow again"
    );

    // Disconnect: the source drops the connection and reconnects under a new id.
    let (status, gone) = api.delete(&format!("/api/v1/streams/{id}"));
    assert_eq!(
        (status, &gone["disconnected"]),
        (200, &serde_json::json!(id)),
        "{gone}"
    );
    assert!(wait_until(WAIT, || ours(&api).is_some_and(|s| s["id"] != id.as_str())));
    assert_eq!(api.get(&format!("/api/v1/streams/{id}")).0, 404);
    let metrics = api.get("/metrics").1;
    assert!(
        metrics.contains("eventflux_ingest_frames_total{id=\"rtsp-"),
        "{metrics}"
    );
    let c = &api.json("/api/v1/apps/Ingest/connectors")["connectors"][0];
    assert!(c["counters"]["reconnects"].as_u64() >= Some(1), "{c}");
    drop(server);
    app.shutdown().unwrap();
}

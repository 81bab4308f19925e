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

fn long(e: &Event, i: usize) -> i64 {
    match e.get(i) {
        Value::Long(v) => *v,
        other => panic!("attribute {i} is {other:?}"),
    }
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

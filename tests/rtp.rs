//! The `rtp` source against ffmpeg on loopback: ffmpeg encodes a test pattern with libx264 or
//! libx265 and pushes it as RTP; our source assembles the frames, and ffmpeg decodes them
//! again. A UDP relay in the middle drops and reorders packets.

mod common;

use common::*;
use eventflux::{Engine, Event, Value};
use std::net::UdpSocket;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

const FRAMES: usize = 50;
const GOP: usize = 10;

/// ffmpeg encoding FRAMES frames of 320x240 at 25 fps with a keyframe every GOP frames, sent
/// as RTP to `port`.
fn ffmpeg_sender(codec: &str, port: u16) -> std::process::Child {
    let mut c = Command::new("ffmpeg");
    c.args([
        "-hide_banner",
        "-loglevel",
        "error",
        "-re",
        "-f",
        "lavfi",
        "-i",
    ])
    .arg("testsrc=size=320x240:rate=25")
    .args(["-frames:v", &FRAMES.to_string()])
    .args([
        "-pix_fmt",
        if codec == "jpeg" {
            "yuvj420p"
        } else {
            "yuv420p"
        },
    ]);
    match codec {
        "h264" => c.args([
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-g",
            &GOP.to_string(),
            "-sc_threshold",
            "0",
        ]),
        // RFC 2435 carries only the standard Huffman tables.
        "jpeg" => c.args(["-c:v", "mjpeg", "-q:v", "5", "-huffman", "default"]),
        _ => c.args([
            "-c:v",
            "libx265",
            "-preset",
            "ultrafast",
            "-x265-params",
            &format!("keyint={GOP}:min-keyint={GOP}:scenecut=0:log-level=none"),
        ]),
    };
    c.args(["-f", "rtp"])
        .arg(format!("rtp://127.0.0.1:{port}?pkt_size=1200"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting ffmpeg")
}

fn app(stream: &str, port: u16, extra: &str) -> eventflux::App {
    let sql = format!(
        "@source(type='rtp', host='127.0.0.1', port='{port}', session.timeout.ms='1500'{extra})
         CREATE STREAM {stream} (stream_id STRING, codec STRING, pts BIGINT, keyframe BOOL,
                              frame_type STRING, width INT, height INT, bytes INT, data BYTES,
                              complete BOOL);"
    );
    Engine::new()
        .compile(&sql)
        .unwrap_or_else(|e| panic!("compile failed:\n{e}"))
}

/// Runs the sender to its end and collects what the app emitted.
fn collect(app: &eventflux::App, stream: &str, mut sender: std::process::Child) -> Vec<Event> {
    let sub = app.subscribe(stream).unwrap();
    app.start().unwrap();
    let status = sender.wait().unwrap();
    let mut err = String::new();
    std::io::Read::read_to_string(&mut sender.stderr.take().unwrap(), &mut err).unwrap();
    assert!(status.success(), "ffmpeg failed: {err}");
    // The last frame goes out once the sender has been silent for session.timeout.ms.
    let mut got = Vec::new();
    wait_until(Duration::from_secs(10), || {
        got.extend(sub.drain());
        eventflux::connector::ingest::registry()
            .list()
            .iter()
            .all(|s| s.stream != stream)
    });
    std::thread::sleep(Duration::from_millis(200));
    got.extend(sub.drain());
    got
}

fn bytes(e: &Event) -> Vec<u8> {
    match e.get(8) {
        Value::Bytes(b) => b.to_vec(),
        other => panic!("data is {other:?}"),
    }
}

/// How many frames ffmpeg decodes from an Annex B (or concatenated JPEG) stream.
fn decoded_frames(format: &str, stream: &[u8]) -> usize {
    ffmpeg_decode_stream(format, stream.to_vec()).0
}

fn check_whole_stream(codec: &str, format: &str) {
    init_logs();
    if !ffmpeg_available() {
        return;
    }
    let port = free_port();
    let stream = format!("Video_{codec}");
    let app = app(&stream, port, "");
    let got = collect(&app, &stream, ffmpeg_sender(codec, port));
    app.shutdown().unwrap();
    assert_eq!(got.len(), FRAMES, "frames emitted");
    // Events come in decode order (B-frames after the frames they refer to); keyframes are
    // counted in presentation order.
    let mut by_pts = got.clone();
    by_pts.sort_by_key(|e| match e.get(2) {
        Value::Long(p) => *p,
        _ => i64::MAX,
    });
    let keyframes: Vec<usize> = by_pts
        .iter()
        .enumerate()
        .filter(|(_, e)| e.get(3) == &Value::Bool(true))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(keyframes, (0..FRAMES).step_by(GOP).collect::<Vec<_>>());
    for (i, e) in by_pts.iter().enumerate() {
        assert_eq!(text(e, 1), codec, "detected from the packets");
        assert_eq!(
            (e.get(5), e.get(6)),
            (&Value::Int(320), &Value::Int(240)),
            "frame {i}"
        );
        assert_eq!(e.get(9), &Value::Bool(true), "frame {i} complete");
        let data = bytes(e);
        assert!(data.starts_with(&[0, 0, 0, 1]));
        assert_eq!(e.get(7), &Value::Int(data.len() as i32));
        if keyframes.contains(&i) {
            assert_eq!(text(e, 4), "I", "frame {i}");
        }
    }
    let types: std::collections::BTreeSet<String> = got.iter().map(|e| text(e, 4)).collect();
    // x264 ultrafast makes no B-frames; x265 ultrafast does.
    let want: &[&str] = if codec == "h264" {
        &["I", "P"]
    } else {
        &["B", "I", "P"]
    };
    assert_eq!(types.iter().map(String::as_str).collect::<Vec<_>>(), want);
    // 25 fps on the 90 kHz clock: 40 ms apart, in presentation order.
    let mut pts: Vec<i64> = got
        .iter()
        .map(|e| match e.get(2) {
            Value::Long(p) => *p,
            other => panic!("pts {other:?}"),
        })
        .collect();
    pts.sort_unstable();
    assert_eq!(pts, (0..FRAMES as i64).map(|i| i * 40).collect::<Vec<_>>());
    let all: Vec<u8> = got.iter().flat_map(bytes).collect();
    assert_eq!(
        decoded_frames(format, &all),
        FRAMES,
        "ffmpeg decodes every frame"
    );
}

#[test]
fn h264_from_ffmpeg_is_assembled_into_every_frame_it_encoded() {
    check_whole_stream("h264", "h264");
}

#[test]
fn hevc_from_ffmpeg_is_assembled_into_every_frame_it_encoded() {
    check_whole_stream("hevc", "hevc");
}

/// Forwards datagrams from `listen` to `to`, dropping every `drop_every`th and sending every
/// `swap_every`th after the one behind it. Returns the number dropped when `stop` is set.
fn relay(
    listen: UdpSocket,
    to: u16,
    drop_every: u64,
    swap_every: u64,
    stop: Arc<AtomicBool>,
    dropped: Arc<AtomicU64>,
) {
    listen
        .set_read_timeout(Some(Duration::from_millis(50)))
        .unwrap();
    let out = UdpSocket::bind("127.0.0.1:0").unwrap();
    let mut buf = [0u8; 2048];
    let mut n = 0u64;
    let mut held: Option<Vec<u8>> = None;
    while !stop.load(Ordering::Relaxed) {
        let Ok(len) = listen.recv(&mut buf) else {
            if let Some(h) = held.take() {
                out.send_to(&h, ("127.0.0.1", to)).unwrap();
            }
            continue;
        };
        n += 1;
        if n.is_multiple_of(drop_every) {
            dropped.fetch_add(1, Ordering::Relaxed);
            continue;
        }
        let packet = buf[..len].to_vec();
        match held.take() {
            Some(h) => {
                out.send_to(&packet, ("127.0.0.1", to)).unwrap();
                out.send_to(&h, ("127.0.0.1", to)).unwrap();
            }
            None if n.is_multiple_of(swap_every) => held = Some(packet),
            None => {
                out.send_to(&packet, ("127.0.0.1", to)).unwrap();
            }
        }
    }
}

fn through_relay(
    stream: &str,
    drop_every: u64,
    extra: &str,
) -> (
    Vec<Event>,
    u64,
    eventflux::connector::ingest::IngestSnapshot,
) {
    let (relay_socket, port) = {
        let s = UdpSocket::bind("127.0.0.1:0").unwrap();
        let p = s.local_addr().unwrap().port();
        (s, p)
    };
    let app_port = free_port();
    let app = app(stream, app_port, extra);
    let stop = Arc::new(AtomicBool::new(false));
    let dropped = Arc::new(AtomicU64::new(0));
    let r = {
        let (stop, dropped) = (stop.clone(), dropped.clone());
        std::thread::spawn(move || relay(relay_socket, app_port, drop_every, 7, stop, dropped))
    };
    // Watch the ingest registry while the session lives (it leaves the list when it closes).
    let last = Arc::new(parking_lot::Mutex::new(None));
    let watcher = {
        let (last, stop, name) = (last.clone(), stop.clone(), stream.to_string());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                if let Some(s) = eventflux::connector::ingest::registry()
                    .list()
                    .into_iter()
                    .find(|s| s.stream == name)
                {
                    *last.lock() = Some(s);
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        })
    };
    let got = collect(&app, stream, ffmpeg_sender("h264", port));
    stop.store(true, Ordering::Relaxed);
    r.join().unwrap();
    watcher.join().unwrap();
    app.shutdown().unwrap();
    let snapshot = last.lock().clone().expect("the stream was listed");
    (got, dropped.load(Ordering::Relaxed), snapshot)
}

#[test]
fn reordered_packets_are_put_back_and_frames_with_holes_are_counted_not_emitted() {
    init_logs();
    if !ffmpeg_available() {
        return;
    }
    // Reordering only: every frame comes out whole.
    let (got, dropped, s) = through_relay("Reordered", u64::MAX, "");
    assert_eq!(dropped, 0);
    assert_eq!(got.len(), FRAMES, "{s:?}");
    assert!(got.iter().all(|e| e.get(9) == &Value::Bool(true)));
    assert_eq!(s.lost, 0, "{s:?}");
    let all: Vec<u8> = got.iter().flat_map(bytes).collect();
    assert_eq!(decoded_frames("h264", &all), FRAMES);

    // Every 20th packet dropped as well: the loss is counted to the packet; no frame with a
    // hole is passed off as whole.
    let (got, dropped, s) = through_relay("Lossy", 20, "");
    assert!(dropped >= 2, "{dropped}");
    assert_eq!(s.lost, dropped, "{s:?}");
    assert!(s.incomplete_frames >= 1, "{s:?}");
    assert!(got.iter().all(|e| e.get(9) == &Value::Bool(true)));
    assert!(
        got.len() as u64 + s.incomplete_frames <= FRAMES as u64,
        "{} + {s:?}",
        got.len()
    );

    // With emit.incomplete, those frames come out too, marked.
    let (got, _, s) = through_relay("LossyAll", 20, ", emit.incomplete='true'");
    let incomplete = got
        .iter()
        .filter(|e| e.get(9) == &Value::Bool(false))
        .count() as u64;
    assert_eq!(incomplete, s.incomplete_frames, "{s:?}");
    assert!(incomplete >= 1);
}

/// ffmpeg's RTP/JPEG (RFC 2435, payload type 26): told from the packets, every frame whole,
/// sized from its header, and a JPEG an independent decoder (ffmpeg) reads.
#[test]
fn jpeg_from_ffmpeg_is_detected_and_every_frame_rebuilt() {
    init_logs();
    if !ffmpeg_available() {
        return;
    }
    let port = free_port();
    let app = app("Jpeg", port, "");
    let got = collect(&app, "Jpeg", ffmpeg_sender("jpeg", port));
    app.shutdown().unwrap();
    assert_eq!(got.len(), FRAMES, "frames emitted");
    for (i, e) in got.iter().enumerate() {
        assert_eq!(text(e, 1), "jpeg", "detected");
        assert_eq!(e.get(2), &Value::Long(i as i64 * 40), "pts of frame {i}");
        assert_eq!(e.get(3), &Value::Bool(true), "every JPEG is a keyframe");
        assert_eq!((e.get(5), e.get(6)), (&Value::Int(320), &Value::Int(240)));
        let data = bytes(e);
        assert!(data.starts_with(&[0xFF, 0xD8]) && data.ends_with(&[0xFF, 0xD9]));
    }
    let all: Vec<u8> = got.iter().flat_map(bytes).collect();
    assert_eq!(
        decoded_frames("mjpeg", &all),
        FRAMES,
        "ffmpeg decodes every frame"
    );
}

#[test]
fn a_wrong_codec_or_an_unreadable_sdp_is_a_compile_error() {
    for (params, wanted) in [
        ("codec='aac'", "aac over RTP is not supported yet"),
        (
            "codec='vp8'",
            "h264, hevc, av1, jpeg, jpeg-xs, opus, l16, pcmu, pcma or auto",
        ),
        (
            "sdp.file='/nonexistent/cam.sdp'",
            "cannot read '/nonexistent/cam.sdp'",
        ),
    ] {
        let sql =
            format!("@source(type='rtp', port='5004', {params})\nCREATE STREAM V (data BYTES);");
        let err = Engine::new().compile(&sql).err().expect(params).to_string();
        assert!(err.contains(wanted), "{params}: {err}");
    }
    let err = Engine::new()
        .compile("@source(type='rtp', port='5004')\nCREATE STREAM V (frame BYTES);")
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains("does not fill") && err.contains("data BYTES"),
        "{err}"
    );
}

#[test]
fn a_stats_stream_counts_each_sessions_loss_and_frames_and_says_when_it_closed() {
    init_logs();
    if !ffmpeg_available() {
        return;
    }
    let (relay_socket, port) = {
        let s = UdpSocket::bind("127.0.0.1:0").unwrap();
        let p = s.local_addr().unwrap().port();
        (s, p)
    };
    let app_port = free_port();
    let sql = format!(
        "@source(type='rtp', host='127.0.0.1', port='{app_port}', session.timeout.ms='1500',
                 stats.stream='RtpStats', stats.interval='500 ms')
         CREATE STREAM Frames (stream_id STRING, pts BIGINT, data BYTES);
         CREATE STREAM RtpStats (stream_id STRING, source STRING, codec STRING, packets BIGINT,
                                 lost BIGINT, late BIGINT, loss_pct DOUBLE, frames BIGINT,
                                 keyframes BIGINT, incomplete BIGINT, state STRING);"
    );
    let app = Engine::new()
        .compile(&sql)
        .unwrap_or_else(|e| panic!("compile failed:\n{e}"));
    let stats = app.subscribe("RtpStats").unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let dropped = Arc::new(AtomicU64::new(0));
    let r = {
        let (stop, dropped) = (stop.clone(), dropped.clone());
        std::thread::spawn(move || relay(relay_socket, app_port, 20, u64::MAX, stop, dropped))
    };
    let frames = collect(&app, "Frames", ffmpeg_sender("h264", port));
    stop.store(true, Ordering::Relaxed);
    r.join().unwrap();
    let mut rows = Vec::new();
    wait_until(Duration::from_secs(5), || {
        rows.extend(stats.drain());
        rows.iter().any(|e| text(e, 10) == "closed")
    });
    app.shutdown().unwrap();
    rows.extend(stats.drain());
    let dropped = dropped.load(Ordering::Relaxed);

    assert!(dropped >= 2, "{dropped}");
    let id = frames.first().map(|e| text(e, 0)).expect("frames");
    assert!(id.contains('#'), "peer#ssrc: {id}");
    assert!(rows.iter().all(|e| text(e, 0) == id && text(e, 1) == "rtp"));
    assert!(
        rows.iter().filter(|e| text(e, 10) == "live").count() >= 2,
        "{rows:?}"
    );
    assert!(
        rows.iter()
            .any(|e| matches!(e.get(6), Value::Double(p) if *p > 0.0)),
        "an interval with loss shows it in loss_pct: {rows:?}"
    );
    let closed: Vec<&Event> = rows.iter().filter(|e| text(e, 10) == "closed").collect();
    assert_eq!(closed.len(), 1, "{rows:?}");
    let last = closed[0];
    assert_eq!(text(last, 2), "h264");
    assert_eq!(long(last, 4) as u64, dropped, "lost, to the packet");
    assert_eq!(long(last, 5), 0, "late: nothing came after it was given up");
    let (whole, incomplete) = (long(last, 7), long(last, 9));
    assert_eq!(
        whole as usize,
        frames.len(),
        "frames counts what was emitted"
    );
    assert!(
        incomplete >= 1 && whole + incomplete <= FRAMES as i64,
        "{last:?}"
    );
    assert!(long(last, 3) > whole, "packets");
}

/// ffmpeg sends an RTCP sender report to the port above the RTP port (before its first RTP
/// packet): the source reads it and counts it for that stream.
#[test]
fn rtcp_sender_reports_on_the_next_port_are_counted_per_stream() {
    init_logs();
    if !ffmpeg_available() {
        return;
    }
    let port = free_port();
    let sql = format!(
        "@source(type='rtp', host='127.0.0.1', port='{port}', session.timeout.ms='1500',
                 stats.stream='RtpStats')
         CREATE STREAM Frames (stream_id STRING, pts BIGINT);
         CREATE STREAM RtpStats (stream_id STRING, sender_reports BIGINT, state STRING);"
    );
    let app = Engine::new()
        .compile(&sql)
        .unwrap_or_else(|e| panic!("compile failed:\n{e}"));
    let stats = app.subscribe("RtpStats").unwrap();
    let frames = collect(&app, "Frames", ffmpeg_sender("h264", port));
    let mut rows = Vec::new();
    wait_until(Duration::from_secs(5), || {
        rows.extend(stats.drain());
        rows.iter().any(|e| text(e, 2) == "closed")
    });
    app.shutdown().unwrap();
    assert_eq!(frames.len(), FRAMES);
    let last = rows.last().expect("stats rows");
    assert_eq!(text(last, 2), "closed", "{rows:?}");
    assert!(long(last, 1) >= 1, "sender reports: {rows:?}");
}

/// A sender that sends RTCP gets receiver reports back on the port its sender report came
/// from: our loss count, the extended highest sequence across the 16-bit wrap, and the sender
/// report it answers (LSR), read with rtcp-types.
#[test]
fn senders_that_send_rtcp_get_receiver_reports_with_loss_and_their_last_sender_report() {
    use eventflux::media::rtcp::{
        ntp_from_unix_ms, ntp_middle, sender_report, SenderCounts, SenderInfo,
    };
    use eventflux::media::rtp::{write_packet, RtpHeader};
    init_logs();
    let port = free_port();
    let app = Engine::new()
        .compile(&format!(
            "@source(type='rtp', host='127.0.0.1', port='{port}', codec='h264')
             CREATE STREAM Frames (stream_id STRING, pts BIGINT);"
        ))
        .unwrap();
    app.start().unwrap();
    let rtp = UdpSocket::bind("127.0.0.1:0").unwrap();
    let rtcp = UdpSocket::bind("127.0.0.1:0").unwrap();
    rtcp.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let ssrc = 0x5EED_0001;
    let sr_wall_ms = 1_700_000_000_000;
    let mut report = None;
    let mut sent = 0u32;
    // 25 packets a second from sequence 65,500, so it wraps; 2 never sent.
    let started = std::time::Instant::now();
    while report.is_none() && started.elapsed() < Duration::from_secs(12) {
        for _ in 0..5 {
            let seq = 65_500u16.wrapping_add(sent as u16);
            sent += 1;
            if seq == 65_530 || seq == 3 {
                continue;
            }
            let header = RtpHeader {
                payload_type: 96,
                marker: true,
                sequence: seq,
                timestamp: sent * 3_600,
                ssrc,
            };
            let packet = write_packet(&header, &[0x65, 0x88, 0x84, 0x00, 0x10]).unwrap();
            rtp.send_to(&packet, ("127.0.0.1", port)).unwrap();
            std::thread::sleep(Duration::from_millis(40));
        }
        if sent == 5 {
            let info = SenderInfo {
                ssrc,
                wall_ms: sr_wall_ms,
                rtp_timestamp: 0,
                counts: SenderCounts::default(),
                cname: "test-sender".into(),
            };
            rtcp.send_to(&sender_report(&info).unwrap(), ("127.0.0.1", port + 1))
                .unwrap();
        }
        let mut buf = [0u8; 1500];
        if let Ok((n, _)) = rtcp.recv_from(&mut buf) {
            report = Some(buf[..n].to_vec());
        }
    }
    app.shutdown().unwrap();
    let report = report.expect("a receiver report within 12 s");
    let packets: Vec<rtcp_types::Packet> = rtcp_types::Compound::parse(&report)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let rtcp_types::Packet::Rr(rr) = &packets[0] else {
        panic!("{:?}", packets[0]);
    };
    let block = rr.report_blocks().next().expect("a report block");
    assert_eq!(block.ssrc(), ssrc);
    assert_eq!(block.cumulative_lost(), 2, "the two never sent");
    let highest = block.extended_sequence_number();
    assert_eq!(highest >> 16, 1, "one wrap: {highest:#x}");
    assert!(highest & 0xFFFF > 3, "{highest:#x}");
    assert_eq!(
        block.last_sender_report_timestamp(),
        ntp_middle(ntp_from_unix_ms(sr_wall_ms))
    );
    assert!(block.delay_since_last_sender_report_timestamp() > 0);
    assert!(matches!(packets[1], rtcp_types::Packet::Sdes(_)));
}

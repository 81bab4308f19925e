//! The `srt` source against ffmpeg (libsrt) as the caller on loopback: H.264 and HEVC in
//! MPEG-TS, with and without a passphrase, two callers at once, refused callers counted; and
//! libsrt's srt-live-transmit as a caller.

mod common;

use common::*;
use eventflux::{Engine, Event, Value};
use std::process::{Command, Stdio};
use std::time::Duration;

const FRAMES: usize = 50;
const GOP: usize = 10;

/// ffmpeg pushing FRAMES frames (a keyframe every GOP) in MPEG-TS over SRT. `linger` makes
/// libsrt send what it still holds before closing (live mode's default closes at once).
fn ffmpeg_caller(codec: &str, port: u16, query: &str) -> std::process::Child {
    ffmpeg_ts(
        codec,
        &format!("srt://127.0.0.1:{port}?mode=caller&pkt_size=1316&latency=120000&linger=2{query}"),
        Stdio::null(),
    )
}

/// ffmpeg encoding FRAMES frames in real time into MPEG-TS at `output` (a URL, or `-`).
fn ffmpeg_ts(codec: &str, output: &str, stdout: Stdio) -> std::process::Child {
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
    .args(["-frames:v", &FRAMES.to_string(), "-pix_fmt", "yuv420p"]);
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
        _ => c.args([
            "-c:v",
            "libx265",
            "-preset",
            "ultrafast",
            "-x265-params",
            &format!("keyint={GOP}:min-keyint={GOP}:scenecut=0:log-level=none"),
        ]),
    };
    c.args(["-f", "mpegts"])
        .arg(output)
        .stdout(stdout)
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting ffmpeg")
}

fn app(port: u16, extra: &str) -> eventflux::App {
    let sql = format!(
        "@source(type='srt', host='127.0.0.1', port='{port}'{extra})
         CREATE STREAM Video (stream_id STRING, codec STRING, pts BIGINT, dts BIGINT,
                              keyframe BOOL, frame_type STRING, width INT, height INT,
                              data BYTES, complete BOOL);"
    );
    Engine::new()
        .compile(&sql)
        .unwrap_or_else(|e| panic!("compile failed:\n{e}"))
}

fn wait(mut child: std::process::Child) -> (bool, String) {
    let status = child.wait().unwrap();
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    (status.success(), err)
}

fn decoded_frames(format: &str, events: &[Event]) -> usize {
    ffmpeg_decode(format, 8, events).0
}

/// What ffmpeg says decoding attribute `data` of `events` in order: (frames, its errors).
fn ffmpeg_decode(format: &str, data: usize, events: &[Event]) -> (usize, String) {
    ffmpeg_decode_stream(format, joined_bytes(events, data))
}

fn check_codec(codec: &str, format: &str) {
    init_logs();
    if !ffmpeg_available() {
        return;
    }
    let port = free_port();
    let app = app(port, "");
    let sub = app.subscribe("Video").unwrap();
    app.start().unwrap();
    let (ok, err) = wait(ffmpeg_caller(
        codec,
        port,
        &format!("&streamid=cam-{codec}"),
    ));
    assert!(ok, "ffmpeg: {err}");
    let mut got = Vec::new();
    wait_until(Duration::from_secs(10), || {
        got.extend(sub.drain());
        got.len() >= FRAMES
    });
    std::thread::sleep(Duration::from_millis(200));
    got.extend(sub.drain());
    app.shutdown().unwrap();
    assert_eq!(got.len(), FRAMES, "frames");
    let mut by_pts = got.clone();
    by_pts.sort_by_key(|e| long(e, 2));
    let keyframes: Vec<usize> = by_pts
        .iter()
        .enumerate()
        .filter(|(_, e)| e.get(4) == &Value::Bool(true))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(keyframes, (0..FRAMES).step_by(GOP).collect::<Vec<_>>());
    for e in &got {
        assert_eq!(
            text(e, 0),
            format!("cam-{codec}"),
            "named by the SRT stream id"
        );
        assert_eq!(text(e, 1), codec);
        assert_eq!((e.get(6), e.get(7)), (&Value::Int(320), &Value::Int(240)));
        assert_eq!(e.get(9), &Value::Bool(true));
        assert!(long(e, 3) <= long(e, 2), "dts before pts");
    }
    let pts: Vec<i64> = by_pts.iter().map(|e| long(e, 2)).collect();
    assert_eq!(pts, (0..FRAMES as i64).map(|i| i * 40).collect::<Vec<_>>());
    assert_eq!(
        decoded_frames(format, &got),
        FRAMES,
        "ffmpeg decodes every frame"
    );
}

#[test]
fn h264_in_mpeg_ts_over_srt_becomes_every_frame_ffmpeg_encoded() {
    check_codec("h264", "h264");
}

#[test]
fn hevc_in_mpeg_ts_over_srt_becomes_every_frame_ffmpeg_encoded() {
    check_codec("hevc", "hevc");
}

#[test]
fn a_passphrase_admits_its_callers_and_refuses_the_others() {
    init_logs();
    if !ffmpeg_available() {
        return;
    }
    let port = free_port();
    let app = app(
        port,
        ", passphrase='correct-horse-battery', allowed.stream.ids='cam1,cam2'",
    );
    let sub = app.subscribe("Video").unwrap();
    app.start().unwrap();
    // Two callers at once, with the passphrase: both admitted, kept apart by stream id.
    let key = "&passphrase=correct-horse-battery&pbkeylen=16";
    let a = ffmpeg_caller("h264", port, &format!("&streamid=cam1{key}"));
    let b = ffmpeg_caller("h264", port, &format!("&streamid=cam2{key}"));
    let (ok_a, err_a) = wait(a);
    let (ok_b, err_b) = wait(b);
    assert!(ok_a && ok_b, "{err_a}{err_b}");
    // Refused: a wrong passphrase, none, an id not allowed.
    let wrong = "&passphrase=wrong-horse-battery&pbkeylen=16";
    let refused = [
        format!("&streamid=cam1{wrong}"),
        "&streamid=cam1".to_string(),
        format!("&streamid=cam9{key}"),
    ];
    for q in &refused {
        let (ok, _) = wait(ffmpeg_caller("h264", port, q));
        assert!(!ok, "ffmpeg should fail to connect with {q}");
    }
    let mut got = Vec::new();
    wait_until(Duration::from_secs(10), || {
        got.extend(sub.drain());
        got.len() >= 2 * FRAMES
    });
    std::thread::sleep(Duration::from_millis(300));
    got.extend(sub.drain());
    let stats = app.shutdown().unwrap();
    for cam in ["cam1", "cam2"] {
        let mine: Vec<&Event> = got.iter().filter(|e| text(e, 0) == cam).collect();
        let mut pts: Vec<i64> = mine.iter().map(|e| long(e, 2)).collect();
        pts.sort_unstable();
        assert_eq!(mine.len(), FRAMES, "{cam}: {pts:?}");
    }
    assert_eq!(got.len(), 2 * FRAMES, "nothing from a refused caller");
    let source = &stats.sources[0];
    assert!(source.errors >= 3, "each refusal is counted: {stats:?}");
}

#[test]
fn bad_settings_are_compile_errors() {
    for (params, wanted) in [
        ("passphrase='short'", "10 to 79 bytes"),
        ("latency.ms='soon'", "latency.ms"),
    ] {
        let sql =
            format!("@source(type='srt', port='30000', {params})\nCREATE STREAM V (data BYTES);");
        let err = Engine::new().compile(&sql).err().expect(params).to_string();
        assert!(err.contains(wanted), "{params}: {err}");
    }
}

#[test]
fn the_ts_demuxer_gives_the_same_units_however_the_bytes_are_cut() {
    if !ffmpeg_available() {
        return;
    }
    let dir = temp_dir("ts-split");
    let file = dir.join("a.ts");
    let status = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i"])
        .arg("testsrc=size=320x240:rate=25")
        .args([
            "-frames:v",
            "30",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-g",
            "10",
        ])
        .args(["-f", "mpegts"])
        .arg(&file)
        .status()
        .unwrap();
    assert!(status.success());
    let ts = std::fs::read(&file).unwrap();
    let demux = |cuts: &mut dyn FnMut() -> usize| {
        let mut d = eventflux::media::ts::TsDemuxer::default();
        let mut out = Vec::new();
        let mut at = 0;
        while at < ts.len() {
            let n = cuts().clamp(1, ts.len() - at);
            d.push(&ts[at..at + n], &mut out);
            at += n;
        }
        d.flush(&mut out);
        (out, d.continuity_errors())
    };
    let (whole, errors) = demux(&mut || usize::MAX);
    assert_eq!(whole.len(), 30, "one unit per frame");
    assert_eq!(errors, 0);
    for seed in 0..20 {
        let mut rng = fastrand::Rng::with_seed(seed);
        let (cut, _) = demux(&mut || rng.usize(1..2000));
        assert_eq!(cut, whole, "seed {seed}");
    }
    // A lost TS packet is counted and marks its unit.
    let mut damaged = ts.clone();
    let victim = 188 * 40;
    damaged.drain(victim..victim + 188);
    let mut d = eventflux::media::ts::TsDemuxer::default();
    let mut out = Vec::new();
    d.push(&damaged, &mut out);
    d.flush(&mut out);
    assert!(d.continuity_errors() >= 1);
    assert!(out.iter().any(|u| u.damaged));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_stats_stream_gets_each_callers_health_while_live_and_a_last_event_when_it_closes() {
    init_logs();
    if !ffmpeg_available() {
        return;
    }
    let port = free_port();
    let sql = format!(
        "@source(type='srt', host='127.0.0.1', port='{port}',
                 stats.stream='IngestStats', stats.interval='500 ms')
         CREATE STREAM Video (stream_id STRING, pts BIGINT, data BYTES);
         CREATE STREAM IngestStats (stream_id STRING, source STRING, codec STRING, width INT,
                                    height INT, fps DOUBLE, bitrate_bps BIGINT, frames BIGINT,
                                    keyframes BIGINT, lost BIGINT, gop_ms DOUBLE,
                                    state STRING, interval_ms BIGINT);"
    );
    let app = Engine::new()
        .compile(&sql)
        .unwrap_or_else(|e| panic!("compile failed:\n{e}"));
    let video = app.subscribe("Video").unwrap();
    let stats = app.subscribe("IngestStats").unwrap();
    app.start().unwrap();
    let (ok, err) = wait(ffmpeg_caller("h264", port, "&streamid=cam1"));
    assert!(ok, "ffmpeg: {err}");
    let mut rows: Vec<Event> = Vec::new();
    wait_until(Duration::from_secs(10), || {
        rows.extend(stats.drain());
        rows.iter().any(|e| text(e, 11) == "closed")
    });
    let frames = video.drain().len();
    app.shutdown().unwrap();
    rows.extend(stats.drain());

    assert!(rows.iter().all(|e| text(e, 0) == "cam1"), "{rows:?}");
    assert!(rows.iter().all(|e| text(e, 1) == "srt"));
    let live: Vec<&Event> = rows.iter().filter(|e| text(e, 11) == "live").collect();
    // 50 frames at 25 fps take 2 s: about four 500 ms intervals while it streams.
    assert!(live.len() >= 2, "live rows: {rows:?}");
    assert!(live.iter().all(|e| long(e, 12) > 0));
    assert!(
        live.iter().any(|e| double(e, 5) > 0.0 && long(e, 6) > 0),
        "some interval has frames and bits: {live:?}"
    );
    let counts: Vec<i64> = rows.iter().map(|e| long(e, 7)).collect();
    assert!(
        counts.windows(2).all(|w| w[0] <= w[1]),
        "totals only grow: {counts:?}"
    );
    let last = rows.last().unwrap();
    assert_eq!(text(last, 11), "closed", "{rows:?}");
    assert_eq!(rows.iter().filter(|e| text(e, 11) == "closed").count(), 1);
    assert_eq!(text(last, 2), "h264");
    assert_eq!(
        (last.get(3), last.get(4)),
        (&Value::Int(320), &Value::Int(240))
    );
    assert_eq!(long(last, 7), FRAMES as i64, "frames");
    assert_eq!(frames, FRAMES, "the frames themselves");
    assert_eq!(long(last, 8), (FRAMES / GOP) as i64, "keyframes");
    assert_eq!(long(last, 9), 0, "nothing lost on loopback");
    assert_eq!(
        double(last, 10),
        GOP as f64 * 40.0,
        "a keyframe every 10 frames of 40 ms"
    );
}

#[test]
fn a_stats_stream_that_is_not_declared_or_does_not_fit_is_a_compile_error() {
    let compile = |stats: &str, decl: &str| {
        let sql = format!(
            "@source(type='srt', port='30000', {stats})
             CREATE STREAM Video (data BYTES);
             {decl}"
        );
        Engine::new().compile(&sql).err().map(|e| e.to_string())
    };
    let decl = "CREATE STREAM IngestStats (stream_id STRING, fps DOUBLE);";
    assert_eq!(compile("stats.stream='IngestStats'", decl), None);
    let err = compile("stats.stream='IngestStat'", decl).expect("undeclared");
    assert!(
        err.contains("IngestStat") && err.contains("IngestStats"),
        "{err}"
    );
    let err = compile("stats.stream='Video'", decl).expect("its own stream");
    assert!(err.contains("stats.stream"), "{err}");
    let err = compile(
        "stats.stream='IngestStats'",
        "CREATE STREAM IngestStats (stream_id STRING, fps INT);",
    )
    .expect("a wrong type");
    assert!(err.contains("fps") && err.contains("DOUBLE"), "{err}");
    let err = compile(
        "stats.stream='IngestStats'",
        "CREATE STREAM IngestStats (stream_id STRING, colour STRING);",
    )
    .expect("an unknown attribute");
    assert!(err.contains("colour"), "{err}");
    let err = compile("stats.stream='IngestStats', stats.interval='often'", decl)
        .expect("a bad interval");
    assert!(err.contains("stats.interval"), "{err}");
}

/// libsrt's own tool as the caller: `srt-live-transmit` reads the TS that ffmpeg writes to a
/// pipe and pushes it in 1316-byte datagrams (its default, 1456, is not whole TS packets, and
/// it holds back the last partial chunk). It never exits at the end of its input; SIGINT makes
/// it close the connection properly.
#[test]
fn srt_live_transmit_as_the_caller_delivers_every_frame() {
    init_logs();
    if !ffmpeg_available()
        || !peer_available(
            "srt-live-transmit",
            Command::new("srt-live-transmit").arg("-version"),
        )
    {
        return;
    }
    let port = free_port();
    let sql = format!(
        "@source(type='srt', host='127.0.0.1', port='{port}', stats.stream='Health')
         CREATE STREAM Video (stream_id STRING, pts BIGINT, keyframe BOOL, width INT);
         CREATE STREAM Health (stream_id STRING, frames BIGINT, lost BIGINT, state STRING);"
    );
    let app = Engine::new()
        .compile(&sql)
        .unwrap_or_else(|e| panic!("compile failed:\n{e}"));
    let video = app.subscribe("Video").unwrap();
    let health = app.subscribe("Health").unwrap();
    app.start().unwrap();
    let mut encoder = ffmpeg_ts("h264", "-", Stdio::piped());
    let mut caller = Command::new("srt-live-transmit")
        .args(["-q", "-chunk:1316", "file://con"])
        .arg(format!("srt://127.0.0.1:{port}?mode=caller&streamid=slt1"))
        .stdin(encoder.stdout.take().unwrap())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("starting srt-live-transmit");
    let (ok, err) = wait(encoder);
    assert!(ok, "ffmpeg: {err}");
    let mut frames = Vec::new();
    // Every frame but the last, which goes out when the caller closes.
    wait_until(Duration::from_secs(10), || {
        frames.extend(video.drain());
        frames.len() + 1 >= FRAMES
    });
    let interrupted = Command::new("kill")
        .args(["-INT", &caller.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    caller.wait().unwrap();
    let mut rows = Vec::new();
    wait_until(Duration::from_secs(10), || {
        rows.extend(health.drain());
        rows.iter().any(|e| text(e, 3) == "closed")
    });
    frames.extend(video.drain());
    app.shutdown().unwrap();

    assert_eq!(frames.len(), FRAMES, "frames");
    assert!(frames.iter().all(|e| text(e, 0) == "slt1"));
    assert_eq!(
        frames
            .iter()
            .filter(|e| e.get(2) == &Value::Bool(true))
            .count(),
        FRAMES / GOP
    );
    let last = rows.last().expect("health rows");
    assert_eq!(text(last, 3), "closed", "{rows:?}");
    assert_eq!(
        (long(last, 1), long(last, 2)),
        (FRAMES as i64, 0),
        "{last:?}"
    );
}

/// ffmpeg pushing `frames` H.264 frames at 640x360 with B frames (`-bf 2`), a keyframe every
/// GOP, in real time over SRT.
fn ffmpeg_with_b_frames(port: u16, frames: usize) -> std::process::Child {
    Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-re", "-f", "lavfi"])
        .args(["-i", "testsrc=size=640x360:rate=25"])
        .args(["-frames:v", &frames.to_string(), "-pix_fmt", "yuv420p"])
        .args(["-c:v", "libx264", "-preset", "veryfast", "-bf", "2"])
        .args(["-g", &GOP.to_string(), "-sc_threshold", "0", "-b:v", "2M"])
        .args(["-f", "mpegts"])
        .arg(format!(
            "srt://127.0.0.1:{port}?mode=caller&pkt_size=1316&latency=120000&linger=2"
        ))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting ffmpeg")
}

/// A slow app (an @async stream with a tiny buffer, a consumer that takes 60 ms a frame, half
/// the stream's rate) behind the srt source with a 120 KB limit: returns the frames the app
/// got, the caller's last stats row and the source's dropped count in the app's summary.
fn behind_a_slow_app(on_full: &str, frames: usize) -> (Vec<Event>, Event, u64) {
    let port = free_port();
    let sql = format!(
        "@source(type='srt', host='127.0.0.1', port='{port}', max.buffer.bytes='120000',
                 on.full='{on_full}', stats.stream='IngestStats', stats.interval='200 ms')
         @async(buffer.size='2')
         CREATE STREAM Video (keyframe BOOL, dts BIGINT, data BYTES);
         CREATE STREAM IngestStats (frames BIGINT, incomplete BIGINT, paused_frames BIGINT,
                                    dropped_frames BIGINT, dropped_nonref_frames BIGINT,
                                    dropped_gop_tail_frames BIGINT, dropped_gop_frames BIGINT,
                                    dropped_gops BIGINT, buffer_bytes BIGINT,
                                    buffer_peak_bytes BIGINT, lost BIGINT, state STRING);"
    );
    let app = Engine::new()
        .compile(&sql)
        .unwrap_or_else(|e| panic!("compile failed:\n{e}"));
    let got = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = got.clone();
    app.subscribe_fn("Video", move |batch| {
        for e in batch {
            std::thread::sleep(Duration::from_millis(60));
            sink.lock().unwrap().push(e.clone());
        }
    })
    .unwrap();
    let stats = app.subscribe("IngestStats").unwrap();
    app.start().unwrap();
    let (ok, err) = wait(ffmpeg_with_b_frames(port, frames));
    assert!(ok, "ffmpeg: {err}");
    let mut rows: Vec<Event> = Vec::new();
    wait_until(Duration::from_secs(30), || {
        rows.extend(stats.drain());
        rows.iter().any(|r| text(r, 11) == "closed")
    });
    let summary = app.shutdown().unwrap();
    rows.extend(stats.drain());
    for r in &rows {
        assert!(
            long(r, 9) <= 120_000,
            "buffer_peak_bytes {} above max.buffer.bytes",
            long(r, 9)
        );
    }
    let last = rows
        .into_iter()
        .find(|r| text(r, 11) == "closed")
        .expect("the caller's last stats row");
    let got = std::mem::take(&mut *got.lock().unwrap());
    (got, last, summary.sources[0].dropped)
}

#[test]
fn a_slow_app_sheds_whole_frames_and_gops_and_every_frame_is_accounted_for() {
    init_logs();
    if !ffmpeg_available() {
        return;
    }
    const SENT: usize = 100;
    let (got, last, summary_dropped) = behind_a_slow_app("drop-gop", SENT);
    eprintln!(
        "drop-gop: {} frames to the app; last stats row {last:?}",
        got.len()
    );
    let (frames, dropped) = (long(&last, 0) as usize, long(&last, 3) as usize);
    assert_eq!(frames, SENT, "frames assembled: {last:?}");
    assert!(dropped > 0, "the app was slower than the stream: {last:?}");
    assert_eq!(
        got.len() + dropped + long(&last, 1) as usize + long(&last, 2) as usize,
        frames,
        "received = emitted + dropped (+ incomplete + paused): {last:?}"
    );
    assert_eq!(
        long(&last, 4) + long(&last, 5) + long(&last, 6),
        dropped as i64,
        "the kinds add up: {last:?}"
    );
    assert_eq!(
        summary_dropped, dropped as u64,
        "the shed frames are the source's dropped count in the summary"
    );
    // Which kinds go depends on timing (whole GOPs only when a keyframe cannot fit):
    // gop_queue's unit tests pin each step down.
    assert_eq!(got[0].get(0), &Value::Bool(true), "starts at a keyframe");
    let dts: Vec<i64> = got.iter().map(|e| long(e, 1)).collect();
    assert!(dts.windows(2).all(|w| w[0] < w[1]), "decode order: {dts:?}");
    // What was kept still decodes: no frame lost a reference.
    let (decoded, errors) = ffmpeg_decode("h264", 2, &got);
    assert_eq!(errors, "", "ffmpeg decoding what the app got");
    assert_eq!(decoded, got.len());
}

#[test]
fn on_full_block_stops_reading_instead_of_shedding() {
    init_logs();
    if !ffmpeg_available() {
        return;
    }
    let (got, last, summary_dropped) = behind_a_slow_app("block", 60);
    eprintln!(
        "block: {} frames to the app; last stats row {last:?}",
        got.len()
    );
    assert_eq!(long(&last, 3), 0, "nothing shed: {last:?}");
    assert_eq!(summary_dropped, 0, "nothing counted as dropped");
    // SRT's own loss (its receive latency passed while we did not read) shows as TS loss and
    // incomplete frames, never as frames gone without a count.
    assert_eq!(
        got.len() + long(&last, 1) as usize,
        long(&last, 0) as usize,
        "{last:?}"
    );
    assert!(!got.is_empty());
}

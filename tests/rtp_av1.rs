//! AV1 over RTP: ffmpeg (libaom) encodes an OBU file, the `rtp` crate's AV1 payloader
//! packetizes its temporal units (the independent side), and our source, told nothing of the
//! codec, gives them back byte for byte; ffmpeg decodes what it emitted.

mod common;

use common::*;
use eventflux::media::rtp::{write_packet, RtpHeader};
use eventflux::{Engine, Value};
use rtp::codecs::av1::Av1Payloader;
use rtp::packetizer::Payloader;
use std::net::UdpSocket;
use std::process::{Command, Stdio};
use std::time::Duration;

const FRAMES: usize = 20;
const GOP: usize = 10;
/// Under 128: the payloader writes longer element lengths wrongly (see src/media/av1_tests.rs).
const MTU: usize = 120;

fn leb128(data: &[u8]) -> (usize, usize) {
    let mut value = 0;
    for (i, b) in data.iter().enumerate() {
        value |= usize::from(b & 0x7F) << (7 * i);
        if b & 0x80 == 0 {
            return (value, i + 1);
        }
    }
    panic!("unterminated leb128");
}

/// The temporal units of a low-overhead (§5) OBU file: each starts at a temporal delimiter.
fn temporal_units(file: &[u8]) -> Vec<Vec<u8>> {
    let mut units: Vec<Vec<u8>> = Vec::new();
    let mut at = 0;
    while at < file.len() {
        let header = file[at];
        assert_ne!(header & 0x02, 0, "every OBU of the file has a size field");
        let ext = usize::from(header & 0x04 != 0);
        let (len, n) = leb128(&file[at + 1 + ext..]);
        let end = at + 1 + ext + n + len;
        if (header >> 3) & 0x0F == 2 {
            units.push(Vec::new());
        }
        units
            .last_mut()
            .expect("a delimiter first")
            .extend_from_slice(&file[at..end]);
        at = end;
    }
    units
}

fn ffmpeg_av1(path: &std::path::Path) -> bool {
    let status = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi"])
        .args(["-i", "testsrc=size=320x240:rate=25"])
        .args(["-frames:v", &FRAMES.to_string(), "-c:v", "libaom-av1"])
        .args(["-cpu-used", "8", "-g", &GOP.to_string(), "-f", "obu"])
        .arg(path)
        .stderr(Stdio::inherit())
        .status()
        .expect("running ffmpeg");
    status.success()
}

#[test]
fn av1_temporal_units_come_back_byte_for_byte_and_detected() {
    init_logs();
    if !ffmpeg_available() {
        return;
    }
    let file = temp_dir("rtp-av1").join("src.obu");
    assert!(ffmpeg_av1(&file), "ffmpeg encodes AV1");
    let units = temporal_units(&std::fs::read(&file).unwrap());
    assert_eq!(units.len(), FRAMES);
    let port = free_port();
    let app = Engine::new()
        .compile(&format!(
            "@source(type='rtp', host='127.0.0.1', port='{port}', session.timeout.ms='1000')
             CREATE STREAM Av1 (codec STRING, pts BIGINT, keyframe BOOL, frame_type STRING,
                                width INT, height INT, data BYTES, complete BOOL);"
        ))
        .unwrap_or_else(|e| panic!("{e}"));
    let sub = app.subscribe("Av1").unwrap();
    app.start().unwrap();
    wait_for_udp_listener(port);
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let mut sequence = 40_000u16;
    let mut packets = 0;
    for (i, tu) in units.iter().enumerate() {
        let payloads = Av1Payloader {}
            .payload(MTU, &bytes::Bytes::from(tu.clone()))
            .unwrap();
        let n = payloads.len();
        for (j, p) in payloads.iter().enumerate() {
            let header = RtpHeader {
                payload_type: 98,
                marker: j + 1 == n,
                sequence,
                timestamp: 7_000 + i as u32 * 3_600,
                ssrc: 0xA1A1_0001,
            };
            sequence = sequence.wrapping_add(1);
            socket
                .send_to(&write_packet(&header, p).unwrap(), ("127.0.0.1", port))
                .unwrap();
            packets += 1;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let mut got = Vec::new();
    wait_until(Duration::from_secs(10), || {
        got.extend(sub.drain());
        got.len() >= FRAMES
    });
    app.shutdown().unwrap();
    got.extend(sub.drain());
    eprintln!("{packets} packets for {FRAMES} temporal units");
    assert_eq!(got.len(), FRAMES, "every temporal unit");
    for (i, (e, tu)) in got.iter().zip(&units).enumerate() {
        assert_eq!(text(e, 0), "av1", "detected from the packets");
        assert_eq!(e.get(1), &Value::Long(i as i64 * 40));
        assert_eq!(e.get(2), &Value::Bool(i % GOP == 0), "keyframe {i}");
        if i % GOP == 0 {
            assert_eq!(text(e, 3), "I");
        }
        assert_eq!((e.get(4), e.get(5)), (&Value::Int(320), &Value::Int(240)));
        let Value::Bytes(data) = e.get(6) else {
            panic!("data")
        };
        assert_eq!(&data[..], &tu[..], "temporal unit {i}, byte for byte");
        assert_eq!(e.get(7), &Value::Bool(true));
    }
    let all = joined_bytes(&got, 6);
    let (decoded, errors) = ffmpeg_decode_stream("obu", all);
    assert_eq!(decoded, FRAMES, "ffmpeg decodes every unit: {errors}");
}

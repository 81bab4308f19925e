//! JPEG XS over RTP end to end: codestreams laid out as ISO/IEC 21122-1 says (SOC, CAP, PIH,
//! CDT, WGT, one slice, EOC), sent over UDP in RFC 9134 codestream packetization mode with one
//! packet lost; the source, told nothing of the codec, detects JPEG XS, rebuilds every whole
//! frame byte for byte and skips the one with the hole.

mod common;

use common::*;
use eventflux::media::jpeg_xs::PayloadHeader;
use eventflux::media::rtp::{write_packet, RtpHeader};
use eventflux::{Engine, Value};
use std::net::UdpSocket;
use std::time::Duration;

const FRAMES: usize = 10;
const LOSSY_FRAME: usize = 6;

/// A marker segment: marker, its length (counting itself), body.
fn marker_segment(code: u8, body: &[u8]) -> Vec<u8> {
    [
        &[0xFF, code][..],
        &(body.len() as u16 + 2).to_be_bytes(),
        body,
    ]
    .concat()
}

fn frame(i: usize) -> Vec<u8> {
    let mut picture = vec![0, 0, 0, 0, 0x15, 0x00, 0x20, 0x40];
    picture.extend_from_slice(&1280u16.to_be_bytes());
    picture.extend_from_slice(&720u16.to_be_bytes());
    picture.extend_from_slice(&[0, 0, 0, 16, 3, 4, 8, 20, 0x80, 0x04, 0x51, 0x00]);
    let mut entropy = vec![0u8; 4000 + i * 100];
    fastrand::Rng::with_seed(i as u64).fill(&mut entropy);
    [
        &[0xFF, 0x10][..],
        &marker_segment(0x50, &[]),
        &marker_segment(0x12, &picture),
        &marker_segment(0x13, &[8, 0x11, 8, 0x11, 8, 0x11]),
        &marker_segment(0x14, &[0, 1, 0, 2]),
        &marker_segment(0x20, &[0, 0]),
        &entropy,
        &[0xFF, 0x11],
    ]
    .concat()
}

#[test]
fn jpeg_xs_frames_are_detected_rebuilt_and_the_one_with_a_hole_skipped() {
    init_logs();
    let port = free_port();
    let app = Engine::new()
        .compile(&format!(
            "@source(type='rtp', host='127.0.0.1', port='{port}', session.timeout.ms='1000',
                     stats.stream='XsStats')
             CREATE STREAM Xs (codec STRING, pts BIGINT, keyframe BOOL, frame_type STRING,
                               width INT, height INT, data BYTES);
             CREATE STREAM XsStats (frames BIGINT, incomplete BIGINT, lost BIGINT,
                                    state STRING);"
        ))
        .unwrap_or_else(|e| panic!("{e}"));
    let sub = app.subscribe("Xs").unwrap();
    let stats = app.subscribe("XsStats").unwrap();
    app.start().unwrap();
    wait_for_udp_listener(port);
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let frames: Vec<Vec<u8>> = (0..FRAMES).map(frame).collect();
    let mut sequence = 9u16;
    for (i, cs) in frames.iter().enumerate() {
        let chunks: Vec<&[u8]> = cs.chunks(1200).collect();
        for (j, chunk) in chunks.iter().enumerate() {
            let header = PayloadHeader {
                transmission_mode: true,
                slice_mode: false,
                last_of_unit: j + 1 == chunks.len(),
                interlace: 0,
                frame_counter: (i % 32) as u8,
                packet_index: j as u32,
            };
            let rtp = RtpHeader {
                payload_type: 112,
                marker: j + 1 == chunks.len(),
                sequence,
                timestamp: 90_000 + i as u32 * 1_500,
                ssrc: 0x0C5_0001,
            };
            sequence = sequence.wrapping_add(1);
            if i == LOSSY_FRAME && j == 1 {
                continue;
            }
            let payload = [&header.write()[..], chunk].concat();
            socket
                .send_to(&write_packet(&rtp, &payload).unwrap(), ("127.0.0.1", port))
                .unwrap();
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let (mut got, mut rows) = (Vec::new(), Vec::new());
    wait_until(Duration::from_secs(10), || {
        got.extend(sub.drain());
        rows.extend(stats.drain());
        rows.iter().any(|r| r.get(3) == &Value::from("closed"))
    });
    app.shutdown().unwrap();
    got.extend(sub.drain());
    assert_eq!(got.len(), FRAMES - 1, "every whole frame");
    let sent: Vec<usize> = (0..FRAMES).filter(|i| *i != LOSSY_FRAME).collect();
    for (e, i) in got.iter().zip(sent) {
        assert_eq!(e.get(0), &Value::from("jpeg-xs"), "detected");
        // 1500 ticks of 90 kHz: 16 ms apart (60 fps), from the first frame.
        assert_eq!(e.get(1), &Value::Long(i as i64 * 1500 / 90));
        assert_eq!(e.get(2), &Value::Bool(true));
        assert_eq!(e.get(3), &Value::from("I"));
        assert_eq!((e.get(4), e.get(5)), (&Value::Int(1280), &Value::Int(720)));
        let Value::Bytes(data) = e.get(6) else {
            panic!("data")
        };
        assert_eq!(&data[..], &frames[i][..], "frame {i}, byte for byte");
    }
    let closed = rows
        .iter()
        .find(|r| r.get(3) == &Value::from("closed"))
        .expect("a closing stats row");
    assert_eq!(long(closed, 0) as usize, FRAMES - 1, "frames");
    assert_eq!(long(closed, 1), 1, "the frame with the hole, counted");
    assert_eq!(long(closed, 2), 1, "the lost packet");
}

//! The AV1 depacketizer against the `rtp` crate's AV1 payloader (an independent
//! implementation, after libwebrtc's), at random MTUs and with random loss; and the sequence
//! and frame header readers against headers written from the spec's bit layout.
//!
//! The payloader (rtp 0.17) writes element lengths of 128 and more wrongly (its `put_leb128`
//! shifts the packed value by 7 bits where it packed 8), so it is driven at MTUs under 128
//! here, where every length is one byte; `wrong_lengths_from_the_payloader_are_refused` pins
//! the bug so a fixed release shows.

use super::*;
use proptest::prelude::*;
use rtp::codecs::av1::Av1Payloader;
use rtp::packetizer::Payloader;

/// An OBU as the low-overhead format writes it: header with the size flag, leb128 size, body.
fn obu(kind: u8, body: &[u8]) -> Vec<u8> {
    let mut out = BytesMut::new();
    out.put_u8(kind << 3 | HAS_SIZE);
    put_leb128(&mut out, body.len());
    out.put_slice(body);
    out.to_vec()
}

/// A temporal unit: the delimiter, then `obus`.
fn unit(obus: &[Vec<u8>]) -> Vec<u8> {
    let mut tu = vec![OBU_TEMPORAL_DELIMITER << 3 | HAS_SIZE, 0];
    obus.iter().for_each(|o| tu.extend_from_slice(o));
    tu
}

/// Writes bits most significant first.
#[derive(Default)]
struct BitWriter {
    bytes: Vec<u8>,
    n: usize,
}

impl BitWriter {
    fn put(&mut self, value: u64, bits: u32) {
        for i in (0..bits).rev() {
            if self.n.is_multiple_of(8) {
                self.bytes.push(0);
            }
            let bit = (value >> i) & 1;
            *self.bytes.last_mut().unwrap() |= (bit as u8) << (7 - self.n % 8);
            self.n += 1;
        }
    }
}

/// A sequence header (AV1 §5.5) of one operating point, with timing and decoder model info
/// when asked, for a `width`x`height` picture.
fn sequence_header(width: u32, height: u32, timing: bool) -> Vec<u8> {
    let mut w = BitWriter::default();
    w.put(0, 3); // seq_profile
    w.put(0, 1); // still_picture
    w.put(0, 1); // reduced_still_picture_header
    w.put(u64::from(timing), 1);
    if timing {
        w.put(1, 32);
        w.put(25, 32);
        w.put(1, 1); // equal_picture_interval
        w.put(1, 1); // uvlc 0
        w.put(1, 1); // decoder_model_info_present_flag
        w.put(9, 5); // buffer_delay_length_minus_1: 10 bits
        w.put(1, 32);
        w.put(0, 5);
        w.put(0, 5);
    }
    w.put(1, 1); // initial_display_delay_present_flag
    w.put(0, 5); // one operating point
    w.put(0, 12);
    w.put(8, 5); // seq_level_idx > 7: a tier bit
    w.put(0, 1);
    if timing {
        w.put(1, 1); // decoder_model_present_for_this_op
        w.put(0, 10);
        w.put(0, 10);
        w.put(0, 1);
    }
    w.put(1, 1);
    w.put(3, 4);
    w.put(15, 4); // frame_width_bits_minus_1: 16 bits
    w.put(15, 4);
    w.put(u64::from(width - 1), 16);
    w.put(u64::from(height - 1), 16);
    w.put(0, 7); // the rest, unread
    w.bytes
}

#[test]
fn sequence_headers_give_the_picture_size() {
    for timing in [false, true] {
        let s = parse_sequence_header(&sequence_header(1920, 1080, timing)).unwrap();
        assert_eq!((s.width, s.height), (1920, 1080), "timing {timing}");
    }
    assert_eq!(parse_sequence_header(&[0]), None, "cut short");
}

#[test]
fn frame_headers_say_key_intra_or_inter() {
    // show_existing_frame 0, frame_type 0 (KEY), 1 (INTER), 2 (INTRA_ONLY); then showing an
    // earlier frame.
    assert_eq!(frame_kind(&[0b0000_0000], None), Some((true, true)));
    assert_eq!(frame_kind(&[0b0010_0000], None), Some((false, false)));
    assert_eq!(frame_kind(&[0b0100_0000], None), Some((false, true)));
    assert_eq!(frame_kind(&[0b1000_0000], None), None);
}

fn depacketize(packets: &[(u32, bool, Bytes, bool)]) -> Vec<TemporalUnit> {
    let mut d = Av1Depacketizer::new();
    let mut out = Vec::new();
    for (ts, marker, p, gap) in packets {
        d.push(*ts, *marker, p, *gap, &mut out);
    }
    d.flush(&mut out);
    out
}

/// `units` through the rtp crate's payloader at `mtu`: (timestamp, marker, payload).
fn packetize(units: &[Vec<u8>], mtu: usize) -> Vec<(u32, bool, Bytes, bool)> {
    let mut packets = Vec::new();
    for (i, tu) in units.iter().enumerate() {
        let payloads = Av1Payloader {}
            .payload(mtu, &Bytes::from(tu.clone()))
            .unwrap();
        let n = payloads.len();
        for (j, p) in payloads.into_iter().enumerate() {
            packets.push((i as u32 * 3000, j + 1 == n, p, false));
        }
    }
    packets
}

fn arb_unit() -> impl Strategy<Value = Vec<u8>> {
    let body = prop::collection::vec(any::<u8>(), 0..2500);
    let obus = prop::collection::vec((prop::sample::select(vec![3u8, 4, 5, 6]), body), 1..5);
    (any::<bool>(), obus).prop_map(|(with_sequence, obus)| {
        let mut all = Vec::new();
        if with_sequence {
            all.push(obu(OBU_SEQUENCE_HEADER, &sequence_header(640, 360, false)));
        }
        all.extend(obus.iter().map(|(k, b)| obu(*k, b)));
        unit(&all)
    })
}

#[test]
fn a_keyframe_unit_from_the_payloader_comes_back_with_its_size() {
    let tu = unit(&[
        obu(OBU_SEQUENCE_HEADER, &sequence_header(320, 240, true)),
        obu(OBU_FRAME, &[0b0001_0000, 1, 2, 3]),
    ]);
    let inter = unit(&[obu(OBU_FRAME, &[0b0010_0000; 3000])]);
    let out = depacketize(&packetize(&[tu.clone(), inter.clone()], 120));
    assert_eq!(out.len(), 2);
    assert_eq!(&out[0].data[..], &tu[..]);
    assert!(out[0].keyframe && out[0].complete);
    assert_eq!((out[0].width, out[0].height), (Some(320), Some(240)));
    assert_eq!(&out[1].data[..], &inter[..]);
    assert_eq!((out[1].keyframe, out[1].intra), (false, Some(false)));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn payloader_round_trips_are_byte_for_byte(units in prop::collection::vec(arb_unit(), 1..6), mtu in 8usize..128) {
        let out = depacketize(&packetize(&units, mtu));
        prop_assert_eq!(out.len(), units.len());
        for (got, want) in out.iter().zip(&units) {
            prop_assert!(got.complete);
            prop_assert_eq!(&got.data[..], &want[..]);
        }
    }

    #[test]
    fn with_a_lost_packet_only_whole_units_are_complete(units in prop::collection::vec(arb_unit(), 2..6), mtu in 8usize..128, lose in any::<prop::sample::Index>()) {
        let mut packets = packetize(&units, mtu);
        let lost = lose.index(packets.len());
        let lost_ts = packets[lost].0;
        packets.remove(lost);
        if let Some(next) = packets.get_mut(lost) {
            next.3 = true;
        }
        let out = depacketize(&packets);
        for got in &out {
            let want = &units[(got.rtp_timestamp / 3000) as usize];
            if got.complete {
                prop_assert_eq!(&got.data[..], &want[..]);
                prop_assert_ne!(got.rtp_timestamp, lost_ts);
            }
        }
        // Every unit the loss did not touch or border comes out whole.
        let whole = out.iter().filter(|u| u.complete).count();
        prop_assert!(whole + 2 >= units.len(), "{} of {}", whole, units.len());
    }
}

#[test]
fn av1_payloads_are_told_from_h264_ones() {
    let packets = packetize(&[unit(&[obu(OBU_FRAME, &[0; 3000])])], 1200);
    assert!(packets.iter().all(|(_, _, p, _)| could_be_av1(p)));
    // H.264 slices and FU-A headers have reserved-bit patterns AV1 does not.
    assert!(!could_be_av1(&[0x65, 0x88]) && !could_be_av1(&[0x7C, 0x85]));
}

#[test]
fn wrong_lengths_from_the_payloader_are_refused() {
    // Two OBUs in a packet, the first 200 bytes: its length field (200 = c8 01 in leb128)
    // comes out as 81 90 03 from rtp 0.17, which reads as far more than the packet holds.
    let tu = unit(&[obu(OBU_FRAME, &[0b0010_0000; 199]), obu(5, &[1; 10])]);
    let packets = packetize(&[tu], 1200);
    assert_eq!(packets.len(), 1);
    assert_eq!(
        &packets[0].2[1..4],
        &[0x81, 0x90, 0x03],
        "the payloader's lengths"
    );
    let out = depacketize(&packets);
    assert!(
        !out[0].complete,
        "a length past the packet is a broken unit, never a guess"
    );
}

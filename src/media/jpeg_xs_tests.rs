//! JPEG XS codestreams built from the ISO/IEC 21122-1 marker layout (SOC, CAP, PIH, CDT, WGT,
//! slices with their SLH, EOC), packetized per RFC 9134 here in both packetization modes, in
//! order and shuffled, with and without a lost packet.

use super::*;
use proptest::prelude::*;

fn segment(marker: u8, body: &[u8]) -> Vec<u8> {
    let mut s = vec![0xFF, marker];
    s.extend_from_slice(&(body.len() as u16 + 2).to_be_bytes());
    s.extend_from_slice(body);
    s
}

/// A codestream of `width`x`height`, three components, with `slices` of entropy data.
fn codestream(width: u16, height: u16, slices: &[Vec<u8>]) -> (Vec<u8>, usize) {
    let mut cs = SOC.to_vec();
    cs.extend(segment(0x50, &[])); // CAP: no extra capabilities
    let mut pih = Vec::new();
    pih.extend_from_slice(&0u32.to_be_bytes()); // Lcod: variable bitrate
    pih.extend_from_slice(&0x1500u16.to_be_bytes()); // Ppih: a profile
    pih.extend_from_slice(&0x2040u16.to_be_bytes()); // Plev
    pih.extend_from_slice(&width.to_be_bytes());
    pih.extend_from_slice(&height.to_be_bytes());
    pih.extend_from_slice(&0u16.to_be_bytes()); // Cw: full width precincts
    pih.extend_from_slice(&16u16.to_be_bytes()); // Hsl: slice height
    pih.extend_from_slice(&[3, 4, 8, 20, 0x80, 0x04, 0x51, 0x00]); // Nc Ng Ss Bw Fq/Br ...
    cs.extend(segment(0x12, &pih));
    cs.extend(segment(0x13, &[8, 0x11, 8, 0x11, 8, 0x11])); // CDT: 8-bit, no subsampling
    cs.extend(segment(0x14, &[0, 1, 0, 2, 1, 1])); // WGT
    let header_len = cs.len();
    for (i, data) in slices.iter().enumerate() {
        cs.extend(segment(0x20, &(i as u16).to_be_bytes()));
        cs.extend_from_slice(data);
    }
    cs.extend_from_slice(&EOC);
    (cs, header_len)
}

/// RFC 9134 packets of one frame: (marker, payload). Codestream mode cuts the codestream at
/// `mtu`; slice mode packetizes the header segments, then each slice, as units of their own.
fn packetize(
    cs: &[u8],
    header_len: usize,
    slice_mode: bool,
    mtu: usize,
    frame: u8,
) -> Vec<(bool, Bytes)> {
    let units: Vec<&[u8]> = if slice_mode {
        let mut cuts = vec![0, header_len];
        let mut at = header_len;
        // Each slice starts at its SLH marker (FF20 with Lslh 4); the EOC stays with the last.
        while let Some(next) = cs[at + 2..]
            .windows(4)
            .position(|w| w == [0xFF, 0x20, 0, 4])
        {
            at += 2 + next;
            cuts.push(at);
        }
        cuts.push(cs.len());
        cuts.dedup();
        cuts.windows(2).map(|w| &cs[w[0]..w[1]]).collect()
    } else {
        vec![cs]
    };
    let mut packets = Vec::new();
    let mut index = 0;
    for unit in &units {
        let chunks: Vec<&[u8]> = unit.chunks(mtu.max(1)).collect();
        for (j, chunk) in chunks.iter().enumerate() {
            let h = PayloadHeader {
                transmission_mode: true,
                slice_mode,
                last_of_unit: j + 1 == chunks.len(),
                interlace: 0,
                frame_counter: frame % 32,
                packet_index: index,
            };
            index += 1;
            let mut p = h.write().to_vec();
            p.extend_from_slice(chunk);
            packets.push((false, Bytes::from(p)));
        }
    }
    if let Some(last) = packets.last_mut() {
        last.0 = true;
    }
    packets
}

#[test]
fn the_payload_header_round_trips_its_fields() {
    let h = PayloadHeader {
        transmission_mode: true,
        slice_mode: false,
        last_of_unit: true,
        interlace: 0b10,
        frame_counter: 17,
        packet_index: (3 << 11) | 2047,
    };
    assert_eq!(PayloadHeader::read(&h.write()), Some(h));
    assert_eq!(PayloadHeader::read(&[1, 2]), None);
}

#[test]
fn the_picture_header_gives_the_size_and_the_first_packet_is_recognised() {
    let (cs, header_len) = codestream(1920, 1080, &[vec![7; 50]]);
    assert_eq!(picture_size(&cs), Some((1920, 1080)));
    assert_eq!(picture_size(&cs[2..]), None);
    let packets = packetize(&cs, header_len, true, 64, 0);
    assert!(could_be_jpeg_xs(&packets[0].1));
    assert!(!packets[1..].iter().any(|(_, p)| could_be_jpeg_xs(p)));
}

fn arb_frame() -> impl Strategy<Value = (u16, u16, Vec<Vec<u8>>)> {
    (
        1u16..4096,
        1u16..2160,
        prop::collection::vec(prop::collection::vec(any::<u8>(), 0..600), 1..6),
    )
}

fn rebuild(frames: &[(u32, Vec<(bool, Bytes)>)]) -> Vec<XsFrame> {
    let mut d = JpegXsDepacketizer::new();
    let mut out = Vec::new();
    for (ts, packets) in frames {
        for (marker, p) in packets {
            d.push(*ts, *marker, p.clone(), &mut out);
        }
    }
    d.flush(&mut out);
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn frames_come_back_byte_for_byte_in_any_order(
        frames in prop::collection::vec(arb_frame(), 1..4),
        mtu in 1usize..1400,
        slice_mode in any::<bool>(),
        shuffle in any::<bool>(),
        seed in any::<u64>(),
    ) {
        let mut rng = fastrand::Rng::with_seed(seed);
        let mut sent = Vec::new();
        let mut streams = Vec::new();
        for (i, (w, h, slices)) in frames.iter().enumerate() {
            let (cs, header_len) = codestream(*w, *h, slices);
            let mut packets = packetize(&cs, header_len, slice_mode, mtu, i as u8);
            if shuffle {
                rng.shuffle(&mut packets);
            }
            sent.push((i as u32 * 1500, packets));
            streams.push((cs, *w, *h));
        }
        let out = rebuild(&sent);
        prop_assert_eq!(out.len(), streams.len());
        for (got, (cs, w, h)) in out.iter().zip(&streams) {
            prop_assert!(got.complete);
            prop_assert_eq!(&got.data[..], &cs[..]);
            prop_assert_eq!((got.width, got.height), (Some(u32::from(*w)), Some(u32::from(*h))));
        }
    }

    #[test]
    fn a_lost_packet_leaves_its_frame_incomplete_and_the_others_whole(
        frames in prop::collection::vec(arb_frame(), 2..4),
        mtu in 20usize..400,
        slice_mode in any::<bool>(),
        victim in any::<prop::sample::Index>(),
        lose in any::<prop::sample::Index>(),
    ) {
        let mut sent = Vec::new();
        let mut streams = Vec::new();
        for (i, (w, h, slices)) in frames.iter().enumerate() {
            let (cs, header_len) = codestream(*w, *h, slices);
            sent.push((i as u32 * 1500, packetize(&cs, header_len, slice_mode, mtu, i as u8)));
            streams.push(cs);
        }
        let v = victim.index(sent.len());
        let n = sent[v].1.len();
        // A frame of one packet lost whole leaves nothing to rebuild.
        prop_assume!(n > 1);
        sent[v].1.remove(lose.index(n));
        let out = rebuild(&sent);
        prop_assert_eq!(out.len(), streams.len());
        for (i, got) in out.iter().enumerate() {
            prop_assert_eq!(got.complete, i != v, "frame {}", i);
            if i != v {
                prop_assert_eq!(&got.data[..], &streams[i][..]);
            }
        }
    }
}

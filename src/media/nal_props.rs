//! Property tests of the NAL depacketizer: NAL units packetized by an independent writer of
//! RFC 6184 / RFC 7798 (single units, STAP-A / AP aggregation, FU-A / FU fragmentation) at
//! random MTUs come back byte for byte; with random packets lost (and the loss flagged, as the
//! reorder buffer does), nothing that comes out is a unit that was not sent whole. The `rtp`
//! crate's H.264 payloader (webrtc-rs) is a second independent writer. Its H.265 one is not
//! used: in rtp 0.17 it writes FU headers only for the unit types it calls IDR, P and B (a
//! CRA's fragments go out with no FU header) and with fixed types, so no receiver could
//! rebuild the units.

use super::nal::{NalDepacketizer, NalFormat};
use bytes::Bytes;
use proptest::prelude::*;

/// The payload header bytes of a format: 1 (H.264) or 2 (H.265).
fn header_len(format: NalFormat) -> usize {
    match format {
        NalFormat::H264 => 1,
        NalFormat::H265 => 2,
    }
}

/// Payloads for `nals` at `mtu` bytes a payload, written from the RFCs alone.
fn packetize(format: NalFormat, nals: &[Vec<u8>], mtu: usize) -> Vec<Vec<u8>> {
    let h = header_len(format);
    let mut out = Vec::new();
    let mut aggregate: Vec<&Vec<u8>> = Vec::new();
    let flush = |aggregate: &mut Vec<&Vec<u8>>, out: &mut Vec<Vec<u8>>| {
        match aggregate.len() {
            0 => {}
            1 => out.push(aggregate[0].clone()),
            _ => {
                let mut p = match format {
                    // STAP-A: F and the highest NRI of the units, type 24.
                    NalFormat::H264 => {
                        vec![aggregate.iter().map(|n| n[0] & 0x60).max().unwrap() | 24]
                    }
                    // AP: type 48, layer 0, the lowest TID + 1 of the units.
                    NalFormat::H265 => {
                        vec![48 << 1, aggregate.iter().map(|n| n[1] & 7).min().unwrap()]
                    }
                };
                for n in aggregate.iter() {
                    p.extend_from_slice(&(n.len() as u16).to_be_bytes());
                    p.extend_from_slice(n);
                }
                out.push(p);
            }
        }
        aggregate.clear();
    };
    for nal in nals {
        let aggregated_size: usize =
            h + aggregate.iter().map(|n| n.len() + 2).sum::<usize>() + nal.len() + 2;
        if nal.len() <= mtu && aggregated_size <= mtu {
            aggregate.push(nal);
            continue;
        }
        flush(&mut aggregate, &mut out);
        if nal.len() <= mtu {
            aggregate.push(nal);
            continue;
        }
        // Fragmentation: the unit's header is rebuilt from each fragment's.
        let (indicator, fu_len) = match format {
            NalFormat::H264 => (vec![(nal[0] & 0xE0) | 28], 1),
            NalFormat::H265 => (vec![(nal[0] & 0x81) | (49 << 1), nal[1]], 1),
        };
        let t = match format {
            NalFormat::H264 => nal[0] & 0x1F,
            NalFormat::H265 => (nal[0] >> 1) & 0x3F,
        };
        let body = &nal[h..];
        let room = mtu - indicator.len() - fu_len;
        let chunks: Vec<&[u8]> = body.chunks(room.max(1)).collect();
        for (i, chunk) in chunks.iter().enumerate() {
            let mut fu = t;
            if i == 0 {
                fu |= 0x80;
            }
            if i + 1 == chunks.len() {
                fu |= 0x40;
            }
            let mut p = indicator.clone();
            p.push(fu);
            p.extend_from_slice(chunk);
            out.push(p);
        }
    }
    flush(&mut aggregate, &mut out);
    out
}

fn nal_strategy(format: NalFormat) -> impl Strategy<Value = Vec<u8>> {
    let body = prop::collection::vec(any::<u8>(), 1..4000);
    match format {
        NalFormat::H264 => (prop::sample::select(vec![0x65u8, 0x41, 0x01, 0x21]), body)
            .prop_map(|(h, b)| [vec![h], b].concat())
            .boxed(),
        NalFormat::H265 => (prop::sample::select(vec![19u8, 1, 0, 21]), body)
            .prop_map(|(t, b)| [vec![t << 1, 1], b].concat())
            .boxed(),
    }
}

fn depacketize(format: NalFormat, packets: &[(Vec<u8>, bool)]) -> Vec<Vec<u8>> {
    let mut d = NalDepacketizer::new(format);
    let mut out = Vec::new();
    for (p, gap) in packets {
        // Errors are the depacketizer saying a unit was broken: counted by its caller.
        let _ = d.push(&Bytes::copy_from_slice(p), *gap, &mut out);
    }
    out.into_iter().map(|b| b.to_vec()).collect()
}

fn is_subsequence(got: &[Vec<u8>], of: &[Vec<u8>]) -> bool {
    let mut rest = of.iter();
    got.iter().all(|g| rest.any(|n| n == g))
}

fn formats() -> impl Strategy<Value = NalFormat> {
    prop::sample::select(vec![NalFormat::H264, NalFormat::H265])
}

/// `nals` through the `rtp` crate's H.264 payloader, as one Annex B access unit.
fn rtp_crate_packetize(nals: &[Vec<u8>], mtu: usize) -> Vec<Vec<u8>> {
    use rtp::codecs::h264::H264Payloader;
    use rtp::packetizer::Payloader;
    let annexb: Vec<u8> = nals
        .iter()
        .flat_map(|n| [&[0, 0, 0, 1][..], n].concat())
        .collect();
    let payloads = H264Payloader::default().payload(mtu, &Bytes::from(annexb));
    payloads.unwrap().iter().map(|p| p.to_vec()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn units_from_the_rtp_crates_h264_payloader_come_back_byte_for_byte(
        // Real units never hold a start code (emulation prevention): no zero bytes here.
        nals in prop::collection::vec(
            nal_strategy(NalFormat::H264)
                .prop_map(|n| [&n[..1], &n[1..].iter().map(|b| (*b).max(1)).collect::<Vec<u8>>()].concat()),
            1..12,
        ),
        mtu in 40usize..1500,
    ) {
        let packets: Vec<(Vec<u8>, bool)> = rtp_crate_packetize(&nals, mtu)
            .into_iter()
            .map(|p| (p, false))
            .collect();
        prop_assert_eq!(depacketize(NalFormat::H264, &packets), nals);
    }

    #[test]
    fn units_come_back_byte_for_byte_at_any_mtu(
        (format, nals) in formats().prop_flat_map(|f| {
            (Just(f), prop::collection::vec(nal_strategy(f), 1..12))
        }),
        mtu in 40usize..1500,
    ) {
        let packets: Vec<(Vec<u8>, bool)> =
            packetize(format, &nals, mtu).into_iter().map(|p| (p, false)).collect();
        prop_assert!(packets.iter().all(|(p, _)| p.len() <= mtu));
        prop_assert_eq!(depacketize(format, &packets), nals);
    }

    #[test]
    fn with_packets_lost_only_whole_units_come_out(
        (format, nals) in formats().prop_flat_map(|f| {
            (Just(f), prop::collection::vec(nal_strategy(f), 1..12))
        }),
        mtu in 40usize..1500,
        lost in prop::collection::vec(any::<bool>(), 64),
        loss_rate in 1u8..4,
    ) {
        let packets = packetize(format, &nals, mtu);
        let mut kept = Vec::new();
        let mut gap = false;
        for (i, p) in packets.into_iter().enumerate() {
            // Roughly one packet in (loss_rate * 2) lost.
            if lost[i % lost.len()] && i % usize::from(loss_rate) == 0 {
                gap = true;
                continue;
            }
            kept.push((p, std::mem::take(&mut gap)));
        }
        let got = depacketize(format, &kept);
        prop_assert!(is_subsequence(&got, &nals), "a unit came out that was not sent whole");
    }
}

//! RTCP sender reports (RFC 3550 §6.4.1) on top of `rtcp-types`: the NTP time of a wall-clock
//! instant, the matching RTP time, and the packet and octet counts a sender keeps. And the
//! receiver's side: the sender reports read out of a compound packet (the NTP/RTP pair A/V sync
//! maps media time with) and receiver reports (§6.4.2) written back.

use bytes::Bytes;
use rtcp_types::{
    Compound, Packet, ReceiverReport, ReportBlock, RtcpPacketWriter, RtcpPacketWriterExt, Sdes,
    SdesChunk, SdesItem, SenderReport,
};

#[derive(Debug, thiserror::Error)]
pub enum RtcpError {
    #[error("cannot write RTCP packet: {0}")]
    Write(#[from] rtcp_types::RtcpWriteError),
    #[error("not an RTCP compound packet: {0}")]
    Parse(#[from] rtcp_types::RtcpParseError),
}

/// Seconds from the NTP epoch (1900) to the Unix epoch (1970).
const NTP_UNIX_OFFSET: u64 = 2_208_988_800;

/// The 64-bit NTP timestamp (32.32 fixed point seconds since 1900) of Unix time in ms.
/// Times before 1970 saturate at the Unix epoch.
pub fn ntp_from_unix_ms(ms: i64) -> u64 {
    let ms = ms.max(0) as u64;
    let secs = ms / 1000 + NTP_UNIX_OFFSET;
    let frac = ((ms % 1000) << 32) / 1000;
    (secs << 32) | frac
}

/// Unix ms of a 64-bit NTP timestamp (the inverse of [`ntp_from_unix_ms`], to the ms).
pub fn unix_ms_from_ntp(ntp: u64) -> i64 {
    let secs = (ntp >> 32) as i64 - NTP_UNIX_OFFSET as i64;
    let ms = ((ntp & 0xFFFF_FFFF) * 1000 + (1 << 31)) >> 32;
    secs * 1000 + ms as i64
}

/// The middle 32 bits of an NTP timestamp: how a receiver report names the sender report it
/// answers (LSR), and the 16.16 unit its delay (DLSR) is in.
pub fn ntp_middle(ntp: u64) -> u32 {
    (ntp >> 16) as u32
}

/// Packets and payload octets sent, as a sender report counts them (both wrap at 2^32).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SenderCounts {
    pub packets: u32,
    pub octets: u32,
}

impl SenderCounts {
    /// Counts one sent packet with a payload of `payload_len` bytes (headers excluded).
    pub fn on_packet(&mut self, payload_len: usize) {
        self.packets = self.packets.wrapping_add(1);
        self.octets = self.octets.wrapping_add(payload_len as u32);
    }
}

/// What one sender report says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SenderInfo {
    pub ssrc: u32,
    /// Wall time of the report, Unix ms.
    pub wall_ms: i64,
    /// The RTP timestamp of that same instant.
    pub rtp_timestamp: u32,
    pub counts: SenderCounts,
    /// Canonical name for the SDES chunk RFC 3550 wants in every compound packet.
    pub cname: String,
}

/// A compound RTCP packet: the sender report, then SDES with the CNAME.
pub fn sender_report(info: &SenderInfo) -> Result<Bytes, RtcpError> {
    let sr = SenderReport::builder(info.ssrc)
        .ntp_timestamp(ntp_from_unix_ms(info.wall_ms))
        .rtp_timestamp(info.rtp_timestamp)
        .packet_count(info.counts.packets)
        .octet_count(info.counts.octets);
    let sdes = Sdes::builder().add_chunk(
        SdesChunk::builder(info.ssrc).add_item(SdesItem::builder(SdesItem::CNAME, &info.cname)),
    );
    let compound = Compound::builder().add_packet(sr).add_packet(sdes);
    let mut buf = vec![0; compound.calculate_size()?];
    let n = compound.write_into(&mut buf)?;
    buf.truncate(n);
    Ok(Bytes::from(buf))
}

/// A sender report as a receiver reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReceivedSenderReport {
    pub ssrc: u32,
    pub ntp: u64,
    pub rtp_timestamp: u32,
    pub counts: SenderCounts,
}

impl ReceivedSenderReport {
    /// The sender's wall time of the report, Unix ms.
    pub fn wall_ms(&self) -> i64 {
        unix_ms_from_ntp(self.ntp)
    }
}

/// The sender reports in one compound RTCP packet (RR, SDES, BYE and the rest are skipped).
pub fn sender_reports(data: &[u8]) -> Result<Vec<ReceivedSenderReport>, RtcpError> {
    let mut out = Vec::new();
    for packet in Compound::parse(data)? {
        if let Packet::Sr(sr) = packet? {
            out.push(ReceivedSenderReport {
                ssrc: sr.ssrc(),
                ntp: sr.ntp_timestamp(),
                rtp_timestamp: sr.rtp_timestamp(),
                counts: SenderCounts {
                    packets: sr.packet_count(),
                    octets: sr.octet_count(),
                },
            });
        }
    }
    Ok(out)
}

/// What a receiver reports of one source since its previous report (RFC 3550 §6.4.1, A.3).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reception {
    pub source_ssrc: u32,
    /// Packets expected and received over the interval; their difference is the loss.
    pub expected: u64,
    pub received: u64,
    /// Packets lost since the start (negative with duplicates; clamped to 24 bits).
    pub cumulative_lost: i64,
    /// The highest sequence number received, extended with the count of wraps.
    pub extended_highest_seq: u32,
    /// Interarrival jitter in RTP timestamp units.
    pub jitter: u32,
    /// The last sender report from this source, and how long ago it came (ms); none yet: 0s.
    pub last_sender_report: Option<(u64, i64)>,
}

impl Reception {
    /// The fraction lost over the interval, in 1/256ths (0 when more came than were expected).
    pub fn fraction_lost(&self) -> u8 {
        if self.expected == 0 || self.received >= self.expected {
            return 0;
        }
        (((self.expected - self.received) << 8) / self.expected).min(255) as u8
    }

    fn block(&self) -> rtcp_types::ReportBlockBuilder {
        // 24-bit two's complement, saturating (RFC 3550 A.3).
        let lost = self.cumulative_lost.clamp(-0x80_0000, 0x7F_FFFF) as i32 as u32 & 0xFF_FFFF;
        let (lsr, dlsr) = self.last_sender_report.map_or((0, 0), |(ntp, ago_ms)| {
            let ago = (ago_ms.max(0) as u64 * 65_536 / 1000).min(u32::MAX as u64) as u32;
            (ntp_middle(ntp), ago)
        });
        ReportBlock::builder(self.source_ssrc)
            .fraction_lost(self.fraction_lost())
            .cumulative_lost(lost)
            .extended_sequence_number(self.extended_highest_seq)
            .interarrival_jitter(self.jitter)
            .last_sender_report_timestamp(lsr)
            .delay_since_last_sender_report_timestamp(dlsr)
    }
}

/// A compound RTCP packet: a receiver report from `reporter_ssrc` with a block per source (at
/// most 31, the count field's limit; the rest go in the next report), then SDES with the CNAME.
pub fn receiver_report(
    reporter_ssrc: u32,
    cname: &str,
    sources: &[Reception],
) -> Result<Bytes, RtcpError> {
    let rr = sources
        .iter()
        .take(31)
        .fold(ReceiverReport::builder(reporter_ssrc), |rr, r| {
            rr.add_report_block(r.block())
        });
    let sdes = Sdes::builder().add_chunk(
        SdesChunk::builder(reporter_ssrc).add_item(SdesItem::builder(SdesItem::CNAME, cname)),
    );
    let compound = Compound::builder().add_packet(rr).add_packet(sdes);
    let mut buf = vec![0; compound.calculate_size()?];
    let n = compound.write_into(&mut buf)?;
    buf.truncate(n);
    Ok(Bytes::from(buf))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ntp_time() {
        assert_eq!(ntp_from_unix_ms(0), NTP_UNIX_OFFSET << 32);
        let t = ntp_from_unix_ms(1_500);
        assert_eq!(t >> 32, NTP_UNIX_OFFSET + 1);
        assert_eq!(t & 0xFFFF_FFFF, 1 << 31, "half a second");
        assert_eq!(ntp_from_unix_ms(-5), NTP_UNIX_OFFSET << 32);
    }

    #[test]
    fn report_parses_back() {
        let mut counts = SenderCounts::default();
        counts.on_packet(1000);
        counts.on_packet(400);
        let info = SenderInfo {
            ssrc: 0x1234_5678,
            wall_ms: 1_700_000_000_250,
            rtp_timestamp: 90_000,
            counts,
            cname: "eventflux@host".into(),
        };
        let bytes = sender_report(&info).unwrap();
        let compound = Compound::parse(&bytes).unwrap();
        let packets: Vec<Packet> = compound.collect::<Result<_, _>>().unwrap();
        let Packet::Sr(sr) = &packets[0] else {
            panic!("first packet is {:?}", packets[0])
        };
        assert_eq!(sr.ssrc(), 0x1234_5678);
        assert_eq!(sr.ntp_timestamp(), ntp_from_unix_ms(1_700_000_000_250));
        assert_eq!(sr.rtp_timestamp(), 90_000);
        assert_eq!((sr.packet_count(), sr.octet_count()), (2, 1400));
        let Packet::Sdes(sdes) = &packets[1] else {
            panic!("second packet is {:?}", packets[1])
        };
        let chunk = sdes.chunks().next().unwrap();
        let item = chunk.items().next().unwrap();
        assert_eq!(item.value(), b"eventflux@host");
    }

    #[test]
    fn ntp_round_trips_to_the_ms() {
        for ms in [0, 1, 999, 1_000, 1_700_000_000_250, 1_700_000_000_999] {
            assert_eq!(unix_ms_from_ntp(ntp_from_unix_ms(ms)), ms);
        }
        assert_eq!(ntp_middle(0x0123_4567_89AB_CDEF), 0x4567_89AB);
    }

    #[test]
    fn a_receiver_reads_the_sender_reports_of_a_compound_packet() {
        let info = SenderInfo {
            ssrc: 7,
            wall_ms: 1_700_000_000_500,
            rtp_timestamp: 123_456,
            counts: SenderCounts {
                packets: 10,
                octets: 12_000,
            },
            cname: "cam".into(),
        };
        let got = sender_reports(&sender_report(&info).unwrap()).unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].ssrc, 7);
        assert_eq!(got[0].wall_ms(), 1_700_000_000_500);
        assert_eq!(got[0].rtp_timestamp, 123_456);
        assert_eq!(got[0].counts, info.counts);
        // A receiver report alone has none; garbage is an error, not a panic.
        let rr = receiver_report(1, "me", &[]).unwrap();
        assert!(sender_reports(&rr).unwrap().is_empty());
        assert!(sender_reports(&[0xFF, 0, 1]).is_err());
    }

    #[test]
    fn receiver_reports_carry_loss_jitter_and_the_last_sender_report() {
        let sr_ntp = ntp_from_unix_ms(1_700_000_000_000);
        let r = Reception {
            source_ssrc: 0xABCD,
            expected: 200,
            received: 150,
            cumulative_lost: 70,
            extended_highest_seq: (1 << 16) | 5,
            jitter: 321,
            last_sender_report: Some((sr_ntp, 1_500)),
        };
        assert_eq!(r.fraction_lost(), 64, "a quarter lost");
        let bytes = receiver_report(0x1111, "eventflux", &[r]).unwrap();
        let packets: Vec<Packet> = Compound::parse(&bytes)
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let Packet::Rr(rr) = &packets[0] else {
            panic!("first packet is {:?}", packets[0])
        };
        assert_eq!(rr.ssrc(), 0x1111);
        let b = rr.report_blocks().next().unwrap();
        assert_eq!(b.ssrc(), 0xABCD);
        assert_eq!(b.fraction_lost(), 64);
        assert_eq!(b.cumulative_lost(), 70);
        assert_eq!(b.extended_sequence_number(), 65_541);
        assert_eq!(b.interarrival_jitter(), 321);
        assert_eq!(b.last_sender_report_timestamp(), ntp_middle(sr_ntp));
        assert_eq!(
            b.delay_since_last_sender_report_timestamp(),
            98_304,
            "1.5 s in 1/65536 s"
        );
        assert!(matches!(packets[1], Packet::Sdes(_)));
        // Duplicates make the loss negative: 24-bit two's complement.
        let dup = Reception {
            cumulative_lost: -2,
            received: 12,
            expected: 10,
            ..r
        };
        assert_eq!(dup.fraction_lost(), 0);
        let bytes = receiver_report(1, "x", &[dup]).unwrap();
        let Packet::Rr(rr) = Compound::parse(&bytes).unwrap().next().unwrap().unwrap() else {
            panic!()
        };
        assert_eq!(
            rr.report_blocks().next().unwrap().cumulative_lost(),
            0xFF_FFFE
        );
    }
}

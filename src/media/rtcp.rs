//! RTCP sender reports (RFC 3550 §6.4.1) on top of `rtcp-types`: the NTP time of a wall-clock
//! instant, the matching RTP time, and the packet and octet counts a sender keeps.

use bytes::Bytes;
use rtcp_types::{
    Compound, RtcpPacketWriter, RtcpPacketWriterExt, Sdes, SdesChunk, SdesItem, SenderReport,
};

#[derive(Debug, thiserror::Error)]
pub enum RtcpError {
    #[error("cannot write RTCP packet: {0}")]
    Write(#[from] rtcp_types::RtcpWriteError),
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

#[cfg(test)]
mod tests {
    use super::*;
    use rtcp_types::Packet;

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
}

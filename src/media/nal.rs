//! RTP payloads of H.264 (RFC 6184) and H.265 (RFC 7798) back into NAL units: single NAL
//! packets, aggregation packets (STAP-A / AP) and fragmentation units (FU-A / FU), with the
//! fragments of one NAL reassembled. A fragment that is missing (a gap before it, or an end
//! without a start) breaks that NAL: it is dropped and reported, never glued together wrong.

use bytes::{Bytes, BytesMut};

/// Which payload format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NalFormat {
    H264,
    H265,
}

impl NalFormat {
    fn header_len(self) -> usize {
        match self {
            NalFormat::H264 => 1,
            NalFormat::H265 => 2,
        }
    }

    /// The NAL unit type in a NAL header.
    pub fn nal_type(self, nal: &[u8]) -> Option<u8> {
        match self {
            NalFormat::H264 => nal.first().map(|b| b & 0x1F),
            NalFormat::H265 => nal.first().map(|b| (b >> 1) & 0x3F),
        }
    }
}

/// What is wrong with a payload.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NalError {
    #[error("payload too short for its {0}")]
    Short(&'static str),
    #[error("a fragment arrived without the start of its NAL unit")]
    FragmentWithoutStart,
    #[error("a NAL unit's fragments were cut by lost packets")]
    BrokenFragments,
    #[error("payload type {0} is not a NAL unit, aggregation or fragment")]
    Unsupported(u8),
}

/// Reassembles NAL units across packets.
#[derive(Debug)]
pub struct NalDepacketizer {
    format: NalFormat,
    fragments: Option<BytesMut>,
}

impl NalDepacketizer {
    pub fn new(format: NalFormat) -> NalDepacketizer {
        NalDepacketizer {
            format,
            fragments: None,
        }
    }

    pub fn format(&self) -> NalFormat {
        self.format
    }

    /// The NAL units a payload completes, appended to `out` (shared slices of `payload` where
    /// a packet holds whole units). `gap_before`: packets were lost just before this one.
    pub fn push(
        &mut self,
        payload: &Bytes,
        gap_before: bool,
        out: &mut Vec<Bytes>,
    ) -> Result<(), NalError> {
        let mut broken = false;
        if gap_before && self.fragments.take().is_some() {
            broken = true;
        }
        let result = match self.format {
            NalFormat::H264 => self.push_h264(payload, out),
            NalFormat::H265 => self.push_h265(payload, out),
        };
        match (result, broken) {
            (Err(e), _) => Err(e),
            (Ok(()), true) => Err(NalError::BrokenFragments),
            (Ok(()), false) => Ok(()),
        }
    }

    fn push_h264(&mut self, p: &Bytes, out: &mut Vec<Bytes>) -> Result<(), NalError> {
        let t = *p.first().ok_or(NalError::Short("header"))? & 0x1F;
        match t {
            1..=23 => {
                self.interrupt()?;
                out.push(p.clone());
                Ok(())
            }
            24 => {
                self.interrupt()?;
                aggregated(p, 1, out)
            }
            28 => {
                let fu = *p.get(1).ok_or(NalError::Short("FU header"))?;
                let header = (p[0] & 0xE0) | (fu & 0x1F);
                self.fragment(p.slice(2..), fu & 0x80 != 0, fu & 0x40 != 0, &[header], out)
            }
            other => Err(NalError::Unsupported(other)),
        }
    }

    fn push_h265(&mut self, p: &Bytes, out: &mut Vec<Bytes>) -> Result<(), NalError> {
        if p.len() < 2 {
            return Err(NalError::Short("header"));
        }
        let t = (p[0] >> 1) & 0x3F;
        match t {
            0..=47 => {
                self.interrupt()?;
                out.push(p.clone());
                Ok(())
            }
            48 => {
                self.interrupt()?;
                aggregated(p, 2, out)
            }
            49 => {
                let fu = *p.get(2).ok_or(NalError::Short("FU header"))?;
                let header = [(p[0] & 0x81) | ((fu & 0x3F) << 1), p[1]];
                self.fragment(p.slice(3..), fu & 0x80 != 0, fu & 0x40 != 0, &header, out)
            }
            other => Err(NalError::Unsupported(other)),
        }
    }

    /// A whole unit arrived while a fragmented one was open: that one lost its end.
    fn interrupt(&mut self) -> Result<(), NalError> {
        match self.fragments.take() {
            Some(_) => Err(NalError::BrokenFragments),
            None => Ok(()),
        }
    }

    fn fragment(
        &mut self,
        data: Bytes,
        start: bool,
        end: bool,
        header: &[u8],
        out: &mut Vec<Bytes>,
    ) -> Result<(), NalError> {
        let mut result = Ok(());
        if start {
            if self.fragments.is_some() {
                result = Err(NalError::BrokenFragments);
            }
            let mut buf = BytesMut::with_capacity(header.len() + data.len() * 8);
            buf.extend_from_slice(header);
            self.fragments = Some(buf);
        }
        let Some(buf) = self.fragments.as_mut() else {
            return Err(NalError::FragmentWithoutStart);
        };
        buf.extend_from_slice(&data);
        if end {
            if let Some(done) = self.fragments.take() {
                if done.len() > self.format.header_len() {
                    out.push(done.freeze());
                }
            }
        }
        result
    }
}

/// STAP-A / AP: after the payload header, units each led by a 16-bit size.
fn aggregated(p: &Bytes, header: usize, out: &mut Vec<Bytes>) -> Result<(), NalError> {
    let mut at = header;
    while at < p.len() {
        let size_bytes = p
            .get(at..at + 2)
            .ok_or(NalError::Short("aggregation size"))?;
        let size = usize::from(u16::from_be_bytes([size_bytes[0], size_bytes[1]]));
        at += 2;
        let end = at + size;
        if size == 0 || end > p.len() {
            return Err(NalError::Short("aggregated unit"));
        }
        out.push(p.slice(at..end));
        at = end;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn push(d: &mut NalDepacketizer, p: &[u8], gap: bool) -> (Vec<Vec<u8>>, Result<(), NalError>) {
        let mut out = Vec::new();
        let r = d.push(&Bytes::copy_from_slice(p), gap, &mut out);
        (out.into_iter().map(|b| b.to_vec()).collect(), r)
    }

    #[test]
    fn h264_single_stap_a_and_fu_a() {
        let mut d = NalDepacketizer::new(NalFormat::H264);
        assert_eq!(push(&mut d, &[0x67, 1, 2], false).0, vec![vec![0x67, 1, 2]]);
        let stap = [0x78, 0, 2, 0x67, 9, 0, 3, 0x68, 8, 8];
        assert_eq!(
            push(&mut d, &stap, false).0,
            vec![vec![0x67, 9], vec![0x68, 8, 8]]
        );
        // FU-A of an IDR (type 5, NRI 3): start, middle, end.
        assert!(push(&mut d, &[0x7C, 0x85, 1, 2], false).0.is_empty());
        assert!(push(&mut d, &[0x7C, 0x05, 3], false).0.is_empty());
        assert_eq!(
            push(&mut d, &[0x7C, 0x45, 4], false).0,
            vec![vec![0x65, 1, 2, 3, 4]]
        );
    }

    #[test]
    fn a_fragment_cut_by_loss_is_dropped_and_reported() {
        let mut d = NalDepacketizer::new(NalFormat::H264);
        assert_eq!(push(&mut d, &[0x7C, 0x85, 1], false), (vec![], Ok(())));
        let (out, r) = push(&mut d, &[0x7C, 0x45, 9], true);
        assert!(out.is_empty());
        assert_eq!(r, Err(NalError::FragmentWithoutStart));
        let (out, r) = push(&mut d, &[0x7C, 0x05, 9], false);
        assert!(out.is_empty());
        assert_eq!(r, Err(NalError::FragmentWithoutStart));
        // The next whole unit goes through.
        assert_eq!(
            push(&mut d, &[0x41, 7], false),
            (vec![vec![0x41, 7]], Ok(()))
        );
    }

    #[test]
    fn h265_single_ap_and_fu() {
        let mut d = NalDepacketizer::new(NalFormat::H265);
        // VPS (type 32): header 0x40 0x01.
        assert_eq!(
            push(&mut d, &[0x40, 0x01, 7], false).0,
            vec![vec![0x40, 0x01, 7]]
        );
        let ap = [0x60, 0x01, 0, 3, 0x42, 0x01, 1, 0, 3, 0x44, 0x01, 2];
        assert_eq!(
            push(&mut d, &ap, false).0,
            vec![vec![0x42, 0x01, 1], vec![0x44, 0x01, 2]]
        );
        // FU (type 49 = 0x62 0x01) of an IDR_W_RADL (type 19).
        assert!(push(&mut d, &[0x62, 0x01, 0x80 | 19, 1], false)
            .0
            .is_empty());
        let (out, r) = push(&mut d, &[0x62, 0x01, 0x40 | 19, 2], false);
        assert_eq!((out, r), (vec![vec![19 << 1, 0x01, 1, 2]], Ok(())));
        assert_eq!(NalFormat::H265.nal_type(&[19 << 1, 1]), Some(19));
    }

    #[test]
    fn malformed_payloads_are_errors_not_panics() {
        let mut d = NalDepacketizer::new(NalFormat::H264);
        for p in [&[][..], &[0x78, 0, 9, 1], &[0x7C], &[0x1E, 0]] {
            assert!(push(&mut d, p, false).1.is_err(), "{p:?}");
        }
        let mut d = NalDepacketizer::new(NalFormat::H265);
        for p in [&[0x60][..], &[0x62, 0x01], &[0x60, 0x01, 0, 0]] {
            assert!(push(&mut d, p, false).1.is_err(), "{p:?}");
        }
    }
}

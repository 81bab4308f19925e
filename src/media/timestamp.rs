//! Media timestamps that wrap (32-bit RTP, 33-bit MPEG-TS PTS) made monotonic, and turned into
//! milliseconds from the first one.

/// Extends a wrapping counter of `bits` bits to i64, near the previous value.
#[derive(Debug, Clone)]
pub struct Unwrapper {
    bits: u32,
    last: Option<i64>,
    first: Option<i64>,
}

impl Unwrapper {
    pub fn new(bits: u32) -> Unwrapper {
        Unwrapper {
            bits: bits.clamp(1, 62),
            last: None,
            first: None,
        }
    }

    /// The extended value of `raw` (its low `bits` bits).
    pub fn unwrap(&mut self, raw: u64) -> i64 {
        let modulus = 1i64 << self.bits;
        let raw = (raw as i64) & (modulus - 1);
        let ext = match self.last {
            None => raw,
            Some(last) => {
                let mut d = (raw - last).rem_euclid(modulus);
                if d >= modulus / 2 {
                    d -= modulus;
                }
                last + d
            }
        };
        self.last = Some(ext);
        self.first.get_or_insert(ext);
        ext
    }

    /// The extended value nearest the last one for `raw`, without moving the state (for a
    /// time that is not the stream's own, such as an RTCP report's).
    pub fn nearest(&self, raw: u64) -> i64 {
        let mut probe = self.clone();
        probe.unwrap(raw)
    }

    /// `raw` in ms since the first value seen, at `rate` ticks a second.
    pub fn millis(&mut self, raw: u64, rate: u32) -> i64 {
        let ext = self.unwrap(raw);
        self.millis_of(ext, rate)
    }

    /// An extended value in ms since the first value seen.
    pub fn millis_of(&self, ext: i64, rate: u32) -> i64 {
        let from_first = ext - self.first.unwrap_or(ext);
        from_first * 1000 / i64::from(rate.max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rtp_timestamps_keep_counting_across_the_wrap() {
        let mut u = Unwrapper::new(32);
        assert_eq!(u.millis(u32::MAX as u64 - 89_999, 90_000), 0);
        assert_eq!(u.millis(0, 90_000), 1000);
        assert_eq!(u.millis(90_000, 90_000), 2000);
        // A frame slightly earlier (B-frame order) goes back, not forward by 2^32.
        assert_eq!(u.millis(45_000, 90_000), 1500);
    }

    proptest! {
        #[test]
        fn steps_smaller_than_half_the_range_unwrap_exactly(start in 0u64..(1 << 33), steps in prop::collection::vec(-1_000_000i64..4_000_000, 1..50)) {
            let mut u = Unwrapper::new(33);
            let mut truth = start as i64;
            prop_assert_eq!(u.unwrap(start), truth);
            for s in steps {
                truth += s;
                let raw = truth.rem_euclid(1 << 33) as u64;
                prop_assert_eq!(u.unwrap(raw), truth);
            }
        }
    }
}

//! Putting received RTP packets back in order (RFC 3550 sequence numbers, extended across the
//! 16-bit wrap): a packet waits until the ones before it arrive, at most `max_packets` packets
//! or `max_delay_ms`; then the missing ones are counted lost and what follows is released with
//! a gap mark, so a depacketizer knows its frame has a hole. Late and duplicate packets are
//! counted and dropped. Sans-IO: sequence numbers and times in, ordered packets out.

use std::collections::BTreeMap;

/// How long a packet may wait for the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReorderConfig {
    pub max_packets: usize,
    pub max_delay_ms: i64,
}

impl Default for ReorderConfig {
    fn default() -> Self {
        ReorderConfig {
            max_packets: 64,
            max_delay_ms: 50,
        }
    }
}

/// A jump this far (RFC 3550's MAX_DROPOUT) means the sender restarted its sequence.
const RESTART_JUMP: i64 = 3000;

/// Given-up sequence numbers remembered.
const SKIPPED_KEPT: usize = 1024;

/// A packet let through, in sequence order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Released<P> {
    /// The extended sequence number.
    pub seq: i64,
    pub packet: P,
    /// Packets before this one were lost.
    pub gap_before: bool,
}

/// What happened to the packets so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReorderStats {
    pub received: u64,
    pub lost: u64,
    /// Arrived after their place was given up (counted lost then).
    pub late: u64,
    pub duplicates: u64,
    /// Arrived out of order but in time, and put back in place.
    pub reordered: u64,
}

pub struct Reorder<P> {
    config: ReorderConfig,
    /// The extended sequence number released next.
    next: Option<i64>,
    highest: i64,
    /// Waiting packets: extended seq -> (arrival ms, packet).
    waiting: BTreeMap<i64, (i64, P)>,
    /// Recently given-up sequence numbers: one arriving later is late, not a duplicate.
    skipped: std::collections::BTreeSet<i64>,
    gap: bool,
    pub stats: ReorderStats,
}

impl<P> Reorder<P> {
    pub fn new(config: ReorderConfig) -> Reorder<P> {
        Reorder {
            config: ReorderConfig {
                max_packets: config.max_packets.max(1),
                ..config
            },
            next: None,
            highest: 0,
            waiting: BTreeMap::new(),
            skipped: Default::default(),
            gap: false,
            stats: ReorderStats::default(),
        }
    }

    /// The extended number of a 16-bit sequence number, near the highest seen.
    fn extend(&self, seq: u16) -> i64 {
        let delta = i64::from(seq.wrapping_sub(self.highest as u16) as i16);
        self.highest + delta
    }

    /// Takes a packet that arrived at `now_ms`; appends what can be released to `out`.
    pub fn push(&mut self, seq: u16, now_ms: i64, packet: P, out: &mut Vec<Released<P>>) {
        self.stats.received += 1;
        let Some(next) = self.next else {
            // Start high enough that early reordering never goes below zero.
            let ext = i64::from(seq) + (1 << 16);
            self.highest = ext;
            self.next = Some(ext);
            self.waiting.insert(ext, (now_ms, packet));
            self.release(now_ms, out);
            return;
        };
        let mut ext = self.extend(seq);
        if (ext - self.highest).abs() > RESTART_JUMP && (ext - next).abs() > RESTART_JUMP {
            // The sender restarted: what waits goes out, the new sequence starts here.
            self.flush(out);
            // Past everything so far, with the low 16 bits of the new number.
            let after = self.highest + 1;
            ext = after + i64::from(seq.wrapping_sub(after as u16));
            self.next = Some(ext);
            self.gap = true;
        }
        if ext < self.next.unwrap_or(ext) {
            if self.skipped.remove(&ext) {
                self.stats.late += 1;
            } else {
                self.stats.duplicates += 1;
            }
            return;
        }
        if self.waiting.contains_key(&ext) {
            self.stats.duplicates += 1;
            return;
        }
        if ext < self.highest {
            self.stats.reordered += 1;
        }
        self.highest = self.highest.max(ext);
        self.waiting.insert(ext, (now_ms, packet));
        self.release(now_ms, out);
    }

    /// Gives up on missing packets whose successors waited too long.
    pub fn tick(&mut self, now_ms: i64, out: &mut Vec<Released<P>>) {
        self.release(now_ms, out);
    }

    /// Releases everything waiting, counting what is missing as lost (end of a session).
    pub fn flush(&mut self, out: &mut Vec<Released<P>>) {
        while let Some(first) = self.waiting.keys().next().copied() {
            self.skip_to(first);
            self.release_in_order(out);
        }
    }

    fn skip_to(&mut self, seq: i64) {
        let next = self.next.unwrap_or(seq);
        if seq > next {
            self.stats.lost += (seq - next) as u64;
            self.gap = true;
            self.next = Some(seq);
            // Remember a bounded number, to tell late packets from duplicates.
            self.skipped.extend((next..seq).rev().take(SKIPPED_KEPT));
            while self.skipped.len() > SKIPPED_KEPT {
                self.skipped.pop_first();
            }
        }
    }

    fn release_in_order(&mut self, out: &mut Vec<Released<P>>) {
        while let Some(next) = self.next {
            let Some((_, packet)) = self.waiting.remove(&next) else {
                break;
            };
            out.push(Released {
                seq: next,
                packet,
                gap_before: std::mem::take(&mut self.gap),
            });
            self.next = Some(next + 1);
        }
    }

    fn release(&mut self, now_ms: i64, out: &mut Vec<Released<P>>) {
        loop {
            self.release_in_order(out);
            let Some((&first, &(arrived, _))) = self.waiting.iter().next() else {
                return;
            };
            let oldest = self
                .waiting
                .values()
                .map(|(t, _)| *t)
                .min()
                .unwrap_or(arrived);
            let full = self.waiting.len() > self.config.max_packets;
            let overdue = now_ms - oldest > self.config.max_delay_ms;
            if !(full || overdue) {
                return;
            }
            self.skip_to(first);
        }
    }

    /// The highest sequence number seen, extended with its count of 16-bit wraps from the first
    /// (what an RTCP receiver report calls the extended highest sequence number).
    pub fn extended_highest(&self) -> Option<u32> {
        self.next.map(|_| (self.highest - (1 << 16)) as u32)
    }

    /// Packets waiting for a missing one.
    pub fn waiting(&self) -> usize {
        self.waiting.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_extended_highest_sequence_counts_wraps() {
        let mut r = Reorder::new(ReorderConfig::default());
        let mut out = Vec::new();
        assert_eq!(r.extended_highest(), None);
        for seq in [65_534u16, 65_535, 0, 1] {
            r.push(seq, 0, (), &mut out);
        }
        assert_eq!(r.extended_highest(), Some((1 << 16) | 1));
    }

    fn run(seqs: &[u16], config: ReorderConfig) -> (Vec<(u16, bool)>, ReorderStats) {
        let mut r = Reorder::new(config);
        let mut out = Vec::new();
        for (t, s) in seqs.iter().enumerate() {
            r.push(*s, t as i64, *s, &mut out);
        }
        r.flush(&mut out);
        (
            out.iter().map(|x| (x.packet, x.gap_before)).collect(),
            r.stats,
        )
    }

    #[test]
    fn out_of_order_packets_are_put_back_in_place() {
        let (out, stats) = run(&[1, 3, 2, 4], ReorderConfig::default());
        assert_eq!(out, [(1, false), (2, false), (3, false), (4, false)]);
        assert_eq!((stats.reordered, stats.lost), (1, 0));
    }

    #[test]
    fn order_survives_the_16_bit_wrap() {
        let (out, stats) = run(&[65534, 0, 65535, 1], ReorderConfig::default());
        assert_eq!(
            out,
            [(65534, false), (65535, false), (0, false), (1, false)]
        );
        assert_eq!(stats.lost, 0);
    }

    #[test]
    fn a_missing_packet_is_given_up_when_the_buffer_fills_and_counted_lost() {
        let config = ReorderConfig {
            max_packets: 2,
            max_delay_ms: 1_000,
        };
        let (out, stats) = run(&[1, 3, 4, 5, 2], config);
        assert_eq!(out, [(1, false), (3, true), (4, false), (5, false)]);
        assert_eq!((stats.lost, stats.late), (1, 1));
    }

    #[test]
    fn a_missing_packet_is_given_up_after_the_delay() {
        let mut r = Reorder::new(ReorderConfig {
            max_packets: 64,
            max_delay_ms: 50,
        });
        let mut out = Vec::new();
        r.push(10, 0, 10, &mut out);
        r.push(12, 10, 12, &mut out);
        assert_eq!(out.len(), 1);
        r.tick(40, &mut out);
        assert_eq!(out.len(), 1, "still waiting for 11");
        r.tick(61, &mut out);
        assert_eq!((out[1].packet, out[1].gap_before), (12, true));
        assert_eq!(r.stats.lost, 1);
    }

    #[test]
    fn duplicates_are_dropped_and_a_restart_resyncs() {
        let (out, stats) = run(&[5, 6, 6, 7, 40_000, 40_001], ReorderConfig::default());
        let seqs: Vec<u16> = out.iter().map(|x| x.0).collect();
        assert_eq!(seqs, [5, 6, 7, 40_000, 40_001]);
        assert_eq!(stats.duplicates, 1);
        assert!(out[3].1, "the restart is a gap");
        assert_eq!(stats.lost, 0, "a restart loses nothing");
    }
}

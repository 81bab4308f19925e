//! Frames of one stream waiting for a slow consumer, under a byte budget, and what is shed when
//! the budget runs out: frames nothing references first, then the rest of a GOP from the frame
//! that no longer fits, then whole GOPs from the oldest, never half a GOP that would leave a
//! decoder with frames it cannot decode. After shedding, the stream resumes at a keyframe once
//! it is below the low watermark. Also the GOP cache that lets a consumer that comes back
//! (a paused stream resumed) start at a keyframe. Sans-IO: items, kinds and sizes in.

use std::collections::VecDeque;

/// What a frame means to the frames after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameKind {
    /// A keyframe: decoding can start here.
    Key,
    /// Later frames of its GOP may reference it (P frames, reference B frames).
    Reference,
    /// Nothing references it (most B frames): dropping it costs only itself.
    NonReference,
}

/// Byte levels: above `high`, frames are shed (or the reader stops); at or below `low`, a
/// shedding stream resumes at its next keyframe (or the reader goes on).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Watermarks {
    pub high: u64,
    pub low: u64,
}

impl Watermarks {
    pub const UNLIMITED: Watermarks = Watermarks {
        high: u64::MAX,
        low: u64::MAX,
    };
}

/// The budgets a push is checked against: this stream's, and all streams' together, with
/// the bytes the other streams hold now.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    pub stream: Watermarks,
    pub global: Watermarks,
    /// Bytes held by everything else counted against `global`.
    pub others: u64,
    /// Bytes of this stream held outside the queue (handed on, not delivered yet).
    pub in_flight: u64,
}

impl Budget {
    fn over(&self, held: u64) -> bool {
        let own = held.saturating_add(self.in_flight);
        own > self.stream.high || own.saturating_add(self.others) > self.global.high
    }

    fn at_or_below_low(&self, held: u64) -> bool {
        let own = held.saturating_add(self.in_flight);
        own <= self.stream.low && own.saturating_add(self.others) <= self.global.low
    }
}

/// Frames shed, by why.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Drops {
    /// Frames nothing referenced.
    pub non_reference: u64,
    /// Reference frames at the end of a GOP, and the rest of that GOP after them.
    pub gop_tail: u64,
    /// Frames of whole GOPs: queued ones dropped from the oldest, and ones skipped while
    /// waiting to resume at a keyframe.
    pub gop: u64,
    /// GOPs dropped or skipped whole (their frames are in `gop`).
    pub gops: u64,
    /// Frames bigger than the budget on their own.
    pub oversize: u64,
    pub bytes: u64,
}

impl Drops {
    pub fn frames(&self) -> u64 {
        self.non_reference + self.gop_tail + self.gop + self.oversize
    }
}

struct Queued<T> {
    item: T,
    kind: FrameKind,
    bytes: u64,
}

/// Why frames are being refused until the next keyframe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Skipping {
    No,
    /// The rest of a GOP whose reference frame was dropped.
    GopTail,
    /// Whole GOPs, until a keyframe arrives below the low watermark.
    Gops,
}

pub struct GopQueue<T> {
    queue: VecDeque<Queued<T>>,
    bytes: u64,
    skipping: Skipping,
    pub drops: Drops,
}

impl<T> Default for GopQueue<T> {
    fn default() -> Self {
        GopQueue {
            queue: VecDeque::new(),
            bytes: 0,
            skipping: Skipping::No,
            drops: Drops::default(),
        }
    }
}

impl<T> GopQueue<T> {
    /// Bytes queued.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    pub fn len(&self) -> usize {
        self.queue.len()
    }

    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Whether frames are being refused until the next keyframe.
    pub fn is_shedding(&self) -> bool {
        self.skipping != Skipping::No
    }

    /// Queues a frame, shedding what the budget requires; false when the frame itself was
    /// shed. Never holds more than the budget allows.
    pub fn push(&mut self, item: T, kind: FrameKind, bytes: u64, budget: &Budget) -> bool {
        if self.skipping != Skipping::No {
            if kind == FrameKind::Key && budget.at_or_below_low(self.bytes + bytes) {
                self.skipping = Skipping::No;
            } else {
                if kind == FrameKind::Key {
                    // Not low enough yet: this whole GOP is skipped.
                    self.skipping = Skipping::Gops;
                    self.drops.gops += 1;
                }
                self.shed_incoming(bytes);
                return false;
            }
        }
        if bytes > budget.stream.high || bytes > budget.global.high {
            self.drops.oversize += 1;
            self.drops.bytes += bytes;
            if kind != FrameKind::NonReference {
                self.skipping = Skipping::Gops;
            }
            return false;
        }
        while budget.over(self.bytes + bytes) {
            if kind == FrameKind::NonReference {
                self.drops.non_reference += 1;
                self.drops.bytes += bytes;
                return false;
            }
            if let Some(i) = self
                .queue
                .iter()
                .position(|q| q.kind == FrameKind::NonReference)
            {
                let q = self.remove(i);
                self.drops.non_reference += 1;
                self.drops.bytes += q.bytes;
                continue;
            }
            if kind == FrameKind::Reference {
                // Frames after this one in its GOP reference it: they go too.
                self.skipping = Skipping::GopTail;
                self.shed_incoming(bytes);
                return false;
            }
            // A keyframe: the newest GOP's tail goes first (nothing after a keyframe needs
            // it), then whole GOPs from the oldest.
            if self.queue.back().is_some_and(|q| q.kind != FrameKind::Key) && self.has_key() {
                let q = self.queue.pop_back().expect("checked");
                self.bytes -= q.bytes;
                self.drops.gop_tail += 1;
                self.drops.bytes += q.bytes;
                continue;
            }
            if self.queue.is_empty() {
                // The others hold the budget: this GOP is skipped.
                self.drops.gops += 1;
                self.skipping = Skipping::Gops;
                self.shed_incoming(bytes);
                return false;
            }
            self.drop_oldest_gop();
        }
        self.bytes += bytes;
        self.queue.push_back(Queued { item, kind, bytes });
        true
    }

    fn has_key(&self) -> bool {
        self.queue.iter().any(|q| q.kind == FrameKind::Key)
    }

    /// The incoming frame is refused, counted by why frames are being skipped.
    fn shed_incoming(&mut self, bytes: u64) {
        match self.skipping {
            Skipping::GopTail => self.drops.gop_tail += 1,
            _ => self.drops.gop += 1,
        }
        self.drops.bytes += bytes;
    }

    /// The oldest frames up to the next keyframe in the queue (a whole GOP, or the rest of
    /// one whose start was already delivered).
    fn drop_oldest_gop(&mut self) {
        let end = self
            .queue
            .iter()
            .skip(1)
            .position(|q| q.kind == FrameKind::Key)
            .map_or(self.queue.len(), |i| i + 1);
        for q in self.queue.drain(..end) {
            self.bytes -= q.bytes;
            self.drops.gop += 1;
            self.drops.bytes += q.bytes;
        }
        self.drops.gops += 1;
        if self.queue.is_empty() {
            // What arrives next belongs to the GOP just dropped.
            self.skipping = Skipping::Gops;
        }
    }

    fn remove(&mut self, i: usize) -> Queued<T> {
        let q = self.queue.remove(i).expect("index from position");
        self.bytes -= q.bytes;
        q
    }

    /// The oldest frame, and its size.
    pub fn pop(&mut self) -> Option<(T, u64)> {
        let q = self.queue.pop_front()?;
        self.bytes -= q.bytes;
        Some((q.item, q.bytes))
    }
}

/// Frames a paused consumer missed, so it can start again at a keyframe: the frames that
/// continue the GOP it last saw (if no keyframe came since), then up to `gops` GOPs, each from
/// its keyframe. The oldest GOP goes when a newer one would pass `gops` or `max_bytes`.
pub struct GopCache<T> {
    gops: usize,
    max_bytes: u64,
    /// Segments: the first may be a continuation (no keyframe at its start).
    segments: VecDeque<Vec<(T, u64)>>,
    continuation: bool,
    bytes: u64,
    /// Frames that left the cache without being replayed.
    pub evicted: u64,
}

impl<T> GopCache<T> {
    /// `gops` 0: nothing is kept, a resumed stream waits for its next keyframe.
    pub fn new(gops: usize, max_bytes: u64) -> GopCache<T> {
        GopCache {
            gops,
            max_bytes,
            segments: VecDeque::new(),
            continuation: false,
            bytes: 0,
            evicted: 0,
        }
    }

    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// A frame the consumer did not get. `continues`: the consumer has this frame's GOP so
    /// far (the frame right after the last one it got), so it needs no keyframe first.
    pub fn push(&mut self, item: T, kind: FrameKind, bytes: u64, continues: bool) {
        if kind == FrameKind::Key {
            self.segments.push_back(Vec::new());
            self.continuation &= self.segments.len() > 1;
        } else if self.segments.is_empty() {
            if !continues {
                // Undecodable without the keyframe the consumer never saw.
                self.evicted += 1;
                return;
            }
            self.segments.push_back(Vec::new());
            self.continuation = true;
        }
        self.segments
            .back_mut()
            .expect("a segment was just ensured")
            .push((item, bytes));
        self.bytes += bytes;
        let limit = self.gops + usize::from(self.continuation);
        while self.segments.len() > limit.max(1) || (self.bytes > self.max_bytes) {
            let Some(old) = self.segments.pop_front() else {
                break;
            };
            self.continuation = false;
            self.evicted += old.len() as u64;
            self.bytes -= old.iter().map(|(_, b)| *b).sum::<u64>();
        }
        if self.gops == 0 && !self.continuation {
            // Nothing kept but what continues the consumer's GOP.
            for old in self.segments.drain(..) {
                self.evicted += old.len() as u64;
            }
            self.bytes = 0;
        }
    }

    /// Everything kept, oldest first, in decode order; the cache is empty after.
    pub fn take(&mut self) -> Vec<(T, u64)> {
        self.continuation = false;
        self.bytes = 0;
        self.segments.drain(..).flatten().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::FrameKind::*;
    use super::*;

    fn budget(high: u64, low: u64) -> Budget {
        Budget {
            stream: Watermarks { high, low },
            global: Watermarks::UNLIMITED,
            others: 0,
            in_flight: 0,
        }
    }

    /// A GOP of 8: K B B P B B P P, frames numbered from `first`.
    fn gop(first: u32) -> Vec<(u32, FrameKind)> {
        [
            Key,
            NonReference,
            NonReference,
            Reference,
            NonReference,
            NonReference,
            Reference,
            Reference,
        ]
        .into_iter()
        .enumerate()
        .map(|(i, k)| (first + i as u32, k))
        .collect()
    }

    fn items(q: &mut GopQueue<u32>) -> Vec<u32> {
        std::iter::from_fn(|| q.pop().map(|(i, _)| i)).collect()
    }

    #[test]
    fn under_the_budget_nothing_is_shed() {
        let mut q = GopQueue::default();
        for (i, k) in gop(0) {
            assert!(q.push(i, k, 10, &budget(80, 40)));
        }
        assert_eq!(q.bytes(), 80);
        assert_eq!(q.drops, Drops::default());
        assert_eq!(items(&mut q), (0..8).collect::<Vec<_>>());
    }

    #[test]
    fn frames_nothing_references_go_first() {
        let mut q = GopQueue::default();
        for (i, k) in gop(0) {
            q.push(i, k, 10, &budget(60, 30));
        }
        // Two B frames made room for the last two P frames; the K and P frames all stayed.
        assert_eq!(q.drops.non_reference, 2);
        assert_eq!(q.drops.frames(), 2);
        assert!(q.bytes() <= 60);
        assert_eq!(items(&mut q), vec![0, 3, 4, 5, 6, 7]);
    }

    #[test]
    fn a_reference_frame_that_does_not_fit_ends_its_gop_until_the_next_keyframe() {
        let mut q = GopQueue::default();
        let b = budget(30, 10);
        let mut delivered = Vec::new();
        for (i, k) in gop(0).into_iter().chain(gop(8)) {
            q.push(i, k, 10, &b);
            if i == 7 {
                // The consumer takes what is queued meanwhile.
                delivered.extend(items(&mut q));
            }
        }
        // B frames made room for P3 and P6; P7 did not fit and ended GOP 0. The queue was
        // empty (below the low watermark) when K8 came: the stream resumed there.
        assert_eq!(delivered, vec![0, 3, 6]);
        assert_eq!(items(&mut q), vec![8, 11, 14]);
        assert_eq!(q.drops.non_reference, 8);
        assert_eq!(q.drops.gop_tail, 2);
        assert_eq!(q.drops.frames() + 6, 16);
    }

    #[test]
    fn a_keyframe_that_does_not_fit_trims_the_newest_gop_tail_then_skips_whole_gops() {
        let mut q = GopQueue::default();
        let b = budget(100, 50);
        // Reference frames only: K P P P P, three GOPs, nothing delivered.
        for g in 0..3u32 {
            for f in 0..5u32 {
                let kind = if f == 0 { Key } else { Reference };
                q.push(g * 10 + f, kind, 10, &b);
            }
        }
        // K20 came in for P14 (the end of GOP 1); P21.. could not follow it; GOP 2's rest
        // went as a GOP tail.
        assert_eq!(q.drops.gop_tail, 1 + 4);
        assert!(q.bytes() <= 100);
        let kept = items(&mut q);
        assert_eq!(kept, vec![0, 1, 2, 3, 4, 10, 11, 12, 13, 20]);
        // The next GOP arrives while the queue is still above the low watermark... but the
        // consumer drained it: resumed at the keyframe.
        assert!(q.push(30, Key, 10, &b));
    }

    #[test]
    fn intra_only_streams_lose_their_oldest_frames() {
        let mut q = GopQueue::default();
        for i in 0..15u32 {
            assert!(q.push(i, Key, 10, &budget(100, 50)));
        }
        assert_eq!(items(&mut q), (5..15).collect::<Vec<_>>());
        assert_eq!(q.drops.gops, 5);
        assert_eq!(q.drops.gop, 5);
        assert!(!q.is_shedding());
    }

    #[test]
    fn shedding_resumes_only_at_a_keyframe_below_the_low_watermark() {
        let mut q = GopQueue::default();
        let full = Budget {
            others: 95,
            global: Watermarks { high: 100, low: 50 },
            ..budget(u64::MAX, u64::MAX)
        };
        assert!(!q.push(0, Key, 10, &full), "the others hold the budget");
        assert!(q.is_shedding());
        let freed = Budget { others: 60, ..full };
        assert!(!q.push(1, Reference, 10, &freed), "not a keyframe");
        assert!(!q.push(2, Key, 10, &freed), "above the low watermark");
        let low = Budget { others: 30, ..full };
        assert!(
            !q.push(3, Reference, 10, &low),
            "still inside a skipped GOP"
        );
        assert!(q.push(4, Key, 10, &low));
        assert!(q.push(5, Reference, 10, &low));
        assert!(!q.is_shedding());
        assert_eq!(q.drops.gops, 2);
        assert_eq!(q.drops.frames(), 4);
    }

    #[test]
    fn a_frame_bigger_than_the_budget_is_shed_and_its_gop_skipped() {
        let mut q = GopQueue::default();
        assert!(!q.push(0, Key, 500, &budget(100, 50)));
        assert!(!q.push(1, Reference, 10, &budget(100, 50)));
        assert!(q.push(2, Key, 10, &budget(100, 50)));
        assert_eq!(q.drops.oversize, 1);
        assert_eq!(q.drops.bytes, 510);
    }

    #[test]
    fn in_flight_bytes_count_against_the_stream() {
        let mut q = GopQueue::default();
        let b = Budget {
            in_flight: 95,
            ..budget(100, 50)
        };
        assert!(!q.push(0, NonReference, 10, &b));
        assert_eq!(q.drops.non_reference, 1);
    }

    #[test]
    fn the_cache_keeps_the_last_gops_from_their_keyframes() {
        let mut c = GopCache::new(1, u64::MAX);
        for (i, k) in gop(0).into_iter().chain(gop(8)).skip(2) {
            c.push(i, k, 10, false);
        }
        let kept: Vec<u32> = c.take().into_iter().map(|(i, _)| i).collect();
        assert_eq!(kept, (8..16).collect::<Vec<_>>());
        assert_eq!(c.evicted, 6);
        assert_eq!(c.bytes(), 0);
    }

    #[test]
    fn the_cache_continues_the_consumers_gop_when_no_keyframe_came() {
        let mut c = GopCache::new(1, u64::MAX);
        let frames = gop(0);
        for &(i, k) in &frames[3..] {
            c.push(i, k, 10, i == 3);
        }
        let kept: Vec<u32> = c.take().into_iter().map(|(i, _)| i).collect();
        assert_eq!(kept, vec![3, 4, 5, 6, 7]);
        // A continuation and one whole GOP both stay with gops = 1.
        for &(i, k) in frames[5..].iter().chain(&gop(8)) {
            c.push(i, k, 10, i == 5);
        }
        assert_eq!(c.take().len(), 3 + 8);
    }

    #[test]
    fn the_cache_stays_under_its_bytes_and_zero_gops_keeps_only_a_continuation() {
        let mut c = GopCache::new(3, 50);
        for (i, k) in gop(0).into_iter().chain(gop(8)) {
            c.push(i, k, 10, false);
        }
        // A GOP of 80 bytes never fits into 50: each is dropped when it outgrows the cache,
        // and the rest of it cannot be decoded without its keyframe.
        assert!(c.bytes() <= 50);
        assert!(c.take().is_empty());
        assert_eq!(c.evicted, 16);
        let mut two = GopCache::new(3, 100);
        for (i, k) in gop(0).into_iter().chain(gop(8)) {
            two.push(i, k, 10, false);
        }
        let kept: Vec<u32> = two.take().into_iter().map(|(i, _)| i).collect();
        assert_eq!(kept, (8..16).collect::<Vec<_>>());
        let mut none = GopCache::new(0, u64::MAX);
        for (i, k) in gop(0) {
            none.push(i, k, 10, false);
        }
        assert!(none.take().is_empty());
        none.push(9, Reference, 10, true);
        assert_eq!(none.take().len(), 1);
    }
}

//! One event against one step of a partial match: whether the element's stream and filter
//! accept it, counting elements, and how the two elements of an and/or pair settle.

use super::*;

impl PatternQuery {
    /// Whether `e` satisfies element `k` given the partial row bound so far. The test runs on a
    /// scratch row owned by this call (no allocation); only an accepted candidate is copied.
    pub(super) fn accepts(
        el: &PatternElementPlan,
        row: &[Value],
        e: &Event,
        cx: &EvalContext,
        scratch: &mut Event,
    ) -> Option<Vec<Value>> {
        Self::accepts_nth(el, row, e, cx, scratch, 0)
    }

    /// As `accepts`, storing `e` as occurrence `nth` of a counting element (its first slots
    /// keep the first occurrences, its last slot always the latest).
    pub(super) fn accepts_nth(
        el: &PatternElementPlan,
        row: &[Value],
        e: &Event,
        cx: &EvalContext,
        scratch: &mut Event,
        nth: u32,
    ) -> Option<Vec<Value>> {
        let n = el.width.min(e.data.len());
        if let Some(f) = &el.filter {
            let data = Arc::get_mut(&mut scratch.data).expect("the scratch row is never shared");
            // Only this element's slots and earlier ones are read by its filter: the event in
            // slot 0, and a counting element's earlier occurrences (`e2[last]`) after it.
            let own = el
                .count
                .map_or(el.offset, |c| el.offset + (c.kept + LAST_KEPT) * el.width);
            data[..own].clone_from_slice(&row[..own]);
            data[el.offset..el.offset + n].clone_from_slice(&e.data[..n]);
            scratch.ts = e.ts;
            if !f.test(scratch, cx) {
                return None;
            }
        }
        let mut candidate = row.to_vec();
        let w = el.width;
        let store = |candidate: &mut [Value], slot: usize| {
            let at = el.offset + slot * w;
            candidate[at..at + n].clone_from_slice(&e.data[..n]);
        };
        match el.count {
            None => store(&mut candidate, 0),
            Some(c) => {
                if (nth as usize) < c.kept {
                    store(&mut candidate, nth as usize);
                }
                // The latest occurrences move down a slot (last - 1 <- last, ...), no copies.
                let tail = el.offset + c.kept * w;
                for k in (1..LAST_KEPT).rev() {
                    let (older, newer) = candidate.split_at_mut(tail + k * w);
                    older[tail + (k - 1) * w..].swap_with_slice(&mut newer[..w]);
                }
                store(&mut candidate, c.kept);
            }
        }
        Some(candidate)
    }

    /// Whether step `k` takes events of `stream`.
    pub(super) fn step_takes(&self, k: usize, stream: usize) -> bool {
        let el = &self.plan.elements[k];
        el.stream == stream
            || el.partner.as_ref().is_some_and(|(_, o)| o.stream == stream)
            || (k > 0 && self.counting_before(k).is_some_and(|c| c.stream == stream))
    }

    /// The counting element just before step `k`, which may still collect there.
    pub(super) fn counting_before(&self, k: usize) -> Option<&PatternElementPlan> {
        let prev = &self.plan.elements[k.checked_sub(1)?];
        prev.count.map(|_| prev)
    }

    /// Tries event `e` (of `stream`) on a partial match waiting at step `k` with `row` bound and
    /// `done` halves of an `and` pair matched.
    pub(super) fn try_step(
        &self,
        k: usize,
        (row, done, count): (&[Value], u8, u32),
        (stream, e): (usize, &Event),
        cx: &EvalContext,
        scratch: &mut Event,
    ) -> Outcome {
        let el = &self.plan.elements[k];
        if let Some((logic, other)) = &el.partner {
            return Self::pair_step(el, *logic, other, (row, done), (stream, e), cx, scratch);
        }
        if el.absent.is_some() {
            if el.stream == stream && Self::accepts(el, row, e, cx, scratch).is_some() {
                return Outcome::Kill;
            }
            return Outcome::Pass;
        }
        if let Some(c) = el.count {
            if el.stream != stream {
                return Outcome::Pass;
            }
            return match Self::accepts_nth(el, row, e, cx, scratch, count) {
                Some(row) if count + 1 >= c.min => Outcome::Counted(row, count + 1),
                Some(row) => Outcome::Collect(row, count + 1),
                None => Outcome::Pass,
            };
        }
        if el.stream != stream {
            return Outcome::Pass;
        }
        match Self::accepts(el, row, e, cx, scratch) {
            Some(row) => Outcome::Advance(row),
            None => Outcome::Pass,
        }
    }

    /// An and/or pair: event `e` meets one of its two elements (an absent one fails instead),
    /// then the pair settles. `done` holds bit `1 << i` for element i met and `4 << i` for it
    /// failed.
    pub(super) fn pair_step(
        first: &PatternElementPlan,
        logic: Logic,
        second: &PatternElementPlan,
        (row, done): (&[Value], u8),
        (stream, e): (usize, &Event),
        cx: &EvalContext,
        scratch: &mut Event,
    ) -> Outcome {
        // One event may meet both elements of an `and` (Siddhi's rule): the second is tried
        // on the row the first one filled.
        let mut filled: Option<(Vec<Value>, u8)> = None;
        for (i, sub) in [first, second].into_iter().enumerate() {
            let (base, now_done) = match &filled {
                Some((r, d)) => (r.as_slice(), *d),
                None => (row, done),
            };
            let settled = (MET | FAILED) << i;
            if sub.stream != stream || now_done & settled != 0 {
                continue;
            }
            if let Some(new_row) = Self::accepts(sub, base, e, cx, scratch) {
                if sub.absent.is_some() {
                    let done = now_done | FAILED << i;
                    return match Self::settle([first, second], logic, done) {
                        Pair::Met => Outcome::Advance(base.to_vec()),
                        Pair::Failed => Outcome::Kill,
                        Pair::Waiting => Outcome::Half(base.to_vec(), done),
                    };
                }
                filled = Some((new_row, now_done | MET << i));
                if logic == Logic::Or {
                    break;
                }
            }
        }
        match filled {
            Some((row, done)) => match Self::settle([first, second], logic, done) {
                Pair::Met => Outcome::Advance(row),
                Pair::Failed => Outcome::Kill,
                Pair::Waiting => Outcome::Half(row, done),
            },
            None => Outcome::Pass,
        }
    }

    /// Where a pair stands given what `done` says of its two elements. An absent element
    /// without a time (`not B and e=C`) counts as met until it fails.
    pub(super) fn settle(subs: [&PatternElementPlan; 2], logic: Logic, done: u8) -> Pair {
        let failed = |i: usize| done & (FAILED << i) != 0;
        let met = |i: usize| done & (MET << i) != 0 || (subs[i].absent == Some(None) && !failed(i));
        match logic {
            Logic::And if failed(0) || failed(1) => Pair::Failed,
            Logic::And if met(0) && met(1) => Pair::Met,
            Logic::Or if met(0) || met(1) => Pair::Met,
            Logic::Or if failed(0) && failed(1) => Pair::Failed,
            _ => Pair::Waiting,
        }
    }
}

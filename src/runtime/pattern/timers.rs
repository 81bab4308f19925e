//! Absent elements on the clock (`not B for t`): the quiet periods a step waits for, their
//! timers, what fires when one comes due, and how waits restart.

use super::*;

impl PatternQuery {
    /// The quiet periods of step `k`'s absent elements (`not B for t`), with each one's index
    /// in its pair.
    pub(super) fn periods(&self, k: usize) -> impl Iterator<Item = (usize, i64)> + '_ {
        let el = &self.plan.elements[k];
        std::iter::once(el)
            .chain(el.partner.as_ref().map(|(_, o)| o.as_ref()))
            .enumerate()
            .filter_map(|(i, sub)| sub.absent.flatten().map(|t| (i, t)))
    }

    /// Queues the match `row` to enter the later `every ( ... )` group `(first, last)` again at
    /// `ts`, with the group's attributes cleared.
    pub(super) fn rearm(
        plan: &PatternPlan,
        (first, last): (usize, usize),
        st: &mut State,
        row: &[Value],
        start_ts: i64,
        ts: i64,
    ) {
        let mut anchor = row.to_vec();
        anchor[plan.row_span(first, last)].fill(Value::Null);
        st.rearm.push((first, Partial::new(anchor, start_ts, ts)));
    }

    /// Parks the queued matches; then, for `every ( ... )` around an opening absent element,
    /// a new wait begins at `now` once no attempt is left inside the group.
    pub(super) fn park_rearmed(&self, st: &mut State, now: i64) {
        for (k, p) in std::mem::take(&mut st.rearm) {
            self.wait_at(st, k, p);
        }
        if let (true, Some(last)) = (self.absent_start(), self.plan.leading_every_group()) {
            if st.waiting[..=last].iter().all(|w| w.len == 0) {
                let p = self.fresh(now);
                self.wait_at(st, 0, p);
            }
        }
    }

    /// An attempt ended at the opening absent step at `ts` (a forbidden event, or a broken
    /// sequence): the wait starts over, always in a pattern, in a sequence only under `every`.
    pub(super) fn reopen(&self, st: &mut State, ts: i64) {
        if !self.plan.sequence || self.plan.every_first || self.plan.leading_every_group().is_some()
        {
            st.rearm.push((0, self.fresh(ts)));
        }
    }

    /// Meets every absent step whose time ran out by `now` without its event (in step order,
    /// so a match can pass several in a row).
    pub(super) fn fire_due(&self, st: &mut State, now: i64, matched: &mut Vec<Event>) {
        for k in 0..self.plan.elements.len() {
            let periods: SmallVec<[(usize, i64); 2]> = self.periods(k).collect();
            if periods.is_empty() || st.waiting[k].len == 0 {
                continue;
            }
            let unsettled = |p: &Partial, i: usize| p.done & ((MET | FAILED) << i) == 0;
            let w = &mut st.waiting[k];
            let (mut due, rest): (Vec<Partial>, Vec<Partial>) =
                std::mem::take(&mut w.all).into_iter().partition(|p| {
                    periods
                        .iter()
                        .any(|(i, t)| unsettled(p, *i) && p.since + t <= now)
                });
            w.all = rest;
            w.len = w.all.len();
            due.sort_by_key(|p| p.since);
            let opening = k == 0 && self.absent_start();
            for p in due {
                match self.elapse(k, &periods, &p, now) {
                    (Some(at), _)
                        if !opening && self.plan.within.is_some_and(|w| at - p.start_ts > w) =>
                    {
                        self.expired_partials.fetch_add(1, Ordering::Relaxed);
                    }
                    (Some(at), _) => {
                        // `A -> every not B for t`: met again after each further quiet period.
                        if k > 0 && self.plan.elements[k].every {
                            self.advance(st, k, p.row.clone(), p.start_ts, at, None, matched);
                            st.rearm.push((k, Partial { since: at, ..p }));
                        } else {
                            self.advance(st, k, p.row, p.start_ts, at, None, matched);
                        }
                    }
                    (None, done) => Self::park(&mut st.waiting[k], Partial { done, ..p }),
                }
            }
        }
        st.timers.retain(|t| *t > now);
    }

    /// The quiet periods of step `k` that ended by `now` for match `p`, in time order: the
    /// time the step was met (at the end of the period that met it), or None and the step's
    /// new `done` bits while it still waits.
    pub(super) fn elapse(
        &self,
        k: usize,
        periods: &[(usize, i64)],
        p: &Partial,
        now: i64,
    ) -> (Option<i64>, u8) {
        let el = &self.plan.elements[k];
        let Some((logic, other)) = &el.partner else {
            return (Some(p.since + periods[0].1), p.done);
        };
        let mut ended: SmallVec<[(usize, i64); 2]> = periods
            .iter()
            .filter(|(i, t)| p.done & ((MET | FAILED) << i) == 0 && p.since + t <= now)
            .copied()
            .collect();
        ended.sort_by_key(|(_, t)| *t);
        let mut done = p.done;
        for (i, t) in ended {
            done |= MET << i;
            if let Pair::Met = Self::settle([el, other.as_ref()], *logic, done) {
                return (Some(p.since + t), done);
            }
        }
        (None, done)
    }

    pub(super) fn on_timer(&self, now: i64) {
        let mut matched = Vec::new();
        let mut st = self.state.lock();
        self.fire_due(&mut st, now, &mut matched);
        self.park_rearmed(&mut st, now);
        self.emit(matched, now);
        drop(st);
    }
}

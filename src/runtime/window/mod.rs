//! Windows: which events a query currently holds. A window turns arriving events into a chunk
//! of emissions in Siddhi's order: the expired events an arrival pushed out come before it;
//! batch windows emit the previous batch as expired, then a reset, then the new batch.
//! [`build`] is the physical planner's step for windows: one operator per [`WindowSpec`].

mod batch;
mod cron;
mod expression;
mod frequent;
mod keyed;
mod length;
mod time;

use crate::event::Event;
use crate::plan::window::WindowSpec;

/// One element of a window's output chunk.
#[derive(Debug, Clone, PartialEq)]
pub enum Emit {
    Event(Event),
    /// Batch windows: aggregates start over here.
    Reset,
}

pub trait Window: Send {
    /// Arriving (current, already filtered) events at app time `now`.
    fn arrive(&mut self, events: &[Event], now: i64, out: &mut Vec<Emit>);

    /// Events the window holds now (its contents, and a batch not yet emitted): what a stop
    /// without the final flush leaves unemitted.
    fn held(&self) -> usize;

    /// A timer this window asked for (through `next_timer`) is due at `now`.
    fn on_timer(&mut self, _now: i64, _out: &mut Vec<Emit>) {}

    /// When the window next needs `on_timer`, if ever. Asked after every call.
    fn next_timer(&self) -> Option<i64> {
        None
    }

    /// Batch windows: aggregations emit one row per group per batch.
    fn is_batch(&self) -> bool {
        false
    }

    /// Told once, before the first event, when the query never uses expired events; batch
    /// windows then need not keep the previous batch (memory bounded by one batch).
    fn skip_expired(&mut self) {}
}

/// A fresh window operator for a spec (one per query, one per partition key).
pub fn build(spec: &WindowSpec) -> Box<dyn Window> {
    match spec {
        WindowSpec::Length { n } => length::length(*n),
        WindowSpec::LengthBatch { n, stream_current } => length::length_batch(*n, *stream_current),
        WindowSpec::Time { t } => time::time(*t, usize::MAX),
        WindowSpec::TimeLength { t, n } => time::time(*t, *n),
        WindowSpec::TimeBatch { t, start } => time::grid(*t, *t, *start),
        // Epoch-aligned: windows end on multiples of the slide.
        WindowSpec::Sliding { size, slide } => time::grid(*size, *slide, Some(0)),
        WindowSpec::Delay { t } => time::delay(*t),
        WindowSpec::ExternalTime { ts, t } => time::external_time(*ts, *t),
        WindowSpec::ExternalTimeBatch {
            ts,
            t,
            start,
            timeout,
        } => time::external_time_batch(*ts, *t, *start, *timeout),
        WindowSpec::Batch => batch::batch(),
        WindowSpec::Sort { n, keys } => keyed::sort(*n, keys.clone()),
        WindowSpec::Unique { key } => keyed::unique(*key),
        WindowSpec::FirstUnique { key } => keyed::first_unique(*key),
        WindowSpec::UniqueLength { key, n } => keyed::unique_length(*key, *n),
        WindowSpec::Session {
            gap,
            key,
            allowed_latency,
        } => keyed::session(*gap, *key, *allowed_latency),
        WindowSpec::Frequent { n, keys } => frequent::frequent(*n, keys.clone()),
        WindowSpec::LossyFrequent {
            support,
            error,
            keys,
        } => frequent::lossy_frequent(*support, *error, keys.clone()),
        WindowSpec::Expression {
            condition,
            aggregates,
        } => expression::expression(condition, aggregates),
        WindowSpec::Cron { schedule } => cron::cron(schedule.clone()),
    }
}

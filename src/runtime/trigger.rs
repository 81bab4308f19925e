//! Trigger streams (`CREATE TRIGGER T AT START | EVERY t | CRON '...'`): events of one
//! `triggered_time` attribute published on the app clock's schedule.

use crate::event::Event;
use crate::plan::graph::TriggerPlan;
use crate::runtime::junction::Junction;
use crate::runtime::scheduler::Scheduler;
use crate::value::Value;
use std::sync::Arc;

/// Starts a trigger with the app's time: now on a wall clock, at the first event's time under
/// playback. Periodic triggers fire at start, then every period (as Siddhi's do).
pub fn begin(scheduler: &Arc<Scheduler>, junction: Arc<Junction>, trigger: TriggerPlan) {
    let weak = Arc::downgrade(scheduler);
    scheduler.at_first_time(move |now| {
        let Some(scheduler) = weak.upgrade() else {
            return;
        };
        match &trigger {
            TriggerPlan::Start => junction.publish(&[Event::new(now, vec![Value::Long(now)])]),
            TriggerPlan::Every(_) => arm(&scheduler, junction, trigger, now),
            TriggerPlan::Cron(c) => {
                if let Some(at) = next_cron(c, now) {
                    arm(&scheduler, junction, trigger.clone(), at);
                }
            }
        }
    });
}

/// Schedules a trigger's firing at `at`; each firing schedules the next.
fn arm(scheduler: &Arc<Scheduler>, junction: Arc<Junction>, trigger: TriggerPlan, at: i64) {
    let weak = Arc::downgrade(scheduler);
    scheduler.schedule_periodic(at, move |t| {
        junction.publish(&[Event::new(t, vec![Value::Long(t)])]);
        let next = match &trigger {
            TriggerPlan::Every(ms) => Some(t + ms),
            TriggerPlan::Cron(c) => next_cron(c, t),
            TriggerPlan::Start => None,
        };
        if let (Some(n), Some(s)) = (next, weak.upgrade()) {
            arm(&s, junction, trigger, n);
        }
    });
}

/// The first firing of a cron schedule strictly after `ms`.
fn next_cron(schedule: &cron::Schedule, ms: i64) -> Option<i64> {
    let t = chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms)?;
    schedule.after(&t).next().map(|d| d.timestamp_millis())
}

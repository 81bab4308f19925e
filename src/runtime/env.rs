//! What every operator of one app shares: its clock and scheduler, and the stores that
//! expressions and joins reach by id (tables by stream id, incremental aggregations by index).
//! The plan names these by id; the physical planner hands operators this environment.

use crate::clock::Clock;
use crate::plan::expr::{EvalContext, TableKeys};
use crate::plan::graph::StreamId;
use crate::runtime::aggregation::AggregationStore;
use crate::runtime::metrics::QueryMetrics;
use crate::runtime::scheduler::Scheduler;
use crate::runtime::table::TableStore;
use crate::value::Value;
use parking_lot::Mutex;
use std::sync::{Arc, Weak};

/// The app's tables by stream id (`None` for streams).
pub type Tables = Arc<Vec<Option<Arc<TableStore>>>>;

pub struct Env {
    pub clock: Arc<Clock>,
    pub scheduler: Arc<Scheduler>,
    pub tables: Tables,
    /// By index into `AppPlan::aggregations`.
    pub aggregations: Vec<Arc<AggregationStore>>,
    /// Operators with windows (partition keys' included), for the shutdown summary.
    pub holders: Mutex<Vec<Weak<dyn HoldsEvents>>>,
    /// Each query's counters, by name, in plan order (a partition's keys share their query's).
    pub queries: Vec<(String, Arc<QueryMetrics>)>,
}

/// An operator that holds events in windows.
pub trait HoldsEvents: Send + Sync {
    fn held(&self) -> usize;
}

impl Env {
    /// The counters of query `name` (a fresh, unlisted set for a name the plan lacks).
    pub fn query_metrics(&self, name: &str) -> Arc<QueryMetrics> {
        // Sorted by name when the app is built: a binary search, not a scan per query.
        self.queries
            .binary_search_by(|(n, _)| n.as_str().cmp(name))
            .map_or_else(|_| Arc::default(), |i| self.queries[i].1.clone())
    }

    /// Counts `holder` in [`Env::held_in_windows`] for as long as it lives.
    pub fn register_holder(&self, holder: Weak<dyn HoldsEvents>) {
        let mut holders = self.holders.lock();
        // Partition keys come and go: forget the purged ones now and then.
        if holders.len() >= 64 && holders.len().is_power_of_two() {
            holders.retain(|h| h.strong_count() > 0);
        }
        holders.push(holder);
    }

    /// Events the app's windows hold now.
    pub fn held_in_windows(&self) -> u64 {
        self.holders
            .lock()
            .iter()
            .filter_map(Weak::upgrade)
            .map(|h| h.held() as u64)
            .sum()
    }

    /// The context expressions evaluate in: this app's clock and tables.
    pub fn eval(&self) -> EvalContext<'_> {
        EvalContext::new(&self.clock, &*self.tables)
    }
}

impl TableKeys for Vec<Option<Arc<TableStore>>> {
    fn contains_key(&self, table: StreamId, key: &Value) -> Option<bool> {
        let store = self.get(table)?.as_ref()?;
        Some(store.has_key(key))
    }
}

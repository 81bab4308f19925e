//! What every operator of one app shares: its clock and scheduler, and the stores that
//! expressions and joins reach by id (tables by stream id, incremental aggregations by index).
//! The plan names these by id; the physical planner hands operators this environment.

use crate::clock::Clock;
use crate::plan::expr::{EvalContext, TableKeys};
use crate::plan::graph::StreamId;
use crate::runtime::aggregation::AggregationStore;
use crate::runtime::scheduler::Scheduler;
use crate::runtime::table::TableStore;
use crate::value::Value;
use std::sync::Arc;

/// The app's tables by stream id (`None` for streams).
pub type Tables = Arc<Vec<Option<Arc<TableStore>>>>;

pub struct Env {
    pub clock: Arc<Clock>,
    pub scheduler: Arc<Scheduler>,
    pub tables: Tables,
    /// By index into `AppPlan::aggregations`.
    pub aggregations: Vec<Arc<AggregationStore>>,
}

impl Env {
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

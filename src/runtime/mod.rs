//! Execution: junctions, clock and scheduler, query operators, connector drivers.

pub mod aggregation;
pub mod app;
pub mod env;
pub mod failure;
pub mod join;
pub mod junction;
pub mod metrics;
pub mod partition;
pub mod pattern;
pub mod planner;
pub mod query;
pub mod queue;
pub mod scheduler;
pub mod select;
pub mod sink;
pub mod source;
pub mod table;
pub mod trigger;
pub mod window;

//! Binding and planning: catalog, typed expressions, the dataflow graph.

pub mod binder;
pub mod expr;
pub mod graph;
pub mod on_demand;
pub mod purge;
pub mod window;
pub mod within;

//! Binding and planning: the parsed app bound into a plan that is pure data (no closures, no
//! runtime types): typed expressions, the dataflow graph, window specs.

pub mod bind;
pub mod expr;
pub mod graph;
pub mod window;

pub use bind::on_demand;

//! Execution: junctions, clock and scheduler, query operators, connector drivers.

pub mod clock;

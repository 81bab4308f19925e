//! Binding and planning: catalog, typed expressions, the dataflow graph.

//! Parsing: annotations pre-pass, the sqlparser-based statement grammar, the app AST.

pub mod diagnostic;

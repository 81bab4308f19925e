//! Parsing: annotations pre-pass, the sqlparser-based statement grammar, the app AST.

pub mod annotation;
pub mod ast;
pub mod diagnostic;
pub mod parser;

pub use parser::parse_app;

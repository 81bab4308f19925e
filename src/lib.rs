//! EventFlux: a streaming SQL engine. See the README and the docs site for the language.

pub mod connector;
pub mod event;
pub mod functions;
pub mod plan;
pub mod runtime;
pub mod schema;
pub mod sql;
pub mod value;

pub use event::{Event, EventKind};
pub use schema::{Attribute, Schema};
pub use value::{AttrType, Value};

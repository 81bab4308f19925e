//! EventFlux: a streaming SQL engine. An app is SQL text: streams declared with `CREATE STREAM`,
//! bound to the outside world with `@source`/`@sink`, transformed by `INSERT INTO ... SELECT`
//! queries. See [`Engine`] to embed it.

pub mod calendar;
pub mod clock;
pub mod connector;
mod engine;
pub mod event;
pub mod functions;
pub mod fuzz;
pub mod json;
pub mod lang;
pub mod media;
pub mod plan;
pub mod redact;
pub mod runtime;
pub mod schema;
pub mod server;
pub mod sql;
pub mod suggest;
pub mod value;

pub use engine::Engine;
pub use event::{Event, EventKind};
pub use runtime::app::{App, AppStats, EngineError, InputHandle, RunOptions, Subscription};
pub use schema::{Attribute, Schema};
pub use sql::diagnostic::CompileErrors;
pub use value::{AttrType, Value};

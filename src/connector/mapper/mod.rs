//! Mappers: bytes to rows (source side) and events to bytes (sink side).

pub mod binary;
pub mod bytes;
pub mod csv;
pub mod json;
pub mod text;

pub use crate::connector::{MapperFactory, SinkMapper, SourceMapper};

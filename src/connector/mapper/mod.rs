//! Mappers: bytes to rows (source side) and events to bytes (sink side).

pub mod binary;
pub mod bytes;
pub mod csv;
pub mod json;
pub mod text;

use crate::connector::config::{ConfigError, MapperConfig};
use crate::connector::spec::ConnectorSpec;
use crate::event::Event;
use crate::schema::Schema;
use crate::value::Value;
use ::bytes::Bytes;
use std::sync::Arc;

/// Turns one payload into zero or more rows in the stream's attribute order.
pub trait SourceMapper: Send {
    /// Appends the decoded rows to `out`. An `Err` (naming what is wrong and where) sends the
    /// payload to the error strategy; nothing is appended then.
    fn decode(&mut self, payload: &Bytes, out: &mut Vec<Arc<[Value]>>) -> Result<(), String>;
}

/// Turns one event into one payload.
pub trait SinkMapper: Send {
    /// Appends the encoded event to `out` (no trailing newline: line-based sinks add it).
    fn encode(&mut self, event: &Event, out: &mut Vec<u8>) -> Result<(), String>;

    /// A line written once before the first event (a CSV header), if the mapper has one.
    fn header(&self) -> Option<Vec<u8>> {
        None
    }
}

/// Builds mappers of one format. `spec().formats` is unused for mappers.
pub trait MapperFactory: Send + Sync {
    fn spec(&self) -> ConnectorSpec;

    fn source_mapper(
        &self,
        config: &MapperConfig,
        schema: &Schema,
    ) -> Result<Box<dyn SourceMapper>, ConfigError>;

    fn sink_mapper(
        &self,
        config: &MapperConfig,
        schema: &Schema,
    ) -> Result<Box<dyn SinkMapper>, ConfigError>;
}

use crate::connector::registry::ConnectorRegistry;

/// Registers json, text, csv and bytes.
pub fn register_all(registry: &mut ConnectorRegistry) {
    registry.register_mapper(Arc::new(json::JsonMapperFactory));
    registry.register_mapper(Arc::new(text::TextMapperFactory));
    registry.register_mapper(Arc::new(csv::CsvMapperFactory));
    registry.register_mapper(Arc::new(bytes::BytesMapperFactory));
    registry.register_mapper(Arc::new(binary::BinaryMapperFactory));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_are_registered_with_complete_specs() {
        let mut r = ConnectorRegistry::empty();
        register_all(&mut r);
        let specs = r.mapper_specs();
        let names: Vec<&str> = specs.iter().map(|s| s.name).collect();
        assert_eq!(names, ["binary", "bytes", "csv", "json", "text"]);
        for s in &specs {
            assert!(!s.description.is_empty(), "{}", s.name);
            assert!(s.formats.is_empty() && s.default_format.is_none());
            assert!(
                s.example.starts_with(&format!("@map(type='{}'", s.name)),
                "{}",
                s.example
            );
            for p in &s.params {
                assert!(
                    !p.description.is_empty() && !p.example.is_empty(),
                    "{}",
                    p.name
                );
            }
        }
    }
}

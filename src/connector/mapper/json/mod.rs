//! `json` mapper: JSON objects to rows (by top-level key or JSONPath) and events to JSON objects.
//!
//! When every attribute is read from a top-level key (by name, or through a one-step path such
//! as `$.p`) and there is no `enclosing.element`, payloads are decoded in a single streaming pass
//! straight into the row, without building a JSON tree. Otherwise the payload is parsed into a
//! `serde_json::Value` and the precompiled paths are evaluated on it.
//!
//! Files: `path` (selectors), `decode` (payloads to rows), `typed` (one JSON value to an
//! attribute's type), `encode` (events to objects).

mod decode;
mod encode;
mod path;
#[cfg(test)]
mod tests;
mod typed;

use super::{MapperFactory, SinkMapper, SourceMapper};
use crate::connector::config::{ConfigError, MapperConfig};
use crate::connector::param::{specs, Param};
use crate::connector::spec::ConnectorSpec;
use crate::schema::Schema;
use decode::JsonSource;
use encode::JsonSink;

const ENCLOSING: Param<Option<String>> = Param::optional(
    "enclosing.element",
    None,
    "Source: JSONPath selecting the object(s) (or arrays of objects) rows are read from; \
     @attributes paths are relative to each selected object",
    "$.events[*]",
);

/// Encoding: standard alphabet with padding. Decoding accepts padded and unpadded input.
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;
const B64_DECODE: base64::engine::GeneralPurpose =
    base64::engine::general_purpose::STANDARD_PAD_INDIFFERENT;

pub struct JsonMapperFactory;

impl MapperFactory for JsonMapperFactory {
    fn spec(&self) -> ConnectorSpec {
        ConnectorSpec {
            name: "json",
            aliases: &[],
            description: "JSON. Source: an object is one row, an array of objects one row \
                each; attributes are read from the top-level keys of the same name, or by \
                JSONPath with @attributes(attr='$.path') (first match; no match is NULL). \
                Numbers in strings are accepted for numeric attributes, BYTES are base64. Sink: \
                one object per event with keys in schema order, BYTES as base64, NULL as null.",
            params: specs(&[&[&ENCLOSING]]),
            formats: &[],
            default_format: None,
            example: "@map(type='json', enclosing.element='$.data', \
                @attributes(symbol='$.s', price='$.quote.p'))",
        }
    }

    fn source_mapper(
        &self,
        config: &MapperConfig,
        schema: &Schema,
    ) -> Result<Box<dyn SourceMapper>, ConfigError> {
        Ok(Box::new(JsonSource::new(config, schema)?))
    }

    fn sink_mapper(
        &self,
        _config: &MapperConfig,
        schema: &Schema,
    ) -> Result<Box<dyn SinkMapper>, ConfigError> {
        Ok(Box::new(JsonSink::new(schema)))
    }
}

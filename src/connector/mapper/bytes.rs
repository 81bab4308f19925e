//! `bytes` mapper: the raw payload in one attribute, and back.

use super::{MapperFactory, SinkMapper, SourceMapper};
use crate::connector::config::{ConfigError, MapperConfig};
use crate::connector::param::{specs, Param};
use crate::connector::spec::ConnectorSpec;
use crate::event::Event;
use crate::schema::Schema;
use crate::suggest::did_you_mean;
use crate::value::{AttrType, Value};
use bytes::Bytes;
use std::sync::Arc;

pub struct BytesMapperFactory;

const ATTRIBUTE: Param<Option<String>> = Param::optional(
    "attribute",
    None,
    "The BYTES or STRING attribute that carries the payload (default: the stream's only BYTES \
     attribute)",
    "frame",
);

impl MapperFactory for BytesMapperFactory {
    fn spec(&self) -> ConnectorSpec {
        ConnectorSpec {
            name: "bytes",
            aliases: &[],
            description: "Raw bytes, unchanged. Source: the payload goes into one BYTES (or \
                STRING, if valid UTF-8) attribute without copying; the other attributes are NULL. \
                Sink: writes that attribute's bytes as they are.",
            params: specs(&[&[&ATTRIBUTE]]),
            formats: &[],
            default_format: None,
            example: "@map(type='bytes', attribute='frame')",
        }
    }

    fn source_mapper(
        &self,
        config: &MapperConfig,
        schema: &Schema,
    ) -> Result<Box<dyn SourceMapper>, ConfigError> {
        let (index, ty) = payload_attr(config, schema)?;
        Ok(Box::new(BytesSource {
            index,
            string: ty == AttrType::String,
            width: schema.len(),
            name: schema.attrs()[index].name.as_str().into(),
        }))
    }

    fn sink_mapper(
        &self,
        config: &MapperConfig,
        schema: &Schema,
    ) -> Result<Box<dyn SinkMapper>, ConfigError> {
        let (index, _) = payload_attr(config, schema)?;
        Ok(Box::new(BytesSink {
            index,
            name: schema.attrs()[index].name.as_str().into(),
        }))
    }
}

fn payload_attr(config: &MapperConfig, schema: &Schema) -> Result<(usize, AttrType), ConfigError> {
    if !config.attributes.is_empty() {
        return Err(ConfigError(
            "bytes mapper takes no @attributes; name the payload attribute with parameter \
             'attribute'"
                .into(),
        ));
    }
    match ATTRIBUTE.get(config) {
        Some(name) => {
            let name = name.trim();
            let i = schema.index_of(name).ok_or_else(|| {
                ConfigError(format!(
                    "parameter 'attribute': stream '{}' has no attribute '{name}'{}; \
                     attributes: {}",
                    schema.name(),
                    did_you_mean(name, schema.names()),
                    schema.names().collect::<Vec<_>>().join(", ")
                ))
            })?;
            let a = &schema.attrs()[i];
            match a.ty {
                AttrType::Bytes | AttrType::String => Ok((i, a.ty)),
                ty => Err(ConfigError(format!(
                    "parameter 'attribute': '{}' is {ty}; the payload attribute must be BYTES \
                     or STRING",
                    a.name
                ))),
            }
        }
        None => {
            let mut bytes = schema
                .attrs()
                .iter()
                .enumerate()
                .filter(|(_, a)| a.ty == AttrType::Bytes);
            match (bytes.next(), bytes.next()) {
                (Some((i, _)), None) => Ok((i, AttrType::Bytes)),
                (None, _) => Err(ConfigError(format!(
                    "bytes mapper: stream {schema} has no BYTES attribute; add one, or name a \
                     STRING attribute with parameter 'attribute'"
                ))),
                (Some(_), Some(_)) => Err(ConfigError(format!(
                    "bytes mapper: stream {schema} has several BYTES attributes; choose one with \
                     parameter 'attribute'"
                ))),
            }
        }
    }
}

struct BytesSource {
    index: usize,
    string: bool,
    width: usize,
    name: Box<str>,
}

impl SourceMapper for BytesSource {
    fn decode(&mut self, payload: &Bytes, out: &mut Vec<Arc<[Value]>>) -> Result<(), String> {
        let value = if self.string {
            let s = std::str::from_utf8(payload).map_err(|e| {
                format!(
                    "attribute '{}' is STRING but the payload is not valid UTF-8: {e}",
                    self.name
                )
            })?;
            Value::String(Arc::from(s))
        } else {
            Value::Bytes(payload.clone())
        };
        let mut value = Some(value);
        out.push(
            (0..self.width)
                .map(|i| {
                    if i == self.index {
                        value.take().unwrap_or_default()
                    } else {
                        Value::Null
                    }
                })
                .collect(),
        );
        Ok(())
    }
}

struct BytesSink {
    index: usize,
    name: Box<str>,
}

impl SinkMapper for BytesSink {
    fn encode(&mut self, event: &Event, out: &mut Vec<u8>) -> Result<(), String> {
        match event.get(self.index) {
            Value::Bytes(b) => out.extend_from_slice(b),
            Value::String(s) => out.extend_from_slice(s.as_bytes()),
            Value::Null => {
                return Err(format!(
                    "attribute '{}' is null: nothing to write",
                    self.name
                ))
            }
            v => {
                return Err(format!(
                    "attribute '{}' holds {} {v}, not BYTES or STRING",
                    self.name,
                    v.attr_type().map_or("NULL", |t| t.name())
                ))
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(params: &[(&str, &str)]) -> MapperConfig {
        MapperConfig {
            kind: "bytes".into(),
            params: params
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            attributes: vec![],
        }
    }

    fn schema() -> Schema {
        Schema::of(
            "Frames",
            &[
                ("topic", AttrType::String),
                ("frame", AttrType::Bytes),
                ("offset", AttrType::Long),
            ],
        )
    }

    #[test]
    fn source_is_zero_copy() {
        let mut m = BytesMapperFactory
            .source_mapper(&cfg(&[]), &schema())
            .unwrap();
        let payload = Bytes::from(vec![0u8, 1, 2, 255]);
        let mut out = Vec::new();
        m.decode(&payload, &mut out).unwrap();
        assert_eq!(out.len(), 1);
        assert_eq!(out[0][0], Value::Null);
        assert_eq!(out[0][2], Value::Null);
        let b = out[0][1].as_bytes().unwrap();
        assert_eq!(b, &payload);
        assert_eq!(b.as_ptr(), payload.as_ptr());
    }

    #[test]
    fn string_attribute_by_name() {
        let c = cfg(&[("attribute", "topic")]);
        let mut m = BytesMapperFactory.source_mapper(&c, &schema()).unwrap();
        let mut out = Vec::new();
        m.decode(&Bytes::from_static(b"hello"), &mut out).unwrap();
        assert_eq!(
            out[0].to_vec(),
            vec![Value::from("hello"), Value::Null, Value::Null]
        );
        let e = m
            .decode(&Bytes::from_static(b"\xff"), &mut out)
            .unwrap_err();
        assert!(e.starts_with("attribute 'topic' is STRING but the payload is not valid UTF-8"));
        assert_eq!(out.len(), 1);

        let mut s = BytesMapperFactory.sink_mapper(&c, &schema()).unwrap();
        let mut buf = Vec::new();
        let ev = Event::new(0, vec![Value::from("hé"), Value::Null, Value::Null]);
        s.encode(&ev, &mut buf).unwrap();
        assert_eq!(buf, "hé".as_bytes());
    }

    #[test]
    fn sink_writes_raw_and_refuses_null() {
        let mut m = BytesMapperFactory
            .sink_mapper(&cfg(&[]), &schema())
            .unwrap();
        let mut out = b"x".to_vec();
        let ev = Event::new(
            0,
            vec![
                Value::Null,
                Value::Bytes(Bytes::from_static(b"\0ab")),
                Value::Null,
            ],
        );
        m.encode(&ev, &mut out).unwrap();
        assert_eq!(out, b"x\0ab");
        assert_eq!(m.header(), None);
        let ev = Event::new(0, vec![Value::Null, Value::Null, Value::Null]);
        assert_eq!(
            m.encode(&ev, &mut out).unwrap_err(),
            "attribute 'frame' is null: nothing to write"
        );
    }

    #[test]
    fn round_trip() {
        let mut src = BytesMapperFactory
            .source_mapper(&cfg(&[]), &schema())
            .unwrap();
        let mut sink = BytesMapperFactory
            .sink_mapper(&cfg(&[]), &schema())
            .unwrap();
        let payload = Bytes::from_static(b"\x00\x01binary\xfe");
        let mut rows = Vec::new();
        src.decode(&payload, &mut rows).unwrap();
        let mut out = Vec::new();
        sink.encode(&Event::new(0, rows[0].clone()), &mut out)
            .unwrap();
        assert_eq!(out, &payload[..]);
    }

    #[test]
    fn config_errors() {
        let none = Schema::of("S", &[("a", AttrType::String)]);
        let e = BytesMapperFactory
            .source_mapper(&cfg(&[]), &none)
            .err()
            .unwrap()
            .0;
        assert!(e.contains("has no BYTES attribute"), "{e}");
        let two = Schema::of("S", &[("a", AttrType::Bytes), ("b", AttrType::Bytes)]);
        let e = BytesMapperFactory
            .sink_mapper(&cfg(&[]), &two)
            .err()
            .unwrap()
            .0;
        assert!(e.contains("several BYTES attributes"), "{e}");
        assert!(BytesMapperFactory
            .sink_mapper(&cfg(&[("attribute", "b")]), &two)
            .is_ok());
        let e = BytesMapperFactory
            .source_mapper(&cfg(&[("attribute", "fram")]), &schema())
            .err()
            .unwrap()
            .0;
        assert!(
            e.contains("no attribute 'fram' (did you mean 'frame'?)"),
            "{e}"
        );
        let e = BytesMapperFactory
            .source_mapper(&cfg(&[("attribute", "offset")]), &schema())
            .err()
            .unwrap()
            .0;
        assert!(e.contains("'offset' is BIGINT"), "{e}");
    }
}

//! Every built-in source, sink and mapper, in one flat list: adding a connector means adding
//! its factory here. `ConnectorRegistry::with_builtins` registers them all.

use crate::connector::builtin::{
    DatagenSourceFactory, FileSinkFactory, FileSourceFactory, NullSinkFactory, StdinSourceFactory,
    StdoutSinkFactory,
};
use crate::connector::mapper::binary::BinaryMapperFactory;
use crate::connector::mapper::bytes::BytesMapperFactory;
use crate::connector::mapper::csv::CsvMapperFactory;
use crate::connector::mapper::json::JsonMapperFactory;
use crate::connector::mapper::text::TextMapperFactory;
use crate::connector::media::{
    MjpegSinkFactory, MjpegSourceFactory, RtpSourceFactory, RtspSinkFactory, RtspSourceFactory,
    SrtSourceFactory,
};
use crate::connector::net::{
    ForwarderSinkFactory, ForwarderSourceFactory, HttpSinkFactory, HttpSourceFactory,
    WsServerSinkFactory, WsServerSourceFactory, WsSinkFactory, WsSourceFactory,
};
use crate::connector::registry::ConnectorRegistry;
use crate::connector::storage::binary::{BinarySinkFactory, BinarySourceFactory};
use crate::connector::storage::clickhouse::ClickHouseSinkFactory;
use crate::connector::storage::parquet::ParquetSinkFactory;
use crate::connector::{MapperFactory, SinkFactory, SourceFactory};
use std::sync::Arc;

/// The built-in sources.
pub fn sources() -> Vec<Arc<dyn SourceFactory>> {
    vec![
        Arc::new(DatagenSourceFactory),
        Arc::new(FileSourceFactory),
        Arc::new(StdinSourceFactory),
        Arc::new(WsSourceFactory),
        Arc::new(WsServerSourceFactory),
        Arc::new(HttpSourceFactory),
        Arc::new(ForwarderSourceFactory),
        Arc::new(BinarySourceFactory),
        Arc::new(MjpegSourceFactory),
        Arc::new(RtspSourceFactory),
        Arc::new(RtpSourceFactory),
        Arc::new(SrtSourceFactory),
    ]
}

/// The built-in sinks.
pub fn sinks() -> Vec<Arc<dyn SinkFactory>> {
    vec![
        Arc::new(StdoutSinkFactory),
        Arc::new(NullSinkFactory),
        Arc::new(FileSinkFactory),
        Arc::new(WsSinkFactory),
        Arc::new(WsServerSinkFactory),
        Arc::new(HttpSinkFactory),
        Arc::new(ForwarderSinkFactory),
        Arc::new(BinarySinkFactory),
        Arc::new(ClickHouseSinkFactory),
        Arc::new(ParquetSinkFactory),
        Arc::new(MjpegSinkFactory),
        Arc::new(RtspSinkFactory),
    ]
}

/// The built-in mappers.
pub fn mappers() -> Vec<Arc<dyn MapperFactory>> {
    vec![
        Arc::new(JsonMapperFactory),
        Arc::new(TextMapperFactory),
        Arc::new(CsvMapperFactory),
        Arc::new(BytesMapperFactory),
        Arc::new(BinaryMapperFactory),
    ]
}

impl ConnectorRegistry {
    /// The built-in connectors and mappers.
    pub fn with_builtins() -> Self {
        let mut r = Self::empty();
        sources().into_iter().for_each(|f| r.register_source(f));
        sinks().into_iter().for_each(|f| r.register_sink(f));
        mappers().into_iter().for_each(|f| r.register_mapper(f));
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connector::registry::Role;
    use crate::connector::ConnectorConfig;

    #[test]
    fn every_builtin_is_registered_with_a_complete_spec() {
        let r = ConnectorRegistry::with_builtins();
        for name in [
            "stdout",
            "log",
            "null",
            "file",
            "websocket",
            "http",
            "clickhouse",
        ] {
            assert!(r.sink(name).is_some(), "sink {name}");
        }
        for name in [
            "datagen",
            "file",
            "stdin",
            "ws",
            "webhook",
            "forwarder",
            "binary",
        ] {
            assert!(r.source(name).is_some(), "source {name}");
        }
        for spec in r.source_specs().into_iter().chain(r.sink_specs()) {
            assert!(!spec.description.is_empty(), "{}", spec.name);
            assert!(spec.example.starts_with("@s"), "{}", spec.name);
            for p in &spec.params {
                assert!(!p.description.is_empty(), "{}.{}", spec.name, p.name);
                assert!(!p.example.is_empty(), "{}.{}", spec.name, p.name);
            }
            if let Some(d) = spec.default_format {
                assert!(spec.formats.contains(&d), "{}", spec.name);
            }
        }
        assert!(r.spec(Role::Sink, "log").is_some());
    }

    #[test]
    fn every_mapper_is_registered_with_a_complete_spec() {
        let specs = ConnectorRegistry::with_builtins().mapper_specs();
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

    #[test]
    fn registry_accepts_templates_and_fills_defaults() {
        let r = ConnectorRegistry::with_builtins();
        let config = |kind: &str, params: &[(&str, &str)]| ConnectorConfig {
            kind: kind.into(),
            stream: "S".into(),
            params: params
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            map: None,
            ..Default::default()
        };
        let ok = r
            .validate(
                Role::Source,
                &config(
                    "datagen",
                    &[
                        ("fields.symbol.kind", "one_of"),
                        ("fields.symbol.values", "A,B"),
                        ("rate", "10"),
                    ],
                ),
            )
            .unwrap();
        assert!(ok.map.is_none());
        let file = r
            .validate(Role::Source, &config("file", &[("path", "x")]))
            .unwrap();
        assert_eq!(file.params.get("follow").map(String::as_str), Some("false"));
        assert_eq!(file.map.unwrap().kind, "json");
        let out = r.validate(Role::Sink, &config("log", &[])).unwrap();
        assert!(out.map.is_none());
        assert!(r
            .validate(Role::Source, &config("datagen", &[("fields.x.bogus", "1")]))
            .is_err());
    }
}

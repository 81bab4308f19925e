//! Built-in connectors: stdout/log and null sinks, datagen, file and stdin sources, file sink.

mod datagen;
mod file_sink;
mod file_source;
mod lines;
mod null;
mod stdin;
mod stdout;
#[cfg(test)]
mod test_util;

pub use datagen::DatagenSourceFactory;
pub use file_sink::FileSinkFactory;
pub use file_source::FileSourceFactory;
pub use null::{NullSink, NullSinkFactory};
pub use stdin::StdinSourceFactory;
pub use stdout::StdoutSinkFactory;

use crate::connector::registry::ConnectorRegistry;
use std::sync::Arc;

pub fn register_all(registry: &mut ConnectorRegistry) {
    registry.register_sink(Arc::new(StdoutSinkFactory));
    registry.register_sink(Arc::new(NullSinkFactory));
    registry.register_sink(Arc::new(FileSinkFactory));
    registry.register_source(Arc::new(DatagenSourceFactory));
    registry.register_source(Arc::new(FileSourceFactory));
    registry.register_source(Arc::new(StdinSourceFactory));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connector::registry::Role;

    #[test]
    fn all_builtins_are_registered_with_complete_specs() {
        let mut r = ConnectorRegistry::empty();
        register_all(&mut r);
        for name in ["stdout", "log", "null", "file"] {
            assert!(r.sink(name).is_some(), "sink {name}");
        }
        for name in ["datagen", "file", "stdin"] {
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
    fn registry_accepts_templates_and_fills_defaults() {
        use crate::connector::ConnectorConfig;
        let mut r = ConnectorRegistry::empty();
        register_all(&mut r);
        let config = |kind: &str, params: &[(&str, &str)]| ConnectorConfig {
            kind: kind.into(),
            stream: "S".into(),
            params: params
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            map: None,
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

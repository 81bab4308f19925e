//! Named factories for sources, sinks and mappers, and validation of bindings against their
//! parameter metadata. It knows no connector: `connector::builtins` fills it with the built-in
//! ones (`ConnectorRegistry::with_builtins`), an embedding app may add its own.

use crate::connector::config::ConnectorConfig;
use crate::connector::error::{ERROR_PARAMS, SINK_BUFFER_PARAMS};
use crate::connector::param::specs;
use crate::connector::spec::ConnectorSpec;
use crate::connector::{MapperFactory, SinkFactory, SourceFactory};
use crate::suggest::did_you_mean;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Which side of a stream a binding is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Source,
    Sink,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Source => "source",
            Role::Sink => "sink",
        }
    }
}

/// A validation problem; `key` names the parameter (or `type`, `map.type`) it is about.
#[derive(Debug, Clone, PartialEq)]
pub struct Issue {
    pub key: Option<String>,
    pub message: String,
}

#[derive(Clone, Default)]
pub struct ConnectorRegistry {
    sources: BTreeMap<String, Arc<dyn SourceFactory>>,
    sinks: BTreeMap<String, Arc<dyn SinkFactory>>,
    mappers: BTreeMap<String, Arc<dyn MapperFactory>>,
}

impl ConnectorRegistry {
    /// An empty registry (no connectors at all).
    pub fn empty() -> Self {
        Self::default()
    }

    pub fn register_source(&mut self, factory: Arc<dyn SourceFactory>) {
        let spec = factory.spec();
        for name in std::iter::once(spec.name).chain(spec.aliases.iter().copied()) {
            self.sources.insert(name.to_string(), factory.clone());
        }
    }

    pub fn register_sink(&mut self, factory: Arc<dyn SinkFactory>) {
        let spec = factory.spec();
        for name in std::iter::once(spec.name).chain(spec.aliases.iter().copied()) {
            self.sinks.insert(name.to_string(), factory.clone());
        }
    }

    pub fn register_mapper(&mut self, factory: Arc<dyn MapperFactory>) {
        let spec = factory.spec();
        for name in std::iter::once(spec.name).chain(spec.aliases.iter().copied()) {
            self.mappers.insert(name.to_string(), factory.clone());
        }
    }

    pub fn source(&self, name: &str) -> Option<&Arc<dyn SourceFactory>> {
        self.sources.get(name)
    }

    pub fn sink(&self, name: &str) -> Option<&Arc<dyn SinkFactory>> {
        self.sinks.get(name)
    }

    pub fn mapper(&self, name: &str) -> Option<&Arc<dyn MapperFactory>> {
        self.mappers.get(name)
    }

    /// Full specs (with the shared error and buffer parameters), one per factory, by name.
    pub fn source_specs(&self) -> Vec<ConnectorSpec> {
        dedup_specs(
            self.sources
                .values()
                .map(|f| full_spec(f.spec(), Role::Source)),
        )
    }

    pub fn sink_specs(&self) -> Vec<ConnectorSpec> {
        dedup_specs(self.sinks.values().map(|f| full_spec(f.spec(), Role::Sink)))
    }

    pub fn mapper_specs(&self) -> Vec<ConnectorSpec> {
        dedup_specs(self.mappers.values().map(|f| f.spec()))
    }

    pub fn spec(&self, role: Role, name: &str) -> Option<ConnectorSpec> {
        match role {
            Role::Source => self.source(name).map(|f| full_spec(f.spec(), role)),
            Role::Sink => self.sink(name).map(|f| full_spec(f.spec(), role)),
        }
    }

    fn names(&self, role: Role) -> Vec<&str> {
        match role {
            Role::Source => self.sources.keys().map(String::as_str).collect(),
            Role::Sink => self.sinks.keys().map(String::as_str).collect(),
        }
    }

    /// Checks a binding against its connector's and mapper's metadata. On success returns the
    /// config with declared defaults filled in and the mapper chosen (explicit or default).
    pub fn validate(
        &self,
        role: Role,
        config: &ConnectorConfig,
    ) -> Result<ConnectorConfig, Vec<Issue>> {
        let Some(spec) = self.spec(role, &config.kind) else {
            if let Some(what) = planned(role, &config.kind) {
                return Err(vec![Issue {
                    key: Some("type".into()),
                    message: format!(
                        "{} type '{}' is not supported yet ({what}); available: {}",
                        role.name(),
                        config.kind,
                        self.names(role).join(", ")
                    ),
                }]);
            }
            let names = self.names(role);
            return Err(vec![Issue {
                key: Some("type".into()),
                message: format!(
                    "unknown {} type '{}'{}; available: {}",
                    role.name(),
                    config.kind,
                    did_you_mean(&config.kind, names.iter().copied()),
                    names.join(", ")
                ),
            }]);
        };
        let mut issues = Vec::new();
        let mut out = config.clone();
        for key in config.params.keys() {
            if spec.param(key).is_none() {
                let names: Vec<&str> = spec.params.iter().map(|p| p.name).collect();
                issues.push(Issue {
                    key: Some(key.clone()),
                    message: format!(
                        "unknown parameter '{key}' for {} '{}'{}",
                        role.name(),
                        spec.name,
                        did_you_mean(key, names.iter().copied())
                    ),
                });
            }
        }
        for p in &spec.params {
            if p.is_template() {
                continue;
            }
            if !out.params.contains_key(p.name) {
                if p.required {
                    issues.push(Issue {
                        key: None,
                        message: format!(
                            "{} '{}' needs parameter '{}' ({}), e.g. {}='{}'",
                            role.name(),
                            spec.name,
                            p.name,
                            p.description,
                            p.name,
                            p.example
                        ),
                    });
                } else if let Some(d) = &p.default {
                    out.params.insert(p.name.to_string(), d.to_string());
                }
            }
        }
        match (&mut out.map, spec.default_format) {
            (Some(map), _) if spec.formats.is_empty() => issues.push(Issue {
                key: Some("map.type".into()),
                message: format!(
                    "{} '{}' takes no mapper, but got '{}': remove the @map(type='{}') or the WITH clause's format='{}'",
                    role.name(),
                    spec.name,
                    map.kind,
                    map.kind,
                    map.kind
                ),
            }),
            (Some(map), _) => {
                if !spec.formats.contains(&map.kind.as_str()) {
                    issues.push(Issue {
                        key: Some("map.type".into()),
                        message: format!(
                            "{} '{}' does not accept format '{}'{}; accepted: {}",
                            role.name(),
                            spec.name,
                            map.kind,
                            did_you_mean(&map.kind, spec.formats.iter().copied()),
                            spec.formats.join(", ")
                        ),
                    });
                } else if let Some(mapper) = self.mapper(&map.kind) {
                    let mspec = mapper.spec();
                    for key in map.params.keys() {
                        if mspec.param(key).is_none() {
                            let names: Vec<&str> = mspec.params.iter().map(|p| p.name).collect();
                            issues.push(Issue {
                                key: Some(format!("map.{key}")),
                                message: format!(
                                    "unknown parameter '{key}' for mapper '{}'{}",
                                    mspec.name,
                                    did_you_mean(key, names.iter().copied())
                                ),
                            });
                        }
                    }
                    for p in &mspec.params {
                        if !p.is_template() && !map.params.contains_key(p.name) {
                            if let Some(d) = &p.default {
                                map.params.insert(p.name.to_string(), d.to_string());
                            }
                        }
                    }
                } else {
                    let names: Vec<&str> = self.mappers.keys().map(String::as_str).collect();
                    issues.push(Issue {
                        key: Some("map.type".into()),
                        message: format!(
                            "unknown mapper '{}'{}; available: {}",
                            map.kind,
                            did_you_mean(&map.kind, names.iter().copied()),
                            names.join(", ")
                        ),
                    });
                }
            }
            (None, Some(default)) => {
                out.map = Some(match self.mapper(default) {
                    Some(mapper) => crate::connector::config::MapperConfig::with_defaults(
                        default,
                        &mapper.spec(),
                    ),
                    None => crate::connector::config::MapperConfig {
                        kind: default.to_string(),
                        ..Default::default()
                    },
                });
            }
            (None, None) => {}
        }
        if let Err(e) = crate::connector::error::ErrorStrategy::from_config(&out) {
            issues.push(Issue {
                key: Some("error.strategy".into()),
                message: e.0,
            });
        }
        if role == Role::Sink {
            if let Err(e) = crate::connector::error::WhenFull::from_config(&out) {
                issues.push(Issue {
                    key: Some("buffer.when.full".into()),
                    message: e.0,
                });
            }
        }
        if issues.is_empty() {
            Ok(out)
        } else {
            Err(issues)
        }
    }
}

/// A connector's own spec plus the parameters the engine handles for every connector of its role.
fn full_spec(mut spec: ConnectorSpec, role: Role) -> ConnectorSpec {
    let shared = match role {
        Role::Source => specs(&[ERROR_PARAMS]),
        Role::Sink => specs(&[ERROR_PARAMS, SINK_BUFFER_PARAMS]),
    };
    for p in shared {
        if !spec.params.iter().any(|q| q.name == p.name) {
            spec.params.push(p);
        }
    }
    spec
}

fn dedup_specs(specs: impl Iterator<Item = ConnectorSpec>) -> Vec<ConnectorSpec> {
    let mut by_name: BTreeMap<&'static str, ConnectorSpec> = BTreeMap::new();
    for s in specs {
        by_name.entry(s.name).or_insert(s);
    }
    by_name.into_values().collect()
}

/// Connectors on the roadmap: naming one gets "not supported yet", not "unknown".
fn planned(role: Role, kind: &str) -> Option<&'static str> {
    match (role, kind) {
        (Role::Source | Role::Sink, "nats") => Some("NATS JetStream is planned"),
        _ => None,
    }
}

//! `@source` / `@sink` annotations and the equivalent `WITH (...)` clause: collected into
//! connector configs, validated against the registry, and their dead-letter streams resolved.

use super::{unknown_annotation, Binder};
use crate::connector::config::{ConnectorConfig, MapperConfig};
use crate::connector::error::ErrorStrategy;
use crate::connector::registry::{Issue, Role};
use crate::plan::graph::*;
use crate::schema::Schema;
use crate::sql::annotation::Annotation;
use crate::sql::ast::*;
use crate::sql::diagnostic::{Diagnostic, Pos};
use crate::suggest::did_you_mean;
use crate::value::AttrType;
use std::collections::{BTreeMap, HashMap};

/// A connector binding before DLQ resolution, with where each key was written.
pub(super) struct PendingConnector {
    role: Role,
    stream: StreamId,
    config: ConnectorConfig,
    pos: Pos,
    key_pos: HashMap<String, Pos>,
}

impl Binder<'_> {
    pub(super) fn connector_from_annotation(
        &self,
        a: &Annotation,
        role: Role,
        stream: StreamId,
        schema: &Schema,
        errors: &mut Vec<Diagnostic>,
    ) -> Option<PendingConnector> {
        let mut config = ConnectorConfig {
            stream: schema.name().to_string(),
            ..Default::default()
        };
        let mut key_pos = HashMap::new();
        for e in &a.elements {
            match e.key.as_deref() {
                Some("type") => {
                    config.kind = e.value.clone();
                    key_pos.insert("type".to_string(), e.value_pos);
                }
                Some(k) => {
                    if crate::redact::is_secret_name(k) {
                        config.secrets.push(e.value.clone());
                    }
                    config.secrets.extend(e.secrets.iter().cloned());
                    config.params.insert(k.to_string(), e.value.clone());
                    key_pos.insert(k.to_string(), e.key_pos);
                }
                None => errors.push(Diagnostic::new(
                    e.key_pos,
                    format!("@{} takes key='value' pairs, got '{}'", a.name, e.value),
                )),
            }
        }
        if config.kind.is_empty() {
            errors.push(Diagnostic::new(
                a.pos,
                format!(
                    "@{} needs a type, e.g. @{}(type='{}')",
                    a.name,
                    a.name,
                    if role == Role::Source {
                        "datagen"
                    } else {
                        "stdout"
                    }
                ),
            ));
            return None;
        }
        for child in &a.children {
            if child.name != "map" {
                errors.push(unknown_annotation(child, &child.name, &["map"]));
                continue;
            }
            let mut map = MapperConfig::default();
            for e in &child.elements {
                match e.key.as_deref() {
                    Some("type") => {
                        map.kind = e.value.clone();
                        key_pos.insert("map.type".into(), e.value_pos);
                    }
                    Some(k) => {
                        if crate::redact::is_secret_name(k) {
                            config.secrets.push(e.value.clone());
                        }
                        config.secrets.extend(e.secrets.iter().cloned());
                        map.params.insert(k.to_string(), e.value.clone());
                        key_pos.insert(format!("map.{k}"), e.key_pos);
                    }
                    None => errors.push(Diagnostic::new(
                        e.key_pos,
                        format!("@map takes key='value' pairs, got '{}'", e.value),
                    )),
                }
            }
            if map.kind.is_empty() {
                errors.push(Diagnostic::new(
                    child.pos,
                    "@map needs a type, e.g. @map(type='json')",
                ));
                continue;
            }
            for grand in &child.children {
                if grand.name != "attributes" {
                    errors.push(unknown_annotation(grand, &grand.name, &["attributes"]));
                    continue;
                }
                for (i, e) in grand.elements.iter().enumerate() {
                    let attr = match &e.key {
                        Some(k) => k.clone(),
                        None => match schema.attrs().get(i) {
                            Some(a) => a.name.clone(),
                            None => {
                                errors.push(Diagnostic::new(
                                    e.key_pos,
                                    format!(
                                        "@attributes has more entries than '{}' has attributes",
                                        schema.name()
                                    ),
                                ));
                                continue;
                            }
                        },
                    };
                    if schema.attr(&attr).is_none() {
                        errors.push(Diagnostic::new(
                            e.key_pos,
                            format!(
                                "unknown attribute '{attr}' in @attributes for stream '{}'{}",
                                schema.name(),
                                did_you_mean(&attr, schema.names())
                            ),
                        ));
                        continue;
                    }
                    map.attributes.push((attr, e.value.clone()));
                }
            }
            config.map = Some(map);
        }
        Some(PendingConnector {
            role,
            stream,
            config,
            pos: a.pos,
            key_pos,
        })
    }

    /// `WITH (type='source'|'sink', extension='x', format='json', "x.key"='v', "map.key"='v')`.
    pub(super) fn connector_from_with(
        &self,
        decl: &StreamDecl,
        stream: StreamId,
        errors: &mut Vec<Diagnostic>,
    ) -> Option<PendingConnector> {
        let mut config = ConnectorConfig {
            stream: decl.name.value.clone(),
            ..Default::default()
        };
        let mut key_pos = HashMap::new();
        let mut role = None;
        let mut map: Option<MapperConfig> = None;
        let mut map_params = BTreeMap::new();
        let pos = decl.with[0].key_pos;
        for o in &decl.with {
            match o.key.as_str() {
                "type" => match o.value.to_ascii_lowercase().as_str() {
                    "source" => role = Some(Role::Source),
                    "sink" => role = Some(Role::Sink),
                    other => {
                        errors.push(Diagnostic::new(
                            o.value_pos,
                            format!("WITH type must be 'source' or 'sink', got '{other}'"),
                        ));
                        return None;
                    }
                },
                "extension" => {
                    config.kind = o.value.clone();
                    key_pos.insert("type".to_string(), o.value_pos);
                }
                "format" => {
                    map = Some(MapperConfig {
                        kind: o.value.clone(),
                        ..Default::default()
                    });
                    key_pos.insert("map.type".to_string(), o.value_pos);
                }
                k => {
                    if crate::redact::is_secret_name(k) {
                        config.secrets.push(o.value.clone());
                    }
                    config.secrets.extend(o.secrets.iter().cloned());
                    if let Some(mk) = k.strip_prefix("map.") {
                        map_params.insert(mk.to_string(), o.value.clone());
                    } else {
                        config.params.insert(k.to_string(), o.value.clone());
                    }
                    key_pos.insert(k.to_string(), o.key_pos);
                }
            }
        }
        let Some(role) = role else {
            errors.push(Diagnostic::new(
                pos,
                "WITH needs type='source' or type='sink'",
            ));
            return None;
        };
        if config.kind.is_empty() {
            errors.push(Diagnostic::new(
                pos,
                "WITH needs extension='<connector>', e.g. extension='datagen'",
            ));
            return None;
        }
        if !map_params.is_empty() {
            let m = map.get_or_insert_with(|| MapperConfig {
                kind: "json".into(),
                ..Default::default()
            });
            for (k, v) in map_params {
                if let Some(attr) = k.strip_prefix("attributes.") {
                    m.attributes.push((attr.to_string(), v));
                } else {
                    m.params.insert(k, v);
                }
            }
        }
        config.map = map;
        Some(PendingConnector {
            role,
            stream,
            config,
            pos,
            key_pos,
        })
    }

    /// Validates a binding against the registry and resolves its dead-letter stream.
    pub(super) fn finish_connector(
        &self,
        p: PendingConnector,
        plan: &AppPlan,
        errors: &mut Vec<Diagnostic>,
    ) -> Option<(Role, StreamId, ConnectorPlan)> {
        let at = |key: &Option<String>| {
            key.as_ref()
                .and_then(|k| p.key_pos.get(k).copied())
                .unwrap_or(p.pos)
        };
        let config = match self.connectors.validate(p.role, &p.config) {
            Ok(c) => c,
            Err(issues) => {
                for Issue { key, message } in issues {
                    errors.push(Diagnostic::new(at(&key), message));
                }
                return None;
            }
        };
        let schema = &plan.streams[p.stream].schema;
        let mut config = config;
        let side_outputs = self.side_outputs(&p, &mut config, plan, errors)?;
        let factory_check = match p.role {
            Role::Source => self
                .connectors
                .source(&config.kind)
                .map(|f| f.validate(&config, schema)),
            Role::Sink => self
                .connectors
                .sink(&config.kind)
                .map(|f| f.validate(&config, schema)),
        };
        crate::redact::register(&config.secrets);
        if let Some(Err(e)) = factory_check {
            let key = config
                .params
                .keys()
                .find(|k| e.0.contains(&format!("'{k}'")))
                .cloned();
            errors.push(Diagnostic::new(
                at(&key),
                crate::redact::scrub(&e.0).into_owned(),
            ));
            return None;
        }
        if let Some(map) = &config.map {
            if let Some(m) = self.connectors.mapper(&map.kind) {
                let checked = match p.role {
                    Role::Source => m.source_mapper(map, schema).map(|_| ()),
                    Role::Sink => m.sink_mapper(map, schema).map(|_| ()),
                };
                if let Err(e) = checked {
                    errors.push(Diagnostic::new(
                        at(&Some("map.type".into())),
                        crate::redact::scrub(&format!("mapper '{}': {}", map.kind, e.0))
                            .into_owned(),
                    ));
                    return None;
                }
            }
        }
        let strategy = ErrorStrategy::from_config(&config).ok()?;
        let mut dlq = None;
        if let ErrorStrategy::Dlq { stream } = &strategy {
            let dpos = at(&Some("error.dlq.stream".into()));
            match plan.stream_id(stream) {
                None => {
                    let names = plan.streams.iter().map(|s| s.schema.name());
                    errors.push(Diagnostic::new(dpos, format!(
                        "unknown dead-letter stream '{stream}'{}: declare it, e.g. CREATE STREAM {stream} (payload STRING, error STRING, connector STRING, stream STRING, ts BIGINT)",
                        did_you_mean(stream, names)
                    )));
                    return None;
                }
                Some(id) if id == p.stream => {
                    errors.push(Diagnostic::new(
                        dpos,
                        format!("stream '{stream}' cannot be its own dead-letter stream"),
                    ));
                    return None;
                }
                Some(id) => {
                    dlq = Some(DlqPlan {
                        stream: id,
                        fields: dlq_fields(&plan.streams[id].schema, schema, dpos, errors)?,
                    })
                }
            }
        }
        Some((
            p.role,
            p.stream,
            ConnectorPlan {
                config,
                side_outputs,
                strategy,
                dlq,
                pos: p.pos,
            },
        ))
    }
}

impl Binder<'_> {
    /// Resolves the source's side-stream parameters (`stats.stream='IngestStats'`) to declared
    /// streams, their schemas into `config.side_schemas` for the factory's checks.
    fn side_outputs(
        &self,
        p: &PendingConnector,
        config: &mut ConnectorConfig,
        plan: &AppPlan,
        errors: &mut Vec<Diagnostic>,
    ) -> Option<Vec<(String, StreamId)>> {
        let Some(factory) = (p.role == Role::Source)
            .then(|| self.connectors.source(&config.kind))
            .flatten()
        else {
            return Some(Vec::new());
        };
        let mut out = Vec::new();
        let mut ok = true;
        for &param in factory.side_streams() {
            let Some(name) = config.params.get(param) else {
                continue;
            };
            let pos = p.key_pos.get(param).copied().unwrap_or(p.pos);
            match plan.stream_id(name) {
                Some(id) if id == p.stream => {
                    errors.push(Diagnostic::new(
                        pos,
                        format!(
                            "{param}='{name}' names the source's own stream: declare a stream of its own for it"
                        ),
                    ));
                    ok = false;
                }
                Some(id) if plan.streams[id].declared => {
                    config
                        .side_schemas
                        .insert(param.to_string(), plan.streams[id].schema.clone());
                    out.push((param.to_string(), id));
                }
                _ => {
                    let names = plan
                        .streams
                        .iter()
                        .filter(|s| s.declared)
                        .map(|s| s.schema.name());
                    errors.push(Diagnostic::new(
                        pos,
                        format!(
                            "{param}='{name}': no stream '{name}' is declared{}; declare it with CREATE STREAM {name} (...)",
                            did_you_mean(name, names)
                        ),
                    ));
                    ok = false;
                }
            }
        }
        ok.then_some(out)
    }
}

/// How each attribute of a dead-letter stream is filled from a failure.
fn dlq_fields(
    dlq: &Schema,
    failed: &Schema,
    at: Pos,
    errors: &mut Vec<Diagnostic>,
) -> Option<Vec<DlqField>> {
    let mut out = Vec::with_capacity(dlq.len());
    let mut ok = true;
    for a in dlq.attrs() {
        let known = match a.name.to_ascii_lowercase().as_str() {
            "payload" if a.ty == AttrType::String || a.ty == AttrType::Bytes => {
                Some(DlqField::Payload {
                    bytes: a.ty == AttrType::Bytes,
                })
            }
            "error" if a.ty == AttrType::String => Some(DlqField::Error),
            "connector" if a.ty == AttrType::String => Some(DlqField::Connector),
            "stream" if a.ty == AttrType::String => Some(DlqField::Stream),
            "ts" if a.ty == AttrType::Long => Some(DlqField::Ts),
            _ => None,
        };
        let field = known.or_else(|| {
            failed
                .attrs()
                .iter()
                .position(|f| f.name == a.name && f.ty == a.ty)
                .map(DlqField::EventAttr)
        });
        match field {
            Some(f) => out.push(f),
            None if ["payload", "error", "connector", "stream", "ts"]
                .contains(&a.name.to_ascii_lowercase().as_str()) =>
            {
                errors.push(Diagnostic::new(
                    at,
                    format!(
                        "dead-letter stream '{}': attribute '{}' has type {}, expected {}",
                        dlq.name(),
                        a.name,
                        a.ty,
                        match a.name.to_ascii_lowercase().as_str() {
                            "payload" => "STRING or BYTES",
                            "ts" => "BIGINT",
                            _ => "STRING",
                        }
                    ),
                ));
                ok = false;
            }
            // Attributes the failure cannot fill stay NULL.
            None => out.push(DlqField::Null),
        }
    }
    ok.then_some(out)
}

//! Binding: resolves names and types of a parsed app against the connector and function
//! registries, producing the dataflow plan or every error found.

use crate::connector::config::{ConnectorConfig, MapperConfig};
use crate::connector::error::ErrorStrategy;
use crate::connector::registry::{ConnectorRegistry, Issue, Role};
use crate::functions::FunctionRegistry;
use crate::plan::expr::{AggregateCall, CmpOp, Expr, JoinNames, Scope, TableRef};
use crate::plan::graph::*;
use crate::plan::window::{self, BindContext, WinArg, WindowSpec};
use crate::schema::{Attribute, Schema};
use crate::sql::annotation::Annotation;
use crate::sql::ast::*;
use crate::sql::diagnostic::{Diagnostic, Pos};
use crate::suggest::did_you_mean;
use crate::value::AttrType;
use sqlparser::ast::{self as sql, Spanned};
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

const STREAM_ANNOTATIONS: &[&str] = &["source", "sink", "async"];
const QUERY_ANNOTATIONS: &[&str] = &["info"];
const APP_ANNOTATIONS: &[&str] = &["app:name", "app:playback", "app:description"];
const DEFAULT_ASYNC_BUFFER: usize = 1024;

pub struct Binder<'a> {
    pub connectors: &'a ConnectorRegistry,
    pub functions: &'a FunctionRegistry,
    /// Tables declared so far, for `x IN T` conditions.
    pub tables: std::cell::RefCell<Vec<crate::plan::expr::TableRef>>,
}

/// A connector binding before DLQ resolution, with where each key was written.
struct PendingConnector {
    role: Role,
    stream: StreamId,
    config: ConnectorConfig,
    pos: Pos,
    key_pos: HashMap<String, Pos>,
}

/// How many first occurrences a counting element keeps for `e1[i]` (besides `e1[last]`).
fn counted_slots(max: Option<u32>) -> usize {
    max.map_or(8, |m| (m as usize).min(16))
}

impl Binder<'_> {
    /// `WITHIN S.from, S.to PER S.per` in a join with an aggregation: expressions over the
    /// joining stream's event (the aggregation's attributes are not in scope).
    fn bind_within_per_event(
        &self,
        (from, to, per): (&sql::Expr, Option<&sql::Expr>, &sql::Expr),
        (left, alias): (&Schema, Option<&str>),
        tables: &[TableRef],
        agg: &AggregationPlan,
    ) -> Result<WithinRange, Diagnostic> {
        let names = JoinNames {
            sides: vec![(left, alias, 0)],
            unqualified: None,
            counted: Vec::new(),
        };
        let scope = Scope {
            schema: left,
            alias,
            functions: self.functions,
            aggregates: None,
            join: Some(&names),
            tables,
        };
        let bind = |e: &sql::Expr, what: &str, string_only: bool| -> Result<Expr, Diagnostic> {
            let b = scope.bind(e).map_err(|mut d| {
                d.help.get_or_insert_with(|| {
                    "WITHIN and PER are computed from the joining event's attributes, not the aggregation's".into()
                });
                d
            })?;
            let fits = match b.ty {
                None | Some(AttrType::String) => true,
                Some(AttrType::Int | AttrType::Long) => !string_only,
                Some(_) => false,
            };
            if !fits {
                let pos: Pos = e.span().start.into();
                return Err(Diagnostic::new(
                    pos,
                    format!(
                        "{what} takes {}, not {}",
                        if string_only && what == "PER" {
                            "a granularity name such as 'days' (a STRING)"
                        } else if string_only {
                            "a period such as '2026-06-** **:**:**' (a STRING)"
                        } else {
                            "epoch milliseconds (a BIGINT) or a 'YYYY-MM-DD HH:MM:SS' STRING"
                        },
                        b.ty.map_or("NULL".to_string(), |t| t.to_string())
                    ),
                ));
            }
            Ok(b.expr)
        };
        // A constant granularity is checked now, not at each event.
        if let Some(text) = crate::plan::within::literal_text(per) {
            crate::calendar::granularity_of(&text, &agg.levels, &agg.name)
                .map_err(|msg| Diagnostic::new(per.span().start.into(), msg))?;
        }
        Ok(WithinRange::PerEvent {
            // A single value names a period as a string with wildcards.
            from: bind(from, "WITHIN", to.is_none())?,
            to: to.map(|to| bind(to, "WITHIN", false)).transpose()?,
            per: bind(per, "PER", true)?,
            levels: agg.levels.clone(),
            name: agg.name.clone(),
        })
    }

    pub fn bind(&self, app: &AppAst) -> Result<AppPlan, Vec<Diagnostic>> {
        let mut errors = Vec::new();
        let mut plan = AppPlan {
            name: "app".into(),
            playback: false,
            streams: Vec::new(),
            queries: Vec::new(),
            partitions: Vec::new(),
            table_writes: Vec::new(),
            aggregations: Vec::new(),
        };
        self.app_annotations(app, &mut plan, &mut errors);

        let mut pending = Vec::new();
        for st in &app.statements {
            match &st.kind {
                StatementKind::CreateStream(decl) => {
                    self.declare_stream(st, decl, &mut plan, &mut pending, &mut errors)
                }
                StatementKind::CreateTrigger(t) => declare_trigger(st, t, &mut plan, &mut errors),
                StatementKind::Query(_)
                | StatementKind::Partition(_)
                | StatementKind::TableWrite(_)
                | StatementKind::CreateAggregation(_) => {}
            }
        }
        // Queries in text order; those inside a partition carry its index.
        let mut queries: Vec<(&Statement, &QueryDecl, Option<usize>)> = Vec::new();
        for st in &app.statements {
            match &st.kind {
                StatementKind::Query(q) => queries.push((st, q.as_ref(), None)),
                StatementKind::Partition(d) => {
                    if let Some(pi) = self.bind_partition(st, d, &mut plan, &mut errors) {
                        for inner in &d.statements {
                            if let StatementKind::Query(q) = &inner.kind {
                                queries.push((inner, q.as_ref(), Some(pi)));
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        for st in &app.statements {
            if let StatementKind::CreateAggregation(d) = &st.kind {
                self.bind_aggregation(d, &st.annotations, &mut plan, &mut errors);
            }
        }
        self.bind_queries(&queries, &mut plan, &mut errors);
        for st in &app.statements {
            if let StatementKind::TableWrite(w) = &st.kind {
                self.bind_table_write(w, &mut plan, &mut errors);
            }
        }
        for p in pending {
            if let Some(c) = self.finish_connector(p, &plan, &mut errors) {
                let (role, stream, c) = c;
                match role {
                    Role::Source => plan.streams[stream].sources.push(c),
                    Role::Sink => plan.streams[stream].sinks.push(c),
                }
            }
        }
        self.check_cycles(&plan, &mut errors);
        if errors.is_empty() {
            Ok(plan)
        } else {
            errors.sort_by_key(|d| d.pos);
            Err(errors)
        }
    }

    fn app_annotations(&self, app: &AppAst, plan: &mut AppPlan, errors: &mut Vec<Diagnostic>) {
        for a in &app.app_annotations {
            match a.name.as_str() {
                "app:name" => match a.positional().or_else(|| a.element("name")) {
                    Some(e) => plan.name = e.value.clone(),
                    None => errors.push(Diagnostic::new(
                        a.pos,
                        "@app:name needs a name: @app:name('Trades')",
                    )),
                },
                "app:playback" => plan.playback = true,
                "app:description" => {}
                other => errors.push(unknown_annotation(a, other, APP_ANNOTATIONS)),
            }
        }
    }

    fn declare_stream(
        &self,
        st: &Statement,
        decl: &StreamDecl,
        plan: &mut AppPlan,
        pending: &mut Vec<PendingConnector>,
        errors: &mut Vec<Diagnostic>,
    ) {
        let name = &decl.name.value;
        if let Some(prev) = plan.stream_id(name) {
            errors.push(
                Diagnostic::new(
                    decl.name.pos,
                    format!(
                        "stream '{name}' is already declared at line {}",
                        plan.streams[prev].pos.line
                    ),
                )
                .with_len(name.chars().count()),
            );
            return;
        }
        let mut attrs: Vec<Attribute> = Vec::new();
        for a in &decl.attrs {
            if attrs
                .iter()
                .any(|x| x.name.eq_ignore_ascii_case(&a.name.value))
            {
                errors.push(Diagnostic::new(
                    a.name.pos,
                    format!("attribute '{}' is declared twice in '{name}'", a.name.value),
                ));
                continue;
            }
            attrs.push(Attribute {
                name: a.name.value.clone(),
                ty: a.ty,
            });
        }
        let id = plan.streams.len();
        let table = if decl.table {
            let mut indexed = Vec::new();
            for a in &st.annotations {
                if a.name != "index" {
                    errors.push(Diagnostic::new(a.pos, format!(
                        "table '{name}' takes no @{}: queries write it, joins and on-demand queries read it (only @index('attr', ...) applies to tables)",
                        a.name
                    )));
                    continue;
                }
                for e in &a.elements {
                    match attrs
                        .iter()
                        .position(|x| x.name.eq_ignore_ascii_case(&e.value))
                    {
                        Some(i) if e.key.is_none() => indexed.push(i),
                        _ => errors.push(Diagnostic::new(
                            e.value_pos,
                            format!(
                                "@index names '{}', which is not an attribute of '{name}'{}",
                                e.value,
                                did_you_mean(&e.value, attrs.iter().map(|a| a.name.as_str()))
                            ),
                        )),
                    }
                }
            }
            if !decl.with.is_empty() {
                errors.push(Diagnostic::new(decl.name.pos, format!(
                    "table '{name}' takes no connectors: queries write it, joins and on-demand queries read it"
                )));
            }
            let mut primary_key = Vec::new();
            for k in &decl.primary_key {
                match attrs
                    .iter()
                    .position(|a| a.name.eq_ignore_ascii_case(&k.value))
                {
                    Some(i) => primary_key.push(i),
                    None => errors.push(Diagnostic::new(
                        k.pos,
                        format!(
                            "PRIMARY KEY names '{}', which is not an attribute of '{name}'{}",
                            k.value,
                            did_you_mean(&k.value, attrs.iter().map(|a| a.name.as_str()))
                        ),
                    )),
                }
            }
            self.tables.borrow_mut().push(crate::plan::expr::TableRef {
                name: name.to_string(),
                key: match primary_key[..] {
                    [k] => Some(attrs[k].ty),
                    _ => None,
                },
                id,
            });
            indexed.retain(|i| primary_key != [*i]);
            indexed.dedup();
            Some(TablePlan {
                primary_key,
                indexed,
            })
        } else {
            if let Some(k) = decl.primary_key.first() {
                errors.push(Diagnostic::new(
                    k.pos,
                    "PRIMARY KEY belongs to tables: CREATE TABLE ...",
                ));
            }
            None
        };
        let mut stream = StreamPlan {
            schema: Schema::new(name, attrs),
            declared: true,
            async_buffer: None,
            trigger: None,
            inner_of: None,
            table,
            aggregation: None,
            named_window: decl.named_window.clone(),
            sources: Vec::new(),
            sinks: Vec::new(),
            pos: decl.name.pos,
        };
        if stream.named_window.is_some() && (!st.annotations.is_empty() || !decl.with.is_empty()) {
            errors.push(Diagnostic::new(
                decl.name.pos,
                format!("window '{name}' takes no connectors or annotations: queries insert into it and read it"),
            ));
        }
        if stream.table.is_some() {
            plan.streams.push(stream);
            return;
        }
        for a in &st.annotations {
            match a.name.as_str() {
                "source" | "sink" => {
                    let role = if a.name == "source" {
                        Role::Source
                    } else {
                        Role::Sink
                    };
                    if let Some(p) =
                        self.connector_from_annotation(a, role, id, &stream.schema, errors)
                    {
                        pending.push(p);
                    }
                }
                "async" => {
                    let size = match a.element("buffer.size") {
                        Some(e) => match e.value.parse::<usize>() {
                            Ok(n) if n > 0 => n,
                            _ => {
                                errors.push(Diagnostic::new(
                                    e.value_pos,
                                    format!(
                                        "buffer.size must be a positive integer, got '{}'",
                                        e.value
                                    ),
                                ));
                                DEFAULT_ASYNC_BUFFER
                            }
                        },
                        None => DEFAULT_ASYNC_BUFFER,
                    };
                    for e in &a.elements {
                        if e.key.as_deref() != Some("buffer.size") {
                            errors.push(Diagnostic::new(
                                e.key_pos,
                                format!(
                                    "unknown parameter '{}' for @async: it takes buffer.size",
                                    e.key.as_deref().unwrap_or(&e.value)
                                ),
                            ));
                        }
                    }
                    stream.async_buffer = Some(size);
                }
                other => errors.push(unknown_annotation(a, other, STREAM_ANNOTATIONS)),
            }
        }
        if !decl.with.is_empty() {
            if let Some(p) = self.connector_from_with(decl, id, errors) {
                pending.push(p);
            }
        }
        plan.streams.push(stream);
    }

    fn connector_from_annotation(
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
    fn connector_from_with(
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
    fn finish_connector(
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
        if let Some(Err(e)) = factory_check {
            let key = config
                .params
                .keys()
                .find(|k| e.0.contains(&format!("'{k}'")))
                .cloned();
            errors.push(Diagnostic::new(at(&key), e.0));
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
                        format!("mapper '{}': {}", map.kind, e.0),
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
                strategy,
                dlq,
                pos: p.pos,
            },
        ))
    }

    /// Binds queries in dependency order, so a query may read a stream that a later query creates.
    fn bind_queries(
        &self,
        queries: &[(&Statement, &QueryDecl, Option<usize>)],
        plan: &mut AppPlan,
        errors: &mut Vec<Diagnostic>,
    ) {
        let mut remaining: Vec<usize> = (0..queries.len()).collect();
        let declared_or_target = |plan: &AppPlan, name: &str| plan.stream_id(name).is_some();
        loop {
            let before = remaining.len();
            remaining.retain(|&i| {
                let (st, q, part) = queries[i];
                if !declared_or_target(plan, &q.from.value) {
                    // Wait while another pending query will create it.
                    let created_later = queries.iter().enumerate().any(|(j, (_, o, _))| {
                        j != i && o.target.value.eq_ignore_ascii_case(&q.from.value)
                    });
                    if created_later {
                        return true;
                    }
                }
                self.bind_query_in(i, st, q, part, plan, errors);
                false
            });
            if remaining.is_empty() || remaining.len() == before {
                break;
            }
        }
        // What is left reads streams only created by each other: report the unknown source.
        for i in remaining {
            let (st, q, part) = queries[i];
            self.bind_query_in(i, st, q, part, plan, errors);
        }
    }

    /// Binds a query, then checks and records its partition membership.
    fn bind_query_in(
        &self,
        index: usize,
        st: &Statement,
        q: &QueryDecl,
        part: Option<usize>,
        plan: &mut AppPlan,
        errors: &mut Vec<Diagnostic>,
    ) {
        let (queries_before, streams_before) = (plan.queries.len(), plan.streams.len());
        self.bind_query(index, st, q, plan, errors);
        if plan.queries.len() == queries_before {
            return;
        }
        let qp = plan.queries.len() - 1;
        // Tables: written by INSERT/UPSERT, read only by joins (and on demand).
        let target_table = plan.streams[plan.queries[qp].output].table.clone();
        let reads_table =
            plan.streams[plan.queries[qp].input].table.is_some() && plan.queries[qp].join.is_none();
        if reads_table {
            errors.push(Diagnostic::new(
                q.from.pos,
                format!(
                    "'{}' is a table: join a stream with it, or read it on demand (App::query)",
                    q.from.value
                ),
            ));
        }
        if q.upsert {
            match &target_table {
                Some(t) if !t.primary_key.is_empty() => {}
                Some(_) => errors.push(Diagnostic::new(
                    q.target.pos,
                    format!("UPSERT needs a PRIMARY KEY on table '{}'", q.target.value),
                )),
                None => errors.push(Diagnostic::new(
                    q.target.pos,
                    format!(
                        "UPSERT writes tables; '{}' is a stream (use INSERT INTO)",
                        q.target.value
                    ),
                )),
            }
        }
        if let Some(j) = &plan.queries[qp].join {
            let (l, r) = (
                plan.streams[plan.queries[qp].input].table.is_some(),
                plan.streams[j.right].table.is_some(),
            );
            if l && r {
                errors.push(Diagnostic::new(
                    q.from.pos,
                    "a join needs at least one stream side: two tables never trigger",
                ));
            }
            if (l
                && plan.queries[qp]
                    .join
                    .as_ref()
                    .is_some_and(|j| j.left_window.is_some()))
                || (r
                    && plan.queries[qp]
                        .join
                        .as_ref()
                        .is_some_and(|j| j.right_window.is_some()))
            {
                errors.push(Diagnostic::new(
                    q.from.pos,
                    "a table side takes no WINDOW: the table is what it holds",
                ));
            }
        }
        plan.queries[qp].upsert = q.upsert;
        let mut inputs = vec![(plan.queries[qp].input, q.from.pos)];
        if let (Some(j), Some(jd)) = (&plan.queries[qp].join, &q.join) {
            inputs.push((j.right, jd.right.stream.pos));
        }
        let output = plan.queries[qp].output;
        for (s, at) in inputs {
            let stream = &plan.streams[s];
            let ok = match part {
                Some(p) => {
                    stream.inner_of == Some(p)
                        || plan.partitions[p].keys.iter().any(|(k, _)| *k == s)
                }
                None => stream.inner_of.is_none(),
            };
            if !ok {
                let msg = match part {
                    Some(_) if stream.schema.name().starts_with('#') => format!(
                        "inner stream '{}' belongs to another partition",
                        stream.schema.name()
                    ),
                    Some(_) => format!(
                        "stream '{}' is not partitioned here: add it to PARTITION WITH (... OF {})",
                        stream.schema.name(),
                        stream.schema.name()
                    ),
                    None => format!(
                        "inner stream '{}' is visible only inside its partition",
                        stream.schema.name()
                    ),
                };
                errors.push(Diagnostic::new(at, msg));
            }
        }
        let target_inner = plan.streams[output].schema.name().starts_with('#');
        match part {
            Some(p) if target_inner => {
                if output >= streams_before {
                    plan.streams[output].inner_of = Some(p);
                } else if plan.streams[output].inner_of != Some(p) {
                    errors.push(Diagnostic::new(
                        q.target.pos,
                        format!(
                            "inner stream '{}' belongs to another partition",
                            q.target.value
                        ),
                    ));
                }
            }
            None if target_inner => errors.push(Diagnostic::new(
                q.target.pos,
                format!(
                    "'{}' names an inner stream ('#'), which exists only inside a PARTITION",
                    q.target.value
                ),
            )),
            _ => {}
        }
        plan.queries[qp].partition = part;
    }

    /// `DELETE FROM T USING S WHERE ...` / `UPDATE T SET ... FROM S WHERE ...`.
    /// `CREATE AGGREGATION`: every selected value is a GROUP BY attribute or one of sum, count,
    /// avg, min, max over the input stream.
    fn bind_aggregation(
        &self,
        d: &AggregationDecl,
        annotations: &[Annotation],
        plan: &mut AppPlan,
        errors: &mut Vec<Diagnostic>,
    ) {
        let name = d.name.value.clone();
        if plan.stream_id(&name).is_some()
            || plan
                .aggregations
                .iter()
                .any(|a| a.name.eq_ignore_ascii_case(&name))
        {
            errors.push(Diagnostic::new(
                d.name.pos,
                format!("'{name}' is already declared"),
            ));
            return;
        }
        let Some(input) = plan.stream_id(&d.from.value) else {
            let names: Vec<&str> = plan.streams.iter().map(|s| s.schema.name()).collect();
            errors.push(Diagnostic::new(
                d.from.pos,
                format!(
                    "unknown stream '{}'{}",
                    d.from.value,
                    did_you_mean(&d.from.value, names.iter().copied())
                ),
            ));
            return;
        };
        let schema = plan.streams[input].schema.clone();
        let tables = self.tables.borrow();
        let scope = Scope {
            schema: &schema,
            alias: None,
            functions: self.functions,
            aggregates: None,
            join: None,
            tables: &tables,
        };
        let mut ok = true;
        let filter = bind_condition(
            &scope,
            d.filter.as_ref(),
            "WHERE",
            d.from.pos,
            errors,
            &mut ok,
        );
        let mut group = Vec::new();
        let mut group_names = Vec::new();
        for g in &d.group_by {
            match scope.bind(g) {
                Ok(b) => {
                    group.push(b.expr);
                    group_names.push((g.to_string(), b.ty.unwrap_or(AttrType::String)));
                }
                Err(e) => {
                    errors.push(e);
                    ok = false;
                }
            }
        }
        let mut items = Vec::new();
        let mut attrs = vec![Attribute {
            name: "AGG_TIMESTAMP".into(),
            ty: AttrType::Long,
        }];
        for item in &d.projection {
            let (expr, alias) = match item {
                sql::SelectItem::UnnamedExpr(e) => (e, None),
                sql::SelectItem::ExprWithAlias { expr, alias } => (expr, Some(alias.value.clone())),
                _ => {
                    errors.push(Diagnostic::new(
                        d.projection_pos,
                        "name each value of an aggregation: no * here",
                    ));
                    ok = false;
                    continue;
                }
            };
            if let sql::Expr::Function(f) = expr {
                let fname = f.name.to_string().to_ascii_lowercase();
                let kind = match fname.as_str() {
                    "sum" => AggKind::Sum,
                    "count" => AggKind::Count,
                    "avg" => AggKind::Avg,
                    "min" => AggKind::Min,
                    "max" => AggKind::Max,
                    other => {
                        errors.push(Diagnostic::new(
                            d.projection_pos,
                            format!("'{other}' cannot be rolled up incrementally: an aggregation takes sum, count, avg, min and max"),
                        ));
                        ok = false;
                        continue;
                    }
                };
                let arg = match &f.args {
                    sql::FunctionArguments::List(list) => match list.args.as_slice() {
                        [] => None,
                        [sql::FunctionArg::Unnamed(sql::FunctionArgExpr::Wildcard)] => None,
                        [sql::FunctionArg::Unnamed(sql::FunctionArgExpr::Expr(e))] => Some(e),
                        _ => {
                            errors.push(Diagnostic::new(
                                d.projection_pos,
                                format!("{fname}() takes one argument"),
                            ));
                            ok = false;
                            continue;
                        }
                    },
                    _ => None,
                };
                let Some(alias) = alias else {
                    errors.push(Diagnostic::new(
                        d.projection_pos,
                        format!("name the aggregate: {expr} AS name"),
                    ));
                    ok = false;
                    continue;
                };
                let bound = match arg.map(|a| scope.bind(a)).transpose() {
                    Ok(b) => b,
                    Err(e) => {
                        errors.push(e);
                        ok = false;
                        continue;
                    }
                };
                let arg_ty = bound.as_ref().and_then(|b| b.ty);
                if kind != AggKind::Count && bound.is_none() {
                    errors.push(Diagnostic::new(
                        d.projection_pos,
                        format!("{fname}() needs an argument"),
                    ));
                    ok = false;
                    continue;
                }
                let ty = match kind {
                    AggKind::Count => AttrType::Long,
                    AggKind::Avg => AttrType::Double,
                    AggKind::Sum => match arg_ty {
                        Some(AttrType::Int | AttrType::Long) => AttrType::Long,
                        Some(t) if t.is_numeric() => AttrType::Double,
                        _ => {
                            errors.push(Diagnostic::new(
                                d.projection_pos,
                                format!(
                                    "sum() needs a number, not {}",
                                    arg_ty.map_or("NULL".into(), |t| t.to_string())
                                ),
                            ));
                            ok = false;
                            continue;
                        }
                    },
                    AggKind::Min | AggKind::Max => arg_ty.unwrap_or(AttrType::Double),
                };
                if kind == AggKind::Avg && !arg_ty.is_some_and(|t| t.is_numeric()) {
                    errors.push(Diagnostic::new(d.projection_pos, "avg() needs a number"));
                    ok = false;
                    continue;
                }
                items.push(AggItem::Agg {
                    kind,
                    arg: bound.map(|b| b.expr),
                    ty,
                });
                attrs.push(Attribute { name: alias, ty });
                continue;
            }
            let text = expr.to_string();
            match group_names
                .iter()
                .position(|(g, _)| g.eq_ignore_ascii_case(&text))
            {
                Some(i) => {
                    items.push(AggItem::Group(i));
                    let col = alias
                        .unwrap_or_else(|| text.rsplit('.').next().unwrap_or(&text).to_string());
                    attrs.push(Attribute {
                        name: col,
                        ty: group_names[i].1,
                    });
                }
                None => {
                    errors.push(Diagnostic::new(
                        d.projection_pos,
                        format!("'{text}' is neither in GROUP BY nor an aggregate (sum, count, avg, min, max)"),
                    ));
                    ok = false;
                }
            }
        }
        let timestamp = match &d.by {
            None => None,
            Some(by) => {
                match schema.index_of(&by.value) {
                    Some(i) if matches!(schema.attrs()[i].ty, AttrType::Long | AttrType::Int) => {
                        Some(i)
                    }
                    Some(i) => {
                        errors.push(Diagnostic::new(
                        by.pos,
                        format!("AGGREGATE BY '{}' is {}: it must be a BIGINT of epoch milliseconds", by.value, schema.attrs()[i].ty),
                    ));
                        ok = false;
                        None
                    }
                    None => {
                        errors.push(Diagnostic::new(
                            by.pos,
                            format!(
                                "AGGREGATE BY names '{}', which is not an attribute of '{}'{}",
                                by.value,
                                schema.name(),
                                did_you_mean(&by.value, schema.names())
                            ),
                        ));
                        ok = false;
                        None
                    }
                }
            }
        };
        let purge = match crate::plan::purge::aggregation_purge(annotations, &d.every) {
            Ok(p) => p,
            Err(e) => {
                errors.extend(e);
                ok = false;
                None
            }
        };
        if ok {
            let schema = Schema::new(&name, attrs);
            let stream = plan.streams.len();
            // Joins name the aggregation like a stream; nothing flows through it.
            plan.streams.push(StreamPlan {
                schema: schema.clone(),
                declared: true,
                async_buffer: None,
                sources: Vec::new(),
                sinks: Vec::new(),
                trigger: None,
                inner_of: None,
                table: None,
                aggregation: Some(plan.aggregations.len()),
                named_window: None,
                pos: d.name.pos,
            });
            plan.aggregations.push(AggregationPlan {
                name: name.clone(),
                input,
                filter,
                timestamp,
                levels: d.every.clone(),
                group,
                items,
                schema,
                stream,
                purge,
            });
        }
    }

    fn bind_table_write(
        &self,
        w: &TableWriteDecl,
        plan: &mut AppPlan,
        errors: &mut Vec<Diagnostic>,
    ) {
        let tables = self.tables.borrow();
        let lookup = |name: &Name, errors: &mut Vec<Diagnostic>| {
            let id = plan.stream_id(&name.value);
            if id.is_none() {
                let names: Vec<&str> = plan.streams.iter().map(|s| s.schema.name()).collect();
                errors.push(Diagnostic::new(
                    name.pos,
                    format!(
                        "unknown stream '{}'{}",
                        name.value,
                        did_you_mean(&name.value, names.iter().copied())
                    ),
                ));
            }
            id
        };
        let (Some(table), Some(stream)) = (lookup(&w.table, errors), lookup(&w.stream, errors))
        else {
            return;
        };
        if plan.streams[table].table.is_none() {
            errors.push(Diagnostic::new(
                w.table.pos,
                format!(
                    "'{}' is a stream: DELETE and UPDATE change tables",
                    w.table.value
                ),
            ));
            return;
        }
        if plan.streams[stream].table.is_some() {
            errors.push(Diagnostic::new(
                w.stream.pos,
                format!(
                    "'{}' is a table: a stream's events drive DELETE and UPDATE",
                    w.stream.value
                ),
            ));
            return;
        }
        let (ts, ss) = (
            plan.streams[table].schema.clone(),
            plan.streams[stream].schema.clone(),
        );
        let combined = Schema::new(
            "write",
            ts.attrs().iter().chain(ss.attrs()).cloned().collect(),
        );
        let names = JoinNames {
            sides: vec![
                (&ts, None, 0),
                (&ss, w.alias.as_ref().map(|a| a.value.as_str()), ts.len()),
            ],
            unqualified: None,
            counted: Vec::new(),
        };
        let scope = Scope {
            schema: &combined,
            alias: None,
            functions: self.functions,
            aggregates: None,
            join: Some(&names),
            tables: &tables,
        };
        let mut ok = true;
        let condition = bind_condition(
            &scope,
            w.condition.as_ref(),
            "WHERE",
            w.table.pos,
            errors,
            &mut ok,
        );
        let mut sets = Vec::new();
        if let TableChange::Update(list) = &w.change {
            for (attr, e) in list {
                let Some(i) = ts.index_of(&attr.value) else {
                    errors.push(Diagnostic::new(
                        attr.pos,
                        format!(
                            "table '{}' has no attribute '{}'{}",
                            ts.name(),
                            attr.value,
                            did_you_mean(&attr.value, ts.names())
                        ),
                    ));
                    ok = false;
                    continue;
                };
                match scope.bind(e) {
                    Ok(b) if b.ty.is_none_or(|t| t.assignable_to(ts.attrs()[i].ty)) => {
                        let expr = match b.ty {
                            Some(t) if t != ts.attrs()[i].ty => {
                                Expr::Cast(Box::new(b.expr), ts.attrs()[i].ty)
                            }
                            _ => b.expr,
                        };
                        sets.push((i, expr));
                    }
                    Ok(b) => {
                        errors.push(Diagnostic::new(
                            attr.pos,
                            format!(
                                "'{}.{}' is {}, the value is {}: use CAST",
                                ts.name(),
                                attr.value,
                                ts.attrs()[i].ty,
                                b.ty.map_or("NULL", AttrType::name)
                            ),
                        ));
                        ok = false;
                    }
                    Err(d) => {
                        errors.push(d);
                        ok = false;
                    }
                }
            }
        }
        if ok {
            plan.table_writes.push(TableWritePlan {
                table,
                stream,
                condition,
                sets,
                delete: matches!(w.change, TableChange::Delete),
            });
        }
    }

    /// `PARTITION WITH (...)`: resolves the partitioned streams and their keys.
    fn bind_partition(
        &self,
        st: &Statement,
        d: &PartitionDecl,
        plan: &mut AppPlan,
        errors: &mut Vec<Diagnostic>,
    ) -> Option<usize> {
        let tables = self.tables.borrow();
        let mut keys = Vec::new();
        let mut ok = true;
        for k in &d.keys {
            let Some(id) = plan.stream_id(&k.stream.value) else {
                let names: Vec<&str> = plan.streams.iter().map(|s| s.schema.name()).collect();
                errors.push(Diagnostic::new(
                    k.stream.pos,
                    format!(
                        "unknown stream '{}'{}",
                        k.stream.value,
                        did_you_mean(&k.stream.value, names.iter().copied())
                    ),
                ));
                ok = false;
                continue;
            };
            let schema = plan.streams[id].schema.clone();
            let scope = Scope {
                schema: &schema,
                alias: None,
                functions: self.functions,
                aggregates: None,
                join: None,
                tables: &tables,
            };
            let key = match &k.key {
                PartitionKeyKind::Value(e) => match scope.bind(e) {
                    Ok(b) => PartitionKey::Value(b.expr),
                    Err(d) => {
                        errors.push(d);
                        ok = false;
                        continue;
                    }
                },
                PartitionKeyKind::Range(ranges) => {
                    let mut out = Vec::new();
                    for (cond, label) in ranges {
                        match scope.bind(cond) {
                            Ok(b) if b.ty.is_none() || b.ty == Some(AttrType::Bool) => {
                                out.push((b.expr, label.clone()))
                            }
                            Ok(_) => {
                                errors.push(Diagnostic::new(
                                    sqlparser::ast::Spanned::span(cond).start.into(),
                                    format!("range '{label}' needs a BOOL condition"),
                                ));
                                ok = false;
                            }
                            Err(d) => {
                                errors.push(d);
                                ok = false;
                            }
                        }
                    }
                    PartitionKey::Range(out)
                }
            };
            keys.push((id, key));
        }
        let mut purge = None;
        for a in &st.annotations {
            if a.name != "purge" {
                errors.push(unknown_annotation(a, &a.name, &["purge"]));
                continue;
            }
            let ms = |key: &str, default: i64| -> Result<i64, Diagnostic> {
                match a.element(key) {
                    None => Ok(default),
                    Some(e) => parse_duration_text(&e.value).ok_or_else(|| Diagnostic::new(e.value_pos, format!("@purge {key} must be a time such as '10 sec' or '1 hour', got '{}'", e.value))),
                }
            };
            let enabled = a
                .get("enable")
                .is_none_or(|v| v.eq_ignore_ascii_case("true"));
            match (ms("interval", 10_000), ms("idle.period", 3_600_000)) {
                (Ok(interval), Ok(idle)) if enabled => purge = Some(PurgePlan { interval, idle }),
                (Ok(_), Ok(_)) => {}
                (a, b) => {
                    errors.extend(a.err());
                    errors.extend(b.err());
                    ok = false;
                }
            }
        }
        if !ok {
            return None;
        }
        plan.partitions.push(PartitionPlan { keys, purge });
        Some(plan.partitions.len() - 1)
    }

    fn bind_query(
        &self,
        index: usize,
        st: &Statement,
        q: &QueryDecl,
        plan: &mut AppPlan,
        errors: &mut Vec<Diagnostic>,
    ) {
        let tables = self.tables.borrow();
        let is_aggregation = |name: &Name| {
            plan.stream_id(&name.value)
                .is_some_and(|id| plan.streams[id].aggregation.is_some())
        };
        let joins_aggregation = q
            .join
            .as_ref()
            .is_some_and(|j| is_aggregation(&j.right.stream));
        if is_aggregation(&q.from) || is_aggregation(&q.target) {
            errors.push(Diagnostic::new(
                q.from.pos,
                "an aggregation is read by joining it (FROM S JOIN Agg ON ... WITHIN from, to PER 'days') or on demand (app.query); queries do not read it as a stream or insert into it",
            ));
            return;
        }
        if q.within.is_some() != joins_aggregation {
            errors.push(Diagnostic::new(
                q.from.pos,
                if joins_aggregation {
                    "a join with an aggregation needs WITHIN from, to PER 'granularity' after ON"
                } else {
                    "WITHIN ... PER reads an aggregation: join one (FROM S JOIN Agg ON ... WITHIN ... PER ...)"
                },
            ));
            return;
        }
        let mut name = format!("query{}", index + 1);
        for a in &st.annotations {
            match a.name.as_str() {
                "info" => match a.get("name") {
                    Some(n) => name = n.to_string(),
                    None => errors.push(Diagnostic::new(a.pos, "@info needs name='...'")),
                },
                other => errors.push(unknown_annotation(a, other, QUERY_ANNOTATIONS)),
            }
        }
        if plan.queries.iter().any(|x| x.name == name) {
            errors.push(Diagnostic::new(
                st.pos,
                format!("two queries are named '{name}'"),
            ));
        }
        let Some(input) = plan.stream_id(&q.from.value) else {
            let names: Vec<&str> = plan.streams.iter().map(|s| s.schema.name()).collect();
            errors.push(
                Diagnostic::new(
                    q.from.pos,
                    format!(
                        "unknown stream '{}'{}",
                        q.from.value,
                        did_you_mean(&q.from.value, names.iter().copied())
                    ),
                )
                .with_len(q.from.value.chars().count()),
            );
            return;
        };
        let left_schema = plan.streams[input].schema.clone();
        let mut ok = true;
        // A join reads a combined row: the left side's attributes, then the right side's.
        let right = match &q.join {
            Some(j) => match plan.stream_id(&j.right.stream.value) {
                Some(id) => Some((id, plan.streams[id].schema.clone())),
                None => {
                    let names: Vec<&str> = plan.streams.iter().map(|s| s.schema.name()).collect();
                    errors.push(
                        Diagnostic::new(
                            j.right.stream.pos,
                            format!(
                                "unknown stream '{}'{}",
                                j.right.stream.value,
                                did_you_mean(&j.right.stream.value, names.iter().copied())
                            ),
                        )
                        .with_len(j.right.stream.value.chars().count()),
                    );
                    return;
                }
            },
            None => None,
        };
        // A pattern reads a combined row: every element's attributes, in element order.
        let mut elements: Vec<(StreamId, Schema)> = Vec::new();
        if let Some(pat) = &q.pattern {
            for el in &pat.elements {
                match plan.stream_id(&el.stream.value) {
                    Some(id) => elements.push((id, plan.streams[id].schema.clone())),
                    None => {
                        let names: Vec<&str> =
                            plan.streams.iter().map(|s| s.schema.name()).collect();
                        errors.push(Diagnostic::new(
                            el.stream.pos,
                            format!(
                                "unknown stream '{}'{}",
                                el.stream.value,
                                did_you_mean(&el.stream.value, names.iter().copied())
                            ),
                        ));
                        return;
                    }
                }
            }
        }
        // A counting element (`e1=A<2:5>`) keeps its first occurrences and its latest ones,
        // each a copy of its attributes in the combined row.
        let kept: Vec<Option<usize>> = match &q.pattern {
            Some(pat) => pat
                .elements
                .iter()
                .map(|e| e.count.map(|(_, max)| counted_slots(max)))
                .collect(),
            None => Vec::new(),
        };
        let copies = |k: usize| {
            kept.get(k)
                .copied()
                .flatten()
                .map_or(1, |n| n + crate::plan::graph::LAST_KEPT)
        };
        let offsets: Vec<usize> = elements
            .iter()
            .enumerate()
            .scan(0, |acc, (k, (_, s))| {
                let o = *acc;
                *acc += s.len() * copies(k);
                Some(o)
            })
            .collect();
        let schema = match &right {
            _ if !elements.is_empty() => Schema::new(
                "pattern",
                elements
                    .iter()
                    .enumerate()
                    .flat_map(|(k, (_, s))| {
                        std::iter::repeat_n(s.attrs(), copies(k)).flatten().cloned()
                    })
                    .collect(),
            ),
            Some((_, r)) => Schema::new(
                &format!("{}+{}", left_schema.name(), r.name()),
                left_schema
                    .attrs()
                    .iter()
                    .chain(r.attrs())
                    .cloned()
                    .collect(),
            ),
            None => left_schema.clone(),
        };
        let left_alias = q.alias.as_ref().map(|a| a.value.as_str());
        let pattern_names = q.pattern.as_ref().map(|pat| JoinNames {
            sides: pat
                .elements
                .iter()
                .zip(&elements)
                .zip(&offsets)
                .map(|((el, (_, s)), o)| (s, Some(el.alias.value.as_str()), *o))
                .collect(),
            unqualified: None,
            counted: kept.clone(),
        });
        let join_names = pattern_names.or_else(|| {
            right.as_ref().map(|(_, r)| JoinNames {
                sides: vec![
                    (&left_schema, left_alias, 0),
                    (
                        r,
                        q.join
                            .as_ref()
                            .and_then(|j| j.right.alias.as_ref())
                            .map(|a| a.value.as_str()),
                        left_schema.len(),
                    ),
                ],
                unqualified: None,
                counted: Vec::new(),
            })
        });
        let calls = RefCell::new(Vec::new());
        let plain = Scope {
            schema: &schema,
            alias: left_alias,
            functions: self.functions,
            aggregates: None,
            join: join_names.as_ref(),
            tables: &tables,
        };
        // The projection may call aggregates; WHERE and GROUP BY may not.
        let scope = Scope {
            aggregates: Some(&calls),
            ..plain
        };
        let side_window = |w: &Option<WindowDecl>,
                           side: &Schema,
                           alias: Option<&str>,
                           errors: &mut Vec<Diagnostic>,
                           ok: &mut bool| {
            let side_scope = Scope {
                schema: side,
                alias,
                functions: self.functions,
                aggregates: None,
                join: None,
                tables: &tables,
            };
            match w {
                Some(w) => match bind_window(w, side, &side_scope) {
                    Ok(win) => Some(win),
                    Err(d) => {
                        errors.push(d);
                        *ok = false;
                        None
                    }
                },
                None => None,
            }
        };
        // A named window (`CREATE WINDOW`) brings its own window to every query reading it.
        let named = |stream: &Name,
                     own: &Option<WindowDecl>,
                     errors: &mut Vec<Diagnostic>,
                     ok: &mut bool| {
            let declared = plan
                .stream_id(&stream.value)
                .and_then(|id| plan.streams[id].named_window.clone());
            match (declared, own) {
                (Some(_), Some(w)) => {
                    errors.push(Diagnostic::new(
                        w.name.pos,
                        format!("'{}' is a named window: it has its window already; read it without WINDOW", stream.value),
                    ));
                    *ok = false;
                    None
                }
                (Some(d), None) => Some(d),
                (None, own) => own.clone(),
            }
        };
        let left_window_decl = named(&q.from, &q.window, errors, &mut ok);
        let window = side_window(&left_window_decl, &left_schema, left_alias, errors, &mut ok);
        let join = match (&q.join, &right) {
            (Some(j), Some((right_id, right_schema))) => {
                let right_window_decl = named(&j.right.stream, &j.right.window, errors, &mut ok);
                let right_window = side_window(
                    &right_window_decl,
                    right_schema,
                    j.right.alias.as_ref().map(|a| a.value.as_str()),
                    errors,
                    &mut ok,
                );
                let on = bind_condition(&plain, j.on.as_ref(), "ON", j.pos, errors, &mut ok);
                let keys = on
                    .as_ref()
                    .and_then(|c| equi_join_keys(c, left_schema.len()));
                let right_within = match (&q.within, plan.streams[*right_id].aggregation) {
                    (Some((from, to, per)), Some(a)) => {
                        let agg = &plan.aggregations[a];
                        let constant = [Some(from), to.as_ref(), Some(per)]
                            .into_iter()
                            .flatten()
                            .all(|e| crate::plan::within::literal_text(e).is_some());
                        let range = if constant {
                            crate::plan::within::parse_within(
                                from,
                                to.as_ref(),
                                per,
                                &agg.levels,
                                &agg.name,
                            )
                            .map(|(from, to, granularity)| WithinRange::Fixed {
                                from,
                                to,
                                granularity,
                            })
                            .map_err(|msg| Diagnostic::new(j.pos, msg))
                        } else {
                            self.bind_within_per_event(
                                (from, to.as_ref(), per),
                                (&left_schema, left_alias),
                                &tables,
                                agg,
                            )
                        };
                        match range {
                            Ok(range) => Some(AggregationJoin {
                                aggregation: a,
                                range,
                            }),
                            Err(d) => {
                                errors.push(d);
                                ok = false;
                                None
                            }
                        }
                    }
                    _ => None,
                };
                if right_within.is_some() && right_window.is_some() {
                    errors.push(Diagnostic::new(
                        j.pos,
                        "an aggregation side takes no WINDOW: WITHIN ... PER chooses its rows",
                    ));
                    ok = false;
                }
                Some(JoinPlan {
                    right_within,
                    right: *right_id,
                    kind: j.kind,
                    left_window: window.clone(),
                    right_window,
                    left_triggers: q.unidirectional || !j.right.unidirectional,
                    right_triggers: j.right.unidirectional || !q.unidirectional,
                    on,
                    keys,
                    left_len: left_schema.len(),
                    right_len: right_schema.len(),
                })
            }
            _ => {
                if q.unidirectional {
                    errors.push(Diagnostic::new(
                        q.from.pos,
                        "UNIDIRECTIONAL only applies to a side of a JOIN",
                    ));
                    ok = false;
                }
                None
            }
        };
        // A join's windows live in its plan; the selector after it has none of its own.
        let window = if join.is_some() { None } else { window };
        let pattern = match &q.pattern {
            Some(pat) => {
                if q.window.is_some() {
                    errors.push(Diagnostic::new(
                        pat.pos,
                        "a pattern takes no WINDOW: bound it with WITHIN",
                    ));
                    ok = false;
                }
                let mut plans = Vec::new();
                for (k, el) in pat.elements.iter().enumerate() {
                    // An element's filter sees its own attributes unqualified, earlier ones by alias.
                    let names = JoinNames {
                        sides: pat
                            .elements
                            .iter()
                            .zip(&elements)
                            .zip(&offsets)
                            .take(k + 1)
                            .map(|((e, (_, s)), o)| (s, Some(e.alias.value.as_str()), *o))
                            .collect(),
                        unqualified: Some(k),
                        counted: kept.clone(),
                    };
                    let scope = Scope {
                        schema: &schema,
                        alias: None,
                        functions: self.functions,
                        aggregates: None,
                        join: Some(&names),
                        tables: &tables,
                    };
                    let what = format!("the filter of '{}'", el.alias.value);
                    let filter = bind_condition(
                        &scope,
                        el.filter.as_ref(),
                        &what,
                        el.alias.pos,
                        errors,
                        &mut ok,
                    );
                    let plan_el = PatternElementPlan {
                        stream: elements[k].0,
                        filter,
                        offset: offsets[k],
                        width: elements[k].1.len(),
                        every: k > 0 && pat.elements[k].every,
                        partner: None,
                        absent: el.absent,
                        count: el.count.map(|(min, max)| CountPlan {
                            min,
                            max,
                            kept: counted_slots(max),
                        }),
                    };
                    match (el.joined, plans.last_mut()) {
                        // The second element of an and/or pair shares the step of the first.
                        (Some(logic), Some(step)) => {
                            let step: &mut PatternElementPlan = step;
                            step.partner = Some((logic, Box::new(plan_el)));
                        }
                        _ => plans.push(plan_el),
                    }
                }
                Some(PatternPlan {
                    elements: plans,
                    sequence: pat.sequence,
                    every_first: pat.elements[0].every,
                    // In steps: an and/or pair is one step.
                    every_groups: pat
                        .every_groups
                        .iter()
                        .map(|g| {
                            let step = |i: usize| {
                                pat.elements[..=i]
                                    .iter()
                                    .filter(|e| e.joined.is_none())
                                    .count()
                                    - 1
                            };
                            (step(g.start), step(g.end - 1))
                        })
                        .collect(),
                    within: pat.within,
                    width: schema.len(),
                })
            }
            None => None,
        };
        let mut group_by = Vec::new();
        for g in &q.group_by {
            match plain.bind(g) {
                Ok(b) => group_by.push(b.expr),
                Err(d) => {
                    errors.push(d);
                    ok = false;
                }
            }
        }
        let filter = bind_condition(
            &plain,
            q.filter.as_ref(),
            "WHERE",
            q.from.pos,
            errors,
            &mut ok,
        );
        // Projection: (name, type, expr, position) per output attribute.
        let mut items: Vec<(Option<String>, Option<AttrType>, Expr, Pos)> = Vec::new();
        let mut star_only = q.projection.len() == 1;
        for item in &q.projection {
            match item {
                SelectItem::Wildcard(_) => {
                    for (i, a) in schema.attrs().iter().enumerate() {
                        items.push((
                            Some(a.name.clone()),
                            Some(a.ty),
                            Expr::Attr(i),
                            q.projection_pos,
                        ));
                    }
                }
                SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                    star_only = false;
                    let alias = match item {
                        SelectItem::ExprWithAlias { alias, .. } => Some(alias.value.clone()),
                        _ => implicit_name(e),
                    };
                    let p: Pos = sqlparser::ast::Spanned::span(e).start.into();
                    match scope.bind(e) {
                        Ok(b) => items.push((alias, b.ty, b.expr, p)),
                        Err(d) => {
                            errors.push(d);
                            ok = false;
                        }
                    }
                }
                other => {
                    errors.push(Diagnostic::new(
                        q.projection_pos,
                        format!("'{other}' is not supported in a projection"),
                    ));
                    ok = false;
                }
            }
        }
        if !ok {
            return;
        }
        let target_name = &q.target.value;
        let output = match plan.stream_id(target_name) {
            Some(out) => {
                let target = plan.streams[out].schema.clone();
                if out == input {
                    errors.push(Diagnostic::new(
                        q.target.pos,
                        format!("query '{name}' inserts into its own input stream '{target_name}'"),
                    ));
                    return;
                }
                if target.len() != items.len() {
                    errors.push(
                        Diagnostic::new(
                            q.target.pos,
                            format!(
                                "stream '{}' has {} attributes ({}), but the query selects {}",
                                target.name(),
                                target.len(),
                                target.names().collect::<Vec<_>>().join(", "),
                                items.len()
                            ),
                        )
                        .with_len(target_name.chars().count()),
                    );
                    return;
                }
                for (i, (item, attr)) in items.iter_mut().zip(target.attrs()).enumerate() {
                    match item.1 {
                        None => {}
                        Some(t) if t == attr.ty => {}
                        Some(t) if t.assignable_to(attr.ty) => {
                            let e = std::mem::replace(&mut item.2, Expr::Attr(0));
                            item.2 = Expr::Cast(Box::new(e), attr.ty);
                        }
                        Some(t) => {
                            errors.push(Diagnostic::new(
                                item.3,
                                format!(
                                    "column {} is {t}, but '{}.{}' is {}: use CAST(... AS {})",
                                    i + 1,
                                    target.name(),
                                    attr.name,
                                    attr.ty,
                                    attr.ty
                                ),
                            ));
                            ok = false;
                        }
                    }
                }
                if !ok {
                    return;
                }
                out
            }
            None => {
                let mut attrs: Vec<Attribute> = Vec::new();
                for (n, ty, _, p) in &items {
                    let Some(n) = n else {
                        errors.push(Diagnostic::new(*p, format!("give this expression a name with AS, so stream '{target_name}' can have an attribute for it")));
                        ok = false;
                        continue;
                    };
                    if attrs.iter().any(|a| a.name.eq_ignore_ascii_case(n)) {
                        errors.push(Diagnostic::new(*p, format!("attribute '{n}' appears twice in the projection: rename one with AS")));
                        ok = false;
                        continue;
                    }
                    attrs.push(Attribute {
                        name: n.clone(),
                        ty: ty.unwrap_or(AttrType::String),
                    });
                }
                if !ok {
                    return;
                }
                plan.streams.push(StreamPlan {
                    schema: Schema::new(target_name, attrs),
                    declared: false,
                    async_buffer: None,
                    trigger: None,
                    inner_of: None,
                    table: None,
                    aggregation: None,
                    named_window: None,
                    sources: Vec::new(),
                    sinks: Vec::new(),
                    pos: q.target.pos,
                });
                plan.streams.len() - 1
            }
        };
        let output_schema = plan.streams[output].schema.clone();
        let select = match self.bind_select(
            q,
            &output_schema,
            calls.into_inner(),
            group_by,
            window,
            join.is_some() || pattern.is_some(),
        ) {
            Ok(sel) => sel,
            Err(mut d) => {
                errors.append(&mut d);
                return;
            }
        };
        let same_shape = star_only && plan.streams[output].schema.attrs() == schema.attrs();
        let projection = if same_shape {
            Projection::PassThrough
        } else {
            Projection::Exprs(items.into_iter().map(|i| i.2).collect())
        };
        plan.queries.push(QueryPlan {
            name,
            input,
            output,
            filter,
            projection,
            output_events: q.output,
            select,
            join,
            pattern,
            partition: None,
            upsert: false,
            pos: st.pos,
        });
    }

    /// HAVING, ORDER BY and the other stateful parts; `None` for a stateless query.
    fn bind_select(
        &self,
        q: &QueryDecl,
        output: &Schema,
        aggregates: Vec<AggregateCall>,
        group_by: Vec<Expr>,
        window: Option<WindowSpec>,
        always_stateful: bool,
    ) -> Result<Option<SelectPlan>, Vec<Diagnostic>> {
        let tables = self.tables.borrow();
        let mut errors = Vec::new();
        // HAVING and ORDER BY read the output row, so they name output attributes (aliases).
        let out_scope = Scope {
            schema: output,
            alias: None,
            functions: self.functions,
            aggregates: None,
            join: None,
            tables: &tables,
        };
        let having = match &q.having {
            Some(h) => match out_scope.bind(h) {
                Ok(b) if b.ty.is_none() || b.ty == Some(AttrType::Bool) => Some(b.expr),
                Ok(b) => {
                    errors.push(Diagnostic::new(
                        sqlparser::ast::Spanned::span(h).start.into(),
                        format!(
                            "HAVING needs a BOOL condition, got {}",
                            b.ty.map_or("NULL", AttrType::name)
                        ),
                    ));
                    None
                }
                Err(mut d) => {
                    if d.message.starts_with("unknown attribute")
                        || d.message.contains("aggregates belong in SELECT")
                    {
                        d.help = Some(format!(
                            "HAVING filters output rows: name what it tests in SELECT (sum(x) AS total) and write HAVING total > ...; '{}' has: {}",
                            output.name(),
                            output.names().collect::<Vec<_>>().join(", ")
                        ));
                    }
                    errors.push(d);
                    None
                }
            },
            None => None,
        };
        let mut order_by = Vec::new();
        for item in &q.order_by {
            let at: Pos = sqlparser::ast::Spanned::span(&item.expr).start.into();
            let name = match &item.expr {
                sqlparser::ast::Expr::Identifier(id) => Some(id.value.as_str()),
                _ => None,
            };
            match name.and_then(|n| output.index_of(n)) {
                Some(i) => order_by.push((i, item.asc)),
                None => errors.push(
                    Diagnostic::new(
                        at,
                        format!(
                            "ORDER BY names an output attribute of '{}'{}",
                            output.name(),
                            name.map(|n| did_you_mean(n, output.names()))
                                .unwrap_or_default()
                        ),
                    )
                    .with_help(format!(
                        "'{}' has: {}",
                        output.name(),
                        output.names().collect::<Vec<_>>().join(", ")
                    )),
                ),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let stateful = always_stateful
            || window.is_some()
            || !aggregates.is_empty()
            || !group_by.is_empty()
            || having.is_some()
            || !order_by.is_empty()
            || q.limit.is_some()
            || q.offset.is_some()
            || q.output_rate.is_some();
        Ok(stateful.then(|| SelectPlan {
            window,
            aggregates,
            group_by,
            having,
            order_by,
            limit: q.limit,
            offset: q.offset,
            output_rate: q.output_rate,
        }))
    }

    /// Queries run synchronously on the sender's thread: a loop of them would never return.
    fn check_cycles(&self, plan: &AppPlan, errors: &mut Vec<Diagnostic>) {
        let n = plan.streams.len();
        let mut edges: Vec<Vec<(StreamId, usize)>> = vec![Vec::new(); n];
        for (qi, q) in plan.queries.iter().enumerate() {
            if plan.streams[q.output].async_buffer.is_none() {
                edges[q.input].push((q.output, qi));
                if let Some(j) = &q.join {
                    edges[j.right].push((q.output, qi));
                }
                for stream in q.pattern.iter().flat_map(|p| p.streams()) {
                    edges[stream].push((q.output, qi));
                }
            }
        }
        // 0 = unvisited, 1 = on the current path, 2 = done.
        let mut state = vec![0u8; n];
        let mut path = Vec::new();
        fn dfs(
            s: StreamId,
            edges: &[Vec<(StreamId, usize)>],
            state: &mut [u8],
            path: &mut Vec<StreamId>,
        ) -> Option<Vec<StreamId>> {
            state[s] = 1;
            path.push(s);
            for &(t, _) in &edges[s] {
                if state[t] == 1 {
                    let start = path.iter().position(|x| *x == t).unwrap_or(0);
                    let mut cycle = path[start..].to_vec();
                    cycle.push(t);
                    return Some(cycle);
                }
                if state[t] == 0 {
                    if let Some(c) = dfs(t, edges, state, path) {
                        return Some(c);
                    }
                }
            }
            path.pop();
            state[s] = 2;
            None
        }
        for s in 0..n {
            if state[s] == 0 {
                if let Some(cycle) = dfs(s, &edges, &mut state, &mut path) {
                    let names: Vec<&str> = cycle
                        .iter()
                        .map(|i| plan.streams[*i].schema.name())
                        .collect();
                    errors.push(
                        Diagnostic::new(
                            plan.streams[cycle[0]].pos,
                            format!("queries form a loop: {}", names.join(" -> ")),
                        )
                        .with_help(
                            "break the loop with @async(buffer.size='1024') on one of its streams",
                        ),
                    );
                    return;
                }
            }
        }
    }
}

fn implicit_name(e: &sqlparser::ast::Expr) -> Option<String> {
    use sqlparser::ast::Expr as S;
    match e {
        S::Identifier(id) => Some(id.value.clone()),
        S::CompoundIdentifier(parts) => parts.last().map(|p| p.value.clone()),
        S::Function(f) => Some(f.name.to_string().to_ascii_lowercase()),
        S::Nested(inner) => implicit_name(inner),
        _ => None,
    }
}

fn unknown_annotation(a: &Annotation, name: &str, known: &[&str]) -> Diagnostic {
    Diagnostic::new(
        a.pos,
        format!(
            "unknown annotation '@{name}' here{}; expected one of {}",
            crate::suggest::closest(name, known.iter().copied())
                .map(|c| format!(" (did you mean '@{c}'?)"))
                .unwrap_or_default(),
            known
                .iter()
                .map(|k| format!("@{k}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    )
    .with_len(name.len() + 1)
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

/// Resolves a window by name and binds its arguments (constants, time literals, attributes).
fn bind_window(w: &WindowDecl, schema: &Schema, scope: &Scope) -> Result<WindowSpec, Diagnostic> {
    let name = &w.name.value;
    let Some(def) = window::window(name) else {
        if let Some(n) = window::NOT_YET
            .iter()
            .find(|n| n.eq_ignore_ascii_case(name))
        {
            return Err(Diagnostic::new(
                w.name.pos,
                format!("window '{n}' is not supported yet in this version of EventFlux"),
            ));
        }
        let names: Vec<&str> = window::windows()
            .iter()
            .flat_map(|d| std::iter::once(d.name).chain(d.aliases.iter().copied()))
            .collect();
        return Err(Diagnostic::new(
            w.name.pos,
            format!(
                "unknown window '{name}'{}",
                did_you_mean(name, names.iter().copied())
            ),
        )
        .with_len(name.chars().count() + 2)
        .with_help(format!("windows: {}", names.join(", "))));
    };
    let mut args = Vec::with_capacity(w.args.len());
    for a in &w.args {
        args.push(match a {
            WindowArg::Duration { ms, .. } => WinArg::Duration(*ms),
            WindowArg::Expr(e) => window_arg(e, schema, scope)?,
        });
    }
    let cx = BindContext {
        schema,
        functions: scope.functions,
    };
    (def.bind)(&args, &cx).map_err(|m| {
        Diagnostic::new(w.name.pos, format!("window '{}' {m}", def.name))
            .with_help(format!("signatures: {}", def.signatures.join(" | ")))
    })
}

fn window_arg(
    e: &sqlparser::ast::Expr,
    schema: &Schema,
    scope: &Scope,
) -> Result<WinArg, Diagnostic> {
    use sqlparser::ast::{Expr as S, UnaryOperator, Value as V};
    let at: Pos = sqlparser::ast::Spanned::span(e).start.into();
    match e {
        S::Value(v) => match &v.value {
            V::Number(n, _) => n
                .parse::<i64>()
                .map(WinArg::Int)
                .or_else(|_| n.parse::<f64>().map(WinArg::Double))
                .map_err(|_| Diagnostic::new(at, format!("'{n}' is not a number"))),
            V::SingleQuotedString(s) => Ok(WinArg::Str(s.clone())),
            V::Boolean(b) => Ok(WinArg::Bool(*b)),
            other => Err(Diagnostic::new(
                at,
                format!("window argument {other} is not supported"),
            )),
        },
        S::UnaryOp {
            op: UnaryOperator::Minus,
            expr,
        } => match window_arg(expr, schema, scope)? {
            WinArg::Int(i) => Ok(WinArg::Int(-i)),
            WinArg::Double(d) => Ok(WinArg::Double(-d)),
            _ => Err(Diagnostic::new(
                at,
                "only numbers can be negated in window arguments",
            )),
        },
        S::Identifier(_) | S::CompoundIdentifier(_) => {
            let b = scope.bind(e)?;
            match b.expr {
                Expr::Attr(index) => Ok(WinArg::Attr {
                    index,
                    ty: schema.attrs()[index].ty,
                    name: schema.attrs()[index].name.clone(),
                }),
                _ => Err(Diagnostic::new(at, "expected an attribute")),
            }
        }
        _ => Err(Diagnostic::new(
            at,
            "window arguments are numbers, strings, time literals (5 SECONDS) or attributes",
        )),
    }
}

/// `left.attr = right.attr` among the top-level AND terms of a join condition: the attribute
/// indices (within each side) to index the windows by.
fn equi_join_keys(cond: &Expr, left_len: usize) -> Option<(usize, usize)> {
    match cond {
        Expr::And(a, b) => equi_join_keys(a, left_len).or_else(|| equi_join_keys(b, left_len)),
        Expr::Cmp {
            op: CmpOp::Eq,
            left,
            right,
        } => match (left.as_ref(), right.as_ref()) {
            (Expr::Attr(i), Expr::Attr(j)) if *i < left_len && *j >= left_len => {
                Some((*i, *j - left_len))
            }
            (Expr::Attr(i), Expr::Attr(j)) if *j < left_len && *i >= left_len => {
                Some((*j, *i - left_len))
            }
            _ => None,
        },
        _ => None,
    }
}

fn declare_trigger(
    st: &Statement,
    t: &TriggerDecl,
    plan: &mut AppPlan,
    errors: &mut Vec<Diagnostic>,
) {
    let name = &t.name.value;
    if let Some(prev) = plan.stream_id(name) {
        errors.push(Diagnostic::new(
            t.name.pos,
            format!(
                "stream '{name}' is already declared at line {}",
                plan.streams[prev].pos.line
            ),
        ));
        return;
    }
    for a in &st.annotations {
        errors.push(Diagnostic::new(
            a.pos,
            format!(
                "a trigger takes no annotations (got @{}): queries read it like a stream",
                a.name
            ),
        ));
    }
    let trigger = match &t.when {
        TriggerWhen::Start => TriggerPlan::Start,
        TriggerWhen::Every(ms) => TriggerPlan::Every(*ms),
        TriggerWhen::Cron { expr, pos } => {
            match <cron::Schedule as std::str::FromStr>::from_str(expr) {
                Ok(s) => TriggerPlan::Cron(std::sync::Arc::new(s)),
                Err(e) => {
                    errors.push(Diagnostic::new(*pos, format!(
                    "'{expr}' is not a cron expression ({e}); expected 'sec min hour day-of-month month day-of-week [year]'"
                )));
                    return;
                }
            }
        }
    };
    plan.streams.push(StreamPlan {
        schema: Schema::of(name, &[("triggered_time", AttrType::Long)]),
        declared: true,
        async_buffer: None,
        sources: Vec::new(),
        sinks: Vec::new(),
        trigger: Some(trigger),
        inner_of: None,
        table: None,
        aggregation: None,
        named_window: None,
        pos: t.name.pos,
    });
}

/// `'10 sec'`, `'1 hour'`, `'500 ms'` as milliseconds.
fn parse_duration_text(text: &str) -> Option<i64> {
    let mut parts = text.split_whitespace();
    let n: f64 = parts.next()?.parse().ok()?;
    let unit = parts.next()?.to_ascii_uppercase();
    let ms = crate::sql::parser::TIME_UNITS
        .iter()
        .find(|(u, _)| *u == unit)?
        .1;
    let v = (n * ms as f64).round() as i64;
    (v > 0 && parts.next().is_none()).then_some(v)
}

/// Binds an optional condition that must be BOOL (or NULL). Errors are recorded and clear `ok`.
fn bind_condition(
    scope: &Scope,
    cond: Option<&sqlparser::ast::Expr>,
    what: &str,
    at: Pos,
    errors: &mut Vec<Diagnostic>,
    ok: &mut bool,
) -> Option<Expr> {
    match scope.bind(cond?) {
        Ok(b) if b.ty.is_none() || b.ty == Some(AttrType::Bool) => Some(b.expr),
        Ok(b) => {
            errors.push(Diagnostic::new(
                at,
                format!(
                    "{what} needs a BOOL condition, got {}",
                    b.ty.map_or("NULL", AttrType::name)
                ),
            ));
            *ok = false;
            None
        }
        Err(d) => {
            errors.push(d);
            *ok = false;
            None
        }
    }
}

//! `CREATE STREAM`, `CREATE TABLE`, `CREATE WINDOW` and `CREATE TRIGGER`: attributes, keys and
//! indexes, `@async`, and the connector bindings collected for later validation.

use super::connector::PendingConnector;
use super::window::bind_window;
use super::{unknown_annotation, Binder, DEFAULT_ASYNC_BUFFER, STREAM_ANNOTATIONS};
use crate::connector::registry::Role;
use crate::plan::expr::Scope;
use crate::plan::graph::*;
use crate::schema::{Attribute, Schema};
use crate::sql::ast::*;
use crate::sql::diagnostic::Diagnostic;
use crate::suggest::did_you_mean;
use crate::value::AttrType;

impl Binder<'_> {
    pub(super) fn declare_stream(
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
        // Names seen, case-folded: a set, so a stream of 100,000 attributes binds in linear time.
        let mut seen = std::collections::HashSet::with_capacity(decl.attrs.len());
        for a in &decl.attrs {
            if !seen.insert(a.name.value.to_ascii_lowercase()) {
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
        let schema = Schema::new(name, attrs);
        // A named window's window is bound once, here; every reader applies the same spec.
        let named_window = decl.named_window.as_ref().and_then(|w| {
            let tables = self.tables.borrow();
            let scope = Scope {
                schema: &schema,
                alias: None,
                functions: self.functions,
                aggregates: None,
                join: None,
                tables: &tables,
            };
            bind_window(w, &schema, &scope)
                .map_err(|d| errors.push(d))
                .ok()
        });
        let mut stream = StreamPlan {
            schema,
            declared: true,
            async_buffer: None,
            trigger: None,
            inner_of: None,
            table,
            aggregation: None,
            named_window,
            sources: Vec::new(),
            sinks: Vec::new(),
            pos: decl.name.pos,
        };
        if decl.named_window.is_some() && (!st.annotations.is_empty() || !decl.with.is_empty()) {
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
}

pub(super) fn declare_trigger(
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

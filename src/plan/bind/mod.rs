//! Binding: resolves names and types of a parsed app against the connector and function
//! registries, producing the dataflow plan or every error found. One file per clause, in the
//! manner of DataFusion's `SqlToRel`; this file drives the order and holds what they share.

mod aggregation;
mod connector;
mod join;
pub mod on_demand;
mod partition;
mod pattern;
mod purge;
mod query;
mod select;
mod stream;
mod table_write;
mod window;
mod within;

use crate::connector::registry::{ConnectorRegistry, Role};
use crate::functions::FunctionRegistry;
use crate::plan::expr::{Expr, Scope, TableRef};
use crate::plan::graph::*;
use crate::sql::annotation::Annotation;
use crate::sql::ast::*;
use crate::sql::diagnostic::{Diagnostic, Pos};
use crate::value::AttrType;

pub(super) const STREAM_ANNOTATIONS: &[&str] = &["source", "sink", "async"];
pub(super) const QUERY_ANNOTATIONS: &[&str] = &["info"];
const APP_ANNOTATIONS: &[&str] = &["app:name", "app:playback", "app:description"];
pub(super) const DEFAULT_ASYNC_BUFFER: usize = 1024;

pub struct Binder<'a> {
    pub connectors: &'a ConnectorRegistry,
    pub functions: &'a FunctionRegistry,
    /// Tables declared so far, for `x IN T` conditions.
    pub tables: std::cell::RefCell<Vec<TableRef>>,
    /// Query names taken so far (a set: apps of 100,000 queries bind in linear time).
    pub query_names: std::cell::RefCell<std::collections::HashSet<String>>,
}

impl Binder<'_> {
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
            names: Default::default(),
        };
        self.app_annotations(app, &mut plan, &mut errors);

        let mut pending = Vec::new();
        for st in &app.statements {
            match &st.kind {
                StatementKind::CreateStream(decl) => {
                    self.declare_stream(st, decl, &mut plan, &mut pending, &mut errors)
                }
                StatementKind::CreateTrigger(t) => {
                    stream::declare_trigger(st, t, &mut plan, &mut errors)
                }
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

    /// Queries run synchronously on the sender's thread: a loop of them would never return.
    fn check_cycles(&self, plan: &AppPlan, errors: &mut Vec<Diagnostic>) {
        let n = plan.streams.len();
        let mut edges: Vec<Vec<(StreamId, usize)>> = vec![Vec::new(); n];
        for (qi, q) in plan.queries.iter().enumerate() {
            if plan.streams[q.output].async_buffer.is_none() {
                for stream in q.triggering_inputs() {
                    // The table side of a join is read, never triggers: no edge.
                    if q.join.is_some() && plan.streams[stream].table.is_some() {
                        continue;
                    }
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

pub(super) fn unknown_annotation(a: &Annotation, name: &str, known: &[&str]) -> Diagnostic {
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

/// Binds an optional condition that must be BOOL (or NULL). Errors are recorded and clear `ok`.
pub(super) fn bind_condition(
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

/// `unknown stream 'X' (did you mean 'Y'?)` at the name.
pub(super) fn unknown_stream(plan: &AppPlan, name: &Name) -> Diagnostic {
    Diagnostic::new(
        name.pos,
        format!(
            "unknown stream '{}'{}",
            name.value,
            crate::suggest::did_you_mean(&name.value, plan.streams.iter().map(|s| s.schema.name()))
        ),
    )
}

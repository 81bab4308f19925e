//! `INSERT INTO ... SELECT ... FROM ...`: queries bound in dependency order, each checked for
//! partition membership, its inputs resolved, its row, projection and target stream typed.

use super::pattern::counted_slots;
use super::select::implicit_name;
use super::window::bind_window;
use super::{bind_condition, unknown_annotation, unknown_stream, Binder, QUERY_ANNOTATIONS};
use crate::plan::expr::{Expr, JoinNames, Scope};
use crate::plan::graph::*;
use crate::plan::window::{WindowSpec, BOUNDED_WINDOWS};
use crate::schema::{Attribute, Schema};
use crate::sql::ast::*;
use crate::sql::diagnostic::{Diagnostic, Pos};
use crate::value::AttrType;
use std::cell::RefCell;

impl Binder<'_> {
    /// Binds queries in dependency order, so a query may read a stream that a later query creates.
    pub(super) fn bind_queries(
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
    pub(super) fn bind_query_in(
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

    /// One `INSERT INTO ... SELECT`, in named steps: what it may read, its inputs, the row its
    /// expressions see, windows, join or pattern, WHERE and GROUP BY, the projection, the
    /// target stream, and the selector.
    pub(super) fn bind_query(
        &self,
        index: usize,
        st: &Statement,
        q: &QueryDecl,
        plan: &mut AppPlan,
        errors: &mut Vec<Diagnostic>,
    ) {
        if !check_aggregation_reads(q, plan, errors) {
            return;
        }
        let name = query_name(index, st, errors);
        if !self.query_names.borrow_mut().insert(name.clone()) {
            errors.push(Diagnostic::new(
                st.pos,
                format!("two queries are named '{name}'"),
            ));
        }
        let Some(inputs) = resolve_inputs(q, plan, errors) else {
            return;
        };
        let row = Row::of(q, &inputs);
        let tables = self.tables.borrow();
        let left_alias = q.alias.as_ref().map(|a| a.value.as_str());
        let names = row.names(q, &inputs);
        let calls = RefCell::new(Vec::new());
        let plain = Scope {
            schema: &row.schema,
            alias: left_alias,
            functions: self.functions,
            aggregates: None,
            join: names.as_ref(),
            tables: &tables,
        };
        // The projection may call aggregates; WHERE and GROUP BY may not.
        let scope = Scope {
            aggregates: Some(&calls),
            ..plain
        };
        let mut ok = true;
        let window = self.side_window(
            plan,
            &q.from,
            &q.window,
            &inputs.left,
            left_alias,
            errors,
            &mut ok,
        );
        let join = match (&q.join, &inputs.right) {
            (Some(j), Some(right)) => self.bind_join(
                q,
                j,
                right,
                &inputs.left,
                window.clone(),
                &plain,
                plan,
                errors,
                &mut ok,
            ),
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
        let pattern = q.pattern.as_ref().and_then(|pat| {
            self.bind_pattern(q, pat, &inputs.elements, &row, &tables, errors, &mut ok)
        });
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
        let (items, star_only) = bind_projection(q, &row.schema, &scope, errors, &mut ok);
        if !ok {
            return;
        }
        if let Err(d) = check_window_bounds(q, &filter, &group_by, &items, window.as_ref()) {
            errors.push(d);
            return;
        }
        let Some((output, items)) = resolve_output(&name, q, inputs.input, items, plan, errors)
        else {
            return;
        };
        let output_schema = plan.streams[output].schema.clone();
        let stateful = join.is_some() || pattern.is_some();
        let select = match self.bind_select(
            q,
            &output_schema,
            calls.into_inner(),
            group_by,
            window,
            stateful,
        ) {
            Ok(sel) => sel,
            Err(mut d) => {
                errors.append(&mut d);
                return;
            }
        };
        let projection = if star_only && output_schema.attrs() == row.schema.attrs() {
            Projection::PassThrough
        } else {
            Projection::Exprs(items.into_iter().map(|i| i.expr).collect())
        };
        plan.queries.push(QueryPlan {
            name,
            input: inputs.input,
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

    /// A side's window: its own `WINDOW(...)`, or the named window (`CREATE WINDOW`) it reads,
    /// which brings its window to every reader; a reader may not add one.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn side_window(
        &self,
        plan: &AppPlan,
        stream: &Name,
        own: &Option<WindowDecl>,
        side: &Schema,
        alias: Option<&str>,
        errors: &mut Vec<Diagnostic>,
        ok: &mut bool,
    ) -> Option<WindowSpec> {
        let named = plan
            .stream_id(&stream.value)
            .and_then(|id| plan.streams[id].named_window.clone());
        let result = match (named, own) {
            (Some(_), Some(w)) => Err(Diagnostic::new(
                w.name.pos,
                format!(
                    "'{}' is a named window: it has its window already; read it without WINDOW",
                    stream.value
                ),
            )),
            (named, None) => Ok(named),
            (None, Some(w)) => {
                let tables = self.tables.borrow();
                let scope = Scope {
                    schema: side,
                    alias,
                    functions: self.functions,
                    aggregates: None,
                    join: None,
                    tables: &tables,
                };
                bind_window(w, side, &scope).map(Some)
            }
        };
        result.unwrap_or_else(|d| {
            errors.push(d);
            *ok = false;
            None
        })
    }
}

/// `window_start()` / `window_end()` read the bounds of the window whose output a row is: only
/// in the projection of a query over a time window.
fn check_window_bounds(
    q: &QueryDecl,
    filter: &Option<Expr>,
    group_by: &[Expr],
    items: &[Item],
    window: Option<&WindowSpec>,
) -> Result<(), Diagnostic> {
    if filter.as_ref().is_some_and(Expr::reads_window_bounds)
        || group_by.iter().any(Expr::reads_window_bounds)
    {
        return Err(Diagnostic::new(
            q.from.pos,
            "window_start() and window_end() are known once a window emits: use them in SELECT, not in WHERE or GROUP BY",
        ));
    }
    let Some(item) = items.iter().find(|i| i.expr.reads_window_bounds()) else {
        return Ok(());
    };
    if window.and_then(|w| w.bounds(0)).is_some() {
        return Ok(());
    }
    let has = match window {
        Some(w) => format!("window '{}'", w.name()),
        None if q.join.is_some() => "a join".to_string(),
        None if q.pattern.is_some() => "a pattern".to_string(),
        None => "no window".to_string(),
    };
    Err(Diagnostic::new(
        item.pos,
        format!(
            "window_start() and window_end() read a time window's bounds, and this query has {has}"
        ),
    )
    .with_help(format!("windows with bounds: {BOUNDED_WINDOWS}")))
}

/// An aggregation is read only by joining it `WITHIN ... PER ...` (or on demand).
fn check_aggregation_reads(q: &QueryDecl, plan: &AppPlan, errors: &mut Vec<Diagnostic>) -> bool {
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
        return false;
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
        return false;
    }
    true
}

/// `@info(name='...')`, else `queryN` by position; names are unique.
fn query_name(index: usize, st: &Statement, errors: &mut Vec<Diagnostic>) -> String {
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
    name
}

/// The streams a query reads: its input, a join's right side, a pattern's elements.
struct Inputs {
    input: StreamId,
    left: Schema,
    right: Option<(StreamId, Schema)>,
    elements: Vec<(StreamId, Schema)>,
}

fn resolve_inputs(q: &QueryDecl, plan: &AppPlan, errors: &mut Vec<Diagnostic>) -> Option<Inputs> {
    let lookup = |name: &Name, errors: &mut Vec<Diagnostic>, with_len: bool| {
        let id = plan.stream_id(&name.value);
        if id.is_none() {
            let d = unknown_stream(plan, name);
            errors.push(if with_len {
                d.with_len(name.value.chars().count())
            } else {
                d
            });
        }
        id
    };
    let input = lookup(&q.from, errors, true)?;
    let right = match &q.join {
        Some(j) => {
            let id = lookup(&j.right.stream, errors, true)?;
            Some((id, plan.streams[id].schema.clone()))
        }
        None => None,
    };
    let mut elements = Vec::new();
    for el in q.pattern.iter().flat_map(|p| &p.elements) {
        let id = lookup(&el.stream, errors, false)?;
        elements.push((id, plan.streams[id].schema.clone()));
    }
    Some(Inputs {
        input,
        left: plan.streams[input].schema.clone(),
        right,
        elements,
    })
}

/// The row a query's expressions read: one stream's attributes; a join's (left, then right);
/// or a pattern's (each element's in order, a counting element's repeated once per occurrence
/// it keeps: its first ones for `e1[i]`, then its latest for `e1[last - n]`).
pub(super) struct Row {
    pub schema: Schema,
    /// Patterns: where each element's attributes start.
    pub offsets: Vec<usize>,
    /// Patterns: per element, the first occurrences a counting element keeps.
    pub kept: Vec<Option<usize>>,
}

impl Row {
    fn of(q: &QueryDecl, inputs: &Inputs) -> Row {
        let kept: Vec<Option<usize>> = q
            .pattern
            .iter()
            .flat_map(|pat| &pat.elements)
            .map(|e| e.count.map(|(_, max)| counted_slots(max)))
            .collect();
        let copies = |k: usize| kept.get(k).copied().flatten().map_or(1, |n| n + LAST_KEPT);
        let offsets: Vec<usize> = inputs
            .elements
            .iter()
            .enumerate()
            .scan(0, |acc, (k, (_, s))| {
                let o = *acc;
                *acc += s.len() * copies(k);
                Some(o)
            })
            .collect();
        let schema = match &inputs.right {
            _ if !inputs.elements.is_empty() => Schema::new(
                "pattern",
                inputs
                    .elements
                    .iter()
                    .enumerate()
                    .flat_map(|(k, (_, s))| {
                        std::iter::repeat_n(s.attrs(), copies(k)).flatten().cloned()
                    })
                    .collect(),
            ),
            Some((_, r)) => Schema::new(
                &format!("{}+{}", inputs.left.name(), r.name()),
                inputs
                    .left
                    .attrs()
                    .iter()
                    .chain(r.attrs())
                    .cloned()
                    .collect(),
            ),
            None => inputs.left.clone(),
        };
        Row {
            schema,
            offsets,
            kept,
        }
    }

    /// How qualified names resolve: pattern aliases, or a join's two sides.
    fn names<'a>(&self, q: &'a QueryDecl, inputs: &'a Inputs) -> Option<JoinNames<'a>> {
        if let Some(pat) = &q.pattern {
            return Some(JoinNames {
                sides: pat
                    .elements
                    .iter()
                    .zip(&inputs.elements)
                    .zip(&self.offsets)
                    .map(|((el, (_, s)), o)| (s, Some(el.alias.value.as_str()), *o))
                    .collect(),
                unqualified: None,
                counted: self.kept.clone(),
            });
        }
        let (_, r) = inputs.right.as_ref()?;
        let right_alias = q
            .join
            .as_ref()
            .and_then(|j| j.right.alias.as_ref())
            .map(|a| a.value.as_str());
        Some(JoinNames {
            sides: vec![
                (&inputs.left, q.alias.as_ref().map(|a| a.value.as_str()), 0),
                (r, right_alias, inputs.left.len()),
            ],
            unqualified: None,
            counted: Vec::new(),
        })
    }
}

/// One output attribute of the projection.
struct Item {
    name: Option<String>,
    ty: Option<AttrType>,
    expr: Expr,
    pos: Pos,
}

/// The projection over the row; also whether it was `SELECT *` alone.
fn bind_projection(
    q: &QueryDecl,
    row: &Schema,
    scope: &Scope,
    errors: &mut Vec<Diagnostic>,
    ok: &mut bool,
) -> (Vec<Item>, bool) {
    let mut items = Vec::new();
    let mut star_only = q.projection.len() == 1;
    for item in &q.projection {
        match item {
            SelectItem::Wildcard(_) => {
                for (i, a) in row.attrs().iter().enumerate() {
                    items.push(Item {
                        name: Some(a.name.clone()),
                        ty: Some(a.ty),
                        expr: Expr::Attr(i),
                        pos: q.projection_pos,
                    });
                }
            }
            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                star_only = false;
                let name = match item {
                    SelectItem::ExprWithAlias { alias, .. } => Some(alias.value.clone()),
                    _ => implicit_name(e),
                };
                let pos: Pos = sqlparser::ast::Spanned::span(e).start.into();
                match scope.bind(e) {
                    Ok(b) => items.push(Item {
                        name,
                        ty: b.ty,
                        expr: b.expr,
                        pos,
                    }),
                    Err(d) => {
                        errors.push(d);
                        *ok = false;
                    }
                }
            }
            other => {
                errors.push(Diagnostic::new(
                    q.projection_pos,
                    format!("'{other}' is not supported in a projection"),
                ));
                *ok = false;
            }
        }
    }
    (items, star_only)
}

/// The target stream: a declared one the items must fit (widened where allowed), or a new one
/// inferred from the items' names and types.
fn resolve_output(
    name: &str,
    q: &QueryDecl,
    input: StreamId,
    mut items: Vec<Item>,
    plan: &mut AppPlan,
    errors: &mut Vec<Diagnostic>,
) -> Option<(StreamId, Vec<Item>)> {
    let target_name = &q.target.value;
    let Some(out) = plan.stream_id(target_name) else {
        let mut attrs: Vec<Attribute> = Vec::new();
        let mut ok = true;
        for item in &items {
            let Some(n) = &item.name else {
                errors.push(Diagnostic::new(item.pos, format!("give this expression a name with AS, so stream '{target_name}' can have an attribute for it")));
                ok = false;
                continue;
            };
            if attrs.iter().any(|a| a.name.eq_ignore_ascii_case(n)) {
                errors.push(Diagnostic::new(
                    item.pos,
                    format!("attribute '{n}' appears twice in the projection: rename one with AS"),
                ));
                ok = false;
                continue;
            }
            attrs.push(Attribute {
                name: n.clone(),
                ty: item.ty.unwrap_or(AttrType::String),
            });
        }
        if !ok {
            return None;
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
        return Some((plan.streams.len() - 1, items));
    };
    let target = &plan.streams[out].schema;
    if out == input {
        errors.push(Diagnostic::new(
            q.target.pos,
            format!("query '{name}' inserts into its own input stream '{target_name}'"),
        ));
        return None;
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
        return None;
    }
    let mut ok = true;
    for (i, (item, attr)) in items.iter_mut().zip(target.attrs()).enumerate() {
        match item.ty {
            None => {}
            Some(t) if t == attr.ty => {}
            Some(t) if t.assignable_to(attr.ty) => {
                let e = std::mem::replace(&mut item.expr, Expr::Attr(0));
                item.expr = Expr::Cast(Box::new(e), attr.ty);
            }
            Some(t) => {
                errors.push(Diagnostic::new(
                    item.pos,
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
    ok.then_some((out, items))
}

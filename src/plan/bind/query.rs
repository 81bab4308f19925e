//! `INSERT INTO ... SELECT ... FROM ...`: queries bound in dependency order, each checked for
//! partition membership, its inputs resolved, its row, projection and target stream typed.

use super::join::equi_join_keys;
use super::pattern::counted_slots;
use super::select::implicit_name;
use super::window::bind_window;
use super::{bind_condition, unknown_annotation, Binder, QUERY_ANNOTATIONS};
use crate::plan::expr::{Expr, JoinNames, Scope};
use crate::plan::graph::*;
use crate::schema::{Attribute, Schema};
use crate::sql::ast::*;
use crate::sql::diagnostic::{Diagnostic, Pos};
use crate::suggest::did_you_mean;
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

    pub(super) fn bind_query(
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
                            .all(|e| crate::plan::bind::within::literal_text(e).is_some());
                        let range = if constant {
                            crate::plan::bind::within::parse_within(
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
}

//! `CREATE AGGREGATION`: group keys and the rolled-up aggregates (sum, count, avg, min, max) of
//! an incremental aggregation, its time attribute and its `@purge` retention.

use super::{bind_condition, Binder};
use crate::plan::expr::Scope;
use crate::plan::graph::*;
use crate::schema::{Attribute, Schema};
use crate::sql::annotation::Annotation;
use crate::sql::ast::*;
use crate::sql::diagnostic::Diagnostic;
use crate::suggest::did_you_mean;
use crate::value::AttrType;
use sqlparser::ast as sql;

impl Binder<'_> {
    /// `CREATE AGGREGATION`: every selected value is a GROUP BY attribute or one of sum, count,
    /// avg, min, max over the input stream.
    pub(super) fn bind_aggregation(
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
        let purge = match crate::plan::bind::purge::aggregation_purge(annotations, &d.every) {
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
}

//! `DELETE FROM T USING S WHERE ...` and `UPDATE T SET ... FROM S WHERE ...`: a stream's events
//! changing the table rows a condition matches.

use super::{bind_condition, Binder};
use crate::plan::expr::{Expr, JoinNames, Scope};
use crate::plan::graph::*;
use crate::schema::Schema;
use crate::sql::ast::*;
use crate::sql::diagnostic::Diagnostic;
use crate::suggest::did_you_mean;
use crate::value::AttrType;

impl Binder<'_> {
    /// `DELETE FROM T USING S WHERE ...` / `UPDATE T SET ... FROM S WHERE ...`.
    pub(super) fn bind_table_write(
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
}

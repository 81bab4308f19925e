//! Joins: the right side, `ON`, the equality that indexes both windows, and a join with an
//! incremental aggregation read `WITHIN ... PER ...`.

use super::within::{literal_text, parse_within};
use super::{bind_condition, Binder};
use crate::plan::expr::{CmpOp, Expr, JoinNames, Scope, TableRef};
use crate::plan::graph::*;
use crate::plan::window::WindowSpec;
use crate::schema::Schema;
use crate::sql::ast::{JoinDecl, QueryDecl};
use crate::sql::diagnostic::{Diagnostic, Pos};
use crate::value::AttrType;
use sqlparser::ast::{self as sql, Spanned};

impl Binder<'_> {
    /// The join of a query: the right side's window, ON and its index key, which sides
    /// trigger, and an aggregation side's range. `row` resolves names over both sides.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn bind_join(
        &self,
        q: &QueryDecl,
        j: &JoinDecl,
        (right_id, right_schema): &(StreamId, Schema),
        left_schema: &Schema,
        left_window: Option<WindowSpec>,
        row: &Scope,
        plan: &AppPlan,
        errors: &mut Vec<Diagnostic>,
        ok: &mut bool,
    ) -> Option<JoinPlan> {
        let right_alias = j.right.alias.as_ref().map(|a| a.value.as_str());
        let right_window = self.side_window(
            plan,
            &j.right.stream,
            &j.right.window,
            right_schema,
            right_alias,
            errors,
            ok,
        );
        let on = bind_condition(row, j.on.as_ref(), "ON", j.pos, errors, ok);
        let keys = on
            .as_ref()
            .and_then(|c| equi_join_keys(c, left_schema.len()));
        let right_within = match (&q.within, plan.streams[*right_id].aggregation) {
            (Some(within), Some(a)) => {
                let left_alias = q.alias.as_ref().map(|a| a.value.as_str());
                match self.aggregation_range(
                    within,
                    j,
                    (left_schema, left_alias),
                    &plan.aggregations[a],
                ) {
                    Ok(range) => Some(AggregationJoin {
                        aggregation: a,
                        range,
                    }),
                    Err(d) => {
                        errors.push(d);
                        *ok = false;
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
            *ok = false;
        }
        Some(JoinPlan {
            right_within,
            right: *right_id,
            kind: j.kind,
            left_window,
            right_window,
            left_triggers: q.unidirectional || !j.right.unidirectional,
            right_triggers: j.right.unidirectional || !q.unidirectional,
            on,
            keys,
            left_len: left_schema.len(),
            right_len: right_schema.len(),
        })
    }

    /// `WITHIN from, to PER per` of a join with an aggregation: constants are resolved now,
    /// anything else is computed from each joining event.
    fn aggregation_range(
        &self,
        (from, to, per): &(sql::Expr, Option<sql::Expr>, sql::Expr),
        j: &JoinDecl,
        left: (&Schema, Option<&str>),
        agg: &AggregationPlan,
    ) -> Result<WithinRange, Diagnostic> {
        let constant = [Some(from), to.as_ref(), Some(per)]
            .into_iter()
            .flatten()
            .all(|e| literal_text(e).is_some());
        if constant {
            return parse_within(from, to.as_ref(), per, &agg.levels, &agg.name)
                .map(|(from, to, granularity)| WithinRange::Fixed {
                    from,
                    to,
                    granularity,
                })
                .map_err(|e| Diagnostic::new(j.pos, e.to_string()));
        }
        let tables = self.tables.borrow();
        self.bind_within_per_event((from, to.as_ref(), per), left, &tables, agg)
    }

    /// `WITHIN S.from, S.to PER S.per` in a join with an aggregation: expressions over the
    /// joining stream's event (the aggregation's attributes are not in scope).
    pub(super) fn bind_within_per_event(
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
        if let Some(text) = literal_text(per) {
            crate::calendar::granularity_of(&text, &agg.levels, &agg.name)
                .map_err(|e| Diagnostic::new(per.span().start.into(), e.to_string()))?;
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
}

/// `left.attr = right.attr` among the top-level AND terms of a join condition: the attribute
/// indices (within each side) to index the windows by.
pub(super) fn equi_join_keys(cond: &Expr, left_len: usize) -> Option<(usize, usize)> {
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

//! The selector of a query: HAVING, ORDER BY, LIMIT/OFFSET and the output rate, over the
//! output row.

use super::Binder;
use crate::plan::expr::{AggregateCall, Expr, Scope};
use crate::plan::graph::*;
use crate::plan::window::WindowSpec;
use crate::schema::Schema;
use crate::sql::ast::*;
use crate::sql::diagnostic::{Diagnostic, Pos};
use crate::suggest::did_you_mean;
use crate::value::AttrType;

impl Binder<'_> {
    /// HAVING, ORDER BY and the other stateful parts; `None` for a stateless query.
    pub(super) fn bind_select(
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
        let having_text = q
            .having
            .as_ref()
            .map(|h| having_over_outputs(h, &q.projection));
        let having = match &having_text {
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
                            "HAVING filters output rows: what it tests must be in SELECT (HAVING sum(x) > 3 reads SELECT's sum(x), HAVING total > 3 its alias); '{}' has: {}",
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
}

/// The attribute name a projection item gets without `AS`.
pub(super) fn implicit_name(e: &sqlparser::ast::Expr) -> Option<String> {
    use sqlparser::ast::Expr as S;
    match e {
        S::Identifier(id) => Some(id.value.clone()),
        S::CompoundIdentifier(parts) => parts.last().map(|p| p.value.clone()),
        S::Function(f) => Some(f.name.to_string().to_ascii_lowercase()),
        S::Nested(inner) => implicit_name(inner),
        _ => None,
    }
}

/// HAVING as SQL users write it: a sub-expression that is also a SELECT item (`HAVING
/// sum(price) > 3` beside `SELECT sum(price) AS total`) reads that item's output attribute.
fn having_over_outputs(
    h: &sqlparser::ast::Expr,
    projection: &[SelectItem],
) -> sqlparser::ast::Expr {
    use sqlparser::ast::{Expr as S, Ident, SelectItem as I};
    let named = projection.iter().find_map(|item| match item {
        I::ExprWithAlias { expr, alias } if expr == h => Some(alias.clone()),
        I::UnnamedExpr(expr) if expr == h && !matches!(h, S::Identifier(_)) => {
            implicit_name(expr).map(Ident::new)
        }
        _ => None,
    });
    if let Some(name) = named {
        return S::Identifier(name);
    }
    let go = |e: &S| Box::new(having_over_outputs(e, projection));
    match h {
        S::BinaryOp { left, op, right } => S::BinaryOp {
            left: go(left),
            op: op.clone(),
            right: go(right),
        },
        S::UnaryOp { op, expr } => S::UnaryOp {
            op: *op,
            expr: go(expr),
        },
        S::Nested(e) => S::Nested(go(e)),
        S::IsNull(e) => S::IsNull(go(e)),
        S::IsNotNull(e) => S::IsNotNull(go(e)),
        S::Between {
            expr,
            negated,
            low,
            high,
        } => S::Between {
            expr: go(expr),
            negated: *negated,
            low: go(low),
            high: go(high),
        },
        other => other.clone(),
    }
}

//! Name resolution: which stream, alias, pattern element or table a name in an expression
//! refers to, with near-miss suggestions when none does.

use super::bind::{BResult, Bound};
use super::{AggregateCall, Expr};
use crate::functions::FunctionRegistry;
use crate::plan::graph::LAST_KEPT;
use crate::schema::Schema;
use crate::sql::diagnostic::{Diagnostic, Pos};
use crate::suggest::did_you_mean;
use crate::value::AttrType;
use sqlparser::ast as sql;

/// The names an expression may use: the input stream (and its alias).
pub struct Scope<'a> {
    pub schema: &'a Schema,
    pub alias: Option<&'a str>,
    pub functions: &'a FunctionRegistry,
    /// Where aggregate calls are collected; `None` where aggregates are not allowed (WHERE,
    /// GROUP BY, inside another aggregate).
    pub aggregates: Option<&'a std::cell::RefCell<Vec<AggregateCall>>>,
    /// Set in joins: names resolve against both sides.
    pub join: Option<&'a JoinNames<'a>>,
    /// Declared tables, for `x IN T`.
    pub tables: &'a [TableRef],
}

/// A declared table as `x IN T` sees it.
#[derive(Debug, Clone)]
pub struct TableRef {
    pub name: String,
    /// The type of its primary key when that is one attribute (membership needs that).
    pub key: Option<AttrType>,
    pub id: crate::plan::graph::StreamId,
}

/// The names a join condition or projection sees: each side's stream name and alias, and where
/// its attributes start in the combined row.
pub struct JoinNames<'a> {
    pub sides: Vec<(&'a Schema, Option<&'a str>, usize)>,
    /// Patterns: unqualified names resolve only in this side (the element being filtered).
    pub unqualified: Option<usize>,
    /// Patterns: per side, the occurrence slots a counting element keeps (`e1[i]`).
    pub counted: Vec<Option<usize>>,
}

impl JoinNames<'_> {
    /// `e1[i].attr` / `e1[last].attr` / `e1[last - n].attr` of a counting pattern element.
    pub(super) fn occurrence(
        &self,
        alias: &sql::Ident,
        index: &sql::Expr,
        attr: &sql::Ident,
    ) -> BResult {
        let at: Pos = alias.span.start.into();
        let Some(k) = self
            .sides
            .iter()
            .position(|(_, a, _)| *a == Some(alias.value.as_str()))
        else {
            return Err(unknown_qualifier(
                alias,
                attr,
                self.sides.iter().filter_map(|(_, a, _)| *a),
            ));
        };
        let Some(kept) = self.counted.get(k).copied().flatten() else {
            return Err(Diagnostic::new(
                at,
                format!(
                    "'{}' is not a counting element: write {}.{} (occurrences like {}[0] belong to elements such as {}=S<2:5>)",
                    alias.value, alias.value, attr.value, alias.value, alias.value
                ),
            ));
        };
        let slot = match index {
            sql::Expr::Identifier(w) if w.value.eq_ignore_ascii_case("last") => kept,
            // `e1[last - n]`: the n-th occurrence before the last.
            sql::Expr::BinaryOp {
                left,
                op: sql::BinaryOperator::Minus,
                right,
            } if matches!(left.as_ref(), sql::Expr::Identifier(w) if w.value.eq_ignore_ascii_case("last")) =>
            {
                let n = match right.as_ref() {
                    sql::Expr::Value(v) => match &v.value {
                        sql::Value::Number(n, _) => n.parse::<usize>().ok(),
                        _ => None,
                    },
                    _ => None,
                };
                match n {
                    Some(n) if n < LAST_KEPT => kept + n,
                    _ => {
                        return Err(Diagnostic::new(
                            at,
                            format!(
                                "{0}[last - n] takes n from 0 to {1}: '{0}' keeps its last {2} occurrences",
                                alias.value,
                                LAST_KEPT - 1,
                                LAST_KEPT
                            ),
                        ))
                    }
                }
            }
            sql::Expr::Value(v) => match &v.value {
                sql::Value::Number(n, _) => match n.parse::<usize>() {
                    Ok(i) if i < kept => i,
                    _ => {
                        return Err(Diagnostic::new(
                            at,
                            format!(
                                "{}[{n}]: '{}' keeps its first {kept} occurrences (0 to {}) and the last ({}[last])",
                                alias.value,
                                alias.value,
                                kept - 1,
                                alias.value
                            ),
                        ))
                    }
                },
                _ => return Err(Diagnostic::new(at, "an occurrence index is a number or last")),
            },
            _ => {
                return Err(Diagnostic::new(
                    at,
                    format!("write {0}[0], {0}[1], ..., {0}[last] or {0}[last - 1]", alias.value),
                ))
            }
        };
        let (schema, _, offset) = self.sides[k];
        let Some(i) = schema.index_of(&attr.value) else {
            return Err(Diagnostic::new(
                attr.span.start.into(),
                format!(
                    "unknown attribute '{}' in '{}'{}",
                    attr.value,
                    alias.value,
                    did_you_mean(&attr.value, schema.names())
                ),
            ));
        };
        Ok(Bound {
            expr: Expr::Attr(offset + slot * schema.len() + i),
            ty: Some(schema.attrs()[i].ty),
        })
    }

    pub(super) fn attribute(&self, qualifier: Option<&sql::Ident>, id: &sql::Ident) -> BResult {
        let at: Pos = id.span.start.into();
        let sides: Vec<&(&Schema, Option<&str>, usize)> = match qualifier {
            Some(q) => {
                let side = self
                    .sides
                    .iter()
                    .find(|(s, alias, _)| *alias == Some(q.value.as_str()) || s.name() == q.value);
                match side {
                    Some(side) => vec![side],
                    None => {
                        let names: Vec<&str> = self
                            .sides
                            .iter()
                            .flat_map(|(s, a, _)| std::iter::once(s.name()).chain(*a))
                            .collect();
                        return Err(unknown_qualifier(q, id, names));
                    }
                }
            }
            None => match self.unqualified {
                Some(k) => vec![&self.sides[k]],
                None => self.sides.iter().collect(),
            },
        };
        let found: Vec<(usize, AttrType, &str)> = sides
            .iter()
            .filter_map(|(s, alias, offset)| {
                s.index_of(&id.value)
                    .map(|i| (offset + i, s.attrs()[i].ty, alias.unwrap_or(s.name())))
            })
            .collect();
        match found.as_slice() {
            [(i, ty, _)] => Ok(Bound {
                expr: Expr::Attr(*i),
                ty: Some(*ty),
            }),
            [] => {
                let names: Vec<&str> = sides.iter().flat_map(|(s, _, _)| s.names()).collect();
                Err(Diagnostic::new(
                    at,
                    format!(
                        "unknown attribute '{}' in the joined streams{}",
                        id.value,
                        did_you_mean(&id.value, names)
                    ),
                )
                .with_len(id.value.chars().count()))
            }
            many => Err(Diagnostic::new(
                at,
                format!(
                    "attribute '{}' is in both joined streams: write {}",
                    id.value,
                    many.iter()
                        .map(|(_, _, side)| format!("{side}.{}", id.value))
                        .collect::<Vec<_>>()
                        .join(" or ")
                ),
            )
            .with_len(id.value.chars().count())),
        }
    }
}

impl Scope<'_> {
    pub(super) fn attribute(&self, qualifier: Option<&sql::Ident>, id: &sql::Ident) -> BResult {
        if let Some(join) = self.join {
            return join.attribute(qualifier, id);
        }
        if let Some(q) = qualifier {
            let ok = q.value == self.schema.name() || self.alias == Some(q.value.as_str());
            if !ok {
                let mut names = vec![self.schema.name()];
                names.extend(self.alias);
                return Err(unknown_qualifier(q, id, names));
            }
        }
        match self.schema.index_of(&id.value) {
            Some(i) => Ok(Bound {
                expr: Expr::Attr(i),
                ty: Some(self.schema.attrs()[i].ty),
            }),
            None => Err(Diagnostic::new(
                id.span.start.into(),
                format!(
                    "unknown attribute '{}' in stream '{}'{}",
                    id.value,
                    self.schema.name(),
                    did_you_mean(&id.value, self.schema.names())
                ),
            )
            .with_len(id.value.chars().count())
            .with_help(format!(
                "'{}' has: {}",
                self.schema.name(),
                self.schema.names().collect::<Vec<_>>().join(", ")
            ))),
        }
    }
}

/// `x.attr` where `x` names no stream or alias in scope.
fn unknown_qualifier<'a>(
    q: &sql::Ident,
    id: &sql::Ident,
    names: impl IntoIterator<Item = &'a str>,
) -> Diagnostic {
    Diagnostic::new(
        q.span.start.into(),
        format!(
            "unknown stream '{}' in '{}.{}'{}",
            q.value,
            q.value,
            id.value,
            did_you_mean(&q.value, names)
        ),
    )
    .with_len(q.value.chars().count())
}

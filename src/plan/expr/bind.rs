//! Binding: sqlparser expressions checked against a scope and turned into typed [`Expr`]s, with
//! numeric widening, constant folding and errors that name the place and the fix.

use super::eval::NoTables;
use super::names::Scope;
use super::{AggregateCall, ArithOp, CmpOp, EvalContext, Expr};
use crate::clock::Clock;
use crate::event::Event;
use crate::functions::aggregate::{aggregate, AggregateFunction};
use crate::sql::diagnostic::{Diagnostic, Pos};
use crate::suggest::did_you_mean;
use crate::value::{AttrType, Value};
use sqlparser::ast::{
    self as sql, BinaryOperator, CastKind, FunctionArg, FunctionArgExpr, FunctionArguments,
    Spanned, UnaryOperator,
};

/// A bound expression with its type (`None` = the NULL literal, which fits any type).
pub struct Bound {
    pub expr: Expr,
    pub ty: Option<AttrType>,
}

pub(super) type BResult = Result<Bound, Diagnostic>;

pub(super) fn pos(e: &impl Spanned) -> Pos {
    e.span().start.into()
}

pub(super) fn span_len(e: &impl Spanned) -> usize {
    let s = e.span();
    if s.start.line == s.end.line && s.end.column >= s.start.column {
        (s.end.column - s.start.column) as usize
    } else {
        1
    }
}

pub(super) fn type_name(t: Option<AttrType>) -> &'static str {
    t.map_or("NULL", AttrType::name)
}

impl Scope<'_> {
    /// Binds and type-checks an expression.
    pub fn bind(&self, e: &sql::Expr) -> BResult {
        let bound = self.bind_inner(e)?;
        // Fold constant sub-expressions once at compile time.
        if bound.expr.is_constant() && !matches!(bound.expr, Expr::Literal(_)) {
            let clock = Clock::new(crate::clock::ClockMode::Playback);
            let v = bound.expr.eval(
                &Event::new(0, Vec::new()),
                &EvalContext::new(&clock, &NoTables),
            );
            return Ok(Bound {
                expr: Expr::Literal(v),
                ty: bound.ty,
            });
        }
        Ok(bound)
    }

    fn bind_inner(&self, e: &sql::Expr) -> BResult {
        use sql::Expr as S;
        match e {
            S::Identifier(id) => self.attribute(None, id),
            S::CompoundIdentifier(parts) if parts.len() == 2 => {
                self.attribute(Some(&parts[0]), &parts[1])
            }
            S::CompoundFieldAccess { root, access_chain } => {
                match (root.as_ref(), access_chain.as_slice(), self.join) {
                    (
                        S::Identifier(alias),
                        [sql::AccessExpr::Subscript(sql::Subscript::Index { index }), sql::AccessExpr::Dot(S::Identifier(attr))],
                        Some(names),
                    ) => names.occurrence(alias, index, attr),
                    _ => Err(Diagnostic::new(
                        pos(e),
                        "this is not an attribute: in patterns a counting element's occurrences are e1[0].attr, e1[1].attr, ... and e1[last].attr",
                    )),
                }
            }
            S::CompoundIdentifier(parts) => Err(Diagnostic::new(
                pos(e),
                format!(
                    "'{}' is not an attribute: write attr or Stream.attr",
                    parts
                        .iter()
                        .map(|p| p.value.as_str())
                        .collect::<Vec<_>>()
                        .join(".")
                ),
            )),
            S::Value(v) => literal(&v.value, pos(e)),
            S::Nested(inner) => self.bind(inner),
            S::UnaryOp { op, expr } => {
                let inner = self.bind(expr)?;
                match op {
                    UnaryOperator::Not => {
                        self.expect_bool(&inner, expr, "NOT")?;
                        Ok(Bound {
                            expr: Expr::Not(Box::new(inner.expr)),
                            ty: Some(AttrType::Bool),
                        })
                    }
                    UnaryOperator::Minus | UnaryOperator::Plus => {
                        if inner.ty.is_some_and(|t| !t.is_numeric()) {
                            return Err(Diagnostic::new(
                                pos(expr.as_ref()),
                                format!("'{op}' needs a number, got {}", type_name(inner.ty)),
                            ));
                        }
                        if *op == UnaryOperator::Plus {
                            return Ok(inner);
                        }
                        Ok(Bound {
                            expr: Expr::Neg(Box::new(inner.expr)),
                            ty: inner.ty,
                        })
                    }
                    other => Err(unsupported(e, &format!("operator {other}"))),
                }
            }
            S::BinaryOp { left, op, right } => self.binary(e, left, op, right),
            S::IsNull(x) | S::IsNotNull(x) => {
                let inner = self.bind(x)?;
                Ok(Bound {
                    expr: Expr::IsNull {
                        expr: Box::new(inner.expr),
                        negated: matches!(e, S::IsNotNull(_)),
                    },
                    ty: Some(AttrType::Bool),
                })
            }
            S::In {
                expr,
                target: sql::InTarget::Table { name, args: None },
                negated,
                ..
            } => self.bind_in_table(expr, name, *negated, e),
            S::In {
                expr,
                target: sql::InTarget::List(list),
                negated,
                ..
            } => {
                let v = self.bind(expr)?;
                let mut items = Vec::with_capacity(list.len());
                for item in list {
                    let b = self.bind(item)?;
                    self.comparable(v.ty, b.ty, item)?;
                    items.push(b.expr);
                }
                Ok(Bound {
                    expr: Expr::InList {
                        expr: Box::new(v.expr),
                        list: items,
                        negated: *negated,
                    },
                    ty: Some(AttrType::Bool),
                })
            }
            S::Between {
                expr,
                negated,
                low,
                high,
            } => {
                let v = self.bind(expr)?;
                let lo = self.bind(low)?;
                let hi = self.bind(high)?;
                self.comparable(v.ty, lo.ty, low)?;
                self.comparable(v.ty, hi.ty, high)?;
                Ok(Bound {
                    expr: Expr::Between {
                        expr: Box::new(v.expr),
                        low: Box::new(lo.expr),
                        high: Box::new(hi.expr),
                        negated: *negated,
                    },
                    ty: Some(AttrType::Bool),
                })
            }
            S::Like {
                negated,
                expr,
                pattern,
                escape_char: None,
                any: false,
            }
            | S::ILike {
                negated,
                expr,
                pattern,
                escape_char: None,
                any: false,
            } => {
                let v = self.bind(expr)?;
                let p = self.bind(pattern)?;
                for (b, x) in [(&v, expr), (&p, pattern)] {
                    if b.ty.is_some_and(|t| t != AttrType::String) {
                        return Err(Diagnostic::new(
                            pos(x.as_ref()),
                            format!("LIKE needs STRING operands, got {}", type_name(b.ty)),
                        ));
                    }
                }
                Ok(Bound {
                    expr: Expr::Like {
                        expr: Box::new(v.expr),
                        pattern: Box::new(p.expr),
                        negated: *negated,
                        case_insensitive: matches!(e, S::ILike { .. }),
                    },
                    ty: Some(AttrType::Bool),
                })
            }
            S::Case {
                operand,
                conditions,
                else_result,
                ..
            } => {
                let op = operand.as_ref().map(|o| self.bind(o)).transpose()?;
                let mut whens = Vec::with_capacity(conditions.len());
                let mut ty: Option<AttrType> = None;
                let mut results = Vec::new();
                for w in conditions {
                    let c = self.bind(&w.condition)?;
                    match &op {
                        Some(o) => self.comparable(o.ty, c.ty, &w.condition)?,
                        None => self.expect_bool(&c, &w.condition, "WHEN")?,
                    }
                    let r = self.bind(&w.result)?;
                    ty = unify(ty, r.ty).ok_or_else(|| {
                        Diagnostic::new(
                            pos(&w.result),
                            format!(
                                "CASE branches disagree: {} and {}",
                                type_name(ty),
                                type_name(r.ty)
                            ),
                        )
                    })?;
                    results.push(());
                    whens.push((c.expr, r.expr));
                }
                let otherwise = match else_result {
                    Some(x) => {
                        let b = self.bind(x)?;
                        ty = unify(ty, b.ty).ok_or_else(|| {
                            Diagnostic::new(
                                pos(x.as_ref()),
                                format!(
                                    "CASE branches disagree: {} and {}",
                                    type_name(ty),
                                    type_name(b.ty)
                                ),
                            )
                        })?;
                        Some(Box::new(b.expr))
                    }
                    None => None,
                };
                Ok(Bound {
                    expr: Expr::Case {
                        operand: op.map(|o| Box::new(o.expr)),
                        whens,
                        otherwise,
                        ty,
                    },
                    ty,
                })
            }
            S::Cast {
                kind: CastKind::Cast | CastKind::TryCast | CastKind::DoubleColon,
                expr,
                data_type,
                format: None,
            } => {
                let inner = self.bind(expr)?;
                let name = data_type.to_string();
                let base = name.split(['(', ' ']).next().unwrap_or(&name);
                let to = AttrType::parse(base).ok_or_else(|| {
                    Diagnostic::new(pos(e), format!(
                        "cannot CAST to '{name}'{}: types are INT, BIGINT, FLOAT, DOUBLE, BOOL, STRING, BYTES",
                        did_you_mean(base, AttrType::SPELLINGS.iter().map(|(s, _)| *s))
                    ))
                })?;
                bytes_only_from_text(e, "CAST", inner.ty, to)?;
                Ok(Bound {
                    expr: Expr::Cast(Box::new(inner.expr), to),
                    ty: Some(to),
                })
            }
            S::Function(f) => self.function(e, f),
            S::Substring {
                expr,
                substring_from,
                substring_for,
                ..
            } => {
                let mut args = vec![expr.as_ref().clone()];
                args.push(
                    substring_from
                        .as_deref()
                        .cloned()
                        .unwrap_or_else(|| int_literal(1)),
                );
                if let Some(len) = substring_for {
                    args.push(len.as_ref().clone());
                }
                self.call(e, "substr", &args)
            }
            S::Trim {
                trim_where: None,
                trim_what: None,
                expr,
                trim_characters: None,
            } => self.call(e, "trim", std::slice::from_ref(expr.as_ref())),
            S::Ceil {
                expr,
                field: sql::CeilFloorKind::DateTimeField(sql::DateTimeField::NoDateTime),
            } => self.call(e, "ceil", std::slice::from_ref(expr.as_ref())),
            S::Floor {
                expr,
                field: sql::CeilFloorKind::DateTimeField(sql::DateTimeField::NoDateTime),
            } => self.call(e, "floor", std::slice::from_ref(expr.as_ref())),
            other => Err(unsupported(other, "this expression")),
        }
    }

    fn expect_bool(&self, b: &Bound, at: &sql::Expr, what: &str) -> Result<(), Diagnostic> {
        match b.ty {
            None | Some(AttrType::Bool) => Ok(()),
            Some(t) => Err(Diagnostic::new(
                pos(at),
                format!("{what} needs a BOOL condition, got {t}"),
            )
            .with_len(span_len(at))),
        }
    }

    /// `x [NOT] IN T`: T must be a declared table with a one-attribute primary key.
    fn bind_in_table(
        &self,
        expr: &sql::Expr,
        name: &sql::ObjectName,
        negated: bool,
        whole: &sql::Expr,
    ) -> BResult {
        let table_name = name.to_string();
        let Some(table) = self
            .tables
            .iter()
            .find(|t| t.name.eq_ignore_ascii_case(&table_name))
        else {
            return Err(Diagnostic::new(
                pos(whole),
                format!(
                    "'{table_name}' is not a table: x IN T checks a table's primary key{}; for a list write x IN (a, b)",
                    did_you_mean(&table_name, self.tables.iter().map(|t| t.name.as_str()))
                ),
            ));
        };
        let Some(key) = table.key else {
            return Err(Diagnostic::new(
                pos(whole),
                format!(
                    "x IN {table_name} needs '{table_name}' to have a one-attribute PRIMARY KEY; join the table to match other attributes"
                ),
            ));
        };
        let v = self.bind(expr)?;
        self.comparable(v.ty, Some(key), whole)?;
        // The key index holds values of the key's type: widen or narrow numbers to it.
        let value = match v.ty {
            Some(t) if t != key => Expr::Cast(Box::new(v.expr), key),
            _ => v.expr,
        };
        Ok(Bound {
            expr: Expr::InTable {
                expr: Box::new(value),
                table: table.id,
                negated,
            },
            ty: Some(AttrType::Bool),
        })
    }

    fn comparable(
        &self,
        a: Option<AttrType>,
        b: Option<AttrType>,
        at: &sql::Expr,
    ) -> Result<(), Diagnostic> {
        match (a, b) {
            (Some(x), Some(y)) if x != y && !(x.is_numeric() && y.is_numeric()) => Err(
                Diagnostic::new(pos(at), format!("cannot compare {x} with {y}"))
                    .with_len(span_len(at)),
            ),
            _ => Ok(()),
        }
    }

    fn binary(
        &self,
        e: &sql::Expr,
        left: &sql::Expr,
        op: &BinaryOperator,
        right: &sql::Expr,
    ) -> BResult {
        let l = self.bind(left)?;
        let r = self.bind(right)?;
        let arith_op = match op {
            BinaryOperator::Plus => Some(ArithOp::Add),
            BinaryOperator::Minus => Some(ArithOp::Sub),
            BinaryOperator::Multiply => Some(ArithOp::Mul),
            BinaryOperator::Divide => Some(ArithOp::Div),
            BinaryOperator::Modulo => Some(ArithOp::Mod),
            _ => None,
        };
        if let Some(aop) = arith_op {
            for (b, x) in [(&l, left), (&r, right)] {
                if b.ty.is_some_and(|t| !t.is_numeric()) {
                    let hint = if *op == BinaryOperator::Plus && b.ty == Some(AttrType::String) {
                        " (use || or concat() to join strings)"
                    } else {
                        ""
                    };
                    return Err(Diagnostic::new(
                        pos(x),
                        format!("'{op}' needs numbers, got {}{hint}", type_name(b.ty)),
                    )
                    .with_len(span_len(x)));
                }
            }
            let ty = match (l.ty, r.ty) {
                (Some(a), Some(b)) => AttrType::widen(a, b).unwrap_or(AttrType::Double),
                (Some(a), None) | (None, Some(a)) => a,
                (None, None) => AttrType::Int,
            };
            let (le, re) = (widen_to(l.expr, l.ty, ty), widen_to(r.expr, r.ty, ty));
            return Ok(Bound {
                expr: Expr::Arith {
                    op: aop,
                    ty,
                    left: Box::new(le),
                    right: Box::new(re),
                },
                ty: Some(ty),
            });
        }
        let cmp = match op {
            BinaryOperator::Eq => Some(CmpOp::Eq),
            BinaryOperator::NotEq => Some(CmpOp::NotEq),
            BinaryOperator::Lt => Some(CmpOp::Lt),
            BinaryOperator::LtEq => Some(CmpOp::LtEq),
            BinaryOperator::Gt => Some(CmpOp::Gt),
            BinaryOperator::GtEq => Some(CmpOp::GtEq),
            _ => None,
        };
        if let Some(cop) = cmp {
            self.comparable(l.ty, r.ty, e)?;
            return Ok(Bound {
                expr: Expr::Cmp {
                    op: cop,
                    left: Box::new(l.expr),
                    right: Box::new(r.expr),
                },
                ty: Some(AttrType::Bool),
            });
        }
        match op {
            BinaryOperator::And | BinaryOperator::Or => {
                self.expect_bool(&l, left, &op.to_string())?;
                self.expect_bool(&r, right, &op.to_string())?;
                let (a, b) = (Box::new(l.expr), Box::new(r.expr));
                let expr = if *op == BinaryOperator::And {
                    Expr::And(a, b)
                } else {
                    Expr::Or(a, b)
                };
                Ok(Bound {
                    expr,
                    ty: Some(AttrType::Bool),
                })
            }
            BinaryOperator::StringConcat => Ok(Bound {
                expr: Expr::Concat(Box::new(l.expr), Box::new(r.expr)),
                ty: Some(AttrType::String),
            }),
            other => Err(unsupported(e, &format!("operator '{other}'"))),
        }
    }

    fn function(&self, e: &sql::Expr, f: &sql::Function) -> BResult {
        let name = f.name.to_string();
        if let Some(agg) = aggregate(&name) {
            return self.aggregate_call(e, f, agg);
        }
        let args: Vec<sql::Expr> = match &f.args {
            FunctionArguments::None => Vec::new(),
            FunctionArguments::List(list) => {
                let mut out = Vec::with_capacity(list.args.len());
                for a in &list.args {
                    match a {
                        FunctionArg::Unnamed(FunctionArgExpr::Expr(x)) => out.push(x.clone()),
                        _ => return Err(unsupported(e, "this kind of function argument")),
                    }
                }
                out
            }
            FunctionArguments::Subquery(_) => return Err(unsupported(e, "a subquery")),
        };
        if matches!(name.to_ascii_lowercase().as_str(), "convert" | "cast") && args.len() == 2 {
            return self.convert_call(e, &name, &args);
        }
        self.call(e, &name, &args)
    }

    /// Siddhi's `convert(value, 'type')` and `cast(value, 'type')`: `CAST(value AS type)`, the
    /// type named by a string literal ('int', 'long', 'double', 'string', 'bool', ...).
    fn convert_call(&self, e: &sql::Expr, name: &str, args: &[sql::Expr]) -> BResult {
        let inner = self.bind(&args[0])?;
        let named = match &args[1] {
            sql::Expr::Value(v) => match &v.value {
                sql::Value::SingleQuotedString(t) => Some(t.as_str()),
                _ => None,
            },
            _ => None,
        };
        let to = named.and_then(AttrType::parse).ok_or_else(|| {
            Diagnostic::new(
                pos(&args[1]),
                format!(
                    "{name}(value, 'type') needs the type as a quoted name{}: 'int', 'long', \
                     'float', 'double', 'bool', 'string' or 'bytes'",
                    named
                        .map(|t| did_you_mean(t, AttrType::SPELLINGS.iter().map(|(s, _)| *s)))
                        .unwrap_or_default()
                ),
            )
        })?;
        bytes_only_from_text(e, "convert", inner.ty, to)?;
        // Siddhi's rule for BOOL (not SQL's): a string is true when it reads "true" in any
        // case, a number when it is 1; anything else is false.
        let expr = match (to, inner.ty) {
            (AttrType::Bool, Some(AttrType::String)) => Expr::Like {
                expr: Box::new(inner.expr),
                pattern: Box::new(Expr::Literal(Value::from("true"))),
                negated: false,
                case_insensitive: true,
            },
            (AttrType::Bool, Some(t)) if t.is_numeric() => Expr::Cmp {
                op: CmpOp::Eq,
                left: Box::new(inner.expr),
                right: Box::new(Expr::Literal(Value::Int(1))),
            },
            _ => Expr::Cast(Box::new(inner.expr), to),
        };
        Ok(Bound { expr, ty: Some(to) })
    }

    fn aggregate_call(
        &self,
        e: &sql::Expr,
        f: &sql::Function,
        mut agg: &'static AggregateFunction,
    ) -> BResult {
        let Some(calls) = self.aggregates else {
            return Err(Diagnostic::new(pos(e), format!(
                "aggregate function '{}' is not allowed here: aggregates belong in SELECT (name them with AS and filter with HAVING)",
                agg.name
            ))
            .with_len(span_len(e)));
        };
        let mut arg = None;
        if let FunctionArguments::List(list) = &f.args {
            if matches!(
                list.duplicate_treatment,
                Some(sql::DuplicateTreatment::Distinct)
            ) {
                if agg.name != "count" {
                    return Err(unsupported(e, &format!("DISTINCT in {}()", agg.name)));
                }
                agg = aggregate("distinctcount").expect("distinctCount exists");
            }
            match list.args.as_slice() {
                [] => {}
                [FunctionArg::Unnamed(FunctionArgExpr::Wildcard)] if agg.name == "count" => {}
                [FunctionArg::Unnamed(FunctionArgExpr::Expr(x))] => arg = Some(x),
                _ => {
                    return Err(Diagnostic::new(
                        pos(e),
                        format!("{}() takes one argument ({})", agg.name, agg.signature),
                    )
                    .with_len(span_len(e)))
                }
            }
        }
        if arg.is_none() && !agg.nullary_ok {
            return Err(Diagnostic::new(
                pos(e),
                format!("{}() needs an argument: {}", agg.name, agg.signature),
            )
            .with_len(span_len(e)));
        }
        let inner = Scope {
            aggregates: None,
            ..*self
        };
        let bound = arg.map(|a| inner.bind(a)).transpose()?;
        let arg_type = bound.as_ref().and_then(|b| b.ty);
        let ty = (agg.type_rule)(if bound.is_some() {
            arg_type.or(Some(AttrType::String))
        } else {
            None
        })
        .map_err(|m| Diagnostic::new(pos(e), m).with_len(span_len(e)))?;
        let mut calls = calls.borrow_mut();
        calls.push(AggregateCall {
            function: agg,
            arg: bound.map(|b| b.expr),
            arg_type,
        });
        Ok(Bound {
            expr: Expr::Aggregate(calls.len() - 1),
            ty: Some(ty),
        })
    }

    fn call(&self, e: &sql::Expr, name: &str, args: &[sql::Expr]) -> BResult {
        let lower = name.to_ascii_lowercase();
        let Some(function) = self.functions.get(&lower).cloned() else {
            if NOT_YET_FUNCTIONS.contains(&lower.as_str()) {
                return Err(Diagnostic::new(
                    pos(e),
                    format!("function '{name}' is not supported yet in this version of EventFlux"),
                )
                .with_len(name.chars().count()));
            }
            return Err(Diagnostic::new(
                pos(e),
                format!(
                    "unknown function '{name}'{}",
                    did_you_mean(
                        name,
                        self.functions.names().chain(
                            crate::functions::aggregate::AGGREGATES
                                .iter()
                                .map(|a| a.name)
                        )
                    )
                ),
            )
            .with_len(name.chars().count()));
        };
        let mut bound = Vec::with_capacity(args.len());
        let mut types = Vec::with_capacity(args.len());
        for a in args {
            let b = self.bind(a)?;
            types.push(b.ty);
            bound.push(b.expr);
        }
        let ty = (function.type_rule)(&types)
            .map_err(|msg| Diagnostic::new(pos(e), msg).with_len(span_len(e)))?;
        Ok(Bound {
            expr: Expr::Call {
                function,
                args: bound,
                ty,
            },
            ty: Some(ty),
        })
    }
}

/// Inserts a widening cast so arithmetic runs on one type.
fn widen_to(e: Expr, from: Option<AttrType>, to: AttrType) -> Expr {
    match from {
        Some(f) if f != to => match e {
            Expr::Literal(v) => Expr::Literal(v.cast(to).unwrap_or(Value::Null)),
            e => Expr::Cast(Box::new(e), to),
        },
        _ => e,
    }
}

/// The common type of two branches: equal, numerically widened, or one side NULL.
pub fn unify(a: Option<AttrType>, b: Option<AttrType>) -> Option<Option<AttrType>> {
    match (a, b) {
        (None, x) | (x, None) => Some(x),
        (Some(x), Some(y)) if x == y => Some(Some(x)),
        (Some(x), Some(y)) => AttrType::widen(x, y).map(Some),
    }
}

fn int_literal(v: i64) -> sql::Expr {
    sql::Expr::value(sql::Value::Number(v.to_string(), false))
}

fn literal(v: &sql::Value, at: Pos) -> BResult {
    let (value, ty) = match v {
        sql::Value::Number(n, _) => {
            if let Ok(i) = n.parse::<i32>() {
                (Value::Int(i), AttrType::Int)
            } else if let Ok(l) = n.parse::<i64>() {
                (Value::Long(l), AttrType::Long)
            } else if let Ok(d) = n.parse::<f64>() {
                (Value::Double(d), AttrType::Double)
            } else {
                return Err(Diagnostic::new(
                    at,
                    format!("'{n}' is not a number EventFlux can represent"),
                ));
            }
        }
        sql::Value::SingleQuotedString(s) => (Value::from(s.as_str()), AttrType::String),
        sql::Value::Boolean(b) => (Value::Bool(*b), AttrType::Bool),
        sql::Value::Null => {
            return Ok(Bound {
                expr: Expr::Literal(Value::Null),
                ty: None,
            })
        }
        sql::Value::DoubleQuotedString(s) => {
            return Err(Diagnostic::new(
                at,
                format!("\"{s}\" is a quoted name, not a string: write '{s}' for a string"),
            ));
        }
        other => {
            return Err(Diagnostic::new(
                at,
                format!("literal {other} is not supported"),
            ))
        }
    };
    Ok(Bound {
        expr: Expr::Literal(value),
        ty: Some(ty),
    })
}

/// Siddhi functions planned but not built (lower case): refused as "not supported yet".
const NOT_YET_FUNCTIONS: &[&str] = &["createset", "sizeofset", "unionset"];

/// Only text or bytes become BYTES (`what`: CAST or convert, for the message).
fn bytes_only_from_text(
    e: &sql::Expr,
    what: &str,
    from: Option<AttrType>,
    to: AttrType,
) -> Result<(), Diagnostic> {
    if to == AttrType::Bytes && from.is_some_and(|t| t != AttrType::String && t != AttrType::Bytes)
    {
        return Err(Diagnostic::new(
            pos(e),
            format!(
                "cannot {what} {} to BYTES (only STRING or BYTES)",
                type_name(from)
            ),
        ));
    }
    Ok(())
}

fn unsupported(e: &impl Spanned, what: &str) -> Diagnostic {
    Diagnostic::new(
        pos(e),
        format!("{what} is not supported in EventFlux expressions"),
    )
    .with_len(span_len(e))
}

//! Typed expressions: binding sqlparser expressions against a stream's schema, and evaluating
//! them per event. Binding checks types once; evaluation never panics and never fails (SQL NULL
//! stands in for undefined results such as division by zero).

use crate::clock::Clock;
use crate::event::Event;
use crate::functions::aggregate::{aggregate, AggregateFunction};
use crate::functions::{FnContext, FunctionRegistry, ScalarFunction};
use crate::plan::graph::LAST_KEPT;
use crate::schema::Schema;
use crate::sql::diagnostic::{Diagnostic, Pos};
use crate::suggest::did_you_mean;
use crate::value::{AttrType, Value};
use smallvec::SmallVec;
use sqlparser::ast::{
    self as sql, BinaryOperator, CastKind, FunctionArg, FunctionArgExpr, FunctionArguments,
    Spanned, UnaryOperator,
};
use std::borrow::Cow;
use std::cmp::Ordering;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    NotEq,
    Lt,
    LtEq,
    Gt,
    GtEq,
}

impl CmpOp {
    fn holds(self, o: Ordering) -> bool {
        match self {
            CmpOp::Eq => o == Ordering::Equal,
            CmpOp::NotEq => o != Ordering::Equal,
            CmpOp::Lt => o == Ordering::Less,
            CmpOp::LtEq => o != Ordering::Greater,
            CmpOp::Gt => o == Ordering::Greater,
            CmpOp::GtEq => o != Ordering::Less,
        }
    }
}

/// A bound expression.
#[derive(Clone)]
pub enum Expr {
    Literal(Value),
    /// An attribute of the input event, by position.
    Attr(usize),
    /// Both sides are numeric; `ty` is the widened result type.
    Arith {
        op: ArithOp,
        ty: AttrType,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    Neg(Box<Expr>),
    Cmp {
        op: CmpOp,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    IsNull {
        expr: Box<Expr>,
        negated: bool,
    },
    InList {
        expr: Box<Expr>,
        list: Vec<Expr>,
        negated: bool,
    },
    Between {
        expr: Box<Expr>,
        low: Box<Expr>,
        high: Box<Expr>,
        negated: bool,
    },
    Like {
        expr: Box<Expr>,
        pattern: Box<Expr>,
        negated: bool,
        case_insensitive: bool,
    },
    Concat(Box<Expr>, Box<Expr>),
    Case {
        operand: Option<Box<Expr>>,
        whens: Vec<(Expr, Expr)>,
        otherwise: Option<Box<Expr>>,
        ty: Option<AttrType>,
    },
    Cast(Box<Expr>, AttrType),
    /// The current value of the query's k-th aggregate.
    Aggregate(usize),
    /// `x [NOT] IN T`: whether table T has a row with primary key x (a hash lookup).
    InTable {
        expr: Box<Expr>,
        table: crate::plan::graph::StreamId,
        negated: bool,
    },
    /// `ty` is the type the function's rule promised; results are conformed to it.
    Call {
        function: Arc<ScalarFunction>,
        args: Vec<Expr>,
        ty: AttrType,
    },
}

impl std::fmt::Debug for Expr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Expr::Literal(v) => write!(f, "{v:?}"),
            Expr::Attr(i) => write!(f, "${i}"),
            Expr::Call { function, args, .. } => write!(f, "{}({args:?})", function.name),
            _ => f.write_str("<expr>"),
        }
    }
}

/// Primary-key membership of the app's tables, read by `x IN T`; the runtime implements it
/// over its table stores.
pub trait TableKeys {
    /// Whether table `table` (a stream id) has a row with primary key `key`; `None` when no such
    /// table runs.
    fn contains_key(&self, table: crate::plan::graph::StreamId, key: &Value) -> Option<bool>;
}

/// For evaluation where no `x IN T` can occur (the binder gave it no tables).
pub struct NoTables;

impl TableKeys for NoTables {
    fn contains_key(&self, _: crate::plan::graph::StreamId, _: &Value) -> Option<bool> {
        None
    }
}

/// What evaluation may read besides the event.
pub struct EvalContext<'a> {
    pub clock: &'a Clock,
    pub tables: &'a dyn TableKeys,
    /// Current values of the query's aggregates, read by [`Expr::Aggregate`].
    pub aggregates: &'a [Value],
}

impl<'a> EvalContext<'a> {
    pub fn new(clock: &'a Clock, tables: &'a dyn TableKeys) -> Self {
        EvalContext {
            clock,
            tables,
            aggregates: &[],
        }
    }
}

/// An aggregate call found while binding a projection, e.g. `sum(price)`.
#[derive(Clone)]
pub struct AggregateCall {
    pub function: &'static AggregateFunction,
    /// `None` for `count()`.
    pub arg: Option<Expr>,
    pub arg_type: Option<AttrType>,
}

impl std::fmt::Debug for AggregateCall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}({:?})", self.function.name, self.arg)
    }
}

impl Expr {
    /// Evaluates against one event.
    pub fn eval(&self, ev: &Event, cx: &EvalContext) -> Value {
        match self {
            Expr::Attr(i) => ev.get(*i).clone(),
            Expr::Literal(v) => v.clone(),
            _ => self.eval_ref(ev, cx).into_owned(),
        }
    }

    /// Attributes and literals are read in place: the hot path of filters and projections.
    #[inline(always)]
    fn leaf<'a>(&'a self, ev: &'a Event) -> Option<&'a Value> {
        match self {
            Expr::Attr(i) => Some(ev.get(*i)),
            Expr::Literal(v) => Some(v),
            _ => None,
        }
    }

    #[inline]
    fn compare(op: CmpOp, left: &Expr, right: &Expr, ev: &Event, cx: &EvalContext) -> Option<bool> {
        let o = match (left.leaf(ev), right.leaf(ev)) {
            (Some(l), Some(r)) => l.sql_cmp(r),
            _ => left.eval_ref(ev, cx).sql_cmp(&right.eval_ref(ev, cx)),
        };
        o.map(|o| op.holds(o))
    }

    /// Evaluates as a filter: only TRUE passes (NULL and FALSE do not).
    pub fn test(&self, ev: &Event, cx: &EvalContext) -> bool {
        match self {
            Expr::Cmp { op, left, right } => Self::compare(*op, left, right, ev, cx) == Some(true),
            Expr::And(a, b) => a.test(ev, cx) && b.test(ev, cx),
            _ => matches!(*self.eval_ref(ev, cx), Value::Bool(true)),
        }
    }

    /// Evaluates without cloning attributes and literals that are only read.
    fn eval_ref<'a>(&'a self, ev: &'a Event, cx: &EvalContext) -> Cow<'a, Value> {
        use Cow::{Borrowed, Owned};
        match self {
            Expr::Literal(v) => Borrowed(v),
            Expr::Attr(i) => Borrowed(ev.get(*i)),
            Expr::Arith {
                op,
                ty,
                left,
                right,
            } => Owned(match (left.leaf(ev), right.leaf(ev)) {
                (Some(l), Some(r)) => arith(*op, *ty, l, r),
                _ => arith(*op, *ty, &left.eval_ref(ev, cx), &right.eval_ref(ev, cx)),
            }),
            Expr::Neg(e) => Owned(match &*e.eval_ref(ev, cx) {
                Value::Int(v) => Value::Int(v.wrapping_neg()),
                Value::Long(v) => Value::Long(v.wrapping_neg()),
                Value::Float(v) => Value::Float(-v),
                Value::Double(v) => Value::Double(-v),
                _ => Value::Null,
            }),
            Expr::Cmp { op, left, right } => {
                Owned(Self::compare(*op, left, right, ev, cx).map_or(Value::Null, Value::Bool))
            }
            Expr::And(a, b) => Owned(match a.eval_ref(ev, cx).as_bool() {
                Some(false) => Value::Bool(false),
                av => match (av, b.eval_ref(ev, cx).as_bool()) {
                    (_, Some(false)) => Value::Bool(false),
                    (Some(true), Some(true)) => Value::Bool(true),
                    _ => Value::Null,
                },
            }),
            Expr::Or(a, b) => Owned(match a.eval_ref(ev, cx).as_bool() {
                Some(true) => Value::Bool(true),
                av => match (av, b.eval_ref(ev, cx).as_bool()) {
                    (_, Some(true)) => Value::Bool(true),
                    (Some(false), Some(false)) => Value::Bool(false),
                    _ => Value::Null,
                },
            }),
            Expr::Not(e) => Owned(match e.eval_ref(ev, cx).as_bool() {
                Some(b) => Value::Bool(!b),
                None => Value::Null,
            }),
            Expr::IsNull { expr, negated } => {
                Owned(Value::Bool(expr.eval_ref(ev, cx).is_null() != *negated))
            }
            Expr::InTable {
                expr,
                table,
                negated,
            } => {
                let v = expr.eval_ref(ev, cx);
                match cx.tables.contains_key(*table, &v) {
                    Some(found) if !v.is_null() => Owned(Value::Bool(found != *negated)),
                    _ => Owned(Value::Null),
                }
            }
            Expr::InList {
                expr,
                list,
                negated,
            } => {
                let v = expr.eval_ref(ev, cx);
                if v.is_null() {
                    return Owned(Value::Null);
                }
                let mut saw_null = false;
                for item in list {
                    match v.sql_cmp(&item.eval_ref(ev, cx)) {
                        Some(Ordering::Equal) => return Owned(Value::Bool(!*negated)),
                        None => saw_null = true,
                        _ => {}
                    }
                }
                Owned(if saw_null {
                    Value::Null
                } else {
                    Value::Bool(*negated)
                })
            }
            Expr::Between {
                expr,
                low,
                high,
                negated,
            } => {
                let v = expr.eval_ref(ev, cx);
                let lo = v.sql_cmp(&low.eval_ref(ev, cx));
                let hi = v.sql_cmp(&high.eval_ref(ev, cx));
                Owned(match (lo, hi) {
                    (Some(l), Some(h)) => {
                        Value::Bool((l != Ordering::Less && h != Ordering::Greater) != *negated)
                    }
                    _ => Value::Null,
                })
            }
            Expr::Like {
                expr,
                pattern,
                negated,
                case_insensitive,
            } => {
                let (v, p) = (expr.eval_ref(ev, cx), pattern.eval_ref(ev, cx));
                Owned(match (v.as_str(), p.as_str()) {
                    (Some(s), Some(p)) => Value::Bool(like(s, p, *case_insensitive) != *negated),
                    _ => Value::Null,
                })
            }
            Expr::Concat(a, b) => {
                let (a, b) = (a.eval_ref(ev, cx), b.eval_ref(ev, cx));
                if a.is_null() || b.is_null() {
                    return Owned(Value::Null);
                }
                Owned(Value::from(format!("{a}{b}")))
            }
            Expr::Case {
                operand,
                whens,
                otherwise,
                ty,
            } => {
                let op = operand.as_ref().map(|o| o.eval_ref(ev, cx));
                for (cond, result) in whens {
                    let hit = match &op {
                        Some(o) => o.sql_cmp(&cond.eval_ref(ev, cx)) == Some(Ordering::Equal),
                        None => cond.test(ev, cx),
                    };
                    if hit {
                        return Owned(conform(result.eval(ev, cx), *ty));
                    }
                }
                Owned(match otherwise {
                    Some(e) => conform(e.eval(ev, cx), *ty),
                    None => Value::Null,
                })
            }
            Expr::Cast(e, to) => Owned(e.eval_ref(ev, cx).cast(*to).unwrap_or(Value::Null)),
            Expr::Aggregate(k) => Owned(cx.aggregates.get(*k).cloned().unwrap_or(Value::Null)),
            Expr::Call { function, args, ty } => {
                let values: SmallVec<[Value; 4]> = args.iter().map(|a| a.eval(ev, cx)).collect();
                let fcx = FnContext {
                    event_ts: ev.ts,
                    clock: cx.clock,
                };
                Owned(conform((function.eval)(&values, &fcx), Some(*ty)))
            }
        }
    }

    /// Whether the expression reads nothing that changes per event (and so can be folded).
    fn is_constant(&self) -> bool {
        match self {
            Expr::Literal(_) => true,
            Expr::Attr(_) => false,
            Expr::Arith { left, right, .. } | Expr::Cmp { left, right, .. } => {
                left.is_constant() && right.is_constant()
            }
            Expr::And(a, b) | Expr::Or(a, b) | Expr::Concat(a, b) => {
                a.is_constant() && b.is_constant()
            }
            Expr::Neg(e) | Expr::Not(e) | Expr::Cast(e, _) => e.is_constant(),
            Expr::IsNull { expr, .. } => expr.is_constant(),
            Expr::Call { function, args, .. } => {
                function.deterministic && args.iter().all(Expr::is_constant)
            }
            _ => false,
        }
    }
}

/// Converts a CASE/IF branch result to the unified type (INT branch in a DOUBLE case, ...).
fn conform(v: Value, ty: Option<AttrType>) -> Value {
    match ty {
        Some(t) if v.attr_type().is_some_and(|vt| vt != t) => v.cast(t).unwrap_or(Value::Null),
        _ => v,
    }
}

#[inline]
fn arith(op: ArithOp, ty: AttrType, l: &Value, r: &Value) -> Value {
    if l.is_null() || r.is_null() {
        return Value::Null;
    }
    match ty {
        AttrType::Int => {
            let (Value::Int(a), Value::Int(b)) = (l, r) else {
                return Value::Null;
            };
            let (a, b) = (*a, *b);
            match op {
                ArithOp::Add => Value::Int(a.wrapping_add(b)),
                ArithOp::Sub => Value::Int(a.wrapping_sub(b)),
                ArithOp::Mul => Value::Int(a.wrapping_mul(b)),
                ArithOp::Div if b == 0 => Value::Null,
                ArithOp::Div => Value::Int(a.wrapping_div(b)),
                ArithOp::Mod if b == 0 => Value::Null,
                ArithOp::Mod => Value::Int(a.wrapping_rem(b)),
            }
        }
        AttrType::Long => {
            let (Some(a), Some(b)) = (l.as_i64(), r.as_i64()) else {
                return Value::Null;
            };
            match op {
                ArithOp::Add => Value::Long(a.wrapping_add(b)),
                ArithOp::Sub => Value::Long(a.wrapping_sub(b)),
                ArithOp::Mul => Value::Long(a.wrapping_mul(b)),
                ArithOp::Div if b == 0 => Value::Null,
                ArithOp::Div => Value::Long(a.wrapping_div(b)),
                ArithOp::Mod if b == 0 => Value::Null,
                ArithOp::Mod => Value::Long(a.wrapping_rem(b)),
            }
        }
        AttrType::Float | AttrType::Double => {
            let (Some(a), Some(b)) = (l.as_f64(), r.as_f64()) else {
                return Value::Null;
            };
            let v = match op {
                ArithOp::Add => a + b,
                ArithOp::Sub => a - b,
                ArithOp::Mul => a * b,
                ArithOp::Div if b == 0.0 => return Value::Null,
                ArithOp::Div => a / b,
                ArithOp::Mod if b == 0.0 => return Value::Null,
                ArithOp::Mod => a % b,
            };
            if ty == AttrType::Float {
                Value::Float(v as f32)
            } else {
                Value::Double(v)
            }
        }
        _ => Value::Null,
    }
}

/// SQL LIKE: `%` any run, `_` one character, `\` escapes the next character.
pub fn like(text: &str, pattern: &str, case_insensitive: bool) -> bool {
    let fold = |s: &str| -> Vec<char> {
        if case_insensitive {
            s.to_lowercase().chars().collect()
        } else {
            s.chars().collect()
        }
    };
    let (t, p) = (fold(text), fold(pattern));
    // Iterative matcher with single-star backtracking: O(len(t) * len(p)) worst case.
    let (mut ti, mut pi) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() {
            let escaped = p[pi] == '\\' && pi + 1 < p.len();
            let (c, width) = if escaped { (p[pi + 1], 2) } else { (p[pi], 1) };
            if !escaped && c == '%' {
                star = Some((pi, ti));
                pi += 1;
                continue;
            }
            if (!escaped && c == '_') || c == t[ti] {
                ti += 1;
                pi += width;
                continue;
            }
        }
        match star {
            Some((sp, st)) => {
                pi = sp + 1;
                ti = st + 1;
                star = Some((sp, st + 1));
            }
            None => return false,
        }
    }
    p[pi..].iter().all(|c| *c == '%')
}

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
    fn occurrence(&self, alias: &sql::Ident, index: &sql::Expr, attr: &sql::Ident) -> BResult {
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

    fn attribute(&self, qualifier: Option<&sql::Ident>, id: &sql::Ident) -> BResult {
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

/// A bound expression with its type (`None` = the NULL literal, which fits any type).
pub struct Bound {
    pub expr: Expr,
    pub ty: Option<AttrType>,
}

type BResult = Result<Bound, Diagnostic>;

fn pos(e: &impl Spanned) -> Pos {
    e.span().start.into()
}

fn span_len(e: &impl Spanned) -> usize {
    let s = e.span();
    if s.start.line == s.end.line && s.end.column >= s.start.column {
        (s.end.column - s.start.column) as usize
    } else {
        1
    }
}

fn type_name(t: Option<AttrType>) -> &'static str {
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
                if to == AttrType::Bytes
                    && inner
                        .ty
                        .is_some_and(|t| t != AttrType::String && t != AttrType::Bytes)
                {
                    return Err(Diagnostic::new(
                        pos(e),
                        format!(
                            "cannot CAST {} to BYTES (only STRING or BYTES)",
                            type_name(inner.ty)
                        ),
                    ));
                }
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

    fn attribute(&self, qualifier: Option<&sql::Ident>, id: &sql::Ident) -> BResult {
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
        self.call(e, &name, &args)
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
            return Err(Diagnostic::new(
                pos(e),
                format!(
                    "unknown function '{name}'{}",
                    did_you_mean(name, self.functions.names())
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

fn unsupported(e: &impl Spanned, what: &str) -> Diagnostic {
    Diagnostic::new(
        pos(e),
        format!("{what} is not supported in EventFlux expressions"),
    )
    .with_len(span_len(e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::parser::EventFluxDialect;
    use sqlparser::parser::Parser;

    fn schema() -> Schema {
        Schema::of(
            "S",
            &[
                ("s", AttrType::String),
                ("i", AttrType::Int),
                ("l", AttrType::Long),
                ("d", AttrType::Double),
                ("n", AttrType::Int),
            ],
        )
    }

    fn bind(text: &str) -> Result<Bound, Diagnostic> {
        let functions = FunctionRegistry::with_builtins();
        let schema = schema();
        let scope = Scope {
            schema: &schema,
            alias: Some("x"),
            functions: &functions,
            aggregates: None,
            join: None,
            tables: &[],
        };
        let e = Parser::new(&EventFluxDialect)
            .try_with_sql(text)
            .unwrap()
            .parse_expr()
            .unwrap();
        scope.bind(&e)
    }

    fn eval(text: &str) -> Value {
        let b = bind(text).unwrap_or_else(|d| panic!("{text}: {}", d.message));
        let ev = Event::new(
            5,
            vec![
                Value::from("IBM"),
                Value::Int(7),
                Value::Long(10),
                Value::Double(2.5),
                Value::Null,
            ],
        );
        let clock = Clock::new(crate::clock::ClockMode::Playback);
        b.expr.eval(&ev, &EvalContext::new(&clock, &NoTables))
    }

    #[test]
    fn arithmetic_widens_and_integer_division_stays_integer() {
        assert_eq!(eval("i / 2"), Value::Int(3));
        assert_eq!(eval("i + l"), Value::Long(17));
        assert_eq!(eval("i * d"), Value::Double(17.5));
        assert_eq!(eval("l % 4"), Value::Long(2));
        assert_eq!(bind("i + l").unwrap().ty, Some(AttrType::Long));
    }

    #[test]
    fn division_by_zero_and_nulls_give_null() {
        assert_eq!(eval("i / 0"), Value::Null);
        assert_eq!(eval("d / 0"), Value::Null);
        assert_eq!(eval("i % 0"), Value::Null);
        assert_eq!(eval("n + 1"), Value::Null);
        assert_eq!(eval("n > 1"), Value::Null);
    }

    #[test]
    fn three_valued_logic() {
        assert_eq!(eval("n > 1 AND i > 100"), Value::Bool(false));
        assert_eq!(eval("n > 1 OR i > 1"), Value::Bool(true));
        assert_eq!(eval("n > 1 OR i > 100"), Value::Null);
        assert_eq!(eval("NOT (n > 1)"), Value::Null);
        assert_eq!(eval("n IS NULL AND s IS NOT NULL"), Value::Bool(true));
    }

    #[test]
    fn in_between_like_concat_case_cast() {
        assert_eq!(eval("s IN ('WSO2', 'IBM')"), Value::Bool(true));
        assert_eq!(eval("i NOT IN (1, 2)"), Value::Bool(true));
        assert_eq!(eval("i IN (1, NULL)"), Value::Null);
        assert_eq!(eval("d BETWEEN 2 AND 3"), Value::Bool(true));
        assert_eq!(eval("s LIKE 'I_M'"), Value::Bool(true));
        assert_eq!(eval("s LIKE '%B%'"), Value::Bool(true));
        assert_eq!(eval("s NOT LIKE 'ib%'"), Value::Bool(true));
        assert_eq!(eval("s ILIKE 'ib%'"), Value::Bool(true));
        assert_eq!(eval("s || '-' || i"), Value::from("IBM-7"));
        assert_eq!(
            eval("CASE WHEN i > 5 THEN 'big' ELSE 'small' END"),
            Value::from("big")
        );
        assert_eq!(
            eval("CASE s WHEN 'X' THEN 1 WHEN 'IBM' THEN 2.5 END"),
            Value::Double(2.5)
        );
        assert_eq!(eval("CASE WHEN i > 50 THEN 1 END"), Value::Null);
        assert_eq!(eval("CAST('42' AS INT) + 1"), Value::Int(43));
        assert_eq!(eval("CAST(d AS BIGINT)"), Value::Long(2));
        assert_eq!(eval("CAST('x' AS DOUBLE)"), Value::Null);
        assert_eq!(eval("x.i + S.i"), Value::Int(14));
        assert_eq!(eval("-i"), Value::Int(-7));
    }

    #[test]
    fn type_errors_name_the_problem() {
        let d = bind("s > 3").err().unwrap();
        assert_eq!(d.message, "cannot compare STRING with INT");
        let d = bind("s + 1").err().unwrap();
        assert!(
            d.message
                .contains("'+' needs numbers, got STRING (use || or concat()"),
            "{}",
            d.message
        );
        let d = bind("prce > 1").err().unwrap();
        assert_eq!(d.message, "unknown attribute 'prce' in stream 'S'");
        let d = bind("q.i").err().unwrap();
        assert!(d.message.starts_with("unknown stream 'q'"), "{}", d.message);
        let d = bind("i AND 1 > 0").err().unwrap();
        assert_eq!(d.message, "AND needs a BOOL condition, got INT");
        let d = bind("CAST(i AS DATE)").err().unwrap();
        assert!(
            d.message.starts_with("cannot CAST to 'DATE'"),
            "{}",
            d.message
        );
        let d = bind("sum(i)").err().unwrap();
        assert!(
            d.message.contains("aggregates belong in SELECT"),
            "{}",
            d.message
        );
    }

    #[test]
    fn like_matcher_edge_cases() {
        assert!(like("", "%", false));
        assert!(like("abc", "a%c", false));
        assert!(like("abcbc", "%bc", false));
        assert!(!like("abc", "a_", false));
        assert!(like("50%", "50\\%", false));
        assert!(!like("500", "50\\%", false));
        assert!(like("aXbXc", "a%b%c", false));
    }

    #[test]
    fn constants_are_folded() {
        assert!(matches!(
            bind("1 + 2 * 3").unwrap().expr,
            Expr::Literal(Value::Int(7))
        ));
    }
}

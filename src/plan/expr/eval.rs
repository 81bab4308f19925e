//! Evaluating bound expressions against one event: values read in place where possible, SQL
//! three-valued logic, and NULL for every undefined result.

use super::{ArithOp, CmpOp, Expr};
use crate::clock::Clock;
use crate::event::Event;
use crate::functions::FnContext;
use crate::plan::graph::StreamId;
use crate::value::{AttrType, Value};
use smallvec::SmallVec;
use std::borrow::Cow;
use std::cmp::Ordering;

/// Primary-key membership of the app's tables, read by `x IN T`; the runtime implements it
/// over its table stores.
pub trait TableKeys {
    /// Whether table `table` (a stream id) has a row with primary key `key`; `None` when no such
    /// table runs.
    fn contains_key(&self, table: StreamId, key: &Value) -> Option<bool>;
}

/// For evaluation where no `x IN T` can occur (the binder gave it no tables).
pub struct NoTables;

impl TableKeys for NoTables {
    fn contains_key(&self, _: StreamId, _: &Value) -> Option<bool> {
        None
    }
}

/// What evaluation may read besides the event.
pub struct EvalContext<'a> {
    pub clock: &'a Clock,
    pub tables: &'a dyn TableKeys,
    /// Current values of the query's aggregates, read by [`Expr::Aggregate`].
    pub aggregates: &'a [Value],
    /// The time window of the output being computed (see [`FnContext::window`]).
    pub window: Option<(i64, i64)>,
}

impl<'a> EvalContext<'a> {
    pub fn new(clock: &'a Clock, tables: &'a dyn TableKeys) -> Self {
        EvalContext {
            clock,
            tables,
            aggregates: &[],
            window: None,
        }
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
                    window: cx.window,
                };
                Owned(conform((function.eval)(&values, &fcx), Some(*ty)))
            }
        }
    }

    /// Whether the expression reads nothing that changes per event (and so can be folded).
    pub(super) fn is_constant(&self) -> bool {
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

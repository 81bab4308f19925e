//! Typed expressions: the bound IR the plan carries ([`Expr`]), binding sqlparser expressions
//! against a scope ([`bind`]), name resolution ([`names`]) and evaluation per event ([`eval`]).
//! Binding checks types once; evaluation never panics and never fails (SQL NULL stands in for
//! undefined results such as division by zero).

mod bind;
mod eval;
mod names;
#[cfg(test)]
mod tests;

pub use bind::{unify, Bound};
pub use eval::{like, EvalContext, NoTables, TableKeys};
pub use names::{JoinNames, Scope, TableRef};

use crate::functions::aggregate::AggregateFunction;
use crate::functions::ScalarFunction;
use crate::value::{AttrType, Value};
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

impl Expr {
    /// Whether `f` holds for this expression or any expression inside it.
    pub fn any(&self, f: &dyn Fn(&Expr) -> bool) -> bool {
        if f(self) {
            return true;
        }
        let any = |e: &Expr| e.any(f);
        match self {
            Expr::Literal(_) | Expr::Attr(_) | Expr::Aggregate(_) => false,
            Expr::Arith { left, right, .. } | Expr::Cmp { left, right, .. } => {
                any(left) || any(right)
            }
            Expr::And(a, b) | Expr::Or(a, b) | Expr::Concat(a, b) => any(a) || any(b),
            Expr::Neg(e) | Expr::Not(e) | Expr::Cast(e, _) => any(e),
            Expr::IsNull { expr, .. } | Expr::InTable { expr, .. } => any(expr),
            Expr::InList { expr, list, .. } => any(expr) || list.iter().any(any),
            Expr::Between {
                expr, low, high, ..
            } => any(expr) || any(low) || any(high),
            Expr::Like { expr, pattern, .. } => any(expr) || any(pattern),
            Expr::Case {
                operand,
                whens,
                otherwise,
                ..
            } => {
                operand.as_deref().is_some_and(any)
                    || whens.iter().any(|(w, t)| any(w) || any(t))
                    || otherwise.as_deref().is_some_and(any)
            }
            Expr::Call { args, .. } => args.iter().any(any),
        }
    }

    /// Whether it calls `window_start()` or `window_end()`, which read the output's window.
    pub fn reads_window_bounds(&self) -> bool {
        self.any(&|e| {
            matches!(e, Expr::Call { function, .. }
                if function.name == "window_start" || function.name == "window_end")
        })
    }
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

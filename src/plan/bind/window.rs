//! `WINDOW('name', args...)` on a query side: the window looked up in the catalog and its
//! arguments (constants, time literals, attributes) bound into a `WindowSpec`.

use crate::plan::expr::{Expr, Scope};
use crate::plan::window::{self, BindContext, WinArg, WindowSpec};
use crate::schema::Schema;
use crate::sql::ast::*;
use crate::sql::diagnostic::{Diagnostic, Pos};
use crate::suggest::did_you_mean;

/// Resolves a window by name and binds its arguments (constants, time literals, attributes).
pub(super) fn bind_window(
    w: &WindowDecl,
    schema: &Schema,
    scope: &Scope,
) -> Result<WindowSpec, Diagnostic> {
    let name = &w.name.value;
    let Some(def) = window::window(name) else {
        if let Some(n) = window::NOT_YET
            .iter()
            .find(|n| n.eq_ignore_ascii_case(name))
        {
            return Err(Diagnostic::new(
                w.name.pos,
                format!("window '{n}' is not supported yet in this version of EventFlux"),
            ));
        }
        let names: Vec<&str> = window::windows()
            .iter()
            .flat_map(|d| std::iter::once(d.name).chain(d.aliases.iter().copied()))
            .collect();
        return Err(Diagnostic::new(
            w.name.pos,
            format!(
                "unknown window '{name}'{}",
                did_you_mean(name, names.iter().copied())
            ),
        )
        .with_len(name.chars().count() + 2)
        .with_help(format!("windows: {}", names.join(", "))));
    };
    let mut args = Vec::with_capacity(w.args.len());
    for a in &w.args {
        args.push(match a {
            WindowArg::Duration { ms, .. } => WinArg::Duration(*ms),
            WindowArg::Expr(e) => window_arg(e, schema, scope)?,
        });
    }
    let cx = BindContext {
        schema,
        functions: scope.functions,
    };
    (def.bind)(&args, &cx).map_err(|m| {
        Diagnostic::new(w.name.pos, format!("window '{}' {m}", def.name))
            .with_help(format!("signatures: {}", def.signatures.join(" | ")))
    })
}

fn window_arg(
    e: &sqlparser::ast::Expr,
    schema: &Schema,
    scope: &Scope,
) -> Result<WinArg, Diagnostic> {
    use sqlparser::ast::{Expr as S, UnaryOperator, Value as V};
    let at: Pos = sqlparser::ast::Spanned::span(e).start.into();
    match e {
        S::Value(v) => match &v.value {
            V::Number(n, _) => n
                .parse::<i64>()
                .map(WinArg::Int)
                .or_else(|_| n.parse::<f64>().map(WinArg::Double))
                .map_err(|_| Diagnostic::new(at, format!("'{n}' is not a number"))),
            V::SingleQuotedString(s) => Ok(WinArg::Str(s.clone())),
            V::Boolean(b) => Ok(WinArg::Bool(*b)),
            other => Err(Diagnostic::new(
                at,
                format!("window argument {other} is not supported"),
            )),
        },
        S::UnaryOp {
            op: UnaryOperator::Minus,
            expr,
        } => match window_arg(expr, schema, scope)? {
            WinArg::Int(i) => Ok(WinArg::Int(-i)),
            WinArg::Double(d) => Ok(WinArg::Double(-d)),
            _ => Err(Diagnostic::new(
                at,
                "only numbers can be negated in window arguments",
            )),
        },
        S::Identifier(_) | S::CompoundIdentifier(_) => {
            let b = scope.bind(e)?;
            match b.expr {
                Expr::Attr(index) => Ok(WinArg::Attr {
                    index,
                    ty: schema.attrs()[index].ty,
                    name: schema.attrs()[index].name.clone(),
                }),
                _ => Err(Diagnostic::new(at, "expected an attribute")),
            }
        }
        _ => Err(Diagnostic::new(
            at,
            "window arguments are numbers, strings, time literals (5 SECONDS) or attributes",
        )),
    }
}

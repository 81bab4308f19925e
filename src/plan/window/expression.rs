//! The condition of `expression('count() <= 20')`, parsed and bound when the app compiles, with
//! the app's functions (UDFs included), so a bad condition is a compile error.

use super::{BindContext, WindowArgError, WindowSpec};
use crate::plan::expr::Scope;
use crate::sql::parser::EventFluxDialect;
use crate::value::AttrType;
use std::cell::RefCell;

pub(super) fn bind_condition(text: &str, cx: &BindContext) -> Result<WindowSpec, WindowArgError> {
    let parsed = sqlparser::parser::Parser::new(&EventFluxDialect)
        .try_with_sql(text)
        .and_then(|mut p| p.parse_expr())
        .map_err(|e| format!("condition '{text}' does not parse: {e}"))?;
    let calls = RefCell::new(Vec::new());
    let scope = Scope {
        schema: cx.schema,
        alias: None,
        functions: cx.functions,
        aggregates: Some(&calls),
        join: None,
        tables: &[],
    };
    let bound = scope
        .bind(&parsed)
        .map_err(|d| format!("condition '{text}': {}", d.message))?;
    if bound.ty.is_some_and(|t| t != AttrType::Bool) {
        return Err(format!("condition '{text}' must be true or false").into());
    }
    Ok(WindowSpec::Expression {
        condition: bound.expr,
        aggregates: calls.into_inner(),
    })
}

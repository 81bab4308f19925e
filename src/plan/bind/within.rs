//! `WITHIN from, to PER 'granularity'` written as constants: checked and resolved at compile time.

use crate::calendar::WithinError;

/// The text of a literal (`'days'`, `1700000000000`, `'2026-01-01'`); None for anything else.
pub fn literal_text(e: &sqlparser::ast::Expr) -> Option<String> {
    match e {
        sqlparser::ast::Expr::Value(v) => match &v.value {
            sqlparser::ast::Value::Number(n, _) => Some(n.clone()),
            sqlparser::ast::Value::SingleQuotedString(s) => Some(s.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// `WITHIN from, to PER 'granularity'` given as literals: times are epoch milliseconds or
/// 'YYYY-MM-DD[ HH:MM:SS]' (UTC); the granularity must be one the aggregation keeps. Errors
/// say what to write.
pub fn parse_within(
    from: &sqlparser::ast::Expr,
    to: Option<&sqlparser::ast::Expr>,
    per: &sqlparser::ast::Expr,
    levels: &[crate::calendar::Granularity],
    name: &str,
) -> Result<(i64, i64, crate::calendar::Granularity), WithinError> {
    let literal = |e: &sqlparser::ast::Expr, what: &'static str| {
        literal_text(e).ok_or_else(|| WithinError::NotAConstant {
            what,
            text: e.to_string(),
        })
    };
    let per = literal(per, "PER")?;
    let granularity = crate::calendar::granularity_of(&per, levels, name)?;
    let (from, to) = match to {
        Some(to) => (
            crate::calendar::within_time(&literal(from, "WITHIN")?)?,
            crate::calendar::within_time(&literal(to, "WITHIN")?)?,
        ),
        None => crate::calendar::within_period(&literal(from, "WITHIN")?)?,
    };
    Ok((from, to, granularity))
}

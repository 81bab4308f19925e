//! `WINDOW('name', args...)` and its aliases (`TUMBLING`, `SLIDING`, `HOP`, `SESSION`), and
//! time literals such as `5 SECONDS`.

use super::*;

pub(super) fn time_unit(t: &TokenWithSpan) -> Option<i64> {
    match &t.token {
        Token::Word(w) if w.quote_style.is_none() => {
            let upper = w.value.to_ascii_uppercase();
            crate::lang::TIME_UNITS
                .iter()
                .find(|(u, _)| *u == upper)
                .map(|(_, ms)| *ms)
        }
        _ => None,
    }
}

/// A number followed by a time unit, as milliseconds (`500 MILLISECONDS`, `1.5 SEC`).
pub(super) fn duration_of(expr: &Expr, unit: i64) -> Option<i64> {
    let Expr::Value(v) = expr else { return None };
    let sqlparser::ast::Value::Number(n, _) = &v.value else {
        return None;
    };
    let x: f64 = n.parse().ok()?;
    crate::lang::scaled_ms(x, unit)
}

/// After `WINDOW`: `('name', args...)` or `ALIAS(args...)`.
pub(super) fn parse_window(p: &mut Parser) -> PResult<WindowDecl> {
    let t = p.next_token();
    let name = match &t.token {
        Token::LParen => {
            let n = p.next_token();
            let Token::SingleQuotedString(s) = &n.token else {
                return Err(unexpected(
                    &n,
                    "the window name as a string, e.g. WINDOW('length', 10)",
                ));
            };
            let name = Name {
                value: s.clone(),
                pos: pos_of(&n),
            };
            if p.consume_token(&Token::RParen) {
                return Ok(WindowDecl {
                    name,
                    args: Vec::new(),
                });
            }
            let c = p.next_token();
            if c.token != Token::Comma {
                return Err(unexpected(&c, "',' and the window's arguments, or ')'"));
            }
            name
        }
        Token::Word(w) => {
            let name = Name {
                value: w.value.to_ascii_lowercase(),
                pos: pos_of(&t),
            };
            let open = p.next_token();
            if open.token != Token::LParen {
                return Err(unexpected(&open, &format!("'(' after WINDOW {}", w.value)));
            }
            if p.consume_token(&Token::RParen) {
                return Ok(WindowDecl {
                    name,
                    args: Vec::new(),
                });
            }
            name
        }
        _ => {
            return Err(unexpected(
                &t,
                "('name', args...) or TUMBLING(...), SLIDING(...), HOP(...), SESSION(...)",
            ))
        }
    };
    let mut args = Vec::new();
    loop {
        let at = pos_of(&p.peek_token());
        let expr = p.parse_expr().map_err(|e| from_parser_error(e, at))?;
        let unit_tok = p.peek_token();
        if let Some(unit) = time_unit(&unit_tok) {
            p.next_token();
            let ms = duration_of(&expr, unit).ok_or_else(|| {
                let is_number = matches!(&expr, Expr::Value(v)
                    if matches!(v.value, sqlparser::ast::Value::Number(..)));
                if is_number {
                    return Diagnostic::new(at, crate::lang::TIME_TOO_LONG);
                }
                Diagnostic::new(
                    at,
                    format!(
                        "a time literal needs a number before {}, e.g. 5 SECONDS",
                        unit_tok.token
                    ),
                )
            })?;
            args.push(WindowArg::Duration { ms, pos: at });
        } else {
            args.push(WindowArg::Expr(Box::new(expr)));
        }
        let sep = p.next_token();
        match sep.token {
            Token::Comma => continue,
            Token::RParen => break,
            _ => return Err(unexpected(&sep, "',' or ')' in the window's arguments")),
        }
    }
    Ok(WindowDecl { name, args })
}

/// `5 SECONDS`, `1.5 MINUTES`: milliseconds.
pub(super) fn parse_duration(p: &mut Parser) -> PResult<i64> {
    let n_tok = p.next_token();
    let Token::Number(n, _) = &n_tok.token else {
        return Err(unexpected(&n_tok, "a time such as 10 SECONDS"));
    };
    let unit_tok = p.next_token();
    let unit = time_unit(&unit_tok).ok_or_else(|| unexpected(&unit_tok, "a time unit"))?;
    let ms = crate::lang::scaled_ms(n.parse::<f64>().unwrap_or(0.0), unit)
        .ok_or_else(|| Diagnostic::new(pos_of(&n_tok), crate::lang::TIME_TOO_LONG))?;
    if ms < 1 {
        return Err(unexpected(&n_tok, "a time of at least 1 millisecond"));
    }
    Ok(ms)
}

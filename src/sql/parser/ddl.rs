//! `CREATE STREAM` / `TABLE` / `WINDOW` with their attributes and `WITH (...)` options,
//! `CREATE AGGREGATION` and `CREATE TRIGGER`.

use super::*;

pub(super) fn parse_create_stream(p: &mut Parser) -> PResult<StreamDecl> {
    let name = parse_name(p, "a stream name")?;
    let open = p.next_token();
    if open.token != Token::LParen {
        return Err(unexpected(&open, "'(' and the stream's attributes"));
    }
    let mut attrs = Vec::new();
    let mut primary_key = Vec::new();
    loop {
        // Tables: `PRIMARY KEY (a, b)` among the attributes.
        if word_is(&p.peek_token(), "PRIMARY") {
            p.next_token();
            p.expect_keyword(Keyword::KEY)
                .map_err(|e| from_parser_error(e, name.pos))?;
            p.expect_token(&Token::LParen)
                .map_err(|e| from_parser_error(e, name.pos))?;
            loop {
                primary_key.push(parse_name(p, "a primary key attribute")?);
                if !p.consume_token(&Token::Comma) {
                    break;
                }
            }
            p.expect_token(&Token::RParen)
                .map_err(|e| from_parser_error(e, name.pos))?;
            let sep = p.next_token();
            match sep.token {
                Token::Comma => continue,
                Token::RParen => break,
                _ => return Err(unexpected(&sep, "',' or ')' in the attribute list")),
            }
        }
        let attr = parse_name(p, "an attribute name")?;
        let ty_tok = p.next_token();
        let ty_name = match &ty_tok.token {
            Token::Word(w) => w.value.clone(),
            _ => {
                return Err(unexpected(
                    &ty_tok,
                    &format!("a type for attribute '{}'", attr.value),
                ))
            }
        };
        let Some(ty) = AttrType::parse(&ty_name) else {
            let names = AttrType::SPELLINGS.iter().map(|(s, _)| *s);
            return Err(Diagnostic::new(
                pos_of(&ty_tok),
                format!("unknown type '{ty_name}'{}", did_you_mean(&ty_name, names)),
            )
            .with_len(ty_name.chars().count())
            .with_help("types: INT, BIGINT (LONG), FLOAT, DOUBLE, BOOL, STRING (VARCHAR), BYTES"));
        };
        // VARCHAR(255) and the like: the length is accepted and ignored.
        if p.consume_token(&Token::LParen) {
            p.parse_literal_uint()
                .map_err(|e| from_parser_error(e, attr.pos))?;
            p.expect_token(&Token::RParen)
                .map_err(|e| from_parser_error(e, attr.pos))?;
        }
        attrs.push(AttrDecl { name: attr, ty });
        let sep = p.next_token();
        match sep.token {
            Token::Comma => continue,
            Token::RParen => break,
            _ => return Err(unexpected(&sep, "',' or ')' in the attribute list")),
        }
    }
    let mut with = Vec::new();
    if p.parse_keyword(Keyword::WITH) {
        with = parse_with_options(p)?;
    }
    Ok(StreamDecl {
        name,
        attrs,
        with,
        table: false,
        primary_key,
        named_window: None,
    })
}

/// `( key = 'value', "dotted.key" = 'value', dotted.key = 42 )`.
pub(super) fn parse_with_options(p: &mut Parser) -> PResult<Vec<WithOption>> {
    let open = p.next_token();
    if open.token != Token::LParen {
        return Err(unexpected(&open, "'(' after WITH"));
    }
    let mut out = Vec::new();
    if p.consume_token(&Token::RParen) {
        return Ok(out);
    }
    loop {
        let key_tok = p.next_token();
        let key_pos = pos_of(&key_tok);
        let mut key = match &key_tok.token {
            Token::Word(w) => w.value.clone(),
            Token::SingleQuotedString(s) => s.clone(),
            _ => return Err(unexpected(&key_tok, "an option name")),
        };
        while p.consume_token(&Token::Period) {
            let part = p.next_token();
            match &part.token {
                Token::Word(w) => {
                    key.push('.');
                    key.push_str(&w.value);
                }
                _ => return Err(unexpected(&part, "the rest of a dotted option name")),
            }
        }
        let eq = p.next_token();
        if eq.token != Token::Eq {
            return Err(unexpected(&eq, &format!("'=' after option '{key}'")));
        }
        let v = p.next_token();
        let value = match &v.token {
            Token::SingleQuotedString(s) => s.clone(),
            Token::Number(n, _) => n.clone(),
            Token::Word(w) => w.value.clone(),
            _ => {
                return Err(unexpected(
                    &v,
                    &format!("a quoted value for option '{key}'"),
                ))
            }
        };
        out.push(WithOption {
            key,
            value,
            key_pos,
            value_pos: pos_of(&v),
            secrets: Vec::new(),
        });
        let sep = p.next_token();
        match sep.token {
            Token::Comma => continue,
            Token::RParen => return Ok(out),
            _ => return Err(unexpected(&sep, "',' or ')' in WITH options")),
        }
    }
}

/// `CREATE AGGREGATION Name AS SELECT ... FROM S [WHERE ...] GROUP BY ... AGGREGATE [BY attr]
/// EVERY g1 [, g2 ...]` or `EVERY g1 ... g2` (a range of granularities).
pub(super) fn parse_aggregation(p: &mut Parser) -> PResult<AggregationDecl> {
    let name = parse_name(p, "the aggregation's name")?;
    let as_ = p.next_token();
    if !word_is(&as_, "AS") {
        return Err(unexpected(&as_, "AS SELECT ..."));
    }
    let (projection, projection_pos) = parse_select_list(p)?;
    let from = parse_name(p, "the stream to aggregate")?;
    let mut filter = None;
    if p.parse_keyword(Keyword::WHERE) {
        let at = pos_of(&p.peek_token());
        filter = Some(p.parse_expr().map_err(|e| from_parser_error(e, at))?);
    }
    let mut group_by = Vec::new();
    if p.parse_keywords(&[Keyword::GROUP, Keyword::BY]) {
        let at = pos_of(&p.peek_token());
        group_by = p
            .parse_comma_separated(Parser::parse_expr)
            .map_err(|e| from_parser_error(e, at))?;
    }
    let agg = p.next_token();
    if !word_is(&agg, "AGGREGATE") {
        return Err(unexpected(
            &agg,
            "AGGREGATE [BY attr] EVERY SECONDS ... YEARS",
        ));
    }
    let mut by = None;
    if p.parse_keyword(Keyword::BY) {
        by = Some(parse_name(
            p,
            "the timestamp attribute (BIGINT epoch milliseconds)",
        )?);
    }
    let every_tok = p.next_token();
    if !word_is(&every_tok, "EVERY") {
        return Err(unexpected(&every_tok, "EVERY SECONDS ... YEARS"));
    }
    let granularity = |p: &mut Parser| -> PResult<Granularity> {
        let t = p.next_token();
        Granularity::parse(&t.token.to_string()).ok_or_else(|| {
            unexpected(
                &t,
                "a granularity: SECONDS, MINUTES, HOURS, DAYS, MONTHS or YEARS",
            )
        })
    };
    let first = granularity(p)?;
    let mut every = vec![first];
    if p.peek_token().token == Token::Period {
        // `SECONDS ... YEARS`: three dots.
        for _ in 0..3 {
            let dot = p.next_token();
            if dot.token != Token::Period {
                return Err(unexpected(&dot, "'...' between two granularities"));
            }
        }
        let last = granularity(p)?;
        every = Granularity::ALL
            .into_iter()
            .filter(|g| *g >= first && *g <= last)
            .collect();
        if every.is_empty() {
            return Err(unexpected(
                &every_tok,
                "a range from a finer to a coarser granularity",
            ));
        }
    } else {
        while p.consume_token(&Token::Comma) {
            every.push(granularity(p)?);
        }
    }
    every.sort();
    every.dedup();
    Ok(AggregationDecl {
        name,
        projection,
        projection_pos,
        from,
        filter,
        group_by,
        by,
        every,
        every_pos: pos_of(&every_tok),
    })
}

/// After `CREATE TRIGGER`: `Name AT (START | EVERY n unit | CRON 'expr')`.
pub(super) fn parse_create_trigger(p: &mut Parser) -> PResult<TriggerDecl> {
    let name = parse_name(p, "a trigger name")?;
    let at = p.next_token();
    if !word_is(&at, "AT") {
        return Err(unexpected(
            &at,
            "AT START, AT EVERY 5 SECONDS or AT CRON '...'",
        ));
    }
    let t = p.next_token();
    let when = if word_is(&t, "START") {
        TriggerWhen::Start
    } else if word_is(&t, "EVERY") {
        let n_tok = p.next_token();
        let Token::Number(n, _) = &n_tok.token else {
            return Err(unexpected(&n_tok, "a period such as 5 SECONDS"));
        };
        let unit_tok = p.next_token();
        let unit = time_unit(&unit_tok).ok_or_else(|| {
            unexpected(
                &unit_tok,
                "a time unit (MILLISECONDS, SECONDS, MINUTES, HOURS, DAYS)",
            )
        })?;
        let ms = crate::lang::scaled_ms(n.parse::<f64>().unwrap_or(0.0), unit)
            .ok_or_else(|| Diagnostic::new(pos_of(&n_tok), crate::lang::TIME_TOO_LONG))?;
        if ms <= 0 {
            return Err(Diagnostic::new(
                pos_of(&n_tok),
                "the trigger period must be positive",
            ));
        }
        TriggerWhen::Every(ms)
    } else if word_is(&t, "CRON") {
        let e = p.next_token();
        let Token::SingleQuotedString(expr) = &e.token else {
            return Err(unexpected(
                &e,
                "a quoted cron expression, e.g. '0 */5 * * * *'",
            ));
        };
        TriggerWhen::Cron {
            expr: expr.clone(),
            pos: pos_of(&e),
        }
    } else {
        return Err(unexpected(&t, "START, EVERY or CRON"));
    };
    Ok(TriggerDecl { name, when })
}

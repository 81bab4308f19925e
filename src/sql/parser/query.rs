//! `INSERT INTO ... SELECT ... FROM ...`: the select list, FROM sides with aliases and
//! windows, joins, WHERE / GROUP BY / HAVING / ORDER BY / LIMIT, and `OUTPUT ... EVERY`.

use super::*;

/// `SELECT items FROM`: the projection and where it starts; the FROM keyword is consumed.
pub(super) fn parse_select_list(p: &mut Parser) -> PResult<(Vec<SelectItem>, Pos)> {
    let select = p.next_token();
    if !word_is(&select, "SELECT") {
        return Err(unexpected(&select, "SELECT"));
    }
    let projection_pos = pos_of(&p.peek_token());
    let projection = p
        .parse_projection()
        .map_err(|e| from_parser_error(e, projection_pos))?;
    let from = p.next_token();
    if !word_is(&from, "FROM") {
        return Err(unexpected(&from, "FROM"));
    }
    Ok((projection, projection_pos))
}

pub(super) fn parse_query(p: &mut Parser) -> PResult<QueryDecl> {
    let upsert = word_is(&p.next_token(), "UPSERT");
    let mut output = OutputEvents::Current;
    let t = p.peek_token();
    let which = if word_is(&t, "CURRENT") {
        Some(OutputEvents::Current)
    } else if word_is(&t, "EXPIRED") {
        Some(OutputEvents::Expired)
    } else if word_is(&t, "ALL") {
        Some(OutputEvents::All)
    } else {
        None
    };
    if let Some(w) = which {
        p.next_token();
        let ev = p.next_token();
        if !word_is(&ev, "EVENTS") {
            return Err(unexpected(&ev, "EVENTS"));
        }
        output = w;
    }
    let into = p.next_token();
    if !word_is(&into, "INTO") {
        return Err(unexpected(&into, "INTO"));
    }
    let target = parse_name(p, "the target stream name")?;
    let (projection, projection_pos) = parse_select_list(p)?;
    let pattern = if (word_is(&p.peek_token(), "PATTERN") || word_is(&p.peek_token(), "SEQUENCE"))
        && p.peek_nth_token(1).token == Token::LParen
    {
        Some(Box::new(parse_pattern(p)?))
    } else {
        None
    };
    let left = match &pattern {
        Some(pat) => FromSide {
            stream: pat.elements[0].stream.clone(),
            alias: None,
            window: None,
            unidirectional: false,
        },
        None => parse_from_side(p)?,
    };
    let join = if pattern.is_some() {
        None
    } else {
        parse_join(p)?
    };
    let mut within = None;
    if pattern.is_none() && word_is(&p.peek_token(), "WITHIN") {
        p.next_token();
        let at = pos_of(&p.peek_token());
        let from = p.parse_expr().map_err(|e| from_parser_error(e, at))?;
        let to = if p.consume_token(&Token::Comma) {
            Some(p.parse_expr().map_err(|e| from_parser_error(e, at))?)
        } else {
            None
        };
        let per = p.next_token();
        if !word_is(&per, "PER") {
            return Err(unexpected(&per, "PER 'days' (the granularity to read)"));
        }
        let at = pos_of(&p.peek_token());
        let g = p.parse_expr().map_err(|e| from_parser_error(e, at))?;
        within = Some((from, to, g));
    }
    let FromSide {
        stream: source,
        alias,
        window,
        unidirectional,
    } = left;
    let mut filter = None;
    if p.parse_keyword(Keyword::WHERE) {
        let at = pos_of(&p.peek_token());
        filter = Some(p.parse_expr().map_err(|e| from_parser_error(e, at))?);
    }
    let t = p.peek_token();
    if word_is(&t, "WINDOW") {
        return Err(Diagnostic::new(
            pos_of(&t),
            "WINDOW goes before WHERE: FROM S WINDOW(...) WHERE ...",
        )
        .with_len(6));
    }
    let mut group_by = Vec::new();
    if p.parse_keywords(&[Keyword::GROUP, Keyword::BY]) {
        let at = pos_of(&p.peek_token());
        group_by = p
            .parse_comma_separated(Parser::parse_expr)
            .map_err(|e| from_parser_error(e, at))?;
    }
    let mut having = None;
    if p.parse_keyword(Keyword::HAVING) {
        let at = pos_of(&p.peek_token());
        having = Some(p.parse_expr().map_err(|e| from_parser_error(e, at))?);
    }
    let mut order_by = Vec::new();
    if p.parse_keywords(&[Keyword::ORDER, Keyword::BY]) {
        loop {
            let at = pos_of(&p.peek_token());
            let expr = p.parse_expr().map_err(|e| from_parser_error(e, at))?;
            let asc = !p.parse_keyword(Keyword::DESC);
            if asc {
                let _ = p.parse_keyword(Keyword::ASC);
            }
            order_by.push(OrderItem { expr, asc });
            if !p.consume_token(&Token::Comma) {
                break;
            }
        }
    }
    let mut limit = None;
    let mut offset = None;
    for _ in 0..2 {
        if p.parse_keyword(Keyword::LIMIT) {
            let at = pos_of(&p.peek_token());
            limit = Some(
                p.parse_literal_uint()
                    .map_err(|e| from_parser_error(e, at))?,
            );
        } else if p.parse_keyword(Keyword::OFFSET) {
            let at = pos_of(&p.peek_token());
            offset = Some(
                p.parse_literal_uint()
                    .map_err(|e| from_parser_error(e, at))?,
            );
        }
    }
    let output_rate = if word_is(&p.peek_token(), "OUTPUT") {
        Some(parse_output_rate(p)?)
    } else {
        None
    };
    Ok(QueryDecl {
        upsert,
        output,
        target,
        projection,
        projection_pos,
        from: source,
        alias,
        window,
        unidirectional,
        join,
        pattern,
        filter,
        group_by,
        having,
        order_by,
        limit,
        offset,
        output_rate,
        within,
    })
}

/// Words that end a FROM item instead of naming an alias.
pub(super) const NOT_AN_ALIAS: &[&str] = &[
    "UNIDIRECTIONAL",
    "WINDOW",
    "JOIN",
    "INNER",
    "LEFT",
    "RIGHT",
    "FULL",
    "ON",
    "OUTER",
];

/// `Stream [AS alias] [WINDOW ...] [AS alias] [UNIDIRECTIONAL]`.
pub(super) fn parse_from_side(p: &mut Parser) -> PResult<FromSide> {
    let stream = parse_name(p, "the source stream name")?;
    let mut alias = parse_alias(p)?;
    let window = if word_is(&p.peek_token(), "WINDOW") {
        p.next_token();
        Some(parse_window(p)?)
    } else {
        None
    };
    if alias.is_none() {
        alias = parse_alias(p)?;
    }
    let unidirectional = word_is(&p.peek_token(), "UNIDIRECTIONAL");
    if unidirectional {
        p.next_token();
    }
    Ok(FromSide {
        stream,
        alias,
        window,
        unidirectional,
    })
}

pub(super) fn parse_alias(p: &mut Parser) -> PResult<Option<Name>> {
    if p.parse_keyword(Keyword::AS) {
        return parse_name(p, "an alias after AS").map(Some);
    }
    let t = p.peek_token();
    if let Token::Word(w) = &t.token {
        let reserved = NOT_AN_ALIAS.iter().any(|r| w.value.eq_ignore_ascii_case(r));
        if w.keyword == Keyword::NoKeyword && w.quote_style.is_none() && !reserved {
            return parse_name(p, "an alias").map(Some);
        }
    }
    Ok(None)
}

/// `[INNER | LEFT [OUTER] | RIGHT [OUTER] | FULL [OUTER]] JOIN side [ON condition]`.
pub(super) fn parse_join(p: &mut Parser) -> PResult<Option<Box<JoinDecl>>> {
    let t = p.peek_token();
    let kind = if word_is(&t, "JOIN") {
        JoinKind::Inner
    } else if word_is(&t, "INNER") {
        p.next_token();
        JoinKind::Inner
    } else if word_is(&t, "LEFT") || word_is(&t, "RIGHT") || word_is(&t, "FULL") {
        p.next_token();
        let _ = p.parse_keyword(Keyword::OUTER);
        if word_is(&t, "LEFT") {
            JoinKind::Left
        } else if word_is(&t, "RIGHT") {
            JoinKind::Right
        } else {
            JoinKind::Full
        }
    } else {
        return Ok(None);
    };
    let j = p.next_token();
    if !word_is(&j, "JOIN") {
        return Err(unexpected(&j, "JOIN"));
    }
    let right = parse_from_side(p)?;
    let on = if p.parse_keyword(Keyword::ON) {
        let at = pos_of(&p.peek_token());
        Some(p.parse_expr().map_err(|e| from_parser_error(e, at))?)
    } else {
        None
    };
    Ok(Some(Box::new(JoinDecl {
        kind,
        right,
        on,
        pos: pos_of(&t),
    })))
}

/// After `OUTPUT`: `[ALL|FIRST|LAST|SNAPSHOT] EVERY (n EVENTS | n unit)`.
pub(super) fn parse_output_rate(p: &mut Parser) -> PResult<OutputRate> {
    let start = p.next_token(); // OUTPUT
    let t = p.peek_token();
    let mode = if word_is(&t, "ALL") {
        OutputMode::All
    } else if word_is(&t, "FIRST") {
        OutputMode::First
    } else if word_is(&t, "LAST") {
        OutputMode::Last
    } else if word_is(&t, "SNAPSHOT") {
        OutputMode::Snapshot
    } else {
        if !word_is(&t, "EVERY") {
            return Err(unexpected(
                &t,
                "ALL, FIRST, LAST, SNAPSHOT or EVERY after OUTPUT",
            ));
        }
        OutputMode::All
    };
    if !word_is(&t, "EVERY") {
        p.next_token();
    }
    let every = p.next_token();
    if !word_is(&every, "EVERY") {
        return Err(unexpected(&every, "EVERY"));
    }
    let n_tok = p.next_token();
    let Token::Number(n, _) = &n_tok.token else {
        return Err(unexpected(
            &n_tok,
            "a number: EVERY 10 EVENTS or EVERY 5 SECONDS",
        ));
    };
    let unit = p.next_token();
    let every = if word_is(&unit, "EVENTS") || word_is(&unit, "EVENT") {
        let count: u64 = n.parse().ok().filter(|c| *c > 0).ok_or_else(|| {
            Diagnostic::new(pos_of(&n_tok), "EVERY n EVENTS needs a positive integer")
        })?;
        OutputEvery::Events(count)
    } else if let Some(ms) = time_unit(&unit) {
        let x: f64 = n
            .parse()
            .map_err(|_| Diagnostic::new(pos_of(&n_tok), "not a number"))?;
        let ms = crate::lang::scaled_ms(x, ms)
            .ok_or_else(|| Diagnostic::new(pos_of(&n_tok), crate::lang::TIME_TOO_LONG))?;
        if ms <= 0 {
            return Err(Diagnostic::new(
                pos_of(&n_tok),
                "the output period must be positive",
            ));
        }
        OutputEvery::Millis(ms)
    } else {
        return Err(unexpected(
            &unit,
            "EVENTS or a time unit (MILLISECONDS, SECONDS, MINUTES, HOURS, DAYS)",
        ));
    };
    if mode == OutputMode::Snapshot && matches!(every, OutputEvery::Events(_)) {
        return Err(Diagnostic::new(
            pos_of(&start),
            "OUTPUT SNAPSHOT needs a time period: OUTPUT SNAPSHOT EVERY 1 SECOND",
        ));
    }
    Ok(OutputRate { mode, every })
}

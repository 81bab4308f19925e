//! `PATTERN (...)` and `SEQUENCE (...)`: elements with aliases and filters, `every`, and/or
//! pairs, absent elements, counting, groups and `WITHIN`.

use super::*;

/// `alias=Stream[filter]`, with the forms not built yet refused by name.
pub(super) fn parse_pattern_element(
    p: &mut Parser,
    every: bool,
    joined: Option<Logic>,
) -> PResult<PatternElement> {
    let t = p.peek_token();
    if t.token == Token::LParen {
        return Err(unexpected(
            &t,
            "an element (e=Stream) after AND or OR: a pair joins two elements, not groups",
        ));
    }
    let negated = word_is(&t, "NOT");
    let (alias, stream) = if negated {
        p.next_token();
        let stream = parse_name(p, "a stream name after NOT")?;
        // An absent element binds nothing; its generated name cannot clash with a user's.
        let alias = Name {
            value: format!("#not_{}_{}", stream.value, stream.pos.col),
            pos: stream.pos,
        };
        (alias, stream)
    } else {
        let alias = parse_name(p, "an event alias: e1=Stream")?;
        let eq = p.next_token();
        if eq.token != Token::Eq {
            return Err(unexpected(
                &eq,
                &format!("'=' after '{}': {}=Stream", alias.value, alias.value),
            ));
        }
        (alias, parse_name(p, "a stream name")?)
    };
    let mut filter = None;
    if p.consume_token(&Token::LBracket) {
        let at = pos_of(&p.peek_token());
        filter = Some(p.parse_expr().map_err(|e| from_parser_error(e, at))?);
        p.expect_token(&Token::RBracket)
            .map_err(|e| from_parser_error(e, at))?;
    }
    let count = parse_count(p)?;
    if count.is_some() && negated {
        return Err(Diagnostic::new(
            pos_of(&t),
            "an absent element counts nothing: drop the count, or write `not B for t`".to_string(),
        ));
    }
    let mut absent = None;
    if negated {
        let next = p.peek_token();
        absent = Some(if word_is(&next, "FOR") {
            p.next_token();
            Some(parse_duration(p)?)
        } else if word_is(&next, "AND") || joined == Some(Logic::And) {
            // `not B and e=C`, `e=C and not B`: met by C unless B came first.
            None
        } else if word_is(&next, "OR") {
            return Err(unexpected(&next, OR_NEEDS_A_TIME));
        } else {
            return Err(unexpected(
                &next,
                "FOR and a time (`not B for 5 sec`), or AND and an element (`not B and e=C`)",
            ));
        });
    }
    Ok(PatternElement {
        alias,
        stream,
        filter,
        every,
        joined,
        absent,
        count,
    })
}

/// What an absent element joined by OR lacks without a time.
pub(super) const OR_NEEDS_A_TIME: &str =
    "a time on the absent element: `not B for 5 sec or e=C` (without one, nothing could ever \
     meet it)";

/// An and/or pair with absent elements: the forms Siddhi has, the absent element first (the
/// runtime's order; `e=C and not B` means `not B and e=C`).
pub(super) fn check_pair(
    pair: &mut [PatternElement],
    logic: Logic,
    at: &TokenWithSpan,
) -> PResult<()> {
    if pair.iter().any(|e| e.count.is_some()) {
        return Err(unexpected(
            at,
            "a single element around a count: counting (`e1=A<2:5>`) applies to a step of its \
             own, not to an and/or pair",
        ));
    }
    let timed = |e: &PatternElement| matches!(e.absent, Some(Some(_)));
    let untimed = |e: &PatternElement| e.absent == Some(None);
    if pair.iter().all(|e| e.absent.is_some()) && !pair.iter().all(timed) {
        return Err(unexpected(
            at,
            "a time on each absent element of the pair: `not A for 5 sec and not B for 5 sec`",
        ));
    }
    if logic == Logic::Or && pair.iter().any(untimed) {
        return Err(unexpected(at, OR_NEEDS_A_TIME));
    }
    if pair[1].absent.is_some() && pair[0].absent.is_none() {
        pair.swap(0, 1);
        let (a, b) = pair.split_at_mut(1);
        std::mem::swap(&mut a[0].joined, &mut b[0].joined);
        std::mem::swap(&mut a[0].every, &mut b[0].every);
    }
    Ok(())
}

/// `<n:m>`, `<n:>`, `<n>`, `{n,m}`, `{n,}`, `+` after an element: (min, max).
pub(super) fn parse_count(p: &mut Parser) -> PResult<Option<(u32, Option<u32>)>> {
    let t = p.peek_token();
    let number = |p: &mut Parser| -> PResult<Option<u32>> {
        let n = p.peek_token();
        match &n.token {
            Token::Number(v, _) => {
                p.next_token();
                v.parse::<u32>()
                    .map(Some)
                    .map_err(|_| unexpected(&n, "a whole number of events"))
            }
            _ => Ok(None),
        }
    };
    let (min, max) = match &t.token {
        Token::Plus => {
            p.next_token();
            (1, None)
        }
        Token::Mul => {
            p.next_token();
            (0, None)
        }
        Token::Placeholder(q) if q == "?" => {
            p.next_token();
            (0, Some(1))
        }
        Token::Lt | Token::LBrace => {
            let (sep, close) = if t.token == Token::Lt {
                (Token::Colon, Token::Gt)
            } else {
                (Token::Comma, Token::RBrace)
            };
            p.next_token();
            let min = number(p)?.unwrap_or(0);
            let max = if p.consume_token(&sep) {
                number(p)?
            } else {
                Some(min)
            };
            let end = p.next_token();
            if end.token != close {
                return Err(unexpected(&end, &format!("'{close}' closing the count")));
            }
            (min, max)
        }
        _ => return Ok(None),
    };
    if max == Some(0) {
        return Err(unexpected(&t, "a count whose maximum is above zero"));
    }
    if max.is_some_and(|m| m < min) {
        return Err(unexpected(
            &t,
            "a count whose maximum is not below its minimum",
        ));
    }
    Ok(Some((min, max)))
}

/// `PATTERN ( [every] e1=S1[cond] -> e2=S2[cond] ... ) [WITHIN t]`, or `SEQUENCE (...)` with `,`
/// between elements. Parentheses group elements; `every ( ... )` restarts its group after each
/// time an attempt gets through it.
pub(super) fn parse_pattern(p: &mut Parser) -> PResult<PatternDecl> {
    let start = p.next_token();
    let sequence = word_is(&start, "SEQUENCE");
    p.expect_token(&Token::LParen)
        .map_err(|e| from_parser_error(e, pos_of(&start)))?;
    // The groups being read, outermost first: first element, whether `every` opened it.
    let mut open_groups: Vec<(usize, bool, TokenWithSpan)> = Vec::new();
    let mut every_groups: Vec<std::ops::Range<usize>> = Vec::new();
    let mut elements = Vec::new();
    loop {
        loop {
            let t = p.peek_token();
            let group_every = word_is(&t, "EVERY") && p.peek_nth_token(1).token == Token::LParen;
            if !group_every && t.token != Token::LParen {
                break;
            }
            if group_every && open_groups.iter().any(|(_, every, _)| *every) {
                return Err(unexpected(
                    &t,
                    "a group without EVERY: the `every ( ... )` group around it repeats already",
                ));
            }
            if group_every {
                p.next_token();
            }
            p.next_token();
            open_groups.push((elements.len(), group_every, t.clone()));
        }
        let t = p.peek_token();
        let every = word_is(&t, "EVERY");
        if every {
            if open_groups.iter().any(|(_, every, _)| *every) {
                return Err(unexpected(
                    &t,
                    "an element without EVERY: the `every ( ... )` group around it repeats already",
                ));
            }
            p.next_token();
        }
        let step = elements.len();
        elements.push(parse_pattern_element(p, every, None)?);
        let next = p.peek_token();
        let logic = if word_is(&next, "AND") {
            Some(Logic::And)
        } else if word_is(&next, "OR") {
            Some(Logic::Or)
        } else {
            None
        };
        if let Some(logic) = logic {
            p.next_token();
            elements.push(parse_pattern_element(p, false, Some(logic))?);
            let again = p.peek_token();
            if word_is(&again, "AND") || word_is(&again, "OR") {
                return Err(unexpected(
                    &again,
                    "'->' or ')': and/or joins two elements (group longer conditions into steps)",
                ));
            }
            check_pair(&mut elements[step..], logic, &next)?;
        }
        let timed_alone =
            elements.len() == step + 1 && matches!(elements[step].absent, Some(Some(_)));
        if every && step > 0 && elements[step..].iter().any(|e| e.absent.is_some()) && !timed_alone
        {
            return Err(not_supported_yet(
                &t,
                "EVERY on an absent element in an and/or pair after the first step",
            ));
        }
        while !open_groups.is_empty() && p.peek_token().token == Token::RParen {
            p.next_token();
            if let Some((first, true, _)) = open_groups.pop() {
                every_groups.push(first..elements.len());
            }
            let within = p.peek_token();
            if word_is(&within, "WITHIN") {
                return Err(not_supported_yet(
                    &within,
                    "WITHIN on a group inside a pattern (put WITHIN after the whole pattern)",
                ));
            }
        }
        let sep = p.peek_token();
        let is_sep = if sequence {
            sep.token == Token::Comma
        } else {
            sep.token == Token::Arrow
        };
        if is_sep {
            p.next_token();
            continue;
        }
        break;
    }
    if let Some((_, _, open)) = open_groups.pop() {
        return Err(Diagnostic::new(
            pos_of(&open),
            "this group is not closed: add ')' after its last element".to_string(),
        ));
    }
    let close = p.next_token();
    if close.token != Token::RParen {
        let sep = if sequence { "','" } else { "'->'" };
        return Err(unexpected(&close, &format!("{sep} or ')' in the pattern")));
    }
    let mut within = None;
    if word_is(&p.peek_token(), "WITHIN") {
        p.next_token();
        within = Some(parse_duration(p)?);
    }
    Ok(PatternDecl {
        sequence,
        every_groups,
        elements,
        within,
        pos: pos_of(&start),
    })
}

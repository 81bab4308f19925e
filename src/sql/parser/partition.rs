//! `PARTITION WITH (expr OF S, ...) BEGIN ... END`: value and range keys, then the inner
//! statements.

use super::*;

/// `PARTITION WITH (key OF Stream, ...) BEGIN query; ... END`, where a key is an expression
/// (value partition) or `cond AS 'label' OR cond AS 'label' ...` (range partition).
pub(super) fn parse_partition(p: &mut Parser) -> PResult<PartitionDecl> {
    let start = p.next_token(); // PARTITION
    if !p.parse_keyword(Keyword::WITH) {
        return Err(unexpected(&p.peek_token(), "WITH after PARTITION"));
    }
    p.expect_token(&Token::LParen)
        .map_err(|e| from_parser_error(e, pos_of(&start)))?;
    let mut keys = Vec::new();
    loop {
        let at = pos_of(&p.peek_token());
        let first = p.parse_expr().map_err(|e| from_parser_error(e, at))?;
        let key = if p.parse_keyword(Keyword::AS) {
            let mut ranges = Vec::new();
            let mut cond = first;
            loop {
                let l = p.next_token();
                let Token::SingleQuotedString(label) = &l.token else {
                    return Err(unexpected(&l, "a quoted label: price < 100 AS 'low'"));
                };
                ranges.push((cond, label.clone()));
                if !p.parse_keyword(Keyword::OR) {
                    break;
                }
                let at = pos_of(&p.peek_token());
                cond = p.parse_expr().map_err(|e| from_parser_error(e, at))?;
                if !p.parse_keyword(Keyword::AS) {
                    return Err(unexpected(
                        &p.peek_token(),
                        "AS 'label' after the range condition",
                    ));
                }
            }
            PartitionKeyKind::Range(ranges)
        } else {
            PartitionKeyKind::Value(Box::new(first))
        };
        let of = p.next_token();
        if !word_is(&of, "OF") {
            return Err(unexpected(
                &of,
                "OF and the partitioned stream: symbol OF Trades",
            ));
        }
        let stream = parse_name(p, "the partitioned stream")?;
        keys.push(PartitionKeyDecl { stream, key });
        let sep = p.next_token();
        match sep.token {
            Token::Comma => continue,
            Token::RParen => break,
            _ => return Err(unexpected(&sep, "',' or ')' in PARTITION WITH")),
        }
    }
    let begin = p.next_token();
    if !word_is(&begin, "BEGIN") {
        return Err(unexpected(&begin, "BEGIN"));
    }
    let mut statements = Vec::new();
    loop {
        while p.consume_token(&Token::SemiColon) {}
        let t = p.peek_token();
        if word_is(&t, "END") {
            p.next_token();
            break;
        }
        if t.token == Token::EOF {
            return Err(Diagnostic::new(
                pos_of(&start),
                "PARTITION is not closed: expected END",
            ));
        }
        if !word_is(&t, "INSERT") {
            return Err(unexpected(
                &t,
                "a query (INSERT INTO ...) or END inside the partition",
            ));
        }
        let q = parse_query(p)?;
        statements.push(Statement {
            pos: pos_of(&t),
            annotations: Vec::new(),
            kind: StatementKind::Query(Box::new(q)),
        });
        let after = p.peek_token();
        if after.token != Token::SemiColon && !word_is(&after, "END") {
            return Err(unexpected(&after, "';' after the query"));
        }
    }
    Ok(PartitionDecl {
        keys,
        statements,
        pos: pos_of(&start),
    })
}

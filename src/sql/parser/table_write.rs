//! `DELETE FROM T USING S WHERE ...` and `UPDATE T SET ... FROM S WHERE ...`.

use super::*;

/// `DELETE FROM T USING S [AS s] WHERE cond` or `UPDATE T SET a = e, ... FROM S [AS s] WHERE cond`.
pub(super) fn parse_table_write(p: &mut Parser) -> PResult<TableWriteDecl> {
    let first = p.next_token();
    let (change, table, stream) = if word_is(&first, "DELETE") {
        let from = p.next_token();
        if !word_is(&from, "FROM") {
            return Err(unexpected(&from, "FROM after DELETE"));
        }
        let table = parse_name(p, "the table")?;
        let using = p.next_token();
        if !word_is(&using, "USING") {
            return Err(unexpected(
                &using,
                "USING and the stream whose events delete rows",
            ));
        }
        (TableChange::Delete, table, parse_name(p, "a stream")?)
    } else {
        let table = parse_name(p, "the table")?;
        let set = p.next_token();
        if !word_is(&set, "SET") {
            return Err(unexpected(&set, "SET after UPDATE table"));
        }
        let mut sets = Vec::new();
        loop {
            let attr = parse_name(p, "the attribute to set")?;
            let eq = p.next_token();
            if eq.token != Token::Eq {
                return Err(unexpected(&eq, "'=' in SET"));
            }
            let at = pos_of(&p.peek_token());
            sets.push((attr, p.parse_expr().map_err(|e| from_parser_error(e, at))?));
            if !p.consume_token(&Token::Comma) {
                break;
            }
        }
        let from = p.next_token();
        if !word_is(&from, "FROM") {
            return Err(unexpected(
                &from,
                "FROM and the stream whose events update rows",
            ));
        }
        (TableChange::Update(sets), table, parse_name(p, "a stream")?)
    };
    let alias = parse_alias(p)?;
    let mut condition = None;
    if p.parse_keyword(Keyword::WHERE) {
        let at = pos_of(&p.peek_token());
        condition = Some(p.parse_expr().map_err(|e| from_parser_error(e, at))?);
    }
    Ok(TableWriteDecl {
        change,
        table,
        stream,
        alias,
        condition,
    })
}

//! The statement grammar, driven by sqlparser's tokenizer and expression parser.
//!
//! Streaming statements are not standard SQL, so statements are parsed here with sqlparser's
//! `Parser` primitives (keywords, identifiers, `parse_expr`, `parse_projection`); the parts that
//! stay standard (expressions, projections) are sqlparser's own. Later clauses (WINDOW, JOIN,
//! GROUP BY, PATTERN, PARTITION, ...) plug in at the marked points.

use crate::sql::annotation::{prepass, Annotation};
use crate::sql::ast::*;
use crate::sql::diagnostic::{Diagnostic, Pos};
use crate::suggest::did_you_mean;
use crate::value::AttrType;
use sqlparser::dialect::{Dialect, GenericDialect};
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};

/// The EventFlux SQL dialect: generic SQL identifiers and literals.
#[derive(Debug, Default)]
pub struct EventFluxDialect;

impl Dialect for EventFluxDialect {
    fn is_identifier_start(&self, ch: char) -> bool {
        GenericDialect.is_identifier_start(ch)
    }

    fn is_identifier_part(&self, ch: char) -> bool {
        GenericDialect.is_identifier_part(ch)
    }

    fn is_delimited_identifier_start(&self, ch: char) -> bool {
        ch == '"' || ch == '`'
    }

    /// `x IN Table`: membership in a table's primary key.
    fn supports_in_table_expression(&self) -> bool {
        true
    }
}

/// Parses an app's text. Errors from every statement are collected, not only the first.
pub fn parse_app(text: &str, env: &dyn Fn(&str) -> Option<String>) -> (AppAst, Vec<Diagnostic>) {
    let pre = prepass(text, env);
    let mut errors = pre.errors;
    let mut app = AppAst::default();
    let mut pending: Vec<Annotation> = Vec::new();
    let mut annotations = pre.annotations.into_iter().peekable();

    let dialect = EventFluxDialect;
    let tokens = match Tokenizer::new(&dialect, &pre.blanked).tokenize_with_location() {
        Ok(t) => t,
        Err(e) => {
            errors.push(Diagnostic::new(
                Pos::new(e.location.line as u32, e.location.column as u32),
                e.message,
            ));
            return (app, errors);
        }
    };
    let mut parser = Parser::new(&dialect).with_tokens_with_locations(tokens);
    loop {
        while parser.consume_token(&Token::SemiColon) {}
        let next = parser.peek_token();
        if next.token == Token::EOF {
            break;
        }
        let start: Pos = next.span.start.into();
        // Annotations written before this statement belong to it (app-level ones to the app).
        while let Some(a) = annotations.next_if(|a| a.pos < start) {
            if a.name.starts_with("app:") {
                app.app_annotations.push(a);
            } else {
                pending.push(a);
            }
        }
        match parse_statement(&mut parser) {
            Ok(mut kind) => {
                // Annotations inside a partition belong to its queries.
                if let StatementKind::Partition(d) = &mut kind {
                    for inner in &mut d.statements {
                        while let Some(a) = annotations.next_if(|a| a.pos < inner.pos) {
                            inner.annotations.push(a);
                        }
                    }
                }
                let after = parser.peek_token();
                if after.token != Token::SemiColon && after.token != Token::EOF {
                    errors.push(unexpected(&after, "';' after the statement"));
                    skip_statement(&mut parser);
                }
                app.statements.push(Statement {
                    pos: start,
                    annotations: std::mem::take(&mut pending),
                    kind,
                });
            }
            Err(d) => {
                errors.push(d);
                pending.clear();
                skip_statement(&mut parser);
            }
        }
    }
    for a in annotations {
        if a.name.starts_with("app:") {
            app.app_annotations.push(a);
        } else {
            pending.push(a);
        }
    }
    for a in pending {
        errors.push(Diagnostic::new(
            a.pos,
            format!("annotation @{} is not followed by a statement", a.name),
        ));
    }
    (app, errors)
}

fn skip_statement(parser: &mut Parser) {
    loop {
        let t = parser.next_token();
        if t.token == Token::SemiColon || t.token == Token::EOF {
            return;
        }
    }
}

type PResult<T> = Result<T, Diagnostic>;

fn pos_of(t: &TokenWithSpan) -> Pos {
    t.span.start.into()
}

fn unexpected(t: &TokenWithSpan, expected: &str) -> Diagnostic {
    if t.token == Token::EOF {
        Diagnostic::new(
            pos_of(t),
            format!("expected {expected}, found the end of the app"),
        )
    } else {
        Diagnostic::new(
            pos_of(t),
            format!("expected {expected}, found '{}'", t.token),
        )
        .with_len(t.token.to_string().chars().count())
    }
}

/// Converts sqlparser's message (`... at Line: 2, Column: 5`) into a positioned diagnostic.
fn from_parser_error(e: ParserError, fallback: Pos) -> Diagnostic {
    let msg = match e {
        ParserError::TokenizerError(m) | ParserError::ParserError(m) => m,
        ParserError::RecursionLimitExceeded => "expression nested too deeply".to_string(),
    };
    if let Some(at) = msg.rfind(" at Line: ") {
        let tail = &msg[at + " at Line: ".len()..];
        let mut parts = tail.split(", Column: ");
        let line = parts.next().and_then(|l| l.trim().parse().ok());
        let col = parts.next().and_then(|c| c.trim().parse().ok());
        if let (Some(line), Some(col)) = (line, col) {
            return Diagnostic::new(Pos::new(line, col), msg[..at].to_string());
        }
    }
    Diagnostic::new(fallback, msg)
}

fn word_is(t: &TokenWithSpan, word: &str) -> bool {
    matches!(&t.token, Token::Word(w) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(word))
}

fn parse_statement(p: &mut Parser) -> PResult<StatementKind> {
    let first = p.peek_token();
    if word_is(&first, "CREATE") {
        p.next_token();
        let what = p.next_token();
        if word_is(&what, "STREAM") {
            return parse_create_stream(p).map(StatementKind::CreateStream);
        }
        if word_is(&what, "TRIGGER") {
            return parse_create_trigger(p).map(StatementKind::CreateTrigger);
        }
        if word_is(&what, "TABLE") {
            return parse_create_stream(p).map(|mut d| {
                d.table = true;
                StatementKind::CreateStream(d)
            });
        }
        if word_is(&what, "AGGREGATION") {
            return parse_aggregation(p).map(|d| StatementKind::CreateAggregation(Box::new(d)));
        }
        if word_is(&what, "WINDOW") {
            // `CREATE WINDOW W (attrs) WINDOW spec`: the same window syntax as a query's.
            let mut d = parse_create_stream(p)?;
            let kw = p.next_token();
            if !word_is(&kw, "WINDOW") {
                return Err(unexpected(
                    &kw,
                    "the window after the attributes, e.g. WINDOW('length', 10)",
                ));
            }
            d.named_window = Some(parse_window(p)?);
            return Ok(StatementKind::CreateStream(d));
        }
        return Err(unexpected(&what, "STREAM after CREATE"));
    }
    if word_is(&first, "INSERT") || word_is(&first, "UPSERT") {
        return parse_query(p).map(|q| StatementKind::Query(Box::new(q)));
    }
    if word_is(&first, "PARTITION") {
        return parse_partition(p).map(|d| StatementKind::Partition(Box::new(d)));
    }
    if word_is(&first, "UPDATE") || word_is(&first, "DELETE") {
        return parse_table_write(p).map(|d| StatementKind::TableWrite(Box::new(d)));
    }
    if word_is(&first, "UPDATE") || word_is(&first, "DELETE") || word_is(&first, "DEFINE") {
        return Err(not_supported_yet(
            &first,
            &first.token.to_string().to_uppercase(),
        ));
    }
    if word_is(&first, "SELECT") {
        return Err(Diagnostic::new(
            pos_of(&first),
            "a query needs a target: write INSERT INTO Target SELECT ...".to_string(),
        )
        .with_len(6));
    }
    let statements = ["CREATE", "INSERT"];
    let word = first.token.to_string();
    Err(Diagnostic::new(
        pos_of(&first),
        format!(
            "expected a statement (CREATE STREAM or INSERT INTO ... SELECT), found '{word}'{}",
            did_you_mean(&word, statements)
        ),
    )
    .with_len(word.chars().count()))
}

fn not_supported_yet(at: &TokenWithSpan, what: &str) -> Diagnostic {
    Diagnostic::new(
        pos_of(at),
        format!("{what} is not supported yet in this version of EventFlux"),
    )
    .with_len(at.token.to_string().chars().count())
}

fn parse_name(p: &mut Parser, what: &str) -> PResult<Name> {
    let t = p.next_token();
    match &t.token {
        Token::Word(w)
            if w.quote_style.is_some()
                || w.keyword == Keyword::NoKeyword
                || !is_reserved(w.keyword) =>
        {
            Ok(Name {
                value: w.value.clone(),
                pos: pos_of(&t),
            })
        }
        _ => Err(unexpected(&t, what)),
    }
}

/// Keywords that cannot be a bare stream or attribute name here.
fn is_reserved(k: Keyword) -> bool {
    matches!(
        k,
        Keyword::SELECT
            | Keyword::FROM
            | Keyword::WHERE
            | Keyword::INSERT
            | Keyword::INTO
            | Keyword::CREATE
            | Keyword::WITH
            | Keyword::AS
            | Keyword::GROUP
            | Keyword::HAVING
            | Keyword::ORDER
            | Keyword::LIMIT
            | Keyword::JOIN
            | Keyword::ON
    )
}

fn parse_create_stream(p: &mut Parser) -> PResult<StreamDecl> {
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
fn parse_with_options(p: &mut Parser) -> PResult<Vec<WithOption>> {
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
        });
        let sep = p.next_token();
        match sep.token {
            Token::Comma => continue,
            Token::RParen => return Ok(out),
            _ => return Err(unexpected(&sep, "',' or ')' in WITH options")),
        }
    }
}

/// `SELECT items FROM`: the projection and where it starts; the FROM keyword is consumed.
fn parse_select_list(p: &mut Parser) -> PResult<(Vec<SelectItem>, Pos)> {
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

/// `CREATE AGGREGATION Name AS SELECT ... FROM S [WHERE ...] GROUP BY ... AGGREGATE [BY attr]
/// EVERY g1 [, g2 ...]` or `EVERY g1 ... g2` (a range of granularities).
fn parse_aggregation(p: &mut Parser) -> PResult<AggregationDecl> {
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

fn parse_query(p: &mut Parser) -> PResult<QueryDecl> {
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

/// `PARTITION WITH (key OF Stream, ...) BEGIN query; ... END`, where a key is an expression
/// (value partition) or `cond AS 'label' OR cond AS 'label' ...` (range partition).
fn parse_partition(p: &mut Parser) -> PResult<PartitionDecl> {
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

/// `alias=Stream[filter]`, with the forms not built yet refused by name.
fn parse_pattern_element(
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
const OR_NEEDS_A_TIME: &str =
    "a time on the absent element: `not B for 5 sec or e=C` (without one, nothing could ever \
     meet it)";

/// An and/or pair with absent elements: the forms Siddhi has, the absent element first (the
/// runtime's order; `e=C and not B` means `not B and e=C`).
fn check_pair(pair: &mut [PatternElement], logic: Logic, at: &TokenWithSpan) -> PResult<()> {
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
fn parse_count(p: &mut Parser) -> PResult<Option<(u32, Option<u32>)>> {
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

/// `5 SECONDS`, `1.5 MINUTES`: milliseconds.
fn parse_duration(p: &mut Parser) -> PResult<i64> {
    let n_tok = p.next_token();
    let Token::Number(n, _) = &n_tok.token else {
        return Err(unexpected(&n_tok, "a time such as 10 SECONDS"));
    };
    let unit_tok = p.next_token();
    let unit = time_unit(&unit_tok).ok_or_else(|| unexpected(&unit_tok, "a time unit"))?;
    let ms = (n.parse::<f64>().unwrap_or(0.0) * unit as f64).round() as i64;
    if ms < 1 {
        return Err(unexpected(&n_tok, "a time of at least 1 millisecond"));
    }
    Ok(ms)
}

/// `PATTERN ( [every] e1=S1[cond] -> e2=S2[cond] ... ) [WITHIN t]`, or `SEQUENCE (...)` with `,`
/// between elements. Parentheses group elements; `every ( ... )` restarts its group after each
/// time an attempt gets through it.
fn parse_pattern(p: &mut Parser) -> PResult<PatternDecl> {
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

/// `DELETE FROM T USING S [AS s] WHERE cond` or `UPDATE T SET a = e, ... FROM S [AS s] WHERE cond`.
fn parse_table_write(p: &mut Parser) -> PResult<TableWriteDecl> {
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

/// After `CREATE TRIGGER`: `Name AT (START | EVERY n unit | CRON 'expr')`.
fn parse_create_trigger(p: &mut Parser) -> PResult<TriggerDecl> {
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
        let ms = (n.parse::<f64>().unwrap_or(0.0) * unit as f64).round() as i64;
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

/// Words that end a FROM item instead of naming an alias.
const NOT_AN_ALIAS: &[&str] = &[
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
fn parse_from_side(p: &mut Parser) -> PResult<FromSide> {
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

fn parse_alias(p: &mut Parser) -> PResult<Option<Name>> {
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
fn parse_join(p: &mut Parser) -> PResult<Option<Box<JoinDecl>>> {
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

/// Milliseconds per time unit, by every spelling the language accepts.
pub const TIME_UNITS: &[(&str, i64)] = &[
    ("MILLISECOND", 1),
    ("MILLISECONDS", 1),
    ("MILLIS", 1),
    ("MS", 1),
    ("SEC", 1_000),
    ("SECS", 1_000),
    ("SECOND", 1_000),
    ("SECONDS", 1_000),
    ("MIN", 60_000),
    ("MINS", 60_000),
    ("MINUTE", 60_000),
    ("MINUTES", 60_000),
    ("HOUR", 3_600_000),
    ("HOURS", 3_600_000),
    ("DAY", 86_400_000),
    ("DAYS", 86_400_000),
    ("WEEK", 604_800_000),
    ("WEEKS", 604_800_000),
];

fn time_unit(t: &TokenWithSpan) -> Option<i64> {
    match &t.token {
        Token::Word(w) if w.quote_style.is_none() => {
            let upper = w.value.to_ascii_uppercase();
            TIME_UNITS
                .iter()
                .find(|(u, _)| *u == upper)
                .map(|(_, ms)| *ms)
        }
        _ => None,
    }
}

/// A number followed by a time unit, as milliseconds (`500 MILLISECONDS`, `1.5 SEC`).
fn duration_of(expr: &Expr, unit: i64) -> Option<i64> {
    let Expr::Value(v) = expr else { return None };
    let sqlparser::ast::Value::Number(n, _) = &v.value else {
        return None;
    };
    let x: f64 = n.parse().ok()?;
    Some((x * unit as f64).round() as i64)
}

/// After `WINDOW`: `('name', args...)` or `ALIAS(args...)`.
fn parse_window(p: &mut Parser) -> PResult<WindowDecl> {
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

/// After `OUTPUT`: `[ALL|FIRST|LAST|SNAPSHOT] EVERY (n EVENTS | n unit)`.
fn parse_output_rate(p: &mut Parser) -> PResult<OutputRate> {
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
        let ms = (x * ms as f64).round() as i64;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (AppAst, Vec<Diagnostic>) {
        parse_app(text, &|_| None)
    }

    #[test]
    fn parses_streams_queries_and_attaches_annotations() {
        let (app, errors) = parse(
            "@app:name('T')\n@source(type='datagen')\nCREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);\n\
             @info(name='q1')\nINSERT INTO Out SELECT symbol, price * 2.0 AS p2 FROM Trades WHERE volume > 500;",
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(app.app_annotations.len(), 1);
        assert_eq!(app.statements.len(), 2);
        assert_eq!(app.statements[0].annotations[0].name, "source");
        assert_eq!(app.statements[1].annotations[0].name, "info");
        let StatementKind::CreateStream(s) = &app.statements[0].kind else {
            panic!()
        };
        assert_eq!(s.attrs.len(), 3);
        assert_eq!(s.attrs[2].ty, AttrType::Int);
        let StatementKind::Query(q) = &app.statements[1].kind else {
            panic!()
        };
        assert_eq!(q.target.value, "Out");
        assert_eq!(q.from.value, "Trades");
        assert_eq!(q.from.pos, Pos::new(5, 55));
        assert!(q.filter.is_some());
        assert_eq!(q.projection.len(), 2);
    }

    #[test]
    fn with_clause_and_output_kinds() {
        let (app, errors) = parse(
            "CREATE STREAM S (a INT) WITH (type='source', extension='datagen', \"fields.a.kind\"='sequence', count=5);\nINSERT ALL EVENTS INTO O SELECT * FROM S;",
        );
        assert!(errors.is_empty(), "{errors:?}");
        let StatementKind::CreateStream(s) = &app.statements[0].kind else {
            panic!()
        };
        assert_eq!(s.with.len(), 4);
        assert_eq!(s.with[2].key, "fields.a.kind");
        assert_eq!(s.with[3].value, "5");
        let StatementKind::Query(q) = &app.statements[1].kind else {
            panic!()
        };
        assert_eq!(q.output, OutputEvents::All);
    }

    #[test]
    fn reports_every_broken_statement() {
        let (_, errors) = parse(
            "CREATE STREAM S (a INTT);\nCREATE STREAM T (b INT);\nINSERT INTO X SELEC a FROM S;",
        );
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!(
            errors[0].message,
            "unknown type 'INTT' (did you mean 'INT'?)"
        );
        assert_eq!(errors[0].pos, Pos::new(1, 20));
        assert_eq!(errors[1].pos, Pos::new(3, 15));
    }

    #[test]
    fn joins_parse_with_windows_aliases_and_unidirectional() {
        let (app, errors) = parse(
            "INSERT INTO O SELECT a.x FROM A WINDOW('length', 3) AS a UNIDIRECTIONAL FULL OUTER JOIN B AS b WINDOW('length', 1) ON a.x = b.y;",
        );
        assert!(errors.is_empty(), "{errors:?}");
        let StatementKind::Query(q) = &app.statements[0].kind else {
            panic!()
        };
        assert!(q.unidirectional);
        assert_eq!(q.alias.as_ref().unwrap().value, "a");
        let j = q.join.as_ref().unwrap();
        assert_eq!(j.kind, JoinKind::Full);
        assert_eq!(j.right.alias.as_ref().unwrap().value, "b");
        assert!(j.right.window.is_some() && j.on.is_some() && !j.right.unidirectional);
    }

    #[test]
    fn full_query_shape_with_windows_and_output_rate() {
        let (app, errors) = parse(
            "INSERT ALL EVENTS INTO O SELECT s, sum(p) AS t FROM S WINDOW('time', 1.5 SEC) WHERE p > 0 \
             GROUP BY s HAVING t > 1 ORDER BY t DESC, s LIMIT 5 OFFSET 1 OUTPUT LAST EVERY 3 EVENTS;\n\
             INSERT INTO O2 SELECT s FROM S WINDOW TUMBLING(1 MINUTE) OUTPUT SNAPSHOT EVERY 500 MILLISECONDS;\n\
             INSERT INTO O3 SELECT s FROM S WINDOW('length', 4) OUTPUT EVERY 10 EVENTS;",
        );
        assert!(errors.is_empty(), "{errors:?}");
        let StatementKind::Query(q) = &app.statements[0].kind else {
            panic!()
        };
        let w = q.window.as_ref().unwrap();
        assert_eq!(w.name.value, "time");
        assert!(matches!(w.args[0], WindowArg::Duration { ms: 1500, .. }));
        assert_eq!(q.group_by.len(), 1);
        assert!(q.having.is_some());
        assert_eq!(q.order_by.len(), 2);
        assert!(!q.order_by[0].asc && q.order_by[1].asc);
        assert_eq!((q.limit, q.offset), (Some(5), Some(1)));
        let r = q.output_rate.unwrap();
        assert_eq!(
            (r.mode, r.every),
            (OutputMode::Last, OutputEvery::Events(3))
        );
        let StatementKind::Query(q2) = &app.statements[1].kind else {
            panic!()
        };
        assert_eq!(q2.window.as_ref().unwrap().name.value, "tumbling");
        assert!(matches!(
            q2.window.as_ref().unwrap().args[0],
            WindowArg::Duration { ms: 60_000, .. }
        ));
        assert_eq!(q2.output_rate.unwrap().every, OutputEvery::Millis(500));
        let StatementKind::Query(q3) = &app.statements[2].kind else {
            panic!()
        };
        assert_eq!(q3.output_rate.unwrap().mode, OutputMode::All);
    }

    #[test]
    fn dangling_annotation_is_an_error() {
        let (_, errors) = parse("CREATE STREAM S (a INT);\n@sink(type='log')");
        assert_eq!(errors.len(), 1);
        assert!(errors[0].message.contains("not followed by a statement"));
    }
}
#[cfg(test)]
mod pattern_tests {
    use super::*;

    #[test]
    fn patterns_and_sequences_parse() {
        let (app, errors) = parse_app(
            "INSERT INTO O SELECT e1.symbol AS a FROM PATTERN (every e1=S1[price > 1] -> e2=S2) WITHIN 1 SECOND;\n\
             INSERT INTO O SELECT e1.symbol AS a FROM SEQUENCE (e1=S1, e2=S2[price > e1.price]);",
            &|_| None,
        );
        assert!(errors.is_empty(), "{errors:?}");
        let StatementKind::Query(q) = &app.statements[0].kind else {
            panic!()
        };
        let pat = q.pattern.as_ref().expect("pattern");
        assert_eq!(pat.elements.len(), 2);
        assert!(pat.elements[0].every && !pat.sequence);
        assert_eq!(pat.within, Some(1000));
        let StatementKind::Query(q) = &app.statements[1].kind else {
            panic!()
        };
        assert!(q.pattern.as_ref().unwrap().sequence);
    }
}

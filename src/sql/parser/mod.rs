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

mod ddl;
pub mod depth;
mod partition;
mod pattern;
mod query;
mod table_write;
#[cfg(test)]
mod tests;
mod window;

use ddl::*;
use partition::*;
use pattern::*;
use query::*;
use table_write::*;

use window::*;

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
    // A statement too deep to parse safely is reported and left out; the others still parse.
    let too_deep = depth::too_deep(&tokens, depth::MAX_EXPR_DEPTH);
    let tokens = if too_deep.is_empty() {
        tokens
    } else {
        let mut kept = Vec::with_capacity(tokens.len());
        let mut cut = too_deep.iter().map(|(r, _)| r.clone()).peekable();
        for (i, t) in tokens.into_iter().enumerate() {
            while cut.next_if(|r| r.end <= i).is_some() {}
            if !cut.peek().is_some_and(|r| r.contains(&i)) {
                kept.push(t);
            }
        }
        errors.extend(too_deep.into_iter().map(|(_, d)| d));
        kept
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
                if let StatementKind::CreateStream(d) = &mut kind {
                    crate::sql::annotation::substitute_with_options(&mut d.with, env, &mut errors);
                }
                let after = parser.peek_token();
                let upsert_on = matches!(&kind, StatementKind::Query(q) if q.upsert)
                    && matches!(&after.token, Token::Word(w) if w.keyword == sqlparser::keywords::Keyword::ON);
                if upsert_on {
                    errors.push(Diagnostic::new(
                        pos_of(&after),
                        "UPSERT INTO ... ON <condition> is not supported yet in this version of \
                         EventFlux: UPSERT replaces the row with the same primary key",
                    ));
                    skip_statement(&mut parser);
                } else if after.token != Token::SemiColon && after.token != Token::EOF {
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
    // sqlparser's end-of-input token has no position: such errors point at the app's end.
    let end = end_of(text);
    for d in &mut errors {
        if !d.pos.is_known() {
            d.pos = end;
        }
    }
    (app, errors)
}

/// Where the app's text ends (after its last character), for errors at the end of input.
fn end_of(text: &str) -> Pos {
    let line = text.split('\n').count().max(1);
    let last = text.rsplit('\n').next().unwrap_or("");
    Pos::new(line as u32, last.chars().count() as u32 + 1)
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
    // sqlparser's wording for the end of input, in ours.
    let msg = msg
        .replace("found: EOF", "found the end of the app")
        .replace("Expected: ", "expected ");
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

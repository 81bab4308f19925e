//! A bound on how deep a statement's expressions can nest, checked on the tokens before any
//! tree is built. sqlparser builds `x + x + ... + x` as a left-deep tree one level per
//! operator; the binder, the evaluator and even dropping that tree recurse once per level, so
//! a few thousand terms would overflow the stack. Counting operators per comma-separated
//! segment, plus the depth of the groups inside it, bounds the tree's depth from above.

use crate::sql::diagnostic::{Diagnostic, Pos};
use sqlparser::tokenizer::{Token, TokenWithSpan};

/// The deepest expression a statement may hold: past what people write (an OR of 100
/// comparisons is fine) and inside what the evaluator, which recurses once per level on the
/// sending thread, handles on a 2 MB stack in a debug build (about 4 KB a level there).
pub const MAX_EXPR_DEPTH: u32 = 256;

/// One open group: `(`, `[` or the statement itself.
#[derive(Default)]
struct Group {
    /// The depth where this group opens: its parents' operators and groups so far.
    base: u32,
    /// Operators in the current segment (since the last comma or clause keyword).
    ops: u32,
    /// The deepest group closed inside the current segment.
    inner: u32,
    /// The deepest segment so far.
    best: u32,
}

impl Group {
    fn segment(&self) -> u32 {
        self.ops + self.inner
    }
}

/// Statements (token ranges, `;` excluded) whose expressions nest deeper than `limit`, each
/// with a diagnostic at the token where the bound was passed.
pub fn too_deep(tokens: &[TokenWithSpan], limit: u32) -> Vec<(std::ops::Range<usize>, Diagnostic)> {
    let mut found = Vec::new();
    let mut start = 0;
    let mut stack = vec![Group::default()];
    let mut failed: Option<Diagnostic> = None;
    for (i, t) in tokens.iter().enumerate() {
        match &t.token {
            Token::SemiColon | Token::EOF => {
                if let Some(d) = failed.take() {
                    found.push((start..i, d));
                }
                start = i + 1;
                stack.clear();
                stack.push(Group::default());
                continue;
            }
            _ if failed.is_some() => continue,
            Token::LParen | Token::LBracket | Token::LBrace => {
                let base = stack.last().map_or(0, |g| g.base + g.segment() + 1);
                stack.push(Group {
                    base,
                    ..Group::default()
                });
            }
            // An unbalanced close is the parser's to report; depth only needs the bound.
            Token::RParen | Token::RBracket | Token::RBrace if stack.len() > 1 => {
                let g = stack.pop().unwrap_or_default();
                let depth = g.best.max(g.segment()) + 1;
                if let Some(top) = stack.last_mut() {
                    top.inner = top.inner.max(depth);
                }
            }
            token if starts_clause(token) || *token == Token::Comma => {
                if let Some(top) = stack.last_mut() {
                    top.best = top.best.max(top.segment());
                    top.ops = 0;
                    top.inner = 0;
                }
            }
            token if is_operator(token) => {
                if let Some(top) = stack.last_mut() {
                    top.ops += 1;
                }
            }
            _ => {}
        }
        let depth = stack.last().map_or(0, |g| g.base + g.segment());
        if depth > limit {
            let at: Pos = t.span.start.into();
            failed = Some(Diagnostic::new(
                at,
                format!(
                    "this statement's expression nests more than {limit} levels deep (each \
                     operator of a long chain such as a + b + ... or a OR b OR ... is a level); \
                     split it, or use IN (...) for a long OR of equalities"
                ),
            ));
        }
    }
    if let Some(d) = failed {
        found.push((start..tokens.len(), d));
    }
    found
}

/// Words that begin a clause: expressions on either side are siblings, not one chain.
fn starts_clause(token: &Token) -> bool {
    const WORDS: &[&str] = &[
        "SELECT", "FROM", "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET", "AS", "ON",
        "JOIN", "INTO", "SET", "OUTPUT", "WINDOW", "WITHIN", "WHEN", "THEN", "ELSE", "END",
    ];
    matches!(token, Token::Word(w) if w.quote_style.is_none()
        && WORDS.iter().any(|k| w.value.eq_ignore_ascii_case(k)))
}

/// Tokens that join or wrap operands: each one can add a level to the tree.
fn is_operator(token: &Token) -> bool {
    match token {
        Token::Word(w) if w.quote_style.is_none() => {
            const WORDS: &[&str] = &["AND", "OR", "NOT", "IS", "LIKE", "IN", "BETWEEN", "ESCAPE"];
            WORDS.iter().any(|k| w.value.eq_ignore_ascii_case(k))
        }
        Token::Word(_)
        | Token::Number(..)
        | Token::SingleQuotedString(_)
        | Token::DoubleQuotedString(_)
        | Token::NationalStringLiteral(_)
        | Token::HexStringLiteral(_)
        | Token::Whitespace(_)
        | Token::Comma
        | Token::Char(_)
        | Token::Placeholder(_) => false,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::parser::EventFluxDialect;
    use sqlparser::tokenizer::Tokenizer;

    fn check(sql: &str, limit: u32) -> Vec<String> {
        let tokens = Tokenizer::new(&EventFluxDialect, sql)
            .tokenize_with_location()
            .unwrap();
        too_deep(&tokens, limit)
            .into_iter()
            .map(|(_, d)| d.message)
            .collect()
    }

    #[test]
    fn long_chains_pass_the_bound_and_commas_reset_it() {
        let chain = |n: usize| vec!["x"; n].join(" + ");
        assert!(check(&format!("SELECT {} FROM S", chain(50)), 100).is_empty());
        assert_eq!(
            check(&format!("SELECT {} FROM S", chain(200)), 100).len(),
            1
        );
        // Many short expressions side by side are shallow.
        let wide = vec![chain(50); 20].join(", ");
        assert!(check(&format!("SELECT {wide} FROM S"), 100).is_empty());
        let ors = vec!["x > 1"; 60].join(" OR ");
        assert_eq!(check(&format!("SELECT x FROM S WHERE {ors}"), 100).len(), 1);
    }

    #[test]
    fn nesting_adds_to_the_operators_around_it() {
        let nested = format!("{}x{}", "(".repeat(60), ")".repeat(60));
        assert!(check(&format!("SELECT {nested} FROM S"), 100).is_empty());
        let both = format!("{} + {nested}", vec!["x"; 50].join(" + "));
        assert_eq!(check(&format!("SELECT {both} FROM S"), 100).len(), 1);
    }

    #[test]
    fn each_statement_is_checked_on_its_own() {
        let chain = vec!["x"; 200].join(" + ");
        let sql = format!("SELECT 1 FROM S; SELECT {chain} FROM S; SELECT 2 FROM S");
        let tokens = Tokenizer::new(&EventFluxDialect, &sql)
            .tokenize_with_location()
            .unwrap();
        let found = too_deep(&tokens, 100);
        assert_eq!(found.len(), 1);
        let (range, d) = &found[0];
        assert!(d.message.contains("more than 100 levels"), "{}", d.message);
        assert!(range.start > 0 && range.end < tokens.len());
    }
}

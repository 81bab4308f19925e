//! Binding and evaluation together: types, NULLs, folding and error texts.

use super::*;
use crate::clock::Clock;
use crate::event::Event;
use crate::functions::FunctionRegistry;
use crate::schema::Schema;
use crate::sql::diagnostic::Diagnostic;
use crate::sql::parser::EventFluxDialect;
use sqlparser::parser::Parser;

fn schema() -> Schema {
    Schema::of(
        "S",
        &[
            ("s", AttrType::String),
            ("i", AttrType::Int),
            ("l", AttrType::Long),
            ("d", AttrType::Double),
            ("n", AttrType::Int),
        ],
    )
}

fn bind(text: &str) -> Result<Bound, Diagnostic> {
    let functions = FunctionRegistry::with_builtins();
    let schema = schema();
    let scope = Scope {
        schema: &schema,
        alias: Some("x"),
        functions: &functions,
        aggregates: None,
        join: None,
        tables: &[],
    };
    let e = Parser::new(&EventFluxDialect)
        .try_with_sql(text)
        .unwrap()
        .parse_expr()
        .unwrap();
    scope.bind(&e)
}

fn eval(text: &str) -> Value {
    let b = bind(text).unwrap_or_else(|d| panic!("{text}: {}", d.message));
    let ev = Event::new(
        5,
        vec![
            Value::from("IBM"),
            Value::Int(7),
            Value::Long(10),
            Value::Double(2.5),
            Value::Null,
        ],
    );
    let clock = Clock::new(crate::clock::ClockMode::Playback);
    b.expr.eval(&ev, &EvalContext::new(&clock, &NoTables))
}

#[test]
fn arithmetic_widens_and_integer_division_stays_integer() {
    assert_eq!(eval("i / 2"), Value::Int(3));
    assert_eq!(eval("i + l"), Value::Long(17));
    assert_eq!(eval("i * d"), Value::Double(17.5));
    assert_eq!(eval("l % 4"), Value::Long(2));
    assert_eq!(bind("i + l").unwrap().ty, Some(AttrType::Long));
}

#[test]
fn division_by_zero_and_nulls_give_null() {
    assert_eq!(eval("i / 0"), Value::Null);
    assert_eq!(eval("d / 0"), Value::Null);
    assert_eq!(eval("i % 0"), Value::Null);
    assert_eq!(eval("n + 1"), Value::Null);
    assert_eq!(eval("n > 1"), Value::Null);
}

#[test]
fn three_valued_logic() {
    assert_eq!(eval("n > 1 AND i > 100"), Value::Bool(false));
    assert_eq!(eval("n > 1 OR i > 1"), Value::Bool(true));
    assert_eq!(eval("n > 1 OR i > 100"), Value::Null);
    assert_eq!(eval("NOT (n > 1)"), Value::Null);
    assert_eq!(eval("n IS NULL AND s IS NOT NULL"), Value::Bool(true));
}

#[test]
fn in_between_like_concat_case_cast() {
    assert_eq!(eval("s IN ('WSO2', 'IBM')"), Value::Bool(true));
    assert_eq!(eval("i NOT IN (1, 2)"), Value::Bool(true));
    assert_eq!(eval("i IN (1, NULL)"), Value::Null);
    assert_eq!(eval("d BETWEEN 2 AND 3"), Value::Bool(true));
    assert_eq!(eval("s LIKE 'I_M'"), Value::Bool(true));
    assert_eq!(eval("s LIKE '%B%'"), Value::Bool(true));
    assert_eq!(eval("s NOT LIKE 'ib%'"), Value::Bool(true));
    assert_eq!(eval("s ILIKE 'ib%'"), Value::Bool(true));
    assert_eq!(eval("s || '-' || i"), Value::from("IBM-7"));
    assert_eq!(
        eval("CASE WHEN i > 5 THEN 'big' ELSE 'small' END"),
        Value::from("big")
    );
    assert_eq!(
        eval("CASE s WHEN 'X' THEN 1 WHEN 'IBM' THEN 2.5 END"),
        Value::Double(2.5)
    );
    assert_eq!(eval("CASE WHEN i > 50 THEN 1 END"), Value::Null);
    assert_eq!(eval("CAST('42' AS INT) + 1"), Value::Int(43));
    assert_eq!(eval("CAST(d AS BIGINT)"), Value::Long(2));
    assert_eq!(eval("CAST('x' AS DOUBLE)"), Value::Null);
    assert_eq!(eval("x.i + S.i"), Value::Int(14));
    assert_eq!(eval("-i"), Value::Int(-7));
}

#[test]
fn type_errors_name_the_problem() {
    let d = bind("s > 3").err().unwrap();
    assert_eq!(d.message, "cannot compare STRING with INT");
    let d = bind("s + 1").err().unwrap();
    assert!(
        d.message
            .contains("'+' needs numbers, got STRING (use || or concat()"),
        "{}",
        d.message
    );
    let d = bind("prce > 1").err().unwrap();
    assert_eq!(d.message, "unknown attribute 'prce' in stream 'S'");
    let d = bind("q.i").err().unwrap();
    assert!(d.message.starts_with("unknown stream 'q'"), "{}", d.message);
    let d = bind("i AND 1 > 0").err().unwrap();
    assert_eq!(d.message, "AND needs a BOOL condition, got INT");
    let d = bind("CAST(i AS DATE)").err().unwrap();
    assert!(
        d.message.starts_with("cannot CAST to 'DATE'"),
        "{}",
        d.message
    );
    let d = bind("sum(i)").err().unwrap();
    assert!(
        d.message.contains("aggregates belong in SELECT"),
        "{}",
        d.message
    );
}

#[test]
fn like_matcher_edge_cases() {
    assert!(like("", "%", false));
    assert!(like("abc", "a%c", false));
    assert!(like("abcbc", "%bc", false));
    assert!(!like("abc", "a_", false));
    assert!(like("50%", "50\\%", false));
    assert!(!like("500", "50\\%", false));
    assert!(like("aXbXc", "a%b%c", false));
}

#[test]
fn constants_are_folded() {
    assert!(matches!(
        bind("1 + 2 * 3").unwrap().expr,
        Expr::Literal(Value::Int(7))
    ));
}

#[test]
fn unknown_functions_suggest_the_near_miss_scalar_or_aggregate() {
    let e = bind("uper(s)").err().unwrap();
    assert!(e.message.contains("did you mean 'upper'?"), "{}", e.message);
    let e = bind("avgg(d)").err().unwrap();
    assert!(
        e.message
            .contains("unknown function 'avgg' (did you mean 'avg'?)"),
        "{}",
        e.message
    );
}

//! The app AST: statements as written, with positions. Expressions stay sqlparser's `Expr`.

use crate::sql::annotation::Annotation;
use crate::sql::diagnostic::Pos;
use crate::value::AttrType;
pub use sqlparser::ast::{Expr, SelectItem};

/// A name as written, with where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Name {
    pub value: String,
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AttrDecl {
    pub name: Name,
    pub ty: AttrType,
}

/// A `WITH (key='value', ...)` option.
#[derive(Debug, Clone, PartialEq)]
pub struct WithOption {
    pub key: String,
    pub value: String,
    pub key_pos: Pos,
    pub value_pos: Pos,
}

/// `CREATE STREAM Name (attr TYPE, ...) [WITH (...)]`.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamDecl {
    pub name: Name,
    pub attrs: Vec<AttrDecl>,
    pub with: Vec<WithOption>,
}

/// Which events an `INSERT` forwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputEvents {
    #[default]
    Current,
    Expired,
    All,
}

/// `INSERT [CURRENT|EXPIRED|ALL EVENTS] INTO Target SELECT ... FROM Source [AS a] [WHERE ...]`.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryDecl {
    pub output: OutputEvents,
    pub target: Name,
    pub projection: Vec<SelectItem>,
    pub projection_pos: Pos,
    pub from: Name,
    pub alias: Option<Name>,
    pub filter: Option<Expr>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StatementKind {
    CreateStream(StreamDecl),
    Query(Box<QueryDecl>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub pos: Pos,
    /// The annotations written just before this statement.
    pub annotations: Vec<Annotation>,
    pub kind: StatementKind,
}

/// A parsed app.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AppAst {
    /// `@app:...` annotations, wherever they were written.
    pub app_annotations: Vec<Annotation>,
    pub statements: Vec<Statement>,
}

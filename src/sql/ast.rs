//! The app AST: statements as written, with positions. Expressions stay sqlparser's `Expr`.

pub use crate::calendar::Granularity;
pub use crate::lang::{JoinKind, Logic, OutputEvents, OutputEvery, OutputMode, OutputRate};
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
    /// `${VAR}` already substituted, as in annotations.
    pub value: String,
    pub key_pos: Pos,
    pub value_pos: Pos,
    /// Values that came from the environment for a secret name (redacted wherever text leaves).
    pub secrets: Vec<String>,
}

/// `CREATE STREAM Name (attr TYPE, ...) [WITH (...)]`.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamDecl {
    pub name: Name,
    pub attrs: Vec<AttrDecl>,
    pub with: Vec<WithOption>,
    /// `CREATE TABLE`: rows kept in memory, written by queries, read by joins and on demand.
    pub table: bool,
    /// `PRIMARY KEY (a, b)` (tables).
    pub primary_key: Vec<Name>,
    /// `CREATE WINDOW W (...) WINDOW ...`: a named window, the window every reader applies.
    pub named_window: Option<WindowDecl>,
}

/// One argument of a window: an expression, or a time literal such as `5 SECONDS`.
#[derive(Debug, Clone, PartialEq)]
pub enum WindowArg {
    Expr(Box<Expr>),
    Duration { ms: i64, pos: Pos },
}

/// `WINDOW('name', args...)`, or the aliases `WINDOW TUMBLING(t)`, `WINDOW SLIDING(size, slide)`,
/// `WINDOW HOP(size, slide)`, `WINDOW SESSION(gap)`.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowDecl {
    pub name: Name,
    pub args: Vec<WindowArg>,
}

/// One side of a FROM clause.
#[derive(Debug, Clone, PartialEq)]
pub struct FromSide {
    pub stream: Name,
    pub alias: Option<Name>,
    pub window: Option<WindowDecl>,
    pub unidirectional: bool,
}

/// `[INNER|LEFT|RIGHT|FULL [OUTER]] JOIN side [ON condition]`.
#[derive(Debug, Clone, PartialEq)]
pub struct JoinDecl {
    pub kind: JoinKind,
    pub right: FromSide,
    pub on: Option<Expr>,
    pub pos: Pos,
}

/// `alias=Stream[filter]` in a pattern or sequence.
#[derive(Debug, Clone, PartialEq)]
pub struct PatternElement {
    pub alias: Name,
    pub stream: Name,
    pub filter: Option<Expr>,
    pub every: bool,
    /// `e2=B and e3=C` / `e2=B or e3=C`: set on the second element, which shares the first's
    /// step.
    pub joined: Option<Logic>,
    /// `not B[cond] for t` (Some(t) ms) or `not B[cond] and e=C` (None): the element must not
    /// occur. Its alias is generated and it binds nothing in the match.
    pub absent: Option<Option<i64>>,
    /// `e1=A<2:5>` (also `{2,5}`, `<2:>`, `+`): how many events the element collects, (min,
    /// max; None = no limit).
    pub count: Option<(u32, Option<u32>)>,
}

/// `PATTERN (...)` (followed-by, `->`) or `SEQUENCE (...)` (strict contiguity, `,`).
#[derive(Debug, Clone, PartialEq)]
pub struct PatternDecl {
    pub sequence: bool,
    /// `every ( ... )` groups: the elements `start..end` of each, in order. A new attempt at a
    /// group starts only after the previous one got through it.
    pub every_groups: Vec<std::ops::Range<usize>>,
    pub elements: Vec<PatternElement>,
    pub within: Option<i64>,
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OrderItem {
    pub expr: Expr,
    pub asc: bool,
}

/// `INSERT [CURRENT|EXPIRED|ALL EVENTS] INTO Target SELECT ... FROM Source [AS a]
/// [WINDOW ...] [WHERE ...] [GROUP BY ...] [HAVING ...] [ORDER BY ...] [LIMIT n] [OFFSET m]
/// [OUTPUT ...]`.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryDecl {
    /// `UPSERT INTO T ...`: replace the row with the same primary key, else insert.
    pub upsert: bool,
    pub output: OutputEvents,
    pub target: Name,
    pub projection: Vec<SelectItem>,
    pub projection_pos: Pos,
    pub from: Name,
    pub alias: Option<Name>,
    pub window: Option<WindowDecl>,
    /// `UNIDIRECTIONAL` on the first side: only its arrivals trigger the join.
    pub unidirectional: bool,
    pub join: Option<Box<JoinDecl>>,
    /// `FROM PATTERN (...)` / `FROM SEQUENCE (...)`; `from` is then the first element's stream.
    pub pattern: Option<Box<PatternDecl>>,
    pub filter: Option<Expr>,
    pub group_by: Vec<Expr>,
    pub having: Option<Expr>,
    pub order_by: Vec<OrderItem>,
    pub limit: Option<u64>,
    pub offset: Option<u64>,
    pub output_rate: Option<OutputRate>,
    /// `FROM Agg WITHIN from, to PER 'granularity'` (or `WITHIN '2026-06-** **:**:**'`, one
    /// value with wildcards): reads an aggregation. In a join they may be expressions over the
    /// joining event.
    pub within: Option<(Expr, Option<Expr>, Expr)>,
}

/// `CREATE AGGREGATION Name AS SELECT ... FROM S [WHERE ...] GROUP BY ... AGGREGATE [BY ts]
/// EVERY SECONDS ... YEARS`.
#[derive(Debug, Clone, PartialEq)]
pub struct AggregationDecl {
    pub name: Name,
    pub projection: Vec<SelectItem>,
    pub projection_pos: Pos,
    pub from: Name,
    pub filter: Option<Expr>,
    pub group_by: Vec<Expr>,
    /// The BIGINT attribute (epoch ms) that places events in time; default the event time.
    pub by: Option<Name>,
    pub every: Vec<Granularity>,
    pub every_pos: Pos,
}

/// When a trigger fires.
#[derive(Debug, Clone, PartialEq)]
pub enum TriggerWhen {
    Start,
    Every(i64),
    Cron { expr: String, pos: Pos },
}

/// `CREATE TRIGGER Name AT (START | EVERY t | CRON 'expr')`: a stream with one
/// `triggered_time BIGINT` attribute, driven by the app clock.
#[derive(Debug, Clone, PartialEq)]
pub struct TriggerDecl {
    pub name: Name,
    pub when: TriggerWhen,
}

/// How a partition splits one stream.
#[derive(Debug, Clone, PartialEq)]
pub enum PartitionKeyKind {
    /// `expr OF S`: one partition per distinct value.
    Value(Box<Expr>),
    /// `cond AS 'label' OR ... OF S`: one partition per label.
    Range(Vec<(Expr, String)>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct PartitionKeyDecl {
    pub stream: Name,
    pub key: PartitionKeyKind,
}

/// `PARTITION WITH (...) BEGIN queries END`.
#[derive(Debug, Clone, PartialEq)]
pub struct PartitionDecl {
    pub keys: Vec<PartitionKeyDecl>,
    pub statements: Vec<Statement>,
    pub pos: Pos,
}

/// What a table mutation does to the rows it matches.
#[derive(Debug, Clone, PartialEq)]
pub enum TableChange {
    Delete,
    /// `SET attr = expr, ...`
    Update(Vec<(Name, Expr)>),
}

/// `DELETE FROM T USING S [AS s] WHERE cond` / `UPDATE T SET a = expr FROM S [AS s] WHERE cond`:
/// every event of S changes the rows of T that the condition matches.
#[derive(Debug, Clone, PartialEq)]
pub struct TableWriteDecl {
    pub change: TableChange,
    pub table: Name,
    pub stream: Name,
    pub alias: Option<Name>,
    pub condition: Option<Expr>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StatementKind {
    TableWrite(Box<TableWriteDecl>),
    CreateAggregation(Box<AggregationDecl>),
    CreateStream(StreamDecl),
    CreateTrigger(TriggerDecl),
    Partition(Box<PartitionDecl>),
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

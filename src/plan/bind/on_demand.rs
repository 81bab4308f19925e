//! On-demand queries (`App::query`): `SELECT ... FROM Table [WHERE ...] [LIMIT n]` or
//! `SELECT ... FROM Agg WITHIN from, to PER 'granularity'`, parsed and bound against a compiled
//! app's plan into an [`OnDemandPlan`] the runtime runs over a snapshot.

use crate::calendar::Granularity;
use crate::functions::FunctionRegistry;
use crate::plan::expr::{Expr, Scope, TableRef};
use crate::plan::graph::{AppPlan, StreamId};
use crate::sql::ast::{SelectItem, StatementKind};
use crate::sql::diagnostic::{CompileErrors, Diagnostic};
use crate::suggest::did_you_mean;
use std::fmt;

/// What an on-demand query reads.
#[derive(Debug, Clone)]
pub enum OnDemandSource {
    /// A table, by stream id.
    Table(StreamId),
    /// An aggregation (index into `AppPlan::aggregations`): buckets of `granularity` starting
    /// in `[from, to)`.
    Aggregation {
        index: usize,
        from: i64,
        to: i64,
        granularity: Granularity,
    },
}

/// A bound on-demand query: the filter and projection read the source's rows.
#[derive(Debug, Clone)]
pub struct OnDemandPlan {
    pub source: OnDemandSource,
    pub filter: Option<Expr>,
    pub projection: Vec<Expr>,
    pub limit: Option<u64>,
}

/// Why an on-demand query was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum OnDemandError {
    /// It does not parse or bind: the diagnostics, rendered against the query text.
    Compile(CompileErrors),
    /// It parses but reads what on-demand queries cannot (a stream, a window, ...).
    Unsupported(String),
    UnknownStream(String),
}

impl fmt::Display for OnDemandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OnDemandError::Compile(e) => e.fmt(f),
            OnDemandError::Unsupported(m) | OnDemandError::UnknownStream(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for OnDemandError {}

/// Parses and binds `sql` against a compiled app.
pub fn bind_on_demand(
    sql: &str,
    plan: &AppPlan,
    functions: &FunctionRegistry,
) -> Result<OnDemandPlan, OnDemandError> {
    use OnDemandError::Unsupported;
    let text = format!("INSERT INTO OnDemand {}", sql.trim().trim_end_matches(';'));
    let fail = |errors: Vec<Diagnostic>| {
        OnDemandError::Compile(CompileErrors {
            file: "query".into(),
            source: text.clone(),
            errors,
        })
    };
    let (ast, errors) = crate::sql::parse_app(&text, &|_| None);
    if !errors.is_empty() {
        return Err(fail(errors));
    }
    let Some(StatementKind::Query(q)) = ast.statements.first().map(|s| &s.kind) else {
        return Err(Unsupported(
            "expected SELECT ... FROM Table [WHERE ...]".into(),
        ));
    };
    let aggregation = plan
        .aggregations
        .iter()
        .position(|a| a.name.eq_ignore_ascii_case(&q.from.value));
    let (schema, source) = match (aggregation, &q.within) {
        (Some(index), Some((from, to, per))) => {
            let agg = &plan.aggregations[index];
            let (from, to, granularity) = crate::plan::bind::within::parse_within(
                from,
                to.as_ref(),
                per,
                &agg.levels,
                &agg.name,
            )
            .map_err(|e| Unsupported(e.to_string()))?;
            let source = OnDemandSource::Aggregation {
                index,
                from,
                to,
                granularity,
            };
            (&agg.schema, source)
        }
        (Some(index), None) => {
            let agg = &plan.aggregations[index];
            return Err(Unsupported(format!(
                "'{}' is an aggregation: read it with WITHIN from, to PER '{}'",
                agg.name,
                agg.levels[0].name()
            )));
        }
        (None, _) => {
            let Some(id) = plan.stream_id(&q.from.value) else {
                return Err(OnDemandError::UnknownStream(format!(
                    "unknown stream '{}'{}",
                    q.from.value,
                    did_you_mean(&q.from.value, plan.streams.iter().map(|s| s.schema.name()))
                )));
            };
            if plan.streams[id].table.is_none() {
                return Err(Unsupported(format!(
                    "'{}' is a stream: on-demand queries read tables and aggregations",
                    q.from.value
                )));
            }
            if q.within.is_some() {
                return Err(Unsupported(format!(
                    "'{}' is a table: WITHIN ... PER reads aggregations",
                    q.from.value
                )));
            }
            (&plan.streams[id].schema, OnDemandSource::Table(id))
        }
    };
    if q.window.is_some()
        || q.join.is_some()
        || q.pattern.is_some()
        || !q.group_by.is_empty()
        || q.output_rate.is_some()
    {
        return Err(Unsupported(
            "on-demand queries take SELECT ... FROM Table [WHERE ...] [LIMIT n]".into(),
        ));
    }
    let tables = table_refs(plan);
    let scope = Scope {
        schema,
        alias: q.alias.as_ref().map(|a| a.value.as_str()),
        functions,
        aggregates: None,
        join: None,
        tables: &tables,
    };
    let filter = q
        .filter
        .as_ref()
        .map(|f| scope.bind(f))
        .transpose()
        .map_err(|d| fail(vec![d]))?
        .map(|b| b.expr);
    let mut projection = Vec::new();
    for item in &q.projection {
        match item {
            SelectItem::Wildcard(_) => projection.extend((0..schema.len()).map(Expr::Attr)),
            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                projection.push(scope.bind(e).map_err(|d| fail(vec![d]))?.expr)
            }
            other => return Err(Unsupported(format!("'{other}' is not supported here"))),
        }
    }
    Ok(OnDemandPlan {
        source,
        filter,
        projection,
        limit: q.limit,
    })
}

/// The app's tables as `x IN T` sees them.
fn table_refs(plan: &AppPlan) -> Vec<TableRef> {
    plan.streams
        .iter()
        .enumerate()
        .filter_map(|(id, s)| {
            let t = s.table.as_ref()?;
            Some(TableRef {
                name: s.schema.name().to_string(),
                key: match t.primary_key[..] {
                    [k] => Some(s.schema.attrs()[k].ty),
                    _ => None,
                },
                id,
            })
        })
        .collect()
}

//! `PARTITION WITH (expr OF S, ...) BEGIN ... END`: the partitioned streams, their value or
//! range keys, and `@purge` of idle keys.

use super::{unknown_annotation, Binder};
use crate::plan::expr::Scope;
use crate::plan::graph::*;
use crate::sql::ast::*;
use crate::sql::diagnostic::Diagnostic;
use crate::suggest::did_you_mean;
use crate::value::AttrType;

impl Binder<'_> {
    /// `PARTITION WITH (...)`: resolves the partitioned streams and their keys.
    pub(super) fn bind_partition(
        &self,
        st: &Statement,
        d: &PartitionDecl,
        plan: &mut AppPlan,
        errors: &mut Vec<Diagnostic>,
    ) -> Option<usize> {
        let tables = self.tables.borrow();
        let mut keys = Vec::new();
        let mut ok = true;
        for k in &d.keys {
            let Some(id) = plan.stream_id(&k.stream.value) else {
                let names: Vec<&str> = plan.streams.iter().map(|s| s.schema.name()).collect();
                errors.push(Diagnostic::new(
                    k.stream.pos,
                    format!(
                        "unknown stream '{}'{}",
                        k.stream.value,
                        did_you_mean(&k.stream.value, names.iter().copied())
                    ),
                ));
                ok = false;
                continue;
            };
            let schema = plan.streams[id].schema.clone();
            let scope = Scope {
                schema: &schema,
                alias: None,
                functions: self.functions,
                aggregates: None,
                join: None,
                tables: &tables,
            };
            let key = match &k.key {
                PartitionKeyKind::Value(e) => match scope.bind(e) {
                    Ok(b) => PartitionKey::Value(b.expr),
                    Err(d) => {
                        errors.push(d);
                        ok = false;
                        continue;
                    }
                },
                PartitionKeyKind::Range(ranges) => {
                    let mut out = Vec::new();
                    for (cond, label) in ranges {
                        match scope.bind(cond) {
                            Ok(b) if b.ty.is_none() || b.ty == Some(AttrType::Bool) => {
                                out.push((b.expr, label.clone()))
                            }
                            Ok(_) => {
                                errors.push(Diagnostic::new(
                                    sqlparser::ast::Spanned::span(cond).start.into(),
                                    format!("range '{label}' needs a BOOL condition"),
                                ));
                                ok = false;
                            }
                            Err(d) => {
                                errors.push(d);
                                ok = false;
                            }
                        }
                    }
                    PartitionKey::Range(out)
                }
            };
            keys.push((id, key));
        }
        let mut purge = None;
        for a in &st.annotations {
            if a.name != "purge" {
                errors.push(unknown_annotation(a, &a.name, &["purge"]));
                continue;
            }
            let ms = |key: &str, default: i64| -> Result<i64, Diagnostic> {
                match a.element(key) {
                    None => Ok(default),
                    Some(e) => crate::lang::duration_text_ms(&e.value).ok_or_else(|| Diagnostic::new(e.value_pos, format!("@purge {key} must be a time such as '10 sec' or '1 hour', got '{}'", e.value))),
                }
            };
            let enabled = a
                .get("enable")
                .is_none_or(|v| v.eq_ignore_ascii_case("true"));
            match (ms("interval", 10_000), ms("idle.period", 3_600_000)) {
                (Ok(interval), Ok(idle)) if enabled => purge = Some(PurgePlan { interval, idle }),
                (Ok(_), Ok(_)) => {}
                (a, b) => {
                    errors.extend(a.err());
                    errors.extend(b.err());
                    ok = false;
                }
            }
        }
        if !ok {
            return None;
        }
        plan.partitions.push(PartitionPlan { keys, purge });
        Some(plan.partitions.len() - 1)
    }
}

//! `FROM PATTERN (...)` / `FROM SEQUENCE (...)`: the elements' streams and filters, counting,
//! and/or pairs, absent elements and `every` groups, over the combined row.

use super::query::Row;
use super::{bind_condition, Binder};
use crate::plan::expr::{JoinNames, Scope, TableRef};
use crate::plan::graph::*;
use crate::schema::Schema;
use crate::sql::ast::{PatternDecl, QueryDecl};
use crate::sql::diagnostic::Diagnostic;

/// How many first occurrences a counting element keeps for `e1[i]` (besides `e1[last]`).
pub(super) fn counted_slots(max: Option<u32>) -> usize {
    max.map_or(8, |m| (m as usize).min(16))
}

impl Binder<'_> {
    /// The pattern's steps: each element's filter sees its own attributes unqualified and
    /// earlier elements' by alias; the second element of an and/or pair shares its step.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn bind_pattern(
        &self,
        q: &QueryDecl,
        pat: &PatternDecl,
        elements: &[(StreamId, Schema)],
        row: &Row,
        tables: &[TableRef],
        errors: &mut Vec<Diagnostic>,
        ok: &mut bool,
    ) -> Option<PatternPlan> {
        if q.window.is_some() {
            errors.push(Diagnostic::new(
                pat.pos,
                "a pattern takes no WINDOW: bound it with WITHIN",
            ));
            *ok = false;
        }
        let mut steps: Vec<PatternElementPlan> = Vec::new();
        for (k, el) in pat.elements.iter().enumerate() {
            let names = JoinNames {
                sides: pat
                    .elements
                    .iter()
                    .zip(elements)
                    .zip(&row.offsets)
                    .take(k + 1)
                    .map(|((e, (_, s)), o)| (s, Some(e.alias.value.as_str()), *o))
                    .collect(),
                unqualified: Some(k),
                counted: row.kept.clone(),
            };
            let scope = Scope {
                schema: &row.schema,
                alias: None,
                functions: self.functions,
                aggregates: None,
                join: Some(&names),
                tables,
            };
            let what = format!("the filter of '{}'", el.alias.value);
            let filter =
                bind_condition(&scope, el.filter.as_ref(), &what, el.alias.pos, errors, ok);
            let element = PatternElementPlan {
                stream: elements[k].0,
                filter,
                offset: row.offsets[k],
                width: elements[k].1.len(),
                every: k > 0 && el.every,
                partner: None,
                absent: el.absent,
                count: el.count.map(|(min, max)| CountPlan {
                    min,
                    max,
                    kept: counted_slots(max),
                }),
            };
            match (el.joined, steps.last_mut()) {
                (Some(logic), Some(step)) => step.partner = Some((logic, Box::new(element))),
                _ => steps.push(element),
            }
        }
        // `every ( ... )` groups in steps: an and/or pair is one step.
        let step = |i: usize| {
            pat.elements[..=i]
                .iter()
                .filter(|e| e.joined.is_none())
                .count()
                - 1
        };
        Some(PatternPlan {
            elements: steps,
            sequence: pat.sequence,
            every_first: pat.elements[0].every,
            every_groups: pat
                .every_groups
                .iter()
                .map(|g| (step(g.start), step(g.end - 1)))
                .collect(),
            within: pat.within,
            width: row.schema.len(),
        })
    }
}

//! An app's dataflow as JSON for the dashboard (nodes and edges, ids as in the Graphviz dot
//! `eventflux check --dot` prints) and as dot.

use crate::plan::graph::AppPlan;
use serde_json::{json, Value};

/// `{"nodes": [{id, kind, label}], "edges": [{from, to}], "dot": "digraph ..."}`. Kinds:
/// `stream`, `table`, `source`, `sink`, `query`.
pub fn graph_json(plan: &AppPlan) -> Value {
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    for (i, s) in plan.streams.iter().enumerate() {
        if s.aggregation.is_some() {
            continue;
        }
        let kind = if s.table.is_some() { "table" } else { "stream" };
        nodes.push(json!({"id": format!("s{i}"), "kind": kind, "label": s.schema.name()}));
        for (j, c) in s.sources.iter().enumerate() {
            let id = format!("src{i}_{j}");
            nodes.push(json!({"id": id, "kind": "source", "label": c.config.kind}));
            edges.push(json!({"from": id, "to": format!("s{i}")}));
        }
        for (j, c) in s.sinks.iter().enumerate() {
            let id = format!("sink{i}_{j}");
            nodes.push(json!({"id": id, "kind": "sink", "label": c.config.kind}));
            edges.push(json!({"from": format!("s{i}"), "to": id}));
        }
    }
    for (k, q) in plan.queries.iter().enumerate() {
        let id = format!("q{k}");
        nodes.push(json!({"id": id, "kind": "query", "label": q.name}));
        for s in q.inputs() {
            edges.push(json!({"from": format!("s{s}"), "to": id}));
        }
        edges.push(json!({"from": id, "to": format!("s{}", q.output)}));
    }
    json!({"nodes": nodes, "edges": edges, "dot": plan.to_dot()})
}

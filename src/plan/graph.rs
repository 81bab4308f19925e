//! The dataflow graph a compiled app runs: streams (with their connectors) and the queries
//! between them.

use crate::connector::config::ConnectorConfig;
use crate::connector::error::ErrorStrategy;
use crate::lang::{OutputEvents, OutputRate};
use crate::plan::expr::{AggregateCall, Expr};
use crate::plan::window::WindowSpec;
use crate::schema::Schema;
use crate::sql::diagnostic::Pos;
use std::fmt::Write;

/// Index of a stream in [`AppPlan::streams`].
pub type StreamId = usize;

/// How a dead-letter stream's attribute is filled.
#[derive(Debug, Clone, PartialEq)]
pub enum DlqField {
    /// The raw payload as STRING (lossy UTF-8) or BYTES.
    Payload {
        bytes: bool,
    },
    Error,
    Connector,
    Stream,
    Ts,
    /// The failed event's attribute at this index (same name and type).
    EventAttr(usize),
    Null,
}

#[derive(Debug, Clone)]
pub struct DlqPlan {
    pub stream: StreamId,
    pub fields: Vec<DlqField>,
}

/// A validated `@source` / `@sink` binding.
#[derive(Debug, Clone)]
pub struct ConnectorPlan {
    pub config: ConnectorConfig,
    /// A source's side streams (see `SourceFactory::side_streams`): parameter and stream.
    pub side_outputs: Vec<(String, StreamId)>,
    pub strategy: ErrorStrategy,
    pub dlq: Option<DlqPlan>,
    pub pos: Pos,
}

#[derive(Debug, Clone)]
pub struct StreamPlan {
    pub schema: Schema,
    /// Declared with CREATE STREAM (false = inferred from a query's projection).
    pub declared: bool,
    /// `@async(buffer.size=N)`: a bounded queue and a worker thread between senders and
    /// subscribers.
    pub async_buffer: Option<usize>,
    pub sources: Vec<ConnectorPlan>,
    pub sinks: Vec<ConnectorPlan>,
    /// Set for `CREATE TRIGGER` streams.
    pub trigger: Option<TriggerPlan>,
    /// Inner (`#`) streams: the partition they live in (one instance per key).
    pub inner_of: Option<usize>,
    /// `CREATE TABLE`: kept rows instead of a flow of events.
    pub table: Option<TablePlan>,
    /// The aggregation (index into `AppPlan::aggregations`) this name stands for in joins.
    pub aggregation: Option<usize>,
    /// `CREATE WINDOW`: the window every query reading this stream applies (a named window:
    /// `FROM W` and `JOIN W` see its contents, the same for every reader).
    pub named_window: Option<WindowSpec>,
    pub pos: Pos,
}

/// A stream's events deleting or updating the table rows a condition matches.
#[derive(Debug, Clone)]
pub struct TableWritePlan {
    pub table: StreamId,
    pub stream: StreamId,
    /// Over the combined row: the table's attributes, then the stream's.
    pub condition: Option<Expr>,
    /// UPDATE: (table attribute, new value over the combined row).
    pub sets: Vec<(usize, Expr)>,
    pub delete: bool,
}

#[derive(Debug, Clone)]
pub struct TablePlan {
    /// Attribute indices of the primary key (empty: none).
    pub primary_key: Vec<usize>,
    /// Attributes with a secondary hash index (`@index('v')`).
    pub indexed: Vec<usize>,
}

/// When a trigger stream emits its `triggered_time`.
#[derive(Debug, Clone)]
pub enum TriggerPlan {
    Start,
    Every(i64),
    Cron(std::sync::Arc<cron::Schedule>),
}

/// What a query emits per passing event.
#[derive(Debug, Clone)]
pub enum Projection {
    /// `SELECT *` into a stream of the same shape: the event's values are shared, not copied.
    PassThrough,
    Exprs(Vec<Expr>),
}

/// The stateful part of a query: window, aggregation, grouping and output control.
#[derive(Debug, Clone)]
pub struct SelectPlan {
    pub window: Option<WindowSpec>,
    pub aggregates: Vec<AggregateCall>,
    pub group_by: Vec<Expr>,
    /// Evaluated over the output row.
    pub having: Option<Expr>,
    /// (output attribute index, ascending).
    pub order_by: Vec<(usize, bool)>,
    pub limit: Option<u64>,
    pub offset: Option<u64>,
    pub output_rate: Option<OutputRate>,
}

/// A two-stream join: each side has its own window (or none: it retains nothing).
#[derive(Debug, Clone)]
pub struct JoinPlan {
    /// The right-hand stream (the query's `input` is the left).
    pub right: StreamId,
    pub kind: crate::lang::JoinKind,
    pub left_window: Option<WindowSpec>,
    pub right_window: Option<WindowSpec>,
    /// Whether arrivals on each side trigger the join (both, unless one side is UNIDIRECTIONAL).
    pub left_triggers: bool,
    pub right_triggers: bool,
    /// Over the combined row (left attributes, then right).
    pub on: Option<Expr>,
    /// An equality of one attribute per side: the windows are hash-indexed by it.
    pub keys: Option<(usize, usize)>,
    pub left_len: usize,
    pub right_len: usize,
    /// The right side is an aggregation read `WITHIN from, to PER granularity`.
    pub right_within: Option<AggregationJoin>,
}

/// An aggregation as a join side: the buckets of one granularity in a time range.
#[derive(Debug, Clone)]
pub struct AggregationJoin {
    /// Index into `AppPlan::aggregations`.
    pub aggregation: usize,
    pub range: WithinRange,
}

/// Which buckets an aggregation join reads.
#[derive(Debug, Clone)]
pub enum WithinRange {
    /// Constants: the same range for every event.
    Fixed {
        from: i64,
        to: i64,
        granularity: crate::calendar::Granularity,
    },
    /// Expressions over the joining event, evaluated for each one.
    PerEvent {
        from: Expr,
        /// None: `from` names a whole period ('2026-06-** **:**:**').
        to: Option<Expr>,
        per: Expr,
        levels: Vec<crate::calendar::Granularity>,
        name: String,
    },
}

#[derive(Debug, Clone)]
pub struct PatternElementPlan {
    pub stream: StreamId,
    /// Over the combined row; reads this element's attributes and earlier elements'.
    pub filter: Option<Expr>,
    /// Where this element's attributes start in the combined row.
    pub offset: usize,
    pub width: usize,
    /// `every` on a later element: a partial match waiting here stays after it advances, so
    /// each further matching event advances it again.
    pub every: bool,
    /// `this and other` / `this or other`: the second element of this step.
    pub partner: Option<(crate::lang::Logic, Box<PatternElementPlan>)>,
    /// `not S[cond] for t` (Some(t)): the step is met when no such event comes within t of
    /// the step starting; `not S[cond] and e=C` (None): C meets it unless such an event came
    /// first.
    pub absent: Option<Option<i64>>,
    /// `e1=A<min:max>`: the element collects events; the match may move on after `min`.
    pub count: Option<CountPlan>,
}

/// How many latest occurrences of a counting element the row keeps: `e1[last]` to
/// `e1[last - 3]`.
pub const LAST_KEPT: usize = 4;

/// A counting element's bounds, and how many first occurrences the row keeps.
#[derive(Debug, Clone, Copy)]
pub struct CountPlan {
    pub min: u32,
    pub max: Option<u32>,
    /// Occurrence slots 0..kept for `e1[i]`; slots `kept + n` hold `e1[last - n]` for
    /// n < LAST_KEPT.
    pub kept: usize,
}

/// `PATTERN` (followed-by) or `SEQUENCE` (strict contiguity) over several streams.
#[derive(Debug, Clone)]
pub struct PatternPlan {
    /// The steps in order; a step with a partner is an and/or pair.
    pub elements: Vec<PatternElementPlan>,
    pub sequence: bool,
    /// `every` on the first element: each match of it starts a new attempt.
    pub every_first: bool,
    /// `every ( ... )` groups: first and last step of each, in order. A group at the start
    /// starts a new attempt only after the previous one got through it; a later group is
    /// re-entered by the same attempt each time it got through it (or was ended inside it).
    pub every_groups: Vec<(usize, usize)>,
    pub within: Option<i64>,
    /// Attributes in the combined row.
    pub width: usize,
}

impl PatternPlan {
    /// The `every ( ... )` group that opens the pattern, as its last step.
    pub fn leading_every_group(&self) -> Option<usize> {
        self.every_groups
            .first()
            .filter(|(first, _)| *first == 0)
            .map(|(_, last)| *last)
    }

    /// The `every ( ... )` group after the first step that holds step `k`.
    pub fn later_every_group_at(&self, k: usize) -> Option<(usize, usize)> {
        self.every_groups
            .iter()
            .copied()
            .find(|(first, last)| *first > 0 && (*first..=*last).contains(&k))
    }

    /// Where the attributes of steps `first..=last` lie in the combined row.
    pub fn row_span(&self, first: usize, last: usize) -> std::ops::Range<usize> {
        let end = self
            .elements
            .get(last + 1)
            .map_or(self.width, |next| next.offset);
        self.elements[first].offset..end
    }

    /// Every stream the pattern reads, both elements of and/or pairs included.
    pub fn streams(&self) -> impl Iterator<Item = StreamId> + '_ {
        self.elements.iter().flat_map(|e| {
            std::iter::once(e.stream).chain(e.partner.as_ref().map(|(_, o)| o.stream))
        })
    }
}

#[derive(Debug, Clone)]
pub struct QueryPlan {
    pub name: String,
    pub input: StreamId,
    pub output: StreamId,
    pub filter: Option<Expr>,
    pub projection: Projection,
    pub output_events: OutputEvents,
    /// `None` for stateless filter-and-project queries.
    pub select: Option<SelectPlan>,
    /// Joins: the right side and both windows. `filter` then applies to joined rows.
    pub join: Option<JoinPlan>,
    pub pattern: Option<PatternPlan>,
    /// Queries inside `PARTITION ... BEGIN ... END`: their state is per key.
    pub partition: Option<usize>,
    /// `UPSERT INTO table`: replace the row with the same primary key.
    pub upsert: bool,
    pub pos: Pos,
}

impl QueryPlan {
    /// Every stream the query reads, in order: its input, a join's right side, each stream of
    /// a pattern or sequence (once each).
    /// The inputs whose events make this query emit: a join side that does not trigger (a
    /// table, the far side of UNIDIRECTIONAL) only holds what it receives.
    pub fn triggering_inputs(&self) -> Vec<StreamId> {
        let mut out = self.inputs();
        if let Some(j) = &self.join {
            out.retain(|s| {
                (*s == self.input && j.left_triggers) || (*s == j.right && j.right_triggers)
            });
        }
        out
    }

    pub fn inputs(&self) -> Vec<StreamId> {
        let mut out = vec![self.input];
        out.extend(self.join.as_ref().map(|j| j.right));
        if let Some(p) = &self.pattern {
            out.extend(p.streams());
        }
        let mut seen = Vec::with_capacity(out.len());
        out.retain(|s| {
            let first = !seen.contains(s);
            seen.push(*s);
            first
        });
        out
    }
}

/// How a partition keys one stream's events.
#[derive(Debug, Clone)]
pub enum PartitionKey {
    Value(Expr),
    /// (condition, label): an event goes to every range it satisfies.
    Range(Vec<(Expr, String)>),
}

/// `@purge`: drop the state of keys idle for `idle`, checked every `interval`.
#[derive(Debug, Clone, Copy)]
pub struct PurgePlan {
    pub interval: i64,
    pub idle: i64,
}

#[derive(Debug, Clone)]
pub struct PartitionPlan {
    pub keys: Vec<(StreamId, PartitionKey)>,
    pub purge: Option<PurgePlan>,
}

#[derive(Debug, Clone)]
pub struct AppPlan {
    pub name: String,
    pub playback: bool,
    pub streams: Vec<StreamPlan>,
    pub queries: Vec<QueryPlan>,
    pub partitions: Vec<PartitionPlan>,
    pub table_writes: Vec<TableWritePlan>,
    pub aggregations: Vec<AggregationPlan>,
    /// Finds streams by name in constant time (the binder looks up every query's input and
    /// output); kept up to date lazily, as streams are only ever appended.
    pub names: NameIndex,
}

/// Stream ids by exact and by case-folded name, for the streams indexed so far.
#[derive(Debug, Default)]
pub struct NameIndex(parking_lot::Mutex<NameIndexInner>);

#[derive(Debug, Default, Clone)]
pub struct NameIndexInner {
    indexed: usize,
    exact: std::collections::HashMap<String, StreamId>,
    folded: std::collections::HashMap<String, StreamId>,
}

impl Clone for NameIndex {
    fn clone(&self) -> Self {
        NameIndex(parking_lot::Mutex::new(self.0.lock().clone()))
    }
}

/// `CREATE AGGREGATION`: running sums, counts, averages, minima and maxima per group and time
/// bucket, at several granularities.
#[derive(Debug, Clone)]
pub struct AggregationPlan {
    pub name: String,
    pub input: StreamId,
    /// WHERE, over the input stream.
    pub filter: Option<Expr>,
    /// The input attribute holding the event's time (epoch ms); `None`: the event timestamp.
    pub timestamp: Option<usize>,
    /// Finest first.
    pub levels: Vec<crate::calendar::Granularity>,
    /// Group key expressions over the input.
    pub group: Vec<Expr>,
    /// The columns after `AGG_TIMESTAMP`, in projection order.
    pub items: Vec<AggItem>,
    /// `AGG_TIMESTAMP BIGINT` (the bucket start), then the items.
    pub schema: Schema,
    /// The stream id joins use to name it.
    pub stream: StreamId,
    /// Old buckets dropped per granularity; None: every bucket is kept.
    pub purge: Option<AggregationPurge>,
}

/// `@purge` of an aggregation.
#[derive(Debug, Clone, PartialEq)]
pub struct AggregationPurge {
    /// Purging runs each time the aggregation's time moved this far (ms).
    pub interval: i64,
    /// Per level (finest first): how long its buckets are kept (ms); None keeps them all.
    pub retention: Vec<Option<i64>>,
}

#[derive(Debug, Clone)]
pub enum AggItem {
    /// The i-th group key.
    Group(usize),
    Agg {
        kind: AggKind,
        arg: Option<Expr>,
        ty: crate::value::AttrType,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggKind {
    Sum,
    Count,
    Avg,
    Min,
    Max,
}

impl AppPlan {
    /// The stream named `name`, exactly, else ignoring ASCII case; the first declared wins.
    pub fn stream_id(&self, name: &str) -> Option<StreamId> {
        let mut idx = self.names.0.lock();
        while idx.indexed < self.streams.len() {
            let id = idx.indexed;
            let n = self.streams[id].schema.name();
            idx.exact.entry(n.to_string()).or_insert(id);
            idx.folded.entry(n.to_ascii_lowercase()).or_insert(id);
            idx.indexed += 1;
        }
        idx.exact
            .get(name)
            .or_else(|| idx.folded.get(&name.to_ascii_lowercase()))
            .copied()
    }

    /// Streams some query inserts into (inner streams of partitions excluded: they exist per key).
    pub fn query_targets(&self) -> Vec<StreamId> {
        let mut out: Vec<StreamId> = self
            .queries
            .iter()
            .map(|q| q.output)
            .filter(|s| self.streams[*s].inner_of.is_none())
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Streams no query inserts into: where events enter (sources, the API, replay input).
    pub fn input_streams(&self) -> Vec<StreamId> {
        let targets = self.query_targets();
        (0..self.streams.len())
            .filter(|i| !targets.contains(i))
            .collect()
    }

    /// A readable summary for `eventflux check` and the `run` log.
    pub fn describe(&self) -> String {
        let mut out = String::new();
        let clock = if self.playback {
            "playback clock"
        } else {
            "wall clock"
        };
        let _ = writeln!(out, "app '{}' ({clock})", self.name);
        let _ = writeln!(out, "streams:");
        // Side streams by the stream they feed, found once (not per stream: 10,000 streams).
        let mut sides: Vec<Vec<(&StreamPlan, &String, &ConnectorPlan)>> =
            vec![Vec::new(); self.streams.len()];
        for o in &self.streams {
            for c in &o.sources {
                for (param, side) in &c.side_outputs {
                    if let Some(list) = sides.get_mut(*side) {
                        list.push((o, param, c));
                    }
                }
            }
        }
        for (id, s) in self.streams.iter().enumerate() {
            let mut tags = Vec::new();
            if !s.declared {
                tags.push("inferred".to_string());
            }
            if let Some(t) = &s.table {
                tags.push(if t.primary_key.is_empty() {
                    "table".to_string()
                } else {
                    "table, primary key".to_string()
                });
            }
            if let Some(t) = &s.trigger {
                tags.push(match t {
                    TriggerPlan::Start => "trigger at start".to_string(),
                    TriggerPlan::Every(ms) => format!("trigger every {ms} ms"),
                    TriggerPlan::Cron(c) => format!("trigger at cron '{c}'"),
                });
            }
            if let Some(n) = s.async_buffer {
                tags.push(format!("async, buffer {n}"));
            }
            let tags = if tags.is_empty() {
                String::new()
            } else {
                format!("  [{}]", tags.join(", "))
            };
            let _ = writeln!(out, "  {}{tags}", s.schema);
            for c in &s.sources {
                let _ = writeln!(out, "    <- source {}", connector_label(&c.config));
            }
            // A source's side streams (stats) are fed by it too, though it is declared elsewhere.
            for &(owner, param, c) in &sides[id] {
                let _ = writeln!(
                    out,
                    "    <- {param} of source {} on {}",
                    connector_label(&c.config),
                    owner.schema.name()
                );
            }
            for c in &s.sinks {
                let _ = writeln!(out, "    -> sink {}", connector_label(&c.config));
            }
        }
        if !self.aggregations.is_empty() {
            let _ = writeln!(out, "aggregations:");
            for a in &self.aggregations {
                let levels: Vec<&str> = a.levels.iter().map(|g| g.name()).collect();
                let _ = writeln!(
                    out,
                    "  {}: {} -> {}  [every {}]",
                    a.name,
                    self.streams[a.input].schema.name(),
                    a.schema,
                    levels.join(", ")
                );
            }
        }
        let _ = writeln!(out, "queries:");
        for q in &self.queries {
            let mut steps = Vec::new();
            if q.filter.is_some() {
                steps.push("filter".to_string());
            }
            if let Some(sel) = &q.select {
                if let Some(w) = &sel.window {
                    steps.push(format!("window {}", w.name()));
                }
                if !sel.aggregates.is_empty() {
                    steps.push(format!("{} aggregate(s)", sel.aggregates.len()));
                }
                if !sel.group_by.is_empty() {
                    steps.push("group by".into());
                }
                if sel.having.is_some() {
                    steps.push("having".into());
                }
                if !sel.order_by.is_empty() || sel.limit.is_some() || sel.offset.is_some() {
                    steps.push("order/limit".into());
                }
                if sel.output_rate.is_some() {
                    steps.push("output rate".into());
                }
            }
            match &q.projection {
                Projection::PassThrough => steps.push("pass-through".into()),
                Projection::Exprs(e) => steps.push(format!("project {}", e.len())),
            }
            if let Some(p) = &q.pattern {
                let kind = if p.sequence { "sequence" } else { "pattern" };
                steps.insert(0, format!("{kind} of {}", p.elements.len()));
            }
            if let Some(j) = &q.join {
                steps.insert(
                    0,
                    format!(
                        "{} join with {}",
                        format!("{:?}", j.kind).to_lowercase(),
                        self.streams[j.right].schema.name()
                    ),
                );
            }
            let inputs: Vec<&str> = q
                .inputs()
                .iter()
                .map(|s| self.streams[*s].schema.name())
                .collect();
            let _ = writeln!(
                out,
                "  {}: {} -> {}  [{}]",
                q.name,
                inputs.join(", "),
                self.streams[q.output].schema.name(),
                steps.join(", ")
            );
        }
        out
    }

    /// The graph in Graphviz dot.
    pub fn to_dot(&self) -> String {
        let mut out = String::from("digraph app {\n  rankdir=LR;\n");
        for (i, s) in self.streams.iter().enumerate() {
            let _ = writeln!(out, "  s{i} [shape=box, label=\"{}\"];", s.schema.name());
            for (j, c) in s.sources.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "  src{i}_{j} [shape=cds, label=\"{}\"];\n  src{i}_{j} -> s{i};",
                    c.config.kind
                );
            }
            for (j, c) in s.sinks.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "  sink{i}_{j} [shape=cds, label=\"{}\"];\n  s{i} -> sink{i}_{j};",
                    c.config.kind
                );
            }
        }
        for (k, q) in self.queries.iter().enumerate() {
            let _ = writeln!(
                out,
                "  q{k} [shape=ellipse, label=\"{}\"];\n  q{k} -> s{};",
                q.name, q.output
            );
            for s in q.inputs() {
                let _ = writeln!(out, "  s{s} -> q{k};");
            }
        }
        out.push_str("}\n");
        out
    }
}

fn connector_label(c: &ConnectorConfig) -> String {
    match &c.map {
        Some(m) => format!("{} ({})", c.kind, m.kind),
        None => c.kind.clone(),
    }
}

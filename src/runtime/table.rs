//! In-memory tables: rows written by queries (`INSERT INTO T`, `UPSERT INTO T`), read by joins
//! and on-demand queries. A primary key is a hash index: lookups by key never scan.

use crate::calendar::{Granularity, WithinError};
use crate::event::{Event, EventKind};
use crate::functions::aggregate::OrdValue;
use crate::runtime::junction::Subscriber;
use crate::schema::Schema;
use crate::value::Value;
use parking_lot::{Mutex, MutexGuard};
use rustc_hash::FxHashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

type Key = Vec<OrdValue>;

#[derive(Default)]
pub struct Rows {
    /// Rows in insertion order (an upsert keeps the row's place).
    pub rows: Vec<Event>,
    by_key: FxHashMap<Key, usize>,
    /// `@index` attributes: value -> row positions.
    secondary: Vec<(usize, FxHashMap<OrdValue, Vec<usize>>)>,
}

impl Rows {
    fn index_row(&mut self, at: usize) {
        let row = &self.rows[at];
        for (attr, index) in &mut self.secondary {
            // Positions stay sorted, so a lookup returns rows in table order, as a scan would.
            let positions = index.entry(OrdValue(row.get(*attr).clone())).or_default();
            let slot = positions.binary_search(&at).unwrap_or_else(|p| p);
            positions.insert(slot, at);
        }
    }

    fn unindex_row(&mut self, at: usize) {
        let row = &self.rows[at];
        for (attr, index) in &mut self.secondary {
            let value = OrdValue(row.get(*attr).clone());
            if let Some(positions) = index.get_mut(&value) {
                positions.retain(|p| *p != at);
                if positions.is_empty() {
                    index.remove(&value);
                }
            }
        }
    }

    fn rebuild_secondary(&mut self) {
        for (_, index) in &mut self.secondary {
            index.clear();
        }
        for at in 0..self.rows.len() {
            self.index_row(at);
        }
    }
}

pub struct TableStore {
    pub schema: Schema,
    pub primary_key: Vec<usize>,
    rows: Mutex<Rows>,
    /// INSERTs refused because their primary key was already present.
    pub rejected: AtomicU64,
}

impl TableStore {
    pub fn new(schema: Schema, primary_key: Vec<usize>) -> TableStore {
        TableStore {
            schema,
            primary_key,
            rows: Mutex::new(Rows::default()),
            rejected: AtomicU64::new(0),
        }
    }

    /// Adds secondary hash indexes on these attributes.
    pub fn with_indexes(self, attrs: Vec<usize>) -> TableStore {
        {
            let mut rows = self.lock();
            rows.secondary = attrs
                .into_iter()
                .map(|a| (a, FxHashMap::default()))
                .collect();
        }
        self
    }

    fn key(&self, e: &Event) -> Key {
        self.primary_key
            .iter()
            .map(|i| OrdValue(e.get(*i).clone()))
            .collect()
    }

    pub fn lock(&self) -> MutexGuard<'_, Rows> {
        self.rows.lock()
    }

    /// Adds rows; with a primary key, an existing key is replaced (`upsert`) or the row refused.
    pub fn write(&self, events: &[Event], upsert: bool) {
        let mut t = self.lock();
        for e in events {
            let row = Event {
                ts: e.ts,
                kind: EventKind::Current,
                data: e.data.clone(),
            };
            if self.primary_key.is_empty() {
                t.rows.push(row);
                let at = t.rows.len() - 1;
                t.index_row(at);
                continue;
            }
            let key = self.key(&row);
            match t.by_key.get(&key).copied() {
                Some(i) if upsert => {
                    t.unindex_row(i);
                    t.rows[i] = row;
                    t.index_row(i);
                }
                Some(_) => {
                    self.rejected.fetch_add(1, Ordering::Relaxed);
                    log::warn!("table '{}': a row with this primary key exists; use UPSERT INTO to replace it (row dropped)", self.schema.name());
                }
                None => {
                    let at = t.rows.len();
                    t.by_key.insert(key, at);
                    t.rows.push(row);
                    t.index_row(at);
                }
            }
        }
    }

    /// Rows whose attribute `attr` equals `value`: a hash lookup when `attr` is the whole
    /// primary key or has an `@index`, a scan otherwise.
    pub fn matching(&self, attr: Option<usize>, value: Option<&Value>) -> Vec<Event> {
        let t = self.lock();
        match (attr, value) {
            (Some(a), Some(v)) if self.primary_key == [a] => t
                .by_key
                .get(std::slice::from_ref(&OrdValue(v.clone())))
                .map(|i| vec![t.rows[*i].clone()])
                .unwrap_or_default(),
            (Some(a), Some(v)) if t.secondary.iter().any(|(x, _)| *x == a) => {
                let (_, index) = t.secondary.iter().find(|(x, _)| *x == a).expect("checked");
                index
                    .get(&OrdValue(v.clone()))
                    .map(|ps| ps.iter().map(|p| t.rows[*p].clone()).collect())
                    .unwrap_or_default()
            }
            (Some(a), Some(v)) => t
                .rows
                .iter()
                .filter(|r| OrdValue(r.get(a).clone()) == OrdValue(v.clone()))
                .cloned()
                .collect(),
            _ => t.rows.clone(),
        }
    }

    /// Whether a row has this (one-attribute) primary key: a hash lookup.
    pub fn has_key(&self, key: &Value) -> bool {
        self.lock()
            .by_key
            .contains_key(std::slice::from_ref(&OrdValue(key.clone())))
    }

    pub fn snapshot(&self) -> Vec<Event> {
        self.lock().rows.clone()
    }
}

/// The target of a query that writes a table.
pub struct TableWriter {
    pub table: std::sync::Arc<TableStore>,
    pub upsert: bool,
}

impl Subscriber for TableWriter {
    fn receive(&self, batch: &[Event]) {
        let current: Vec<Event> = batch
            .iter()
            .filter(|e| e.kind == EventKind::Current)
            .cloned()
            .collect();
        self.table.write(&current, self.upsert);
    }
}

/// `DELETE ... USING S` / `UPDATE ... FROM S`: each event of S changes the rows it matches.
pub struct TableMutator {
    pub table: std::sync::Arc<TableStore>,
    pub plan: crate::plan::graph::TableWritePlan,
    pub env: std::sync::Arc<crate::runtime::env::Env>,
}

impl Subscriber for TableMutator {
    fn receive(&self, batch: &[Event]) {
        let cx = self.env.eval();
        let mut t = self.table.lock();
        let mut changed = false;
        for e in batch.iter().filter(|e| e.kind == EventKind::Current) {
            let combined = |row: &Event| {
                Event::new(
                    e.ts,
                    row.data
                        .iter()
                        .chain(e.data.iter())
                        .cloned()
                        .collect::<Vec<_>>(),
                )
            };
            let hit = |row: &Event| {
                self.plan
                    .condition
                    .as_ref()
                    .is_none_or(|c| c.test(&combined(row), &cx))
            };
            if self.plan.delete {
                let before = t.rows.len();
                t.rows.retain(|r| !hit(r));
                changed |= t.rows.len() != before;
            } else {
                for row in t.rows.iter_mut() {
                    if hit(row) {
                        let c = combined(row);
                        let mut values = row.data.to_vec();
                        for (i, expr) in &self.plan.sets {
                            values[*i] = expr.eval(&c, &cx);
                        }
                        *row = Event::new(row.ts, values);
                        changed = true;
                    }
                }
            }
        }
        if changed && !self.table.primary_key.is_empty() {
            // Deletions move rows and updates may change keys: rebuild the key index.
            let keys: Vec<Key> = t.rows.iter().map(|r| self.table.key(r)).collect();
            t.by_key = keys.into_iter().enumerate().map(|(i, k)| (k, i)).collect();
        }
        if changed {
            t.rebuild_secondary();
        }
    }
}

/// A side a join reads at probe time instead of keeping a window: a table, or an aggregation's
/// buckets.
pub trait JoinLookup: Send + Sync {
    /// Rows whose attribute `attr` equals `value` (all rows without a key), for the event
    /// `probe` of the other side.
    fn matching(&self, attr: Option<usize>, value: Option<&Value>, probe: &Event) -> Vec<Event>;
}

impl JoinLookup for TableStore {
    fn matching(&self, attr: Option<usize>, value: Option<&Value>, _: &Event) -> Vec<Event> {
        TableStore::matching(self, attr, value)
    }
}

/// An aggregation joined `WITHIN from, to PER granularity`: read at every probe, so the join
/// sees the buckets as they are at that moment.
pub struct AggregationLookup {
    join: crate::plan::graph::AggregationJoin,
    store: Arc<crate::runtime::aggregation::AggregationStore>,
    env: Arc<crate::runtime::env::Env>,
    /// Probes whose WITHIN/PER did not evaluate to a range (they join no rows).
    pub bad_ranges: AtomicU64,
    log: crate::runtime::failure::LogLimiter,
}

impl AggregationLookup {
    pub fn new(
        join: crate::plan::graph::AggregationJoin,
        env: &Arc<crate::runtime::env::Env>,
    ) -> Self {
        // Only ranges computed per event can fail, and they carry the aggregation's name.
        let name = match &join.range {
            crate::plan::graph::WithinRange::PerEvent { name, .. } => name.as_str(),
            crate::plan::graph::WithinRange::Fixed { .. } => "",
        };
        let log =
            crate::runtime::failure::LogLimiter::new(format!("join with aggregation '{name}'"));
        AggregationLookup {
            store: env.aggregations[join.aggregation].clone(),
            env: env.clone(),
            join,
            bad_ranges: AtomicU64::new(0),
            log,
        }
    }

    /// The range and granularity this probe reads.
    fn range(&self, probe: &Event) -> Result<(i64, i64, Granularity), WithinError> {
        use crate::calendar::{granularity_of, within_period, within_value};
        use crate::plan::graph::WithinRange;
        match &self.join.range {
            WithinRange::Fixed {
                from,
                to,
                granularity,
            } => Ok((*from, *to, *granularity)),
            WithinRange::PerEvent {
                from,
                to,
                per,
                levels,
                name,
            } => {
                let cx = self.env.eval();
                let per = per.eval(probe, &cx);
                let per = per
                    .as_str()
                    .ok_or_else(|| WithinError::PerNotAString(format!("{per:?}")))?;
                let granularity = granularity_of(per, levels, name)?;
                let from = from.eval(probe, &cx);
                let (from, to) = match to {
                    Some(to) => (within_value(&from)?, within_value(&to.eval(probe, &cx))?),
                    None => match from.as_str() {
                        Some(text) => within_period(text)?,
                        None => return Err(WithinError::PeriodNotAString(format!("{from:?}"))),
                    },
                };
                Ok((from, to, granularity))
            }
        }
    }
}

impl JoinLookup for AggregationLookup {
    fn matching(&self, attr: Option<usize>, value: Option<&Value>, probe: &Event) -> Vec<Event> {
        let (from, to, granularity) = match self.range(probe) {
            Ok(r) => r,
            Err(msg) => {
                let n = self.bad_ranges.fetch_add(1, Ordering::Relaxed) + 1;
                self.log
                    .warn(&format!("{msg}; the event joins no rows ({n} so far)"));
                return Vec::new();
            }
        };
        let Some(rows) = self.store.read(from, to, granularity) else {
            return Vec::new();
        };
        match (attr, value) {
            (Some(a), Some(v)) => rows
                .into_iter()
                .filter(|r| OrdValue(r.get(a).clone()) == OrdValue(v.clone()))
                .collect(),
            _ => rows,
        }
    }
}

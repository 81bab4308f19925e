//! Aggregate functions. Each keeps incremental state that both adds (an event arrives) and
//! removes (an event expires) without rescanning the window: O(1) for count/sum/avg/stdDev,
//! O(log n) for min/max (an ordered multiset, correct for every window's expiry order).

use crate::value::{AttrType, Value};
use std::collections::{BTreeMap, HashMap, VecDeque};

/// Incremental aggregate state of one group.
pub trait Aggregator: Send {
    fn add(&mut self, v: &Value);
    fn remove(&mut self, v: &Value);
    fn value(&self) -> Value;
    fn reset(&mut self);
}

/// An aggregate function: its result type rule and a factory for its state.
pub struct AggregateFunction {
    pub name: &'static str,
    pub signature: &'static str,
    pub description: &'static str,
    /// Result type from the argument type (`None` = `count()` with no argument).
    pub type_rule: fn(Option<AttrType>) -> Result<AttrType, String>,
    pub create: fn(Option<AttrType>) -> Box<dyn Aggregator>,
    /// Whether it takes no argument (`count()`).
    pub nullary_ok: bool,
}

fn numeric(name: &str, t: Option<AttrType>) -> Result<AttrType, String> {
    match t {
        Some(t) if t.is_numeric() => Ok(t),
        Some(t) => Err(format!("{name}() needs a number, got {t}")),
        None => Err(format!("{name}() needs an argument")),
    }
}

fn any(name: &str, t: Option<AttrType>) -> Result<AttrType, String> {
    t.ok_or_else(|| format!("{name}() needs an argument"))
}

pub const AGGREGATES: &[AggregateFunction] = &[
    AggregateFunction {
        name: "count",
        signature: "count([x]) -> BIGINT",
        description: "Events in the window (count()), or non-null values of x (count(x)).",
        type_rule: |_| Ok(AttrType::Long),
        create: |t| {
            Box::new(Count {
                n: 0,
                skip_nulls: t.is_some(),
            })
        },
        nullary_ok: true,
    },
    AggregateFunction {
        name: "sum",
        signature: "sum(x NUMERIC) -> BIGINT for INT/BIGINT, DOUBLE for FLOAT/DOUBLE",
        description: "Sum of the non-null values; exact for integers; NULL when there are none.",
        type_rule: |t| {
            numeric("sum", t).map(|t| {
                if matches!(t, AttrType::Int | AttrType::Long) {
                    AttrType::Long
                } else {
                    AttrType::Double
                }
            })
        },
        create: |t| {
            Box::new(Sum {
                int: matches!(t, Some(AttrType::Int | AttrType::Long)),
                i: 0,
                f: 0.0,
                n: 0,
            })
        },
        nullary_ok: false,
    },
    AggregateFunction {
        name: "avg",
        signature: "avg(x NUMERIC) -> DOUBLE",
        description: "Mean of the non-null values; NULL when there are none.",
        type_rule: |t| numeric("avg", t).map(|_| AttrType::Double),
        create: |_| Box::new(Avg { sum: 0.0, n: 0 }),
        nullary_ok: false,
    },
    AggregateFunction {
        name: "min",
        signature: "min(x) -> type of x",
        description: "Smallest non-null value in the window; NULL when there is none.",
        type_rule: |t| any("min", t),
        create: |_| Box::new(MinMax::new(false)),
        nullary_ok: false,
    },
    AggregateFunction {
        name: "max",
        signature: "max(x) -> type of x",
        description: "Largest non-null value in the window; NULL when there is none.",
        type_rule: |t| any("max", t),
        create: |_| Box::new(MinMax::new(true)),
        nullary_ok: false,
    },
    AggregateFunction {
        name: "distinctcount",
        signature: "distinctCount(x) -> BIGINT",
        description: "Distinct non-null values in the window (also COUNT(DISTINCT x)).",
        type_rule: |t| any("distinctCount", t).map(|_| AttrType::Long),
        create: |_| {
            Box::new(DistinctCount {
                counts: HashMap::new(),
            })
        },
        nullary_ok: false,
    },
    AggregateFunction {
        name: "stddev",
        signature: "stdDev(x NUMERIC) -> DOUBLE",
        description:
            "Population standard deviation of the non-null values; NULL when there are none.",
        type_rule: |t| numeric("stdDev", t).map(|_| AttrType::Double),
        create: |_| {
            Box::new(StdDev {
                n: 0,
                mean: 0.0,
                m2: 0.0,
            })
        },
        nullary_ok: false,
    },
    AggregateFunction {
        name: "minforever",
        signature: "minForever(x) -> type of x",
        description: "Smallest value ever seen; expiry does not remove it.",
        type_rule: |t| any("minForever", t),
        create: |_| {
            Box::new(Forever {
                best: Value::Null,
                max: false,
            })
        },
        nullary_ok: false,
    },
    AggregateFunction {
        name: "maxforever",
        signature: "maxForever(x) -> type of x",
        description: "Largest value ever seen; expiry does not remove it.",
        type_rule: |t| any("maxForever", t),
        create: |_| {
            Box::new(Forever {
                best: Value::Null,
                max: true,
            })
        },
        nullary_ok: false,
    },
    AggregateFunction {
        name: "and",
        signature: "and(b BOOL) -> BOOL",
        description:
            "True when every non-null value in the window is true (NULL when there are none).",
        type_rule: |t| match t {
            Some(AttrType::Bool) => Ok(AttrType::Bool),
            other => Err(format!(
                "and() needs a BOOL, got {}",
                other.map_or("nothing", AttrType::name)
            )),
        },
        create: |_| {
            Box::new(Logic {
                t: 0,
                f: 0,
                all: true,
            })
        },
        nullary_ok: false,
    },
    AggregateFunction {
        name: "or",
        signature: "or(b BOOL) -> BOOL",
        description:
            "True when any non-null value in the window is true (NULL when there are none).",
        type_rule: |t| match t {
            Some(AttrType::Bool) => Ok(AttrType::Bool),
            other => Err(format!(
                "or() needs a BOOL, got {}",
                other.map_or("nothing", AttrType::name)
            )),
        },
        create: |_| {
            Box::new(Logic {
                t: 0,
                f: 0,
                all: false,
            })
        },
        nullary_ok: false,
    },
    AggregateFunction {
        name: "first",
        signature: "first(x) -> type of x",
        description: "The oldest non-null value still in the window.",
        type_rule: |t| any("first", t),
        create: |_| {
            Box::new(FirstLast {
                values: VecDeque::new(),
                last: false,
            })
        },
        nullary_ok: false,
    },
    AggregateFunction {
        name: "last",
        signature: "last(x) -> type of x",
        description: "The newest non-null value still in the window.",
        type_rule: |t| any("last", t),
        create: |_| {
            Box::new(FirstLast {
                values: VecDeque::new(),
                last: true,
            })
        },
        nullary_ok: false,
    },
];

/// Looks an aggregate up by name, case-insensitively.
pub fn aggregate(name: &str) -> Option<&'static AggregateFunction> {
    let lower = name.to_ascii_lowercase();
    AGGREGATES.iter().find(|a| a.name == lower)
}

struct Count {
    n: i64,
    skip_nulls: bool,
}

impl Aggregator for Count {
    fn add(&mut self, v: &Value) {
        if !(self.skip_nulls && v.is_null()) {
            self.n += 1;
        }
    }
    fn remove(&mut self, v: &Value) {
        if !(self.skip_nulls && v.is_null()) {
            self.n -= 1;
        }
    }
    fn value(&self) -> Value {
        Value::Long(self.n)
    }
    fn reset(&mut self) {
        self.n = 0;
    }
}

struct Sum {
    int: bool,
    i: i64,
    f: f64,
    n: i64,
}

impl Aggregator for Sum {
    fn add(&mut self, v: &Value) {
        if v.is_null() {
            return;
        }
        self.n += 1;
        if self.int {
            self.i = self.i.wrapping_add(v.as_i64().unwrap_or(0));
        } else {
            self.f += v.as_f64().unwrap_or(0.0);
        }
    }
    fn remove(&mut self, v: &Value) {
        if v.is_null() {
            return;
        }
        self.n -= 1;
        if self.int {
            self.i = self.i.wrapping_sub(v.as_i64().unwrap_or(0));
        } else {
            self.f -= v.as_f64().unwrap_or(0.0);
        }
        if self.n == 0 {
            // Drop accumulated float error once the window is empty.
            self.f = 0.0;
        }
    }
    fn value(&self) -> Value {
        match (self.n, self.int) {
            (0, _) => Value::Null,
            (_, true) => Value::Long(self.i),
            (_, false) => Value::Double(self.f),
        }
    }
    fn reset(&mut self) {
        (self.i, self.f, self.n) = (0, 0.0, 0);
    }
}

struct Avg {
    sum: f64,
    n: i64,
}

impl Aggregator for Avg {
    fn add(&mut self, v: &Value) {
        if let Some(x) = v.as_f64() {
            self.sum += x;
            self.n += 1;
        }
    }
    fn remove(&mut self, v: &Value) {
        if let Some(x) = v.as_f64() {
            self.sum -= x;
            self.n -= 1;
            if self.n == 0 {
                self.sum = 0.0;
            }
        }
    }
    fn value(&self) -> Value {
        if self.n == 0 {
            Value::Null
        } else {
            Value::Double(self.sum / self.n as f64)
        }
    }
    fn reset(&mut self) {
        (self.sum, self.n) = (0.0, 0);
    }
}

/// A value with a total order (floats by `total_cmp`), for ordered and hashed state.
#[derive(Clone, Debug)]
pub struct OrdValue(pub Value);

impl PartialEq for OrdValue {
    #[inline]
    fn eq(&self, o: &Self) -> bool {
        match (&self.0, &o.0) {
            // Group keys: shared strings compare by pointer before bytes.
            (Value::String(a), Value::String(b)) => std::sync::Arc::ptr_eq(a, b) || a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Long(a), Value::Long(b)) => a == b,
            _ => self.cmp(o) == std::cmp::Ordering::Equal,
        }
    }
}
impl Eq for OrdValue {}
impl PartialOrd for OrdValue {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for OrdValue {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        use std::cmp::Ordering;
        match (&self.0, &o.0) {
            (Value::Float(a), Value::Float(b)) => a.total_cmp(b),
            (Value::Double(a), Value::Double(b)) => a.total_cmp(b),
            (a, b) => a.sql_cmp(b).unwrap_or_else(|| {
                // NULLs and mixed kinds: order by kind so the order stays total.
                let rank = |v: &Value| v.attr_type().map_or(0, |t| t as u8 + 1);
                rank(a).cmp(&rank(b)).then(Ordering::Equal)
            }),
        }
    }
}
impl std::hash::Hash for OrdValue {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        match &self.0 {
            Value::Null => 0u8.hash(h),
            Value::Int(v) => (*v as i64).hash(h),
            Value::Long(v) => v.hash(h),
            Value::Float(v) => v.to_bits().hash(h),
            Value::Double(v) => v.to_bits().hash(h),
            Value::Bool(v) => v.hash(h),
            Value::String(s) => s.hash(h),
            Value::Bytes(b) => b.hash(h),
        }
    }
}

/// Min/max over a window. Until the first removal (batch windows never remove: they reset)
/// it is a running best, O(1) per value; the first removal builds an ordered multiset, O(log n)
/// per value from then on, correct for any expiry order.
struct MinMax {
    best: Value,
    pending: Vec<Value>,
    tree: Option<BTreeMap<OrdValue, u32>>,
    max: bool,
}

impl MinMax {
    fn new(max: bool) -> MinMax {
        MinMax {
            best: Value::Null,
            pending: Vec::new(),
            tree: None,
            max,
        }
    }

    fn better(&self, v: &Value) -> bool {
        if self.best.is_null() {
            return true;
        }
        let o = OrdValue(v.clone()).cmp(&OrdValue(self.best.clone()));
        if self.max {
            o == std::cmp::Ordering::Greater
        } else {
            o == std::cmp::Ordering::Less
        }
    }
}

impl Aggregator for MinMax {
    fn add(&mut self, v: &Value) {
        if v.is_null() {
            return;
        }
        match self.tree.as_mut() {
            Some(tree) => *tree.entry(OrdValue(v.clone())).or_insert(0) += 1,
            None => {
                if self.better(v) {
                    self.best = v.clone();
                }
                self.pending.push(v.clone());
            }
        }
    }
    fn remove(&mut self, v: &Value) {
        if v.is_null() {
            return;
        }
        let pending = std::mem::take(&mut self.pending);
        let tree = self.tree.get_or_insert_with(|| {
            let mut t = BTreeMap::new();
            for p in pending {
                *t.entry(OrdValue(p)).or_insert(0u32) += 1;
            }
            t
        });
        let key = OrdValue(v.clone());
        if let Some(n) = tree.get_mut(&key) {
            *n -= 1;
            if *n == 0 {
                tree.remove(&key);
            }
        }
    }
    fn value(&self) -> Value {
        match &self.tree {
            Some(tree) => {
                let entry = if self.max {
                    tree.last_key_value()
                } else {
                    tree.first_key_value()
                };
                entry.map_or(Value::Null, |(k, _)| k.0.clone())
            }
            None => self.best.clone(),
        }
    }
    fn reset(&mut self) {
        self.best = Value::Null;
        self.pending.clear();
        self.tree = None;
    }
}

struct DistinctCount {
    counts: HashMap<OrdValue, u32>,
}

impl Aggregator for DistinctCount {
    fn add(&mut self, v: &Value) {
        if !v.is_null() {
            *self.counts.entry(OrdValue(v.clone())).or_insert(0) += 1;
        }
    }
    fn remove(&mut self, v: &Value) {
        if v.is_null() {
            return;
        }
        let key = OrdValue(v.clone());
        if let Some(n) = self.counts.get_mut(&key) {
            *n -= 1;
            if *n == 0 {
                self.counts.remove(&key);
            }
        }
    }
    fn value(&self) -> Value {
        Value::Long(self.counts.len() as i64)
    }
    fn reset(&mut self) {
        self.counts.clear();
    }
}

/// Welford's online algorithm, run backwards on removal.
struct StdDev {
    n: i64,
    mean: f64,
    m2: f64,
}

impl Aggregator for StdDev {
    fn add(&mut self, v: &Value) {
        if let Some(x) = v.as_f64() {
            self.n += 1;
            let d = x - self.mean;
            self.mean += d / self.n as f64;
            self.m2 += d * (x - self.mean);
        }
    }
    fn remove(&mut self, v: &Value) {
        if let Some(x) = v.as_f64() {
            if self.n <= 1 {
                self.reset();
                return;
            }
            let old_mean = (self.n as f64 * self.mean - x) / (self.n - 1) as f64;
            self.m2 -= (x - self.mean) * (x - old_mean);
            self.mean = old_mean;
            self.n -= 1;
            if self.m2 < 0.0 {
                self.m2 = 0.0;
            }
        }
    }
    fn value(&self) -> Value {
        if self.n == 0 {
            Value::Null
        } else {
            Value::Double((self.m2 / self.n as f64).sqrt())
        }
    }
    fn reset(&mut self) {
        (self.n, self.mean, self.m2) = (0, 0.0, 0.0);
    }
}

struct Forever {
    best: Value,
    max: bool,
}

impl Aggregator for Forever {
    fn add(&mut self, v: &Value) {
        if v.is_null() {
            return;
        }
        let better = match v.sql_cmp(&self.best) {
            None => self.best.is_null(),
            Some(o) => {
                (o == std::cmp::Ordering::Greater) == self.max && o != std::cmp::Ordering::Equal
            }
        };
        if better {
            self.best = v.clone();
        }
    }
    fn remove(&mut self, _: &Value) {}
    fn value(&self) -> Value {
        self.best.clone()
    }
    fn reset(&mut self) {}
}

struct Logic {
    t: i64,
    f: i64,
    all: bool,
}

impl Aggregator for Logic {
    fn add(&mut self, v: &Value) {
        match v.as_bool() {
            Some(true) => self.t += 1,
            Some(false) => self.f += 1,
            None => {}
        }
    }
    fn remove(&mut self, v: &Value) {
        match v.as_bool() {
            Some(true) => self.t -= 1,
            Some(false) => self.f -= 1,
            None => {}
        }
    }
    fn value(&self) -> Value {
        if self.t + self.f == 0 {
            Value::Null
        } else if self.all {
            Value::Bool(self.f == 0)
        } else {
            Value::Bool(self.t > 0)
        }
    }
    fn reset(&mut self) {
        (self.t, self.f) = (0, 0);
    }
}

struct FirstLast {
    values: VecDeque<Value>,
    last: bool,
}

impl Aggregator for FirstLast {
    fn add(&mut self, v: &Value) {
        if !v.is_null() {
            self.values.push_back(v.clone());
        }
    }
    fn remove(&mut self, v: &Value) {
        if v.is_null() {
            return;
        }
        // Windows mostly expire oldest first: check the front before searching.
        if self.values.front() == Some(v) {
            self.values.pop_front();
        } else if let Some(i) = self.values.iter().position(|x| x == v) {
            self.values.remove(i);
        }
    }
    fn value(&self) -> Value {
        let v = if self.last {
            self.values.back()
        } else {
            self.values.front()
        };
        v.cloned().unwrap_or(Value::Null)
    }
    fn reset(&mut self) {
        self.values.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(name: &str, ty: AttrType, adds: &[Value], removes: &[Value]) -> Value {
        let f = aggregate(name).unwrap();
        let mut a = (f.create)(Some(ty));
        adds.iter().for_each(|v| a.add(v));
        removes.iter().for_each(|v| a.remove(v));
        a.value()
    }

    #[test]
    fn sums_are_exact_for_integers_and_null_when_empty() {
        let big = Value::Long(i64::MAX / 2);
        assert_eq!(
            run(
                "sum",
                AttrType::Long,
                &[big.clone(), Value::Long(1)],
                &[big]
            ),
            Value::Long(1)
        );
        assert_eq!(
            run("sum", AttrType::Int, &[Value::Int(2), Value::Null], &[]),
            Value::Long(2)
        );
        assert_eq!(
            run(
                "sum",
                AttrType::Double,
                &[Value::Double(1.5)],
                &[Value::Double(1.5)]
            ),
            Value::Null
        );
        assert_eq!(
            (aggregate("sum").unwrap().type_rule)(Some(AttrType::Float)),
            Ok(AttrType::Double)
        );
    }

    #[test]
    fn min_max_follow_removals() {
        let vals: Vec<Value> = [5, 1, 9, 1].iter().map(|v| Value::Int(*v)).collect();
        assert_eq!(
            run("min", AttrType::Int, &vals, &[Value::Int(1)]),
            Value::Int(1)
        );
        assert_eq!(
            run("min", AttrType::Int, &vals, &[Value::Int(1), Value::Int(1)]),
            Value::Int(5)
        );
        assert_eq!(
            run("max", AttrType::Int, &vals, &[Value::Int(9)]),
            Value::Int(5)
        );
        assert_eq!(
            run("maxforever", AttrType::Int, &vals, &[Value::Int(9)]),
            Value::Int(9)
        );
    }

    #[test]
    fn count_avg_stddev_distinct_logic_first_last() {
        let vals = [
            Value::Double(2.0),
            Value::Null,
            Value::Double(4.0),
            Value::Double(4.0),
        ];
        assert_eq!(run("count", AttrType::Double, &vals, &[]), Value::Long(3));
        let mut c = (aggregate("count").unwrap().create)(None);
        vals.iter().for_each(|v| c.add(v));
        assert_eq!(c.value(), Value::Long(4));
        assert_eq!(
            run("avg", AttrType::Double, &vals, &[Value::Double(2.0)]),
            Value::Double(4.0)
        );
        assert_eq!(
            run("distinctcount", AttrType::Double, &vals, &[]),
            Value::Long(2)
        );
        let sd = run(
            "stddev",
            AttrType::Double,
            &[Value::Double(2.0), Value::Double(4.0), Value::Double(9.0)],
            &[Value::Double(9.0)],
        );
        assert_eq!(sd, Value::Double(1.0));
        assert_eq!(
            run(
                "and",
                AttrType::Bool,
                &[Value::Bool(true), Value::Bool(false)],
                &[Value::Bool(false)]
            ),
            Value::Bool(true)
        );
        assert_eq!(
            run("or", AttrType::Bool, &[Value::Bool(false)], &[]),
            Value::Bool(false)
        );
        assert_eq!(
            run(
                "first",
                AttrType::Int,
                &[Value::Int(1), Value::Int(2)],
                &[Value::Int(1)]
            ),
            Value::Int(2)
        );
        assert_eq!(
            run("last", AttrType::Int, &[Value::Int(1), Value::Int(2)], &[]),
            Value::Int(2)
        );
    }
}

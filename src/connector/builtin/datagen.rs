//! `datagen` source: synthetic rows at a fixed rate (or as fast as possible), from per-attribute
//! templates `fields.<attr>.kind|min|max|values|length`.

use crate::connector::config::{ConfigError, ConnectorConfig, Params};
use crate::connector::spec::{ConnectorSpec, ParamSpec};
use crate::connector::{ConnectorError, Source, SourceContext, SourceFactory};
use crate::schema::Schema;
use crate::suggest::did_you_mean;
use crate::value::{AttrType, Value};
use bytes::Bytes;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Rows per batch when no rate is set (and the most per batch with one).
const FAST_BATCH: usize = 1024;
/// The longest single sleep, so a stop request is noticed promptly.
const MAX_SLEEP: Duration = Duration::from_millis(100);
/// Default length of random strings and byte arrays.
const DEFAULT_LENGTH: usize = 8;
/// Longest random string or byte array.
const MAX_LENGTH: usize = 1 << 20;
const OPTIONS: &[&str] = &["kind", "min", "max", "values", "length"];

pub struct DatagenSourceFactory;

impl SourceFactory for DatagenSourceFactory {
    fn spec(&self) -> ConnectorSpec {
        ConnectorSpec {
            name: "datagen",
            aliases: &[],
            description: "Generates synthetic events for demos, tests and benchmarks. Every \
                attribute gets a generator: by default numbers count up from 0 (`sequence`) and \
                strings, booleans and bytes are random; `fields.<attr>.*` parameters change \
                that per attribute (sequence, random in a range, or one of a list of values). \
                Emits `rate` events per second (as fast as possible without it) and stops after \
                `count` events (runs until the app stops without it). Takes no @map: rows are \
                generated already typed.",
            params: vec![
                ParamSpec::optional(
                    "rate",
                    None,
                    "Events per second (fractions allowed, e.g. 0.5 = one every 2 s). The \
                     long-run rate is exact: events go out in small batches (about rate/100 \
                     at a time) paced against the start time. Absent = as fast as possible.",
                    "1000",
                ),
                ParamSpec::optional(
                    "count",
                    None,
                    "Total events to generate, after which the source ends. Absent = \
                     unbounded (until the app stops).",
                    "100000",
                ),
                ParamSpec::optional(
                    "fields.<attr>.kind",
                    None,
                    "How attribute <attr> is generated: `sequence` (numbers only: min, min+1, \
                     ... wrapping back to min after max), `random` (numbers uniform in \
                     [min, max]; strings alphanumeric of `length` characters, or picked from \
                     `values` when given; random booleans; random bytes of `length`) or \
                     `one_of` (picked at random from `values`). Default: sequence for \
                     numbers, random for strings, booleans and bytes.",
                    "one_of",
                ),
                ParamSpec::optional(
                    "fields.<attr>.min",
                    None,
                    "Numeric attributes: the lowest value (sequence start). Default 0.",
                    "10",
                ),
                ParamSpec::optional(
                    "fields.<attr>.max",
                    None,
                    "Numeric attributes: the highest value. A sequence wraps back to min \
                     after it (default: never, up to the type's limit); random defaults to \
                     100 (or min + 100 when min is above 100).",
                    "500",
                ),
                ParamSpec::optional(
                    "fields.<attr>.values",
                    None,
                    "Comma-separated values for kind `one_of` (each must parse as the \
                     attribute's type; spaces around commas are trimmed); also accepted with \
                     kind `random` on string attributes.",
                    "IBM,WSO2,ORCL",
                ),
                ParamSpec::optional(
                    "fields.<attr>.length",
                    Some("8"),
                    "Length of random strings (characters) and byte arrays (bytes), at most \
                     1048576.",
                    "12",
                ),
            ],
            formats: &[],
            default_format: None,
            example: "@source(type='datagen', rate='100', count='1000', \
                fields.symbol.kind='one_of', fields.symbol.values='IBM,WSO2', \
                fields.price.kind='random', fields.price.min='10', fields.price.max='500')",
        }
    }

    fn validate(&self, config: &ConnectorConfig, schema: &Schema) -> Result<(), ConfigError> {
        Plan::from_config(config, schema).map(|_| ())
    }

    fn create(
        &self,
        config: &ConnectorConfig,
        schema: &Schema,
    ) -> Result<Box<dyn Source>, ConnectorError> {
        let plan = Plan::from_config(config, schema)?;
        Ok(Box::new(DatagenSource {
            stream: config.stream.clone(),
            plan,
            rng: fastrand::Rng::new(),
        }))
    }
}

/// The validated configuration: pacing and one generator per attribute, in schema order.
struct Plan {
    rate: Option<f64>,
    count: Option<u64>,
    gens: Vec<Gen>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Sequence,
    Random,
    OneOf,
}

/// A per-attribute generator, with everything it needs precomputed.
#[derive(Debug)]
enum Gen {
    /// Integers `next, next+1, ...`, back to `min` after `max`.
    SeqInt {
        min: i64,
        max: i64,
        next: i64,
        long: bool,
    },
    SeqFloat {
        min: f64,
        max: Option<f64>,
        next: f64,
        single: bool,
    },
    RandInt {
        min: i64,
        max: i64,
        long: bool,
    },
    RandFloat {
        min: f64,
        max: f64,
        single: bool,
    },
    RandBool,
    RandString {
        length: usize,
    },
    RandBytes {
        length: usize,
    },
    OneOf(Vec<Value>),
}

impl Gen {
    fn next(&mut self, rng: &mut fastrand::Rng) -> Value {
        match self {
            Gen::SeqInt {
                min,
                max,
                next,
                long,
            } => {
                let v = *next;
                *next = if v >= *max { *min } else { v + 1 };
                int_value(v, *long)
            }
            Gen::SeqFloat {
                min,
                max,
                next,
                single,
            } => {
                let v = *next;
                *next = v + 1.0;
                if max.is_some_and(|m| *next > m) {
                    *next = *min;
                }
                float_value(v, *single)
            }
            Gen::RandInt { min, max, long } => int_value(rng.i64(*min..=*max), *long),
            Gen::RandFloat { min, max, single } => {
                float_value(*min + rng.f64() * (*max - *min), *single)
            }
            Gen::RandBool => Value::Bool(rng.bool()),
            Gen::RandString { length } => {
                let s: String = (0..*length).map(|_| rng.alphanumeric()).collect();
                Value::String(Arc::from(s))
            }
            Gen::RandBytes { length } => {
                let mut b = vec![0u8; *length];
                rng.fill(&mut b);
                Value::Bytes(Bytes::from(b))
            }
            Gen::OneOf(values) => values[rng.usize(..values.len())].clone(),
        }
    }
}

fn int_value(v: i64, long: bool) -> Value {
    if long {
        Value::Long(v)
    } else {
        Value::Int(v as i32)
    }
}

fn float_value(v: f64, single: bool) -> Value {
    if single {
        Value::Float(v as f32)
    } else {
        Value::Double(v)
    }
}

/// The `fields.<attr>.*` options given for one attribute.
#[derive(Default)]
struct FieldOptions {
    kind: Option<String>,
    min: bool,
    max: bool,
    values: Option<String>,
    length: bool,
}

impl Plan {
    fn from_config(config: &ConnectorConfig, schema: &Schema) -> Result<Plan, ConfigError> {
        let rate = match config.parse::<f64>("rate")? {
            Some(r) if !(r.is_finite() && r > 0.0) => {
                return Err(ConfigError(format!(
                    "parameter 'rate' has value '{}': expected a positive number of events per \
                     second (omit it for as fast as possible)",
                    config.get("rate").unwrap_or_default()
                )))
            }
            r => r,
        };
        let count = config.parse::<u64>("count")?;

        let mut options: Vec<FieldOptions> =
            schema.attrs().iter().map(|_| Default::default()).collect();
        for (rest, value) in config.with_prefix("fields") {
            let Some((attr, option)) = rest.rsplit_once('.') else {
                return Err(ConfigError(format!(
                    "parameter 'fields.{rest}': expected fields.<attribute>.<option> with \
                     option one of {}",
                    OPTIONS.join(", ")
                )));
            };
            let key = format!("fields.{rest}");
            let Some(index) = schema.index_of(attr) else {
                return Err(ConfigError(format!(
                    "parameter '{key}': stream '{}' has no attribute '{attr}'{}",
                    schema.name(),
                    did_you_mean(attr, schema.names())
                )));
            };
            let o = &mut options[index];
            match option {
                "kind" => o.kind = Some(value.to_string()),
                "min" => o.min = true,
                "max" => o.max = true,
                "values" => o.values = Some(value.to_string()),
                "length" => o.length = true,
                other => {
                    return Err(ConfigError(format!(
                        "unknown parameter '{key}'{}; a field accepts {}",
                        did_you_mean(other, OPTIONS.iter().copied()),
                        OPTIONS.join(", ")
                    )))
                }
            }
        }

        let mut gens = Vec::with_capacity(schema.len());
        for (attr, o) in schema.attrs().iter().zip(&options) {
            gens.push(field_generator(config, &attr.name, attr.ty, o)?);
        }
        Ok(Plan { rate, count, gens })
    }
}

/// Builds (and validates) the generator of one attribute.
fn field_generator(
    config: &ConnectorConfig,
    name: &str,
    ty: AttrType,
    o: &FieldOptions,
) -> Result<Gen, ConfigError> {
    let key = |option: &str| format!("fields.{name}.{option}");
    // The key as the app wrote it (attribute lookup is case-insensitive).
    let written = |option: &str| -> String {
        config
            .with_prefix("fields")
            .find(|(rest, _)| {
                rest.rsplit_once('.').is_some_and(|(a, opt)| {
                    opt == option && (a == name || a.eq_ignore_ascii_case(name))
                })
            })
            .map(|(rest, _)| format!("fields.{rest}"))
            .unwrap_or_else(|| key(option))
    };
    let kind = match o.kind.as_deref().map(|k| k.trim().to_ascii_lowercase()) {
        None if ty.is_numeric() => Kind::Sequence,
        None => Kind::Random,
        Some(k) if k == "sequence" => Kind::Sequence,
        Some(k) if k == "random" => Kind::Random,
        Some(k) if k == "one_of" => Kind::OneOf,
        Some(_) => {
            return Err(ConfigError(format!(
                "parameter '{}' has value '{}': expected sequence, random or one_of",
                written("kind"),
                o.kind.as_deref().unwrap_or_default()
            )))
        }
    };
    let kind_name = match kind {
        Kind::Sequence => "sequence",
        Kind::Random => "random",
        Kind::OneOf => "one_of",
    };
    let values_given = o.values.as_deref().is_some_and(|v| !v.trim().is_empty());

    // Options that do not fit the kind or the type.
    if kind == Kind::Sequence && !ty.is_numeric() {
        return Err(ConfigError(format!(
            "parameter '{}': kind 'sequence' needs a numeric attribute, but '{name}' is {ty} \
             (use random or one_of)",
            written("kind")
        )));
    }
    for (given, option) in [(o.min, "min"), (o.max, "max")] {
        if given && (kind == Kind::OneOf || !ty.is_numeric()) {
            return Err(ConfigError(if ty.is_numeric() {
                format!(
                    "parameter '{}' does not apply to kind 'one_of' (it picks from values)",
                    written(option)
                )
            } else {
                format!(
                    "parameter '{}' applies only to numeric attributes; '{name}' is {ty}",
                    written(option)
                )
            }));
        }
    }
    if o.length && !(matches!(ty, AttrType::String | AttrType::Bytes) && kind == Kind::Random) {
        return Err(ConfigError(format!(
            "parameter '{}' applies only to STRING and BYTES attributes with kind 'random'; \
             '{name}' is {ty} with kind '{kind_name}'",
            written("length")
        )));
    }
    if o.values.is_some()
        && !(kind == Kind::OneOf || (kind == Kind::Random && ty == AttrType::String))
    {
        return Err(ConfigError(format!(
            "parameter '{}' applies only with kind 'one_of' (or 'random' on STRING \
             attributes); '{name}' has kind '{kind_name}'",
            written("values")
        )));
    }

    if kind == Kind::OneOf || (kind == Kind::Random && values_given) {
        let Some(list) = o.values.as_deref().filter(|_| values_given) else {
            return Err(ConfigError(format!(
                "parameter '{}' is 'one_of' but '{}' is not set: give a comma-separated \
                 list, e.g. {}='a,b,c'",
                written("kind"),
                key("values"),
                key("values")
            )));
        };
        let mut values = Vec::new();
        for item in list.split(',').map(str::trim) {
            let v = match ty {
                AttrType::String => Some(Value::string(item)),
                AttrType::Float => item
                    .parse::<f32>()
                    .ok()
                    .filter(|f| f.is_finite())
                    .map(Value::Float),
                AttrType::Double => item
                    .parse::<f64>()
                    .ok()
                    .filter(|f| f.is_finite())
                    .map(Value::Double),
                _ => Value::string(item).cast(ty),
            };
            match v {
                Some(v) => values.push(v),
                None => {
                    return Err(ConfigError(format!(
                        "parameter '{}': '{item}' is not a valid {ty} (attribute '{name}')",
                        written("values")
                    )))
                }
            }
        }
        return Ok(Gen::OneOf(values));
    }

    match ty {
        AttrType::Int | AttrType::Long => {
            let long = ty == AttrType::Long;
            let parse = |option: &str| -> Result<Option<i64>, ConfigError> {
                let k = written(option);
                Ok(if long {
                    config.parse::<i64>(&k)?
                } else {
                    config.parse::<i32>(&k)?.map(i64::from)
                })
            };
            let (type_min, type_max) = if long {
                (i64::MIN, i64::MAX)
            } else {
                (i32::MIN as i64, i32::MAX as i64)
            };
            let (min, max) = (parse("min")?, parse("max")?);
            let (min, max) = match kind {
                Kind::Sequence => (min.unwrap_or(0), max.unwrap_or(type_max)),
                _ => match (min, max) {
                    (Some(a), Some(b)) => (a, b),
                    (Some(a), None) if a > 100 => (a, a.saturating_add(100).min(type_max)),
                    (None, Some(b)) if b < 0 => (b.saturating_sub(100).max(type_min), b),
                    (a, b) => (a.unwrap_or(0), b.unwrap_or(100)),
                },
            };
            check_order(min, max, &written("min"), &written("max"))?;
            Ok(match kind {
                Kind::Sequence => Gen::SeqInt {
                    min,
                    max,
                    next: min,
                    long,
                },
                _ => Gen::RandInt { min, max, long },
            })
        }
        AttrType::Float | AttrType::Double => {
            let single = ty == AttrType::Float;
            let parse = |option: &str| -> Result<Option<f64>, ConfigError> {
                let k = written(option);
                let v = if single {
                    config.parse::<f32>(&k)?.map(f64::from)
                } else {
                    config.parse::<f64>(&k)?
                };
                match v {
                    Some(f) if !f.is_finite() => Err(ConfigError(format!(
                        "parameter '{k}' has value '{}': expected a finite number",
                        config.get(&k).unwrap_or_default()
                    ))),
                    v => Ok(v),
                }
            };
            let (min, max) = (parse("min")?, parse("max")?);
            match kind {
                Kind::Sequence => {
                    let start = min.unwrap_or(0.0);
                    if let Some(m) = max {
                        check_order(start, m, &written("min"), &written("max"))?;
                    }
                    Ok(Gen::SeqFloat {
                        min: start,
                        max,
                        next: start,
                        single,
                    })
                }
                _ => {
                    let (min, max) = match (min, max) {
                        (Some(a), Some(b)) => (a, b),
                        (Some(a), None) if a > 100.0 => (a, a + 100.0),
                        (None, Some(b)) if b < 0.0 => (b - 100.0, b),
                        (a, b) => (a.unwrap_or(0.0), b.unwrap_or(100.0)),
                    };
                    check_order(min, max, &written("min"), &written("max"))?;
                    Ok(Gen::RandFloat { min, max, single })
                }
            }
        }
        AttrType::Bool => Ok(Gen::RandBool),
        AttrType::String | AttrType::Bytes => {
            let k = written("length");
            let length = config.parse::<usize>(&k)?.unwrap_or(DEFAULT_LENGTH);
            if length > MAX_LENGTH {
                return Err(ConfigError(format!(
                    "parameter '{k}' has value '{length}': at most {MAX_LENGTH}"
                )));
            }
            Ok(if ty == AttrType::String {
                Gen::RandString { length }
            } else {
                Gen::RandBytes { length }
            })
        }
    }
}

fn check_order<T: PartialOrd + std::fmt::Display>(
    min: T,
    max: T,
    min_key: &str,
    max_key: &str,
) -> Result<(), ConfigError> {
    if min > max {
        Err(ConfigError(format!(
            "parameter '{min_key}' ({min}) is greater than '{max_key}' ({max})"
        )))
    } else {
        Ok(())
    }
}

struct DatagenSource {
    stream: String,
    plan: Plan,
    rng: fastrand::Rng,
}

impl DatagenSource {
    fn row(&mut self) -> Arc<[Value]> {
        let rng = &mut self.rng;
        self.plan.gens.iter_mut().map(|g| g.next(rng)).collect()
    }
}

impl Source for DatagenSource {
    fn run(&mut self, ctx: &mut SourceContext) -> Result<(), ConnectorError> {
        let batch = match self.plan.rate {
            None => FAST_BATCH,
            Some(rate) => ((rate / 100.0) as usize).clamp(1, FAST_BATCH),
        };
        let start = Instant::now();
        let mut emitted: u64 = 0;
        while ctx.is_running() {
            let n = match self.plan.count {
                Some(total) if emitted >= total => break,
                Some(total) => (total - emitted).min(batch as u64) as usize,
                None => batch,
            };
            if let Some(rate) = self.plan.rate {
                // The batch goes out when its first event is due.
                if !wait_until(start, emitted as f64 / rate, ctx) {
                    break;
                }
            }
            let rows: Vec<Arc<[Value]>> = (0..n).map(|_| self.row()).collect();
            ctx.emit_rows(rows);
            emitted += n as u64;
        }
        log::info!(
            "datagen source on '{}' generated {emitted} events",
            self.stream
        );
        Ok(())
    }
}

/// Sleeps (at most [`MAX_SLEEP`] at a time) until `secs` after `start`; false if the app stops.
fn wait_until(start: Instant, secs: f64, ctx: &SourceContext) -> bool {
    let due = Duration::try_from_secs_f64(secs)
        .ok()
        .and_then(|d| start.checked_add(d));
    loop {
        if !ctx.is_running() {
            return false;
        }
        let now = Instant::now();
        let left = match due {
            Some(due) if due <= now => return true,
            Some(due) => due - now,
            None => MAX_SLEEP,
        };
        std::thread::sleep(left.min(MAX_SLEEP));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connector::builtin::test_util::Recorder;
    use std::sync::atomic::Ordering;

    fn schema() -> Schema {
        Schema::of(
            "Stock",
            &[
                ("symbol", AttrType::String),
                ("price", AttrType::Double),
                ("volume", AttrType::Int),
            ],
        )
    }

    fn config(params: &[(&str, &str)]) -> ConnectorConfig {
        ConnectorConfig {
            kind: "datagen".into(),
            stream: "Stock".into(),
            params: params
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            map: None,
        }
    }

    fn run(params: &[(&str, &str)], schema: &Schema) -> Recorder {
        let mut source = DatagenSourceFactory
            .create(&config(params), schema)
            .expect("create");
        let (rec, mut ctx) = Recorder::context();
        source.run(&mut ctx).unwrap();
        rec
    }

    fn error(params: &[(&str, &str)]) -> String {
        DatagenSourceFactory
            .validate(&config(params), &schema())
            .expect_err("should fail")
            .0
    }

    #[test]
    fn emits_count_rows_in_batches_of_1024() {
        let rec = run(&[("count", "2500")], &schema());
        let batches = rec.row_batches();
        assert_eq!(
            batches.iter().map(Vec::len).collect::<Vec<_>>(),
            vec![1024, 1024, 452]
        );
        let rows = rec.rows();
        assert_eq!(rows.len(), 2500);
        // Defaults: numbers count up from 0, strings random of length 8.
        assert_eq!(rows[0][1], Value::Double(0.0));
        assert_eq!(rows[2499][2], Value::Int(2499));
        assert_eq!(rows[7][0].as_str().unwrap().len(), 8);
        assert!(rows[7][0]
            .as_str()
            .unwrap()
            .chars()
            .all(|c| c.is_ascii_alphanumeric()));
        assert!(run(&[("count", "0")], &schema()).rows().is_empty());
    }

    #[test]
    fn sequence_starts_at_min_and_wraps_after_max() {
        let rec = run(
            &[
                ("count", "7"),
                ("fields.volume.min", "3"),
                ("fields.volume.max", "5"),
                ("fields.price.min", "1.5"),
                ("fields.price.max", "3.5"),
            ],
            &schema(),
        );
        let rows = rec.rows();
        let volumes: Vec<i64> = rows.iter().map(|r| r[2].as_i64().unwrap()).collect();
        assert_eq!(volumes, vec![3, 4, 5, 3, 4, 5, 3]);
        let prices: Vec<f64> = rows.iter().map(|r| r[1].as_f64().unwrap()).collect();
        assert_eq!(prices, vec![1.5, 2.5, 3.5, 1.5, 2.5, 3.5, 1.5]);
        // No wrap without max, up to the type's limit.
        let s = Schema::of("S", &[("n", AttrType::Int)]);
        let rows = run(&[("count", "3"), ("fields.n.min", "2147483646")], &s).rows();
        let n: Vec<i64> = rows.iter().map(|r| r[0].as_i64().unwrap()).collect();
        assert_eq!(n, vec![2147483646, 2147483647, 2147483646]);
    }

    #[test]
    fn one_of_and_random_stay_within_bounds() {
        let rec = run(
            &[
                ("count", "500"),
                ("fields.symbol.kind", "one_of"),
                ("fields.symbol.values", "IBM, WSO2,ORCL"),
                ("fields.price.kind", "random"),
                ("fields.price.min", "10"),
                ("fields.price.max", "20"),
                ("fields.volume.kind", "random"),
                ("fields.volume.min", "-3"),
                ("fields.volume.max", "3"),
            ],
            &schema(),
        );
        let rows = rec.rows();
        let mut seen = std::collections::BTreeSet::new();
        for r in &rows {
            let s = r[0].as_str().unwrap();
            assert!(["IBM", "WSO2", "ORCL"].contains(&s), "{s}");
            seen.insert(s.to_string());
            let p = r[1].as_f64().unwrap();
            assert!((10.0..=20.0).contains(&p), "{p}");
            assert!(matches!(r[2], Value::Int(v) if (-3..=3).contains(&v)));
        }
        assert_eq!(seen.len(), 3);

        let s = Schema::of(
            "T",
            &[
                ("flag", AttrType::Bool),
                ("data", AttrType::Bytes),
                ("id", AttrType::Long),
                ("f", AttrType::Float),
                ("tag", AttrType::String),
                ("b", AttrType::Bool),
            ],
        );
        let rows = run(
            &[
                ("count", "20"),
                ("fields.data.length", "3"),
                ("fields.f.kind", "random"),
                ("fields.f.min", "500"),
                ("fields.tag.values", "x,y"),
                ("fields.b.kind", "one_of"),
                ("fields.b.values", "true"),
            ],
            &s,
        )
        .rows();
        assert_eq!(rows.len(), 20);
        for r in &rows {
            assert!(matches!(r[0], Value::Bool(_)));
            assert_eq!(r[1].as_bytes().unwrap().len(), 3);
            assert!(matches!(r[2], Value::Long(_)));
            assert!(matches!(r[3], Value::Float(f) if (500.0..=600.0).contains(&f)));
            assert!(matches!(r[4].as_str(), Some("x" | "y")));
            assert_eq!(r[5], Value::Bool(true));
        }
    }

    #[test]
    fn rate_paced_run_finishes_with_all_events() {
        let rec = run(&[("count", "50"), ("rate", "500")], &schema());
        assert_eq!(rec.rows().len(), 50);
        // About rate/100 per batch.
        assert!(rec.row_batches().iter().all(|b| b.len() == 5));
    }

    #[test]
    fn stops_when_the_flag_clears() {
        let mut source = DatagenSourceFactory
            .create(&config(&[("rate", "0.01")]), &schema())
            .unwrap();
        let (rec, mut ctx, flag) = Recorder::context_with_flag();
        let handle = std::thread::spawn(move || source.run(&mut ctx));
        std::thread::sleep(Duration::from_millis(50));
        flag.store(false, Ordering::Release);
        handle.join().unwrap().unwrap();
        // The first batch is due at once; the next only after 100 s.
        assert_eq!(rec.rows().len(), 1);

        let mut source = DatagenSourceFactory
            .create(&config(&[]), &schema())
            .unwrap();
        let (rec, mut ctx, flag) = Recorder::context_with_flag();
        let handle = std::thread::spawn(move || source.run(&mut ctx));
        std::thread::sleep(Duration::from_millis(20));
        flag.store(false, Ordering::Release);
        handle.join().unwrap().unwrap();
        assert!(rec.rows().len() % 1024 == 0);
    }

    #[test]
    fn validation_errors_name_the_parameter() {
        assert_eq!(
            error(&[("fields.symbl.kind", "random")]),
            "parameter 'fields.symbl.kind': stream 'Stock' has no attribute 'symbl' (did you \
             mean 'symbol'?)"
        );
        assert_eq!(
            error(&[("fields.price.kind", "randm")]),
            "parameter 'fields.price.kind' has value 'randm': expected sequence, random or one_of"
        );
        assert_eq!(
            error(&[("fields.symbol.kind", "one_of")]),
            "parameter 'fields.symbol.kind' is 'one_of' but 'fields.symbol.values' is not set: \
             give a comma-separated list, e.g. fields.symbol.values='a,b,c'"
        );
        assert_eq!(
            error(&[
                ("fields.volume.kind", "one_of"),
                ("fields.volume.values", "1,2,x")
            ]),
            "parameter 'fields.volume.values': 'x' is not a valid INT (attribute 'volume')"
        );
        assert_eq!(
            error(&[("fields.price.min", "10"), ("fields.price.max", "5")]),
            "parameter 'fields.price.min' (10) is greater than 'fields.price.max' (5)"
        );
        assert_eq!(
            error(&[
                ("fields.volume.kind", "random"),
                ("fields.volume.min", "10"),
                ("fields.volume.max", "5")
            ]),
            "parameter 'fields.volume.min' (10) is greater than 'fields.volume.max' (5)"
        );
        assert_eq!(
            error(&[("fields.price.mn", "1")]),
            "unknown parameter 'fields.price.mn' (did you mean 'min'?); a field accepts kind, \
             min, max, values, length"
        );
        assert!(error(&[("fields.symbol.kind", "sequence")]).contains("needs a numeric"));
        assert!(error(&[("fields.symbol.min", "1")]).starts_with("parameter 'fields.symbol.min'"));
        assert!(
            error(&[("fields.price.length", "3")]).starts_with("parameter 'fields.price.length'")
        );
        assert!(
            error(&[("fields.price.values", "1,2")]).starts_with("parameter 'fields.price.values'")
        );
        assert!(error(&[("fields.volume.min", "x")]).contains("'fields.volume.min'"));
        assert!(error(&[("fields.volume.max", "3000000000")]).contains("'fields.volume.max'"));
        assert!(error(&[("fields.price.max", "inf")]).contains("finite"));
        assert!(error(&[("fields.symbol.length", "99999999")]).contains("at most"));
        assert!(error(&[("rate", "0")]).starts_with("parameter 'rate'"));
        assert!(error(&[("rate", "fast")]).starts_with("parameter 'rate'"));
        assert!(error(&[("count", "-1")]).starts_with("parameter 'count'"));
        // Attribute names match case-insensitively; the message keeps the app's spelling.
        assert!(error(&[("fields.PRICE.kind", "x")]).starts_with("parameter 'fields.PRICE.kind'"));
        assert!(DatagenSourceFactory
            .validate(
                &config(&[("fields.Price.kind", "random"), ("rate", "0.5")]),
                &schema()
            )
            .is_ok());
        // create reports the same problems as a permanent error.
        let err = DatagenSourceFactory
            .create(&config(&[("fields.x.kind", "random")]), &schema())
            .err()
            .unwrap();
        assert_eq!(err.class, crate::connector::ErrorClass::Permanent);
    }
}

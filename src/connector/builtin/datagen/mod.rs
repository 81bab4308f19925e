//! `datagen` source: synthetic rows at a fixed rate (or as fast as possible), from per-attribute
//! templates `fields.<attr>.kind|min|max|values|length`. Here: its parameters and the paced
//! emit loop; `plan` checks the parameters and builds the generators that `generate` runs.

mod generate;
mod plan;

use crate::connector::config::{ConfigError, ConnectorConfig};
use crate::connector::param::{specs, Describe, Param};
use crate::connector::spec::ConnectorSpec;
use crate::connector::{ConnectorError, Source, SourceContext, SourceFactory};
use crate::schema::Schema;
use crate::value::Value;
use plan::Plan;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Rows per batch when no rate is set (and the most per batch with one).
const FAST_BATCH: usize = 1024;
/// The longest single sleep, so a stop request is noticed promptly.
const MAX_SLEEP: Duration = Duration::from_millis(100);

const RATE: Param<Option<f64>> = Param::optional(
    "rate",
    None,
    "Events per second (fractions allowed, e.g. 0.5 = one every 2 s). The long-run rate is \
     exact: events go out in small batches (about rate/100 at a time) paced against the start \
     time. Absent = as fast as possible.",
    "1000",
);
const COUNT: Param<Option<u64>> = Param::optional(
    "count",
    None,
    "Total events to generate, after which the source ends. Absent = unbounded (until the app \
     stops).",
    "100000",
);
// The per-attribute templates; the last segment of each name is the option it sets.
const FIELD_KIND: Param<Option<String>> = Param::optional(
    "fields.<attr>.kind",
    None,
    "How attribute <attr> is generated: `sequence` (numbers only: min, min+1, ... wrapping back \
     to min after max), `random` (numbers uniform in [min, max]; strings alphanumeric of \
     `length` characters, or picked from `values` when given; random booleans; random bytes of \
     `length`) or `one_of` (picked at random from `values`). Default: sequence for numbers, \
     random for strings, booleans and bytes.",
    "one_of",
);
const FIELD_MIN: Param<Option<String>> = Param::optional(
    "fields.<attr>.min",
    None,
    "Numeric attributes: the lowest value (sequence start). Default 0.",
    "10",
);
const FIELD_MAX: Param<Option<String>> = Param::optional(
    "fields.<attr>.max",
    None,
    "Numeric attributes: the highest value. A sequence wraps back to min after it (default: \
     never, up to the type's limit); random defaults to 100 (or min + 100 when min is above \
     100).",
    "500",
);
const FIELD_VALUES: Param<Option<String>> = Param::optional(
    "fields.<attr>.values",
    None,
    "Comma-separated values for kind `one_of` (each must parse as the attribute's type; spaces \
     around commas are trimmed); also accepted with kind `random` on string attributes.",
    "IBM,WSO2,ORCL",
);
const FIELD_LENGTH: Param<usize> = Param::optional(
    "fields.<attr>.length",
    8,
    "Length of random strings (characters) and byte arrays (bytes), at most 1048576.",
    "12",
);
const PARAMS: &[&dyn Describe] = &[
    &RATE,
    &COUNT,
    &FIELD_KIND,
    &FIELD_MIN,
    &FIELD_MAX,
    &FIELD_VALUES,
    &FIELD_LENGTH,
];

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
            params: specs(&[PARAMS]),
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
    use crate::value::AttrType;
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
            ..Default::default()
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

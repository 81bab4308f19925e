//! `eventflux bench`: feed synthetic events through `send_events` on one thread, count outputs.

use eventflux::clock::ClockMode;
use eventflux::{AttrType, Engine, Event, RunOptions, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// The standard queries (`--suite`).
pub const SUITE: &[(&str, &str)] = &[
    (
        "Q1 filter+project",
        "CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);\n\
         INSERT INTO Out SELECT symbol, price * 2.0 AS p2 FROM Trades WHERE volume > 500;",
    ),
    (
        "Q2 length+group by",
        "CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);\n\
         INSERT INTO Out SELECT symbol, avg(price) AS ap, sum(volume) AS sv FROM Trades WINDOW('length', 100) GROUP BY symbol;",
    ),
    (
        // Playback clock: event time advances 1 s per 100,000 events (--events-per-sec).
        "Q3 tumbling+group by",
        "@app:playback\n\
         CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);\n\
         INSERT INTO Out SELECT symbol, count() AS c, max(price) AS mp FROM Trades WINDOW TUMBLING(1 SECOND) GROUP BY symbol;",
    ),
    (
        // A and B batches alternate (the bench feeds input streams round-robin).
        "Q4 length join",
        "CREATE STREAM A (symbol STRING, price DOUBLE);\n\
         CREATE STREAM B (symbol STRING, qty INT);\n\
         INSERT INTO Out SELECT A.symbol AS symbol, A.price AS price, B.qty AS qty FROM A WINDOW('length', 10) JOIN B WINDOW('length', 10) ON A.symbol = B.symbol;",
    ),
    (
        // Playback clock: event time advances 1 ms every 100 events (--events-per-sec 100000).
        "Q5 pattern",
        "@app:playback\n\
         CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);\n\
         INSERT INTO Out SELECT e1.symbol AS symbol, e1.price AS p1, e2.price AS p2 FROM PATTERN (every e1=Trades[price > 150] -> e2=Trades[price < 50 AND symbol = e1.symbol]) WITHIN 1 SECOND;",
    ),
];

pub struct BenchConfig {
    pub events: u64,
    pub batch: usize,
    pub keys: usize,
    /// Playback apps: how fast event time advances (events per second of event time).
    pub events_per_sec: u64,
}

pub struct BenchResult {
    pub events: u64,
    pub seconds: f64,
    pub output_events: u64,
    pub peak_rss_bytes: Option<u64>,
}

impl BenchResult {
    pub fn events_per_sec(&self) -> f64 {
        self.events as f64 / self.seconds.max(1e-9)
    }
}

/// Synthetic values: STRING from `keys` distinct values, INT/BIGINT uniform in [0, 1000],
/// FLOAT/DOUBLE uniform in [0, 200), BOOL fair, BYTES 16 random bytes.
fn synthetic(ty: AttrType, keys: &[Value], rng: &mut fastrand::Rng) -> Value {
    match ty {
        AttrType::String => keys[rng.usize(..keys.len())].clone(),
        AttrType::Int => Value::Int(rng.i32(0..=1000)),
        AttrType::Long => Value::Long(rng.i64(0..=1000)),
        AttrType::Float => Value::Float(rng.f32() * 200.0),
        AttrType::Double => Value::Double(rng.f64() * 200.0),
        AttrType::Bool => Value::Bool(rng.bool()),
        AttrType::Bytes => Value::from((0..16).map(|_| rng.u8(..)).collect::<Vec<u8>>()),
    }
}

pub fn run(
    engine: &Engine,
    file: &str,
    sql: &str,
    cfg: &BenchConfig,
) -> Result<BenchResult, String> {
    let options = RunOptions {
        connectors: false,
        synchronous: false,
        playback: false,
        ..RunOptions::default()
    };
    let app = engine
        .compile_with(file, sql, options)
        .map_err(|e| e.to_string())?;
    let plan = app.plan().clone();
    let outputs = Arc::new(AtomicU64::new(0));
    for id in plan.query_targets() {
        let o = outputs.clone();
        app.subscribe_fn(plan.streams[id].schema.name(), move |b| {
            o.fetch_add(b.len() as u64, Ordering::Relaxed);
        })
        .map_err(|e| e.to_string())?;
    }
    let inputs: Vec<_> = plan.input_streams();
    if inputs.is_empty() {
        return Err("the app has no input stream (every stream is a query target)".into());
    }
    // A pool of prepared batches per input stream, reused round-robin: generation stays out of
    // the measurement, and sharing rows is what the engine is built for.
    let keys: Vec<Value> = (0..cfg.keys.max(1))
        .map(|k| Value::from(format!("key{k}")))
        .collect();
    let mut rng = fastrand::Rng::with_seed(42);
    let pool: Vec<(eventflux::InputHandle, Vec<Vec<Event>>)> = inputs
        .iter()
        .map(|&id| {
            let schema = &plan.streams[id].schema;
            let batches = (0..16)
                .map(|_| {
                    (0..cfg.batch)
                        .map(|_| {
                            Event::new(
                                0,
                                schema
                                    .attrs()
                                    .iter()
                                    .map(|a| synthetic(a.ty, &keys, &mut rng))
                                    .collect::<Vec<_>>(),
                            )
                        })
                        .collect()
                })
                .collect();
            (
                app.input(schema.name()).expect("input stream exists"),
                batches,
            )
        })
        .collect();
    app.start().map_err(|e| e.to_string())?;
    let playback = app.clock().mode() == ClockMode::Playback;
    let per_sec = cfg.events_per_sec.max(1);
    let mut stamped: Vec<Event> = Vec::with_capacity(cfg.batch);
    let start = Instant::now();
    let mut sent = 0u64;
    let mut i = 0usize;
    while sent < cfg.events {
        let (handle, batches) = &pool[i % pool.len()];
        let batch = &batches[(i / pool.len()) % batches.len()];
        let n = batch.len().min((cfg.events - sent) as usize);
        if playback {
            // Event time advances with the events sent, so time windows close as they would live.
            stamped.clear();
            stamped.extend(batch[..n].iter().enumerate().map(|(k, e)| Event {
                ts: ((sent + k as u64) * 1000 / per_sec) as i64,
                kind: e.kind,
                data: e.data.clone(),
            }));
            handle.send_events(&stamped).map_err(|e| e.to_string())?;
        } else {
            handle.send_events(&batch[..n]).map_err(|e| e.to_string())?;
        }
        sent += n as u64;
        i += 1;
    }
    app.shutdown().map_err(|e| e.to_string())?;
    let seconds = start.elapsed().as_secs_f64();
    Ok(BenchResult {
        events: sent,
        seconds,
        output_events: outputs.load(Ordering::Relaxed),
        peak_rss_bytes: peak_rss(),
    })
}

/// Peak resident memory of this process (Linux), in bytes.
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

pub fn render(name: &str, r: &BenchResult, json: bool) -> String {
    let mb = r.peak_rss_bytes.map(|b| b as f64 / 1048576.0);
    if json {
        serde_json::json!({
            "query": name,
            "events": r.events,
            "seconds": r.seconds,
            "events_per_sec": r.events_per_sec(),
            "output_events": r.output_events,
            "peak_memory_mb": mb,
        })
        .to_string()
    } else {
        format!(
            "{:<22} {:>12} {:>16.0} {:>14} {:>12}",
            name,
            r.events,
            r.events_per_sec(),
            r.output_events,
            mb.map_or("-".into(), |m| format!("{m:.1}"))
        )
    }
}

pub fn header() -> String {
    format!(
        "{:<22} {:>12} {:>16} {:>14} {:>12}",
        "query", "events", "events/s", "output events", "peak MB"
    )
}

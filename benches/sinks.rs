//! Storage sinks, end to end through the engine: `cargo bench --bench sinks`.
//! Sends events in batches of 1000 into a stream bound to each sink and times until shutdown
//! has flushed and closed every file; reports events/s and MB/s of what reached the disk.

use eventflux::{Engine, Value};
use std::path::Path;
use std::time::Instant;

fn disk_bytes(dir: &Path) -> u64 {
    let mut total = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                total += e.metadata().map(|m| m.len()).unwrap_or(0);
            }
        }
    }
    total
}

fn run(name: &str, sink: &str, events: usize) {
    let dir = std::env::temp_dir().join(format!("eventflux-bench-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let sink = sink.replace("{dir}", &dir.display().to_string());
    let app = Engine::new()
        .compile(&format!(
            "{sink}\nCREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT, ts BIGINT);"
        ))
        .unwrap();
    app.start().unwrap();
    let input = app.input("Trades").unwrap();
    let symbols: Vec<Value> = ["IBM", "WSO2", "ORCL", "MSFT"]
        .iter()
        .map(|s| Value::from(*s))
        .collect();
    let batches: Vec<Vec<Vec<Value>>> = (0..events / 1000)
        .map(|b| {
            (0..1000)
                .map(|i| {
                    let n = (b * 1000 + i) as i64;
                    vec![
                        symbols[i % 4].clone(),
                        Value::Double(n as f64 * 0.01),
                        Value::Int(i as i32),
                        Value::Long(n),
                    ]
                })
                .collect()
        })
        .collect();
    let start = Instant::now();
    for batch in batches {
        input.send_batch(batch).unwrap();
    }
    let stats = app.shutdown().unwrap();
    let secs = start.elapsed().as_secs_f64();
    assert!(!stats.failed(), "{stats:?}");
    let bytes = disk_bytes(&dir);
    println!(
        "{name:<14} {:>6.2} M events/s  {:>7.1} MB/s on disk  ({} MB)",
        events as f64 / secs / 1e6,
        bytes as f64 / secs / 1e6,
        bytes / 1_000_000
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn main() {
    let events = 3_000_000;
    run("null", "@sink(type='null')", events);
    run(
        "file (json)",
        "@sink(type='file', path='{dir}', rotation.max.bytes='268435456')",
        events,
    );
    run(
        "file+lz4",
        "@sink(type='file', path='{dir}', rotation.max.bytes='268435456', compression='lz4')",
        events,
    );
    run(
        "binary",
        "@sink(type='binary', path='{dir}', rotation.max.bytes='268435456')",
        events,
    );
    run(
        "binary+lz4",
        "@sink(type='binary', path='{dir}', rotation.max.bytes='268435456', compression='lz4')",
        events,
    );
    run("parquet", "@sink(type='parquet', path='{dir}')", events);
    run(
        "parquet+zstd",
        "@sink(type='parquet', path='{dir}', compression='zstd')",
        events,
    );
}

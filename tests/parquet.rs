//! The Parquet sink checked by an independent reader: pyarrow reads every file the sink wrote
//! (rotated, partitioned, each codec) and the rows must equal what was sent, NULLs included.

mod common;

use common::*;
use eventflux::{Engine, Value};
use std::process::Command;

fn row(i: i64) -> Vec<Value> {
    vec![
        Value::from(["IBM", "WSO2"][i as usize % 2]),
        if i % 7 == 0 {
            Value::Null
        } else {
            Value::Double(i as f64 / 4.0)
        },
        Value::Int(i as i32),
        Value::Long(i * 1_000_000_007),
        Value::Bool(i % 3 == 0),
        Value::Float(i as f32 / 2.0),
        if i % 5 == 0 {
            Value::Null
        } else {
            Value::Bytes(vec![i as u8, 0xff].into())
        },
    ]
}

fn pyarrow_rows(dir: &std::path::Path) -> (serde_json::Value, Vec<serde_json::Value>) {
    let o = Command::new("python3")
        .arg(peer_script("read_parquet.py"))
        .arg(dir)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8(o.stdout).unwrap();
    let mut lines = text.lines().map(|l| serde_json::from_str(l).unwrap());
    let head = lines.next().unwrap();
    (head, lines.collect())
}

#[test]
fn pyarrow_reads_back_every_row_of_rotated_partitioned_files() {
    init_logs();
    if !python_module("pyarrow") {
        return;
    }
    for compression in ["snappy", "zstd", "lz4", "none"] {
        let dir = temp_dir(&format!("parquet-{compression}"));
        let app = Engine::new()
            .compile(&format!(
                "@sink(type='parquet', path='{}', compression='{compression}', partition.by='symbol',
                       row.group.size='100', rotation.max.bytes='4000', batch.size='64')
                 CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT, big BIGINT,
                                       flag BOOL, f FLOAT, raw BYTES);",
                dir.display()
            ))
            .unwrap();
        app.start().unwrap();
        let input = app.input("Trades").unwrap();
        let n = 2000i64;
        for i in 0..n {
            input.send_at(1_700_000_000_000 + i, row(i)).unwrap();
        }
        let stats = app.shutdown().unwrap();
        assert!(!stats.failed(), "{stats:?}");
        let (head, rows) = pyarrow_rows(&dir);
        assert!(head["files"].as_u64().unwrap() > 4, "{head}");
        let schema = head["schemas"][0].as_str().unwrap();
        assert!(
            schema.contains("event_time: timestamp[ms, tz=UTC] not null"),
            "{schema}"
        );
        assert!(
            schema.contains("symbol: string") && schema.contains("raw: binary"),
            "{schema}"
        );
        assert_eq!(rows.len(), n as usize);
        let mut seen = vec![false; n as usize];
        for r in &rows {
            let i = r["volume"].as_i64().unwrap();
            assert!(!seen[i as usize], "row {i} twice");
            seen[i as usize] = true;
            let file = r["_file"].as_str().unwrap();
            let symbol = r["symbol"].as_str().unwrap();
            assert!(
                file.contains(&format!("/{symbol}/")),
                "{file} holds {symbol}"
            );
            assert_eq!(r["event_time"], 1_700_000_000_000 + i);
            let expected = row(i);
            match &expected[1] {
                Value::Double(d) => assert_eq!(r["price"].as_f64(), Some(*d)),
                _ => assert!(r["price"].is_null()),
            }
            assert_eq!(r["big"].as_i64(), Some(i * 1_000_000_007));
            assert_eq!(r["flag"].as_bool(), Some(i % 3 == 0));
            assert_eq!(r["f"].as_f64(), Some(i as f64 / 2.0));
            match &expected[6] {
                Value::Bytes(b) => {
                    assert_eq!(r["raw"].as_str().unwrap(), format!("{:02x}ff", b[0]))
                }
                _ => assert!(r["raw"].is_null()),
            }
        }
        // Nothing is left half-written.
        let leftovers = Command::new("find")
            .arg(&dir)
            .args(["-name", "*.inprogress"])
            .output()
            .unwrap();
        assert!(
            leftovers.stdout.is_empty(),
            "{}",
            String::from_utf8_lossy(&leftovers.stdout)
        );
        std::fs::remove_dir_all(dir).unwrap();
    }
}

//! Windows and aggregation through the embedded API: wall-clock timers, compile errors, and a
//! property test of incremental aggregates against brute-force recomputation.

use eventflux::{Engine, Event, RunOptions, Value};
use proptest::prelude::*;
use std::time::Duration;

fn compile_err(sql: &str) -> String {
    match Engine::new().compile(sql) {
        Ok(_) => panic!("expected a compile error for:\n{sql}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn time_window_expires_on_the_wall_clock() {
    let app = Engine::new()
        .compile(
            "CREATE STREAM S (v INT);\n\
             INSERT ALL EVENTS INTO O SELECT count() AS n FROM S WINDOW('time', 50 MILLISECONDS);",
        )
        .unwrap();
    let out = app.subscribe("O").unwrap();
    app.start().unwrap();
    app.input("S").unwrap().send(vec![Value::Int(1)]).unwrap();
    let first = out
        .recv_timeout(Duration::from_secs(5))
        .expect("the arrival");
    assert_eq!(first.data[0], Value::Long(1));
    // The scheduler thread expires the event: no further input needed.
    let expired = out
        .recv_timeout(Duration::from_secs(5))
        .expect("the expiry");
    assert!(expired.is_expired());
    assert_eq!(expired.data[0], Value::Long(0));
    app.shutdown().unwrap();
}

#[test]
fn window_and_aggregate_errors_name_the_fix() {
    let base = "CREATE STREAM S (symbol STRING, price DOUBLE);\n";
    let e = compile_err(&format!(
        "{base}INSERT INTO O SELECT price FROM S WINDOW('lenght', 4);"
    ));
    assert!(
        e.contains("app.sql:2:42: error: unknown window 'lenght' (did you mean 'length'?)"),
        "{e}"
    );
    let e = compile_err(&format!(
        "{base}INSERT INTO O SELECT price FROM S WINDOW('length', 4, 5);"
    ));
    assert!(
        e.contains("window 'length' expects length(n), got 2 argument(s)"),
        "{e}"
    );
    assert!(e.contains("help: signatures: length(n INT)"), "{e}");
    let e = compile_err(&format!(
        "{base}INSERT INTO O SELECT price FROM S WINDOW('time', 'x');"
    ));
    assert!(
        e.contains("t must be a positive time such as 5 SECONDS, got string 'x'"),
        "{e}"
    );
    let e = compile_err(&format!(
        "{base}INSERT INTO O SELECT price FROM S WINDOW('cron', 'every minute');"
    ));
    assert!(e.contains("'every minute' is not a cron expression"), "{e}");
    let e = compile_err(&format!(
        "{base}INSERT INTO O SELECT price FROM S WINDOW('externalTime', symbol, 1 SEC);"
    ));
    assert!(
        e.contains("must be a BIGINT attribute holding milliseconds, got STRING"),
        "{e}"
    );
    let e = compile_err(&format!(
        "{base}INSERT INTO O SELECT price FROM S WHERE sum(price) > 1;"
    ));
    assert!(
        e.contains("aggregate function 'sum' is not allowed here"),
        "{e}"
    );
    let e = compile_err(&format!(
        "{base}INSERT INTO O SELECT sum(price) AS t FROM S HAVING price > 1;"
    ));
    assert!(e.contains("unknown attribute 'price' in stream 'O'"), "{e}");
    assert!(e.contains("HAVING filters output rows"), "{e}");
    let e = compile_err(&format!(
        "{base}INSERT INTO O SELECT sum(symbol) AS t FROM S;"
    ));
    assert!(e.contains("sum() needs a number, got STRING"), "{e}");
    let e = compile_err(&format!(
        "{base}INSERT INTO O SELECT symbol FROM S ORDER BY price;"
    ));
    assert!(
        e.contains("ORDER BY names an output attribute of 'O'"),
        "{e}"
    );
    let e = compile_err(&format!(
        "{base}INSERT INTO O SELECT symbol FROM S WHERE price > 1 WINDOW('length', 2);"
    ));
    assert!(e.contains("WINDOW goes before WHERE"), "{e}");
    let e = compile_err(&format!(
        "{base}INSERT INTO O SELECT symbol FROM S OUTPUT SNAPSHOT EVERY 5 EVENTS;"
    ));
    assert!(e.contains("OUTPUT SNAPSHOT needs a time period"), "{e}");
}

#[test]
fn batch_window_treats_each_send_batch_as_one_batch() {
    let app = Engine::new()
        .compile("CREATE STREAM S (v INT);\nINSERT INTO O SELECT count() AS n, sum(v) AS total FROM S WINDOW('batch');")
        .unwrap();
    let out = app.subscribe("O").unwrap();
    app.start().unwrap();
    let s = app.input("S").unwrap();
    s.send_batch(vec![
        vec![Value::Int(1)],
        vec![Value::Int(2)],
        vec![Value::Int(3)],
    ])
    .unwrap();
    s.send_batch(vec![vec![Value::Int(10)]]).unwrap();
    app.shutdown().unwrap();
    let rows: Vec<(Value, Value)> = out
        .drain()
        .into_iter()
        .map(|e| (e.data[0].clone(), e.data[1].clone()))
        .collect();
    assert_eq!(
        rows,
        vec![
            (Value::Long(3), Value::Long(6)),
            (Value::Long(1), Value::Long(10))
        ]
    );
}

#[test]
fn expression_window_conditions_call_the_apps_own_functions() {
    // The condition is bound with the app's registry, so a UDF works inside it.
    let mut engine = Engine::new();
    engine.register_function("volume_cap", eventflux::AttrType::Long, |_| Value::Long(10));
    let app = engine
        .compile(
            "CREATE STREAM S (v INT);\n\
             INSERT INTO O SELECT sum(v) AS total, count() AS n FROM S \
             WINDOW('expression', 'sum(v) <= volume_cap()');",
        )
        .unwrap();
    let out = app.subscribe("O").unwrap();
    app.start().unwrap();
    let s = app.input("S").unwrap();
    for v in [4, 5, 3, 8] {
        s.send(vec![Value::Int(v)]).unwrap();
    }
    app.shutdown().unwrap();
    let rows: Vec<(Value, Value)> = out
        .drain()
        .into_iter()
        .map(|e| (e.data[0].clone(), e.data[1].clone()))
        .collect();
    // 4; 4+5; 4+5+3 > 10 expires 4 -> 8; 5+3+8 > 10 expires 5 -> 11 > 10 expires 3 -> 8.
    assert_eq!(
        rows,
        vec![
            (Value::Long(4), Value::Long(1)),
            (Value::Long(9), Value::Long(2)),
            (Value::Long(8), Value::Long(2)),
            (Value::Long(8), Value::Long(1)),
        ]
    );
    // An unknown function in the condition is a compile error naming it.
    let e = compile_err(
        "CREATE STREAM S (v INT);\n\
         INSERT INTO O SELECT count() AS n FROM S WINDOW('expression', 'sum(v) <= volume_cap()');",
    );
    assert!(e.contains("volume_cap"), "{e}");
}

/// Replays `values` (one per millisecond) through a window query on the playback clock and
/// returns the emitted (count, sum, min, max, avg) rows.
fn run_window(window: &str, values: &[Option<i32>]) -> Vec<Vec<Value>> {
    let sql = format!(
        "CREATE STREAM S (v INT);\n\
         INSERT ALL EVENTS INTO O SELECT count(v) AS n, sum(v) AS s, min(v) AS lo, max(v) AS hi, avg(v) AS a FROM S WINDOW({window});"
    );
    let options = RunOptions {
        connectors: false,
        synchronous: true,
        playback: true,
        ..RunOptions::default()
    };
    let app = Engine::new()
        .compile_with("prop.sql", &sql, options)
        .unwrap();
    let out = app.subscribe("O").unwrap();
    app.start().unwrap();
    let s = app.input("S").unwrap();
    for (i, v) in values.iter().enumerate() {
        s.send_at(i as i64 * 10, vec![v.map_or(Value::Null, Value::Int)])
            .unwrap();
    }
    app.shutdown().unwrap();
    out.drain()
        .into_iter()
        .map(|e: Event| e.data.to_vec())
        .collect()
}

/// The aggregates of a window's contents, computed from scratch.
fn brute(contents: &[Option<i32>]) -> Vec<Value> {
    let present: Vec<i64> = contents.iter().flatten().map(|v| *v as i64).collect();
    if present.is_empty() {
        return vec![
            Value::Long(0),
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null,
        ];
    }
    let sum: i64 = present.iter().sum();
    vec![
        Value::Long(present.len() as i64),
        Value::Long(sum),
        Value::Int(*present.iter().min().unwrap() as i32),
        Value::Int(*present.iter().max().unwrap() as i32),
        Value::Double(sum as f64 / present.len() as f64),
    ]
}

fn close(a: &[Value], b: &[Value]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| match (x, y) {
            (Value::Double(x), Value::Double(y)) => (x - y).abs() <= 1e-9 * x.abs().max(1.0),
            _ => x == y,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// length(n): after each arrival (and each expiry) the aggregates equal a recomputation over
    /// the window's contents at that moment.
    #[test]
    fn length_window_aggregates_match_brute_force(
        values in prop::collection::vec(prop::option::weighted(0.8, -1000i32..1000), 1..60),
        n in 1usize..8,
    ) {
        let rows = run_window(&format!("'length', {n}"), &values);
        let mut expected = Vec::new();
        for i in 0..values.len() {
            if i >= n {
                // The oldest event expires first: its row carries the aggregate after removal.
                expected.push(brute(&values[i + 1 - n..i]));
            }
            expected.push(brute(&values[i.saturating_sub(n - 1)..=i]));
        }
        prop_assert_eq!(rows.len(), expected.len());
        for (got, want) in rows.iter().zip(&expected) {
            prop_assert!(close(got, want), "got {:?}, want {:?}", got, want);
        }
    }

    /// time(t) with one event every 10 ms: the window holds the events of the last t.
    #[test]
    fn time_window_aggregates_match_brute_force(
        values in prop::collection::vec(prop::option::weighted(0.8, -1000i32..1000), 1..60),
        t in 1i64..8,
    ) {
        let t_ms = t * 10;
        let rows = run_window(&format!("'time', {t_ms} MILLISECONDS"), &values);
        // Each arrival at i*10 first expires events at or before i*10 - t_ms, one at a time.
        let mut expected = Vec::new();
        let mut start = 0usize;
        for i in 0..values.len() {
            while (start as i64) * 10 + t_ms <= i as i64 * 10 {
                start += 1;
                expected.push(brute(&values[start..i]));
            }
            expected.push(brute(&values[start..=i]));
        }
        // The input ends: time moves on and the events still held expire, oldest first.
        while start < values.len() {
            start += 1;
            expected.push(brute(&values[start..]));
        }
        prop_assert_eq!(rows.len(), expected.len());
        for (got, want) in rows.iter().zip(&expected) {
            prop_assert!(close(got, want), "got {:?}, want {:?}", got, want);
        }
    }
}

/// Every window's documented example is a complete app that compiles.
#[test]
fn window_reference_examples_compile() {
    for w in eventflux::plan::window::windows() {
        if let Err(e) = Engine::new().compile(w.example) {
            panic!("example of window '{}' does not compile:\n{e}", w.name);
        }
    }
    let pages = eventflux::plan::window::reference_pages();
    assert_eq!(pages.len(), eventflux::plan::window::windows().len() + 1);
    assert!(
        pages[0].1.contains("| `stdDev(x NUMERIC)` | DOUBLE |"),
        "{}",
        pages[0].1
    );
    assert!(pages
        .iter()
        .any(|(n, p)| n == "lengthBatch" && p.starts_with("# lengthBatch")));
}

#[test]
fn join_errors_name_the_fix() {
    let base = "CREATE STREAM A (symbol STRING, price DOUBLE);\nCREATE STREAM B (symbol STRING, qty INT);\n";
    let e = compile_err(&format!("{base}INSERT INTO O SELECT symbol FROM A WINDOW('length', 2) JOIN B WINDOW('length', 2) ON A.symbol = B.symbol;"));
    assert!(
        e.contains("attribute 'symbol' is in both joined streams: write A.symbol or B.symbol"),
        "{e}"
    );
    let e = compile_err(&format!(
        "{base}INSERT INTO O SELECT a.price FROM A AS a JOIN C ON a.symbol = C.symbol;"
    ));
    assert!(e.contains("unknown stream 'C'"), "{e}");
    let e = compile_err(&format!(
        "{base}INSERT INTO O SELECT x.price FROM A AS a JOIN B AS b ON a.symbol = b.symbol;"
    ));
    assert!(e.contains("unknown stream 'x' in 'x.price'"), "{e}");
    let e = compile_err(&format!(
        "{base}INSERT INTO O SELECT a.price FROM A AS a JOIN B AS b ON a.price;"
    ));
    assert!(e.contains("ON needs a BOOL condition, got DOUBLE"), "{e}");
    let e = compile_err(&format!(
        "{base}INSERT INTO O SELECT price FROM A UNIDIRECTIONAL;"
    ));
    assert!(
        e.contains("UNIDIRECTIONAL only applies to a side of a JOIN"),
        "{e}"
    );
}

#[test]
fn join_uses_both_windows_and_the_hash_index() {
    // 3 symbols, each stock joins the last 2 orders of its symbol: results equal a nested loop.
    let app = Engine::new()
        .compile(
            "CREATE STREAM A (symbol STRING, price DOUBLE);\nCREATE STREAM B (symbol STRING, qty INT);\n\
             INSERT INTO O SELECT A.symbol AS symbol, price, qty FROM A WINDOW('length', 2) JOIN B WINDOW('length', 2) ON A.symbol = B.symbol AND qty > 0;",
        )
        .unwrap();
    let out = app.subscribe("O").unwrap();
    app.start().unwrap();
    let (a, b) = (app.input("A").unwrap(), app.input("B").unwrap());
    let syms = ["x", "y", "z"];
    let mut a_win: Vec<(String, f64)> = Vec::new();
    let mut b_win: Vec<(String, i32)> = Vec::new();
    let mut expected = Vec::new();
    for i in 0..60 {
        let s = syms[(i * 7 / 3) % 3].to_string();
        if i % 2 == 0 {
            let p = i as f64;
            a.send(vec![Value::from(s.as_str()), Value::Double(p)])
                .unwrap();
            for (bs, q) in &b_win {
                if *bs == s && *q > 0 {
                    expected.push((s.clone(), p, *q));
                }
            }
            a_win.push((s, p));
            if a_win.len() > 2 {
                a_win.remove(0);
            }
        } else {
            let q = (i % 5) as i32;
            b.send(vec![Value::from(s.as_str()), Value::Int(q)])
                .unwrap();
            for (as_, p) in &a_win {
                if *as_ == s && q > 0 {
                    expected.push((s.clone(), *p, q));
                }
            }
            b_win.push((s, q));
            if b_win.len() > 2 {
                b_win.remove(0);
            }
        }
    }
    app.shutdown().unwrap();
    let got: Vec<(String, f64, i32)> = out
        .drain()
        .into_iter()
        .map(|e| {
            (
                e.data[0].as_str().unwrap().to_string(),
                e.data[1].as_f64().unwrap(),
                e.data[2].as_i64().unwrap() as i32,
            )
        })
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(got, expected);
}

#[test]
fn partitions_isolate_state_and_purge_idle_keys() {
    let options = RunOptions {
        connectors: false,
        synchronous: true,
        playback: true,
        ..RunOptions::default()
    };
    let app = Engine::new()
        .compile_with(
            "p.sql",
            "CREATE STREAM T (k STRING, v INT);\n\
             @purge(enable='true', interval='1 sec', idle.period='5 sec')\n\
             PARTITION WITH (k OF T) BEGIN\n\
               INSERT INTO O SELECT k, count() AS n, sum(v) AS total FROM T;\n\
             END;",
            options,
        )
        .unwrap();
    let out = app.subscribe("O").unwrap();
    app.start().unwrap();
    let t = app.input("T").unwrap();
    t.send_at(0, vec![Value::from("a"), Value::Int(1)]).unwrap();
    t.send_at(100, vec![Value::from("b"), Value::Int(10)])
        .unwrap();
    t.send_at(4000, vec![Value::from("a"), Value::Int(2)])
        .unwrap();
    assert_eq!(app.partition_keys(), vec![2]);
    // b is idle from 100: purged at the first check past 5100; a (last seen 4000) lives on.
    app.advance_time(6000);
    assert_eq!(app.partition_keys(), vec![1]);
    // b starts over with fresh state.
    t.send_at(6500, vec![Value::from("b"), Value::Int(7)])
        .unwrap();
    app.shutdown().unwrap();
    let rows: Vec<(String, i64, i64)> = out
        .drain()
        .into_iter()
        .map(|e| {
            (
                e.data[0].as_str().unwrap().to_string(),
                e.data[1].as_i64().unwrap(),
                e.data[2].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            ("a".into(), 1, 1),
            ("b".into(), 1, 10),
            ("a".into(), 2, 3),
            ("b".into(), 1, 7)
        ]
    );
}

#[test]
fn partition_errors_name_the_fix() {
    let base = "CREATE STREAM T (k STRING, v INT);\nCREATE STREAM U (k STRING);\n";
    let e = compile_err(&format!(
        "{base}PARTITION WITH (k OF T) BEGIN INSERT INTO O SELECT k FROM U; END;"
    ));
    assert!(
        e.contains("stream 'U' is not partitioned here: add it to PARTITION WITH (... OF U)"),
        "{e}"
    );
    let e = compile_err(&format!("{base}PARTITION WITH (k OF T) BEGIN INSERT INTO #I SELECT k FROM T; END;\nINSERT INTO O SELECT k FROM #I;"));
    assert!(
        e.contains("inner stream '#I' is visible only inside its partition"),
        "{e}"
    );
    let e = compile_err(&format!(
        "{base}PARTITION WITH (kk OF T) BEGIN INSERT INTO O SELECT k FROM T; END;"
    ));
    assert!(e.contains("unknown attribute 'kk' in stream 'T'"), "{e}");
    let e = compile_err(&format!(
        "{base}PARTITION WITH (k OF T) BEGIN INSERT INTO O SELECT k FROM T;"
    ));
    assert!(e.contains("PARTITION is not closed: expected END"), "{e}");
    let e = compile_err(&format!("{base}@purge(interval='soon')\nPARTITION WITH (k OF T) BEGIN INSERT INTO O SELECT k FROM T; END;"));
    assert!(
        e.contains("@purge interval must be a time such as '10 sec'"),
        "{e}"
    );
}

/// The pattern's hash index (on `symbol = e1.symbol`) gives exactly what a scan gives (the same
/// condition written so it cannot be indexed), in the same order.
#[test]
fn indexed_pattern_matches_equal_a_scan() {
    let run = |cond: &str| -> Vec<Vec<Value>> {
        let sql = format!(
            "CREATE STREAM T (symbol STRING, price DOUBLE);\n\
             INSERT INTO O SELECT e1.symbol AS s, e1.price AS p1, e2.price AS p2 FROM PATTERN (every e1=T[price > 150] -> e2=T[price < 50 AND {cond}]) WITHIN 50 MILLISECONDS;"
        );
        let options = RunOptions {
            connectors: false,
            synchronous: true,
            playback: true,
            ..RunOptions::default()
        };
        let app = Engine::new().compile_with("p.sql", &sql, options).unwrap();
        let out = app.subscribe("O").unwrap();
        app.start().unwrap();
        let t = app.input("T").unwrap();
        let mut rng = 7u64;
        for i in 0..3000 {
            rng = rng
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let sym = ["a", "b", "c", "d"][(rng >> 33) as usize % 4];
            let price = ((rng >> 40) % 200) as f64;
            t.send_at(i, vec![Value::from(sym), Value::Double(price)])
                .unwrap();
        }
        app.shutdown().unwrap();
        out.drain().into_iter().map(|e| e.data.to_vec()).collect()
    };
    let indexed = run("symbol = e1.symbol");
    let scanned = run("upper(symbol) = upper(e1.symbol)");
    assert!(indexed.len() > 100, "{}", indexed.len());
    assert_eq!(indexed, scanned);
}

#[test]
fn tables_store_rows_and_answer_on_demand_queries() {
    let app = Engine::new()
        .compile(
            "CREATE STREAM In (k STRING, v DOUBLE);\nCREATE STREAM Up (k STRING, v DOUBLE);\n\
             CREATE TABLE T (k STRING, v DOUBLE, PRIMARY KEY (k));\n\
             INSERT INTO T SELECT k, v FROM In;\nUPSERT INTO T SELECT k, v FROM Up;",
        )
        .unwrap();
    app.start().unwrap();
    let (i, u) = (app.input("In").unwrap(), app.input("Up").unwrap());
    i.send(vec![Value::from("a"), Value::Double(1.0)]).unwrap();
    i.send(vec![Value::from("b"), Value::Double(20.0)]).unwrap();
    // INSERT refuses an existing primary key; UPSERT replaces in place.
    i.send(vec![Value::from("a"), Value::Double(99.0)]).unwrap();
    u.send(vec![Value::from("b"), Value::Double(30.0)]).unwrap();
    u.send(vec![Value::from("c"), Value::Double(5.0)]).unwrap();
    assert_eq!(app.table_sizes(), vec![("T".to_string(), 3)]);
    let rows: Vec<Vec<Value>> = app
        .query("SELECT k, v * 2 AS v2 FROM T WHERE v > 2")
        .unwrap()
        .into_iter()
        .map(|e| e.data.to_vec())
        .collect();
    assert_eq!(
        rows,
        vec![
            vec![Value::from("b"), Value::Double(60.0)],
            vec![Value::from("c"), Value::Double(10.0)]
        ]
    );
    let all = app.query("SELECT * FROM T LIMIT 1").unwrap();
    assert_eq!(
        all[0].data.to_vec(),
        vec![Value::from("a"), Value::Double(1.0)]
    );
    let e = app.query("SELECT x FROM T").unwrap_err().to_string();
    assert!(e.contains("unknown attribute 'x' in stream 'T'"), "{e}");
    let e = app.query("SELECT k FROM In").unwrap_err().to_string();
    assert!(
        e.contains("'In' is a stream: on-demand queries read tables"),
        "{e}"
    );
    app.shutdown().unwrap();
}

#[test]
fn table_errors_name_the_fix() {
    let e = compile_err("CREATE TABLE T (k STRING, PRIMARY KEY (kk));");
    assert!(
        e.contains("PRIMARY KEY names 'kk', which is not an attribute of 'T' (did you mean 'k'?)"),
        "{e}"
    );
    let e = compile_err(
        "CREATE TABLE T (k STRING);\nCREATE STREAM S (k STRING);\nUPSERT INTO T SELECT k FROM S;",
    );
    assert!(e.contains("UPSERT needs a PRIMARY KEY on table 'T'"), "{e}");
    let e = compile_err("CREATE TABLE T (k STRING);\nINSERT INTO O SELECT k FROM T;");
    assert!(e.contains("'T' is a table: join a stream with it"), "{e}");
    let e = compile_err("@sink(type='log')\nCREATE TABLE T (k STRING);");
    assert!(
        e.contains("table 'T' takes no @sink") && e.contains("only @index('attr', ...)"),
        "{e}"
    );
}

#[test]
fn table_update_and_delete_driven_by_streams() {
    let app = Engine::new()
        .compile(
            "CREATE STREAM In (k STRING, v DOUBLE);\nCREATE STREAM Bump (k STRING, by DOUBLE);\nCREATE STREAM Drop (k STRING);\n\
             CREATE TABLE T (k STRING, v DOUBLE, PRIMARY KEY (k));\n\
             INSERT INTO T SELECT k, v FROM In;\n\
             UPDATE T SET v = T.v + b.by FROM Bump AS b WHERE T.k = b.k;\n\
             DELETE FROM T USING Drop AS d WHERE T.k = d.k;\n\
             CREATE STREAM Probe (k STRING);\n\
             INSERT INTO Seen SELECT p.k AS k, t.v AS v FROM Probe AS p JOIN T AS t ON p.k = t.k;",
        )
        .unwrap();
    let seen = app.subscribe("Seen").unwrap();
    app.start().unwrap();
    let send = |s: &str, row: Vec<Value>| app.input(s).unwrap().send(row).unwrap();
    send("In", vec![Value::from("a"), Value::Double(1.0)]);
    send("In", vec![Value::from("b"), Value::Double(2.0)]);
    send("Bump", vec![Value::from("a"), Value::Double(10.0)]);
    send("Drop", vec![Value::from("b")]);
    // The key index is rebuilt after a delete: lookups by key still find the moved rows.
    send("In", vec![Value::from("c"), Value::Double(3.0)]);
    send("Probe", vec![Value::from("a")]);
    send("Probe", vec![Value::from("b")]);
    send("Probe", vec![Value::from("c")]);
    let rows = app.query("SELECT k, v FROM T").unwrap();
    app.shutdown().unwrap();
    let table: Vec<Vec<Value>> = rows.into_iter().map(|e| e.data.to_vec()).collect();
    assert_eq!(
        table,
        vec![
            vec![Value::from("a"), Value::Double(11.0)],
            vec![Value::from("c"), Value::Double(3.0)]
        ]
    );
    let probes: Vec<Vec<Value>> = seen.drain().into_iter().map(|e| e.data.to_vec()).collect();
    assert_eq!(
        probes,
        vec![
            vec![Value::from("a"), Value::Double(11.0)],
            vec![Value::from("c"), Value::Double(3.0)]
        ]
    );
    let e = compile_err("CREATE STREAM S (k STRING);\nCREATE TABLE T (k STRING, v INT);\nUPDATE T SET w = 1 FROM S WHERE T.k = S.k;");
    assert!(e.contains("table 'T' has no attribute 'w'"), "{e}");
    let e = compile_err("CREATE STREAM S (k STRING);\nCREATE TABLE T (k STRING, v INT);\nUPDATE T SET v = 'x' FROM S;");
    assert!(
        e.contains("'T.v' is INT, the value is STRING: use CAST"),
        "{e}"
    );
}

#[test]
fn window_bounds_are_read_only_where_a_time_window_emits() {
    let base = "CREATE STREAM S (symbol STRING, price DOUBLE);\n";
    let e = compile_err(&format!(
        "{base}INSERT INTO O SELECT count() AS n FROM S WINDOW TUMBLING(1 MINUTE) WHERE window_start() > 0;"
    ));
    assert!(
        e.contains("use them in SELECT, not in WHERE or GROUP BY"),
        "{e}"
    );
    let e = compile_err(&format!(
        "{base}INSERT INTO O SELECT window_end() AS we, count() AS n FROM S WINDOW('length', 3);"
    ));
    assert!(
        e.contains("read a time window's bounds, and this query has window 'length'"),
        "{e}"
    );
    assert!(e.contains("help: windows with bounds:"), "{e}");
    let e = compile_err(&format!(
        "{base}INSERT INTO O SELECT window_start() AS ws FROM S;"
    ));
    assert!(e.contains("this query has no window"), "{e}");
    Engine::new()
        .compile(&format!("{base}INSERT INTO O SELECT window_start() AS ws, window_end() AS we, count() AS n FROM S WINDOW HOP(10 SECONDS, 5 SECONDS);"))
        .expect("a hop window has bounds");
}

//! CREATE AGGREGATION: incremental roll-ups read with WITHIN ... PER, checked against sums done
//! by hand across second, minute, day, month and year boundaries, with a late event.

use eventflux::{Engine, Value};

const T0: i64 = 1_767_225_600_000; // 2026-01-01 00:00:00 UTC
const DAY: i64 = 86_400_000;

fn rows(app: &eventflux::App, sql: &str) -> Vec<Vec<Value>> {
    app.query(sql)
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .iter()
        .map(|e| e.data.to_vec())
        .collect()
}

fn s(v: &str) -> Value {
    Value::from(v)
}

#[test]
fn rollups_are_exact_at_every_granularity_including_a_late_event() {
    let app = Engine::new()
        .compile(
            "CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT, ts BIGINT);
             -- Every level is read below, seconds a month back included: keep all buckets.
             @purge(enable='false')
             CREATE AGGREGATION TradeAgg AS
             SELECT symbol, avg(price) AS avg_price, sum(volume) AS total, count() AS trades,
                    min(price) AS low, max(price) AS high
             FROM Trades
             GROUP BY symbol
             AGGREGATE BY ts EVERY SECONDS ... YEARS;",
        )
        .unwrap();
    app.start().unwrap();
    let input = app.input("Trades").unwrap();
    for (sym, price, volume, at) in [
        ("IBM", 10.0, 1, T0 + 500),
        ("IBM", 20.0, 2, T0 + 1_200),
        ("WSO2", 5.0, 3, T0 + 61_000),
        ("IBM", 30.0, 4, T0 + 1_700), // late: its second and minute were already rolled up
        ("IBM", 40.0, 5, T0 + DAY + 10_000),
        ("IBM", 50.0, 6, T0 + 32 * DAY),
    ] {
        input
            .send(vec![
                s(sym),
                Value::Double(price),
                Value::Int(volume),
                Value::Long(at),
            ])
            .unwrap();
    }
    let row = |t: i64, sym: &str, avg: f64, total: i64, n: i64, low: f64, high: f64| {
        vec![
            Value::Long(t),
            s(sym),
            Value::Double(avg),
            Value::Long(total),
            Value::Long(n),
            Value::Double(low),
            Value::Double(high),
        ]
    };
    assert_eq!(
        rows(
            &app,
            &format!(
                "SELECT * FROM TradeAgg WITHIN {T0}, {} PER 'seconds'",
                T0 + 2_000
            )
        ),
        vec![
            row(T0, "IBM", 10.0, 1, 1, 10.0, 10.0),
            row(T0 + 1_000, "IBM", 25.0, 6, 2, 20.0, 30.0),
        ]
    );
    assert_eq!(
        rows(
            &app,
            &format!(
                "SELECT * FROM TradeAgg WITHIN {T0}, {} PER 'minutes'",
                T0 + 120_000
            )
        ),
        vec![
            row(T0, "IBM", 20.0, 7, 3, 10.0, 30.0),
            row(T0 + 60_000, "WSO2", 5.0, 3, 1, 5.0, 5.0),
        ]
    );
    assert_eq!(
        rows(
            &app,
            "SELECT * FROM TradeAgg WITHIN '2026-01-01', '2026-02-01' PER 'days'"
        ),
        vec![
            row(T0, "IBM", 20.0, 7, 3, 10.0, 30.0),
            row(T0, "WSO2", 5.0, 3, 1, 5.0, 5.0),
            row(T0 + DAY, "IBM", 40.0, 5, 1, 40.0, 40.0),
        ]
    );
    // One value with wildcards names the same month.
    assert_eq!(
        rows(
            &app,
            "SELECT * FROM TradeAgg WITHIN '2026-01-** **:**:**' PER 'days'"
        )
        .len(),
        3
    );
    let feb = T0 + 31 * DAY;
    assert_eq!(
        rows(&app, "SELECT * FROM TradeAgg WITHIN '2026-01-01 00:00:00', '2027-01-01 00:00:00' PER 'months'"),
        vec![
            row(T0, "IBM", 25.0, 12, 4, 10.0, 40.0),
            row(T0, "WSO2", 5.0, 3, 1, 5.0, 5.0),
            row(feb, "IBM", 50.0, 6, 1, 50.0, 50.0),
        ]
    );
    assert_eq!(
        rows(&app, "SELECT symbol, total FROM TradeAgg WITHIN '2026-01-01', '2027-01-01' PER 'years' WHERE symbol = 'IBM'"),
        vec![vec![s("IBM"), Value::Long(18)]]
    );
    let err = app
        .query("SELECT * FROM TradeAgg WITHIN 0, 1 PER 'weeks'")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("'weeks' is not a granularity") && err.contains("'days'"),
        "{err}"
    );
    let err = app.query("SELECT * FROM TradeAgg").unwrap_err().to_string();
    assert!(err.contains("read it with WITHIN"), "{err}");
    app.shutdown().unwrap();
}

#[test]
fn aggregation_declarations_are_checked() {
    let engine = Engine::new();
    let base = "CREATE STREAM T (symbol STRING, price DOUBLE, ts BIGINT, note STRING);";
    for (decl, says) in [
        (
            "SELECT symbol, stdDev(price) AS sd FROM T GROUP BY symbol AGGREGATE EVERY SECONDS",
            "cannot be rolled up incrementally",
        ),
        (
            "SELECT symbol, sum(price) FROM T GROUP BY symbol AGGREGATE EVERY SECONDS",
            "name the aggregate",
        ),
        (
            "SELECT note, sum(price) AS s FROM T GROUP BY symbol AGGREGATE EVERY SECONDS",
            "'note' is neither in GROUP BY nor an aggregate",
        ),
        (
            "SELECT symbol, sum(price) AS s FROM T GROUP BY symbol AGGREGATE BY note EVERY SECONDS",
            "it must be a BIGINT",
        ),
        (
            "SELECT symbol, sum(price) AS s FROM T GROUP BY symbol AGGREGATE EVERY WEEKS",
            "a granularity",
        ),
    ] {
        let err = match engine.compile(&format!("{base} CREATE AGGREGATION A AS {decl};")) {
            Ok(_) => panic!("{decl} compiled"),
            Err(e) => e.to_string(),
        };
        assert!(err.contains(says), "{decl}: {err}");
    }
    let err = match engine.compile(&format!(
        "{base} CREATE AGGREGATION A AS SELECT symbol, sum(price) AS s FROM T GROUP BY symbol AGGREGATE EVERY SECONDS;
         CREATE STREAM O (symbol STRING);
         INSERT INTO O SELECT symbol FROM A WITHIN 0, 1 PER 'seconds';"
    )) {
        Ok(_) => panic!("a streaming read of an aggregation compiled"),
        Err(e) => e.to_string(),
    };
    assert!(
        err.contains("an aggregation is read by joining it"),
        "{err}"
    );
}

#[test]
fn a_stream_joins_an_aggregation_within_a_range_per_granularity() {
    let app = Engine::new()
        .compile(
            "CREATE STREAM Trades (symbol STRING, volume INT, ts BIGINT);
             CREATE STREAM Asks (symbol STRING);
             CREATE AGGREGATION Volumes AS
             SELECT symbol, sum(volume) AS total FROM Trades GROUP BY symbol
             AGGREGATE BY ts EVERY SECONDS ... DAYS;
             CREATE STREAM Answers (symbol STRING, day BIGINT, total BIGINT);
             INSERT INTO Answers
             SELECT q.symbol AS symbol, v.AGG_TIMESTAMP AS day, v.total AS total
             FROM Asks AS q JOIN Volumes AS v ON q.symbol = v.symbol
             WITHIN '2026-01-01', '2026-01-03' PER 'days';",
        )
        .unwrap();
    let answers = app.subscribe("Answers").unwrap();
    app.start().unwrap();
    let trades = app.input("Trades").unwrap();
    for (sym, volume, at) in [
        ("IBM", 1, T0 + 10),
        ("WSO2", 7, T0 + 20),
        ("IBM", 2, T0 + 30_000),
        ("IBM", 4, T0 + DAY + 5),
        ("IBM", 100, T0 + 5 * DAY), // outside the range
    ] {
        trades
            .send(vec![s(sym), Value::Int(volume), Value::Long(at)])
            .unwrap();
    }
    let asks = app.input("Asks").unwrap();
    asks.send(vec![s("IBM")]).unwrap();
    asks.send(vec![s("WSO2")]).unwrap();
    asks.send(vec![s("ORCL")]).unwrap();
    let got: Vec<Vec<Value>> =
        std::iter::from_fn(|| answers.recv_timeout(std::time::Duration::from_secs(2)))
            .take(3)
            .map(|e| e.data.to_vec())
            .collect();
    app.shutdown().unwrap();
    assert_eq!(
        got,
        vec![
            vec![s("IBM"), Value::Long(T0), Value::Long(3)],
            vec![s("IBM"), Value::Long(T0 + DAY), Value::Long(4)],
            vec![s("WSO2"), Value::Long(T0), Value::Long(7)],
        ]
    );
    let engine = Engine::new();
    let base = "CREATE STREAM Trades (symbol STRING, volume INT, ts BIGINT);
                CREATE STREAM Asks (symbol STRING);
                CREATE AGGREGATION Volumes AS SELECT symbol, sum(volume) AS total FROM Trades
                GROUP BY symbol AGGREGATE BY ts EVERY SECONDS ... DAYS;
                CREATE STREAM O (symbol STRING);";
    for (query, says) in [
        ("INSERT INTO O SELECT q.symbol AS symbol FROM Asks AS q JOIN Volumes AS v ON q.symbol = v.symbol;", "needs WITHIN from, to PER"),
        ("INSERT INTO O SELECT symbol FROM Volumes;", "an aggregation is read by joining it"),
        ("INSERT INTO O SELECT q.symbol AS symbol FROM Asks AS q JOIN Volumes AS v ON q.symbol = v.symbol WITHIN 0, 1 PER 'years';", "is not aggregated PER 'years'"),
    ] {
        let err = match engine.compile(&format!("{base} {query}")) {
            Ok(_) => panic!("{query} compiled"),
            Err(e) => e.to_string(),
        };
        assert!(err.contains(says), "{query}: {err}");
    }
}

#[test]
fn within_and_per_can_come_from_the_joining_event() {
    let app = Engine::new()
        .compile(
            "CREATE STREAM Trades (symbol STRING, volume INT, ts BIGINT);
             CREATE STREAM Asks (symbol STRING, since BIGINT, until STRING, per STRING);
             @purge(@retentionPeriod(sec='2 days'))
             CREATE AGGREGATION Volumes AS
             SELECT symbol, sum(volume) AS total FROM Trades GROUP BY symbol
             AGGREGATE BY ts EVERY SECONDS ... DAYS;
             CREATE STREAM Answers (symbol STRING, at BIGINT, total BIGINT);
             INSERT INTO Answers
             SELECT q.symbol AS symbol, v.AGG_TIMESTAMP AS at, v.total AS total
             FROM Asks AS q JOIN Volumes AS v ON q.symbol = v.symbol
             WITHIN q.since, q.until PER q.per;",
        )
        .unwrap();
    let answers = app.subscribe("Answers").unwrap();
    app.start().unwrap();
    let trades = app.input("Trades").unwrap();
    for (sym, volume, at) in [
        ("IBM", 1, T0 + 10),
        ("IBM", 2, T0 + 30_000),
        ("IBM", 4, T0 + DAY + 5),
    ] {
        trades
            .send(vec![s(sym), Value::Int(volume), Value::Long(at)])
            .unwrap();
    }
    let asks = app.input("Asks").unwrap();
    let ask = |since: i64, until: &str, per: &str| {
        asks.send(vec![s("IBM"), Value::Long(since), s(until), s(per)])
            .unwrap()
    };
    ask(T0, "2026-01-03", "days");
    // Not a granularity of Volumes: this ask joins nothing and the next one still works.
    ask(T0, "2026-01-03", "weeks");
    ask(T0, "2026-01-01 00:01:00", "seconds");
    let got: Vec<Vec<Value>> =
        std::iter::from_fn(|| answers.recv_timeout(std::time::Duration::from_secs(2)))
            .take(4)
            .map(|e| e.data.to_vec())
            .collect();
    app.shutdown().unwrap();
    assert_eq!(
        got,
        vec![
            vec![s("IBM"), Value::Long(T0), Value::Long(3)],
            vec![s("IBM"), Value::Long(T0 + DAY), Value::Long(4)],
            vec![s("IBM"), Value::Long(T0), Value::Long(1)],
            vec![s("IBM"), Value::Long(T0 + 30_000), Value::Long(2)],
        ]
    );
    let base = "CREATE STREAM Trades (symbol STRING, volume INT, ts BIGINT);
                CREATE STREAM Asks (symbol STRING, since BIGINT, ok BOOL);
                CREATE AGGREGATION Volumes AS SELECT symbol, sum(volume) AS total FROM Trades
                GROUP BY symbol AGGREGATE BY ts EVERY SECONDS ... DAYS;
                CREATE STREAM O (symbol STRING);
                INSERT INTO O SELECT q.symbol AS symbol FROM Asks AS q JOIN Volumes AS v
                ON q.symbol = v.symbol";
    for (within, says) in [
        ("WITHIN q.since, v.total PER 'days'", "unknown"),
        (
            "WITHIN q.ok, q.since PER 'days'",
            "WITHIN takes epoch milliseconds",
        ),
        (
            "WITHIN q.since, q.since PER q.since",
            "PER takes a granularity name",
        ),
    ] {
        let err = match Engine::new().compile(&format!("{base} {within};")) {
            Ok(_) => panic!("{within} compiled"),
            Err(e) => e.to_string(),
        };
        assert!(err.contains(says), "{within}: {err}");
    }
}

#[test]
fn purge_drops_buckets_past_their_retention_and_keeps_the_rollups() {
    let app = Engine::new()
        .compile(
            "CREATE STREAM Trades (symbol STRING, volume INT, ts BIGINT);
             @purge(interval='1 min', @retentionPeriod(sec='120 sec', min='3 hours', hours='all'))
             CREATE AGGREGATION Volumes AS
             SELECT symbol, sum(volume) AS total FROM Trades GROUP BY symbol
             AGGREGATE BY ts EVERY SECONDS, MINUTES, HOURS;",
        )
        .unwrap();
    app.start().unwrap();
    let trades = app.input("Trades").unwrap();
    let send = |volume: i32, at: i64| {
        trades
            .send(vec![s("IBM"), Value::Int(volume), Value::Long(at)])
            .unwrap()
    };
    let total = |per: &str| -> Vec<Vec<Value>> {
        rows(
            &app,
            &format!(
                "SELECT AGG_TIMESTAMP, total FROM Volumes WITHIN 0, {} PER '{per}'",
                T0 + 10 * DAY
            ),
        )
    };
    send(1, T0 + 1_000);
    send(2, T0 + 61_000);
    // Within two minutes of the newest event: every level still has them.
    assert_eq!(total("seconds").len(), 2);
    send(4, T0 + 4 * 3_600_000);
    // Four hours on: the seconds and minutes of the first two events are gone (kept 120 s and
    // 3 h), the hour still holds both, and the newest event is at every level.
    assert_eq!(
        total("seconds"),
        vec![vec![Value::Long(T0 + 4 * 3_600_000), Value::Long(4)]]
    );
    assert_eq!(
        total("minutes"),
        vec![vec![Value::Long(T0 + 4 * 3_600_000), Value::Long(4)]]
    );
    assert_eq!(
        total("hours"),
        vec![
            vec![Value::Long(T0), Value::Long(3)],
            vec![Value::Long(T0 + 4 * 3_600_000), Value::Long(4)],
        ]
    );
    app.shutdown().unwrap();

    let base = "CREATE STREAM T (symbol STRING, v INT);";
    let agg = "CREATE AGGREGATION A AS SELECT symbol, sum(v) AS s FROM T GROUP BY symbol AGGREGATE EVERY SECONDS ... DAYS;";
    for (purge, says) in [
        (
            "@purge(@retentionPeriod(sec='10 sec'))",
            "seconds are kept at least 2 minutes",
        ),
        (
            "@purge(@retentionPeriod(hours='24 hours'))",
            "hours are kept at least 25 hours",
        ),
        (
            "@purge(@retentionPeriod(months='all'))",
            "not kept per months",
        ),
        (
            "@purge(@retentionPeriod(weeks='1 year'))",
            "'weeks' is not a granularity",
        ),
        (
            "@purge(@retentionPeriod(days='soon'))",
            "a retention period is a time",
        ),
        ("@purge(enable='yes')", "enable is 'true' or 'false'"),
        ("@purge(interval='often')", "@purge interval is a time"),
        ("@retention(sec='1 day')", "unknown annotation @retention"),
    ] {
        let err = match Engine::new().compile(&format!("{base} {purge} {agg}")) {
            Ok(_) => panic!("{purge} compiled"),
            Err(e) => e.to_string(),
        };
        assert!(err.contains(says), "{purge}: {err}");
    }
}

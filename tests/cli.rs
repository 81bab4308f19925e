//! Drives the `eventflux` binary: run with file/stdin/stdout connectors, check, replay, test,
//! connectors, bench, and the exact compile error output.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_eventflux"));
    c.env("RUST_LOG", "warn");
    c
}

fn temp_dir() -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "eventflux-cli-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn run_file_source_to_file_sinks_with_dead_letters() {
    let dir = temp_dir();
    let input = write(
        &dir,
        "in.jsonl",
        "{\"s\":\"ibm\",\"p\":10.5,\"v\":600}\n{\"s\":\"x\",\"p\":1.0,\"v\":5}\nnot json\n{\"s\":\"wso2\",\"p\":2.0,\"v\":900}\n",
    );
    let out = dir.join("out.jsonl");
    let failed = dir.join("failed.jsonl");
    let app = write(
        &dir,
        "app.sql",
        &format!(
            "@source(type='file', path='{}', error.strategy='dlq', error.dlq.stream='Failed',\n  @map(type='json', @attributes(symbol='$.s', price='$.p', volume='$.v')))\n\
             CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);\n\
             @sink(type='file', path='{}')\nCREATE STREAM Failed (payload STRING, error STRING);\n\
             @sink(type='file', path='{}')\nCREATE STREAM Big (symbol STRING, p2 DOUBLE);\n\
             INSERT INTO Big SELECT upper(symbol) AS symbol, price * 2.0 AS p2 FROM Trades WHERE volume > 500;\n",
            input.display(),
            failed.display(),
            out.display()
        ),
    );
    let o = bin().arg("run").arg(&app).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let lines = std::fs::read_to_string(&out).unwrap();
    assert_eq!(
        lines,
        "{\"symbol\":\"IBM\",\"p2\":21.0}\n{\"symbol\":\"WSO2\",\"p2\":4.0}\n"
    );
    let failed: Vec<serde_json::Value> = std::fs::read_to_string(&failed)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["payload"], "not json");
    assert!(
        failed[0]["error"]
            .as_str()
            .unwrap()
            .contains("not valid JSON"),
        "{}",
        failed[0]
    );
}

#[test]
fn run_stdin_to_stdout_with_text_and_csv_mappers() {
    let dir = temp_dir();
    let app = write(
        &dir,
        "app.sql",
        "@source(type='stdin', @map(type='csv'))\nCREATE STREAM In (name STRING, n INT);\n\
         @sink(type='stdout', @map(type='text', template='{{name}} has {{n2}}'))\nCREATE STREAM Out (name STRING, n2 INT);\n\
         INSERT INTO Out SELECT name, n * 2 AS n2 FROM In WHERE n IS NOT NULL;\n",
    );
    let mut child = bin()
        .arg("run")
        .arg(&app)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"alice,2\nbob,\ncarol,x\ndave,21\n")
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "alice has 4\ndave has 42\n");
    // The bad line is logged (default strategy) and counted, never silently lost.
    assert!(stderr(&o).contains("attribute 'n'"), "{}", stderr(&o));
}

/// Piped readings into a tumbling window on the wall clock: when stdin ends, time moves to
/// the end of the open windows, so their rows come out before the sinks flush. With
/// `--no-final-flush` they do not, and the summary says how many events were left.
#[test]
fn bounded_input_settles_its_windows_unless_told_not_to() {
    let dir = temp_dir();
    let app = write(
        &dir,
        "app.sql",
        "@source(type='stdin', @map(type='csv'))\nCREATE STREAM Readings (sensor STRING, v INT);\n\
         @sink(type='stdout', @map(type='text', template='{{sensor}} {{n}} {{total}}'))\n\
         CREATE STREAM Totals (sensor STRING, n BIGINT, total BIGINT);\n\
         INSERT INTO Totals SELECT sensor, count() AS n, sum(v) AS total \
         FROM Readings WINDOW TUMBLING(1 HOUR) GROUP BY sensor;\n",
    );
    let run = |extra: &[&str]| {
        let mut child = bin()
            .env("RUST_LOG", "info")
            .arg("run")
            .arg(&app)
            .args(extra)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(b"a,1\nb,5\na,2\n")
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let o = run(&[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "a 2 3\nb 1 5\n", "{}", stderr(&o));
    assert!(!stderr(&o).contains("still held"), "{}", stderr(&o));
    let o = run(&["--no-final-flush"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "");
    assert!(
        stderr(&o).contains("windows: 3 events still held, not emitted"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn run_default_stdout_lines_and_env_substitution() {
    let dir = temp_dir();
    let input = write(&dir, "in.jsonl", "{\"a\":1}\n{\"a\":2}\n");
    let app = write(
        &dir,
        "app.sql",
        "@source(type='file', path='${EF_TEST_INPUT}')\nCREATE STREAM S (a INT);\n@sink(type='log')\nCREATE STREAM O (a INT, b STRING);\nINSERT INTO O SELECT a, 'x' || a AS b FROM S;\n",
    );
    let o = bin()
        .arg("run")
        .arg(&app)
        .env("EF_TEST_INPUT", &input)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let lines: Vec<String> = stdout(&o)
        .lines()
        .map(|l| l.split("] ").nth(1).unwrap_or("").to_string())
        .collect();
    assert_eq!(lines, vec!["a=1, b=x1", "a=2, b=x2"]);
    // The time is ISO-8601 in UTC by default: `O [2026-06-01T12:00:00.250Z] a=1, b=x1`.
    let first = stdout(&o).lines().next().unwrap_or("").to_string();
    let time = first
        .trim_start_matches("O [")
        .split(']')
        .next()
        .unwrap_or("");
    assert!(
        chrono::DateTime::parse_from_rfc3339(time).is_ok() && time.ends_with('Z'),
        "{first}"
    );

    // Without the variable, compilation fails and says which one.
    let o = bin()
        .arg("check")
        .arg(&app)
        .env_remove("EF_TEST_INPUT")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("app.sql:1:27: error: environment variable 'EF_TEST_INPUT' is not set"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn check_prints_the_graph_and_dot() {
    let o = bin()
        .args(["check", "queries/quickstart.sql"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("app 'Quickstart' (wall clock)"), "{text}");
    assert!(text.contains("<- source datagen"), "{text}");
    assert!(
        text.contains("large-trades: Trades -> LargeTrades  [filter, project 5]"),
        "{text}"
    );
    let o = bin()
        .args(["check", "--dot", "queries/quickstart.sql"])
        .output()
        .unwrap();
    assert!(stdout(&o).starts_with("digraph app {"), "{}", stdout(&o));
    assert!(stdout(&o).contains("s0 -> q0;"));
}

#[test]
fn check_shows_every_input_of_joins_and_patterns() {
    let dir = temp_dir();
    let app = write(
        &dir,
        "app.sql",
        "CREATE STREAM A (k STRING);\nCREATE STREAM B (k STRING);\nCREATE STREAM C (k STRING);\n\
         @info(name='seq')\nINSERT INTO P SELECT a.k AS k FROM PATTERN (a=A -> b=B[k = a.k] -> c=C);\n\
         @info(name='j')\nINSERT INTO J SELECT A.k AS k FROM A WINDOW('length', 2) JOIN C WINDOW('length', 2) ON A.k = C.k;\n",
    );
    let o = bin().arg("check").arg(&app).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains("  seq: A, B, C -> P  [pattern of 3"),
        "{text}"
    );
    assert!(
        text.contains("  j: A, C -> J  [inner join with C"),
        "{text}"
    );
    let o = bin().args(["check", "--dot"]).arg(&app).output().unwrap();
    let dot = stdout(&o);
    for edge in [
        "s0 -> q0;",
        "s1 -> q0;",
        "s2 -> q0;",
        "s0 -> q1;",
        "s2 -> q1;",
    ] {
        assert!(dot.contains(edge), "{edge} missing:\n{dot}");
    }
}

#[test]
fn compile_errors_are_all_reported_with_file_line_col_and_caret() {
    let dir = temp_dir();
    let app = write(
        &dir,
        "bad.sql",
        "CREATE STREAM Trades (symbol STRING, price DOUBLE, s STRING);\n\
         INSERT INTO Out SELECT symbol FROM Trade;\n\
         INSERT INTO Out2 SELECT uper(symbol) AS u FROM Trades WHERE s > 3;\n\
         @sink(type='stdot')\nCREATE STREAM X (a INT);\n\
         @source(type='datagen', rat='5')\nCREATE STREAM Y (a INT);\n\
         @sink(type='stdout', @map(type='jsn'))\nCREATE STREAM Z (a INT);\n",
    );
    let o = bin().arg("check").arg(&app).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    let path = app.display().to_string();
    // Every sink type and alias, sorted, as the message lists them.
    let mut sinks: Vec<&str> = eventflux::Engine::new()
        .connectors()
        .sink_specs()
        .iter()
        .flat_map(|s| std::iter::once(s.name).chain(s.aliases.iter().copied()))
        .collect();
    sinks.sort();
    let available = sinks.join(", ");
    let expect = [
        format!("{path}:2:36: error: unknown stream 'Trade' (did you mean 'Trades'?)"),
        "2 | INSERT INTO Out SELECT symbol FROM Trade;".to_string(),
        format!("    {}^^^^^", " ".repeat(35)),
        format!("{path}:3:25: error: unknown function 'uper' (did you mean 'upper'?)"),
        format!("{path}:3:61: error: cannot compare STRING with INT"),
        format!("{path}:4:12: error: unknown sink type 'stdot' (did you mean 'stdout'?); available: {available}"),
        format!("{path}:6:25: error: unknown parameter 'rat' for source 'datagen' (did you mean 'rate'?)"),
        format!("{path}:8:32: error: sink 'stdout' does not accept format 'jsn' (did you mean 'json'?); accepted: json, text, csv"),
        "6 errors".to_string(),
    ];
    for line in expect {
        assert!(
            err.lines().any(|l| l == line),
            "missing line {line:?} in:\n{err}"
        );
    }
}

#[test]
fn replay_prints_emission_order_and_reports_bad_lines() {
    let dir = temp_dir();
    let app = write(
        &dir,
        "app.sql",
        "CREATE STREAM A (x INT, b BYTES);\nINSERT INTO C SELECT x * 10 AS y FROM B;\nINSERT INTO B SELECT x, length(b) AS n FROM A WHERE x > 0;\n",
    );
    let input = write(
        &dir,
        "in.jsonl",
        "{\"stream\":\"A\",\"ts\":5,\"data\":{\"x\":1,\"b\":\"AAEC\"}}\n{\"stream\":\"A\",\"data\":[0,null]}\n{oops\n{\"stream\":\"A\",\"data\":{\"x\":\"two\"}}\n{\"stream\":\"Nope\",\"data\":{}}\n{\"stream\":\"A\",\"ts\":9,\"data\":{\"x\":2}}\n",
    );
    let o = bin()
        .arg("replay")
        .arg(&app)
        .arg("--input")
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "{\"stream\":\"B\",\"ts\":5,\"data\":{\"x\":1,\"n\":3}}\n{\"stream\":\"C\",\"ts\":5,\"data\":{\"y\":10}}\n\
         {\"stream\":\"B\",\"ts\":9,\"data\":{\"x\":2,\"n\":null}}\n{\"stream\":\"C\",\"ts\":9,\"data\":{\"y\":20}}\n"
    );
    let err = stderr(&o);
    let name = input.display().to_string();
    assert!(
        err.contains(&format!("{name}:3: error: not valid JSON")),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{name}:4: error: attribute 'x': expected INT, got \"two\""
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!("{name}:5: error: unknown stream 'Nope'")),
        "{err}"
    );

    let o = bin()
        .arg("replay")
        .arg(&app)
        .arg("--input")
        .arg(&input)
        .args(["--stream", "C"])
        .output()
        .unwrap();
    assert_eq!(stdout(&o).lines().count(), 2);
}

#[test]
fn test_command_matches_and_diffs() {
    let dir = temp_dir();
    let app = write(
        &dir,
        "app.sql",
        "CREATE STREAM S (a INT);\nINSERT INTO O SELECT a / 2 AS h, a / 0 AS z FROM S;\n",
    );
    let input = write(
        &dir,
        "in.jsonl",
        "{\"stream\":\"S\",\"ts\":1,\"data\":{\"a\":7}}\n",
    );
    let good = write(
        &dir,
        "good.jsonl",
        "{\"stream\":\"O\",\"data\":{\"h\":3,\"z\":null}}\n",
    );
    let bad = write(
        &dir,
        "bad.jsonl",
        "{\"stream\":\"O\",\"ts\":1,\"data\":{\"h\":3.5,\"z\":null}}\n",
    );
    let o = bin()
        .arg("test")
        .arg(&app)
        .arg("--input")
        .arg(&input)
        .arg("--expect")
        .arg(&good)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let o = bin()
        .arg("test")
        .arg(&app)
        .arg("--input")
        .arg(&input)
        .arg("--expect")
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("stream O, event 1:"), "{out}");
    assert!(
        out.contains("expected: {\"stream\":\"O\",\"ts\":1,\"data\":{\"h\":3.5,\"z\":null}}"),
        "{out}"
    );
    assert!(
        out.contains("actual:   {\"stream\":\"O\",\"ts\":1,\"data\":{\"h\":3,\"z\":null}}"),
        "{out}"
    );
}

/// Every example app in queries/ has a test case beside it, and it passes.
#[test]
fn every_example_app_passes_its_test_case() {
    let mut apps = 0;
    for entry in std::fs::read_dir("queries").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("sql") {
            continue;
        }
        apps += 1;
        let stem = path.with_extension("");
        let input = PathBuf::from(format!("{}.input.jsonl", stem.display()));
        let expect = PathBuf::from(format!("{}.expected.jsonl", stem.display()));
        assert!(
            input.exists() && expect.exists(),
            "{} needs {} and {}",
            path.display(),
            input.display(),
            expect.display()
        );
        let mut cmd = bin();
        // Secrets the examples read from the environment.
        cmd.env("INGEST_TOKEN", "example-token");
        cmd.arg("test")
            .arg(&path)
            .arg("--input")
            .arg(&input)
            .arg("--expect")
            .arg(&expect);
        // Extra arguments, such as `--until MS`, in NAME.args.
        if let Ok(args) = std::fs::read_to_string(format!("{}.args", stem.display())) {
            cmd.args(args.split_whitespace());
        }
        let o = cmd.output().unwrap();
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}:\n{}{}",
            path.display(),
            stdout(&o),
            stderr(&o)
        );
    }
    assert!(apps >= 2, "expected example apps in queries/");
}

#[test]
fn connectors_lists_and_describes_from_metadata() {
    let o = bin().arg("connectors").output().unwrap();
    let text = stdout(&o);
    for name in [
        "datagen", "file", "stdin", "stdout", "null", "json", "csv", "text", "bytes",
    ] {
        assert!(
            text.lines().any(|l| l.trim_start().starts_with(name)),
            "{name} missing:\n{text}"
        );
    }
    let o = bin().args(["connectors", "datagen"]).output().unwrap();
    let text = stdout(&o);
    for p in ["rate", "count", "fields.<attr>.kind", "error.strategy"] {
        assert!(text.contains(p), "{p} missing:\n{text}");
    }
    let o = bin().args(["connectors", "datagn"]).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("did you mean 'datagen'"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn bench_runs_an_app_and_the_suite() {
    let o = bin()
        .args([
            "bench", "--suite", "--events", "20000", "--batch", "500", "--json",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let row: serde_json::Value = serde_json::from_str(stdout(&o).lines().next().unwrap()).unwrap();
    assert_eq!(row["events"], 20000);
    // About half of the volumes in [0, 1000] pass `volume > 500`.
    let out = row["output_events"].as_u64().unwrap();
    assert!((8000..12000).contains(&out), "{row}");
    let o = bin()
        .args(["bench", "queries/quickstart.sql", "--events", "5000"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("events/s"));
}

/// SIGTERM (as Ctrl-C) stops a running app cleanly: every event the sink received is in the
/// file when the process exits, and the exit status is 0.
#[test]
fn sigterm_stops_cleanly_and_flushes_sinks() {
    let dir = temp_dir();
    let out = dir.join("out.jsonl");
    let app = write(
        &dir,
        "app.sql",
        &format!(
            "@source(type='datagen', rate='2000')\nCREATE STREAM S (n BIGINT);\n@sink(type='file', path='{}')\nCREATE STREAM O (n BIGINT);\nINSERT INTO O SELECT n FROM S;\n",
            out.display()
        ),
    );
    let child = bin()
        .arg("run")
        .arg(&app)
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until output is flowing, then ask the app to stop.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0) < 100 {
        assert!(std::time::Instant::now() < deadline, "no output appeared");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let status = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(status.success());
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let lines: Vec<i64> = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["n"]
                .as_i64()
                .unwrap()
        })
        .collect();
    // The sequence generator starts at 0: the file holds an unbroken prefix, and its length is
    // what the sink reported delivering.
    assert!(!lines.is_empty());
    assert!(
        lines.iter().enumerate().all(|(i, n)| *n == i as i64),
        "gap in {lines:?}"
    );
    let err = stderr(&o);
    let reported = format!(
        "O -> sink file: {} events, 0 errors, 0 dropped",
        lines.len()
    );
    assert!(err.contains(&reported), "expected '{reported}' in:\n{err}");
}

#[test]
fn a_mapper_where_none_is_taken_names_both_spellings() {
    let dir = std::env::temp_dir().join(format!("eventflux-cli-nomap-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let app = dir.join("with.sql");
    std::fs::write(
        &app,
        "CREATE STREAM T (symbol STRING) WITH (type='source', extension='datagen', format='json', \"count\"='5');\nINSERT INTO O SELECT * FROM T;\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_eventflux"))
        .arg("check")
        .arg(&app)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("source 'datagen' takes no mapper, but got 'json': remove the @map(type='json') or the WITH clause's format='json'"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

//! The `clickhouse` sink without a server: settings, DDL, type checks, RowBinary, error
//! classes, routing, and the spec's example.

use super::config::Settings;
use super::ddl::{create_sql, insert_sql};
use super::encode::{encode_row, put_bytes, put_int};
use super::error::classify;
use super::schema::{parse_type, plan, Base};
use super::*;
use crate::connector::{ErrorClass, Rejects};
use crate::event::Event;
use crate::value::{AttrType, Value};
use bytes::BytesMut;

fn schema() -> Schema {
    Schema::of(
        "Trades",
        &[
            ("symbol", AttrType::String),
            ("price", AttrType::Double),
            ("volume", AttrType::Int),
            ("ok", AttrType::Bool),
        ],
    )
}

fn config(pairs: &[(&str, &str)]) -> ConnectorConfig {
    ConnectorConfig {
        kind: "clickhouse".into(),
        stream: "Trades".into(),
        params: pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        map: None,
        ..Default::default()
    }
}

fn settings_of(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
    settings(&config(pairs), &schema())
}

const URL: (&str, &str) = ("url", "http://127.0.0.1:8123");

#[test]
fn config_errors_name_the_parameter() {
    let err = |pairs: &[(&str, &str)]| settings_of(pairs).unwrap_err().0;
    assert!(err(&[URL]).contains("'table'"));
    assert!(err(&[URL, ("table", "t"), ("table.by", "symbol")]).contains("exclude"));
    let e = err(&[URL, ("table.by", "symbl")]);
    assert!(e.contains("did you mean 'symbol'"), "{e}");
    assert!(err(&[URL, ("table.by", "price")]).contains("must be STRING"));
    assert!(err(&[URL, ("table", "db.t")]).contains("'database'"));
    assert!(err(&[("url", "https://h:8443"), ("table", "t")]).contains("no TLS"));
    assert!(err(&[("url", "h:8123"), ("table", "t")]).contains("'url'"));
    let e = err(&[URL, ("table", "t"), ("order.by", "symbol")]);
    assert!(e.contains("create.table"), "{e}");
    let e = err(&[
        URL,
        ("table", "t"),
        ("create.table", "true"),
        ("order.by", "x"),
    ]);
    assert!(e.contains("'order.by'"), "{e}");
    assert!(err(&[URL, ("table", "t"), ("ts.column", "price")]).contains("ts.column"));
    assert!(err(&[URL, ("table", "t"), ("retry.max.attempts", "0")]).contains("at least 1"));
    assert!(err(&[URL, ("table", "t"), ("compression", "zstd")]).contains("lz4 or none"));
    let s = settings_of(&[URL, ("table", "t"), ("retry.max.attempts", "-1")]).unwrap();
    assert_eq!(s.retry.max_attempts, -1);
    assert_eq!(s.order_by, vec!["symbol"]);
}

#[test]
fn create_table_maps_types_and_keeps_keys_non_nullable() {
    let s = settings_of(&[
        URL,
        ("table", "t"),
        ("create.table", "true"),
        ("order.by", "symbol, ts"),
        ("ts.column", "ts"),
        ("database", "d`b"),
    ])
    .unwrap();
    assert_eq!(
        create_sql(&s, "t"),
        "CREATE TABLE IF NOT EXISTS `d\\`b`.`t` (`symbol` String, `price` Nullable(Float64), \
         `volume` Nullable(Int32), `ok` Nullable(UInt8), `ts` Int64) ENGINE = MergeTree \
         ORDER BY (`symbol`, `ts`)"
    );
    assert_eq!(
        insert_sql(&s, "t"),
        "INSERT INTO `d\\`b`.`t` (`symbol`, `price`, `volume`, `ok`, `ts`) FORMAT RowBinary"
    );
}

#[test]
fn parses_server_types() {
    let t = |s: &str| parse_type(s);
    let int = |bytes, signed| Base::Int { bytes, signed };
    assert_eq!(t("Int32").unwrap().base, int(4, true));
    assert_eq!(t("UInt8").unwrap().base, int(1, false));
    let n = t("Nullable(Float64)").unwrap();
    assert!(n.nullable && n.base == Base::Float64);
    let lc = t("LowCardinality(Nullable(String))").unwrap();
    assert!(lc.nullable && lc.base == Base::String);
    assert_eq!(t("DateTime('UTC')").unwrap().base, Base::DateTime);
    assert_eq!(t("DateTime64(6, 'UTC')").unwrap().base, Base::DateTime64(6));
    assert!(t("Map(String, UInt64)").is_none());
    assert!(t("Decimal(9, 2)").is_none());
}

#[test]
fn plan_rejects_missing_and_mismatched_columns() {
    let s = settings_of(&[URL, ("table", "t"), ("ts.column", "ts")]).unwrap();
    let described = "symbol\tLowCardinality(String)\t\t\nprice\tFloat64\t\t\nvolume\tInt64\t\t\n\
                     ok\tUInt8\t\t\nts\tDateTime64(3)\t\t\nextra\tString\t\t\n";
    let p = plan(&s, "t", described).unwrap();
    assert_eq!(p.slots.len(), 5);
    let e = plan(&s, "t", "symbol\tString\nprice\tInt32\n").unwrap_err();
    assert_eq!(e.class, ErrorClass::Permanent);
    assert!(
        e.message.contains("`price`") && e.message.contains("Int32"),
        "{e}"
    );
    let e = plan(&s, "t", "symbol\tString\n").unwrap_err();
    assert!(e.message.contains("no column `price`"), "{e}");
    assert!(e.message.contains("Nullable(Float64)"), "{e}");
}

#[test]
fn encodes_row_binary() {
    let s = settings_of(&[URL, ("table", "t"), ("ts.column", "ts")]).unwrap();
    let described = "symbol\tString\nprice\tNullable(Float64)\nvolume\tUInt16\nok\tUInt8\n\
                     ts\tDateTime\n";
    let p = plan(&s, "t", described).unwrap();
    let mut out = BytesMut::new();
    let e = Event::new(
        1_700_000_000_999,
        vec![
            Value::from("AB"),
            Value::Null,
            Value::Int(258),
            Value::Bool(true),
        ],
    );
    encode_row(&p, &e, &mut out).unwrap();
    let mut expected = vec![2, b'A', b'B', 1, 2, 1, 1];
    expected.extend_from_slice(&1_700_000_000u32.to_le_bytes());
    assert_eq!(&out[..], &expected[..]);

    let bad = Event::new(
        0,
        vec![Value::Null, Value::Null, Value::Int(1), Value::Bool(false)],
    );
    let e = encode_row(&p, &bad, &mut BytesMut::new()).unwrap_err();
    assert!(e.contains("`symbol`") && e.contains("not Nullable"), "{e}");
    let big = Event::new(
        0,
        vec![
            Value::from("A"),
            Value::Null,
            Value::Int(70_000),
            Value::Bool(false),
        ],
    );
    let e = encode_row(&p, &big, &mut BytesMut::new()).unwrap_err();
    assert!(e.contains("70000") && e.contains("UInt16"), "{e}");
}

#[test]
fn integers_are_range_checked_and_strings_length_prefixed() {
    let mut out = BytesMut::new();
    put_int(&mut out, -1, 1, true).unwrap();
    put_int(&mut out, 255, 1, false).unwrap();
    assert!(put_int(&mut out, 128, 1, true).is_err());
    assert!(put_int(&mut out, -1, 8, false).is_err());
    put_bytes(&mut out, &[b'x'; 200]);
    assert_eq!(&out[..4], &[0xff, 0xff, 0xc8, 0x01]);
}

#[test]
fn server_errors_are_classified_by_code() {
    let bad = |t: &str| classify(clickhouse::error::Error::BadResponse(t.into()), "INSERT");
    let old = "Code: 60, e.displayText() = DB::Exception: Table default.x doesn't exist., \
               e.what() = DB::Exception";
    let e = bad(old);
    assert_eq!(e.class, ErrorClass::Permanent);
    assert!(e.message.contains("create.table"), "{e}");
    let new = "Code: 516. DB::Exception: default: Authentication failed. \
               (AUTHENTICATION_FAILED) (version 24.8.1)";
    let e = bad(new);
    assert_eq!(e.class, ErrorClass::Permanent);
    assert!(e.message.contains("'password'"), "{e}");
    assert_eq!(
        bad("Code: 252. DB::Exception: Too many parts").class,
        ErrorClass::Transient
    );
    assert_eq!(bad("502 Bad Gateway").class, ErrorClass::Transient);
    assert_eq!(
        classify(clickhouse::error::Error::TimedOut, "INSERT").class,
        ErrorClass::Transient
    );
}

#[test]
fn routing_rejects_bad_table_names() {
    let s = settings_of(&[URL, ("table.by", "symbol")]).unwrap();
    let sink = ClickHouseSink {
        client: clickhouse::Client::default(),
        settings: Arc::new(s),
        plans: HashMap::new(),
        stopping: Arc::new(AtomicBool::new(false)),
        pinged: None,
    };
    let ev = |sym: Value| {
        Event::new(
            0,
            vec![sym, Value::Double(1.0), Value::Int(1), Value::Bool(true)],
        )
    };
    let events = vec![
        ev(Value::from("a")),
        ev(Value::from("b_2")),
        ev(Value::from("a")),
        ev(Value::Null),
        ev(Value::from("x; DROP")),
    ];
    let mut rejects = Rejects::default();
    let groups = sink.route(&events, &mut rejects);
    assert_eq!(
        groups,
        vec![("a".to_string(), vec![0, 2]), ("b_2".to_string(), vec![1])]
    );
    let rejected: Vec<usize> = rejects.items.iter().map(|(i, _)| *i).collect();
    assert_eq!(rejected, vec![3, 4]);
}

#[test]
fn spec_example_compiles() {
    let spec = ClickHouseSinkFactory.spec();
    let binding = spec.example.replace("${CLICKHOUSE_PASSWORD}", "pw");
    let sql = format!("{binding}\nCREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);");
    if let Err(e) = crate::Engine::new().compile(&sql) {
        panic!("{e}");
    }
    for p in &spec.params {
        assert!(
            !p.description.is_empty() && !p.example.is_empty(),
            "{}",
            p.name
        );
    }
}

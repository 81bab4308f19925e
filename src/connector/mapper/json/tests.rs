//! The `json` mapper end to end: decoding, paths, conversions, encoding, round trips.

use super::decode::Plan;
use super::path::{simple_steps, Step};
use super::*;
use crate::event::Event;
use crate::value::{AttrType, Value};
use bytes::Bytes;
use serde_json::Value as Json;

/// The parameter as apps write it.
const ENCLOSING: &str = "enclosing.element";

fn cfg(params: &[(&str, &str)], attrs: &[(&str, &str)]) -> MapperConfig {
    MapperConfig {
        kind: "json".into(),
        params: params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        attributes: attrs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

fn stock() -> Schema {
    Schema::of(
        "Stock",
        &[
            ("symbol", AttrType::String),
            ("price", AttrType::Double),
            ("volume", AttrType::Long),
        ],
    )
}

fn source(c: &MapperConfig, s: &Schema) -> Box<dyn SourceMapper> {
    JsonMapperFactory.source_mapper(c, s).unwrap()
}

fn decode(m: &mut Box<dyn SourceMapper>, payload: &str) -> Result<Vec<Vec<Value>>, String> {
    let mut out = Vec::new();
    let r = m.decode(&Bytes::copy_from_slice(payload.as_bytes()), &mut out);
    if r.is_err() {
        assert!(out.is_empty(), "rows appended on error");
    }
    r?;
    Ok(out.iter().map(|r| r.to_vec()).collect())
}

fn encode(m: &mut Box<dyn SinkMapper>, values: Vec<Value>) -> String {
    let mut out = Vec::new();
    m.encode(&Event::new(0, values), &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn ibm() -> Vec<Value> {
    vec![Value::from("IBM"), Value::Double(700.5), Value::Long(100)]
}

fn is_stream(m: &JsonSource) -> bool {
    matches!(m.plan, Plan::Stream { .. })
}

#[test]
fn object_by_top_level_names() {
    let mut m = source(&cfg(&[], &[]), &stock());
    assert_eq!(
        decode(
            &mut m,
            r#"{"volume":100,"extra":{"x":[1,2]},"symbol":"IBM","price":700.5}"#
        )
        .unwrap(),
        vec![ibm()]
    );
    assert_eq!(
        decode(&mut m, r#"{"symbol":null}"#).unwrap(),
        vec![vec![Value::Null, Value::Null, Value::Null]]
    );
}

#[test]
fn array_of_objects_is_one_row_each() {
    let mut m = source(&cfg(&[], &[]), &stock());
    let rows = decode(
        &mut m,
        r#"[{"symbol":"IBM","price":700.5,"volume":100},{"symbol":"WSO2","price":"1.5"}]"#,
    )
    .unwrap();
    assert_eq!(
        rows,
        vec![
            ibm(),
            vec![Value::from("WSO2"), Value::Double(1.5), Value::Null]
        ]
    );
    assert_eq!(decode(&mut m, "[]").unwrap(), Vec::<Vec<Value>>::new());
    let e = decode(&mut m, r#"[{"symbol":"A"}, 3]"#).unwrap_err();
    assert!(
        e.starts_with("invalid type: integer `3`, expected an object"),
        "{e}"
    );
    let e = decode(&mut m, r#""hello""#).unwrap_err();
    assert!(
        e.contains("expected a JSON object or an array of objects"),
        "{e}"
    );
}

#[test]
fn invalid_json_says_where() {
    let mut m = source(&cfg(&[], &[]), &stock());
    assert_eq!(
        decode(&mut m, r#"{"a": }"#).unwrap_err(),
        "payload is not valid JSON: expected value at line 1 column 7"
    );
    assert_eq!(
        decode(&mut m, r#"{"symbol":"A"} x"#).unwrap_err(),
        "payload is not valid JSON: trailing characters at line 1 column 16"
    );
    let mut m = source(&cfg(&[], &[("price", "$.p.q")]), &stock());
    assert_eq!(
        decode(&mut m, r#"{"#).unwrap_err(),
        "payload is not valid JSON: EOF while parsing an object at line 1 column 1"
    );
}

#[test]
fn attributes_by_path() {
    let c = cfg(
        &[],
        &[
            ("symbol", "$.s"),
            ("price", "$.quote.prices[0]"),
            ("volume", "$['quote']['vol'][-1]"),
        ],
    );
    let m = JsonSource::new(&c, &stock()).unwrap();
    assert!(!is_stream(&m));
    let mut m: Box<dyn SourceMapper> = Box::new(m);
    assert_eq!(
        decode(
            &mut m,
            r#"{"s":"IBM","quote":{"prices":[700.5,1.0],"vol":[1,100]}}"#
        )
        .unwrap(),
        vec![ibm()]
    );
    // No match is NULL.
    assert_eq!(
        decode(&mut m, r#"{"s":"IBM","quote":{"prices":[]}}"#).unwrap(),
        vec![vec![Value::from("IBM"), Value::Null, Value::Null]]
    );
}

#[test]
fn one_step_paths_stream_and_unmapped_attributes_read_by_name() {
    let c = cfg(&[], &[("price", "$.p"), ("symbol", "$['s']")]);
    let m = JsonSource::new(&c, &stock()).unwrap();
    assert!(is_stream(&m));
    let mut m: Box<dyn SourceMapper> = Box::new(m);
    assert_eq!(
        decode(&mut m, r#"{"s":"IBM","p":700.5,"volume":100,"price":1}"#).unwrap(),
        vec![ibm()]
    );
}

#[test]
fn general_jsonpath_takes_the_first_match() {
    let s = Schema::of("S", &[("name", AttrType::String), ("n", AttrType::Int)]);
    let c = cfg(&[], &[("name", "$.items[?@.ok==true].name"), ("n", "$..n")]);
    let mut m = source(&c, &s);
    assert_eq!(
        decode(
            &mut m,
            r#"{"items":[{"name":"a","ok":false},{"name":"b","ok":true},{"name":"c","ok":true}],"deep":{"x":{"n":7}}}"#
        )
        .unwrap(),
        vec![vec![Value::from("b"), Value::Int(7)]]
    );
}

#[test]
fn enclosing_element() {
    let c = cfg(&[(ENCLOSING, "$.data")], &[]);
    let mut m = source(&c, &stock());
    assert_eq!(
        decode(
            &mut m,
            r#"{"data":{"symbol":"IBM","price":700.5,"volume":100}}"#
        )
        .unwrap(),
        vec![ibm()]
    );
    assert_eq!(
        decode(
            &mut m,
            r#"{"data":[{"symbol":"IBM","price":700.5,"volume":100},{}]}"#
        )
        .unwrap(),
        vec![ibm(), vec![Value::Null, Value::Null, Value::Null]]
    );
    assert_eq!(
        decode(&mut m, r#"{"other":1}"#).unwrap_err(),
        "enclosing.element '$.data' matches nothing in the payload"
    );
    assert_eq!(
        decode(&mut m, r#"{"data":[{}, 5]}"#).unwrap_err(),
        "'$.data'[1] is a number, not an object"
    );
    let c = cfg(
        &[(ENCLOSING, "$.events[*]")],
        &[("symbol", "$.s"), ("price", "$.q.p")],
    );
    let mut m = source(&c, &stock());
    assert_eq!(
        decode(
            &mut m,
            r#"{"events":[{"s":"IBM","q":{"p":700.5},"volume":100},{"s":"X","q":{"p":"bad"}}]}"#
        )
        .unwrap_err(),
        "attribute 'price': expected DOUBLE, got string \"bad\" (in match 1 of '$.events[*]')"
    );
    assert_eq!(
        decode(
            &mut m,
            r#"{"events":[{"s":"IBM","q":{"p":700.5},"volume":100}]}"#
        )
        .unwrap(),
        vec![ibm()]
    );
    assert_eq!(
        decode(&mut m, r#"{"events":[]}"#).unwrap(),
        Vec::<Vec<Value>>::new()
    );
    // Without enclosing.element, a tree decode names the array element.
    let c = cfg(&[], &[("price", "$.q.p")]);
    let mut m = source(&c, &stock());
    assert_eq!(
        decode(&mut m, r#"[{"q":{"p":1}},{"q":{"p":true}}]"#).unwrap_err(),
        "attribute 'price': expected DOUBLE, got bool true (in payload[1])"
    );
    assert_eq!(
        decode(&mut m, r#"[{}, []]"#).unwrap_err(),
        "payload[1] is an array, not an object"
    );
}

#[test]
fn type_conversions() {
    let s = Schema::of(
        "T",
        &[
            ("i", AttrType::Int),
            ("l", AttrType::Long),
            ("f", AttrType::Float),
            ("d", AttrType::Double),
            ("b", AttrType::Bool),
            ("s", AttrType::String),
            ("x", AttrType::Bytes),
        ],
    );
    // Both the streaming and the tree path convert the same way.
    for c in [cfg(&[], &[]), cfg(&[(ENCLOSING, "$")], &[])] {
        let mut m = source(&c, &s);
        assert_eq!(
            decode(
                &mut m,
                r#"{"i":-5,"l":9007199254740993,"f":1.5,"d":2,"b":true,"s":"hé\"","x":"aGk="}"#
            )
            .unwrap(),
            vec![vec![
                Value::Int(-5),
                Value::Long(9007199254740993),
                Value::Float(1.5),
                Value::Double(2.0),
                Value::Bool(true),
                Value::from("hé\""),
                Value::Bytes(Bytes::from_static(b"hi")),
            ]]
        );
        // Numeric strings, integral floats, unpadded base64, rendered JSON text.
        assert_eq!(
            decode(
                &mut m,
                r#"{"i":" 42 ","l":3.0,"f":"2.5","d":"-1e3","s":{"a":[1,2.5,null]},"x":"aGk"}"#
            )
            .unwrap(),
            vec![vec![
                Value::Int(42),
                Value::Long(3),
                Value::Float(2.5),
                Value::Double(-1000.0),
                Value::Null,
                Value::from(r#"{"a":[1,2.5,null]}"#),
                Value::Bytes(Bytes::from_static(b"hi")),
            ]]
        );
        let row = decode(&mut m, r#"{"s":12.5}"#).unwrap();
        assert_eq!(row[0][5], Value::from("12.5"));
        let row = decode(&mut m, r#"{"s":false}"#).unwrap();
        assert_eq!(row[0][5], Value::from("false"));
        let row = decode(&mut m, r#"{"s":[1,"a"]}"#).unwrap();
        assert_eq!(row[0][5], Value::from(r#"[1,"a"]"#));

        let err = |m: &mut Box<dyn SourceMapper>, p: &str| {
            let e = decode(m, p).unwrap_err();
            // The streaming path adds the position; the message itself is the same.
            e.split(" at line ").next().unwrap().to_string()
        };
        assert_eq!(
            err(&mut m, r#"{"i":1.5}"#),
            "attribute 'i': expected INT, got number 1.5"
        );
        assert_eq!(
            err(&mut m, r#"{"i":3000000000}"#),
            "attribute 'i': expected INT, got number 3000000000 (out of range)"
        );
        assert_eq!(
            err(&mut m, r#"{"l":18446744073709551615}"#),
            "attribute 'l': expected BIGINT, got number 18446744073709551615 (out of range)"
        );
        assert_eq!(
            err(&mut m, r#"{"i":"abc"}"#),
            "attribute 'i': expected INT, got string \"abc\""
        );
        assert_eq!(
            err(&mut m, r#"{"i":true}"#),
            "attribute 'i': expected INT, got bool true"
        );
        assert_eq!(
            err(&mut m, r#"{"d":"abc"}"#),
            "attribute 'd': expected DOUBLE, got string \"abc\""
        );
        assert_eq!(
            err(&mut m, r#"{"f":[1]}"#),
            "attribute 'f': expected FLOAT, got array"
        );
        assert_eq!(
            err(&mut m, r#"{"b":"true"}"#),
            "attribute 'b': expected BOOL, got string \"true\""
        );
        assert_eq!(
            err(&mut m, r#"{"b":1}"#),
            "attribute 'b': expected BOOL, got number 1"
        );
        assert_eq!(
            err(&mut m, r#"{"x":{}}"#),
            "attribute 'x': expected BYTES, got object"
        );
        let e = err(&mut m, r#"{"x":"!!"}"#);
        assert!(
            e.starts_with("attribute 'x': expected BYTES (base64), got string \"!!\" ("),
            "{e}"
        );
    }
}

#[test]
fn streaming_errors_carry_the_position() {
    let mut m = source(&cfg(&[], &[]), &stock());
    assert_eq!(
        decode(&mut m, r#"[{"price":1},{"price":"abc"}]"#).unwrap_err(),
        "attribute 'price': expected DOUBLE, got string \"abc\" at line 1 column 27"
    );
}

#[test]
fn config_errors() {
    let e = JsonMapperFactory
        .source_mapper(&cfg(&[], &[("prise", "$.p")]), &stock())
        .err()
        .unwrap()
        .0;
    assert!(
        e.contains("no attribute 'prise' (did you mean 'price'?)"),
        "{e}"
    );
    let e = JsonMapperFactory
        .source_mapper(&cfg(&[], &[("price", "p")]), &stock())
        .err()
        .unwrap()
        .0;
    assert!(
        e.starts_with("@attributes(price='p') is not a valid JSONPath"),
        "{e}"
    );
    assert!(e.contains("e.g. '$.p'"), "{e}");
    let e = JsonMapperFactory
        .source_mapper(&cfg(&[(ENCLOSING, "$[")], &[]), &stock())
        .err()
        .unwrap()
        .0;
    assert!(
        e.starts_with("parameter 'enclosing.element' ('$[') is not a valid"),
        "{e}"
    );
    let e = JsonMapperFactory
        .source_mapper(&cfg(&[], &[("price", "$.a"), ("price", "$.b")]), &stock())
        .err()
        .unwrap()
        .0;
    assert!(e.contains("mapped twice"), "{e}");
}

#[test]
fn simple_path_parsing() {
    use Step::*;
    assert_eq!(
        simple_steps("$.a.b_2[0]['c d'][-1]"),
        Some(vec![
            Key("a".into()),
            Key("b_2".into()),
            Index(0),
            Key("c d".into()),
            Index(-1)
        ])
    );
    assert_eq!(simple_steps("$"), Some(vec![]));
    for p in [
        "$.*",
        "$..a",
        "$[*]",
        "$[0:2]",
        "$[?@.a]",
        "$['a\\'b']",
        "$.a[01]",
    ] {
        assert_eq!(simple_steps(p), None, "{p}");
    }
}

#[test]
fn sink_writes_one_object_in_schema_order() {
    let s = Schema::of(
        "Out",
        &[
            ("symbol", AttrType::String),
            ("p2", AttrType::Double),
            ("n", AttrType::Int),
            ("f", AttrType::Float),
            ("ok", AttrType::Bool),
            ("raw", AttrType::Bytes),
            ("we\"ird", AttrType::Double),
        ],
    );
    let mut m = JsonMapperFactory.sink_mapper(&cfg(&[], &[]), &s).unwrap();
    assert_eq!(
        encode(
            &mut m,
            vec![
                Value::from("I\"BM\n"),
                Value::Double(1400.0),
                Value::Int(3),
                Value::Float(0.1),
                Value::Bool(false),
                Value::Bytes(Bytes::from_static(b"hi")),
                Value::Long(2),
            ]
        ),
        r#"{"symbol":"I\"BM\n","p2":1400.0,"n":3,"f":0.1,"ok":false,"raw":"aGk=","we\"ird":2.0}"#
    );
    assert_eq!(
        encode(
            &mut m,
            vec![
                Value::Null,
                Value::Double(f64::NAN),
                Value::Null,
                Value::Float(f32::INFINITY),
                Value::Null,
                Value::Null,
            ]
        ),
        r#"{"symbol":null,"p2":null,"n":null,"f":null,"ok":null,"raw":null,"we\"ird":null}"#
    );
    let mut e = JsonMapperFactory
        .sink_mapper(&cfg(&[], &[]), &Schema::of("E", &[]))
        .unwrap();
    assert_eq!(encode(&mut e, vec![]), "{}");
}

#[test]
fn round_trip() {
    let s = Schema::of(
        "T",
        &[
            ("i", AttrType::Int),
            ("l", AttrType::Long),
            ("f", AttrType::Float),
            ("d", AttrType::Double),
            ("b", AttrType::Bool),
            ("s", AttrType::String),
            ("x", AttrType::Bytes),
        ],
    );
    let row = vec![
        Value::Int(i32::MIN),
        Value::Long(i64::MAX),
        Value::Float(3.25),
        Value::Double(1e300),
        Value::Bool(true),
        Value::from("tab\t\u{1F600}"),
        Value::Bytes(Bytes::from_static(&[0, 255, 1])),
    ];
    let mut sink = JsonMapperFactory.sink_mapper(&cfg(&[], &[]), &s).unwrap();
    let mut src = source(&cfg(&[], &[]), &s);
    let text = encode(&mut sink, row.clone());
    assert_eq!(decode(&mut src, &text).unwrap(), vec![row.clone()]);
    let nulls = vec![Value::Null; 7];
    let text = encode(&mut sink, nulls.clone());
    assert_eq!(decode(&mut src, &text).unwrap(), vec![nulls]);
    // Whole doubles read back as DOUBLE 1400.0, not as an integer.
    let d = Schema::of("D", &[("d", AttrType::Double)]);
    let mut sink = JsonMapperFactory.sink_mapper(&cfg(&[], &[]), &d).unwrap();
    let text = encode(&mut sink, vec![Value::Double(1400.0)]);
    let back: Json = serde_json::from_str(&text).unwrap();
    assert!(back["d"].is_f64());
}

#[test]
fn spec_is_complete() {
    let spec = JsonMapperFactory.spec();
    assert_eq!(spec.name, "json");
    assert!(spec.formats.is_empty() && spec.default_format.is_none());
    assert!(spec.example.starts_with("@map(type='json'"));
    for p in &spec.params {
        assert!(!p.description.is_empty() && !p.example.is_empty());
    }
}

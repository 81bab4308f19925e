//! Bounded fuzzing on stable: random and mutated inputs through every decoder that takes bytes
//! or text from outside (the SQL front end, the replay row mapping, the row codec, the binary
//! log reader, and the media parsers). The property is the one the audit asks for: an error or
//! a value, never a panic, and no allocation beyond what the input holds. CI runs a fixed
//! number of cases; `PROPTEST_CASES=100000 cargo test --test fuzz_inputs` digs deeper.

use eventflux::connector::storage::binary::BinaryReader;
use eventflux::connector::storage::codec;
use eventflux::Engine;
use proptest::prelude::*;

/// Fragments of the language, so random apps get past the tokenizer often.
const WORDS: &[&str] = &[
    "CREATE",
    "STREAM",
    "TABLE",
    "S",
    "T",
    "(",
    ")",
    "x",
    "INT",
    "STRING",
    "DOUBLE",
    ",",
    ";",
    "INSERT",
    "INTO",
    "O",
    "SELECT",
    "FROM",
    "WHERE",
    "AND",
    "OR",
    "NOT",
    "+",
    "-",
    "*",
    "/",
    "=",
    ">",
    "<",
    "1",
    "2.5",
    "'a'",
    "WINDOW",
    "TUMBLING",
    "SEC",
    "GROUP",
    "BY",
    "HAVING",
    "PATTERN",
    "->",
    "every",
    "WITHIN",
    "OUTPUT",
    "SNAPSHOT",
    "EVERY",
    "EVENTS",
    "JOIN",
    "ON",
    "@source(type='datagen')",
    "@sink(type='stdout')",
    "@map(",
    "@app:playback",
    "${X}",
    "PARTITION",
    "WITH",
    "BEGIN",
    "END",
    "CAST",
    "AS",
    "CASE",
    "WHEN",
    "THEN",
    "ELSE",
    "count()",
    "sum(x)",
    "[",
    "]",
    "e1",
    "=",
    "#",
    "\u{0}",
    "é",
    "1e400",
    "9223372036854775808",
];

/// 400 cases unless PROPTEST_CASES says otherwise.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(400)
}

fn app_text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(WORDS), 0..60).prop_map(|w| w.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn the_compiler_answers_any_app(sql in app_text()) {
        let _ = Engine::new().compile(&sql);
    }

    #[test]
    fn the_compiler_answers_any_text(sql in "\\PC{0,200}") {
        let _ = Engine::new().compile(&sql);
    }

    #[test]
    fn every_compile_error_has_a_position(sql in app_text()) {
        if let Err(e) = Engine::new().compile(&sql) {
            for d in &e.errors {
                prop_assert!(d.pos.is_known(), "no position: {}\n{sql}", d.message);
            }
        }
    }

    #[test]
    fn the_row_codec_rejects_damage(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = codec::decode_row(&bytes::Bytes::from(bytes));
    }

    #[test]
    fn the_binary_log_reader_reads_or_reports(tail in prop::collection::vec(any::<u8>(), 0..400)) {
        let mut file = b"EFLXBIN1".to_vec();
        let header = br#"{"stream":"S","format":"binary","attributes":[["x","INT"]]}"#;
        file.extend_from_slice(&(header.len() as u32).to_le_bytes());
        file.extend_from_slice(header);
        file.extend_from_slice(&tail);
        if let Ok(reader) = BinaryReader::from_reader(Box::new(std::io::Cursor::new(file))) {
            for r in reader.take(1000) {
                if r.is_err() {
                    break;
                }
            }
        }
    }

    #[test]
    fn replay_rows_map_any_json(v in "\\PC{0,80}") {
        let schema = eventflux::Schema::new(
            "S",
            [
                ("x", eventflux::AttrType::Int),
                ("s", eventflux::AttrType::String),
                ("b", eventflux::AttrType::Bytes),
            ]
            .into_iter()
            .map(|(name, ty)| eventflux::schema::Attribute { name: name.into(), ty })
            .collect(),
        );
        if let Ok(json) = serde_json::from_str::<serde_json::Value>(&v) {
            let _ = eventflux::json::row(&schema, &json);
        }
    }

    #[test]
    fn media_parsers_take_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        use eventflux::media::*;
        let _ = jpeg::parse(&bytes);
        let _ = av1::parse_sequence_header(&bytes);
        let _ = rtp::read_packet(&bytes);
        let _ = sdp_in::parse_formats(&String::from_utf8_lossy(&bytes));
        let mut ts = ts::TsDemuxer::default();
        let mut units = Vec::new();
        ts.push(&bytes, &mut units);
        let mut detect = detect::CodecDetector::default();
        let _ = detect.push(&bytes);
        let mut parts = multipart::MultipartParser::new("frame", multipart::MultipartConfig::default());
        parts.push(&bytes);
        while parts.next_item().is_some() {}
    }
}

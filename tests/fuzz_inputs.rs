//! Bounded fuzzing on stable: random and mutated inputs through every decoder that takes bytes
//! or text from outside (the SQL front end, the replay row mapping, the row codec, the binary
//! log reader, and the media parsers). The property is the one the audit asks for: an error or
//! a value, never a panic, and no allocation beyond what the input holds. CI runs a fixed
//! number of cases; `PROPTEST_CASES=100000 cargo test --test fuzz_inputs` digs deeper.

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
    fn every_byte_decoder_answers_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        for (name, target) in eventflux::fuzz::TARGETS {
            if *name != "sql" {
                target(&bytes);
            }
        }
    }

    #[test]
    fn the_binary_log_reader_reads_or_reports(tail in prop::collection::vec(any::<u8>(), 0..400)) {
        // Past the header, so the records' length fields are what varies.
        let mut file = b"EFLXBIN1".to_vec();
        let header = br#"{"stream":"S","format":"binary","attributes":[["x","INT"]]}"#;
        file.extend_from_slice(&(header.len() as u32).to_le_bytes());
        file.extend_from_slice(header);
        file.extend_from_slice(&tail);
        eventflux::fuzz::binary_log(&file);
    }

    #[test]
    fn replay_rows_map_any_json(v in "\\PC{0,80}") {
        eventflux::fuzz::replay_json(v.as_bytes());
    }

    #[test]
    fn rtsp_requests_with_random_headers_are_answered(
        method in prop::sample::select(&["OPTIONS", "DESCRIBE", "SETUP", "PLAY", "TEARDOWN", "GET_PARAMETER", "X"][..]),
        header in "[A-Za-z-]{1,12}: [ -~]{0,40}",
        uri in "[ -~]{0,40}",
    ) {
        let request = format!("{method} rtsp://h/{uri} RTSP/1.0\r\nCSeq: 1\r\n{header}\r\n\r\n");
        eventflux::fuzz::rtsp_server(request.as_bytes());
    }
}

/// The corpus kept in the repo (`fuzz/corpus/<target>/`, the audit's crashers among it) goes
/// through its target on every run, so what crashed once stays fixed.
#[test]
fn the_fuzz_corpus_runs_through_every_target() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut ran = 0;
    for (name, target) in eventflux::fuzz::TARGETS {
        let dir = root.join("corpus").join(name);
        let files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e} (every target keeps a corpus)", dir.display()))
            .map(|e| e.unwrap().path())
            .collect();
        assert!(!files.is_empty(), "{}: empty corpus", dir.display());
        for f in files {
            let input = std::fs::read(&f).unwrap();
            // A panic here names the file: the crasher to look at.
            eprintln!("{}", f.display());
            target(&input);
            ran += 1;
        }
        assert!(
            root.join("fuzz_targets")
                .join(format!("{name}.rs"))
                .exists(),
            "fuzz/fuzz_targets/{name}.rs: every entry point has a cargo-fuzz target"
        );
    }
    for entry in std::fs::read_dir(root.join("corpus")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(
            eventflux::fuzz::TARGETS.iter().any(|(t, _)| *t == name),
            "fuzz/corpus/{name} has no target"
        );
    }
    assert!(ran >= eventflux::fuzz::TARGETS.len());
}

/// The audit's SQL crashers fail to compile with a positioned error, not a crash.
#[test]
fn the_sql_crashers_are_positioned_errors() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/sql");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !name.starts_with("crash-") {
            continue;
        }
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).to_string();
        match Engine::new().compile(&text) {
            Ok(_) => panic!("{name}: compiled"),
            Err(e) => assert!(e.errors.iter().all(|d| d.pos.is_known()), "{name}: {e}"),
        }
    }
}

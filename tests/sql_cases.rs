//! Query semantics as `eventflux test` cases: every `tests/cases/NAME.sql` runs over
//! `NAME.input.jsonl` and must produce `NAME.expected.jsonl` (extra arguments such as
//! `--until 5000` in `NAME.args`). Expected outputs are worked out by hand from Siddhi's
//! semantics, never copied from a run.

use std::path::PathBuf;
use std::process::Command;

#[test]
fn every_case_matches_its_expected_output() {
    let mut failures = Vec::new();
    let mut cases = 0;
    let mut entries: Vec<PathBuf> = std::fs::read_dir("tests/cases")
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.extension().and_then(|e| e.to_str()) != Some("sql") {
            continue;
        }
        cases += 1;
        let stem = path.with_extension("").display().to_string();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_eventflux"));
        cmd.arg("test")
            .arg(&path)
            .arg("--input")
            .arg(format!("{stem}.input.jsonl"))
            .arg("--expect")
            .arg(format!("{stem}.expected.jsonl"));
        if let Ok(args) = std::fs::read_to_string(format!("{stem}.args")) {
            cmd.args(args.split_whitespace());
        }
        let o = cmd.output().unwrap();
        if o.status.code() != Some(0) {
            failures.push(format!(
                "{}:\n{}{}",
                path.display(),
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            ));
        }
    }
    assert!(cases >= 10, "expected the cases under tests/cases");
    assert!(
        failures.is_empty(),
        "{} of {cases} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

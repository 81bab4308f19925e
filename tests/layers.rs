//! The layering of the crate, read from the code: every `crate::` path in a module's files is an
//! edge, and an edge a layer may not take fails this test with the file and line. The layers,
//! bottom up:
//!
//! - data model: `value`, `event`, `schema`, `clock`, `calendar`, `lang`, `suggest`, `json`,
//!   `redact` (what text may leave the process);
//! - `media` (sans-IO bitstreams) and `sql` (parsing) on the data model only;
//! - `functions` (frame functions read JPEGs) and `connector` (media connectors drive the
//!   bitstream code) on the data model and `media`;
//! - `plan` on those; `runtime` on `plan` and below, never `sql`;
//! - `state` on `runtime` and below;
//! - `engine`, which compiles (sql, plan) and builds runtimes: it knows every layer below;
//! - `server`, the control plane, on `engine` (it compiles the apps it is sent) and below;
//! - `fuzz`, the fuzzers' entry points, on everything.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const DATA_MODEL: &[&str] = &[
    "value", "event", "schema", "clock", "calendar", "lang", "suggest", "json", "redact",
];

/// What each module may import besides the data model and itself.
fn allowed(module: &str) -> Option<&'static [&'static str]> {
    Some(match module {
        m if DATA_MODEL.contains(&m) => &[],
        "media" | "sql" => &[],
        "functions" | "connector" => &["media"],
        "plan" => &["sql", "functions", "connector", "media"],
        "runtime" => &["plan", "functions", "connector", "media"],
        "state" => &["runtime", "plan", "functions", "connector", "media"],
        // The control plane compiles apps it is sent: it sits on the engine.
        "server" => &[
            "engine",
            "runtime",
            "plan",
            "sql",
            "functions",
            "connector",
            "media",
        ],
        // Fuzz entry points drive every layer, the engine included.
        "engine" | "lib" | "fuzz" => return None,
        _ => return Some(&[]),
    })
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Names re-exported at the crate root (`pub use runtime::app::{App, ...}`) and where they live.
fn root_reexports(src: &Path) -> BTreeMap<String, String> {
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    let mut out = BTreeMap::new();
    for line in lib.lines() {
        let Some(rest) = line.trim().strip_prefix("pub use ") else {
            continue;
        };
        let module = rest.split("::").next().unwrap().to_string();
        let names = rest
            .rsplit("::")
            .next()
            .unwrap()
            .trim_end_matches(';')
            .trim_matches(|c| c == '{' || c == '}');
        for name in names.split(',') {
            out.insert(name.trim().to_string(), module.clone());
        }
    }
    out
}

/// Every `crate::name` in the code (comments skipped), with its line number. Test code (from
/// `#[cfg(test)]` on) may drive a layer through the engine, so the scan stops there.
fn crate_paths(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("#[cfg(test)]") {
            break;
        }
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let before = rest[..at].chars().next_back();
            rest = &rest[at + "crate::".len()..];
            // `eventflux_crate::x` or `super::crate` are not paths of ours.
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.push((i + 1, name));
            }
        }
    }
    out
}

#[test]
fn modules_import_only_the_layers_below() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let reexports = root_reexports(&src);
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut violations = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(&src).unwrap();
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        // The CLI is a separate crate that uses the library's public API.
        if first == "main.rs" || first == "cli" {
            continue;
        }
        let stem = file.file_stem().unwrap().to_string_lossy();
        if stem == "tests" || stem == "test_util" {
            continue;
        }
        let module = first.trim_end_matches(".rs").to_string();
        let Some(allowed) = allowed(&module) else {
            continue;
        };
        let text = std::fs::read_to_string(file).unwrap();
        for (line, name) in crate_paths(&text) {
            let target = reexports.get(&name).cloned().unwrap_or(name);
            let ok = target == module
                || DATA_MODEL.contains(&target.as_str())
                || allowed.contains(&target.as_str());
            if !ok {
                violations.push(format!(
                    "src/{}:{line}: `{module}` imports `{target}`",
                    rel.display()
                ));
            }
        }
    }
    assert!(
        violations.is_empty(),
        "imports across a forbidden layer edge:\n{}",
        violations.join("\n")
    );
}

#[test]
fn the_scanner_sees_paths_and_skips_comments() {
    let text = "use crate::sql::ast;\n// crate::runtime in a comment\nlet x = crate::plan::expr::Expr::Attr(0); // crate::engine\n";
    let names: Vec<String> = crate_paths(text).into_iter().map(|(_, n)| n).collect();
    assert_eq!(names, ["sql", "plan"]);
}

#[test]
fn no_file_is_over_about_800_lines_and_each_says_its_job() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut problems = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let rel = file.strip_prefix(&src).unwrap().display().to_string();
        let lines = text.lines().count();
        if lines > 850 {
            problems.push(format!(
                "src/{rel}: {lines} lines: give each of its jobs a file"
            ));
        }
        if !text.trim_start().starts_with("//!") {
            problems.push(format!("src/{rel}: no //! header saying its one job"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_connector_registry_is_a_leaf() {
    // Families register through the flat list in connector/builtins.rs; the registry itself
    // knows none of them, so no family can import it back into a circle.
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/connector");
    let registry = std::fs::read_to_string(src.join("registry.rs")).unwrap();
    for family in [
        "builtin::",
        "builtins::",
        "net::",
        "storage::",
        "mapper::",
        "media::",
    ] {
        assert!(
            !registry.contains(&format!("connector::{family}")),
            "registry.rs imports the connector family {family}"
        );
    }
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    for file in files {
        let rel = file.strip_prefix(&src).unwrap();
        if rel.components().count() < 2 {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let code: String = text
            .lines()
            .take_while(|l| !l.trim_start().starts_with("#[cfg(test)]"))
            .collect::<Vec<_>>()
            .join("\n");
        assert!(
            !code.contains("connector::registry") && !code.contains("connector::builtins"),
            "src/connector/{} (a connector family) imports the registry",
            rel.display()
        );
    }
}

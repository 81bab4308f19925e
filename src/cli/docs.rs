//! `eventflux docs --out DIR`: the reference pages of the docs site, generated from the same
//! registries the compiler validates against, so the docs cannot drift from the code.

use eventflux::connector::ConnectorSpec;
use eventflux::Engine;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

/// Every generated page: (path relative to the output directory, content).
pub fn pages(engine: &Engine) -> Vec<(String, String)> {
    let r = engine.connectors();
    let mut by_name: BTreeMap<&'static str, Vec<(&str, ConnectorSpec)>> = BTreeMap::new();
    for s in r.source_specs() {
        by_name.entry(s.name).or_default().push(("source", s));
    }
    for s in r.sink_specs() {
        by_name.entry(s.name).or_default().push(("sink", s));
    }
    let mut out = Vec::new();
    let mut index = String::from("# Connector reference\n\nGenerated from the connectors' own metadata (`eventflux connectors NAME` prints the same).\n\n| connector | roles | description |\n|---|---|---|\n");
    for (name, roles) in &by_name {
        let role_names: Vec<&str> = roles.iter().map(|(r, _)| *r).collect();
        let _ = writeln!(
            index,
            "| [{name}]({name}.md) | {} | {} |",
            role_names.join(", "),
            first_sentence(roles[0].1.description)
        );
        out.push((format!("connectors/{name}.md"), connector_page(name, roles)));
    }
    index.push_str("\n## Mappers\n\n| mapper | description |\n|---|---|\n");
    for m in r.mapper_specs() {
        let _ = writeln!(
            index,
            "| [{}](../mappers/{}.md) | {} |",
            m.name,
            m.name,
            first_sentence(m.description)
        );
        out.push((format!("mappers/{}.md", m.name), mapper_page(&m)));
    }
    out.push(("connectors/index.md".into(), index));
    out.push(("functions.md".into(), functions_page(engine)));
    out.push((
        "windows.md".into(),
        eventflux::runtime::window::reference_markdown(),
    ));
    out.sort();
    out
}

/// Writes the pages under `dir` (creating folders).
pub fn write(engine: &Engine, dir: &Path) -> Result<usize, String> {
    let pages = pages(engine);
    for (rel, text) in &pages {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(pages.len())
}

fn first_sentence(text: &str) -> &str {
    text.split(". ")
        .next()
        .unwrap_or(text)
        .trim_end_matches('.')
}

/// Prose in a table cell: pipes and angle brackets escaped (`<attr>` is not an HTML tag).
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
        .replace('\n', " ")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Code in a table cell (inside backticks): only pipes need escaping.
fn code_cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn params_table(out: &mut String, spec: &ConnectorSpec) {
    out.push_str(
        "| parameter | required | default | description | example |\n|---|---|---|---|---|\n",
    );
    for p in &spec.params {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | `{}` |",
            p.name,
            if p.required { "yes" } else { "no" },
            p.default.map_or("-".to_string(), |d| format!("`{d}`")),
            cell(p.description),
            code_cell(p.example)
        );
    }
}

/// The `WITH (...)` spelling of a spec's required parameters.
fn with_example(role: &str, spec: &ConnectorSpec) -> String {
    let mut opts = vec![
        format!("type='{role}'"),
        format!("extension='{}'", spec.name),
    ];
    if let Some(f) = spec.default_format {
        opts.push(format!("format='{f}'"));
    }
    for p in spec.params.iter().filter(|p| p.required) {
        opts.push(format!("\"{}\"='{}'", p.name, p.example));
    }
    format!(
        "CREATE STREAM Events (payload STRING)\n  WITH ({});",
        opts.join(", ")
    )
}

fn connector_page(name: &str, roles: &[(&str, ConnectorSpec)]) -> String {
    let mut out = format!("# {name}\n\n");
    for (role, spec) in roles {
        let _ = writeln!(out, "## {name} {role}\n\n{}\n", spec.description);
        if !spec.aliases.is_empty() {
            let _ = writeln!(
                out,
                "Also named: {}.\n",
                spec.aliases
                    .iter()
                    .map(|a| format!("`{a}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        if spec.formats.is_empty() {
            out.push_str("Takes no mapper.\n\n");
        } else {
            let _ = writeln!(
                out,
                "Formats: {} (default: {}).\n",
                spec.formats
                    .iter()
                    .map(|f| format!("[`{f}`](../mappers/{f}.md)"))
                    .collect::<Vec<_>>()
                    .join(", "),
                spec.default_format
                    .map_or("none: readable lines".to_string(), |f| format!("`{f}`"))
            );
        }
        params_table(&mut out, spec);
        let _ = writeln!(out, "\nAnnotation:\n\n```text\n{}\n```\n", spec.example);
        let _ = writeln!(
            out,
            "The same binding in `WITH` spelling (required parameters only):\n\n```text\n{}\n```\n",
            with_example(role, spec)
        );
    }
    out
}

fn mapper_page(spec: &ConnectorSpec) -> String {
    let mut out = format!("# {} mapper\n\n{}\n\n", spec.name, spec.description);
    if spec.params.is_empty() {
        out.push_str("No parameters.\n\n");
    } else {
        params_table(&mut out, spec);
    }
    let _ = writeln!(out, "\nExample:\n\n```text\n{}\n```", spec.example);
    out
}

fn functions_page(engine: &Engine) -> String {
    let mut out = String::from(
        "# Scalar functions\n\nOne value per event. A NULL argument gives NULL unless the function says otherwise. \
         Register your own with `Engine::register_function` (see the embedded API).\n\n| function | description |\n|---|---|\n",
    );
    for f in engine.functions().all() {
        let _ = writeln!(
            out,
            "| `{}` | {} |",
            cell(&f.signature),
            cell(&f.description)
        );
    }
    out
}

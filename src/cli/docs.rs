//! `eventflux docs --out DIR`: the reference pages of the docs site, generated from the same
//! registries the compiler validates against, so the docs cannot drift from the code.
//!
//! Every example on a generated page is a complete app in a ```sql block, which the docs test
//! compiles with `eventflux check`.

use eventflux::connector::ConnectorSpec;
use eventflux::sql::annotation::{prepass, Annotation};
use eventflux::Engine;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

/// The stream declarations examples are shown with: the first one the example compiles
/// against is used (the docs test reports the error when none does).
const EXAMPLE_SCHEMAS: &[&str] = &[
    "Trades (symbol STRING, price DOUBLE, volume INT)",
    "Frames (camera STRING, frame BYTES)",
    "Frames (frame BYTES, frame_number BIGINT, width INT, height INT)",
    "Camera (data BYTES, codec STRING, pts BIGINT, keyframe BOOL, width INT, height INT)",
];

/// Every generated page: (path relative to the output directory, content), sorted by path.
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
    let mut index = String::from(
        "# Connector reference\n\nGenerated from the connectors' own metadata \
         (`eventflux connectors NAME` prints the same).\n\n\
         | connector | roles | description |\n|---|---|---|\n",
    );
    for (name, roles) in &by_name {
        let role_names: Vec<&str> = roles.iter().map(|(r, _)| *r).collect();
        let _ = writeln!(
            index,
            "| [{name}]({name}.md) | {} | {} |",
            role_names.join(", "),
            cell(first_sentence(roles[0].1.description))
        );
        out.push((
            format!("connectors/{name}.md"),
            connector_page(engine, name, roles),
        ));
    }
    index.push_str("\n## Mappers\n\n| mapper | description |\n|---|---|\n");
    let mut mappers = r.mapper_specs();
    mappers.sort_by_key(|m| m.name);
    for m in &mappers {
        let _ = writeln!(
            index,
            "| [{}](../mappers/{}.md) | {} |",
            m.name,
            m.name,
            cell(first_sentence(m.description))
        );
        out.push((format!("mappers/{}.md", m.name), mapper_page(engine, m)));
    }
    out.push(("connectors/index.md".into(), index));
    out.push(("functions.md".into(), functions_page(engine)));
    out.push((
        "control-plane.md".into(),
        super::api_docs::control_plane_page(),
    ));
    out.push(("metrics.md".into(), super::api_docs::metrics_page()));
    out.extend(windows_pages());
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

/// HOOK: the window reference, from the window registry in `runtime::window`: an index page
/// (how windows emit, the table of windows, the aggregate functions) and one page per window
/// (signatures, aliases, a compiling example). A window added there appears on the site after
/// `eventflux docs` (and in website/src/SUMMARY.md, which the docs test checks).
fn windows_pages() -> Vec<(String, String)> {
    eventflux::plan::window::reference_pages()
        .into_iter()
        .map(|(stem, page)| (format!("windows/{stem}.md"), page))
        .collect()
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

/// Code in a table cell (inside backticks, where entities are not decoded): only pipes need
/// escaping.
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
            code_cell(p.name),
            if p.required { "yes" } else { "no" },
            p.default
                .as_deref()
                .map_or("-".to_string(), |d| format!("`{}`", code_cell(d))),
            cell(p.description),
            code_cell(p.example)
        );
    }
}

/// A complete app: `binding` (annotations, or empty) before a stream declaration, followed by
/// `with` (a WITH clause, or empty). Uses the first example schema the app compiles against.
fn example_app(engine: &Engine, binding: &str, with: &str) -> String {
    let app = |schema: &str| {
        let mut s = String::new();
        if !binding.is_empty() {
            s.push_str(binding);
            s.push('\n');
        }
        s.push_str("CREATE STREAM ");
        s.push_str(schema);
        if !with.is_empty() {
            s.push_str("\n  WITH (");
            s.push_str(with);
            s.push(')');
        }
        s.push_str(";\n");
        s
    };
    EXAMPLE_SCHEMAS
        .iter()
        .map(|schema| app(schema))
        .find(|text| engine.compile(text).is_ok())
        .unwrap_or_else(|| app(EXAMPLE_SCHEMAS[0]))
}

fn sql_string(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// The `WITH (...)` options equivalent to an `@source`/`@sink` annotation: `extension` = its
/// type, `format` = its `@map` type, `map.*` = mapper parameters, `map.attributes.*` =
/// `@attributes` entries.
fn with_options(role: &str, annotation: &Annotation) -> String {
    let mut opts = vec![format!("type='{role}'")];
    let mut params = Vec::new();
    for e in &annotation.elements {
        match e.key.as_deref() {
            Some("type") => opts.push(format!("extension={}", sql_string(&e.value))),
            Some(k) => params.push(format!("\"{k}\"={}", sql_string(&e.value))),
            None => {}
        }
    }
    if let Some(map) = annotation.child("map") {
        for e in &map.elements {
            match e.key.as_deref() {
                Some("type") => opts.push(format!("format={}", sql_string(&e.value))),
                Some(k) => params.push(format!("\"map.{k}\"={}", sql_string(&e.value))),
                None => {}
            }
        }
        if let Some(attrs) = map.child("attributes") {
            for e in &attrs.elements {
                if let Some(k) = &e.key {
                    params.push(format!("\"map.attributes.{k}\"={}", sql_string(&e.value)));
                }
            }
        }
    }
    opts.extend(params);
    opts.join(", ")
}

/// The one annotation in `text` (a spec's example), if it parses.
fn parse_annotation(text: &str) -> Option<Annotation> {
    let pre = prepass(text, &|_| None);
    if pre.errors.is_empty() && pre.annotations.len() == 1 {
        pre.annotations.into_iter().next()
    } else {
        None
    }
}

fn connector_page(engine: &Engine, name: &str, roles: &[(&str, ConnectorSpec)]) -> String {
    let role_names: Vec<&str> = roles.iter().map(|(r, _)| *r).collect();
    let mut out = format!("# {name}\n\nRoles: {}.\n\n", role_names.join(", "));
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
            out.push_str("Formats: none (takes no `@map`).\n\n");
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
        let _ = writeln!(
            out,
            "\nExample:\n\n```sql\n{}```\n",
            example_app(engine, spec.example, "")
        );
        if let Some(a) = parse_annotation(spec.example) {
            let _ = writeln!(
                out,
                "The same binding in the SQL-standard `WITH` spelling:\n\n```sql\n{}```\n",
                example_app(engine, "", &with_options(role, &a))
            );
        }
    }
    out
}

/// A binding that uses mapper `example` (an `@map(...)`): (role, annotation) for the source
/// (else sink) accepting the mapper with the fewest required parameters, those filled with their
/// examples, whose binding compiles (a connector may need more than its required parameters,
/// like the http source's port in server mode).
fn mapper_binding(
    engine: &Engine,
    spec: &ConnectorSpec,
    example: &str,
) -> Option<(&'static str, String)> {
    let r = engine.connectors();
    let binding = |role: &'static str, host: &ConnectorSpec| {
        let mut args = vec![format!("type='{}'", host.name)];
        for p in host.params.iter().filter(|p| p.required) {
            args.push(format!("{}={}", p.name, sql_string(p.example)));
        }
        args.push(example.to_string());
        format!("@{role}({})", args.join(", "))
    };
    let pick = |role: &'static str, mut specs: Vec<ConnectorSpec>| {
        specs.retain(|c| c.formats.contains(&spec.name));
        specs.sort_by_key(|c| (c.params.iter().filter(|p| p.required).count(), c.name));
        specs
            .iter()
            .map(|host| binding(role, host))
            .find(|b| engine.compile(&example_app(engine, b, "")).is_ok())
            .map(|b| (role, b))
    };
    pick("source", r.source_specs()).or_else(|| pick("sink", r.sink_specs()))
}

const WITH_MAPPER_NOTE: &str =
    "(`format` names the mapper, `map.*` are its parameters, `map.attributes.*` its @attributes)";

fn mapper_page(engine: &Engine, spec: &ConnectorSpec) -> String {
    let mut out = format!("# {} mapper\n\n{}\n\n", spec.name, spec.description);
    if spec.params.is_empty() {
        out.push_str("No parameters.\n");
    } else {
        params_table(&mut out, spec);
    }
    let Some((role, binding)) = mapper_binding(engine, spec, spec.example) else {
        let _ = writeln!(out, "\nExample:\n\n```text\n{}\n```", spec.example);
        return out;
    };
    let _ = writeln!(
        out,
        "\nExample, the mapper on a {role}:\n\n```sql\n{}```\n",
        example_app(engine, &binding, "")
    );
    if let Some(a) = parse_annotation(&binding) {
        let _ = writeln!(
            out,
            "The same binding in the SQL-standard `WITH` spelling {WITH_MAPPER_NOTE}:\n\n```sql\n{}```",
            example_app(engine, "", &with_options(role, &a))
        );
    }
    out
}

fn functions_page(engine: &Engine) -> String {
    let mut out = String::from(
        "# Scalar functions\n\nOne value per event. A NULL argument gives NULL unless the \
         function says otherwise. Register your own with `Engine::register_function` (see the \
         [embedded API](../api.md)). Aggregate functions are listed with the \
         [windows](windows/index.md#aggregate-functions).\n\n| function | description |\n|---|---|\n",
    );
    for f in engine.functions().all() {
        let _ = writeln!(
            out,
            "| `{}` | {} |",
            code_cell(&f.signature),
            cell(&f.description)
        );
    }
    out.push_str(
        "\n```sql\nCREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);\n\
         INSERT INTO Out\nSELECT lower(symbol) AS symbol, round(price * 1.1, 2) AS marked_up,\n\
         \x20      coalesce(nullif(volume, 0), 1) AS volume\nFROM Trades;\n```\n",
    );
    out
}

//! `eventflux connectors [NAME]`: what the registry holds, from the same metadata the compiler
//! validates against.

use eventflux::connector::registry::Role;
use eventflux::connector::ConnectorSpec;
use eventflux::suggest::did_you_mean;
use eventflux::Engine;
use std::fmt::Write;

pub fn list(engine: &Engine) -> String {
    let r = engine.connectors();
    let mut out = String::new();
    for (title, specs) in [
        ("sources", r.source_specs()),
        ("sinks", r.sink_specs()),
        ("mappers", r.mapper_specs()),
    ] {
        let _ = writeln!(out, "{title}:");
        for s in specs {
            let aliases = if s.aliases.is_empty() {
                String::new()
            } else {
                format!(" (alias {})", s.aliases.join(", "))
            };
            let first = s
                .description
                .split(". ")
                .next()
                .unwrap_or(s.description)
                .trim_end_matches('.');
            let _ = writeln!(out, "  {:<12} {first}{aliases}", s.name);
        }
    }
    out.push_str("\n`eventflux connectors NAME` describes one, with every parameter.\n");
    out
}

pub fn describe(engine: &Engine, name: &str) -> Result<String, String> {
    let r = engine.connectors();
    let mut found: Vec<(&str, ConnectorSpec)> = Vec::new();
    if let Some(s) = r.spec(Role::Source, name) {
        found.push(("source", s));
    }
    if let Some(s) = r.spec(Role::Sink, name) {
        found.push(("sink", s));
    }
    if let Some(m) = r.mapper(name) {
        found.push(("mapper", m.spec()));
    }
    if found.is_empty() {
        let mut names: Vec<&str> = Vec::new();
        let (src, snk, map) = (r.source_specs(), r.sink_specs(), r.mapper_specs());
        names.extend(src.iter().chain(&snk).chain(&map).map(|s| s.name));
        return Err(format!(
            "unknown connector or mapper '{name}'{}",
            did_you_mean(name, names)
        ));
    }
    let mut out = String::new();
    for (role, s) in found {
        let _ = writeln!(out, "{} ({role})", s.name);
        let _ = writeln!(out, "  {}", s.description);
        if !s.formats.is_empty() {
            let _ = writeln!(
                out,
                "  formats: {} (default: {})",
                s.formats.join(", "),
                s.default_format.unwrap_or("none")
            );
        }
        let _ = writeln!(out, "  parameters:");
        for p in &s.params {
            let req = if p.required {
                "required".to_string()
            } else {
                format!("default: {}", p.default.as_deref().unwrap_or("none"))
            };
            let _ = writeln!(
                out,
                "    {:<28} {req}\n      {}\n      e.g. {}='{}'",
                p.name, p.description, p.name, p.example
            );
        }
        let _ = writeln!(out, "  example:\n    {}\n", s.example);
    }
    Ok(out)
}

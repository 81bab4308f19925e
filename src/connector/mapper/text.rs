//! `text` mapper: a regex (or the whole payload) to a row; a `{{attr}}` template (or
//! `name=value, ...`) from an event.

use super::{MapperFactory, SinkMapper, SourceMapper};
use crate::connector::config::{ConfigError, MapperConfig};
use crate::connector::param::{specs, Param};
use crate::connector::spec::ConnectorSpec;
use crate::event::Event;
use crate::schema::Schema;
use crate::suggest::did_you_mean;
use crate::value::{AttrType, Value};
use bytes::Bytes;
use regex::{CaptureLocations, Regex};
use std::io::Write;
use std::sync::Arc;

pub struct TextMapperFactory;

const REGEX: Param<Option<String>> = Param::optional(
    "regex",
    None,
    "Source: regular expression whose capture groups feed the attributes; a payload that does \
     not match is an error",
    r"^(\w+) traded at ([0-9.]+) x (\d+)$",
);
const TEMPLATE: Param<Option<String>> = Param::optional(
    "template",
    None,
    "Sink: output text with {{attr}} placeholders (default: 'name=value, ...' for every \
     attribute)",
    "{{symbol}} @ {{price}}",
);

impl MapperFactory for TextMapperFactory {
    fn spec(&self) -> ConnectorSpec {
        ConnectorSpec {
            name: "text",
            aliases: &[],
            description: "Plain text. Source: with 'regex', each attribute takes a capture group \
                (groups 1..n in attribute order, or chosen by @attributes(attr='1') / \
                @attributes(attr='name')); without it, the whole payload (trailing line break \
                removed) goes into the stream's single STRING or BYTES attribute. Sink: \
                'template' with {{attr}} placeholders, or 'a=1, b=x' by default.",
            params: specs(&[&[&REGEX, &TEMPLATE]]),
            formats: &[],
            default_format: None,
            example: r"@map(type='text', regex='^(\w+),([0-9.]+)$', @attributes(symbol='1', price='2'))",
        }
    }

    fn source_mapper(
        &self,
        config: &MapperConfig,
        schema: &Schema,
    ) -> Result<Box<dyn SourceMapper>, ConfigError> {
        match REGEX.get(config) {
            Some(pattern) => Ok(Box::new(RegexSource::new(pattern, config, schema)?)),
            None => Ok(Box::new(WholeSource::new(config, schema)?)),
        }
    }

    fn sink_mapper(
        &self,
        config: &MapperConfig,
        schema: &Schema,
    ) -> Result<Box<dyn SinkMapper>, ConfigError> {
        let pieces = match TEMPLATE.get(config) {
            Some(t) => parse_template(t, schema)?,
            None => default_template(schema),
        };
        Ok(Box::new(TextSink { pieces }))
    }
}

/// The position of the attribute an `@attributes(...)` entry names, or a `ConfigError` with a
/// did-you-mean.
pub(super) fn resolve_attr(schema: &Schema, name: &str) -> Result<usize, ConfigError> {
    schema.index_of(name).ok_or_else(|| {
        ConfigError(format!(
            "@attributes: stream '{}' has no attribute '{name}'{}; attributes: {}",
            schema.name(),
            did_you_mean(name, schema.names()),
            schema.names().collect::<Vec<_>>().join(", ")
        ))
    })
}

/// Parses text as a value of `ty` the way `CAST` does (numbers trimmed, bools as
/// true/false/t/f/1/0/yes/no); `None` when it does not parse. BYTES are the UTF-8 bytes.
pub(super) fn parse_text(s: &str, ty: AttrType) -> Option<Value> {
    Some(match ty {
        AttrType::Int => Value::Int(s.trim().parse().ok()?),
        AttrType::Long => Value::Long(s.trim().parse().ok()?),
        AttrType::Float => Value::Float(s.trim().parse().ok()?),
        AttrType::Double => Value::Double(s.trim().parse().ok()?),
        AttrType::Bool => {
            let t = s.trim();
            let is = |words: &[&str]| words.iter().any(|w| t.eq_ignore_ascii_case(w));
            if is(&["true", "t", "1", "yes"]) {
                Value::Bool(true)
            } else if is(&["false", "f", "0", "no"]) {
                Value::Bool(false)
            } else {
                return None;
            }
        }
        AttrType::String => Value::String(Arc::from(s)),
        AttrType::Bytes => Value::Bytes(Bytes::copy_from_slice(s.as_bytes())),
    })
}

/// `"abc"` for error messages: quoted, escaped, cut after 40 characters.
pub(super) fn quote_for_error(s: &str) -> String {
    const MAX: usize = 40;
    match s.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{:?}...", &s[..cut]),
        None => format!("{s:?}"),
    }
}

fn trim_eol(s: &str) -> &str {
    s.trim_end_matches(['\r', '\n'])
}

fn utf8(payload: &[u8]) -> Result<&str, String> {
    std::str::from_utf8(payload).map_err(|e| format!("payload is not valid UTF-8: {e}"))
}

/// Whole payload into the stream's only attribute.
struct WholeSource {
    bytes: bool,
}

impl WholeSource {
    fn new(config: &MapperConfig, schema: &Schema) -> Result<Self, ConfigError> {
        if !config.attributes.is_empty() {
            return Err(ConfigError(
                "text mapper: @attributes selects regex capture groups; add parameter 'regex'"
                    .into(),
            ));
        }
        match schema.attrs() {
            [a] if matches!(a.ty, AttrType::String | AttrType::Bytes) => Ok(WholeSource {
                bytes: a.ty == AttrType::Bytes,
            }),
            _ => Err(ConfigError(format!(
                "text mapper without parameter 'regex' puts the whole payload into a single \
                 STRING or BYTES attribute, but stream {schema} has {}; add regex='...' with one \
                 capture group per attribute",
                if schema.len() == 1 {
                    "no such attribute"
                } else {
                    "more than one attribute"
                }
            ))),
        }
    }
}

impl SourceMapper for WholeSource {
    fn decode(&mut self, payload: &Bytes, out: &mut Vec<Arc<[Value]>>) -> Result<(), String> {
        let value = if self.bytes {
            let end = payload
                .iter()
                .rposition(|b| !matches!(b, b'\r' | b'\n'))
                .map_or(0, |i| i + 1);
            Value::Bytes(payload.slice(..end))
        } else {
            Value::String(Arc::from(trim_eol(utf8(payload)?)))
        };
        out.push(Arc::from([value]));
        Ok(())
    }
}

/// One attribute's source: a capture group.
struct Group {
    group: usize,
    name: Box<str>,
    ty: AttrType,
}

struct RegexSource {
    regex: Regex,
    locs: CaptureLocations,
    /// Per attribute, in schema order; `None` = not mapped (NULL).
    groups: Box<[Option<Group>]>,
    scratch: Vec<Value>,
}

impl RegexSource {
    fn new(pattern: &str, config: &MapperConfig, schema: &Schema) -> Result<Self, ConfigError> {
        let regex = Regex::new(pattern)
            .map_err(|e| ConfigError(format!("parameter 'regex' is not a valid regex: {e}")))?;
        let ngroups = regex.captures_len() - 1;
        let group_names: Vec<&str> = regex.capture_names().flatten().collect();
        let named = |name: &str| {
            regex
                .capture_names()
                .position(|n| n == Some(name))
                .filter(|_| !name.is_empty())
        };
        let mut groups: Vec<Option<Group>> = schema.attrs().iter().map(|_| None).collect();
        let group = |i: usize, g: usize| Group {
            group: g,
            name: schema.attrs()[i].name.as_str().into(),
            ty: schema.attrs()[i].ty,
        };
        if config.attributes.is_empty() {
            let by_name: Option<Vec<usize>> = schema.names().map(named).collect();
            if let Some(by_name) = by_name {
                // Every attribute has a group of its own name.
                for (i, g) in by_name.into_iter().enumerate() {
                    groups[i] = Some(group(i, g));
                }
            } else if ngroups < schema.len() {
                return Err(ConfigError(format!(
                    "parameter 'regex' has {ngroups} capture group(s) but stream {schema} has {} \
                     attributes; add groups, or map attributes to groups with \
                     @attributes(attr='1')",
                    schema.len()
                )));
            } else {
                for (i, slot) in groups.iter_mut().enumerate() {
                    *slot = Some(group(i, i + 1));
                }
            }
        } else {
            for (attr, sel) in &config.attributes {
                let i = resolve_attr(schema, attr)?;
                let sel = sel.trim();
                let g = if let Ok(g) = sel.parse::<usize>() {
                    if g > ngroups {
                        return Err(ConfigError(format!(
                            "@attributes({attr}='{sel}'): parameter 'regex' has only {ngroups} \
                             capture group(s)"
                        )));
                    }
                    g
                } else {
                    named(sel).ok_or_else(|| {
                        ConfigError(format!(
                            "@attributes({attr}='{sel}'): parameter 'regex' has no group named \
                             '{sel}'{}; give a group number or a name of (?P<name>...)",
                            did_you_mean(sel, group_names.iter().copied())
                        ))
                    })?
                };
                groups[i] = Some(group(i, g));
            }
        }
        Ok(RegexSource {
            locs: regex.capture_locations(),
            regex,
            groups: groups.into(),
            scratch: Vec::with_capacity(schema.len()),
        })
    }
}

impl SourceMapper for RegexSource {
    fn decode(&mut self, payload: &Bytes, out: &mut Vec<Arc<[Value]>>) -> Result<(), String> {
        let text = trim_eol(utf8(payload)?);
        if self.regex.captures_read(&mut self.locs, text).is_none() {
            return Err(format!(
                "payload does not match regex '{}'",
                self.regex.as_str()
            ));
        }
        self.scratch.clear();
        for g in self.groups.iter() {
            let v = match g {
                None => Value::Null,
                Some(g) => match self.locs.get(g.group) {
                    None => Value::Null,
                    Some((s, e)) => {
                        let field = &text[s..e];
                        match g.ty {
                            AttrType::Bytes => Value::Bytes(payload.slice(s..e)),
                            AttrType::String => Value::String(Arc::from(field)),
                            _ if field.trim().is_empty() => Value::Null,
                            ty => match parse_text(field, ty) {
                                Some(v) => v,
                                None => {
                                    self.scratch.clear();
                                    return Err(format!(
                                        "attribute '{}': expected {ty}, got {}",
                                        g.name,
                                        quote_for_error(field)
                                    ));
                                }
                            },
                        }
                    }
                },
            };
            self.scratch.push(v);
        }
        out.push(self.scratch.drain(..).collect());
        Ok(())
    }
}

enum Piece {
    Lit(Box<[u8]>),
    Attr(usize),
}

fn parse_template(t: &str, schema: &Schema) -> Result<Vec<Piece>, ConfigError> {
    let mut pieces = Vec::new();
    let mut rest = t;
    while let Some(open) = rest.find("{{") {
        let Some(close) = rest[open + 2..].find("}}") else {
            return Err(ConfigError(format!(
                "parameter 'template': '{{{{' at offset {} is never closed with '}}}}'",
                t.len() - rest.len() + open
            )));
        };
        if open > 0 {
            pieces.push(Piece::Lit(rest.as_bytes()[..open].into()));
        }
        let name = rest[open + 2..open + 2 + close].trim();
        let i = schema.index_of(name).ok_or_else(|| {
            ConfigError(format!(
                "parameter 'template': stream '{}' has no attribute '{name}'{}; attributes: {}",
                schema.name(),
                did_you_mean(name, schema.names()),
                schema.names().collect::<Vec<_>>().join(", ")
            ))
        })?;
        pieces.push(Piece::Attr(i));
        rest = &rest[open + 2 + close + 2..];
    }
    if !rest.is_empty() {
        pieces.push(Piece::Lit(rest.as_bytes().into()));
    }
    Ok(pieces)
}

fn default_template(schema: &Schema) -> Vec<Piece> {
    let mut pieces = Vec::with_capacity(schema.len() * 2);
    for (i, name) in schema.names().enumerate() {
        let sep = if i == 0 { "" } else { ", " };
        pieces.push(Piece::Lit(format!("{sep}{name}=").into_bytes().into()));
        pieces.push(Piece::Attr(i));
    }
    pieces
}

struct TextSink {
    pieces: Vec<Piece>,
}

impl SinkMapper for TextSink {
    fn encode(&mut self, event: &Event, out: &mut Vec<u8>) -> Result<(), String> {
        for p in &self.pieces {
            match p {
                Piece::Lit(b) => out.extend_from_slice(b),
                Piece::Attr(i) => match event.get(*i) {
                    Value::String(s) => out.extend_from_slice(s.as_bytes()),
                    v => write!(out, "{v}").map_err(|e| e.to_string())?,
                },
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(params: &[(&str, &str)], attrs: &[(&str, &str)]) -> MapperConfig {
        MapperConfig {
            kind: "text".into(),
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

    fn decode(m: &mut Box<dyn SourceMapper>, payload: &str) -> Result<Vec<Vec<Value>>, String> {
        let mut out = Vec::new();
        m.decode(&Bytes::copy_from_slice(payload.as_bytes()), &mut out)?;
        Ok(out.iter().map(|r| r.to_vec()).collect())
    }

    fn encode(m: &mut Box<dyn SinkMapper>, values: Vec<Value>) -> String {
        let mut out = Vec::new();
        m.encode(&Event::new(0, values), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn err<T>(r: Result<T, ConfigError>) -> String {
        match r {
            Ok(_) => panic!("expected a config error"),
            Err(e) => e.0,
        }
    }

    #[test]
    fn regex_groups_in_attribute_order() {
        let c = cfg(&[("regex", r"^(\w+) ([0-9.]+) (\d+)$")], &[]);
        let mut m = TextMapperFactory.source_mapper(&c, &stock()).unwrap();
        assert_eq!(
            decode(&mut m, "IBM 700.5 100\r\n").unwrap(),
            vec![vec![
                Value::from("IBM"),
                Value::Double(700.5),
                Value::Long(100)
            ]]
        );
        assert_eq!(
            decode(&mut m, "nope").unwrap_err(),
            r"payload does not match regex '^(\w+) ([0-9.]+) (\d+)$'"
        );
    }

    #[test]
    fn regex_indexed_and_named_groups() {
        let c = cfg(
            &[("regex", r"(?P<sym>\w+)=(\S+) vol (\d+)?")],
            &[("price", "2"), ("symbol", "sym"), ("volume", "3")],
        );
        let mut m = TextMapperFactory.source_mapper(&c, &stock()).unwrap();
        assert_eq!(
            decode(&mut m, "WSO2=55.5 vol ").unwrap(),
            vec![vec![Value::from("WSO2"), Value::Double(55.5), Value::Null]]
        );
        assert_eq!(
            decode(&mut m, "WSO2=abc vol 1").unwrap_err(),
            "attribute 'price': expected DOUBLE, got \"abc\""
        );
    }

    #[test]
    fn regex_groups_named_after_attributes() {
        let c = cfg(
            &[(
                "regex",
                r"(?P<volume>\d+) of (?P<symbol>\w+) at (?P<price>[0-9.]+)",
            )],
            &[],
        );
        let mut m = TextMapperFactory.source_mapper(&c, &stock()).unwrap();
        assert_eq!(
            decode(&mut m, "10 of IBM at 1.5").unwrap(),
            vec![vec![
                Value::from("IBM"),
                Value::Double(1.5),
                Value::Long(10)
            ]]
        );
    }

    #[test]
    fn regex_bytes_group_is_a_slice_of_the_payload() {
        let s = Schema::of("S", &[("k", AttrType::String), ("v", AttrType::Bytes)]);
        let c = cfg(&[("regex", r"^(\w+):(.*)$")], &[]);
        let mut m = TextMapperFactory.source_mapper(&c, &s).unwrap();
        let payload = Bytes::from_static(b"key:some value\n");
        let mut out = Vec::new();
        m.decode(&payload, &mut out).unwrap();
        let b = out[0][1].as_bytes().unwrap();
        assert_eq!(&b[..], b"some value");
        assert_eq!(b.as_ptr(), payload[4..].as_ptr());
    }

    #[test]
    fn every_type_converts_from_text() {
        let s = Schema::of(
            "S",
            &[
                ("i", AttrType::Int),
                ("l", AttrType::Long),
                ("f", AttrType::Float),
                ("d", AttrType::Double),
                ("b", AttrType::Bool),
            ],
        );
        let c = cfg(&[("regex", r"(\S*) (\S*) (\S*) (\S*) (\S*)")], &[]);
        let mut m = TextMapperFactory.source_mapper(&c, &s).unwrap();
        assert_eq!(
            decode(&mut m, "1 -2 1.5 2.25 yes").unwrap(),
            vec![vec![
                Value::Int(1),
                Value::Long(-2),
                Value::Float(1.5),
                Value::Double(2.25),
                Value::Bool(true)
            ]]
        );
        assert_eq!(
            decode(&mut m, "    false").unwrap(),
            vec![vec![
                Value::Null,
                Value::Null,
                Value::Null,
                Value::Null,
                Value::Bool(false)
            ]]
        );
        assert_eq!(
            decode(&mut m, "3000000000 1 1 1 true").unwrap_err(),
            "attribute 'i': expected INT, got \"3000000000\""
        );
        assert_eq!(
            decode(&mut m, "1 1 1 1 maybe").unwrap_err(),
            "attribute 'b': expected BOOL, got \"maybe\""
        );
    }

    #[test]
    fn whole_payload_without_regex() {
        let s = Schema::of("Lines", &[("line", AttrType::String)]);
        let mut m = TextMapperFactory.source_mapper(&cfg(&[], &[]), &s).unwrap();
        assert_eq!(
            decode(&mut m, "hello world\r\n").unwrap(),
            vec![vec![Value::from("hello world")]]
        );
        let s = Schema::of("Raw", &[("raw", AttrType::Bytes)]);
        let mut m = TextMapperFactory.source_mapper(&cfg(&[], &[]), &s).unwrap();
        let payload = Bytes::from_static(b"\xff\x02\r\n");
        let mut out = Vec::new();
        m.decode(&payload, &mut out).unwrap();
        let b = out[0][0].as_bytes().unwrap();
        assert_eq!(&b[..], b"\xff\x02");
        assert_eq!(b.as_ptr(), payload.as_ptr());
        let s = Schema::of("Lines", &[("line", AttrType::String)]);
        let mut m = TextMapperFactory.source_mapper(&cfg(&[], &[]), &s).unwrap();
        let e = m.decode(&payload, &mut out).unwrap_err();
        assert!(e.starts_with("payload is not valid UTF-8"), "{e}");
    }

    #[test]
    fn config_errors() {
        let e = err(TextMapperFactory.source_mapper(&cfg(&[], &[]), &stock()));
        assert!(e.contains("add regex="), "{e}");
        let e = err(TextMapperFactory.source_mapper(&cfg(&[("regex", "(a")], &[]), &stock()));
        assert!(
            e.starts_with("parameter 'regex' is not a valid regex"),
            "{e}"
        );
        let e = err(TextMapperFactory.source_mapper(&cfg(&[("regex", "(a)(b)")], &[]), &stock()));
        assert!(e.contains("has 2 capture group(s)"), "{e}");
        let e = err(TextMapperFactory.source_mapper(
            &cfg(&[("regex", "(?P<sym>a)")], &[("symbol", "sim")]),
            &stock(),
        ));
        assert!(
            e.contains("no group named 'sim' (did you mean 'sym'?)"),
            "{e}"
        );
        let e = err(TextMapperFactory
            .source_mapper(&cfg(&[("regex", "(a)")], &[("symbol", "2")]), &stock()));
        assert!(e.contains("only 1 capture group"), "{e}");
        let e =
            err(TextMapperFactory
                .source_mapper(&cfg(&[("regex", "(a)")], &[("prise", "1")]), &stock()));
        assert!(
            e.contains("no attribute 'prise' (did you mean 'price'?)"),
            "{e}"
        );
        let e = err(TextMapperFactory
            .sink_mapper(&cfg(&[("template", "{{symbol}} {{prize}}")], &[]), &stock()));
        assert!(
            e.starts_with("parameter 'template': stream 'Stock' has no attribute 'prize' (did you mean 'price'?)"),
            "{e}"
        );
        let e =
            err(TextMapperFactory.sink_mapper(&cfg(&[("template", "a {{symbol")], &[]), &stock()));
        assert!(e.contains("never closed"), "{e}");
    }

    #[test]
    fn sink_default_rendering_and_template() {
        let row = || vec![Value::from("IBM"), Value::Double(700.0), Value::Long(100)];
        let mut m = TextMapperFactory
            .sink_mapper(&cfg(&[], &[]), &stock())
            .unwrap();
        assert_eq!(encode(&mut m, row()), "symbol=IBM, price=700.0, volume=100");
        assert_eq!(
            encode(&mut m, vec![Value::Null, Value::Null, Value::Null]),
            "symbol=null, price=null, volume=null"
        );
        let c = cfg(
            &[(
                "template",
                "{{ symbol }} @ {{price}} ({{volume}}) {{symbol}}!",
            )],
            &[],
        );
        let mut m = TextMapperFactory.sink_mapper(&c, &stock()).unwrap();
        assert_eq!(encode(&mut m, row()), "IBM @ 700.0 (100) IBM!");
    }

    #[test]
    fn text_round_trip() {
        let c = cfg(
            &[
                ("template", "{{symbol}}|{{price}}|{{volume}}"),
                ("regex", r"^([^|]*)\|([^|]*)\|([^|]*)$"),
            ],
            &[],
        );
        let row = vec![Value::from("A B"), Value::Double(0.1), Value::Long(-7)];
        let mut sink = TextMapperFactory.sink_mapper(&c, &stock()).unwrap();
        let mut source = TextMapperFactory.source_mapper(&c, &stock()).unwrap();
        let text = encode(&mut sink, row.clone());
        assert_eq!(decode(&mut source, &text).unwrap(), vec![row]);
    }
}

//! The `http` sink's URL with `{{attr}}` placeholders, filled (percent-encoded) per event.

use crate::connector::config::ConfigError;
use crate::event::Event;
use crate::schema::Schema;
use crate::value::Value;

/// A URL with `{{attr}}` placeholders.
#[derive(Debug)]
pub(super) struct UrlTemplate {
    parts: Vec<UrlPart>,
}

#[derive(Debug)]
enum UrlPart {
    Text(String),
    Attr(usize),
}

impl UrlTemplate {
    pub(super) fn parse(url: &str, schema: &Schema) -> Result<UrlTemplate, ConfigError> {
        let mut parts = Vec::new();
        let mut rest = url;
        while let Some(open) = rest.find("{{") {
            let close = rest[open..].find("}}").ok_or_else(|| {
                ConfigError(format!(
                    "parameter 'url': '{{{{' at {} is never closed with '}}}}'",
                    url.len() - rest.len() + open
                ))
            })? + open;
            parts.push(UrlPart::Text(rest[..open].to_string()));
            let name = rest[open + 2..close].trim();
            let index = schema.index_of(name).ok_or_else(|| {
                ConfigError(format!(
                    "parameter 'url': placeholder {{{{{name}}}}} names no attribute of the stream{}",
                    crate::suggest::did_you_mean(name, schema.names())
                ))
            })?;
            parts.push(UrlPart::Attr(index));
            rest = &rest[close + 2..];
        }
        parts.push(UrlPart::Text(rest.to_string()));
        Ok(UrlTemplate { parts })
    }

    pub(super) fn is_fixed(&self) -> bool {
        self.parts.len() == 1
    }

    pub(super) fn render(&self, event: &Event) -> String {
        let mut url = String::new();
        for part in &self.parts {
            match part {
                UrlPart::Text(t) => url.push_str(t),
                UrlPart::Attr(i) => match event.get(*i) {
                    Value::Null => {}
                    v => percent_encode(&v.to_string(), &mut url),
                },
            }
        }
        url
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn percent_encode(text: &str, out: &mut String) {
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::AttrType;

    fn schema() -> Schema {
        Schema::of(
            "S",
            &[("symbol", AttrType::String), ("price", AttrType::Double)],
        )
    }

    #[test]
    fn url_placeholders_are_filled_and_encoded() {
        let t = UrlTemplate::parse("http://h/a/{{symbol}}?p={{ price }}", &schema()).unwrap();
        let e = Event::new(0, vec![Value::from("A B/C"), Value::Double(1.5)]);
        assert_eq!(t.render(&e), "http://h/a/A%20B%2FC?p=1.5");
        let err = UrlTemplate::parse("http://h/{{symbl}}", &schema()).unwrap_err();
        assert!(err.0.contains("did you mean 'symbol'"), "{}", err.0);
        assert!(UrlTemplate::parse("http://h/{{symbol", &schema()).is_err());
    }
}

//! Parameter metadata: the single source of truth for validation, `eventflux connectors` and
//! the generated docs. Built-in connectors render it from their typed parameters
//! (`connector::param`).

use std::borrow::Cow;

/// One parameter a connector or mapper accepts.
#[derive(Debug, Clone)]
pub struct ParamSpec {
    /// Dotted name. A segment written `<name>` matches any one or more segments, so
    /// `headers.<Name>` accepts `headers.Authorization`.
    pub name: &'static str,
    pub required: bool,
    /// What an absent optional parameter is filled with; `None` when it stays absent.
    pub default: Option<Cow<'static, str>>,
    pub description: &'static str,
    pub example: &'static str,
}

impl ParamSpec {
    pub const fn required(
        name: &'static str,
        description: &'static str,
        example: &'static str,
    ) -> Self {
        ParamSpec {
            name,
            required: true,
            default: None,
            description,
            example,
        }
    }

    pub const fn optional(
        name: &'static str,
        default: Option<&'static str>,
        description: &'static str,
        example: &'static str,
    ) -> Self {
        ParamSpec {
            name,
            required: false,
            default: match default {
                Some(d) => Some(Cow::Borrowed(d)),
                None => None,
            },
            description,
            example,
        }
    }

    /// Whether `key` is this parameter (exactly, or through a `<placeholder>` segment).
    pub fn matches(&self, key: &str) -> bool {
        if !self.name.contains('<') {
            return self.name == key;
        }
        let pattern: Vec<&str> = self.name.split('.').collect();
        let key: Vec<&str> = key.split('.').collect();
        match_segments(&pattern, &key)
    }

    pub fn is_template(&self) -> bool {
        self.name.contains('<')
    }
}

fn match_segments(pattern: &[&str], key: &[&str]) -> bool {
    match (pattern.first(), key.first()) {
        (None, None) => true,
        (None, _) | (_, None) => false,
        (Some(p), Some(_)) if p.starts_with('<') => {
            // A placeholder swallows one or more segments.
            (1..=key.len()).any(|n| match_segments(&pattern[1..], &key[n..]))
        }
        (Some(p), Some(k)) => p == k && match_segments(&pattern[1..], &key[1..]),
    }
}

/// What a connector or mapper is and accepts.
#[derive(Debug, Clone)]
pub struct ConnectorSpec {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub description: &'static str,
    pub params: Vec<ParamSpec>,
    /// Mappers this connector accepts (`@map(type=...)` / `format=`); empty = takes no mapper.
    pub formats: &'static [&'static str],
    /// The mapper used when the app names none.
    pub default_format: Option<&'static str>,
    /// A complete annotation, shown in docs and `eventflux connectors NAME`.
    pub example: &'static str,
}

impl ConnectorSpec {
    pub fn param(&self, key: &str) -> Option<&ParamSpec> {
        self.params
            .iter()
            .find(|p| !p.is_template() && p.name == key)
            .or_else(|| self.params.iter().find(|p| p.matches(key)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholder_segments_match_one_or_more() {
        let p = ParamSpec::optional("fields.<attr>.kind", None, "", "");
        assert!(p.matches("fields.price.kind"));
        assert!(!p.matches("fields.kind"));
        assert!(!p.matches("fields.price.min"));
        let h = ParamSpec::optional("headers.<Name>", None, "", "");
        assert!(h.matches("headers.X-Api.Key"));
        assert!(!h.matches("header.X"));
    }
}

//! A connector binding as the app wrote it: type, parameters, mapper.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// `@map(type='json', key='v', @attributes(a='$.x'))`, or `format='json'` in `WITH`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MapperConfig {
    pub kind: String,
    pub params: BTreeMap<String, String>,
    /// `@attributes(...)`: (attribute name, selector). Positional selectors
    /// (`@attributes('$.a', '$.b')`) are named by the stream's attributes in order.
    pub attributes: Vec<(String, String)>,
}

impl MapperConfig {
    /// `@map(type='kind')` with nothing else: the mapper's declared defaults filled in (as
    /// the registry does for a connector's default format).
    pub fn with_defaults(kind: &str, spec: &crate::connector::spec::ConnectorSpec) -> MapperConfig {
        let mut map = MapperConfig {
            kind: kind.to_string(),
            ..Default::default()
        };
        for p in &spec.params {
            if let (false, Some(d)) = (p.is_template(), &p.default) {
                map.params.insert(p.name.to_string(), d.to_string());
            }
        }
        map
    }
}

/// One `@source`/`@sink` (or `WITH`) binding, `${VAR}` already substituted and the declared
/// defaults filled in by the registry.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConnectorConfig {
    pub kind: String,
    /// The stream this connector is bound to.
    pub stream: String,
    pub params: BTreeMap<String, String>,
    pub map: Option<MapperConfig>,
    /// The streams named by the parameters the source's factory lists in
    /// [`SourceFactory::side_streams`](crate::connector::SourceFactory::side_streams), by
    /// parameter name, resolved by the compiler; the source emits into them besides its own.
    pub side_schemas: BTreeMap<String, crate::schema::Schema>,
    /// Values never to show: secret-named parameters' values, and what `${ENV}` substituted
    /// into them or from a secret-named variable (see [`crate::redact`]).
    pub secrets: Vec<String>,
}

/// A configuration problem, naming the parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

impl ConfigError {
    /// `missing required parameter 'key'`.
    pub fn missing(key: &str) -> Self {
        ConfigError(format!("missing required parameter '{key}'"))
    }

    /// The value does not parse as `what` (`non-negative integer`, `number`, ...).
    pub fn not_a(key: &str, value: &str, what: &str) -> Self {
        ConfigError(format!(
            "parameter '{key}' has value '{value}', which is not a valid {what}"
        ))
    }

    /// The value is none of those `expected` describes (`'true' or 'false'`, `none or lz4`).
    pub fn expected(key: &str, value: &str, expected: &str) -> Self {
        ConfigError(format!(
            "parameter '{key}' has value '{value}': expected {expected}"
        ))
    }
}

/// Typed access to string parameters, with errors that name the key and the bad value.
pub trait Params {
    fn raw(&self, key: &str) -> Option<&str>;

    fn get(&self, key: &str) -> Option<&str> {
        self.raw(key)
    }

    fn require(&self, key: &str) -> Result<&str, ConfigError> {
        self.raw(key).ok_or_else(|| ConfigError::missing(key))
    }

    fn parse<T: FromStr>(&self, key: &str) -> Result<Option<T>, ConfigError> {
        match self.raw(key) {
            None => Ok(None),
            Some(v) => v
                .trim()
                .parse::<T>()
                .map(Some)
                .map_err(|_| ConfigError::not_a(key, v, short_type_name::<T>())),
        }
    }

    fn parse_or<T: FromStr>(&self, key: &str, default: T) -> Result<T, ConfigError> {
        Ok(self.parse(key)?.unwrap_or(default))
    }

    fn bool_or(&self, key: &str, default: bool) -> Result<bool, ConfigError> {
        match self.raw(key).map(|v| v.trim().to_ascii_lowercase()) {
            None => Ok(default),
            Some(v) if v == "true" => Ok(true),
            Some(v) if v == "false" => Ok(false),
            Some(v) => Err(ConfigError::expected(key, &v, "'true' or 'false'")),
        }
    }
}

fn short_type_name<T>() -> &'static str {
    let full = std::any::type_name::<T>();
    match full {
        "u8" | "u16" | "u32" | "u64" | "usize" => "non-negative integer",
        "i8" | "i16" | "i32" | "i64" | "isize" => "integer",
        "f32" | "f64" => "number",
        "bool" => "boolean (true/false)",
        other => other.rsplit("::").next().unwrap_or(other),
    }
}

impl Params for BTreeMap<String, String> {
    fn raw(&self, key: &str) -> Option<&str> {
        BTreeMap::get(self, key).map(String::as_str)
    }
}

impl Params for ConnectorConfig {
    fn raw(&self, key: &str) -> Option<&str> {
        self.params.get(key).map(String::as_str)
    }
}

impl Params for MapperConfig {
    fn raw(&self, key: &str) -> Option<&str> {
        self.params.get(key).map(String::as_str)
    }
}

impl ConnectorConfig {
    /// Parameters under `prefix.` as (rest of key, value), e.g. `headers.` -> ("Authorization", ..).
    pub fn with_prefix<'a>(
        &'a self,
        prefix: &'a str,
    ) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        self.params.iter().filter_map(move |(k, v)| {
            k.strip_prefix(prefix)
                .and_then(|rest| rest.strip_prefix('.'))
                .map(|rest| (rest, v.as_str()))
        })
    }
}

/// A URL as logs may show it: credentials replaced by `***`.
pub fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_string();
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{}***{}", &url[..scheme_end + 3], &rest[at..]),
        None => url.to_string(),
    }
}

/// Whether a parameter holds a secret (password, token, key), by its name.
pub fn is_secret(key: &str) -> bool {
    crate::redact::is_secret_name(key)
}

impl ConnectorConfig {
    /// The parameters as an API may show them: secrets as `***`, credentials cut from URLs.
    pub fn masked_params(&self) -> BTreeMap<String, String> {
        self.params
            .iter()
            .map(|(k, v)| {
                let header_secret = k.contains("header") && is_secret(v);
                let shown = if is_secret(k) || header_secret {
                    "***".to_string()
                } else {
                    crate::redact::scrub(&redact_url(v)).into_owned()
                };
                (k.clone(), shown)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_masked_by_name_and_in_urls() {
        let mut c = ConnectorConfig::default();
        for (k, v) in [
            ("clickhouse.password", "hunter2"),
            ("http.headers", "Authorization: Bearer abc"),
            ("websocket.url", "wss://u:p@host/x"),
            ("file.path", "/data/out.jsonl"),
        ] {
            c.params.insert(k.into(), v.into());
        }
        let m = c.masked_params();
        assert_eq!(m["clickhouse.password"], "***");
        assert_eq!(m["http.headers"], "***");
        assert_eq!(m["websocket.url"], "wss://***@host/x");
        assert_eq!(m["file.path"], "/data/out.jsonl");
    }
}

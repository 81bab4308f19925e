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

/// One `@source`/`@sink` (or `WITH`) binding, `${VAR}` already substituted and the declared
/// defaults filled in by the registry.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConnectorConfig {
    pub kind: String,
    /// The stream this connector is bound to.
    pub stream: String,
    pub params: BTreeMap<String, String>,
    pub map: Option<MapperConfig>,
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

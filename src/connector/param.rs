//! Typed connector parameters. Each parameter is one constant holding its name, default,
//! description and example; the same constant renders its [`ParamSpec`] (validation, docs,
//! `eventflux connectors`) and reads its value from a binding, so the two cannot disagree.
//!
//! ```
//! use eventflux::connector::param::{Param, Required};
//! use eventflux::connector::ConnectorConfig;
//!
//! const DELAY_MS: Param<u64> = Param::optional("delay.ms", 1000, "Wait before a retry.", "500");
//! const URL: Param<Required<String>> = Param::required("url", "Where to connect.", "ws://h:1");
//!
//! let config = ConnectorConfig::default();
//! assert_eq!(DELAY_MS.read(&config).unwrap(), 1000);
//! assert_eq!(DELAY_MS.spec().default.as_deref(), Some("1000"));
//! assert_eq!(URL.read(&config).unwrap_err().0, "missing required parameter 'url'");
//! ```
//!
//! What `T` in `Param<T>` can be, and what [`Param::read`] then returns:
//! - a number, `bool` or [`Duration`] (milliseconds in the binding): that type, the default
//!   when absent;
//! - `&'static str`: a `String`, the default when absent;
//! - `Option<T>`: `Option<T>`, absent meaning `None` (no default shown);
//! - [`Required<T>`]: `T`, absent being an error;
//! - [`Choice<E>`]: one of a fixed list of named values, an unknown name listing them.
//!
//! A name with a `<placeholder>` segment (`headers.<Name>`) is a template: it matches many keys,
//! read through [`Param::entries`] or [`Param::read_at`].

use crate::connector::config::{ConfigError, ConnectorConfig, Params};
use crate::connector::spec::ParamSpec;
use std::borrow::Cow;
use std::marker::PhantomData;
use std::time::Duration;

/// Where listeners bind unless told otherwise: this machine only. Exposing a port to the
/// network is a decision (`host='0.0.0.0'`), not a default.
pub const LOOPBACK: &str = "127.0.0.1";

/// `host` of every listening connector.
pub const LISTEN_HOST: Param<&'static str> = Param::optional(
    "host",
    LOOPBACK,
    "Address to listen on: 127.0.0.1 (the default) accepts this machine only; 0.0.0.0 every \
     interface.",
    "0.0.0.0",
);

/// One parameter a connector or mapper accepts.
#[derive(Debug, Clone, Copy)]
pub struct Param<T> {
    name: &'static str,
    default: T,
    description: &'static str,
    example: &'static str,
}

/// The value type of a required parameter: there is no default.
pub struct Required<T>(PhantomData<T>);

impl<T> Clone for Required<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Required<T> {}

impl<T> std::fmt::Debug for Required<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Required")
    }
}

/// One of a fixed list of named values, such as `none|gzip|deflate`.
#[derive(Debug, Clone, Copy)]
pub struct Choice<E: 'static> {
    options: &'static [(&'static str, E)],
    default: E,
}

impl<T> Param<T> {
    /// A parameter that may be left out; `default` is what it then reads as.
    pub const fn optional(
        name: &'static str,
        default: T,
        description: &'static str,
        example: &'static str,
    ) -> Self {
        Param {
            name,
            default,
            description,
            example,
        }
    }

    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// What the parameter reads as when it is left out.
    pub const fn default(&self) -> &T {
        &self.default
    }

    /// Whether the name has a `<placeholder>` segment.
    pub fn is_template(&self) -> bool {
        self.name.contains('<')
    }

    /// The fixed part of a template's name before its first placeholder, without the dot:
    /// `headers` for `headers.<Name>`.
    pub fn prefix(&self) -> &'static str {
        match self.name.find(".<") {
            Some(at) => &self.name[..at],
            None => self.name,
        }
    }

    /// The keys a template covers, as (the part after [`Param::prefix`] and its dot, value):
    /// `headers.Authorization` gives ("Authorization", ..).
    pub fn entries<'a>(
        &self,
        config: &'a ConnectorConfig,
    ) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        config.with_prefix(self.prefix())
    }
}

impl<T> Param<Required<T>> {
    /// A parameter every binding must set.
    pub const fn required(
        name: &'static str,
        description: &'static str,
        example: &'static str,
    ) -> Self {
        Param {
            name,
            default: Required(PhantomData),
            description,
            example,
        }
    }
}

impl Param<Option<String>> {
    /// The text as written, borrowed; `None` when absent. Never fails.
    pub fn get<'a, P: Params + ?Sized>(&self, config: &'a P) -> Option<&'a str> {
        config.raw(self.name)
    }
}

impl Param<&'static str> {
    /// The text as written, or the default. Never fails.
    pub fn get<'a, P: Params + ?Sized>(&self, config: &'a P) -> &'a str {
        config.raw(self.name).unwrap_or(self.default)
    }
}

impl<E: Copy + PartialEq + 'static> Param<Choice<E>> {
    /// A parameter taking one of `options` by name (matched exactly); `default` must be one
    /// of them.
    pub const fn choice(
        name: &'static str,
        options: &'static [(&'static str, E)],
        default: E,
        description: &'static str,
        example: &'static str,
    ) -> Self {
        Param {
            name,
            default: Choice { options, default },
            description,
            example,
        }
    }

    /// The accepted names, in order.
    pub fn names(&self) -> impl Iterator<Item = &'static str> {
        self.default.options.iter().map(|(n, _)| *n)
    }
}

impl<T: ParamValue> Param<T> {
    /// The metadata the registry validates against and the docs show.
    pub fn spec(&self) -> ParamSpec {
        ParamSpec {
            name: self.name,
            required: T::REQUIRED,
            default: self.default.shown(),
            description: self.description,
            example: self.example,
        }
    }

    /// The value in `config`: parsed, or the default when absent. Errors name the key and the
    /// bad value.
    pub fn read<P: Params + ?Sized>(&self, config: &P) -> Result<T::Out, ConfigError> {
        debug_assert!(!self.is_template(), "read a template with read_at");
        self.read_at(config, self.name)
    }

    /// The value under `key`, one concrete key of a template (`fields.price.length` for
    /// `fields.<attr>.length`), with this parameter's type and default.
    pub fn read_at<P: Params + ?Sized>(
        &self,
        config: &P,
        key: &str,
    ) -> Result<T::Out, ConfigError> {
        self.default.read(key, config.raw(key))
    }
}

/// How a parameter's value is read and its default shown: implemented by the `T` of
/// [`Param<T>`], which holds the default.
pub trait ParamValue {
    /// What [`Param::read`] returns.
    type Out;
    /// Whether a binding must set the parameter.
    const REQUIRED: bool = false;
    /// The value of `key` from its text in the binding (`None` when absent).
    fn read(&self, key: &str, raw: Option<&str>) -> Result<Self::Out, ConfigError>;
    /// The default as the docs show it; `None` when there is none.
    fn shown(&self) -> Option<Cow<'static, str>>;
}

/// A value parsed from one parameter's text.
pub trait Scalar: Sized + Clone {
    fn parse(key: &str, raw: &str) -> Result<Self, ConfigError>;
    /// The value as a binding would write it.
    fn render(&self) -> String;
}

macro_rules! numbers {
    ($($t:ty => $what:literal),* $(,)?) => {$(
        impl Scalar for $t {
            fn parse(key: &str, raw: &str) -> Result<Self, ConfigError> {
                raw.trim()
                    .parse()
                    .map_err(|_| ConfigError::not_a(key, raw, $what))
            }

            fn render(&self) -> String {
                self.to_string()
            }
        }
    )*};
}

numbers! {
    u8 => "integer from 0 to 255",
    u16 => "non-negative integer",
    u32 => "non-negative integer",
    u64 => "non-negative integer",
    usize => "non-negative integer",
    i32 => "integer",
    i64 => "integer",
    f32 => "number",
    f64 => "number",
}

impl Scalar for bool {
    fn parse(key: &str, raw: &str) -> Result<Self, ConfigError> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "true" => Ok(true),
            "false" => Ok(false),
            v => Err(ConfigError::expected(key, v, "'true' or 'false'")),
        }
    }

    fn render(&self) -> String {
        self.to_string()
    }
}

/// Whole milliseconds in the binding (the parameter's name ends in `.ms`).
impl Scalar for Duration {
    fn parse(key: &str, raw: &str) -> Result<Self, ConfigError> {
        u64::parse(key, raw).map(Duration::from_millis)
    }

    fn render(&self) -> String {
        self.as_millis().to_string()
    }
}

/// The text as written.
impl Scalar for String {
    fn parse(_key: &str, raw: &str) -> Result<Self, ConfigError> {
        Ok(raw.to_string())
    }

    fn render(&self) -> String {
        self.clone()
    }
}

impl<T: Scalar> ParamValue for T {
    type Out = T;

    fn read(&self, key: &str, raw: Option<&str>) -> Result<T, ConfigError> {
        match raw {
            None => Ok(self.clone()),
            Some(v) => T::parse(key, v),
        }
    }

    fn shown(&self) -> Option<Cow<'static, str>> {
        Some(Cow::Owned(self.render()))
    }
}

/// Text with a default, read as written.
impl ParamValue for &'static str {
    type Out = String;

    fn read(&self, _key: &str, raw: Option<&str>) -> Result<String, ConfigError> {
        Ok(raw.unwrap_or(self).to_string())
    }

    fn shown(&self) -> Option<Cow<'static, str>> {
        Some(Cow::Borrowed(self))
    }
}

impl<T: Scalar> ParamValue for Option<T> {
    type Out = Option<T>;

    fn read(&self, key: &str, raw: Option<&str>) -> Result<Option<T>, ConfigError> {
        match raw {
            None => Ok(self.clone()),
            Some(v) => T::parse(key, v).map(Some),
        }
    }

    fn shown(&self) -> Option<Cow<'static, str>> {
        self.as_ref().map(|v| Cow::Owned(v.render()))
    }
}

impl<T: Scalar> ParamValue for Required<T> {
    type Out = T;
    const REQUIRED: bool = true;

    fn read(&self, key: &str, raw: Option<&str>) -> Result<T, ConfigError> {
        match raw {
            None => Err(ConfigError::missing(key)),
            Some(v) => T::parse(key, v),
        }
    }

    fn shown(&self) -> Option<Cow<'static, str>> {
        None
    }
}

impl<E: Copy + PartialEq + 'static> ParamValue for Choice<E> {
    type Out = E;

    fn read(&self, key: &str, raw: Option<&str>) -> Result<E, ConfigError> {
        let Some(raw) = raw else {
            return Ok(self.default);
        };
        match self.options.iter().find(|(name, _)| *name == raw) {
            Some((_, value)) => Ok(*value),
            None => {
                let names: Vec<&str> = self.options.iter().map(|(n, _)| *n).collect();
                Err(ConfigError::expected(key, raw, &either(&names)))
            }
        }
    }

    fn shown(&self) -> Option<Cow<'static, str>> {
        let (name, _) = self
            .options
            .iter()
            .find(|(_, v)| *v == self.default)
            .expect("a choice's default is one of its options");
        Some(Cow::Borrowed(name))
    }
}

/// `a`, `a or b`, `a, b or c`.
pub fn either(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [only] => only.to_string(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

/// Any parameter, for listing parameters of different types together.
pub trait Describe {
    fn spec(&self) -> ParamSpec;
}

impl<T: ParamValue> Describe for Param<T> {
    fn spec(&self) -> ParamSpec {
        Param::spec(self)
    }
}

/// The specs of several lists of parameters, in order: `specs(&[CLIENT, ERROR_PARAMS])`.
pub fn specs(groups: &[&[&dyn Describe]]) -> Vec<ParamSpec> {
    groups
        .iter()
        .flat_map(|group| group.iter().map(|p| p.spec()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Zip {
        None,
        Gzip,
        Deflate,
    }

    const DELAY: Param<u64> = Param::optional("delay.ms", 1000, "Wait.", "500");
    const TIMEOUT: Param<Duration> =
        Param::optional("timeout.ms", Duration::from_millis(30_000), "Limit.", "10");
    const FLAG: Param<bool> = Param::optional("flag", true, "On or off.", "false");
    const HOST: Param<&'static str> = Param::optional("host", "0.0.0.0", "Address.", "::1");
    const RATE: Param<Option<f64>> = Param::optional("rate", None, "Per second.", "2.5");
    const URL: Param<Required<String>> = Param::required("url", "Where.", "ws://h");
    const PORT: Param<Required<u16>> = Param::required("port", "Port.", "80");
    const ZIP: Param<Choice<Zip>> = Param::choice(
        "zip",
        &[
            ("none", Zip::None),
            ("gzip", Zip::Gzip),
            ("deflate", Zip::Deflate),
        ],
        Zip::None,
        "Compression.",
        "gzip",
    );
    const HEADERS: Param<Option<String>> =
        Param::optional("headers.<Name>", None, "A header.", "x");
    const LENGTH: Param<usize> = Param::optional("fields.<attr>.length", 8, "Length.", "12");

    fn config(pairs: &[(&str, &str)]) -> ConnectorConfig {
        ConnectorConfig {
            params: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn specs_render_the_typed_defaults() {
        let shown = |d: &dyn Describe| d.spec().default.map(Cow::into_owned);
        assert_eq!(shown(&DELAY).as_deref(), Some("1000"));
        assert_eq!(shown(&TIMEOUT).as_deref(), Some("30000"));
        assert_eq!(shown(&FLAG).as_deref(), Some("true"));
        assert_eq!(shown(&HOST).as_deref(), Some("0.0.0.0"));
        assert_eq!(shown(&RATE), None);
        assert_eq!(shown(&ZIP).as_deref(), Some("none"));
        assert!(URL.spec().required && !DELAY.spec().required);
        let all = specs(&[&[&DELAY, &URL], &[&ZIP]]);
        let names: Vec<&str> = all.iter().map(|p| p.name).collect();
        assert_eq!(names, ["delay.ms", "url", "zip"]);
    }

    #[test]
    fn reads_values_and_defaults() {
        let empty = config(&[]);
        assert_eq!(DELAY.read(&empty).unwrap(), 1000);
        assert_eq!(TIMEOUT.read(&empty).unwrap(), Duration::from_secs(30));
        assert_eq!(HOST.read(&empty).unwrap(), "0.0.0.0");
        assert_eq!(HOST.get(&empty), "0.0.0.0");
        assert_eq!(HEADERS.get(&empty), None);
        assert_eq!(RATE.read(&empty).unwrap(), None);
        assert_eq!(ZIP.read(&empty).unwrap(), Zip::None);
        let set = config(&[
            ("delay.ms", " 5 "),
            ("timeout.ms", "7"),
            ("flag", " FALSE"),
            ("rate", "0.5"),
            ("url", "ws://x"),
            ("zip", "deflate"),
        ]);
        assert_eq!(DELAY.read(&set).unwrap(), 5);
        assert_eq!(TIMEOUT.read(&set).unwrap(), Duration::from_millis(7));
        assert!(!FLAG.read(&set).unwrap());
        assert_eq!(RATE.read(&set).unwrap(), Some(0.5));
        assert_eq!(URL.read(&set).unwrap(), "ws://x");
        assert_eq!(ZIP.read(&set).unwrap(), Zip::Deflate);
    }

    #[test]
    fn errors_name_the_key_and_the_value() {
        let err = |p: &dyn Fn(&ConnectorConfig) -> Option<ConfigError>, pairs| {
            p(&config(pairs)).unwrap().0
        };
        assert_eq!(
            err(&|c| DELAY.read(c).err(), &[("delay.ms", "-3")]),
            "parameter 'delay.ms' has value '-3', which is not a valid non-negative integer"
        );
        assert_eq!(
            err(&|c| FLAG.read(c).err(), &[("flag", "Maybe")]),
            "parameter 'flag' has value 'maybe': expected 'true' or 'false'"
        );
        assert_eq!(
            err(&|c| PORT.read(c).err(), &[]),
            "missing required parameter 'port'"
        );
        assert_eq!(
            err(&|c| ZIP.read(c).err(), &[("zip", "zip")]),
            "parameter 'zip' has value 'zip': expected none, gzip or deflate"
        );
        assert_eq!(
            err(&|c| RATE.read(c).err(), &[("rate", "fast")]),
            "parameter 'rate' has value 'fast', which is not a valid number"
        );
    }

    #[test]
    fn templates_iterate_and_read_concrete_keys() {
        let c = config(&[
            ("headers.Authorization", "t"),
            ("headers.X-Key", "k"),
            ("fields.price.length", "3"),
        ]);
        assert!(HEADERS.is_template());
        assert_eq!(HEADERS.prefix(), "headers");
        assert_eq!(LENGTH.prefix(), "fields");
        let got: Vec<_> = HEADERS.entries(&c).collect();
        assert_eq!(got, [("Authorization", "t"), ("X-Key", "k")]);
        assert_eq!(LENGTH.read_at(&c, "fields.price.length").unwrap(), 3);
        assert_eq!(LENGTH.read_at(&c, "fields.other.length").unwrap(), 8);
        assert!(HEADERS.spec().matches("headers.Authorization"));
    }

    #[test]
    fn either_joins_names() {
        assert_eq!(either(&["a"]), "a");
        assert_eq!(either(&["a", "b"]), "a or b");
        assert_eq!(either(&["a", "b", "c"]), "a, b or c");
    }
}

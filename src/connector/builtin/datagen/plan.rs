//! The `datagen` source's parameters checked against the stream: its pacing and one
//! generator per attribute from the `fields.<attr>.*` templates.

use super::generate::Gen;
use super::{COUNT, FIELD_KIND, FIELD_LENGTH, FIELD_MAX, FIELD_MIN, FIELD_VALUES, RATE};
use crate::connector::config::{ConfigError, ConnectorConfig, Params};
use crate::schema::Schema;
use crate::suggest::did_you_mean;
use crate::value::{AttrType, Value};

/// Longest random string or byte array.
const MAX_LENGTH: usize = 1 << 20;

/// The validated configuration: pacing and one generator per attribute, in schema order.
pub(super) struct Plan {
    pub rate: Option<f64>,
    pub count: Option<u64>,
    pub gens: Vec<Gen>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Sequence,
    Random,
    OneOf,
}

/// An option of `fields.<attr>.*`: the last segment of one of the templates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Opt {
    Kind,
    Min,
    Max,
    Values,
    Length,
}

impl Opt {
    /// In the order error messages list them.
    const ALL: [Opt; 5] = [Opt::Kind, Opt::Min, Opt::Max, Opt::Values, Opt::Length];

    fn template(self) -> &'static str {
        match self {
            Opt::Kind => FIELD_KIND.name(),
            Opt::Min => FIELD_MIN.name(),
            Opt::Max => FIELD_MAX.name(),
            Opt::Values => FIELD_VALUES.name(),
            Opt::Length => FIELD_LENGTH.name(),
        }
    }

    fn name(self) -> &'static str {
        let template = self.template();
        template.rsplit('.').next().unwrap_or(template)
    }

    fn parse(name: &str) -> Option<Opt> {
        Opt::ALL.into_iter().find(|o| o.name() == name)
    }

    /// `kind, min, max, values, length`.
    fn list() -> String {
        Opt::ALL.map(Opt::name).join(", ")
    }
}

/// The `fields.<attr>.*` options given for one attribute.
#[derive(Default)]
struct FieldOptions {
    kind: Option<String>,
    min: bool,
    max: bool,
    values: Option<String>,
    length: bool,
}

impl Plan {
    pub fn from_config(config: &ConnectorConfig, schema: &Schema) -> Result<Plan, ConfigError> {
        let rate = match RATE.read(config)? {
            Some(r) if !(r.is_finite() && r > 0.0) => {
                return Err(ConfigError::expected(
                    RATE.name(),
                    config.get(RATE.name()).unwrap_or_default(),
                    "a positive number of events per second (omit it for as fast as possible)",
                ))
            }
            r => r,
        };
        let count = COUNT.read(config)?;

        let mut options: Vec<FieldOptions> =
            schema.attrs().iter().map(|_| Default::default()).collect();
        let prefix = FIELD_KIND.prefix();
        for (rest, value) in FIELD_KIND.entries(config) {
            let Some((attr, option)) = rest.rsplit_once('.') else {
                return Err(ConfigError(format!(
                    "parameter '{prefix}.{rest}': expected {prefix}.<attribute>.<option> with \
                     option one of {}",
                    Opt::list()
                )));
            };
            let key = format!("{prefix}.{rest}");
            let Some(index) = schema.index_of(attr) else {
                return Err(ConfigError(format!(
                    "parameter '{key}': stream '{}' has no attribute '{attr}'{}",
                    schema.name(),
                    did_you_mean(attr, schema.names())
                )));
            };
            let o = &mut options[index];
            match Opt::parse(option) {
                Some(Opt::Kind) => o.kind = Some(value.to_string()),
                Some(Opt::Min) => o.min = true,
                Some(Opt::Max) => o.max = true,
                Some(Opt::Values) => o.values = Some(value.to_string()),
                Some(Opt::Length) => o.length = true,
                None => {
                    return Err(ConfigError(format!(
                        "unknown parameter '{key}'{}; a field accepts {}",
                        did_you_mean(option, Opt::ALL.map(Opt::name)),
                        Opt::list()
                    )))
                }
            }
        }

        let mut gens = Vec::with_capacity(schema.len());
        for (attr, o) in schema.attrs().iter().zip(&options) {
            gens.push(field_generator(config, &attr.name, attr.ty, o)?);
        }
        Ok(Plan { rate, count, gens })
    }
}

/// Builds (and validates) the generator of one attribute.
fn field_generator(
    config: &ConnectorConfig,
    name: &str,
    ty: AttrType,
    o: &FieldOptions,
) -> Result<Gen, ConfigError> {
    let key = |option: Opt| option.template().replace("<attr>", name);
    // The key as the app wrote it (attribute lookup is case-insensitive).
    let written = |option: Opt| -> String {
        let prefix = FIELD_KIND.prefix();
        FIELD_KIND
            .entries(config)
            .find(|(rest, _)| {
                rest.rsplit_once('.').is_some_and(|(a, opt)| {
                    opt == option.name() && (a == name || a.eq_ignore_ascii_case(name))
                })
            })
            .map(|(rest, _)| format!("{prefix}.{rest}"))
            .unwrap_or_else(|| key(option))
    };
    let kind = match o.kind.as_deref().map(|k| k.trim().to_ascii_lowercase()) {
        None if ty.is_numeric() => Kind::Sequence,
        None => Kind::Random,
        Some(k) if k == "sequence" => Kind::Sequence,
        Some(k) if k == "random" => Kind::Random,
        Some(k) if k == "one_of" => Kind::OneOf,
        Some(_) => {
            return Err(ConfigError(format!(
                "parameter '{}' has value '{}': expected sequence, random or one_of",
                written(Opt::Kind),
                o.kind.as_deref().unwrap_or_default()
            )))
        }
    };
    let kind_name = match kind {
        Kind::Sequence => "sequence",
        Kind::Random => "random",
        Kind::OneOf => "one_of",
    };
    let values_given = o.values.as_deref().is_some_and(|v| !v.trim().is_empty());

    // Options that do not fit the kind or the type.
    if kind == Kind::Sequence && !ty.is_numeric() {
        return Err(ConfigError(format!(
            "parameter '{}': kind 'sequence' needs a numeric attribute, but '{name}' is {ty} \
             (use random or one_of)",
            written(Opt::Kind)
        )));
    }
    for (given, option) in [(o.min, Opt::Min), (o.max, Opt::Max)] {
        if given && (kind == Kind::OneOf || !ty.is_numeric()) {
            return Err(ConfigError(if ty.is_numeric() {
                format!(
                    "parameter '{}' does not apply to kind 'one_of' (it picks from values)",
                    written(option)
                )
            } else {
                format!(
                    "parameter '{}' applies only to numeric attributes; '{name}' is {ty}",
                    written(option)
                )
            }));
        }
    }
    if o.length && !(matches!(ty, AttrType::String | AttrType::Bytes) && kind == Kind::Random) {
        return Err(ConfigError(format!(
            "parameter '{}' applies only to STRING and BYTES attributes with kind 'random'; \
             '{name}' is {ty} with kind '{kind_name}'",
            written(Opt::Length)
        )));
    }
    if o.values.is_some()
        && !(kind == Kind::OneOf || (kind == Kind::Random && ty == AttrType::String))
    {
        return Err(ConfigError(format!(
            "parameter '{}' applies only with kind 'one_of' (or 'random' on STRING \
             attributes); '{name}' has kind '{kind_name}'",
            written(Opt::Values)
        )));
    }

    if kind == Kind::OneOf || (kind == Kind::Random && values_given) {
        let Some(list) = o.values.as_deref().filter(|_| values_given) else {
            return Err(ConfigError(format!(
                "parameter '{}' is 'one_of' but '{}' is not set: give a comma-separated \
                 list, e.g. {}='a,b,c'",
                written(Opt::Kind),
                key(Opt::Values),
                key(Opt::Values)
            )));
        };
        let mut values = Vec::new();
        for item in list.split(',').map(str::trim) {
            let v = match ty {
                AttrType::String => Some(Value::string(item)),
                AttrType::Float => item
                    .parse::<f32>()
                    .ok()
                    .filter(|f| f.is_finite())
                    .map(Value::Float),
                AttrType::Double => item
                    .parse::<f64>()
                    .ok()
                    .filter(|f| f.is_finite())
                    .map(Value::Double),
                _ => Value::string(item).cast(ty),
            };
            match v {
                Some(v) => values.push(v),
                None => {
                    return Err(ConfigError(format!(
                        "parameter '{}': '{item}' is not a valid {ty} (attribute '{name}')",
                        written(Opt::Values)
                    )))
                }
            }
        }
        return Ok(Gen::OneOf(values));
    }

    match ty {
        AttrType::Int | AttrType::Long => {
            let long = ty == AttrType::Long;
            let parse = |option: Opt| -> Result<Option<i64>, ConfigError> {
                let k = written(option);
                Ok(if long {
                    config.parse::<i64>(&k)?
                } else {
                    config.parse::<i32>(&k)?.map(i64::from)
                })
            };
            let (type_min, type_max) = if long {
                (i64::MIN, i64::MAX)
            } else {
                (i32::MIN as i64, i32::MAX as i64)
            };
            let (min, max) = (parse(Opt::Min)?, parse(Opt::Max)?);
            let (min, max) = match kind {
                Kind::Sequence => (min.unwrap_or(0), max.unwrap_or(type_max)),
                _ => match (min, max) {
                    (Some(a), Some(b)) => (a, b),
                    (Some(a), None) if a > 100 => (a, a.saturating_add(100).min(type_max)),
                    (None, Some(b)) if b < 0 => (b.saturating_sub(100).max(type_min), b),
                    (a, b) => (a.unwrap_or(0), b.unwrap_or(100)),
                },
            };
            check_order(min, max, &written(Opt::Min), &written(Opt::Max))?;
            Ok(match kind {
                Kind::Sequence => Gen::SeqInt {
                    min,
                    max,
                    next: min,
                    long,
                },
                _ => Gen::RandInt { min, max, long },
            })
        }
        AttrType::Float | AttrType::Double => {
            let single = ty == AttrType::Float;
            let parse = |option: Opt| -> Result<Option<f64>, ConfigError> {
                let k = written(option);
                let v = if single {
                    config.parse::<f32>(&k)?.map(f64::from)
                } else {
                    config.parse::<f64>(&k)?
                };
                match v {
                    Some(f) if !f.is_finite() => Err(ConfigError(format!(
                        "parameter '{k}' has value '{}': expected a finite number",
                        config.get(&k).unwrap_or_default()
                    ))),
                    v => Ok(v),
                }
            };
            let (min, max) = (parse(Opt::Min)?, parse(Opt::Max)?);
            match kind {
                Kind::Sequence => {
                    let start = min.unwrap_or(0.0);
                    if let Some(m) = max {
                        check_order(start, m, &written(Opt::Min), &written(Opt::Max))?;
                    }
                    Ok(Gen::SeqFloat {
                        min: start,
                        max,
                        next: start,
                        single,
                    })
                }
                _ => {
                    let (min, max) = match (min, max) {
                        (Some(a), Some(b)) => (a, b),
                        (Some(a), None) if a > 100.0 => (a, a + 100.0),
                        (None, Some(b)) if b < 0.0 => (b - 100.0, b),
                        (a, b) => (a.unwrap_or(0.0), b.unwrap_or(100.0)),
                    };
                    check_order(min, max, &written(Opt::Min), &written(Opt::Max))?;
                    Ok(Gen::RandFloat { min, max, single })
                }
            }
        }
        AttrType::Bool => Ok(Gen::RandBool),
        AttrType::String | AttrType::Bytes => {
            let k = written(Opt::Length);
            let length = FIELD_LENGTH.read_at(config, &k)?;
            if length > MAX_LENGTH {
                return Err(ConfigError(format!(
                    "parameter '{k}' has value '{length}': at most {MAX_LENGTH}"
                )));
            }
            Ok(if ty == AttrType::String {
                Gen::RandString { length }
            } else {
                Gen::RandBytes { length }
            })
        }
    }
}

fn check_order<T: PartialOrd + std::fmt::Display>(
    min: T,
    max: T,
    min_key: &str,
    max_key: &str,
) -> Result<(), ConfigError> {
    if min > max {
        Err(ConfigError(format!(
            "parameter '{min_key}' ({min}) is greater than '{max_key}' ({max})"
        )))
    } else {
        Ok(())
    }
}

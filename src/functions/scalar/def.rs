//! Describing a function: the parameters it accepts (by [`Kind`]), how its result type follows
//! from the argument types ([`Returns`]), and its eval function. The type rule, the signature
//! shown in the docs and SQL NULL handling are derived from a [`Def`].

use super::super::{FnContext, ScalarFunction};
use crate::value::{AttrType, Value};
use std::fmt::Write as _;
use std::sync::Arc;

/// What an argument position accepts. A NULL literal (`None` type) is accepted everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::functions) enum Kind {
    Str,
    /// Any numeric type.
    Num,
    /// INT or BIGINT.
    Int,
    Bool,
    /// BYTES, or STRING standing for its UTF-8 bytes.
    Binary,
    Any,
}

impl Kind {
    pub(in crate::functions) fn accepts(self, t: AttrType) -> bool {
        match self {
            Kind::Str => t == AttrType::String,
            Kind::Num => t.is_numeric(),
            Kind::Int => matches!(t, AttrType::Int | AttrType::Long),
            Kind::Bool => t == AttrType::Bool,
            Kind::Binary => matches!(t, AttrType::Bytes | AttrType::String),
            Kind::Any => true,
        }
    }

    /// How the kind is written in a signature.
    pub(in crate::functions) fn doc(self) -> &'static str {
        match self {
            Kind::Str => "STRING",
            Kind::Num => "NUMERIC",
            Kind::Int => "INT",
            Kind::Bool => "BOOL",
            Kind::Binary => "BYTES|STRING",
            Kind::Any => "ANY",
        }
    }

    /// How the kind is named in a type error.
    pub(in crate::functions) fn expected(self) -> &'static str {
        match self {
            Kind::Str => "STRING",
            Kind::Num => "a numeric type",
            Kind::Int => "INT or BIGINT",
            Kind::Bool => "BOOL",
            Kind::Binary => "BYTES or STRING",
            Kind::Any => "any type",
        }
    }
}

/// A parameter: its name in the signature and what it accepts.
pub(in crate::functions) type Param = (&'static str, Kind);

/// How the result type follows from the argument types.
#[derive(Debug, Clone, Copy)]
pub(in crate::functions) enum Returns {
    Fixed(AttrType),
    /// The type of numeric argument 1 (abs); DOUBLE for a NULL literal.
    SameNumeric,
    /// INT/BIGINT argument 1 keeps its type, anything else gives DOUBLE (ceil, floor, round).
    Integral,
    /// The common type of the arguments from this index on (coalesce, if): all of one type, or
    /// numbers widened INT < BIGINT < FLOAT < DOUBLE; STRING when all are NULL literals.
    Common(usize),
    /// The type of argument 1, which must share a type with the others (nullif).
    First,
}

impl Returns {
    pub(in crate::functions) fn resolve(
        self,
        name: &str,
        args: &[Option<AttrType>],
    ) -> Result<AttrType, String> {
        let first = args.first().copied().flatten();
        Ok(match self {
            Returns::Fixed(t) => t,
            Returns::SameNumeric => first.unwrap_or(AttrType::Double),
            Returns::Integral => match first {
                Some(t @ (AttrType::Int | AttrType::Long)) => t,
                _ => AttrType::Double,
            },
            Returns::Common(from) => common_type(name, args, from)?.unwrap_or(AttrType::String),
            Returns::First => {
                let common = common_type(name, args, 0)?;
                first.or(common).unwrap_or(AttrType::String)
            }
        })
    }

    pub(in crate::functions) fn doc(self, params: &[Param]) -> String {
        let x = params.first().map_or("x", |p| p.0);
        match self {
            Returns::Fixed(t) => t.name().to_string(),
            Returns::SameNumeric => format!("type of {x}"),
            Returns::Integral => format!("type of {x} if INT/BIGINT, else DOUBLE"),
            Returns::Common(_) => "common type of the values".to_string(),
            Returns::First => format!("type of {x}"),
        }
    }
}

/// The common type of `args[from..]` (ignoring NULL literals), or an error naming the first two
/// arguments that do not fit together.
pub(in crate::functions) fn common_type(
    name: &str,
    args: &[Option<AttrType>],
    from: usize,
) -> Result<Option<AttrType>, String> {
    let mut first: Option<(usize, AttrType)> = None;
    let mut common: Option<AttrType> = None;
    for (i, t) in args.iter().enumerate().skip(from) {
        let Some(t) = *t else { continue };
        common = Some(match (common, first) {
            (Some(c), Some((j, ft))) => {
                if c == t {
                    c
                } else {
                    AttrType::widen(c, t).ok_or_else(|| {
                        format!(
                            "{name} expects arguments of one type, got {ft} as argument {} and \
                             {t} as argument {}",
                            j + 1,
                            i + 1
                        )
                    })?
                }
            }
            _ => {
                first = Some((i, t));
                t
            }
        });
    }
    Ok(common)
}

/// The implementation: `None` means NULL.
pub(in crate::functions) type Eval = fn(&[Value], &FnContext) -> Option<Value>;

/// One built-in function, from which the [`ScalarFunction`] is derived.
#[derive(Clone, Copy)]
pub(in crate::functions) struct Def {
    name: &'static str,
    params: &'static [Param],
    /// How many trailing parameters may be left out.
    optional: usize,
    /// Whether the last parameter repeats.
    variadic: bool,
    returns: Returns,
    /// Whether any NULL argument makes the result NULL without calling `eval`.
    strict: bool,
    deterministic: bool,
    description: &'static str,
    eval: Eval,
}

impl Def {
    pub(in crate::functions) fn new(
        name: &'static str,
        params: &'static [Param],
        returns: Returns,
        description: &'static str,
        eval: Eval,
    ) -> Def {
        Def {
            name,
            params,
            optional: 0,
            variadic: false,
            returns,
            strict: true,
            deterministic: true,
            description,
            eval,
        }
    }

    pub(in crate::functions) fn optional(self, optional: usize) -> Def {
        Def { optional, ..self }
    }

    pub(in crate::functions) fn variadic(self) -> Def {
        Def {
            variadic: true,
            ..self
        }
    }

    /// NULL arguments reach `eval` (concat, coalesce, nullif, if).
    pub(in crate::functions) fn lenient(self) -> Def {
        Def {
            strict: false,
            ..self
        }
    }

    /// The result may change between calls with the same arguments.
    pub(in crate::functions) fn volatile(self) -> Def {
        Def {
            deterministic: false,
            ..self
        }
    }

    /// The same function under another name.
    pub(in crate::functions) fn alias(self, name: &'static str) -> ScalarFunction {
        let mut f = Def { name, ..self }.build();
        f.description = format!("Alias of {}: {}", self.name, self.description);
        f
    }

    /// `substr(s STRING, start INT[, length INT])`.
    pub(in crate::functions) fn head(&self) -> String {
        let mut out = format!("{}(", self.name);
        let required = self.params.len() - self.optional;
        for (i, (name, kind)) in self.params.iter().enumerate() {
            let sep = match (i, i >= required) {
                (0, false) => "",
                (0, true) => "[",
                (_, false) => ", ",
                (_, true) => "[, ",
            };
            let _ = write!(out, "{sep}{name} {}", kind.doc());
        }
        if self.variadic {
            out.push_str(", ...");
        }
        for _ in 0..self.optional {
            out.push(']');
        }
        out.push(')');
        out
    }

    pub(in crate::functions) fn arity_error(&self, got: usize) -> String {
        let max = self.params.len();
        let min = max - self.optional;
        let (expected, last) = if self.variadic {
            (format!("at least {min}"), min)
        } else if min == max {
            (min.to_string(), max)
        } else if max == min + 1 {
            (format!("{min} or {max}"), max)
        } else {
            (format!("{min} to {max}"), max)
        };
        let noun = if last == 1 { "argument" } else { "arguments" };
        format!("{} expects {expected} {noun}, got {got}", self.name)
    }

    pub(in crate::functions) fn check(
        &self,
        head: &str,
        args: &[Option<AttrType>],
    ) -> Result<AttrType, String> {
        let max = self.params.len();
        if args.len() < max - self.optional || (!self.variadic && args.len() > max) {
            return Err(self.arity_error(args.len()));
        }
        for (i, t) in args.iter().enumerate() {
            let (Some(t), Some((_, kind))) = (t, self.params.get(i).or(self.params.last())) else {
                continue;
            };
            if !kind.accepts(*t) {
                return Err(format!(
                    "{head} expects {} as argument {}, got {t}",
                    kind.expected(),
                    i + 1
                ));
            }
        }
        self.returns.resolve(self.name, args)
    }

    pub(in crate::functions) fn build(self) -> ScalarFunction {
        let head = self.head();
        let signature = format!("{head} -> {}", self.returns.doc(self.params));
        let eval = self.eval;
        ScalarFunction {
            name: self.name.to_string(),
            signature,
            description: self.description.to_string(),
            type_rule: Arc::new(move |args| self.check(&head, args)),
            eval: if self.strict {
                Arc::new(move |args, ctx| {
                    if args.iter().any(Value::is_null) {
                        Value::Null
                    } else {
                        eval(args, ctx).unwrap_or(Value::Null)
                    }
                })
            } else {
                Arc::new(move |args, ctx| eval(args, ctx).unwrap_or(Value::Null))
            },
            deterministic: self.deterministic,
        }
    }
}

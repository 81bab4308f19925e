//! JSONPath selectors of the `json` mapper: simple paths (`$.a.b[0]['c d']`) are walked by hand,
//! anything else goes to serde_json_path.

use crate::connector::config::ConfigError;
use serde_json::Value as Json;
use serde_json_path::JsonPath;

/// One step of a simple path (`.name`, `['name']`, `[3]`, `[-1]`).
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Step {
    Key(Box<str>),
    Index(i64),
}

/// A compiled selector: simple paths are walked by hand, anything else goes to serde_json_path.
pub(super) enum Selector {
    Steps(Box<[Step]>),
    Path(JsonPath),
}

impl Selector {
    /// Compiles `path`; `what` names it in the error (`@attributes(price='...')`).
    pub(super) fn compile(path: &str, what: &str) -> Result<Selector, ConfigError> {
        let path = path.trim();
        let parsed = JsonPath::parse(path).map_err(|e| {
            let hint = if path.starts_with('$') {
                String::new()
            } else {
                format!(" (a JSONPath starts with '$', e.g. '$.{path}')")
            };
            ConfigError(format!("{what} is not a valid JSONPath: {e}{hint}"))
        })?;
        Ok(match simple_steps(path) {
            Some(steps) => Selector::Steps(steps.into()),
            None => Selector::Path(parsed),
        })
    }

    /// The first node selected under `root`.
    pub(super) fn first<'a>(&self, root: &'a Json) -> Option<&'a Json> {
        match self {
            Selector::Steps(steps) => walk(root, steps),
            Selector::Path(p) => p.query(root).first(),
        }
    }
}

/// Parses `$.a.b[0]['c d'][-1]` into steps; `None` for anything else (wildcards, filters,
/// slices, descendants, escapes), which is left to the full JSONPath engine.
pub(super) fn simple_steps(path: &str) -> Option<Vec<Step>> {
    let mut rest = path.strip_prefix('$')?;
    let mut steps = Vec::new();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            let end = r
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(r.len());
            let name = &r[..end];
            if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
                return None;
            }
            steps.push(Step::Key(name.into()));
            rest = &r[end..];
        } else if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']')?;
            let inner = r[..end].trim();
            let quoted = inner
                .strip_prefix('\'')
                .and_then(|s| s.strip_suffix('\''))
                .or_else(|| inner.strip_prefix('"').and_then(|s| s.strip_suffix('"')));
            match quoted {
                Some(name) if !name.contains(['\\', '\'', '"']) => {
                    steps.push(Step::Key(name.into()))
                }
                Some(_) => return None,
                None => {
                    let digits = inner.strip_prefix('-').unwrap_or(inner);
                    if digits.is_empty()
                        || !digits.bytes().all(|b| b.is_ascii_digit())
                        || (digits.len() > 1 && digits.starts_with('0'))
                    {
                        return None;
                    }
                    steps.push(Step::Index(inner.parse().ok()?));
                }
            }
            rest = &r[end + 1..];
        } else {
            return None;
        }
    }
    Some(steps)
}

pub(super) fn walk<'a>(mut node: &'a Json, steps: &[Step]) -> Option<&'a Json> {
    for step in steps {
        node = match (step, node) {
            (Step::Key(k), Json::Object(m)) => m.get(&**k)?,
            (Step::Index(i), Json::Array(a)) => {
                let i = if *i < 0 { a.len() as i64 + i } else { *i };
                a.get(usize::try_from(i).ok()?)?
            }
            _ => return None,
        };
    }
    Some(node)
}

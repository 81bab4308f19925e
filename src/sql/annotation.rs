//! The annotations pre-pass: finds `@name(...)` annotations outside strings and comments, parses
//! them into a tree, substitutes `${VAR}` / `${VAR:default}` from the environment, and blanks
//! them out of the text (newlines kept) so sqlparser sees plain SQL with unchanged positions.

use crate::sql::diagnostic::{Diagnostic, Pos};

/// `@name(key='value', 'positional', @nested(...))`.
#[derive(Debug, Clone, PartialEq)]
pub struct Annotation {
    /// Lower-cased name, `app:name` style names kept whole.
    pub name: String,
    pub pos: Pos,
    pub elements: Vec<Element>,
    pub children: Vec<Annotation>,
    /// Byte range in the app text.
    pub start: usize,
    pub end: usize,
}

/// One `key='value'` (or positional `'value'`) inside an annotation.
#[derive(Debug, Clone, PartialEq)]
pub struct Element {
    pub key: Option<String>,
    pub value: String,
    pub key_pos: Pos,
    pub value_pos: Pos,
    /// What `${VAR}` substitution put into `value` that must never be shown: every value
    /// when the key looks secret, else the values of secret-named variables.
    pub secrets: Vec<String>,
}

impl Annotation {
    /// The value of `key` (case-sensitive, as connector parameters are).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.element(key).map(|e| e.value.as_str())
    }

    pub fn element(&self, key: &str) -> Option<&Element> {
        self.elements.iter().find(|e| e.key.as_deref() == Some(key))
    }

    /// The first positional value (`@app:name('X')`).
    pub fn positional(&self) -> Option<&Element> {
        self.elements.iter().find(|e| e.key.is_none())
    }

    pub fn child(&self, name: &str) -> Option<&Annotation> {
        self.children.iter().find(|c| c.name == name)
    }
}

/// The result of the pre-pass.
pub struct Prepass {
    pub annotations: Vec<Annotation>,
    /// The app text with every annotation replaced by spaces.
    pub blanked: String,
    pub errors: Vec<Diagnostic>,
}

/// How deep annotations may nest; real apps use three levels at most.
pub const MAX_ANNOTATION_DEPTH: usize = 8;

/// Scans `text`, reading `${VAR}` values through `env`.
pub fn prepass(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Prepass {
    let mut scanner = Scanner {
        text,
        bytes: text.as_bytes(),
        i: 0,
        line: 1,
        line_start: 0,
        errors: Vec::new(),
        env,
    };
    let mut annotations = Vec::new();
    let mut blanked = text.as_bytes().to_vec();
    while scanner.i < scanner.bytes.len() {
        match scanner.bytes[scanner.i] {
            b'\'' | b'"' | b'`' => scanner.skip_quoted(),
            b'-' if scanner.peek(1) == Some(b'-') => scanner.skip_line_comment(),
            b'/' if scanner.peek(1) == Some(b'*') => scanner.skip_block_comment(),
            b'@' => {
                let start = scanner.i;
                match scanner.annotation(1) {
                    Some(a) => annotations.push(a),
                    None => scanner.recover(),
                }
                for b in &mut blanked[start..scanner.i] {
                    if *b != b'\n' && *b != b'\r' {
                        *b = b' ';
                    }
                }
            }
            _ => scanner.bump(),
        }
    }
    let errors = scanner.errors;
    Prepass {
        annotations,
        // Only ASCII bytes were replaced by ASCII spaces, and whole annotations are blanked,
        // so multi-byte characters are either intact or entirely replaced... except that a
        // replaced multi-byte char leaves only spaces, which is still valid UTF-8.
        blanked: String::from_utf8(blanked)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
        errors,
    }
}

struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    i: usize,
    line: u32,
    line_start: usize,
    errors: Vec<Diagnostic>,
    env: &'a dyn Fn(&str) -> Option<String>,
}

impl Scanner<'_> {
    fn peek(&self, ahead: usize) -> Option<u8> {
        self.bytes.get(self.i + ahead).copied()
    }

    fn pos(&self) -> Pos {
        let col = self.text[self.line_start..self.i].chars().count() as u32 + 1;
        Pos::new(self.line, col)
    }

    fn bump(&mut self) {
        if self.bytes[self.i] == b'\n' {
            self.line += 1;
            self.line_start = self.i + 1;
        }
        self.i += 1;
    }

    fn skip_ws(&mut self) {
        loop {
            match self.peek(0) {
                Some(b) if b.is_ascii_whitespace() => self.bump(),
                Some(b'-') if self.peek(1) == Some(b'-') => self.skip_line_comment(),
                Some(b'/') if self.peek(1) == Some(b'*') => self.skip_block_comment(),
                _ => return,
            }
        }
    }

    fn skip_quoted(&mut self) {
        let q = self.bytes[self.i];
        self.bump();
        while let Some(b) = self.peek(0) {
            self.bump();
            if b == q {
                if self.peek(0) == Some(q) {
                    self.bump();
                } else {
                    return;
                }
            }
        }
    }

    fn skip_line_comment(&mut self) {
        while let Some(b) = self.peek(0) {
            if b == b'\n' {
                return;
            }
            self.bump();
        }
    }

    fn skip_block_comment(&mut self) {
        self.bump();
        self.bump();
        while self.i < self.bytes.len() {
            if self.peek(0) == Some(b'*') && self.peek(1) == Some(b'/') {
                self.bump();
                self.bump();
                return;
            }
            self.bump();
        }
    }

    /// After a malformed annotation: skip to the end of the line so one typo gives one error.
    fn recover(&mut self) {
        let mut depth = 0i32;
        while let Some(b) = self.peek(0) {
            match b {
                b'\'' | b'"' => {
                    self.skip_quoted();
                    continue;
                }
                b'(' => depth += 1,
                b')' => {
                    depth -= 1;
                    if depth <= 0 {
                        self.bump();
                        return;
                    }
                }
                b'\n' if depth <= 0 => return,
                b';' => return,
                _ => {}
            }
            self.bump();
        }
    }

    fn error(&mut self, pos: Pos, message: impl Into<String>) {
        self.errors.push(Diagnostic::new(pos, message));
    }

    fn word(&mut self) -> String {
        let start = self.i;
        while let Some(b) = self.peek(0) {
            if b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'-' || b >= 0x80 {
                self.bump();
            } else {
                break;
            }
        }
        self.text[start..self.i].to_string()
    }

    /// One annotation; `depth` is how deep it sits (1 = top level), bounded so a hostile app
    /// cannot overflow the stack with `@map(@map(...`.
    fn annotation(&mut self, depth: usize) -> Option<Annotation> {
        let start = self.i;
        let pos = self.pos();
        if depth > MAX_ANNOTATION_DEPTH {
            self.error(
                pos,
                format!(
                    "annotations nest at most {MAX_ANNOTATION_DEPTH} deep \
                     (e.g. @source(..., @map(..., @attributes(...))))"
                ),
            );
            return None;
        }
        self.bump(); // '@'
        let mut name = self.word();
        if self.peek(0) == Some(b':') {
            self.bump();
            name.push(':');
            name.push_str(&self.word());
        }
        if name.is_empty() || name.ends_with(':') {
            self.error(
                pos,
                "expected an annotation name after '@', e.g. @source(...) or @app:name('X')",
            );
            return None;
        }
        let mut ann = Annotation {
            name: name.to_ascii_lowercase(),
            pos,
            elements: Vec::new(),
            children: Vec::new(),
            start,
            end: start,
        };
        self.skip_ws();
        if self.peek(0) != Some(b'(') {
            ann.end = self.i;
            return Some(ann);
        }
        self.bump();
        self.skip_ws();
        if self.peek(0) == Some(b')') {
            self.bump();
            ann.end = self.i;
            return Some(ann);
        }
        loop {
            self.skip_ws();
            match self.peek(0) {
                Some(b'@') => ann.children.push(self.annotation(depth + 1)?),
                Some(_) => {
                    let element = self.element(&ann.name)?;
                    ann.elements.push(element);
                }
                None => {
                    self.error(
                        pos,
                        format!("annotation @{name} is not closed: expected ')'"),
                    );
                    return None;
                }
            }
            self.skip_ws();
            match self.peek(0) {
                Some(b',') => self.bump(),
                Some(b')') => {
                    self.bump();
                    break;
                }
                _ => {
                    let p = self.pos();
                    self.error(p, format!("expected ',' or ')' in annotation @{name}"));
                    return None;
                }
            }
        }
        ann.end = self.i;
        Some(ann)
    }

    fn element(&mut self, ann_name: &str) -> Option<Element> {
        let key_pos = self.pos();
        let first = self.scalar(ann_name)?;
        self.skip_ws();
        if self.peek(0) != Some(b'=') {
            return Some(Element {
                key: None,
                value: first.0,
                key_pos,
                value_pos: key_pos,
                secrets: Vec::new(),
            });
        }
        self.bump();
        self.skip_ws();
        let value_pos = self.pos();
        let (raw, quoted) = self.scalar(ann_name)?;
        let mut secrets = Vec::new();
        let value = if quoted || raw.contains("${") {
            let key_secret = crate::redact::is_secret_name(&first.0);
            self.substitute(&raw, value_pos, &mut |var, v| {
                if key_secret || crate::redact::is_secret_name(var) {
                    secrets.push(v.to_string());
                }
            })
        } else {
            raw
        };
        Some(Element {
            key: Some(first.0),
            value,
            key_pos,
            value_pos,
            secrets,
        })
    }

    /// A quoted string (quotes removed, doubled quotes unescaped) or a bare word.
    fn scalar(&mut self, ann_name: &str) -> Option<(String, bool)> {
        match self.peek(0) {
            Some(q @ (b'\'' | b'"')) => {
                let pos = self.pos();
                self.bump();
                let mut out = String::new();
                let mut seg = self.i;
                loop {
                    match self.peek(0) {
                        None => {
                            self.error(pos, "string is not closed: expected a closing quote");
                            return None;
                        }
                        Some(b) if b == q => {
                            out.push_str(&self.text[seg..self.i]);
                            self.bump();
                            if self.peek(0) == Some(q) {
                                seg = self.i;
                                self.bump();
                            } else {
                                return Some((out, true));
                            }
                        }
                        Some(_) => self.bump(),
                    }
                }
            }
            _ => {
                let pos = self.pos();
                let w = self.word();
                if w.is_empty() {
                    let found = self.text[self.i..].chars().next().unwrap_or(' ');
                    self.error(
                        pos,
                        format!(
                            "unexpected '{found}' in annotation @{ann_name}: expected key='value'"
                        ),
                    );
                    return None;
                }
                Some((w, false))
            }
        }
    }

    fn substitute(&mut self, raw: &str, pos: Pos, seen: &mut dyn FnMut(&str, &str)) -> String {
        match substitute_env_seen(raw, self.env, seen) {
            Ok(v) => v,
            Err(var) => {
                self.errors.push(
                    Diagnostic::new(pos, format!("environment variable '{var}' is not set"))
                        .with_help(format!("set {var}, or give a default: ${{{var}:default}}")),
                );
                raw.to_string()
            }
        }
    }
}

/// `${VAR}` in `WITH (...)` values, substituted as in annotations: an unset variable without
/// a default is an error at the value, and a value put in for a secret key or variable is kept
/// in the option's `secrets`.
pub(crate) fn substitute_with_options(
    options: &mut [crate::sql::ast::WithOption],
    env: &dyn Fn(&str) -> Option<String>,
    errors: &mut Vec<Diagnostic>,
) {
    for o in options {
        if !o.value.contains("${") {
            continue;
        }
        let key_secret = crate::redact::is_secret_name(&o.key);
        let mut secrets = Vec::new();
        match substitute_env_seen(&o.value, env, &mut |var, v| {
            if key_secret || crate::redact::is_secret_name(var) {
                secrets.push(v.to_string());
            }
        }) {
            Ok(v) => {
                o.value = v;
                o.secrets = secrets;
            }
            Err(var) => errors.push(
                Diagnostic::new(
                    o.value_pos,
                    format!("environment variable '{var}' is not set"),
                )
                .with_help(format!("set {var}, or give a default: ${{{var}:default}}")),
            ),
        }
    }
}

/// Replaces `${VAR}` and `${VAR:default}`; `Err(VAR)` for the first unset variable without default.
pub fn substitute_env(raw: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    substitute_env_seen(raw, env, &mut |_, _| {})
}

/// [`substitute_env`] telling `seen` each variable and the value it put in.
fn substitute_env_seen(
    raw: &str,
    env: &dyn Fn(&str) -> Option<String>,
    seen: &mut dyn FnMut(&str, &str),
) -> Result<String, String> {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[start..]);
            return Ok(out);
        };
        let inner = &after[..close];
        let (name, default) = match inner.split_once(':') {
            Some((n, d)) => (n, Some(d)),
            None => (inner, None),
        };
        match (env(name), default) {
            (Some(v), _) => {
                seen(name, &v);
                out.push_str(&v);
            }
            (None, Some(d)) => {
                seen(name, d);
                out.push_str(d);
            }
            (None, None) => return Err(name.to_string()),
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        (name == "HOST").then(|| "example.org".to_string())
    }

    #[test]
    fn parses_nested_annotations_and_blanks_them() {
        let text = "@app:name('Trades')\n@source(type='websocket', websocket.url='ws://${HOST}/x',\n  @map(type='json', @attributes(a='$.x.y')))\nCREATE STREAM S (a INT);";
        let p = prepass(text, &env);
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        assert_eq!(p.annotations.len(), 2);
        assert_eq!(p.annotations[0].name, "app:name");
        assert_eq!(p.annotations[0].positional().unwrap().value, "Trades");
        let src = &p.annotations[1];
        assert_eq!(src.get("websocket.url"), Some("ws://example.org/x"));
        let map = src.child("map").unwrap();
        assert_eq!(map.get("type"), Some("json"));
        assert_eq!(map.child("attributes").unwrap().get("a"), Some("$.x.y"));
        assert_eq!(p.blanked.lines().count(), text.lines().count());
        assert!(p
            .blanked
            .lines()
            .nth(3)
            .unwrap()
            .starts_with("CREATE STREAM S"));
        assert!(!p.blanked.contains('@'));
        assert_eq!(p.blanked.len(), text.len());
    }

    #[test]
    fn ignores_at_signs_in_strings_and_comments() {
        let text = "-- @source(x)\nSELECT '@not' /* @no */";
        let p = prepass(text, &env);
        assert!(p.annotations.is_empty());
        assert_eq!(p.blanked, text);
    }

    #[test]
    fn env_defaults_and_missing_vars() {
        assert_eq!(substitute_env("${NOPE:8080}", &env).unwrap(), "8080");
        assert_eq!(substitute_env("a${HOST}b", &env).unwrap(), "aexample.orgb");
        assert_eq!(substitute_env("${NOPE}", &env), Err("NOPE".into()));
        let p = prepass("@sink(type='x', url='${NOPE}')\nX", &env);
        assert_eq!(p.errors.len(), 1);
        assert_eq!(
            p.errors[0].message,
            "environment variable 'NOPE' is not set"
        );
        assert_eq!(p.errors[0].pos, Pos::new(1, 21));
    }

    #[test]
    fn reports_unclosed_annotation_with_position() {
        let p = prepass("\n  @source(type='x'\nCREATE STREAM S (a INT);", &env);
        assert_eq!(p.errors.len(), 1, "{:?}", p.errors);
        assert_eq!(p.errors[0].pos.line, 3);
    }

    #[test]
    fn quoted_keys_and_escaped_quotes() {
        let p = prepass("@source(\"a.b\"='it''s')", &env);
        assert_eq!(p.annotations[0].get("a.b"), Some("it's"));
    }
}

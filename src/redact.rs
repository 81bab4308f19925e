//! Keeps secrets out of text that leaves the process: log lines, errors, dead-letter rows,
//! `eventflux check` and the control plane.
//!
//! Three rules: a URL's userinfo (`user:pass@`) becomes `***@`; a query value whose name looks
//! secret (`?apikey=...`, `&token=...`) becomes `***`; and every value registered as secret (a
//! secret-named parameter's value, or what `${ENV}` put into one or what a secret-named variable
//! such as `${WEBHOOK_SECRET}` held) becomes `***` wherever it appears, e.g. in a webhook path.

use parking_lot::RwLock;
use std::borrow::Cow;

/// What a secret is shown as.
pub const MASK: &str = "***";

/// Values shorter than this are not scrubbed by value: masking every `1` would ruin messages,
/// and such a value is no secret.
const MIN_SECRET_LEN: usize = 6;

/// Every secret value seen by any compile in this process.
static SECRETS: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// Whether a name (a parameter key, a query parameter, an environment variable) looks like it
/// holds a secret.
pub fn is_secret_name(name: &str) -> bool {
    let k = name.to_ascii_lowercase();
    const WORDS: &[&str] = &[
        "password",
        "passwd",
        "passphrase",
        "secret",
        "token",
        "apikey",
        "api.key",
        "api_key",
        "api-key",
        "access_key",
        "access.key",
        "private_key",
        "private.key",
        "credential",
        "auth",
        "signature",
        "sig",
        "session",
    ];
    WORDS.iter().any(|w| k.contains(w)) || k == "key" || k == "pass" || k == "pwd"
}

/// Whether `given` is `expected`, in time that does not depend on where they differ (a token
/// check must not tell an attacker how many leading bytes were right).
pub fn same_secret(given: &str, expected: &str) -> bool {
    let (g, e) = (given.as_bytes(), expected.as_bytes());
    let mut diff = (g.len() ^ e.len()) as u8 | u8::from(g.len() != e.len());
    for (i, b) in e.iter().enumerate() {
        diff |= b ^ g.get(i).copied().unwrap_or(0);
    }
    diff == 0
}

/// Remembers `values` as secrets (process-wide: every app's logs are scrubbed of them).
pub fn register<'a>(values: impl IntoIterator<Item = &'a String>) {
    let fresh: Vec<&String> = {
        let known = SECRETS.read();
        values
            .into_iter()
            .filter(|v| v.len() >= MIN_SECRET_LEN && !known.contains(v))
            .collect()
    };
    if fresh.is_empty() {
        return;
    }
    let mut known = SECRETS.write();
    for v in fresh {
        if !known.contains(v) {
            known.push(v.clone());
        }
    }
    // Longest first, so a secret that contains another is masked whole.
    known.sort_by_key(|v| std::cmp::Reverse(v.len()));
}

/// `text` with every registered secret, URL userinfo and secret query value masked.
pub fn scrub(text: &str) -> Cow<'_, str> {
    let mut out: Cow<str> = Cow::Borrowed(text);
    {
        let known = SECRETS.read();
        for s in known.iter() {
            if out.contains(s.as_str()) {
                out = Cow::Owned(out.replace(s.as_str(), MASK));
            }
        }
    }
    if !out.contains("://") && !out.contains('?') {
        return out;
    }
    match scrub_urls(&out) {
        Some(clean) => Cow::Owned(clean),
        None => out,
    }
}

/// Masks userinfo and secret query values of every URL in `text`; None when nothing changed.
fn scrub_urls(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut changed = false;
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let (head, tail) = rest.split_at(at + 3);
        out.push_str(head);
        let end = tail
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | ')' | ']'))
            .unwrap_or(tail.len());
        let (url, after) = tail.split_at(end);
        let authority_end = url.find(['/', '?', '#']).unwrap_or(url.len());
        let (authority, path) = url.split_at(authority_end);
        match authority.rfind('@') {
            Some(i) => {
                out.push_str(MASK);
                out.push_str(&authority[i..]);
                changed = true;
            }
            None => out.push_str(authority),
        }
        match path.split_once('?') {
            Some((p, query)) => {
                out.push_str(p);
                out.push('?');
                let (query, fragment) = match query.split_once('#') {
                    Some((q, f)) => (q, Some(f)),
                    None => (query, None),
                };
                for (n, pair) in query.split('&').enumerate() {
                    if n > 0 {
                        out.push('&');
                    }
                    match pair.split_once('=') {
                        Some((name, value)) if is_secret_name(name) && !value.is_empty() => {
                            out.push_str(name);
                            out.push('=');
                            out.push_str(MASK);
                            changed = true;
                        }
                        _ => out.push_str(pair),
                    }
                }
                if let Some(f) = fragment {
                    out.push('#');
                    out.push_str(f);
                }
            }
            None => out.push_str(path),
        }
        rest = after;
    }
    out.push_str(rest);
    changed.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_userinfo_and_secret_query_values() {
        let t = "connecting to wss://bob:hunter22@example.com/feed?apikey=abc123&symbol=IBM#x";
        assert_eq!(
            scrub(t),
            "connecting to wss://***@example.com/feed?apikey=***&symbol=IBM#x"
        );
        let t = "GET 'https://h/p?token=t0k&x=1' failed: 401";
        assert_eq!(scrub(t), "GET 'https://h/p?token=***&x=1' failed: 401");
        assert!(matches!(scrub("no urls here"), Cow::Borrowed(_)));
        assert_eq!(scrub("http://h:80/a?b=c"), "http://h:80/a?b=c");
    }

    #[test]
    fn registered_values_are_masked_anywhere() {
        register(&["wh-s3cr3t-path".to_string(), "ab".to_string()]);
        assert_eq!(
            scrub("POST http://hooks.local/wh-s3cr3t-path failed"),
            "POST http://hooks.local/*** failed"
        );
        // Too short to be scrubbed by value.
        assert_eq!(scrub("ab cd"), "ab cd");
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret("s3cret-token", "s3cret-token"));
        for wrong in [
            "",
            "s3cret",
            "s3cret-token!",
            "S3cret-token",
            "x3cret-token",
        ] {
            assert!(!same_secret(wrong, "s3cret-token"), "{wrong}");
        }
        assert!(same_secret("", ""));
    }

    #[test]
    fn secret_names() {
        for n in [
            "auth.token",
            "password",
            "WEBHOOK_SECRET",
            "apikey",
            "key",
            "passphrase",
        ] {
            assert!(is_secret_name(n), "{n}");
        }
        for n in ["url", "path", "partition.key.attribute", "symbol", "port"] {
            assert!(!is_secret_name(n), "{n}");
        }
    }
}

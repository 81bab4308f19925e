//! Whether a failed request may pass with time: network errors, timeouts and some server error
//! codes are transient; the rest (unknown table, auth, types, syntax) are permanent.

use crate::connector::ConnectorError;

/// ClickHouse error codes that can pass with time: timeouts, overload, quotas, memory pressure,
/// read-only replicas, too many parts, Keeper trouble, network errors between servers.
const TRANSIENT_CODES: &[u32] = &[
    159, 160, 201, 202, 203, 209, 210, 236, 241, 242, 252, 285, 286, 319, 394, 425, 439, 473, 999,
    1000,
];

/// The first number after "Code: " in a ClickHouse error answer (old and new spellings).
pub(super) fn error_code(text: &str) -> Option<u32> {
    let rest = &text[text.find("Code: ")? + 6..];
    let end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    rest[..end].parse().ok()
}

pub(super) fn hint(code: u32) -> &'static str {
    match code {
        60 => " (create the table, or set create.table='true')",
        81 => " (check parameter 'database': the database must exist)",
        192 | 193 | 194 | 516 => " (check parameters 'user' and 'password')",
        497 => " (the user lacks a grant: INSERT, and CREATE TABLE with create.table)",
        _ => "",
    }
}

/// The class of a failed request: whether retrying can help.
pub(super) fn classify(error: clickhouse::error::Error, what: &str) -> ConnectorError {
    use clickhouse::error::Error as E;
    match error {
        E::Network(_) => ConnectorError::transient(format!(
            "{what}: cannot reach the server: {}",
            error_chain(&error)
        )),
        E::TimedOut => ConnectorError::transient(format!("{what}: timed out (timeout.ms)")),
        E::BadResponse(text) => {
            let excerpt: String = text.trim().chars().take(400).collect();
            match error_code(&text) {
                Some(code) if TRANSIENT_CODES.contains(&code) => {
                    ConnectorError::transient(format!("{what}: {excerpt}"))
                }
                Some(code) => ConnectorError::permanent(format!("{what}: {excerpt}{}", hint(code))),
                // Not ClickHouse answering (a proxy, a load balancer): may pass.
                None => ConnectorError::transient(format!("{what}: the server answered {excerpt}")),
            }
        }
        other => ConnectorError::permanent(format!("{what}: {}", error_chain(&other))),
    }
}

pub(super) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let next = s.to_string();
        if !text.contains(&next) {
            text.push_str(": ");
            text.push_str(&next);
        }
        source = s.source();
    }
    text
}

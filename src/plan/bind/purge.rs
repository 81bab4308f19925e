//! `@purge` on `CREATE AGGREGATION`: how long each granularity keeps its buckets. As in
//! Siddhi, purging is on unless `enable='false'`, with these retention periods by default:
//! seconds 120 sec, minutes 24 hours, hours 30 days, days 1 year, months and years all. A
//! period below a granularity's minimum is refused (a shorter one would drop buckets before
//! they are rolled up into the next level or read at it).

use crate::calendar::Granularity;
use crate::plan::graph::AggregationPurge;
use crate::sql::annotation::Annotation;
use crate::sql::diagnostic::Diagnostic;

const SECOND: i64 = 1_000;
const MINUTE: i64 = 60 * SECOND;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;
/// Retention periods count a month as 30 days and a year as 365, as Siddhi does.
const MONTH: i64 = 30 * DAY;
const YEAR: i64 = 365 * DAY;

/// Purging runs when the aggregation's time has moved this far since the last run.
const DEFAULT_INTERVAL: i64 = 15 * MINUTE;

/// (default retention, minimum) per granularity; None keeps every bucket.
fn limits(g: Granularity) -> (Option<i64>, i64) {
    match g {
        Granularity::Seconds => (Some(120 * SECOND), 120 * SECOND),
        Granularity::Minutes => (Some(24 * HOUR), 120 * MINUTE),
        Granularity::Hours => (Some(30 * DAY), 25 * HOUR),
        Granularity::Days => (Some(YEAR), 32 * DAY),
        Granularity::Months => (None, 13 * MONTH),
        Granularity::Years => (None, 0),
    }
}

/// `'120 sec'`, `'24 hours'`, `'13 months'`, `'1 year'`: milliseconds; `'all'`: None.
fn period(text: &str) -> Option<Option<i64>> {
    if text.trim().eq_ignore_ascii_case("all") {
        return Some(None);
    }
    let mut parts = text.split_whitespace();
    let n: i64 = parts.next()?.parse().ok()?;
    let word = parts.next()?.to_ascii_lowercase();
    let unit = match word.as_str() {
        "ms" => 1,
        w => match w.trim_end_matches('s') {
            "millisecond" | "milli" => 1,
            "sec" | "second" => SECOND,
            "min" | "minute" => MINUTE,
            "h" | "hour" => HOUR,
            "day" => DAY,
            "week" => 7 * DAY,
            "month" => MONTH,
            "year" => YEAR,
            _ => return None,
        },
    };
    (n > 0 && parts.next().is_none()).then_some(Some(n.checked_mul(unit)?))
}

fn granularity_key(key: &str) -> Option<Granularity> {
    if key.eq_ignore_ascii_case("h") {
        return Some(Granularity::Hours);
    }
    Granularity::parse(key)
}

/// The purge policy of an aggregation with `levels`, from its annotations (None: purging
/// disabled). Errors name the annotation element and what it takes.
pub fn aggregation_purge(
    annotations: &[Annotation],
    levels: &[Granularity],
) -> Result<Option<AggregationPurge>, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let mut interval = DEFAULT_INTERVAL;
    let mut retention: Vec<Option<i64>> = levels.iter().map(|g| limits(*g).0).collect();
    for a in annotations {
        if a.name != "purge" {
            errors.push(Diagnostic::new(
                a.pos,
                format!(
                    "unknown annotation @{} on an aggregation: it takes @purge(enable=..., interval=..., @retentionPeriod(...))",
                    a.name
                ),
            ));
            continue;
        }
        match a
            .element("enable")
            .map(|e| (e, e.value.to_ascii_lowercase()))
        {
            None => {}
            Some((_, v)) if v == "true" => {}
            Some((_, v)) if v == "false" => return Ok(None),
            Some((e, _)) => errors.push(Diagnostic::new(
                e.value_pos,
                format!("@purge enable is 'true' or 'false', got '{}'", e.value),
            )),
        }
        if let Some(e) = a.element("interval") {
            match period(&e.value) {
                Some(Some(ms)) => interval = ms,
                _ => errors.push(Diagnostic::new(
                    e.value_pos,
                    format!(
                        "@purge interval is a time such as '10 sec' or '15 min', got '{}'",
                        e.value
                    ),
                )),
            }
        }
        for child in &a.children {
            if child.name != "retentionperiod" {
                errors.push(Diagnostic::new(
                    child.pos,
                    format!(
                        "@purge takes @retentionPeriod(sec=..., min=..., hours=..., days=..., months=..., years=...), not @{}",
                        child.name
                    ),
                ));
                continue;
            }
            for e in &child.elements {
                let key = e.key.as_deref().unwrap_or("");
                let Some(g) = granularity_key(key) else {
                    errors.push(Diagnostic::new(
                        e.key_pos,
                        format!("'{key}' is not a granularity: write sec, min, hours, days, months or years"),
                    ));
                    continue;
                };
                let Some(level) = levels.iter().position(|l| *l == g) else {
                    errors.push(Diagnostic::new(
                        e.key_pos,
                        format!(
                            "the aggregation is not kept per {}: there is nothing to purge",
                            g.name()
                        ),
                    ));
                    continue;
                };
                let minimum = limits(g).1;
                match period(&e.value) {
                    Some(Some(ms)) if ms < minimum => errors.push(Diagnostic::new(
                        e.value_pos,
                        format!(
                            "{} are kept at least {} (they must outlive their roll-up into the next granularity), got '{}'",
                            g.name(),
                            describe(minimum),
                            e.value
                        ),
                    )),
                    Some(p) => retention[level] = p,
                    None => errors.push(Diagnostic::new(
                        e.value_pos,
                        format!(
                            "a retention period is a time such as '120 sec', '30 days', '13 months', or 'all', got '{}'",
                            e.value
                        ),
                    )),
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Some(AggregationPurge {
        interval,
        retention,
    }))
}

fn describe(ms: i64) -> String {
    for (unit, len) in [
        ("months", MONTH),
        ("days", DAY),
        ("hours", HOUR),
        ("minutes", MINUTE),
    ] {
        if ms >= len && ms % len == 0 {
            return format!("{} {unit}", ms / len);
        }
    }
    format!("{} seconds", ms / SECOND)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_read_units_and_all() {
        assert_eq!(period("120 sec"), Some(Some(120_000)));
        assert_eq!(period("2 hours"), Some(Some(2 * HOUR)));
        assert_eq!(period("13 months"), Some(Some(13 * MONTH)));
        assert_eq!(period("All"), Some(None));
        assert_eq!(period("soon"), None);
        assert_eq!(period("0 sec"), None);
        assert_eq!(period("500 ms"), Some(Some(500)));
        assert_eq!(period("300000000000 years"), None);
        assert_eq!(describe(120 * SECOND), "2 minutes");
        assert_eq!(describe(25 * HOUR), "25 hours");
    }
}

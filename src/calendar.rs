//! UTC calendar arithmetic for incremental aggregations: granularities, bucket starts, and the
//! time and period values `WITHIN ... PER ...` accepts. Pure functions of time, shared by the
//! binder (constants, checked at compile time) and the runtime (values computed per event).

use crate::value::Value;
use chrono::{Datelike, TimeZone, Utc};

/// Why a WITHIN or PER value names no range; the text says what to write instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WithinError {
    #[error("WITHIN takes epoch milliseconds or 'YYYY-MM-DD HH:MM:SS' (UTC), not '{0}'")]
    BadTime(String),
    #[error(
        "a single WITHIN value is 'YYYY-MM-DD HH:MM:SS' with trailing fields as ** \
         ('2026-06-** **:**:**' is June 2026), not '{0}'"
    )]
    BadPeriod(String),
    #[error("WITHIN got NULL: give epoch milliseconds or a date")]
    Null,
    #[error("WITHIN takes epoch milliseconds or a date, not {0}")]
    NotATime(String),
    #[error("PER '{per}' is not a granularity; '{aggregation}' has {kept}")]
    NotAGranularity {
        per: String,
        aggregation: String,
        kept: String,
    },
    #[error(
        "{what} here is a constant ('2026-01-01 00:00:00', epoch milliseconds, 'days'), not {text}"
    )]
    NotAConstant { what: &'static str, text: String },
    #[error("PER got {0}: give a granularity such as 'days'")]
    PerNotAString(String),
    #[error("WITHIN got {0}: give a period such as '2026-06-** **:**:**'")]
    PeriodNotAString(String),
    #[error("'{aggregation}' is not aggregated PER '{per}'; it has {kept}")]
    NotKept {
        per: String,
        aggregation: String,
        kept: String,
    },
}

/// Time granularities of an incremental aggregation, finest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Granularity {
    Seconds,
    Minutes,
    Hours,
    Days,
    Months,
    Years,
}

impl Granularity {
    pub const ALL: [Granularity; 6] = [
        Granularity::Seconds,
        Granularity::Minutes,
        Granularity::Hours,
        Granularity::Days,
        Granularity::Months,
        Granularity::Years,
    ];

    /// `sec`, `seconds`, `minute`, ... as the language spells them.
    pub fn parse(word: &str) -> Option<Granularity> {
        Some(match word.to_ascii_lowercase().trim_end_matches('s') {
            "sec" | "second" => Granularity::Seconds,
            "min" | "minute" => Granularity::Minutes,
            "hour" => Granularity::Hours,
            "day" => Granularity::Days,
            "month" => Granularity::Months,
            "year" => Granularity::Years,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Granularity::Seconds => "seconds",
            Granularity::Minutes => "minutes",
            Granularity::Hours => "hours",
            Granularity::Days => "days",
            Granularity::Months => "months",
            Granularity::Years => "years",
        }
    }
}

/// A WITHIN bound: epoch milliseconds, or 'YYYY-MM-DD[ HH:MM:SS]' (UTC).
pub fn within_time(text: &str) -> Result<i64, WithinError> {
    if let Ok(ms) = text.trim().parse::<i64>() {
        return Ok(ms);
    }
    chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S")
        .or_else(|_| {
            chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map(|d| d.and_hms_opt(0, 0, 0).expect("midnight exists"))
        })
        .map(|t| t.and_utc().timestamp_millis())
        .map_err(|_| WithinError::BadTime(text.to_string()))
}

/// One WITHIN value naming a whole period: `'2026-06-15 10:**:**'` is that hour,
/// `'2026-06-** **:**:**'` that month, `'2026-**-** **:**:**'` that year (UTC); without
/// wildcards, that second. The range is [start, end).
pub fn within_period(text: &str) -> Result<(i64, i64), WithinError> {
    let bad = || WithinError::BadPeriod(text.to_string());
    let fields: Vec<&str> = text.trim().split(['-', ' ', ':']).collect();
    if fields.len() != 6 {
        return Err(bad());
    }
    // The first wildcard decides the period; every field after it must be a wildcard too.
    let wild = fields.iter().position(|f| *f == "**").unwrap_or(6);
    if wild == 0 || fields[wild..].iter().any(|f| *f != "**") {
        return Err(bad());
    }
    let mut n = [1u32, 1, 1, 0, 0, 0];
    for (i, f) in fields[..wild].iter().enumerate() {
        n[i] = f.parse().map_err(|_| bad())?;
    }
    let year = i32::try_from(n[0]).map_err(|_| bad())?;
    let start = Utc
        .with_ymd_and_hms(year, n[1], n[2], n[3], n[4], n[5])
        .single()
        .ok_or_else(bad)?;
    let end = match wild {
        1 => start.with_year(start.year() + 1),
        2 => start.checked_add_months(chrono::Months::new(1)),
        3 => start.checked_add_signed(chrono::Duration::days(1)),
        4 => start.checked_add_signed(chrono::Duration::hours(1)),
        5 => start.checked_add_signed(chrono::Duration::minutes(1)),
        _ => start.checked_add_signed(chrono::Duration::seconds(1)),
    }
    .ok_or_else(bad)?;
    Ok((start.timestamp_millis(), end.timestamp_millis()))
}

/// A WITHIN bound computed for one event: a number of milliseconds or a date string.
pub fn within_value(v: &Value) -> Result<i64, WithinError> {
    match v {
        Value::String(s) => within_time(s),
        Value::Null => Err(WithinError::Null),
        other => other
            .as_i64()
            .ok_or_else(|| WithinError::NotATime(format!("{other:?}"))),
    }
}

/// The granularity named by PER; it must be one the aggregation keeps.
pub fn granularity_of(
    per: &str,
    levels: &[Granularity],
    name: &str,
) -> Result<Granularity, WithinError> {
    let kept = || {
        levels
            .iter()
            .map(|g| format!("'{}'", g.name()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let granularity = Granularity::parse(per).ok_or_else(|| WithinError::NotAGranularity {
        per: per.to_string(),
        aggregation: name.to_string(),
        kept: kept(),
    })?;
    if !levels.contains(&granularity) {
        return Err(WithinError::NotKept {
            per: per.to_string(),
            aggregation: name.to_string(),
            kept: kept(),
        });
    }
    Ok(granularity)
}

/// The start (epoch ms, UTC) of the bucket of `g` holding `ts`.
pub fn bucket_start(g: Granularity, ts: i64) -> i64 {
    let fixed = |len: i64| ts.div_euclid(len) * len;
    match g {
        Granularity::Seconds => fixed(1000),
        Granularity::Minutes => fixed(60_000),
        Granularity::Hours => fixed(3_600_000),
        Granularity::Days => fixed(86_400_000),
        Granularity::Months | Granularity::Years => {
            let Some(t) = Utc.timestamp_millis_opt(ts).single() else {
                return ts;
            };
            let month = if g == Granularity::Months {
                t.month()
            } else {
                1
            };
            Utc.with_ymd_and_hms(t.year(), month, 1, 0, 0, 0)
                .single()
                .map_or(ts, |d| d.timestamp_millis())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Epoch milliseconds of a UTC date and time.
    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> i64 {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, s)
            .unwrap()
            .timestamp_millis()
    }

    #[test]
    fn buckets_follow_the_calendar() {
        // 2026-03-15 13:45:30.250 UTC
        let ts = Utc
            .with_ymd_and_hms(2026, 3, 15, 13, 45, 30)
            .unwrap()
            .timestamp_millis()
            + 250;
        assert_eq!(
            bucket_start(Granularity::Seconds, ts),
            at(2026, 3, 15, 13, 45, 30)
        );
        assert_eq!(
            bucket_start(Granularity::Minutes, ts),
            at(2026, 3, 15, 13, 45, 0)
        );
        assert_eq!(
            bucket_start(Granularity::Hours, ts),
            at(2026, 3, 15, 13, 0, 0)
        );
        assert_eq!(
            bucket_start(Granularity::Days, ts),
            at(2026, 3, 15, 0, 0, 0)
        );
        assert_eq!(
            bucket_start(Granularity::Months, ts),
            at(2026, 3, 1, 0, 0, 0)
        );
        assert_eq!(
            bucket_start(Granularity::Years, ts),
            at(2026, 1, 1, 0, 0, 0)
        );
        assert_eq!(bucket_start(Granularity::Seconds, -1), -1000);
    }

    #[test]
    fn a_single_within_value_names_a_period() {
        assert_eq!(
            within_period("2026-02-** **:**:**"),
            Ok((at(2026, 2, 1, 0, 0, 0), at(2026, 3, 1, 0, 0, 0)))
        );
        assert_eq!(
            within_period("2026-**-** **:**:**"),
            Ok((at(2026, 1, 1, 0, 0, 0), at(2027, 1, 1, 0, 0, 0)))
        );
        assert_eq!(
            within_period("2026-12-31 **:**:**"),
            Ok((at(2026, 12, 31, 0, 0, 0), at(2027, 1, 1, 0, 0, 0)))
        );
        assert_eq!(
            within_period("2026-06-15 10:30:**"),
            Ok((at(2026, 6, 15, 10, 30, 0), at(2026, 6, 15, 10, 31, 0)))
        );
        assert_eq!(
            within_period("2026-06-15 10:30:05"),
            Ok((at(2026, 6, 15, 10, 30, 5), at(2026, 6, 15, 10, 30, 6)))
        );
        for bad in [
            "2026-4294967297-** **:**:**",
            "2026-06",
            "2026-**-15 **:**:**",
            "2026-13-** **:**:**",
            "**-**-** **:**:**",
        ] {
            let err = within_period(bad).unwrap_err();
            assert!(
                err.to_string().contains("trailing fields as **"),
                "{bad}: {err}"
            );
        }
    }
}

//! The windows of the language: names, documented signatures and argument binding into a
//! [`WindowSpec`]. The runtime builds each spec into an operator.

use super::{
    attribute, duration, expect_count, key_attributes, positive_int, start_time, time_attribute,
    WinArg, WindowArgError, WindowDef, WindowSpec,
};
use std::sync::Arc;

/// Every window, in documentation order.
pub static WINDOWS: &[WindowDef] = &[
    LENGTH,
    LENGTH_BATCH,
    TIME,
    TIME_BATCH,
    TUMBLING,
    TIME_LENGTH,
    EXTERNAL_TIME,
    EXTERNAL_TIME_BATCH,
    SLIDING,
    DELAY,
    BATCH,
    SORT,
    UNIQUE,
    FIRST_UNIQUE,
    UNIQUE_LENGTH,
    SESSION,
    FREQUENT,
    LOSSY_FREQUENT,
    EXPRESSION,
    CRON,
];

pub const LENGTH: WindowDef = WindowDef {
    name: "length",
    aliases: &[],
    signatures: &["length(n INT)"],
    description: "The last n events. Each arrival beyond n expires the oldest event first.",
    example: "CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);\nINSERT INTO Out SELECT symbol, avg(price) AS ap FROM Trades WINDOW('length', 100) GROUP BY symbol;",
    bind: |args, _| {
        expect_count(args, &[1], "length(n)")?;
        Ok(WindowSpec::Length { n: positive_int(&args[0], "n")? })
    },
};

pub const LENGTH_BATCH: WindowDef = WindowDef {
    name: "lengthBatch",
    aliases: &[],
    signatures: &[
        "lengthBatch(n INT)",
        "lengthBatch(n INT, stream.current.event BOOL)",
    ],
    description: "Batches of n events: when the n-th event arrives the previous batch expires and \
                  the new batch is emitted. With stream.current.event = true each event is emitted \
                  as it arrives, and a full batch expires when the next event arrives (it stays \
                  joinable until then), as in Siddhi.",
    example: "CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);\nINSERT INTO Out SELECT sum(price) AS total FROM Trades WINDOW('lengthBatch', 4);",
    bind: |args, _| {
        expect_count(args, &[1, 2], "lengthBatch(n[, stream.current.event])")?;
        let n = positive_int(&args[0], "n")?;
        let stream_current = match args.get(1) {
            None => false,
            Some(WinArg::Bool(b)) => *b,
            Some(other) => {
                return Err(format!(
                    "stream.current.event must be true or false, got {}",
                    other.describe()
                ).into())
            }
        };
        Ok(WindowSpec::LengthBatch { n, stream_current })
    },
};

pub const TIME: WindowDef = WindowDef {
    name: "time",
    aliases: &[],
    signatures: &["time(t TIME)"],
    description: "Events of the last t on the app clock: each event expires t after it arrived.",
    example: "CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);\nINSERT ALL EVENTS INTO Out SELECT max(price) AS mp FROM Trades WINDOW('time', 1 SECOND);",
    bind: |args, _| {
        expect_count(args, &[1], "time(t)")?;
        Ok(WindowSpec::Time { t: duration(&args[0], "t")? })
    },
};

pub const TIME_BATCH: WindowDef = WindowDef {
    name: "timeBatch",
    aliases: &[],
    signatures: &["timeBatch(t TIME)", "timeBatch(t TIME, start.time BIGINT)"],
    description: "Back-to-back batches of length t on the app clock, as Siddhi's: at each batch end the \
                  previous batch expires and the events of the ending batch are emitted; an empty \
                  batch emits nothing. Batches start at the first event (or on the grid \
                  start.time + k*t). For batches on clock boundaries use tumbling(t).",
    example: "CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);\nINSERT INTO Out SELECT symbol, count() AS c FROM Trades WINDOW('timeBatch', 1 MINUTE) GROUP BY symbol;",
    bind: |args, _| {
        expect_count(args, &[1, 2], "timeBatch(t[, start.time])")?;
        let t = duration(&args[0], "t")?;
        let start = start_time(args.get(1))?;
        Ok(WindowSpec::TimeBatch { t, start })
    },
};

pub const TUMBLING: WindowDef = WindowDef {
    name: "tumbling",
    aliases: &[],
    signatures: &["tumbling(t TIME)"],
    description: "Back-to-back batches of length t aligned to the epoch, so they fall on the clock's \
                  boundaries in UTC (TUMBLING(1 MINUTE) is 12:00-12:01, 12:01-12:02, ...), as in \
                  Flink SQL and ksqlDB. Emits like timeBatch: at each batch end the previous batch \
                  expires and the ending batch is emitted; an empty batch emits nothing. \
                  window_start() and window_end() give a row's batch. timeBatch(t) starts its \
                  batches at the first event instead, as Siddhi does.",
    example: "CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);\nINSERT INTO Out SELECT symbol, count() AS c, window_start() AS minute FROM Trades WINDOW TUMBLING(1 MINUTE) GROUP BY symbol;",
    bind: |args, _| {
        expect_count(args, &[1], "tumbling(t)")?;
        let t = duration(&args[0], "t")?;
        Ok(WindowSpec::TimeBatch { t, start: Some(0) })
    },
};

pub const TIME_LENGTH: WindowDef = WindowDef {
    name: "timeLength",
    aliases: &[],
    signatures: &["timeLength(t TIME, n INT)"],
    description:
        "Events of the last t, at most n of them: an event expires t after it arrived, or \
                  earlier when n newer events have arrived.",
    example: "CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);\nINSERT INTO Out SELECT count() AS n FROM Trades WINDOW('timeLength', 10 SECONDS, 1000);",
    bind: |args, _| {
        expect_count(args, &[2], "timeLength(t, n)")?;
        let t = duration(&args[0], "t")?;
        let n = positive_int(&args[1], "n")?;
        Ok(WindowSpec::TimeLength { t, n })
    },
};

pub const EXTERNAL_TIME: WindowDef = WindowDef {
    name: "externalTime",
    aliases: &[],
    signatures: &["externalTime(ts BIGINT attribute, t TIME)"],
    description: "Like time(t), but time is read from an attribute of the events (milliseconds): an \
                  arrival expires the events at least t older than it. Events with a NULL time are dropped.",
    example: "CREATE STREAM Readings (event_ts BIGINT, v DOUBLE);\nINSERT INTO Out SELECT count() AS n FROM Readings WINDOW('externalTime', event_ts, 5 SECONDS);",
    bind: |args, _| {
        expect_count(args, &[2], "externalTime(ts_attribute, t)")?;
        let ts = time_attribute(&args[0], "the first argument")?;
        let t = duration(&args[1], "t")?;
        Ok(WindowSpec::ExternalTime { ts, t })
    },
};

pub const EXTERNAL_TIME_BATCH: WindowDef = WindowDef {
    name: "externalTimeBatch",
    aliases: &[],
    signatures: &[
        "externalTimeBatch(ts BIGINT attribute, t TIME)",
        "externalTimeBatch(ts BIGINT attribute, t TIME, start.time BIGINT)",
        "externalTimeBatch(ts BIGINT attribute, t TIME, start.time BIGINT, timeout TIME)",
    ],
    description: "Batches of length t by an attribute's time (milliseconds): the first event whose \
                  time reaches the batch end closes the batch (the previous one expires, this one is \
                  emitted). Batches start at the first event's time or on the grid start.time + k*t. With a \
                  timeout, a batch that receives no event for that long (on the app clock) is \
                  emitted without waiting for a later event.",
    example: "CREATE STREAM Payments (paid_at BIGINT, amount DOUBLE);\nINSERT INTO Out SELECT sum(amount) AS total FROM Payments WINDOW('externalTimeBatch', paid_at, 1 HOUR);",
    bind: |args, _| {
        expect_count(
            args,
            &[2, 3, 4],
            "externalTimeBatch(ts_attribute, t[, start.time[, timeout]])",
        )?;
        let ts = time_attribute(&args[0], "the first argument")?;
        let t = duration(&args[1], "t")?;
        let start = start_time(args.get(2))?;
        let timeout = args.get(3).map(|a| duration(a, "timeout")).transpose()?;
        Ok(WindowSpec::ExternalTimeBatch { ts, t, start, timeout })
    },
};

pub const SLIDING: WindowDef = WindowDef {
    name: "sliding",
    aliases: &["hop"],
    signatures: &["sliding(size TIME, slide TIME)", "hop(size TIME, slide TIME)"],
    description: "Overlapping time windows aligned to the epoch: at every multiple of slide (UTC \
                  clock boundaries), the events of the last size are emitted as one batch (the \
                  previous one expires), so aggregations give one result per slide. \
                  window_start() and window_end() give a row's window.",
    example: "CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);\nINSERT INTO Out SELECT symbol, avg(price) AS ap FROM Trades WINDOW SLIDING(10 MINUTES, 1 MINUTE) GROUP BY symbol;",
    bind: |args, _| {
        expect_count(args, &[2], "sliding(size, slide)")?;
        let size = duration(&args[0], "size")?;
        let slide = duration(&args[1], "slide")?;
        Ok(WindowSpec::Sliding { size, slide })
    },
};

pub const DELAY: WindowDef = WindowDef {
    name: "delay",
    aliases: &[],
    signatures: &["delay(t TIME)"],
    description:
        "Holds each event for t, then emits it (as a current event stamped with its release time).",
    example: "CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);\nINSERT INTO Late SELECT * FROM Trades WINDOW('delay', 1 MINUTE);",
    bind: |args, _| {
        expect_count(args, &[1], "delay(t)")?;
        Ok(WindowSpec::Delay { t: duration(&args[0], "t")? })
    },
};

pub const BATCH: WindowDef = WindowDef {
    name: "batch",
    aliases: &[],
    signatures: &["batch()"],
    description: "Each chunk of events that arrives together (one send_batch call, one read of a \
                  source) is a batch; the previous chunk expires when the next arrives.",
    example: "CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);\nINSERT INTO Out SELECT count() AS n FROM Trades WINDOW('batch');",
    bind: |args, _| {
        expect_count(args, &[0], "batch()")?;
        Ok(WindowSpec::Batch)
    },
};

pub const SORT: WindowDef = WindowDef {
    name: "sort",
    aliases: &[],
    signatures: &["sort(n INT, attr[, 'asc'|'desc'], ...more attributes with orders)"],
    description: "Keeps the n events that come first in the given order; an arrival beyond n is \
                  emitted and then the event that sorts last expires (it may be the arrival itself).",
    example: "CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);\nINSERT ALL EVENTS INTO Out SELECT symbol, price FROM Trades WINDOW('sort', 3, price, 'desc');",
    bind: |args, _| {
        if args.len() < 2 {
            return Err(format!(
                "expects sort(n, attr[, 'asc'|'desc'], ...), got {} argument(s)",
                args.len()
            ).into());
        }
        let n = positive_int(&args[0], "n")?;
        let mut keys: Vec<(usize, bool)> = Vec::new();
        let mut i = 1;
        while i < args.len() {
            let (index, _) = attribute(&args[i], "a sort key")?;
            let mut asc = true;
            if let Some(WinArg::Str(order)) = args.get(i + 1) {
                asc = match order.to_ascii_lowercase().as_str() {
                    "asc" => true,
                    "desc" => false,
                    other => {
                        return Err(format!("sort order must be 'asc' or 'desc', got '{other}'").into())
                    }
                };
                i += 1;
            }
            keys.push((index, asc));
            i += 1;
        }
        Ok(WindowSpec::Sort { n, keys })
    },
};

pub const UNIQUE: WindowDef = WindowDef {
    name: "unique",
    aliases: &[],
    signatures: &["unique(key attribute)"],
    description: "The latest event per key: an arrival with a key already held expires the older event first.",
    example: "CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);\nINSERT ALL EVENTS INTO Latest SELECT symbol, price FROM Trades WINDOW('unique', symbol);",
    bind: |args, _| {
        expect_count(args, &[1], "unique(key)")?;
        Ok(WindowSpec::Unique { key: attribute(&args[0], "the key")?.0 })
    },
};

pub const FIRST_UNIQUE: WindowDef = WindowDef {
    name: "firstUnique",
    aliases: &[],
    signatures: &["firstUnique(key attribute)"],
    description: "The first event per key; later events with a key already seen are not emitted.",
    example: "CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);\nINSERT INTO FirstSeen SELECT symbol, price FROM Trades WINDOW('firstUnique', symbol);",
    bind: |args, _| {
        expect_count(args, &[1], "firstUnique(key)")?;
        Ok(WindowSpec::FirstUnique { key: attribute(&args[0], "the key")?.0 })
    },
};

pub const UNIQUE_LENGTH: WindowDef = WindowDef {
    name: "uniqueLength",
    aliases: &[],
    signatures: &["uniqueLength(key attribute, n INT)"],
    description:
        "At most n events with distinct keys: an arrival expires the held event with the same \
                  key, then, beyond n, the oldest.",
    example: "CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);\nINSERT INTO Out SELECT symbol, price FROM Trades WINDOW('uniqueLength', symbol, 10);",
    bind: |args, _| {
        expect_count(args, &[2], "uniqueLength(key, n)")?;
        let key = attribute(&args[0], "the key")?.0;
        let n = positive_int(&args[1], "n")?;
        Ok(WindowSpec::UniqueLength { key, n })
    },
};

pub const SESSION: WindowDef = WindowDef {
    name: "session",
    aliases: &[],
    signatures: &["session(gap TIME)", "session(gap TIME, key attribute)", "session(gap TIME, key attribute, allowed.latency TIME)"],
    description: "Sessions of activity, per key when one is given: events are emitted as they arrive \
                  and a session's events all expire once no event has arrived for gap. With \
                  allowed.latency a closed session waits that much longer for late events, which \
                  join it (as if the gap were gap + allowed.latency).",
    example: "CREATE STREAM Clicks (user STRING, url STRING);\nINSERT ALL EVENTS INTO Out SELECT user, count() AS clicks FROM Clicks WINDOW SESSION(30 SECONDS, user) GROUP BY user;",
    bind: |args, _| {
        expect_count(args, &[1, 2, 3], "session(gap[, key][, allowed.latency])")?;
        let gap = duration(&args[0], "gap")?;
        let allowed_latency = match args.get(2) {
            Some(a) => duration(a, "allowed.latency")?,
            None => 0,
        };
        let key = args.get(1).map(|a| attribute(a, "the key").map(|k| k.0)).transpose()?;
        Ok(WindowSpec::Session { gap, key, allowed_latency })
    },
};

pub const FREQUENT: WindowDef = WindowDef {
    name: "frequent",
    aliases: &[],
    signatures: &["frequent(n INT)", "frequent(n INT, attr, ...)"],
    description: "The latest event of each of the most frequent keys (all attributes, or the given \
                  ones), found with Misra-Gries counting over at most n counters. A known key's \
                  arrival replaces (expires) its previous event. A new key when all n counters are \
                  taken decrements every counter, expiring the events whose counter reaches zero, \
                  and is itself dropped.",
    example: "CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);\nINSERT ALL EVENTS INTO Hot SELECT symbol, price FROM Trades WINDOW('frequent', 2, symbol);",
    bind: |args, cx| {
        if args.is_empty() {
            return Err("expects frequent(n[, attr, ...]), got 0 argument(s)".into());
        }
        let n = positive_int(&args[0], "n")?;
        let keys = key_attributes(&args[1..], cx.schema)?;
        Ok(WindowSpec::Frequent { n, keys })
    },
};

pub const LOSSY_FREQUENT: WindowDef = WindowDef {
    name: "lossyFrequent",
    aliases: &[],
    signatures: &["lossyFrequent(support DOUBLE)", "lossyFrequent(support DOUBLE, error DOUBLE)", "lossyFrequent(support DOUBLE, error DOUBLE, attr, ...)"],
    description: "Lossy counting: an arrival is emitted when its key (all attributes, or the given \
                  ones) has been seen in at least (support - error) of all events so far. Counters \
                  are pruned every 1/error events, expiring the latest event of each key that fell \
                  below the threshold. error defaults to support / 10.",
    example: "CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);\nINSERT ALL EVENTS INTO Hot SELECT symbol, price FROM Trades WINDOW('lossyFrequent', 0.1, 0.01, symbol);",
    bind: |args, cx| {
        if args.is_empty() {
            return Err(
                "expects lossyFrequent(support[, error][, attr, ...]), got 0 argument(s)".into(),
            );
        }
        let fraction = |a: &WinArg, what: &str| -> Result<f64, WindowArgError> {
            match a {
                WinArg::Double(x) if *x > 0.0 && *x < 1.0 => Ok(*x),
                other => Err(format!(
                    "{what} must be a number between 0 and 1, got {}",
                    other.describe()
                )
                .into()),
            }
        };
        let support = fraction(&args[0], "support")?;
        let mut rest = &args[1..];
        let error = match rest.first() {
            Some(a @ WinArg::Double(_)) => {
                rest = &rest[1..];
                fraction(a, "error")?
            }
            _ => support / 10.0,
        };
        if error >= support {
            return Err(format!(
                "error ({error}) must be smaller than support ({support})"
            ).into());
        }
        let keys = key_attributes(rest, cx.schema)?;
        Ok(WindowSpec::LossyFrequent { support, error, keys })
    },
};

pub const EXPRESSION: WindowDef = WindowDef {
    name: "expression",
    aliases: &[],
    signatures: &["expression(condition STRING)"],
    description: "Holds the newest events for which a condition over aggregates of the window \
                  holds, such as 'count() <= 20' or 'sum(volume) < 10000': each arrival is added, \
                  then the oldest events expire until the condition is true again.",
    example: "CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);\nINSERT INTO Out SELECT symbol, sum(volume) AS v FROM Trades WINDOW('expression', 'sum(volume) <= 1000') GROUP BY symbol;",
    bind: |args, cx| {
        expect_count(args, &[1], "expression(condition)")?;
        let WinArg::Str(text) = &args[0] else {
            return Err(format!(
                "the condition must be a string such as 'count() <= 20', got {}",
                args[0].describe()
            ).into());
        };
        super::expression::bind_condition(text, cx)
    },
};

pub const CRON: WindowDef = WindowDef {
    name: "cron",
    aliases: &[],
    signatures: &["cron(expression STRING)"],
    description: "Batches that close on a cron schedule, read on the app clock in UTC: at each \
                  firing the previous batch expires and the events that arrived since the last \
                  firing are emitted; an empty batch emits nothing. The expression has seconds: \
                  'sec min hour day-of-month month day-of-week [year]', e.g. '*/5 * * * * *' \
                  (every 5 seconds) or '0 0 * * * *' (every hour).",
    example: "CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);\nINSERT INTO Out SELECT symbol, sum(volume) AS v FROM Trades WINDOW('cron', '0 * * * * *') GROUP BY symbol;",
    bind: |args, _| {
        expect_count(args, &[1], "cron(expression)")?;
        let WinArg::Str(text) = &args[0] else {
            return Err(format!(
                "the expression must be a string such as '*/5 * * * * *', got {}",
                args[0].describe()
            ).into());
        };
        let schedule = <cron::Schedule as std::str::FromStr>::from_str(text).map_err(|e| {
            format!(
                "'{text}' is not a cron expression ({e}); expected 'sec min hour day-of-month month day-of-week [year]'"
            )
        })?;
        Ok(WindowSpec::Cron { schedule: Arc::new(schedule) })
    },
};

//! The window and aggregate reference pages, generated from the window catalog and the
//! aggregate library so the docs cannot drift from the code.

use super::{windows, NOT_YET};

/// The window and aggregate reference in Markdown, generated from the registries so the docs
/// cannot drift from the code: (file stem, page), an `index` page first, then one page per
/// window.
pub fn reference_pages() -> Vec<(String, String)> {
    use std::fmt::Write;
    let mut index = String::from("# Windows and aggregates\n\n");
    index.push_str(
        "A window decides which events a query holds: `FROM S WINDOW('name', args...)`, or the \
         aliases `WINDOW TUMBLING(t)`, `WINDOW SLIDING(size, slide)` / `HOP(size, slide)`, \
         `WINDOW SESSION(gap[, key])`. Time arguments are literals such as `500 MILLISECONDS`, \
         `5 SECONDS`, `1 MINUTE`, `2 HOURS`, `1 DAY`. `WHERE` filters events before they enter \
         the window.\n\n\
         Windows emit *current* events as they arrive and *expired* events as they leave; in one \
         chunk an expired event comes before the arrival that pushed it out. `INSERT INTO` \
         forwards current events, `INSERT EXPIRED EVENTS INTO` expired ones, `INSERT ALL EVENTS \
         INTO` both. Batch windows emit the previous batch as expired, then the new batch; an \
         aggregation over a batch window emits one row per group per batch (groups in first-seen \
         order): with `INSERT ALL EVENTS`, a group of the batch that left gets its expired row \
         only when the new batch has no row for it (as in Siddhi), and over a sliding window one \
         row per arriving or expiring event. Time windows \
         read only the app clock, so replays (`eventflux replay`/`test`, `@app:playback`) are \
         repeatable. When the input ends (every source reached its end, or a replay's last line), time moves on to settle what windows hold: open batches close, held events expire, pending `WITHIN` deadlines and absent waits fire, each timer once (as Flink's final watermark does; triggers do not run on). An app stopped while input still flows, or run with `--no-final-flush`, leaves them unemitted and says how many events its windows held.\n\n\
         | window | signatures |\n|---|---|\n",
    );
    let mut pages = Vec::new();
    for w in windows() {
        let sigs = w
            .signatures
            .iter()
            .map(|s| format!("`{}`", s.replace('|', "\\|")))
            .collect::<Vec<_>>()
            .join("<br>");
        let _ = writeln!(index, "| [{}]({}.md) | {sigs} |", w.name, w.name);
        let mut page = format!("# {}\n\n{}\n\n", w.name, w.description);
        let _ = writeln!(page, "Signatures:\n");
        for sig in w.signatures {
            let _ = writeln!(page, "- `{sig}`");
        }
        if !w.aliases.is_empty() {
            let _ = writeln!(
                page,
                "\nAlso written: {}.",
                w.aliases
                    .iter()
                    .map(|s| format!("`{s}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        let _ = writeln!(page, "\nExample:\n\n```sql\n{}\n```\n\nSee [windows and aggregates](index.md) for how windows emit.", w.example);
        pages.push((w.name.to_string(), page));
    }
    if !NOT_YET.is_empty() {
        let _ = writeln!(
            index,
            "\nNot supported yet: {} (a compile error says so).",
            NOT_YET
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    index.push_str("\n## Aggregate functions\n\nAggregates update incrementally on every arrival and expiry. NULLs are skipped by every aggregate except `count()`; `sum`, `avg`, `min` and `max` of an empty window are NULL. `COUNT(DISTINCT x)` is `distinctCount(x)`.\n\n| function | result | meaning |\n|---|---|---|\n");
    for a in crate::functions::aggregate::AGGREGATES {
        let (call, result) = a.signature.split_once(" -> ").unwrap_or((a.signature, ""));
        let _ = writeln!(index, "| `{call}` | {result} | {} |", a.description);
    }
    pages.insert(0, ("index".to_string(), index));
    pages
}

/// The whole reference on one page: the overview and aggregate table, then a section per window.
pub fn reference_markdown() -> String {
    let pages = reference_pages();
    let mut out = String::new();
    for (i, (_, page)) in pages.iter().enumerate() {
        if i == 0 {
            out.push_str(page);
            continue;
        }
        out.push('\n');
        for line in page.lines() {
            if line.starts_with("See [windows and aggregates]") {
                continue;
            }
            // Each window's page becomes a section; its links point within this page.
            let line = line.replace("](index.md)", "](#windows-and-aggregates)");
            if let Some(title) = line.strip_prefix("# ") {
                out.push_str(&format!("## {title}\n"));
            } else {
                out.push_str(&line);
                out.push('\n');
            }
        }
    }
    for w in windows() {
        out = out.replace(
            &format!("]({}.md)", w.name),
            &format!("](#{})", w.name.to_ascii_lowercase()),
        );
    }
    out
}

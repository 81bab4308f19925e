//! `GET /metrics`: the apps' counters in the Prometheus text format (prometheus-client). The
//! registry is built from `App::stats()` at each scrape, so the hot path keeps its batch-level
//! counters and pays nothing for being watched.

use crate::runtime::app::App;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::{Registry, Unit};
use std::sync::atomic::AtomicU64;
use std::time::Instant;

type Labels = Vec<(&'static str, String)>;

/// The text exposition of every app's metrics.
pub fn render(apps: &[std::sync::Arc<App>], started: Instant) -> String {
    let stream_events = Family::<Labels, Counter>::default();
    let connector_events = Family::<Labels, Counter>::default();
    let connector_errors = Family::<Labels, Counter>::default();
    let connector_dropped = Family::<Labels, Counter>::default();
    let connector_dlq = Family::<Labels, Counter>::default();
    let held = Family::<Labels, Gauge>::default();
    let failed = Family::<Labels, Gauge>::default();
    for app in apps {
        let name = app.name().to_string();
        let stats = app.stats();
        for (stream, n) in &stats.streams {
            stream_events
                .get_or_create(&vec![("app", name.clone()), ("stream", stream.clone())])
                .inc_by(*n);
        }
        let roles = [("source", &stats.sources), ("sink", &stats.sinks)];
        for (role, list) in roles {
            for c in list {
                let labels = vec![
                    ("app", name.clone()),
                    ("connector", c.label.clone()),
                    ("role", role.to_string()),
                ];
                connector_events.get_or_create(&labels).inc_by(c.events);
                connector_errors.get_or_create(&labels).inc_by(c.errors);
                connector_dropped.get_or_create(&labels).inc_by(c.dropped);
                connector_dlq.get_or_create(&labels).inc_by(c.dead_lettered);
            }
        }
        let app_label = vec![("app", name.clone())];
        held.get_or_create(&app_label)
            .set(i64::try_from(stats.held_in_windows).unwrap_or(i64::MAX));
        failed
            .get_or_create(&app_label)
            .set(i64::from(stats.failure.is_some()));
    }
    let mut registry = Registry::with_prefix("eventflux");
    // prometheus-client adds the `_total` suffix to counters itself.
    registry.register(
        "stream_events",
        "Events published into a stream",
        stream_events,
    );
    registry.register(
        "connector_events",
        "Events a source emitted or a sink delivered",
        connector_events,
    );
    registry.register(
        "connector_errors",
        "Payloads or batches a connector failed on",
        connector_errors,
    );
    registry.register(
        "connector_dropped",
        "Events a connector dropped (error strategy or full buffer)",
        connector_dropped,
    );
    registry.register(
        "connector_dead_lettered",
        "Events routed to a dead-letter stream",
        connector_dlq,
    );
    registry.register(
        "window_events_held",
        "Events the app's windows hold right now",
        held,
    );
    registry.register(
        "app_failed",
        "1 when a connector with error.strategy='fail' stopped the app",
        failed,
    );
    let uptime: Gauge<f64, AtomicU64> = Gauge::default();
    uptime.set(started.elapsed().as_secs_f64());
    registry.register_with_unit(
        "process_uptime",
        "Time since the server started",
        Unit::Seconds,
        uptime,
    );
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = encode(&mut out, &registry);
    prometheus_text(&out)
}

/// OpenMetrics text (what prometheus-client writes) as the Prometheus 0.0.4 text format that
/// every scraper and `promtool check metrics` read: a counter's HELP and TYPE lines name the
/// sample (`x_total`), and there is no `# EOF`.
fn prometheus_text(openmetrics: &str) -> String {
    let mut counters = std::collections::HashSet::new();
    for line in openmetrics.lines() {
        if let Some(name) = line
            .strip_prefix("# TYPE ")
            .and_then(|r| r.strip_suffix(" counter"))
        {
            counters.insert(name.to_string());
        }
    }
    let mut out = String::with_capacity(openmetrics.len());
    for line in openmetrics.lines() {
        if line == "# EOF" {
            continue;
        }
        let renamed = ["# HELP ", "# TYPE "].iter().find_map(|prefix| {
            let rest = line.strip_prefix(prefix)?;
            let (name, tail) = rest.split_once(' ')?;
            counters
                .contains(name)
                .then(|| format!("{prefix}{name}_total {tail}"))
        });
        out.push_str(renamed.as_deref().unwrap_or(line));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::prometheus_text;

    #[test]
    fn counters_are_named_by_their_samples() {
        let om = "# HELP a_x Things.\n# TYPE a_x counter\na_x_total{k=\"v\"} 3\n# HELP g A gauge.\n# TYPE g gauge\ng 1\n# EOF\n";
        assert_eq!(
            prometheus_text(om),
            "# HELP a_x_total Things.\n# TYPE a_x_total counter\na_x_total{k=\"v\"} 3\n# HELP g A gauge.\n# TYPE g gauge\ng 1\n"
        );
    }
}

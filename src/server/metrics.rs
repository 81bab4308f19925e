//! `GET /metrics`: every app's counters, the ingest streams and the process in the Prometheus
//! text format (prometheus-client). The registry is built from the apps' counters at each
//! scrape, so the hot path keeps its batch-level counters and pays nothing for being watched.
//! [`METRICS`] is the one list of what is exported; the docs page is generated from it.

use super::deploy::Deployed;
use crate::connector::ingest;
use crate::runtime::metrics::{HistogramSnapshot, LATENCY_BUCKETS};
use parking_lot::Mutex;
use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::{EncodeMetric, MetricEncoder, NoLabelSet};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::{MetricType, TypedMetric};
use prometheus_client::registry::{Registry, Unit};
use std::collections::HashMap;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Instant;

type Labels = Vec<(&'static str, String)>;
type FloatGauge = Gauge<f64, AtomicU64>;

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Counter,
    Gauge,
    Histogram,
}

/// One exported family: its name without prefix and suffixes, kind, unit, labels and help.
pub struct MetricDesc {
    name: &'static str,
    kind: Kind,
    seconds: bool,
    labels: &'static str,
    help: &'static str,
}

const fn m(
    name: &'static str,
    kind: Kind,
    seconds: bool,
    labels: &'static str,
    help: &'static str,
) -> MetricDesc {
    MetricDesc {
        name,
        kind,
        seconds,
        labels,
        help,
    }
}

const CONN: &str = "app, connector, role, type";

/// Everything `/metrics` exports.
pub const METRICS: &[MetricDesc] = &[
    m(
        "stream_events",
        Kind::Counter,
        false,
        "app, stream",
        "Events published into a stream",
    ),
    m(
        "stream_batches",
        Kind::Counter,
        false,
        "app, stream",
        "Batches published into a stream",
    ),
    m(
        "query_events_in",
        Kind::Counter,
        false,
        "app, query",
        "Events a query received",
    ),
    m(
        "query_events_out",
        Kind::Counter,
        false,
        "app, query",
        "Events a query emitted",
    ),
    m(
        "query_latency",
        Kind::Histogram,
        true,
        "app, query",
        "Time a query itself spent on a batch (downstream queries not included)",
    ),
    m(
        "connector_events",
        Kind::Counter,
        false,
        CONN,
        "Events a source emitted or a sink delivered",
    ),
    m(
        "connector_bytes",
        Kind::Counter,
        false,
        CONN,
        "Bytes a connector read or wrote on the wire, where it counts them",
    ),
    m(
        "connector_errors",
        Kind::Counter,
        false,
        "app, connector, role, type, kind",
        "Connector errors by kind: transient (retrying can help) or permanent",
    ),
    m(
        "connector_retries",
        Kind::Counter,
        false,
        CONN,
        "Retries of failed deliveries (error.strategy='retry')",
    ),
    m(
        "connector_reconnects",
        Kind::Counter,
        false,
        CONN,
        "Connections made again after a loss",
    ),
    m(
        "connector_dropped",
        Kind::Counter,
        false,
        CONN,
        "Events a connector dropped (error strategy or full buffer)",
    ),
    m(
        "connector_dead_lettered",
        Kind::Counter,
        false,
        CONN,
        "Events routed to a dead-letter stream",
    ),
    m(
        "connector_state",
        Kind::Gauge,
        false,
        CONN,
        "0 starting, 1 running, 2 reconnecting, 3 failed, 4 stopped",
    ),
    m(
        "connector_healthy",
        Kind::Gauge,
        false,
        CONN,
        "1 when the connector is running and its last health check passed",
    ),
    m(
        "sink_buffer_events",
        Kind::Gauge,
        false,
        CONN,
        "Events waiting in a sink's buffer",
    ),
    m(
        "sink_buffer_capacity_events",
        Kind::Gauge,
        false,
        CONN,
        "Size of a sink's buffer (buffer.size)",
    ),
    m(
        "sink_buffer_pool_hit_ratio",
        Kind::Gauge,
        false,
        CONN,
        "Share of encode buffers a file sink's pool served without allocating",
    ),
    m(
        "window_events_held",
        Kind::Gauge,
        false,
        "app",
        "Events the app's windows hold right now",
    ),
    m(
        "partition_keys",
        Kind::Gauge,
        false,
        "app, partition",
        "Keys with live state in a partition",
    ),
    m(
        "table_rows",
        Kind::Gauge,
        false,
        "app, table",
        "Rows a table holds",
    ),
    m(
        "app_failed",
        Kind::Gauge,
        false,
        "app",
        "1 when a connector with error.strategy='fail' stopped the app",
    ),
    m(
        "ingest_bytes",
        Kind::Counter,
        false,
        "id, type",
        "Bytes a media ingest stream received",
    ),
    m(
        "ingest_frames",
        Kind::Counter,
        false,
        "id, type",
        "Frames a media ingest stream assembled",
    ),
    m(
        "ingest_lost_packets",
        Kind::Counter,
        false,
        "id, type",
        "Packets a media ingest stream lost",
    ),
    m(
        "process_cpu",
        Kind::Counter,
        true,
        "",
        "CPU time the process used (user and system)",
    ),
    m(
        "process_resident_memory_bytes",
        Kind::Gauge,
        false,
        "",
        "Resident memory of the process",
    ),
    m(
        "process_threads",
        Kind::Gauge,
        false,
        "",
        "Threads of the process",
    ),
    m(
        "process_uptime",
        Kind::Gauge,
        true,
        "",
        "Time since the server started",
    ),
];

/// (exported name, type, labels, help) of every family, for the docs.
pub fn catalog() -> Vec<(String, &'static str, &'static str, &'static str)> {
    METRICS
        .iter()
        .map(|d| {
            let mut name = format!("eventflux_{}", d.name);
            if d.seconds {
                name.push_str("_seconds");
            }
            if d.kind == Kind::Counter {
                name.push_str("_total");
            }
            let kind = match d.kind {
                Kind::Counter => "counter",
                Kind::Gauge => "gauge",
                Kind::Histogram => "histogram",
            };
            (name, kind, d.labels, d.help)
        })
        .collect()
}

/// A histogram copied from the engine's own, encoded as a Prometheus histogram.
#[derive(Default, Clone, Debug)]
struct Hist(Arc<Mutex<Option<HistogramSnapshot>>>);

impl TypedMetric for Hist {
    const TYPE: MetricType = MetricType::Histogram;
}

impl EncodeMetric for Hist {
    fn encode(&self, mut encoder: MetricEncoder) -> Result<(), std::fmt::Error> {
        let s = self.0.lock();
        let Some(s) = &*s else { return Ok(()) };
        let bounds = LATENCY_BUCKETS.iter().copied().chain([f64::INFINITY]);
        let buckets: Vec<(f64, u64)> = bounds.zip(s.buckets.iter().copied()).collect();
        encoder.encode_histogram::<NoLabelSet>(s.sum_seconds, s.count, &buckets, None)
    }

    fn metric_type(&self) -> MetricType {
        MetricType::Histogram
    }
}

/// The families of one scrape, by name.
#[derive(Default)]
struct Families {
    counters: HashMap<&'static str, Family<Labels, Counter>>,
    gauges: HashMap<&'static str, Family<Labels, FloatGauge>>,
    histograms: HashMap<&'static str, Family<Labels, Hist>>,
}

impl Families {
    fn count(&mut self, name: &'static str, labels: &Labels, v: u64) {
        self.counters
            .entry(name)
            .or_default()
            .get_or_create(labels)
            .inc_by(v);
    }

    fn gauge(&mut self, name: &'static str, labels: &Labels, v: f64) {
        self.gauges
            .entry(name)
            .or_default()
            .get_or_create(labels)
            .set(v);
    }

    fn histogram(&mut self, name: &'static str, labels: &Labels, h: HistogramSnapshot) {
        *self
            .histograms
            .entry(name)
            .or_default()
            .get_or_create(labels)
            .0
            .lock() = Some(h);
    }
}

fn app_metrics(f: &mut Families, d: &Deployed) {
    let app = &d.app;
    let name = d.name.clone();
    let with = |k: &'static str, v: &str| vec![("app", name.clone()), (k, v.to_string())];
    for s in app.streams() {
        f.count("stream_events", &with("stream", &s.name), s.events);
        f.count("stream_batches", &with("stream", &s.name), s.batches);
    }
    for q in app.queries() {
        let l = with("query", &q.name);
        f.count("query_events_in", &l, q.events_in);
        f.count("query_events_out", &l, q.events_out);
        f.histogram("query_latency", &l, q.latency);
    }
    for c in app.connectors() {
        let l: Labels = vec![
            ("app", name.clone()),
            ("connector", c.label.clone()),
            ("role", c.role.name().to_string()),
            ("type", c.kind.clone()),
        ];
        let s = &c.status;
        f.count("connector_events", &l, c.events);
        f.count("connector_bytes", &l, s.bytes);
        for (kind, n) in [
            ("transient", s.transient_errors),
            ("permanent", s.permanent_errors),
        ] {
            let mut k = l.clone();
            k.push(("kind", kind.to_string()));
            f.count("connector_errors", &k, n);
        }
        f.count("connector_retries", &l, s.retries);
        f.count("connector_reconnects", &l, s.reconnects);
        f.count("connector_dropped", &l, c.dropped);
        f.count("connector_dead_lettered", &l, c.dead_lettered);
        f.gauge("connector_state", &l, f64::from(s.state.code()));
        f.gauge("connector_healthy", &l, f64::from(u8::from(s.is_healthy())));
        if let Some((used, size)) = c.buffer {
            f.gauge("sink_buffer_events", &l, used as f64);
            f.gauge("sink_buffer_capacity_events", &l, size as f64);
        }
        if let Some(rate) = s.pool_hit_rate {
            f.gauge("sink_buffer_pool_hit_ratio", &l, rate);
        }
    }
    let app_label = vec![("app", name.clone())];
    f.gauge(
        "window_events_held",
        &app_label,
        app.stats().held_in_windows as f64,
    );
    for (i, keys) in app.partition_keys().iter().enumerate() {
        f.gauge(
            "partition_keys",
            &with("partition", &i.to_string()),
            *keys as f64,
        );
    }
    for (table, rows) in app.table_sizes() {
        f.gauge("table_rows", &with("table", &table), rows as f64);
    }
    f.gauge(
        "app_failed",
        &app_label,
        f64::from(u8::from(app.failure().is_some())),
    );
}

/// The text exposition of everything in [`METRICS`].
pub fn render(apps: &[Arc<Deployed>], started: Instant) -> String {
    let mut f = Families::default();
    for d in apps {
        app_metrics(&mut f, d);
    }
    for s in ingest::registry().list() {
        let l: Labels = vec![("id", s.id.clone()), ("type", s.kind.to_string())];
        f.count("ingest_bytes", &l, s.bytes);
        f.count("ingest_frames", &l, s.frames);
        f.count("ingest_lost_packets", &l, s.lost);
    }
    if let Some(p) = super::process::current() {
        f.gauge(
            "process_resident_memory_bytes",
            &vec![],
            p.resident_bytes as f64,
        );
        f.gauge("process_threads", &vec![], p.threads as f64);
        // Carried as a gauge here and registered as a float counter below.
        f.gauge("process_cpu", &vec![], p.cpu_seconds);
    }
    f.gauge("process_uptime", &vec![], started.elapsed().as_secs_f64());
    let mut registry = Registry::with_prefix("eventflux");
    for d in METRICS {
        let unit = d.seconds.then_some(Unit::Seconds);
        // prometheus-client adds the `_total` suffix to counters itself.
        match d.kind {
            Kind::Counter if d.name == "process_cpu" => {
                // CPU seconds are fractional: a float counter.
                let Some(g) = f.gauges.remove(d.name) else {
                    continue;
                };
                let c: Counter<f64, AtomicU64> = Counter::default();
                c.inc_by(g.get_or_create(&vec![]).get());
                register(&mut registry, d, unit, c);
            }
            Kind::Counter => {
                if let Some(c) = f.counters.remove(d.name) {
                    register(&mut registry, d, unit, c);
                }
            }
            Kind::Gauge => {
                if let Some(g) = f.gauges.remove(d.name) {
                    register(&mut registry, d, unit, g);
                }
            }
            Kind::Histogram => {
                if let Some(h) = f.histograms.remove(d.name) {
                    register(&mut registry, d, unit, h);
                }
            }
        }
    }
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = encode(&mut out, &registry);
    prometheus_text(&out)
}

fn register(
    registry: &mut Registry,
    d: &MetricDesc,
    unit: Option<Unit>,
    metric: impl prometheus_client::registry::Metric,
) {
    match unit {
        Some(u) => registry.register_with_unit(d.name, d.help, u, metric),
        None => registry.register(d.name, d.help, metric),
    }
}

/// OpenMetrics text (what prometheus-client writes) as the Prometheus 0.0.4 text format that
/// every scraper and `promtool check metrics` read: a counter's HELP and TYPE lines name the
/// sample (`x_total`), and there is no `# EOF` or `# UNIT`.
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
        if line == "# EOF" || line.starts_with("# UNIT ") {
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
        let om = "# HELP a_x Things.\n# TYPE a_x counter\na_x_total{k=\"v\"} 3\n# HELP g A gauge.\n# TYPE g gauge\n# UNIT g seconds\ng 1\n# EOF\n";
        assert_eq!(
            prometheus_text(om),
            "# HELP a_x_total Things.\n# TYPE a_x_total counter\na_x_total{k=\"v\"} 3\n# HELP g A gauge.\n# TYPE g gauge\ng 1\n"
        );
    }

    #[test]
    fn the_catalog_names_follow_prometheus_conventions() {
        for (name, kind, _, _) in super::catalog() {
            assert!(name.starts_with("eventflux_"), "{name}");
            assert_eq!(name.ends_with("_total"), kind == "counter", "{name}");
        }
    }
}

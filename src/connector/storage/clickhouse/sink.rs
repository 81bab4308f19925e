//! The running `clickhouse` sink: routes each batch by table, checks (and creates) tables once,
//! and inserts each table's rows with retries.

use super::config::{Settings, Target};
use super::ddl::{create_sql, quote, valid_table_name};
use super::encode::encode_row;
use super::error::classify;
use super::schema::{plan, Plan};
use crate::connector::error::RetryPolicy;
use crate::connector::net::runtime;
use crate::connector::{ConnectorError, ErrorClass, Health, Rejects, Sink};
use crate::event::Event;
use crate::value::Value;
use bytes::{Bytes, BytesMut};
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Sent as separate compressed blocks, so the server decodes while the rest arrives.
const CHUNK_BYTES: usize = 1 << 20;

/// The server's default `max_insert_block_size`: an INSERT of at most this many rows is one
/// block, written atomically (all rows or none), so retrying it cannot duplicate rows.
const SERVER_BLOCK_ROWS: usize = 1_048_576;

/// While the app stops, unlimited retries end after this many attempts, so shutdown ends.
const STOPPING_ATTEMPTS: u32 = 5;

/// Runs `op` until it succeeds, fails permanently or runs out of attempts.
pub(super) async fn with_retries<T, F, Fut>(
    policy: &RetryPolicy,
    stopping: &AtomicBool,
    mut op: F,
) -> Result<T, ConnectorError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ConnectorError>>,
{
    let mut attempt = 1u32;
    loop {
        let error = match op().await {
            Ok(v) => return Ok(v),
            Err(e) if e.class == ErrorClass::Permanent => return Err(e),
            Err(e) => e,
        };
        let capped = policy.max_attempts < 0
            && stopping.load(Ordering::Acquire)
            && attempt >= STOPPING_ATTEMPTS;
        if !policy.may_retry(attempt) || capped {
            return Err(ConnectorError::transient(format!(
                "{} (after {attempt} attempts)",
                error.message
            )));
        }
        let wait = policy.backoff(attempt);
        log::debug!("clickhouse sink: {error}; retry {attempt} in {wait:?}");
        tokio::time::sleep(wait).await;
        attempt += 1;
    }
}

pub(super) struct ClickHouseSink {
    pub client: clickhouse::Client,
    pub settings: Arc<Settings>,
    /// Tables checked (and created) so far. A table is checked again after a permanent failure,
    /// in case it was fixed meanwhile.
    pub plans: HashMap<String, Arc<Plan>>,
    pub stopping: Arc<AtomicBool>,
    /// The last health check's answer and when it was asked.
    pub pinged: Option<(std::time::Instant, Health)>,
}

/// How often the health check pings the server.
const PING_EVERY: Duration = Duration::from_secs(10);

impl ClickHouseSink {
    /// Groups the batch by table, in order of first appearance.
    pub(super) fn route(
        &self,
        events: &[Event],
        rejects: &mut Rejects,
    ) -> Vec<(String, Vec<usize>)> {
        let attr = match &self.settings.target {
            Target::Table(t) => return vec![(t.clone(), (0..events.len()).collect())],
            Target::By(i) => *i,
        };
        let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
        for (n, event) in events.iter().enumerate() {
            match event.get(attr) {
                Value::String(s) if valid_table_name(s) => {
                    match groups.iter_mut().find(|(t, _)| **t == **s) {
                        Some((_, members)) => members.push(n),
                        None => groups.push((s.to_string(), vec![n])),
                    }
                }
                other => rejects.reject(
                    n,
                    ConnectorError::permanent(format!(
                        "attribute '{}' (table.by) is {}, which is no table name (letters, \
                         digits and _ only)",
                        self.settings.columns[attr].name,
                        if other.is_null() {
                            "NULL".to_string()
                        } else {
                            format!("'{other}'")
                        }
                    )),
                ),
            }
        }
        groups
    }

    /// The table's plan: checked (and created) once, then cached.
    async fn plan_for(&mut self, table: &str) -> Result<Arc<Plan>, ConnectorError> {
        if let Some(p) = self.plans.get(table) {
            return Ok(p.clone());
        }
        let (client, settings) = (&self.client, &*self.settings);
        let p = with_retries(&settings.retry, &self.stopping, || {
            fetch_plan(client, settings, table)
        })
        .await?;
        let p = Arc::new(p);
        self.plans.insert(table.to_string(), p.clone());
        Ok(p)
    }

    /// Inserts the events at `indices` into `table`; rows that fail go to `rejects`.
    async fn deliver(
        &mut self,
        table: &str,
        events: &[Event],
        indices: &[usize],
        rejects: &mut Rejects,
    ) {
        let plan = match self.plan_for(table).await {
            Ok(p) => p,
            Err(e) => {
                for &i in indices {
                    rejects.reject(i, e.clone());
                }
                return;
            }
        };
        let mut body = BytesMut::new();
        let mut sent = Vec::with_capacity(indices.len());
        for &i in indices {
            let start = body.len();
            match encode_row(&plan, &events[i], &mut body) {
                Ok(()) => sent.push(i),
                Err(why) => {
                    body.truncate(start);
                    rejects.reject(
                        i,
                        ConnectorError::permanent(format!("table {}: {why}", quote(table))),
                    );
                }
            }
        }
        if sent.is_empty() {
            return;
        }
        let body = body.freeze();
        let (client, settings) = (&self.client, &*self.settings);
        let result = with_retries(&settings.retry, &self.stopping, || {
            insert(client, settings, &plan.sql, body.clone(), sent.len())
        })
        .await;
        if let Err(e) = result {
            if e.class == ErrorClass::Permanent {
                self.plans.remove(table);
            }
            for i in sent {
                rejects.reject(i, e.clone());
            }
        }
    }
}

/// Creates the table if asked, then checks its columns.
pub(super) async fn fetch_plan(
    client: &clickhouse::Client,
    settings: &Settings,
    table: &str,
) -> Result<Plan, ConnectorError> {
    let name = format!("{}.{}", quote(&settings.database), quote(table));
    if settings.create_table {
        let sql = create_sql(settings, table);
        let what = format!("CREATE TABLE {name} at {}", settings.url);
        timed(settings, &what, client.query_raw(&sql).execute()).await?;
    }
    let what = format!("DESCRIBE TABLE {name} at {}", settings.url);
    let described = timed(settings, &what, async {
        client
            .query_raw(&format!("DESCRIBE TABLE {name}"))
            .fetch_bytes("TabSeparated")?
            .collect()
            .await
    })
    .await?;
    plan(settings, table, &String::from_utf8_lossy(&described))
}

/// A query under timeout.ms, its failure classified.
pub(super) async fn timed<T>(
    settings: &Settings,
    what: &str,
    query: impl Future<Output = clickhouse::error::Result<T>>,
) -> Result<T, ConnectorError> {
    match tokio::time::timeout(settings.timeout, query).await {
        Ok(result) => result.map_err(|e| classify(e, what)),
        Err(_) => Err(ConnectorError::transient(format!(
            "{what}: timed out after {:?} (timeout.ms)",
            settings.timeout
        ))),
    }
}

/// One INSERT of an encoded body.
pub(super) async fn insert(
    client: &clickhouse::Client,
    settings: &Settings,
    sql: &str,
    body: Bytes,
    rows: usize,
) -> Result<(), ConnectorError> {
    let what = format!("{} ({rows} rows) at {}", sql, settings.url);
    let mut insert = client
        .insert_formatted_with(sql)
        .with_timeouts(Some(settings.timeout), Some(settings.timeout));
    if rows > SERVER_BLOCK_ROWS {
        // One block per INSERT keeps it atomic.
        insert = insert.with_setting("max_insert_block_size", rows.to_string());
    }
    for start in (0..body.len()).step_by(CHUNK_BYTES) {
        let end = (start + CHUNK_BYTES).min(body.len());
        insert
            .send(body.slice(start..end))
            .await
            .map_err(|e| classify(e, &what))?;
    }
    insert.end().await.map_err(|e| classify(e, &what))
}

impl Sink for ClickHouseSink {
    fn set_stopping(&mut self, stopping: Arc<AtomicBool>) {
        self.stopping = stopping;
    }

    fn max_batch(&self) -> Option<usize> {
        Some(self.settings.batch_size)
    }

    fn linger(&self) -> Duration {
        self.settings.flush_interval
    }

    /// `SELECT 1` against the server, at most every 10 s.
    fn health(&mut self) -> Health {
        if let Some((at, h)) = &self.pinged {
            if at.elapsed() < PING_EVERY {
                return h.clone();
            }
        }
        let what = format!("ping {}", self.settings.url);
        let answer = runtime().block_on(timed(
            &self.settings,
            &what,
            self.client.query("SELECT 1").execute(),
        ));
        let health = match answer {
            Ok(()) => Health::healthy(format!("{} answers", self.settings.url)),
            Err(e) => Health::unhealthy(e.message),
        };
        self.pinged = Some((std::time::Instant::now(), health.clone()));
        health
    }

    fn publish(&mut self, events: &[Event], rejects: &mut Rejects) -> Result<(), ConnectorError> {
        let groups = self.route(events, rejects);
        runtime().block_on(async {
            for (table, indices) in groups {
                self.deliver(&table, events, &indices, rejects).await;
            }
        });
        Ok(())
    }
}

//! The `http` source's poll mode: GETs the URL every `poll.interval.ms` and decodes each answer.

use super::source::PollSettings;
use crate::connector::net::tls_client_config;
use crate::connector::{ConnectorError, SourceContext};
use std::time::Duration;

const STOP_CHECK: Duration = Duration::from_millis(100);

pub(super) async fn poll(
    settings: PollSettings,
    ctx: &mut SourceContext,
) -> Result<(), ConnectorError> {
    let client = reqwest::Client::builder()
        .tls_backend_preconfigured((*tls_client_config()).clone())
        .timeout(settings.timeout)
        .default_headers(settings.headers)
        .build()
        .map_err(|e| {
            ConnectorError::permanent(format!("http source: cannot build the client: {e}"))
        })?;
    let mut ticks = tokio::time::interval(settings.interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut check = tokio::time::interval(STOP_CHECK);
    while ctx.is_running() {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = check.tick() => continue,
        }
        let answer = match client.get(&settings.url).send().await {
            Ok(r) if r.status().is_success() => r.bytes().await.map_err(|e| e.to_string()),
            Ok(r) => Err(format!("answered HTTP {}", r.status())),
            Err(e) => Err(e.to_string()),
        };
        match answer {
            Ok(body) if body.is_empty() => {}
            Ok(body) => {
                // A bad answer is counted and handed to the error strategy by the engine.
                let _ = ctx.emit_payload_checked(&body);
            }
            Err(msg) => ctx.report_error(
                &ConnectorError::transient(format!("http source: GET {}: {msg}", settings.url)),
                None,
            ),
        }
    }
    Ok(())
}

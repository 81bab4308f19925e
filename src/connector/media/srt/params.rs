//! The parameters of the `srt` source, each declared once, and the settings read from them.

use crate::connector::config::{ConfigError, ConnectorConfig};
use crate::connector::media::outbox::BufferSettings;
use crate::connector::param::{Param, Required};
use std::time::Duration;

pub(super) const HOST: Param<&'static str> = crate::connector::param::LISTEN_HOST;

pub(super) const PORT: Param<Required<u16>> = Param::required(
    "port",
    "UDP port of the SRT listener (callers dial srt://host:port?mode=caller).",
    "30000",
);

pub(super) const LATENCY_MS: Param<Duration> = Param::optional(
    "latency.ms",
    Duration::from_millis(120),
    "SRT receive latency: how long SRT may wait to recover lost packets before giving up on \
     them (the higher of this and the caller's is used).",
    "200",
);

pub(super) const PASSPHRASE: Param<Option<String>> = Param::optional(
    "passphrase",
    None,
    "AES encryption: callers must use the same passphrase (10 to 79 characters); callers \
     without one, or with another, are refused and counted. Write ${VAR} to take it from the \
     environment. Never logged.",
    "${SRT_PASS}",
);

pub(super) const MAX_CONNECTIONS: Param<usize> = Param::optional(
    "max.connections",
    16,
    "Callers at once; more are refused (SRT reject reason Overload) and counted.",
    "25",
);

pub(super) const ALLOWED_STREAM_IDS: Param<Option<String>> = Param::optional(
    "allowed.stream.ids",
    None,
    "Comma-separated SRT stream ids accepted (others are refused, reason Forbidden); default: \
     any, and callers without a stream id too.",
    "cam1,cam2",
);

pub(super) const EMIT_INCOMPLETE: Param<bool> = Param::optional(
    "emit.incomplete",
    false,
    "Emit frames that lost TS packets too (their complete attribute is false); by default \
     they are counted and skipped.",
    "true",
);

/// What the listener accepts.
#[derive(Debug, Clone)]
pub(super) struct Settings {
    pub host: String,
    pub port: u16,
    pub latency: Duration,
    pub passphrase: Option<String>,
    pub max_connections: usize,
    pub allowed: Option<Vec<String>>,
    pub emit_incomplete: bool,
    pub buffer: BufferSettings,
}

impl Settings {
    pub fn from_config(config: &ConnectorConfig) -> Result<Settings, ConfigError> {
        let passphrase = PASSPHRASE.get(config).map(str::to_string);
        if let Some(p) = &passphrase {
            if !(10..=79).contains(&p.len()) {
                return Err(ConfigError(format!(
                    "parameter 'passphrase': SRT passphrases are 10 to 79 bytes; this one has {}",
                    p.len()
                )));
            }
        }
        let allowed = ALLOWED_STREAM_IDS.get(config).map(|list| {
            list.split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
        });
        Ok(Settings {
            host: HOST.get(config).to_string(),
            port: PORT.read(config)?,
            latency: LATENCY_MS.read(config)?,
            passphrase,
            max_connections: MAX_CONNECTIONS.read(config)?.max(1),
            allowed,
            emit_incomplete: EMIT_INCOMPLETE.read(config)?,
            buffer: BufferSettings::from_config(config)?,
        })
    }
}

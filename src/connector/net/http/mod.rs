//! HTTP connectors: the `http` (alias `webhook`) sink and source.
//!
//! Files: `sink`, `sink_settings` (its parameters), `url_template` (per-event URLs), `source`
//! (parameters and mode), `receiver` (server mode), `listen` (its connection limits) and
//! `poller` (poll mode).

mod listen;
mod poller;
mod receiver;
mod sink;
mod sink_settings;
mod source;
mod url_template;

pub use sink::HttpSinkFactory;
pub use source::HttpSourceFactory;

//! Network connectors: WebSocket (client and server, source and sink) and HTTP (webhook sink,
//! receiver/poller source). They share one tokio runtime, one TLS configuration and one
//! reconnect backoff, so every network connector behaves the same way under failure.

mod backoff;
mod forwarder;
mod http;
mod runtime;
mod websocket;

pub(crate) use forwarder::fuzz_frames as fuzz_forwarder;

pub use backoff::Backoff;
pub use forwarder::{ForwarderSinkFactory, ForwarderSourceFactory};
pub use http::{HttpSinkFactory, HttpSourceFactory};
pub use runtime::{runtime, tls_client_config};
pub use websocket::{WsServerSinkFactory, WsServerSourceFactory, WsSinkFactory, WsSourceFactory};

//! WebSocket connectors: the `websocket` client (source and sink) and `websocket-server`
//! (source and sink).
//!
//! Files: `client` (the client's parameters, connection and inflation), `source` and `sink` (the
//! client's), `frame` (events as frames), `server` (listening and the handshake),
//! `server_source` and `server_sink`.

mod client;
mod frame;
mod server;
mod server_sink;
mod server_source;
mod sink;
mod source;

pub use server_sink::WsServerSinkFactory;
pub use server_source::WsServerSourceFactory;
pub use sink::WsSinkFactory;
pub use source::WsSourceFactory;

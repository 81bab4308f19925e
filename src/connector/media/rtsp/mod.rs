//! RTSP: the `rtsp` sink serves JPEG video or L16 audio to RTSP clients. The session logic is
//! sans-IO (`session`); packetizing is done once per frame for all clients (`packets`).

mod clients;
mod packets;
mod params;
mod server;
mod session;
mod sink;
mod source;

pub use sink::RtspSinkFactory;
pub use source::RtspSourceFactory;

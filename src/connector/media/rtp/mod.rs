//! `rtp` source: listens for RTP over UDP (a sender pushing H.264 or H.265, such as
//! `ffmpeg -f rtp`), one session per SSRC, and emits one event per assembled frame. The
//! sans-IO work (reordering, depacketizing, frame assembly, codec detection) is in
//! `crate::media`; [`session`] ties it together per sender, [`source`] drives the socket.

mod params;
mod session;
mod source;

pub use source::RtpSourceFactory;

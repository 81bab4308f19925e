//! Media connectors: cameras in, video and audio out. They drive the sans-IO bitstream code in
//! `crate::media` from sockets, on the shared network runtime.

mod fields;
mod mjpeg;
mod outbox;
mod reconnect;
mod rtp;
mod rtsp;
mod srt;
mod stats;

pub use mjpeg::{MjpegSinkFactory, MjpegSourceFactory};
pub use rtp::RtpSourceFactory;
pub(crate) use rtsp::fuzz_rtsp_server;
pub use rtsp::{RtspSinkFactory, RtspSourceFactory};
pub use srt::SrtSourceFactory;

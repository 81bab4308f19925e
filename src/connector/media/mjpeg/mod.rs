//! MJPEG over HTTP: the `mjpeg` source pulls a camera's multipart stream, the `mjpeg` sink
//! serves one to viewers.

mod params;
mod sink;
mod source;
mod viewers;

pub use sink::MjpegSinkFactory;
pub use source::MjpegSourceFactory;

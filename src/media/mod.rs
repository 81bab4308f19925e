//! Sans-IO bitstream work for video and audio: bytes and time in, frames and packets out. No
//! sockets and no async runtime here, so every piece is unit- and property-tested; connectors
//! own the I/O and call into these modules.

pub mod adts;
pub mod annexb;
pub mod av1;
pub mod av_sync;
pub mod codec;
pub mod detect;
pub mod gop_queue;
pub mod h26x;
pub mod image;
pub mod jpeg;
pub mod jpeg_tables;
pub mod jpeg_xs;
pub mod l16;
pub mod multipart;
pub mod nal;
#[cfg(test)]
mod nal_props;
pub mod reorder;
pub mod rfc2435;
pub mod rtcp;
pub mod rtp;
pub mod sdp;
pub mod sdp_in;
pub mod timestamp;
pub mod ts;
pub mod video_frames;

#[cfg(test)]
pub(crate) mod test_util;

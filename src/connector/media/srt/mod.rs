//! `srt` source: an SRT listener (srt-tokio) that callers push MPEG-TS into (ffmpeg, OBS,
//! encoders, `srt-live-transmit`). Each caller is one stream, named by its SRT stream id (else
//! its address), accepted or refused by its stream id, its passphrase and the connection limit.
//! Its TS is demultiplexed (`crate::media::ts`) into access units, one event each.

mod caller;
mod params;
mod source;

pub use source::SrtSourceFactory;

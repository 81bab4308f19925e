//! Entry points for fuzzers: each takes bytes from outside, exactly as a peer, a file or a user
//! could hand them over, and must return without panicking and without allocating beyond what
//! the input holds. The `cargo fuzz` targets in `fuzz/` call these with libFuzzer's inputs; the
//! bounded property test `tests/fuzz_inputs.rs` calls them on stable with random inputs and
//! with every file of the corpus kept in `fuzz/corpus/` (the crashers found so far among them).

use crate::connector::builtins;
use crate::connector::config::MapperConfig;
use crate::media;
use crate::schema::Schema;
use crate::value::AttrType;
use crate::Engine;
use bytes::Bytes;

/// A fuzz target: bytes in, nothing out but no panic.
pub type Target = fn(&[u8]);

/// Every target by name, as `fuzz/fuzz_targets` and the corpus folders name them.
pub const TARGETS: &[(&str, Target)] = &[
    ("sql", sql),
    ("mapper_json", |d| mapper("json", d)),
    ("mapper_csv", |d| mapper("csv", d)),
    ("mapper_text", |d| mapper("text", d)),
    ("mapper_binary", |d| mapper("binary", d)),
    ("mapper_bytes", |d| mapper("bytes", d)),
    ("replay_json", replay_json),
    ("row_codec", row_codec),
    ("binary_log", binary_log),
    ("forwarder", forwarder),
    ("rtsp_server", rtsp_server),
    ("rtp_depacketizers", rtp_depacketizers),
    ("media_parsers", media_parsers),
    ("multipart", multipart),
];

/// The stream every decoder target decodes into: one attribute of each type.
fn schema() -> Schema {
    Schema::of(
        "S",
        &[
            ("i", AttrType::Int),
            ("l", AttrType::Long),
            ("d", AttrType::Double),
            ("f", AttrType::Float),
            ("b", AttrType::Bool),
            ("s", AttrType::String),
            ("y", AttrType::Bytes),
        ],
    )
}

/// An app's text through the whole front end: parse, bind, plan, and the error's rendering.
pub fn sql(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Err(e) = Engine::new().compile(&text) {
        let _ = e.to_string();
    }
}

/// A payload through a source mapper of `kind` with its default parameters.
pub fn mapper(kind: &str, data: &[u8]) {
    let Some(factory) = builtins::mappers()
        .into_iter()
        .find(|m| m.spec().name == kind)
    else {
        return;
    };
    let config = MapperConfig::with_defaults(kind, &factory.spec());
    if let Ok(mut m) = factory.source_mapper(&config, &schema()) {
        let mut rows = Vec::new();
        let _ = m.decode(&Bytes::copy_from_slice(data), &mut rows);
    }
}

/// A replay line's `data` object, as `eventflux replay` maps it.
pub fn replay_json(data: &[u8]) {
    if let Ok(json) = serde_json::from_slice::<serde_json::Value>(data) {
        let _ = crate::json::row(&schema(), &json);
    }
}

/// One row in the `binary` row encoding (binary log records, forwarder batches).
pub fn row_codec(data: &[u8]) {
    let _ = crate::connector::storage::codec::decode_row(&Bytes::copy_from_slice(data));
}

/// A whole binary log file (`eventflux read`, the `binary` source), header included.
pub fn binary_log(data: &[u8]) {
    let input = Box::new(std::io::Cursor::new(data.to_vec()));
    if let Ok(reader) = crate::connector::storage::binary::BinaryReader::from_reader(input) {
        // Each record consumes bytes, so this ends; the bound is for a corpus of huge files.
        for r in reader.take(100_000) {
            if r.is_err() {
                break;
            }
        }
    }
}

/// What a forwarder receiver reads from a sender: frames, the HELLO, batch bodies.
pub fn forwarder(data: &[u8]) {
    crate::connector::net::fuzz_forwarder(data, &schema());
}

/// What an RTSP client sends the `rtsp` sink's server: requests through the session.
pub fn rtsp_server(data: &[u8]) {
    crate::connector::media::fuzz_rtsp_server(data);
}

/// RTP packets (each behind a 2-byte big-endian length, as interleaved in RTSP) through every
/// depacketizer and frame assembler, then flushed.
pub fn rtp_depacketizers(data: &[u8]) {
    use media::nal::NalFormat;
    let mut h264 = media::video_frames::FrameAssembler::new(NalFormat::H264);
    let mut h265 = media::video_frames::FrameAssembler::new(NalFormat::H265);
    let mut av1 = media::av1::Av1Depacketizer::new();
    let mut xs = media::jpeg_xs::JpegXsDepacketizer::new();
    let mut jpeg = media::rfc2435::JpegDepacketizer::new();
    let mut detect = media::detect::CodecDetector::default();
    let (mut frames, mut units, mut xs_frames) = (Vec::new(), Vec::new(), Vec::new());
    let mut rest = data;
    let mut last_sequence: Option<u16> = None;
    while rest.len() >= 2 {
        let len = usize::from(u16::from_be_bytes([rest[0], rest[1]]));
        let packet = &rest[2..(2 + len).min(rest.len())];
        rest = &rest[(2 + len).min(rest.len())..];
        let Ok((h, payload)) = media::rtp::read_packet(packet) else {
            continue;
        };
        let gap = last_sequence.is_some_and(|s| s.wrapping_add(1) != h.sequence);
        last_sequence = Some(h.sequence);
        let shared = Bytes::copy_from_slice(payload);
        h264.push(h.timestamp, h.marker, &shared, gap, &mut frames);
        h265.push(h.timestamp, h.marker, &shared, gap, &mut frames);
        av1.push(h.timestamp, h.marker, payload, gap, &mut units);
        xs.push(h.timestamp, h.marker, shared.clone(), &mut xs_frames);
        let _ = jpeg.push(payload, h.marker);
        let _ = detect.push(payload);
        let _ = media::adts::split(payload);
        let _ = media::l16::payload_to_le(payload);
        frames.clear();
        units.clear();
        xs_frames.clear();
    }
    h264.flush(&mut frames);
    h265.flush(&mut frames);
    av1.flush(&mut units);
    xs.flush(&mut xs_frames);
}

/// Bitstream parsers that take a whole buffer: JPEG, AV1 and JPEG XS headers, H.26x NAL units
/// (Annex B), MPEG-TS, SDP, RTCP.
pub fn media_parsers(data: &[u8]) {
    use media::nal::NalFormat;
    let _ = media::jpeg::parse(data);
    let _ = media::jpeg::is_complete_jpeg(data);
    let _ = media::av1::parse_sequence_header(data);
    let _ = media::jpeg_xs::picture_size(data);
    let _ = media::rtcp::sender_reports(data);
    let _ = media::sdp_in::parse_formats(&String::from_utf8_lossy(data));
    for format in [NalFormat::H264, NalFormat::H265] {
        let mut inspector = media::annexb::Inspector::new(format);
        for nal in media::annexb::nal_units(data) {
            let _ = inspector.inspect(nal);
            let _ = media::h26x::role(format, nal);
            let _ = media::h26x::sps_dimensions(format, nal);
            let extra = media::h26x::h265_pps_extra_slice_header_bits(nal).unwrap_or(0);
            let _ = media::h26x::slice_type(format, nal, extra);
        }
    }
    let mut ts = media::ts::TsDemuxer::default();
    let mut units = Vec::new();
    ts.push(data, &mut units);
    ts.flush(&mut units);
}

/// An MJPEG stream (`multipart/x-mixed-replace`) as the `mjpeg` source reads it, in chunks.
pub fn multipart(data: &[u8]) {
    let mut parts = media::multipart::MultipartParser::new(
        "frame",
        media::multipart::MultipartConfig::default(),
    );
    for chunk in data.chunks(97) {
        parts.push(chunk);
        while parts.next_item().is_some() {}
    }
    parts.finish();
    while parts.next_item().is_some() {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_target_takes_empty_and_small_inputs() {
        for (_, target) in TARGETS {
            for input in [&b""[..], b"\0", b"\xff\xff\xff\xff", b"SELECT"] {
                target(input);
            }
        }
        let names: std::collections::BTreeSet<_> = TARGETS.iter().map(|(n, _)| n).collect();
        assert_eq!(names.len(), TARGETS.len(), "target names are unique");
    }
}

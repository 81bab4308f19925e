//! The SDP an RTP sender describes its session with (`ffmpeg -sdp_file`): per payload type its
//! codec, clock rate and, for H.264/H.265, the parameter sets it announces (`sprop-*`), parsed
//! with `sdp-types`.

use super::codec::Codec;
use base64::Engine as _;
use bytes::Bytes;

/// One payload type of the session.
#[derive(Debug, Clone, PartialEq)]
pub struct SdpFormat {
    pub payload_type: u8,
    /// `None` when the encoding is not one we read (its name is in `encoding`).
    pub codec: Option<Codec>,
    pub encoding: String,
    pub clock_rate: u32,
    /// Audio channels (`rtpmap`'s third part; 1 without one).
    pub channels: u16,
    /// The port its media section names (where the sender sends it).
    pub port: u16,
    /// Parameter sets from `sprop-parameter-sets` / `sprop-vps,sps,pps`, decoded.
    pub parameter_sets: Vec<Bytes>,
}

/// The codec an `rtpmap` encoding name stands for.
pub fn codec_of_encoding(name: &str) -> Option<Codec> {
    Some(match name.to_ascii_uppercase().as_str() {
        "H264" => Codec::H264,
        "H265" | "HEVC" => Codec::Hevc,
        "AV1" => Codec::Av1,
        "JPEG" => Codec::Jpeg,
        "JXSV" => Codec::JpegXs,
        "L16" => Codec::L16,
        "OPUS" => Codec::Opus,
        "PCMU" => Codec::Pcmu,
        "PCMA" => Codec::Pcma,
        "MPEG4-GENERIC" => Codec::Aac,
        _ => return None,
    })
}

/// Every payload type of every media section.
pub fn parse_formats(text: &str) -> Result<Vec<SdpFormat>, String> {
    let session =
        sdp_types::Session::parse(text.as_bytes()).map_err(|e| format!("not SDP: {e}"))?;
    let mut out = Vec::new();
    for media in &session.medias {
        for pt in media.fmt.split_whitespace() {
            let Ok(payload_type) = pt.parse::<u8>() else {
                continue;
            };
            let rtpmap = media
                .get_attribute_values("rtpmap")
                .flatten()
                .find_map(|v| v.strip_prefix(pt)?.strip_prefix(' ').map(str::trim));
            let (encoding, clock_rate, channels) = match rtpmap {
                Some(map) => {
                    let mut parts = map.split('/');
                    let name = parts.next().unwrap_or("").to_string();
                    let rate = parts.next().and_then(|r| r.parse().ok()).unwrap_or(90_000);
                    let channels = parts.next().and_then(|c| c.parse().ok()).unwrap_or(1);
                    (name, rate, channels)
                }
                // Static payload types (RFC 3551) senders use without rtpmap.
                None => match payload_type {
                    0 => ("PCMU".to_string(), 8000, 1),
                    8 => ("PCMA".to_string(), 8000, 1),
                    10 => ("L16".to_string(), 44_100, 2),
                    11 => ("L16".to_string(), 44_100, 1),
                    26 => ("JPEG".to_string(), 90_000, 1),
                    _ => continue,
                },
            };
            let fmtp = media
                .get_attribute_values("fmtp")
                .flatten()
                .find_map(|v| v.strip_prefix(pt)?.strip_prefix(' ').map(str::to_string))
                .unwrap_or_default();
            out.push(SdpFormat {
                payload_type,
                codec: codec_of_encoding(&encoding),
                encoding,
                clock_rate,
                channels,
                port: media.port,
                parameter_sets: parameter_sets(&fmtp),
            });
        }
    }
    Ok(out)
}

fn parameter_sets(fmtp: &str) -> Vec<Bytes> {
    let mut out = Vec::new();
    for param in fmtp.split(';') {
        let Some((key, value)) = param.trim().split_once('=') else {
            continue;
        };
        if matches!(
            key.trim(),
            "sprop-parameter-sets" | "sprop-vps" | "sprop-sps" | "sprop-pps"
        ) {
            for b64 in value.split(',') {
                if let Ok(nal) = base64::engine::general_purpose::STANDARD.decode(b64.trim()) {
                    if !nal.is_empty() {
                        out.push(Bytes::from(nal));
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ffmpeg_sdp_names_the_codec_and_its_parameter_sets() {
        let sdp = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=No Name\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
                   m=video 5004 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n\
                   a=fmtp:96 packetization-mode=1; sprop-parameter-sets=Z0IAH5WoFAFuQA==,aM48gA==\r\n\
                   m=video 5006 RTP/AVP 97 26\r\na=rtpmap:97 H265/90000\r\n";
        let f = parse_formats(sdp).unwrap();
        assert_eq!(f.len(), 3);
        assert_eq!((f[0].payload_type, f[0].codec), (96, Some(Codec::H264)));
        assert_eq!(f[0].parameter_sets.len(), 2);
        assert_eq!(f[0].parameter_sets[0][0] & 0x1F, 7, "the SPS first");
        assert_eq!((f[1].payload_type, f[1].codec), (97, Some(Codec::Hevc)));
        assert_eq!((f[2].payload_type, f[2].codec), (26, Some(Codec::Jpeg)));
        assert_eq!((f[0].port, f[1].port, f[2].port), (5004, 5006, 5006));
        assert!(parse_formats("nonsense").is_err());
    }

    #[test]
    fn audio_formats_carry_rate_and_channels() {
        let sdp = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=x\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
                   m=audio 5006 RTP/AVP 97 0 11\r\na=rtpmap:97 opus/48000/2\r\n";
        let f = parse_formats(sdp).unwrap();
        let got: Vec<_> = f
            .iter()
            .map(|f| (f.codec, f.clock_rate, f.channels))
            .collect();
        assert_eq!(
            got,
            [
                (Some(Codec::Opus), 48_000, 2),
                (Some(Codec::Pcmu), 8000, 1),
                (Some(Codec::L16), 44_100, 1)
            ]
        );
    }
}

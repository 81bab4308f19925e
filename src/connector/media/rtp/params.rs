//! The parameters of the `rtp` source, each declared once, and the settings read from them.

use crate::connector::config::{ConfigError, ConnectorConfig};
use crate::connector::media::outbox::BufferSettings;
use crate::connector::param::{Param, Required};
use crate::media::codec::Codec;
use crate::media::reorder::ReorderConfig;
use crate::media::sdp_in::{parse_formats, SdpFormat};
use std::time::Duration;

pub(super) const HOST: Param<&'static str> =
    Param::optional("host", "0.0.0.0", "Address to listen on.", "127.0.0.1");

pub(super) const PORT: Param<Required<u16>> = Param::required(
    "port",
    "UDP port RTP arrives on (senders push to it: ffmpeg -f rtp rtp://host:port).",
    "5004",
);

pub(super) const CODEC: Param<&'static str> = Param::optional(
    "codec",
    "auto",
    "h264 or hevc (alias h265); auto: from sdp.file when given, else detected from the \
     first packets' NAL headers.",
    "h264",
);

pub(super) const PAYLOAD_TYPE: Param<Option<u8>> = Param::optional(
    "payload.type",
    None,
    "Accept only this RTP payload type (others are counted and dropped); with sdp.file, it \
     picks the SDP's format. Default: every payload type (the SDP's first video format).",
    "96",
);

pub(super) const SDP_FILE: Param<Option<String>> = Param::optional(
    "sdp.file",
    None,
    "The session's SDP (as ffmpeg -sdp_file writes it): the codec of the payload type and \
     the parameter sets it announces (sprop-parameter-sets, sprop-vps/sps/pps).",
    "/etc/eventflux/cam.sdp",
);

pub(super) const REORDER_PACKETS: Param<usize> = Param::optional(
    "reorder.packets",
    64,
    "Packets that may wait for a missing one before it is given up as lost.",
    "128",
);

pub(super) const REORDER_MS: Param<Duration> = Param::optional(
    "reorder.ms",
    Duration::from_millis(50),
    "How long a packet may wait for a missing one before it is given up as lost.",
    "100",
);

pub(super) const EMIT_INCOMPLETE: Param<bool> = Param::optional(
    "emit.incomplete",
    false,
    "Emit frames that lost packets too (their complete attribute is false); by default they \
     are counted and skipped.",
    "true",
);

pub(super) const SESSION_TIMEOUT_MS: Param<Duration> = Param::optional(
    "session.timeout.ms",
    Duration::from_secs(10),
    "A sender (SSRC) silent this long is closed: its last frame is emitted and it leaves the \
     control plane's stream list.",
    "5000",
);

/// What the source reads, checked at compile time.
#[derive(Debug, Clone)]
pub(super) struct Settings {
    pub host: String,
    pub port: u16,
    /// `None`: detect from the packets.
    pub codec: Option<Codec>,
    pub payload_type: Option<u8>,
    /// From the SDP: parameter sets to start decoding with.
    pub sdp: Option<SdpFormat>,
    pub reorder: ReorderConfig,
    pub emit_incomplete: bool,
    pub session_timeout: Duration,
    pub buffer: BufferSettings,
}

fn read_codec(name: &str) -> Result<Option<Codec>, ConfigError> {
    match name.to_ascii_lowercase().as_str() {
        "auto" => Ok(None),
        "h264" => Ok(Some(Codec::H264)),
        "hevc" | "h265" => Ok(Some(Codec::Hevc)),
        other => match other.parse::<Codec>() {
            Ok(c) => Err(ConfigError(format!(
                "parameter 'codec': {c} over RTP is not supported yet; write codec='h264' or \
                 codec='hevc' (or leave it out to detect)"
            ))),
            Err(_) => Err(ConfigError::expected("codec", name, "h264, hevc or auto")),
        },
    }
}

impl Settings {
    pub fn from_config(config: &ConnectorConfig) -> Result<Settings, ConfigError> {
        let mut codec = read_codec(CODEC.get(config))?;
        let payload_type = PAYLOAD_TYPE.read(config)?;
        let sdp = match SDP_FILE.get(config) {
            None => None,
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    ConfigError(format!("parameter 'sdp.file': cannot read '{path}': {e}"))
                })?;
                let formats = parse_formats(&text)
                    .map_err(|e| ConfigError(format!("parameter 'sdp.file': '{path}': {e}")))?;
                let chosen = formats
                    .into_iter()
                    .find(|f| payload_type.is_none_or(|pt| pt == f.payload_type))
                    .ok_or_else(|| {
                        ConfigError(format!(
                            "parameter 'sdp.file': '{path}' has no payload type{}",
                            payload_type.map_or(String::new(), |p| format!(" {p}"))
                        ))
                    })?;
                match (codec, chosen.codec) {
                    (None, Some(c @ (Codec::H264 | Codec::Hevc))) => codec = Some(c),
                    (None, _) => {
                        return Err(ConfigError(format!(
                            "parameter 'sdp.file': payload type {} is {}, which the rtp source \
                             does not read yet (h264, hevc)",
                            chosen.payload_type, chosen.encoding
                        )))
                    }
                    (Some(_), _) => {}
                }
                Some(chosen)
            }
        };
        Ok(Settings {
            host: HOST.get(config).to_string(),
            port: PORT.read(config)?,
            codec,
            payload_type: payload_type.or(sdp.as_ref().map(|f| f.payload_type)),
            sdp,
            reorder: ReorderConfig {
                max_packets: REORDER_PACKETS.read(config)?.max(1),
                max_delay_ms: REORDER_MS.read(config)?.as_millis() as i64,
            },
            emit_incomplete: EMIT_INCOMPLETE.read(config)?,
            session_timeout: SESSION_TIMEOUT_MS.read(config)?,
            buffer: BufferSettings::from_config(config)?,
        })
    }
}

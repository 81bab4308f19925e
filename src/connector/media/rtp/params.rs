//! The parameters of the `rtp` source, each declared once, and the settings read from them.

use crate::connector::config::{ConfigError, ConnectorConfig};
use crate::connector::media::outbox::BufferSettings;
use crate::connector::param::{Param, Required};
use crate::media::codec::Codec;
use crate::media::reorder::ReorderConfig;
use crate::media::sdp_in::{parse_formats, SdpFormat};
use std::time::Duration;

pub(super) const HOST: Param<&'static str> = crate::connector::param::LISTEN_HOST;

pub(super) const PORT: Param<Required<u16>> = Param::required(
    "port",
    "UDP port RTP arrives on (senders push to it: ffmpeg -f rtp rtp://host:port).",
    "5004",
);

pub(super) const CODEC: Param<&'static str> = Param::optional(
    "codec",
    "auto",
    "h264, hevc (alias h265), av1, jpeg, jpeg-xs, opus, l16, pcmu or pcma; auto: each \
     sender's payload type looked up in sdp.file when given, else detected from the first \
     packets (H.264, H.265, AV1, JPEG and JPEG XS tell themselves apart; audio needs the SDP \
     or this parameter).",
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
    "The session's SDP (as ffmpeg -sdp_file writes it): per payload type its codec, clock \
     rate and the parameter sets it announces (sprop-parameter-sets, sprop-vps/sps/pps). The \
     source also listens on the ports of its other media sections (an audio m= line beside \
     the video one), each with RTCP on the port above.",
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
     are counted and skipped. A JPEG frame that lost packets cannot be rebuilt (RFC 2435 data \
     has no place without its packets): it is only counted.",
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
    /// `port` first, then the other ports sdp.file names.
    pub ports: Vec<u16>,
    /// `None`: from the SDP by payload type, else detected from the packets.
    pub codec: Option<Codec>,
    pub payload_type: Option<u8>,
    /// The SDP's formats (empty without sdp.file).
    pub formats: Vec<SdpFormat>,
    pub reorder: ReorderConfig,
    pub emit_incomplete: bool,
    pub session_timeout: Duration,
    pub buffer: BufferSettings,
}

/// The codecs this source reads.
fn readable(codec: Codec) -> bool {
    matches!(
        codec,
        Codec::H264
            | Codec::Hevc
            | Codec::Jpeg
            | Codec::JpegXs
            | Codec::Opus
            | Codec::L16
            | Codec::Pcmu
            | Codec::Pcma
    )
}

const READABLE: &str = "h264, hevc, av1, jpeg, jpeg-xs, opus, l16, pcmu, pcma";

fn read_codec(name: &str) -> Result<Option<Codec>, ConfigError> {
    match name.to_ascii_lowercase().as_str() {
        "auto" => Ok(None),
        "h265" => Ok(Some(Codec::Hevc)),
        other => match other.parse::<Codec>() {
            Ok(c) if readable(c) => Ok(Some(c)),
            Ok(c) => Err(ConfigError(format!(
                "parameter 'codec': {c} over RTP is not supported yet; this source reads \
                 {READABLE} (or leave codec out to detect)"
            ))),
            Err(_) => Err(ConfigError::expected(
                "codec",
                name,
                &format!("{READABLE} or auto"),
            )),
        },
    }
}

/// The SDP's formats, read and checked against payload.type and codec.
fn read_sdp(
    path: &str,
    payload_type: Option<u8>,
    codec: Option<Codec>,
) -> Result<Vec<SdpFormat>, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError(format!("parameter 'sdp.file': cannot read '{path}': {e}")))?;
    let formats = parse_formats(&text)
        .map_err(|e| ConfigError(format!("parameter 'sdp.file': '{path}': {e}")))?;
    let formats: Vec<SdpFormat> = formats
        .into_iter()
        .filter(|f| payload_type.is_none_or(|pt| pt == f.payload_type))
        .collect();
    if formats.is_empty() {
        return Err(ConfigError(format!(
            "parameter 'sdp.file': '{path}' has no payload type{}",
            payload_type.map_or(String::new(), |p| format!(" {p}"))
        )));
    }
    if codec.is_none() && !formats.iter().any(|f| f.codec.is_some_and(readable)) {
        let listed: Vec<String> = formats
            .iter()
            .map(|f| format!("{} is {}", f.payload_type, f.encoding))
            .collect();
        return Err(ConfigError(format!(
            "parameter 'sdp.file': '{path}': payload type {}, which the rtp source does not read \
             yet ({READABLE})",
            listed.join(", ")
        )));
    }
    Ok(formats)
}

impl Settings {
    pub fn from_config(config: &ConnectorConfig) -> Result<Settings, ConfigError> {
        let codec = read_codec(CODEC.get(config))?;
        let payload_type = PAYLOAD_TYPE.read(config)?;
        let formats = match SDP_FILE.get(config) {
            None => Vec::new(),
            Some(path) => read_sdp(path, payload_type, codec)?,
        };
        let mut ports = vec![PORT.read(config)?];
        for f in &formats {
            if f.port != 0 && !ports.contains(&f.port) {
                ports.push(f.port);
            }
        }
        Ok(Settings {
            host: HOST.get(config).to_string(),
            ports,
            codec,
            payload_type,
            formats,
            reorder: ReorderConfig {
                max_packets: REORDER_PACKETS.read(config)?.max(1),
                max_delay_ms: REORDER_MS.read(config)?.as_millis() as i64,
            },
            emit_incomplete: EMIT_INCOMPLETE.read(config)?,
            session_timeout: SESSION_TIMEOUT_MS.read(config)?,
            buffer: BufferSettings::from_config(config)?,
        })
    }

    /// Whether packets of this payload type are read: payload.type's, else the SDP's, else all.
    pub fn accepts(&self, payload_type: u8) -> bool {
        match (self.payload_type, self.formats.is_empty()) {
            (Some(pt), _) => pt == payload_type,
            (None, true) => true,
            (None, false) => self.formats.iter().any(|f| f.payload_type == payload_type),
        }
    }

    /// The SDP format of a payload type.
    pub fn format(&self, payload_type: u8) -> Option<&SdpFormat> {
        self.formats.iter().find(|f| f.payload_type == payload_type)
    }

    /// A sender's codec: codec's, else its payload type's in the SDP, else `None` (detect).
    /// `Err` names an SDP codec this source does not read.
    pub fn codec_of(&self, payload_type: u8) -> Result<Option<Codec>, String> {
        if let Some(c) = self.codec {
            return Ok(Some(c));
        }
        match self.format(payload_type) {
            None => Ok(None),
            Some(f) => match f.codec {
                Some(c) if readable(c) => Ok(Some(c)),
                _ => Err(format!(
                    "payload type {payload_type} is {}, which the rtp source does not read yet \
                     ({READABLE})",
                    f.encoding
                )),
            },
        }
    }

    /// The RTP clock rate of a sender: the SDP's, else the codec's usual one.
    pub fn clock_rate(&self, payload_type: u8, codec: Codec) -> u32 {
        self.format(payload_type)
            .map(|f| f.clock_rate)
            .unwrap_or(match codec {
                Codec::Opus => 48_000,
                Codec::Pcmu | Codec::Pcma => 8000,
                // RFC 3551's static L16 types.
                Codec::L16 => 44_100,
                _ => 90_000,
            })
    }
}

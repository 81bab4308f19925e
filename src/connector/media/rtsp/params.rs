//! The parameters of the `rtsp` sink, each declared once.

use crate::connector::param::{Choice, Param, Required};

/// What the served stream carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum MediaKind {
    Video,
    Audio,
}

pub(super) const HOST: Param<&'static str> = crate::connector::param::LISTEN_HOST;

pub(super) const PORT: Param<Required<u16>> =
    Param::required("port", "TCP port of the RTSP server.", "8554");

pub(super) const PATH: Param<&'static str> = Param::optional(
    "path",
    "/stream",
    "Path of the stream: clients open rtsp://host:port/path.",
    "/camera1",
);

pub(super) const MEDIA: Param<Choice<MediaKind>> = Param::choice(
    "media",
    &[("video", MediaKind::Video), ("audio", MediaKind::Audio)],
    MediaKind::Video,
    "video: the payload is a JPEG frame, sent as RTP/JPEG (RFC 2435, 90 kHz); audio: the \
     payload is little-endian 16-bit PCM, sent as L16 (RFC 3551, big-endian).",
    "audio",
);

pub(super) const PAYLOAD_ATTRIBUTE: Param<Option<String>> = Param::optional(
    "payload.attribute",
    None,
    "The BYTES attribute holding the frame or the PCM samples; needed only when the stream \
     has several BYTES attributes.",
    "jpeg",
);

pub(super) const SAMPLE_RATE: Param<u32> = Param::optional(
    "sample.rate",
    16_000,
    "Audio: samples per second of the PCM input.",
    "48000",
);

pub(super) const CHANNELS: Param<u16> = Param::optional(
    "channels",
    1,
    "Audio: interleaved channels of the PCM input.",
    "2",
);

pub(super) const PACKET_MS: Param<u32> = Param::optional(
    "packet.ms",
    20,
    "Audio: milliseconds of sound per RTP packet.",
    "10",
);

pub(super) const MTU: Param<usize> = Param::optional(
    "mtu",
    1400,
    "Video: largest RTP payload; bigger frames are fragmented.",
    "1200",
);

pub(super) const MAX_CLIENTS: Param<usize> = Param::optional(
    "max.clients",
    100,
    "Clients playing at once; a further PLAY gets 453 Not Enough Bandwidth.",
    "10",
);

pub(super) const CLIENT_QUEUE_FRAMES: Param<usize> = Param::optional(
    "client.queue.frames",
    8,
    "Frames (or audio packets) a client may fall behind; a slower client skips them, counted. \
     A client that has read nothing for session.timeout.s is dropped.",
    "32",
);

pub(super) const SESSION_TIMEOUT_S: Param<u64> = Param::optional(
    "session.timeout.s",
    60,
    "A session with no request from its client for this long (TCP clients: or interleaved \
     RTCP), or whose socket took no data for this long, is closed. Clients keep it alive with \
     GET_PARAMETER or OPTIONS, as ffmpeg, VLC and GStreamer do.",
    "30",
);

/// How the source asks for media.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TransportChoice {
    Tcp,
    Udp,
}

/// Which tracks the source reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum MediaChoice {
    Video,
    Audio,
    All,
}

pub(super) const URL: Param<Required<String>> = Param::required(
    "url",
    "The camera's RTSP URL; credentials may be in it (rtsp://user:pass@host/path) or in \
     user/password. Logs show it as rtsp://***@host/path.",
    "rtsp://192.168.1.20:554/stream1",
);

pub(super) const TRANSPORT: Param<Choice<TransportChoice>> = Param::choice(
    "transport",
    &[("tcp", TransportChoice::Tcp), ("udp", TransportChoice::Udp)],
    TransportChoice::Tcp,
    "tcp: media interleaved in the RTSP connection (works through NAT and firewalls); udp: RTP \
     over UDP (a LAN; lost or reordered packets lose frames). Servers that offer only UDP \
     answer SETUP over TCP with 461 Unsupported Transport: set transport='udp' for them.",
    "udp",
);

pub(super) const USER: Param<Option<String>> = Param::optional(
    "user",
    None,
    "User name, instead of one in the URL.",
    "viewer",
);

pub(super) const PASSWORD: Param<Option<String>> = Param::optional(
    "password",
    None,
    "Password, instead of one in the URL; write ${VAR} to take it from the environment. Never \
     logged.",
    "${CAM_PASSWORD}",
);

pub(super) const PULL_MEDIA: Param<Choice<MediaChoice>> = Param::choice(
    "media",
    &[
        ("video", MediaChoice::Video),
        ("audio", MediaChoice::Audio),
        ("all", MediaChoice::All),
    ],
    MediaChoice::Video,
    "The tracks to read: video, audio or all (each event's media attribute says which).",
    "all",
);

pub(super) const IDLE_TIMEOUT_MS: Param<std::time::Duration> = Param::optional(
    "idle.timeout.ms",
    std::time::Duration::from_secs(10),
    "A session that delivers no frame for this long is torn down and redialled (a stalled \
     camera, a broken keepalive).",
    "5000",
);

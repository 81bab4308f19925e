//! The codecs EventFlux names in SQL and connector parameters, with their canonical spelling
//! and whether each carries video or audio.

use std::fmt;
use std::str::FromStr;

/// Whether a codec carries pictures or sound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MediaKind {
    Video,
    Audio,
}

impl MediaKind {
    /// `video` or `audio`, as events carry it.
    pub fn as_str(self) -> &'static str {
        match self {
            MediaKind::Video => "video",
            MediaKind::Audio => "audio",
        }
    }
}

/// A codec, spelled in SQL as [`Codec::as_str`] (`h264`, `jpeg-xs`, `l16`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Codec {
    H264,
    Hevc,
    Av1,
    Jpeg,
    JpegXs,
    Aac,
    L16,
    Opus,
    Pcmu,
    Pcma,
}

impl Codec {
    /// Every codec, in the order error messages list them.
    pub const ALL: [Codec; 10] = [
        Codec::H264,
        Codec::Hevc,
        Codec::Av1,
        Codec::Jpeg,
        Codec::JpegXs,
        Codec::Aac,
        Codec::L16,
        Codec::Opus,
        Codec::Pcmu,
        Codec::Pcma,
    ];

    /// The canonical lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Codec::H264 => "h264",
            Codec::Hevc => "hevc",
            Codec::Av1 => "av1",
            Codec::Jpeg => "jpeg",
            Codec::JpegXs => "jpeg-xs",
            Codec::Aac => "aac",
            Codec::L16 => "l16",
            Codec::Opus => "opus",
            Codec::Pcmu => "pcmu",
            Codec::Pcma => "pcma",
        }
    }

    pub fn media_kind(self) -> MediaKind {
        match self {
            Codec::H264 | Codec::Hevc | Codec::Av1 | Codec::Jpeg | Codec::JpegXs => {
                MediaKind::Video
            }
            Codec::Aac | Codec::L16 | Codec::Opus | Codec::Pcmu | Codec::Pcma => MediaKind::Audio,
        }
    }
}

impl fmt::Display for Codec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not one of [`Codec::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown codec '{name}' (known: {})", known_names())]
pub struct UnknownCodec {
    pub name: String,
}

fn known_names() -> String {
    Codec::ALL.map(Codec::as_str).join(", ")
}

impl FromStr for Codec {
    type Err = UnknownCodec;

    /// Case-insensitive; surrounding spaces are ignored.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim();
        Codec::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| UnknownCodec {
                name: s.to_string(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for c in Codec::ALL {
            assert_eq!(c.as_str().parse::<Codec>(), Ok(c));
            assert_eq!(c.to_string(), c.as_str());
        }
        assert_eq!(" JPEG-XS ".parse::<Codec>(), Ok(Codec::JpegXs));
    }

    #[test]
    fn unknown_name_lists_the_known_ones() {
        let e = "h265".parse::<Codec>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown codec 'h265' (known: h264, hevc, av1, jpeg, jpeg-xs, aac, l16, opus, pcmu, pcma)"
        );
    }

    #[test]
    fn kinds() {
        assert_eq!(Codec::Jpeg.media_kind(), MediaKind::Video);
        assert_eq!(Codec::Av1.media_kind(), MediaKind::Video);
        assert_eq!(Codec::L16.media_kind(), MediaKind::Audio);
        assert_eq!(Codec::Pcma.media_kind(), MediaKind::Audio);
    }
}

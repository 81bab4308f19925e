//! The SDP text (RFC 8866) that describes a session we serve over RTSP: one media section per
//! track with its payload type, `rtpmap` and `control` URL, written and checked with
//! `sdp-types`.

use sdp_types::{AddrType, Attribute, Connection, Media, NetType, Origin, RtpMap, Session, Time};
use std::net::IpAddr;

/// What a track carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrackFormat {
    /// RTP/JPEG: static payload type 26, 90 kHz.
    Jpeg,
    /// 16-bit PCM: static types 10/11 for 44.1 kHz stereo/mono, otherwise a dynamic type.
    L16 { rate: u32, channels: u16 },
}

/// One media section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Track {
    pub format: TrackFormat,
    /// The `a=control:` value, e.g. `trackID=0` (relative to the session URL).
    pub control: String,
}

/// The served session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdpSession {
    pub name: String,
    /// Session id and version for the `o=` line (an NTP-ish number by convention).
    pub id: u64,
    pub version: u64,
    /// The server's address for `o=`.
    pub origin: IpAddr,
    pub tracks: Vec<Track>,
}

/// First payload type handed to tracks without a static one.
const FIRST_DYNAMIC_PT: u8 = 96;

/// The payload type and `rtpmap` a track uses; `dynamic` is the next free dynamic type.
pub fn payload_type(format: TrackFormat, dynamic: u8) -> (u8, RtpMap) {
    match format {
        TrackFormat::Jpeg => (26, RtpMap::new(26, "JPEG", 90_000)),
        TrackFormat::L16 { rate, channels } => {
            let pt = match (rate, channels) {
                (44_100, 2) => 10,
                (44_100, 1) => 11,
                _ => dynamic,
            };
            let mut map = RtpMap::new(pt, "L16", rate);
            map.set_encoding_params(channels);
            (pt, map)
        }
    }
}

fn addr_type(ip: IpAddr) -> AddrType {
    if ip.is_ipv4() {
        AddrType::Ip4
    } else {
        AddrType::Ip6
    }
}

/// The SDP text for `s`. Ports are 0, as RTSP negotiates transport in SETUP.
pub fn session_sdp(s: &SdpSession) -> String {
    let origin = Origin::new(s.id, s.version, NetType::In, addr_type(s.origin), s.origin);
    let mut session = Session::new(origin, &s.name);
    let any: IpAddr = if s.origin.is_ipv4() {
        [0, 0, 0, 0].into()
    } else {
        std::net::Ipv6Addr::UNSPECIFIED.into()
    };
    session.set_connection(Connection::new(NetType::In, addr_type(any), any));
    session.add_time(Time::new(0, 0));
    session.add_attribute(Attribute::with_value("control", "*"));
    let mut dynamic = FIRST_DYNAMIC_PT;
    for t in &s.tracks {
        let (pt, map) = payload_type(t.format, dynamic);
        if pt == dynamic {
            dynamic += 1;
        }
        let kind = match t.format {
            TrackFormat::Jpeg => sdp_types::MediaType::Video,
            TrackFormat::L16 { .. } => sdp_types::MediaType::Audio,
        };
        let mut m = Media::new(kind, 0, sdp_types::TransportProto::RtpAvp, pt);
        m.add_attribute(Attribute::with_value("rtpmap", map));
        m.add_attribute(Attribute::with_value("control", &t.control));
        session.add_media(m);
    }
    let mut out = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = session.write(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(tracks: Vec<Track>) -> SdpSession {
        SdpSession {
            name: "cam1".into(),
            id: 3_900_000_000,
            version: 1,
            origin: [192, 0, 2, 7].into(),
            tracks,
        }
    }

    #[test]
    fn video_and_audio_tracks_parse_back() {
        let text = session_sdp(&session(vec![
            Track {
                format: TrackFormat::Jpeg,
                control: "trackID=0".into(),
            },
            Track {
                format: TrackFormat::L16 {
                    rate: 48_000,
                    channels: 2,
                },
                control: "trackID=1".into(),
            },
            Track {
                format: TrackFormat::L16 {
                    rate: 44_100,
                    channels: 1,
                },
                control: "trackID=2".into(),
            },
        ]));
        assert!(text.starts_with("v=0\r\n"), "{text}");
        let s = Session::parse(text.as_bytes()).unwrap();
        assert_eq!(s.session_name, "cam1");
        assert_eq!(s.origin.unicast_address, "192.0.2.7");
        assert_eq!(s.get_first_attribute_value("control"), Some(Some("*")));
        let m = &s.medias;
        assert_eq!(m.len(), 3);
        assert_eq!((m[0].media.as_str(), m[0].fmt.as_str()), ("video", "26"));
        assert_eq!(m[0].proto, "RTP/AVP");
        let map: RtpMap = m[0].get_first_attribute_typed().unwrap().unwrap();
        assert_eq!(
            (map.payload_type, map.encoding_name.as_str(), map.clock_rate),
            (26, "JPEG", 90_000)
        );
        assert_eq!(
            m[0].get_first_attribute_value("control"),
            Some(Some("trackID=0"))
        );
        assert_eq!((m[1].media.as_str(), m[1].fmt.as_str()), ("audio", "96"));
        let map: RtpMap = m[1].get_first_attribute_typed().unwrap().unwrap();
        assert_eq!(map.to_string(), "96 L16/48000/2");
        assert_eq!(m[2].fmt, "11", "static type for 44.1 kHz mono");
        assert!(text.contains("a=rtpmap:11 L16/44100/1\r\n"), "{text}");
    }

    #[test]
    fn dynamic_types_do_not_collide() {
        let l16 = |rate| Track {
            format: TrackFormat::L16 { rate, channels: 1 },
            control: format!("track{rate}"),
        };
        let text = session_sdp(&session(vec![l16(8000), l16(16000)]));
        assert!(text.contains("m=audio 0 RTP/AVP 96\r\n"), "{text}");
        assert!(text.contains("m=audio 0 RTP/AVP 97\r\n"), "{text}");
    }
}

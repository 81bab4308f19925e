//! The RTSP 1.0 server session of one control connection, sans-IO: a parsed request in, the
//! response and what the connection must do next out. OPTIONS, DESCRIBE (SDP), SETUP (TCP
//! interleaved or UDP), PLAY, TEARDOWN and GET/SET_PARAMETER keepalives.

use rtsp_types::headers::{self, Transport, Transports};
use rtsp_types::{Method, Request, Response, StatusCode, Version};

/// How a client receives RTP and RTCP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Delivery {
    /// `$`-framed in the control connection, on these channels.
    Interleaved { rtp: u8, rtcp: u8 },
    /// UDP to the client's ports at the control connection's address.
    Udp { rtp_port: u16, rtcp_port: u16 },
}

/// What the connection does after sending the response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Action {
    None,
    /// Start sending media to the client.
    Play,
    /// Stop sending and forget the session (the connection stays open).
    Teardown,
}

/// What the session needs to know about the server.
pub(super) struct ServerView<'a> {
    pub path: &'a str,
    /// The SDP of the stream, for DESCRIBE.
    pub sdp: &'a str,
    /// The UDP ports RTP and RTCP go out from.
    pub udp_ports: Option<(u16, u16)>,
    pub timeout_s: u64,
    /// Whether another client may start playing.
    pub room: bool,
}

#[derive(Debug, Default)]
pub(super) struct Session {
    pub id: Option<String>,
    pub delivery: Option<Delivery>,
    pub playing: bool,
}

const PUBLIC: &str = "OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN, GET_PARAMETER, SET_PARAMETER";

impl Session {
    /// The response to `req`, and what to do once it is sent. `base` is
    /// `rtsp://host:port` as the client reached us.
    pub(super) fn handle(
        &mut self,
        req: &Request<Vec<u8>>,
        server: &ServerView,
        base: &str,
        rtp_info: impl FnOnce() -> (u16, u32),
    ) -> (Response<Vec<u8>>, Action) {
        let cseq = req
            .header(&headers::CSEQ)
            .map(|v| v.as_str().to_string())
            .unwrap_or_else(|| "0".into());
        let reply = |status: StatusCode| {
            Response::builder(Version::V1_0, status)
                .header(headers::CSEQ, cseq.clone())
                .header(headers::SERVER, "EventFlux")
        };
        let path = req.request_uri().map(|u| u.path().to_string());
        let ours = |p: &Option<String>| {
            p.as_deref()
                .is_some_and(|p| p.trim_end_matches('/') == server.path.trim_end_matches('/'))
        };
        let track = |p: &Option<String>| {
            p.as_deref().is_some_and(|p| {
                p.trim_end_matches('/') == server.path.trim_end_matches('/')
                    || p == format!("{}/trackID=0", server.path.trim_end_matches('/'))
            })
        };
        let session_ok = |s: &Session| match (&s.id, req.header(&headers::SESSION)) {
            (Some(id), Some(v)) => v.as_str().split(';').next().map(str::trim) == Some(id),
            _ => false,
        };
        match req.method() {
            Method::Options => (
                reply(StatusCode::Ok)
                    .header(headers::PUBLIC, PUBLIC)
                    .build(Vec::new()),
                Action::None,
            ),
            Method::Describe if !ours(&path) => {
                (reply(StatusCode::NotFound).build(Vec::new()), Action::None)
            }
            Method::Describe => (
                reply(StatusCode::Ok)
                    .header(headers::CONTENT_TYPE, "application/sdp")
                    .header(
                        headers::CONTENT_BASE,
                        format!("{base}{}/", server.path.trim_end_matches('/')),
                    )
                    .build(server.sdp.as_bytes().to_vec()),
                Action::None,
            ),
            Method::Setup if !track(&path) => {
                (reply(StatusCode::NotFound).build(Vec::new()), Action::None)
            }
            Method::Setup => {
                if self.id.is_some() && !session_ok(self) {
                    return (
                        reply(StatusCode::SessionNotFound).build(Vec::new()),
                        Action::None,
                    );
                }
                let Some((delivery, transport)) = choose_transport(req, server.udp_ports) else {
                    return (
                        reply(StatusCode::UnsupportedTransport).build(Vec::new()),
                        Action::None,
                    );
                };
                let id = self
                    .id
                    .get_or_insert_with(|| format!("{:016X}", fastrand::u64(..)))
                    .clone();
                self.delivery = Some(delivery);
                (
                    reply(StatusCode::Ok)
                        .header(headers::TRANSPORT, transport)
                        .header(
                            headers::SESSION,
                            format!("{id};timeout={}", server.timeout_s),
                        )
                        .build(Vec::new()),
                    Action::None,
                )
            }
            Method::Play | Method::Teardown | Method::GetParameter | Method::SetParameter
                if self.id.is_some() && !session_ok(self) =>
            {
                (
                    reply(StatusCode::SessionNotFound).build(Vec::new()),
                    Action::None,
                )
            }
            Method::Play if self.delivery.is_none() => (
                reply(StatusCode::MethodNotValidInThisState).build(Vec::new()),
                Action::None,
            ),
            Method::Play if !self.playing && !server.room => (
                reply(StatusCode::NotEnoughBandwidth).build(Vec::new()),
                Action::None,
            ),
            Method::Play => {
                let id = self.id.clone().unwrap_or_default();
                let was_playing = self.playing;
                self.playing = true;
                let (seq, rtptime) = rtp_info();
                let info = format!(
                    "url={base}{}/trackID=0;seq={seq};rtptime={rtptime}",
                    server.path.trim_end_matches('/')
                );
                (
                    reply(StatusCode::Ok)
                        .header(
                            headers::SESSION,
                            format!("{id};timeout={}", server.timeout_s),
                        )
                        .header(headers::RANGE, "npt=0.000-")
                        .header(headers::RTP_INFO, info)
                        .build(Vec::new()),
                    if was_playing {
                        Action::None
                    } else {
                        Action::Play
                    },
                )
            }
            Method::Teardown => {
                let id = self.id.take().unwrap_or_default();
                self.delivery = None;
                self.playing = false;
                (
                    reply(StatusCode::Ok)
                        .header(headers::SESSION, id)
                        .build(Vec::new()),
                    Action::Teardown,
                )
            }
            Method::GetParameter | Method::SetParameter => {
                let mut r = reply(StatusCode::Ok);
                if let Some(id) = &self.id {
                    r = r.header(
                        headers::SESSION,
                        format!("{id};timeout={}", server.timeout_s),
                    );
                }
                (r.build(Vec::new()), Action::None)
            }
            _ => (
                reply(StatusCode::NotImplemented)
                    .header(headers::PUBLIC, PUBLIC)
                    .build(Vec::new()),
                Action::None,
            ),
        }
    }
}

/// The first transport the client offers that we serve, and our Transport header for it.
fn choose_transport(
    req: &Request<Vec<u8>>,
    udp_ports: Option<(u16, u16)>,
) -> Option<(Delivery, String)> {
    let offered = req.typed_header::<Transports>().ok().flatten()?;
    for t in offered.iter() {
        let Transport::Rtp(rtp) = t else { continue };
        if rtp.profile != headers::transport::RtpProfile::Avp {
            continue;
        }
        let tcp = rtp.lower_transport == Some(headers::transport::RtpLowerTransport::Tcp);
        if tcp {
            let (rtp_ch, rtcp_ch) = match rtp.params.interleaved {
                Some((a, b)) => (a, b.unwrap_or(a.wrapping_add(1))),
                None => (0, 1),
            };
            return Some((
                Delivery::Interleaved {
                    rtp: rtp_ch,
                    rtcp: rtcp_ch,
                },
                format!("RTP/AVP/TCP;unicast;interleaved={rtp_ch}-{rtcp_ch}"),
            ));
        }
        if let (Some((rtp_port, rtcp)), Some((s_rtp, s_rtcp))) = (rtp.params.client_port, udp_ports)
        {
            let rtcp_port = rtcp.unwrap_or(rtp_port.wrapping_add(1));
            return Some((
                Delivery::Udp {
                    rtp_port,
                    rtcp_port,
                },
                format!(
                    "RTP/AVP;unicast;client_port={rtp_port}-{rtcp_port};server_port={s_rtp}-{s_rtcp}"
                ),
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(text: &str) -> Request<Vec<u8>> {
        let text = text.replace('\n', "\r\n") + "\r\n";
        match rtsp_types::Message::<Vec<u8>>::parse(text.as_bytes()) {
            Ok((rtsp_types::Message::Request(r), _)) => r,
            other => panic!("{other:?}"),
        }
    }

    fn server() -> ServerView<'static> {
        ServerView {
            path: "/cam",
            sdp: "v=0\r\n",
            udp_ports: Some((40000, 40001)),
            timeout_s: 60,
            room: true,
        }
    }

    fn header(r: &Response<Vec<u8>>, name: &headers::HeaderName) -> String {
        r.header(name)
            .map(|v| v.as_str().to_string())
            .unwrap_or_default()
    }

    const BASE: &str = "rtsp://127.0.0.1:8554";

    #[test]
    fn a_tcp_client_describes_sets_up_plays_and_tears_down() {
        let mut s = Session::default();
        let sv = server();
        let (r, _) = s.handle(
            &request("OPTIONS rtsp://127.0.0.1:8554/cam RTSP/1.0\nCSeq: 1\n"),
            &sv,
            BASE,
            || (0, 0),
        );
        assert_eq!(r.status(), StatusCode::Ok);
        assert!(header(&r, &headers::PUBLIC).contains("DESCRIBE"));
        let (r, _) = s.handle(
            &request("DESCRIBE rtsp://127.0.0.1:8554/cam RTSP/1.0\nCSeq: 2\n"),
            &sv,
            BASE,
            || (0, 0),
        );
        assert_eq!(r.body(), b"v=0\r\n");
        assert_eq!(header(&r, &headers::CSEQ), "2");
        assert_eq!(
            header(&r, &headers::CONTENT_BASE),
            "rtsp://127.0.0.1:8554/cam/"
        );
        let (r, _) = s.handle(&request("SETUP rtsp://127.0.0.1:8554/cam/trackID=0 RTSP/1.0\nCSeq: 3\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\n"), &sv, BASE, || (0, 0));
        assert_eq!(r.status(), StatusCode::Ok);
        assert_eq!(
            header(&r, &headers::TRANSPORT),
            "RTP/AVP/TCP;unicast;interleaved=0-1"
        );
        let id = s.id.clone().unwrap();
        assert_eq!(s.delivery, Some(Delivery::Interleaved { rtp: 0, rtcp: 1 }));
        let (r, a) = s.handle(
            &request(&format!(
                "PLAY rtsp://127.0.0.1:8554/cam/ RTSP/1.0\nCSeq: 4\nSession: {id}\n"
            )),
            &sv,
            BASE,
            || (7, 99),
        );
        assert_eq!((r.status(), a), (StatusCode::Ok, Action::Play));
        assert!(header(&r, &headers::RTP_INFO).ends_with("trackID=0;seq=7;rtptime=99"));
        let (r, _) = s.handle(
            &request("PLAY rtsp://127.0.0.1:8554/cam/ RTSP/1.0\nCSeq: 5\nSession: WRONG\n"),
            &sv,
            BASE,
            || (0, 0),
        );
        assert_eq!(r.status(), StatusCode::SessionNotFound);
        let (r, a) = s.handle(
            &request(&format!(
                "TEARDOWN rtsp://127.0.0.1:8554/cam/ RTSP/1.0\nCSeq: 6\nSession: {id}\n"
            )),
            &sv,
            BASE,
            || (0, 0),
        );
        assert_eq!((r.status(), a), (StatusCode::Ok, Action::Teardown));
        assert!(!s.playing);
    }

    #[test]
    fn udp_gets_our_ports_and_wrong_paths_or_states_are_refused() {
        let mut s = Session::default();
        let sv = server();
        let (r, _) = s.handle(
            &request("DESCRIBE rtsp://h/other RTSP/1.0\nCSeq: 1\n"),
            &sv,
            BASE,
            || (0, 0),
        );
        assert_eq!(r.status(), StatusCode::NotFound);
        let (r, _) = s.handle(
            &request("PLAY rtsp://h/cam RTSP/1.0\nCSeq: 2\n"),
            &sv,
            BASE,
            || (0, 0),
        );
        assert_eq!(r.status(), StatusCode::MethodNotValidInThisState);
        let (r, _) = s.handle(&request("SETUP rtsp://h/cam/trackID=0 RTSP/1.0\nCSeq: 3\nTransport: RTP/AVP;unicast;client_port=5000-5001\n"), &sv, BASE, || (0, 0));
        assert_eq!(
            header(&r, &headers::TRANSPORT),
            "RTP/AVP;unicast;client_port=5000-5001;server_port=40000-40001"
        );
        assert_eq!(
            s.delivery,
            Some(Delivery::Udp {
                rtp_port: 5000,
                rtcp_port: 5001
            })
        );
        let mut t = Session::default();
        let (r, _) = t.handle(&request("SETUP rtsp://h/cam/trackID=0 RTSP/1.0\nCSeq: 1\nTransport: RTP/SAVP;unicast;client_port=5000-5001\n"), &sv, BASE, || (0, 0));
        assert_eq!(r.status(), StatusCode::UnsupportedTransport);
        let (r, _) = t.handle(
            &request("RECORD rtsp://h/cam RTSP/1.0\nCSeq: 2\n"),
            &sv,
            BASE,
            || (0, 0),
        );
        assert_eq!(r.status(), StatusCode::NotImplemented);
        let full = ServerView {
            room: false,
            ..server()
        };
        let (_, _) = t.handle(&request("SETUP rtsp://h/cam RTSP/1.0\nCSeq: 3\nTransport: RTP/AVP/TCP;unicast;interleaved=2-3\n"), &full, BASE, || (0, 0));
        let id = t.id.clone().unwrap();
        let (r, _) = t.handle(
            &request(&format!(
                "PLAY rtsp://h/cam RTSP/1.0\nCSeq: 4\nSession: {id}\n"
            )),
            &full,
            BASE,
            || (0, 0),
        );
        assert_eq!(r.status(), StatusCode::NotEnoughBandwidth);
    }
}

//! RTSP: the `rtsp` sink serves JPEG video or L16 audio to RTSP clients. The session logic is
//! sans-IO (`session`); packetizing is done once per frame for all clients (`packets`).

mod clients;
mod packets;
mod params;
mod server;
mod session;
mod sink;
mod source;

pub(crate) use fuzz_server as fuzz_rtsp_server;
pub use sink::RtspSinkFactory;
pub use source::RtspSourceFactory;

/// Fuzzing: what a client sends the sink's server, parsed and answered by the session as the
/// server does it (interleaved data skipped), until the bytes run out or are not RTSP.
pub(crate) fn fuzz_server(data: &[u8]) {
    let view = session::ServerView {
        path: "/live",
        sdp: "v=0\r\n",
        udp_ports: Some((5000, 5001)),
        timeout_s: 60,
        room: true,
    };
    let mut session = session::Session::default();
    let mut rest = data;
    while !rest.is_empty() {
        if rest[0] == b'$' {
            let Some(len) = rest
                .get(2..4)
                .map(|l| 4 + usize::from(u16::from_be_bytes([l[0], l[1]])))
            else {
                return;
            };
            rest = &rest[len.min(rest.len())..];
            continue;
        }
        match rtsp_types::Message::<Vec<u8>>::parse(rest) {
            Ok((message, used)) => {
                if let rtsp_types::Message::Request(request) = message {
                    let _ = session.handle(&request, &view, "rtsp://127.0.0.1:8554", || (1, 2));
                }
                rest = &rest[used.max(1).min(rest.len())..];
            }
            Err(_) => return,
        }
    }
}

//! The RTSP server's sockets: the TCP listener, one task per control connection (requests in,
//! responses and interleaved media out) and the UDP pair media goes out from to UDP clients.

use super::clients::Clients;
use super::packets::{Packets, RtpSender};
use super::session::{Action, Delivery, ServerView, Session};
use bytes::{Buf, BytesMut};
use parking_lot::Mutex;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt, BufWriter};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::time::Instant;

/// How often a sender report goes to each playing client.
const REPORT_EVERY: Duration = Duration::from_secs(5);
/// A request larger than this is refused and the connection closed.
const MAX_REQUEST_BYTES: usize = 64 * 1024;

/// What every connection shares.
pub(super) struct Shared {
    pub path: String,
    pub sdp: String,
    pub timeout: Duration,
    pub clients: Clients,
    pub sender: Mutex<RtpSender>,
    /// RTP and RTCP sockets for UDP clients.
    pub udp: Option<(UdpSocket, UdpSocket)>,
}

/// Binds an RTP socket on an even free port and RTCP on the next one (RFC 3550's convention).
pub(super) async fn bind_udp_pair(ip: IpAddr) -> std::io::Result<(UdpSocket, UdpSocket)> {
    let mut last = None;
    for _ in 0..50 {
        let rtp = UdpSocket::bind(SocketAddr::new(ip, 0)).await?;
        let port = rtp.local_addr()?.port();
        if !port.is_multiple_of(2) || port == u16::MAX {
            continue;
        }
        match UdpSocket::bind(SocketAddr::new(ip, port + 1)).await {
            Ok(rtcp) => return Ok((rtp, rtcp)),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no free even/odd UDP port pair")))
}

pub(super) async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        match listener.accept().await {
            Ok((socket, peer)) => {
                let shared = shared.clone();
                tokio::spawn(async move {
                    log::info!("rtsp sink: client {peer} connected");
                    if let Err(e) = serve(socket, peer, &shared).await {
                        log::info!("rtsp sink: client {peer}: {e}");
                    }
                    log::info!("rtsp sink: client {peer} disconnected");
                });
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

/// Receives the next frame for a playing client; never resolves for one that is not.
async fn next_frame(queue: &mut Option<tokio::sync::mpsc::Receiver<Packets>>) -> Option<Packets> {
    match queue {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

async fn serve(socket: TcpStream, peer: SocketAddr, shared: &Shared) -> std::io::Result<()> {
    socket.set_nodelay(true)?;
    let local = socket.local_addr()?;
    let base = format!("rtsp://{local}");
    let (mut reader, writer) = socket.into_split();
    let mut writer = BufWriter::with_capacity(64 * 1024, writer);
    let mut session = Session::default();
    let mut queue = None;
    let mut buf = BytesMut::with_capacity(4096);
    let mut last_heard = Instant::now();
    let mut tick = tokio::time::interval(REPORT_EVERY.min(shared.timeout));
    let result = loop {
        tokio::select! {
            read = reader.read_buf(&mut buf) => {
                match read {
                    Ok(0) => break Ok(()),
                    Err(e) => break Err(e),
                    Ok(_) => last_heard = Instant::now(),
                }
                match handle_input(&mut buf, &mut session, shared, &base, &mut writer, &mut queue).await {
                    Ok(true) => {}
                    Ok(false) => break Ok(()),
                    Err(e) => break Err(e),
                }
            }
            frame = next_frame(&mut queue) => {
                let Some(packets) = frame else {
                    // The sink stopped or dropped this client.
                    break Ok(());
                };
                let sent = tokio::time::timeout(
                    shared.timeout,
                    send_media(&packets, session.delivery, peer, shared, &mut writer, false),
                ).await;
                match sent {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => break Err(e),
                    Err(_) => break Err(std::io::Error::other(format!(
                        "the client took no data for {:?}; closing", shared.timeout
                    ))),
                }
            }
            _ = tick.tick() => {
                if last_heard.elapsed() > shared.timeout {
                    break Err(std::io::Error::other(format!(
                        "no request for {:?} (session.timeout.s); closing the session", shared.timeout
                    )));
                }
                if queue.is_some() {
                    let report = shared.sender.lock().report(chrono::Utc::now().timestamp_millis());
                    if let Some(sr) = report {
                        let packets: Packets = Arc::from(vec![sr]);
                        send_media(&packets, session.delivery, peer, shared, &mut writer, true).await?;
                    }
                }
            }
        }
    };
    if let Some(id) = &session.id {
        shared.clients.stop(id);
    }
    let _ = writer.shutdown().await;
    result
}

/// Answers every complete request in `buf`; false when the connection must close.
async fn handle_input(
    buf: &mut BytesMut,
    session: &mut Session,
    shared: &Shared,
    base: &str,
    writer: &mut BufWriter<tokio::net::tcp::OwnedWriteHalf>,
    queue: &mut Option<tokio::sync::mpsc::Receiver<Packets>>,
) -> std::io::Result<bool> {
    loop {
        // Interleaved data from the client (RTCP receiver reports): skip it.
        if buf.first() == Some(&b'$') {
            if buf.len() < 4 {
                return Ok(true);
            }
            let len = 4 + usize::from(u16::from_be_bytes([buf[2], buf[3]]));
            if buf.len() < len {
                return Ok(true);
            }
            buf.advance(len);
            continue;
        }
        if buf.is_empty() {
            return Ok(true);
        }
        let (request, used) = match rtsp_types::Message::<Vec<u8>>::parse(&buf[..]) {
            Ok((rtsp_types::Message::Request(r), used)) => (r, used),
            Ok((_, used)) => {
                buf.advance(used);
                continue;
            }
            Err(rtsp_types::ParseError::Incomplete(_)) if buf.len() < MAX_REQUEST_BYTES => {
                return Ok(true)
            }
            Err(_) => {
                log::warn!("rtsp sink: a client sent something that is not RTSP; closing");
                let bad = rtsp_types::Response::builder(
                    rtsp_types::Version::V1_0,
                    rtsp_types::StatusCode::BadRequest,
                )
                .empty();
                write_message(writer, &bad).await?;
                return Ok(false);
            }
        };
        buf.advance(used);
        let view = ServerView {
            path: &shared.path,
            sdp: &shared.sdp,
            udp_ports: shared.udp.as_ref().and_then(|(rtp, rtcp)| {
                Some((
                    rtp.local_addr().ok()?.port(),
                    rtcp.local_addr().ok()?.port(),
                ))
            }),
            timeout_s: shared.timeout.as_secs(),
            room: shared.clients.has_room(),
        };
        let (response, action) = session.handle(&request, &view, base, || {
            shared
                .sender
                .lock()
                .next(chrono::Utc::now().timestamp_millis())
        });
        log::debug!(
            "rtsp sink: {:?} {} -> {}",
            request.method(),
            request.request_uri().map(|u| u.as_str()).unwrap_or("*"),
            u16::from(response.status())
        );
        match action {
            Action::Play => {
                // Queued before the response goes out, so no frame after it is missed.
                *queue = Some(shared.clients.play(session.id.as_deref().unwrap_or("")));
            }
            Action::Teardown => {
                *queue = None;
            }
            Action::None => {}
        }
        write_message(writer, &response).await?;
        if action == Action::Teardown {
            return Ok(true);
        }
    }
}

async fn write_message(
    writer: &mut BufWriter<tokio::net::tcp::OwnedWriteHalf>,
    response: &rtsp_types::Response<impl AsRef<[u8]>>,
) -> std::io::Result<()> {
    let mut out = Vec::with_capacity(256);
    response
        .write(&mut out)
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    writer.write_all(&out).await?;
    writer.flush().await
}

/// Sends packets the way the client asked: `$`-framed on its channel, or by UDP.
async fn send_media(
    packets: &Packets,
    delivery: Option<Delivery>,
    peer: SocketAddr,
    shared: &Shared,
    writer: &mut BufWriter<tokio::net::tcp::OwnedWriteHalf>,
    rtcp: bool,
) -> std::io::Result<()> {
    match delivery {
        Some(Delivery::Interleaved { rtp, rtcp: rtcp_ch }) => {
            let channel = if rtcp { rtcp_ch } else { rtp };
            for p in packets.iter() {
                let len = u16::try_from(p.len()).unwrap_or(u16::MAX);
                writer.write_all(&[b'$', channel]).await?;
                writer.write_all(&len.to_be_bytes()).await?;
                writer.write_all(&p[..usize::from(len)]).await?;
            }
            writer.flush().await
        }
        Some(Delivery::Udp {
            rtp_port,
            rtcp_port,
        }) => {
            let Some((rtp_socket, rtcp_socket)) = &shared.udp else {
                return Ok(());
            };
            let (socket, port) = if rtcp {
                (rtcp_socket, rtcp_port)
            } else {
                (rtp_socket, rtp_port)
            };
            let to = SocketAddr::new(peer.ip(), port);
            for p in packets.iter() {
                // A lost datagram is what UDP clients chose; a refused one (no listener yet)
                // is not an error of the session.
                let _ = socket.send_to(p, to).await;
            }
            Ok(())
        }
        None => Ok(()),
    }
}

//! The `rtp` source's factory and socket loop: UDP datagrams in (read in bursts, one batch of
//! events per burst), RTP headers parsed, each SSRC's [`Session`] fed; silent senders closed.

use super::params::{
    Settings, CODEC, EMIT_INCOMPLETE, HOST, PAYLOAD_TYPE, PORT, REORDER_MS, REORDER_PACKETS,
    SDP_FILE, SESSION_TIMEOUT_MS,
};
use super::session::{Emitted, Session, SyncGroup};
use crate::connector::config::{ConfigError, ConnectorConfig};
use crate::connector::error::ERROR_PARAMS;
use crate::connector::media::fields::{self, Offered};
use crate::connector::media::outbox::{self, deliver, kind_of, Feed};
use crate::connector::media::stats::{self, StatsMeter};
use crate::connector::param::{specs, Describe};
use crate::connector::spec::ConnectorSpec;
use crate::connector::{ConnectorError, Source, SourceContext, SourceFactory};
use crate::media::rtcp::{receiver_report, sender_reports, ReceivedSenderReport};
use crate::media::rtp::{read_packet, RtpHeader};
use crate::schema::Schema;
use crate::value::{AttrType, Value};
use bytes::BytesMut;
use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Field {
    StreamId,
    Codec,
    Pts,
    Dts,
    Keyframe,
    FrameType,
    Width,
    Height,
    Bytes,
    Data,
    Complete,
    Media,
    Ssrc,
    Timestamp,
}

const OFFERED: &[Offered<Field>] = &[
    Offered {
        field: Field::StreamId,
        name: "stream_id",
        ty: AttrType::String,
        doc: "the sender: its address and SSRC, as in 127.0.0.1:40000#1a2b3c4d",
    },
    Offered {
        field: Field::Codec,
        name: "codec",
        ty: AttrType::String,
        doc: "h264, hevc, av1, jpeg, jpeg-xs, opus, l16, pcmu or pcma",
    },
    Offered {
        field: Field::Media,
        name: "media",
        ty: AttrType::String,
        doc: "video or audio",
    },
    Offered {
        field: Field::Pts,
        name: "pts",
        ty: AttrType::Long,
        doc: "presentation time in ms (RTP clock, unwrapped): from the sender's first frame; \
              once RTCP sender reports came, on the clock a host's audio and video share \
              (0 = the pair's first frame)",
    },
    Offered {
        field: Field::Dts,
        name: "dts",
        ty: AttrType::Long,
        doc: "decode time in ms; RTP carries none, so the pts",
    },
    Offered {
        field: Field::Keyframe,
        name: "keyframe",
        ty: AttrType::Bool,
        doc: "an IDR (H.264) or IRAP (H.265) picture, whose data starts with the parameter \
              sets; every JPEG frame and audio packet",
    },
    Offered {
        field: Field::FrameType,
        name: "frame_type",
        ty: AttrType::String,
        doc: "I, P or B from the first slice header; NULL when unreadable",
    },
    Offered {
        field: Field::Width,
        name: "width",
        ty: AttrType::Int,
        doc: "from the latest SPS; NULL before one arrived",
    },
    Offered {
        field: Field::Height,
        name: "height",
        ty: AttrType::Int,
        doc: "likewise",
    },
    Offered {
        field: Field::Bytes,
        name: "bytes",
        ty: AttrType::Int,
        doc: "the size of data",
    },
    Offered {
        field: Field::Data,
        name: "data",
        ty: AttrType::Bytes,
        doc: "the access unit in Annex B (start codes), the AV1 temporal unit (a temporal \
              delimiter, then each OBU with its size: what an .obu file holds), the JPEG \
              file, the JPEG XS codestream, or the audio payload as \
              sent (an Opus packet; L16 big-endian samples; G.711 bytes), shared, never copied \
              again",
    },
    Offered {
        field: Field::Complete,
        name: "complete",
        ty: AttrType::Bool,
        doc: "false for a frame that lost packets (only with emit.incomplete='true')",
    },
    Offered {
        field: Field::Ssrc,
        name: "ssrc",
        ty: AttrType::Long,
        doc: "the RTP synchronization source",
    },
    Offered {
        field: Field::Timestamp,
        name: "timestamp",
        ty: AttrType::Long,
        doc: "receive time, epoch ms",
    },
];

const SOURCE_PARAMS: &[&dyn Describe] = &[
    &HOST,
    &PORT,
    &CODEC,
    &PAYLOAD_TYPE,
    &SDP_FILE,
    &REORDER_PACKETS,
    &REORDER_MS,
    &EMIT_INCOMPLETE,
    &SESSION_TIMEOUT_MS,
];

/// Datagrams read per wake before the events go out as one batch.
const BURST: usize = 64;

static DESCRIPTION: std::sync::OnceLock<String> = std::sync::OnceLock::new();

pub struct RtpSourceFactory;

impl SourceFactory for RtpSourceFactory {
    fn spec(&self) -> ConnectorSpec {
        ConnectorSpec {
            name: "rtp",
            aliases: &[],
            description: DESCRIPTION
                .get_or_init(|| {
                    format!(
                        "Listens for RTP over UDP (senders push: ffmpeg -f rtp, cameras, \
                         encoders) and emits one event per assembled frame: H.264 \
                         (RFC 6184) and H.265 (RFC 7798) access units from single NAL, \
                         aggregation and fragmentation packets, AV1 temporal units (the AOM \
                         RTP payload format: aggregated and fragmented OBUs, written as a \
                         low-overhead OBU stream), JPEG frames (RFC 2435), JPEG XS frames \
                         (RFC 9134, codestream and slice packetization, in or out of order), \
                         and \
                         audio packets (Opus, L16, G.711; the media attribute says which). \
                         Each sender (SSRC) is its own stream, listed by the control plane \
                         (GET /api/v1/streams). Packets are put back in order (reorder.packets, \
                         reorder.ms); lost ones are counted, and a frame that lost packets is \
                         skipped and counted unless emit.incomplete='true'. The codec comes \
                         from codec, sdp.file (per payload type; the source also listens on \
                         the SDP's other media ports), or the packets themselves. RTCP on the \
                         port above each: sender reports are counted, answered with receiver \
                         reports every 5 s, and put a host's audio and video sessions on one \
                         clock (pts), with their drift in the stats stream (av_drift_ms). With \
                         stats.stream, every stats.interval each sender also becomes a \
                         stream-health event (fps, bitrate, loss, GOP, state). A slow app gets \
                         GOP-aware shedding under max.buffer.bytes (on.full). The stream declares the attributes it wants, by name, from: \
                         {}. The stats stream declares its own, by name, from: {}.",
                        fields::describe(OFFERED),
                        stats::describe()
                    )
                })
                .as_str(),
            params: specs(&[SOURCE_PARAMS, outbox::PARAMS, stats::PARAMS, ERROR_PARAMS]),
            formats: &[],
            default_format: None,
            example: "@source(type='rtp', port='5004', codec='h264', reorder.packets='128')",
        }
    }

    fn side_streams(&self) -> &'static [&'static str] {
        stats::SIDE_STREAMS
    }

    fn validate(&self, config: &ConnectorConfig, schema: &Schema) -> Result<(), ConfigError> {
        fields::select("rtp", schema, OFFERED)?;
        StatsMeter::from_config("rtp", config)?;
        Settings::from_config(config).map(|_| ())
    }

    fn create(
        &self,
        config: &ConnectorConfig,
        schema: &Schema,
    ) -> Result<Box<dyn Source>, ConnectorError> {
        Ok(Box::new(RtpSource {
            fields: fields::select("rtp", schema, OFFERED)?,
            settings: Settings::from_config(config)?,
            stats: StatsMeter::from_config("rtp", config)?,
            stream: config.stream.clone(),
        }))
    }
}

struct RtpSource {
    fields: Vec<Field>,
    settings: Settings,
    stats: Option<StatsMeter>,
    stream: String,
}

impl Source for RtpSource {
    fn run(&mut self, ctx: &mut SourceContext) -> Result<(), ConnectorError> {
        let reader = RtpReader {
            fields: self.fields.clone(),
            settings: self.settings.clone(),
            stats: self.stats.take(),
            stream: self.stream.clone(),
        };
        deliver(ctx, self.settings.buffer, move |feed| reader.serve(feed))
    }
}

/// The network side: the socket loop, on the connector runtime.
struct RtpReader {
    fields: Vec<Field>,
    settings: Settings,
    stats: Option<StatsMeter>,
    stream: String,
}

impl RtpReader {
    async fn serve(mut self, feed: Feed) -> Result<(), ConnectorError> {
        let mut sockets = Vec::new();
        for port in &self.settings.ports {
            let address = format!("{}:{port}", self.settings.host);
            let socket = tokio::net::UdpSocket::bind(&address).await.map_err(|e| {
                ConnectorError::permanent(format!(
                    "rtp source: cannot listen on udp {address}: {e}"
                ))
            })?;
            log::info!("rtp source: listening on udp {address}");
            sockets.push(socket);
        }
        let address = format!("{}:{:?}", self.settings.host, self.settings.ports);
        let mut rtcp = RtcpReceiver::bind(&self.settings).await;
        feed.status().connected();
        let started = Instant::now();
        let now_ms = || started.elapsed().as_millis() as i64;
        let mut sessions: HashMap<u32, Session> = HashMap::new();
        let mut groups: HashMap<IpAddr, SyncGroup> = HashMap::new();
        let mut emitted = Vec::new();
        let mut buf = BytesMut::with_capacity(64 * 1024);
        let mut other_payload_types = 0u64;
        let mut malformed = 0u64;
        while feed.is_running() {
            feed.wait_for_room(None).await;
            let readable =
                futures_util::future::select_all(sockets.iter().map(|s| Box::pin(s.readable())));
            let first = tokio::time::timeout(Duration::from_millis(100), readable).await;
            // RTCP first: a sender report that came before its stream's first packet then
            // times that packet already.
            if let Some(r) = rtcp.as_mut() {
                r.receive(&mut sessions, now_ms(), &feed);
            }
            if first.is_ok() {
                for socket in &sockets {
                    for _ in 0..BURST {
                        buf.clear();
                        buf.reserve(64 * 1024);
                        let peer = match socket.try_recv_buf_from(&mut buf) {
                            Ok((_, peer)) => peer,
                            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                            Err(e) => {
                                log::warn!("rtp source: udp {address}: {e}");
                                break;
                            }
                        };
                        let datagram = buf.split().freeze();
                        feed.status().add_bytes(datagram.len() as u64);
                        let Ok((header, payload)) = read_packet(&datagram) else {
                            malformed += 1;
                            feed.report_error(ConnectorError::permanent(format!(
                                "rtp source: a {}-byte datagram from {peer} is not RTP; dropped",
                                datagram.len()
                            )));
                            continue;
                        };
                        if !self.settings.accepts(header.payload_type) {
                            other_payload_types += 1;
                            continue;
                        }
                        let offset = payload.as_ptr() as usize - datagram.as_ptr() as usize;
                        let payload = datagram.slice(offset..offset + payload.len());
                        let now = now_ms();
                        let session = match sessions.entry(header.ssrc) {
                            Entry::Occupied(o) => o.into_mut(),
                            Entry::Vacant(v) => v.insert(self.open_session(
                                &mut groups,
                                rtcp.as_mut(),
                                &feed,
                                peer,
                                &header,
                                now,
                            )),
                        };
                        let group = group_of(&mut groups, session, peer);
                        session.push(header, payload, now, &self.settings, group, &mut emitted);
                    }
                }
            }
            if let Some(r) = rtcp.as_mut() {
                r.report(&mut sessions, now_ms()).await;
            }
            let now = now_ms();
            let mut closed = Vec::new();
            for (ssrc, s) in sessions.iter_mut() {
                let peer = s.peer;
                s.tick(
                    now,
                    &self.settings,
                    group_of(&mut groups, s, peer),
                    &mut emitted,
                );
                let silent =
                    now - s.last_packet_ms > self.settings.session_timeout.as_millis() as i64;
                if silent || s.ingest.should_disconnect() {
                    s.close(
                        now,
                        &self.settings,
                        group_of(&mut groups, s, peer),
                        &mut emitted,
                    );
                    closed.push(*ssrc);
                }
            }
            for s in sessions.values() {
                if s.synced {
                    let drift = groups.get(&s.peer.ip()).and_then(|g| g.sync.drift_ms());
                    s.ingest.set_av_drift(drift);
                }
            }
            let mut stats_rows = Vec::new();
            let wall = chrono::Utc::now().timestamp_millis();
            self.frames(&mut emitted, &feed);
            for ssrc in closed {
                if let Some(s) = sessions.remove(&ssrc) {
                    leave_group(&mut groups, &s);
                    feed.outbox.close(&s.ingest.id);
                    if let Some(m) = self.stats.as_mut() {
                        stats_rows.push(m.last_row(&s.ingest, wall));
                    }
                    log::info!(
                        "rtp source: stream {} closed: {} packets lost, {} incomplete frames{}",
                        s.stream_id,
                        s.lost(),
                        s.incomplete(),
                        if self.settings.emit_incomplete {
                            ""
                        } else {
                            " skipped"
                        }
                    );
                }
            }
            if let Some(m) = self.stats.as_mut() {
                if m.due(wall) {
                    stats_rows.extend(sessions.values().map(|s| m.row(&s.ingest, wall)));
                }
            }
            feed.emit_side_rows(stats::STATS_STREAM.name(), stats_rows);
        }
        let mut last = Vec::new();
        let now = now_ms();
        for s in sessions.values_mut() {
            let peer = s.peer;
            s.close(
                now,
                &self.settings,
                group_of(&mut groups, s, peer),
                &mut last,
            );
        }
        self.frames(&mut last, &feed);
        for s in sessions.values() {
            feed.outbox.close(&s.ingest.id);
        }
        if let Some(m) = self.stats.as_mut() {
            let wall = chrono::Utc::now().timestamp_millis();
            let closing = sessions.values().map(|s| m.last_row(&s.ingest, wall));
            let rows = closing.collect();
            feed.emit_side_rows(stats::STATS_STREAM.name(), rows);
        }
        if let Some(r) = &rtcp {
            r.log_totals();
        }
        if other_payload_types + malformed > 0 {
            log::info!(
                "rtp source: udp {address}: {other_payload_types} packets of other payload types and {malformed} malformed datagrams dropped"
            );
        }
        Ok(())
    }

    /// A sender's first packet: its session, in its host's sync group when the slot of its
    /// media is free, with the sender reports that came before it.
    fn open_session(
        &self,
        groups: &mut HashMap<IpAddr, SyncGroup>,
        rtcp: Option<&mut RtcpReceiver>,
        feed: &Feed,
        peer: SocketAddr,
        header: &RtpHeader,
        now_ms: i64,
    ) -> Session {
        let mut s = Session::new(&self.settings, &self.stream, peer, header, now_ms);
        if let Some(r) = rtcp {
            r.adopt(&mut s);
        }
        s.synced = groups
            .entry(peer.ip())
            .or_default()
            .join(s.media(), header.ssrc);
        feed.outbox.open(s.ingest.shared());
        log::info!("rtp source: new stream {}", s.stream_id);
        s
    }

    /// Frames become rows, each queued on its stream's outbox.
    fn frames(&self, emitted: &mut Vec<Emitted>, feed: &Feed) {
        let now = chrono::Utc::now().timestamp_millis();
        for e in emitted.drain(..) {
            let row: Vec<Value> = self
                .fields
                .iter()
                .map(|field| match field {
                    Field::StreamId => Value::String(e.stream_id.clone()),
                    Field::Codec => Value::from(e.codec.as_str()),
                    Field::Media => Value::from(e.codec.media_kind().as_str()),
                    Field::Pts | Field::Dts => Value::Long(e.pts_ms),
                    Field::Keyframe => Value::Bool(e.keyframe),
                    Field::FrameType => e
                        .frame_type
                        .map_or(Value::Null, |t| Value::from(t.as_str())),
                    Field::Width => e.width.map_or(Value::Null, |w| Value::Int(w as i32)),
                    Field::Height => e.height.map_or(Value::Null, |h| Value::Int(h as i32)),
                    Field::Bytes => Value::Int(e.data.len() as i32),
                    Field::Data => Value::Bytes(e.data.clone()),
                    Field::Complete => Value::Bool(e.complete),
                    Field::Ssrc => Value::Long(i64::from(e.ssrc)),
                    Field::Timestamp => Value::Long(now),
                })
                .collect();
            let kind = kind_of(e.keyframe, e.reference);
            feed.outbox
                .frame(&e.ingest_id, row.into(), kind, e.data.len() as u64);
        }
    }
}

/// The sync group a session belongs to, when it holds its host's audio or video slot.
fn group_of<'a>(
    groups: &'a mut HashMap<IpAddr, SyncGroup>,
    session: &Session,
    peer: SocketAddr,
) -> Option<&'a mut SyncGroup> {
    if session.synced {
        groups.get_mut(&peer.ip())
    } else {
        None
    }
}

fn leave_group(groups: &mut HashMap<IpAddr, SyncGroup>, s: &Session) {
    let ip = s.peer.ip();
    if groups.get_mut(&ip).is_some_and(|g| g.leave(s.ssrc)) {
        groups.remove(&ip);
    }
}

/// RTCP on the port above each RTP port (RFC 3550 §11): sender reports are counted per stream
/// and set its RTP-to-wall-clock mapping (A/V sync); every RECEIVER_REPORT_MS each sender that
/// sends RTCP gets a receiver report back (loss, jitter, its last sender report). A sender
/// report can come before its stream's first RTP packet; it is held until the stream appears.
struct RtcpReceiver {
    sockets: Vec<tokio::net::UdpSocket>,
    address: String,
    /// Held reports of streams not seen yet: their count, the latest one, when it came and
    /// from where.
    unclaimed: HashMap<u32, Unclaimed>,
    malformed: u64,
    /// Our SSRC as a reporter, and the CNAME each report carries.
    ssrc: u32,
    cname: String,
    next_report_ms: i64,
}

struct Unclaimed {
    count: u64,
    report: ReceivedSenderReport,
    at_ms: i64,
    from: (usize, SocketAddr),
}

/// RFC 3550's minimum interval between RTCP reports.
const RECEIVER_REPORT_MS: i64 = 5_000;

/// Reports held for streams not seen yet, at most; beyond that they are dropped (and counted
/// as unclaimed in the log).
const MAX_UNCLAIMED: usize = 64;

/// A sender report reached its session.
fn claim(s: &mut Session, sr: &ReceivedSenderReport, at_ms: i64, from: (usize, SocketAddr)) {
    s.ingest.sender_report();
    s.last_sender_report = Some((sr.ntp, at_ms));
    s.sender_clock.report(sr.rtp_timestamp, sr.wall_ms());
    s.rtcp_peer = Some(from);
}

impl RtcpReceiver {
    /// `None`, with a warning, when a port is taken: media still flows without RTCP.
    async fn bind(settings: &Settings) -> Option<RtcpReceiver> {
        let mut sockets = Vec::new();
        let mut addresses = Vec::new();
        for port in &settings.ports {
            let port = port.checked_add(1)?;
            let address = format!("{}:{port}", settings.host);
            match tokio::net::UdpSocket::bind(&address).await {
                Ok(socket) => sockets.push(socket),
                Err(e) => {
                    log::warn!(
                        "rtp source: cannot listen for RTCP on udp {address} (the RTP port + 1): {e}; \
                         sender reports are not read (no A/V sync)"
                    );
                    return None;
                }
            }
            addresses.push(address);
        }
        Some(RtcpReceiver {
            sockets,
            cname: format!("eventflux@{}", addresses[0]),
            address: addresses.join(", "),
            unclaimed: HashMap::new(),
            malformed: 0,
            ssrc: fastrand::u32(..),
            next_report_ms: 0,
        })
    }

    fn receive(&mut self, sessions: &mut HashMap<u32, Session>, now_ms: i64, feed: &Feed) {
        let mut buf = [0u8; 2048];
        for (index, socket) in self.sockets.iter().enumerate() {
            loop {
                let (n, peer) = match socket.try_recv_from(&mut buf) {
                    Ok(got) => got,
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                    Err(e) => {
                        log::warn!("rtp source: rtcp udp {}: {e}", self.address);
                        break;
                    }
                };
                let reports = match sender_reports(&buf[..n]) {
                    Ok(reports) => reports,
                    Err(e) => {
                        self.malformed += 1;
                        feed.report_error(ConnectorError::permanent(format!(
                            "rtp source: a {n}-byte datagram from {peer} on the RTCP port {}: {e}; dropped",
                            self.address
                        )));
                        continue;
                    }
                };
                for sr in reports {
                    match sessions.get_mut(&sr.ssrc) {
                        Some(s) => claim(s, &sr, now_ms, (index, peer)),
                        None if self.unclaimed.len() < MAX_UNCLAIMED
                            || self.unclaimed.contains_key(&sr.ssrc) =>
                        {
                            let count = self.unclaimed.get(&sr.ssrc).map_or(0, |u| u.count);
                            self.unclaimed.insert(
                                sr.ssrc,
                                Unclaimed {
                                    count: count + 1,
                                    report: sr,
                                    at_ms: now_ms,
                                    from: (index, peer),
                                },
                            );
                        }
                        None => {}
                    }
                }
            }
        }
        self.unclaimed
            .retain(|ssrc, held| match sessions.get_mut(ssrc) {
                Some(s) => {
                    (1..held.count).for_each(|_| s.ingest.sender_report());
                    claim(s, &held.report, held.at_ms, held.from);
                    false
                }
                None => true,
            });
    }

    /// A new session takes the reports held for it.
    fn adopt(&mut self, s: &mut Session) {
        if let Some(held) = self.unclaimed.remove(&s.ssrc) {
            (1..held.count).for_each(|_| s.ingest.sender_report());
            claim(s, &held.report, held.at_ms, held.from);
        }
    }

    /// Receiver reports to the senders that send RTCP, when one is due.
    async fn report(&mut self, sessions: &mut HashMap<u32, Session>, now_ms: i64) {
        if now_ms < self.next_report_ms {
            return;
        }
        self.next_report_ms = now_ms + RECEIVER_REPORT_MS;
        for s in sessions.values_mut() {
            let Some((index, peer)) = s.rtcp_peer else {
                continue;
            };
            let reception = s.reception(now_ms);
            match receiver_report(self.ssrc, &self.cname, &[reception]) {
                Ok(packet) => {
                    if let Err(e) = self.sockets[index].send_to(&packet, peer).await {
                        log::debug!("rtp source: receiver report to {peer}: {e}");
                    }
                }
                Err(e) => log::warn!("rtp source: cannot write a receiver report: {e}"),
            }
        }
    }

    fn log_totals(&self) {
        let unclaimed: u64 = self.unclaimed.values().map(|held| held.count).sum();
        if unclaimed + self.malformed > 0 {
            log::info!(
                "rtp source: rtcp udp {}: {unclaimed} sender reports of streams never seen, {} malformed datagrams",
                self.address,
                self.malformed
            );
        }
    }
}

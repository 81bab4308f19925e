//! `rtsp` sink: an RTSP 1.0 server that streams the events' JPEG frames (RFC 2435) or PCM
//! audio (L16) to any number of clients over TCP interleaved or UDP, with RTCP sender reports.

use super::clients::Clients;
use super::packets::RtpSender;
use super::params::{
    MediaKind, CHANNELS, CLIENT_QUEUE_FRAMES, HOST, MAX_CLIENTS, MEDIA, MTU, PACKET_MS, PATH,
    PAYLOAD_ATTRIBUTE, PORT, SAMPLE_RATE, SESSION_TIMEOUT_S,
};
use super::server::{accept_loop, bind_udp_pair, Shared};
use crate::connector::config::{ConfigError, ConnectorConfig};
use crate::connector::error::{ERROR_PARAMS, SINK_BUFFER_PARAMS_WITHOUT_BATCH};
use crate::connector::media::fields::{self, bytes_attribute};
use crate::connector::net::runtime;
use crate::connector::param::{specs, Describe};
use crate::connector::spec::ConnectorSpec;
use crate::connector::{ConnectorError, Rejects, Sink, SinkFactory, SinkMapper};
use crate::event::Event;
use crate::media::l16::L16Packetizer;
use crate::media::sdp::{session_sdp, SdpSession, Track, TrackFormat};
use crate::schema::Schema;
use crate::value::Value;
use parking_lot::Mutex;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

const PARAMS: &[&dyn Describe] = &[
    &HOST,
    &PORT,
    &PATH,
    &MEDIA,
    &PAYLOAD_ATTRIBUTE,
    &SAMPLE_RATE,
    &CHANNELS,
    &PACKET_MS,
    &MTU,
    &MAX_CLIENTS,
    &CLIENT_QUEUE_FRAMES,
    &SESSION_TIMEOUT_S,
];

pub struct RtspSinkFactory;

impl SinkFactory for RtspSinkFactory {
    fn spec(&self) -> ConnectorSpec {
        ConnectorSpec {
            name: "rtsp",
            aliases: &[],
            description: "An RTSP 1.0 server (OPTIONS, DESCRIBE with SDP, SETUP, PLAY, TEARDOWN, \
                GET_PARAMETER keepalives, session timeouts) that VLC, ffmpeg and GStreamer play: \
                rtsp://host:port/path. media='video' sends each event's JPEG as RTP/JPEG (RFC \
                2435: in-band quantization tables, restart markers, fragments of mtu bytes, 90 \
                kHz timestamps from the event time); a JPEG the RFC cannot carry (not baseline, \
                over 2040 px, a subsampling without an RTP/JPEG type, non-standard Huffman \
                tables) goes to the error strategy with the reason. media='audio' sends \
                little-endian 16-bit PCM as big-endian L16 (RFC 3551) in packets of packet.ms. \
                Clients pick TCP interleaved or UDP (server ports are free ones picked at \
                start); RTCP sender reports every 5 s let them sync. Each client has its own \
                bounded queue: a slow one skips frames (counted), one that reads nothing for \
                session.timeout.s is dropped; all share one packetized copy of each frame.",
            params: specs(&[PARAMS, SINK_BUFFER_PARAMS_WITHOUT_BATCH, ERROR_PARAMS]),
            formats: &[],
            default_format: None,
            example: "@sink(type='rtsp', port='8554', path='/stream', media='video')",
        }
    }

    fn validate(&self, config: &ConnectorConfig, schema: &Schema) -> Result<(), ConfigError> {
        Settings::from_config(config, schema).map(|_| ())
    }

    fn create(
        &self,
        config: &ConnectorConfig,
        schema: &Schema,
        _mapper: Option<Box<dyn SinkMapper>>,
    ) -> Result<Box<dyn Sink>, ConnectorError> {
        let s = Settings::from_config(config, schema)?;
        let ip: IpAddr = s.host.parse().map_err(|_| {
            ConnectorError::permanent(format!("rtsp sink: host '{}' is not an IP address", s.host))
        })?;
        let (listener, udp) = runtime().block_on(async {
            let listener = tokio::net::TcpListener::bind((ip, s.port)).await;
            (listener, bind_udp_pair(ip).await)
        });
        let listener = listener.map_err(|e| {
            ConnectorError::permanent(format!(
                "rtsp sink: cannot listen on {}:{}: {e}",
                s.host, s.port
            ))
        })?;
        let udp = match udp {
            Ok(pair) => Some(pair),
            Err(e) => {
                log::warn!("rtsp sink: no UDP ports ({e}); clients must use TCP");
                None
            }
        };
        let sdp = session_sdp(&SdpSession {
            name: format!("EventFlux {}", s.path),
            id: fastrand::u64(..u64::MAX / 2),
            version: 1,
            origin: ip,
            tracks: vec![Track {
                format: s.format,
                control: "trackID=0".into(),
            }],
        });
        let sender = RtpSender::new(s.media, s.format, s.mtu, s.packet_ms)
            .map_err(|e| ConnectorError::permanent(format!("rtsp sink: {e}")))?;
        let shared = Arc::new(Shared {
            path: s.path.clone(),
            sdp,
            timeout: Duration::from_secs(s.timeout_s.max(1)),
            clients: Clients::new(
                s.max_clients,
                s.queue_frames,
                Duration::from_secs(s.timeout_s.max(1)),
            ),
            sender: Mutex::new(sender),
            udp,
        });
        let local = listener.local_addr().map_err(ConnectorError::from)?;
        let server = runtime().spawn(accept_loop(listener, shared.clone()));
        log::info!(
            "rtsp sink: serving rtsp://{local}{} ({:?})",
            s.path,
            s.media
        );
        Ok(Box::new(RtspSink {
            payload_index: s.payload_index,
            shared,
            server,
        }))
    }
}

struct Settings {
    host: String,
    port: u16,
    path: String,
    media: MediaKind,
    format: TrackFormat,
    payload_index: usize,
    packet_ms: u32,
    mtu: usize,
    max_clients: usize,
    queue_frames: usize,
    timeout_s: u64,
}

impl Settings {
    fn from_config(config: &ConnectorConfig, schema: &Schema) -> Result<Settings, ConfigError> {
        let path = fields::served_path(PATH.get(config))?;
        let media = MEDIA.read(config)?;
        let packet_ms = PACKET_MS.read(config)?;
        let format = match media {
            MediaKind::Video => TrackFormat::Jpeg,
            MediaKind::Audio => {
                let rate = SAMPLE_RATE.read(config)?;
                let channels = CHANNELS.read(config)?;
                // The same checks the packetizer makes, reported at compile time.
                L16Packetizer::new(rate, channels, packet_ms, 0).map_err(|e| {
                    ConfigError(format!(
                        "parameters 'sample.rate', 'channels', 'packet.ms': {e}"
                    ))
                })?;
                TrackFormat::L16 { rate, channels }
            }
        };
        Ok(Settings {
            host: HOST.get(config).to_string(),
            port: PORT.read(config)?,
            path,
            media,
            format,
            payload_index: bytes_attribute(
                "rtsp",
                schema,
                PAYLOAD_ATTRIBUTE.get(config),
                "payload.attribute",
            )?,
            packet_ms,
            mtu: MTU.read(config)?,
            max_clients: MAX_CLIENTS.read(config)?.max(1),
            queue_frames: CLIENT_QUEUE_FRAMES.read(config)?.max(1),
            timeout_s: SESSION_TIMEOUT_S.read(config)?,
        })
    }
}

struct RtspSink {
    payload_index: usize,
    shared: Arc<Shared>,
    server: tokio::task::JoinHandle<()>,
}

impl Sink for RtspSink {
    fn publish(&mut self, events: &[Event], rejects: &mut Rejects) -> Result<(), ConnectorError> {
        for (i, event) in events.iter().enumerate() {
            let Some(Value::Bytes(payload)) = event.data.get(self.payload_index) else {
                rejects.reject(
                    i,
                    ConnectorError::permanent("rtsp sink: the payload is NULL; not sent"),
                );
                continue;
            };
            let packets = self.shared.sender.lock().packets(event.ts, payload);
            match packets {
                Ok(p) if p.is_empty() => {}
                Ok(p) => self.shared.clients.publish(p),
                Err(why) => rejects.reject(
                    i,
                    ConnectorError::permanent(format!(
                        "rtsp sink: cannot send this payload ({} bytes): {why}",
                        payload.len()
                    )),
                ),
            }
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), ConnectorError> {
        self.shared.clients.close();
        std::thread::sleep(Duration::from_millis(50));
        self.server.abort();
        self.shared.clients.log_totals();
        Ok(())
    }
}

//! MPEG-TS (what SRT senders carry) into elementary-stream access units, on the push-based
//! `mpeg2ts-reader` demultiplexer: the PAT and PMT name each PID's codec, each PES packet of a
//! video PID becomes one access unit with its 90 kHz PTS and DTS, and continuity-counter gaps
//! (lost TS packets) are counted and mark the unit they hit. Sans-IO: bytes in, units out.

use super::codec::Codec;
use bytes::{Bytes, BytesMut};
use mpeg2ts_reader::demultiplex::{self, DemuxContext, FilterChangeset, FilterRequest};
use mpeg2ts_reader::pes::{self, ElementaryStreamConsumer, PesContents, PtsDts};
use mpeg2ts_reader::{packet_filter_switch, psi, StreamType};

/// One PES packet of an elementary stream.
#[derive(Debug, Clone, PartialEq)]
pub struct TsUnit {
    pub pid: u16,
    pub codec: Codec,
    /// 33-bit, 90 kHz.
    pub pts: Option<u64>,
    pub dts: Option<u64>,
    pub data: Bytes,
    /// TS packets of this unit were lost.
    pub damaged: bool,
}

/// The codec of a PMT stream type, for the ones we read.
pub fn codec_of_stream_type(t: StreamType) -> Option<Codec> {
    match t {
        StreamType::H264 => Some(Codec::H264),
        StreamType::H265 => Some(Codec::Hevc),
        StreamType::ADTS => Some(Codec::Aac),
        _ => None,
    }
}

packet_filter_switch! {
    TsFilter<TsContext> {
        Pes: pes::PesPacketFilter<TsContext, UnitCollector>,
        Pat: demultiplex::PatPacketFilter<TsContext>,
        Pmt: demultiplex::PmtPacketFilter<TsContext>,
        Null: demultiplex::NullPacketFilter<TsContext>,
    }
}

/// The demultiplexer's context: where finished units and counts go.
pub struct TsContext {
    changeset: FilterChangeset<TsFilter>,
    units: Vec<TsUnit>,
    pub continuity_errors: u64,
    /// Streams of codecs this demuxer does not read (skipped), by PMT stream type.
    pub skipped_streams: Vec<u8>,
    /// Each PID's unit in progress, here rather than in its collector so a flush reaches it.
    pending: std::collections::BTreeMap<u16, (Codec, Pending)>,
}

impl TsContext {
    fn finish(&mut self, pid: u16) {
        if let Some((codec, p)) = self.pending.remove(&pid) {
            self.units.push(TsUnit {
                pid,
                codec,
                pts: p.pts,
                dts: p.dts,
                data: p.data.freeze(),
                damaged: p.damaged,
            });
        }
    }
}

impl DemuxContext for TsContext {
    type F = TsFilter;

    fn filter_changeset(&mut self) -> &mut FilterChangeset<TsFilter> {
        &mut self.changeset
    }

    fn construct(&mut self, req: FilterRequest<'_, '_>) -> TsFilter {
        match req {
            FilterRequest::ByPid(psi::pat::PAT_PID) => TsFilter::Pat(Default::default()),
            FilterRequest::ByPid(_) => TsFilter::Null(Default::default()),
            FilterRequest::ByStream {
                stream_type,
                stream_info,
                ..
            } => match codec_of_stream_type(stream_type) {
                Some(codec) => TsFilter::Pes(pes::PesPacketFilter::new(UnitCollector {
                    pid: u16::from(stream_info.elementary_pid()),
                    codec,
                })),
                None => {
                    self.skipped_streams.push(u8::from(stream_type));
                    TsFilter::Null(Default::default())
                }
            },
            FilterRequest::Pmt {
                pid,
                program_number,
            } => TsFilter::Pmt(demultiplex::PmtPacketFilter::new(pid, program_number)),
            FilterRequest::Nit { .. } => TsFilter::Null(Default::default()),
        }
    }
}

struct Pending {
    pts: Option<u64>,
    dts: Option<u64>,
    data: BytesMut,
    damaged: bool,
}

/// Gathers one elementary stream's PES packets (into the context's `pending`).
pub struct UnitCollector {
    pid: u16,
    codec: Codec,
}

impl ElementaryStreamConsumer<TsContext> for UnitCollector {
    fn start_stream(&mut self, _ctx: &mut TsContext) {}

    fn begin_packet(&mut self, ctx: &mut TsContext, header: pes::PesHeader<'_>) {
        self.end_packet(ctx);
        let (pts, dts, payload) = match header.contents() {
            PesContents::Parsed(Some(p)) => {
                let (pts, dts) = match p.pts_dts() {
                    Ok(PtsDts::PtsOnly(Ok(pts))) => (Some(pts.value()), None),
                    Ok(PtsDts::Both {
                        pts: Ok(pts),
                        dts: Ok(dts),
                    }) => (Some(pts.value()), Some(dts.value())),
                    _ => (None, None),
                };
                (pts, dts, p.payload())
            }
            PesContents::Parsed(None) => (None, None, &[][..]),
            PesContents::Payload(p) => (None, None, p),
        };
        let mut data = BytesMut::with_capacity(payload.len().max(4096) * 2);
        data.extend_from_slice(payload);
        let p = Pending {
            pts,
            dts,
            data,
            damaged: false,
        };
        ctx.pending.insert(self.pid, (self.codec, p));
    }

    fn continue_packet(&mut self, ctx: &mut TsContext, data: &[u8]) {
        if let Some((_, p)) = ctx.pending.get_mut(&self.pid) {
            p.data.extend_from_slice(data);
        }
    }

    fn end_packet(&mut self, ctx: &mut TsContext) {
        ctx.finish(self.pid);
    }

    fn continuity_error(&mut self, ctx: &mut TsContext) {
        ctx.continuity_errors += 1;
        if let Some((_, p)) = ctx.pending.get_mut(&self.pid) {
            p.damaged = true;
        }
    }
}

/// A transport stream being demultiplexed.
pub struct TsDemuxer {
    ctx: TsContext,
    demux: demultiplex::Demultiplex<TsContext>,
    /// Bytes of a TS packet cut at the end of the last push.
    partial: Vec<u8>,
}

const TS_PACKET: usize = 188;

impl Default for TsDemuxer {
    fn default() -> Self {
        let mut ctx = TsContext {
            changeset: FilterChangeset::default(),
            units: Vec::new(),
            continuity_errors: 0,
            skipped_streams: Vec::new(),
            pending: Default::default(),
        };
        let demux = demultiplex::Demultiplex::new(&mut ctx);
        TsDemuxer {
            ctx,
            demux,
            partial: Vec::new(),
        }
    }
}

impl TsDemuxer {
    /// Bytes of the stream, in any chunking; finished units are appended to `out`. A unit is
    /// finished when the next one of its PID begins.
    pub fn push(&mut self, data: &[u8], out: &mut Vec<TsUnit>) {
        let mut data = data;
        if !self.partial.is_empty() {
            let need = TS_PACKET - self.partial.len();
            let take = need.min(data.len());
            self.partial.extend_from_slice(&data[..take]);
            data = &data[take..];
            if self.partial.len() == TS_PACKET {
                let packet = std::mem::take(&mut self.partial);
                self.demux.push(&mut self.ctx, &packet);
            }
        }
        let whole = data.len() / TS_PACKET * TS_PACKET;
        if whole > 0 {
            self.demux.push(&mut self.ctx, &data[..whole]);
        }
        self.partial.extend_from_slice(&data[whole..]);
        out.append(&mut self.ctx.units);
    }

    /// The end of the stream: every unit in progress is finished.
    pub fn flush(&mut self, out: &mut Vec<TsUnit>) {
        let pids: Vec<u16> = self.ctx.pending.keys().copied().collect();
        for pid in pids {
            self.ctx.finish(pid);
        }
        out.append(&mut self.ctx.units);
    }

    pub fn continuity_errors(&self) -> u64 {
        self.ctx.continuity_errors
    }

    pub fn skipped_streams(&self) -> &[u8] {
        &self.ctx.skipped_streams
    }
}

//! The `binary` sink: each event as one record (timestamp, source address, mapped payload) in
//! rotating, optionally LZ4-compressed files.

use super::{write_record, FileHeader};
use crate::connector::config::{ConfigError, ConnectorConfig};
use crate::connector::error::ERROR_PARAMS;
use crate::connector::param::{specs, Param};
use crate::connector::spec::ConnectorSpec;
use crate::connector::storage::rotation::{
    attribute_index, FileParams, FileSet, Layout, PartitionBuffers, PARTITION_BY,
};
use crate::connector::{
    ConnectorError, ConnectorStatus, Health, Rejects, Sink, SinkFactory, SinkMapper,
};
use crate::event::Event;
use crate::schema::Schema;
use crate::value::{AttrType, Value};
use std::io;
use std::net::IpAddr;

pub struct BinarySinkFactory;

static FILES: FileParams = FileParams::new(
    "Base directory of the rotated files (with rotation='none' and no rotation.max.bytes: the \
     one file to append to).",
    4096,
    1000,
);
const ADDRESS_ATTRIBUTE: Param<Option<String>> = Param::optional(
    "address.attribute",
    None,
    "A STRING (IP address text) or BYTES (4 or 16 bytes) attribute stored as each record's \
     source address; without it the address is zeros.",
    "client_ip",
);

impl SinkFactory for BinarySinkFactory {
    fn spec(&self) -> ConnectorSpec {
        ConnectorSpec {
            name: "binary",
            aliases: &[],
            description: "Archives events as a replayable binary log: each record is the \
                event timestamp, a 16-byte source address and the length-prefixed payload \
                (the `binary` row encoding by default). Files rotate by time and size without \
                losing or tearing a record, are written as NAME.inprogress and renamed when \
                complete, and can be LZ4-compressed (`lz4 -d` reads them). Read them with \
                `eventflux read FILE`, the library's BinaryReader, or replay them with the \
                binary source.",
            params: specs(&[&FILES.all(), &[&ADDRESS_ATTRIBUTE], ERROR_PARAMS]),
            formats: &["binary", "json", "csv", "text", "bytes"],
            default_format: Some("binary"),
            example: "@sink(type='binary', path='archive/trades', rotation='hourly', \
                compression='lz4')",
        }
    }

    fn validate(&self, config: &ConnectorConfig, schema: &Schema) -> Result<(), ConfigError> {
        let settings = FILES.read(config)?;
        attribute_index(
            schema,
            settings.partition_by.as_deref(),
            PARTITION_BY.name(),
            None,
        )?;
        attribute_index(
            schema,
            ADDRESS_ATTRIBUTE.get(config),
            ADDRESS_ATTRIBUTE.name(),
            Some(&[AttrType::String, AttrType::Bytes]),
        )?;
        Ok(())
    }

    fn create(
        &self,
        config: &ConnectorConfig,
        schema: &Schema,
        mapper: Option<Box<dyn SinkMapper>>,
    ) -> Result<Box<dyn Sink>, ConnectorError> {
        let settings = FILES.read(config)?;
        let mapper = mapper.ok_or_else(|| {
            ConnectorError::permanent("binary sink needs a format (@map(type='binary'))")
        })?;
        let format = config.map.as_ref().map_or("binary", |m| m.kind.as_str());
        let partition = attribute_index(
            schema,
            settings.partition_by.as_deref(),
            PARTITION_BY.name(),
            None,
        )?;
        let address = attribute_index(
            schema,
            ADDRESS_ATTRIBUTE.get(config),
            ADDRESS_ATTRIBUTE.name(),
            Some(&[AttrType::String, AttrType::Bytes]),
        )?;
        let header = FileHeader::for_stream(schema, format).to_bytes();
        let extension = "bin";
        let layout = Layout::new(settings, schema.name(), extension, Some(header));
        let mut sink = BinarySink {
            files: FileSet::new(layout.clone(), partition),
            address,
            mapper,
            payload: Vec::with_capacity(256),
            status: Default::default(),
        };
        if partition.is_none() {
            // Open now, so a bad path fails at startup.
            sink.files.get(None)?;
        }
        Ok(Box::new(sink))
    }
}

struct BinarySink {
    files: FileSet,
    address: Option<usize>,
    mapper: Box<dyn SinkMapper>,
    payload: Vec<u8>,
    status: std::sync::Arc<ConnectorStatus>,
}

fn address_of(value: &Value) -> [u8; 16] {
    let ip = match value {
        Value::String(s) => s.trim().parse::<IpAddr>().ok(),
        Value::Bytes(b) if b.len() == 4 => {
            Some(IpAddr::from(<[u8; 4]>::try_from(&b[..]).expect("4 bytes")))
        }
        Value::Bytes(b) if b.len() == 16 => Some(IpAddr::from(
            <[u8; 16]>::try_from(&b[..]).expect("16 bytes"),
        )),
        _ => None,
    };
    match ip {
        Some(IpAddr::V4(v4)) => v4.to_ipv6_mapped().octets(),
        Some(IpAddr::V6(v6)) => v6.octets(),
        None => [0; 16],
    }
}

impl BinarySink {
    fn write_batch(&mut self, events: &[Event], rejects: &mut Rejects) -> io::Result<()> {
        let mut buffers = PartitionBuffers::default();
        for (i, event) in events.iter().enumerate() {
            self.payload.clear();
            if let Err(msg) = self.mapper.encode(event, &mut self.payload) {
                rejects.reject(i, ConnectorError::permanent(msg));
                continue;
            }
            let address = self.address.map_or([0; 16], |a| address_of(event.get(a)));
            let buf = self.files.buffer(&mut buffers, event);
            write_record(event.ts, &address, &self.payload, buf);
        }
        self.files.write(buffers)
    }
}

impl Sink for BinarySink {
    fn set_status(&mut self, status: std::sync::Arc<ConnectorStatus>) {
        self.status = status;
    }

    fn health(&mut self) -> Health {
        let (health, hit_rate) = self.files.health();
        self.status.set_pool_hit_rate(hit_rate);
        health
    }

    fn publish(&mut self, events: &[Event], rejects: &mut Rejects) -> Result<(), ConnectorError> {
        self.write_batch(events, rejects).map_err(|e| {
            let mut err = ConnectorError::from(e);
            err.message = format!("binary sink: cannot write: {}", err.message);
            err
        })
    }

    fn sync(&mut self) -> Result<(), ConnectorError> {
        self.files.sync()
    }

    fn idle(&mut self) {
        if let Err(e) = self.files.tick() {
            log::error!("binary sink: {e}");
        }
    }

    fn flush(&mut self) -> Result<(), ConnectorError> {
        self.files.close()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connector::storage::binary::Record;
    use bytes::Bytes;

    #[test]
    fn addresses_are_stored_as_ipv6() {
        let v4 = address_of(&Value::from("10.1.2.3"));
        assert_eq!(&v4[..12], &[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]);
        assert_eq!(&v4[12..], &[10, 1, 2, 3]);
        let r = Record {
            ts: 0,
            address: v4,
            payload: Bytes::new(),
        };
        assert_eq!(r.address_text(), "10.1.2.3");
        assert_eq!(address_of(&Value::from("not an ip")), [0; 16]);
        assert_eq!(address_of(&Value::from("::1"))[15], 1);
    }
}

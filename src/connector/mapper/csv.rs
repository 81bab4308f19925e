//! `csv` mapper: CSV records to rows and events to CSV records.

use super::text::{parse_text, quote_for_error};
use super::{MapperFactory, SinkMapper, SourceMapper};
use crate::connector::config::{ConfigError, MapperConfig};
use crate::connector::param::{specs, Param};
use crate::connector::spec::ConnectorSpec;
use crate::event::Event;
use crate::schema::Schema;
use crate::value::{AttrType, Value};
use base64::Engine as _;
use bytes::Bytes;
use csv::{ByteRecord, Position, Reader, ReaderBuilder, Terminator, Writer, WriterBuilder};
use std::cell::RefCell;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::sync::Arc;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;
const B64_DECODE: base64::engine::GeneralPurpose =
    base64::engine::general_purpose::STANDARD_PAD_INDIFFERENT;

pub struct CsvMapperFactory;

const DELIMITER: Param<&'static str> = Param::optional(
    "delimiter",
    ",",
    "Field delimiter: one ASCII character, or '\\t' for tab",
    ";",
);
const HEADER: Param<bool> = Param::optional(
    "header",
    false,
    "Source: the first record read is a header naming the columns, and fields are matched to \
     attributes by name (a missing column is NULL). Sink: write a header line with the \
     attribute names first",
    "true",
);

impl MapperFactory for CsvMapperFactory {
    fn spec(&self) -> ConnectorSpec {
        ConnectorSpec {
            name: "csv",
            aliases: &[],
            description: "CSV (RFC 4180 quoting). Source: each record of a payload (one or more \
                lines) is a row, fields in attribute order, or by column name when \
                header='true'; an empty field is NULL, BYTES are base64. Sink: one record per \
                event, fields quoted as needed, NULL as an empty field.",
            params: specs(&[&[&DELIMITER, &HEADER]]),
            formats: &[],
            default_format: None,
            example: "@map(type='csv', delimiter=';', header='true')",
        }
    }

    fn source_mapper(
        &self,
        config: &MapperConfig,
        schema: &Schema,
    ) -> Result<Box<dyn SourceMapper>, ConfigError> {
        let delimiter = delimiter(config)?;
        let header = HEADER.read(config)?;
        reject_attributes(config)?;
        let mut reader = ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(Feed::default());
        // Marks the reader as positioned so it never treats a record as a header itself.
        reader
            .seek_raw(SeekFrom::Start(0), Position::new())
            .map_err(|e| ConfigError(format!("csv mapper: {e}")))?;
        Ok(Box::new(CsvSource {
            reader,
            record: ByteRecord::new(),
            fields: schema
                .attrs()
                .iter()
                .map(|a| (Box::from(a.name.as_str()), a.ty))
                .collect(),
            columns: if header {
                Columns::AwaitingHeader
            } else {
                Columns::Positional
            },
            schema: schema.clone(),
            scratch: Vec::with_capacity(schema.len()),
        }))
    }

    fn sink_mapper(
        &self,
        config: &MapperConfig,
        schema: &Schema,
    ) -> Result<Box<dyn SinkMapper>, ConfigError> {
        let delimiter = delimiter(config)?;
        let header = HEADER.read(config)?;
        reject_attributes(config)?;
        let builder = {
            let mut b = WriterBuilder::new();
            b.delimiter(delimiter).terminator(Terminator::Any(b'\n'));
            b
        };
        let header = if header {
            let mut w = builder.from_writer(Vec::new());
            w.write_record(schema.names())
                .map_err(|e| ConfigError(format!("csv mapper: {e}")))?;
            let mut line = w
                .into_inner()
                .map_err(|e| ConfigError(format!("csv mapper: {e}")))?;
            line.pop();
            Some(line)
        } else {
            None
        };
        Ok(Box::new(CsvSink {
            writer: builder.from_writer(Buf::default()),
            floats: schema
                .attrs()
                .iter()
                .map(|a| matches!(a.ty, AttrType::Float | AttrType::Double))
                .collect(),
            scratch: Vec::new(),
            header,
        }))
    }
}

fn delimiter(config: &MapperConfig) -> Result<u8, ConfigError> {
    match DELIMITER.get(config) {
        "\\t" | "\t" => Ok(b'\t'),
        d if d.len() == 1 && d.is_ascii() && !matches!(d, "\"" | "\n" | "\r") => {
            Ok(d.as_bytes()[0])
        }
        d => Err(ConfigError(format!(
            "parameter 'delimiter' has value '{d}': expected one ASCII character other than a \
             quote or line break (or '\\t' for tab)"
        ))),
    }
}

fn reject_attributes(config: &MapperConfig) -> Result<(), ConfigError> {
    if config.attributes.is_empty() {
        Ok(())
    } else {
        Err(ConfigError(
            "csv mapper takes no @attributes: fields map to attributes in order, or by column \
             name with header='true'"
                .into(),
        ))
    }
}

/// The current payload, read by the (reused) CSV reader.
#[derive(Default)]
struct Feed {
    data: Bytes,
    pos: usize,
}

impl Read for Feed {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let rest = &self.data[self.pos.min(self.data.len())..];
        let n = rest.len().min(buf.len());
        buf[..n].copy_from_slice(&rest[..n]);
        self.pos += n;
        Ok(n)
    }
}

impl Seek for Feed {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        let base = match pos {
            SeekFrom::Start(n) => n as i128,
            SeekFrom::End(d) => self.data.len() as i128 + d as i128,
            SeekFrom::Current(d) => self.pos as i128 + d as i128,
        };
        self.pos = usize::try_from(base)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "seek out of range"))?;
        Ok(self.pos as u64)
    }
}

enum Columns {
    /// Field i is attribute i.
    Positional,
    /// The next record is the header.
    AwaitingHeader,
    /// Per attribute, the column it is read from.
    ByHeader(Box<[Option<usize>]>),
}

struct CsvSource {
    reader: Reader<Feed>,
    record: ByteRecord,
    fields: Box<[(Box<str>, AttrType)]>,
    columns: Columns,
    schema: Schema,
    scratch: Vec<Value>,
}

impl CsvSource {
    fn header(&self) -> Box<[Option<usize>]> {
        let names: Vec<&[u8]> = self.record.iter().collect();
        self.fields
            .iter()
            .map(|(name, _)| {
                names
                    .iter()
                    .position(|n| n.trim_ascii() == name.as_bytes())
                    .or_else(|| {
                        names
                            .iter()
                            .position(|n| n.trim_ascii().eq_ignore_ascii_case(name.as_bytes()))
                    })
            })
            .collect()
    }

    fn row(&mut self) -> Result<Arc<[Value]>, String> {
        let line = self.record.position().map_or(0, |p| p.line());
        if let Columns::Positional = self.columns {
            if self.record.len() != self.fields.len() {
                return Err(format!(
                    "line {line}: expected {} fields ({}), got {}",
                    self.fields.len(),
                    self.schema.names().collect::<Vec<_>>().join(", "),
                    self.record.len()
                ));
            }
        }
        self.scratch.clear();
        for (i, (name, ty)) in self.fields.iter().enumerate() {
            let column = match &self.columns {
                Columns::ByHeader(map) => map[i],
                _ => Some(i),
            };
            let field = column.and_then(|c| self.record.get(c)).unwrap_or(b"");
            let v = if field.is_empty() {
                Value::Null
            } else {
                convert(field, *ty).map_err(|got| {
                    self.scratch.clear();
                    format!("line {line}: attribute '{name}': expected {ty}, got {got}")
                })?
            };
            self.scratch.push(v);
        }
        Ok(self.scratch.drain(..).collect())
    }
}

/// A field as a value of `ty`; the error describes what the field holds.
fn convert(field: &[u8], ty: AttrType) -> Result<Value, String> {
    let text = std::str::from_utf8(field).map_err(|e| format!("invalid UTF-8 ({e})"))?;
    if ty == AttrType::Bytes {
        return B64_DECODE
            .decode(text)
            .map(|b| Value::Bytes(Bytes::from(b)))
            .map_err(|e| format!("{} (not base64: {e})", quote_for_error(text)));
    }
    if ty != AttrType::String && text.trim().is_empty() {
        return Ok(Value::Null);
    }
    parse_text(text, ty).ok_or_else(|| quote_for_error(text))
}

impl SourceMapper for CsvSource {
    fn decode(&mut self, payload: &Bytes, out: &mut Vec<Arc<[Value]>>) -> Result<(), String> {
        *self.reader.get_mut() = Feed {
            data: payload.clone(),
            pos: 0,
        };
        self.reader
            .seek_raw(SeekFrom::Start(0), Position::new())
            .map_err(|e| e.to_string())?;
        let start = out.len();
        loop {
            match self.reader.read_byte_record(&mut self.record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    out.truncate(start);
                    return Err(format!("payload is not valid CSV: {e}"));
                }
            }
            if let Columns::AwaitingHeader = self.columns {
                self.columns = Columns::ByHeader(self.header());
                continue;
            }
            match self.row() {
                Ok(row) => out.push(row),
                Err(e) => {
                    out.truncate(start);
                    return Err(e);
                }
            }
        }
        // Let go of the payload.
        *self.reader.get_mut() = Feed::default();
        Ok(())
    }
}

/// Where the CSV writer puts a record; taken out after each flush (`csv::Writer` has no
/// `get_mut`).
#[derive(Default)]
struct Buf(RefCell<Vec<u8>>);

impl Write for Buf {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.get_mut().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

struct CsvSink {
    writer: Writer<Buf>,
    floats: Box<[bool]>,
    scratch: Vec<u8>,
    header: Option<Vec<u8>>,
}

impl CsvSink {
    fn write(&mut self, event: &Event) -> Result<(), csv::Error> {
        for (i, float) in self.floats.iter().enumerate() {
            let v = event.get(i);
            match v {
                Value::Null => self.writer.write_field(b"")?,
                Value::String(s) => self.writer.write_field(s.as_bytes())?,
                Value::Bytes(b) => {
                    self.scratch.clear();
                    self.scratch
                        .resize(base64::encoded_len(b.len(), true).unwrap_or(0), 0);
                    let n = B64
                        .encode_slice(b, &mut self.scratch)
                        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
                    self.writer.write_field(&self.scratch[..n])?
                }
                v => {
                    self.scratch.clear();
                    // Integers in FLOAT/DOUBLE attributes are written as floats (`2.0`).
                    match v {
                        Value::Int(_) | Value::Long(_) if *float => {
                            write!(self.scratch, "{}", Value::Double(v.as_f64().unwrap_or(0.0)))?
                        }
                        v => write!(self.scratch, "{v}")?,
                    }
                    self.writer.write_field(&self.scratch)?
                }
            }
        }
        self.writer.write_record(std::iter::empty::<&[u8]>())?;
        self.writer.flush()?;
        Ok(())
    }
}

impl SinkMapper for CsvSink {
    fn encode(&mut self, event: &Event, out: &mut Vec<u8>) -> Result<(), String> {
        let result = self.write(event);
        let mut buf = self.writer.get_ref().0.borrow_mut();
        if result.is_ok() {
            let line = buf.strip_suffix(b"\n").unwrap_or(&buf);
            out.extend_from_slice(line);
        }
        buf.clear();
        result.map_err(|e| e.to_string())
    }

    fn header(&self) -> Option<Vec<u8>> {
        self.header.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(params: &[(&str, &str)]) -> MapperConfig {
        MapperConfig {
            kind: "csv".into(),
            params: params
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            attributes: vec![],
        }
    }

    fn stock() -> Schema {
        Schema::of(
            "Stock",
            &[
                ("symbol", AttrType::String),
                ("price", AttrType::Double),
                ("volume", AttrType::Long),
            ],
        )
    }

    fn decode(m: &mut Box<dyn SourceMapper>, payload: &str) -> Result<Vec<Vec<Value>>, String> {
        let mut out = Vec::new();
        let r = m.decode(&Bytes::copy_from_slice(payload.as_bytes()), &mut out);
        if r.is_err() {
            assert!(out.is_empty(), "rows appended on error");
        }
        r?;
        Ok(out.iter().map(|r| r.to_vec()).collect())
    }

    fn encode(m: &mut Box<dyn SinkMapper>, values: Vec<Value>) -> String {
        let mut out = Vec::new();
        m.encode(&Event::new(0, values), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn row(s: &str, p: f64, v: i64) -> Vec<Value> {
        vec![Value::from(s), Value::Double(p), Value::Long(v)]
    }

    #[test]
    fn records_in_attribute_order() {
        let mut m = CsvMapperFactory.source_mapper(&cfg(&[]), &stock()).unwrap();
        assert_eq!(
            decode(&mut m, "IBM,700.5,100").unwrap(),
            vec![row("IBM", 700.5, 100)]
        );
        assert_eq!(
            decode(&mut m, "IBM,700.5,100\r\n\"A, \"\"B\"\"\",1,2\n\n,,\n").unwrap(),
            vec![
                row("IBM", 700.5, 100),
                row("A, \"B\"", 1.0, 2),
                vec![Value::Null, Value::Null, Value::Null]
            ]
        );
        assert_eq!(
            decode(&mut m, "IBM,1,1\nIBM,2").unwrap_err(),
            "line 2: expected 3 fields (symbol, price, volume), got 2"
        );
        assert_eq!(
            decode(&mut m, "IBM,x,1").unwrap_err(),
            "line 1: attribute 'price': expected DOUBLE, got \"x\""
        );
    }

    #[test]
    fn every_type_converts() {
        let s = Schema::of(
            "T",
            &[
                ("i", AttrType::Int),
                ("f", AttrType::Float),
                ("b", AttrType::Bool),
                ("x", AttrType::Bytes),
            ],
        );
        let mut m = CsvMapperFactory.source_mapper(&cfg(&[]), &s).unwrap();
        assert_eq!(
            decode(&mut m, " 7 ,2.5,true,aGk=").unwrap(),
            vec![vec![
                Value::Int(7),
                Value::Float(2.5),
                Value::Bool(true),
                Value::Bytes(Bytes::from_static(b"hi"))
            ]]
        );
        assert_eq!(
            decode(&mut m, "1.5,1,1,").unwrap_err(),
            "line 1: attribute 'i': expected INT, got \"1.5\""
        );
        assert_eq!(
            decode(&mut m, "1,1,maybe,").unwrap_err(),
            "line 1: attribute 'b': expected BOOL, got \"maybe\""
        );
        let e = decode(&mut m, "1,1,1,!!").unwrap_err();
        assert!(
            e.starts_with("line 1: attribute 'x': expected BYTES, got \"!!\" (not base64"),
            "{e}"
        );
    }

    #[test]
    fn header_maps_columns_by_name() {
        let c = cfg(&[("header", "true"), ("delimiter", "\\t")]);
        let mut m = CsvMapperFactory.source_mapper(&c, &stock()).unwrap();
        assert_eq!(
            decode(&mut m, "volume\tSymbol\textra\n100\tIBM\tx\n").unwrap(),
            vec![vec![Value::from("IBM"), Value::Null, Value::Long(100)]]
        );
        // The header is read once: later payloads are all data.
        assert_eq!(
            decode(&mut m, "5\tWSO2\n6").unwrap(),
            vec![
                vec![Value::from("WSO2"), Value::Null, Value::Long(5)],
                vec![Value::Null, Value::Null, Value::Long(6)]
            ]
        );
        let mut m = CsvMapperFactory.source_mapper(&c, &stock()).unwrap();
        assert_eq!(
            decode(&mut m, "price\tsymbol").unwrap(),
            Vec::<Vec<Value>>::new()
        );
        assert_eq!(
            decode(&mut m, "1.5\tA").unwrap(),
            vec![vec![Value::from("A"), Value::Double(1.5), Value::Null]]
        );
    }

    #[test]
    fn sink_quotes_as_needed() {
        let mut m = CsvMapperFactory.sink_mapper(&cfg(&[]), &stock()).unwrap();
        assert_eq!(m.header(), None);
        assert_eq!(encode(&mut m, row("IBM", 700.0, 100)), "IBM,700.0,100");
        assert_eq!(
            encode(
                &mut m,
                vec![Value::from("a,\"b\"\nc"), Value::Null, Value::Int(3)]
            ),
            "\"a,\"\"b\"\"\nc\",,3"
        );
        assert_eq!(
            encode(&mut m, vec![Value::from("x"), Value::Long(2), Value::Null]),
            "x,2.0,"
        );
    }

    #[test]
    fn sink_header_and_delimiter() {
        let s = Schema::of("S", &[("a b", AttrType::String), ("x", AttrType::Bytes)]);
        let c = cfg(&[("header", "true"), ("delimiter", ";")]);
        let mut m = CsvMapperFactory.sink_mapper(&c, &s).unwrap();
        assert_eq!(m.header().unwrap(), b"a b;x");
        assert_eq!(
            encode(
                &mut m,
                vec![Value::from("p;q"), Value::Bytes(Bytes::from_static(b"hi"))]
            ),
            "\"p;q\";aGk="
        );
    }

    #[test]
    fn round_trip() {
        let s = Schema::of(
            "T",
            &[
                ("s", AttrType::String),
                ("d", AttrType::Double),
                ("b", AttrType::Bool),
                ("x", AttrType::Bytes),
                ("n", AttrType::Int),
            ],
        );
        let rows = vec![
            vec![
                Value::from("multi\nline, \"quoted\""),
                Value::Double(0.1),
                Value::Bool(false),
                Value::Bytes(Bytes::from_static(&[0, 1, 255])),
                Value::Int(-3),
            ],
            vec![Value::Null; 5],
        ];
        for c in [cfg(&[]), cfg(&[("header", "true"), ("delimiter", "|")])] {
            let mut sink = CsvMapperFactory.sink_mapper(&c, &s).unwrap();
            let mut src = CsvMapperFactory.source_mapper(&c, &s).unwrap();
            let mut text = String::new();
            if let Some(h) = sink.header() {
                text.push_str(std::str::from_utf8(&h).unwrap());
                text.push('\n');
            }
            for r in &rows {
                text.push_str(&encode(&mut sink, r.clone()));
                text.push('\n');
            }
            assert_eq!(decode(&mut src, &text).unwrap(), rows);
        }
    }

    #[test]
    fn config_errors() {
        for d in ["ab", "\"", "é"] {
            let e = CsvMapperFactory
                .source_mapper(&cfg(&[("delimiter", d)]), &stock())
                .err()
                .unwrap()
                .0;
            assert!(e.starts_with("parameter 'delimiter' has value"), "{e}");
        }
        let e = CsvMapperFactory
            .sink_mapper(&cfg(&[("header", "yes")]), &stock())
            .err()
            .unwrap()
            .0;
        assert!(e.starts_with("parameter 'header'"), "{e}");
        let mut c = cfg(&[]);
        c.attributes.push(("symbol".into(), "1".into()));
        assert!(CsvMapperFactory.source_mapper(&c, &stock()).is_err());
    }
}

//! `eventflux read`: prints the records of a binary log (plain or LZ4), optionally only a time
//! range, as text or JSON lines; says where a file cut short by a crash stops.

use crate::cli::jsonl::to_json;
use eventflux::connector::storage::binary::{scan_time_range, BinaryReader, ReadError, Record};
use eventflux::connector::storage::codec;
use serde_json::{json, Map, Value as Json};
use std::io::Write;
use std::path::Path;

/// Prints the records; returns how many, or an error message. A truncated file is not an
/// error: its complete records are printed and a warning says where it stopped.
pub fn run(path: &Path, from: Option<i64>, to: Option<i64>, as_json: bool) -> Result<u64, String> {
    let shown = |e: ReadError| format!("{}: error: {e}", path.display());
    let reader = match BinaryReader::open(path) {
        Ok(r) => r,
        Err(e @ ReadError::Truncated { .. }) => {
            eprintln!("{}: warning: {e}", path.display());
            return Ok(0);
        }
        Err(e) => return Err(shown(e)),
    };
    let header = reader.header().clone();
    let names: Vec<String> = header.attributes.iter().map(|(n, _)| n.clone()).collect();
    let decodes = header.format == "binary";
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut print = |r: Record| {
        let line = render(&r, &names, decodes, as_json);
        let _ = writeln!(out, "{line}");
    };
    let result = match (from, to) {
        (None, None) => {
            let mut reader = reader;
            loop {
                match reader.next_record() {
                    Ok(Some(r)) => print(r),
                    Ok(None) => break Ok(reader.records()),
                    Err(e) => break Err(e),
                }
            }
        }
        (from, to) => scan_time_range(
            path,
            from.unwrap_or(i64::MIN),
            to.unwrap_or(i64::MAX),
            print,
        ),
    };
    match result {
        Ok(n) => Ok(n),
        Err(e @ ReadError::Truncated { .. }) => {
            eprintln!("{}: warning: {e}", path.display());
            Ok(0)
        }
        Err(e) => Err(shown(e)),
    }
}

fn render(r: &Record, names: &[String], decodes: bool, as_json: bool) -> String {
    let values = if decodes {
        codec::decode_row(&r.payload).ok()
    } else {
        None
    };
    if as_json {
        let mut obj = Map::new();
        obj.insert("ts".into(), json!(r.ts));
        obj.insert("address".into(), json!(r.address_text()));
        match &values {
            Some(vs) => {
                let data: Map<String, Json> =
                    names.iter().cloned().zip(vs.iter().map(to_json)).collect();
                obj.insert("data".into(), Json::Object(data));
            }
            None => {
                obj.insert("payload".into(), json!(String::from_utf8_lossy(&r.payload)));
            }
        }
        return Json::Object(obj).to_string();
    }
    let body = match &values {
        Some(vs) => names
            .iter()
            .zip(vs)
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join(" "),
        None => String::from_utf8_lossy(&r.payload).into_owned(),
    };
    let address = r.address_text();
    if address.is_empty() {
        format!("{} {body}", r.ts)
    } else {
        format!("{} {address} {body}", r.ts)
    }
}

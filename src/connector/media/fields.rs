//! The attributes a media source fills, picked by the stream's declaration: a stream declares
//! the ones it wants, by name, in any order; an unknown name or a wrong type is a compile error
//! that lists what the source offers. Every media source describes its fields this way.

use crate::connector::config::ConfigError;
use crate::schema::Schema;
use crate::suggest::did_you_mean;
use crate::value::AttrType;

/// One attribute a source can fill: its field, name, type and meaning (for the docs).
pub struct Offered<F: 'static> {
    pub field: F,
    pub name: &'static str,
    pub ty: AttrType,
    pub doc: &'static str,
}

/// The field behind each attribute of `schema`, in the schema's order.
pub fn select<F: Copy>(
    connector: &str,
    schema: &Schema,
    offered: &'static [Offered<F>],
) -> Result<Vec<F>, ConfigError> {
    let list = || {
        offered
            .iter()
            .map(|o| format!("{} {}", o.name, o.ty))
            .collect::<Vec<_>>()
            .join(", ")
    };
    schema
        .attrs()
        .iter()
        .map(|attr| {
            let Some(o) = offered.iter().find(|o| o.name == &*attr.name) else {
                return Err(ConfigError(format!(
                    "{connector} source: stream '{}' declares '{}', which this source does not fill{}; it fills: {}",
                    schema.name(),
                    attr.name,
                    did_you_mean(&attr.name, offered.iter().map(|o| o.name)),
                    list()
                )));
            };
            if o.ty != attr.ty {
                return Err(ConfigError(format!(
                    "{connector} source: attribute '{}' is {} (declared {}): write '{} {}'",
                    o.name, o.ty, attr.ty, o.name, o.ty
                )));
            }
            Ok(o.field)
        })
        .collect()
}

/// The offered attributes as docs text: "`frame BYTES` (the JPEG), ...".
pub fn describe<F>(offered: &[Offered<F>]) -> String {
    offered
        .iter()
        .map(|o| format!("{} {} ({})", o.name, o.ty, o.doc))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The index of the BYTES attribute a sink sends: the one `named` by its `param`, or the
/// stream's only BYTES attribute.
pub fn bytes_attribute(
    connector: &str,
    schema: &Schema,
    named: Option<&str>,
    param: &str,
) -> Result<usize, ConfigError> {
    let bytes: Vec<&str> = schema
        .attrs()
        .iter()
        .filter(|a| a.ty == AttrType::Bytes)
        .map(|a| a.name.as_str())
        .collect();
    let name = match (named, bytes.as_slice()) {
        (Some(name), _) => name,
        (None, [only]) => only,
        (None, []) => {
            return Err(ConfigError(format!(
                "{connector} sink: stream '{}' has no BYTES attribute to send",
                schema.name()
            )))
        }
        (None, _) => {
            return Err(ConfigError(format!(
                "{connector} sink: stream '{}' has several BYTES attributes ({}): name the one to send with {param}='...'",
                schema.name(),
                bytes.join(", ")
            )))
        }
    };
    match schema.attr(name) {
        Some(a) if a.ty == AttrType::Bytes => Ok(schema.index_of(name).unwrap_or(0)),
        Some(a) => Err(ConfigError(format!(
            "parameter '{param}': '{name}' is {}, not BYTES",
            a.ty
        ))),
        None => Err(ConfigError(format!(
            "parameter '{param}': stream '{}' has no attribute '{name}'{}",
            schema.name(),
            did_you_mean(name, bytes.iter().copied())
        ))),
    }
}

/// A server's `path` parameter, checked: it starts with `/` and holds only characters that
/// need no escaping in a URL or an HTML attribute.
pub fn served_path(path: &str) -> Result<String, ConfigError> {
    let url_safe = |c: char| c.is_ascii_alphanumeric() || "/-_.~".contains(c);
    if !path.starts_with('/') || !path.chars().all(url_safe) {
        return Err(ConfigError(format!(
            "parameter 'path': '{path}' must start with '/' and hold only letters, digits and / - _ . ~"
        )));
    }
    Ok(path.to_string())
}

pub use crate::connector::config::redact_url;

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq)]
    enum F {
        Frame,
        Width,
    }

    const OFFERED: &[Offered<F>] = &[
        Offered {
            field: F::Frame,
            name: "frame",
            ty: AttrType::Bytes,
            doc: "the JPEG",
        },
        Offered {
            field: F::Width,
            name: "width",
            ty: AttrType::Int,
            doc: "pixels",
        },
    ];

    #[test]
    fn picks_fields_by_name_and_names_the_fix() {
        let s = Schema::of(
            "Cam",
            &[("width", AttrType::Int), ("frame", AttrType::Bytes)],
        );
        assert_eq!(
            select("mjpeg", &s, OFFERED).unwrap(),
            vec![F::Width, F::Frame]
        );
        let s = Schema::of("Cam", &[("frme", AttrType::Bytes)]);
        let e = select("mjpeg", &s, OFFERED).unwrap_err().0;
        assert!(e.contains("declares 'frme', which this source does not fill (did you mean 'frame'?); it fills: frame BYTES, width INT"), "{e}");
        let s = Schema::of("Cam", &[("width", AttrType::Long)]);
        let e = select("mjpeg", &s, OFFERED).unwrap_err().0;
        assert!(
            e.contains("'width' is INT (declared BIGINT): write 'width INT'"),
            "{e}"
        );
    }

    #[test]
    fn credentials_never_reach_the_logs() {
        assert_eq!(redact_url("rtsp://u:p@cam:554/x"), "rtsp://***@cam:554/x");
        assert_eq!(redact_url("http://cam/a@b"), "http://cam/a@b");
        assert_eq!(redact_url("http://cam"), "http://cam");
        assert_eq!(redact_url("nonsense"), "nonsense");
    }
}

//! SQL functions over video frames (JPEG `BYTES`): size from the headers, brightness, a
//! thumbnail, and the difference between two frames. Headers come from `media::jpeg`, pixels
//! from `media::image`.
//!
//! Bad input (not a JPEG, truncated, undecodable) gives NULL and counts a warning: functions
//! have no error channel of their own, so the count is kept here ([`warnings`]) and logged at
//! the 1st, 2nd, 4th, 8th... occurrence so a broken camera cannot flood the log.

use super::scalar::{Def, Kind, Returns};
use super::ScalarFunction;
use crate::media::image::{self, Image};
use crate::media::jpeg;
use crate::value::{AttrType, Value};
use std::fmt::Display;
use std::sync::atomic::{AtomicU64, Ordering};

static WARNINGS: AtomicU64 = AtomicU64::new(0);

/// How many calls of the frame functions met bad input since the process started.
pub fn warnings() -> u64 {
    WARNINGS.load(Ordering::Relaxed)
}

/// Counts a bad input and returns NULL.
fn bad(function: &str, err: impl Display) -> Option<Value> {
    let n = WARNINGS.fetch_add(1, Ordering::Relaxed) + 1;
    if n.is_power_of_two() {
        log::warn!("{function}: {err}; the result is NULL ({n} bad frames so far)");
    }
    None
}

fn frame(args: &[Value], i: usize) -> Option<&[u8]> {
    match args.get(i)? {
        Value::Bytes(b) => Some(b),
        Value::String(s) => Some(s.as_bytes()),
        _ => None,
    }
}

fn header(name: &str, args: &[Value]) -> Result<jpeg::JpegInfo, Option<Value>> {
    let b = frame(args, 0).ok_or(None)?;
    jpeg::parse(b).map_err(|e| bad(name, e))
}

fn luma(name: &str, b: &[u8]) -> Result<Image, Option<Value>> {
    image::decode_luma(b).map_err(|e| bad(name, e))
}

/// Quality of re-encoded thumbnails.
const THUMBNAIL_QUALITY: u8 = 80;

fn thumbnail(a: &[Value]) -> Option<Value> {
    const NAME: &str = "jpeg_thumbnail";
    let b = frame(a, 0)?;
    let max_side = a.get(1)?.as_f64()?;
    if max_side < 1.0 {
        return None;
    }
    let max_side = max_side.min(f64::from(u16::MAX)) as usize;
    let info = header(NAME, a).ok()?;
    let (w, h) = (usize::from(info.width), usize::from(info.height));
    if w.max(h) <= max_side {
        // Already small enough: the same shared bytes, no copy.
        return Some(a.first()?.clone());
    }
    let img = image::decode_color(b).map_err(|e| bad(NAME, e)).ok()?;
    let (tw, th) = image::fit_within(img.width, img.height, max_side);
    let small = image::resize_area(&img, tw, th);
    match image::encode_jpeg(&small, THUMBNAIL_QUALITY) {
        Ok(out) => Some(Value::Bytes(out.into())),
        Err(e) => bad(NAME, e),
    }
}

fn frame_diff(a: &[Value]) -> Option<Value> {
    const NAME: &str = "frame_diff";
    let x = luma(NAME, frame(a, 0)?).ok()?;
    let y = luma(NAME, frame(a, 1)?).ok()?;
    let (x, y) = if (x.width, x.height) == (y.width, y.height) {
        (x, y)
    } else {
        let (w, h) = (x.width.min(y.width), x.height.min(y.height));
        (image::resize_area(&x, w, h), image::resize_area(&y, w, h))
    };
    Some(Value::Double(image::mean_abs_diff(&x, &y)))
}

pub(super) fn builtins() -> Vec<ScalarFunction> {
    const B: &[(&str, Kind)] = &[("b", Kind::Binary)];
    vec![
        Def::new(
            "jpeg_width",
            B,
            Returns::Fixed(AttrType::Int),
            "Width in pixels of a JPEG frame, read from its headers (no decoding). NULL, and a \
             counted warning, when b is not a whole JPEG.",
            |a, _| {
                let info = header("jpeg_width", a).ok()?;
                Some(Value::Int(i32::from(info.width)))
            },
        )
        .build(),
        Def::new(
            "jpeg_height",
            B,
            Returns::Fixed(AttrType::Int),
            "Height in pixels of a JPEG frame, read from its headers (no decoding). NULL, and a \
             counted warning, when b is not a whole JPEG.",
            |a, _| {
                let info = header("jpeg_height", a).ok()?;
                Some(Value::Int(i32::from(info.height)))
            },
        )
        .build(),
        Def::new(
            "image_luma",
            B,
            Returns::Fixed(AttrType::Double),
            "Mean brightness (luma, 0 to 255) of a JPEG frame; only the luma plane is decoded. \
             NULL, and a counted warning, when b does not decode.",
            |a, _| {
                let img = luma("image_luma", frame(a, 0)?).ok()?;
                Some(Value::Double(image::mean(&img)))
            },
        )
        .build(),
        Def::new(
            "jpeg_thumbnail",
            &[("b", Kind::Binary), ("max_side", Kind::Int)],
            Returns::Fixed(AttrType::Bytes),
            "The JPEG frame b scaled down, keeping its aspect ratio, so its longer side is at \
             most max_side pixels (re-encoded at quality 80). A frame already that small is \
             returned as it is (the same bytes). NULL when max_side < 1, and NULL with a \
             counted warning when b does not decode.",
            |a, _| thumbnail(a),
        )
        .build(),
        Def::new(
            "frame_diff",
            &[("a", Kind::Binary), ("b", Kind::Binary)],
            Returns::Fixed(AttrType::Double),
            "Mean absolute luma difference (0 to 255) between two JPEG frames: 0 for the same \
             picture. Frames of different sizes are both scaled to the smaller width and the \
             smaller height first. NULL, and a counted warning, when either does not decode.",
            |a, _| frame_diff(a),
        )
        .build(),
    ]
}

#[cfg(test)]
mod tests {
    use super::super::{FnContext, FunctionRegistry};
    use super::*;
    use crate::clock::{Clock, ClockMode};
    use crate::media::test_util::{gray_jpeg, jpeg};
    use bytes::Bytes;
    use jpeg_encoder::SamplingFactor;

    fn call(name: &str, args: &[Value]) -> Value {
        let registry = FunctionRegistry::with_builtins();
        let f = registry.get(name).expect("registered");
        let clock = Clock::new(ClockMode::Playback);
        (f.eval)(
            args,
            &FnContext {
                event_ts: 0,
                clock: &clock,
                window: None,
            },
        )
    }

    fn bytes(v: Vec<u8>) -> Value {
        Value::Bytes(Bytes::from(v))
    }

    fn double(v: Value) -> f64 {
        match v {
            Value::Double(d) => d,
            v => panic!("not a DOUBLE: {v:?}"),
        }
    }

    #[test]
    fn width_and_height_from_headers() {
        let f = bytes(jpeg(320, 240, 75, SamplingFactor::R_4_2_0, None));
        assert_eq!(
            call("jpeg_width", std::slice::from_ref(&f)),
            Value::Int(320)
        );
        assert_eq!(call("jpeg_height", &[f]), Value::Int(240));
        assert_eq!(call("jpeg_width", &[Value::Null]), Value::Null);
    }

    #[test]
    fn bad_frames_are_null_and_counted() {
        let before = warnings();
        let truncated = jpeg(64, 48, 75, SamplingFactor::R_4_2_0, None)[..100].to_vec();
        for name in ["jpeg_width", "jpeg_height", "image_luma"] {
            assert_eq!(call(name, &[bytes(b"nope".to_vec())]), Value::Null);
            assert_eq!(call(name, &[bytes(truncated.clone())]), Value::Null);
        }
        assert_eq!(
            call("jpeg_thumbnail", &[bytes(vec![0xFF, 0xD8]), Value::Int(8)]),
            Value::Null
        );
        assert_eq!(
            call("frame_diff", &[bytes(vec![1]), bytes(vec![2])]),
            Value::Null
        );
        // Other tests may count too (the counter is process-wide): at least ours.
        assert!(warnings() >= before + 8);
    }

    #[test]
    fn luma_of_flat_frames() {
        let l = double(call("image_luma", &[bytes(gray_jpeg(32, 32, 200))]));
        assert!((l - 200.0).abs() < 2.0, "{l}");
        let l = double(call(
            "image_luma",
            &[bytes(jpeg(64, 48, 90, SamplingFactor::R_4_2_2, None))],
        ));
        assert!((1.0..255.0).contains(&l));
    }

    #[test]
    fn thumbnails_fit_and_small_frames_are_shared() {
        let big = bytes(jpeg(320, 240, 80, SamplingFactor::R_4_2_0, None));
        let Value::Bytes(t) = call("jpeg_thumbnail", &[big.clone(), Value::Int(64)]) else {
            panic!("no thumbnail")
        };
        let info = jpeg::parse(&t).unwrap();
        assert_eq!((info.width, info.height), (64, 48));
        let Value::Bytes(same) = call("jpeg_thumbnail", &[big.clone(), Value::Int(320)]) else {
            panic!()
        };
        let Value::Bytes(orig) = &big else { panic!() };
        assert_eq!(same.as_ptr(), orig.as_ptr(), "no copy");
        assert_eq!(call("jpeg_thumbnail", &[big, Value::Int(0)]), Value::Null);
    }

    #[test]
    fn frame_differences() {
        let a = bytes(jpeg(64, 48, 90, SamplingFactor::R_4_2_0, None));
        assert_eq!(double(call("frame_diff", &[a.clone(), a.clone()])), 0.0);
        let d = double(call(
            "frame_diff",
            &[bytes(gray_jpeg(32, 32, 100)), bytes(gray_jpeg(32, 32, 150))],
        ));
        assert!((d - 50.0).abs() < 3.0, "{d}");
        // Different sizes: compared at the smaller size.
        let d = double(call(
            "frame_diff",
            &[bytes(gray_jpeg(64, 64, 100)), bytes(gray_jpeg(16, 16, 100))],
        ));
        assert!(d < 2.0, "{d}");
    }

    #[test]
    fn documented_in_the_registry() {
        let r = FunctionRegistry::with_builtins();
        let f = r.get("jpeg_thumbnail").unwrap();
        assert_eq!(
            f.signature,
            "jpeg_thumbnail(b BYTES|STRING, max_side INT) -> BYTES"
        );
        assert_eq!(
            (f.type_rule)(&[Some(AttrType::Bytes), Some(AttrType::Int)]),
            Ok(AttrType::Bytes)
        );
        assert!((f.type_rule)(&[Some(AttrType::Bytes)]).is_err());
    }
}

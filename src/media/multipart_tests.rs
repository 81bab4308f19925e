//! Tests of the multipart parser: boundary parsing, sloppy framing, limits, and a property test
//! over random part sizes, split points, Content-Length mistakes and junk.

use super::*;
use proptest::prelude::*;

const B: &str = "frame-7q";

fn parser(max: usize) -> MultipartParser {
    MultipartParser::new(
        B,
        MultipartConfig {
            max_part_bytes: max,
            ..MultipartConfig::default()
        },
    )
}

fn parts_of(items: Vec<MultipartItem>) -> Vec<Bytes> {
    items
        .into_iter()
        .filter_map(|i| match i {
            MultipartItem::Part(p) => Some(p.body),
            MultipartItem::Oversized { .. } => None,
        })
        .collect()
}

fn run(p: &mut MultipartParser, chunks: &[&[u8]]) -> Vec<MultipartItem> {
    let mut out = Vec::new();
    for c in chunks {
        p.push(c);
        out.extend(p.by_ref());
    }
    p.finish();
    out.extend(p.by_ref());
    out
}

#[test]
fn boundary_forms() {
    let ok = |ct: &str| boundary_from_content_type(ct).unwrap();
    assert_eq!(ok("multipart/x-mixed-replace; boundary=frame"), "frame");
    assert_eq!(ok("multipart/x-mixed-replace;boundary=\"frame\""), "frame");
    assert_eq!(ok("multipart/x-mixed-replace; BOUNDARY=--frame"), "frame");
    assert_eq!(
        ok("multipart/x-mixed-replace; charset=x; Boundary=\"--my frame\" "),
        "my frame"
    );
    assert!(matches!(
        boundary_from_content_type("multipart/x-mixed-replace"),
        Err(BoundaryError::Missing(_))
    ));
    assert!(matches!(
        boundary_from_content_type("multipart/x-mixed-replace; boundary=\"\""),
        Err(BoundaryError::Empty(_))
    ));
    let long = format!("multipart/x-mixed-replace; boundary={}", "x".repeat(71));
    assert!(matches!(
        boundary_from_content_type(&long),
        Err(BoundaryError::TooLong(_))
    ));
}

#[test]
fn well_formed_stream_with_headers() {
    let s = b"preamble\r\n--frame-7q\r\nContent-Type: image/jpeg\r\nContent-Length: 3\r\n\r\nabc\r\n--frame-7q\r\ncontent-type: image/jpeg\r\n\r\nxyz\r\n--frame-7q--\r\n";
    let mut p = parser(1000);
    let items = run(&mut p, &[s]);
    let MultipartItem::Part(first) = &items[0] else {
        panic!("{items:?}")
    };
    assert_eq!(first.content_type(), Some("image/jpeg"));
    assert_eq!(first.header("CONTENT-LENGTH"), Some("3"));
    assert_eq!(parts_of(items), [&b"abc"[..], b"xyz"]);
    assert_eq!(p.stats().parts, 2);
    assert!(p.stats().skipped_bytes >= 10);
}

#[test]
fn byte_by_byte_equals_whole() {
    let s = b"--frame-7q\r\nContent-Length: 5\r\n\r\nhello\r\n\r\n--frame-7q\nX: y\n\nworld\n--frame-7q\r\n\r\n!\r\n--frame-7q--";
    let whole = parts_of(run(&mut parser(100), &[s]));
    let chunks: Vec<&[u8]> = s.chunks(1).collect();
    let split = parts_of(run(&mut parser(100), &chunks));
    assert_eq!(whole, [&b"hello"[..], b"world", b"!"]);
    assert_eq!(split, whole);
}

#[test]
fn wrong_content_length_falls_back_to_scanning() {
    let short = b"--frame-7q\r\nContent-Length: 2\r\n\r\nabcdef\r\n--frame-7q\r\nContent-Length: 99\r\n\r\nghi\r\n--frame-7q\r\n\r\nlast\r\n--frame-7q--\r\n";
    let mut p = parser(1000);
    let got = parts_of(run(&mut p, &[short, &[b' '; 128]]));
    assert_eq!(got, [&b"abcdef"[..], b"ghi", b"last"]);
    assert_eq!(p.stats().bad_content_length, 2);
}

#[test]
fn delimiter_lookalike_inside_body_is_data() {
    let s = b"--frame-7q\r\n\r\nsee --frame-7qx here\r\n--frame-7q--";
    assert_eq!(
        parts_of(run(&mut parser(100), &[s])),
        [&b"see --frame-7qx here"[..]]
    );
}

#[test]
fn oversized_parts_are_reported_and_sync_is_kept() {
    let big = vec![b'a'; 500];
    let mut s = Vec::new();
    for (body, with_len) in [
        (&big[..], false),
        (b"ok1", true),
        (&big[..], true),
        (b"ok2", false),
    ] {
        s.extend_from_slice(b"--frame-7q\r\n");
        if with_len {
            s.extend_from_slice(format!("Content-Length: {}\r\n", body.len()).as_bytes());
        }
        s.extend_from_slice(b"\r\n");
        s.extend_from_slice(body);
        s.extend_from_slice(b"\r\n");
    }
    s.extend_from_slice(b"--frame-7q--\r\n");
    let mut p = parser(100);
    let chunks: Vec<&[u8]> = s.chunks(7).collect();
    let items = run(&mut p, &chunks);
    assert!(matches!(items[0], MultipartItem::Oversized { bytes } if bytes >= 500));
    assert!(matches!(items[2], MultipartItem::Oversized { .. }));
    assert_eq!(parts_of(items), [&b"ok1"[..], b"ok2"]);
    assert_eq!(p.stats().oversized, 2);
}

#[test]
fn a_sized_jpeg_is_emitted_before_the_next_delimiter_arrives() {
    let mut p = parser(100);
    p.push(b"--frame-7q\r\nContent-Length: 4\r\n\r\n\xFF\xD8\xFF\xD9\r\n");
    let MultipartItem::Part(part) = p.next_item().expect("emitted without waiting") else {
        panic!()
    };
    assert_eq!(&part.body[..], b"\xFF\xD8\xFF\xD9");
}

#[test]
fn header_block_without_end_is_junk() {
    let mut p = MultipartParser::new(
        B,
        MultipartConfig {
            max_part_bytes: 100,
            max_header_bytes: 64,
        },
    );
    let mut s = b"--frame-7q\r\n".to_vec();
    s.extend_from_slice(&[b'h'; 200]);
    s.extend_from_slice(b"\r\n--frame-7q\r\n\r\nfine\r\n--frame-7q--");
    assert_eq!(parts_of(run(&mut p, &[&s])), [&b"fine"[..]]);
}

#[derive(Debug, Clone, Copy)]
enum Len {
    Right,
    Missing,
    Short(usize),
    Long(usize),
}

fn arb_len() -> impl Strategy<Value = Len> {
    prop_oneof![
        3 => Just(Len::Right),
        2 => Just(Len::Missing),
        1 => (1usize..50).prop_map(Len::Short),
        1 => (1usize..50).prop_map(Len::Long),
    ]
}

/// A JPEG-like body: SOI, bytes without 0xFF, EOI.
fn arb_body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![4usize..1900, 2100usize..3000].prop_flat_map(|n| {
        proptest::collection::vec(0u8..0xFF, n - 4).prop_map(|mid| {
            let mut b = vec![0xFF, 0xD8];
            b.extend(mid);
            b.extend([0xFF, 0xD9]);
            b
        })
    })
}

/// Junk without dashes (so it can hold no delimiter); `blank` keeps it to line breaks and
/// spaces.
fn arb_junk(blank: bool) -> impl Strategy<Value = Vec<u8>> {
    let alphabet: &'static [u8] = if blank {
        b"\r\n \t"
    } else {
        b"\r\n \tabcXYZ019:;"
    };
    proptest::collection::vec(proptest::sample::select(alphabet), 0..20)
}

fn arb_part() -> impl Strategy<Value = (Vec<u8>, Len, Vec<u8>)> {
    (arb_body(), arb_len(), any::<bool>())
        .prop_flat_map(|(b, l, blank)| (Just(b), Just(l), arb_junk(blank)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn every_part_is_recovered(
        preamble in arb_junk(false),
        parts in proptest::collection::vec(arb_part(), 1..8),
        cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..20),
    ) {
        const MAX: usize = 2000;
        let mut s = preamble.clone();
        for (body, len, junk) in &parts {
            s.extend_from_slice(b"--frame-7q\r\nContent-Type: image/jpeg\r\n");
            let claimed = match *len {
                Len::Right => Some(body.len()),
                Len::Missing => None,
                Len::Short(k) => Some(body.len().saturating_sub(k)),
                Len::Long(k) => Some(body.len() + k),
            };
            if let Some(n) = claimed {
                s.extend_from_slice(format!("Content-Length: {n}\r\n").as_bytes());
            }
            s.extend_from_slice(b"\r\n");
            s.extend_from_slice(body);
            s.extend_from_slice(b"\r\n");
            s.extend_from_slice(junk);
        }
        s.extend_from_slice(b"--frame-7q--\r\n");
        s.extend_from_slice(&[b' '; 64]);

        let mut points: Vec<usize> = cuts.iter().map(|i| i.index(s.len())).collect();
        points.sort_unstable();
        let mut chunks = Vec::new();
        let mut at = 0;
        for p in points {
            chunks.push(&s[at..p]);
            at = p;
        }
        chunks.push(&s[at..]);

        let mut p = parser(MAX);
        let items = run(&mut p, &chunks);
        prop_assert_eq!(items.len(), parts.len(), "{:?}", items);
        for (item, (body, len, junk)) in items.iter().zip(&parts) {
            match item {
                MultipartItem::Oversized { .. } => prop_assert!(body.len() > MAX),
                MultipartItem::Part(part) => {
                    prop_assert!(body.len() <= MAX);
                    let got = &part.body[..];
                    let exact = matches!(len, Len::Right) && junk.iter().all(|&b| is_blank(b));
                    if exact {
                        prop_assert_eq!(got, &body[..]);
                    } else {
                        // Without a trustworthy length, junk before the delimiter is body.
                        let mut after = b"\r\n".to_vec();
                        after.extend_from_slice(junk);
                        prop_assert!(got.starts_with(body));
                        prop_assert!(after.starts_with(&got[body.len()..]));
                    }
                }
            }
        }
    }

    #[test]
    fn random_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..2000), step in 1usize..64) {
        let mut p = parser(256);
        for c in data.chunks(step) {
            p.push(c);
            for _ in p.by_ref() {}
        }
        p.finish();
        for _ in p.by_ref() {}
    }
}

#[test]
fn a_boundary_parameter_with_dashes_is_sent_as_rfc_2046_says() {
    // `boundary="--frame-7q"`: the parser gets `frame-7q`, the lines are `----frame-7q`.
    let stream = b"----frame-7q\r\nContent-Length: 3\r\n\r\nabc\r\n----frame-7q\r\n\r\ndefg\r\n----frame-7q\r\nContent-Length: 9\r\n\r\nxy\r\n----frame-7q--\r\n";
    let mut p = parser(1000);
    let got = parts_of(run(&mut p, &[stream]));
    assert_eq!(got, [&b"abc"[..], b"defg", b"xy"]);
    let mut p = parser(1000);
    let bytes: Vec<&[u8]> = stream.chunks(1).collect();
    assert_eq!(parts_of(run(&mut p, &bytes)), [&b"abc"[..], b"defg", b"xy"]);
}

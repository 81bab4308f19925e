//! Test images: real JPEG files made with `jpeg-encoder`, so tests need no fixtures on disk.

use jpeg_encoder::{ColorType, Encoder, SamplingFactor};

/// An RGB test pattern (gradients and a block grid) of the given size.
pub fn pattern(w: u16, h: u16) -> Vec<u8> {
    let mut px = Vec::with_capacity(w as usize * h as usize * 3);
    for y in 0..h as usize {
        for x in 0..w as usize {
            let grid = if (x / 16 + y / 16) % 2 == 0 { 40 } else { 0 };
            px.push(((x * 255) / w.max(1) as usize) as u8);
            px.push(((y * 255) / h.max(1) as usize) as u8);
            px.push((128 + grid) as u8);
        }
    }
    px
}

/// A baseline JPEG of the pattern.
pub fn jpeg(
    w: u16,
    h: u16,
    quality: u8,
    sampling: SamplingFactor,
    restart: Option<u16>,
) -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = Encoder::new(&mut out, quality);
    enc.set_sampling_factor(sampling);
    if let Some(ri) = restart {
        enc.set_restart_interval(ri);
    }
    enc.encode(&pattern(w, h), w, h, ColorType::Rgb)
        .expect("encode test JPEG");
    out
}

/// A grayscale JPEG of a flat image.
pub fn gray_jpeg(w: u16, h: u16, level: u8) -> Vec<u8> {
    let mut out = Vec::new();
    let enc = Encoder::new(&mut out, 90);
    let px = vec![level; w as usize * h as usize];
    enc.encode(&px, w, h, ColorType::Luma)
        .expect("encode test JPEG");
    out
}

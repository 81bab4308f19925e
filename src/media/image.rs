//! Pixels of JPEG frames for SQL functions: decode (luma only when that is all a caller
//! needs, which the decoder does without touching chroma), downscale by area averaging, and
//! re-encode. Decoding is bounded in size so a crafted header cannot ask for gigabytes.

use jpeg_encoder::{ColorType, Encoder};
use zune_jpeg::zune_core::bytestream::ZCursor;
use zune_jpeg::zune_core::colorspace::ColorSpace;
use zune_jpeg::zune_core::options::DecoderOptions;
use zune_jpeg::JpegDecoder;

/// The largest width or height decoded.
pub const MAX_SIDE: usize = 8192;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    #[error("cannot decode JPEG: {0}")]
    Decode(String),
    #[error("cannot encode JPEG: {0}")]
    Encode(String),
}

/// Decoded pixels, `channels` (1 = luma, 3 = RGB) bytes per pixel, row by row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    pub width: usize,
    pub height: usize,
    pub channels: usize,
    pub pixels: Vec<u8>,
}

fn decode(data: &[u8], out: ColorSpace) -> Result<Image, ImageError> {
    let options = DecoderOptions::default()
        .jpeg_set_out_colorspace(out)
        .set_max_width(MAX_SIDE)
        .set_max_height(MAX_SIDE);
    let mut d = JpegDecoder::new_with_options(ZCursor::new(data), options);
    let pixels = d
        .decode()
        .map_err(|e| ImageError::Decode(format!("{e:?}")))?;
    let (width, height) = d
        .dimensions()
        .ok_or_else(|| ImageError::Decode("no dimensions".into()))?;
    let n = width * height;
    let channels = match pixels.len() {
        l if n > 0 && l == n => 1,
        l if n > 0 && l == n * 3 => 3,
        l => {
            return Err(ImageError::Decode(format!(
                "{l} bytes for {width}x{height}"
            )))
        }
    };
    Ok(Image {
        width,
        height,
        channels,
        pixels,
    })
}

/// The luma (Y) plane.
pub fn decode_luma(data: &[u8]) -> Result<Image, ImageError> {
    decode(data, ColorSpace::Luma)
}

/// RGB pixels, or luma for a grayscale file.
pub fn decode_color(data: &[u8]) -> Result<Image, ImageError> {
    decode(data, ColorSpace::RGB)
}

/// Mean of all bytes (for a luma image: mean brightness 0..255).
pub fn mean(img: &Image) -> f64 {
    let sum: u64 = img.pixels.iter().map(|&p| u64::from(p)).sum();
    sum as f64 / img.pixels.len().max(1) as f64
}

/// `img` resampled to `w` x `h` (each at least 1) by averaging the source area of each output
/// pixel; meant for shrinking.
pub fn resize_area(img: &Image, w: usize, h: usize) -> Image {
    let (w, h, c) = (w.max(1), h.max(1), img.channels);
    let mut pixels = Vec::with_capacity(w * h * c);
    for oy in 0..h {
        let y0 = oy * img.height / h;
        let y1 = ((oy + 1) * img.height / h).max(y0 + 1).min(img.height);
        for ox in 0..w {
            let x0 = ox * img.width / w;
            let x1 = ((ox + 1) * img.width / w).max(x0 + 1).min(img.width);
            let count = ((y1 - y0) * (x1 - x0)).max(1) as u64;
            for ch in 0..c {
                let mut sum = 0u64;
                for y in y0..y1 {
                    let row = y * img.width;
                    for x in x0..x1 {
                        sum += u64::from(img.pixels.get((row + x) * c + ch).copied().unwrap_or(0));
                    }
                }
                pixels.push(((sum + count / 2) / count) as u8);
            }
        }
    }
    Image {
        width: w,
        height: h,
        channels: c,
        pixels,
    }
}

/// The size that fits `width` x `height` within `max_side` keeping the aspect ratio.
pub fn fit_within(width: usize, height: usize, max_side: usize) -> (usize, usize) {
    let longer = width.max(height).max(1);
    if longer <= max_side {
        return (width, height);
    }
    let scale = |v: usize| ((v * max_side + longer / 2) / longer).max(1);
    (scale(width), scale(height))
}

/// A baseline JPEG of `img` at `quality` (1..=100).
pub fn encode_jpeg(img: &Image, quality: u8) -> Result<Vec<u8>, ImageError> {
    let too_big = || ImageError::Encode(format!("{}x{} is too large", img.width, img.height));
    let w = u16::try_from(img.width).map_err(|_| too_big())?;
    let h = u16::try_from(img.height).map_err(|_| too_big())?;
    let color = if img.channels == 1 {
        ColorType::Luma
    } else {
        ColorType::Rgb
    };
    let mut out = Vec::new();
    Encoder::new(&mut out, quality)
        .encode(&img.pixels, w, h, color)
        .map_err(|e| ImageError::Encode(e.to_string()))?;
    Ok(out)
}

/// Mean absolute difference of two images of one size and channel count (0..255).
pub fn mean_abs_diff(a: &Image, b: &Image) -> f64 {
    let sum: u64 = a
        .pixels
        .iter()
        .zip(&b.pixels)
        .map(|(&x, &y)| u64::from(x.abs_diff(y)))
        .sum();
    sum as f64 / a.pixels.len().min(b.pixels.len()).max(1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::test_util::{gray_jpeg, jpeg};
    use jpeg_encoder::SamplingFactor;

    #[test]
    fn decodes_luma_and_color() {
        let file = jpeg(64, 32, 90, SamplingFactor::R_4_2_0, None);
        let y = decode_luma(&file).unwrap();
        assert_eq!((y.width, y.height, y.channels), (64, 32, 1));
        let rgb = decode_color(&file).unwrap();
        assert_eq!(rgb.channels, 3);
        let g = decode_luma(&gray_jpeg(16, 16, 200)).unwrap();
        assert!((mean(&g) - 200.0).abs() < 2.0);
        assert!(decode_luma(b"not a jpeg").is_err());
        // A truncated file decodes or fails, never panics.
        let _ = decode_luma(&file[..file.len() / 3]);
    }

    #[test]
    fn resizing_keeps_means_and_aspect() {
        assert_eq!(fit_within(1920, 1080, 320), (320, 180));
        assert_eq!(fit_within(100, 4000, 64), (2, 64));
        assert_eq!(fit_within(10, 10, 64), (10, 10));
        let img = decode_luma(&jpeg(64, 48, 90, SamplingFactor::R_4_2_0, None)).unwrap();
        let small = resize_area(&img, 16, 12);
        assert_eq!(small.pixels.len(), 16 * 12);
        assert!((mean(&small) - mean(&img)).abs() < 1.0);
        let back = decode_luma(&encode_jpeg(&small, 90).unwrap()).unwrap();
        assert_eq!((back.width, back.height), (16, 12));
        assert_eq!(mean_abs_diff(&img, &img), 0.0);
    }
}

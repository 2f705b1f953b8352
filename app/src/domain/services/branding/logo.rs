//! Logo uploads: only PNG, JPEG and WebP, recognised by their signatures (never by a name or a
//! declared type), within size and dimension limits, decoded with allocation limits and written
//! again as PNG. What reaches end users is pixels only: no metadata, no script, no SVG.

use std::io::Cursor;

use image::{ImageFormat, ImageReader, Limits};
use sha2::{Digest, Sha256};

pub use crate::brand::LogoError;
use crate::types::limits::{LOGO_MAX_BYTES, LOGO_MAX_SIDE, LOGO_MIN_SIDE, LOGO_STORED_SIDE};

/// An accepted logo, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logo {
    /// The re-encoded image.
    pub png: Vec<u8>,
    /// Hex SHA-256 prefix of `png`.
    pub digest: String,
    /// Width in pixels after scaling.
    pub width: u32,
    /// Height in pixels after scaling.
    pub height: u32,
}

/// The format the bytes begin with, if it is one we take.
fn sniff(bytes: &[u8]) -> Option<ImageFormat> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(ImageFormat::Png)
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some(ImageFormat::Jpeg)
    } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(ImageFormat::WebP)
    } else {
        None
    }
}

fn reader(bytes: &[u8], format: ImageFormat) -> ImageReader<Cursor<&[u8]>> {
    let mut limits = Limits::default();
    limits.max_image_width = Some(LOGO_MAX_SIDE);
    limits.max_image_height = Some(LOGO_MAX_SIDE);
    // Enough for the largest accepted image as 16-bit RGBA, not a byte more.
    limits.max_alloc = Some(u64::from(LOGO_MAX_SIDE).pow(2) * 8);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    reader
}

fn refusal(e: image::ImageError) -> LogoError {
    match e {
        image::ImageError::Limits(_) => LogoError::TooManyPixels,
        _ => LogoError::Unreadable,
    }
}

/// Checks an uploaded file and re-encodes it as PNG, scaled down to fit
/// [`LOGO_STORED_SIDE`] pixels square.
pub fn accept(bytes: &[u8]) -> Result<Logo, LogoError> {
    if bytes.is_empty() {
        return Err(LogoError::Empty);
    }
    if bytes.len() > LOGO_MAX_BYTES {
        return Err(LogoError::TooLarge);
    }
    let format = sniff(bytes).ok_or(LogoError::UnsupportedType)?;
    // The header alone answers the dimension limits before any pixel is decoded.
    let (width, height) = reader(bytes, format).into_dimensions().map_err(refusal)?;
    if width > LOGO_MAX_SIDE || height > LOGO_MAX_SIDE {
        return Err(LogoError::TooManyPixels);
    }
    if width < LOGO_MIN_SIDE || height < LOGO_MIN_SIDE {
        return Err(LogoError::TooFewPixels);
    }
    let mut decoded = reader(bytes, format).decode().map_err(refusal)?;
    if decoded.width() > LOGO_STORED_SIDE || decoded.height() > LOGO_STORED_SIDE {
        decoded = decoded.resize(
            LOGO_STORED_SIDE,
            LOGO_STORED_SIDE,
            image::imageops::FilterType::Triangle,
        );
    }
    let pixels = decoded.into_rgba8();
    let mut png = Vec::new();
    pixels
        .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
        .map_err(|_| LogoError::Unreadable)?;
    let digest = hex::encode(&Sha256::digest(&png)[..12]);
    Ok(Logo {
        width: pixels.width(),
        height: pixels.height(),
        png,
        digest,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{DynamicImage, RgbaImage};

    fn encoded(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
        let image = RgbaImage::from_fn(width, height, |x, y| {
            image::Rgba([(x % 256) as u8, (y % 256) as u8, 90, 255])
        });
        let image = if format == ImageFormat::Jpeg {
            DynamicImage::ImageRgb8(DynamicImage::ImageRgba8(image).into_rgb8())
        } else {
            DynamicImage::ImageRgba8(image)
        };
        let mut out = Vec::new();
        image
            .write_to(&mut Cursor::new(&mut out), format)
            .expect("encode");
        out
    }

    #[test]
    fn png_jpeg_and_webp_are_accepted_and_become_png() {
        for format in [ImageFormat::Png, ImageFormat::Jpeg, ImageFormat::WebP] {
            let logo = accept(&encoded(120, 40, format)).expect("accepted");
            assert!(logo.png.starts_with(b"\x89PNG\r\n\x1a\n"), "{format:?}");
            assert_eq!((logo.width, logo.height), (120, 40));
            assert_eq!(logo.digest.len(), 24);
        }
    }

    #[test]
    fn large_logos_are_scaled_to_fit_keeping_their_shape() {
        let logo = accept(&encoded(1600, 400, ImageFormat::Png)).expect("accepted");
        assert_eq!(
            (logo.width, logo.height),
            (LOGO_STORED_SIDE, LOGO_STORED_SIDE / 4)
        );
    }

    #[test]
    fn other_files_are_refused_by_what_they_contain() {
        let svg = br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#;
        assert_eq!(accept(svg), Err(LogoError::UnsupportedType));
        assert_eq!(
            accept(b"GIF89a\x01\x00\x01\x00"),
            Err(LogoError::UnsupportedType)
        );
        assert_eq!(accept(b""), Err(LogoError::Empty));
        let mut truncated = encoded(64, 64, ImageFormat::Png);
        truncated.truncate(60);
        assert_eq!(accept(&truncated), Err(LogoError::Unreadable));
        let mut fake = b"\x89PNG\r\n\x1a\n".to_vec();
        fake.extend_from_slice(b"<script>alert(1)</script>");
        assert_eq!(accept(&fake), Err(LogoError::Unreadable));
    }

    #[test]
    fn size_and_dimension_limits_hold() {
        assert_eq!(
            accept(&vec![0x89; LOGO_MAX_BYTES + 1]),
            Err(LogoError::TooLarge)
        );
        assert_eq!(
            accept(&encoded(LOGO_MAX_SIDE + 1, 20, ImageFormat::Png)),
            Err(LogoError::TooManyPixels)
        );
        assert_eq!(
            accept(&encoded(200, LOGO_MIN_SIDE - 1, ImageFormat::Png)),
            Err(LogoError::TooFewPixels)
        );
    }

    #[test]
    fn a_header_claiming_huge_dimensions_is_refused_before_decoding() {
        // A PNG whose header claims 100000 × 100000 pixels, with a token of data.
        let mut ihdr = 100_000u32.to_be_bytes().to_vec();
        ihdr.extend_from_slice(&100_000u32.to_be_bytes());
        ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        for (kind, data) in [
            (&b"IHDR"[..], &ihdr[..]),
            (b"IDAT", b"\x78\x9c\x03\x00\x00\x00\x00\x01"),
            (b"IEND", b""),
        ] {
            png.extend_from_slice(&u32::try_from(data.len()).expect("short").to_be_bytes());
            let start = png.len();
            png.extend_from_slice(kind);
            png.extend_from_slice(data);
            let crc = crc_of(&png[start..]);
            png.extend_from_slice(&crc.to_be_bytes());
        }
        assert_eq!(accept(&png), Err(LogoError::TooManyPixels));
    }

    fn crc_of(bytes: &[u8]) -> u32 {
        let mut crc = 0xffff_ffffu32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xedb8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
}

//! The admin's brand on end-user pages: the accent colour rule (WCAG 2.2 AA contrast), the
//! theme derived from it, and why a logo is refused. Shared by the server, which refuses colours that fail, and the
//! browser, whose Settings preview says so while the admin picks one.

use std::fmt;

/// WCAG 2.2 success criterion 1.4.3 (AA): normal text needs 4.5:1 against its background.
pub const AA_TEXT_CONTRAST: f64 = 4.5;

/// A colour in sRGB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

/// The light page's backgrounds (`--bg`, `--surface`) and the text on accent buttons
/// (`--accent-text`): the accent is link text on the first two and the background of the third.
const LIGHT_AGAINST: [Rgb; 2] = [Rgb(0xf6, 0xf7, 0xf9), Rgb(0xff, 0xff, 0xff)];
/// The dark scheme's backgrounds and the text on its accent buttons.
const DARK_AGAINST: [Rgb; 3] = [
    Rgb(0x12, 0x15, 0x1b),
    Rgb(0x1a, 0x1f, 0x27),
    Rgb(0x0b, 0x10, 0x20),
];
const WHITE: Rgb = Rgb(0xff, 0xff, 0xff);
const BLACK: Rgb = Rgb(0, 0, 0);

impl Rgb {
    /// Parses `#rrggbb` or `#rgb` (any case, surrounding spaces ignored).
    pub fn parse(raw: &str) -> Option<Rgb> {
        let hex = raw.trim().strip_prefix('#')?;
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let channel = |s: &str| u8::from_str_radix(s, 16).ok();
        match hex.len() {
            6 => Some(Rgb(
                channel(&hex[0..2])?,
                channel(&hex[2..4])?,
                channel(&hex[4..6])?,
            )),
            3 => {
                let doubled = |i: usize| channel(&hex[i..=i].repeat(2));
                Some(Rgb(doubled(0)?, doubled(1)?, doubled(2)?))
            }
            _ => None,
        }
    }

    /// Relative luminance as WCAG defines it.
    pub fn luminance(self) -> f64 {
        let linear = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * linear(self.0) + 0.7152 * linear(self.1) + 0.0722 * linear(self.2)
    }

    /// The contrast ratio between two colours, from 1 to 21.
    pub fn contrast(self, other: Rgb) -> f64 {
        let (a, b) = (self.luminance(), other.luminance());
        let (light, dark) = if a > b { (a, b) } else { (b, a) };
        (light + 0.05) / (dark + 0.05)
    }

    /// This colour moved `share` (0 to 1) of the way towards `other`.
    fn towards(self, other: Rgb, share: f64) -> Rgb {
        let mix = |a: u8, b: u8| {
            let mixed = f64::from(a) + (f64::from(b) - f64::from(a)) * share;
            // In 0..=255 by construction; the cast only drops the fraction.
            mixed.round().clamp(0.0, 255.0) as u8
        };
        Rgb(
            mix(self.0, other.0),
            mix(self.1, other.1),
            mix(self.2, other.2),
        )
    }

    /// The lowest contrast against any of `against`.
    fn worst_contrast(self, against: &[Rgb]) -> f64 {
        against
            .iter()
            .map(|b| self.contrast(*b))
            .fold(f64::INFINITY, f64::min)
    }
}

impl fmt::Display for Rgb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }
}

/// Why an accent colour was refused.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AccentError {
    /// Not `#rrggbb`.
    NotAColour,
    /// White text on it, or it as text on the light page, would be harder to read than AA
    /// allows; the ratio is the worst of those.
    LowContrast(f64),
}

impl fmt::Display for AccentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AccentError::NotAColour => f.write_str("Enter the accent colour as #rrggbb."),
            AccentError::LowContrast(ratio) => write!(
                f,
                "This colour has a contrast of {ratio:.2}:1 against the page and white button text; WCAG AA needs at least {AA_TEXT_CONTRAST}:1. Choose a darker colour."
            ),
        }
    }
}

/// The worst contrast `accent` has where end-user pages use it in the light scheme.
pub fn accent_contrast(accent: Rgb) -> f64 {
    accent.worst_contrast(&LIGHT_AGAINST)
}

/// Parses and checks an accent colour: it must pass AA as link text on the light page and as
/// the background of white button text.
pub fn check_accent(raw: &str) -> Result<Rgb, AccentError> {
    let accent = Rgb::parse(raw).ok_or(AccentError::NotAColour)?;
    let ratio = accent_contrast(accent);
    if ratio < AA_TEXT_CONTRAST {
        return Err(AccentError::LowContrast(ratio));
    }
    Ok(accent)
}

/// The colours end-user pages use for an accepted accent, in both colour schemes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    /// The accent on the light page.
    pub light: Rgb,
    /// Buttons under the pointer on the light page.
    pub light_hover: Rgb,
    /// The accent in the dark scheme: the admin's colour lightened until it passes AA there.
    pub dark: Rgb,
    /// Buttons under the pointer in the dark scheme.
    pub dark_hover: Rgb,
}

impl Theme {
    /// The theme for an accent that passed [`check_accent`].
    pub fn for_accent(accent: Rgb) -> Theme {
        // A colour dark enough for a light page is too dark for a dark one; lightening it in
        // small steps keeps its hue and stops at the first shade that passes there.
        let dark = (0..=20)
            .map(|step| accent.towards(WHITE, f64::from(step) / 20.0))
            .find(|c| c.worst_contrast(&DARK_AGAINST) >= AA_TEXT_CONTRAST)
            .unwrap_or(WHITE);
        Theme {
            light: accent,
            light_hover: accent.towards(BLACK, 0.15),
            dark,
            dark_hover: dark.towards(WHITE, 0.2),
        }
    }

    /// The stylesheet that applies the theme after the built-in one.
    pub fn css(&self) -> String {
        format!(
            ":root{{--accent:{};--accent-hover:{};--accent-text:#ffffff}}\n\
             @media (prefers-color-scheme: dark){{:root{{--accent:{};--accent-hover:{};--accent-text:#0b1020}}}}\n",
            self.light, self.light_hover, self.dark, self.dark_hover
        )
    }
}

/// The address of the stylesheet for an accepted accent (the colour names it, so it can be
/// cached for good).
pub fn theme_path(accent: Rgb) -> String {
    format!(
        "/brand/theme/{}.css",
        accent.to_string().trim_start_matches('#')
    )
}

/// Why a logo was refused; each has a stable code for the page that shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogoError {
    /// No file was chosen.
    Empty,
    /// Over [`LOGO_MAX_BYTES`](crate::types::limits::LOGO_MAX_BYTES).
    TooLarge,
    /// Not PNG, JPEG or WebP (SVG, GIF and everything else are refused).
    UnsupportedType,
    /// Wider or taller than [`LOGO_MAX_SIDE`](crate::types::limits::LOGO_MAX_SIDE).
    TooManyPixels,
    /// Narrower or lower than [`LOGO_MIN_SIDE`](crate::types::limits::LOGO_MIN_SIDE).
    TooFewPixels,
    /// It claims to be an image but does not decode as one.
    Unreadable,
}

impl LogoError {
    /// Every refusal, for pages that turn codes back into words.
    pub const ALL: [LogoError; 6] = [
        LogoError::Empty,
        LogoError::TooLarge,
        LogoError::UnsupportedType,
        LogoError::TooManyPixels,
        LogoError::TooFewPixels,
        LogoError::Unreadable,
    ];

    /// The stable code.
    pub const fn code(self) -> &'static str {
        match self {
            LogoError::Empty => "logo_missing",
            LogoError::TooLarge => "logo_too_large",
            LogoError::UnsupportedType => "logo_unsupported_type",
            LogoError::TooManyPixels => "logo_too_many_pixels",
            LogoError::TooFewPixels => "logo_too_few_pixels",
            LogoError::Unreadable => "logo_unreadable",
        }
    }

    /// The refusal with this code.
    pub fn from_code(code: &str) -> Option<LogoError> {
        Self::ALL.into_iter().find(|e| e.code() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_parse_in_both_lengths_and_refuse_anything_else() {
        assert_eq!(Rgb::parse("#3B5BDB"), Some(Rgb(0x3b, 0x5b, 0xdb)));
        assert_eq!(Rgb::parse(" #abc "), Some(Rgb(0xaa, 0xbb, 0xcc)));
        for bad in [
            "3b5bdb",
            "#3b5bd",
            "#3b5bdbff",
            "#ggg",
            "",
            "#",
            "red",
            "#+1+2+3",
        ] {
            assert_eq!(Rgb::parse(bad), None, "{bad}");
        }
        assert_eq!(Rgb(0x0a, 0xb0, 0xff).to_string(), "#0ab0ff");
    }

    #[test]
    fn contrast_matches_the_wcag_reference_values() {
        assert!((WHITE.contrast(BLACK) - 21.0).abs() < 1e-9);
        assert!((WHITE.contrast(WHITE) - 1.0).abs() < 1e-9);
        // The well-known AA boundary greys against white.
        let ratio = |hex| Rgb::parse(hex).map(|c| c.contrast(WHITE)).unwrap_or(0.0);
        assert!((ratio("#767676") - 4.54).abs() < 0.01);
        assert!((ratio("#777777") - 4.48).abs() < 0.01);
    }

    #[test]
    fn accents_pass_only_when_readable_on_the_light_page() {
        assert!(
            check_accent("#3b5bdb").is_ok(),
            "the built-in accent passes"
        );
        assert!(check_accent("#1864ab").is_ok());
        assert!(matches!(
            check_accent("#ffd43b"),
            Err(AccentError::LowContrast(r)) if r < 2.0
        ));
        // Passes against white but not against the page's grey background.
        assert!(matches!(
            check_accent("#737373"),
            Err(AccentError::LowContrast(_))
        ));
        assert_eq!(check_accent("blue"), Err(AccentError::NotAColour));
    }

    #[test]
    fn every_accepted_accent_yields_a_dark_scheme_that_passes_too() {
        for raw in [
            "#000000", "#3b5bdb", "#c92a2a", "#237032", "#5f3dc4", "#6b6b6b",
        ] {
            let accent = check_accent(raw).expect(raw);
            let theme = Theme::for_accent(accent);
            assert!(
                theme.dark.worst_contrast(&DARK_AGAINST) >= AA_TEXT_CONTRAST,
                "{raw}"
            );
            assert!(
                theme.dark_hover.worst_contrast(&DARK_AGAINST) >= AA_TEXT_CONTRAST,
                "{raw}"
            );
            assert!(
                theme.light_hover.worst_contrast(&LIGHT_AGAINST) >= AA_TEXT_CONTRAST,
                "{raw}"
            );
        }
    }

    #[test]
    fn the_theme_is_a_stylesheet_named_by_its_colour() {
        let accent = Rgb(0x1c, 0x7e, 0xd6);
        assert_eq!(theme_path(accent), "/brand/theme/1c7ed6.css");
        let css = Theme::for_accent(accent).css();
        assert!(css.starts_with(":root{--accent:#1c7ed6;"), "{css}");
        assert!(css.contains("prefers-color-scheme: dark"));
    }

    #[test]
    fn codes_round_trip() {
        for e in LogoError::ALL {
            assert_eq!(LogoError::from_code(e.code()), Some(e));
        }
        assert_eq!(LogoError::from_code("nope"), None);
    }
}
